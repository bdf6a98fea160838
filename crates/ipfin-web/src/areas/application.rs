//! Applications (issue #6), public notices and objections.
//! The area's routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::{Public, Roles};
use crate::actor::Actor;
use crate::routes::{
    APPLICANTS, APPLICATION_ACTORS, APPLICATION_VIEWERS, GOVERNMENT, OFFICERS, Routes,
};
use crate::{api, views};
use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use ipfin_domain::OrgKind;

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "application",
    routes,
    nav,
    messages: crate::i18n::application::MESSAGES,
};

/// The area's routes, each with who may call it.
fn routes(r: Routes) -> Routes {
    r
        // Applications (issue #6): applicants draft, upload and submit; officers act; the public
        // reads notices and lodges objections.
        .get(
            "/applications",
            Roles(APPLICATION_VIEWERS),
            views::application::list,
        )
        .get(
            "/applications/export.xlsx",
            Roles(GOVERNMENT),
            views::export::applications,
        )
        .get(
            "/applications/new",
            Roles(APPLICANTS),
            views::application::new_page,
        )
        .post(
            "/applications",
            Roles(APPLICANTS),
            views::application::create,
        )
        .get(
            "/applications/{app_id}",
            Roles(APPLICATION_VIEWERS),
            views::application::detail,
        )
        .add(
            "POST",
            "/applications/{app_id}/files",
            Roles(APPLICANTS),
            post(views::application::upload)
                .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
        )
        .post(
            "/applications/{app_id}/figures",
            Roles(APPLICANTS),
            views::application::update_figures,
        )
        .post(
            "/applications/{app_id}/files/delete",
            Roles(APPLICANTS),
            views::application::remove_file,
        )
        .post(
            "/applications/{app_id}/vault",
            Roles(APPLICANTS),
            views::application::attach_vault,
        )
        .post(
            "/applications/{app_id}/submit",
            Roles(APPLICANTS),
            views::application::submit,
        )
        .post(
            "/applications/{app_id}/action",
            Roles(APPLICATION_ACTORS),
            views::application::act,
        )
        .get(
            "/applications/{app_id}/files/{file_id}",
            Roles(APPLICATION_VIEWERS),
            views::application::download,
        )
        .get("/notices", Public, views::application::notices)
        .get(
            "/notices/export.xlsx",
            Roles(GOVERNMENT),
            views::export::notices,
        )
        .post("/notices", Roles(OFFICERS), views::application::publish)
        .post(
            "/notices/batches/close",
            Roles(OFFICERS),
            views::application::close_batch,
        )
        .get("/notices/{notice_id}", Public, views::application::notice)
        .add(
            "POST",
            "/notices/{notice_id}/objections",
            Public,
            post(views::application::lodge)
                .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
        )
        .post(
            "/objections/{objection_id}/decision",
            Roles(OFFICERS),
            views::application::decide,
        )
        .get(
            "/objections/{objection_id}/evidence",
            Roles(OFFICERS),
            views::application::evidence,
        )
        .get(
            "/policy-drafts/{version_id}/simulation",
            Roles(GOVERNMENT),
            views::application::simulation,
        )
        .get(
            "/api/v1/policies/{version_id}/simulation",
            Roles(GOVERNMENT),
            api::application::simulation,
        )
        .get(
            "/api/v1/applications",
            Roles(APPLICATION_VIEWERS),
            api::application::list,
        )
        .post(
            "/api/v1/applications",
            Roles(APPLICANTS),
            api::application::create,
        )
        .add(
            "PUT",
            "/api/v1/applications/{app_id}",
            Roles(APPLICANTS),
            axum::routing::put(api::application::update),
        )
        .get(
            "/api/v1/applications/{app_id}",
            Roles(APPLICATION_VIEWERS),
            api::application::show,
        )
        .add(
            "POST",
            "/api/v1/applications/{app_id}/slots/{slot}",
            Roles(APPLICANTS),
            post(api::application::upload)
                .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
        )
        .get(
            "/api/v1/applications/{app_id}/files/{file_id}",
            Roles(APPLICATION_VIEWERS),
            api::application::download,
        )
        .post(
            "/api/v1/applications/{app_id}/submit",
            Roles(APPLICANTS),
            api::application::submit,
        )
        .post(
            "/api/v1/applications/{app_id}/actions",
            Roles(APPLICATION_ACTORS),
            api::application::action,
        )
        .post(
            "/api/v1/notices",
            Roles(OFFICERS),
            api::application::publish_notice,
        )
        // Budgets per batch (issue #19 item 2): batches awaiting allocation, closing one.
        .get(
            "/api/v1/batches",
            Roles(OFFICERS),
            api::application::batches,
        )
        .post(
            "/api/v1/batches/close",
            Roles(OFFICERS),
            api::application::close_batch,
        )
        .get(
            "/api/v1/notices/{notice_id}",
            Public,
            api::application::notice,
        )
        .post(
            "/api/v1/notices/{notice_id}/objections",
            Public,
            api::application::lodge,
        )
        .post(
            "/api/v1/objections/{objection_id}/decision",
            Roles(OFFICERS),
            api::application::decide,
        )
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    let scope = &actor.scope;
    if actor.user().is_none() {
        nav.push(NavLink::new(6, "/notices", "nav.notices"));
    } else if scope.is_government() {
        nav.push(NavLink::new(13, "/applications", "nav.applications"));
        if scope.lead_district().is_some() {
            nav.push(NavLink::new(14, "/notices", "nav.notices"));
        }
    } else {
        match scope.org_kind() {
            Some(OrgKind::Enterprise) => {
                nav.push(NavLink::new(12, "/applications", "nav.my_applications"))
            }
            Some(OrgKind::FinancialInstitution) => {
                nav.push(NavLink::new(11, "/applications", "nav.my_applications"))
            }
            _ => {}
        }
    }
}
