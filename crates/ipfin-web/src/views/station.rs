//! Service stations on pages (issue #21, R3.1): `/stations` for the district (its stations,
//! setting one up, the figures per station and the XLSX), `/stations/{id}` (people),
//! `/cases` and `/cases/{id}` (a case's six steps, visits, trips, consent, an application
//! prepared on the enterprise's behalf, the rating), `/cases/week` (the specialist's week, at
//! phone width), `/book` (anyone requests on-site service) and `/bookings` (accept or decline).

use super::{CsrfForm, FormErrors, PageCtx, flash_key, render, see_other};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::path_id;
use crate::usecase::station::{
    self as uc, BookingDto, CaseDetailDto, CaseDto, FiguresDto, FiguresQuery, PersonDto,
    StationDto, WeekDto,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use ipfin_domain::station::{
    BookingFields, PartnerKind, StationFields, Step, StepFields, StepStatus, VisitFields,
};
use ipfin_domain::{FieldError, Lang};
use serde::Deserialize;
use std::collections::HashMap;

/// What was typed into a form, by field name.
type Typed = HashMap<String, String>;

fn status_of(errors: &FormErrors) -> StatusCode {
    if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

fn is_form_error(e: &AppError) -> bool {
    e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT
}

fn date(t: &Typed, k: &str) -> Option<NaiveDate> {
    t.get(k)
        .and_then(|v| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok())
}

fn text(t: &Typed, k: &str) -> String {
    t.get(k).cloned().unwrap_or_default()
}

/// A date typed but not a date: the field's error.
fn bad_date(t: &Typed, k: &'static str) -> Option<FieldError> {
    let v = t.get(k)?.trim();
    (!v.is_empty() && date(t, k).is_none()).then(|| {
        FieldError::new(
            k,
            "form.date",
            "日期格式应为 年-月-日，例如 2026-03-05。",
            "Dates are YYYY-MM-DD.",
        )
    })
}

fn step_label(code: &str, lang: Lang) -> &'static str {
    Step::from_code(code).map_or("", |s| s.label(lang))
}

fn status_label(code: &str, lang: Lang) -> &'static str {
    StepStatus::from_code(code).map_or("", |s| s.label(lang))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StationsParams {
    district: Option<String>,
    ok: Option<String>,
}

#[derive(Template)]
#[template(path = "stations.html")]
struct StationsPage {
    ctx: PageCtx,
    district: Option<String>,
    stations: Vec<StationDto>,
    figures: FiguresDto,
    manage: bool,
    agencies: Vec<(i64, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    steps: Vec<&'static str>,
    form: Typed,
    errors: FormErrors,
    export_link: String,
    /// The city chooses a district (code, name); empty for a district's own people.
    districts: Vec<(String, String)>,
}

impl StationsPage {
    fn kind_name(&self, code: &str) -> &'static str {
        PartnerKind::from_code(code).map_or("", |k| k.label(self.ctx.t.0))
    }
    fn v(&self, k: &str) -> String {
        text(&self.form, k)
    }
    fn yuan<F: Copy + Into<ipfin_domain::Fen>>(&self, fen: &F) -> String {
        (*fen).into().yuan()
    }
}

/// `GET /stations`: the district's stations, their figures (last twelve months) and, for the
/// lead officers, the form to set one up.
pub async fn index(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<StationsParams>,
) -> AppResult<Response> {
    let flash = flash_key(&p.ok);
    stations_page(
        &state,
        &actor,
        p.district.as_deref(),
        Typed::new(),
        FormErrors::default(),
        flash,
    )
    .await
}

async fn stations_page(
    state: &AppState,
    actor: &Actor,
    district: Option<&str>,
    form: Typed,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<Response> {
    let district = uc::district_of(actor, district)?;
    let stations = uc::stations(state, actor, district.as_deref()).await?;
    let stations = stations
        .into_iter()
        .filter(|s| district.as_ref().is_none_or(|d| &s.district_code == d))
        .collect();
    let figures = uc::figures(
        state,
        actor,
        &FiguresQuery {
            district: district.clone(),
            ..Default::default()
        },
    )
    .await?;
    let lang = actor.lang;
    let manage = actor.user().is_some()
        && district
            .as_deref()
            .is_some_and(|d| actor.scope.manages_district(d));
    let p = StationsPage {
        ctx: PageCtx::new(actor, state, "/stations").with_flash(flash),
        export_link: format!(
            "/stations/figures.xlsx?district={}",
            district.clone().unwrap_or_default()
        ),
        district,
        stations,
        figures,
        manage,
        agencies: if manage {
            state.store.free_agencies().await?
        } else {
            vec![]
        },
        kinds: PartnerKind::ALL
            .iter()
            .map(|k| (k.code(), k.label(lang)))
            .collect(),
        steps: Step::ALL.iter().map(|s| s.label(lang)).collect(),
        form,
        errors: errors.clone(),
        districts: if actor.scope.is_city() {
            state
                .store
                .districts()
                .await?
                .into_iter()
                .map(|d| {
                    let name = match lang {
                        Lang::Zh => d.name,
                        Lang::En => d.name_en,
                    };
                    (d.code, name)
                })
                .collect()
        } else {
            vec![]
        },
    };
    Ok(render(status_of(&errors), &p))
}

/// `POST /stations`: a lead officer sets up a station; every wrong field at once.
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let t = form.data;
    let area: Vec<String> = form
        .pairs
        .iter()
        .filter(|(k, _)| k == "service_area")
        .map(|(_, v)| v.clone())
        .collect();
    let district = uc::district_of(&actor, t.get("district").map(String::as_str))?
        .ok_or_else(AppError::not_found)?;
    let f = StationFields {
        name: text(&t, "name"),
        partner_kind: text(&t, "partner_kind"),
        partner_name: text(&t, "partner_name"),
        address: text(&t, "address"),
        service_area: area,
        opened_on: date(&t, "opened_on"),
        contact_name: text(&t, "contact_name"),
        contact_phone: text(&t, "contact_phone"),
    };
    let org = t.get("org_id").and_then(|v| v.trim().parse().ok());
    match uc::create_station(&state, &actor, &district, org, &f).await {
        Ok(id) => Ok(see_other(&format!("/stations/{id}"), "created")),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            stations_page(&state, &actor, Some(&district), t, errors, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "station.html")]
struct StationPage {
    ctx: PageCtx,
    s: StationDto,
    people: Vec<PersonDto>,
    manage: bool,
    cases: Vec<CaseDto>,
    form: Typed,
    errors: FormErrors,
}

impl StationPage {
    fn kind_name(&self, code: &str) -> &'static str {
        PartnerKind::from_code(code).map_or("", |k| k.label(self.ctx.t.0))
    }
    fn role_name(&self, code: &str) -> &'static str {
        ipfin_domain::station::PersonRole::from_code(code).map_or("", |k| k.label(self.ctx.t.0))
    }
    fn v(&self, k: &str) -> String {
        text(&self.form, k)
    }
}

/// `GET /stations/{station_id}`.
pub async fn station(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(p): Query<StationsParams>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    station_page(
        &state,
        &actor,
        id,
        Typed::new(),
        FormErrors::default(),
        flash_key(&p.ok),
    )
    .await
}

async fn station_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    form: Typed,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<Response> {
    let (s, people) = uc::station(state, actor, id).await?;
    let cases = uc::cases(
        state,
        actor,
        ipfin_store::station::CaseFilter {
            station_id: Some(id),
            open_only: true,
            ..Default::default()
        },
        ipfin_store::Page::new(Some(1), Some(100)),
    )
    .await?
    .items;
    let p = StationPage {
        ctx: PageCtx::new(actor, state, "/stations").with_flash(flash),
        manage: actor.user().is_some() && actor.scope.manages_district(&s.district_code),
        s,
        people,
        cases,
        form,
        errors: errors.clone(),
    };
    Ok(render(status_of(&errors), &p))
}

/// `POST /stations/{station_id}/people` (`username`, `role`).
pub async fn add_person(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let t = form.data;
    match uc::add_person(&state, &actor, id, &text(&t, "username"), &text(&t, "role")).await {
        Ok(()) => Ok(see_other(&format!("/stations/{id}"), "updated")),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            station_page(&state, &actor, id, t, errors, None).await
        }
        Err(e) => Err(e),
    }
}

/// `GET /stations/figures.xlsx`: the figures per station as a workbook.
pub async fn figures_export(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<FiguresQuery>,
) -> AppResult<Response> {
    let f = uc::figures(&state, &actor, &q).await?;
    let (headers, rows) = uc::figure_rows(&f, actor.lang);
    super::export::xlsx(
        "服务站工作情况",
        &headers,
        &rows,
        &format!("stations-{}-{}.xlsx", f.from, f.to),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CasesParams {
    open: Option<String>,
    page: Option<u64>,
    ok: Option<String>,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    ctx: PageCtx,
    list: ipfin_store::Paged<CaseDto>,
    open_only: bool,
    can_open: bool,
    form: Typed,
    errors: FormErrors,
    prev: Option<String>,
    next: Option<String>,
}

impl CasesPage {
    fn v(&self, k: &str) -> String {
        text(&self.form, k)
    }
}

/// `GET /cases`: the caller's cases (a station's staff: their station's, its workload).
pub async fn cases(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<CasesParams>,
) -> AppResult<Response> {
    let open = p.open.as_deref() == Some("true");
    cases_page(
        &state,
        &actor,
        open,
        p.page,
        Typed::new(),
        FormErrors::default(),
        flash_key(&p.ok),
    )
    .await
}

async fn cases_page(
    state: &AppState,
    actor: &Actor,
    open_only: bool,
    page: Option<u64>,
    form: Typed,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<Response> {
    let list = uc::cases(
        state,
        actor,
        ipfin_store::station::CaseFilter {
            open_only,
            ..Default::default()
        },
        ipfin_store::Page::new(page, None),
    )
    .await?;
    let base = format!("/cases?open={open_only}");
    let prev = (list.page > 1).then(|| format!("{base}&page={}", list.page - 1));
    let next = (list.page < list.pages()).then(|| format!("{base}&page={}", list.page + 1));
    let p = CasesPage {
        ctx: PageCtx::new(actor, state, "/cases").with_flash(flash),
        can_open: actor.user().is_some()
            && actor.scope.org_kind() == Some(ipfin_domain::OrgKind::ServiceAgency),
        list,
        open_only,
        form,
        errors: errors.clone(),
        prev,
        next,
    };
    Ok(render(status_of(&errors), &p))
}

/// `POST /cases` (`credit_code`): a station's specialist opens a case.
pub async fn open_case(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let t = form.data;
    let b = uc::OpenCaseBody {
        station_id: None,
        credit_code: text(&t, "credit_code"),
    };
    match uc::open_case(&state, &actor, &b).await {
        Ok(id) => Ok(see_other(&format!("/cases/{id}"), "created")),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            cases_page(&state, &actor, false, None, t, errors, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    ctx: PageCtx,
    d: CaseDetailDto,
    steps: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    /// The form the errors and typed values belong to (`step:valuation`, `visit`, …).
    which: String,
    form: Typed,
    errors: FormErrors,
    today: NaiveDate,
    consent_text: &'static str,
}

impl CasePage {
    fn step_name(&self, code: &str) -> &'static str {
        step_label(code, self.ctx.t.0)
    }
    fn opt_step(&self, code: &Option<String>) -> &'static str {
        code.as_deref().map_or("", |c| step_label(c, self.ctx.t.0))
    }
    fn status_name(&self, code: &str) -> &'static str {
        status_label(code, self.ctx.t.0)
    }
    fn needs_link(&self, code: &str) -> bool {
        Step::from_code(code).is_some_and(|s| s.link().is_some())
    }
    fn link_name(&self, code: &str) -> &'static str {
        Step::from_code(code)
            .and_then(|s| s.link())
            .map_or("", |l| match self.ctx.t.0 {
                Lang::Zh => l.zh(),
                Lang::En => l.en(),
            })
    }
    /// What to show in a field of form `which`: what was typed, else `current`.
    fn val(&self, which: &str, k: &str, current: &str) -> String {
        if self.which == which {
            text(&self.form, k)
        } else {
            current.to_string()
        }
    }
    fn err(&self, which: &str, k: &str) -> Option<&str> {
        if self.which == which {
            self.errors.get(k)
        } else {
            None
        }
    }
    /// The files of step `code`.
    fn files_of(&self, code: &str) -> Vec<&uc::StepFileDto> {
        self.d.files.iter().filter(|f| f.step == code).collect()
    }
    /// A file's size in whole KB, rounded up.
    fn kb(&self, n: &i64) -> String {
        format!("{} KB", n.saturating_add(1023) / 1024)
    }
    fn opt_date_str(&self, d: &Option<NaiveDate>) -> String {
        d.map(|d| d.to_string()).unwrap_or_default()
    }
    fn opt_id(&self, d: &Option<i64>) -> String {
        d.map(|d| d.to_string()).unwrap_or_default()
    }
    /// The records step `code` may link, as (id, label): what the step form offers.
    fn choices_for(&self, code: &str) -> Vec<(String, String)> {
        let lang = self.ctx.t.0;
        self.d
            .choices
            .iter()
            .filter(|c| c.step == code)
            .map(|c| {
                let number = c.number.clone().unwrap_or_else(|| match lang {
                    Lang::Zh => format!("草稿 #{}", c.id),
                    Lang::En => format!("draft #{}", c.id),
                });
                let detail = if c.step == "subsidy" {
                    ipfin_domain::application::State::from_code(&c.detail)
                        .map_or(c.detail.clone(), |s| s.label(lang).to_string())
                } else {
                    c.detail.clone()
                };
                let dated = c
                    .dated
                    .map(|d| format!(" · {}", self.ctx.date(&d)))
                    .unwrap_or_default();
                (c.id.to_string(), format!("{number}（{detail}{dated}）"))
            })
            .collect()
    }
}

/// `GET /cases/{case_id}`.
pub async fn case(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(p): Query<StationsParams>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    case_page(
        &state,
        &actor,
        id,
        "",
        Typed::new(),
        FormErrors::default(),
        flash_key(&p.ok),
    )
    .await
}

async fn case_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    which: &str,
    form: Typed,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<Response> {
    let d = uc::case(state, actor, id).await?;
    let lang = actor.lang;
    let p = CasePage {
        ctx: PageCtx::new(actor, state, "/cases").with_flash(flash),
        d,
        steps: Step::ALL
            .iter()
            .map(|s| (s.code(), s.label(lang)))
            .collect(),
        statuses: StepStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label(lang)))
            .collect(),
        which: which.to_string(),
        form,
        errors: errors.clone(),
        today: uc::today(),
        consent_text: ipfin_domain::station::CONSENT_TEXT_ZH,
    };
    Ok(render(status_of(&errors), &p))
}

async fn after(
    state: &AppState,
    actor: &Actor,
    id: i64,
    which: &str,
    t: Typed,
    r: AppResult<()>,
    flash: &str,
) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(see_other(&format!("/cases/{id}"), flash)),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            case_page(state, actor, id, which, t, errors, None).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /cases/{case_id}/steps/{step}`.
pub async fn update_step(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, step)): Path<(String, String)>,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let t = form.data;
    let mut typed_errors: Vec<FieldError> = ["started_on", "done_on"]
        .into_iter()
        .filter_map(|k| bad_date(&t, k))
        .collect();
    let linked = text(&t, "linked_id");
    let linked_id = match linked.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                typed_errors.push(FieldError::new(
                    "linked_id",
                    "station.link_number",
                    "关联记录编号应为数字。",
                    "The linked record's number is a whole number.",
                ));
                None
            }
        },
    };
    let f = StepFields {
        status: text(&t, "status"),
        started_on: date(&t, "started_on"),
        done_on: date(&t, "done_on"),
        responsible: text(&t, "responsible"),
        documents: text(&t, "documents"),
        linked_id,
    };
    let r = if typed_errors.is_empty() {
        uc::update_step(&state, &actor, id, &step, &f).await
    } else {
        Err(AppError::from(ipfin_store::StoreError::fields(
            typed_errors,
        )))
    };
    after(&state, &actor, id, &format!("step:{step}"), t, r, "updated").await
}

/// `POST /cases/{case_id}/steps/{step}/files` (multipart: `_csrf`, `file`).
pub async fn upload_step_file(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, step)): Path<(String, String)>,
    headers: HeaderMap,
    req: axum::extract::Request,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    uc::case(&state, &actor, id).await?;
    let (_, file) = crate::views::application::read_form(&actor, &headers, req).await?;
    let r = match file {
        Some((name, bytes)) => uc::add_step_file(&state, &actor, id, &step, &name, bytes)
            .await
            .map(|_| ()),
        None => Err(AppError::invalid(FieldError::new(
            "file",
            "file.missing",
            "请选择要上传的文件。",
            "Choose a file to upload.",
        ))),
    };
    after(
        &state,
        &actor,
        id,
        &format!("file:{step}"),
        Typed::new(),
        r,
        "created",
    )
    .await
}

/// `POST /cases/{case_id}/files/{file_id}/delete`.
pub async fn delete_step_file(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, fid)): Path<(String, String)>,
    _form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    uc::remove_step_file(&state, &actor, id, path_id(&fid)?).await?;
    Ok(see_other(&format!("/cases/{id}"), "deleted"))
}

/// `GET /cases/{case_id}/files/{file_id}`.
pub async fn step_file(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, fid)): Path<(String, String)>,
) -> AppResult<Response> {
    uc::step_file(&state, &actor, path_id(&id)?, path_id(&fid)?).await
}

/// `POST /cases/{case_id}/visits`.
pub async fn add_visit(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let t = form.data;
    let f = VisitFields {
        step: t.get("step").cloned(),
        visited_on: date(&t, "visited_on"),
        place: text(&t, "place"),
        visitors: text(&t, "visitors"),
        what: text(&t, "what"),
    };
    let r = match bad_date(&t, "visited_on") {
        Some(e) => Err(AppError::invalid(e)),
        None => uc::add_visit(&state, &actor, id, &f).await.map(|_| ()),
    };
    after(&state, &actor, id, "visit", t, r, "created").await
}

/// `POST /cases/{case_id}/trips`.
pub async fn add_trip(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let t = form.data;
    let b = uc::TripBody {
        trip_on: date(&t, "trip_on"),
        office: text(&t, "office"),
        reason: text(&t, "reason"),
    };
    let r = uc::add_trip(&state, &actor, id, &b).await.map(|_| ());
    after(&state, &actor, id, "trip", t, r, "created").await
}

/// `POST /cases/{case_id}/manager` (`manager_user_id`, empty to clear).
pub async fn assign_manager(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let t = form.data;
    let r = match text(&t, "manager_user_id").trim() {
        "" => Ok(None),
        v => v.parse::<i64>().map(Some).map_err(|_| {
            AppError::invalid(FieldError::new(
                "manager_user_id",
                "station.manager_unknown",
                "请从本服务站的客户经理中选择。",
                "Choose one of this station's account managers.",
            ))
        }),
    };
    let r = match r {
        Ok(user_id) => uc::assign_manager(&state, &actor, id, &uc::ManagerBody { user_id }).await,
        Err(e) => Err(e),
    };
    after(&state, &actor, id, "manager", t, r, "updated").await
}

/// `POST /cases/{case_id}/consent`.
pub async fn consent(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let t = form.data;
    let r = if t.get("confirm").map(String::as_str) != Some("yes") {
        Err(AppError::invalid(FieldError::new(
            "confirm",
            "form.confirm",
            "请勾选确认企业已书面同意后再登记。",
            "Tick the confirmation that the enterprise consented.",
        )))
    } else {
        uc::consent(
            &state,
            &actor,
            id,
            &uc::ConsentBody {
                given_by: text(&t, "given_by"),
                note: text(&t, "note"),
            },
        )
        .await
    };
    after(&state, &actor, id, "consent", t, r, "updated").await
}

/// `POST /cases/{case_id}/application`: prepares the enterprise's draft on its behalf.
pub async fn prepare_application(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let items: Vec<String> = form.all("items").into_iter().map(str::to_string).collect();
    let t = form.data;
    let r = uc::prepare_application(
        &state,
        &actor,
        id,
        &uc::PrepareBody {
            policy_version_id: None,
            items,
        },
    )
    .await
    .map(|_| ());
    after(&state, &actor, id, "application", t, r, "created").await
}

/// `POST /cases/{case_id}/rating`.
pub async fn rate(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let t = form.data;
    let r = uc::rate(
        &state,
        &actor,
        id,
        &uc::RatingBody {
            rating: text(&t, "rating").trim().parse().unwrap_or(0),
            comment: text(&t, "comment"),
        },
    )
    .await;
    after(&state, &actor, id, "rating", t, r, "updated").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WeekParams {
    date: Option<String>,
}

#[derive(Template)]
#[template(path = "week.html")]
struct WeekPage {
    ctx: PageCtx,
    w: WeekDto,
    prev: String,
    next: String,
    today: NaiveDate,
}

impl WeekPage {
    fn on(&self, d: &NaiveDate) -> Vec<&uc::VisitDto> {
        self.w
            .visits
            .iter()
            .filter(|v| v.visited_on == *d)
            .collect()
    }
    fn weekday(&self, d: &NaiveDate) -> &'static str {
        use chrono::Datelike;
        let zh = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
        let en = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let i = d.weekday().num_days_from_monday() as usize;
        match self.ctx.t.0 {
            Lang::Zh => zh[i],
            Lang::En => en[i],
        }
    }
    fn opt_step(&self, code: &Option<String>) -> &'static str {
        code.as_deref().map_or("", |c| step_label(c, self.ctx.t.0))
    }
}

/// `GET /cases/week?date=`: the visits of a week, one day under the other (phone width).
pub async fn week(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<WeekParams>,
) -> AppResult<Response> {
    let d = p
        .date
        .as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok());
    let w = uc::week(&state, &actor, d).await?;
    let first = w.days.first().copied().unwrap_or_else(uc::today);
    let p = WeekPage {
        ctx: PageCtx::new(&actor, &state, "/cases/week"),
        prev: format!("/cases/week?date={}", first - chrono::Days::new(7)),
        next: format!("/cases/week?date={}", first + chrono::Days::new(7)),
        today: uc::today(),
        w,
    };
    Ok(render(StatusCode::OK, &p))
}

#[derive(Template)]
#[template(path = "book.html")]
struct BookPage {
    ctx: PageCtx,
    stations: Vec<StationDto>,
    districts: Vec<(String, String)>,
    form: Typed,
    errors: FormErrors,
    done: bool,
}

impl BookPage {
    fn v(&self, k: &str) -> String {
        text(&self.form, k)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BookParams {
    station: Option<String>,
    ok: Option<String>,
}

/// `GET /book`: anyone requests on-site service from a station.
pub async fn book_form(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<BookParams>,
) -> AppResult<Response> {
    let mut t = Typed::new();
    if let Some(s) = p.station {
        t.insert("station_id".into(), s);
    }
    if let Some(d) = actor.scope.district() {
        t.insert("district".into(), d.to_string());
    }
    book_page(&state, &actor, t, FormErrors::default(), p.ok.is_some()).await
}

async fn book_page(
    state: &AppState,
    actor: &Actor,
    form: Typed,
    errors: FormErrors,
    done: bool,
) -> AppResult<Response> {
    let stations = uc::stations(state, actor, None).await?;
    let districts = state
        .store
        .districts()
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect();
    let p = BookPage {
        ctx: PageCtx::new(actor, state, "/book"),
        stations,
        districts,
        form,
        errors: errors.clone(),
        done,
    };
    Ok(render(status_of(&errors), &p))
}

/// `POST /book`: every wrong field at once; a district the station does not serve is refused.
pub async fn book(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let t = form.data;
    let f = BookingFields {
        station_id: t.get("station_id").and_then(|v| v.trim().parse().ok()),
        enterprise_name: text(&t, "enterprise_name"),
        credit_code: text(&t, "credit_code"),
        contact_name: text(&t, "contact_name"),
        contact_phone: text(&t, "contact_phone"),
        district: text(&t, "district"),
        need: text(&t, "need"),
    };
    match uc::book(&state, &actor, &f).await {
        Ok(_) => Ok(see_other("/book", "created")),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            book_page(&state, &actor, t, errors, false).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "bookings.html")]
struct BookingsPage {
    ctx: PageCtx,
    list: Vec<BookingDto>,
    errors: FormErrors,
    form: Typed,
}

impl BookingsPage {
    fn state_name(&self, code: &str) -> &'static str {
        ipfin_domain::station::BookingState::from_code(code).map_or("", |s| s.label(self.ctx.t.0))
    }
    fn v(&self, k: &str) -> String {
        text(&self.form, k)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OkParams {
    ok: Option<String>,
}

/// `GET /bookings`: the bookings of the station (or district), pending first.
pub async fn bookings(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<OkParams>,
) -> AppResult<Response> {
    let _ = flash_key(&p.ok);
    bookings_page(
        &state,
        &actor,
        Typed::new(),
        FormErrors::default(),
        flash_key(&p.ok),
    )
    .await
}

async fn bookings_page(
    state: &AppState,
    actor: &Actor,
    form: Typed,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<Response> {
    let list = uc::bookings(state, actor).await?;
    let p = BookingsPage {
        ctx: PageCtx::new(actor, state, "/bookings").with_flash(flash),
        list,
        errors: errors.clone(),
        form,
    };
    Ok(render(status_of(&errors), &p))
}

/// `POST /bookings/{booking_id}/accept`: the booking becomes a case.
pub async fn accept(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    match uc::accept(&state, &actor, id).await {
        Ok(case) => Ok(see_other(&format!("/cases/{case}"), "created")),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            bookings_page(&state, &actor, form.data, errors, None).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /bookings/{booking_id}/decline` (`reason`, `confirm=yes`).
pub async fn decline(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<Typed>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let t = form.data;
    let r = if t.get("confirm").map(String::as_str) != Some("yes") {
        Err(AppError::invalid(FieldError::new(
            "confirm",
            "form.confirm",
            "婉拒后不能撤回，请勾选确认后再提交。",
            "Tick the confirmation to decline.",
        )))
    } else {
        uc::decline(&state, &actor, id, &text(&t, "reason")).await
    };
    match r {
        Ok(()) => Ok(see_other("/bookings", "updated")),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            bookings_page(&state, &actor, t, errors, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "served_enterprise.html")]
struct ServedEnterprisePage {
    ctx: PageCtx,
    e: uc::ServedEnterpriseDto,
}

impl ServedEnterprisePage {
    fn size(&self) -> &'static str {
        self.e
            .size_class
            .as_deref()
            .and_then(ipfin_domain::size::SizeClass::from_code)
            .map_or("—", |c| c.label(self.ctx.t.0))
    }
}

/// `GET /stations/enterprises/{ent_id}`: an enterprise of the caller's cases (a station's
/// staff, the district's government) with those cases.
pub async fn served_enterprise(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let e = uc::served_enterprise(&state, &actor, path_id(&id)?).await?;
    let p = ServedEnterprisePage {
        ctx: PageCtx::new(&actor, &state, "/cases"),
        e,
    };
    Ok(render(StatusCode::OK, &p))
}
