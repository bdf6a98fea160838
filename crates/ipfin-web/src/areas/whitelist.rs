//! The whitelist (issue #20 item 1, R3.2): the district's list, its evidence and decisions.
//! The area's routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::Roles;
use crate::actor::Actor;
use crate::routes::{GOVERNMENT, MANAGERS, Routes};
use crate::{api, views};

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "whitelist",
    routes,
    nav,
    messages: crate::i18n::whitelist::MESSAGES,
};

/// The area's routes, each with who may call it: the district's departments and the city read;
/// the lead officers (and the city administrator) decide.
fn routes(r: Routes) -> Routes {
    r.get("/whitelist", Roles(GOVERNMENT), views::whitelist::index)
        .get(
            "/whitelist/export.xlsx",
            Roles(GOVERNMENT),
            views::whitelist::export,
        )
        .post(
            "/whitelist/decisions",
            Roles(MANAGERS),
            views::whitelist::decide,
        )
        .post(
            "/whitelist/decisions/{decision_id}/remove",
            Roles(MANAGERS),
            views::whitelist::remove,
        )
        .get("/api/v1/whitelist", Roles(GOVERNMENT), api::whitelist::list)
        .post(
            "/api/v1/whitelist/decisions",
            Roles(MANAGERS),
            api::whitelist::decide,
        )
        .post(
            "/api/v1/whitelist/decisions/{decision_id}/remove",
            Roles(MANAGERS),
            api::whitelist::remove,
        )
}

/// The area's entry in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    if actor.has_any(GOVERNMENT) && actor.scope.is_government() {
        nav.push(NavLink::new(16, "/whitelist", "nav.whitelist"));
    }
}
