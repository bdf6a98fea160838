//! A random run over the calculator's JSON entry point (issue #19 item 6): requests that are
//! mostly right with any field replaced by anything JSON can hold — huge and negative numbers,
//! fractions, exponents, impossible dates, unknown codes, nesting — and policy rule documents
//! mutated the same way, through `calculator_input`, `document::parse`, `Rules::check` and
//! `calculate` (and the rendering of the derivation). A panic anywhere is a crash; the run
//! counts inputs and crashes and fails on any crash.
//!
//! `cargo test -p ipfin-domain --test calc_fuzz` runs a short budget with the suite;
//! `scripts/fuzz-calc.sh [CASES]` runs a long one in release mode (`FUZZ_CASES`).

use ipfin_domain::policy::input::{Request, calculator_input};
use ipfin_domain::policy::{LprTable, document};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};

/// Any JSON leaf, weighted towards what breaks parsers and arithmetic.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        prop_oneof![
            Just(i64::MAX),
            Just(i64::MIN),
            Just(100_000_000_000_000i64),
            Just(100_000_000_000_001i64),
            Just(-1),
            Just(0),
            Just(1)
        ]
        .prop_map(|n| json!(n)),
        (-1e20f64..1e20).prop_map(|f| json!(f)),
        prop_oneof![
            Just("1e3"),
            Just("1e-1"),
            Just("0.7"),
            Just("1"),
            Just("0"),
            Just("-0.1"),
            Just("1.0000000000000000000000000001"),
            Just("79228162514264337593543950335"),
            Just("2025-02-30"),
            Just("2026-12-21"),
            Just("9999-12-31"),
            Just("patent"),
            Just("domain_name"),
            Just("small"),
            Just("sole"),
            Just("ratio"),
            Just("amount"),
            Just("enterprise_fee"),
            Just("institution"),
            Just("securitisation"),
            Just("interest"),
            Just(""),
            Just("中文"),
        ]
        .prop_map(|s| json!(s)),
        "[ -~]{0,12}".prop_map(Value::String),
    ]
}

/// Any JSON value: leaves, arrays and objects of them, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn good_loan() -> Value {
    json!({"reference": "NS-1", "principal_fen": 100_000_000i64, "secured_amount_fen": 80_000_000,
        "ip_share": {"kind": "ratio", "ratio": "0.6"}, "ip_kind": "patent",
        "start": "2025-06-01", "end": "2026-05-31", "annual_rate": "0.0345",
        "interest_paid_fen": 3_450_000, "evaluation_fee_fen": 300_000,
        "guarantee_fee_fen": 1_000_000, "insurance_fee_fen": 200_000})
}

/// A good request of each kind (enterprise fees, an institution's reward, securitisation).
fn good_request(kind: usize) -> Value {
    match kind % 3 {
        0 => {
            json!({"policy_version_id": 1, "class": "small", "operating_revenue_fen": 1_000_000_000i64,
            "enterprise_used_fen": 0, "item_used_fen": {"interest": 40_000_000, "guarantee": 0},
            "loans": [good_loan(), good_loan()]})
        }
        1 => {
            json!({"kind": "institution", "policy_version_id": 1, "granted_this_year_fen": 10_000_000,
            "loans": [{"reference": "R-1", "principal_fen": 500_000_000i64, "secured_amount_fen": 400_000_000i64,
                "ip_share": {"kind": "amount", "amount_fen": 300_000_000i64}, "ip_kind": "patent",
                "class": "small", "first_time_borrower": true},
              {"principal_fen": 200_000_000i64, "ip_share": {"kind": "sole"}, "ip_kind": "trademark"}]})
        }
        _ => json!({"kind": "securitisation", "policy_version_id": 1, "year_number": 2,
            "interest_paid_fen": 300_000_000i64, "guarantee_fee_fen": 150_000_000i64, "granted_this_year_fen": 0}),
    }
}

fn good_document() -> Value {
    let all = |v: Value| json!({"large": v, "medium": v, "small": v, "micro": v});
    json!({
        "title": "测试政策", "year": 2026, "financing_modes": ["pledge"], "ip_types": ["patent"],
        "rules": {
            "items": [
                {"item": "interest", "ratio": all(json!("0.5")), "cap_fen": all(json!(50_000_000)),
                 "annual_cap_fen": all(json!(60_000_000)),
                 "interest": {"rate_base": {"date": "loan_start", "term": "one_year"},
                              "max_rate_over_lpr": [{"date": "loan_start", "term": "one_year"}, "0.4"],
                              "max_days": 365}},
                {"item": "evaluation", "ratio": all(json!("0.5")), "base_max_share_of_principal": "0.04"},
                {"item": "guarantee", "ratio": all(json!("0.5")), "cap_share_of_principal": "0.03"},
                {"item": "insurance", "ratio": all(json!("1"))}
            ],
            "application_cap_fen": all(json!(100_000_000)),
            "enterprise_cap": {"amount_fen": all(json!(150_000_000)), "period": "year"},
            "conditions": {"ip_kinds": ["patent"], "max_loan_days": 400, "max_revenue_fen": 20_000_000_000i64},
            "fee_group_limit": {"items": ["evaluation", "guarantee", "insurance"], "share_of_principal": "0.04"},
            "institution_reward": {"ratio": "0.01", "per_loan_fen": 100_000, "cap_per_year_fen": 100_000_000,
                "first_time_borrowers_only": false, "ip_kinds": ["patent", "trademark"]},
            "securitisation": {"ratio": "0.7", "cap_per_year_fen": 300_000_000, "max_years": 3}
        }
    })
}

/// Replaces (or removes) the value at a path of keys/indices chosen by `picks`.
fn mutate(mut v: Value, picks: &[usize], with: Option<Value>) -> Value {
    fn go(v: &mut Value, picks: &[usize], with: Option<Value>) {
        let Some((&p, rest)) = picks.split_first() else {
            if let Some(w) = with {
                *v = w;
            }
            return;
        };
        match v {
            Value::Object(m) if !m.is_empty() => {
                let key = m.keys().nth(p % m.len()).cloned().unwrap_or_default();
                if rest.is_empty() && with.is_none() {
                    m.remove(&key);
                } else if let Some(child) = m.get_mut(&key) {
                    go(child, rest, with);
                }
            }
            Value::Array(a) if !a.is_empty() => {
                let n = a.len();
                if let Some(child) = a.get_mut(p % n) {
                    go(child, rest, with);
                }
            }
            other => {
                if let Some(w) = with {
                    *other = w;
                }
            }
        }
    }
    go(&mut v, picks, with);
    v
}

/// Up to four changes (none: the request as it is, so the engine is reached often).
fn mutation() -> impl Strategy<Value = Vec<(Vec<usize>, Option<Value>)>> {
    proptest::collection::vec(
        (
            proptest::collection::vec(0usize..16, 1..5),
            proptest::option::weighted(0.85, any_json()),
        ),
        0..4,
    )
}

/// One input: a mutated request, a mutated document, or random bytes as either.
#[derive(Debug, Clone)]
enum Input {
    Request(Value, Value),
    Bytes(Vec<u8>),
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        8 => (mutation(), proptest::option::weighted(0.3, mutation()), 0usize..3).prop_map(|(m, d, kind)| {
            let mut req = good_request(kind);
            for (path, with) in m {
                req = mutate(req, &path, with);
            }
            let mut doc = good_document();
            for (path, with) in d.unwrap_or_default() {
                doc = mutate(doc, &path, with);
            }
            Input::Request(req, doc)
        }),
        1 => any_json().prop_map(|v| Input::Request(v, good_document())),
        1 => proptest::collection::vec(any::<u8>(), 0..64).prop_map(Input::Bytes),
    ]
}

static INPUTS: AtomicU64 = AtomicU64::new(0);
static CRASHES: AtomicU64 = AtomicU64::new(0);
static CALCULATED: AtomicU64 = AtomicU64::new(0);

fn run(i: &Input) {
    let lpr = LprTable::demo();
    match i {
        Input::Request(req, doc) => {
            let Ok(doc) = document::parse(doc.to_string().as_bytes()) else {
                let _ = calculator_input(req);
                return;
            };
            let _ = doc.check();
            if let Ok(input) = calculator_input(req)
                && let Ok(c) = input.request.calculate(&doc.rules, &lpr)
            {
                CALCULATED.fetch_add(1, Ordering::Relaxed);
                let _ = c.lines();
                assert!(c.total_fen >= 0, "negative total {c:?}");
                // Enterprise fees are itemised; rewards and securitisation are one amount.
                if matches!(input.request, Request::EnterpriseFee(_)) {
                    assert_eq!(
                        c.items.iter().map(|i| i.granted_fen.get()).sum::<i64>(),
                        c.total_fen.get()
                    );
                }
            }
        }
        Input::Bytes(b) => {
            let _ = document::parse(b);
            if let Ok(v) = serde_json::from_slice::<Value>(b) {
                let _ = calculator_input(&v);
            }
        }
    }
}

#[test]
fn the_calculator_json_entry_never_crashes() {
    let cases: u32 = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    // Panics are counted here, not printed for each input.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let first_crash = std::sync::Mutex::new(None::<String>);
    let _ = runner.run(&input(), |i| {
        INPUTS.fetch_add(1, Ordering::Relaxed);
        if catch_unwind(AssertUnwindSafe(|| run(&i))).is_err() {
            CRASHES.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut f) = first_crash.lock() {
                f.get_or_insert_with(|| format!("{i:?}"));
            }
        }
        Ok(())
    });
    std::panic::set_hook(hook);
    let (n, crashes, calculated) = (
        INPUTS.load(Ordering::Relaxed),
        CRASHES.load(Ordering::Relaxed),
        CALCULATED.load(Ordering::Relaxed),
    );
    println!("fuzz-calc: {n} inputs, {calculated} calculated, {crashes} crashes");
    assert_eq!(crashes, 0, "first crash: {first_crash:?}");
    assert!(n >= u64::from(cases));
    // The run reaches the engine, not only the refusals.
    assert!(calculated > 0);
}
