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
use ipfin_domain::{Fen, FieldError, Scope};
use ipfin_store::StoreError;
use ipfin_store::platform::{InterpretationRow, ListingRow, NeedRow, ProductRow, ZoneContact};
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
    #[schema(value_type = Option<i64>)]
    pub min_fen: Option<Fen>,
    #[schema(value_type = Option<i64>)]
    pub max_fen: Option<Fen>,
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
    #[schema(value_type = Option<i64>)]
    pub amount_fen: Option<Fen>,
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
    #[schema(value_type = Option<i64>)]
    pub reserve_fen: Option<Fen>,
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
    #[schema(value_type = Option<i64>)]
    pub price_fen: Option<Fen>,
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

/// The caller's own product if it may still be edited: 404 for another bank's, 409 once
/// withdrawn (asked before a body is checked).
pub async fn editable_product(state: &AppState, actor: &Actor, id: i64) -> AppResult<ProductRow> {
    Ok(state.store.product_for_edit(&actor.scope, id).await?)
}

/// The bank corrects its product (checked like a new one, `product_input_check`); the caller
/// has asked [`editable_product`] first.
pub async fn update_product(
    state: &AppState,
    actor: &Actor,
    id: i64,
    p: &Product,
) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .update_product(&mut tx, &actor.scope, id, p)
        .await?)
}

pub async fn withdraw_product(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .withdraw_product(&mut tx, &actor.scope, id)
        .await?)
}

/// The domain's check of a need body, every problem at once.
pub fn need_input_check(b: &NeedBody) -> Result<Need, Vec<FieldError>> {
    Need::check(
        b.amount_fen,
        b.months,
        &b.purpose,
        &b.ip_asset_ids,
        b.public,
    )
}

pub async fn create_need(state: &AppState, actor: &Actor, b: &NeedBody) -> AppResult<i64> {
    let n = need_input_check(b).map_err(fields)?;
    write!(state, actor, |tx| state
        .store
        .create_need(&mut tx, &actor.scope, &n)
        .await?)
}

/// The caller's own need if it may still be edited: 404 for anyone else's, 409 once closed
/// (asked before a body is checked).
pub async fn editable_need(state: &AppState, actor: &Actor, id: i64) -> AppResult<NeedRow> {
    Ok(state.store.need_for_edit(&actor.scope, id).await?)
}

/// The enterprise corrects its open need (the same checks as a new one, every problem at once,
/// after the need was found to be its own and open).
pub async fn update_need(state: &AppState, actor: &Actor, id: i64, b: &NeedBody) -> AppResult<()> {
    editable_need(state, actor, id).await?;
    let n = need_input_check(b).map_err(fields)?;
    write!(state, actor, |tx| state
        .store
        .update_need(&mut tx, &actor.scope, id, &n)
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
#[derive(Debug, Clone)]
pub struct Zone {
    pub code: String,
    pub name: String,
    pub policies: Vec<PolicyVersionRow>,
    pub notices_of_application: Vec<ApplicationNotice>,
    pub interpretations: Vec<InterpretationRow>,
    pub public_notices: Vec<ipfin_store::application::NoticeRow>,
    pub listings: Vec<ListingRow>,
    pub contacts: Vec<ZoneContact>,
    /// The active stations in the district or serving it (where to book on-site service).
    pub stations: Vec<ipfin_store::station::StationRow>,
}

/// A district's zone (public data only, whoever asks), from the short-lived public cache when
/// it is fresh there.
pub async fn zone(state: &AppState, code: &str) -> AppResult<std::sync::Arc<Zone>> {
    state
        .public
        .get_or_load(&format!("zone:{code}"), || load_zone(state, code))
        .await
}

/// The platform's front page: every district zone with its counts, and the latest items.
pub struct ZonesFront {
    /// (code, name, published policies, interpretations) per district.
    pub zones: Vec<(String, String, i64, i64)>,
    pub interpretations: Vec<InterpretationRow>,
    pub listings: Vec<ListingRow>,
    pub products: Vec<st::ProductRow>,
}

/// The platform's front page's data (public, from the short-lived cache when fresh there).
pub async fn zones_front(state: &AppState) -> AppResult<std::sync::Arc<ZonesFront>> {
    state
        .public
        .get_or_load("zones", || async {
            let counts = state.store.zone_counts().await?;
            let zones = state
                .store
                .districts()
                .await?
                .into_iter()
                .map(|d| {
                    let c = counts.iter().find(|c| c.code == d.code);
                    (
                        d.code,
                        d.name,
                        c.map_or(0, |c| c.policies),
                        c.map_or(0, |c| c.interpretations),
                    )
                })
                .collect();
            let mut interpretations = state.store.interpretations(&Scope::Public, None).await?;
            interpretations.truncate(5);
            Ok::<_, AppError>(ZonesFront {
                zones,
                interpretations,
                listings: state
                    .store
                    .listings_where(&Scope::Public, None, true, 5)
                    .await?,
                products: state.store.latest_products(&Scope::Public, 5).await?,
            })
        })
        .await
}

async fn load_zone(state: &AppState, code: &str) -> AppResult<Zone> {
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
        .listings_where(&Scope::Public, Some(code), false, 500)
        .await?;
    Ok(Zone {
        code: d.code.clone(),
        name: d.name,
        policies,
        notices_of_application: notices,
        interpretations: state
            .store
            .interpretations(&Scope::Public, Some(code))
            .await?,
        public_notices: state.store.public_notices(code, 20).await?,
        listings,
        contacts: state.store.zone_contacts(code).await?,
        stations: state.store.stations_serving(code).await?,
    })
}

// ---------------------------------------------------------------------------------------------
// What the API returns (typed, for the OpenAPI document).
// ---------------------------------------------------------------------------------------------

use ipfin_store::platform as st;

/// An IP asset offered in a need or listed for disposal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssetDto {
    pub id: i64,
    /// `patent`, `trademark`, `software_copyright`, `works_copyright`.
    pub kind: String,
    pub number: String,
    pub title: String,
}

impl From<&st::AssetRow> for AssetDto {
    fn from(a: &st::AssetRow) -> Self {
        AssetDto {
            id: a.id,
            kind: a.kind.clone(),
            number: a.number.clone(),
            title: a.title.clone(),
        }
    }
}

/// A bank's loan product (amounts in fen, rates in basis points).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductDto {
    pub id: i64,
    pub bank_org_id: i64,
    pub bank_name: String,
    pub name: String,
    pub ip_kinds: Vec<String>,
    #[schema(value_type = i64)]
    pub min_fen: Fen,
    #[schema(value_type = i64)]
    pub max_fen: Fen,
    pub min_months: i32,
    pub max_months: i32,
    pub min_rate_bp: i32,
    pub max_rate_bp: i32,
    pub industries: Vec<String>,
    pub regions: Vec<String>,
    pub contact: String,
    pub description: String,
    /// `active` or `withdrawn`.
    pub status: String,
}

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

impl From<&st::ProductRow> for ProductDto {
    fn from(p: &st::ProductRow) -> Self {
        ProductDto {
            id: p.id,
            bank_org_id: p.bank_org_id,
            bank_name: p.bank_name.clone(),
            name: p.name.clone(),
            ip_kinds: list(&p.ip_kinds),
            min_fen: p.min_fen,
            max_fen: p.max_fen,
            min_months: p.min_months,
            max_months: p.max_months,
            min_rate_bp: p.min_rate_bp,
            max_rate_bp: p.max_rate_bp,
            industries: list(&p.industries),
            regions: list(&p.regions),
            contact: p.contact.clone(),
            description: p.description.clone(),
            status: p.status.clone(),
        }
    }
}

/// An enterprise's financing need.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NeedDto {
    pub id: i64,
    pub enterprise_name: String,
    pub industry: Option<String>,
    pub district_code: Option<String>,
    #[schema(value_type = i64)]
    pub amount_fen: Fen,
    pub months: i32,
    pub purpose: String,
    pub public: bool,
    /// `open` or `closed`.
    pub status: String,
    pub assets: Vec<AssetDto>,
}

impl From<&st::NeedRow> for NeedDto {
    fn from(n: &st::NeedRow) -> Self {
        NeedDto {
            id: n.id,
            enterprise_name: n.enterprise_name.clone(),
            industry: n.industry.clone(),
            district_code: n.district_code.clone(),
            amount_fen: n.amount_fen,
            months: n.months,
            purpose: n.purpose.clone(),
            public: n.public,
            status: n.status.clone(),
            assets: n.assets.iter().map(Into::into).collect(),
        }
    }
}

/// A disposal listing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListingDto {
    pub id: i64,
    pub loan_id: i64,
    pub bank_name: String,
    pub district_code: Option<String>,
    pub title: String,
    #[schema(value_type = i64)]
    pub reserve_fen: Fen,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub terms: String,
    /// `open`, `sold` or `withdrawn`.
    pub status: String,
    #[schema(value_type = Option<i64>)]
    pub price_fen: Option<Fen>,
    pub outcome_on: Option<NaiveDate>,
    pub outcome_note: String,
    pub assets: Vec<AssetDto>,
}

impl From<&st::ListingRow> for ListingDto {
    fn from(l: &st::ListingRow) -> Self {
        ListingDto {
            id: l.id,
            loan_id: l.loan_id,
            bank_name: l.bank_name.clone(),
            district_code: l.district_code.clone(),
            title: l.title.clone(),
            reserve_fen: l.reserve_fen,
            opens_on: l.opens_on,
            closes_on: l.closes_on,
            terms: l.terms.clone(),
            status: l.status.clone(),
            price_fen: l.price_fen,
            outcome_on: l.outcome_on,
            outcome_note: l.outcome_note.clone(),
            assets: l.assets.iter().map(Into::into).collect(),
        }
    }
}

/// A matchmaking contact.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactDto {
    pub id: i64,
    /// `request` (enterprise → product) or `interest` (bank → need).
    pub kind: String,
    pub subject_id: i64,
    pub subject: String,
    pub enterprise_name: String,
    pub bank_name: String,
    pub on_date: NaiveDate,
    pub message: String,
    /// The push entry the contact was counted on, when the enterprise was pushed to the bank.
    pub push_entry_id: Option<i64>,
}

impl From<&st::ContactRow> for ContactDto {
    fn from(c: &st::ContactRow) -> Self {
        ContactDto {
            id: c.id,
            kind: c.kind.clone(),
            subject_id: c.subject_id,
            subject: c.subject.clone(),
            enterprise_name: c.enterprise_name.clone(),
            bank_name: c.bank_name.clone(),
            on_date: c.on_date,
            message: c.message.clone(),
            push_entry_id: c.push_entry_id,
        }
    }
}

/// A published interpretation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InterpretationDto {
    pub id: i64,
    pub district_code: String,
    pub policy_version_id: i64,
    pub policy_title: String,
    pub title: String,
    pub body: String,
    pub published_at: Option<i64>,
}

impl From<&InterpretationRow> for InterpretationDto {
    fn from(i: &InterpretationRow) -> Self {
        InterpretationDto {
            id: i.id,
            district_code: i.district_code.clone(),
            policy_version_id: i.policy_version_id,
            policy_title: i.policy_title.clone(),
            title: i.title.clone(),
            body: i.body.clone(),
            published_at: i.published_at,
        }
    }
}

/// A published policy on a zone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyLinkDto {
    pub id: i64,
    pub title: String,
    pub year: i32,
    pub url: String,
}

/// A public notice (公示) on a zone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeDto {
    pub id: i64,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: String,
}

/// A contact person of the district's lead department.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ZoneContactDto {
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A district zone as the API gives it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ZoneDto {
    pub code: String,
    pub name: String,
    pub policies: Vec<PolicyLinkDto>,
    pub application_notices: Vec<ApplicationNotice>,
    pub interpretations: Vec<InterpretationDto>,
    pub public_notices: Vec<NoticeDto>,
    pub listings: Vec<ListingDto>,
    pub contacts: Vec<ZoneContactDto>,
    /// Service stations located in or serving the district, each with its booking link.
    pub stations: Vec<ZoneStationDto>,
}

/// A service station as the public zone shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ZoneStationDto {
    pub id: i64,
    pub name: String,
    /// The district the station sits in.
    pub district_code: String,
    pub partner_name: String,
    pub address: String,
    /// District codes served.
    pub service_area: Vec<String>,
    pub contact_name: String,
    pub contact_phone: String,
    /// Where anyone requests on-site service from it.
    pub book_url: String,
}

impl From<&Zone> for ZoneDto {
    fn from(z: &Zone) -> Self {
        ZoneDto {
            code: z.code.clone(),
            name: z.name.clone(),
            policies: z
                .policies
                .iter()
                .map(|v| PolicyLinkDto {
                    id: v.id,
                    title: v.title.clone(),
                    year: v.year,
                    url: format!("/policies/{}", v.id),
                })
                .collect(),
            application_notices: z.notices_of_application.clone(),
            interpretations: z.interpretations.iter().map(Into::into).collect(),
            public_notices: z
                .public_notices
                .iter()
                .map(|n| NoticeDto {
                    id: n.id,
                    title: n.title.clone(),
                    starts_on: n.starts_on,
                    ends_on: n.ends_on,
                    status: n.status.clone(),
                })
                .collect(),
            listings: z.listings.iter().map(Into::into).collect(),
            contacts: z
                .contacts
                .iter()
                .map(|c| ZoneContactDto {
                    name: c.name.clone(),
                    title: c.title.clone(),
                    phone: c.phone.clone(),
                    email: c.email.clone(),
                })
                .collect(),
            stations: z
                .stations
                .iter()
                .map(|s| ZoneStationDto {
                    id: s.id,
                    name: s.name.clone(),
                    district_code: s.district_code.clone(),
                    partner_name: s.partner_name.clone(),
                    address: s.address.clone(),
                    service_area: s.area(),
                    contact_name: s.contact_name.clone(),
                    contact_phone: s.contact_phone.clone(),
                    book_url: format!("/book?station={}", s.id),
                })
                .collect(),
        }
    }
}

/// A list of products.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductList {
    pub items: Vec<ProductDto>,
}

/// A list of needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeedList {
    pub items: Vec<NeedDto>,
}

/// A list of listings.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingList {
    pub items: Vec<ListingDto>,
}

/// One search result.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitDto {
    /// `policy`, `interpretation`, `product` or `listing`.
    pub kind: String,
    pub id: i64,
    pub title: String,
    pub url: String,
}

/// Search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResult {
    pub q: String,
    pub items: Vec<SearchHitDto>,
}

impl SearchResult {
    pub fn new(q: String, hits: &[st::SearchHit]) -> Self {
        SearchResult {
            q,
            items: hits
                .iter()
                .map(|h| SearchHitDto {
                    kind: h.kind.to_string(),
                    id: h.id,
                    title: h.title.clone(),
                    url: h.url.clone(),
                })
                .collect(),
        }
    }
}

/// A need proposed for a product, with the reasons.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeedMatch {
    pub need: NeedDto,
    /// Which criteria matched, in words (in the caller's language: Chinese unless the request
    /// asks for English).
    pub reasons: Vec<String>,
}

/// A product proposed for a need, with the reasons.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductMatch {
    pub product: ProductDto,
    /// Which criteria matched, in words (in the caller's language: Chinese unless the request
    /// asks for English).
    pub reasons: Vec<String>,
}

/// A bank's product with the needs proposed for it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductMatches {
    pub product: ProductDto,
    pub needs: Vec<NeedMatch>,
}

/// An enterprise's need with the products proposed for it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeedMatches {
    pub need: NeedDto,
    pub products: Vec<ProductMatch>,
}

/// The caller's proposed matches (a bank: `products`; an enterprise: `needs`) and contacts.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchmakingDto {
    pub products: Vec<ProductMatches>,
    pub needs: Vec<NeedMatches>,
    pub contacts: Vec<ContactDto>,
}

pub async fn matchmaking(state: &AppState, actor: &Actor) -> AppResult<MatchmakingDto> {
    let contacts = state
        .store
        .match_contacts(&actor.scope)
        .await?
        .iter()
        .map(Into::into)
        .collect();
    if actor.scope.org_kind() == Some(ipfin_domain::OrgKind::FinancialInstitution) {
        let m = state.store.bank_matches(&actor.scope).await?;
        Ok(MatchmakingDto {
            products: m
                .iter()
                .map(|(p, ms)| ProductMatches {
                    product: p.into(),
                    needs: ms
                        .iter()
                        .map(|x| NeedMatch {
                            need: (&x.item).into(),
                            reasons: x
                                .reasons
                                .iter()
                                .map(|r| r.text(actor.lang).to_string())
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
            needs: vec![],
            contacts,
        })
    } else {
        let m = state.store.enterprise_matches(&actor.scope).await?;
        Ok(MatchmakingDto {
            products: vec![],
            needs: m
                .iter()
                .map(|(n, ms)| NeedMatches {
                    need: n.into(),
                    products: ms
                        .iter()
                        .map(|x| ProductMatch {
                            product: (&x.item).into(),
                            reasons: x
                                .reasons
                                .iter()
                                .map(|r| r.text(actor.lang).to_string())
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
            contacts,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Valuation (评估评价, issue #22 item 3): profiles, quotes, reports.
// ---------------------------------------------------------------------------------------------

/// A valuation institution in the directory.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ValuerDto {
    pub org_id: i64,
    pub name: String,
    /// Qualifications as the institution states them; absent until it writes its profile.
    pub qualifications: Option<String>,
    /// IP kind codes it values.
    pub ip_kinds: Vec<String>,
    /// Fee range in fen.
    #[schema(value_type = Option<i64>)]
    pub fee_min_fen: Option<Fen>,
    #[schema(value_type = Option<i64>)]
    pub fee_max_fen: Option<Fen>,
    pub contacts: Vec<ZoneContactDto>,
}

impl From<&st::Valuer> for ValuerDto {
    fn from(v: &st::Valuer) -> Self {
        ValuerDto {
            org_id: v.org_id,
            name: v.name.clone(),
            qualifications: v.profile.as_ref().map(|p| p.qualifications.clone()),
            ip_kinds: v.profile.as_ref().map_or_else(Vec::new, |p| {
                p.ip_kinds
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            }),
            fee_min_fen: v.profile.as_ref().map(|p| p.fee_min_fen),
            fee_max_fen: v.profile.as_ref().map(|p| p.fee_max_fen),
            contacts: v
                .contacts
                .iter()
                .map(|c| ZoneContactDto {
                    name: c.name.clone(),
                    title: c.title.clone(),
                    phone: c.phone.clone(),
                    email: c.email.clone(),
                })
                .collect(),
        }
    }
}

/// The valuation directory.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValuerList {
    pub items: Vec<ValuerDto>,
}

/// A valuation institution's profile.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    #[serde(default)]
    pub qualifications: String,
    /// `patent`, `trademark`, `software_copyright`, `works_copyright`.
    #[serde(default)]
    pub ip_kinds: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub fee_min_fen: Option<Fen>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub fee_max_fen: Option<Fen>,
}

/// An enterprise's quote request.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequestBody {
    pub valuer_org_id: i64,
    /// One of the enterprise's IP assets.
    #[serde(default)]
    pub asset_id: Option<i64>,
    #[serde(default)]
    pub note: String,
}

/// The institution's answer: a fee and days, or `decline` with the reason in `note`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteAnswerBody {
    #[serde(default)]
    pub decline: bool,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub fee_fen: Option<Fen>,
    #[serde(default)]
    pub days: Option<i32>,
    #[serde(default)]
    pub note: String,
}

/// The valuation report of an accepted quote.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    #[serde(default)]
    pub report_number: String,
    #[serde(default)]
    pub report_date: Option<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub appraised_fen: Option<Fen>,
}

/// A valuation quote.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuoteDto {
    pub id: i64,
    pub district_code: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub valuer_org_id: i64,
    pub valuer_name: String,
    pub asset: AssetDto,
    pub note: String,
    /// requested | quoted | declined | accepted | reported
    pub status: String,
    #[schema(value_type = Option<i64>)]
    pub fee_fen: Option<Fen>,
    pub days: Option<i32>,
    /// The quote's note or the reason for declining.
    pub answer: Option<String>,
    pub report_number: Option<String>,
    pub report_date: Option<NaiveDate>,
    #[schema(value_type = Option<i64>)]
    pub appraised_fen: Option<Fen>,
    pub requested_on: NaiveDate,
}

impl From<&st::QuoteRow> for QuoteDto {
    fn from(q: &st::QuoteRow) -> Self {
        QuoteDto {
            id: q.id,
            district_code: q.district_code.clone(),
            enterprise_id: q.enterprise_id,
            enterprise_name: q.enterprise_name.clone(),
            valuer_org_id: q.valuer_org_id,
            valuer_name: q.valuer_name.clone(),
            asset: AssetDto {
                id: q.asset_id,
                kind: q.asset_kind.clone(),
                number: q.asset_number.clone(),
                title: q.asset_title.clone(),
            },
            note: q.note.clone(),
            status: q.status.clone(),
            fee_fen: q.fee_fen,
            days: q.days,
            answer: q.answer.clone(),
            report_number: q.report_number.clone(),
            report_date: q.report_date,
            appraised_fen: q.appraised_fen,
            requested_on: q.requested_on,
        }
    }
}

/// Quotes the caller reads.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteList {
    pub items: Vec<QuoteDto>,
}

/// The quote, when the caller reads it (404 otherwise): checked before a body is looked at, so
/// someone else's quote is "not found" whatever is sent.
pub async fn visible_quote(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    state.store.quote(&actor.scope, id).await?;
    Ok(())
}

pub async fn save_profile(state: &AppState, actor: &Actor, b: &ProfileBody) -> AppResult<()> {
    let p = ipfin_domain::platform::ValuationProfile::check(
        &b.qualifications,
        &b.ip_kinds,
        b.fee_min_fen,
        b.fee_max_fen,
    )
    .map_err(fields)?;
    write!(state, actor, |tx| state
        .store
        .save_valuation_profile(&mut tx, &actor.scope, &p)
        .await?)
}

pub async fn request_quote(
    state: &AppState,
    actor: &Actor,
    b: &QuoteRequestBody,
) -> AppResult<i64> {
    write!(state, actor, |tx| state
        .store
        .request_quote(
            &mut tx,
            &actor.scope,
            b.valuer_org_id,
            b.asset_id,
            &b.note,
            today()
        )
        .await?)
}

pub async fn answer_quote(
    state: &AppState,
    actor: &Actor,
    id: i64,
    b: &QuoteAnswerBody,
) -> AppResult<()> {
    let a = ipfin_domain::platform::QuoteAnswer::check(b.decline, b.fee_fen, b.days, &b.note)
        .map_err(fields)?;
    write!(state, actor, |tx| state
        .store
        .answer_quote(&mut tx, &actor.scope, id, &a)
        .await?)
}

pub async fn accept_quote(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .accept_quote(&mut tx, &actor.scope, id)
        .await?)
}

pub async fn record_report(
    state: &AppState,
    actor: &Actor,
    id: i64,
    b: &ReportBody,
) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .record_valuation_report(
            &mut tx,
            &actor.scope,
            id,
            &b.report_number,
            b.report_date,
            b.appraised_fen,
            today()
        )
        .await?)
}
