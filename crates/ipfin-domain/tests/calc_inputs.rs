//! The bad inputs of issue #19 (items 6 and 9) against the engine itself: amounts past the
//! bound, negative or zero IP shares, an IP amount above the principal, ratios above 1, sums
//! near the i64 limit and a group fee limit over huge figures are refused with a code and a
//! Chinese message, never wrapped, saturated, negative or a panic; percentages in derivations
//! are exact; the rule schema's ratio pattern and the parser agree.

use chrono::NaiveDate;
use ipfin_domain::ip_number::IpKind;
use ipfin_domain::money::Fen;
use ipfin_domain::policy::calc::MAX_FEN;
use ipfin_domain::policy::rules::*;
use ipfin_domain::policy::{Application, IpShare, Loan, LprTable, calculate};
use ipfin_domain::size::SizeClass;
use rust_decimal_macros::dec;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn item(i: Item, ratio: &str) -> ItemRule {
    ItemRule::new(
        i,
        PerClass::all(Ratio::new(ratio.parse().expect("decimal")).expect("ratio")),
    )
}

fn rules(items: Vec<ItemRule>) -> Rules {
    Rules::with_items(items)
}

/// 1,000 元 principal, 35 元 interest paid, IP the only collateral.
fn loan() -> Loan {
    Loan {
        reference: "L1".into(),
        principal_fen: Fen::new(100_000),
        secured_amount_fen: None,
        ip_share: IpShare::Sole,
        ip_kind: IpKind::Patent,
        start: d(2025, 3, 1),
        end: d(2026, 3, 1),
        annual_rate: dec!(0.0345),
        interest_paid_fen: Fen::new(3_500),
        evaluation_fee_fen: Fen::ZERO,
        guarantee_fee_fen: Fen::ZERO,
        insurance_fee_fen: Fen::ZERO,
    }
}

fn app(loans: Vec<Loan>) -> Application {
    Application {
        class: SizeClass::Small,
        operating_revenue_fen: None,
        loans,
        enterprise_used_fen: Fen::ZERO,
        item_used_fen: Default::default(),
    }
}

fn refused(r: &Rules, l: Loan) -> (&'static str, String) {
    let e = calculate(r, &LprTable::demo(), &app(vec![l])).expect_err("refused");
    (e.code, e.zh)
}

#[test]
fn ip_shares_must_be_above_zero_and_within_the_principal() {
    let r = rules(vec![item(Item::Interest, "1")]);
    // A negative stated IP amount once gave −35.00 元 of subsidy.
    let mut l = loan();
    l.ip_share = IpShare::Amount {
        amount_fen: Fen::new(-100_000),
    };
    let (code, zh) = refused(&r, l);
    assert_eq!(code, "loan.ip_share");
    assert!(zh.contains("知识产权担保金额应大于 0"), "{zh}");
    // A zero ratio.
    let mut l = loan();
    l.ip_share = IpShare::Ratio { ratio: Ratio::ZERO };
    let (code, zh) = refused(&r, l);
    assert_eq!(code, "loan.ip_share");
    assert!(zh.contains("知识产权占比应大于 0"), "{zh}");
    // An IP amount above the principal (1,000.01 元 of 1,000 元).
    let mut l = loan();
    l.ip_share = IpShare::Amount {
        amount_fen: Fen::new(100_001),
    };
    let (code, zh) = refused(&r, l);
    assert_eq!(code, "loan.ip_share");
    assert!(zh.contains("不能超过本金 1,000.00 元"), "{zh}");
    // At the principal it is the whole loan: 35.00 元 × 100% = 35.00 元.
    let mut l = loan();
    l.ip_share = IpShare::Amount {
        amount_fen: Fen::new(100_000),
    };
    let c = calculate(&r, &LprTable::demo(), &app(vec![l])).expect("calculates");
    assert_eq!(c.total_fen, 3_500);
    // A ratio above 1 cannot even be written.
    assert!(Ratio::new(dec!(1.01)).is_err());
    assert!(serde_json::from_str::<Ratio>("\"1.2\"").is_err());
}

#[test]
fn amounts_are_bounded_and_never_wrap() {
    let r = rules(vec![
        item(Item::Interest, "1"),
        item(Item::Evaluation, "1"),
        item(Item::Guarantee, "1"),
    ]);
    // Three items near the i64 limit once summed to a wrapped total with HTTP 200.
    let mut l = loan();
    l.principal_fen = Fen::new(i64::MAX / 2);
    l.interest_paid_fen = Fen::new(i64::MAX / 2);
    l.evaluation_fee_fen = Fen::new(i64::MAX / 2);
    l.guarantee_fee_fen = Fen::new(i64::MAX / 2);
    let (code, zh) = refused(&r, l);
    assert_eq!(code, "amount.too_large");
    assert!(
        zh.contains("本金") && zh.contains("1,000,000,000,000.00 元"),
        "{zh}"
    );
    // The bound itself is taken: 3 × 10^14 fen in total, exactly.
    let mut l = loan();
    l.principal_fen = Fen::new(MAX_FEN);
    l.interest_paid_fen = Fen::new(MAX_FEN);
    l.evaluation_fee_fen = Fen::new(MAX_FEN);
    l.guarantee_fee_fen = Fen::new(MAX_FEN);
    let c = calculate(&r, &LprTable::demo(), &app(vec![l])).expect("calculates");
    assert_eq!(c.total_fen, 3 * MAX_FEN);
    // One fen more of any amount is refused, and so is a negative fee.
    let mut l = loan();
    l.insurance_fee_fen = Fen::new(MAX_FEN + 1);
    assert_eq!(refused(&r, l).0, "amount.too_large");
    let mut l = loan();
    l.evaluation_fee_fen = Fen::new(-1);
    let (code, zh) = refused(&r, l);
    assert_eq!(code, "amount.negative");
    assert!(zh.contains("评估费不能为负数"), "{zh}");
    // The enterprise's used amount and revenue too.
    let mut a = app(vec![loan()]);
    a.enterprise_used_fen = Fen::new(-5);
    assert_eq!(
        calculate(&r, &LprTable::demo(), &a).map_err(|m| m.code),
        Err("amount.negative")
    );
    a.enterprise_used_fen = Fen::ZERO;
    a.operating_revenue_fen = Some(Fen::new(i64::MAX));
    assert_eq!(
        calculate(&r, &LprTable::demo(), &a).map_err(|m| m.code),
        Err("amount.too_large")
    );
}

#[test]
fn a_group_fee_limit_over_the_largest_figures_is_exact() {
    // Once a panic in rust_decimal (HTTP 500): fees at the bound under a 4% group limit.
    let mut r = rules(vec![
        item(Item::Evaluation, "0.5"),
        item(Item::Guarantee, "0.5"),
    ]);
    r.fee_group_limit = Some(GroupLimit {
        items: vec![Item::Evaluation, Item::Guarantee],
        share_of_principal: Ratio::new(dec!(0.04)).expect("ratio"),
    });
    let mut l = loan();
    l.principal_fen = Fen::new(MAX_FEN);
    l.evaluation_fee_fen = Fen::new(MAX_FEN);
    l.guarantee_fee_fen = Fen::new(MAX_FEN);
    let c = calculate(&r, &LprTable::demo(), &app(vec![l])).expect("calculates");
    // 4% of 10^14 = 4 × 10^12 shared half and half, × 50% each = 10^12 + 10^12.
    assert_eq!(c.total_fen, 2_000_000_000_000);
    assert_eq!(c.items[0].granted_fen, 1_000_000_000_000);
}

#[test]
fn nothing_qualifies_means_not_eligible_with_each_reason() {
    let mut r = rules(vec![item(Item::Interest, "0.7")]);
    r.conditions.ip_kinds = vec![IpKind::Patent];
    r.conditions.max_loan_days = Some(365);
    let mut trademark = loan();
    trademark.reference = "L-TM".into();
    trademark.ip_kind = IpKind::Trademark;
    let mut long = loan();
    long.reference = "L-LONG".into();
    long.end = d(2026, 3, 2);
    let c = calculate(&r, &LprTable::demo(), &app(vec![trademark, long])).expect("calculates");
    assert!(!c.eligible);
    assert_eq!(c.total_fen, 0);
    let lines = c.lines();
    assert_eq!(
        lines,
        vec![
            "贷款“L-LONG”期限 366 天，超过政策规定的 365 天，不计入。".to_string(),
            "贷款“L-TM”以商标质押，不在本政策支持的知识产权类型内，不计入。".to_string(),
            "没有一笔贷款符合本政策的条件，不予资助。".to_string(),
        ]
    );
    // One loan that counts makes it eligible: 35.00 × 70% = 24.50 元.
    let mut r2 = r.clone();
    r2.conditions.max_loan_days = None;
    let mut long = loan();
    long.end = d(2026, 3, 2);
    let c = calculate(&r2, &LprTable::demo(), &app(vec![long])).expect("calculates");
    assert!(c.eligible);
    assert_eq!(c.total_fen, 2_450);
}

#[test]
fn percentages_in_derivations_are_exact() {
    // 4.20000001% of 35.00 元 = 1.4700000035 元 → 1.47 元; the step shows the ratio as stated.
    let r = rules(vec![item(Item::Interest, "0.0420000001")]);
    let c = calculate(&r, &LprTable::demo(), &app(vec![loan()])).expect("calculates");
    assert_eq!(c.total_fen, 147);
    assert!(
        c.lines().iter().any(|l| l.contains("比例 4.20000001%")),
        "{:?}",
        c.lines()
    );
    // An IP amount of a third of the principal: a quotient that does not end is marked ≈.
    let mut l = loan();
    l.principal_fen = Fen::new(300_000);
    l.ip_share = IpShare::Amount {
        amount_fen: Fen::new(100_000),
    };
    let c = calculate(&r, &LprTable::demo(), &app(vec![l])).expect("calculates");
    assert!(
        c.lines().iter().any(|l| l.contains("≈33.333333%")),
        "{:?}",
        c.lines()
    );
}

#[test]
fn the_ratio_pattern_of_the_schema_and_the_parser_agree() {
    let schema = ipfin_domain::policy::document::schema().to_string();
    // The pattern as the schema publishes it (JSON-escaped).
    assert!(
        schema.contains(r#""pattern":"^(0(\\.[0-9]+)?|1(\\.0+)?)$""#),
        "{schema}"
    );
    // Strings the pattern accepts and refuses, checked by hand against it.
    for (text, pattern_accepts) in [
        ("0", true),
        ("1", true),
        ("0.7", true),
        ("0.0420000001", true),
        ("1.000", true),
        ("1e-1", false),
        (".5", false),
        ("00.5", false),
        ("1.01", false),
        ("-0.1", false),
        ("70%", false),
        (" 0.7", false),
        ("0.", false),
        ("", false),
    ] {
        let parsed = serde_json::from_value::<Ratio>(serde_json::Value::String(text.into()));
        assert_eq!(parsed.is_ok(), pattern_accepts, "{text:?}: {parsed:?}");
    }
    // Numbers (no pattern applies to them) within 0..1 are ratios.
    assert_eq!(
        serde_json::from_str::<Ratio>("0.25").ok().map(Ratio::value),
        Some(dec!(0.25))
    );
    assert!(serde_json::from_str::<Ratio>("1.5").is_err());
    // A number is the decimal written, not its binary neighbour.
    assert_eq!(
        serde_json::from_str::<Ratio>("0.7")
            .ok()
            .map(|r| r.value().to_string()),
        Some("0.7".to_string())
    );
}

#[test]
fn terms_in_calendar_months() {
    let mut r = rules(vec![item(Item::Interest, "1")]);
    r.conditions.max_loan_months = Some(12);
    // 12 months over 29 February 2028 (366 days) count; 31 January + 1 month ends 28 February.
    let mut leap = loan();
    leap.start = d(2027, 3, 1);
    leap.end = d(2028, 3, 1);
    let c = calculate(&r, &LprTable::demo(), &app(vec![leap])).expect("calculates");
    assert_eq!((c.eligible, c.total_fen.get()), (true, 3_500));
    let mut over = loan();
    over.end = d(2026, 3, 2);
    let c = calculate(&r, &LprTable::demo(), &app(vec![over])).expect("calculates");
    assert!(!c.eligible);
    assert_eq!(
        c.lines()[0],
        "贷款“L1”期限 2025年3月1日 至 2026年3月2日，超过政策规定的 12 个月（应不晚于 2026年3月1日 到期），不计入。"
    );
    // The same step in English, dates in English order (issue #23 item 10).
    assert_eq!(
        c.lines_in(ipfin_domain::Lang::En)[0],
        "Loan L1 runs from 1 Mar 2025 to 2 Mar 2026, longer than the policy's 12 months (due by 1 Mar 2026): not counted."
    );
    let mut one = rules(vec![item(Item::Interest, "1")]);
    one.conditions.max_loan_months = Some(1);
    let mut jan = loan();
    jan.start = d(2026, 1, 31);
    jan.end = d(2026, 2, 28);
    assert!(
        calculate(&one, &LprTable::demo(), &app(vec![jan.clone()]))
            .expect("calc")
            .eligible
    );
    jan.end = d(2026, 3, 1);
    assert!(
        !calculate(&one, &LprTable::demo(), &app(vec![jan]))
            .expect("calc")
            .eligible
    );
    // Months and days at once are refused by the rule checks.
    r.conditions.max_loan_days = Some(365);
    let codes: Vec<&str> = r.check().iter().map(|e| e.msg.code).collect();
    assert_eq!(codes, vec!["policy.term_units"]);
}
