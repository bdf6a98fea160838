//! Service stations and door-to-door service (issue #21, R3.1): a district's stations, their
//! people and figures; a station's cases, visits, trips, consent, application on behalf and
//! rating; the specialist's week; bookings from enterprises and the public. The area's routes
//! (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::{Public, Roles};
use crate::actor::Actor;
use crate::routes::{GOVERNMENT, MANAGERS, Routes};
use crate::{api, views};
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, post, put};
use ipfin_domain::{OrgKind, Role};

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "station",
    routes,
    nav,
    messages: crate::i18n::station::MESSAGES,
};

/// Who reads stations and bookings: the government (its district) and a station's staff.
const STATION_READERS: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::AgencyUser,
];
/// Who reads cases: the government, a station's staff, the enterprise served, the bank whose
/// account manager is assigned (the store confines each to its own).
const CASE_READERS: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::AgencyUser,
    Role::EnterpriseUser,
    Role::BankUser,
];
/// Who works cases and decides bookings: a station's staff and the district's lead officers
/// (and the city); the store checks it is their station or district.
const CASE_WORKERS: &[Role] = &[Role::CityAdmin, Role::DistrictOfficer, Role::AgencyUser];
/// Who records consent: the workers, and the enterprise itself.
const CONSENTERS: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::AgencyUser,
    Role::EnterpriseUser,
];
/// The enterprise served rates its case.
const ENTERPRISES: &[Role] = &[Role::EnterpriseUser];

fn routes(r: Routes) -> Routes {
    r.get("/stations", Roles(GOVERNMENT), views::station::index)
        .post("/stations", Roles(MANAGERS), views::station::create)
        .get(
            "/stations/figures.xlsx",
            Roles(GOVERNMENT),
            views::station::figures_export,
        )
        .get(
            "/stations/{station_id}",
            Roles(STATION_READERS),
            views::station::station,
        )
        .post(
            "/stations/{station_id}/people",
            Roles(MANAGERS),
            views::station::add_person,
        )
        .get("/cases", Roles(CASE_READERS), views::station::cases)
        .post("/cases", Roles(CASE_WORKERS), views::station::open_case)
        .get("/cases/week", Roles(CASE_READERS), views::station::week)
        .get(
            "/cases/{case_id}",
            Roles(CASE_READERS),
            views::station::case,
        )
        .post(
            "/cases/{case_id}/steps/{step}",
            Roles(CASE_WORKERS),
            views::station::update_step,
        )
        .add(
            "POST",
            "/cases/{case_id}/steps/{step}/files",
            Roles(CASE_WORKERS),
            post(views::station::upload_step_file)
                .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
        )
        .get(
            "/cases/{case_id}/files/{case_file_id}",
            Roles(CASE_READERS),
            views::station::step_file,
        )
        .post(
            "/cases/{case_id}/files/{case_file_id}/delete",
            Roles(CASE_WORKERS),
            views::station::delete_step_file,
        )
        .post(
            "/cases/{case_id}/visits",
            Roles(CASE_WORKERS),
            views::station::add_visit,
        )
        .post(
            "/cases/{case_id}/trips",
            Roles(CASE_WORKERS),
            views::station::add_trip,
        )
        .post(
            "/cases/{case_id}/manager",
            Roles(CASE_WORKERS),
            views::station::assign_manager,
        )
        .post(
            "/cases/{case_id}/consent",
            Roles(CONSENTERS),
            views::station::consent,
        )
        .post(
            "/cases/{case_id}/application",
            Roles(CASE_WORKERS),
            views::station::prepare_application,
        )
        .post(
            "/cases/{case_id}/rating",
            Roles(ENTERPRISES),
            views::station::rate,
        )
        .get("/book", Public, views::station::book_form)
        .post("/book", Public, views::station::book)
        .get(
            "/bookings",
            Roles(STATION_READERS),
            views::station::bookings,
        )
        .post(
            "/bookings/{booking_id}/accept",
            Roles(CASE_WORKERS),
            views::station::accept,
        )
        .post(
            "/bookings/{booking_id}/decline",
            Roles(CASE_WORKERS),
            views::station::decline,
        )
        .get(
            "/api/v1/stations",
            Roles(GOVERNMENT),
            api::station::stations,
        )
        .post(
            "/api/v1/stations",
            Roles(MANAGERS),
            api::station::create_station,
        )
        .get(
            "/api/v1/stations/figures",
            Roles(GOVERNMENT),
            api::station::figures,
        )
        .get(
            "/stations/enterprises/{ent_id}",
            Roles(STATION_READERS),
            views::station::served_enterprise,
        )
        .get(
            "/api/v1/stations/enterprises/{ent_id}",
            Roles(STATION_READERS),
            api::station::served_enterprise,
        )
        .get(
            "/api/v1/stations/{station_id}",
            Roles(STATION_READERS),
            api::station::station,
        )
        .post(
            "/api/v1/stations/{station_id}/people",
            Roles(MANAGERS),
            api::station::add_person,
        )
        .get("/api/v1/cases", Roles(CASE_READERS), api::station::cases)
        .post(
            "/api/v1/cases",
            Roles(CASE_WORKERS),
            api::station::open_case,
        )
        .get(
            "/api/v1/cases/week",
            Roles(CASE_READERS),
            api::station::week,
        )
        .get(
            "/api/v1/cases/{case_id}",
            Roles(CASE_READERS),
            api::station::case,
        )
        .add(
            "PUT",
            "/api/v1/cases/{case_id}/steps/{step}",
            Roles(CASE_WORKERS),
            put(api::station::update_step),
        )
        .add(
            "POST",
            "/api/v1/cases/{case_id}/steps/{step}/files",
            Roles(CASE_WORKERS),
            post(api::station::upload_step_file)
                .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
        )
        .get(
            "/api/v1/cases/{case_id}/files/{case_file_id}",
            Roles(CASE_READERS),
            api::station::step_file,
        )
        .add(
            "DELETE",
            "/api/v1/cases/{case_id}/files/{case_file_id}",
            Roles(CASE_WORKERS),
            delete(api::station::delete_step_file),
        )
        .post(
            "/api/v1/cases/{case_id}/visits",
            Roles(CASE_WORKERS),
            api::station::add_visit,
        )
        .post(
            "/api/v1/cases/{case_id}/trips",
            Roles(CASE_WORKERS),
            api::station::add_trip,
        )
        .add(
            "PUT",
            "/api/v1/cases/{case_id}/manager",
            Roles(CASE_WORKERS),
            put(api::station::assign_manager),
        )
        .post(
            "/api/v1/cases/{case_id}/consent",
            Roles(CONSENTERS),
            api::station::consent,
        )
        .post(
            "/api/v1/cases/{case_id}/application",
            Roles(CASE_WORKERS),
            api::station::prepare_application,
        )
        .post(
            "/api/v1/cases/{case_id}/rating",
            Roles(ENTERPRISES),
            api::station::rate,
        )
        .post("/api/v1/bookings", Public, api::station::book)
        .get(
            "/api/v1/bookings",
            Roles(STATION_READERS),
            api::station::bookings,
        )
        .post(
            "/api/v1/bookings/{booking_id}/accept",
            Roles(CASE_WORKERS),
            api::station::accept,
        )
        .post(
            "/api/v1/bookings/{booking_id}/decline",
            Roles(CASE_WORKERS),
            api::station::decline,
        )
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    if actor.has_any(GOVERNMENT) && actor.scope.is_government() {
        nav.push(NavLink::new(30, "/stations", "nav.stations"));
    }
    if actor.has_any(CASE_WORKERS) && actor.scope.org_kind() == Some(OrgKind::ServiceAgency) {
        nav.push(NavLink::new(30, "/cases", "nav.cases"));
        nav.push(NavLink::new(31, "/cases/week", "nav.week"));
        nav.push(NavLink::new(32, "/bookings", "nav.bookings"));
    }
    if actor.has_any(ENTERPRISES) && actor.scope.org_kind() == Some(OrgKind::Enterprise) {
        nav.push(NavLink::new(31, "/cases", "nav.cases"));
    }
    if actor.has_any(&[Role::BankUser])
        && actor.scope.org_kind() == Some(OrgKind::FinancialInstitution)
    {
        nav.push(NavLink::new(32, "/cases", "nav.cases"));
    }
    if !actor.is_signed_in() {
        nav.push(NavLink::new(10, "/book", "nav.book"));
    }
}
