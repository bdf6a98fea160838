//! The coordination mechanism's data-sharing arrangements (R1.1, issue #8).
//! The area's routes (each with its access rule), navigation entries and messages.

use super::Area;
use crate::actor::Access::Roles;
use crate::routes::{GOVERNMENT, MANAGERS, Routes};
use crate::{api, views};

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "coordination",
    routes,
    nav: super::no_nav,
    messages: crate::i18n::coordination::MESSAGES,
};

/// The area's routes, each with who may call it.
fn routes(r: Routes) -> Routes {
    r
        // The coordination mechanism's data-sharing arrangements (R1.1, issue #8): the district's
        // government reads, the city and the district's lead officers record and end them.
        .get(
            "/api/v1/districts/{code}/coordination",
            Roles(GOVERNMENT),
            api::coordination::coordination,
        )
        .post(
            "/api/v1/districts/{code}/sharing",
            Roles(MANAGERS),
            api::coordination::create,
        )
        .get(
            "/api/v1/districts/{code}/sharing/{arrangement_id}",
            Roles(GOVERNMENT),
            api::coordination::detail,
        )
        .post(
            "/api/v1/districts/{code}/sharing/{arrangement_id}/end",
            Roles(MANAGERS),
            api::coordination::end,
        )
        .get(
            "/districts/{code}/sharing/{arrangement_id}",
            Roles(GOVERNMENT),
            views::coordination::show,
        )
        .post(
            "/districts/{code}/sharing",
            Roles(MANAGERS),
            views::coordination::create,
        )
        .post(
            "/districts/{code}/sharing/{arrangement_id}/end",
            Roles(MANAGERS),
            views::coordination::end,
        )
}
