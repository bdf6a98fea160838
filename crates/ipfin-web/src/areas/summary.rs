//! District summaries and information reporting (issue #8 item 4, R4.4).
//! The area's routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::Roles;
use crate::actor::Actor;
use crate::routes::{CITY, GOVERNMENT, OFFICERS, Routes};
use crate::{api, views};
use axum::extract::DefaultBodyLimit;
use axum::routing::post;

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "summary",
    routes,
    nav,
    messages: crate::i18n::summary::MESSAGES,
};

/// The area's routes, each with who may call it.
fn routes(r: Routes) -> Routes {
    r
        // District summaries and information reporting (issue #8 item 4, R4.4). The period is a
        // query parameter (?period=2026Q3 or ?period=2026).
        .get("/summaries", Roles(GOVERNMENT), views::summary::overview)
        .get(
            "/summaries/export.xlsx",
            Roles(GOVERNMENT),
            views::summary::overview_xlsx,
        )
        .get(
            "/summaries/districts/{code}",
            Roles(GOVERNMENT),
            views::summary::district,
        )
        .post(
            "/summaries/districts/{code}/draft",
            Roles(OFFICERS),
            views::summary::save_draft,
        )
        .post(
            "/summaries/districts/{code}/submit",
            Roles(OFFICERS),
            views::summary::submit,
        )
        .post(
            "/summaries/districts/{code}/requests",
            Roles(CITY),
            views::summary::request,
        )
        .get(
            "/summaries/{summary_id}",
            Roles(GOVERNMENT),
            views::summary::show,
        )
        .get(
            "/summaries/{summary_id}/summary.docx",
            Roles(GOVERNMENT),
            views::summary::docx,
        )
        .post(
            "/summaries/{summary_id}/comments",
            Roles(CITY),
            views::summary::comment,
        )
        .add(
            "POST",
            "/summary-requests/{request_id}/answer",
            Roles(OFFICERS),
            post(views::summary::answer)
                .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
        )
        .get(
            "/summary-requests/{request_id}/file",
            Roles(GOVERNMENT),
            views::summary::answer_file,
        )
        .get(
            "/api/v1/summaries",
            Roles(GOVERNMENT),
            api::summary::overview,
        )
        .get(
            "/api/v1/summaries/districts/{code}",
            Roles(GOVERNMENT),
            api::summary::district,
        )
        .add(
            "PUT",
            "/api/v1/summaries/districts/{code}",
            Roles(OFFICERS),
            axum::routing::put(api::summary::save),
        )
        .post(
            "/api/v1/summaries/districts/{code}/submit",
            Roles(OFFICERS),
            api::summary::submit_summary,
        )
        .post(
            "/api/v1/summaries/districts/{code}/requests",
            Roles(CITY),
            api::summary::request,
        )
        .get(
            "/api/v1/summaries/{summary_id}",
            Roles(GOVERNMENT),
            api::summary::show,
        )
        .post(
            "/api/v1/summaries/{summary_id}/comments",
            Roles(CITY),
            api::summary::comment,
        )
        .add(
            "POST",
            "/api/v1/summary-requests/{request_id}/answer",
            Roles(OFFICERS),
            post(api::summary::answer_request)
                .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
        )
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    let scope = &actor.scope;
    if actor.user().is_none() {
        return;
    }
    if scope.is_city() {
        nav.push(NavLink::new(24, "/summaries", "nav.summaries"));
    } else if scope.district().is_some() {
        nav.push(NavLink::new(23, "/summaries", "nav.summaries"));
    }
}
