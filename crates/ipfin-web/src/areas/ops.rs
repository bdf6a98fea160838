//! Operations: health and readiness probes, metrics and the OpenAPI document.
//! The area's routes (each with its access rule), navigation entries and messages.

use super::Area;
use crate::actor::Access::Public;
use crate::api;
use crate::routes::Routes;

/// The area as the composition registers it.
pub const AREA: Area = Area {
    name: "ops",
    routes,
    nav: super::no_nav,
    messages: &[],
};

/// The area's routes, each with who may call it.
fn routes(r: Routes) -> Routes {
    r.get("/healthz", Public, api::ops::healthz)
        .get("/readyz", Public, api::ops::readyz)
        .get("/metrics", Public, api::ops::metrics)
        .get("/api/openapi.json", Public, api::openapi::document)
}
