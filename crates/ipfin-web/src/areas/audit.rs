//! The audit log (the city).
//! The area's routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::Roles;
use crate::actor::Actor;
use crate::routes::{CITY, Routes};
use crate::views;

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "audit",
    routes,
    nav,
    messages: crate::i18n::audit::MESSAGES,
};

/// The area's routes, each with who may call it.
fn routes(r: Routes) -> Routes {
    r.get("/audit", Roles(CITY), views::audit::list)
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    if actor.scope.is_city() && actor.user().is_some() {
        nav.push(NavLink::new(26, "/audit", "nav.audit"));
    }
}
