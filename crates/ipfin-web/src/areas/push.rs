//! Push to banks (issue #20 items 3–5, R3.2): the district's partner banks, settings and push
//! lists; a bank's received enterprises, follow-up and lending declaration; an enterprise's
//! consent. The area's routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::Roles;
use crate::actor::Actor;
use crate::routes::{BANKS, GOVERNMENT, MANAGERS, Routes};
use crate::{api, views};
use axum::routing::put;
use ipfin_domain::Role;

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "push",
    routes,
    nav,
    messages: crate::i18n::push::MESSAGES,
};

/// Who reads one pushed entry: the district's government (its list) and the bank it was
/// pushed to (the store decides which entries each sees).
const ENTRY_READERS: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::BankUser,
];
/// Who gives or withdraws an enterprise's consent: the enterprise itself.
const ENTERPRISES: &[Role] = &[Role::EnterpriseUser];

/// The area's routes: the district's departments and the city read push lists; the lead
/// officers (and the city administrator) prepare them and manage partners and settings; a
/// second officer confirms through the confirmations area. Banks follow up; enterprises consent.
fn routes(r: Routes) -> Routes {
    r.get("/push", Roles(GOVERNMENT), views::push::index)
        .post("/push/lists", Roles(MANAGERS), views::push::prepare)
        .post("/push/settings", Roles(MANAGERS), views::push::settings)
        .post("/push/partners", Roles(MANAGERS), views::push::add_partner)
        .post(
            "/push/partners/{bank_id}/remove",
            Roles(MANAGERS),
            views::push::remove_partner,
        )
        .get(
            "/push/lists/{list_id}",
            Roles(GOVERNMENT),
            views::push::list,
        )
        .get(
            "/push/entries/{entry_id}",
            Roles(ENTRY_READERS),
            views::push::entry,
        )
        .get("/push/funnel", Roles(ENTRY_READERS), views::push::funnel)
        .get(
            "/push/funnel.xlsx",
            Roles(ENTRY_READERS),
            views::push::funnel_export,
        )
        .get("/pushed", Roles(BANKS), views::push::received)
        .post(
            "/pushed/{entry_id}/follow-ups",
            Roles(BANKS),
            views::push::follow_up,
        )
        .post("/pushed/lending", Roles(BANKS), views::push::set_lending)
        .get(
            "/push/consent/{ent_id}",
            Roles(GOVERNMENT),
            views::push::consent_of,
        )
        .post(
            "/push/consent/{ent_id}",
            Roles(MANAGERS),
            views::push::set_public_data,
        )
        .get(
            "/api/v1/push/consent/{ent_id}",
            Roles(GOVERNMENT),
            api::push::consent_of,
        )
        .add(
            "PUT",
            "/api/v1/push/consent/{ent_id}/public-data",
            Roles(MANAGERS),
            put(api::push::set_public_data),
        )
        .get("/consent", Roles(ENTERPRISES), views::push::consent)
        .post("/consent", Roles(ENTERPRISES), views::push::set_consent)
        .get("/api/v1/push", Roles(GOVERNMENT), api::push::overview)
        .add(
            "PUT",
            "/api/v1/push/settings",
            Roles(MANAGERS),
            put(api::push::set_settings),
        )
        .post(
            "/api/v1/push/partners",
            Roles(MANAGERS),
            api::push::add_partner,
        )
        .post(
            "/api/v1/push/partners/{bank_id}/remove",
            Roles(MANAGERS),
            api::push::remove_partner,
        )
        .post("/api/v1/push/lists", Roles(MANAGERS), api::push::prepare)
        .get(
            "/api/v1/push/lists/{list_id}",
            Roles(GOVERNMENT),
            api::push::list,
        )
        .get(
            "/api/v1/push/entries/{entry_id}",
            Roles(ENTRY_READERS),
            api::push::entry,
        )
        .get(
            "/api/v1/push/funnel",
            Roles(ENTRY_READERS),
            api::push::funnel,
        )
        .get("/api/v1/pushed", Roles(BANKS), api::push::received)
        .post(
            "/api/v1/pushed/{entry_id}/follow-ups",
            Roles(BANKS),
            api::push::follow_up,
        )
        .get("/api/v1/bank/lending", Roles(BANKS), api::push::lending)
        .add(
            "PUT",
            "/api/v1/bank/lending",
            Roles(BANKS),
            put(api::push::set_lending),
        )
        .get("/api/v1/consent", Roles(ENTERPRISES), api::push::consent)
        .add(
            "PUT",
            "/api/v1/consent",
            Roles(ENTERPRISES),
            put(api::push::set_consent),
        )
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    if actor.has_any(GOVERNMENT) && actor.scope.is_government() {
        nav.push(NavLink::new(16, "/push", "nav.push"));
    }
    if actor.has_any(BANKS)
        && actor.scope.org_kind() == Some(ipfin_domain::OrgKind::FinancialInstitution)
    {
        nav.push(NavLink::new(10, "/pushed", "nav.pushed"));
    }
    if actor.has_any(ENTERPRISES)
        && actor.scope.org_kind() == Some(ipfin_domain::OrgKind::Enterprise)
    {
        nav.push(NavLink::new(13, "/consent", "nav.consent"));
    }
}
