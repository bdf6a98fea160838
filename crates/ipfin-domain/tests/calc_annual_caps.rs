//! Issue #19 items 3 and 10 against the engine and the calculator's JSON entry: an item's cap
//! per enterprise per policy year (`annual_cap_fen`) less what the enterprise already used of
//! it, never negative, shown in the derivation; the calculator's three kinds (enterprise fees,
//! institution rewards, securitisation), a kind the policy does not offer, and the bad inputs.
//! Every figure is worked out by hand in the comments.

use chrono::NaiveDate;
use ipfin_domain::ip_number::IpKind;
use ipfin_domain::money::Fen;
use ipfin_domain::policy::input::{Request, calculator_input};
use ipfin_domain::policy::rules::*;
use ipfin_domain::policy::{Application, IpShare, Loan, LprTable, calculate};
use ipfin_domain::size::SizeClass;
use rust_decimal_macros::dec;
use serde_json::{Value, json};

const YUAN: i64 = 100;

fn item(i: Item, ratio: &str) -> ItemRule {
    ItemRule::new(
        i,
        PerClass::all(Ratio::new(ratio.parse().expect("decimal")).expect("ratio")),
    )
}

/// Interest 70%, at most 300,000 元 per application and 400,000 元 per enterprise per policy
/// year; guarantee 70% without an annual cap.
fn rules() -> Rules {
    Rules::with_items(vec![
        ItemRule {
            cap_fen: PerClass::all(Some(Fen::new(300_000 * YUAN))),
            annual_cap_fen: PerClass::all(Some(Fen::new(400_000 * YUAN))),
            ..item(Item::Interest, "0.7")
        },
        item(Item::Guarantee, "0.7"),
    ])
}

/// 10,000,000 元, 350,000 元 interest and 100,000 元 guarantee fee paid.
fn loan() -> Loan {
    Loan {
        reference: "NS-1".into(),
        principal_fen: Fen::new(10_000_000 * YUAN),
        secured_amount_fen: None,
        ip_share: IpShare::Sole,
        ip_kind: IpKind::Patent,
        start: NaiveDate::from_ymd_opt(2026, 1, 5).expect("date"),
        end: NaiveDate::from_ymd_opt(2027, 1, 5).expect("date"),
        annual_rate: dec!(0.035),
        interest_paid_fen: Fen::new(350_000 * YUAN),
        evaluation_fee_fen: Fen::ZERO,
        guarantee_fee_fen: Fen::new(100_000 * YUAN),
        insurance_fee_fen: Fen::ZERO,
    }
}

fn app(interest_used: Option<i64>) -> Application {
    Application {
        class: SizeClass::Small,
        operating_revenue_fen: None,
        loans: vec![loan()],
        enterprise_used_fen: Fen::ZERO,
        item_used_fen: interest_used
            .map(|u| (Item::Interest, Fen::new(u)))
            .into_iter()
            .collect(),
    }
}

#[test]
fn an_items_annual_cap_less_what_was_used() {
    let lpr = LprTable::demo();
    // Nothing used: 350,000 × 70% = 245,000 (under both caps); the derivation says the room.
    let c = calculate(&rules(), &lpr, &app(None)).expect("calc");
    assert_eq!(c.items[0].granted_fen, 245_000 * YUAN);
    assert_eq!(c.items[1].granted_fen, 70_000 * YUAN);
    assert_eq!(c.total_fen, 315_000 * YUAN);
    let room = c.items[0].annual.expect("annual");
    assert_eq!(
        (
            room.cap_fen.get(),
            room.used_fen.get(),
            room.remaining_fen.get()
        ),
        (400_000 * YUAN, 0, 400_000 * YUAN)
    );
    assert!(c.items[1].annual.is_none());
    assert!(c.lines().contains(
        &"贷款贴息：每家企业本政策年度上限 400,000.00 元，本年度已获批及在审 0.00 元，尚余 400,000.00 元，本次 245,000.00 元 未超过。".to_string()
    ), "{:#?}", c.lines());

    // The second application of the year: the first holds 245,000, so 155,000 remain; the two
    // together get exactly the annual cap, not twice the full amount.
    let second = calculate(&rules(), &lpr, &app(Some(245_000 * YUAN))).expect("calc");
    assert_eq!(second.items[0].granted_fen, 155_000 * YUAN);
    assert_eq!(second.items[1].granted_fen, 70_000 * YUAN);
    assert_eq!(second.total_fen, 225_000 * YUAN);
    assert!(second.lines().contains(
        &"贷款贴息：每家企业本政策年度上限 400,000.00 元，本年度已获批及在审 245,000.00 元，尚余 155,000.00 元；计算金额 245,000.00 元 超过尚余额度，按 155,000.00 元 计。".to_string()
    ), "{:#?}", second.lines());

    // Used above the cap: nothing remains, never less than nothing.
    let over = calculate(&rules(), &lpr, &app(Some(450_000 * YUAN))).expect("calc");
    assert_eq!(over.items[0].granted_fen, 0);
    assert_eq!(
        over.items[0].annual.map(|r| r.remaining_fen),
        Some(Fen::ZERO)
    );
    assert_eq!(over.total_fen, 70_000 * YUAN);
    assert!(
        over.steps
            .iter()
            .all(|s| s.amount_fen.is_none_or(|f| f >= 0))
    );

    // The per-application cap still applies first: 500,000 interest × 70% = 350,000 → 300,000
    // per application; 100,000 used → 300,000 remain, so 300,000.
    let mut big = app(Some(100_000 * YUAN));
    big.loans[0].interest_paid_fen = Fen::new(500_000 * YUAN);
    let c = calculate(&rules(), &lpr, &big).expect("calc");
    assert_eq!(c.items[0].granted_fen, 300_000 * YUAN);
    // With 150,000 used only 250,000 remain.
    big.item_used_fen
        .insert(Item::Interest, Fen::new(150_000 * YUAN));
    let c = calculate(&rules(), &lpr, &big).expect("calc");
    assert_eq!(c.items[0].granted_fen, 250_000 * YUAN);
}

#[test]
fn an_annual_cap_per_class_and_its_checks() {
    // Large enterprises capped at 100,000 a year, SMEs not: the SME keeps its 245,000.
    let mut r = rules();
    r.items[0].cap_fen = PerClass::all(None);
    r.items[0].annual_cap_fen = PerClass::large_and_sme(Some(Fen::new(100_000 * YUAN)), None);
    let lpr = LprTable::demo();
    let mut a = app(Some(50_000 * YUAN));
    assert_eq!(
        calculate(&r, &lpr, &a).expect("calc").items[0].granted_fen,
        245_000 * YUAN
    );
    a.class = SizeClass::Large;
    assert_eq!(
        calculate(&r, &lpr, &a).expect("calc").items[0].granted_fen,
        50_000 * YUAN
    );
    // A negative cap or one above the bound is refused with its path.
    r.items[0].annual_cap_fen =
        PerClass::large_and_sme(Some(Fen::new(-1)), Some(Fen::new(100_000_000_000_001)));
    let got: Vec<(String, &str)> = r
        .check()
        .into_iter()
        .map(|e| (e.path, e.msg.code))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "items[0].annual_cap_fen.large".to_string(),
                "policy.cap_negative"
            ),
            (
                "items[0].annual_cap_fen.medium".to_string(),
                "amount.too_large"
            ),
            (
                "items[0].annual_cap_fen.small".to_string(),
                "amount.too_large"
            ),
            (
                "items[0].annual_cap_fen.micro".to_string(),
                "amount.too_large"
            ),
        ]
    );
    // A used amount out of its bounds is refused by the engine too.
    let e = calculate(&rules(), &lpr, &app(Some(-1))).expect_err("negative used");
    assert_eq!(e.code, "amount.negative");
    assert!(
        e.zh.contains("贷款贴息本年度已获批及在审金额不能为负数"),
        "{}",
        e.zh
    );
    // The rule reads from JSON and is written back only when set.
    let json_rule: ItemRule = serde_json::from_value(json!({"item": "interest",
        "ratio": {"large": "0.7", "medium": "0.7", "small": "0.7", "micro": "0.7"},
        "annual_cap_fen": {"large": 100, "medium": null, "small": null, "micro": null}}))
    .expect("reads");
    assert_eq!(json_rule.annual_cap_fen.large, Some(Fen::new(100)));
    let plain = serde_json::to_value(item(Item::Interest, "0.7")).expect("json");
    assert!(plain.get("annual_cap_fen").is_none(), "{plain}");
}

fn errors(v: Value) -> Vec<(String, &'static str, String)> {
    calculator_input(&v)
        .expect_err("refused")
        .into_iter()
        .map(|e| (e.path, e.msg.code, e.msg.zh))
        .collect()
}

fn fee_loan() -> Value {
    json!({"reference": "NS-1", "principal_fen": 1_000_000_000i64, "ip_share": {"kind": "sole"},
        "ip_kind": "patent", "start": "2026-01-05", "end": "2027-01-05", "annual_rate": "0.035",
        "interest_paid_fen": 35_000_000, "guarantee_fee_fen": 10_000_000})
}

#[test]
fn the_calculator_reads_used_per_item() {
    let v = json!({"policy_version_id": 1, "class": "small",
        "item_used_fen": {"interest": 24_500_000}, "loans": [fee_loan()]});
    let i = calculator_input(&v).expect("reads");
    let a = i.application().expect("fees");
    assert_eq!(
        a.item_used_fen.get(&Item::Interest),
        Some(&Fen::new(24_500_000))
    );
    let c = i
        .request
        .calculate(&rules(), &LprTable::demo())
        .expect("calc");
    assert_eq!(c.items[0].granted_fen, 15_500_000);

    let e = errors(json!({"policy_version_id": 1, "class": "small",
        "item_used_fen": {"interest": -1, "guarantee": "1e3", "domain": 5}, "loans": [fee_loan()]}));
    let got: Vec<(&str, &str)> = e.iter().map(|(p, c, _)| (p.as_str(), *c)).collect();
    assert_eq!(
        got,
        vec![
            ("item_used_fen.domain", "json.value"),
            ("item_used_fen.guarantee", "json.integer"),
            ("item_used_fen.interest", "amount.negative"),
        ]
    );
    assert!(e[0].2.contains("可选：interest（贷款贴息）"), "{}", e[0].2);
    assert!(e[1].2.contains("担保费补贴的金额应为整数"), "{}", e[1].2);
    assert!(
        e[2].2.contains("贷款贴息本年度已获批及在审金额不能为负数"),
        "{}",
        e[2].2
    );
    let e = errors(
        json!({"policy_version_id": 1, "class": "small", "item_used_fen": [1], "loans": [fee_loan()]}),
    );
    assert_eq!(e[0].1, "json.object");
}

fn offering_all() -> Rules {
    let mut r = rules();
    r.institution_reward = Some(RewardRule {
        ratio: Ratio::new(dec!(0.01)).expect("ratio"),
        per_loan_fen: Fen::ZERO,
        cap_per_year_fen: Some(Fen::new(1_000_000 * YUAN)),
        first_time_borrowers_only: false,
        ip_kinds: Vec::new(),
        classes: None,
    });
    r.securitisation = Some(SecuritisationRule {
        ratio: Ratio::new(dec!(0.7)).expect("ratio"),
        cap_per_year_fen: Some(Fen::new(3_000_000 * YUAN)),
        max_years: Some(3),
    });
    r
}

#[test]
fn the_calculator_computes_the_three_kinds() {
    let lpr = LprTable::demo();
    // Institution: 10,000,000 principal, secured 8,000,000, IP amount 6,000,000 (share 60%):
    // financed min(10,000,000, 8,000,000) × 60% = 4,800,000; plus 2,000,000 sole; 6,800,000 ×
    // 1% = 68,000; with 950,000 granted of the 1,000,000 a year, 50,000.
    let v = json!({"kind": "institution", "policy_version_id": 3, "granted_this_year_fen": 95_000_000,
    "loans": [
        {"reference": "B-1", "principal_fen": 1_000_000_000i64, "secured_amount_fen": 800_000_000i64,
         "ip_share": {"kind": "amount", "amount_fen": 600_000_000i64}, "ip_kind": "patent",
         "class": "small", "first_time_borrower": true},
        {"principal_fen": 200_000_000i64, "ip_share": {"kind": "sole"}, "ip_kind": "trademark"}
    ]});
    let i = calculator_input(&v).expect("reads");
    assert!(matches!(i.request, Request::Institution { .. }));
    let mut none_granted = v.clone();
    none_granted["granted_this_year_fen"] = json!(0);
    let c = calculator_input(&none_granted)
        .expect("reads")
        .request
        .calculate(&offering_all(), &lpr)
        .expect("calc");
    assert_eq!(c.total_fen, 68_000 * YUAN);
    let c = i.request.calculate(&offering_all(), &lpr).expect("calc");
    assert_eq!(c.total_fen, 50_000 * YUAN);

    // Securitisation: (3,000,000 + 1,500,000) × 70% = 3,150,000 → 3,000,000 a year; year 4
    // is beyond the 3 years.
    let v = json!({"kind": "securitisation", "policy_version_id": 3, "year_number": 2,
        "interest_paid_fen": 300_000_000i64, "guarantee_fee_fen": 150_000_000i64});
    let c = calculator_input(&v)
        .expect("reads")
        .request
        .calculate(&offering_all(), &lpr)
        .expect("calc");
    assert_eq!((c.eligible, c.total_fen.get()), (true, 3_000_000 * YUAN));
    let mut fourth = v.clone();
    fourth["year_number"] = json!(4);
    let c = calculator_input(&fourth)
        .expect("reads")
        .request
        .calculate(&offering_all(), &lpr)
        .expect("calc");
    assert_eq!((c.eligible, c.total_fen.get()), (false, 0));

    // A kind the policy does not offer: a clear refusal at `kind`, naming what it offers.
    let e = calculator_input(&v)
        .expect("reads")
        .request
        .calculate(&rules(), &lpr)
        .expect_err("not offered");
    assert_eq!(
        (e.path.as_str(), e.msg.code),
        ("kind", "calc.kind_not_offered")
    );
    assert_eq!(
        e.msg.zh,
        "所选政策没有知识产权证券化资助条款，不能按“知识产权证券化资助”（securitisation）测算；本政策可测算：企业费用资助（enterprise_fee）。"
    );
}

#[test]
fn bad_input_of_each_kind_in_chinese_all_at_once() {
    let e = errors(json!({"kind": "loan", "policy_version_id": 1}));
    assert_eq!(e[0].0, "kind");
    assert!(
        e[0].2.contains("可选：enterprise_fee（企业费用补贴）"),
        "{}",
        e[0].2
    );

    let e = errors(
        json!({"kind": "securitisation", "policy_version_id": 1, "year_number": 0,
        "interest_paid_fen": -5, "guarantee_fee_fen": 100_000_000_000_001i64, "class": "small"}),
    );
    let got: Vec<(&str, &str)> = e.iter().map(|(p, c, _)| (p.as_str(), *c)).collect();
    assert_eq!(
        got,
        vec![
            ("class", "json.unknown_field"),
            ("year_number", "calc.year_number"),
            ("interest_paid_fen", "amount.negative"),
            ("guarantee_fee_fen", "amount.too_large"),
        ]
    );
    let e = errors(json!({"kind": "securitisation", "policy_version_id": 1}));
    let got: Vec<(&str, &str)> = e.iter().map(|(p, c, _)| (p.as_str(), *c)).collect();
    assert_eq!(
        got,
        vec![
            ("year_number", "json.missing_field"),
            ("interest_paid_fen", "calc.securitisation_cost"),
        ]
    );
    assert!(e[1].2.contains("与担保费合计应大于 0"), "{}", e[1].2);

    let e = errors(
        json!({"kind": "institution", "policy_version_id": 1, "granted_this_year_fen": -1,
        "loans": [
            {"principal_fen": 100_000_000_000_001i64, "ip_share": {"kind": "ratio", "ratio": "0"}, "ip_kind": "patent"},
            {"principal_fen": 100, "ip_share": {"kind": "amount", "amount_fen": 101}, "ip_kind": "patent",
             "class": "huge", "first_time_borrower": "yes"}
        ]}),
    );
    let got: Vec<(&str, &str)> = e.iter().map(|(p, c, _)| (p.as_str(), *c)).collect();
    assert_eq!(
        got,
        vec![
            ("loans[0].principal_fen", "amount.too_large"),
            ("loans[0].ip_share.ratio", "loan.ip_share"),
            ("loans[1].class", "json.value"),
            ("loans[1].first_time_borrower", "json.boolean"),
            ("loans[1].ip_share.amount_fen", "loan.ip_share"),
            ("granted_this_year_fen", "amount.negative"),
        ]
    );
    for (_, _, zh) in &e {
        assert!(!zh.contains("expected") && !zh.contains("line 1"), "{zh}");
    }
    let e = errors(json!({"kind": "institution", "policy_version_id": 1, "loans": []}));
    assert_eq!(e[0].1, "loan.none");
}
