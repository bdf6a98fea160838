//! Districts (with the dated lead-department designation) and organisations with their
//! contact persons: the R1.1 groundwork pages.

use super::{
    CsrfForm, FormErrors, ListQuery, PageCtx, flash_key, render, require_confirm, see_other,
};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::{path_id, write};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use ipfin_domain::{InstitutionType, OrgKind};
use ipfin_store::Paged;
use ipfin_store::org::{
    ContactPerson, DistrictSummary, LeadDesignation, NewContact, NewDesignation, NewDistrict,
    NewOrganisation, OrgFilter, Organisation,
};
use ipfin_store::user::User;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "districts.html")]
struct DistrictsPage {
    ctx: PageCtx,
    districts: Vec<DistrictSummary>,
    can_create: bool,
    form: NewDistrictForm,
    errors: FormErrors,
}

pub async fn districts(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let all = state.store.districts().await?;
    let districts = all
        .into_iter()
        .filter(|d| actor.scope.reads_district(&d.code))
        .collect();
    let ctx = PageCtx::new(&actor, &state, "/districts").with_flash(flash_key(&q.ok));
    Ok(render(
        StatusCode::OK,
        &DistrictsPage {
            ctx,
            districts,
            can_create: actor.scope.is_city(),
            form: NewDistrictForm {
                kind: "district".into(),
                ..Default::default()
            },
            errors: FormErrors::default(),
        },
    ))
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct NewDistrictForm {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: String,
}

pub async fn create_district(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<NewDistrictForm>,
) -> AppResult<Response> {
    let f = form.data;
    let n = NewDistrict {
        code: f.code.clone(),
        name: f.name.clone(),
        name_en: f.name_en.clone(),
        kind: f.kind.clone(),
        city_code: String::new(),
        sort_order: 100,
    };
    match write!(state, actor, |tx| state
        .store
        .create_district(&mut tx, &actor.scope, n)
        .await?)
    {
        Ok(d) => Ok(see_other(&format!("/districts/{}", d.code), "created")),
        Err(e) if e.field.is_some() || e.status == StatusCode::CONFLICT => {
            let ctx = PageCtx::new(&actor, &state, "/districts");
            let districts = state.store.districts().await?;
            Ok(render(
                if e.status == StatusCode::CONFLICT {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                },
                &DistrictsPage {
                    errors: FormErrors::from_error(&e, actor.lang),
                    ctx,
                    districts,
                    can_create: true,
                    form: f,
                },
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "district.html")]
pub(crate) struct DistrictPage {
    ctx: PageCtx,
    district: ipfin_store::org::District,
    history: Vec<LeadDesignation>,
    departments: Vec<Organisation>,
    can_designate: bool,
    errors: FormErrors,
    today: String,
    /// The coordination record (R1.1): departments with contacts, data-sharing arrangements.
    members: Vec<crate::usecase::coordination::DepartmentDto>,
    arrangements: Vec<ipfin_store::coordination::Arrangement>,
    can_share: bool,
    datasets: &'static [ipfin_domain::coordination::Dataset],
    frequencies: &'static [ipfin_domain::coordination::Frequency],
}

impl DistrictPage {
    fn is_current(&self, h: &LeadDesignation) -> bool {
        let today = ipfin_store::today_shanghai();
        h.from_date <= today && h.to_date.is_none_or(|t| t > today)
    }
    fn is_scheduled(&self, h: &LeadDesignation) -> bool {
        h.from_date > ipfin_store::today_shanghai()
    }
}

pub(crate) async fn district_page(
    state: &AppState,
    actor: &Actor,
    code: &str,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<DistrictPage> {
    ipfin_store::Store::check_district_scope(&actor.scope, code)?;
    let district = state.store.district(code).await?;
    let history = state.store.lead_history(&actor.scope, code).await?;
    let departments = state
        .store
        .organisations(
            &actor.scope,
            &OrgFilter {
                kind: Some(OrgKind::Department),
                district_code: Some(code.to_string()),
                q: None,
            },
            ipfin_store::Page::new(Some(1), Some(200)),
        )
        .await?
        .items;
    let (members, arrangements) = crate::usecase::coordination::record(state, actor, code).await?;
    Ok(DistrictPage {
        ctx: PageCtx::new(actor, state, &format!("/districts/{code}")).with_flash(flash),
        district,
        history,
        departments,
        can_designate: actor.scope.is_city(),
        errors,
        today: ipfin_store::today_shanghai().to_string(),
        members,
        arrangements,
        can_share: actor.scope.manages_kind_in(OrgKind::Department, Some(code)),
        datasets: ipfin_domain::coordination::Dataset::ALL,
        frequencies: ipfin_domain::coordination::Frequency::ALL,
    })
}

pub async fn district(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let page = district_page(
        &state,
        &actor,
        &code,
        FormErrors::default(),
        flash_key(&q.ok),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DesignateForm {
    organisation_id: String,
    from_date: String,
    head_name: Option<String>,
    note: Option<String>,
    confirm: Option<String>,
}

pub async fn designate_lead(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    form: CsrfForm<DesignateForm>,
) -> AppResult<Response> {
    let f = form.data;
    ipfin_store::Store::check_district_scope(&actor.scope, &code)?;
    let parsed = (|| {
        let org_id: i64 = f.organisation_id.trim().parse().map_err(|_| {
            ipfin_domain::FieldError::new(
                "organisation_id",
                "field.required",
                "请选择牵头部门。",
                "Choose the lead department.",
            )
        })?;
        let from =
            chrono::NaiveDate::parse_from_str(f.from_date.trim(), "%Y-%m-%d").map_err(|_| {
                ipfin_domain::FieldError::new(
                    "from_date",
                    "date.format",
                    "生效日期格式应为 YYYY-MM-DD，例如 2026-07-01。",
                    "Start date must be YYYY-MM-DD, e.g. 2026-07-01.",
                )
            })?;
        require_confirm(&f.confirm)?;
        Ok::<_, ipfin_domain::FieldError>((org_id, from))
    })();
    let result = match parsed {
        Ok((org_id, from)) => write!(state, actor, |tx| state
            .store
            .designate_lead(
                &mut tx,
                &actor.scope,
                &code,
                NewDesignation {
                    organisation_id: org_id,
                    from,
                    head_name: f.head_name.clone(),
                    note: f.note.clone()
                }
            )
            .await?),
        Err(fe) => Err(AppError::invalid(fe)),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/districts/{code}"), "designated")),
        Err(e) if e.field.is_some() || e.status == StatusCode::CONFLICT => {
            let status = e.status;
            let page = district_page(
                &state,
                &actor,
                &code,
                FormErrors::from_error(&e, actor.lang),
                None,
            )
            .await?;
            Ok(render(status, &page))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "orgs.html")]
struct OrgsPage {
    ctx: PageCtx,
    orgs: Paged<Organisation>,
    q: String,
    kind: String,
    kinds: Vec<(&'static str, &'static str)>,
    can_create: bool,
    prev: Option<String>,
    next: Option<String>,
}

fn page_link(base: &str, q: &str, kind: &str, page: u64) -> String {
    format!(
        "{base}?q={}&kind={}&page={page}",
        crate::http::urlencode(q),
        crate::http::urlencode(kind)
    )
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let kind = q.kind.as_deref().and_then(OrgKind::from_code);
    let filter = OrgFilter {
        kind,
        district_code: q.district.clone().filter(|d| !d.is_empty()),
        q: q.q.clone(),
    };
    let orgs = state
        .store
        .organisations(&actor.scope, &filter, q.page())
        .await?;
    let ctx = PageCtx::new(&actor, &state, "/orgs").with_flash(flash_key(&q.ok));
    let qs = q.q.clone().unwrap_or_default();
    let ks = kind.map(|k| k.code().to_string()).unwrap_or_default();
    let prev = (orgs.page > 1).then(|| page_link("/orgs", &qs, &ks, orgs.page - 1));
    let next = (orgs.page < orgs.pages()).then(|| page_link("/orgs", &qs, &ks, orgs.page + 1));
    Ok(render(
        StatusCode::OK,
        &OrgsPage {
            kinds: OrgKind::ALL
                .iter()
                .map(|k| (k.code(), k.label(actor.lang)))
                .collect(),
            can_create: actor
                .scope
                .manages_kind_in(OrgKind::Department, actor.scope.district()),
            ctx,
            orgs,
            q: qs,
            kind: ks,
            prev,
            next,
        },
    ))
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    ctx: PageCtx,
    org: Organisation,
    contacts: Vec<ContactPerson>,
    users: Vec<User>,
    can_manage: bool,
    /// The caller's own enterprise: the page links its API tokens (not in an SME's menu).
    own_enterprise: bool,
    errors: FormErrors,
    contact: NewContactForm,
}

async fn org_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    errors: FormErrors,
    contact: NewContactForm,
    flash: Option<&str>,
) -> AppResult<OrgPage> {
    let org = state.store.organisation(&actor.scope, id).await?;
    let contacts = state.store.contacts(&actor.scope, id).await?;
    let users = state.store.org_users(&actor.scope, id).await?;
    Ok(OrgPage {
        can_manage: actor
            .scope
            .manages_kind_in(org.kind(), org.district_code.as_deref()),
        ctx: PageCtx::new(actor, state, &format!("/orgs/{id}")).with_flash(flash),
        own_enterprise: actor.scope.org_kind() == Some(ipfin_domain::OrgKind::Enterprise)
            && actor.organisation_id() == Some(ipfin_domain::id::OrgId::new(id)),
        org,
        contacts,
        users,
        errors,
        contact,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let page = org_page(
        &state,
        &actor,
        path_id(&id)?,
        FormErrors::default(),
        NewContactForm::default(),
        flash_key(&q.ok),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "org_new.html")]
struct OrgNewPage {
    ctx: PageCtx,
    form: NewOrgForm,
    errors: FormErrors,
    kinds: Vec<(&'static str, &'static str)>,
    institution_types: Vec<(&'static str, &'static str)>,
    districts: Vec<DistrictSummary>,
    fixed_district: Option<String>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct NewOrgForm {
    pub kind: String,
    pub name: String,
    pub name_en: String,
    pub district_code: String,
    pub institution_type: String,
    pub credit_code: String,
}

async fn org_new_page(
    state: &AppState,
    actor: &Actor,
    form: NewOrgForm,
    errors: FormErrors,
) -> AppResult<OrgNewPage> {
    let kinds: Vec<_> = OrgKind::ALL
        .iter()
        .filter(|k| actor.scope.is_city() || matches!(k, OrgKind::Department))
        .map(|k| (k.code(), k.label(actor.lang)))
        .collect();
    Ok(OrgNewPage {
        ctx: PageCtx::new(actor, state, "/orgs/new"),
        form,
        errors,
        kinds,
        institution_types: InstitutionType::ALL
            .iter()
            .map(|t| (t.code(), t.label(actor.lang)))
            .collect(),
        districts: state.store.districts().await?,
        fixed_district: actor.scope.district().map(str::to_string),
    })
}

pub async fn new_page(State(state): State<AppState>, actor: Actor) -> AppResult<Response> {
    let page = org_new_page(
        &state,
        &actor,
        NewOrgForm {
            kind: "department".into(),
            ..Default::default()
        },
        FormErrors::default(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<NewOrgForm>,
) -> AppResult<Response> {
    let f = form.data;
    let result = match crate::http::optional_credit_code("credit_code", Some(&f.credit_code)) {
        Ok(credit_code) => {
            let n = NewOrganisation {
                kind: f.kind.clone(),
                name: f.name.clone(),
                name_en: Some(f.name_en.clone()),
                district_code: Some(f.district_code.clone()),
                institution_type: Some(f.institution_type.clone()),
                credit_code,
            };
            write!(state, actor, |tx| state
                .store
                .create_organisation(&mut tx, &actor.scope, n)
                .await?)
        }
        Err(fe) => Err(AppError::invalid(fe)),
    };
    match result {
        Ok(o) => Ok(see_other(&format!("/orgs/{}", o.id), "created")),
        Err(e) if e.field.is_some() || e.status == StatusCode::CONFLICT => {
            let status = e.status;
            let page =
                org_new_page(&state, &actor, f, FormErrors::from_error(&e, actor.lang)).await?;
            Ok(render(status, &page))
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct NewContactForm {
    pub name: String,
    pub title: String,
    pub phone: String,
    pub email: String,
}

pub async fn add_contact(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<NewContactForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let f = form.data;
    let n = NewContact {
        name: f.name.clone(),
        title: Some(f.title.clone()),
        phone: Some(f.phone.clone()),
        email: Some(f.email.clone()),
    };
    match write!(state, actor, |tx| state
        .store
        .add_contact(&mut tx, &actor.scope, id, n)
        .await?)
    {
        Ok(_) => Ok(see_other(&format!("/orgs/{id}"), "contact_added")),
        Err(e) if e.field.is_some() => {
            let page = org_page(
                &state,
                &actor,
                id,
                FormErrors::from_error(&e, actor.lang),
                f,
                None,
            )
            .await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    pub confirm: Option<String>,
    pub active: Option<String>,
}

pub async fn remove_contact(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, contact_id)): Path<(String, String)>,
    form: CsrfForm<ConfirmForm>,
) -> AppResult<Response> {
    let (id, contact_id) = (path_id(&id)?, path_id(&contact_id)?);
    // Scope first: a caller outside the organisation's scope learns nothing, not even a form error.
    state.store.organisation(&actor.scope, id).await?;
    require_confirm(&form.data.confirm).map_err(AppError::invalid)?;
    write!(state, actor, |tx| state
        .store
        .remove_contact(&mut tx, &actor.scope, id, contact_id)
        .await?)?;
    Ok(see_other(&format!("/orgs/{id}"), "contact_removed"))
}

pub async fn set_active(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<ConfirmForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.organisation(&actor.scope, id).await?;
    let active = form.data.active.as_deref() == Some("true");
    if !active {
        require_confirm(&form.data.confirm).map_err(AppError::invalid)?;
    }
    write!(state, actor, |tx| state
        .store
        .set_organisation_active(&mut tx, &actor.scope, id, active)
        .await?)?;
    // All users of the organisation lose access: drop every cached session.
    state.sessions.clear();
    Ok(see_other(
        &format!("/orgs/{id}"),
        if active { "enabled" } else { "disabled" },
    ))
}
