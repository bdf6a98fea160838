//! The composition: every product area of the web layer, each registering its own routes
//! (with their access rules), navigation entries and messages. Adding an area is one line
//! here (see CONTRIBUTING.md).

use crate::actor::Actor;
use crate::i18n::Messages;
use crate::routes::Routes;

pub mod application;
pub mod audit;
pub mod confirmation;
pub mod coordination;
pub mod enterprise;
pub mod financing;
pub mod home;
pub mod import;
pub mod meeting;
pub mod ops;
pub mod org;
pub mod payment;
pub mod policy;
pub mod stats;
pub mod summary;
pub mod supervision;
pub mod tools;
pub mod user;
pub mod whitelist;

/// What a product area contributes to the web layer.
pub struct Area {
    pub name: &'static str,
    /// Adds the area's routes, each with who may call it.
    pub routes: fn(Routes) -> Routes,
    /// Adds the area's navigation entries for the caller.
    pub nav: fn(&Actor, &mut Vec<NavLink>),
    /// The area's page messages (key, zh-CN, en).
    pub messages: Messages,
}

/// Every area, in no particular order (routes do not overlap; the menu is ordered by
/// position).
pub const AREAS: &[Area] = &[
    home::AREA,
    ops::AREA,
    tools::AREA,
    org::AREA,
    user::AREA,
    coordination::AREA,
    enterprise::AREA,
    import::AREA,
    policy::AREA,
    financing::AREA,
    application::AREA,
    confirmation::AREA,
    payment::AREA,
    stats::AREA,
    supervision::AREA,
    whitelist::AREA,
    summary::AREA,
    meeting::AREA,
    audit::AREA,
];

/// A navigation entry: its position in the menu, its link and the message key of its label.
/// Positions: signed out 1–9; signed in 0 (home), 10–39 the scope's own pages in the order
/// they are listed for that scope, 90–99 the pages every signed-in scope shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavLink {
    pub position: u16,
    pub href: String,
    pub label: &'static str,
}

impl NavLink {
    pub fn new(position: u16, href: impl Into<String>, label: &'static str) -> NavLink {
        NavLink {
            position,
            href: href.into(),
            label,
        }
    }
}

/// For an area without menu entries.
pub fn no_nav(_: &Actor, _: &mut Vec<NavLink>) {}

/// The caller's menu: every area's entries, by position.
pub fn nav(actor: &Actor) -> Vec<NavLink> {
    let mut links = Vec::new();
    for a in AREAS {
        (a.nav)(actor, &mut links);
    }
    links.sort_by_key(|l| l.position);
    links
}

/// Every area's routes.
pub fn routes() -> Routes {
    AREAS.iter().fold(Routes::new(), |r, a| (a.routes)(r))
}
