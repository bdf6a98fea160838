//! The finance bureau pays and the budget is visible (issue #18 items 4 and 5): payment runs,
//! the paying unit, payee accounts and a policy year's budget figures.
//! The area's routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::Roles;
use crate::actor::Actor;
use crate::routes::{APPLICANTS, APPLICATION_VIEWERS, GOVERNMENT, MANAGERS, OFFICERS, Routes};
use crate::{api, views};
use axum::extract::DefaultBodyLimit;
use axum::routing::{post, put};
use ipfin_domain::Role;

/// Who prepares, exports and records payment runs: member departments' staff (the store admits
/// only the district's designated paying unit, signed in).
pub(crate) const PAYERS: &[Role] = &[Role::DepartmentMember];

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "payment",
    routes,
    nav,
    messages: crate::i18n::payment::MESSAGES,
};

/// The area's routes, each with who may call it.
fn routes(r: Routes) -> Routes {
    r
        // Payment runs (issue #18 item 4): the paying unit prepares, exports and records; a lead
        // officer confirms; the district's government and the city read.
        .get("/payments", Roles(GOVERNMENT), views::payment::index)
        .post("/payments/runs", Roles(PAYERS), views::payment::create)
        .post(
            "/payments/districts/{code}/paying-unit",
            Roles(MANAGERS),
            views::payment::designate,
        )
        .get(
            "/payments/runs/{run_id}",
            Roles(GOVERNMENT),
            views::payment::run,
        )
        .post(
            "/payments/runs/{run_id}/lines",
            Roles(PAYERS),
            views::payment::add_line,
        )
        .post(
            "/payments/runs/{run_id}/lines/{line_id}/remove",
            Roles(PAYERS),
            views::payment::remove_line,
        )
        .post(
            "/payments/runs/{run_id}/confirm",
            Roles(OFFICERS),
            views::payment::confirm,
        )
        .post(
            "/payments/runs/{run_id}/export",
            Roles(PAYERS),
            views::payment::export,
        )
        .add(
            "POST",
            "/payments/runs/{run_id}/results",
            Roles(PAYERS),
            post(views::payment::upload_results)
                .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
        )
        .post(
            "/payments/runs/{run_id}/lines/{line_id}/result",
            Roles(PAYERS),
            views::payment::record_line,
        )
        .post(
            "/payments/runs/{run_id}/lines/{line_id}/settle",
            Roles(PAYERS),
            views::payment::settle,
        )
        .get(
            "/applications/{app_id}/payee",
            Roles(APPLICATION_VIEWERS),
            views::payment::payee,
        )
        .post(
            "/applications/{app_id}/payee",
            Roles(APPLICANTS),
            views::payment::save_payee,
        )
        .get(
            "/api/v1/payments",
            Roles(GOVERNMENT),
            api::payment::overview,
        )
        .post("/api/v1/payment-runs", Roles(PAYERS), api::payment::create)
        .get(
            "/api/v1/payment-runs/{run_id}",
            Roles(GOVERNMENT),
            api::payment::show,
        )
        .post(
            "/api/v1/payment-runs/{run_id}/lines",
            Roles(PAYERS),
            api::payment::add_line,
        )
        .post(
            "/api/v1/payment-runs/{run_id}/lines/{line_id}/remove",
            Roles(PAYERS),
            api::payment::remove_line,
        )
        .post(
            "/api/v1/payment-runs/{run_id}/confirm",
            Roles(OFFICERS),
            api::payment::confirm,
        )
        .post(
            "/api/v1/payment-runs/{run_id}/export",
            Roles(PAYERS),
            api::payment::export,
        )
        .add(
            "POST",
            "/api/v1/payment-runs/{run_id}/results",
            Roles(PAYERS),
            post(api::payment::results)
                .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
        )
        .post(
            "/api/v1/payment-runs/{run_id}/lines/{line_id}/result",
            Roles(PAYERS),
            api::payment::record_line,
        )
        .post(
            "/api/v1/payment-runs/{run_id}/lines/{line_id}/settle",
            Roles(PAYERS),
            api::payment::settle,
        )
        .add(
            "PUT",
            "/api/v1/payments/districts/{code}/paying-unit",
            Roles(MANAGERS),
            put(api::payment::designate),
        )
        .get(
            "/api/v1/applications/{app_id}/payee",
            Roles(APPLICATION_VIEWERS),
            api::payment::payee,
        )
        .add(
            "PUT",
            "/api/v1/applications/{app_id}/payee",
            Roles(APPLICANTS),
            put(api::payment::save_payee),
        )
        // Budget you can see (issue #18 item 5).
        .get(
            "/api/v1/policies/{version_id}/budget",
            Roles(GOVERNMENT),
            api::payment::budget,
        )
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    if actor.user().is_some() && actor.has_any(GOVERNMENT) && actor.scope.is_government() {
        nav.push(NavLink::new(27, "/payments", "nav.payments"));
    }
}
