//! Financing records: loans reported by banks.
//! The area's routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::Roles;
use crate::actor::Actor;
use crate::routes::{BANKS, LOAN_VIEWERS, Routes};
use crate::{api, views};
use ipfin_domain::visibility::{Party, Reach, Records};

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "financing",
    routes,
    nav,
    messages: crate::i18n::financing::MESSAGES,
};

/// The area's routes, each with who may call it.
fn routes(r: Routes) -> Routes {
    r
        // Financing records: banks report; the city, districts and enterprises read their scope.
        .get("/loans", Roles(LOAN_VIEWERS), views::financing::list)
        .get(
            "/loans/export.xlsx",
            Roles(LOAN_VIEWERS),
            views::financing::export,
        )
        .get("/loans/new", Roles(BANKS), views::financing::new_page)
        .post("/loans", Roles(BANKS), views::financing::create)
        .get(
            "/loans/{loan_id}",
            Roles(LOAN_VIEWERS),
            views::financing::detail,
        )
        .post(
            "/loans/{loan_id}/payments",
            Roles(BANKS),
            views::financing::add_payment,
        )
        .post(
            "/loans/{loan_id}/status",
            Roles(BANKS),
            views::financing::set_status,
        )
        .post(
            "/loans/{loan_id}/contracts",
            Roles(BANKS),
            views::financing::add_contract,
        )
        .get("/api/v1/loans", Roles(LOAN_VIEWERS), api::financing::list)
        .post("/api/v1/loans", Roles(BANKS), api::financing::create)
        .post("/api/v1/loans/batch", Roles(BANKS), api::financing::batch)
        .get(
            "/api/v1/loans/{loan_id}",
            Roles(LOAN_VIEWERS),
            api::financing::show,
        )
        .post(
            "/api/v1/loans/{loan_id}/status",
            Roles(BANKS),
            api::financing::set_status,
        )
        .post(
            "/api/v1/loans/{loan_id}/payments",
            Roles(BANKS),
            api::financing::add_payment,
        )
        .post(
            "/api/v1/loans/{loan_id}/contracts",
            Roles(BANKS),
            api::financing::add_contract,
        )
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    if actor.user().is_none() {
        return;
    }
    // What the loans' reach gives this scope: a district's or all, its borrowing, its lending.
    match actor.scope.reach(Records::Loans) {
        Reach::All | Reach::District(_) => nav.push(NavLink::new(12, "/loans", "nav.loans")),
        Reach::Party(Party::Borrower, _) => nav.push(NavLink::new(11, "/loans", "nav.my_loans")),
        Reach::Party(Party::Lender, _) => nav.push(NavLink::new(10, "/loans", "nav.portfolio")),
        _ => {}
    }
}
