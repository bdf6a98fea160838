//! Service stations and door-to-door service (SPEC §7 R3.1; issue #21, decision 0035).
//!
//! - **Stations** are set up by a district (its lead officers, or the city) for a service-agency
//!   organisation, with a partner, address, service area and contact; their people are the
//!   agency's users (specialists) and bank users (account managers who work with the station).
//! - **Service cases** follow one enterprise through six steps. Who sees a case is one row of
//!   the visibility table: the district's government, the station's staff (`Party::Station`)
//!   and the enterprise served; a station's staff see the enterprises of their cases
//!   (`Party::ServedBy`). Who works a case is `ipfin_domain::station::may_work`.
//! - A step marked done links its record where one is required, checked here to exist and to
//!   belong to the case's enterprise: a valuation report (a financing contract of kind
//!   valuation on the enterprise's loan), a pledge registration (the enterprise as pledgor), an
//!   application (the enterprise's, submitted).
//! - An application prepared on the enterprise's behalf needs the consent recorded on the case;
//!   it is the enterprise's own draft (its organisation is the applicant), which the enterprise
//!   completes and submits through the application area.
//! - **Bookings** come from an enterprise signed in or anyone on the public platform; the station
//!   must serve the enterprise's district. The station or district accepts (a case) or declines
//!   with a reason.

use crate::application::FileRow;
use crate::db::{Page, Paged, exec, fetch_all, fetch_i64, fetch_opt, fetch_page};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::station::{
    self as rules, Booking, BookingState, CaseFacts, PersonRole, Step, StepStatus, StepUpdate,
    Trip, Visit, may_work,
};
use ipfin_domain::visibility::Records;
use ipfin_domain::{Fen, FieldError, OrgId, OrgKind, Scope};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use serde_json::json;

/// A step's file, read as the application files' row (`slot` is the step's code).
const STEP_FILE_COLS: &str = "id, step AS slot, blob_key, file_name, file_type, size, uploaded_at";

/// A station.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct StationRow {
    pub id: i64,
    pub org_id: i64,
    pub district_code: String,
    pub name: String,
    pub partner_kind: String,
    pub partner_name: String,
    pub address: String,
    /// Comma-separated district codes.
    pub service_area: String,
    pub opened_on: NaiveDate,
    pub contact_name: String,
    pub contact_phone: String,
    pub active: bool,
}

impl StationRow {
    pub fn area(&self) -> Vec<String> {
        self.service_area
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// A person of a station.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct PersonRow {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub org_name: String,
    /// specialist | account_manager
    pub role: String,
}

/// A service case with its summary figures.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct CaseRow {
    pub id: i64,
    pub station_id: i64,
    pub station_org_id: i64,
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
    pub consent_by: Option<String>,
    pub consent_note: Option<String>,
    pub consent_channel: Option<String>,
    pub consent_at: Option<i64>,
    pub application_id: Option<i64>,
    pub rating: Option<i32>,
    pub rating_comment: Option<String>,
    pub trips: i64,
    pub visits: i64,
    pub steps_settled: i64,
    pub next_visit: Option<NaiveDate>,
}

/// One step of a case.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct StepRow {
    pub step: String,
    pub status: String,
    pub started_on: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
    pub responsible: String,
    pub documents: String,
    pub linked_id: Option<i64>,
}

/// One visit.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct VisitRow {
    pub id: i64,
    pub case_id: i64,
    pub enterprise_name: String,
    pub step: Option<String>,
    pub visited_on: NaiveDate,
    pub place: String,
    pub visitors: String,
    pub what: String,
    pub recorded_by_name: String,
    pub recorded_org: String,
}

/// One trip the enterprise had to make.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct TripRow {
    pub id: i64,
    pub trip_on: NaiveDate,
    pub office: String,
    pub reason: String,
}

/// A record of the case's enterprise that a step may link (what the step form offers).
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct LinkChoice {
    /// The step it serves: `valuation`, `registration` or `subsidy`.
    pub step: String,
    pub id: i64,
    /// Its number (valuation contract, pledge registration, application; a draft has none).
    pub number: Option<String>,
    /// The valuation provider, the pledgee, or the application's state.
    pub detail: String,
    /// Report date, registration date, or the day the application was last changed.
    pub dated: Option<NaiveDate>,
}

/// A case with its steps, visits and trips.
#[derive(Debug, Clone, Serialize)]
pub struct CaseDetail {
    pub case: CaseRow,
    pub steps: Vec<StepRow>,
    pub visits: Vec<VisitRow>,
    pub trips: Vec<TripRow>,
    /// What the steps that need a record may link: the case's enterprise's valuation reports,
    /// pledge registrations and applications (newest first).
    pub choices: Vec<LinkChoice>,
    /// The station's account managers, one of whom may be assigned to the case.
    pub managers: Vec<PersonRow>,
    /// The steps' files (`slot` is the step's code), in upload order.
    pub files: Vec<FileRow>,
}

/// A booking.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct BookingRow {
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

/// Filters of the case list.
#[derive(Debug, Clone, Copy, Default)]
pub struct CaseFilter<'a> {
    pub station_id: Option<i64>,
    pub district: Option<&'a str>,
    pub open_only: bool,
}

const STATION_COLS: &str = "st.id, st.org_id, st.district_code, st.name, st.partner_kind, st.partner_name, st.address, \
    st.service_area, st.opened_on, st.contact_name, st.contact_phone, st.active";
/// The case columns; `today` (a date, so safe inline) picks the next visit.
fn case_cols(today: NaiveDate) -> String {
    format!(
        "{CASE_COLS_BASE}, (SELECT MIN(x.visited_on) FROM case_visits x WHERE x.case_id = sc.id AND x.visited_on >= '{today}') AS next_visit"
    )
}
const CASE_COLS_BASE: &str = "sc.id, sc.station_id, sc.station_org_id, st.name AS station_name, sc.district_code, sc.enterprise_id, \
    e.name AS enterprise_name, e.credit_code, sc.booking_id, u.display_name AS specialist_name, \
    sc.manager_user_id, mu.display_name AS manager_name, mo.name AS manager_org_name, sc.opened_on, sc.completed_on, \
    sc.consent_by, sc.consent_note, sc.consent_channel, sc.consent_at, sc.application_id, sc.rating, sc.rating_comment, \
    (SELECT COUNT(*) FROM case_trips x WHERE x.case_id = sc.id) AS trips, \
    (SELECT COUNT(*) FROM case_visits x WHERE x.case_id = sc.id) AS visits, \
    (SELECT COUNT(*) FROM case_steps x WHERE x.case_id = sc.id AND x.status IN ('done', 'not_needed')) AS steps_settled";
const CASE_FROM: &str = "FROM service_cases sc JOIN stations st ON st.id = sc.station_id \
    JOIN enterprises e ON e.id = sc.enterprise_id LEFT JOIN users u ON u.id = sc.specialist_user_id \
    LEFT JOIN users mu ON mu.id = sc.manager_user_id LEFT JOIN organisations mo ON mo.id = sc.manager_org_id";
const BOOKING_COLS: &str = "bk.id, bk.station_id, st.name AS station_name, bk.district_code, bk.enterprise_name, bk.credit_code, \
    bk.contact_name, bk.contact_phone, bk.enterprise_district, bk.need, bk.channel, bk.requested_at, bk.state, \
    bk.decline_reason, bk.case_id";

fn invalid(errors: Vec<FieldError>) -> StoreError {
    StoreError::fields(errors)
}

fn not_worker() -> StoreError {
    StoreError::forbidden(
        "station.not_worker",
        "只有该服务站的服务专员或所在区牵头部门可以办理服务案件。",
        "Only the station's staff or the district's lead officers work its cases.",
    )
}

#[derive(FromQueryResult)]
struct CaseKey {
    station_org_id: i64,
    district_code: String,
    enterprise_id: i64,
    opened_on: NaiveDate,
    completed_on: Option<NaiveDate>,
    consent_at: Option<i64>,
    rating: Option<i32>,
    enterprise_org: Option<i64>,
}

impl Store {
    /// The stations the scope reads (active ones are public; the district's government reads
    /// its own inactive ones too), optionally of one district.
    pub async fn stations(&self, scope: &Scope, district: Option<&str>) -> Result<Vec<StationRow>> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::Stations);
        let mut sql = format!("SELECT {STATION_COLS} FROM stations st WHERE {cond}");
        if let Some(d) = district {
            sql.push_str(" AND st.district_code = ?");
            values.push(d.into());
        }
        sql.push_str(" ORDER BY st.district_code, st.id");
        fetch_all(self.conn(), &sql, values).await
    }

    /// The active stations in district `district` or serving it (its public zone: where to
    /// book on-site service), filtered in the database.
    pub async fn stations_serving(&self, district: &str) -> Result<Vec<StationRow>> {
        fetch_all(
            self.conn(),
            &format!(
                "SELECT {STATION_COLS} FROM stations st WHERE st.active = TRUE \
                 AND (st.district_code = ? OR (',' || st.service_area || ',') LIKE ?) ORDER BY st.district_code, st.id"
            ),
            vec![district.into(), format!("%,{district},%").into()],
        )
        .await
    }

    /// One station with its people.
    pub async fn station(&self, scope: &Scope, id: i64) -> Result<(StationRow, Vec<PersonRow>)> {
        let s = self.station_in(self.conn(), scope, id).await?;
        let people = fetch_all(
            self.conn(),
            "SELECT p.user_id, u.username, u.display_name, o.name AS org_name, p.role FROM station_people p \
             JOIN users u ON u.id = p.user_id JOIN organisations o ON o.id = u.organisation_id \
             WHERE p.station_id = ? ORDER BY p.role DESC, p.user_id",
            vec![id.into()],
        )
        .await?;
        Ok((s, people))
    }

    async fn station_in<C: ConnectionTrait>(
        &self,
        conn: &C,
        scope: &Scope,
        id: i64,
    ) -> Result<StationRow> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::Stations);
        values.insert(0, id.into());
        fetch_opt(
            conn,
            &format!("SELECT {STATION_COLS} FROM stations st WHERE st.id = ? AND {cond}"),
            values,
        )
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// The station the scope's organisation is (a station's staff), if any.
    pub async fn own_station(&self, scope: &Scope) -> Result<Option<StationRow>> {
        let Some(org) = scope
            .organisation()
            .filter(|_| scope.org_kind() == Some(OrgKind::ServiceAgency))
        else {
            return Ok(None);
        };
        fetch_opt(
            self.conn(),
            &format!("SELECT {STATION_COLS} FROM stations st WHERE st.org_id = ?"),
            vec![org.into()],
        )
        .await
    }

    /// Active service agencies that are not yet a station (to set one up).
    pub async fn free_agencies(&self) -> Result<Vec<(i64, String)>> {
        #[derive(FromQueryResult)]
        struct A {
            id: i64,
            name: String,
        }
        Ok(fetch_all::<A, _>(
            self.conn(),
            "SELECT o.id, o.name FROM organisations o WHERE o.kind = 'service_agency' AND o.active = TRUE \
             AND NOT EXISTS (SELECT 1 FROM stations s WHERE s.org_id = o.id) ORDER BY o.name, o.id",
            vec![],
        )
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect())
    }

    /// A district's lead officers (or the city) set up a station for a service agency.
    pub async fn create_station(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        district: &str,
        org_id: i64,
        s: &rules::StationInput,
    ) -> Result<i64> {
        if !scope.manages_district(district) {
            return Err(StoreError::forbidden(
                "station.manage",
                "服务站由所在区牵头部门设立。",
                "Stations are set up by the district's lead officers.",
            ));
        }
        #[derive(FromQueryResult)]
        struct O {
            kind: String,
            active: bool,
        }
        let o: Option<O> = fetch_opt(
            tx.conn(),
            "SELECT kind, active FROM organisations WHERE id = ?",
            vec![org_id.into()],
        )
        .await?;
        if !o.is_some_and(|o| o.kind == "service_agency" && o.active) {
            return Err(StoreError::invalid(
                "org_id",
                "station.org",
                "请选择一个在用的服务机构作为服务站（服务机构由市级管理员登记）。",
                "Choose an active service agency.",
            ));
        }
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO stations (org_id, district_code, name, partner_kind, partner_name, address, service_area, \
             opened_on, contact_name, contact_phone, active, created_by, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?, ?) RETURNING id",
            vec![
                org_id.into(),
                district.into(),
                s.name.clone().into(),
                s.partner_kind.code().into(),
                s.partner_name.clone().into(),
                s.address.clone().into(),
                s.service_area.join(",").into(),
                s.opened_on.into(),
                s.contact_name.clone().into(),
                s.contact_phone.clone().into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await
        .map_err(|e| {
            e.unique_as(ipfin_domain::Msg::new(
                "station.exists",
                "该服务机构已是服务站。",
                "This agency is already a station.",
            ))
        })?;
        tx.audit(
            "station.create",
            "station",
            id,
            json!({"org_id": org_id, "district": district, "partner_kind": s.partner_kind.code(),
                   "service_area": s.service_area}),
        )
        .await?;
        Ok(id)
    }

    /// The district's lead officers add a specialist (a user of the station's agency) or an
    /// account manager (a bank's user) to a station.
    pub async fn add_station_person(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        station_id: i64,
        username: &str,
        role: PersonRole,
    ) -> Result<()> {
        let s = self.station_in(tx.conn(), scope, station_id).await?;
        if !scope.manages_district(&s.district_code) {
            return Err(StoreError::forbidden(
                "station.manage",
                "服务站人员由所在区牵头部门登记。",
                "The district's lead officers manage a station's people.",
            ));
        }
        #[derive(FromQueryResult)]
        struct U {
            id: i64,
            organisation_id: i64,
            kind: String,
        }
        let u: Option<U> = fetch_opt(
            tx.conn(),
            "SELECT u.id, u.organisation_id, o.kind FROM users u JOIN organisations o ON o.id = u.organisation_id \
             WHERE u.username = ? AND u.active = TRUE",
            vec![username.trim().into()],
        )
        .await?;
        let fits = |u: &U| match role {
            PersonRole::Specialist => u.organisation_id == s.org_id,
            PersonRole::AccountManager => u.kind == "financial_institution",
        };
        let Some(u) = u.filter(fits) else {
            return Err(StoreError::invalid(
                "username",
                "station.person",
                match role {
                    PersonRole::Specialist => "服务专员须为该服务站机构的在用账号，请核对用户名。",
                    PersonRole::AccountManager => {
                        "客户经理须为银行等金融机构的在用账号，请核对用户名。"
                    }
                },
                "No active account of that kind with this username.",
            ));
        };
        exec(
            tx.conn(),
            "INSERT INTO station_people (station_id, user_id, role, added_by, added_at) VALUES (?, ?, ?, ?, ?)",
            vec![
                station_id.into(),
                u.id.into(),
                role.code().into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await
        .map_err(|e| {
            e.unique_as(ipfin_domain::Msg::new(
                "station.person_exists",
                "该账号已登记在本服务站。",
                "Already a person of this station.",
            ))
        })?;
        tx.audit(
            "station.person_add",
            "station",
            station_id,
            json!({"user_id": u.id, "role": role.code()}),
        )
        .await
    }

    async fn case_key<C: ConnectionTrait>(
        &self,
        conn: &C,
        scope: &Scope,
        id: i64,
    ) -> Result<CaseKey> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::ServiceCases);
        values.insert(0, id.into());
        fetch_opt(
            conn,
            &format!(
                "SELECT sc.station_org_id, sc.district_code, sc.enterprise_id, sc.opened_on, sc.completed_on, \
                 sc.consent_at, sc.rating, (SELECT ce.organisation_id FROM enterprises ce WHERE ce.id = sc.enterprise_id) AS enterprise_org \
                 FROM service_cases sc WHERE sc.id = ? AND {cond}"
            ),
            values,
        )
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// The case, for a write by whoever may work it.
    async fn case_to_work(&self, tx: &WriteTx, scope: &Scope, id: i64) -> Result<CaseKey> {
        let k = self.case_key(tx.conn(), scope, id).await?;
        if !may_work(scope, OrgId::new(k.station_org_id), &k.district_code) {
            return Err(not_worker());
        }
        Ok(k)
    }

    /// Opens a case at a station for a registered enterprise of its service area.
    pub async fn open_case(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        station_id: i64,
        enterprise_id: i64,
        booking_id: Option<i64>,
        today: NaiveDate,
    ) -> Result<i64> {
        let s = self.station_in(tx.conn(), scope, station_id).await?;
        if !may_work(scope, OrgId::new(s.org_id), &s.district_code) {
            return Err(not_worker());
        }
        #[derive(FromQueryResult)]
        struct E {
            registered_district: Option<String>,
        }
        let e: E = fetch_opt(
            tx.conn(),
            "SELECT registered_district FROM enterprises WHERE id = ?",
            vec![enterprise_id.into()],
        )
        .await?
        .ok_or_else(|| {
            StoreError::invalid(
                "credit_code",
                "station.enterprise",
                "企业库中没有该企业，请核对统一社会信用代码。",
                "No such enterprise in the registry.",
            )
        })?;
        let district = e.registered_district.unwrap_or_default();
        if !rules::StationInput::serves(&s.area(), &district) {
            return Err(StoreError::Invalid(rules::not_served(
                &s.name,
                &district,
                &s.area(),
            )));
        }
        let open: i64 = fetch_i64(
            tx.conn(),
            "SELECT COUNT(*) FROM service_cases WHERE station_id = ? AND enterprise_id = ? AND completed_on IS NULL",
            vec![station_id.into(), enterprise_id.into()],
        )
        .await?;
        if open > 0 {
            return Err(StoreError::conflict(
                "station.case_open",
                "该企业在本服务站已有未办结的服务案件。",
                "The enterprise already has an open case at this station.",
            ));
        }
        let specialist = if scope.is_organisation(OrgId::new(s.org_id)) {
            tx.actor_user_id()
        } else {
            None
        };
        let now = crate::now_s();
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO service_cases (station_id, station_org_id, district_code, enterprise_id, booking_id, \
             specialist_user_id, opened_on, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                station_id.into(),
                s.org_id.into(),
                s.district_code.clone().into(),
                enterprise_id.into(),
                booking_id.into(),
                specialist.into(),
                today.into(),
                tx.actor_user_id().into(),
                now.into(),
            ],
        )
        .await?;
        for step in Step::ALL {
            exec(
                tx.conn(),
                "INSERT INTO case_steps (case_id, step, status, updated_by, updated_at) VALUES (?, ?, 'not_started', ?, ?)",
                vec![
                    id.into(),
                    step.code().into(),
                    tx.actor_user_id().into(),
                    now.into(),
                ],
            )
            .await?;
        }
        tx.audit(
            "station.case_open",
            "service_case",
            id,
            json!({"station_id": station_id, "enterprise_id": enterprise_id, "booking_id": booking_id}),
        )
        .await?;
        Ok(id)
    }

    /// The registry id of an enterprise by credit code (to open a case), `None` if unknown.
    pub async fn enterprise_id_by_credit_code(&self, code: &str) -> Result<Option<i64>> {
        #[derive(FromQueryResult)]
        struct I {
            id: i64,
        }
        Ok(fetch_opt::<I, _>(
            self.conn(),
            "SELECT id FROM enterprises WHERE credit_code = ?",
            vec![code.into()],
        )
        .await?
        .map(|i| i.id))
    }

    /// The district's policy version in force (published), to prepare an application under.
    pub async fn current_policy_version(&self, district: &str) -> Result<Option<i64>> {
        #[derive(FromQueryResult)]
        struct I {
            id: i64,
        }
        Ok(fetch_opt::<I, _>(
            self.conn(),
            "SELECT id FROM policy_versions WHERE district_code = ? AND status = 'published' ORDER BY id DESC LIMIT 1",
            vec![district.into()],
        )
        .await?
        .map(|i| i.id))
    }

    /// One case with its steps, visits and trips.
    pub async fn service_case(
        &self,
        scope: &Scope,
        id: i64,
        today: NaiveDate,
    ) -> Result<CaseDetail> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::ServiceCases);
        values.insert(0, id.into());
        let case: CaseRow = fetch_opt(
            self.conn(),
            &format!(
                "SELECT {} {CASE_FROM} WHERE sc.id = ? AND {cond}",
                case_cols(today)
            ),
            values,
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let mut steps: Vec<StepRow> = fetch_all(
            self.conn(),
            "SELECT step, status, started_on, done_on, responsible, documents, linked_id FROM case_steps WHERE case_id = ?",
            vec![id.into()],
        )
        .await?;
        steps.sort_by_key(|s| Step::from_code(&s.step).map_or(9, Step::number));
        let visits = fetch_all(
            self.conn(),
            "SELECT v.id, v.case_id, e.name AS enterprise_name, v.step, v.visited_on, v.place, v.visitors, v.what, \
             v.recorded_by_name, v.recorded_org FROM case_visits v JOIN service_cases sc ON sc.id = v.case_id \
             JOIN enterprises e ON e.id = sc.enterprise_id WHERE v.case_id = ? ORDER BY v.visited_on, v.id",
            vec![id.into()],
        )
        .await?;
        let trips = fetch_all(
            self.conn(),
            "SELECT id, trip_on, office, reason FROM case_trips WHERE case_id = ? ORDER BY trip_on, id",
            vec![id.into()],
        )
        .await?;
        // The same three queries `check_link` accepts: the enterprise's own records.
        let choices = fetch_all(
            self.conn(),
            "SELECT 'valuation' AS step, fc.id, fc.contract_number AS number, fc.provider_name AS detail, \
             fc.report_date AS dated FROM financing_contracts fc JOIN loans l ON l.id = fc.loan_id \
             WHERE fc.kind = 'valuation' AND l.enterprise_id = ? \
             UNION ALL SELECT 'registration', p.id, p.number, o.name, p.registration_date \
             FROM pledge_registrations p JOIN organisations o ON o.id = p.pledgee_org_id WHERE p.pledgor_enterprise_id = ? \
             UNION ALL SELECT 'subsidy', a.id, a.number, a.state, NULL FROM applications a \
             WHERE a.enterprise_id = ? AND a.state <> 'withdrawn' \
             ORDER BY 1, 2 DESC",
            vec![
                case.enterprise_id.into(),
                case.enterprise_id.into(),
                case.enterprise_id.into(),
            ],
        )
        .await?;
        let managers = fetch_all(
            self.conn(),
            "SELECT p.user_id, u.username, u.display_name, o.name AS org_name, p.role FROM station_people p \
             JOIN users u ON u.id = p.user_id JOIN organisations o ON o.id = u.organisation_id \
             WHERE p.station_id = ? AND p.role = 'account_manager' AND u.active = TRUE ORDER BY o.name, u.display_name",
            vec![case.station_id.into()],
        )
        .await?;
        let files = fetch_all(
            self.conn(),
            &format!("SELECT {STEP_FILE_COLS} FROM case_step_files WHERE case_id = ? ORDER BY id"),
            vec![id.into()],
        )
        .await?;
        Ok(CaseDetail {
            case,
            steps,
            visits,
            trips,
            choices,
            managers,
            files,
        })
    }

    /// The cases the scope reads, newest first.
    pub async fn service_cases(
        &self,
        scope: &Scope,
        f: CaseFilter<'_>,
        today: NaiveDate,
        page: Page,
    ) -> Result<Paged<CaseRow>> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::ServiceCases);
        let mut sql = format!("{CASE_FROM} WHERE {cond}");
        if let Some(s) = f.station_id {
            sql.push_str(" AND sc.station_id = ?");
            values.push(s.into());
        }
        if let Some(d) = f.district {
            sql.push_str(" AND sc.district_code = ?");
            values.push(d.into());
        }
        if f.open_only {
            sql.push_str(" AND sc.completed_on IS NULL");
        }
        fetch_page(
            self.conn(),
            &case_cols(today),
            &sql,
            "sc.id DESC",
            values,
            page,
        )
        .await
    }

    /// The enterprise of one of the scope's cases (a station's staff), with those cases.
    pub async fn served_enterprise(
        &self,
        scope: &Scope,
        enterprise_id: i64,
        today: NaiveDate,
    ) -> Result<(crate::enterprise::Enterprise, Vec<CaseRow>)> {
        let e = self.enterprise(scope, enterprise_id).await?;
        let (cond, mut values) = crate::visibility::condition(scope, Records::ServiceCases);
        values.push(enterprise_id.into());
        let cases = fetch_all(
            self.conn(),
            &format!(
                "SELECT {} {CASE_FROM} WHERE {cond} AND sc.enterprise_id = ? ORDER BY sc.id DESC",
                case_cols(today)
            ),
            values,
        )
        .await?;
        Ok((e, cases))
    }

    /// Updates one step; a done step's linked record must exist and be the enterprise's. The
    /// case is completed when every step is done or not needed (and reopened otherwise).
    pub async fn update_step(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        case_id: i64,
        u: &StepUpdate,
        today: NaiveDate,
    ) -> Result<()> {
        let k = self.case_to_work(tx, scope, case_id).await?;
        if let (Some(link), Some(id)) = (u.step.link(), u.linked_id) {
            self.check_link(tx, link, id, k.enterprise_id, u.status)
                .await?;
        }
        exec(
            tx.conn(),
            "UPDATE case_steps SET status = ?, started_on = ?, done_on = ?, responsible = ?, documents = ?, linked_id = ?, \
             updated_by = ?, updated_at = ? WHERE case_id = ? AND step = ?",
            vec![
                u.status.code().into(),
                u.started_on.into(),
                u.done_on.into(),
                u.responsible.clone().into(),
                u.documents.clone().into(),
                u.linked_id.into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
                case_id.into(),
                u.step.code().into(),
            ],
        )
        .await?;
        if u.step == Step::Subsidy && u.linked_id.is_some() {
            exec(
                tx.conn(),
                "UPDATE service_cases SET application_id = ? WHERE id = ?",
                vec![u.linked_id.into(), case_id.into()],
            )
            .await?;
        }
        let settled = fetch_i64(
            tx.conn(),
            "SELECT COUNT(*) FROM case_steps WHERE case_id = ? AND status IN ('done', 'not_needed')",
            vec![case_id.into()],
        )
        .await?;
        let completed = (settled as usize == Step::ALL.len()).then_some(today);
        if completed.is_some() != k.completed_on.is_some() {
            exec(
                tx.conn(),
                "UPDATE service_cases SET completed_on = ? WHERE id = ?",
                vec![completed.into(), case_id.into()],
            )
            .await?;
        }
        tx.audit(
            "station.step",
            "service_case",
            case_id,
            json!({"step": u.step.code(), "status": u.status.code(), "linked_id": u.linked_id,
                   "completed": completed.is_some()}),
        )
        .await
    }

    /// Adds a file to a step's documents (the station's staff or the district). The content
    /// decides the type; the name is kept as metadata only; files are stored once per content.
    pub async fn add_step_file(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        case_id: i64,
        step: Step,
        file_name: &str,
        bytes: bytes::Bytes,
    ) -> Result<i64> {
        self.case_to_work(tx, scope, case_id).await?;
        let existing = fetch_i64(
            tx.conn(),
            "SELECT COUNT(*) FROM case_step_files WHERE case_id = ? AND step = ?",
            vec![case_id.into(), step.code().into()],
        )
        .await?;
        let t = rules::check_step_file(
            step,
            usize::try_from(existing).unwrap_or(usize::MAX),
            &bytes,
        )
        .map_err(|e| StoreError::fields(vec![e]))?;
        let size = bytes.len() as i64;
        let key = self.keep_file(tx, bytes, t).await?;
        let name = ipfin_domain::application::files::display_name(file_name);
        let fid = fetch_i64(
            tx.conn(),
            "INSERT INTO case_step_files (case_id, step, blob_key, file_name, file_type, size, uploaded_by, uploaded_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                case_id.into(),
                step.code().into(),
                key.clone().into(),
                name.clone().into(),
                t.code().into(),
                size.into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        tx.audit(
            "station.step_file",
            "service_case",
            case_id,
            json!({"step": step.code(), "file_id": fid, "sm3": key, "name": name, "type": t.code(), "size": size}),
        )
        .await?;
        Ok(fid)
    }

    /// Removes a file from a step (the station's staff or the district); the audit keeps its
    /// name and content key.
    pub async fn remove_step_file(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        case_id: i64,
        file_id: i64,
    ) -> Result<()> {
        self.case_to_work(tx, scope, case_id).await?;
        let f: FileRow = fetch_opt(
            tx.conn(),
            &format!("SELECT {STEP_FILE_COLS} FROM case_step_files WHERE id = ? AND case_id = ?"),
            vec![file_id.into(), case_id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        exec(
            tx.conn(),
            "DELETE FROM case_step_files WHERE id = ?",
            vec![file_id.into()],
        )
        .await?;
        tx.audit(
            "station.step_file_removed",
            "service_case",
            case_id,
            json!({"step": f.slot, "file_id": file_id, "sm3": f.blob_key, "name": f.file_name}),
        )
        .await
    }

    /// A step's file of a case the scope reads, with its bytes.
    pub async fn step_file(
        &self,
        scope: &Scope,
        case_id: i64,
        file_id: i64,
    ) -> Result<(FileRow, bytes::Bytes)> {
        self.case_key(self.conn(), scope, case_id).await?;
        let f: FileRow = fetch_opt(
            self.conn(),
            &format!("SELECT {STEP_FILE_COLS} FROM case_step_files WHERE id = ? AND case_id = ?"),
            vec![file_id.into(), case_id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let bytes = self.blobs().get(&f.blob_key).await?;
        Ok((f, bytes))
    }

    async fn check_link(
        &self,
        tx: &WriteTx,
        link: rules::Link,
        id: i64,
        enterprise_id: i64,
        status: StepStatus,
    ) -> Result<()> {
        let (sql, what) = match link {
            rules::Link::ValuationReport => (
                "SELECT COUNT(*) FROM financing_contracts fc JOIN loans l ON l.id = fc.loan_id \
                 WHERE fc.id = ? AND fc.kind = 'valuation' AND l.enterprise_id = ?",
                "评估报告（评估合同编号）",
            ),
            rules::Link::PledgeRegistration => (
                "SELECT COUNT(*) FROM pledge_registrations WHERE id = ? AND pledgor_enterprise_id = ?",
                "质押登记",
            ),
            rules::Link::Application => (
                "SELECT COUNT(*) FROM applications WHERE id = ? AND enterprise_id = ?",
                "资助申报",
            ),
        };
        let found = fetch_i64(tx.conn(), sql, vec![id.into(), enterprise_id.into()]).await?;
        if found == 0 {
            return Err(StoreError::invalid(
                "linked_id",
                "station.link_unknown",
                format!("编号为 {id} 的{what}不存在或不属于本案件的企业，请核对编号。"),
                "The linked record does not exist or is not the case's enterprise's.",
            ));
        }
        if link == rules::Link::Application && status == StepStatus::Done {
            let submitted = fetch_i64(
                tx.conn(),
                "SELECT COUNT(*) FROM applications WHERE id = ? AND state NOT IN ('draft', 'withdrawn')",
                vec![id.into()],
            )
            .await?;
            if submitted == 0 {
                return Err(StoreError::invalid(
                    "linked_id",
                    "station.application_not_submitted",
                    "关联的资助申报尚未由企业确认提交，“申报资助”环节暂不能标记为已完成。",
                    "The linked application has not been submitted by the enterprise yet.",
                ));
            }
        }
        Ok(())
    }

    /// Who is recording: the person's name and organisation (for visit records).
    async fn recorder(&self, tx: &WriteTx) -> Result<(String, String)> {
        #[derive(FromQueryResult)]
        struct R {
            display_name: String,
            org_name: String,
        }
        let r: Option<R> = match tx.actor_user_id() {
            Some(id) => {
                fetch_opt(
                    tx.conn(),
                    "SELECT u.display_name, o.name AS org_name FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = ?",
                    vec![id.into()],
                )
                .await?
            }
            None => None,
        };
        Ok(r.map_or_else(
            || (tx.actor().label.clone(), String::new()),
            |r| (r.display_name, r.org_name),
        ))
    }

    /// Records a visit (past or planned); not before the case opened.
    pub async fn add_visit(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        case_id: i64,
        f: &rules::VisitFields,
        today: NaiveDate,
    ) -> Result<i64> {
        let k = self.case_to_work(tx, scope, case_id).await?;
        let v: Visit = Visit::check(f, k.opened_on, today).map_err(invalid)?;
        let (name, org) = self.recorder(tx).await?;
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO case_visits (case_id, step, visited_on, place, visitors, what, recorded_by, recorded_by_name, \
             recorded_org, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                case_id.into(),
                v.step.map(Step::code).into(),
                v.visited_on.into(),
                v.place.clone().into(),
                v.visitors.clone().into(),
                v.what.clone().into(),
                tx.actor_user_id().into(),
                name.into(),
                org.into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        tx.audit(
            "station.visit",
            "service_case",
            case_id,
            json!({"visit_id": id, "visited_on": v.visited_on, "step": v.step.map(Step::code)}),
        )
        .await?;
        Ok(id)
    }

    /// Assigns one of the station's account managers (a bank's user) to the case, or clears the
    /// assignment (`None`): their bank then reads the case (`Party::AccountManager`). Whoever
    /// works the case decides.
    pub async fn assign_account_manager(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        case_id: i64,
        user_id: Option<i64>,
    ) -> Result<()> {
        self.case_to_work(tx, scope, case_id).await?;
        let org: Option<i64> = match user_id {
            None => None,
            Some(uid) => {
                #[derive(FromQueryResult)]
                struct M {
                    organisation_id: i64,
                }
                let m: Option<M> = fetch_opt(
                    tx.conn(),
                    "SELECT u.organisation_id FROM station_people p JOIN users u ON u.id = p.user_id \
                     JOIN service_cases sc ON sc.station_id = p.station_id \
                     WHERE sc.id = ? AND p.user_id = ? AND p.role = 'account_manager' AND u.active = TRUE",
                    vec![case_id.into(), uid.into()],
                )
                .await?;
                let Some(m) = m else {
                    return Err(StoreError::invalid(
                        "manager_user_id",
                        "station.manager_unknown",
                        "所选客户经理未登记在本服务站，请从本服务站的客户经理中选择。",
                        "Choose one of this station's account managers.",
                    ));
                };
                Some(m.organisation_id)
            }
        };
        exec(
            tx.conn(),
            "UPDATE service_cases SET manager_user_id = ?, manager_org_id = ? WHERE id = ?",
            vec![user_id.into(), org.into(), case_id.into()],
        )
        .await?;
        tx.audit(
            "station.manager",
            "service_case",
            case_id,
            json!({"manager_user_id": user_id, "manager_org_id": org}),
        )
        .await
    }

    /// Records a trip the enterprise had to make to an office.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_trip(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        case_id: i64,
        trip_on: Option<NaiveDate>,
        office: &str,
        reason: &str,
        today: NaiveDate,
    ) -> Result<i64> {
        let k = self.case_to_work(tx, scope, case_id).await?;
        let t: Trip = Trip::check(trip_on, office, reason, k.opened_on, today).map_err(invalid)?;
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO case_trips (case_id, trip_on, office, reason, recorded_by, recorded_at) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                case_id.into(),
                t.trip_on.into(),
                t.office.clone().into(),
                t.reason.clone().into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        tx.audit(
            "station.trip",
            "service_case",
            case_id,
            json!({"trip_id": id, "trip_on": t.trip_on, "reason": t.reason}),
        )
        .await?;
        Ok(id)
    }

    /// Records the enterprise's consent to an application prepared on its behalf: given by the
    /// enterprise on its case page, or a written consent recorded by the station.
    pub async fn record_case_consent(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        case_id: i64,
        given_by: &str,
        note: &str,
    ) -> Result<()> {
        let k = self.case_key(tx.conn(), scope, case_id).await?;
        let own = k
            .enterprise_org
            .is_some_and(|o| scope.is_organisation(OrgId::new(o)));
        if !own && !may_work(scope, OrgId::new(k.station_org_id), &k.district_code) {
            return Err(not_worker());
        }
        let (given_by, note) = rules::check_consent(given_by, note).map_err(invalid)?;
        let channel = if own { "enterprise" } else { "station" };
        exec(
            tx.conn(),
            "UPDATE service_cases SET consent_by = ?, consent_note = ?, consent_channel = ?, consent_at = ? WHERE id = ?",
            vec![
                given_by.clone().into(),
                note.into(),
                channel.into(),
                crate::now_s().into(),
                case_id.into(),
            ],
        )
        .await?;
        tx.audit(
            "station.consent",
            "service_case",
            case_id,
            json!({"given_by": given_by, "channel": channel, "text": rules::CONSENT_TEXT_ZH}),
        )
        .await
    }

    /// A specialist prepares the enterprise's application on its behalf (recorded consent
    /// required): a draft of the enterprise's own, which it completes and submits. The subsidy
    /// step links it and is in progress.
    pub async fn prepare_application(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        case_id: i64,
        policy_version_id: i64,
        items: Vec<ipfin_domain::policy::rules::Item>,
        today: NaiveDate,
    ) -> Result<i64> {
        let k = self.case_to_work(tx, scope, case_id).await?;
        if k.consent_at.is_none() {
            return Err(StoreError::Invalid(rules::consent_missing()));
        }
        let Some(org) = k.enterprise_org else {
            return Err(StoreError::conflict(
                "station.no_account",
                "该企业尚未开通账号（企业库记录未关联企业账号），无法由企业确认提交；请先协助企业完成账号认领。",
                "The enterprise has no account to confirm and submit the application.",
            ));
        };
        let as_enterprise = Scope::Enterprise {
            org_id: OrgId::new(org),
        };
        let id = self
            .create_application(
                tx,
                &as_enterprise,
                crate::application::NewApplication {
                    kind: ipfin_domain::application::Kind::EnterpriseFee,
                    policy_version_id,
                    batch: None,
                    items,
                    body: Default::default(),
                },
                today,
            )
            .await?;
        let (name, org_name) = self.recorder(tx).await?;
        exec(
            tx.conn(),
            "UPDATE service_cases SET application_id = ? WHERE id = ?",
            vec![id.into(), case_id.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "UPDATE case_steps SET status = 'in_progress', started_on = COALESCE(started_on, ?), linked_id = ?, \
             responsible = CASE WHEN responsible = '' THEN ? ELSE responsible END, updated_by = ?, updated_at = ? \
             WHERE case_id = ? AND step = 'subsidy'",
            vec![
                today.into(),
                id.into(),
                name.clone().into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
                case_id.into(),
            ],
        )
        .await?;
        tx.audit(
            "station.application_prepared",
            "service_case",
            case_id,
            json!({"application_id": id, "prepared_by": name, "organisation": org_name}),
        )
        .await?;
        Ok(id)
    }

    /// The enterprise rates its completed case (once).
    pub async fn rate_case(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        case_id: i64,
        stars: i64,
        comment: &str,
    ) -> Result<()> {
        let k = self.case_key(tx.conn(), scope, case_id).await?;
        if !k
            .enterprise_org
            .is_some_and(|o| scope.is_organisation(OrgId::new(o)))
        {
            return Err(StoreError::forbidden(
                "station.rate_own",
                "服务评价由接受服务的企业填写。",
                "The enterprise served rates the service.",
            ));
        }
        let (stars, comment) = rules::check_rating(stars, comment).map_err(invalid)?;
        if k.completed_on.is_none() {
            return Err(StoreError::conflict(
                "station.rate_open",
                "服务案件办结后才能评价。",
                "A case is rated once it is completed.",
            ));
        }
        if k.rating.is_some() {
            return Err(StoreError::conflict(
                "station.rated",
                "本案件已评价过。",
                "This case has been rated.",
            ));
        }
        exec(
            tx.conn(),
            "UPDATE service_cases SET rating = ?, rating_comment = ?, rated_at = ? WHERE id = ?",
            vec![
                stars.into(),
                comment.into(),
                crate::now_s().into(),
                case_id.into(),
            ],
        )
        .await?;
        tx.audit(
            "station.rate",
            "service_case",
            case_id,
            json!({"rating": stars}),
        )
        .await
    }

    /// The visits of the scope's cases in `from..=to` (a week's calendar).
    pub async fn visits_between(
        &self,
        scope: &Scope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<VisitRow>> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::ServiceCases);
        values.push(from.into());
        values.push(to.into());
        fetch_all(
            self.conn(),
            &format!(
                "SELECT v.id, v.case_id, e.name AS enterprise_name, v.step, v.visited_on, v.place, v.visitors, v.what, \
                 v.recorded_by_name, v.recorded_org FROM case_visits v JOIN service_cases sc ON sc.id = v.case_id \
                 JOIN enterprises e ON e.id = sc.enterprise_id WHERE {cond} AND v.visited_on >= ? AND v.visited_on <= ? \
                 ORDER BY v.visited_on, v.id"
            ),
            values,
        )
        .await
    }

    /// Requests on-site service: an enterprise signed in, or anyone. The station must be
    /// active and serve the enterprise's district.
    pub async fn request_booking(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        station_id: i64,
        b: &Booking,
    ) -> Result<i64> {
        let s = self
            .station_in(tx.conn(), &Scope::Public, station_id)
            .await
            .map_err(|_| {
                StoreError::invalid(
                    "station_id",
                    "station.booking_station",
                    "请选择一个正在运行的服务站。",
                    "Choose an active station.",
                )
            })?;
        if !rules::StationInput::serves(&s.area(), &b.district) {
            return Err(StoreError::Invalid(rules::not_served(
                &s.name,
                &b.district,
                &s.area(),
            )));
        }
        let enterprise_org = scope
            .organisation()
            .filter(|_| scope.org_kind() == Some(OrgKind::Enterprise));
        let channel = if enterprise_org.is_some() {
            "enterprise"
        } else {
            "public"
        };
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO service_bookings (station_id, station_org_id, district_code, enterprise_name, credit_code, \
             contact_name, contact_phone, enterprise_district, need, channel, requested_by, requested_by_org, requested_at, state) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'requested') RETURNING id",
            vec![
                station_id.into(),
                s.org_id.into(),
                s.district_code.clone().into(),
                b.enterprise_name.clone().into(),
                b.credit_code.as_str().to_string().into(),
                b.contact_name.clone().into(),
                b.contact_phone.clone().into(),
                b.district.clone().into(),
                b.need.clone().into(),
                channel.into(),
                tx.actor_user_id().into(),
                enterprise_org.map(OrgId::get).into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        tx.audit(
            "station.booking",
            "service_booking",
            id,
            json!({"station_id": station_id, "channel": channel, "district": b.district}),
        )
        .await?;
        Ok(id)
    }

    /// The bookings the scope reads, pending first, newest first.
    pub async fn bookings(&self, scope: &Scope, pending_only: bool) -> Result<Vec<BookingRow>> {
        let (cond, values) = crate::visibility::condition(scope, Records::Bookings);
        let extra = if pending_only {
            " AND bk.state = 'requested'"
        } else {
            ""
        };
        fetch_all(
            self.conn(),
            &format!(
                "SELECT {BOOKING_COLS} FROM service_bookings bk JOIN stations st ON st.id = bk.station_id \
                 WHERE {cond}{extra} ORDER BY CASE WHEN bk.state = 'requested' THEN 0 ELSE 1 END, bk.id DESC LIMIT 200"
            ),
            values,
        )
        .await
    }

    async fn booking_to_decide(
        &self,
        tx: &WriteTx,
        scope: &Scope,
        id: i64,
    ) -> Result<(BookingRow, i64)> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::Bookings);
        values.insert(0, id.into());
        #[derive(FromQueryResult)]
        struct B {
            station_org_id: i64,
        }
        let b: BookingRow = fetch_opt(
            tx.conn(),
            &format!(
                "SELECT {BOOKING_COLS} FROM service_bookings bk JOIN stations st ON st.id = bk.station_id \
                 WHERE bk.id = ? AND {cond}"
            ),
            values,
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let org = fetch_opt::<B, _>(
            tx.conn(),
            "SELECT station_org_id FROM service_bookings WHERE id = ?",
            vec![id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?
        .station_org_id;
        if !may_work(scope, OrgId::new(org), &b.district_code) {
            return Err(not_worker());
        }
        if b.state != BookingState::Requested.code() {
            return Err(StoreError::conflict(
                "station.booking_decided",
                "该预约已处理。",
                "This booking has been decided.",
            ));
        }
        Ok((b, org))
    }

    /// Turns a booking into a case (registering the enterprise first when it is not in the
    /// registry yet, with the name, credit code and district given).
    pub async fn accept_booking(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        today: NaiveDate,
    ) -> Result<i64> {
        let (b, _) = self.booking_to_decide(tx, scope, id).await?;
        #[derive(FromQueryResult)]
        struct I {
            id: i64,
        }
        let existing: Option<I> = fetch_opt(
            tx.conn(),
            "SELECT id FROM enterprises WHERE credit_code = ?",
            vec![b.credit_code.clone().into()],
        )
        .await?;
        let enterprise_id = match existing {
            Some(e) => e.id,
            None => {
                let code = ipfin_domain::CreditCode::parse(&b.credit_code).map_err(|msg| {
                    StoreError::Invalid(FieldError {
                        field: "credit_code",
                        msg,
                    })
                })?;
                let (e, _) = self
                    .save_enterprise(
                        tx,
                        &Scope::City,
                        crate::enterprise::EnterpriseInput {
                            credit_code: code,
                            name: b.enterprise_name.clone(),
                            registered_district: Some(b.enterprise_district.clone()),
                            tax_district: Some(b.enterprise_district.clone()),
                            independent_legal_person: true,
                            industry: None,
                            employees: None,
                            operating_revenue_fen: None,
                            total_assets_fen: None,
                            data_sharing_consent: false,
                        },
                    )
                    .await?;
                e.id
            }
        };
        let case_id = self
            .open_case(tx, scope, b.station_id, enterprise_id, Some(id), today)
            .await?;
        exec(
            tx.conn(),
            "UPDATE service_bookings SET state = 'accepted', decided_by = ?, decided_at = ?, case_id = ? WHERE id = ?",
            vec![
                tx.actor_user_id().into(),
                crate::now_s().into(),
                case_id.into(),
                id.into(),
            ],
        )
        .await?;
        tx.audit(
            "station.booking_accept",
            "service_booking",
            id,
            json!({"case_id": case_id}),
        )
        .await?;
        Ok(case_id)
    }

    /// Declines a booking with its reason.
    pub async fn decline_booking(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        reason: &str,
    ) -> Result<()> {
        let reason = rules::check_decline(reason).map_err(StoreError::Invalid)?;
        self.booking_to_decide(tx, scope, id).await?;
        exec(
            tx.conn(),
            "UPDATE service_bookings SET state = 'declined', decided_by = ?, decided_at = ?, decline_reason = ? WHERE id = ?",
            vec![
                tx.actor_user_id().into(),
                crate::now_s().into(),
                reason.clone().into(),
                id.into(),
            ],
        )
        .await?;
        tx.audit(
            "station.booking_decline",
            "service_booking",
            id,
            json!({"reason": reason}),
        )
        .await
    }

    /// The facts of every case the scope reads (for the district's figures and the R3.1
    /// cell): (district, facts).
    pub async fn case_facts(
        &self,
        scope: &Scope,
        district: Option<&str>,
    ) -> Result<Vec<(String, CaseFacts)>> {
        #[derive(FromQueryResult)]
        struct F {
            id: i64,
            station_id: i64,
            district_code: String,
            opened_on: NaiveDate,
            completed_on: Option<NaiveDate>,
            rating: Option<i32>,
            trips: i64,
            loan_fen: Option<Fen>,
        }
        #[derive(FromQueryResult)]
        struct S {
            case_id: i64,
            step: String,
            started_on: Option<NaiveDate>,
            done_on: Option<NaiveDate>,
        }
        let (cond, mut values) = crate::visibility::condition(scope, Records::ServiceCases);
        let mut filter = cond;
        if let Some(d) = district {
            filter.push_str(" AND sc.district_code = ?");
            values.push(d.into());
        }
        let rows: Vec<F> = fetch_all(
            self.conn(),
            &format!(
                "SELECT sc.id, sc.station_id, sc.district_code, sc.opened_on, sc.completed_on, sc.rating, \
                 (SELECT COUNT(*) FROM case_trips x WHERE x.case_id = sc.id) AS trips, \
                 (SELECT CAST(SUM(l.principal_fen) AS BIGINT) FROM case_steps cs JOIN loan_pledges lp ON lp.registration_id = cs.linked_id \
                  JOIN loans l ON l.id = lp.loan_id WHERE cs.case_id = sc.id AND cs.step = 'registration') AS loan_fen \
                 FROM service_cases sc WHERE {filter} ORDER BY sc.id"
            ),
            values.clone(),
        )
        .await?;
        let steps: Vec<S> = fetch_all(
            self.conn(),
            &format!(
                "SELECT cs.case_id, cs.step, cs.started_on, cs.done_on FROM case_steps cs JOIN service_cases sc ON sc.id = cs.case_id \
                 WHERE {filter} AND cs.status = 'done'"
            ),
            values,
        )
        .await?;
        let mut by_case: std::collections::HashMap<i64, Vec<(Step, i64)>> = Default::default();
        for s in steps {
            if let (Some(step), Some(a), Some(b)) =
                (Step::from_code(&s.step), s.started_on, s.done_on)
            {
                by_case
                    .entry(s.case_id)
                    .or_default()
                    .push((step, (b - a).num_days().max(0)));
            }
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.district_code,
                    CaseFacts {
                        station_id: r.station_id,
                        opened_on: r.opened_on,
                        completed_on: r.completed_on,
                        trips: r.trips,
                        step_days: by_case.remove(&r.id).unwrap_or_default(),
                        loan_fen: r.loan_fen.unwrap_or(Fen::ZERO),
                        rating: r.rating,
                    },
                )
            })
            .collect())
    }
}

/// The demo's stations (issue #21): 南山知识产权金融服务站 becomes 南山区's station with its
/// specialist and a bank account manager (assigned to its older cases); 福田区 and 宝安区 get one each; their cases stand in
/// every step (one completed case without a trip and rated, one with a trip), with visits this
/// week for the specialist's calendar, a pending public booking and a declined one.
pub(crate) async fn seed_demo(
    store: &Store,
    tx: &mut WriteTx,
    stations: &[(i64, &str, &str, rules::PartnerKind, &str)],
) -> Result<()> {
    let today = crate::today_shanghai();
    let city = Scope::City;
    let mut ids = Vec::new();
    for (org, district, name, kind, partner) in stations {
        let area = if *district == "440305" {
            vec!["440305".to_string(), "440306".to_string()]
        } else {
            vec![district.to_string()]
        };
        let id = store
            .create_station(
                tx,
                &city,
                district,
                *org,
                &rules::StationInput {
                    name: name.to_string(),
                    partner_kind: *kind,
                    partner_name: partner.to_string(),
                    address: format!("{partner}服务大厅"),
                    service_area: area,
                    opened_on: today - chrono::Days::new(200),
                    contact_name: "站长（演示）".into(),
                    contact_phone: "0755-86001234".into(),
                },
            )
            .await?;
        ids.push(id);
    }
    for (username, station, role) in [
        ("agency.specialist", 0usize, PersonRole::Specialist),
        ("bank.manager", 0, PersonRole::AccountManager),
        ("ft.specialist", 1, PersonRole::Specialist),
        ("bank2.manager", 1, PersonRole::AccountManager),
    ] {
        if let Some(id) = ids.get(station) {
            store
                .add_station_person(tx, &city, *id, username, role)
                .await?;
        }
    }
    let mut users = Vec::new();
    for username in ["agency.specialist", "ft.specialist"] {
        users.push(
            fetch_i64(
                tx.conn(),
                "SELECT id FROM users WHERE username = ?",
                vec![username.into()],
            )
            .await?,
        );
    }
    let (ns_user, ft_user) = (users[0], users[1]);
    // (station, enterprise, days since opened, steps settled, trips, rated, specialist)
    let cases: [(usize, &str, u64, usize, i64, bool, i64); 7] = [
        (0, "深圳市前海云链信息技术有限公司", 75, 6, 0, true, ns_user),
        (
            0,
            "深圳市蛇口海洋生物科技有限公司",
            60,
            6,
            1,
            false,
            ns_user,
        ),
        (0, "深圳市鹏华光电科技有限公司", 40, 4, 0, false, ns_user),
        (0, "深圳华科智能装备股份有限公司", 30, 2, 0, false, ns_user),
        (0, "深圳市宝安精密模具有限公司", 12, 1, 0, false, ns_user),
        (1, "深圳市华强微电子有限公司", 50, 3, 0, false, ft_user),
        (1, "深圳市福华新材料有限公司", 20, 5, 0, false, ft_user),
    ];
    // 宝安区's station: one case just opened (policy interpretation in progress).
    let cases = cases.into_iter().chain([(
        2usize,
        "深圳市宝安精密模具有限公司",
        3u64,
        0usize,
        0i64,
        false,
        ns_user,
    )]);
    let now = crate::now_s();
    for (station, name, days, settled, trips, rated, user) in cases {
        let Some(station_id) = ids.get(station).copied() else {
            continue;
        };
        let enterprise = fetch_i64(
            tx.conn(),
            "SELECT id FROM enterprises WHERE name = ?",
            vec![name.into()],
        )
        .await?;
        let opened = today - chrono::Days::new(days);
        let case_id = store
            .open_case(tx, &city, station_id, enterprise, None, opened)
            .await?;
        exec(
            tx.conn(),
            "UPDATE service_cases SET specialist_user_id = ? WHERE id = ?",
            vec![(station != 2).then_some(user).into(), case_id.into()],
        )
        .await?;
        // 南山's older cases have the station's account manager (深南银行) assigned.
        if station == 0 && days >= 30 {
            exec(
                tx.conn(),
                "UPDATE service_cases SET manager_user_id = (SELECT id FROM users WHERE username = 'bank.manager'), \
                 manager_org_id = (SELECT organisation_id FROM users WHERE username = 'bank.manager') WHERE id = ?",
                vec![case_id.into()],
            )
            .await?;
        }
        let mut day = opened;
        for (i, step) in Step::ALL.iter().enumerate() {
            let span = (days / 7).max(1);
            let (status, start, done) = if i < settled {
                let start = day;
                day = (day + chrono::Days::new(span)).min(today);
                // The demo has no loans of these enterprises: the steps that need a valuation
                // report, a pledge registration or an application were not needed for them.
                let status = if step.link().is_some() {
                    StepStatus::NotNeeded
                } else {
                    StepStatus::Done
                };
                (status, Some(start), Some(day))
            } else if i == settled {
                (StepStatus::InProgress, Some(day), None)
            } else {
                (StepStatus::NotStarted, None, None)
            };
            exec(
                tx.conn(),
                "UPDATE case_steps SET status = ?, started_on = ?, done_on = ?, responsible = ?, documents = ? \
                 WHERE case_id = ? AND step = ?",
                vec![
                    status.code().into(),
                    start.into(),
                    done.into(),
                    if start.is_some() { "服务专员（演示）" } else { "" }.into(),
                    if done.is_some() {
                        format!("{}材料清单", step.zh())
                    } else {
                        String::new()
                    }
                    .into(),
                    case_id.into(),
                    step.code().into(),
                ],
            )
            .await?;
        }
        if settled == Step::ALL.len() {
            exec(
                tx.conn(),
                "UPDATE service_cases SET completed_on = ? WHERE id = ?",
                vec![day.into(), case_id.into()],
            )
            .await?;
        }
        // Two visits: one at the start, one planned or held this week.
        let this_week = rules::week_of(today)[(days % 5) as usize];
        for (on, step, what) in [
            (
                opened,
                Step::Policy,
                "上门解读质押融资与资助政策，收集企业知识产权清单",
            ),
            (
                this_week.max(opened),
                Step::ALL[settled.min(5)],
                "上门协助办理本环节材料",
            ),
        ] {
            exec(
                tx.conn(),
                "INSERT INTO case_visits (case_id, step, visited_on, place, visitors, what, recorded_by, recorded_by_name, \
                 recorded_org, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, '服务专员（演示）', ?, ?)",
                vec![
                    case_id.into(),
                    step.code().into(),
                    on.into(),
                    format!("{name}会议室").into(),
                    "服务专员（演示）、银行客户经理（演示）".into(),
                    what.into(),
                    user.into(),
                    stations[station].2.into(),
                    now.into(),
                ],
            )
            .await?;
        }
        for _ in 0..trips {
            exec(
                tx.conn(),
                "INSERT INTO case_trips (case_id, trip_on, office, reason, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                vec![
                    case_id.into(),
                    (opened + chrono::Days::new(5)).into(),
                    "区知识产权局窗口".into(),
                    "质押登记材料原件须现场核验".into(),
                    user.into(),
                    now.into(),
                ],
            )
            .await?;
        }
        if rated {
            exec(
                tx.conn(),
                "UPDATE service_cases SET rating = 5, rating_comment = '上门服务及时，一次都没跑', rated_at = ? WHERE id = ?",
                vec![now.into(), case_id.into()],
            )
            .await?;
        }
    }
    if let Some(ns) = ids.first().copied() {
        let b = |name: &str, code: &str, district: &str| Booking {
            enterprise_name: name.to_string(),
            credit_code: ipfin_domain::CreditCode::parse(code).unwrap_or_else(|_| {
                ipfin_domain::CreditCode::parse("9144030071526726XG").expect("a valid example code")
            }),
            contact_name: "王经理".into(),
            contact_phone: "13800138000".into(),
            district: district.to_string(),
            need: "希望了解专利质押融资和贴息政策".into(),
        };
        store
            .request_booking(
                tx,
                &Scope::Public,
                ns,
                &b(
                    "深圳市科兴生物芯片有限公司",
                    &crate::demo::demo_credit_code("440305", 301),
                    "440305",
                ),
            )
            .await?;
        let declined = store
            .request_booking(
                tx,
                &Scope::Public,
                ns,
                &b(
                    "深圳市西丽智能制造有限公司",
                    &crate::demo::demo_credit_code("440305", 302),
                    "440305",
                ),
            )
            .await?;
        store
            .decline_booking(
                tx,
                &city,
                declined,
                "企业已由银行客户经理直接对接，无需上门服务",
            )
            .await?;
    }
    Ok(())
}

impl Store {
    /// The demo city's service cases past their registration step obtained real loans: for each
    /// (its valuation and registration steps "not needed" in the demo the tests load, which
    /// counts no loans), 深圳前海农商银行（演示） reports the loan with its valuation report, and
    /// the two steps are done and linked to them — so the stations' figures show loans obtained
    /// through cases. Once; nothing when the demo is not loaded or the loans exist.
    pub async fn seed_demo_case_loans(&self) -> Result<bool> {
        if !self.demo_loaded().await?
            || fetch_i64(
                self.conn(),
                "SELECT COUNT(*) FROM loans WHERE contract_number LIKE 'ZJ-%-CASE-%'",
                vec![],
            )
            .await?
                > 0
        {
            return Ok(false);
        }
        #[derive(FromQueryResult)]
        struct Due {
            case_id: i64,
            enterprise_id: i64,
            valued_on: Option<NaiveDate>,
            registered_on: Option<NaiveDate>,
        }
        let due: Vec<Due> = fetch_all(
            self.conn(),
            "SELECT sc.id AS case_id, sc.enterprise_id, v.done_on AS valued_on, r.done_on AS registered_on \
             FROM service_cases sc JOIN case_steps v ON v.case_id = sc.id AND v.step = 'valuation' \
             JOIN case_steps r ON r.case_id = sc.id AND r.step = 'registration' \
             WHERE r.status = 'not_needed' AND v.status = 'not_needed' ORDER BY sc.id",
            vec![],
        )
        .await?;
        let bank = OrgId::new(
            fetch_i64(
                self.conn(),
                "SELECT id FROM organisations WHERE name = '深圳前海农商银行（演示）'",
                vec![],
            )
            .await?,
        );
        let mut tx = self.write(crate::audit::AuditActor::system("demo")).await?;
        for d in due {
            let (Some(valued_on), Some(registered_on)) = (d.valued_on, d.registered_on) else {
                continue;
            };
            let (valuation, registration) = demo_case_loan(
                self,
                &mut tx,
                bank,
                d.case_id,
                d.enterprise_id,
                valued_on,
                registered_on,
            )
            .await?;
            for (step, id) in [("valuation", valuation), ("registration", registration)] {
                exec(
                    tx.conn(),
                    "UPDATE case_steps SET status = 'done', linked_id = ? WHERE case_id = ? AND step = ?",
                    vec![id.into(), d.case_id.into(), step.into()],
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }
}

/// The loan a demo case obtained, reported by `bank`: 3,000,000.00 secured by one patent of the
/// enterprise registered on `registered_on`, with the valuation report of `valued_on`;
/// (valuation contract id, pledge registration id).
async fn demo_case_loan(
    store: &Store,
    tx: &mut WriteTx,
    bank: OrgId,
    case_id: i64,
    enterprise: i64,
    valued_on: NaiveDate,
    registered_on: NaiveDate,
) -> Result<(i64, i64)> {
    use crate::financing::{LoanInput, PledgeInput, PledgeItemInput};
    use ipfin_domain::financing::{ContractInput, LoanTerms, PledgeTerms};
    let code: String = fetch_opt::<CodeRow, _>(
        tx.conn(),
        "SELECT credit_code FROM enterprises WHERE id = ?",
        vec![enterprise.into()],
    )
    .await?
    .ok_or(StoreError::NotFound)?
    .credit_code;
    let code = ipfin_domain::CreditCode::parse(&code)
        .map_err(|e| StoreError::Internal(format!("demo enterprise's credit code: {e:?}")))?;
    let year = chrono::Datelike::year(&registered_on);
    let body = format!("{year}1098{case_id:04}");
    let patent = format!(
        "{body}.{}",
        ipfin_domain::ip_number::patent_check_digit(&body).unwrap_or('0')
    );
    let bank_scope = Scope::Institution { org_id: bank };
    let start = registered_on;
    let loan = store
        .save_loan(
            tx,
            &bank_scope,
            &LoanInput {
                borrower_credit_code: code,
                terms: LoanTerms {
                    contract_number: format!("ZJ-{year}-CASE-{case_id:04}"),
                    principal_fen: Fen::new(300_000_000),
                    annual_rate: rust_decimal::Decimal::new(360, 4),
                    start,
                    end: start + chrono::Days::new(364),
                    disbursements: vec![],
                    other_collateral: false,
                    ip_amount_fen: None,
                    ip_ratio: None,
                },
                first_loan: true,
                status: None,
                pledges: vec![PledgeInput {
                    terms: PledgeTerms {
                        number: format!("Y{year}98007{case_id:04}"),
                        secured_amount_fen: Fen::new(300_000_000),
                        registration_date: registered_on,
                        cancellation_date: None,
                    },
                    items: vec![PledgeItemInput {
                        kind: "patent".into(),
                        number: patent,
                        title: Some("一种智能检测装置（演示）".into()),
                        related_party: None,
                    }],
                }],
            },
        )
        .await?;
    let valuation = store
        .add_contract(
            tx,
            &bank_scope,
            loan.id,
            &ContractInput {
                kind: "valuation".into(),
                provider_name: "华信资产评估有限公司".into(),
                contract_number: format!("PG-{year}-{case_id:04}"),
                fee_fen: Fen::new(1_500_000),
                invoice_number: None,
                invoice_date: None,
                paid_date: None,
                paid_fen: None,
                appraised_value_fen: Some(Fen::new(450_000_000)),
                report_date: Some(valued_on),
            },
        )
        .await?;
    let registration = fetch_i64(
        tx.conn(),
        "SELECT registration_id FROM loan_pledges WHERE loan_id = ?",
        vec![loan.id.into()],
    )
    .await?;
    Ok((valuation, registration))
}

#[derive(FromQueryResult)]
struct CodeRow {
    credit_code: String,
}
