//! The public tools: credit code, patent number and enterprise size.
//! The area's routes (each with its access rule), navigation entries and messages.

use super::{Area, NavLink};
use crate::actor::Access::Public;
use crate::actor::Actor;
use crate::routes::Routes;
use crate::{api, views};

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "tools",
    routes,
    nav,
    messages: crate::i18n::tools::MESSAGES,
};

/// The area's routes, each with who may call it.
fn routes(r: Routes) -> Routes {
    r.get("/tools/credit-code", Public, views::tools::credit_code_page)
        .get(
            "/tools/patent-number",
            Public,
            views::tools::patent_number_page,
        )
        .get(
            "/api/v1/tools/patent-number/{number}",
            Public,
            api::tools::patent_number,
        )
        .get(
            "/tools/enterprise-size",
            Public,
            views::tools::enterprise_size_page,
        )
        .post(
            "/api/v1/tools/enterprise-size",
            Public,
            api::tools::enterprise_size,
        )
        .get(
            "/api/v1/tools/credit-code/{code}",
            Public,
            api::tools::credit_code,
        )
}

/// The area's entries in the navigation menu (positions: see `areas::NavLink`).
fn nav(actor: &Actor, nav: &mut Vec<NavLink>) {
    match actor.user() {
        None => {
            nav.push(NavLink::new(2, "/tools/credit-code", "nav.credit_code"));
            nav.push(NavLink::new(3, "/tools/patent-number", "nav.patent_number"));
            nav.push(NavLink::new(
                4,
                "/tools/enterprise-size",
                "nav.enterprise_size",
            ));
        }
        Some(_) => nav.push(NavLink::new(92, "/tools/credit-code", "nav.credit_code")),
    }
}
