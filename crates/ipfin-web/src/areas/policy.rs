//! Policies: drafts, publication, the public feeds and tools, reference data.
//! The area's routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::{Public, Roles};
use crate::actor::Actor;
use crate::routes::{CITY, GOVERNMENT, MANAGERS, REGISTRY, Routes};
use crate::{api, views};
use axum::extract::DefaultBodyLimit;
use axum::routing::post;

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "policy",
    routes,
    nav,
    messages: crate::i18n::policy::MESSAGES,
};

/// The area's routes, each with who may call it.
fn routes(r: Routes) -> Routes {
    r.get(
        "/api/v1/schemas/policy-rules.json",
        Public,
        api::policy::rules_schema,
    )
    .get("/api/v1/policies", Public, api::policy::policies)
    .get("/api/v1/policies/{version_id}", Public, api::policy::policy)
    .get(
        "/api/v1/tools/working-days",
        Public,
        api::policy::working_days,
    )
    .post(
        "/api/v1/tools/subsidy-calculator",
        Public,
        api::policy::subsidy_calculator,
    )
    .get("/feeds/{code}/policies.atom", Public, views::policy::atom)
    .get(
        "/feeds/{code}/policies.json",
        Public,
        views::policy::json_feed,
    )
    .get(
        "/policies/{version_id}/attachments/{attachment_id}",
        Public,
        views::policy::attachment,
    )
    .get("/policies", Public, views::policy::list)
    .get("/policies/{version_id}", Public, views::policy::show)
    .get(
        "/policies/{version_id}/card.svg",
        Public,
        views::policy::card_svg,
    )
    .get(
        "/policies/{version_id}/card.docx",
        Public,
        views::policy::card_docx,
    )
    .get(
        "/tools/subsidy-calculator",
        Public,
        views::policy::calculator,
    )
    // Policies: drafted and published by the district's lead officers; departments comment.
    .get(
        "/api/v1/conformance/policies",
        Roles(MANAGERS),
        api::policy::conformance,
    )
    .get("/policy-drafts", Roles(GOVERNMENT), views::policy::drafts)
    .add(
        "POST",
        "/policy-drafts/{version_id}/attachments",
        Roles(MANAGERS),
        post(views::policy::attach)
            .layer(DefaultBodyLimit::max(views::policy::MAX_ATTACHMENT_BYTES)),
    )
    .post("/policy-drafts", Roles(MANAGERS), views::policy::new_draft)
    .get(
        "/policy-drafts/{version_id}",
        Roles(GOVERNMENT),
        views::policy::draft,
    )
    .post(
        "/policy-drafts/{version_id}",
        Roles(GOVERNMENT),
        views::policy::draft_action,
    )
    .get(
        "/api/v1/policies/{version_id}/eligibility/{ent_id}",
        Roles(REGISTRY),
        api::policy::eligibility,
    )
    .post("/api/v1/policies", Roles(MANAGERS), api::policy::create)
    .add(
        "PUT",
        "/api/v1/policies/{version_id}",
        Roles(MANAGERS),
        axum::routing::put(api::policy::update),
    )
    .post(
        "/api/v1/policies/{version_id}/circulate",
        Roles(MANAGERS),
        api::policy::circulate,
    )
    .post(
        "/api/v1/policies/{version_id}/publish",
        Roles(MANAGERS),
        api::policy::publish,
    )
    .post(
        "/api/v1/policies/{version_id}/revise",
        Roles(MANAGERS),
        api::policy::revise,
    )
    .post(
        "/api/v1/policies/{version_id}/comments",
        Roles(GOVERNMENT),
        api::policy::comment,
    )
    .get(
        "/reference-data",
        Roles(CITY),
        views::policy::reference_data,
    )
    .post("/reference-data/lpr", Roles(CITY), views::policy::set_lpr)
    .post(
        "/reference-data/calendar",
        Roles(CITY),
        views::policy::set_calendar,
    )
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    let scope = &actor.scope;
    if actor.user().is_none() {
        nav.push(NavLink::new(5, "/policies", "nav.policies"));
        nav.push(NavLink::new(
            7,
            "/tools/subsidy-calculator",
            "nav.subsidy_calculator",
        ));
    } else if scope.is_government() {
        nav.push(NavLink::new(18, "/policy-drafts", "nav.policy_drafts"));
        if scope.is_city() {
            nav.push(NavLink::new(25, "/reference-data", "nav.reference_data"));
        }
    }
}
