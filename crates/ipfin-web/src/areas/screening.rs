//! Screening (issue #20 item 2, R3.2): the district's scoring model, its scored list, the
//! preview of a change and its versions. The area's routes (each with its access rule),
//! navigation entry and messages.

use super::{Area, NavLink};
use crate::actor::Access::Roles;
use crate::actor::Actor;
use crate::routes::{GOVERNMENT, MANAGERS, Routes};
use crate::{api, views};

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "screening",
    routes,
    nav,
    messages: crate::i18n::screening::MESSAGES,
};

/// The area's routes, each with who may call it: the district's departments and the city read
/// and preview; the lead officers (and the city administrator) save a new version.
fn routes(r: Routes) -> Routes {
    r.get("/screening", Roles(GOVERNMENT), views::screening::index)
        .get(
            "/screening/export.xlsx",
            Roles(GOVERNMENT),
            views::screening::export,
        )
        .post(
            "/screening/preview",
            Roles(MANAGERS),
            views::screening::preview,
        )
        .post("/screening/model", Roles(MANAGERS), views::screening::save)
        .get("/api/v1/screening", Roles(GOVERNMENT), api::screening::list)
        .get(
            "/api/v1/screening/model",
            Roles(GOVERNMENT),
            api::screening::model,
        )
        .add(
            "PUT",
            "/api/v1/screening/model",
            Roles(MANAGERS),
            axum::routing::put(api::screening::save),
        )
        .post(
            "/api/v1/screening/preview",
            Roles(GOVERNMENT),
            api::screening::preview,
        )
}

/// The area's entry in the navigation menu, beside the whitelist (positions: see
/// `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    if actor.has_any(GOVERNMENT) && actor.scope.is_government() {
        nav.push(NavLink::new(16, "/screening", "nav.screening"));
    }
}
