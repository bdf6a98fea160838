//! Push to banks through the API (issue #20 items 3–5): the district's partner banks, settings
//! and push lists (prepared, then confirmed by a second officer through the confirmations
//! endpoints); a bank's received enterprises and follow-up; its lending declaration; an
//! enterprise's consent.

use super::contract::PageOf;
use super::json_error;
use crate::AppState;
use crate::actor::Actor;
use crate::api::application::Created;
use crate::error::AppResult;
use crate::http::path_id;
use crate::usecase::confirmation::Prepared;
use crate::usecase::push::{
    self as uc, ConsentBody, ConsentDto, FollowUpBody, LendingDto, PartnerBankDto, PrepareBody,
    PushEntryDetail, PushEntryDto, PushListDetail, PushListDto, SettingsDto,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| json_error(&e))
}

/// `?district=` (the city administrator chooses; a district's departments get their own) and
/// paging.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct DistrictQuery {
    pub district: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// A district's push settings, partner banks and lists.
#[derive(Debug, Serialize, ToSchema)]
pub struct PushOverviewDto {
    pub district: String,
    pub settings: SettingsDto,
    pub partner_banks: Vec<PartnerBankDto>,
    pub lists: PageOf<PushListDto>,
}

/// The district's push settings, partner banks and push lists (newest first).
#[utoipa::path(get, path = "/api/v1/push", tag = "push", params(DistrictQuery),
    responses((status = 200, body = PushOverviewDto), (status = 404, description = "not a government caller, or another district"),
        (status = 422, description = "the city without `district`")),
    security(("bearer" = [])))]
pub async fn overview(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<DistrictQuery>,
) -> AppResult<Json<PushOverviewDto>> {
    let d = uc::district_of(&actor, q.district.as_deref())?;
    let o = uc::overview(
        &state,
        &actor,
        &d,
        ipfin_store::Page::new(q.page, q.per_page),
    )
    .await?;
    Ok(Json(PushOverviewDto {
        district: o.district,
        settings: o.settings.into(),
        partner_banks: o.partners.iter().map(Into::into).collect(),
        lists: o.lists.into(),
    }))
}

/// Sets the district's push settings (its lead officers).
#[utoipa::path(put, path = "/api/v1/push/settings", tag = "push", params(DistrictQuery), request_body = SettingsDto,
    responses((status = 200, body = SettingsDto), (status = 403, description = "not the district's lead department"),
        (status = 422, description = "k not 1–10, period not 7–366 days, first contact not 1–60 working days; every problem in `errors`")),
    security(("bearer" = [])))]
pub async fn set_settings(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<DistrictQuery>,
    body: Bytes,
) -> AppResult<Json<SettingsDto>> {
    let d = uc::district_of(&actor, q.district.as_deref())?;
    let b: SettingsDto = parse(&body)?;
    Ok(Json(uc::set_settings(&state, &actor, &d, &b).await?.into()))
}

/// A bank to add as a partner of the district.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerBody {
    pub bank_org_id: i64,
}

/// Adds a partner bank (the district's lead officers).
#[utoipa::path(post, path = "/api/v1/push/partners", tag = "push", params(DistrictQuery), request_body = PartnerBody,
    responses((status = 204), (status = 403, description = "not the district's lead department"),
        (status = 409, description = "already a partner"), (status = 422, description = "not an active bank")),
    security(("bearer" = [])))]
pub async fn add_partner(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<DistrictQuery>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let d = uc::district_of(&actor, q.district.as_deref())?;
    let b: PartnerBody = parse(&body)?;
    uc::add_partner(&state, &actor, &d, b.bank_org_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends a partnership (pushes already sent stay until their period ends).
#[utoipa::path(post, path = "/api/v1/push/partners/{bank_id}/remove", tag = "push", params(("bank_id" = i64, Path), DistrictQuery),
    responses((status = 204), (status = 403, description = "not the district's lead department"), (status = 404, description = "not a partner")),
    security(("bearer" = [])))]
pub async fn remove_partner(
    State(state): State<AppState>,
    actor: Actor,
    Path(bank): Path<String>,
    Query(q): Query<DistrictQuery>,
) -> AppResult<StatusCode> {
    let bank = path_id(&bank)?;
    let d = uc::district_of(&actor, q.district.as_deref())?;
    uc::remove_partner(&state, &actor, &d, bank).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Prepares a push list from the district's whitelist (enterprises that consented), assigned
/// to its partner banks; it is sent when a second officer of the lead department confirms it
/// (`POST /api/v1/confirmations/{id}/confirm`).
#[utoipa::path(post, path = "/api/v1/push/lists", tag = "push", request_body = PrepareBody,
    responses((status = 202, description = "prepared, awaiting a second officer", body = Prepared),
        (status = 403, description = "not the district's lead department"),
        (status = 422, description = "unknown method, limit not 1–500, no partner banks, nobody to push; every problem in `errors`")),
    security(("bearer" = [])))]
pub async fn prepare(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Prepared>)> {
    let b: PrepareBody = parse(&body)?;
    let c = uc::prepare(&state, &actor, &b).await?;
    Ok((StatusCode::ACCEPTED, Json(Prepared::from(&c))))
}

/// One push list with its lines and where each line's follow-up stands.
#[utoipa::path(get, path = "/api/v1/push/lists/{list_id}", tag = "push", params(("list_id" = i64, Path)),
    responses((status = 200, body = PushListDetail), (status = 404, description = "no such list in your district")),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Json<PushListDetail>> {
    Ok(Json(uc::list(&state, &actor, path_id(&id)?).await?))
}

/// `?awaiting_contact=true`: only entries awaiting first contact.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ReceivedQuery {
    pub awaiting_contact: Option<bool>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// The enterprises pushed to the caller's bank that it sees now (newest push first).
#[utoipa::path(get, path = "/api/v1/pushed", tag = "push", params(ReceivedQuery),
    responses((status = 200, body = PageOf<PushEntryDto>), (status = 404, description = "not a bank")),
    security(("bearer" = [])))]
pub async fn received(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ReceivedQuery>,
) -> AppResult<Json<PageOf<PushEntryDto>>> {
    let p = uc::received(
        &state,
        &actor,
        q.awaiting_contact.unwrap_or(false),
        ipfin_store::Page::new(q.page, q.per_page),
    )
    .await?;
    Ok(Json(p.into()))
}

/// One pushed entry with its follow-ups (the bank it was pushed to, while it sees it; the
/// district's government).
#[utoipa::path(get, path = "/api/v1/push/entries/{entry_id}", tag = "push", params(("entry_id" = i64, Path)),
    responses((status = 200, body = PushEntryDetail), (status = 404, description = "not pushed to you, no longer visible, or another district")),
    security(("bearer" = [])))]
pub async fn entry(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Json<PushEntryDetail>> {
    Ok(Json(uc::entry(&state, &actor, path_id(&id)?).await?))
}

/// The bank records a contact with a pushed enterprise and its outcome.
#[utoipa::path(post, path = "/api/v1/pushed/{entry_id}/follow-ups", tag = "push", params(("entry_id" = i64, Path)), request_body = FollowUpBody,
    responses((status = 201, body = Created), (status = 404, description = "not pushed to your bank, or no longer visible"),
        (status = 422, description = "date outside push–today, unknown channel or outcome, no person, granted without the reported loan; every problem in `errors`")),
    security(("bearer" = [])))]
pub async fn follow_up(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = path_id(&id)?;
    state.store.pushed_entry(&actor.scope, id).await?;
    let b: FollowUpBody = parse(&body)?;
    let id = uc::follow_up(&state, &actor, id, &b).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// What the caller's bank declares it lends on (used to assign pushes by fit).
#[utoipa::path(get, path = "/api/v1/bank/lending", tag = "push",
    responses((status = 200, body = LendingDto), (status = 404, description = "not a bank")),
    security(("bearer" = [])))]
pub async fn lending(State(state): State<AppState>, actor: Actor) -> AppResult<Json<LendingDto>> {
    Ok(Json(uc::lending(&state, &actor).await?))
}

/// Declares what the caller's bank lends on.
#[utoipa::path(put, path = "/api/v1/bank/lending", tag = "push", request_body = LendingDto,
    responses((status = 200, body = LendingDto), (status = 404, description = "not a bank"),
        (status = 422, description = "unknown IP kind, amounts negative or min above max, industry not a GB/T 4754 code; every problem in `errors`")),
    security(("bearer" = [])))]
pub async fn set_lending(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<Json<LendingDto>> {
    state.store.bank_lending(&actor.scope).await?;
    let b: LendingDto = parse(&body)?;
    uc::set_lending(&state, &actor, &b).await?;
    Ok(Json(uc::lending(&state, &actor).await?))
}

/// The caller's enterprise: its consent to share data with the district's partner banks.
#[utoipa::path(get, path = "/api/v1/consent", tag = "push",
    responses((status = 200, body = ConsentDto), (status = 404, description = "not an enterprise with a registry record")),
    security(("bearer" = [])))]
pub async fn consent(State(state): State<AppState>, actor: Actor) -> AppResult<Json<ConsentDto>> {
    Ok(Json(uc::consent(&state, &actor).await?))
}

/// Gives or withdraws the caller's enterprise's consent (a withdrawal hides it at once from
/// every bank that has not contacted it).
#[utoipa::path(put, path = "/api/v1/consent", tag = "push", request_body = ConsentBody,
    responses((status = 200, body = ConsentDto), (status = 404, description = "not an enterprise with a registry record"),
        (status = 422, description = "a preferred bank that is not a partner of the district")),
    security(("bearer" = [])))]
pub async fn set_consent(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<Json<ConsentDto>> {
    state.store.own_enterprise_id(&actor.scope).await?;
    let b: ConsentBody = parse(&body)?;
    uc::set_consent(&state, &actor, &b).await?;
    Ok(Json(uc::consent(&state, &actor).await?))
}

/// An enterprise's consent and public-data basis, for its district's government.
#[utoipa::path(get, path = "/api/v1/push/consent/{ent_id}", tag = "push", params(("ent_id" = i64, Path)),
    responses((status = 200, body = ConsentDto), (status = 404, description = "no such enterprise in your district")),
    security(("bearer" = [])))]
pub async fn consent_of(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Json<ConsentDto>> {
    Ok(Json(uc::consent_of(&state, &actor, path_id(&id)?).await?))
}

/// The district's lead officers record that an enterprise's data is public (`basis`, e.g. a
/// listed company's disclosures: it may then be pushed without a consent form unless it has
/// said no), or no longer so (`null`: it is hidden from banks that have not contacted it,
/// unless it consented).
#[utoipa::path(put, path = "/api/v1/push/consent/{ent_id}/public-data", tag = "push", params(("ent_id" = i64, Path)),
    request_body = crate::usecase::push::PublicDataBody,
    responses((status = 200, body = ConsentDto), (status = 404, description = "no such enterprise in your district"),
        (status = 403, description = "not a lead officer of the enterprise's district"),
        (status = 422, description = "a basis shorter than 4 or longer than 200 characters")),
    security(("bearer" = [])))]
pub async fn set_public_data(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<ConsentDto>> {
    let id = path_id(&id)?;
    state.store.consent(&actor.scope, id).await?;
    let b: crate::usecase::push::PublicDataBody = parse(&body)?;
    uc::set_public_data(&state, &actor, id, &b).await?;
    Ok(Json(uc::consent_of(&state, &actor, id).await?))
}

/// The push funnel for a period (default this quarter): pushed → contacted → applied → granted
/// (count and amount), days to first contact, per bank and per source. The district's
/// government: its district (the city: all or `?district=`); a bank: its own pushes.
#[utoipa::path(get, path = "/api/v1/push/funnel", tag = "push", params(crate::usecase::push::FunnelQuery),
    responses((status = 200, body = crate::usecase::push::FunnelDto), (status = 404, description = "another district, or not a government caller or bank"),
        (status = 422, description = "a date that is not YYYY-MM-DD, or the end before the start")),
    security(("bearer" = [])))]
pub async fn funnel(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<crate::usecase::push::FunnelQuery>,
) -> AppResult<Json<crate::usecase::push::FunnelDto>> {
    Ok(Json(uc::funnel(&state, &actor, &q).await?.0))
}
