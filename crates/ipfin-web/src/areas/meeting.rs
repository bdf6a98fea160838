//! Quarterly working meetings (issue #8, R1.2) and their tracked issues.
//! The area's routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::Roles;
use crate::actor::Actor;
use crate::routes::{MEETING_UNITS, MEETING_VIEWERS, OFFICERS, Routes};
use crate::{api, views};
use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use ipfin_domain::visibility::{Reach, Records};

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "meeting",
    routes,
    nav,
    messages: crate::i18n::meeting::MESSAGES,
};

/// The area's routes, each with who may call it.
fn routes(r: Routes) -> Routes {
    r
        // Quarterly working meetings (issue #8, R1.2): the district's lead officers schedule,
        // invite, record attendance, raise issues and publish minutes; invited units report.
        .get("/meetings", Roles(MEETING_VIEWERS), views::meeting::list)
        .get(
            "/meetings/export.xlsx",
            Roles(MEETING_VIEWERS),
            views::meeting::list_xlsx,
        )
        .get("/meetings/new", Roles(OFFICERS), views::meeting::new_page)
        .post("/meetings", Roles(OFFICERS), views::meeting::create)
        .get(
            "/meetings/{meeting_id}",
            Roles(MEETING_VIEWERS),
            views::meeting::detail,
        )
        .get(
            "/meetings/{meeting_id}/meeting.docx",
            Roles(MEETING_VIEWERS),
            views::meeting::docx,
        )
        .post(
            "/meetings/{meeting_id}/invitations",
            Roles(OFFICERS),
            views::meeting::invite,
        )
        .post(
            "/meetings/{meeting_id}/attendance",
            Roles(OFFICERS),
            views::meeting::attendance,
        )
        .add(
            "POST",
            "/meetings/{meeting_id}/reports",
            Roles(MEETING_UNITS),
            post(views::meeting::report)
                .layer(DefaultBodyLimit::max(views::meeting::MAX_UPLOAD_BYTES)),
        )
        .get(
            "/meetings/{meeting_id}/files/{report_file_id}",
            Roles(MEETING_VIEWERS),
            views::meeting::download,
        )
        .post(
            "/meetings/{meeting_id}/issues",
            Roles(OFFICERS),
            views::meeting::raise,
        )
        .post(
            "/meetings/{meeting_id}/minutes",
            Roles(OFFICERS),
            views::meeting::minutes,
        )
        .post(
            "/meetings/{meeting_id}/minutes/publish",
            Roles(OFFICERS),
            views::meeting::publish,
        )
        .get(
            "/meeting-issues",
            Roles(MEETING_VIEWERS),
            views::meeting::issues,
        )
        .get(
            "/meeting-issues/export.xlsx",
            Roles(MEETING_VIEWERS),
            views::meeting::issues_xlsx,
        )
        .post(
            "/meeting-issues/{issue_id}/status",
            Roles(MEETING_VIEWERS),
            views::meeting::set_status,
        )
        .get(
            "/api/v1/meetings",
            Roles(MEETING_VIEWERS),
            api::meeting::list,
        )
        .post("/api/v1/meetings", Roles(OFFICERS), api::meeting::create)
        .get(
            "/api/v1/meetings/{meeting_id}",
            Roles(MEETING_VIEWERS),
            api::meeting::show,
        )
        .post(
            "/api/v1/meetings/{meeting_id}/invitations",
            Roles(OFFICERS),
            api::meeting::invite,
        )
        .post(
            "/api/v1/meetings/{meeting_id}/attendance",
            Roles(OFFICERS),
            api::meeting::attendance,
        )
        .post(
            "/api/v1/meetings/{meeting_id}/reports",
            Roles(MEETING_UNITS),
            api::meeting::report,
        )
        .add(
            "POST",
            "/api/v1/meetings/{meeting_id}/reports/files",
            Roles(MEETING_UNITS),
            post(api::meeting::report_file)
                .layer(DefaultBodyLimit::max(views::meeting::MAX_UPLOAD_BYTES)),
        )
        .post(
            "/api/v1/meetings/{meeting_id}/issues",
            Roles(OFFICERS),
            api::meeting::raise,
        )
        .post(
            "/api/v1/meetings/{meeting_id}/minutes",
            Roles(OFFICERS),
            api::meeting::minutes,
        )
        .get(
            "/api/v1/meeting-issues",
            Roles(MEETING_VIEWERS),
            api::meeting::issues,
        )
        .post(
            "/api/v1/meeting-issues/{issue_id}/status",
            Roles(MEETING_VIEWERS),
            api::meeting::set_status,
        )
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    // Every signed-in scope that takes part in working meetings (issue #8): whoever the
    // meetings' reach admits.
    if actor.user().is_some() && actor.scope.reach(Records::Meetings) != Reach::Nothing {
        nav.push(NavLink::new(91, "/meetings", "nav.meetings"));
    }
}
