//! The route table: every route is registered together with its access rule, so a route
//! cannot exist without one. Each product area adds its own routes (`crate::areas`); this
//! module holds the builder and the role groups. The isolation test walks `route_specs()` and
//! probes each route as every role, with other tenants' ids.

use crate::AppState;
use crate::actor::{Access, enforce};
use axum::Router;
use axum::handler::Handler;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, get, post};
use ipfin_domain::Role;

/// One registered route and who may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

pub(crate) const CITY: &[Role] = &[Role::CityAdmin];
pub(crate) const MANAGERS: &[Role] = &[Role::CityAdmin, Role::DistrictOfficer];
/// Who administers accounts (each as far as `ipfin_domain::user::Administrator` allows): the
/// city, a district's user administrator, and a district's officers for accounts without
/// review rights.
pub(crate) const USER_ADMINS: &[Role] = &[Role::CityAdmin, Role::DistrictOfficer, Role::UserAdmin];
pub(crate) const GOVERNMENT: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::DepartmentMember,
];
pub(crate) const REGISTRY: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::EnterpriseUser,
];
/// Who imports files: registry data (city, district officers) and loans (banks).
pub(crate) const IMPORTERS: &[Role] = &[Role::CityAdmin, Role::DistrictOfficer, Role::BankUser];
/// Financial institutions: they report loans.
pub(crate) const BANKS: &[Role] = &[Role::BankUser];
/// Who applies for subsidies: enterprises and banks.
pub(crate) const APPLICANTS: &[Role] = &[Role::EnterpriseUser, Role::BankUser];
/// Who sees applications (each within their scope).
pub(crate) const APPLICATION_VIEWERS: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::BankUser,
    Role::EnterpriseUser,
];
/// Who acts on applications: applicants and the district's officers (the store decides
/// which action each may take).
pub(crate) const APPLICATION_ACTORS: &[Role] =
    &[Role::DistrictOfficer, Role::BankUser, Role::EnterpriseUser];
/// The district's officers.
pub(crate) const OFFICERS: &[Role] = &[Role::DistrictOfficer];
/// Who sees working meetings (each within their scope: a bank or agency only those it is
/// invited to).
pub(crate) const MEETING_VIEWERS: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::BankUser,
    Role::AgencyUser,
];
/// Who submits a work report (the store checks the organisation is invited).
pub(crate) const MEETING_UNITS: &[Role] = &[
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::BankUser,
    Role::AgencyUser,
];
/// Who sees loans (each within their scope).
pub(crate) const LOAN_VIEWERS: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::BankUser,
    Role::EnterpriseUser,
];
/// Who sees rectification tasks (issue #8, R4.3): government, and the owner organisations
/// (each its own tasks).
pub(crate) const TASK_VIEWERS: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::BankUser,
    Role::AgencyUser,
    Role::EnterpriseUser,
];
/// Who answers rectification tasks with evidence: the owner organisations' staff.
pub(crate) const TASK_RESPONDERS: &[Role] = &[
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::BankUser,
    Role::AgencyUser,
    Role::EnterpriseUser,
];
pub(crate) const TOKEN_HOLDERS: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::BankUser,
    Role::AgencyUser,
    Role::EnterpriseUser,
];

/// The routes registered so far, with their specs.
pub struct Routes {
    router: Router<AppState>,
    specs: Vec<RouteSpec>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Routes {
        Routes {
            router: Router::new(),
            specs: Vec::new(),
        }
    }

    pub fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        access: Access,
        mr: MethodRouter<AppState>,
    ) -> Self {
        self.specs.push(RouteSpec {
            method,
            path,
            access,
        });
        self.router = self
            .router
            .route(path, mr.route_layer(from_fn_with_state(access, enforce)));
        self
    }

    pub fn get<H, T>(self, path: &'static str, access: Access, h: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("GET", path, access, get(h))
    }

    pub fn post<H, T>(self, path: &'static str, access: Access, h: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("POST", path, access, post(h))
    }
}

/// The application's routes (without the global layers).
pub fn router() -> Router<AppState> {
    crate::areas::routes().router
}

/// Every registered route with its access rule.
pub fn route_specs() -> Vec<RouteSpec> {
    crate::areas::routes().specs
}
