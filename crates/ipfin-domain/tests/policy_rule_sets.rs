//! Each rule set of SPEC §3.4 expressed as data in the one rule model, with the amounts
//! computed by hand in the comments.

use chrono::NaiveDate;
use ipfin_domain::ip_number::IpKind;
use ipfin_domain::money::Fen;
use ipfin_domain::policy::calc::{RewardLoan, institution_reward, securitisation};
use ipfin_domain::policy::rules::*;
use ipfin_domain::policy::{Application, IpShare, Loan, LprTable, LprTerm, calculate};
use ipfin_domain::size::SizeClass;
use rust_decimal_macros::dec;

const YUAN: i64 = 100;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn r(p: rust_decimal::Decimal) -> Ratio {
    Ratio::percent(p).expect("ratio")
}

fn item(item: Item, ratio: Ratio) -> ItemRule {
    ItemRule::new(item, PerClass::all(ratio))
}

fn rules(items: Vec<ItemRule>) -> Rules {
    Rules::with_items(items)
}

fn loan(reference: &str, principal_yuan: i64, start: NaiveDate, end: NaiveDate) -> Loan {
    Loan {
        reference: reference.into(),
        principal_fen: Fen::new(principal_yuan * YUAN),
        secured_amount_fen: None,
        ip_share: IpShare::Sole,
        ip_kind: IpKind::Patent,
        start,
        end,
        annual_rate: dec!(0.0345),
        interest_paid_fen: Fen::new(0),
        evaluation_fee_fen: Fen::new(0),
        guarantee_fee_fen: Fen::new(0),
        insurance_fee_fen: Fen::new(0),
    }
}

fn app(class: SizeClass, loans: Vec<Loan>) -> Application {
    Application {
        class,
        operating_revenue_fen: None,
        loans,
        enterprise_used_fen: Fen::new(0),
        item_used_fen: Default::default(),
    }
}

fn granted(c: &ipfin_domain::policy::Calculation) -> Vec<(Item, i64)> {
    c.items
        .iter()
        .map(|i| (i.item, i.granted_fen.get()))
        .collect()
}

/// Nanshan: 70% of interest, guarantee, insurance and evaluation fees; CNY 1.5 million per
/// enterprise per year.
fn nanshan() -> Rules {
    let mut p = rules(Item::ALL.iter().map(|i| item(*i, r(dec!(70)))).collect());
    p.enterprise_cap = Some(EnterpriseCap {
        amount_fen: PerClass::all(Some(Fen::new(1_500_000 * YUAN))),
        period: CapPeriod::Year,
    });
    p
}

#[test]
fn nanshan_style() {
    let mut l = loan("招商银行 NS-001", 10_000_000, d(2025, 3, 1), d(2026, 3, 1));
    l.interest_paid_fen = Fen::new(350_000 * YUAN);
    l.guarantee_fee_fen = Fen::new(100_000 * YUAN);
    l.evaluation_fee_fen = Fen::new(30_000 * YUAN);
    l.insurance_fee_fen = Fen::new(20_000 * YUAN);
    let lpr = LprTable::demo();
    let c = calculate(&nanshan(), &lpr, &app(SizeClass::Small, vec![l.clone()])).expect("calc");
    // 350,000 × 70% = 245,000; 30,000 × 70% = 21,000; 100,000 × 70% = 70,000; 20,000 × 70% = 14,000.
    assert_eq!(
        granted(&c),
        vec![
            (Item::Interest, 245_000 * YUAN),
            (Item::Evaluation, 21_000 * YUAN),
            (Item::Guarantee, 70_000 * YUAN),
            (Item::Insurance, 14_000 * YUAN)
        ]
    );
    assert_eq!(c.total_fen, 350_000 * YUAN);
    // 1,300,000 already granted this year: 200,000 remain, shared in proportion
    // (245:21:70:14 of 350 → 140,000, 12,000, 40,000, 8,000).
    let mut a = app(SizeClass::Small, vec![l]);
    a.enterprise_used_fen = Fen::new(1_300_000 * YUAN);
    let c = calculate(&nanshan(), &lpr, &a).expect("calc");
    assert_eq!(c.total_fen, 200_000 * YUAN);
    assert_eq!(
        granted(&c),
        vec![
            (Item::Interest, 140_000 * YUAN),
            (Item::Evaluation, 12_000 * YUAN),
            (Item::Guarantee, 40_000 * YUAN),
            (Item::Insurance, 8_000 * YUAN)
        ]
    );
    assert!(
        c.steps
            .iter()
            .any(|s| s.rule == "enterprise.cap" && c.text(s).contains("尚余 200,000.00 元"))
    );
}

#[test]
fn nanshan_securitisation() {
    // 70% of the financing cost, CNY 3 million a year, at most 3 years.
    let rule = SecuritisationRule {
        ratio: r(dec!(70)),
        cap_per_year_fen: Some(Fen::new(3_000_000 * YUAN)),
        max_years: Some(3),
    };
    // (3,000,000 + 1,500,000) × 70% = 3,150,000 → capped at 3,000,000.
    let c = securitisation(
        &rule,
        1,
        Fen::new(3_000_000 * YUAN),
        Fen::new(1_500_000 * YUAN),
        Fen::ZERO,
    );
    assert_eq!(c.total_fen, 3_000_000 * YUAN);
    // (1,000,000 + 0) × 70% = 700,000.
    assert_eq!(
        securitisation(&rule, 3, Fen::new(1_000_000 * YUAN), Fen::ZERO, Fen::ZERO).total_fen,
        700_000 * YUAN
    );
    let fourth = securitisation(&rule, 4, Fen::new(1_000_000 * YUAN), Fen::ZERO, Fen::ZERO);
    assert!(!fourth.eligible && fourth.total_fen == 0);
}

#[test]
fn futian_style() {
    // Patent pledges only, loans of at most a year, 50% of interest; fees count up to 4% of
    // the principal; CNY 2 million per enterprise per year.
    let mut p = rules(vec![
        item(Item::Interest, r(dec!(50))),
        ItemRule {
            base_max_share_of_principal: Some(r(dec!(4))),
            ..item(Item::Guarantee, r(dec!(50)))
        },
        ItemRule {
            base_max_share_of_principal: Some(r(dec!(4))),
            ..item(Item::Evaluation, r(dec!(50)))
        },
    ]);
    p.conditions.ip_kinds = vec![IpKind::Patent];
    p.conditions.max_loan_days = Some(365);
    p.enterprise_cap = Some(EnterpriseCap {
        amount_fen: PerClass::all(Some(Fen::new(2_000_000 * YUAN))),
        period: CapPeriod::Year,
    });
    let mut ok = loan("平安银行 FT-01", 5_000_000, d(2026, 1, 10), d(2027, 1, 10));
    ok.interest_paid_fen = Fen::new(172_500 * YUAN);
    ok.guarantee_fee_fen = Fen::new(250_000 * YUAN); // above 4% × 5,000,000 = 200,000
    ok.evaluation_fee_fen = Fen::new(20_000 * YUAN);
    let mut trademark = loan("平安银行 FT-02", 1_000_000, d(2026, 2, 1), d(2026, 12, 1));
    trademark.ip_kind = IpKind::Trademark;
    trademark.interest_paid_fen = Fen::new(30_000 * YUAN);
    let mut two_years = loan("平安银行 FT-03", 1_000_000, d(2026, 1, 1), d(2028, 1, 1));
    two_years.interest_paid_fen = Fen::new(60_000 * YUAN);
    let c = calculate(
        &p,
        &LprTable::demo(),
        &app(SizeClass::Medium, vec![two_years, trademark, ok]),
    )
    .expect("calc");
    // 172,500 × 50% = 86,250; min(250,000, 200,000) × 50% = 100,000; 20,000 × 50% = 10,000.
    assert_eq!(
        granted(&c),
        vec![
            (Item::Interest, 86_250 * YUAN),
            (Item::Guarantee, 100_000 * YUAN),
            (Item::Evaluation, 10_000 * YUAN)
        ]
    );
    assert_eq!(c.total_fen, 196_250 * YUAN);
    assert!(
        c.steps
            .iter()
            .any(|s| s.rule == "condition.ip_kind" && c.text(s).contains("FT-02"))
    );
    assert!(
        c.steps
            .iter()
            .any(|s| s.rule == "condition.loan_days" && c.text(s).contains("FT-03"))
    );
    assert!(c.steps.iter().any(|s| s.rule == "base.share_of_principal"));
}

#[test]
fn fujian_style_lpr_relative() {
    // 20% of the December 1-year LPR of the repayment year (or of the actual rate where lower)
    // on the financed amount, 50% for small and micro enterprises with guarantee or insurance;
    // at most one year per loan; CNY 200,000 per enterprise over its lifetime.
    let dec_lpr = LprDate::RepaymentYearMonth {
        term: LprTerm::OneYear,
        month: 12,
    };
    let mut interest = item(Item::Interest, r(dec!(20)));
    interest.ratio_if_guaranteed = Some(PerClass {
        large: r(dec!(20)),
        medium: r(dec!(20)),
        small: r(dec!(50)),
        micro: r(dec!(50)),
    });
    interest.interest = Some(InterestRule {
        rate_base: Some(dec_lpr),
        max_days: Some(365),
        ..Default::default()
    });
    let mut p = rules(vec![interest]);
    p.enterprise_cap = Some(EnterpriseCap {
        amount_fen: PerClass::all(Some(Fen::new(200_000 * YUAN))),
        period: CapPeriod::Lifetime,
    });
    let mut l = loan("兴业银行 FJ-1", 2_000_000, d(2025, 1, 1), d(2025, 12, 31));
    l.guarantee_fee_fen = Fen::new(10_000 * YUAN);
    let lpr = LprTable::demo();
    // Base = 2,000,000 × min(3.00%, 3.45%) × 364 ÷ 360 = 60,666.666… 元;
    // small with guarantee: × 50% = 30,333.333… → 30,333.33 元.
    let c = calculate(&p, &lpr, &app(SizeClass::Small, vec![l.clone()])).expect("calc");
    assert_eq!(c.total_fen, 3_033_333);
    // Large: × 20% = 12,133.333… → 12,133.33 元.
    let c = calculate(&p, &lpr, &app(SizeClass::Large, vec![l.clone()])).expect("calc");
    assert_eq!(c.total_fen, 1_213_333);
    // Lifetime cap: 180,000 granted before, 20,000 remain.
    let mut a = app(SizeClass::Small, vec![l.clone()]);
    a.enterprise_used_fen = Fen::new(180_000 * YUAN);
    assert_eq!(
        calculate(&p, &lpr, &a).expect("calc").total_fen,
        20_000 * YUAN
    );
    // A loan repaid in 2026 needs the December 2026 LPR, which is not published: an error.
    let mut later = l;
    later.end = d(2026, 12, 30);
    let e = calculate(&p, &lpr, &app(SizeClass::Small, vec![later])).unwrap_err();
    assert_eq!(e.code, "lpr.missing");
    assert!(e.zh.contains("2026 年 12 月"), "{}", e.zh);
}

#[test]
fn beijing_style_rate_ceiling_and_revenue() {
    // 40% of interest where the loan rate is at most 40% above the LPR; revenue ≤ CNY 200
    // million; CNY 500,000 a year.
    let mut interest = item(Item::Interest, r(dec!(40)));
    interest.interest = Some(InterestRule {
        max_rate_over_lpr: Some((
            LprDate::LoanStart {
                term: LprTerm::OneYear,
            },
            r(dec!(40)),
        )),
        ..Default::default()
    });
    let mut p = rules(vec![interest]);
    p.conditions.max_revenue_fen = Some(Fen::new(200_000_000 * YUAN));
    p.enterprise_cap = Some(EnterpriseCap {
        amount_fen: PerClass::all(Some(Fen::new(500_000 * YUAN))),
        period: CapPeriod::Year,
    });
    // LPR on 1 June 2025: 3.00%; ceiling 3.00% × 1.4 = 4.20%.
    let mut a_loan = loan("北京银行 BJ-A", 10_000_000, d(2025, 6, 1), d(2026, 6, 1));
    a_loan.annual_rate = dec!(0.040);
    a_loan.interest_paid_fen = Fen::new(400_000 * YUAN);
    let mut b_loan = loan("北京银行 BJ-B", 5_000_000, d(2025, 6, 1), d(2026, 6, 1));
    b_loan.annual_rate = dec!(0.045);
    b_loan.interest_paid_fen = Fen::new(225_000 * YUAN);
    let mut a = app(SizeClass::Medium, vec![a_loan, b_loan]);
    a.operating_revenue_fen = Some(Fen::new(150_000_000 * YUAN));
    let c = calculate(&p, &LprTable::demo(), &a).expect("calc");
    // Only BJ-A counts: 400,000 × 40% = 160,000.
    assert_eq!(c.total_fen, 160_000 * YUAN);
    assert!(
        c.steps
            .iter()
            .any(|s| s.rule == "interest.rate_ceiling" && c.text(s).contains("BJ-B"))
    );
    a.operating_revenue_fen = Some(Fen::new(250_000_000 * YUAN));
    let c = calculate(&p, &LprTable::demo(), &a).expect("calc");
    assert!(!c.eligible && c.total_fen == 0);
    a.operating_revenue_fen = None;
    assert_eq!(
        calculate(&p, &LprTable::demo(), &a).unwrap_err().code,
        "application.revenue"
    );
}

#[test]
fn caps_as_a_share_of_the_loan() {
    // Interest ≤ 3% of the loan and ≤ 250,000 a year; guarantee or insurance ≤ 1.2%;
    // evaluation ≤ 0.5%; each paid in full up to those caps.
    let capped = |it: Item, share, amount: Option<Fen>| ItemRule {
        cap_share_of_principal: Some(r(share)),
        cap_fen: PerClass::all(amount),
        ..item(it, Ratio::ONE)
    };
    let p = rules(vec![
        capped(Item::Interest, dec!(3), Some(Fen::new(250_000 * YUAN))),
        capped(Item::Guarantee, dec!(1.2), None),
        capped(Item::Insurance, dec!(1.2), None),
        capped(Item::Evaluation, dec!(0.5), None),
    ]);
    let mut l = loan("中国银行 CAP-1", 10_000_000, d(2025, 7, 1), d(2026, 7, 1));
    l.interest_paid_fen = Fen::new(380_000 * YUAN); // 3% = 300,000, amount cap 250,000 → 250,000
    l.guarantee_fee_fen = Fen::new(150_000 * YUAN); // 1.2% = 120,000 → 120,000
    l.evaluation_fee_fen = Fen::new(40_000 * YUAN); // 0.5% = 50,000 → 40,000 stands
    let c = calculate(&p, &LprTable::demo(), &app(SizeClass::Micro, vec![l])).expect("calc");
    assert_eq!(
        granted(&c),
        vec![
            (Item::Interest, 250_000 * YUAN),
            (Item::Guarantee, 120_000 * YUAN),
            (Item::Insurance, 0),
            (Item::Evaluation, 40_000 * YUAN)
        ]
    );
    assert_eq!(c.total_fen, 410_000 * YUAN);
}

#[test]
fn financed_amount_is_the_lower_of_principal_and_secured_times_the_ip_share() {
    // Principal 10,000,000, secured 8,000,000, IP 60% of the collateral: financed 4,800,000.
    // Interest base = 345,000 × 60% = 207,000, limited to interest at the 1-year LPR on the
    // financed amount: 4,800,000 × 3.00% × 365 ÷ 360 = 146,000; × 70% = 102,200.
    // Guarantee fee 50,000 × 60% = 30,000; × 70% = 21,000.
    let mut interest = item(Item::Interest, r(dec!(70)));
    interest.interest = Some(InterestRule {
        limit_to_lpr: Some(LprDate::LoanStart {
            term: LprTerm::OneYear,
        }),
        ..Default::default()
    });
    let p = rules(vec![interest, item(Item::Guarantee, r(dec!(70)))]);
    let mut l = loan("建设银行 MIX-1", 10_000_000, d(2025, 6, 10), d(2026, 6, 10));
    l.secured_amount_fen = Some(Fen::new(8_000_000 * YUAN));
    l.ip_share = IpShare::Ratio { ratio: r(dec!(60)) };
    l.interest_paid_fen = Fen::new(345_000 * YUAN);
    l.guarantee_fee_fen = Fen::new(50_000 * YUAN);
    let c = calculate(&p, &LprTable::demo(), &app(SizeClass::Small, vec![l])).expect("calc");
    assert_eq!(
        granted(&c),
        vec![
            (Item::Interest, 102_200 * YUAN),
            (Item::Guarantee, 21_000 * YUAN)
        ]
    );
    assert!(c.text(&c.steps[0]).contains("融资金额 = min(本金 10,000,000.00 元，登记担保金额 8,000,000.00 元) × 知识产权占比 60% = 4,800,000.00 元"), "{}", c.text(&c.steps[0]));
}

#[test]
fn bank_rewards_one_percent_with_a_cap() {
    let rule = RewardRule {
        ratio: r(dec!(1)),
        per_loan_fen: Fen::ZERO,
        cap_per_year_fen: Some(Fen::new(1_000_000 * YUAN)),
        first_time_borrowers_only: false,
        ip_kinds: Vec::new(),
        classes: None,
    };
    // (50,000,000 + 30,000,000 + 40,000,000) × 1% = 1,200,000 → capped at 1,000,000.
    let loans = [50_000_000 * YUAN, 30_000_000 * YUAN, 40_000_000 * YUAN]
        .map(|p| RewardLoan::sole(Fen::new(p)));
    assert_eq!(
        institution_reward(&rule, &loans, Fen::ZERO).total_fen,
        1_000_000 * YUAN
    );
    // 20,000,000 × 1% = 200,000.
    let one = [RewardLoan::sole(Fen::new(20_000_000 * YUAN))];
    assert_eq!(
        institution_reward(&rule, &one, Fen::ZERO).total_fen,
        200_000 * YUAN
    );
    // 900,000 granted earlier this year: 100,000 remain.
    assert_eq!(
        institution_reward(&rule, &one, Fen::new(900_000 * YUAN)).total_fen,
        100_000 * YUAN
    );
}

/// Issue #19 item 1: the reward is on the financed amount — min(principal, secured amount) ×
/// IP share — not the whole principal; and a rule may count only loans to first-time
/// borrowers, of its IP kinds, to its classes.
#[test]
fn bank_rewards_on_the_financed_amount_with_restrictions() {
    let rule = RewardRule {
        ratio: r(dec!(1)),
        per_loan_fen: Fen::ZERO,
        cap_per_year_fen: None,
        first_time_borrowers_only: false,
        ip_kinds: Vec::new(),
        classes: None,
    };
    // 10,000,000 principal, 8,000,000 secured, IP 60% of the collateral (the bank reported
    // other collateral): 8,000,000 × 60% = 4,800,000; × 1% = 48,000 (not 100,000).
    let mixed = RewardLoan {
        principal_fen: Fen::new(10_000_000 * YUAN),
        secured_amount_fen: Some(Fen::new(8_000_000 * YUAN)),
        ip_share: IpShare::Ratio { ratio: r(dec!(60)) },
        ip_kinds: vec![IpKind::Trademark],
        class: Some(SizeClass::Large),
        first_time: false,
    };
    // 2,000,000 principal, IP amount 1,500,000: × 75% = 1,500,000; × 1% = 15,000.
    let by_amount = RewardLoan {
        principal_fen: Fen::new(2_000_000 * YUAN),
        secured_amount_fen: None,
        ip_share: IpShare::Amount {
            amount_fen: Fen::new(1_500_000 * YUAN),
        },
        ip_kinds: vec![IpKind::Patent],
        class: Some(SizeClass::Small),
        first_time: true,
    };
    let loans = [mixed.clone(), by_amount.clone()];
    let c = institution_reward(&rule, &loans, Fen::ZERO);
    assert_eq!(c.total_fen, 63_000 * YUAN);
    assert!(
        c.lines()[0].contains("2 笔，融资金额（min(本金，登记担保金额) × 知识产权占比）共 6,300,000.00 元 × 1% = 63,000.00 元"),
        "{:?}",
        c.lines()
    );
    // First-time borrowers only: the second loan, 15,000.
    let first = RewardRule {
        first_time_borrowers_only: true,
        ..rule.clone()
    };
    let c = institution_reward(&first, &loans, Fen::ZERO);
    assert_eq!(c.total_fen, 15_000 * YUAN);
    assert_eq!(
        c.lines()[0],
        "1 笔贷款借款企业并非首次办理知识产权质押贷款，不计入奖励。"
    );
    // Trademarks only: the first, 48,000. SMEs only: the second, 15,000.
    let marks = RewardRule {
        ip_kinds: vec![IpKind::Trademark],
        ..rule.clone()
    };
    assert_eq!(
        institution_reward(&marks, &loans, Fen::ZERO).total_fen,
        48_000 * YUAN
    );
    let smes = RewardRule {
        classes: Some(PerClass::large_and_sme(false, true)),
        ..rule.clone()
    };
    assert_eq!(
        institution_reward(&smes, &loans, Fen::ZERO).total_fen,
        15_000 * YUAN
    );
    // Nothing qualifies: not eligible, 0, with the reason.
    let c = institution_reward(&first, &[mixed], Fen::ZERO);
    assert!(!c.eligible);
    assert_eq!(c.total_fen, 0);
}

#[test]
fn bad_rules_name_the_json_path() {
    let mut p = nanshan();
    p.items[1].cap_fen.small = Some(Fen::new(-1));
    p.items.push(item(Item::Interest, r(dec!(10))));
    let errors = p.check();
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, vec!["items[1].cap_fen.small", "items[4].item"]);
    // Ratios outside 0–100% cannot even be read.
    let doc = serde_json::json!({"items": [{"item": "interest", "ratio": {"large": "1.5", "medium": "0.7", "small": "0.7", "micro": "0.7"}}]});
    let e = serde_json::from_value::<Rules>(doc)
        .unwrap_err()
        .to_string();
    assert!(e.contains("0 到 1"), "{e}");
}

#[test]
fn every_step_renders_as_a_whole_sentence() {
    use ipfin_domain::policy::calc::template;
    let mut l = loan("工商银行 T-1", 1_000_000, d(2025, 6, 1), d(2026, 8, 1));
    l.ip_share = IpShare::Ratio { ratio: r(dec!(50)) };
    l.interest_paid_fen = Fen::new(50_000 * YUAN);
    l.guarantee_fee_fen = Fen::new(90_000 * YUAN);
    let mut interest = item(Item::Interest, r(dec!(80)));
    interest.cap_fen = PerClass::all(Some(Fen::new(100)));
    interest.interest = Some(InterestRule {
        limit_to_lpr: Some(LprDate::LoanStart {
            term: LprTerm::OneYear,
        }),
        max_days: Some(365),
        ..Default::default()
    });
    let mut p = rules(vec![
        interest,
        ItemRule {
            base_max_share_of_principal: Some(r(dec!(1))),
            cap_share_of_principal: Some(r(dec!(0.1))),
            ..item(Item::Guarantee, r(dec!(50)))
        },
    ]);
    p.application_cap_fen = PerClass::all(Some(Fen::new(500)));
    let c = calculate(&p, &LprTable::demo(), &app(SizeClass::Micro, vec![l])).expect("calc");
    assert!(c.steps.len() >= 8, "{:?}", c.lines());
    for (s, line) in c.steps.iter().zip(c.lines()) {
        assert_ne!(template(s.rule), "{0}", "{} has no template", s.rule);
        assert!(!line.contains('{'), "{line}");
    }
}

#[test]
fn futian_service_fees_together_up_to_four_percent() {
    // Guarantee and evaluation fees together count up to 4% of the principal: 150,000 +
    // 100,000 = 250,000 against 4% × 5,000,000 = 200,000, so each counts 80%: 120,000 and
    // 80,000; × 50% = 60,000 and 40,000.
    let mut p = rules(vec![
        item(Item::Guarantee, r(dec!(50))),
        item(Item::Evaluation, r(dec!(50))),
    ]);
    p.fee_group_limit = Some(GroupLimit {
        items: vec![Item::Guarantee, Item::Evaluation],
        share_of_principal: r(dec!(4)),
    });
    let mut l = loan("平安银行 FT-09", 5_000_000, d(2026, 1, 10), d(2027, 1, 10));
    l.guarantee_fee_fen = Fen::new(150_000 * YUAN);
    l.evaluation_fee_fen = Fen::new(100_000 * YUAN);
    let c = calculate(&p, &LprTable::demo(), &app(SizeClass::Small, vec![l])).expect("calc");
    assert_eq!(
        granted(&c),
        vec![
            (Item::Guarantee, 60_000 * YUAN),
            (Item::Evaluation, 40_000 * YUAN)
        ]
    );
    assert!(
        c.lines()
            .iter()
            .any(|t| t.contains("担保费、评估费合计 250,000.00 元")),
        "{:?}",
        c.lines()
    );
}
