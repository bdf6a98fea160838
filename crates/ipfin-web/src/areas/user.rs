//! User accounts and API tokens.
//! The area's routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::{Public, Roles, SignedIn};
use crate::actor::Actor;
use crate::routes::{Routes, TOKEN_HOLDERS, USER_ADMINS};
use crate::{api, views};
use ipfin_domain::OrgKind;

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "user",
    routes,
    nav,
    messages: crate::i18n::user::MESSAGES,
};

/// The area's routes, each with who may call it.
fn routes(r: Routes) -> Routes {
    r.get("/users", SignedIn, views::user::list)
        .get("/users/{user_id}", SignedIn, views::user::detail)
        .get("/api/v1/users", SignedIn, api::user::users)
        .get("/api/v1/users/{user_id}", SignedIn, api::user::user)
        .get("/users/new", Roles(USER_ADMINS), views::user::new_page)
        .post("/users", Roles(USER_ADMINS), views::user::create)
        .post(
            "/users/{user_id}/active",
            Roles(USER_ADMINS),
            views::user::set_active,
        )
        .post(
            "/users/{user_id}/reset-password",
            Roles(USER_ADMINS),
            views::user::reset_password,
        )
        // A new account or a reset gives a one-time link with which the person sets their
        // own password.
        .get("/activate/{token}", Public, views::user::activate_page)
        .post("/activate/{token}", Public, views::user::activate)
        // API tokens: organisations whose systems call the API.
        .get("/tokens", Roles(TOKEN_HOLDERS), views::token::list)
        .post("/tokens", Roles(TOKEN_HOLDERS), views::token::create)
        .post(
            "/tokens/{token_id}/revoke",
            Roles(TOKEN_HOLDERS),
            views::token::revoke,
        )
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    if actor.user().is_none() {
        return;
    }
    let scope = &actor.scope;
    if scope.is_city() {
        nav.push(NavLink::new(16, "/users", "nav.users"));
        nav.push(NavLink::new(17, "/tokens", "nav.tokens"));
    } else if scope.district().is_some() {
        nav.push(NavLink::new(26, "/users", "nav.users"));
        if scope.lead_district().is_some() {
            nav.push(NavLink::new(27, "/tokens", "nav.tokens"));
        }
    } else {
        match scope.org_kind() {
            Some(OrgKind::ServiceAgency) => nav.push(NavLink::new(11, "/tokens", "nav.tokens")),
            Some(OrgKind::FinancialInstitution) => {
                nav.push(NavLink::new(14, "/tokens", "nav.tokens"))
            }
            // An enterprise's menu is about its own business (issue #23 item 3): the few that
            // connect a system of their own find API tokens on their organisation's page.
            _ => {}
        }
    }
}
