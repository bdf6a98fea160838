//! The calculator's JSON input (issue #19 item 7): read field by field from a JSON value, every
//! problem collected at once, each naming the field in Chinese and the rule it breaks
//! (missing, wrong type, allowed values listed in Chinese, impossible date, bounds) — no
//! serde English, no line and column numbers. The API, the page and the fuzz run all enter
//! the engine through [`calculator_input`]. This file reads enterprise fee requests (with the
//! per-item used amounts of issue #19 item 3); `kinds` the institution and securitisation ones.

use super::calc::{Application, IpShare, Loan};
use super::json_zh::{list_values, name_field, serde_zh};
use super::rules::{Item, Ratio, RuleError};
use crate::ip_number::IpKind;
use crate::message::Msg;
use crate::money::Fen;
use crate::size::SizeClass;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

mod kinds;
pub use kinds::{KINDS, Request, offered_kinds};
use kinds::{institution, securitisation};

/// A calculation asked for: the policy version and what to calculate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalculatorInput {
    pub policy_version_id: i64,
    pub request: Request,
}

impl CalculatorInput {
    /// The enterprise fee application, when that is what is asked.
    pub fn application(&self) -> Option<&Application> {
        match &self.request {
            Request::EnterpriseFee(a) => Some(a),
            _ => None,
        }
    }
}

const TOP: &[&str] = &[
    "kind",
    "policy_version_id",
    "class",
    "operating_revenue_fen",
    "enterprise_used_fen",
    "item_used_fen",
    "loans",
];

const LOAN: &[&str] = &[
    "reference",
    "principal_fen",
    "secured_amount_fen",
    "ip_share",
    "ip_kind",
    "start",
    "end",
    "annual_rate",
    "interest_paid_fen",
    "evaluation_fee_fen",
    "guarantee_fee_fen",
    "insurance_fee_fen",
];

/// Collects the problems of one object: `at` is the JSON path prefix, `whose` how the object
/// is named in messages (第 1 笔贷款的).
struct Reader<'a> {
    obj: &'a Map<String, Value>,
    at: String,
    whose: String,
    problems: &'a mut Vec<RuleError>,
}

impl Reader<'_> {
    fn path(&self, key: &str) -> String {
        if self.at.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.at)
        }
    }

    fn problem(&mut self, key: &str, code: &'static str, rule: String) {
        let zh = format!("{}{}{rule}", self.whose, name_field(key));
        let en = format!("{}: {code}", self.path(key));
        self.problems.push(RuleError {
            path: self.path(key),
            msg: Msg::new(code, zh, en),
        });
    }

    /// Fields the object may not hold.
    fn unknown(&mut self, allowed: &[&str]) {
        let extra: Vec<String> = self
            .obj
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()))
            .cloned()
            .collect();
        for k in extra {
            let list: Vec<String> = allowed.iter().map(|a| name_field(a)).collect();
            let zh = format!(
                "{}不支持的字段“{k}”，请删除；可填写的字段：{}。",
                self.whose,
                list.join("、")
            );
            self.problems.push(RuleError {
                path: self.path(&k),
                msg: Msg::new("json.unknown_field", zh, format!("Unknown field {k}.")),
            });
        }
    }

    /// The value of a field; `None` (and a problem when required) if it is absent or null.
    fn get(&mut self, key: &str, required: bool) -> Option<&Value> {
        match self.obj.get(key) {
            Some(Value::Null) | None => {
                if required {
                    self.problem(key, "json.missing_field", "为必填项，请填写。".into());
                }
                None
            }
            Some(v) => Some(v),
        }
    }

    fn integer(&mut self, key: &str, required: bool) -> Option<i64> {
        let v = self.get(key, required)?.clone();
        match v.as_i64() {
            Some(n) => Some(n),
            None => {
                let what = match &v {
                    Value::Number(n) if n.is_f64() => format!("小数 {n}"),
                    Value::Number(n) => format!("超出范围的整数 {n}"),
                    Value::String(s) => format!("文本 \"{s}\""),
                    Value::Bool(b) => format!("布尔值 {b}"),
                    Value::Array(_) => "数组".into(),
                    _ => "对象".into(),
                };
                self.problem(
                    key,
                    "json.integer",
                    format!("应为整数（金额以分为单位，不加引号），实际填写的是{what}。"),
                );
                None
            }
        }
    }

    fn money(&mut self, key: &str, required: bool) -> Option<Fen> {
        self.integer(key, required).map(Fen::new)
    }

    fn text(&mut self, key: &str, required: bool) -> Option<String> {
        match self.get(key, required)? {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.problem(key, "json.text", "应为文本（加引号）。".into());
                None
            }
        }
    }

    /// A code among `allowed` (code, Chinese name).
    fn code<T: Copy>(&mut self, key: &str, allowed: &[(&str, T)]) -> Option<T> {
        let s = self.text(key, true)?;
        match allowed.iter().find(|(c, _)| *c == s) {
            Some((_, v)) => Some(*v),
            None => {
                let list = list_values(allowed.iter().map(|(c, _)| *c));
                self.problem(key, "json.value", format!("不能是“{s}”，可选：{list}。"));
                None
            }
        }
    }

    fn date(&mut self, key: &str) -> Option<NaiveDate> {
        let s = self.text(key, true)?;
        let parts: Vec<&str> = s.split('-').collect();
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        let shaped =
            parts.len() == 3 && digits(parts[0], 4) && digits(parts[1], 2) && digits(parts[2], 2);
        if !shaped {
            self.problem(
                key,
                "json.date",
                format!("应为日期，格式 年-月-日（如 2026-03-02），实际填写的是“{s}”。"),
            );
            return None;
        }
        let n = |p: &str| p.parse::<u32>().unwrap_or(0);
        match NaiveDate::from_ymd_opt(n(parts[0]) as i32, n(parts[1]), n(parts[2])) {
            Some(d) => Some(d),
            None => {
                self.problem(
                    key,
                    "json.date_impossible",
                    format!("“{s}”不是实际存在的日期（如 2 月 30 日），请核对。"),
                );
                None
            }
        }
    }

    /// A rate as a plain decimal: `"0.0345"` or 0.0345 (no exponent, no percent sign).
    fn decimal(&mut self, key: &str) -> Option<Decimal> {
        let v = self.get(key, true)?.clone();
        let plain = |s: &str| {
            let (i, f) = s.split_once('.').unwrap_or((s, "0"));
            !i.is_empty()
                && !f.is_empty()
                && i.bytes().all(|b| b.is_ascii_digit())
                && f.bytes().all(|b| b.is_ascii_digit())
        };
        let parsed = match &v {
            Value::String(s) if plain(s) => s.parse::<Decimal>().ok(),
            // The number as written (shortest form), not its binary approximation.
            Value::Number(n) => {
                let t = n.to_string();
                t.parse::<Decimal>()
                    .ok()
                    .or_else(|| Decimal::from_scientific(&t).ok())
            }
            _ => None,
        };
        if parsed.is_none() {
            self.problem(
                key,
                "json.decimal",
                format!(
                    "应为小数（如 \"0.0345\" 表示 3.45%，不用科学计数法或百分号），实际填写的是 {v}。"
                ),
            );
        }
        parsed
    }

    /// true or false; absent: false.
    fn boolean(&mut self, key: &str) -> bool {
        match self.get(key, false) {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(v) => {
                let v = v.clone();
                self.problem(
                    key,
                    "json.boolean",
                    format!("应为 true 或 false（不加引号），实际填写的是 {v}。"),
                );
                false
            }
        }
    }

    fn object(&mut self, key: &str) -> Option<Map<String, Value>> {
        match self.get(key, true)? {
            Value::Object(m) => Some(m.clone()),
            _ => {
                self.problem(key, "json.object", "应为对象 {…}。".into());
                None
            }
        }
    }
}

fn ip_share(r: &mut Reader<'_>) -> Option<IpShare> {
    let obj = r.object("ip_share")?;
    let mut inner = Reader {
        obj: &obj,
        at: r.path("ip_share"),
        whose: r.whose.clone(),
        problems: r.problems,
    };
    let kinds: [(&str, u8); 3] = [("sole", 0), ("ratio", 1), ("amount", 2)];
    let kind = inner.code("kind", &kinds)?;
    match kind {
        0 => {
            inner.unknown(&["kind"]);
            Some(IpShare::Sole)
        }
        1 => {
            inner.unknown(&["kind", "ratio"]);
            let v = inner.get("ratio", true)?.clone();
            match serde_json::from_value::<Ratio>(v) {
                Ok(ratio) => Some(IpShare::Ratio { ratio }),
                Err(e) => {
                    inner.problem(
                        "ratio",
                        "json.ratio",
                        format!("：{}", serde_zh(&e.to_string())),
                    );
                    None
                }
            }
        }
        _ => {
            inner.unknown(&["kind", "amount_fen"]);
            let amount_fen = inner.money("amount_fen", true)?;
            Some(IpShare::Amount { amount_fen })
        }
    }
}

/// The reader of the `i`-th loan of a request, with its unknown fields (beside `allowed`)
/// reported; `None` (and the problem) when it is not an object.
fn loan_reader<'a>(
    v: &'a Value,
    i: usize,
    allowed: &[&str],
    problems: &'a mut Vec<RuleError>,
) -> Option<Reader<'a>> {
    let Value::Object(obj) = v else {
        problems.push(RuleError {
            path: format!("loans[{i}]"),
            msg: Msg::new(
                "json.object",
                format!("第 {} 笔贷款应为对象 {{…}}。", i + 1),
                format!("Loan {} must be an object.", i + 1),
            ),
        });
        return None;
    };
    let mut r = Reader {
        obj,
        at: format!("loans[{i}]"),
        whose: format!("第 {} 笔贷款的", i + 1),
        problems,
    };
    r.unknown(allowed);
    Some(r)
}

fn loan(v: &Value, i: usize, problems: &mut Vec<RuleError>) -> Option<Loan> {
    let mut r = loan_reader(v, i, LOAN, problems)?;
    let kinds: Vec<(&str, IpKind)> = IpKind::ALL.iter().map(|k| (k.code(), *k)).collect();
    let reference = r.text("reference", false);
    let principal_fen = r.money("principal_fen", true);
    let secured_amount_fen = r.money("secured_amount_fen", false);
    let share = ip_share(&mut r);
    let ip_kind = r.code("ip_kind", &kinds);
    let start = r.date("start");
    let end = r.date("end");
    let annual_rate = r.decimal("annual_rate");
    let interest = r.money("interest_paid_fen", false).unwrap_or_default();
    let evaluation = r.money("evaluation_fee_fen", false).unwrap_or_default();
    let guarantee = r.money("guarantee_fee_fen", false).unwrap_or_default();
    let insurance = r.money("insurance_fee_fen", false).unwrap_or_default();
    let loan = Loan {
        reference: reference
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| format!("贷款 {}", i + 1)),
        principal_fen: principal_fen?,
        secured_amount_fen,
        ip_share: share?,
        ip_kind: ip_kind?,
        start: start?,
        end: end?,
        annual_rate: annual_rate?,
        interest_paid_fen: interest,
        evaluation_fee_fen: evaluation,
        guarantee_fee_fen: guarantee,
        insurance_fee_fen: insurance,
    };
    Some(loan)
}

/// The loans of a request: a non-empty array, each read by `one`. Returns the loans that
/// read (with their index) and whether all of them did.
fn loans_of<T>(
    r: &mut Reader<'_>,
    mut one: impl FnMut(&Value, usize, &mut Vec<RuleError>) -> Option<T>,
) -> (Vec<(usize, T)>, bool) {
    let list = match r.get("loans", true) {
        Some(Value::Array(a)) if a.is_empty() => {
            r.problem("loans", "loan.none", "至少填写一笔。".into());
            return (Vec::new(), false);
        }
        Some(Value::Array(a)) => a.clone(),
        Some(_) => {
            r.problem("loans", "json.array", "应为数组 […]，每笔贷款一项。".into());
            return (Vec::new(), false);
        }
        None => return (Vec::new(), false),
    };
    let mut out = Vec::new();
    let mut all = true;
    for (i, l) in list.iter().enumerate() {
        match one(l, i, r.problems) {
            Some(l) => out.push((i, l)),
            None => all = false,
        }
    }
    (out, all)
}

/// `item_used_fen`: `{"interest": 100000, …}`, each key an item code, each value fen.
fn item_used(r: &mut Reader<'_>) -> BTreeMap<Item, Fen> {
    let mut out = BTreeMap::new();
    let Some(v) = r.get("item_used_fen", false).cloned() else {
        return out;
    };
    let Value::Object(m) = v else {
        r.problem(
            "item_used_fen",
            "json.object",
            "应为对象，每个资助项目一项，如 {\"interest\": 100000}（单位：分）。".into(),
        );
        return out;
    };
    for (k, v) in &m {
        let path = format!("item_used_fen.{k}");
        let Some(item) = Item::from_code(k) else {
            let list = list_values(Item::ALL.iter().map(|i| i.code()));
            r.problems.push(RuleError {
                path,
                msg: Msg::new(
                    "json.value",
                    format!(
                        "{}中的“{k}”不是资助项目，可选：{list}。",
                        name_field("item_used_fen")
                    ),
                    format!("{k} is not an item."),
                ),
            });
            continue;
        };
        match v.as_i64() {
            Some(n) => {
                out.insert(item, Fen::new(n));
            }
            None => r.problems.push(RuleError {
                path,
                msg: Msg::new(
                    "json.integer",
                    format!(
                        "{}中{}的金额应为整数（以分为单位，不加引号），实际填写的是 {v}。",
                        name_field("item_used_fen"),
                        item.zh()
                    ),
                    format!("{k}: an integer amount of fen."),
                ),
            }),
        }
    }
    out
}

/// Reads a calculation request. `kind` says what is calculated (absent: `enterprise_fee`):
/// - `enterprise_fee`: `policy_version_id`, `class` (large, medium, small, micro), optional
///   `operating_revenue_fen`, `enterprise_used_fen` and `item_used_fen` (per item code), and
///   `loans`;
/// - `institution`: `policy_version_id`, optional `granted_this_year_fen`, and `loans` (each
///   `principal_fen`, optional `secured_amount_fen`, `ip_share`, `ip_kind`, optional `class`
///   and `first_time_borrower`);
/// - `securitisation`: `policy_version_id`, `year_number` (1 = the first year),
///   `interest_paid_fen`, `guarantee_fee_fen`, optional `granted_this_year_fen`.
///
/// Every problem is returned, each with its JSON path; the figures' bounds are checked here
/// too, so the engine is reached only with figures it takes.
pub fn calculator_input(v: &Value) -> Result<CalculatorInput, Vec<RuleError>> {
    let mut problems = Vec::new();
    let Value::Object(obj) = v else {
        return Err(vec![RuleError {
            path: "$".into(),
            msg: Msg::new(
                "json.object",
                "请求体应为 JSON 对象 {…}。",
                "The body must be a JSON object.",
            ),
        }]);
    };
    let mut r = Reader {
        obj,
        at: String::new(),
        whose: String::new(),
        problems: &mut problems,
    };
    let kinds: Vec<(&str, u8)> = KINDS.iter().zip(0u8..).map(|(k, n)| (k.0, n)).collect();
    let kind = match r.get("kind", false) {
        None => Some(0),
        Some(_) => r.code("kind", &kinds),
    };
    let (id, request) = match kind {
        Some(0) => enterprise_fee(&mut r),
        Some(1) => institution(&mut r),
        Some(_) => securitisation(&mut r),
        None => (r.integer("policy_version_id", true), None),
    };
    match (id, request) {
        (Some(policy_version_id), Some(request)) if problems.is_empty() => Ok(CalculatorInput {
            policy_version_id,
            request,
        }),
        _ => Err(problems),
    }
}

/// The policy version and the `enterprise_fee` request, each `None` where it does not read.
fn enterprise_fee(r: &mut Reader<'_>) -> (Option<i64>, Option<Request>) {
    r.unknown(TOP);
    let id = r.integer("policy_version_id", true);
    (id, enterprise_fee_request(r))
}

fn enterprise_fee_request(r: &mut Reader<'_>) -> Option<Request> {
    let classes: Vec<(&str, SizeClass)> = SizeClass::ALL.iter().map(|c| (c.code(), *c)).collect();
    let class = r.code("class", &classes);
    let revenue = r.money("operating_revenue_fen", false);
    let used = r.money("enterprise_used_fen", false).unwrap_or_default();
    let item_used_fen = item_used(r);
    let (loans, all) = loans_of(r, loan);
    // The bounds of every figure that could be read, with its own path.
    let own = Application {
        class: SizeClass::Small,
        operating_revenue_fen: revenue,
        loans: Vec::new(),
        enterprise_used_fen: used,
        item_used_fen,
    };
    r.problems.extend(
        own.problems()
            .into_iter()
            .map(|(path, msg)| RuleError { path, msg }),
    );
    for (i, l) in &loans {
        r.problems
            .extend(l.problems().into_iter().map(|(f, msg)| RuleError {
                path: format!("loans[{i}].{f}"),
                msg,
            }));
    }
    all.then_some(())?;
    Some(Request::EnterpriseFee(Application {
        class: class?,
        loans: loans.into_iter().map(|(_, l)| l).collect(),
        ..own
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn loan() -> Value {
        json!({"reference": "招商银行 2026-NS-001", "principal_fen": 1_000_000_000i64,
            "ip_share": {"kind": "sole"}, "ip_kind": "patent", "start": "2025-03-01",
            "end": "2026-03-01", "annual_rate": "0.0345", "interest_paid_fen": 35_000_000})
    }

    fn errors(v: Value) -> Vec<(String, &'static str, String)> {
        calculator_input(&v)
            .expect_err("refused")
            .into_iter()
            .map(|e| (e.path, e.msg.code, e.msg.zh))
            .collect()
    }

    fn english_free(s: &str) -> bool {
        ![
            "expected",
            "invalid",
            "missing field",
            "unknown",
            "line 1",
            "column",
        ]
        .iter()
        .any(|w| s.contains(w))
    }

    #[test]
    fn a_good_request_reads() {
        let v = json!({"policy_version_id": 7, "class": "small", "loans": [loan()]});
        let i = calculator_input(&v).expect("reads");
        assert_eq!(i.policy_version_id, 7);
        assert_eq!(
            i.application().expect("fee").loans[0].principal_fen,
            1_000_000_000
        );
        assert_eq!(
            i.application().expect("fee").loans[0].annual_rate,
            Decimal::new(345, 4)
        );
        // A number is taken as written: 0.0345, not its binary neighbour.
        let mut l = loan();
        l["annual_rate"] = json!(0.0345);
        let v = json!({"policy_version_id": 7, "class": "small", "loans": [l]});
        let i = calculator_input(&v).expect("reads");
        assert_eq!(
            i.application().expect("fee").loans[0]
                .annual_rate
                .to_string(),
            "0.0345"
        );
    }

    #[test]
    fn every_problem_at_once_in_chinese() {
        let mut bad = loan();
        bad.as_object_mut().map(|o| o.remove("ip_share"));
        bad["principal_fen"] = json!("1e3");
        bad["ip_kind"] = json!("domain_name");
        bad["end"] = json!("2025-02-30");
        bad["annual_rate"] = json!("3.45%");
        let v = json!({"policy_version_id": "7", "class": "huge", "loans": [bad], "colour": 1});
        let e = errors(v);
        let paths: Vec<&str> = e.iter().map(|(p, _, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "colour",
                "policy_version_id",
                "class",
                "loans[0].principal_fen",
                "loans[0].ip_share",
                "loans[0].ip_kind",
                "loans[0].end",
                "loans[0].annual_rate",
            ]
        );
        for (_, _, zh) in &e {
            assert!(english_free(zh), "{zh}");
        }
        assert_eq!(
            e[3].2,
            "第 1 笔贷款的“本金（分）”（principal_fen）应为整数（金额以分为单位，不加引号），实际填写的是文本 \"1e3\"。"
        );
        assert_eq!(
            e[4].2,
            "第 1 笔贷款的“知识产权担保方式”（ip_share）为必填项，请填写。"
        );
        assert!(
            e[5].2
                .contains("不能是“domain_name”，可选：patent（专利）、trademark（商标）"),
            "{}",
            e[5].2
        );
        assert_eq!(e[6].1, "json.date_impossible");
        assert!(
            e[6].2.contains("“2025-02-30”不是实际存在的日期"),
            "{}",
            e[6].2
        );
        assert!(
            e[2].2.contains("small（小型企业）") || e[2].2.contains("small（小型）"),
            "{}",
            e[2].2
        );
        assert!(e[0].2.contains("不支持的字段“colour”"), "{}", e[0].2);
    }

    #[test]
    fn bounds_are_checked_with_the_fields() {
        let mut l = loan();
        l["principal_fen"] = json!(100_000_000_000_001i64);
        l["ip_share"] = json!({"kind": "ratio", "ratio": "0"});
        let mut m = loan();
        m["ip_share"] = json!({"kind": "amount", "amount_fen": 1_000_000_001i64});
        let mut n = loan();
        n["ip_share"] = json!({"kind": "ratio", "ratio": "1e-1"});
        let v = json!({"policy_version_id": 1, "class": "small", "enterprise_used_fen": -1,
            "loans": [l, m, n]});
        let e = errors(v);
        let got: Vec<(&str, &str)> = e.iter().map(|(p, c, _)| (p.as_str(), *c)).collect();
        assert_eq!(
            got,
            vec![
                ("loans[2].ip_share.ratio", "json.ratio"),
                ("enterprise_used_fen", "amount.negative"),
                ("loans[0].principal_fen", "amount.too_large"),
                ("loans[0].ip_share.ratio", "loan.ip_share"),
                ("loans[1].ip_share.amount_fen", "loan.ip_share"),
            ]
        );
        assert!(e[0].2.contains("“1e-1”不符合要求"), "{}", e[0].2);
    }
}
