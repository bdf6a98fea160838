//! Districts (with their lead departments) and organisations with their contact persons.
//! The area's routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::{Public, Roles, SignedIn};
use crate::actor::Actor;
use crate::routes::{CITY, GOVERNMENT, MANAGERS, Routes};
use crate::{api, views};
use ipfin_domain::OrgKind;

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "org",
    routes,
    nav,
    messages: crate::i18n::org::MESSAGES,
};

/// The area's routes, each with who may call it.
fn routes(r: Routes) -> Routes {
    r.get("/api/v1/districts", Public, api::org::districts)
        .get("/orgs", SignedIn, views::org::list)
        .get("/orgs/{org_id}", SignedIn, views::org::detail)
        .get("/api/v1/me", SignedIn, api::org::me)
        .get("/api/v1/organisations", SignedIn, api::org::organisations)
        .get(
            "/api/v1/organisations/{org_id}",
            SignedIn,
            api::org::organisation,
        )
        .get("/districts", Roles(GOVERNMENT), views::org::districts)
        .get("/districts/{code}", Roles(GOVERNMENT), views::org::district)
        .get(
            "/api/v1/districts/{code}",
            Roles(GOVERNMENT),
            api::org::district,
        )
        .get("/orgs/new", Roles(MANAGERS), views::org::new_page)
        .post("/orgs", Roles(MANAGERS), views::org::create)
        .post(
            "/orgs/{org_id}/contacts",
            Roles(MANAGERS),
            views::org::add_contact,
        )
        .post(
            "/orgs/{org_id}/contacts/{contact_id}/delete",
            Roles(MANAGERS),
            views::org::remove_contact,
        )
        .post(
            "/orgs/{org_id}/active",
            Roles(MANAGERS),
            views::org::set_active,
        )
        .post(
            "/api/v1/organisations",
            Roles(MANAGERS),
            api::org::create_organisation,
        )
        .post("/districts", Roles(CITY), views::org::create_district)
        .post(
            "/districts/{code}/lead",
            Roles(CITY),
            views::org::designate_lead,
        )
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    let Some(u) = actor.user() else {
        return;
    };
    let my_org = || format!("/orgs/{}", u.organisation_id);
    let scope = &actor.scope;
    if scope.is_city() {
        nav.push(NavLink::new(10, "/districts", "nav.districts"));
        nav.push(NavLink::new(15, "/orgs", "nav.orgs"));
    } else if let Some(code) = scope.district() {
        nav.push(NavLink::new(
            10,
            format!("/districts/{code}"),
            "nav.my_district",
        ));
        nav.push(NavLink::new(25, "/orgs", "nav.orgs"));
    } else {
        match scope.org_kind() {
            Some(OrgKind::ServiceAgency) => nav.push(NavLink::new(10, my_org(), "nav.my_org")),
            Some(_) => nav.push(NavLink::new(13, my_org(), "nav.my_org")),
            None => {}
        }
    }
}
