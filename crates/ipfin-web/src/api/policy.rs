//! Policies through the API (issue #4): the rule schema, published versions for everyone,
//! drafting, circulating, commenting, publishing and revising for the district, and the public
//! working-day and subsidy-calculator tools.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::write;
use crate::usecase::confirmation::Prepared;
use crate::usecase::policy::{
    CalculatorBody, CalculatorResult, DistrictConformance, conformance_rows, read_calculator,
    run_calculator,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use ipfin_domain::id::OrgId;
use ipfin_domain::policy::document::{PolicyDocument, parse, schema};
use ipfin_store::policy::{PolicyComment, PolicyVersionRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The JSON Schema of policy documents (the rule model).
#[utoipa::path(get, path = "/api/v1/schemas/policy-rules.json", tag = "policy",
    responses((status = 200, description = "JSON Schema (draft 2020-12) of a policy document", body = PolicyRulesSchema)))]
pub async fn rules_schema() -> Json<serde_json::Value> {
    Json(schema())
}

/// A JSON Schema (draft 2020-12) of a policy document, as generated from the rule model; its
/// top-level keywords. Documents `rules_schema`'s answer, which is the generated schema itself
/// (a test checks the keywords are there).
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyRulesSchema {
    /// The JSON Schema dialect, `https://json-schema.org/draft/2020-12/schema`.
    #[serde(rename = "$schema")]
    pub dialect: String,
    pub title: String,
    /// `object`
    #[serde(rename = "type")]
    pub kind: String,
    /// The policy document's fields, each a JSON Schema.
    #[schema(value_type = Object)]
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// Shared definitions referenced from `properties`.
    #[serde(rename = "$defs")]
    #[schema(value_type = Object)]
    pub defs: serde_json::Map<String, serde_json::Value>,
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
    crate::http::path_id(p)
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

/// The steps of a version's life (publication is prepared for four eyes: `publish`).
#[derive(Clone, Copy)]
enum Step {
    Circulate,
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

/// Prepares the publication of a draft (a budget change when it revises a published
/// version's budget): checked as publishing checks it, then published when a second person of
/// the district's lead department confirms it (`/api/v1/confirmations/{id}/confirm`); the
/// series' previously published version is then superseded.
#[utoipa::path(post, path = "/api/v1/policies/{version_id}/publish", tag = "policy", params(("version_id" = i64, Path)),
    responses((status = 202, description = "prepared, awaiting a second person", body = Prepared),
        (status = 409, description = "already published, or a publication already pending")), security(("bearer" = [])))]
pub async fn publish(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath,
) -> AppResult<(axum::http::StatusCode, Json<Prepared>)> {
    let id = version_id(&id)?;
    let c = write!(state, actor, |tx| state
        .store
        .prepare_policy_publication(&mut tx, &actor.scope, id)
        .await?)?;
    Ok((axum::http::StatusCode::ACCEPTED, Json(Prepared::from(&c))))
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

/// The subsidy an application would get under a published policy version, with the
/// derivation — the same engine the officers use — for each kind of application: `kind`
/// `enterprise_fee` (the default: class, loans with the fees paid, optional `item_used_fen`
/// per item against the items' annual caps), `institution` (the bank's loans of the year) or
/// `securitisation` (year number, interest and guarantee fee paid).
#[utoipa::path(post, path = "/api/v1/tools/subsidy-calculator", tag = "tools", request_body = CalculatorBody,
    responses((status = 200, body = CalculatorResult),
        (status = 422, description = "unpublished version; a kind the policy does not offer (`calc.kind_not_offered` at `kind`, naming what it offers); any field missing, unknown for the kind, of the wrong type, out of its bounds (money 0 to 10^14 fen, used amounts not negative, IP share above 0, IP amount within the principal, year number 1 to 100) or an impossible date — every problem listed in `errors` with its path, in Chinese; or an LPR value the table lacks")))]
pub async fn subsidy_calculator(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> AppResult<Json<CalculatorResult>> {
    let result = run_calculator(&state, read_calculator(&body)?, ipfin_domain::Lang::Zh).await?;
    Ok(Json(result))
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

/// Whether an enterprise may apply under a policy version (R2.2), each condition with the
/// evidence that decided it and as of when; extra conditions listed for the officer.
#[utoipa::path(get, path = "/api/v1/policies/{version_id}/eligibility/{ent_id}", tag = "policy",
    params(("version_id" = i64, Path), ("ent_id" = i64, Path, description = "the enterprise's registry id")),
    responses((status = 200, description = "each condition with its evidence; flags (e.g. an open clawback)", body = EligibilityDto),
        (status = 404, description = "no such version or enterprise in the caller's scope")),
    security(("bearer" = [])))]
pub async fn eligibility(
    State(state): State<AppState>,
    actor: Actor,
    axum::extract::Path((version_id, ent_id)): axum::extract::Path<(String, String)>,
) -> AppResult<Json<EligibilityDto>> {
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
        el.flag_open_clawbacks(
            state
                .store
                .open_clawbacks(&actor.scope, OrgId::new(org))
                .await?,
        );
    }
    Ok(Json(el.into()))
}

/// Whether an enterprise may apply, each condition with how it was decided.
#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityDto {
    /// All of the guideline's conditions are met (extra conditions are left to the officer).
    pub eligible: bool,
    pub conditions: Vec<ConditionDto>,
    /// What the officer must see beside the conditions, e.g. an open clawback.
    pub flags: Vec<String>,
}

impl From<ipfin_domain::policy::eligibility::Eligibility> for EligibilityDto {
    fn from(e: ipfin_domain::policy::eligibility::Eligibility) -> Self {
        let ipfin_domain::policy::eligibility::Eligibility {
            eligible,
            conditions,
            flags,
        } = e;
        Self {
            eligible,
            conditions: super::contract::each(conditions),
            flags,
        }
    }
}

/// One condition and how it was decided.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConditionDto {
    /// e.g. registered_in_district, taxed_in_district, independent_legal_person, extra
    pub code: &'static str,
    pub name: String,
    /// null: an extra condition the officer checks.
    pub met: Option<bool>,
    pub evidence: String,
    pub as_of: String,
    /// Set on the policy's own conditions beyond the guideline's three.
    pub extra: bool,
}

impl From<ipfin_domain::policy::eligibility::Condition> for ConditionDto {
    fn from(c: ipfin_domain::policy::eligibility::Condition) -> Self {
        let ipfin_domain::policy::eligibility::Condition {
            code,
            name,
            met,
            evidence,
            as_of,
            extra,
        } = c;
        Self {
            code,
            name,
            met,
            evidence,
            as_of,
            extra,
        }
    }
}
