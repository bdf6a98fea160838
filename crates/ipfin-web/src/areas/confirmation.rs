//! Four eyes on money and publication (issue #18 item 3): the requests awaiting a second
//! person. The area's routes (each with its access rule), navigation entries and messages. The
//! steps are prepared by the existing routes of the policy and application areas.

use super::{Area, NavLink};
use crate::actor::Access::Roles;
use crate::actor::Actor;
use crate::routes::{GOVERNMENT, OFFICERS, Routes};
use crate::{api, views};

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "confirmation",
    routes,
    nav,
    messages: crate::i18n::confirmation::MESSAGES,
};

/// The area's routes, each with who may call it: the district's government (and the city)
/// reads; only the district's officers decide (the store then requires a second person of the
/// lead department, never a token).
fn routes(r: Routes) -> Routes {
    r.get(
        "/confirmations",
        Roles(GOVERNMENT),
        views::confirmation::list,
    )
    .get(
        "/confirmations/{confirmation_id}",
        Roles(GOVERNMENT),
        views::confirmation::detail,
    )
    .post(
        "/confirmations/{confirmation_id}/decision",
        Roles(OFFICERS),
        views::confirmation::decision,
    )
    .get(
        "/api/v1/confirmations",
        Roles(GOVERNMENT),
        api::confirmation::list,
    )
    .get(
        "/api/v1/confirmations/{confirmation_id}",
        Roles(GOVERNMENT),
        api::confirmation::show,
    )
    .post(
        "/api/v1/confirmations/{confirmation_id}/confirm",
        Roles(OFFICERS),
        api::confirmation::confirm,
    )
    .post(
        "/api/v1/confirmations/{confirmation_id}/refuse",
        Roles(OFFICERS),
        api::confirmation::refuse,
    )
    .post(
        "/api/v1/confirmations/{confirmation_id}/withdraw",
        Roles(OFFICERS),
        api::confirmation::withdraw,
    )
}

/// The district's lead officers see the list in their menu.
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    if actor.user().is_some() && actor.scope.lead_district().is_some() {
        nav.push(NavLink::new(28, "/confirmations", "nav.confirmations"));
    }
}
