//! The landing page, sign-in and set-up, the language switch and static assets.
//! The area's routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::{Public, SignedIn};
use crate::actor::Actor;
use crate::routes::Routes;
use crate::views;

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "home",
    routes,
    nav,
    messages: crate::i18n::home::MESSAGES,
};

/// The area's routes, each with who may call it.
fn routes(r: Routes) -> Routes {
    r.get("/", Public, views::home::landing)
        .get("/login", Public, views::auth::login_page)
        .post("/login", Public, views::auth::login_submit)
        .get("/setup", Public, views::auth::setup_page)
        .post("/setup", Public, views::auth::setup_submit)
        .get("/lang/{lang}", Public, views::home::switch_lang)
        .get("/static/app.css", Public, views::assets::css)
        .get("/static/app.js", Public, views::assets::js)
        .get("/home", SignedIn, views::home::home)
        .post("/logout", SignedIn, views::auth::logout)
        .get("/account/password", SignedIn, views::auth::password_page)
        .post("/account/password", SignedIn, views::auth::password_submit)
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    match actor.user() {
        None => nav.push(NavLink::new(1, "/", "nav.portal")),
        Some(_) => nav.push(NavLink::new(0, "/home", "nav.home")),
    }
}
