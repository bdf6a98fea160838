//! The public service platform through the API (issue #22, R3.3): a district zone, the search,
//! products, financing needs (the caller's reach: the public sees those listed publicly, a
//! bank every open one), matches and contacts, disposal listings and their outcomes. Scope is
//! checked before a body is read.

use super::json_error;
use crate::AppState;
use crate::actor::Actor;
use crate::api::application::Created;
use crate::error::{AppError, AppResult};
use crate::http::path_id;
use crate::usecase::platform::{
    self as uc, ContactBody, ListingBody, ListingDto, ListingList, MatchmakingDto, NeedBody,
    NeedList, OutcomeBody, ProductBody, ProductList, ProfileBody, QuoteAnswerBody, QuoteList,
    QuoteRequestBody, ReportBody, SearchResult, ValuerList, ZoneDto,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use ipfin_domain::Scope;
use serde::Deserialize;
use utoipa::IntoParams;

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| json_error(&e))
}

/// A district's zone: published policies, application windows (with the link into the
/// application form), interpretations, public notices, disposal listings, contacts.
#[utoipa::path(get, path = "/api/v1/zones/{code}", tag = "platform",
    params(("code" = String, Path, description = "district code")),
    responses((status = 200, body = ZoneDto), (status = 404, description = "no such district")))]
pub async fn zone(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Json<ZoneDto>> {
    Ok(Json(uc::zone(&state, &code).await?.as_ref().into()))
}

/// `?q=` (at least two characters).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SearchParams {
    pub q: String,
}

/// Searches published policies, interpretations, active products and listings by two-character
/// n-grams (every gram of the query must occur).
#[utoipa::path(get, path = "/api/v1/search", tag = "platform", params(SearchParams),
    responses((status = 200, body = SearchResult), (status = 422, description = "fewer than two characters")))]
pub async fn search(
    State(state): State<AppState>,
    Query(q): Query<SearchParams>,
) -> AppResult<Json<SearchResult>> {
    let g = ipfin_domain::platform::query_grams(&q.q).map_err(AppError::invalid)?;
    let hits = state.store.search(&g).await?;
    Ok(Json(SearchResult::new(q.q, &hits)))
}

/// Loan products the caller reads (the public: active ones; a bank: its own).
#[utoipa::path(get, path = "/api/v1/products", tag = "platform",
    responses((status = 200, body = ProductList)))]
pub async fn products(State(state): State<AppState>, actor: Actor) -> AppResult<Json<ProductList>> {
    let items = state.store.products(&actor.scope).await?;
    Ok(Json(ProductList {
        items: items.iter().map(Into::into).collect(),
    }))
}

/// A bank publishes a product.
#[utoipa::path(post, path = "/api/v1/products", tag = "platform", request_body = ProductBody,
    responses((status = 201, body = Created), (status = 403, description = "not a financial institution"),
        (status = 422, description = "a minimum above its maximum, no IP kind, …; every problem in `errors`")),
    security(("bearer" = [])))]
pub async fn create_product(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    if actor.scope.org_kind() != Some(ipfin_domain::OrgKind::FinancialInstitution) {
        return Err(AppError::not_found());
    }
    let b: ProductBody = parse(&body)?;
    let p = uc::check_product(&b)?;
    let id = uc::create_product(&state, &actor, &p).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The bank corrects its product while it is on offer (the same body as publishing it).
#[utoipa::path(put, path = "/api/v1/products/{product_id}", tag = "platform", request_body = ProductBody,
    params(("product_id" = i64, Path)),
    responses((status = 204, description = "changed; matches follow the stored values"),
        (status = 404, description = "not a product of the caller's institution"),
        (status = 409, description = "the product was withdrawn (`product.not_editable`)"),
        (status = 422, description = "a minimum above its maximum, no IP kind, …; every problem in `errors`")),
    security(("bearer" = [])))]
pub async fn update_product(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let id = path_id(&id)?;
    uc::editable_product(&state, &actor, id).await?;
    let b: ProductBody = parse(&body)?;
    let p = uc::check_product(&b)?;
    uc::update_product(&state, &actor, id, &p).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An enterprise asks the bank of an active product to contact it (once a day).
#[utoipa::path(post, path = "/api/v1/products/{product_id}/contact", tag = "platform", request_body = ContactBody,
    params(("product_id" = i64, Path)),
    responses((status = 201, body = Created), (status = 404, description = "no such active product"),
        (status = 409, description = "the same request was made today")),
    security(("bearer" = [])))]
pub async fn contact_product(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = path_id(&id)?;
    state.store.product(&Scope::Public, id).await?;
    let b: ContactBody = parse(&body)?;
    let id = uc::request_contact(&state, &actor, id, &b).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Financing needs the caller reads (the public: listed publicly; a bank: every open one; an
/// enterprise: its own).
#[utoipa::path(get, path = "/api/v1/financing-needs", tag = "platform",
    responses((status = 200, body = NeedList)))]
pub async fn needs(State(state): State<AppState>, actor: Actor) -> AppResult<Json<NeedList>> {
    let items = state.store.needs(&actor.scope).await?;
    Ok(Json(NeedList {
        items: items.iter().map(Into::into).collect(),
    }))
}

/// An enterprise publishes a financing need (at least one of its IP assets).
#[utoipa::path(post, path = "/api/v1/financing-needs", tag = "platform", request_body = NeedBody,
    responses((status = 201, body = Created), (status = 403, description = "not an enterprise"),
        (status = 422, description = "no IP asset, not its own, amount or term missing")),
    security(("bearer" = [])))]
pub async fn create_need(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    if actor.scope.org_kind() != Some(ipfin_domain::OrgKind::Enterprise) {
        return Err(AppError::not_found());
    }
    let b: NeedBody = parse(&body)?;
    let id = uc::create_need(&state, &actor, &b).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The enterprise corrects its open need (the same body as publishing it; at least one of its
/// own IP assets).
#[utoipa::path(put, path = "/api/v1/financing-needs/{need_id}", tag = "platform", request_body = NeedBody,
    params(("need_id" = i64, Path)),
    responses((status = 204, description = "changed; matches follow the stored values"),
        (status = 404, description = "not a need of the caller's enterprise"),
        (status = 409, description = "the need was closed (`need.not_editable`)"),
        (status = 422, description = "no IP asset, not its own, amount or term missing; every problem in `errors`")),
    security(("bearer" = [])))]
pub async fn update_need(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let id = path_id(&id)?;
    uc::editable_need(&state, &actor, id).await?;
    let b: NeedBody = parse(&body)?;
    uc::update_need(&state, &actor, id, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A bank expresses interest in an open need (once a day).
#[utoipa::path(post, path = "/api/v1/financing-needs/{need_id}/interest", tag = "platform", request_body = ContactBody,
    params(("need_id" = i64, Path)),
    responses((status = 201, body = Created), (status = 404, description = "no such open need"),
        (status = 409, description = "the same interest was expressed today")),
    security(("bearer" = [])))]
pub async fn need_interest(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = path_id(&id)?;
    state.store.need(&actor.scope, id).await?;
    let b: ContactBody = parse(&body)?;
    let id = uc::express_interest(&state, &actor, id, &b).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The caller's proposed matches (a bank: needs per product; an enterprise: products per need),
/// each with the reasons, and its contacts.
#[utoipa::path(get, path = "/api/v1/matchmaking", tag = "platform",
    responses((status = 200, body = MatchmakingDto)), security(("bearer" = [])))]
pub async fn matchmaking(
    State(state): State<AppState>,
    actor: Actor,
) -> AppResult<Json<MatchmakingDto>> {
    Ok(Json(uc::matchmaking(&state, &actor).await?))
}

/// Disposal listings (public), open ones first.
#[utoipa::path(get, path = "/api/v1/disposal", tag = "platform",
    responses((status = 200, body = ListingList)))]
pub async fn listings(State(state): State<AppState>) -> AppResult<Json<ListingList>> {
    let items = state.store.listings(&Scope::Public).await?;
    Ok(Json(ListingList {
        items: items.iter().map(Into::into).collect(),
    }))
}

/// The pledgee bank lists a defaulted loan's pledged IP.
#[utoipa::path(post, path = "/api/v1/disposals", tag = "platform", request_body = ListingBody,
    responses((status = 201, body = Created), (status = 404, description = "not the loan's lender"),
        (status = 409, description = "an open listing exists"),
        (status = 422, description = "no reserve price, a past deadline, IP not pledged, loan not defaulted")),
    security(("bearer" = [])))]
pub async fn create_listing(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    if actor.scope.org_kind() != Some(ipfin_domain::OrgKind::FinancialInstitution) {
        return Err(AppError::not_found());
    }
    let b: ListingBody = parse(&body)?;
    let id = uc::create_listing(&state, &actor, &b).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The listing's bank records the outcome (sold with the price, or withdrawn).
#[utoipa::path(post, path = "/api/v1/disposals/{listing_id}/outcome", tag = "platform", request_body = OutcomeBody,
    params(("listing_id" = i64, Path)),
    responses((status = 200, body = ListingDto), (status = 404, description = "not the caller's listing"),
        (status = 409, description = "outcome recorded already")),
    security(("bearer" = [])))]
pub async fn record_outcome(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<ListingDto>> {
    let id = path_id(&id)?;
    state.store.listing(&actor.scope, id).await?;
    let b: OutcomeBody = parse(&body)?;
    uc::record_outcome(&state, &actor, id, &b).await?;
    Ok(Json((&state.store.listing(&actor.scope, id).await?).into()))
}

// ---------------------------------------------------------------------------------------------
// Valuation (issue #22 item 3)
// ---------------------------------------------------------------------------------------------

/// The valuation directory: institutions with their qualifications, IP kinds, fee range and
/// contacts.
#[utoipa::path(get, path = "/api/v1/valuation/institutions", tag = "platform",
    responses((status = 200, body = ValuerList)))]
pub async fn valuers(State(state): State<AppState>) -> AppResult<Json<ValuerList>> {
    let items = state
        .store
        .valuation_institutions()
        .await?
        .iter()
        .map(Into::into)
        .collect();
    Ok(Json(ValuerList { items }))
}

/// A valuation institution writes its profile (replacing the one before).
#[utoipa::path(put, path = "/api/v1/valuation/profile", tag = "platform", request_body = ProfileBody,
    responses((status = 204), (status = 403, description = "not a valuation institution"),
        (status = 422, description = "every wrong field")),
    security(("bearer" = [])))]
pub async fn save_profile(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<StatusCode> {
    let b: ProfileBody = parse(&body)?;
    uc::save_profile(&state, &actor, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The quotes the caller reads (the enterprise's, the institution's, the district's).
#[utoipa::path(get, path = "/api/v1/valuation/quotes", tag = "platform",
    responses((status = 200, body = QuoteList)), security(("bearer" = [])))]
pub async fn quotes(State(state): State<AppState>, actor: Actor) -> AppResult<Json<QuoteList>> {
    let items = state
        .store
        .quotes(&actor.scope)
        .await?
        .iter()
        .map(Into::into)
        .collect();
    Ok(Json(QuoteList { items }))
}

/// An enterprise asks an institution for a quote on one of its IP assets.
#[utoipa::path(post, path = "/api/v1/valuation/quotes", tag = "platform", request_body = QuoteRequestBody,
    responses((status = 201, body = Created), (status = 404, description = "no such institution with a profile"),
        (status = 409, description = "`valuation.open_quote`: one is open for this asset and institution"),
        (status = 422, description = "not the enterprise's asset, or a kind the institution does not value")),
    security(("bearer" = [])))]
pub async fn request_quote(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Created>)> {
    let b: QuoteRequestBody = parse(&body)?;
    let id = uc::request_quote(&state, &actor, &b).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The institution answers a request with a fee and days, or declines with a reason.
#[utoipa::path(post, path = "/api/v1/valuation/quotes/{quote_id}/answer", tag = "platform",
    params(("quote_id" = i64, Path)), request_body = QuoteAnswerBody,
    responses((status = 204), (status = 404, description = "not a quote asked of you"),
        (status = 409, description = "`valuation.state`: already answered"), (status = 422)),
    security(("bearer" = [])))]
pub async fn answer_quote(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let id = path_id(&id)?;
    uc::visible_quote(&state, &actor, id).await?;
    let b: QuoteAnswerBody = parse(&body)?;
    uc::answer_quote(&state, &actor, id, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The enterprise accepts a quoted fee.
#[utoipa::path(post, path = "/api/v1/valuation/quotes/{quote_id}/accept", tag = "platform",
    params(("quote_id" = i64, Path)),
    responses((status = 204), (status = 404, description = "not your quote"),
        (status = 409, description = "`valuation.state`: not quoted")),
    security(("bearer" = [])))]
pub async fn accept_quote(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    uc::accept_quote(&state, &actor, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The institution records the valuation report of an accepted quote (it then shows with the
/// enterprise's IP asset).
#[utoipa::path(post, path = "/api/v1/valuation/quotes/{quote_id}/report", tag = "platform",
    params(("quote_id" = i64, Path)), request_body = ReportBody,
    responses((status = 204), (status = 404, description = "not a quote asked of you"),
        (status = 409, description = "`valuation.state`: not accepted"), (status = 422)),
    security(("bearer" = [])))]
pub async fn record_report(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let id = path_id(&id)?;
    uc::visible_quote(&state, &actor, id).await?;
    let b: ReportBody = parse(&body)?;
    uc::record_report(&state, &actor, id, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}
