//! Enterprise registry pages: search and filter, a record with its size class (and override),
//! registering a record, enterprise users updating their own figures, and the claim flow
//! (public registration, district approval).

use super::{CsrfForm, FormErrors, ListQuery, PageCtx, flash_key, render, see_other};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::{path_id, write};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use ipfin_domain::id::OrgId;
use ipfin_domain::money::parse_amount;
use ipfin_domain::size::SizeClass;
use ipfin_domain::visibility::{Party, Reach, Records};
use ipfin_domain::{Fen, FieldError, Lang, Scope};
use ipfin_store::Paged;
use ipfin_store::enterprise::{
    Claim, ClaimInput, Enterprise, EnterpriseFigures, EnterpriseFilter, EnterpriseInput,
};
use serde::Deserialize;

/// Formats fen as 万元 for display (exact, no floating point).
pub fn wan(fen: &Option<i64>) -> String {
    fen.map(ipfin_domain::size::fen_to_wan)
        .unwrap_or_else(|| "—".into())
}

fn size_label(lang: Lang, e: &Enterprise) -> &'static str {
    e.effective_size().map(|c| c.label(lang)).unwrap_or("—")
}

#[derive(Template)]
#[template(path = "enterprises.html")]
struct EnterprisesPage {
    ctx: PageCtx,
    list: Paged<Enterprise>,
    q: String,
    size: String,
    industry: String,
    tag: String,
    tags: Vec<(String, String)>,
    export_link: String,
    sizes: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    can_create: bool,
    prev: Option<String>,
    next: Option<String>,
}

impl EnterprisesPage {
    fn size_of(&self, e: &Enterprise) -> &'static str {
        size_label(self.ctx.lang, e)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EnterpriseQuery {
    q: Option<String>,
    size: Option<String>,
    industry: Option<String>,
    tag: Option<String>,
    page: Option<String>,
    ok: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<EnterpriseQuery>,
) -> AppResult<Response> {
    // An enterprise user has one record: show it.
    if matches!(
        actor.scope.reach(Records::Enterprises),
        Reach::Party(Party::Itself, _)
    ) {
        let mine = state
            .store
            .search_enterprises(
                &actor.scope,
                &EnterpriseFilter::default(),
                ipfin_store::Page::default(),
            )
            .await?;
        if let Some(e) = mine.items.first() {
            return Ok(Redirect::to(&format!("/enterprises/{}", e.id)).into_response());
        }
    }
    let filter = EnterpriseFilter {
        q: q.q.clone(),
        size: q.size.as_deref().and_then(SizeClass::from_code),
        industry: q.industry.clone(),
        tag: q.tag.clone().filter(|t| !t.is_empty()),
    };
    let page = ipfin_store::Page::new(q.page.as_deref().and_then(|p| p.parse().ok()), None);
    let (list, errors, status) = match state
        .store
        .search_enterprises(&actor.scope, &filter, page)
        .await
    {
        Ok(l) => (l, FormErrors::default(), StatusCode::OK),
        Err(ipfin_store::StoreError::Invalid(fe)) => (
            Paged {
                items: vec![],
                total: 0,
                capped: false,
                page: 1,
                per_page: 20,
            },
            FormErrors::from_field(&fe, actor.lang),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => return Err(e.into()),
    };
    let (qs, ss, is) = (
        q.q.clone().unwrap_or_default(),
        q.size.clone().unwrap_or_default(),
        q.industry.clone().unwrap_or_default(),
    );
    let ts = q.tag.clone().unwrap_or_default();
    let tags: Vec<(String, String)> = state
        .store
        .tag_types(&actor.scope)
        .await?
        .into_iter()
        .map(|t| {
            let label = if actor.lang == Lang::En && !t.name_en.is_empty() {
                t.name_en
            } else {
                t.name_zh
            };
            (t.code, label)
        })
        .collect();
    let link = |p: u64| {
        format!(
            "/enterprises?q={}&size={}&industry={}&tag={}&page={p}",
            crate::http::urlencode(&qs),
            crate::http::urlencode(&ss),
            crate::http::urlencode(&is),
            crate::http::urlencode(&ts)
        )
    };
    let export_link = format!(
        "/enterprises/export.xlsx?q={}&size={}&industry={}&tag={}",
        crate::http::urlencode(&qs),
        crate::http::urlencode(&ss),
        crate::http::urlencode(&is),
        crate::http::urlencode(&ts)
    );
    let prev = (list.page > 1).then(|| link(list.page - 1));
    let next = (list.page < list.pages()).then(|| link(list.page + 1));
    Ok(render(
        status,
        &EnterprisesPage {
            ctx: PageCtx::new(&actor, &state, "/enterprises").with_flash(flash_key(&q.ok)),
            sizes: SizeClass::ALL
                .iter()
                .map(|c| (c.code(), c.label(actor.lang)))
                .collect(),
            can_create: actor
                .scope
                .manages_kind_in(ipfin_domain::OrgKind::Enterprise, actor.scope.district()),
            list,
            q: qs,
            size: ss,
            industry: is,
            export_link,
            tag: ts,
            tags,
            errors,
            prev,
            next,
        },
    ))
}

#[derive(Template)]
#[template(path = "enterprise.html")]
struct EnterprisePage {
    ctx: PageCtx,
    e: Enterprise,
    can_manage: bool,
    can_edit_figures: bool,
    sizes: Vec<(&'static str, &'static str)>,
    form: FiguresForm,
    errors: FormErrors,
    tags: Vec<ipfin_store::enterprise::EnterpriseTag>,
    tag_types: Vec<(String, String)>,
    assets: Vec<ipfin_store::enterprise::IpAsset>,
    ip_kinds: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
}

impl EnterprisePage {
    fn size(&self) -> &'static str {
        size_label(self.ctx.lang, &self.e)
    }
    fn computed(&self) -> &'static str {
        self.e
            .size_class
            .as_deref()
            .and_then(SizeClass::from_code)
            .map(|c| c.label(self.ctx.lang))
            .unwrap_or("—")
    }
    fn money(&self, fen: &Option<Fen>) -> String {
        wan(&fen.map(Fen::get))
    }
    fn tag_name<'a>(&self, t: &'a ipfin_store::enterprise::EnterpriseTag) -> &'a str {
        if self.ctx.lang == Lang::En && !t.name_en.is_empty() {
            &t.name_en
        } else {
            &t.name_zh
        }
    }
    fn ip_kind(&self, code: &str) -> &'static str {
        ipfin_domain::ip_number::IpKind::from_code(code)
            .map(|k| {
                if self.ctx.lang == Lang::En {
                    k.en()
                } else {
                    k.zh()
                }
            })
            .unwrap_or("")
    }
    fn status(&self, code: &str) -> &'static str {
        ipfin_store::enterprise::LEGAL_STATUSES
            .iter()
            .find(|(c, _, _)| *c == code)
            .map(|(_, zh, en)| if self.ctx.lang == Lang::En { *en } else { *zh })
            .unwrap_or("")
    }
}

async fn enterprise_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    form: Option<FiguresForm>,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<EnterprisePage> {
    let e = state.store.enterprise(&actor.scope, id).await?;
    let can_manage = actor.scope.manages_kind_in(
        ipfin_domain::OrgKind::Enterprise,
        e.registered_district.as_deref(),
    );
    // The enterprise's own registry record (the reach table's "itself").
    let own = e.organisation_id.is_some_and(|o| {
        actor.scope.reach(Records::Enterprises) == Reach::Party(Party::Itself, OrgId::new(o))
    });
    let form = form.unwrap_or_else(|| FiguresForm {
        industry: e.industry.clone().unwrap_or_default(),
        employees: e.employees.map(|n| n.to_string()).unwrap_or_default(),
        revenue_wan: e
            .operating_revenue_fen
            .map(|f| ipfin_domain::size::fen_to_wan(f.get()))
            .unwrap_or_default(),
        assets_wan: e
            .total_assets_fen
            .map(|f| ipfin_domain::size::fen_to_wan(f.get()))
            .unwrap_or_default(),
        consent: e.data_sharing_consent.then(|| "yes".into()),
    });
    let tags = state.store.enterprise_tags(&actor.scope, id).await?;
    let assets = state.store.ip_assets(&actor.scope, id).await?;
    let district_scope = Scope::district_reader(e.registered_district.as_deref());
    let tag_types = state
        .store
        .tag_types(&district_scope)
        .await?
        .into_iter()
        .map(|t| {
            (
                t.code,
                if actor.lang == Lang::En && !t.name_en.is_empty() {
                    t.name_en
                } else {
                    t.name_zh
                },
            )
        })
        .collect();
    let lang = actor.lang;
    Ok(EnterprisePage {
        tags,
        tag_types,
        assets,
        ip_kinds: ipfin_domain::ip_number::IpKind::ALL
            .iter()
            .map(|k| (k.code(), if lang == Lang::En { k.en() } else { k.zh() }))
            .collect(),
        statuses: ipfin_store::enterprise::LEGAL_STATUSES
            .iter()
            .map(|(c, zh, en)| (*c, if lang == Lang::En { *en } else { *zh }))
            .collect(),
        ctx: PageCtx::new(actor, state, &format!("/enterprises/{id}")).with_flash(flash),
        can_manage,
        can_edit_figures: can_manage || own,
        sizes: SizeClass::ALL
            .iter()
            .map(|c| (c.code(), c.label(actor.lang)))
            .collect(),
        e,
        form,
        errors,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let page = enterprise_page(
        &state,
        &actor,
        path_id(&id)?,
        None,
        FormErrors::default(),
        flash_key(&q.ok),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// Figures as people type them (amounts in 万元).
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct FiguresForm {
    pub industry: String,
    pub employees: String,
    pub revenue_wan: String,
    pub assets_wan: String,
    pub consent: Option<String>,
}

fn number(value: &str, field: &'static str, fen_per_unit: i64) -> Result<Option<i64>, FieldError> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    parse_amount(value, fen_per_unit).map(Some).ok_or_else(|| {
        FieldError::new(
            field,
            "number.format",
            "请填写不小于 0 的数字（金额以万元为单位，最多 6 位小数）。",
            "Enter a number of at least 0 (amounts in 10,000 yuan, at most 6 decimals).",
        )
    })
}

impl FiguresForm {
    fn to_input(&self) -> Result<EnterpriseFigures, FieldError> {
        Ok(EnterpriseFigures {
            industry: Some(self.industry.clone()),
            employees: number(&self.employees, "employees", 1)?,
            operating_revenue_fen: number(&self.revenue_wan, "revenue_wan", 1_000_000)?
                .map(Fen::new),
            total_assets_fen: number(&self.assets_wan, "assets_wan", 1_000_000)?.map(Fen::new),
            data_sharing_consent: self.consent.as_deref() == Some("yes"),
        })
    }
}

/// Maps store field names to this form's fields.
fn form_field(e: AppError) -> AppError {
    let field = match e.field {
        Some("operating_revenue_fen") => Some("revenue_wan"),
        Some("total_assets_fen") => Some("assets_wan"),
        other => other,
    };
    AppError { field, ..e }
}

pub async fn update_figures(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<FiguresForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.enterprise(&actor.scope, id).await?;
    let f = form.data;
    let result = match f.to_input() {
        Ok(input) => write!(state, actor, |tx| state
            .store
            .update_enterprise_figures(&mut tx, &actor.scope, id, input)
            .await?)
        .map(|_| ()),
        Err(fe) => Err(AppError::invalid(fe)),
    };
    match result.map_err(form_field) {
        Ok(()) => Ok(see_other(&format!("/enterprises/{id}"), "updated")),
        Err(e) if e.field.is_some() => {
            let errors = FormErrors::from_error(&e, actor.lang);
            Ok(render(
                e.status,
                &enterprise_page(&state, &actor, id, Some(f), errors, None).await?,
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OverrideForm {
    size: String,
    reason: String,
}

pub async fn override_size(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<OverrideForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.enterprise(&actor.scope, id).await?;
    let class = SizeClass::from_code(form.data.size.trim());
    match write!(state, actor, |tx| state
        .store
        .override_size(&mut tx, &actor.scope, id, class, &form.data.reason)
        .await?)
    {
        Ok(_) => Ok(see_other(&format!("/enterprises/{id}"), "updated")),
        Err(e) if e.field.is_some() => {
            let errors = FormErrors::from_error(&e, actor.lang);
            Ok(render(
                e.status,
                &enterprise_page(&state, &actor, id, None, errors, None).await?,
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "enterprise_new.html")]
struct EnterpriseNewPage {
    ctx: PageCtx,
    form: NewEnterpriseForm,
    districts: Vec<ipfin_store::org::DistrictSummary>,
    fixed_district: Option<String>,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct NewEnterpriseForm {
    credit_code: String,
    name: String,
    registered_district: String,
    tax_district: String,
    not_independent: Option<String>,
    #[serde(flatten)]
    figures: FiguresForm,
}

pub async fn new_page(State(state): State<AppState>, actor: Actor) -> AppResult<Response> {
    Ok(render(
        StatusCode::OK,
        &EnterpriseNewPage {
            ctx: PageCtx::new(&actor, &state, "/enterprises/new"),
            form: NewEnterpriseForm::default(),
            districts: state.store.districts().await?,
            fixed_district: actor.scope.district().map(str::to_string),
            errors: FormErrors::default(),
        },
    ))
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<NewEnterpriseForm>,
) -> AppResult<Response> {
    let f = form.data;
    // The figures' form errors first, then the credit code (as the store checked it before it
    // took a parsed code), then the store's rules.
    let parsed = f.figures.to_input().and_then(|figures| {
        Ok((
            figures,
            crate::http::credit_code("credit_code", &f.credit_code)?,
        ))
    });
    let result = match parsed {
        Ok((figures, credit_code)) => {
            let input = EnterpriseInput {
                credit_code,
                name: f.name.clone(),
                registered_district: Some(f.registered_district.clone()),
                tax_district: Some(f.tax_district.clone()),
                independent_legal_person: f.not_independent.is_none(),
                industry: figures.industry,
                employees: figures.employees,
                operating_revenue_fen: figures.operating_revenue_fen,
                total_assets_fen: figures.total_assets_fen,
                data_sharing_consent: figures.data_sharing_consent,
            };
            write!(state, actor, |tx| state
                .store
                .save_enterprise(&mut tx, &actor.scope, input)
                .await?)
        }
        Err(fe) => Err(AppError::invalid(fe)),
    };
    match result.map_err(form_field) {
        Ok((e, _)) => Ok(see_other(&format!("/enterprises/{}", e.id), "created")),
        Err(e) if e.field.is_some() || e.status == StatusCode::CONFLICT => Ok(render(
            e.status,
            &EnterpriseNewPage {
                ctx: PageCtx::new(&actor, &state, "/enterprises/new"),
                districts: state.store.districts().await?,
                fixed_district: actor.scope.district().map(str::to_string),
                errors: FormErrors::from_error(&e, actor.lang),
                form: f,
            },
        )),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    ctx: PageCtx,
    form: RegisterForm,
    errors: FormErrors,
    done: bool,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct RegisterForm {
    credit_code: String,
    username: String,
    display_name: String,
    phone: String,
    password: String,
    password_again: String,
}

fn register_page(
    state: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    status: StatusCode,
    form: RegisterForm,
    errors: FormErrors,
    done: bool,
) -> Response {
    let (token, fresh) = super::pre_csrf(headers);
    let mut ctx = PageCtx::new(actor, state, "/register");
    ctx.csrf = token.clone();
    let resp = render(
        status,
        &RegisterPage {
            ctx,
            form: RegisterForm {
                password: String::new(),
                password_again: String::new(),
                ..form
            },
            errors,
            done,
        },
    );
    super::auth::with_pre_csrf(resp, &token, fresh, state.config.secure_cookies)
}

pub async fn register_get(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
) -> Response {
    register_page(
        &state,
        &actor,
        &headers,
        StatusCode::OK,
        RegisterForm::default(),
        FormErrors::default(),
        false,
    )
}

pub async fn register_post(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    form: CsrfForm<RegisterForm>,
) -> AppResult<Response> {
    let f = form.data;
    // Every field is checked before anything is stored, and every problem is shown at once.
    let mut problems = ipfin_domain::FieldErrors::default();
    let credit_code = problems.take(crate::http::credit_code("credit_code", &f.credit_code));
    if let Err(e) = ipfin_domain::user::check_claim(
        &f.username,
        &f.display_name,
        &f.phone,
        &f.password,
        &f.password_again,
    ) {
        problems.extend(e);
    }
    let result = match (credit_code, problems.finish()) {
        (Some(credit_code), Ok(())) => state
            .store
            .submit_claim(ClaimInput {
                credit_code,
                username: f.username.clone(),
                display_name: f.display_name.clone(),
                password: f.password.clone(),
                phone: f.phone.clone(),
            })
            .await
            .map(|_| ())
            .map_err(AppError::from),
        (_, Err(errors)) => Err(ipfin_store::StoreError::fields(errors).into()),
        (None, Ok(())) => Err(AppError::internal("credit code refused without a problem")),
    };
    match result {
        Ok(()) => Ok(register_page(
            &state,
            &actor,
            &headers,
            StatusCode::CREATED,
            RegisterForm::default(),
            FormErrors::default(),
            true,
        )),
        Err(e) if e.field.is_some() || e.problems.is_some() => {
            let errors = FormErrors::from_error(&e, actor.lang);
            Ok(register_page(
                &state, &actor, &headers, e.status, f, errors, false,
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "claims.html")]
struct ClaimsPage {
    ctx: PageCtx,
    claims: Vec<Claim>,
    errors: FormErrors,
}

pub async fn claims(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let claims = state.store.claims(&actor.scope).await?;
    Ok(render(
        StatusCode::OK,
        &ClaimsPage {
            ctx: PageCtx::new(&actor, &state, "/claims").with_flash(flash_key(&q.ok)),
            claims,
            errors: FormErrors::default(),
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecideForm {
    decision: String,
    reason: Option<String>,
}

pub async fn decide(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<DecideForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    // Scope first: a claim outside the caller's district is simply not found.
    if !state
        .store
        .claims(&actor.scope)
        .await?
        .iter()
        .any(|c| c.id == id)
    {
        return Err(AppError::not_found());
    }
    let approve = match form.data.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            return Err(AppError::invalid(FieldError::new(
                "decision",
                "claim.decision",
                "请选择通过或驳回。",
                "Choose approve or reject.",
            )));
        }
    };
    match write!(state, actor, |tx| state
        .store
        .decide_claim(&mut tx, &actor.scope, id, approve, form.data.reason.clone())
        .await?)
    {
        Ok(()) => Ok(see_other("/claims", "updated")),
        Err(e) if e.field.is_some() || e.status == StatusCode::CONFLICT => {
            let claims = state.store.claims(&actor.scope).await?;
            let errors = FormErrors::from_error(&e, actor.lang);
            Ok(render(
                e.status,
                &ClaimsPage {
                    ctx: PageCtx::new(&actor, &state, "/claims"),
                    claims,
                    errors,
                },
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TagForm {
    tag_type: String,
    source: String,
    year: String,
    valid_from: String,
    valid_to: String,
}

fn date_field(value: &str, field: &'static str) -> Result<Option<chrono::NaiveDate>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| {
            FieldError::new(
                field,
                "date.format",
                "日期格式应为 YYYY-MM-DD，例如 2026-07-01。",
                "Dates are YYYY-MM-DD, e.g. 2026-07-01.",
            )
        })
}

/// Re-renders the enterprise page with a form error, or redirects after success.
async fn after_write(
    state: &AppState,
    actor: &Actor,
    id: i64,
    result: Result<(), AppError>,
    flash: &str,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(see_other(&format!("/enterprises/{id}"), flash)),
        Err(e) if e.field.is_some() || e.status == StatusCode::CONFLICT => {
            let errors = FormErrors::from_error(&e, actor.lang);
            Ok(render(
                e.status,
                &enterprise_page(state, actor, id, None, errors, None).await?,
            ))
        }
        Err(e) => Err(e),
    }
}

pub async fn add_tag(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<TagForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.enterprise(&actor.scope, id).await?;
    let f = form.data;
    let parsed = (|| {
        let year: i32 = f.year.trim().parse().map_err(|_| {
            FieldError::new(
                "year",
                "tag.year",
                "请填写认定年度，例如 2025。",
                "Enter the year, e.g. 2025.",
            )
        })?;
        Ok::<_, FieldError>(ipfin_store::enterprise::TagInput {
            tag_type: f.tag_type.clone(),
            source: f.source.clone(),
            year,
            valid_from: date_field(&f.valid_from, "valid_from")?,
            valid_to: date_field(&f.valid_to, "valid_to")?,
        })
    })();
    let result = match parsed {
        Ok(t) => write!(state, actor, |tx| state
            .store
            .add_tag(&mut tx, &actor.scope, id, t)
            .await?)
        .map(|_| ()),
        Err(fe) => Err(AppError::invalid(fe)),
    };
    after_write(&state, &actor, id, result, "created").await
}

pub async fn remove_tag(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, tag_id)): Path<(String, String)>,
    form: CsrfForm<super::org::ConfirmForm>,
) -> AppResult<Response> {
    let (id, tag_id) = (path_id(&id)?, path_id(&tag_id)?);
    state.store.enterprise(&actor.scope, id).await?;
    super::require_confirm(&form.data.confirm).map_err(AppError::invalid)?;
    write!(state, actor, |tx| state
        .store
        .remove_tag(&mut tx, &actor.scope, id, tag_id)
        .await?)?;
    Ok(see_other(&format!("/enterprises/{id}"), "updated"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IpForm {
    kind: String,
    number: String,
    title: String,
    legal_status: String,
    grant_date: String,
    nice_class: String,
}

pub async fn add_ip(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<IpForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.enterprise(&actor.scope, id).await?;
    let f = form.data;
    let result = match date_field(&f.grant_date, "grant_date") {
        Ok(grant_date) => {
            let input = ipfin_store::enterprise::IpInput {
                kind: f.kind.clone(),
                number: f.number.clone(),
                title: f.title.clone(),
                legal_status: f.legal_status.clone(),
                grant_date,
                nice_class: Some(f.nice_class.clone()),
            };
            write!(state, actor, |tx| state
                .store
                .add_ip_asset(&mut tx, &actor.scope, id, input)
                .await?)
            .map(|_| ())
        }
        Err(fe) => Err(AppError::invalid(fe)),
    };
    after_write(&state, &actor, id, result, "created").await
}

/// Exports the current list (same filters) to XLSX, up to `EXPORT_LIMIT` rows.
pub const EXPORT_LIMIT: u64 = 100_000;

pub async fn export(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<EnterpriseQuery>,
) -> AppResult<Response> {
    use rust_xlsxwriter::{Format, Workbook};
    let filter = EnterpriseFilter {
        q: q.q.clone(),
        size: q.size.as_deref().and_then(SizeClass::from_code),
        industry: q.industry.clone(),
        tag: q.tag.clone().filter(|t| !t.is_empty()),
    };
    let rows = state
        .store
        .export_enterprises(&actor.scope, &filter, EXPORT_LIMIT + 1)
        .await?;
    if rows.len() as u64 > EXPORT_LIMIT {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "export.too_many",
            format!("符合条件的企业超过 {EXPORT_LIMIT} 家，请增加筛选条件后再导出。"),
            format!(
                "More than {EXPORT_LIMIT} enterprises match: narrow the filter and export again."
            ),
        ));
    }
    let lang = actor.lang;
    let t = crate::i18n::T(lang);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let xl = |e: rust_xlsxwriter::XlsxError| AppError::internal(format!("xlsx: {e}"));
    sheet.set_name(t.s("nav.enterprises")).map_err(xl)?;
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let headers = [
        t.s("ent.name"),
        t.s("org.credit_code"),
        t.s("ent.registered_district"),
        t.s("ent.tax_district"),
        t.s("ent.legal_person"),
        t.s("ent.industry"),
        t.s("tool.size.employees"),
        t.s("export.revenue_yuan"),
        t.s("export.assets_yuan"),
        t.s("ent.size"),
        t.s("ent.computed"),
        t.s("ent.consent"),
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(xl)?;
    }
    for (i, e) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        sheet.write_string(r, 0, &e.name).map_err(xl)?;
        sheet.write_string(r, 1, &e.credit_code).map_err(xl)?;
        sheet
            .write_string(r, 2, text(&e.registered_district))
            .map_err(xl)?;
        sheet
            .write_string(r, 3, text(&e.tax_district))
            .map_err(xl)?;
        sheet
            .write_string(
                r,
                4,
                if e.independent_legal_person {
                    t.s("common.yes")
                } else {
                    t.s("common.no")
                },
            )
            .map_err(xl)?;
        sheet.write_string(r, 5, text(&e.industry)).map_err(xl)?;
        if let Some(n) = e.employees {
            sheet.write_number(r, 6, n as u32).map_err(xl)?;
        }
        for (col, fen) in [(7u16, e.operating_revenue_fen), (8, e.total_assets_fen)] {
            if let Some(f) = fen {
                sheet
                    .write_number_with_format(
                        r,
                        col,
                        ipfin_domain::money::fen_to_sheet_number(f.get()),
                        &money,
                    )
                    .map_err(xl)?;
            }
        }
        sheet.write_string(r, 9, size_label(lang, e)).map_err(xl)?;
        let computed = e
            .size_class
            .as_deref()
            .and_then(SizeClass::from_code)
            .map(|c| c.label(lang))
            .unwrap_or("");
        sheet.write_string(r, 10, computed).map_err(xl)?;
        let consent = if e.data_sharing_consent {
            t.s("common.yes")
        } else {
            t.s("common.no")
        };
        sheet.write_string(r, 11, consent).map_err(xl)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xl)?;
    sheet.autofit();
    let bytes = book.save_to_buffer().map_err(xl)?;
    Ok(super::import::xlsx(bytes, "enterprises.xlsx"))
}

#[derive(Template)]
#[template(path = "tag_types.html")]
struct TagTypesPage {
    ctx: PageCtx,
    types: Vec<ipfin_store::enterprise::TagType>,
    can_create: bool,
    form: TagTypeForm,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct TagTypeForm {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

async fn tag_types_page(
    state: &AppState,
    actor: &Actor,
    form: TagTypeForm,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<TagTypesPage> {
    Ok(TagTypesPage {
        ctx: PageCtx::new(actor, state, "/tag-types").with_flash(flash),
        types: state.store.tag_types(&actor.scope).await?,
        can_create: actor.scope.lead_district().is_some(),
        form,
        errors,
    })
}

/// `GET /tag-types`: the guideline's whitelist categories and the district's own.
pub async fn tag_types(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let page = tag_types_page(
        &state,
        &actor,
        TagTypeForm::default(),
        FormErrors::default(),
        flash_key(&q.ok),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /tag-types`: a district's lead officers add a tag type of their own.
pub async fn create_tag_type(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<TagTypeForm>,
) -> AppResult<Response> {
    let f = form.data;
    let result = write!(state, actor, |tx| state
        .store
        .create_district_tag_type(&mut tx, &actor.scope, &f.code, &f.name_zh, &f.name_en)
        .await?);
    match result {
        Ok(_) => Ok(see_other("/tag-types", "created")),
        Err(e)
            if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT =>
        {
            let errors = FormErrors::from_error(&e, actor.lang);
            let page = tag_types_page(&state, &actor, f, errors, None).await?;
            Ok(render(e.status, &page))
        }
        Err(e) => Err(e),
    }
}
