//! The public service platform (SPEC §7 R3.3, issue #22) for the pages and the API alike: the
//! bodies of products, needs, contacts, listings and interpretations (checked by the domain,
//! every error at once), the audited actions, and what a district zone shows.

use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::write;
use chrono::NaiveDate;
use ipfin_domain::platform::{
    Interest, Interpretation, Listing, ListingOutcome, Need, Product, ProductInput,
};
use ipfin_domain::{FieldError, Scope};
use ipfin_store::StoreError;
use ipfin_store::platform::{InterpretationRow, ListingRow, ZoneContact};
use ipfin_store::policy::PolicyVersionRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn today() -> NaiveDate {
    ipfin_store::today_shanghai()
}

fn fields(e: Vec<FieldError>) -> AppError {
    AppError::from(StoreError::fields(e))
}

/// A loan product as a bank publishes it (amounts in fen, rates in basis points: 345 = 3.45%).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct ProductBody {
    pub name: String,
    /// `patent`, `trademark`, `software_copyright`, `works_copyright`.
    pub ip_kinds: Vec<String>,
    pub min_fen: Option<i64>,
    pub max_fen: Option<i64>,
    pub min_months: Option<i32>,
    pub max_months: Option<i32>,
    pub min_rate_bp: Option<i32>,
    pub max_rate_bp: Option<i32>,
    /// GB/T 4754 industry code prefixes (empty: any).
    pub industries: Vec<String>,
    /// District codes (empty: the whole city).
    pub regions: Vec<String>,
    pub contact: String,
    pub description: String,
}

/// A financing need as an enterprise publishes it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct NeedBody {
    pub amount_fen: Option<i64>,
    pub months: Option<i32>,
    pub purpose: String,
    /// Ids of the enterprise's own IP assets offered (at least one).
    pub ip_asset_ids: Vec<i64>,
    /// Listed on the public page (banks see every open need either way).
    pub public: bool,
}

/// A contact request or an expression of interest.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct ContactBody {
    pub message: String,
}

/// A disposal listing of a defaulted loan's pledged IP.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct ListingBody {
    pub loan_id: Option<i64>,
    pub title: String,
    pub reserve_fen: Option<i64>,
    /// YYYY-MM-DD (default today).
    pub opens_on: Option<NaiveDate>,
    /// YYYY-MM-DD, after today.
    pub closes_on: Option<NaiveDate>,
    pub terms: String,
    pub ip_asset_ids: Vec<i64>,
}

/// The outcome of a listing.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct OutcomeBody {
    /// `sold` or `withdrawn`.
    pub status: String,
    pub price_fen: Option<i64>,
    pub on: Option<NaiveDate>,
    pub note: String,
}

pub fn check_product(b: &ProductBody) -> AppResult<Product> {
    product_input_check(b).map_err(fields)
}

/// The domain's check of a product body, every problem at once.
pub fn product_input_check(b: &ProductBody) -> Result<Product, Vec<FieldError>> {
    Product::check(&ProductInput {
        name: &b.name,
        ip_kinds: &b.ip_kinds,
        min_fen: b.min_fen,
        max_fen: b.max_fen,
        min_months: b.min_months,
        max_months: b.max_months,
        min_rate_bp: b.min_rate_bp,
        max_rate_bp: b.max_rate_bp,
        industries: &b.industries,
        regions: &b.regions,
        contact: &b.contact,
        description: &b.description,
    })
}

pub async fn create_product(state: &AppState, actor: &Actor, p: &Product) -> AppResult<i64> {
    write!(state, actor, |tx| state
        .store
        .create_product(&mut tx, &actor.scope, p)
        .await?)
}

pub async fn withdraw_product(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .withdraw_product(&mut tx, &actor.scope, id)
        .await?)
}

pub async fn create_need(state: &AppState, actor: &Actor, b: &NeedBody) -> AppResult<i64> {
    let n = Need::check(
        b.amount_fen,
        b.months,
        &b.purpose,
        &b.ip_asset_ids,
        b.public,
    )
    .map_err(fields)?;
    write!(state, actor, |tx| state
        .store
        .create_need(&mut tx, &actor.scope, &n)
        .await?)
}

pub async fn close_need(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .close_need(&mut tx, &actor.scope, id)
        .await?)
}

pub async fn request_contact(
    state: &AppState,
    actor: &Actor,
    product_id: i64,
    b: &ContactBody,
) -> AppResult<i64> {
    write!(state, actor, |tx| state
        .store
        .request_contact(&mut tx, &actor.scope, product_id, &b.message)
        .await?)
}

pub async fn express_interest(
    state: &AppState,
    actor: &Actor,
    need_id: i64,
    b: &ContactBody,
) -> AppResult<i64> {
    write!(state, actor, |tx| state
        .store
        .express_interest(&mut tx, &actor.scope, need_id, &b.message)
        .await?)
}

/// The checks of a listing body (the loan chosen, the domain's rules), every problem at once.
pub fn listing_check(b: &ListingBody) -> Result<Listing, Vec<FieldError>> {
    let mut errors = Vec::new();
    if b.loan_id.is_none() {
        errors.push(FieldError::new(
            "loan_id",
            "listing.loan",
            "请选择违约贷款。",
            "Choose the defaulted loan.",
        ));
    }
    match Listing::check(
        &b.title,
        b.reserve_fen,
        b.opens_on,
        b.closes_on,
        &b.terms,
        &b.ip_asset_ids,
        today(),
    ) {
        Ok(l) if errors.is_empty() => Ok(l),
        Ok(_) => Err(errors),
        Err(mut e) => {
            errors.append(&mut e);
            Err(errors)
        }
    }
}

pub async fn create_listing(state: &AppState, actor: &Actor, b: &ListingBody) -> AppResult<i64> {
    let l = listing_check(b).map_err(fields)?;
    let loan = b.loan_id.unwrap_or_default();
    write!(state, actor, |tx| state
        .store
        .create_listing(&mut tx, &actor.scope, loan, &l)
        .await?)
}

pub async fn record_outcome(
    state: &AppState,
    actor: &Actor,
    id: i64,
    b: &OutcomeBody,
) -> AppResult<()> {
    let o =
        ListingOutcome::check(&b.status, b.price_fen, b.on, &b.note, today()).map_err(fields)?;
    write!(state, actor, |tx| state
        .store
        .record_listing_outcome(&mut tx, &actor.scope, id, &o)
        .await?)
}

pub async fn register_interest(
    state: &AppState,
    actor: &Actor,
    id: i64,
    name: &str,
    contact: &str,
    note: &str,
) -> AppResult<i64> {
    let i = Interest::check(name, contact, note).map_err(fields)?;
    write!(state, actor, |tx| state
        .store
        .register_interest(&mut tx, id, &i, today())
        .await?)
}

pub async fn save_interpretation(
    state: &AppState,
    actor: &Actor,
    district: &str,
    id: Option<i64>,
    title: &str,
    body: &str,
    policy: Option<i64>,
) -> AppResult<i64> {
    let i = Interpretation::check(title, body, policy).map_err(fields)?;
    write!(state, actor, |tx| state
        .store
        .save_interpretation(&mut tx, &actor.scope, district, id, &i)
        .await?)
}

pub async fn set_interpretation_status(
    state: &AppState,
    actor: &Actor,
    id: i64,
    publish: bool,
) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .set_interpretation_status(&mut tx, &actor.scope, id, publish)
        .await?)
}

/// An application window of a published policy (申报通知): its batch, dates and whether it is
/// open today (then the zone links into the application form with the policy chosen).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicationNotice {
    pub policy_version_id: i64,
    pub policy_title: String,
    pub batch: String,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    pub open_now: bool,
    pub apply_url: String,
}

/// What a district zone shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Zone {
    pub code: String,
    pub name: String,
    #[schema(value_type = Vec<Object>)]
    pub policies: Vec<PolicyVersionRow>,
    pub notices_of_application: Vec<ApplicationNotice>,
    #[schema(value_type = Vec<Object>)]
    pub interpretations: Vec<InterpretationRow>,
    #[schema(value_type = Vec<Object>)]
    pub public_notices: Vec<ipfin_store::application::NoticeRow>,
    #[schema(value_type = Vec<Object>)]
    pub listings: Vec<ListingRow>,
    #[schema(value_type = Vec<Object>)]
    pub contacts: Vec<ZoneContact>,
}

/// A district's zone (public data only, whoever asks).
pub async fn zone(state: &AppState, code: &str) -> AppResult<Zone> {
    let d = state
        .store
        .districts()
        .await?
        .into_iter()
        .find(|d| d.code == code)
        .ok_or_else(AppError::not_found)?;
    let policies: Vec<PolicyVersionRow> = state
        .store
        .policy_versions(&Scope::Public, Some(code))
        .await?
        .into_iter()
        .filter(|v| v.status == "published")
        .collect();
    let t = today();
    let mut notices = Vec::new();
    for v in &policies {
        if let Ok(doc) = v.doc() {
            for b in doc.batches {
                notices.push(ApplicationNotice {
                    policy_version_id: v.id,
                    policy_title: v.title.clone(),
                    open_now: b.opens <= t && t <= b.closes,
                    apply_url: format!("/applications/new?policy={}", v.id),
                    batch: b.name,
                    opens: b.opens,
                    closes: b.closes,
                });
            }
        }
    }
    notices.sort_by_key(|n| (!n.open_now, n.closes));
    let listings = state
        .store
        .listings(&Scope::Public)
        .await?
        .into_iter()
        .filter(|l| l.district_code.as_deref() == Some(code))
        .collect();
    Ok(Zone {
        code: d.code.clone(),
        name: d.name,
        policies,
        notices_of_application: notices,
        interpretations: state
            .store
            .interpretations(&Scope::Public, Some(code))
            .await?,
        public_notices: state
            .store
            .notices(Some(code))
            .await?
            .into_iter()
            .filter(|n| n.status != "draft")
            .take(20)
            .collect(),
        listings,
        contacts: state.store.zone_contacts(code).await?,
    })
}
