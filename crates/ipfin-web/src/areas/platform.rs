//! The public service platform (issue #22, R3.3): district zones with interpretations and
//! feeds, the search box, matchmaking (products, needs, contacts), disposal listings and the
//! valuation directory. One area for the platform's four parts (decision 0036). The area's
//! routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::{Public, Roles};
use crate::actor::Actor;
use crate::routes::{BANKS, GOVERNMENT, MANAGERS, Routes};
use crate::{api, views};
use ipfin_domain::{OrgKind, Role};

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "platform",
    routes,
    nav,
    messages: crate::i18n::platform::MESSAGES,
};

/// Enterprises (needs, contact requests).
const ENTERPRISES: &[Role] = &[Role::EnterpriseUser];
/// Both sides of matchmaking.
const MATCHMAKERS: &[Role] = &[Role::BankUser, Role::EnterpriseUser];
/// Who reads valuation quotes: the enterprise that asked, the institution asked (a financial
/// institution), the district's government (the store confines each to its own).
const QUOTE_READERS: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::BankUser,
    Role::EnterpriseUser,
];

fn routes(r: Routes) -> Routes {
    use views::platform as v;
    r.get("/zones", Public, v::zones)
        .get("/zones/{code}", Public, v::zone)
        .get(
            "/zones/{code}/interpretations/{interp_id}",
            Public,
            v::interpretation,
        )
        .get("/feeds/{code}/zone.atom", Public, v::zone_atom)
        .get("/feeds/{code}/zone.json", Public, v::zone_json)
        .get("/search", Public, v::search)
        .get("/products", Public, v::products)
        .get("/products/{product_id}", Public, v::product)
        .post(
            "/products/{product_id}/contact",
            Roles(ENTERPRISES),
            v::contact_product,
        )
        .get("/financing-needs", Public, v::needs)
        .get("/financing-needs/{need_id}", Public, v::need)
        .post(
            "/financing-needs/{need_id}/interest",
            Roles(BANKS),
            v::need_interest,
        )
        .get("/matchmaking", Roles(MATCHMAKERS), v::matchmaking)
        .post("/matchmaking/products", Roles(BANKS), v::create_product)
        .get(
            "/matchmaking/products/{product_id}/edit",
            Roles(BANKS),
            v::edit_product,
        )
        .post(
            "/matchmaking/products/{product_id}/edit",
            Roles(BANKS),
            v::update_product,
        )
        .post(
            "/matchmaking/products/{product_id}/withdraw",
            Roles(BANKS),
            v::withdraw_product,
        )
        .post("/matchmaking/needs", Roles(ENTERPRISES), v::create_need)
        .get(
            "/matchmaking/needs/{need_id}/edit",
            Roles(ENTERPRISES),
            v::edit_need,
        )
        .post(
            "/matchmaking/needs/{need_id}/edit",
            Roles(ENTERPRISES),
            v::update_need,
        )
        .post(
            "/matchmaking/needs/{need_id}/close",
            Roles(ENTERPRISES),
            v::close_need,
        )
        .get("/disposal", Public, v::disposal)
        .get("/disposal/{listing_id}", Public, v::listing)
        .post(
            "/disposal/{listing_id}/interest",
            Public,
            v::register_interest,
        )
        .get("/disposals", Roles(BANKS), v::disposals)
        .post("/disposals", Roles(BANKS), v::create_listing)
        .get("/disposals/{listing_id}", Roles(BANKS), v::manage)
        .post(
            "/disposals/{listing_id}/outcome",
            Roles(BANKS),
            v::record_outcome,
        )
        .get("/valuation", Public, v::valuation)
        .post("/valuation/profile", Roles(BANKS), v::save_profile)
        .get("/valuation/quotes", Roles(QUOTE_READERS), v::quotes)
        .post("/valuation/quotes", Roles(ENTERPRISES), v::request_quote)
        .post(
            "/valuation/quotes/{quote_id}/answer",
            Roles(BANKS),
            v::answer_quote,
        )
        .post(
            "/valuation/quotes/{quote_id}/accept",
            Roles(ENTERPRISES),
            v::accept_quote,
        )
        .post(
            "/valuation/quotes/{quote_id}/report",
            Roles(BANKS),
            v::record_report,
        )
        .get(
            "/api/v1/valuation/institutions",
            Public,
            api::platform::valuers,
        )
        .add(
            "PUT",
            "/api/v1/valuation/profile",
            Roles(BANKS),
            axum::routing::put(api::platform::save_profile),
        )
        .get(
            "/api/v1/valuation/quotes",
            Roles(QUOTE_READERS),
            api::platform::quotes,
        )
        .post(
            "/api/v1/valuation/quotes",
            Roles(ENTERPRISES),
            api::platform::request_quote,
        )
        .post(
            "/api/v1/valuation/quotes/{quote_id}/answer",
            Roles(BANKS),
            api::platform::answer_quote,
        )
        .post(
            "/api/v1/valuation/quotes/{quote_id}/accept",
            Roles(ENTERPRISES),
            api::platform::accept_quote,
        )
        .post(
            "/api/v1/valuation/quotes/{quote_id}/report",
            Roles(BANKS),
            api::platform::record_report,
        )
        .get("/interpretations", Roles(GOVERNMENT), v::interpretations)
        .post(
            "/interpretations",
            Roles(MANAGERS),
            v::create_interpretation,
        )
        .get(
            "/interpretations/{interp_id}",
            Roles(GOVERNMENT),
            v::edit_interpretation,
        )
        .post(
            "/interpretations/{interp_id}",
            Roles(MANAGERS),
            v::update_interpretation,
        )
        .post(
            "/interpretations/{interp_id}/publish",
            Roles(MANAGERS),
            v::publish_interpretation,
        )
        .post(
            "/interpretations/{interp_id}/withdraw",
            Roles(MANAGERS),
            v::withdraw_interpretation,
        )
        .get("/api/v1/zones/{code}", Public, api::platform::zone)
        .get("/api/v1/search", Public, api::platform::search)
        .get("/api/v1/products", Public, api::platform::products)
        .post(
            "/api/v1/products",
            Roles(BANKS),
            api::platform::create_product,
        )
        .add(
            "PUT",
            "/api/v1/products/{product_id}",
            Roles(BANKS),
            axum::routing::put(api::platform::update_product),
        )
        .post(
            "/api/v1/products/{product_id}/contact",
            Roles(ENTERPRISES),
            api::platform::contact_product,
        )
        .get("/api/v1/financing-needs", Public, api::platform::needs)
        .post(
            "/api/v1/financing-needs",
            Roles(ENTERPRISES),
            api::platform::create_need,
        )
        .add(
            "PUT",
            "/api/v1/financing-needs/{need_id}",
            Roles(ENTERPRISES),
            axum::routing::put(api::platform::update_need),
        )
        .post(
            "/api/v1/financing-needs/{need_id}/interest",
            Roles(BANKS),
            api::platform::need_interest,
        )
        .get(
            "/api/v1/matchmaking",
            Roles(MATCHMAKERS),
            api::platform::matchmaking,
        )
        .get("/api/v1/disposal", Public, api::platform::listings)
        .post(
            "/api/v1/disposals",
            Roles(BANKS),
            api::platform::create_listing,
        )
        .post(
            "/api/v1/disposals/{listing_id}/outcome",
            Roles(BANKS),
            api::platform::record_outcome,
        )
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    if actor.user().is_none() {
        nav.push(NavLink::new(9, "/zones", "nav.zones"));
        return;
    }
    if actor.has_any(GOVERNMENT) && actor.scope.is_government() {
        nav.push(NavLink::new(29, "/interpretations", "nav.interpretations"));
    }
    let kind = actor.scope.org_kind();
    if actor.has_any(MATCHMAKERS)
        && matches!(
            kind,
            Some(OrgKind::FinancialInstitution | OrgKind::Enterprise)
        )
    {
        nav.push(NavLink::new(30, "/matchmaking", "nav.matchmaking"));
    }
    if actor.has_any(BANKS) && kind == Some(OrgKind::FinancialInstitution) {
        nav.push(NavLink::new(31, "/disposals", "nav.disposals"));
    }
    if actor.has_any(ENTERPRISES) && kind == Some(OrgKind::Enterprise) {
        nav.push(NavLink::new(33, "/valuation/quotes", "vq.title"));
    }
    nav.push(NavLink::new(93, "/zones", "nav.zones"));
}
