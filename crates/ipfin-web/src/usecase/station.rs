//! Service stations and door-to-door service (SPEC §7 R3.1; issue #21) for the pages and the
//! API alike: a district's stations and their figures, a station's cases (six steps, visits,
//! trips, consent, an application prepared on the enterprise's behalf, the rating), the
//! specialist's week, bookings from enterprises and the public.

use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::write;
use chrono::NaiveDate;
use ipfin_domain::station::{
    Activity, Booking, BookingFields, PersonRole, StationFields, StationInput, Step, StepFields,
    StepUpdate, VisitFields,
};
use ipfin_domain::{FieldError, Lang};
use ipfin_store::StoreError;
use ipfin_store::station::{
    BookingRow, CaseFilter, CaseRow, PersonRow, StationRow, StepRow, TripRow, VisitRow,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn today() -> NaiveDate {
    ipfin_store::today_shanghai()
}

macro_rules! dto {
    ($from:ty => $to:ident { $($f:ident),* $(,)? }) => {
        impl From<$from> for $to {
            fn from(r: $from) -> $to {
                $to { $($f: r.$f),* }
            }
        }
    };
}

/// A station.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StationDto {
    pub id: i64,
    pub org_id: i64,
    pub district_code: String,
    pub name: String,
    /// financial_institution | industry_association | industrial_park | ip_protection_centre |
    /// ip_service_centre | ip_workstation
    pub partner_kind: String,
    pub partner_name: String,
    pub address: String,
    /// District codes served, comma-separated.
    pub service_area: String,
    pub opened_on: NaiveDate,
    pub contact_name: String,
    pub contact_phone: String,
    pub active: bool,
}
dto!(StationRow => StationDto { id, org_id, district_code, name, partner_kind, partner_name, address, service_area, opened_on, contact_name, contact_phone, active });

/// A person of a station.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonDto {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub org_name: String,
    /// specialist | account_manager
    pub role: String,
}
dto!(PersonRow => PersonDto { user_id, username, display_name, org_name, role });

/// A service case with its summary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseDto {
    pub id: i64,
    pub station_id: i64,
    pub station_name: String,
    pub district_code: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub credit_code: String,
    pub booking_id: Option<i64>,
    pub specialist_name: Option<String>,
    /// The bank account manager (客户经理) assigned, and their bank.
    pub manager_user_id: Option<i64>,
    pub manager_name: Option<String>,
    pub manager_org_name: Option<String>,
    pub opened_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    /// Who gave the consent to an application prepared on the enterprise's behalf.
    pub consent_by: Option<String>,
    /// enterprise | station
    pub consent_channel: Option<String>,
    pub consent_at: Option<i64>,
    pub application_id: Option<i64>,
    pub rating: Option<i32>,
    pub rating_comment: Option<String>,
    /// Times the enterprise had to travel to an office (target 0).
    pub trips: i64,
    pub visits: i64,
    /// Steps done or not needed (of six).
    pub steps_settled: i64,
    pub next_visit: Option<NaiveDate>,
}
dto!(CaseRow => CaseDto { id, station_id, station_name, district_code, enterprise_id, enterprise_name, credit_code, booking_id, specialist_name, manager_user_id, manager_name, manager_org_name, opened_on, completed_on, consent_by, consent_channel, consent_at, application_id, rating, rating_comment, trips, visits, steps_settled, next_visit });

/// One step of a case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepDto {
    /// policy | qualification | valuation | contract | registration | subsidy
    pub step: String,
    /// not_started | in_progress | done | not_needed
    pub status: String,
    pub started_on: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
    pub responsible: String,
    pub documents: String,
    /// The valuation report (financing contract), pledge registration or application linked.
    pub linked_id: Option<i64>,
}
dto!(StepRow => StepDto { step, status, started_on, done_on, responsible, documents, linked_id });

/// A file among a step's documents (download: `GET /api/v1/cases/{case_id}/files/{id}`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepFileDto {
    pub id: i64,
    /// The step's code.
    pub step: String,
    pub file_name: String,
    /// pdf | ofd | jpeg | png | xlsx | docx (decided by the content)
    pub file_type: String,
    pub size: i64,
    /// Unix seconds.
    pub uploaded_at: i64,
}

impl From<ipfin_store::application::FileRow> for StepFileDto {
    fn from(f: ipfin_store::application::FileRow) -> Self {
        StepFileDto {
            id: f.id,
            step: f.slot,
            file_name: f.file_name,
            file_type: f.file_type,
            size: f.size,
            uploaded_at: f.uploaded_at,
        }
    }
}

/// A record of the case's enterprise that a step may link.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkChoiceDto {
    /// valuation | registration | subsidy
    pub step: String,
    /// The id to give as the step's `linked_id`.
    pub id: i64,
    /// Valuation contract number, pledge registration number or application number (a draft
    /// has none).
    pub number: Option<String>,
    /// The valuation provider, the pledgee, or the application's state code.
    pub detail: String,
    /// The report or registration date.
    pub dated: Option<NaiveDate>,
}
dto!(ipfin_store::station::LinkChoice => LinkChoiceDto { step, id, number, detail, dated });

/// One visit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitDto {
    pub id: i64,
    pub case_id: i64,
    pub enterprise_name: String,
    pub step: Option<String>,
    pub visited_on: NaiveDate,
    pub place: String,
    /// Who took part, from which organisation.
    pub visitors: String,
    pub what: String,
    pub recorded_by_name: String,
    pub recorded_org: String,
}
dto!(VisitRow => VisitDto { id, case_id, enterprise_name, step, visited_on, place, visitors, what, recorded_by_name, recorded_org });

/// One trip the enterprise had to make.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TripDto {
    pub id: i64,
    pub trip_on: NaiveDate,
    pub office: String,
    pub reason: String,
}
dto!(TripRow => TripDto { id, trip_on, office, reason });

/// A case with its steps, visits and trips.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseDetailDto {
    pub case: CaseDto,
    pub steps: Vec<StepDto>,
    pub visits: Vec<VisitDto>,
    pub trips: Vec<TripDto>,
    /// What the steps valuation, registration and subsidy may link (the enterprise's records).
    pub choices: Vec<LinkChoiceDto>,
    /// The station's account managers, one of whom may be assigned to the case.
    pub managers: Vec<PersonDto>,
    /// The steps' files, in upload order.
    pub files: Vec<StepFileDto>,
    /// Whether the caller may work the case (steps, visits, trips, consent, application).
    pub may_work: bool,
    /// Whether the caller is the enterprise served (consent, rating).
    pub is_enterprise: bool,
}

/// A booking.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BookingDto {
    pub id: i64,
    pub station_id: i64,
    pub station_name: String,
    pub district_code: String,
    pub enterprise_name: String,
    pub credit_code: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub enterprise_district: String,
    pub need: String,
    /// enterprise | public
    pub channel: String,
    pub requested_at: i64,
    /// requested | accepted | declined
    pub state: String,
    pub decline_reason: Option<String>,
    pub case_id: Option<i64>,
}
dto!(BookingRow => BookingDto { id, station_id, station_name, district_code, enterprise_name, credit_code, contact_name, contact_phone, enterprise_district, need, channel, requested_at, state, decline_reason, case_id });

/// One station's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StationFiguresDto {
    pub station_id: i64,
    pub station_name: String,
    pub district_code: String,
    pub opened: i64,
    pub completed: i64,
    pub open_now: i64,
    /// Completed cases without any trip.
    pub zero_trip: i64,
    /// Zero-trip share of completed cases, percent to one decimal.
    #[schema(value_type = Option<String>, example = "80.0")]
    pub zero_trip_pct: Option<String>,
    pub trips: i64,
    /// Average calendar days per step (policy … subsidy), one decimal; absent: no step done.
    #[schema(value_type = Vec<Option<String>>)]
    pub step_days: Vec<Option<String>>,
    /// Principal of loans obtained through the cases (via the linked pledge registration), fen.
    #[schema(value_type = i64)]
    pub loan_fen: ipfin_domain::Fen,
    pub loans: i64,
    #[schema(value_type = Option<String>, example = "4.5")]
    pub rating_avg: Option<String>,
}

/// A station's figures over a period; a loans' total past fen is an internal error (logged).
fn activity<'a>(
    cases: impl IntoIterator<Item = &'a ipfin_domain::station::CaseFacts>,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Activity> {
    Activity::of(cases, from, to).map_err(|e| AppError::internal(format!("station figures: {e}")))
}

/// The figures of a period, per station and over time.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FiguresDto {
    pub district: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub stations: Vec<StationFiguresDto>,
    /// Zero-trip share per quarter (cases completed in it), oldest first: (quarter, completed,
    /// zero-trip).
    pub quarters: Vec<QuarterShareDto>,
}

/// Zero-trip cases in one quarter.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuarterShareDto {
    pub quarter: String,
    pub completed: i64,
    pub zero_trip: i64,
    #[schema(value_type = Option<String>)]
    pub zero_trip_pct: Option<String>,
}

/// `?district=&from=&to=` (defaults: the caller's district, the last twelve months).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct FiguresQuery {
    pub district: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

fn fields(e: Vec<FieldError>) -> AppError {
    AppError::from(StoreError::fields(e))
}

/// The district a government caller works on: its own, or for the city the one asked for
/// (`None`: all).
pub fn district_of(actor: &Actor, asked: Option<&str>) -> AppResult<Option<String>> {
    let asked = asked.map(str::trim).filter(|s| !s.is_empty());
    match (actor.scope.district(), asked) {
        (Some(own), Some(a)) if own != a => Err(AppError::not_found()),
        (Some(own), _) => Ok(Some(own.to_string())),
        (None, a) if actor.scope.is_city() => Ok(a.map(str::to_string)),
        _ => Err(AppError::not_found()),
    }
}

/// The stations the caller reads (of a district for the government).
pub async fn stations(
    state: &AppState,
    actor: &Actor,
    district: Option<&str>,
) -> AppResult<Vec<StationDto>> {
    Ok(state
        .store
        .stations(&actor.scope, district)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// A district sets up a station; every wrong field at once.
pub async fn create_station(
    state: &AppState,
    actor: &Actor,
    district: &str,
    org_id: Option<i64>,
    f: &StationFields,
) -> AppResult<i64> {
    let known: Vec<String> = state
        .store
        .districts()
        .await?
        .into_iter()
        .map(|d| d.code)
        .collect();
    let checked = StationInput::check(f, district, |d| known.iter().any(|k| k == d), today());
    let mut errors = checked.as_ref().err().cloned().unwrap_or_default();
    if org_id.is_none() {
        errors.insert(
            0,
            FieldError::new(
                "org_id",
                "station.org",
                "请选择作为服务站的服务机构。",
                "Choose the service agency.",
            ),
        );
    }
    match (checked, org_id) {
        (Ok(s), Some(org)) if errors.is_empty() => {
            write!(state, actor, |tx| state
                .store
                .create_station(&mut tx, &actor.scope, district, org, &s)
                .await?)
        }
        _ => Err(fields(errors)),
    }
}

/// A station with its people.
pub async fn station(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> AppResult<(StationDto, Vec<PersonDto>)> {
    let (s, p) = state.store.station(&actor.scope, id).await?;
    Ok((s.into(), p.into_iter().map(Into::into).collect()))
}

/// Adds a person to a station.
pub async fn add_person(
    state: &AppState,
    actor: &Actor,
    station_id: i64,
    username: &str,
    role: &str,
) -> AppResult<()> {
    let role = PersonRole::from_code(role.trim()).ok_or_else(|| {
        AppError::invalid(FieldError::new(
            "role",
            "station.person_role",
            "请选择人员类型：服务专员（specialist）或银行客户经理（account_manager）。",
            "Role is specialist or account_manager.",
        ))
    })?;
    write!(state, actor, |tx| state
        .store
        .add_station_person(&mut tx, &actor.scope, station_id, username, role)
        .await?)
}

/// The cases the caller reads.
pub async fn cases(
    state: &AppState,
    actor: &Actor,
    f: CaseFilter<'_>,
    page: ipfin_store::Page,
) -> AppResult<ipfin_store::Paged<CaseDto>> {
    let p = state
        .store
        .service_cases(&actor.scope, f, today(), page)
        .await?;
    Ok(ipfin_store::Paged {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        capped: p.capped,
        page: p.page,
        per_page: p.per_page,
    })
}

/// One case.
pub async fn case(state: &AppState, actor: &Actor, id: i64) -> AppResult<CaseDetailDto> {
    let d = state.store.service_case(&actor.scope, id, today()).await?;
    let may_work = actor.user().is_some()
        && ipfin_domain::station::may_work(
            &actor.scope,
            ipfin_domain::OrgId::new(d.case.station_org_id),
            &d.case.district_code,
        );
    let is_enterprise = actor.scope.org_kind() == Some(ipfin_domain::OrgKind::Enterprise);
    Ok(CaseDetailDto {
        case: d.case.into(),
        steps: d.steps.into_iter().map(Into::into).collect(),
        visits: d.visits.into_iter().map(Into::into).collect(),
        trips: d.trips.into_iter().map(Into::into).collect(),
        choices: d.choices.into_iter().map(Into::into).collect(),
        managers: d.managers.into_iter().map(Into::into).collect(),
        files: d.files.into_iter().map(Into::into).collect(),
        may_work,
        is_enterprise,
    })
}

/// What opens a case directly (an enterprise of the registry, e.g. one pushed from the
/// whitelist).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCaseBody {
    /// The station (absent: the caller's own station).
    #[serde(default)]
    pub station_id: Option<i64>,
    /// The enterprise's unified social credit code.
    pub credit_code: String,
}

/// Opens a case for an enterprise of the registry.
pub async fn open_case(state: &AppState, actor: &Actor, b: &OpenCaseBody) -> AppResult<i64> {
    let station = match b.station_id {
        Some(s) => s,
        None => match state.store.own_station(&actor.scope).await? {
            Some(s) => s.id,
            None => {
                return Err(AppError::invalid(FieldError::new(
                    "station_id",
                    "station.booking_station",
                    "请选择服务站。",
                    "Choose a station.",
                )));
            }
        },
    };
    let code =
        crate::http::credit_code("credit_code", &b.credit_code).map_err(AppError::invalid)?;
    let ent = state
        .store
        .enterprise_id_by_credit_code(code.as_str())
        .await?
        .ok_or_else(|| {
            AppError::invalid(FieldError::new(
                "credit_code",
                "station.enterprise",
                "企业库中没有该企业，请核对统一社会信用代码。",
                "No such enterprise in the registry.",
            ))
        })?;
    write!(state, actor, |tx| state
        .store
        .open_case(&mut tx, &actor.scope, station, ent, None, today())
        .await?)
}

/// Updates one step of a case.
pub async fn update_step(
    state: &AppState,
    actor: &Actor,
    case_id: i64,
    step: &str,
    f: &StepFields,
) -> AppResult<()> {
    let d = state
        .store
        .service_case(&actor.scope, case_id, today())
        .await?;
    let step = Step::from_code(step).ok_or_else(AppError::not_found)?;
    let u = StepUpdate::check(step, f, d.case.opened_on, today()).map_err(fields)?;
    write!(state, actor, |tx| state
        .store
        .update_step(&mut tx, &actor.scope, case_id, &u, today())
        .await?)
}

/// Adds a file to a step's documents.
pub async fn add_step_file(
    state: &AppState,
    actor: &Actor,
    case_id: i64,
    step: &str,
    file_name: &str,
    bytes: axum::body::Bytes,
) -> AppResult<i64> {
    state
        .store
        .service_case(&actor.scope, case_id, today())
        .await?;
    let step = Step::from_code(step).ok_or_else(AppError::not_found)?;
    write!(state, actor, |tx| state
        .store
        .add_step_file(
            &mut tx,
            &actor.scope,
            case_id,
            step,
            file_name,
            bytes.clone()
        )
        .await?)
}

/// Removes a file from a step.
pub async fn remove_step_file(
    state: &AppState,
    actor: &Actor,
    case_id: i64,
    file_id: i64,
) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .remove_step_file(&mut tx, &actor.scope, case_id, file_id)
        .await?)
}

/// A step's file with its bytes, for download.
pub async fn step_file(
    state: &AppState,
    actor: &Actor,
    case_id: i64,
    file_id: i64,
) -> AppResult<axum::response::Response> {
    let (f, bytes) = state
        .store
        .step_file(&actor.scope, case_id, file_id)
        .await?;
    Ok(crate::http::file_response(&f, bytes))
}

/// Records a visit.
pub async fn add_visit(
    state: &AppState,
    actor: &Actor,
    case_id: i64,
    f: &VisitFields,
) -> AppResult<i64> {
    write!(state, actor, |tx| state
        .store
        .add_visit(&mut tx, &actor.scope, case_id, f, today())
        .await?)
}

/// A trip the enterprise had to make.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TripBody {
    #[serde(default)]
    pub trip_on: Option<NaiveDate>,
    #[serde(default)]
    pub office: String,
    #[serde(default)]
    pub reason: String,
}

pub async fn add_trip(
    state: &AppState,
    actor: &Actor,
    case_id: i64,
    b: &TripBody,
) -> AppResult<i64> {
    write!(state, actor, |tx| state
        .store
        .add_trip(
            &mut tx,
            &actor.scope,
            case_id,
            b.trip_on,
            &b.office,
            &b.reason,
            today()
        )
        .await?)
}

/// Assigns a bank account manager to a case.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagerBody {
    /// One of the station's account managers (`GET /api/v1/cases/{id}` lists them under
    /// `managers`); null clears the assignment.
    #[serde(default)]
    pub user_id: Option<i64>,
}

pub async fn assign_manager(
    state: &AppState,
    actor: &Actor,
    case_id: i64,
    b: &ManagerBody,
) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .assign_account_manager(&mut tx, &actor.scope, case_id, b.user_id)
        .await?)
}

/// The enterprise's consent to an application prepared on its behalf.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentBody {
    /// Who gave it (the enterprise's person and title).
    #[serde(default)]
    pub given_by: String,
    #[serde(default)]
    pub note: String,
}

pub async fn consent(
    state: &AppState,
    actor: &Actor,
    case_id: i64,
    b: &ConsentBody,
) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .record_case_consent(&mut tx, &actor.scope, case_id, &b.given_by, &b.note)
        .await?)
}

/// An application prepared on the enterprise's behalf.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrepareBody {
    /// The published policy version applied under (absent: the case district's current one).
    #[serde(default)]
    pub policy_version_id: Option<i64>,
    /// interest | evaluation | guarantee | insurance (absent: interest).
    #[serde(default)]
    pub items: Vec<String>,
}

pub async fn prepare_application(
    state: &AppState,
    actor: &Actor,
    case_id: i64,
    b: &PrepareBody,
) -> AppResult<i64> {
    let d = state
        .store
        .service_case(&actor.scope, case_id, today())
        .await?;
    let version = match b.policy_version_id {
        Some(v) => v,
        None => state
            .store
            .current_policy_version(&d.case.district_code)
            .await?
            .ok_or_else(|| {
                AppError::invalid(FieldError::new(
                    "policy_version_id",
                    "application.policy",
                    "该区尚无已发布的政策版本。",
                    "The district has no published policy.",
                ))
            })?,
    };
    let mut items = Vec::new();
    for i in if b.items.is_empty() {
        vec!["interest".to_string()]
    } else {
        b.items.clone()
    } {
        items.push(
            ipfin_domain::policy::rules::Item::from_code(i.trim()).ok_or_else(|| {
                AppError::invalid(FieldError::new(
                    "items",
                    "application.items",
                    "资助项目应为 interest（贴息）、evaluation（评估费）、guarantee（担保费）或 insurance（保险费）。",
                    "Items are interest, evaluation, guarantee or insurance.",
                ))
            })?,
        );
    }
    write!(state, actor, |tx| state
        .store
        .prepare_application(&mut tx, &actor.scope, case_id, version, items, today())
        .await?)
}

/// The enterprise's rating.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    /// 1–5.
    pub rating: i64,
    #[serde(default)]
    pub comment: String,
}

pub async fn rate(state: &AppState, actor: &Actor, case_id: i64, b: &RatingBody) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .rate_case(&mut tx, &actor.scope, case_id, b.rating, &b.comment)
        .await?)
}

/// A week of visits.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WeekDto {
    pub days: Vec<NaiveDate>,
    pub visits: Vec<VisitDto>,
    pub open_cases: i64,
}

pub async fn week(state: &AppState, actor: &Actor, date: Option<NaiveDate>) -> AppResult<WeekDto> {
    let days = ipfin_domain::station::week_of(date.unwrap_or_else(today));
    let visits = state
        .store
        .visits_between(&actor.scope, days[0], days[6])
        .await?;
    let open = state
        .store
        .service_cases(
            &actor.scope,
            CaseFilter {
                open_only: true,
                ..Default::default()
            },
            today(),
            ipfin_store::Page::new(Some(1), Some(1)),
        )
        .await?
        .total as i64;
    Ok(WeekDto {
        days: days.to_vec(),
        visits: visits.into_iter().map(Into::into).collect(),
        open_cases: open,
    })
}

/// Requests on-site service (an enterprise signed in, or anyone); every wrong field at once.
pub async fn book(state: &AppState, actor: &Actor, f: &BookingFields) -> AppResult<i64> {
    let known: Vec<String> = state
        .store
        .districts()
        .await?
        .into_iter()
        .map(|d| d.code)
        .collect();
    let b: Booking = Booking::check(f, |d| known.iter().any(|k| k == d)).map_err(fields)?;
    let station = f.station_id.unwrap_or(0);
    write!(state, actor, |tx| state
        .store
        .request_booking(&mut tx, &actor.scope, station, &b)
        .await?)
}

pub async fn bookings(state: &AppState, actor: &Actor) -> AppResult<Vec<BookingDto>> {
    Ok(state
        .store
        .bookings(&actor.scope, false)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub async fn accept(state: &AppState, actor: &Actor, id: i64) -> AppResult<i64> {
    write!(state, actor, |tx| state
        .store
        .accept_booking(&mut tx, &actor.scope, id, today())
        .await?)
}

pub async fn decline(state: &AppState, actor: &Actor, id: i64, reason: &str) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .decline_booking(&mut tx, &actor.scope, id, reason)
        .await?)
}

fn dec(d: Option<rust_decimal::Decimal>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// The figures per station and the zero-trip share per quarter.
pub async fn figures(state: &AppState, actor: &Actor, q: &FiguresQuery) -> AppResult<FiguresDto> {
    let district = district_of(actor, q.district.as_deref())?;
    let to = q.to.unwrap_or_else(today);
    let from = q.from.unwrap_or_else(|| to - chrono::Days::new(365));
    if from > to {
        return Err(AppError::invalid(FieldError::new(
            "from",
            "stats.period",
            "开始日期不能晚于结束日期。",
            "The start cannot be after the end.",
        )));
    }
    let facts = state
        .store
        .case_facts(&actor.scope, district.as_deref())
        .await?;
    let stations = state
        .store
        .stations(&actor.scope, district.as_deref())
        .await?;
    let mut out = Vec::new();
    for s in &stations {
        let a = activity(
            facts
                .iter()
                .map(|(_, f)| f)
                .filter(|f| f.station_id == s.id),
            from,
            to,
        )?;
        out.push(StationFiguresDto {
            station_id: s.id,
            station_name: s.name.clone(),
            district_code: s.district_code.clone(),
            opened: a.opened,
            completed: a.completed,
            open_now: a.open_now,
            zero_trip: a.zero_trip,
            zero_trip_pct: dec(a.zero_trip_pct()),
            trips: a.trips,
            step_days: a.step_days.iter().map(|d| dec(*d)).collect(),
            loan_fen: a.loan_fen,
            loans: a.loans,
            rating_avg: dec(a.rating_avg()),
        });
    }
    let mut quarters = Vec::new();
    let mut q0 = ipfin_domain::stats::Quarter::of(from);
    let last = ipfin_domain::stats::Quarter::of(to);
    while q0 <= last && quarters.len() < 20 {
        let a = activity(facts.iter().map(|(_, f)| f), q0.first_day(), q0.last_day())?;
        quarters.push(QuarterShareDto {
            quarter: q0.to_string(),
            completed: a.completed,
            zero_trip: a.zero_trip,
            zero_trip_pct: dec(a.zero_trip_pct()),
        });
        q0 = ipfin_domain::stats::Quarter::of(q0.last_day() + chrono::Days::new(1));
    }
    Ok(FiguresDto {
        district,
        from,
        to,
        stations: out,
        quarters,
    })
}

/// The figures as a table for the workbook.
pub fn figure_rows(f: &FiguresDto, lang: Lang) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let zh = lang == Lang::Zh;
    let mut headers: Vec<&'static str> = if zh {
        vec![
            "服务站",
            "区",
            "受理案件",
            "办结案件",
            "在办案件",
            "零跑动办结",
            "零跑动比例(%)",
            "跑动次数",
        ]
    } else {
        vec![
            "Station",
            "District",
            "Opened",
            "Completed",
            "Open",
            "Zero-trip",
            "Zero-trip %",
            "Trips",
        ]
    };
    for s in Step::ALL {
        headers.push(if zh { s.zh() } else { s.en() });
    }
    headers.extend(if zh {
        ["经案件获得贷款(元)", "贷款笔数", "平均评分"]
    } else {
        ["Loans obtained (yuan)", "Loans", "Average rating"]
    });
    let rows = f
        .stations
        .iter()
        .map(|s| {
            let mut r = vec![
                s.station_name.clone(),
                s.district_code.clone(),
                s.opened.to_string(),
                s.completed.to_string(),
                s.open_now.to_string(),
                s.zero_trip.to_string(),
                s.zero_trip_pct.clone().unwrap_or_default(),
                s.trips.to_string(),
            ];
            r.extend(s.step_days.iter().map(|d| d.clone().unwrap_or_default()));
            r.push(s.loan_fen.yuan());
            r.push(s.loans.to_string());
            r.push(s.rating_avg.clone().unwrap_or_default());
            r
        })
        .collect();
    (headers, rows)
}

/// The R3.1 cells: per district, (passed, finding), from the cases of the last twelve months.
pub async fn conformance(
    state: &AppState,
    actor: &Actor,
) -> AppResult<std::collections::HashMap<String, (bool, String)>> {
    let t = today();
    let facts = state.store.case_facts(&actor.scope, None).await?;
    let stations = state.store.stations(&actor.scope, None).await?;
    let mut out = std::collections::HashMap::new();
    for d in state.store.districts().await? {
        let n = stations
            .iter()
            .filter(|s| s.district_code == d.code && s.active)
            .count() as i64;
        let a = activity(
            facts.iter().filter(|(c, _)| *c == d.code).map(|(_, f)| f),
            t - chrono::Days::new(365),
            t,
        )?;
        out.insert(d.code, ipfin_domain::station::conformance(n, &a));
    }
    Ok(out)
}

/// An enterprise as a station's staff see it: the registry's basic facts and its cases at
/// the station.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServedEnterpriseDto {
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    pub registered_district: Option<String>,
    pub industry: Option<String>,
    pub employees: Option<i64>,
    pub size_class: Option<String>,
    pub cases: Vec<CaseDto>,
}

pub async fn served_enterprise(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> AppResult<ServedEnterpriseDto> {
    let (e, cases) = state
        .store
        .served_enterprise(&actor.scope, id, today())
        .await?;
    Ok(ServedEnterpriseDto {
        id: e.id,
        name: e.name,
        credit_code: e.credit_code,
        registered_district: e.registered_district,
        industry: e.industry,
        employees: e.employees,
        size_class: e.size_override.or(e.size_class),
        cases: cases.into_iter().map(Into::into).collect(),
    })
}

/// The home page's to-dos of service stations (issue #21): for the station's staff and the
/// district's lead officers, bookings awaiting a decision; for the station's staff, the visits
/// of the coming seven days; for an enterprise served, completed cases it has not rated yet.
pub async fn home(state: &AppState, actor: &Actor) -> AppResult<Vec<ipfin_domain::todo::Todo>> {
    use ipfin_domain::visibility::{Party, Reach, Records};
    let t = crate::i18n::T(actor.lang);
    let s = &state.store;
    let scope = &actor.scope;
    let mut todos = Vec::new();
    if actor.user().is_none() {
        return Ok(todos);
    }
    let staff = matches!(
        scope.reach(Records::ServiceCases),
        Reach::Party(Party::Station, _)
    );
    if staff || scope.lead_district().is_some() {
        let pending = s.bookings(scope, true).await?.len();
        if pending > 0 {
            todos.push(ipfin_domain::todo::Todo::new(
                t.s("todo.station_bookings")
                    .replace("{n}", &pending.to_string()),
                "/bookings".to_string(),
            ));
        }
    }
    if staff {
        let from = today();
        let visits = s
            .visits_between(scope, from, from + chrono::Days::new(7))
            .await?;
        if !visits.is_empty() {
            todos.push(ipfin_domain::todo::Todo::new(
                t.s("todo.station_visits")
                    .replace("{n}", &visits.len().to_string()),
                "/cases/week".to_string(),
            ));
        }
    }
    if matches!(
        scope.reach(Records::ServiceCases),
        Reach::Party(Party::Served, _)
    ) {
        let cases = s
            .service_cases(
                scope,
                CaseFilter::default(),
                today(),
                ipfin_store::db::Page {
                    page: 1,
                    per_page: 50,
                },
            )
            .await?;
        for c in cases
            .items
            .iter()
            .filter(|c| c.completed_on.is_some() && c.rating.is_none())
        {
            todos.push(ipfin_domain::todo::Todo::new(
                t.s("todo.station_rate")
                    .replace("{station}", &c.station_name),
                format!("/cases/{}#r-h", c.id),
            ));
        }
    }
    Ok(todos)
}
