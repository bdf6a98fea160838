//! Daily supervision (issue #8 item 3, R4.3): inspections and rectification tasks.
//! The area's routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::Roles;
use crate::actor::Actor;
use crate::routes::{GOVERNMENT, MANAGERS, OFFICERS, Routes, TASK_RESPONDERS, TASK_VIEWERS};
use crate::{api, views};
use axum::extract::DefaultBodyLimit;
use axum::routing::{post, put};

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "supervision",
    routes,
    nav,
    messages: crate::i18n::supervision::MESSAGES,
};

/// The area's routes, each with who may call it.
fn routes(r: Routes) -> Routes {
    r
        // Daily supervision (issue #8 item 3, R4.3): the district's lead officers plan inspections,
        // record findings, raise, close and reopen rectification tasks; the district's departments
        // and the city read; owner organisations see and answer their own tasks.
        .get(
            "/supervision",
            Roles(TASK_VIEWERS),
            views::supervision::index,
        )
        .get(
            "/supervision/districts/{code}",
            Roles(GOVERNMENT),
            views::supervision::district,
        )
        .get(
            "/supervision/inspections",
            Roles(GOVERNMENT),
            views::supervision::inspections,
        )
        .post(
            "/supervision/inspections",
            Roles(OFFICERS),
            views::supervision::plan,
        )
        .get(
            "/supervision/inspections/export.xlsx",
            Roles(GOVERNMENT),
            views::supervision::inspections_xlsx,
        )
        .get(
            "/supervision/inspections/{inspection_id}",
            Roles(GOVERNMENT),
            views::supervision::inspection,
        )
        .post(
            "/supervision/inspections/{inspection_id}/findings",
            Roles(OFFICERS),
            views::supervision::record,
        )
        .post(
            "/supervision/inspections/{inspection_id}/tasks",
            Roles(OFFICERS),
            views::supervision::add_task,
        )
        .get(
            "/supervision/tasks",
            Roles(TASK_VIEWERS),
            views::supervision::tasks,
        )
        .get(
            "/supervision/tasks/export.xlsx",
            Roles(TASK_VIEWERS),
            views::supervision::tasks_xlsx,
        )
        .get(
            "/supervision/tasks/{task_id}",
            Roles(TASK_VIEWERS),
            views::supervision::task,
        )
        .add(
            "POST",
            "/supervision/tasks/{task_id}/evidence",
            Roles(TASK_RESPONDERS),
            post(views::supervision::submit_evidence)
                .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
        )
        .add(
            "POST",
            "/supervision/tasks/{task_id}/close",
            Roles(OFFICERS),
            post(views::supervision::close)
                .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
        )
        .post(
            "/supervision/tasks/{task_id}/reopen",
            Roles(OFFICERS),
            views::supervision::reopen,
        )
        .get(
            "/supervision/tasks/{task_id}/evidence/{evidence_id}",
            Roles(TASK_VIEWERS),
            views::supervision::evidence_file,
        )
        .get(
            "/api/v1/supervision/districts/{code}",
            Roles(GOVERNMENT),
            api::supervision::district,
        )
        // The district's schedule of post-grant checks (issue #18 item 6): the district's
        // government reads it; the city administrator or the lead department sets it.
        .post(
            "/supervision/districts/{code}/check-schedule",
            Roles(MANAGERS),
            views::supervision::set_check_schedule,
        )
        .get(
            "/api/v1/supervision/districts/{code}/check-schedule",
            Roles(GOVERNMENT),
            api::supervision::check_schedule,
        )
        .add(
            "PUT",
            "/api/v1/supervision/districts/{code}/check-schedule",
            Roles(MANAGERS),
            put(api::supervision::set_check_schedule),
        )
        .get(
            "/api/v1/supervision/inspections",
            Roles(GOVERNMENT),
            api::supervision::inspections,
        )
        .post(
            "/api/v1/supervision/inspections",
            Roles(OFFICERS),
            api::supervision::plan,
        )
        .get(
            "/api/v1/supervision/inspections/{inspection_id}",
            Roles(GOVERNMENT),
            api::supervision::inspection,
        )
        .post(
            "/api/v1/supervision/inspections/{inspection_id}/findings",
            Roles(OFFICERS),
            api::supervision::findings,
        )
        .post(
            "/api/v1/supervision/inspections/{inspection_id}/tasks",
            Roles(OFFICERS),
            api::supervision::create_task,
        )
        .get(
            "/api/v1/supervision/tasks",
            Roles(TASK_VIEWERS),
            api::supervision::tasks,
        )
        .get(
            "/api/v1/supervision/tasks/{task_id}",
            Roles(TASK_VIEWERS),
            api::supervision::task,
        )
        .add(
            "POST",
            "/api/v1/supervision/tasks/{task_id}/evidence",
            Roles(TASK_RESPONDERS),
            post(api::supervision::evidence)
                .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
        )
        .add(
            "POST",
            "/api/v1/supervision/tasks/{task_id}/close",
            Roles(OFFICERS),
            post(api::supervision::close)
                .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
        )
        .post(
            "/api/v1/supervision/tasks/{task_id}/reopen",
            Roles(OFFICERS),
            api::supervision::reopen,
        )
        .get(
            "/api/v1/supervision/tasks/{task_id}/evidence/{evidence_id}",
            Roles(TASK_VIEWERS),
            api::supervision::evidence_file,
        )
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    // Owners see their rectification tasks (issue #8, R4.3).
    let scope = &actor.scope;
    if actor.user().is_none() {
        return;
    }
    if scope.is_government() {
        nav.push(NavLink::new(90, "/supervision", "nav.supervision"));
    } else if scope.organisation().is_some() {
        nav.push(NavLink::new(90, "/supervision/tasks", "nav.my_tasks"));
    }
}
