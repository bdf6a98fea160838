//! Policies through the API (issue #4): the rule schema, published versions for everyone,
//! drafting, circulating, commenting, publishing and revising for the district, and the public
//! working-day and subsidy-calculator tools.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::views::org::write;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use ipfin_domain::policy::document::{PolicyDocument, parse, schema};
use ipfin_domain::policy::{Application, Loan, calculate};
use ipfin_domain::size::SizeClass;
use ipfin_store::policy::{PolicyComment, PolicyVersionRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The JSON Schema of policy documents (the rule model).
#[utoipa::path(get, path = "/api/v1/schemas/policy-rules.json", tag = "policy",
    responses((status = 200, description = "JSON Schema (draft 2020-12) of a policy document", body = Object)))]
pub async fn rules_schema() -> Json<serde_json::Value> {
    Json(schema())
}

/// A policy version.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyVersionDto {
    pub id: i64,
    pub district_code: String,
    /// The policy (the id of its first version).
    pub series: i64,
    pub version: i32,
    /// draft, circulating, published or superseded.
    pub status: String,
    pub title: String,
    pub year: i32,
    pub published_at: Option<i64>,
    /// The policy document (see /api/v1/schemas/policy-rules.json).
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
    /// Member departments' comments (the district's own officers and the city only).
    #[schema(value_type = Vec<Object>)]
    pub comments: Vec<PolicyComment>,
}

/// The version as the API shows it; a stored document that does not parse is an internal error
/// (logged), never an empty document.
fn dto(v: PolicyVersionRow, comments: Vec<PolicyComment>) -> AppResult<PolicyVersionDto> {
    let document = serde_json::from_str(&v.document).map_err(|e| {
        AppError::internal(format!(
            "unreadable stored document in policy_versions.document (id {}): {e}",
            v.id
        ))
    })?;
    Ok(PolicyVersionDto {
        document,
        id: v.id,
        district_code: v.district_code,
        series: v.series,
        version: v.version,
        status: v.status,
        title: v.title,
        year: v.year,
        published_at: v.published_at,
        comments,
    })
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyQuery {
    /// District code, e.g. 440305.
    pub district: Option<String>,
}

/// Policy versions the caller may read (everyone: published ones; the district: its drafts too).
#[utoipa::path(get, path = "/api/v1/policies", tag = "policy", params(PolicyQuery),
    responses((status = 200, body = Vec<PolicyVersionDto>)))]
pub async fn policies(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<PolicyQuery>,
) -> AppResult<Json<Vec<PolicyVersionDto>>> {
    let rows = state
        .store
        .policy_versions(&actor.scope, q.district.as_deref())
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|v| dto(v, Vec::new()))
            .collect::<AppResult<_>>()?,
    ))
}

fn version_id(p: &str) -> AppResult<i64> {
    crate::views::org::path_id(p)
}

/// One policy version with its comments.
#[utoipa::path(get, path = "/api/v1/policies/{version_id}", tag = "policy",
    params(("version_id" = i64, Path)),
    responses((status = 200, body = PolicyVersionDto), (status = 404, description = "no such version, or not yours to see")))]
pub async fn policy(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath,
) -> AppResult<Json<PolicyVersionDto>> {
    let id = version_id(&id)?;
    let v = state.store.policy_version(&actor.scope, id).await?;
    let comments = state.store.policy_comments(&actor.scope, id).await?;
    Ok(Json(dto(v, comments)?))
}

fn document(body: &Bytes) -> AppResult<PolicyDocument> {
    parse(body).map_err(|e| ipfin_store::StoreError::Document(e).into())
}

/// Drafts a new policy from a document (the district's lead officers).
#[utoipa::path(post, path = "/api/v1/policies", tag = "policy",
    request_body(content = Object, description = "a policy document (see /api/v1/schemas/policy-rules.json)"),
    responses((status = 201, body = PolicyVersionDto), (status = 403, description = "not the district's lead officers"),
        (status = 422, description = "the document breaks a rule; `field` is its JSON path")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(StatusCode, Json<PolicyVersionDto>)> {
    let doc = document(&body)?;
    let v = write!(state, actor, |tx| state
        .store
        .create_policy(&mut tx, &actor.scope, &doc)
        .await?)?;
    Ok((StatusCode::CREATED, Json(dto(v, Vec::new())?)))
}

/// Replaces a draft's document; a published version is immutable (409).
#[utoipa::path(put, path = "/api/v1/policies/{version_id}", tag = "policy", params(("version_id" = i64, Path)),
    request_body(content = Object, description = "the policy document"),
    responses((status = 200, body = PolicyVersionDto), (status = 409, description = "published versions cannot change"),
        (status = 422, description = "the document breaks a rule")),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath,
    body: Bytes,
) -> AppResult<Json<PolicyVersionDto>> {
    let id = version_id(&id)?;
    // Someone else's draft is 404 whatever the body holds.
    state.store.policy_version(&actor.scope, id).await?;
    let doc = document(&body)?;
    let v = write!(state, actor, |tx| state
        .store
        .update_policy(&mut tx, &actor.scope, id, &doc)
        .await?)?;
    Ok(Json(dto(v, Vec::new())?))
}

/// The steps of a version's life.
#[derive(Clone, Copy)]
enum Step {
    Circulate,
    Publish,
    Revise,
}

async fn step(
    state: AppState,
    actor: Actor,
    id: String,
    s: Step,
) -> AppResult<Json<PolicyVersionDto>> {
    let id = version_id(&id)?;
    let v = write!(state, actor, |tx| match s {
        Step::Circulate =>
            state
                .store
                .circulate_policy(&mut tx, &actor.scope, id)
                .await?,
        Step::Publish =>
            state
                .store
                .publish_policy(&mut tx, &actor.scope, id)
                .await?,
        Step::Revise => state.store.revise_policy(&mut tx, &actor.scope, id).await?,
    })?;
    Ok(Json(dto(v, Vec::new())?))
}

/// Sends a draft to the district's member departments for comments.
#[utoipa::path(post, path = "/api/v1/policies/{version_id}/circulate", tag = "policy", params(("version_id" = i64, Path)),
    responses((status = 200, body = PolicyVersionDto), (status = 409, description = "already published")), security(("bearer" = [])))]
pub async fn circulate(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath,
) -> AppResult<Json<PolicyVersionDto>> {
    step(state, actor, id, Step::Circulate).await
}

/// Publishes a draft; the series' previously published version is superseded.
#[utoipa::path(post, path = "/api/v1/policies/{version_id}/publish", tag = "policy", params(("version_id" = i64, Path)),
    responses((status = 200, body = PolicyVersionDto), (status = 409, description = "already published")), security(("bearer" = [])))]
pub async fn publish(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath,
) -> AppResult<Json<PolicyVersionDto>> {
    step(state, actor, id, Step::Publish).await
}

/// Starts a revision of a version: a new draft with the same document.
#[utoipa::path(post, path = "/api/v1/policies/{version_id}/revise", tag = "policy", params(("version_id" = i64, Path)),
    responses((status = 200, body = PolicyVersionDto), (status = 409, description = "a revision is already open")), security(("bearer" = [])))]
pub async fn revise(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath,
) -> AppResult<Json<PolicyVersionDto>> {
    step(state, actor, id, Step::Revise).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    pub body: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// A member department's comment on a circulated draft of its district.
#[utoipa::path(post, path = "/api/v1/policies/{version_id}/comments", tag = "policy", params(("version_id" = i64, Path)),
    request_body = CommentBody,
    responses((status = 201, body = Created), (status = 409, description = "not out for comments")), security(("bearer" = [])))]
pub async fn comment(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = version_id(&id)?;
    // Someone else's draft is 404 whatever the body holds.
    state.store.policy_version(&actor.scope, id).await?;
    let b: CommentBody = serde_json::from_slice(&body).map_err(|e| super::json_error(&e))?;
    let org = actor.organisation_id().ok_or_else(AppError::unauthorized)?;
    let cid = write!(state, actor, |tx| state
        .store
        .comment_policy(&mut tx, &actor.scope, org, id, &b.body)
        .await?)?;
    Ok((StatusCode::CREATED, Json(Created { id: cid })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WorkingDaysQuery {
    /// The first day, YYYY-MM-DD.
    pub start: String,
    /// The number of working days, at least 1.
    pub days: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkingDays {
    pub start: String,
    /// The last day of the period (it ends at 24:00 Asia/Shanghai that day).
    pub end: String,
    pub days: u32,
}

fn date_field(field: &'static str, v: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::invalid(ipfin_domain::FieldError::new(
            field,
            "date.format",
            format!("“{v}”不是有效日期：请按 YYYY-MM-DD 填写，例如 2026-03-02。"),
            format!("{v} is not a date: use YYYY-MM-DD, e.g. 2026-03-02."),
        ))
    })
}

/// The end of a period of N working days (SPEC §10): the start counts as day 1 when it is a
/// working day; 422 when the calendar does not cover the range.
#[utoipa::path(get, path = "/api/v1/tools/working-days", tag = "tools", params(WorkingDaysQuery),
    responses((status = 200, body = WorkingDays), (status = 422, description = "bad date, or a year the calendar lacks")))]
pub async fn working_days(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<WorkingDaysQuery>,
) -> AppResult<Json<WorkingDays>> {
    let start = date_field("start", &q.start)?;
    let end = state
        .store
        .calendar()
        .await?
        .period_end(start, q.days)
        .map_err(|m| {
            AppError::invalid(ipfin_domain::FieldError {
                field: if m.code == "calendar.days" {
                    "days"
                } else {
                    "start"
                },
                msg: m,
            })
        })?;
    Ok(Json(WorkingDays {
        start: start.to_string(),
        end: end.to_string(),
        days: q.days,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalculatorBody {
    /// A published policy version.
    pub policy_version_id: i64,
    /// large, medium, small or micro.
    pub class: String,
    #[serde(default)]
    pub operating_revenue_fen: Option<i64>,
    /// Already granted or reserved within the enterprise's cap period.
    #[serde(default)]
    pub enterprise_used_fen: i64,
    #[schema(value_type = Vec<Object>)]
    pub loans: Vec<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalculatorStep {
    pub rule: String,
    /// The step in the caller's language (Chinese).
    pub text: String,
    pub amount_fen: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalculatorItem {
    /// interest, evaluation, guarantee or insurance.
    pub item: String,
    pub name: String,
    pub amount_fen: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalculatorResult {
    pub policy_version_id: i64,
    pub eligible: bool,
    pub total_fen: i64,
    pub items: Vec<CalculatorItem>,
    pub steps: Vec<CalculatorStep>,
}

/// The subsidy an application would get under a published policy version, with the
/// derivation — the same engine the officers use.
#[utoipa::path(post, path = "/api/v1/tools/subsidy-calculator", tag = "tools", request_body = CalculatorBody,
    responses((status = 200, body = CalculatorResult),
        (status = 422, description = "unpublished version, bad loan (e.g. without dates), or an LPR value the table lacks")))]
pub async fn subsidy_calculator(
    State(state): State<AppState>,
    ApiJson(b): ApiJson<CalculatorBody>,
) -> AppResult<Json<CalculatorResult>> {
    let result = run_calculator(&state, b).await?;
    Ok(Json(result))
}

/// The calculator, shared by the API and the public page.
pub async fn run_calculator(state: &AppState, b: CalculatorBody) -> AppResult<CalculatorResult> {
    let unpublished = || {
        AppError::invalid(ipfin_domain::FieldError::new(
            "policy_version_id",
            "policy.unpublished",
            "请选择一个已发布的政策版本。",
            "Choose a published policy version.",
        ))
    };
    let v = state
        .store
        .policy_version(&ipfin_domain::Scope::Public, b.policy_version_id)
        .await
        .map_err(|_| unpublished())?;
    if v.status != "published" {
        return Err(unpublished());
    }
    let class = SizeClass::from_code(&b.class).ok_or_else(|| {
        AppError::invalid(ipfin_domain::FieldError::new(
            "class",
            "enterprise.size",
            "企业规模应为 large（大型）、medium（中型）、small（小型）或 micro（微型）。",
            "The class is large, medium, small or micro.",
        ))
    })?;
    let mut loans = Vec::with_capacity(b.loans.len());
    for (i, l) in b.loans.into_iter().enumerate() {
        let loan: Loan = serde_path_to_error::deserialize(l).map_err(|e| AppError {
            path: Some(format!("loans[{i}].{}", e.path())),
            ..AppError::invalid(ipfin_domain::FieldError::new(
                "loans",
                "loan.invalid",
                format!("第 {} 笔贷款填写有误：{}", i + 1, e.inner()),
                format!("Loan {} is invalid: {}", i + 1, e.inner()),
            ))
        })?;
        loans.push(loan);
    }
    if loans.is_empty() {
        return Err(AppError::invalid(ipfin_domain::FieldError::new(
            "loans",
            "loan.none",
            "请至少填写一笔贷款。",
            "Enter at least one loan.",
        )));
    }
    let doc = v.doc()?;
    let lpr = state.store.lpr_table().await?;
    let app = Application {
        class,
        operating_revenue_fen: b.operating_revenue_fen,
        loans,
        enterprise_used_fen: b.enterprise_used_fen.max(0),
    };
    let c = calculate(&doc.rules, &lpr, &app).map_err(|m| {
        AppError::invalid(ipfin_domain::FieldError {
            field: "loans",
            msg: m,
        })
    })?;
    Ok(CalculatorResult {
        policy_version_id: v.id,
        eligible: c.eligible,
        total_fen: c.total_fen,
        items: c
            .items
            .iter()
            .map(|i| CalculatorItem {
                item: i.item.code().into(),
                name: i.item.zh().into(),
                amount_fen: i.granted_fen,
            })
            .collect(),
        steps: c
            .steps
            .iter()
            .map(|s| CalculatorStep {
                rule: s.rule.into(),
                text: c.text(s),
                amount_fen: s.amount_fen,
            })
            .collect(),
    })
}

/// One district's policy conformance (SPEC §9, the R2 cells).
#[derive(Debug, Serialize, ToSchema)]
pub struct DistrictConformance {
    pub district_code: String,
    pub district_name: String,
    /// The current published version, if any.
    pub policy_version_id: Option<i64>,
    #[schema(value_type = Vec<Object>)]
    pub checks: Vec<ipfin_domain::policy::conformance::Check>,
}

/// The policy cells of the conformance matrix for each district in scope (the city: all).
#[utoipa::path(get, path = "/api/v1/conformance/policies", tag = "policy",
    responses((status = 200, body = Vec<DistrictConformance>)), security(("bearer" = [])))]
pub async fn conformance(
    State(state): State<AppState>,
    actor: Actor,
) -> AppResult<Json<Vec<DistrictConformance>>> {
    Ok(Json(conformance_rows(&state, &actor).await?))
}

/// The policy conformance of each district in the caller's scope (the API and the city page).
pub async fn conformance_rows(
    state: &AppState,
    actor: &Actor,
) -> AppResult<Vec<DistrictConformance>> {
    let today = ipfin_domain::calendar::business_date(ipfin_store::now_s());
    let versions = state.store.policy_versions(&actor.scope, None).await?;
    let mut out = Vec::new();
    for d in state.store.districts().await? {
        let own = match &actor.scope {
            ipfin_domain::Scope::City => true,
            ipfin_domain::Scope::District { code, .. } => *code == d.code,
            _ => false,
        };
        if !own {
            continue;
        }
        // The latest published version of the district (by publication time).
        let current = versions
            .iter()
            .filter(|v| v.district_code == d.code && v.status == "published")
            .max_by_key(|v| v.published_at);
        let doc = match current {
            Some(v) => Some((
                v.doc()?,
                ipfin_domain::calendar::business_date(v.published_at.unwrap_or_default()),
            )),
            None => None,
        };
        out.push(DistrictConformance {
            district_code: d.code.clone(),
            district_name: d.name.clone(),
            policy_version_id: current.map(|v| v.id),
            checks: ipfin_domain::policy::conformance::policy_checks(
                doc.as_ref().map(|(d, p)| (d, *p)),
                today,
            ),
        });
    }
    Ok(out)
}

/// Whether an enterprise may apply under a policy version (R2.2), each condition with the
/// evidence that decided it and as of when; extra conditions listed for the officer.
#[utoipa::path(get, path = "/api/v1/policies/{version_id}/eligibility/{ent_id}", tag = "policy",
    params(("version_id" = i64, Path), ("ent_id" = i64, Path, description = "the enterprise's registry id")),
    responses((status = 200, description = "{eligible, conditions: [{code, name, met, evidence, as_of, extra}], flags: [text] (e.g. an open clawback)}", body = Object),
        (status = 404, description = "no such version or enterprise in the caller's scope")),
    security(("bearer" = [])))]
pub async fn eligibility(
    State(state): State<AppState>,
    actor: Actor,
    axum::extract::Path((version_id, ent_id)): axum::extract::Path<(String, String)>,
) -> AppResult<Json<ipfin_domain::policy::eligibility::Eligibility>> {
    let v = state
        .store
        .policy_version(&actor.scope, self::version_id(&version_id)?)
        .await?;
    let e = state
        .store
        .enterprise(&actor.scope, self::version_id(&ent_id)?)
        .await?;
    let doc = v.doc()?;
    let name = state
        .store
        .districts()
        .await?
        .into_iter()
        .find(|d| d.code == v.district_code)
        .map(|d| d.name)
        .unwrap_or_default();
    let mut el = ipfin_domain::policy::eligibility::check(
        &e.facts(),
        &v.district_code,
        &name,
        &doc.eligibility.extra_conditions,
    );
    if let Some(org) = e.organisation_id {
        el.flag_open_clawbacks(state.store.open_clawbacks(&actor.scope, org).await?);
    }
    Ok(Json(el))
}
