//! Bulk imports of registry data and loans.
//! The area's routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::Roles;
use crate::actor::Actor;
use crate::routes::{IMPORTERS, Routes};
use crate::views;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use ipfin_domain::OrgKind;

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "import",
    routes,
    nav,
    messages: crate::i18n::import::MESSAGES,
};

/// The area's routes, each with who may call it.
fn routes(r: Routes) -> Routes {
    r
        // Bulk import and whitelist tag types: the city and districts' lead officers.
        .get("/imports", Roles(IMPORTERS), views::import::list)
        .add(
            "POST",
            "/imports",
            Roles(IMPORTERS),
            post(views::import::upload)
                .layer(DefaultBodyLimit::max(views::import::MAX_UPLOAD_BYTES)),
        )
        .get(
            "/imports/template",
            Roles(IMPORTERS),
            views::import::template,
        )
        .get(
            "/imports/{import_id}",
            Roles(IMPORTERS),
            views::import::show,
        )
        .get(
            "/imports/{import_id}/errors",
            Roles(IMPORTERS),
            views::import::error_report,
        )
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    let scope = &actor.scope;
    if actor.user().is_none() {
        return;
    }
    if scope.is_city() {
        nav.push(NavLink::new(14, "/imports", "nav.imports"));
    } else if scope.lead_district().is_some() {
        nav.push(NavLink::new(16, "/imports", "nav.imports"));
    } else if scope.org_kind() == Some(OrgKind::FinancialInstitution) {
        nav.push(NavLink::new(12, "/imports", "nav.imports"));
    }
}
