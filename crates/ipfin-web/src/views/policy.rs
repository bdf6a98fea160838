//! Public policy pages (SPEC R2.3, §7): published policies by district, a policy's page —
//! who may apply, what is paid at which ratio and cap per class, batches, documents, contact —
//! which prints as the one-page clear card (明白卡), and the subsidy calculator (资助测算).

use super::{FormErrors, PageCtx, render};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::rfc5987;
use crate::usecase::policy::{CalculatorResult, run_calculator};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use ipfin_domain::policy::document::PolicyDocument;
use ipfin_domain::policy::input::CalculatorInput;
use ipfin_domain::policy::rules::{CapPeriod, Ratio};
use ipfin_domain::policy::yuan;
use ipfin_domain::size::SizeClass;
use ipfin_domain::{FieldError, Lang, Scope};
use ipfin_store::policy::PolicyVersionRow;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "policies.html")]
struct PoliciesPage {
    ctx: PageCtx,
    /// (district name, code, its published versions)
    districts: Vec<(String, String, Vec<PolicyVersionRow>)>,
}

/// `GET /policies`: every district's published policies.
pub async fn list(State(state): State<AppState>, actor: Actor) -> AppResult<Response> {
    let rows = state.store.policy_versions(&Scope::Public, None).await?;
    let mut districts = Vec::new();
    for d in state.store.districts().await? {
        let mine: Vec<PolicyVersionRow> = rows
            .iter()
            .filter(|v| v.district_code == d.code && v.status == "published")
            .cloned()
            .collect();
        districts.push((d.name.clone(), d.code.clone(), mine));
    }
    let page = PoliciesPage {
        ctx: PageCtx::new(&actor, &state, "/policies"),
        districts,
    };
    Ok(render(StatusCode::OK, &page))
}

/// One row of the "what is paid" table: item, then ratio and cap per class.
pub struct ItemLine {
    pub name: &'static str,
    pub cells: Vec<String>,
    pub limits: Vec<String>,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    ctx: PageCtx,
    v: PolicyVersionRow,
    doc: PolicyDocument,
    district_name: String,
    classes: Vec<&'static str>,
    lines: Vec<ItemLine>,
    caps: Vec<String>,
    materials: Vec<(&'static str, &'static str)>,
    /// For a signed-in enterprise user: whether their enterprise may apply.
    mine: Option<ipfin_domain::policy::eligibility::Eligibility>,
    attachments: Vec<ipfin_store::policy::PolicyAttachment>,
    /// The policy year's budget figures, for government readers of the district (#18 item 5).
    budgets: Vec<crate::usecase::payment::PolicyBudget>,
}

fn ratio_cap(r: Ratio, cap: Option<ipfin_domain::Fen>, lang: Lang) -> String {
    match (cap, lang) {
        (Some(c), Lang::Zh) => format!("{}，上限 {}", r.display(), yuan(c)),
        (Some(c), Lang::En) => format!("{}, at most {}", r.display(), money_en(c)),
        (None, _) => r.display(),
    }
}

/// An amount in an English sentence: `CNY 1,234.00`.
fn money_en(f: ipfin_domain::Fen) -> String {
    format!("CNY {}", f.yuan())
}

/// The policy in words, in Chinese (the clear card, the draft page).
pub(crate) fn describe(doc: &PolicyDocument) -> (Vec<ItemLine>, Vec<String>) {
    describe_in(doc, Lang::Zh)
}

/// The policy in words in the reader's language: a line per item (name, ratio and cap per
/// size class, limits) and the policy's caps and conditions.
pub(crate) fn describe_in(doc: &PolicyDocument, lang: Lang) -> (Vec<ItemLine>, Vec<String>) {
    let zh = lang == Lang::Zh;
    let say = |c: String, e: String| if zh { c } else { e };
    let lines = doc
        .rules
        .items
        .iter()
        .map(|it| {
            let mut limits = Vec::new();
            if let Some(s) = it.base_max_share_of_principal {
                limits.push(say(
                    format!("计算基数不超过本金的 {}", s.display()),
                    format!("base at most {} of the principal", s.display()),
                ));
            }
            if let Some(s) = it.cap_share_of_principal {
                limits.push(say(
                    format!("不超过贷款本金的 {}", s.display()),
                    format!("at most {} of the loan principal", s.display()),
                ));
            }
            if it.ratio_if_guaranteed.is_some() {
                limits.push(say(
                    "有担保或保险的贷款适用另行规定的比例".into(),
                    "loans with a guarantee or insurance have their own ratio".into(),
                ));
            }
            if let Some(ir) = it.interest {
                if ir.limit_to_lpr.is_some() {
                    limits.push(say(
                        "贴息以按 LPR 计算的利息为限".into(),
                        "the subsidy is limited to interest at the LPR".into(),
                    ));
                }
                if ir.rate_base.is_some() {
                    limits.push(say(
                        "按 LPR 与实际利率孰低计算贴息基数".into(),
                        "the base uses the lower of the LPR and the actual rate".into(),
                    ));
                }
                if let Some((_, m)) = ir.max_rate_over_lpr {
                    limits.push(say(
                        format!("贷款利率不高于 LPR 上浮 {}", m.display()),
                        format!("loan rate at most the LPR plus {}", m.display()),
                    ));
                }
                if let Some(d) = ir.max_days {
                    limits.push(say(
                        format!("每笔贷款最多计 {d} 天"),
                        format!("at most {d} days per loan"),
                    ));
                }
            }
            if !it.annual_cap_fen.is_unset() {
                limits.push(per_enterprise_year(&it.annual_cap_fen, lang));
            }
            ItemLine {
                name: it.item.label(lang),
                cells: SizeClass::ALL
                    .iter()
                    .map(|c| ratio_cap(it.ratio.get(*c), it.cap_fen.get(*c), lang))
                    .collect(),
                limits,
            }
        })
        .collect();
    let mut caps = Vec::new();
    if let Some(ec) = &doc.rules.enterprise_cap {
        let (period, period_en) = match ec.period {
            CapPeriod::Year => ("每年".to_string(), "a year".to_string()),
            CapPeriod::Lifetime => ("累计".to_string(), "in total".to_string()),
            CapPeriod::Years(n) => (format!("{n} 年内"), format!("within {n} years")),
        };
        let amounts: Vec<String> = SizeClass::ALL
            .iter()
            .filter_map(|c| ec.amount_fen.get(*c).map(|a| (c, a)))
            .map(|(c, a)| {
                say(
                    format!("{} {}", c.label(Lang::Zh), yuan(a)),
                    format!("{} {}", c.label(Lang::En), money_en(a)),
                )
            })
            .collect();
        let uniform = SizeClass::ALL
            .iter()
            .map(|c| ec.amount_fen.get(*c))
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            == 1;
        if uniform && let Some(a) = ec.amount_fen.large {
            caps.push(say(
                format!("每家企业{period}资助最高 {}", yuan(a)),
                format!("At most {} per enterprise {period_en}", money_en(a)),
            ));
        } else {
            caps.push(say(
                format!("每家企业{period}资助最高：{}", amounts.join("；")),
                format!("At most per enterprise {period_en}: {}", amounts.join("; ")),
            ));
        }
    }
    if let Some(g) = &doc.rules.fee_group_limit {
        let names: Vec<&str> = g.items.iter().map(|i| i.fee_zh()).collect();
        let names_en: Vec<&str> = g.items.iter().map(|i| i.fee_en()).collect();
        caps.push(say(
            format!(
                "{}合计计算基数不超过贷款本金的 {}",
                names.join("、"),
                g.share_of_principal.display()
            ),
            format!(
                "The {} together count up to {} of the loan principal",
                names_en.join(", "),
                g.share_of_principal.display()
            ),
        ));
    }
    if let Some(c) = doc.rules.conditions.max_loan_days {
        caps.push(say(
            format!("贷款期限不超过 {c} 天"),
            format!("Loan term at most {c} days"),
        ));
    }
    if let Some(c) = doc.rules.conditions.max_loan_months {
        caps.push(say(
            format!("贷款期限不超过 {c} 个月"),
            format!("Loan term at most {c} months"),
        ));
    }
    if !doc.rules.conditions.ip_kinds.is_empty() {
        let kinds = &doc.rules.conditions.ip_kinds;
        let zh_kinds: Vec<&str> = kinds.iter().map(|k| k.zh()).collect();
        let en_kinds: Vec<&str> = kinds.iter().map(|k| k.en()).collect();
        caps.push(say(
            format!("仅限以{}质押的贷款", zh_kinds.join("、")),
            format!("Only loans secured by {}", en_kinds.join(", ")),
        ));
    }
    if let Some(r) = doc.rules.conditions.max_revenue_fen {
        caps.push(say(
            format!("企业营业收入不超过 {}", yuan(r)),
            format!("Operating revenue at most {}", money_en(r)),
        ));
    }
    if let Some(r) = &doc.rules.institution_reward {
        caps.push(say(
            format!(
                "金融机构奖励：年度知识产权质押贷款的 {}{}",
                r.ratio.display(),
                r.cap_per_year_fen
                    .map(|c| format!("，每家每年最高 {}", yuan(c)))
                    .unwrap_or_default()
            ),
            format!(
                "Reward for financial institutions: {} of the year's IP pledge loans{}",
                r.ratio.display(),
                r.cap_per_year_fen
                    .map(|c| format!(", at most {} per institution a year", money_en(c)))
                    .unwrap_or_default()
            ),
        ));
    }
    if let Some(s) = &doc.rules.securitisation {
        caps.push(say(
            format!(
                "知识产权证券化：融资成本的 {}{}{}",
                s.ratio.display(),
                s.cap_per_year_fen
                    .map(|c| format!("，每年最高 {}", yuan(c)))
                    .unwrap_or_default(),
                s.max_years
                    .map(|y| format!("，最长 {y} 年"))
                    .unwrap_or_default()
            ),
            format!(
                "IP securitisation: {} of the financing cost{}{}",
                s.ratio.display(),
                s.cap_per_year_fen
                    .map(|c| format!(", at most {} a year", money_en(c)))
                    .unwrap_or_default(),
                s.max_years
                    .map(|y| format!(", for at most {y} years"))
                    .unwrap_or_default()
            ),
        ));
    }
    if let Some(b) = &doc.budget {
        let (mode, mode_en) = match b.mode {
            ipfin_domain::policy::BudgetMode::FirstComeFirstServed => {
                ("用完即止", "first come, first served")
            }
            ipfin_domain::policy::BudgetMode::ProRata => {
                ("超出预算时按比例核减", "cut in proportion when over budget")
            }
        };
        caps.push(say(
            format!("年度预算 {}，{mode}", yuan(b.total_fen)),
            format!("Annual budget {}, {mode_en}", money_en(b.total_fen)),
        ));
    }
    (lines, caps)
}

/// `GET /policies/{version_id}`: a published version (the district's officers also see
/// their drafts). Printed, it is the clear card.
pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = crate::http::path_id(&id)?;
    let v = state.store.policy_version(&actor.scope, id).await?;
    let doc = v.doc()?;
    let district_name = state
        .store
        .districts()
        .await?
        .into_iter()
        .find(|d| d.code == v.district_code)
        .map(|d| d.name)
        .unwrap_or_else(|| v.district_code.clone());
    let (lines, caps) = describe_in(&doc, actor.lang);
    let mine = match &actor.scope {
        Scope::Enterprise { org_id } => {
            let found = state
                .store
                .search_enterprises(
                    &actor.scope,
                    &Default::default(),
                    ipfin_store::Page::default(),
                )
                .await?
                .items
                .first()
                .map(|e| {
                    ipfin_domain::policy::eligibility::check(
                        &e.facts(),
                        &v.district_code,
                        &district_name,
                        &doc.eligibility.extra_conditions,
                    )
                });
            match found {
                Some(mut el) => {
                    el.flag_open_clawbacks(
                        state.store.open_clawbacks(&actor.scope, *org_id).await?,
                    );
                    Some(el)
                }
                None => None,
            }
        }
        _ => None,
    };
    let attachments = state.store.policy_attachments(&actor.scope, id).await?;
    let budgets = crate::usecase::payment::version_budgets(&state, &actor, &v).await?;
    let page = PolicyPage {
        budgets,
        attachments,
        mine,
        ctx: PageCtx::new(&actor, &state, "/policies"),
        district_name,
        classes: SizeClass::ALL.iter().map(|c| c.label(actor.lang)).collect(),
        lines,
        caps,
        materials: ipfin_domain::policy::materials::fee_application_materials_in(actor.lang),
        v,
        doc,
    };
    Ok(render(StatusCode::OK, &page))
}

/// The calculator form: amounts in 元 as people write them. `kind` picks what is calculated
/// (enterprise fees by default); enterprise fees take one loan, an institution's reward up to
/// [`REWARD_ROWS`] loans (`loan1_principal` …, read from the raw query), securitisation the
/// year number and what was paid (`interest`, `guarantee`).
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct CalcForm {
    pub kind: String,
    pub policy: String,
    pub class: String,
    pub used: String,
    pub used_interest: String,
    pub used_evaluation: String,
    pub used_guarantee: String,
    pub used_insurance: String,
    pub revenue: String,
    pub reference: String,
    pub principal: String,
    pub secured: String,
    pub share: String,
    pub ip_kind: String,
    pub start: String,
    pub end: String,
    pub rate: String,
    pub interest: String,
    pub evaluation: String,
    pub guarantee: String,
    pub insurance: String,
    pub granted: String,
    pub year_number: String,
}

/// How many loans the page takes for an institution's reward (the API takes any number).
pub const REWARD_ROWS: usize = 3;

/// One loan row of the institution form, as typed (`loan{n}_principal` …).
#[derive(Debug, Default, Clone)]
pub struct RewardRow {
    /// 1-based.
    pub n: usize,
    pub principal: String,
    pub secured: String,
    pub share: String,
    pub ip_kind: String,
    pub class: String,
    pub first: bool,
}

impl RewardRow {
    fn field(&self, name: &str) -> String {
        format!("loan{}_{name}", self.n)
    }

    fn filled(&self) -> bool {
        !self.principal.trim().is_empty()
    }
}

/// The institution rows of a raw query string.
fn reward_rows(query: Option<&str>) -> Vec<RewardRow> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.unwrap_or_default()).unwrap_or_default();
    (1..=REWARD_ROWS)
        .map(|n| {
            let get = |name: &str| {
                let key = format!("loan{n}_{name}");
                pairs
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            RewardRow {
                n,
                principal: get("principal"),
                secured: get("secured"),
                share: get("share"),
                ip_kind: get("ip_kind"),
                class: get("class"),
                first: !get("first").is_empty(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "subsidy_calculator.html")]
struct CalculatorPage {
    ctx: PageCtx,
    form: CalcForm,
    /// enterprise_fee, institution or securitisation.
    kind: &'static str,
    /// (code, Chinese name, link to the calculator for it).
    kinds_offered: Vec<(&'static str, &'static str, String)>,
    rows: Vec<RewardRow>,
    policies: Vec<(i64, String)>,
    classes: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    /// (form field, label) of the per-item used amounts.
    used_items: Vec<(String, &'static str)>,
    errors: FormErrors,
    result: Option<CalculatorResult>,
}

impl CalculatorPage {
    fn fen(&self, f: &ipfin_domain::Fen) -> String {
        yuan(*f)
    }

    fn used_value(&self, field: &str) -> &str {
        match field {
            "used_interest" => &self.form.used_interest,
            "used_evaluation" => &self.form.used_evaluation,
            "used_guarantee" => &self.form.used_guarantee,
            "used_insurance" => &self.form.used_insurance,
            _ => "",
        }
    }

    fn annual_shown(&self) -> bool {
        self.result
            .as_ref()
            .is_some_and(|r| r.items.iter().any(|i| i.annual_cap_fen.is_some()))
    }

    fn opt_fen(&self, f: &Option<ipfin_domain::Fen>) -> String {
        f.map(yuan).unwrap_or_else(|| "—".into())
    }
}

/// Form problems collected field by field (form field, message).
type Problems = Vec<(String, ipfin_domain::Msg)>;

fn amount(v: &str, field: &str, problems: &mut Problems) -> Option<i64> {
    if v.trim().is_empty() {
        return None;
    }
    let fen = ipfin_domain::money::parse_amount(v, 100);
    if fen.is_none() {
        problems.push((
            field.into(),
            ipfin_domain::Msg::new(
                "number.format",
                format!(
                    "{}：请填写不小于 0 的金额（单位元，最多两位小数），“{}”无法识别。",
                    calc_label(field),
                    v.trim()
                ),
                "Enter an amount of at least 0 (yuan, at most 2 decimals).",
            ),
        ));
    }
    fen
}

fn calc_percent(v: &str, field: &str, problems: &mut Problems) -> Option<rust_decimal::Decimal> {
    if v.trim().trim_end_matches('%').trim().is_empty() {
        return None;
    }
    percent(v, "share", "")
        .map_err(|e| {
            let zh = format!("{}：{}", calc_label(field), e.msg.zh);
            problems.push((
                field.into(),
                ipfin_domain::Msg::new(e.msg.code, zh, e.msg.en),
            ));
        })
        .ok()
}

fn percent(
    v: &str,
    field: &'static str,
    default: &str,
) -> Result<rust_decimal::Decimal, FieldError> {
    let v = if v.trim().is_empty() {
        default
    } else {
        v.trim().trim_end_matches('%')
    };
    v.parse::<rust_decimal::Decimal>()
        .ok()
        .filter(|d| *d >= rust_decimal::Decimal::ZERO && *d <= rust_decimal::Decimal::ONE_HUNDRED)
        .map(|d| d / rust_decimal::Decimal::ONE_HUNDRED)
        .ok_or_else(|| {
            FieldError::new(
                field,
                "percent.format",
                "请填写 0 到 100 之间的百分数，例如 3.45。",
                "Enter a percentage between 0 and 100, e.g. 3.45.",
            )
        })
}

/// The Chinese label of a calculator form field (`loan2_principal`: 第 2 笔贷款本金).
fn calc_label(field: &str) -> String {
    if let Some((n, rest)) = field.strip_prefix("loan").and_then(|r| r.split_once('_')) {
        return format!("第 {n} 笔贷款{}", calc_label(rest));
    }
    match field {
        "policy" => "政策",
        "used" => "已获批及在审金额",
        "used_interest" => "贷款贴息本年度已获批及在审金额",
        "used_evaluation" => "评估费补贴本年度已获批及在审金额",
        "used_guarantee" => "担保费补贴本年度已获批及在审金额",
        "used_insurance" => "保险费补贴本年度已获批及在审金额",
        "revenue" => "企业上年度营业收入",
        "principal" => "贷款本金",
        "secured" => "登记担保金额",
        "share" => "知识产权占比",
        "start" => "放款日",
        "end" => "到期日",
        "rate" => "年利率",
        "interest" => "实付利息",
        "evaluation" => "评估费",
        "guarantee" => "担保费",
        "insurance" => "保险费",
        "granted" => "本年已获资助",
        "year_number" => "第几年",
        _ => "",
    }
    .to_string()
}

/// The form field of a JSON path of the calculator request.
fn form_field(kind: &str, path: &str) -> String {
    let key = path.rsplit('.').next().unwrap_or(path);
    if let Some(item) = path.strip_prefix("item_used_fen.") {
        return format!("used_{item}");
    }
    let field = match key {
        "policy_version_id" => "policy_version_id",
        "kind" => "kind",
        "enterprise_used_fen" => "used",
        "operating_revenue_fen" => "revenue",
        "principal_fen" => "principal",
        "secured_amount_fen" => "secured",
        "ratio" | "amount_fen" | "ip_share" => "share",
        "start" => "start",
        "end" => "end",
        "annual_rate" => "rate",
        "interest_paid_fen" => "interest",
        "evaluation_fee_fen" => "evaluation",
        "guarantee_fee_fen" => "guarantee",
        "insurance_fee_fen" => "insurance",
        "granted_this_year_fen" => "granted",
        "year_number" => "year_number",
        "class" => "class",
        "first_time_borrower" => "first",
        _ => "_form",
    };
    // An institution's loans: `loans[1].principal_fen` is the second row's principal.
    match path
        .strip_prefix("loans[")
        .and_then(|r| r.split_once(']'))
        .and_then(|(i, _)| i.parse::<usize>().ok())
    {
        Some(i) if kind == "institution" && field != "_form" => format!("loan{}_{field}", i + 1),
        _ => field.to_string(),
    }
}

/// An IP share in % as the request's `ip_share`: 100 or empty is IP alone.
fn share_json(share: Option<rust_decimal::Decimal>) -> serde_json::Value {
    match share {
        Some(s) if s != rust_decimal::Decimal::ONE => {
            serde_json::json!({"kind": "ratio", "ratio": s.normalize().to_string()})
        }
        _ => serde_json::json!({"kind": "sole"}),
    }
}

/// The form as the calculator's JSON request: amounts in 元 become fen, percentages ratios;
/// dates, codes and bounds are judged by the same reader as the API's, every problem at once.
fn body(f: &CalcForm, kind: &str, rows: &[RewardRow]) -> Result<CalculatorInput, AppError> {
    let mut problems = Problems::new();
    let policy = f.policy.trim().parse::<i64>().ok();
    if policy.is_none() {
        problems.push((
            "policy_version_id".into(),
            ipfin_domain::Msg::new("policy.unpublished", "请选择政策。", "Choose a policy."),
        ));
    }
    let policy = policy.unwrap_or(0);
    let request = match kind {
        "institution" => {
            let granted = amount(&f.granted, "granted", &mut problems);
            let mut loans = Vec::new();
            for r in rows.iter().filter(|r| r.filled()) {
                let principal = amount(&r.principal, &r.field("principal"), &mut problems);
                let secured = amount(&r.secured, &r.field("secured"), &mut problems);
                let share = calc_percent(&r.share, &r.field("share"), &mut problems);
                let mut loan = serde_json::json!({
                    "reference": format!("贷款 {}", r.n),
                    "principal_fen": principal,
                    "secured_amount_fen": secured,
                    "ip_share": share_json(share),
                    "ip_kind": if r.ip_kind.is_empty() { "patent" } else { r.ip_kind.as_str() },
                    "first_time_borrower": r.first,
                });
                if !r.class.is_empty() {
                    loan["class"] = serde_json::json!(r.class);
                }
                loans.push(loan);
            }
            serde_json::json!({"kind": "institution", "policy_version_id": policy,
                "granted_this_year_fen": granted.unwrap_or(0), "loans": loans})
        }
        "securitisation" => {
            let year = f.year_number.trim();
            let year_number = match year.parse::<i64>() {
                Ok(n) => serde_json::json!(n),
                Err(_) if year.is_empty() => serde_json::Value::Null,
                Err(_) => {
                    problems.push((
                        "year_number".into(),
                        ipfin_domain::Msg::new(
                            "calc.year_number",
                            format!("第几年：请填写整数（第 1 年填 1），“{year}”无法识别。"),
                            "Enter the year number as a whole number.",
                        ),
                    ));
                    serde_json::json!(1)
                }
            };
            let interest = amount(&f.interest, "interest", &mut problems);
            let guarantee = amount(&f.guarantee, "guarantee", &mut problems);
            let granted = amount(&f.granted, "granted", &mut problems);
            serde_json::json!({"kind": "securitisation", "policy_version_id": policy,
                "year_number": year_number, "interest_paid_fen": interest.unwrap_or(0),
                "guarantee_fee_fen": guarantee.unwrap_or(0), "granted_this_year_fen": granted.unwrap_or(0)})
        }
        _ => {
            let share = calc_percent(&f.share, "share", &mut problems);
            let rate = calc_percent(&f.rate, "rate", &mut problems);
            let principal = amount(&f.principal, "principal", &mut problems);
            let secured = amount(&f.secured, "secured", &mut problems);
            let revenue = amount(&f.revenue, "revenue", &mut problems);
            let used = amount(&f.used, "used", &mut problems);
            let fees = [
                amount(&f.interest, "interest", &mut problems),
                amount(&f.evaluation, "evaluation", &mut problems),
                amount(&f.guarantee, "guarantee", &mut problems),
                amount(&f.insurance, "insurance", &mut problems),
            ];
            let mut item_used = serde_json::Map::new();
            for (item, v) in [
                ("interest", &f.used_interest),
                ("evaluation", &f.used_evaluation),
                ("guarantee", &f.used_guarantee),
                ("insurance", &f.used_insurance),
            ] {
                if let Some(fen) = amount(v, &format!("used_{item}"), &mut problems) {
                    item_used.insert(item.into(), serde_json::json!(fen));
                }
            }
            let loan = serde_json::json!({
                "reference": if f.reference.trim().is_empty() { "贷款 1" } else { f.reference.trim() },
                "principal_fen": principal,
                "secured_amount_fen": secured,
                "ip_share": share_json(share),
                "ip_kind": if f.ip_kind.is_empty() { "patent" } else { f.ip_kind.as_str() },
                "start": f.start.trim(),
                "end": f.end.trim(),
                "annual_rate": rate.unwrap_or_default().normalize().to_string(),
                "interest_paid_fen": fees[0],
                "evaluation_fee_fen": fees[1],
                "guarantee_fee_fen": fees[2],
                "insurance_fee_fen": fees[3],
            });
            serde_json::json!({
                "policy_version_id": policy,
                "class": if f.class.is_empty() { "small" } else { f.class.as_str() },
                "operating_revenue_fen": revenue,
                "enterprise_used_fen": used.unwrap_or(0),
                "item_used_fen": item_used,
                "loans": [loan],
            })
        }
    };
    // The reader's problems on fields the form already found wrong say the same thing again.
    let read = ipfin_domain::policy::input::calculator_input(&request);
    let mut all = problems.clone();
    if let Err(list) = &read {
        for e in list {
            let field = form_field(kind, &e.path);
            if !problems.iter().any(|(f, _)| *f == field) {
                all.push((field, e.msg.clone()));
            }
        }
    }
    match read {
        Ok(input) if all.is_empty() => Ok(input),
        _ => Err(AppError {
            problems: Some(Box::new(crate::error::Problems(all.clone()))),
            ..AppError::from(ipfin_store::StoreError::Problems(
                all.into_iter()
                    .map(|(path, msg)| ipfin_domain::policy::rules::RuleError { path, msg })
                    .collect(),
            ))
        }),
    }
}

/// `GET /tools/subsidy-calculator`: the public calculator for the three kinds (chosen by
/// links, so it works without JavaScript); with the form filled in, the amounts and how they
/// were reached, or every problem beside its field with the input kept.
pub async fn calculator(
    State(state): State<AppState>,
    actor: Actor,
    Query(f): Query<CalcForm>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> AppResult<Response> {
    use ipfin_domain::policy::input::{KINDS, offered_kinds};
    let kind = KINDS
        .iter()
        .map(|k| k.0)
        .find(|k| *k == f.kind)
        .unwrap_or(KINDS[0].0);
    let mut policies = Vec::new();
    let names: std::collections::HashMap<String, String> = state
        .store
        .districts()
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect();
    for v in state.store.policy_versions(&Scope::Public, None).await? {
        if v.status == "published" {
            let d = names.get(&v.district_code).cloned().unwrap_or_default();
            // What each policy can be calculated for, so a visitor picks one that offers it.
            let offers: Vec<&str> = v
                .doc()
                .map(|doc| offered_kinds(&doc.rules).iter().map(|k| k.1).collect())
                .unwrap_or_default();
            policies.push((
                v.id,
                format!("{d} · {}（可测算：{}）", v.title, offers.join("、")),
            ));
        }
    }
    let policy_q = if f.policy.trim().is_empty() {
        String::new()
    } else {
        format!("&policy={}", crate::http::urlencode(f.policy.trim()))
    };
    let rows = reward_rows(raw.as_deref());
    let mut page = CalculatorPage {
        ctx: PageCtx::new(&actor, &state, "/tools/subsidy-calculator"),
        kind,
        kinds_offered: KINDS
            .iter()
            .map(|(code, zh)| {
                (
                    *code,
                    *zh,
                    format!("/tools/subsidy-calculator?kind={code}{policy_q}"),
                )
            })
            .collect(),
        rows: rows.clone(),
        policies,
        classes: SizeClass::ALL
            .iter()
            .map(|c| (c.code(), c.label(actor.lang)))
            .collect(),
        kinds: ipfin_domain::ip_number::IpKind::ALL
            .iter()
            .map(|k| {
                let name = match actor.lang {
                    Lang::Zh => k.zh(),
                    Lang::En => k.en(),
                };
                (k.code(), name)
            })
            .collect(),
        used_items: ipfin_domain::policy::rules::Item::ALL
            .iter()
            .map(|i| (format!("used_{}", i.code()), i.label(actor.lang)))
            .collect(),
        form: f.clone(),
        errors: FormErrors::default(),
        result: None,
    };
    let asked = match kind {
        "institution" => rows.iter().any(RewardRow::filled) || !f.granted.trim().is_empty(),
        "securitisation" => {
            !f.year_number.trim().is_empty()
                || !f.interest.trim().is_empty()
                || !f.guarantee.trim().is_empty()
        }
        _ => !f.principal.trim().is_empty(),
    };
    if !asked {
        return Ok(render(StatusCode::OK, &page));
    }
    let outcome = match body(&f, kind, &rows) {
        Ok(input) => run_calculator(&state, input, actor.lang).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(r) => {
            page.result = Some(r);
            Ok(render(StatusCode::OK, &page))
        }
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            page.errors = FormErrors::from_error(&e, actor.lang);
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

/// An item's annual cap per enterprise as the clear card says it: one amount, or per class.
fn per_enterprise_year(
    caps: &ipfin_domain::policy::PerClass<Option<ipfin_domain::Fen>>,
    lang: Lang,
) -> String {
    let values: std::collections::BTreeSet<Option<ipfin_domain::Fen>> =
        SizeClass::ALL.iter().map(|c| caps.get(*c)).collect();
    match (values.len(), caps.large, lang) {
        (1, Some(a), Lang::Zh) => format!("每家企业每个政策年度最高 {}", yuan(a)),
        (1, Some(a), Lang::En) => {
            format!("at most {} per enterprise per policy year", money_en(a))
        }
        _ => {
            let each: Vec<String> = SizeClass::ALL
                .iter()
                .map(|c| match (caps.get(*c), lang) {
                    (Some(a), Lang::Zh) => format!("{} {}", c.label(lang), yuan(a)),
                    (Some(a), Lang::En) => format!("{} {}", c.label(lang), money_en(a)),
                    (None, Lang::Zh) => format!("{} 不限", c.label(lang)),
                    (None, Lang::En) => format!("{} no limit", c.label(lang)),
                })
                .collect();
            match lang {
                Lang::Zh => format!("每家企业每个政策年度最高：{}", each.join("；")),
                Lang::En => format!(
                    "at most per enterprise per policy year: {}",
                    each.join("; ")
                ),
            }
        }
    }
}

/// The site's address for absolute links in feeds: the configured public base URL (a request's
/// `Host` header is the caller's to choose, so it is never used).
pub(crate) fn base_url(state: &AppState) -> &str {
    state.config.public_base_url.trim_end_matches('/')
}

pub(crate) fn xml_escape(s: &str) -> String {
    ipfin_domain::text::printable(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(crate) fn rfc3339(unix_s: i64) -> String {
    chrono::DateTime::from_timestamp(unix_s, 0)
        .map(|t| {
            t.with_timezone(&ipfin_domain::calendar::shanghai())
                .to_rfc3339()
        })
        .unwrap_or_default()
}

/// A district's published policies, newest first, with its name.
async fn feed_items(
    state: &AppState,
    code: &str,
) -> AppResult<(String, Vec<(PolicyVersionRow, String)>)> {
    let name = state
        .store
        .districts()
        .await?
        .into_iter()
        .find(|d| d.code == code)
        .map(|d| d.name)
        .ok_or_else(crate::error::AppError::not_found)?;
    let mut items = Vec::new();
    for v in state
        .store
        .policy_versions(&Scope::Public, Some(code))
        .await?
    {
        let summary = v.doc().map(|d| d.summary).unwrap_or_default();
        items.push((v, summary));
    }
    items.sort_by_key(|(v, _)| std::cmp::Reverse(v.published_at));
    Ok((name, items))
}

/// `GET /feeds/{code}/policies.atom`: the district's published policies as an Atom feed, for
/// the government website and WeChat account to syndicate.
pub async fn atom(State(state): State<AppState>, Path(code): Path<String>) -> AppResult<Response> {
    use axum::response::IntoResponse;
    let (name, items) = feed_items(&state, &code).await?;
    let base = base_url(&state);
    let updated = items
        .iter()
        .filter_map(|(v, _)| v.published_at)
        .max()
        .unwrap_or(0);
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>{}知识产权金融扶持政策</title>\n<id>{base}/feeds/{code}/policies.atom</id>\n<link rel=\"self\" href=\"{base}/feeds/{code}/policies.atom\"/>\n<link href=\"{base}/policies\"/>\n<updated>{}</updated>\n<author><name>{}</name></author>\n",
        xml_escape(&name),
        rfc3339(updated),
        xml_escape(&name)
    );
    for (v, summary) in &items {
        let status = if v.status == "superseded" {
            "（已被修订版替代）"
        } else {
            ""
        };
        xml.push_str(&format!(
            "<entry>\n<title>{}{status}</title>\n<id>{base}/policies/{}</id>\n<link href=\"{base}/policies/{}\"/>\n<updated>{}</updated>\n<summary>{}</summary>\n</entry>\n",
            xml_escape(&v.title),
            v.id,
            v.id,
            rfc3339(v.published_at.unwrap_or_default()),
            xml_escape(summary)
        ));
    }
    xml.push_str("</feed>\n");
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "application/atom+xml; charset=utf-8",
        )],
        xml,
    )
        .into_response())
}

/// `GET /feeds/{code}/policies.json`: the same as a JSON Feed 1.1.
pub async fn json_feed(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Response> {
    use axum::response::IntoResponse;
    let (name, items) = feed_items(&state, &code).await?;
    let base = base_url(&state);
    let feed = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": format!("{name}知识产权金融扶持政策"),
        "home_page_url": format!("{base}/policies"),
        "feed_url": format!("{base}/feeds/{code}/policies.json"),
        "language": "zh-CN",
        "items": items.iter().map(|(v, summary)| serde_json::json!({
            "id": format!("{base}/policies/{}", v.id),
            "url": format!("{base}/policies/{}", v.id),
            "title": v.title,
            "content_text": summary,
            "date_published": rfc3339(v.published_at.unwrap_or_default()),
            "tags": [v.status.clone()],
        })).collect::<Vec<_>>(),
    });
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "application/feed+json; charset=utf-8",
        )],
        feed.to_string(),
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// Drafting (the district's lead officers) and commenting (its member departments).
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "policy_drafts.html")]
struct DraftsPage {
    ctx: PageCtx,
    versions: Vec<PolicyVersionRow>,
    can_draft: bool,
}

/// `GET /policy-drafts`: the district's policy versions in every state.
pub async fn drafts(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<super::ListQuery>,
) -> AppResult<Response> {
    let code = actor.scope.district().map(str::to_string);
    let versions = state
        .store
        .policy_versions(&actor.scope, code.as_deref())
        .await?
        .into_iter()
        .filter(|v| {
            actor.scope.is_city()
                || !v.is_public()
                || code.as_deref() == Some(v.district_code.as_str())
        })
        .collect();
    let page = DraftsPage {
        ctx: PageCtx::new(&actor, &state, "/policy-drafts").with_flash(super::flash_key(&q.ok)),
        versions,
        can_draft: actor.scope.lead_district().is_some(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /policy-drafts`: a new draft, starting from the district's current published policy
/// (or the common template when there is none).
pub async fn new_draft(
    State(state): State<AppState>,
    actor: Actor,
    _form: super::CsrfForm<std::collections::HashMap<String, String>>,
) -> AppResult<Response> {
    let Some(code) = actor.scope.lead_district() else {
        return Err(crate::error::AppError::forbidden());
    };
    let current = state
        .store
        .policy_versions(&actor.scope, Some(code))
        .await?
        .into_iter()
        .find(|v| v.status == "published");
    let mut doc = match current {
        Some(v) => v.doc()?,
        None => {
            let name = state
                .store
                .districts()
                .await?
                .into_iter()
                .find(|d| d.code == *code)
                .map(|d| d.name)
                .unwrap_or_default();
            ipfin_store::demo::demo_policy("", &name)
        }
    };
    doc.title = format!("{}（草稿）", doc.title.trim_end_matches("（草稿）"));
    let v = crate::http::write!(state, actor, |tx| state
        .store
        .create_policy(&mut tx, &actor.scope, &doc)
        .await?)?;
    Ok(super::see_other(
        &format!("/policy-drafts/{}", v.id),
        "created",
    ))
}

#[derive(Template)]
#[template(path = "policy_draft.html")]
struct DraftPage {
    ctx: PageCtx,
    v: PolicyVersionRow,
    json: String,
    lines: Vec<ItemLine>,
    caps: Vec<String>,
    classes: Vec<&'static str>,
    comments: Vec<ipfin_store::policy::PolicyComment>,
    is_lead: bool,
    can_comment: bool,
    errors: FormErrors,
    error_path: Option<String>,
    form: super::policy_form::PolicyForm,
    attachments: Vec<ipfin_store::policy::PolicyAttachment>,
    kinds: Vec<(&'static str, &'static str)>,
    /// Its publication awaiting a second person (four eyes, issue #18 item 3).
    pending: Option<ipfin_store::confirmation::ConfirmationRow>,
}

async fn draft_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    json: Option<String>,
    error: Option<crate::error::AppError>,
    flash: Option<&str>,
) -> AppResult<DraftPage> {
    let v = state.store.policy_version(&actor.scope, id).await?;
    let doc = v.doc()?;
    let (lines, caps) = describe_in(&doc, actor.lang);
    let own = actor.scope.district() == Some(v.district_code.as_str());
    let is_lead = actor.scope.leads_district(&v.district_code);
    let errors = error
        .as_ref()
        .map(|e| FormErrors::from_error(e, actor.lang))
        .unwrap_or_default();
    Ok(DraftPage {
        ctx: PageCtx::new(actor, state, "/policy-drafts").with_flash(flash),
        json: json.unwrap_or_else(|| serde_json::to_string_pretty(&doc).unwrap_or_default()),
        lines,
        caps,
        classes: SizeClass::ALL.iter().map(|c| c.label(actor.lang)).collect(),
        comments: state.store.policy_comments(&actor.scope, id).await?,
        can_comment: own && v.status == "circulating",
        is_lead,
        error_path: error.and_then(|e| e.path),
        errors,
        form: super::policy_form::PolicyForm::from_doc(&doc),
        attachments: state.store.policy_attachments(&actor.scope, id).await?,
        kinds: package_kinds(),
        pending: state
            .store
            .pending_confirmation(&actor.scope, "policy_version", id)
            .await?,
        v,
    })
}

/// `GET /policy-drafts/{version_id}`: the version, its rendering, its JSON, comments, actions.
pub async fn draft(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<super::ListQuery>,
) -> AppResult<Response> {
    let id = crate::http::path_id(&id)?;
    let page = draft_page(&state, &actor, id, None, None, super::flash_key(&q.ok)).await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DraftForm {
    pub document: String,
    pub action: String,
    pub confirm: Option<String>,
    pub body: String,
}

/// `POST /policy-drafts/{version_id}`: save the JSON, circulate, publish (with confirmation),
/// revise, or comment.
pub async fn draft_action(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: super::CsrfForm<DraftForm>,
) -> AppResult<Response> {
    let id = crate::http::path_id(&id)?;
    // Someone else's draft is 404 whatever the form holds.
    state.store.policy_version(&actor.scope, id).await?;
    let pairs = form.pairs.clone();
    let f = form.data;
    let scope = actor.scope.clone();
    let result: AppResult<(String, &str)> = match f.action.as_str() {
        "form" => {
            let mut doc = state.store.policy_version(&actor.scope, id).await?.doc()?;
            match super::policy_form::apply(&mut doc, &pairs) {
                Ok(()) => crate::http::write!(state, actor, |tx| state
                    .store
                    .update_policy(&mut tx, &scope, id, &doc)
                    .await?)
                .map(|v| (draft_href(v.id), "updated")),
                Err(fe) => Err(AppError::invalid(fe)),
            }
        }
        "save" => match ipfin_domain::policy::document::parse(f.document.as_bytes()) {
            Ok(doc) => crate::http::write!(state, actor, |tx| state
                .store
                .update_policy(&mut tx, &scope, id, &doc)
                .await?)
            .map(|v| (draft_href(v.id), "updated")),
            Err(e) => Err(ipfin_store::StoreError::Document(e).into()),
        },
        "circulate" => crate::http::write!(state, actor, |tx| state
            .store
            .circulate_policy(&mut tx, &scope, id)
            .await?)
        .map(|v| (draft_href(v.id), "updated")),
        // Four eyes (issue #18 item 3): prepared here, published when a second person confirms.
        "publish" => match super::require_confirm(&f.confirm) {
            Ok(()) => crate::http::write!(state, actor, |tx| state
                .store
                .prepare_policy_publication(&mut tx, &scope, id)
                .await?)
            .map(|c| (format!("/confirmations/{}", c.id), "prepared")),
            Err(fe) => Err(crate::error::AppError::invalid(fe)),
        },
        "revise" => crate::http::write!(state, actor, |tx| state
            .store
            .revise_policy(&mut tx, &scope, id)
            .await?)
        .map(|v| (draft_href(v.id), "created")),
        "comment" => {
            let org = actor
                .organisation_id()
                .ok_or_else(crate::error::AppError::unauthorized)?;
            crate::http::write!(state, actor, |tx| state
                .store
                .comment_policy(&mut tx, &scope, org, id, &f.body)
                .await?)
            .map(|_| (draft_href(id), "updated"))
        }
        _ => Err(crate::error::AppError::bad_request(
            "form.action",
            "未知的操作。",
            "Unknown action.",
        )),
    };
    match result {
        Ok((to, flash)) => Ok(super::see_other(&to, flash)),
        Err(e)
            if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT =>
        {
            let status = e.status;
            let json = (f.action == "save").then_some(f.document);
            let page = draft_page(&state, &actor, id, json, Some(e), None).await?;
            Ok(render(status, &page))
        }
        Err(e) => Err(e),
    }
}

fn draft_href(id: i64) -> String {
    format!("/policy-drafts/{id}")
}

/// The catalogue key of a version's status.
pub fn status_key(status: &str) -> &'static str {
    match status {
        "draft" => "draft.status_draft",
        "circulating" => "draft.status_circulating",
        "published" => "draft.status_published",
        _ => "draft.status_superseded",
    }
}

// ---------------------------------------------------------------------------------------------
// Reference data the city maintains: LPR values and the working-day calendar.
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "reference_data.html")]
struct ReferencePage {
    ctx: PageCtx,
    lpr: Vec<(String, String, String)>,
    years: Vec<(i32, usize, usize)>,
    form: LprForm,
    errors: FormErrors,
    calendar: CalendarForm,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct LprForm {
    pub date: String,
    pub one_year: String,
    pub over_five_years: String,
}

async fn reference_page(
    state: &AppState,
    actor: &Actor,
    form: LprForm,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<ReferencePage> {
    let pct = |d: rust_decimal::Decimal| {
        format!("{}%", (d * rust_decimal::Decimal::ONE_HUNDRED).round_dp(2))
    };
    let lpr = state
        .store
        .lpr_table()
        .await?
        .values()
        .iter()
        .rev()
        .map(|v| (v.date.to_string(), pct(v.one_year), pct(v.over_five_years)))
        .collect();
    let years = state
        .store
        .calendar()
        .await?
        .years()
        .iter()
        .map(|y| (y.year, y.holidays.len(), y.adjusted_working_days.len()))
        .collect();
    Ok(ReferencePage {
        ctx: PageCtx::new(actor, state, "/reference-data").with_flash(flash),
        lpr,
        years,
        form,
        errors,
        calendar: CalendarForm::default(),
    })
}

/// `GET /reference-data`: LPR values and the calendar years loaded.
pub async fn reference_data(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<super::ListQuery>,
) -> AppResult<Response> {
    let page = reference_page(
        &state,
        &actor,
        LprForm::default(),
        FormErrors::default(),
        super::flash_key(&q.ok),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /reference-data/lpr`: enter or correct the LPR published on a date (percentages).
pub async fn set_lpr(
    State(state): State<AppState>,
    actor: Actor,
    form: super::CsrfForm<LprForm>,
) -> AppResult<Response> {
    let f = form.data;
    let parsed = (|| {
        let date = chrono::NaiveDate::parse_from_str(f.date.trim(), "%Y-%m-%d").map_err(|_| {
            FieldError::new(
                "date",
                "date.format",
                "请填写公布日期，例如 2026-11-20。",
                "Enter the publication date, e.g. 2026-11-20.",
            )
        })?;
        Ok::<_, FieldError>(ipfin_domain::policy::lpr::LprValue {
            date,
            one_year: percent(&f.one_year, "one_year", "")?,
            over_five_years: percent(&f.over_five_years, "over_five_years", "")?,
        })
    })();
    let result = match parsed {
        Ok(v) => crate::http::write!(state, actor, |tx| state
            .store
            .set_lpr(&mut tx, &actor.scope, v)
            .await?),
        Err(fe) => Err(AppError::invalid(fe)),
    };
    match result {
        Ok(()) => Ok(super::see_other("/reference-data", "updated")),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = FormErrors::from_error(&e, actor.lang);
            let page = reference_page(&state, &actor, f, errors, None).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

/// `GET /policies/{version_id}/card.svg` and `/card.docx`: the clear card as an image and as a
/// Word document.
async fn card_of(state: &AppState, actor: &Actor, id: &str) -> AppResult<super::clear_card::Card> {
    let id = crate::http::path_id(id)?;
    let v = state.store.policy_version(&actor.scope, id).await?;
    let name = state
        .store
        .districts()
        .await?
        .into_iter()
        .find(|d| d.code == v.district_code)
        .map(|d| d.name)
        .unwrap_or_default();
    Ok(super::clear_card::card(&v.doc()?, &name))
}

pub async fn card_svg(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    use axum::response::IntoResponse;
    let c = card_of(&state, &actor, &id).await?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "image/svg+xml; charset=utf-8",
        )],
        super::clear_card::svg(&c),
    )
        .into_response())
}

pub async fn card_docx(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    use axum::response::IntoResponse;
    let c = card_of(&state, &actor, &id).await?;
    let bytes =
        super::clear_card::docx(&c).map_err(|e| AppError::internal(format!("docx: {e}")))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"policy-{id}-card.docx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The form field that carries an item's errors.
pub fn item_field(code: &str) -> &'static str {
    match code {
        "interest" => "interest_large",
        "evaluation" => "evaluation_large",
        "guarantee" => "guarantee_large",
        _ => "insurance_large",
    }
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct CalendarForm {
    pub year: String,
    pub notice: String,
    pub holidays: String,
    pub workdays: String,
}

/// Dates written one a line or separated by commas or spaces; `2027-02-05~2027-02-13` (or
/// `至`) is a range.
fn dates(text: &str, field: &'static str) -> Result<Vec<chrono::NaiveDate>, FieldError> {
    let bad = |t: &str| {
        FieldError::new(
            field,
            "date.format",
            format!("“{t}”不是有效日期：请按 2027-01-01 或 2027-02-05~2027-02-13 填写。"),
            format!("{t} is not a date or range."),
        )
    };
    let mut out = Vec::new();
    for token in text
        .split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        let parse =
            |t: &str| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| bad(token));
        match token.split_once(['~', '至']) {
            Some((a, b)) => {
                let (a, b) = (parse(a)?, parse(b)?);
                if b < a || (b - a).num_days() > 31 {
                    return Err(bad(token));
                }
                out.extend(a.iter_days().take_while(|d| *d <= b));
            }
            None => out.push(parse(token)?),
        }
    }
    Ok(out)
}

/// `POST /reference-data/calendar`: a year's arrangement as the State Council published it.
pub async fn set_calendar(
    State(state): State<AppState>,
    actor: Actor,
    form: super::CsrfForm<CalendarForm>,
) -> AppResult<Response> {
    let f = form.data;
    let parsed = (|| {
        let year: i32 = f.year.trim().parse().map_err(|_| {
            FieldError::new(
                "year",
                "calendar.year",
                "请填写年份，例如 2027。",
                "Enter the year, e.g. 2027.",
            )
        })?;
        Ok::<_, FieldError>(ipfin_domain::calendar::YearArrangement::new(
            year,
            dates(&f.holidays, "holidays")?,
            dates(&f.workdays, "workdays")?,
        ))
    })();
    let result = match parsed {
        Ok(y) => crate::http::write!(state, actor, |tx| state
            .store
            .set_calendar_year(&mut tx, &actor.scope, &y, &f.notice)
            .await?),
        Err(fe) => Err(AppError::invalid(fe)),
    };
    match result {
        Ok(()) => Ok(super::see_other("/reference-data", "updated")),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = FormErrors::from_error(&e, actor.lang);
            let mut page = reference_page(&state, &actor, LprForm::default(), errors, None).await?;
            page.calendar = f;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

/// The largest package document accepted.
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;

fn attachment_error(code: &'static str, zh: &str, en: &str) -> AppError {
    AppError::invalid(FieldError::new(
        "file",
        code,
        zh.to_string(),
        en.to_string(),
    ))
}

/// `POST /policy-drafts/{version_id}/attachments` (multipart: `_csrf`, `kind`, `title`, `file`):
/// a document of the policy package, checked by its content (PDF, Word/Excel/OFD, JPEG, PNG).
pub async fn attach(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> AppResult<Response> {
    use axum::extract::FromRequest;
    let id = crate::http::path_id(&id)?;
    // Someone else's draft is 404 whatever the body holds.
    state.store.policy_version(&actor.scope, id).await?;
    let mut form = axum::extract::Multipart::from_request(req, &())
        .await
        .map_err(|e| {
            AppError::bad_request(
                "form.malformed",
                format!("请通过页面上传文件（multipart/form-data）：{e}"),
                format!("Upload the file from the page (multipart/form-data): {e}"),
            )
        })?;
    let dir = state.config.attachment_dir.clone();
    let (fields, saved) =
        super::import::read_upload(&actor, &mut form, &dir, MAX_ATTACHMENT_BYTES).await?;
    let outcome: AppResult<()> = async {
        let Some((upload, file_name)) = saved else {
            return Err(attachment_error(
                "attachment.missing",
                "请选择要上传的文件（不能为空）。",
                "Choose a file to upload (it cannot be empty).",
            ));
        };
        let bytes = tokio::fs::read(&upload.0)
            .await
            .map_err(|e| AppError::internal(format!("attachment: {e}")))?;
        let sniffed = ipfin_store::policy::sniff_document(&bytes).ok_or_else(|| {
            attachment_error(
                "attachment.type",
                "只接受 PDF、Word/Excel、OFD、JPEG 或 PNG 文件（按文件内容判断）。",
                "Only PDF, Word/Excel, OFD, JPEG or PNG files are accepted (judged by content).",
            )
        })?;
        let lower = file_name.to_lowercase();
        let content_type = match sniffed {
            "application/zip" if lower.ends_with(".docx") => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            "application/zip" if lower.ends_with(".xlsx") => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            "application/zip" if lower.ends_with(".ofd") => "application/ofd",
            other => other,
        };
        use sm3::Digest;
        let digest = hex::encode(sm3::Sm3::digest(&bytes));
        let stored_as = format!("attachment-{digest}");
        let target = dir.join(&stored_as);
        if !target.exists() {
            tokio::fs::rename(&upload.0, &target)
                .await
                .map_err(|e| AppError::internal(format!("attachment: {e}")))?;
        }
        let a = ipfin_store::policy::NewAttachment {
            kind: fields.get("kind").cloned().unwrap_or_default(),
            title: fields.get("title").cloned().unwrap_or_default(),
            file_name,
            content_type: content_type.to_string(),
            size: bytes.len() as i64,
            sm3: digest,
            stored_as,
        };
        crate::http::write!(state, actor, |tx| state
            .store
            .add_policy_attachment(&mut tx, &actor.scope, id, a)
            .await?)?;
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(super::see_other(&format!("/policy-drafts/{id}"), "created")),
        Err(e)
            if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT =>
        {
            let status = e.status;
            let page = draft_page(&state, &actor, id, None, Some(e), None).await?;
            Ok(render(status, &page))
        }
        Err(e) => Err(e),
    }
}

/// `GET /policies/{version_id}/attachments/{attachment_id}`: a package document of a version
/// the caller may read.
pub async fn attachment(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, aid)): Path<(String, String)>,
) -> AppResult<Response> {
    use axum::response::IntoResponse;
    let (id, aid) = (crate::http::path_id(&id)?, crate::http::path_id(&aid)?);
    let a = state
        .store
        .policy_attachments(&actor.scope, id)
        .await?
        .into_iter()
        .find(|a| a.id == aid)
        .ok_or_else(AppError::not_found)?;
    let bytes = tokio::fs::read(state.config.attachment_dir.join(&a.stored_as))
        .await
        .map_err(|_| AppError::not_found())?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, a.content_type.clone()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{}", rfc5987(&a.file_name)),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// (code, 中文) of the package document kinds.
pub fn package_kinds() -> Vec<(&'static str, &'static str)> {
    vec![
        ("policy", "扶持政策"),
        ("notice", "申报通知"),
        ("implementation_rules", "实施细则"),
        ("procedures", "操作规程"),
        ("guide", "申报指南"),
    ]
}

/// The Chinese name of a package document kind.
pub fn package_kind_zh(code: &str) -> &'static str {
    package_kind_label(code, Lang::Zh)
}

/// A package document kind's name in the reader's language.
pub fn package_kind_label(code: &str, lang: Lang) -> &'static str {
    let english = [
        "Support policy",
        "Application notice",
        "Implementation rules",
        "Operating procedures",
        "Application guide",
    ];
    package_kinds()
        .into_iter()
        .zip(english)
        .find(|((c, _), _)| *c == code)
        .map(|((_, zh), en)| if lang == Lang::En { en } else { zh })
        .unwrap_or(if lang == Lang::En { "Other" } else { "其他" })
}
