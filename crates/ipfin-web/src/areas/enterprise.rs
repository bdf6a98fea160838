//! The enterprise registry, self-registration, claims and whitelist tag types.
//! The area's routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::{Public, Roles};
use crate::actor::Actor;
use crate::routes::{MANAGERS, REGISTRY, Routes};
use crate::{api, views};
use ipfin_domain::OrgKind;

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "enterprise",
    routes,
    nav,
    messages: crate::i18n::enterprise::MESSAGES,
};

/// The area's routes, each with who may call it.
fn routes(r: Routes) -> Routes {
    r.get("/register", Public, views::enterprise::register_get)
        .post("/register", Public, views::enterprise::register_post)
        // The enterprise registry: government and the enterprise itself.
        .get("/enterprises", Roles(REGISTRY), views::enterprise::list)
        .get(
            "/enterprises/export.xlsx",
            Roles(REGISTRY),
            views::enterprise::export,
        )
        .get(
            "/enterprises/{ent_id}",
            Roles(REGISTRY),
            views::enterprise::detail,
        )
        .post(
            "/enterprises/{ent_id}/figures",
            Roles(REGISTRY),
            views::enterprise::update_figures,
        )
        .get(
            "/api/v1/enterprises",
            Roles(REGISTRY),
            api::enterprise::enterprises,
        )
        .get(
            "/api/v1/enterprises/{ent_id}",
            Roles(REGISTRY),
            api::enterprise::enterprise,
        )
        .get(
            "/enterprises/new",
            Roles(MANAGERS),
            views::enterprise::new_page,
        )
        .post("/enterprises", Roles(MANAGERS), views::enterprise::create)
        .post(
            "/enterprises/{ent_id}/size",
            Roles(MANAGERS),
            views::enterprise::override_size,
        )
        .post(
            "/enterprises/{ent_id}/tags",
            Roles(MANAGERS),
            views::enterprise::add_tag,
        )
        .post(
            "/enterprises/{ent_id}/tags/{tag_id}/delete",
            Roles(MANAGERS),
            views::enterprise::remove_tag,
        )
        .post(
            "/enterprises/{ent_id}/ip",
            Roles(REGISTRY),
            views::enterprise::add_ip,
        )
        .get("/claims", Roles(MANAGERS), views::enterprise::claims)
        .get("/tag-types", Roles(MANAGERS), views::enterprise::tag_types)
        .post(
            "/tag-types",
            Roles(MANAGERS),
            views::enterprise::create_tag_type,
        )
        .post(
            "/claims/{claim_id}/decide",
            Roles(MANAGERS),
            views::enterprise::decide,
        )
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    let scope = &actor.scope;
    if actor.user().is_none() {
        nav.push(NavLink::new(8, "/register", "nav.register"));
    } else if scope.is_government() {
        nav.push(NavLink::new(11, "/enterprises", "nav.enterprises"));
        if scope.lead_district().is_some() {
            nav.push(NavLink::new(15, "/claims", "nav.claims"));
            nav.push(NavLink::new(17, "/tag-types", "nav.tag_types"));
        }
    } else if scope.org_kind() == Some(OrgKind::Enterprise) {
        nav.push(NavLink::new(10, "/enterprises", "nav.my_enterprise"));
    }
}
