//! The public service platform on pages (SPEC §7 R3.3, issue #22): the city's front page of
//! district zones `/zones`, each zone `/zones/{code}` with its interpretations, feeds, the one
//! search box `/search`; matchmaking (`/products`, `/financing-needs`, `/matchmaking`, the
//! owners' edit forms `/matchmaking/products/{id}/edit` and `/matchmaking/needs/{id}/edit`);
//! disposal (`/disposal` public, `/disposals` for the pledgee bank); the valuation directory
//! `/valuation`; the officers' interpretations `/interpretations`. Text people typed is always
//! rendered as text (askama escapes it), never as HTML.

use super::{CsrfForm, FormErrors, PageCtx, flash_key, render, see_other};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::path_id;
use crate::usecase::platform::{
    self as uc, ContactBody, ListingBody, NeedBody, OutcomeBody, ProductBody, Zone,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ipfin_domain::ip_number::IpKind;
use ipfin_domain::money::{Fen, parse_amount};
use ipfin_domain::platform::{
    ContactKind, InterpretationStatus, ListingStatus, NeedStatus, ProductStatus, paragraphs,
    parse_rate_bp, rate_display,
};
use ipfin_domain::{FieldError, Lang, Msg, OrgKind, Scope};
use ipfin_store::platform::{
    AssetRow, ContactRow, DisposableLoan, InterestRow, InterpretationRow, ListingRow, Match,
    NeedRow, ProductRow, SearchHit,
};
use ipfin_store::policy::PolicyVersionRow;
use serde::Deserialize;

/// Display helpers shared by the platform's templates, in the page's language (the status
/// words are the domain's `code_enum!` labels, like every other area's).
pub struct Fmt(pub Lang);

impl Fmt {
    /// A list item's kind marker: “【解读】” in Chinese, “[Interpretation]” in English.
    pub fn marker(&self, label: &str) -> String {
        match self.0 {
            Lang::Zh => format!("【{label}】"),
            Lang::En => format!("[{label}] "),
        }
    }
    /// An amount in 元 (“1,000.00 元”; in English “1,000.00 yuan”).
    pub fn yuan<F: Copy + Into<Fen>>(&self, fen: &F) -> String {
        let fen: Fen = (*fen).into();
        match self.0 {
            Lang::Zh => fen.to_string(),
            Lang::En => format!("{} yuan", fen.yuan()),
        }
    }
    pub fn opt_yuan<F: Copy + Into<Fen>>(&self, fen: &Option<F>) -> String {
        fen.map(|f| self.yuan(&f)).unwrap_or_default()
    }
    /// The colon between a label and what follows (full-width in Chinese).
    pub fn colon(&self) -> &'static str {
        match self.0 {
            Lang::Zh => "：",
            Lang::En => ": ",
        }
    }
    pub fn rate(&self, bp: &i32) -> String {
        rate_display(*bp)
    }
    pub fn kinds(&self, codes: &str) -> String {
        let sep = if self.0 == Lang::En { ", " } else { "、" };
        codes
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| IpKind::from_code(c).map_or(c.to_string(), |k| self.ip_kind(k).to_string()))
            .collect::<Vec<_>>()
            .join(sep)
    }
    pub fn kind(&self, code: &str) -> &'static str {
        IpKind::from_code(code).map_or("", |k| self.ip_kind(k))
    }
    fn ip_kind(&self, k: IpKind) -> &'static str {
        match self.0 {
            Lang::Zh => k.zh(),
            Lang::En => k.en(),
        }
    }
    /// Every IP kind as (code, label), for the checkboxes of the product form.
    pub fn kind_options(&self) -> Vec<(&'static str, &'static str)> {
        IpKind::ALL
            .iter()
            .map(|k| (k.code(), self.ip_kind(*k)))
            .collect()
    }
    pub fn paras(&self, body: &str) -> Vec<String> {
        paragraphs(body)
    }
    /// A product's industries or regions; none declared: any (不限).
    pub fn or_any(&self, s: &str) -> String {
        match (s.is_empty(), self.0) {
            (true, Lang::Zh) => "不限".into(),
            (true, Lang::En) => "Any".into(),
            (false, Lang::Zh) => s.replace(',', "、"),
            (false, Lang::En) => s.replace(',', ", "),
        }
    }
    pub fn product_status(&self, code: &str) -> &'static str {
        ProductStatus::from_code(code).map_or("", |s| s.label(self.0))
    }
    pub fn need_status(&self, code: &str) -> &'static str {
        NeedStatus::from_code(code).map_or("", |s| s.label(self.0))
    }
    pub fn listing_status(&self, code: &str) -> &'static str {
        ListingStatus::from_code(code).map_or("", |s| s.label(self.0))
    }
    pub fn interp_status(&self, code: &str) -> &'static str {
        InterpretationStatus::from_code(code).map_or("", |s| s.label(self.0))
    }
    pub fn contact_kind(&self, code: &str) -> &'static str {
        ContactKind::from_code(code).map_or("", |s| s.label(self.0))
    }
    /// The reasons of a match (which criteria matched), in the page's language.
    pub fn reasons(&self, reasons: &[Msg]) -> String {
        let sep = if self.0 == Lang::En { "; " } else { "；" };
        reasons
            .iter()
            .map(|r| r.text(self.0))
            .collect::<Vec<_>>()
            .join(sep)
    }
}

fn field(field: &'static str, code: &'static str, zh: &str) -> FieldError {
    FieldError::new(field, code, zh, "See the message in Chinese.")
}

fn yuan_field(
    errors: &mut Vec<FieldError>,
    name: &'static str,
    v: &str,
    required: bool,
) -> Option<Fen> {
    let v = v.trim();
    if v.is_empty() {
        if required {
            errors.push(field(name, "form.amount", "请填写金额（元）。"));
        }
        return None;
    }
    let a = parse_amount(v, 100).map(Fen::new);
    if a.is_none() {
        errors.push(field(
            name,
            "form.amount",
            "金额应为元，最多两位小数，例如 5000000 或 5000000.00。",
        ));
    }
    a
}

fn int_field<T: std::str::FromStr>(
    errors: &mut Vec<FieldError>,
    name: &'static str,
    v: &str,
) -> Option<T> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let r = v.parse().ok();
    if r.is_none() {
        errors.push(field(name, "form.number", "请填写整数。"));
    }
    r
}

fn date_field(
    errors: &mut Vec<FieldError>,
    name: &'static str,
    v: &str,
) -> Option<chrono::NaiveDate> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let r = v.parse().ok();
    if r.is_none() {
        errors.push(field(name, "form.date", "日期格式应为 YYYY-MM-DD。"));
    }
    r
}

/// The errors of a form's own parsing (amounts, numbers, dates) together with the domain's
/// check of the rest, so every problem is shown at once.
fn combined<T>(mut own: Vec<FieldError>, domain: Result<T, Vec<FieldError>>) -> AppResult<T> {
    match domain {
        Ok(v) if own.is_empty() => Ok(v),
        Ok(_) => Err(AppError::from(ipfin_store::StoreError::fields(own))),
        Err(e) => {
            for x in e {
                if !own.iter().any(|o| o.field == x.field) {
                    own.push(x);
                }
            }
            Err(AppError::from(ipfin_store::StoreError::fields(own)))
        }
    }
}

fn is_form_error(e: &AppError) -> bool {
    matches!(
        e.status,
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT | StatusCode::FORBIDDEN
    )
}

// ---------------------------------------------------------------------------------------------
// Zones, interpretations, feeds, search
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "zones.html")]
struct ZonesPage {
    ctx: PageCtx,
    f: Fmt,
    front: std::sync::Arc<uc::ZonesFront>,
}

/// `GET /zones`: the city's front page — every district zone and the latest items.
pub async fn zones(State(state): State<AppState>, actor: Actor) -> AppResult<Response> {
    let front = uc::zones_front(&state).await?;
    let page = ZonesPage {
        ctx: PageCtx::new(&actor, &state, "/zones"),
        f: Fmt(actor.lang),
        front,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "zone.html")]
struct ZonePage {
    ctx: PageCtx,
    f: Fmt,
    z: std::sync::Arc<Zone>,
}

/// `GET /zones/{code}`: a district's zone.
pub async fn zone(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let z = uc::zone(&state, &code).await?;
    let page = ZonePage {
        ctx: PageCtx::new(&actor, &state, "/zones"),
        f: Fmt(actor.lang),
        z,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "interpretation.html")]
struct InterpretationPage {
    ctx: PageCtx,
    f: Fmt,
    i: InterpretationRow,
}

/// `GET /zones/{code}/interpretations/{interp_id}`: a published interpretation.
pub async fn interpretation(
    State(state): State<AppState>,
    actor: Actor,
    Path((code, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let i = state.store.interpretation(&Scope::Public, id).await?;
    if i.district_code != code {
        return Err(AppError::not_found());
    }
    let page = InterpretationPage {
        ctx: PageCtx::new(&actor, &state, "/zones"),
        f: Fmt(actor.lang),
        i,
    };
    Ok(render(StatusCode::OK, &page))
}

/// One item of a zone's feed.
struct FeedItem {
    id: String,
    url: String,
    title: String,
    summary: String,
    at: i64,
}

async fn feed(state: &AppState, code: &str) -> AppResult<(String, Vec<FeedItem>)> {
    let base = crate::views::policy::base_url(state).to_string();
    let district = if code == "city" { None } else { Some(code) };
    let name = match district {
        Some(d) => state
            .store
            .districts()
            .await?
            .into_iter()
            .find(|x| x.code == d)
            .map(|x| x.name)
            .ok_or_else(AppError::not_found)?,
        None => "全市".to_string(),
    };
    let mut items = Vec::new();
    for v in state
        .store
        .policy_versions(&Scope::Public, district)
        .await?
    {
        if v.status != "published" {
            continue;
        }
        items.push(FeedItem {
            id: format!("{base}/policies/{}", v.id),
            url: format!("{base}/policies/{}", v.id),
            summary: v.doc().map(|d| d.summary).unwrap_or_default(),
            title: format!("【政策】{}", v.title),
            at: v.published_at.unwrap_or_default(),
        });
    }
    for i in state
        .store
        .interpretations(&Scope::Public, district)
        .await?
    {
        let url = format!("{base}/zones/{}/interpretations/{}", i.district_code, i.id);
        items.push(FeedItem {
            id: url.clone(),
            url,
            summary: i.body.chars().take(200).collect(),
            title: format!("【解读】{}", i.title),
            at: i.published_at.unwrap_or_default(),
        });
    }
    for l in state.store.listings(&Scope::Public).await? {
        if district.is_some() && l.district_code.as_deref() != district {
            continue;
        }
        items.push(FeedItem {
            id: format!("{base}/disposal/{}", l.id),
            url: format!("{base}/disposal/{}", l.id),
            summary: format!("保留价 {}，截止 {}", l.reserve_fen, l.closes_on),
            title: format!("【处置】{}", l.title),
            at: l.created_at,
        });
    }
    items.sort_by_key(|i| std::cmp::Reverse(i.at));
    items.truncate(50);
    Ok((name, items))
}

/// `GET /feeds/{code}/zone.atom` (`city` for every zone): policies, interpretations and
/// disposal listings as an Atom feed.
pub async fn zone_atom(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Response> {
    use crate::views::policy::{rfc3339, xml_escape};
    let (name, items) = feed(&state, &code).await?;
    let base = crate::views::policy::base_url(&state);
    let updated = items.iter().map(|i| i.at).max().unwrap_or(0);
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>{}知识产权金融专区</title>\n<id>{base}/feeds/{code}/zone.atom</id>\n<link rel=\"self\" href=\"{base}/feeds/{code}/zone.atom\"/>\n<link href=\"{base}/zones\"/>\n<updated>{}</updated>\n<author><name>{}</name></author>\n",
        xml_escape(&name),
        rfc3339(updated),
        xml_escape(&name)
    );
    for i in &items {
        xml.push_str(&format!(
            "<entry>\n<title>{}</title>\n<id>{}</id>\n<link href=\"{}\"/>\n<updated>{}</updated>\n<summary>{}</summary>\n</entry>\n",
            xml_escape(&i.title),
            xml_escape(&i.id),
            xml_escape(&i.url),
            rfc3339(i.at),
            xml_escape(&i.summary)
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

/// `GET /feeds/{code}/zone.json`: the same as a JSON Feed 1.1.
pub async fn zone_json(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Response> {
    use crate::views::policy::rfc3339;
    let (name, items) = feed(&state, &code).await?;
    let base = crate::views::policy::base_url(&state);
    let feed = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": format!("{name}知识产权金融专区"),
        "home_page_url": format!("{base}/zones"),
        "feed_url": format!("{base}/feeds/{code}/zone.json"),
        "language": "zh-CN",
        "items": items.iter().map(|i| serde_json::json!({
            "id": i.id, "url": i.url, "title": i.title, "content_text": i.summary,
            "date_published": rfc3339(i.at),
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

/// `?q=`
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    pub q: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    ctx: PageCtx,
    q: String,
    hits: Vec<SearchHit>,
    errors: FormErrors,
}

impl SearchPage {
    /// The hit's kind as a list marker in the page's language.
    fn kind(&self, k: &str) -> String {
        let (zh, en) = match k {
            "policy" => ("政策", "Policy"),
            "interpretation" => ("政策解读", "Interpretation"),
            "product" => ("融资产品", "Product"),
            "listing" => ("处置挂牌", "Disposal listing"),
            _ => return String::new(),
        };
        let f = Fmt(self.ctx.t.0);
        f.marker(match self.ctx.t.0 {
            Lang::Zh => zh,
            Lang::En => en,
        })
    }
}

/// `GET /search?q=`: one box over policies, interpretations, products and listings.
pub async fn search(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<SearchQuery>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let mut hits = Vec::new();
    if !q.q.trim().is_empty() {
        match ipfin_domain::platform::query_grams(&q.q) {
            Ok(g) => hits = state.store.search(&g).await?,
            Err(e) => errors = FormErrors::from_field(&e, actor.lang),
        }
    }
    let page = SearchPage {
        ctx: PageCtx::new(&actor, &state, "/search"),
        q: q.q,
        hits,
        errors,
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------------------------
// Interpretations (officers)
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "interpretations.html")]
struct InterpretationsPage {
    ctx: PageCtx,
    f: Fmt,
    rows: Vec<InterpretationRow>,
    policies: Vec<PolicyVersionRow>,
    editing: Option<i64>,
    form: InterpretationForm,
    can_write: bool,
    errors: FormErrors,
}

impl InterpretationsPage {
    fn chosen(&self, id: &i64) -> bool {
        self.form.policy_version_id == id.to_string()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InterpretationForm {
    pub title: String,
    pub body: String,
    pub policy_version_id: String,
}

async fn interpretations_page(
    state: &AppState,
    actor: &Actor,
    editing: Option<i64>,
    form: InterpretationForm,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<Response> {
    let district = actor.scope.lead_district().map(str::to_string);
    let rows = state
        .store
        .interpretations(&actor.scope, None)
        .await?
        .into_iter()
        .filter(|i| actor.scope.reads_district(&i.district_code))
        .collect();
    let policies = match &district {
        Some(d) => state
            .store
            .policy_versions(&actor.scope, Some(d))
            .await?
            .into_iter()
            .filter(|v| v.status == "published")
            .collect(),
        None => vec![],
    };
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = InterpretationsPage {
        ctx: PageCtx::new(actor, state, "/interpretations").with_flash(flash),
        f: Fmt(actor.lang),
        rows,
        policies,
        editing,
        form,
        can_write: district.is_some(),
        errors,
    };
    Ok(render(status, &page))
}

/// `GET /interpretations`: the district's interpretations (drafts and published) and the form.
pub async fn interpretations(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    interpretations_page(
        &state,
        &actor,
        None,
        InterpretationForm::default(),
        FormErrors::default(),
        flash_key(&q.ok),
    )
    .await
}

/// `GET /interpretations/{interp_id}`: one interpretation in the edit form.
pub async fn edit_interpretation(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let i = state.store.interpretation(&actor.scope, id).await?;
    if !actor.scope.reads_district(&i.district_code) {
        return Err(AppError::not_found());
    }
    let form = InterpretationForm {
        title: i.title,
        body: i.body,
        policy_version_id: i.policy_version_id.to_string(),
    };
    interpretations_page(
        &state,
        &actor,
        Some(id),
        form,
        FormErrors::default(),
        flash_key(&q.ok),
    )
    .await
}

async fn save(
    state: &AppState,
    actor: &Actor,
    id: Option<i64>,
    form: CsrfForm<InterpretationForm>,
) -> AppResult<Response> {
    let f = form.data;
    let Some(district) = actor.scope.lead_district().map(str::to_string) else {
        return Err(AppError::from(ipfin_store::StoreError::forbidden(
            "interpretation.lead_only",
            "政策解读由本区牵头部门撰写和发布。",
            "Interpretations are written by the district's lead officers.",
        )));
    };
    let r = uc::save_interpretation(
        state,
        actor,
        &district,
        id,
        &f.title,
        &f.body,
        f.policy_version_id.trim().parse().ok(),
    )
    .await;
    match r {
        Ok(id) => Ok(see_other(&format!("/interpretations/{id}"), "updated")),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            interpretations_page(state, actor, id, f, errors, None).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /interpretations`: a new draft.
pub async fn create_interpretation(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<InterpretationForm>,
) -> AppResult<Response> {
    save(&state, &actor, None, form).await
}

/// `POST /interpretations/{interp_id}`: saves an edit.
pub async fn update_interpretation(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<InterpretationForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let i = state.store.interpretation(&actor.scope, id).await?;
    if !actor.scope.reads_district(&i.district_code) {
        return Err(AppError::not_found());
    }
    save(&state, &actor, Some(id), form).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    pub confirm: Option<String>,
}

async fn set_status(
    state: &AppState,
    actor: &Actor,
    id: &str,
    publish: bool,
) -> AppResult<Response> {
    let id = path_id(id)?;
    let i = state.store.interpretation(&actor.scope, id).await?;
    if !actor.scope.reads_district(&i.district_code) {
        return Err(AppError::not_found());
    }
    uc::set_interpretation_status(state, actor, id, publish).await?;
    Ok(see_other(&format!("/interpretations/{id}"), "updated"))
}

/// `POST /interpretations/{interp_id}/publish`
pub async fn publish_interpretation(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    _form: CsrfForm<ConfirmForm>,
) -> AppResult<Response> {
    set_status(&state, &actor, &id, true).await
}

/// `POST /interpretations/{interp_id}/withdraw`
pub async fn withdraw_interpretation(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    _form: CsrfForm<ConfirmForm>,
) -> AppResult<Response> {
    set_status(&state, &actor, &id, false).await
}

// ---------------------------------------------------------------------------------------------
// Matchmaking
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "products.html")]
struct ProductsPage {
    ctx: PageCtx,
    f: Fmt,
    products: Vec<ProductRow>,
}

/// `GET /products`: every active product (public).
pub async fn products(State(state): State<AppState>, actor: Actor) -> AppResult<Response> {
    let page = ProductsPage {
        ctx: PageCtx::new(&actor, &state, "/products"),
        f: Fmt(actor.lang),
        products: state.store.products(&Scope::Public).await?,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "product.html")]
struct ProductPage {
    ctx: PageCtx,
    f: Fmt,
    p: ProductRow,
    /// A signed-in enterprise: its open needs that match, with the reasons.
    mine: Option<Vec<(NeedRow, Vec<Msg>)>>,
    /// The product's own bank may edit it now (the same answer the edit itself gets).
    editable: bool,
    message: String,
    errors: FormErrors,
}

async fn product_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    message: String,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let p = state.store.product(&Scope::Public, id).await?;
    let mine = if actor.scope.org_kind() == Some(OrgKind::Enterprise) {
        let m = state.store.enterprise_matches(&actor.scope).await?;
        Some(
            m.into_iter()
                .filter_map(|(n, ms)| {
                    ms.into_iter()
                        .find(|x| x.item.id == id)
                        .map(|x| (n, x.reasons))
                })
                .collect(),
        )
    } else {
        None
    };
    let editable = actor.scope.org_kind() == Some(OrgKind::FinancialInstitution)
        && state.store.product_for_edit(&actor.scope, id).await.is_ok();
    let page = ProductPage {
        ctx: PageCtx::new(actor, state, "/products"),
        f: Fmt(actor.lang),
        p,
        mine,
        editable,
        message,
        errors,
    };
    Ok(render(status, &page))
}

/// `GET /products/{product_id}`
pub async fn product(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let _ = flash_key(&q.ok);
    let id = path_id(&id)?;
    product_page(
        &state,
        &actor,
        id,
        String::new(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub message: String,
}

/// `POST /products/{product_id}/contact`: the enterprise asks the bank to contact it.
pub async fn contact_product(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<ContactForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.product(&Scope::Public, id).await?;
    let b = ContactBody {
        message: form.data.message,
    };
    match uc::request_contact(&state, &actor, id, &b).await {
        Ok(_) => Ok(see_other("/matchmaking", "submitted")),
        Err(e) if is_form_error(&e) => {
            let status = e.status;
            let errors = FormErrors::from_error(&e, actor.lang);
            product_page(&state, &actor, id, b.message, errors, status).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "needs.html")]
struct NeedsPage {
    ctx: PageCtx,
    f: Fmt,
    needs: Vec<NeedRow>,
    bank: bool,
}

/// `GET /financing-needs`: the needs enterprises list publicly (a bank signed in: every open
/// need, the one rule of the reach table).
pub async fn needs(State(state): State<AppState>, actor: Actor) -> AppResult<Response> {
    let bank = actor.scope.org_kind() == Some(OrgKind::FinancialInstitution);
    let scope = if bank {
        actor.scope.clone()
    } else {
        Scope::Public
    };
    let page = NeedsPage {
        ctx: PageCtx::new(&actor, &state, "/financing-needs"),
        f: Fmt(actor.lang),
        needs: state.store.needs(&scope).await?,
        bank,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "need.html")]
struct NeedPage {
    ctx: PageCtx,
    f: Fmt,
    n: NeedRow,
    bank: bool,
    /// The need's own enterprise may edit it now (the same answer the edit itself gets).
    editable: bool,
    message: String,
    errors: FormErrors,
}

async fn need_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    message: String,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let n = match state.store.need(&actor.scope, id).await {
        Ok(n) => n,
        Err(_) => state.store.need(&Scope::Public, id).await?,
    };
    let editable = actor.scope.org_kind() == Some(OrgKind::Enterprise)
        && state.store.need_for_edit(&actor.scope, id).await.is_ok();
    let page = NeedPage {
        ctx: PageCtx::new(actor, state, "/financing-needs"),
        f: Fmt(actor.lang),
        editable,
        bank: actor.scope.org_kind() == Some(OrgKind::FinancialInstitution) && n.status == "open",
        n,
        message,
        errors,
    };
    Ok(render(status, &page))
}

/// `GET /financing-needs/{need_id}`
pub async fn need(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    need_page(
        &state,
        &actor,
        id,
        String::new(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /financing-needs/{need_id}/interest`: a bank expresses interest in a need.
pub async fn need_interest(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<ContactForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.need(&actor.scope, id).await?;
    let b = ContactBody {
        message: form.data.message,
    };
    match uc::express_interest(&state, &actor, id, &b).await {
        Ok(_) => Ok(see_other("/matchmaking", "submitted")),
        Err(e) if is_form_error(&e) => {
            let status = e.status;
            let errors = FormErrors::from_error(&e, actor.lang);
            need_page(&state, &actor, id, b.message, errors, status).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "matchmaking.html")]
struct MatchmakingPage {
    ctx: PageCtx,
    f: Fmt,
    bank: bool,
    /// An enterprise's needs with the matching products.
    ent_matches: Vec<(NeedRow, Vec<Match<ProductRow>>)>,
    /// A bank's products with the matching needs.
    bank_matches: Vec<(ProductRow, Vec<Match<NeedRow>>)>,
    own_products: Vec<ProductRow>,
    assets: Vec<AssetRow>,
    contacts: Vec<ContactRow>,
    product: ProductForm,
    need: NeedForm,
    errors: FormErrors,
}

impl MatchmakingPage {
    /// Whether a product of the bank's list may be edited (on offer), as the store decides.
    fn product_editable(&self, status: &str) -> bool {
        ProductStatus::from_code(status).is_some_and(ProductStatus::editable)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProductForm {
    pub name: String,
    #[serde(skip)]
    pub ip_kinds: Vec<String>,
    pub min_amount: String,
    pub max_amount: String,
    pub min_months: String,
    pub max_months: String,
    pub min_rate: String,
    pub max_rate: String,
    pub industries: String,
    pub regions: String,
    pub contact: String,
    pub description: String,
}

impl ProductForm {
    /// The form filled with a stored product (amounts in 元, rates in %, as typed on create).
    fn from_row(p: &ProductRow) -> ProductForm {
        ProductForm {
            name: p.name.clone(),
            ip_kinds: p
                .ip_kinds
                .split(',')
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect(),
            min_amount: p.min_fen.plain(),
            max_amount: p.max_fen.plain(),
            min_months: p.min_months.to_string(),
            max_months: p.max_months.to_string(),
            min_rate: plain_rate(p.min_rate_bp),
            max_rate: plain_rate(p.max_rate_bp),
            industries: p.industries.clone(),
            regions: p.regions.clone(),
            contact: p.contact.clone(),
            description: p.description.clone(),
        }
    }
    fn kind_checked(&self, code: &str) -> bool {
        self.ip_kinds.iter().any(|k| k == code)
    }
    /// What the form says as a body, with the errors of its own parsing (amounts in 元, whole
    /// months, rates in %); the domain checks the rest.
    fn body(&self) -> (ProductBody, Vec<FieldError>) {
        let mut own = Vec::new();
        let rate = |errors: &mut Vec<FieldError>, name: &'static str, v: &str| -> Option<i32> {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            let r = parse_rate_bp(v);
            if r.is_none() {
                errors.push(field(
                    name,
                    "form.rate",
                    "年利率按百分数填写，最多两位小数，例如 3.45。",
                ));
            }
            r
        };
        let b = ProductBody {
            name: self.name.clone(),
            ip_kinds: self.ip_kinds.clone(),
            min_fen: yuan_field(&mut own, "min_amount", &self.min_amount, false),
            max_fen: yuan_field(&mut own, "max_amount", &self.max_amount, false),
            min_months: int_field(&mut own, "min_months", &self.min_months),
            max_months: int_field(&mut own, "max_months", &self.max_months),
            min_rate_bp: rate(&mut own, "min_rate", &self.min_rate),
            max_rate_bp: rate(&mut own, "max_rate", &self.max_rate),
            industries: vec![self.industries.clone()],
            regions: vec![self.regions.clone()],
            contact: self.contact.clone(),
            description: self.description.clone(),
        };
        (b, own)
    }
    /// The posted form with its checkboxes (several `ip_kinds`).
    fn posted(form: CsrfForm<ProductForm>) -> ProductForm {
        let kinds: Vec<String> = form
            .all("ip_kinds")
            .into_iter()
            .map(str::to_string)
            .collect();
        let mut f = form.data;
        f.ip_kinds = kinds;
        f
    }
}

/// Basis points as the percentage typed in the form ("3.45").
fn plain_rate(bp: i32) -> String {
    format!("{}.{:02}", bp / 100, bp % 100)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NeedForm {
    pub amount: String,
    pub months: String,
    pub purpose: String,
    pub public: Option<String>,
    #[serde(skip)]
    pub ip_asset_ids: Vec<String>,
}

impl NeedForm {
    /// The form filled with a stored need.
    fn from_row(n: &NeedRow) -> NeedForm {
        NeedForm {
            amount: n.amount_fen.plain(),
            months: n.months.to_string(),
            purpose: n.purpose.clone(),
            public: n.public.then(|| "yes".to_string()),
            ip_asset_ids: n.assets.iter().map(|a| a.id.to_string()).collect(),
        }
    }
    fn asset_checked(&self, id: &i64) -> bool {
        self.ip_asset_ids.iter().any(|k| *k == id.to_string())
    }
    /// What the form says as a body, with the errors of its own parsing; the domain checks the
    /// rest.
    fn body(&self) -> (NeedBody, Vec<FieldError>) {
        let mut own = Vec::new();
        let b = NeedBody {
            amount_fen: yuan_field(&mut own, "amount", &self.amount, false),
            months: int_field(&mut own, "months", &self.months),
            purpose: self.purpose.clone(),
            ip_asset_ids: self
                .ip_asset_ids
                .iter()
                .filter_map(|s| s.parse().ok())
                .collect(),
            public: self.public.as_deref() == Some("yes"),
        };
        (b, own)
    }
    /// The posted form with its checkboxes (several `ip_asset_ids`).
    fn posted(form: CsrfForm<NeedForm>) -> NeedForm {
        let ids: Vec<String> = form
            .all("ip_asset_ids")
            .into_iter()
            .map(str::to_string)
            .collect();
        let mut f = form.data;
        f.ip_asset_ids = ids;
        f
    }
}

async fn matchmaking_page(
    state: &AppState,
    actor: &Actor,
    product: ProductForm,
    need: NeedForm,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<Response> {
    let bank = actor.scope.org_kind() == Some(OrgKind::FinancialInstitution);
    let (ent_matches, bank_matches, own_products, assets) = if bank {
        (
            vec![],
            state.store.bank_matches(&actor.scope).await?,
            state.store.products(&actor.scope).await?,
            vec![],
        )
    } else {
        (
            state.store.enterprise_matches(&actor.scope).await?,
            vec![],
            vec![],
            state.store.own_ip_assets(&actor.scope).await?,
        )
    };
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = MatchmakingPage {
        ctx: PageCtx::new(actor, state, "/matchmaking").with_flash(flash),
        f: Fmt(actor.lang),
        bank,
        ent_matches,
        bank_matches,
        own_products,
        assets,
        contacts: state.store.match_contacts(&actor.scope).await?,
        product,
        need,
        errors,
    };
    Ok(render(status, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FlashQuery {
    pub ok: Option<String>,
}

/// `GET /matchmaking`: a bank's products with proposed needs, or an enterprise's needs with
/// proposed products (each with the reasons), the forms, and the contacts.
pub async fn matchmaking(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    matchmaking_page(
        &state,
        &actor,
        ProductForm::default(),
        NeedForm::default(),
        FormErrors::default(),
        flash_key(&q.ok),
    )
    .await
}

/// `POST /matchmaking/products`: a bank publishes a product (amounts in 元, rates in %).
pub async fn create_product(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<ProductForm>,
) -> AppResult<Response> {
    let f = ProductForm::posted(form);
    let (b, own) = f.body();
    let r = match combined(own, uc::product_input_check(&b)) {
        Ok(p) => uc::create_product(&state, &actor, &p).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(see_other("/matchmaking", "created")),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            matchmaking_page(&state, &actor, f, NeedForm::default(), errors, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "product_edit.html")]
struct ProductEditPage {
    ctx: PageCtx,
    f: Fmt,
    id: i64,
    /// The product's name as stored (the heading, while the field shows what was typed).
    stored_name: String,
    product: ProductForm,
    errors: FormErrors,
}

fn product_edit_page(
    state: &AppState,
    actor: &Actor,
    stored: &ProductRow,
    product: ProductForm,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let page = ProductEditPage {
        ctx: PageCtx::new(actor, state, "/matchmaking"),
        f: Fmt(actor.lang),
        id: stored.id,
        stored_name: stored.name.clone(),
        product,
        errors,
    };
    render(status, &page)
}

/// `GET /matchmaking/products/{product_id}/edit`: the bank's own product on offer, in the form
/// it was published with, filled with the stored values (another bank's: 404; withdrawn: 409).
pub async fn edit_product(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let p = uc::editable_product(&state, &actor, id).await?;
    let form = ProductForm::from_row(&p);
    Ok(product_edit_page(
        &state,
        &actor,
        &p,
        form,
        FormErrors::default(),
        StatusCode::OK,
    ))
}

/// `POST /matchmaking/products/{product_id}/edit`: the bank corrects its product; every
/// problem is shown beside its field with what was typed, and nothing changes.
pub async fn update_product(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<ProductForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let stored = uc::editable_product(&state, &actor, id).await?;
    let f = ProductForm::posted(form);
    let (b, own) = f.body();
    let r = match combined(own, uc::product_input_check(&b)) {
        Ok(p) => uc::update_product(&state, &actor, id, &p).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => Ok(see_other("/matchmaking", "updated")),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            Ok(product_edit_page(
                &state, &actor, &stored, f, errors, e.status,
            ))
        }
        Err(e) => Err(e),
    }
}

/// `POST /matchmaking/products/{product_id}/withdraw`
pub async fn withdraw_product(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    _form: CsrfForm<ConfirmForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.product(&actor.scope, id).await?;
    uc::withdraw_product(&state, &actor, id).await?;
    Ok(see_other("/matchmaking", "withdrawn"))
}

/// `POST /matchmaking/needs`: an enterprise publishes a need (amount in 元).
pub async fn create_need(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<NeedForm>,
) -> AppResult<Response> {
    let f = NeedForm::posted(form);
    let (b, own) = f.body();
    let r = match combined(own, uc::need_input_check(&b)) {
        Ok(_) => uc::create_need(&state, &actor, &b).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(see_other("/matchmaking", "created")),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            matchmaking_page(&state, &actor, ProductForm::default(), f, errors, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "need_edit.html")]
struct NeedEditPage {
    ctx: PageCtx,
    f: Fmt,
    id: i64,
    need: NeedForm,
    /// The enterprise's IP assets (to offer).
    assets: Vec<AssetRow>,
    errors: FormErrors,
}

async fn need_edit_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    need: NeedForm,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let page = NeedEditPage {
        ctx: PageCtx::new(actor, state, "/matchmaking"),
        f: Fmt(actor.lang),
        id,
        need,
        assets: state.store.own_ip_assets(&actor.scope).await?,
        errors,
    };
    Ok(render(status, &page))
}

/// `GET /matchmaking/needs/{need_id}/edit`: the enterprise's own open need in the form it was
/// published with, filled with the stored values (another enterprise's: 404; closed: 409).
pub async fn edit_need(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let n = uc::editable_need(&state, &actor, id).await?;
    need_edit_page(
        &state,
        &actor,
        id,
        NeedForm::from_row(&n),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /matchmaking/needs/{need_id}/edit`: the enterprise corrects its need; every problem
/// is shown beside its field with what was typed, and nothing changes.
pub async fn update_need(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<NeedForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    uc::editable_need(&state, &actor, id).await?;
    let f = NeedForm::posted(form);
    let (b, own) = f.body();
    let r = match combined(own, uc::need_input_check(&b)) {
        Ok(_) => uc::update_need(&state, &actor, id, &b).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => Ok(see_other("/matchmaking", "updated")),
        Err(e) if is_form_error(&e) => {
            let status = e.status;
            let errors = FormErrors::from_error(&e, actor.lang);
            need_edit_page(&state, &actor, id, f, errors, status).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /matchmaking/needs/{need_id}/close`
pub async fn close_need(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    _form: CsrfForm<ConfirmForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.need(&actor.scope, id).await?;
    uc::close_need(&state, &actor, id).await?;
    Ok(see_other("/matchmaking", "updated"))
}

// ---------------------------------------------------------------------------------------------
// Disposal
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "disposal.html")]
struct DisposalPage {
    ctx: PageCtx,
    f: Fmt,
    listings: Vec<ListingRow>,
}

/// `GET /disposal`: every listing, open ones first (public).
pub async fn disposal(State(state): State<AppState>, actor: Actor) -> AppResult<Response> {
    let page = DisposalPage {
        ctx: PageCtx::new(&actor, &state, "/disposal"),
        f: Fmt(actor.lang),
        listings: state.store.listings(&Scope::Public).await?,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "listing.html")]
struct ListingPage {
    ctx: PageCtx,
    f: Fmt,
    l: ListingRow,
    open: bool,
    form: InterestForm,
    errors: FormErrors,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InterestForm {
    pub name: String,
    pub contact: String,
    pub note: String,
}

async fn listing_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    form: InterestForm,
    errors: FormErrors,
    status: StatusCode,
    flash: Option<&str>,
) -> AppResult<Response> {
    let l = state.store.listing(&Scope::Public, id).await?;
    let t = uc::today();
    let page = ListingPage {
        ctx: PageCtx::new(actor, state, "/disposal").with_flash(flash),
        f: Fmt(actor.lang),
        open: l.status == "open" && l.opens_on <= t && t <= l.closes_on,
        l,
        form,
        errors,
    };
    Ok(render(status, &page))
}

/// `GET /disposal/{listing_id}`
pub async fn listing(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    listing_page(
        &state,
        &actor,
        id,
        InterestForm::default(),
        FormErrors::default(),
        StatusCode::OK,
        flash_key(&q.ok),
    )
    .await
}

/// `POST /disposal/{listing_id}/interest`: anyone registers interest.
pub async fn register_interest(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<InterestForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.listing(&Scope::Public, id).await?;
    let f = form.data;
    match uc::register_interest(&state, &actor, id, &f.name, &f.contact, &f.note).await {
        Ok(_) => Ok(see_other(&format!("/disposal/{id}"), "submitted")),
        Err(e) if is_form_error(&e) => {
            let status = e.status;
            let errors = FormErrors::from_error(&e, actor.lang);
            listing_page(&state, &actor, id, f, errors, status, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "disposals.html")]
struct DisposalsPage {
    ctx: PageCtx,
    f: Fmt,
    listings: Vec<ListingRow>,
    loans: Vec<DisposableLoan>,
    form: ListingForm,
    errors: FormErrors,
}

impl DisposalsPage {
    fn asset_checked(&self, id: &i64) -> bool {
        self.form.ip_asset_ids.iter().any(|k| *k == id.to_string())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListingForm {
    pub loan_id: String,
    pub title: String,
    pub reserve: String,
    pub opens_on: String,
    pub closes_on: String,
    pub terms: String,
    #[serde(skip)]
    pub ip_asset_ids: Vec<String>,
}

async fn disposals_page(
    state: &AppState,
    actor: &Actor,
    form: ListingForm,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<Response> {
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = DisposalsPage {
        ctx: PageCtx::new(actor, state, "/disposals").with_flash(flash),
        f: Fmt(actor.lang),
        listings: state.store.listings(&actor.scope).await?,
        loans: state.store.disposable_loans(&actor.scope).await?,
        form,
        errors,
    };
    Ok(render(status, &page))
}

/// `GET /disposals`: the bank's listings and its defaulted loans it may list.
pub async fn disposals(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    disposals_page(
        &state,
        &actor,
        ListingForm::default(),
        FormErrors::default(),
        flash_key(&q.ok),
    )
    .await
}

/// `POST /disposals`: the bank lists a defaulted loan's pledged IP (reserve price in 元).
pub async fn create_listing(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<ListingForm>,
) -> AppResult<Response> {
    let ids: Vec<String> = form
        .all("ip_asset_ids")
        .into_iter()
        .map(str::to_string)
        .collect();
    let mut f = form.data;
    f.ip_asset_ids = ids;
    let mut own = Vec::new();
    let b = ListingBody {
        loan_id: f.loan_id.trim().parse().ok(),
        title: f.title.clone(),
        reserve_fen: yuan_field(&mut own, "reserve", &f.reserve, false),
        opens_on: date_field(&mut own, "opens_on", &f.opens_on),
        closes_on: date_field(&mut own, "closes_on", &f.closes_on),
        terms: f.terms.clone(),
        ip_asset_ids: f
            .ip_asset_ids
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect(),
    };
    let r = match combined(own, uc::listing_check(&b)) {
        Ok(_) => uc::create_listing(&state, &actor, &b).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(id) => Ok(see_other(&format!("/disposals/{id}"), "created")),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            disposals_page(&state, &actor, f, errors, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "disposal_manage.html")]
struct ManagePage {
    ctx: PageCtx,
    f: Fmt,
    l: ListingRow,
    interests: Vec<InterestRow>,
    form: OutcomeForm,
    errors: FormErrors,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OutcomeForm {
    pub status: String,
    pub price: String,
    pub on: String,
    pub note: String,
    pub confirm: Option<String>,
}

async fn manage_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    form: OutcomeForm,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<Response> {
    let l = state.store.listing(&actor.scope, id).await?;
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ManagePage {
        ctx: PageCtx::new(actor, state, "/disposals").with_flash(flash),
        f: Fmt(actor.lang),
        interests: state.store.listing_interests(&actor.scope, id).await?,
        l,
        form,
        errors,
    };
    Ok(render(status, &page))
}

/// `GET /disposals/{listing_id}`: the bank's listing with the interest registered and the
/// outcome form; links back to the loan.
pub async fn manage(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    manage_page(
        &state,
        &actor,
        id,
        OutcomeForm::default(),
        FormErrors::default(),
        flash_key(&q.ok),
    )
    .await
}

/// `POST /disposals/{listing_id}/outcome` (tick required: the outcome cannot be changed).
pub async fn record_outcome(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<OutcomeForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.listing(&actor.scope, id).await?;
    let f = form.data;
    let mut own = Vec::new();
    if let Err(e) = super::require_confirm(&f.confirm) {
        own.push(e);
    }
    let b = OutcomeBody {
        status: f.status.clone(),
        price_fen: yuan_field(&mut own, "price", &f.price, false),
        on: date_field(&mut own, "on", &f.on),
        note: f.note.clone(),
    };
    let checked = ipfin_domain::platform::ListingOutcome::check(
        &b.status,
        b.price_fen,
        b.on,
        &b.note,
        uc::today(),
    );
    let r = match combined(own, checked) {
        Ok(_) => uc::record_outcome(&state, &actor, id, &b).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(see_other(&format!("/disposals/{id}"), "updated")),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            manage_page(&state, &actor, id, f, errors, None).await
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// Valuation directory
// ---------------------------------------------------------------------------------------------

type Typed = std::collections::HashMap<String, String>;

#[derive(Template)]
#[template(path = "valuation.html")]
struct ValuationPage {
    ctx: PageCtx,
    f: Fmt,
    institutions: Vec<uc::ValuerDto>,
    /// The signed-in enterprise's IP assets (the quote request form), else empty.
    assets: Vec<AssetRow>,
    enterprise: bool,
    /// The signed-in valuation institution's own id (its profile form), else none.
    own_valuer: Option<i64>,
    /// The form the errors and typed values belong to (`profile`, `request:{org}`).
    which: String,
    form: Typed,
    kinds_typed: Vec<String>,
    errors: FormErrors,
}

impl ValuationPage {
    fn val(&self, which: &str, k: &str, current: &str) -> String {
        if self.which == which {
            self.form.get(k).cloned().unwrap_or_default()
        } else {
            current.to_string()
        }
    }
    fn err(&self, which: &str, k: &str) -> Option<String> {
        (self.which == which)
            .then(|| self.errors.get(k).map(str::to_string))
            .flatten()
    }
    fn fee_yuan(&self, fen: &Option<Fen>) -> String {
        fen.map(Fen::yuan).unwrap_or_default()
    }
    fn kind_checked(&self, v: &uc::ValuerDto, code: &str) -> bool {
        if self.which == "profile" {
            self.kinds_typed.iter().any(|k| k == code)
        } else {
            v.ip_kinds.iter().any(|k| k == code)
        }
    }
    fn all_kinds(&self) -> Vec<(&'static str, &'static str)> {
        IpKind::ALL
            .iter()
            .map(|k| {
                let label = match self.ctx.t.0 {
                    ipfin_domain::Lang::Zh => k.zh(),
                    ipfin_domain::Lang::En => k.en(),
                };
                (k.code(), label)
            })
            .collect()
    }
}

#[allow(clippy::too_many_arguments)]
async fn valuation_page(
    state: &AppState,
    actor: &Actor,
    which: &str,
    form: Typed,
    kinds_typed: Vec<String>,
    errors: FormErrors,
    status: StatusCode,
    flash: Option<&str>,
) -> AppResult<Response> {
    let enterprise = actor.scope.org_kind() == Some(OrgKind::Enterprise);
    let institutions: Vec<uc::ValuerDto> = state
        .store
        .valuation_institutions()
        .await?
        .iter()
        .map(Into::into)
        .collect();
    let own_valuer = actor
        .scope
        .organisation()
        .map(ipfin_domain::OrgId::get)
        .filter(|o| institutions.iter().any(|v| v.org_id == *o));
    let page = ValuationPage {
        ctx: PageCtx::new(actor, state, "/valuation").with_flash(flash),
        f: Fmt(actor.lang),
        institutions,
        assets: if enterprise {
            state.store.own_ip_assets(&actor.scope).await?
        } else {
            vec![]
        },
        enterprise,
        own_valuer,
        which: which.to_string(),
        form,
        kinds_typed,
        errors,
    };
    Ok(render(status, &page))
}

/// `GET /valuation`: the directory of valuation institutions (public); a signed-in enterprise
/// requests a quote there, a valuation institution writes its profile.
pub async fn valuation(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    valuation_page(
        &state,
        &actor,
        "",
        Typed::new(),
        vec![],
        FormErrors::default(),
        StatusCode::OK,
        flash_key(&q.ok),
    )
    .await
}

fn typed(t: &Typed, k: &str) -> String {
    t.get(k).cloned().unwrap_or_default()
}

/// `POST /valuation/profile`: the institution's qualifications, IP kinds and fee range.
pub async fn save_profile(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let kinds: Vec<String> = form
        .all("ip_kinds")
        .into_iter()
        .map(str::to_string)
        .collect();
    let t = form.data;
    let mut own = Vec::new();
    let fee_min = yuan_field(&mut own, "fee_min", &typed(&t, "fee_min"), true);
    let fee_max = yuan_field(&mut own, "fee_max", &typed(&t, "fee_max"), true);
    let b = uc::ProfileBody {
        qualifications: typed(&t, "qualifications"),
        ip_kinds: kinds.clone(),
        fee_min_fen: fee_min,
        fee_max_fen: fee_max,
    };
    let checked = combined(
        own,
        ipfin_domain::platform::ValuationProfile::check(
            &b.qualifications,
            &b.ip_kinds,
            b.fee_min_fen,
            b.fee_max_fen,
        ),
    );
    let r = match checked {
        Ok(_) => uc::save_profile(&state, &actor, &b).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => Ok(see_other("/valuation", "saved")),
        Err(e) if is_form_error(&e) => {
            let status = e.status;
            let errors = FormErrors::from_error(&e, actor.lang);
            valuation_page(&state, &actor, "profile", t, kinds, errors, status, None).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /valuation/quotes`: an enterprise asks an institution for a quote on one of its IP
/// assets.
pub async fn request_quote(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let t = form.data;
    let valuer: i64 = typed(&t, "valuer_org_id")
        .trim()
        .parse()
        .map_err(|_| AppError::not_found())?;
    let b = uc::QuoteRequestBody {
        valuer_org_id: valuer,
        asset_id: typed(&t, "asset_id").trim().parse().ok(),
        note: typed(&t, "note"),
    };
    match uc::request_quote(&state, &actor, &b).await {
        Ok(_) => Ok(see_other("/valuation/quotes", "submitted")),
        Err(e) if is_form_error(&e) => {
            let status = e.status;
            let errors = FormErrors::from_error(&e, actor.lang);
            let which = format!("request:{valuer}");
            valuation_page(&state, &actor, &which, t, vec![], errors, status, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "valuation_quotes.html")]
struct QuotesPage {
    ctx: PageCtx,
    f: Fmt,
    quotes: Vec<uc::QuoteDto>,
    valuer: bool,
    enterprise: bool,
    /// The form the errors and typed values belong to (`answer:{id}`, `report:{id}`).
    which: String,
    form: Typed,
    errors: FormErrors,
}

impl QuotesPage {
    fn val(&self, which: &str, k: &str) -> String {
        if self.which == which {
            self.form.get(k).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    }
    fn err(&self, which: &str, k: &str) -> Option<String> {
        (self.which == which)
            .then(|| self.errors.get(k).map(str::to_string))
            .flatten()
    }
    fn status_label(&self, code: &str) -> &'static str {
        ipfin_domain::platform::QuoteStatus::from_code(code).map_or("", |s| s.label(self.ctx.t.0))
    }
    fn yuan(&self, fen: &Option<Fen>) -> String {
        fen.map(|f| f.to_string()).unwrap_or_default()
    }
}

async fn quotes_page(
    state: &AppState,
    actor: &Actor,
    which: &str,
    form: Typed,
    errors: FormErrors,
    status: StatusCode,
    flash: Option<&str>,
) -> AppResult<Response> {
    let quotes = state
        .store
        .quotes(&actor.scope)
        .await?
        .iter()
        .map(Into::into)
        .collect();
    let page = QuotesPage {
        ctx: PageCtx::new(actor, state, "/valuation/quotes").with_flash(flash),
        f: Fmt(actor.lang),
        quotes,
        valuer: actor.scope.org_kind() == Some(OrgKind::FinancialInstitution),
        enterprise: actor.scope.org_kind() == Some(OrgKind::Enterprise),
        which: which.to_string(),
        form,
        errors,
    };
    Ok(render(status, &page))
}

/// `GET /valuation/quotes`: the quotes the caller reads (the enterprise's requests, the
/// institution's, the district's).
pub async fn quotes(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    quotes_page(
        &state,
        &actor,
        "",
        Typed::new(),
        FormErrors::default(),
        StatusCode::OK,
        flash_key(&q.ok),
    )
    .await
}

async fn after_quote(
    state: &AppState,
    actor: &Actor,
    which: String,
    t: Typed,
    r: AppResult<()>,
) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(see_other("/valuation/quotes", "updated")),
        Err(e) if is_form_error(&e) => {
            let status = e.status;
            let errors = FormErrors::from_error(&e, actor.lang);
            quotes_page(state, actor, &which, t, errors, status, None).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /valuation/quotes/{quote_id}/answer` (`fee`, `days`, `note`; `decline=yes` with the
/// reason in `note`).
pub async fn answer_quote(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    uc::visible_quote(&state, &actor, id).await?;
    let t = form.data;
    let decline = typed(&t, "decline") == "yes";
    let mut own = Vec::new();
    let fee = if decline {
        None
    } else {
        yuan_field(&mut own, "fee", &typed(&t, "fee"), false)
    };
    let days = if decline {
        None
    } else {
        int_field(&mut own, "days", &typed(&t, "days"))
    };
    let b = uc::QuoteAnswerBody {
        decline,
        fee_fen: fee,
        days,
        note: typed(&t, "note"),
    };
    let checked = combined(
        own,
        ipfin_domain::platform::QuoteAnswer::check(b.decline, b.fee_fen, b.days, &b.note),
    );
    let r = match checked {
        Ok(_) => uc::answer_quote(&state, &actor, id, &b).await,
        Err(e) => Err(e),
    };
    after_quote(&state, &actor, format!("answer:{id}"), t, r).await
}

/// `POST /valuation/quotes/{quote_id}/accept`: the enterprise accepts the fee.
pub async fn accept_quote(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    uc::visible_quote(&state, &actor, id).await?;
    let r = uc::accept_quote(&state, &actor, id).await;
    after_quote(&state, &actor, format!("accept:{id}"), form.data, r).await
}

/// `POST /valuation/quotes/{quote_id}/report` (`report_number`, `report_date`, `appraised`).
pub async fn record_report(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    uc::visible_quote(&state, &actor, id).await?;
    let t = form.data;
    let mut own = Vec::new();
    let appraised = yuan_field(&mut own, "appraised", &typed(&t, "appraised"), false);
    let date = date_field(&mut own, "report_date", &typed(&t, "report_date"));
    let b = uc::ReportBody {
        report_number: typed(&t, "report_number"),
        report_date: date,
        appraised_fen: appraised,
    };
    let r = if own.is_empty() {
        uc::record_report(&state, &actor, id, &b).await
    } else {
        Err(AppError::from(ipfin_store::StoreError::fields(own)))
    };
    after_quote(&state, &actor, format!("report:{id}"), t, r).await
}
