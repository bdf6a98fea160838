//! The city's view (issue #7): targets, dashboards, bulletins, assessment, conformance.
//! The area's routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::Roles;
use crate::actor::Actor;
use crate::routes::{CITY, GOVERNMENT, MANAGERS, OFFICERS, Routes};
use crate::{api, views};

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "stats",
    routes,
    nav,
    messages: crate::i18n::stats::MESSAGES,
};

/// The area's routes, each with who may call it.
fn routes(r: Routes) -> Routes {
    r.get("/conformance", Roles(MANAGERS), views::stats::conformance)
        // The city's view (issue #7): targets, dashboards, bulletins, assessment, conformance.
        .get("/targets", Roles(GOVERNMENT), views::stats::targets)
        .get(
            "/targets/export.xlsx",
            Roles(GOVERNMENT),
            views::export::targets,
        )
        .post("/targets", Roles(CITY), views::stats::set_targets)
        .get(
            "/targets/districts/{code}",
            Roles(GOVERNMENT),
            views::stats::district,
        )
        .post(
            "/targets/districts/{code}/assignments",
            Roles(OFFICERS),
            views::stats::assign,
        )
        .post(
            "/targets/districts/{code}/assignments/delete",
            Roles(OFFICERS),
            views::stats::unassign,
        )
        .post(
            "/targets/districts/{code}/lead",
            Roles(OFFICERS),
            views::stats::set_lead,
        )
        .get("/my/targets", Roles(GOVERNMENT), views::stats::my_targets)
        .get("/dashboard", Roles(GOVERNMENT), views::stats::dashboard)
        .get(
            "/dashboard/export.xlsx",
            Roles(GOVERNMENT),
            views::export::dashboard,
        )
        .get(
            "/dashboard/districts/{code}",
            Roles(GOVERNMENT),
            views::stats::district_dashboard,
        )
        .get("/bulletins", Roles(GOVERNMENT), views::bulletin::list)
        .get("/bulletins/new", Roles(CITY), views::bulletin::new)
        .post("/bulletins", Roles(CITY), views::bulletin::create)
        .get(
            "/bulletins/{quarter}",
            Roles(GOVERNMENT),
            views::bulletin::show,
        )
        .get(
            "/bulletins/{quarter}/bulletin.docx",
            Roles(GOVERNMENT),
            views::bulletin::docx,
        )
        .get(
            "/bulletins/{quarter}/bulletin.xlsx",
            Roles(GOVERNMENT),
            views::bulletin::xlsx,
        )
        .get(
            "/bulletins/{quarter}/districts/{code}",
            Roles(GOVERNMENT),
            views::bulletin::feedback,
        )
        .get("/assessments", Roles(GOVERNMENT), views::stats::assessments)
        .post("/assessments/bonuses", Roles(CITY), views::stats::add_bonus)
        .get(
            "/assessments/export",
            Roles(GOVERNMENT),
            views::stats::assessments_xlsx,
        )
        .get(
            "/conformance/export",
            Roles(MANAGERS),
            views::stats::conformance_xlsx,
        )
        .get("/api/v1/stats", Roles(GOVERNMENT), api::stats::stats)
        .get("/api/v1/targets", Roles(GOVERNMENT), api::stats::targets)
        .add(
            "PUT",
            "/api/v1/targets",
            Roles(CITY),
            axum::routing::put(api::stats::set_targets),
        )
        .get(
            "/api/v1/targets/districts/{code}",
            Roles(GOVERNMENT),
            api::stats::district_targets,
        )
        .post(
            "/api/v1/targets/districts/{code}/assignments",
            Roles(OFFICERS),
            api::stats::assign,
        )
        .get(
            "/api/v1/my/targets",
            Roles(GOVERNMENT),
            api::stats::my_targets,
        )
        .get(
            "/api/v1/bulletins",
            Roles(GOVERNMENT),
            api::stats::bulletins,
        )
        .post("/api/v1/bulletins", Roles(CITY), api::stats::issue_bulletin)
        .get(
            "/api/v1/bulletins/{quarter}",
            Roles(GOVERNMENT),
            api::stats::bulletin,
        )
        .get(
            "/api/v1/bulletins/{quarter}/districts/{code}",
            Roles(GOVERNMENT),
            api::stats::feedback,
        )
        .get(
            "/api/v1/assessments",
            Roles(GOVERNMENT),
            api::stats::assessments,
        )
        .post(
            "/api/v1/assessments/bonuses",
            Roles(CITY),
            api::stats::add_bonus,
        )
        .get(
            "/api/v1/conformance",
            Roles(MANAGERS),
            api::conformance::conformance,
        )
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    if actor.user().is_none() {
        return;
    }
    let scope = &actor.scope;
    if scope.is_city() {
        nav.push(NavLink::new(19, "/dashboard", "nav.dashboard"));
        nav.push(NavLink::new(20, "/targets", "nav.targets"));
        nav.push(NavLink::new(21, "/bulletins", "nav.bulletins"));
        nav.push(NavLink::new(22, "/assessments", "nav.assessments"));
        nav.push(NavLink::new(23, "/conformance", "nav.conformance"));
    } else if let Some(code) = scope.district() {
        nav.push(NavLink::new(
            19,
            format!("/dashboard/districts/{code}"),
            "nav.dashboard",
        ));
        nav.push(NavLink::new(20, "/targets", "nav.targets"));
        nav.push(NavLink::new(21, "/my/targets", "nav.my_targets"));
        nav.push(NavLink::new(22, "/bulletins", "nav.bulletins"));
        if scope.leads_district(code) {
            nav.push(NavLink::new(24, "/conformance", "nav.conformance"));
        }
    }
}
