//! The route table: every route is registered together with its access rule, so a route
//! cannot exist without one. The isolation test walks `route_specs()` and probes each route
//! as every role, with other tenants' ids.

use crate::actor::{Access, enforce};
use crate::{AppState, api, views};
use axum::Router;
use axum::extract::DefaultBodyLimit;
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

const CITY: &[Role] = &[Role::CityAdmin];
const MANAGERS: &[Role] = &[Role::CityAdmin, Role::DistrictOfficer];
const GOVERNMENT: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::DepartmentMember,
];
const REGISTRY: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::EnterpriseUser,
];
/// Who imports files: registry data (city, district officers) and loans (banks).
const IMPORTERS: &[Role] = &[Role::CityAdmin, Role::DistrictOfficer, Role::BankUser];
/// Financial institutions: they report loans.
const BANKS: &[Role] = &[Role::BankUser];
/// Who applies for subsidies: enterprises and banks.
const APPLICANTS: &[Role] = &[Role::EnterpriseUser, Role::BankUser];
/// Who sees applications (each within their scope).
const APPLICATION_VIEWERS: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::BankUser,
    Role::EnterpriseUser,
];
/// Who acts on applications: applicants and the district's officers (the store decides
/// which action each may take).
const APPLICATION_ACTORS: &[Role] = &[Role::DistrictOfficer, Role::BankUser, Role::EnterpriseUser];
/// The district's officers.
const OFFICERS: &[Role] = &[Role::DistrictOfficer];
/// Who sees working meetings (each within their scope: a bank or agency only those it is
/// invited to).
const MEETING_VIEWERS: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::BankUser,
    Role::AgencyUser,
];
/// Who submits a work report (the store checks the organisation is invited).
const MEETING_UNITS: &[Role] = &[
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::BankUser,
    Role::AgencyUser,
];
/// Who sees loans (each within their scope).
const LOAN_VIEWERS: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::BankUser,
    Role::EnterpriseUser,
];
/// Who sees rectification tasks (issue #8, R4.3): government, and the owner organisations
/// (each its own tasks).
const TASK_VIEWERS: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::BankUser,
    Role::AgencyUser,
    Role::EnterpriseUser,
];
/// Who answers rectification tasks with evidence: the owner organisations' staff.
const TASK_RESPONDERS: &[Role] = &[
    Role::DistrictOfficer,
    Role::DepartmentMember,
    Role::BankUser,
    Role::AgencyUser,
    Role::EnterpriseUser,
];
const TOKEN_HOLDERS: &[Role] = &[
    Role::CityAdmin,
    Role::DistrictOfficer,
    Role::BankUser,
    Role::AgencyUser,
    Role::EnterpriseUser,
];

struct Routes {
    router: Router<AppState>,
    specs: Vec<RouteSpec>,
}

impl Routes {
    fn add(
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

    fn get<H, T>(self, path: &'static str, access: Access, h: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("GET", path, access, get(h))
    }

    fn post<H, T>(self, path: &'static str, access: Access, h: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("POST", path, access, post(h))
    }
}

fn table() -> Routes {
    use Access::{Public, Roles, SignedIn};
    Routes {
        router: Router::new(),
        specs: Vec::new(),
    }
    // Public pages, tools and operations.
    .get("/", Public, views::home::landing)
    .get("/login", Public, views::auth::login_page)
    .post("/login", Public, views::auth::login_submit)
    .get("/setup", Public, views::auth::setup_page)
    .post("/setup", Public, views::auth::setup_submit)
    .get("/lang/{lang}", Public, views::home::switch_lang)
    .get("/tools/credit-code", Public, views::tools::credit_code_page)
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
    .get("/register", Public, views::enterprise::register_get)
    .post("/register", Public, views::enterprise::register_post)
    .get("/static/app.css", Public, views::assets::css)
    .get("/static/app.js", Public, views::assets::js)
    .get("/healthz", Public, api::ops::healthz)
    .get("/readyz", Public, api::ops::readyz)
    .get("/metrics", Public, api::ops::metrics)
    .get("/api/openapi.json", Public, api::openapi::document)
    .get(
        "/api/v1/tools/credit-code/{code}",
        Public,
        api::tools::credit_code,
    )
    .get("/api/v1/districts", Public, api::org::districts)
    // Every signed-in user.
    .get("/home", SignedIn, views::home::home)
    .post("/logout", SignedIn, views::auth::logout)
    .get("/account/password", SignedIn, views::auth::password_page)
    .post("/account/password", SignedIn, views::auth::password_submit)
    .get("/orgs", SignedIn, views::org::list)
    .get("/orgs/{org_id}", SignedIn, views::org::detail)
    .get("/users", SignedIn, views::user::list)
    .get("/users/{user_id}", SignedIn, views::user::detail)
    .get("/api/v1/me", SignedIn, api::org::me)
    .get("/api/v1/organisations", SignedIn, api::org::organisations)
    .get(
        "/api/v1/organisations/{org_id}",
        SignedIn,
        api::org::organisation,
    )
    .get("/api/v1/users", SignedIn, api::user::users)
    .get("/api/v1/users/{user_id}", SignedIn, api::user::user)
    // Government: the city and district departments.
    .get("/districts", Roles(GOVERNMENT), views::org::districts)
    .get("/districts/{code}", Roles(GOVERNMENT), views::org::district)
    .get(
        "/api/v1/districts/{code}",
        Roles(GOVERNMENT),
        api::org::district,
    )
    // The coordination mechanism's data-sharing arrangements (R1.1, issue #8): the district's
    // government reads, the city and the district's lead officers record and end them.
    .get(
        "/api/v1/districts/{code}/coordination",
        Roles(GOVERNMENT),
        api::coordination::coordination,
    )
    .post(
        "/api/v1/districts/{code}/sharing",
        Roles(MANAGERS),
        api::coordination::create,
    )
    .get(
        "/api/v1/districts/{code}/sharing/{arrangement_id}",
        Roles(GOVERNMENT),
        api::coordination::detail,
    )
    .post(
        "/api/v1/districts/{code}/sharing/{arrangement_id}/end",
        Roles(MANAGERS),
        api::coordination::end,
    )
    .get(
        "/districts/{code}/sharing/{arrangement_id}",
        Roles(GOVERNMENT),
        views::coordination::show,
    )
    .post(
        "/districts/{code}/sharing",
        Roles(MANAGERS),
        views::coordination::create,
    )
    .post(
        "/districts/{code}/sharing/{arrangement_id}/end",
        Roles(MANAGERS),
        views::coordination::end,
    )
    // Managers: the city and districts' lead officers.
    .get("/orgs/new", Roles(MANAGERS), views::org::new_page)
    .post("/orgs", Roles(MANAGERS), views::org::create)
    .post(
        "/orgs/{org_id}/contacts",
        Roles(MANAGERS),
        views::org::add_contact,
    )
    .post(
        "/orgs/{org_id}/contacts/{contact_id}/delete",
        Roles(MANAGERS),
        views::org::remove_contact,
    )
    .post(
        "/orgs/{org_id}/active",
        Roles(MANAGERS),
        views::org::set_active,
    )
    .get("/users/new", Roles(MANAGERS), views::user::new_page)
    .post("/users", Roles(MANAGERS), views::user::create)
    .post(
        "/users/{user_id}/active",
        Roles(MANAGERS),
        views::user::set_active,
    )
    .post(
        "/users/{user_id}/reset-password",
        Roles(MANAGERS),
        views::user::reset_password,
    )
    .post(
        "/api/v1/organisations",
        Roles(MANAGERS),
        api::org::create_organisation,
    )
    // The enterprise registry: government and the enterprise itself.
    .get("/enterprises", Roles(REGISTRY), views::enterprise::list)
    .get(
        "/enterprises/export.xlsx",
        Roles(REGISTRY),
        views::enterprise::export,
    )
    .get(
        "/enterprises/{ent_id}",
        Roles(REGISTRY),
        views::enterprise::detail,
    )
    .post(
        "/enterprises/{ent_id}/figures",
        Roles(REGISTRY),
        views::enterprise::update_figures,
    )
    .get(
        "/api/v1/enterprises",
        Roles(REGISTRY),
        api::enterprise::enterprises,
    )
    .get(
        "/api/v1/enterprises/{ent_id}",
        Roles(REGISTRY),
        api::enterprise::enterprise,
    )
    .get(
        "/enterprises/new",
        Roles(MANAGERS),
        views::enterprise::new_page,
    )
    .post("/enterprises", Roles(MANAGERS), views::enterprise::create)
    .post(
        "/enterprises/{ent_id}/size",
        Roles(MANAGERS),
        views::enterprise::override_size,
    )
    .post(
        "/enterprises/{ent_id}/tags",
        Roles(MANAGERS),
        views::enterprise::add_tag,
    )
    .post(
        "/enterprises/{ent_id}/tags/{tag_id}/delete",
        Roles(MANAGERS),
        views::enterprise::remove_tag,
    )
    .post(
        "/enterprises/{ent_id}/ip",
        Roles(REGISTRY),
        views::enterprise::add_ip,
    )
    .get("/claims", Roles(MANAGERS), views::enterprise::claims)
    // Bulk import and whitelist tag types: the city and districts' lead officers.
    .get("/imports", Roles(IMPORTERS), views::import::list)
    .add(
        "POST",
        "/imports",
        Roles(IMPORTERS),
        post(views::import::upload).layer(DefaultBodyLimit::max(views::import::MAX_UPLOAD_BYTES)),
    )
    .get(
        "/imports/template",
        Roles(IMPORTERS),
        views::import::template,
    )
    .get(
        "/imports/{import_id}",
        Roles(IMPORTERS),
        views::import::show,
    )
    .get(
        "/imports/{import_id}/errors",
        Roles(IMPORTERS),
        views::import::error_report,
    )
    .get("/tag-types", Roles(MANAGERS), views::enterprise::tag_types)
    .post(
        "/tag-types",
        Roles(MANAGERS),
        views::enterprise::create_tag_type,
    )
    .post(
        "/claims/{claim_id}/decide",
        Roles(MANAGERS),
        views::enterprise::decide,
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
    // Applications (issue #6): applicants draft, upload and submit; officers act; the public
    // reads notices and lodges objections.
    .get(
        "/applications",
        Roles(APPLICATION_VIEWERS),
        views::application::list,
    )
    .get(
        "/applications/new",
        Roles(APPLICANTS),
        views::application::new_page,
    )
    .post(
        "/applications",
        Roles(APPLICANTS),
        views::application::create,
    )
    .get(
        "/applications/{app_id}",
        Roles(APPLICATION_VIEWERS),
        views::application::detail,
    )
    .add(
        "POST",
        "/applications/{app_id}/files",
        Roles(APPLICANTS),
        post(views::application::upload)
            .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
    )
    .post(
        "/applications/{app_id}/figures",
        Roles(APPLICANTS),
        views::application::update_figures,
    )
    .post(
        "/applications/{app_id}/files/delete",
        Roles(APPLICANTS),
        views::application::remove_file,
    )
    .post(
        "/applications/{app_id}/vault",
        Roles(APPLICANTS),
        views::application::attach_vault,
    )
    .post(
        "/applications/{app_id}/submit",
        Roles(APPLICANTS),
        views::application::submit,
    )
    .post(
        "/applications/{app_id}/action",
        Roles(APPLICATION_ACTORS),
        views::application::act,
    )
    .get(
        "/applications/{app_id}/files/{file_id}",
        Roles(APPLICATION_VIEWERS),
        views::application::download,
    )
    .get("/notices", Public, views::application::notices)
    .post("/notices", Roles(OFFICERS), views::application::publish)
    .get("/notices/{notice_id}", Public, views::application::notice)
    .add(
        "POST",
        "/notices/{notice_id}/objections",
        Public,
        post(views::application::lodge)
            .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
    )
    .post(
        "/objections/{objection_id}/decision",
        Roles(OFFICERS),
        views::application::decide,
    )
    .get(
        "/objections/{objection_id}/evidence",
        Roles(OFFICERS),
        views::application::evidence,
    )
    .get(
        "/policy-drafts/{version_id}/simulation",
        Roles(GOVERNMENT),
        views::application::simulation,
    )
    .get(
        "/api/v1/policies/{version_id}/simulation",
        Roles(GOVERNMENT),
        api::application::simulation,
    )
    .get(
        "/api/v1/applications",
        Roles(APPLICATION_VIEWERS),
        api::application::list,
    )
    .post(
        "/api/v1/applications",
        Roles(APPLICANTS),
        api::application::create,
    )
    .add(
        "PUT",
        "/api/v1/applications/{app_id}",
        Roles(APPLICANTS),
        axum::routing::put(api::application::update),
    )
    .get(
        "/api/v1/applications/{app_id}",
        Roles(APPLICATION_VIEWERS),
        api::application::show,
    )
    .add(
        "POST",
        "/api/v1/applications/{app_id}/slots/{slot}",
        Roles(APPLICANTS),
        post(api::application::upload)
            .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
    )
    .get(
        "/api/v1/applications/{app_id}/files/{file_id}",
        Roles(APPLICATION_VIEWERS),
        api::application::download,
    )
    .post(
        "/api/v1/applications/{app_id}/submit",
        Roles(APPLICANTS),
        api::application::submit,
    )
    .post(
        "/api/v1/applications/{app_id}/actions",
        Roles(APPLICATION_ACTORS),
        api::application::action,
    )
    .post(
        "/api/v1/notices",
        Roles(OFFICERS),
        api::application::publish_notice,
    )
    .get(
        "/api/v1/notices/{notice_id}",
        Public,
        api::application::notice,
    )
    .post(
        "/api/v1/notices/{notice_id}/objections",
        Public,
        api::application::lodge,
    )
    .post(
        "/api/v1/objections/{objection_id}/decision",
        Roles(OFFICERS),
        api::application::decide,
    )
    // The city only.
    .post("/districts", Roles(CITY), views::org::create_district)
    .post(
        "/districts/{code}/lead",
        Roles(CITY),
        views::org::designate_lead,
    )
    .get("/audit", Roles(CITY), views::audit::list)
    .get("/conformance", Roles(MANAGERS), views::stats::conformance)
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
    // The city's view (issue #7): targets, dashboards, bulletins, assessment, conformance.
    .get("/targets", Roles(GOVERNMENT), views::stats::targets)
    .post("/targets", Roles(CITY), views::stats::set_targets)
    .get(
        "/targets/districts/{code}",
        Roles(GOVERNMENT),
        views::stats::district,
    )
    .post(
        "/targets/districts/{code}/assignments",
        Roles(OFFICERS),
        views::stats::assign,
    )
    .post(
        "/targets/districts/{code}/assignments/delete",
        Roles(OFFICERS),
        views::stats::unassign,
    )
    .post(
        "/targets/districts/{code}/lead",
        Roles(OFFICERS),
        views::stats::set_lead,
    )
    .get("/my/targets", Roles(GOVERNMENT), views::stats::my_targets)
    .get("/dashboard", Roles(GOVERNMENT), views::stats::dashboard)
    .get(
        "/dashboard/districts/{code}",
        Roles(GOVERNMENT),
        views::stats::district_dashboard,
    )
    .get("/bulletins", Roles(GOVERNMENT), views::bulletin::list)
    .get("/bulletins/new", Roles(CITY), views::bulletin::new)
    .post("/bulletins", Roles(CITY), views::bulletin::create)
    .get(
        "/bulletins/{quarter}",
        Roles(GOVERNMENT),
        views::bulletin::show,
    )
    .get(
        "/bulletins/{quarter}/bulletin.docx",
        Roles(GOVERNMENT),
        views::bulletin::docx,
    )
    .get(
        "/bulletins/{quarter}/bulletin.xlsx",
        Roles(GOVERNMENT),
        views::bulletin::xlsx,
    )
    .get(
        "/bulletins/{quarter}/districts/{code}",
        Roles(GOVERNMENT),
        views::bulletin::feedback,
    )
    .get("/assessments", Roles(GOVERNMENT), views::stats::assessments)
    .post("/assessments/bonuses", Roles(CITY), views::stats::add_bonus)
    .get(
        "/assessments/export",
        Roles(GOVERNMENT),
        views::stats::assessments_xlsx,
    )
    .get(
        "/conformance/export",
        Roles(MANAGERS),
        views::stats::conformance_xlsx,
    )
    .get("/api/v1/stats", Roles(GOVERNMENT), api::stats::stats)
    .get("/api/v1/targets", Roles(GOVERNMENT), api::stats::targets)
    .add(
        "PUT",
        "/api/v1/targets",
        Roles(CITY),
        axum::routing::put(api::stats::set_targets),
    )
    .get(
        "/api/v1/targets/districts/{code}",
        Roles(GOVERNMENT),
        api::stats::district_targets,
    )
    .post(
        "/api/v1/targets/districts/{code}/assignments",
        Roles(OFFICERS),
        api::stats::assign,
    )
    .get(
        "/api/v1/my/targets",
        Roles(GOVERNMENT),
        api::stats::my_targets,
    )
    .get(
        "/api/v1/bulletins",
        Roles(GOVERNMENT),
        api::stats::bulletins,
    )
    .post("/api/v1/bulletins", Roles(CITY), api::stats::issue_bulletin)
    .get(
        "/api/v1/bulletins/{quarter}",
        Roles(GOVERNMENT),
        api::stats::bulletin,
    )
    .get(
        "/api/v1/bulletins/{quarter}/districts/{code}",
        Roles(GOVERNMENT),
        api::stats::feedback,
    )
    .get(
        "/api/v1/assessments",
        Roles(GOVERNMENT),
        api::stats::assessments,
    )
    .post(
        "/api/v1/assessments/bonuses",
        Roles(CITY),
        api::stats::add_bonus,
    )
    .get(
        "/api/v1/conformance",
        Roles(MANAGERS),
        api::conformance::conformance,
    )
    // Daily supervision (issue #8 item 3, R4.3): the district's lead officers plan inspections,
    // record findings, raise, close and reopen rectification tasks; the district's departments
    // and the city read; owner organisations see and answer their own tasks.
    .get(
        "/supervision",
        Roles(TASK_VIEWERS),
        views::supervision::index,
    )
    .get(
        "/supervision/districts/{code}",
        Roles(GOVERNMENT),
        views::supervision::district,
    )
    .get(
        "/supervision/inspections",
        Roles(GOVERNMENT),
        views::supervision::inspections,
    )
    .post(
        "/supervision/inspections",
        Roles(OFFICERS),
        views::supervision::plan,
    )
    .get(
        "/supervision/inspections/export.xlsx",
        Roles(GOVERNMENT),
        views::supervision::inspections_xlsx,
    )
    .get(
        "/supervision/inspections/{inspection_id}",
        Roles(GOVERNMENT),
        views::supervision::inspection,
    )
    .post(
        "/supervision/inspections/{inspection_id}/findings",
        Roles(OFFICERS),
        views::supervision::record,
    )
    .post(
        "/supervision/inspections/{inspection_id}/tasks",
        Roles(OFFICERS),
        views::supervision::add_task,
    )
    .get(
        "/supervision/tasks",
        Roles(TASK_VIEWERS),
        views::supervision::tasks,
    )
    .get(
        "/supervision/tasks/export.xlsx",
        Roles(TASK_VIEWERS),
        views::supervision::tasks_xlsx,
    )
    .get(
        "/supervision/tasks/{task_id}",
        Roles(TASK_VIEWERS),
        views::supervision::task,
    )
    .add(
        "POST",
        "/supervision/tasks/{task_id}/evidence",
        Roles(TASK_RESPONDERS),
        post(views::supervision::submit_evidence)
            .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
    )
    .add(
        "POST",
        "/supervision/tasks/{task_id}/close",
        Roles(OFFICERS),
        post(views::supervision::close)
            .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
    )
    .post(
        "/supervision/tasks/{task_id}/reopen",
        Roles(OFFICERS),
        views::supervision::reopen,
    )
    .get(
        "/supervision/tasks/{task_id}/evidence/{evidence_id}",
        Roles(TASK_VIEWERS),
        views::supervision::evidence_file,
    )
    .get(
        "/api/v1/supervision/districts/{code}",
        Roles(GOVERNMENT),
        api::supervision::district,
    )
    .get(
        "/api/v1/supervision/inspections",
        Roles(GOVERNMENT),
        api::supervision::inspections,
    )
    .post(
        "/api/v1/supervision/inspections",
        Roles(OFFICERS),
        api::supervision::plan,
    )
    .get(
        "/api/v1/supervision/inspections/{inspection_id}",
        Roles(GOVERNMENT),
        api::supervision::inspection,
    )
    .post(
        "/api/v1/supervision/inspections/{inspection_id}/findings",
        Roles(OFFICERS),
        api::supervision::findings,
    )
    .post(
        "/api/v1/supervision/inspections/{inspection_id}/tasks",
        Roles(OFFICERS),
        api::supervision::create_task,
    )
    .get(
        "/api/v1/supervision/tasks",
        Roles(TASK_VIEWERS),
        api::supervision::tasks,
    )
    .get(
        "/api/v1/supervision/tasks/{task_id}",
        Roles(TASK_VIEWERS),
        api::supervision::task,
    )
    .add(
        "POST",
        "/api/v1/supervision/tasks/{task_id}/evidence",
        Roles(TASK_RESPONDERS),
        post(api::supervision::evidence)
            .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
    )
    .add(
        "POST",
        "/api/v1/supervision/tasks/{task_id}/close",
        Roles(OFFICERS),
        post(api::supervision::close)
            .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
    )
    .post(
        "/api/v1/supervision/tasks/{task_id}/reopen",
        Roles(OFFICERS),
        api::supervision::reopen,
    )
    .get(
        "/api/v1/supervision/tasks/{task_id}/evidence/{evidence_id}",
        Roles(TASK_VIEWERS),
        api::supervision::evidence_file,
    )
    // District summaries and information reporting (issue #8 item 4, R4.4). The period is a
    // query parameter (?period=2026Q3 or ?period=2026).
    .get("/summaries", Roles(GOVERNMENT), views::summary::overview)
    .get(
        "/summaries/export.xlsx",
        Roles(GOVERNMENT),
        views::summary::overview_xlsx,
    )
    .get(
        "/summaries/districts/{code}",
        Roles(GOVERNMENT),
        views::summary::district,
    )
    .post(
        "/summaries/districts/{code}/draft",
        Roles(OFFICERS),
        views::summary::save_draft,
    )
    .post(
        "/summaries/districts/{code}/submit",
        Roles(OFFICERS),
        views::summary::submit,
    )
    .post(
        "/summaries/districts/{code}/requests",
        Roles(CITY),
        views::summary::request,
    )
    .get(
        "/summaries/{summary_id}",
        Roles(GOVERNMENT),
        views::summary::show,
    )
    .get(
        "/summaries/{summary_id}/summary.docx",
        Roles(GOVERNMENT),
        views::summary::docx,
    )
    .post(
        "/summaries/{summary_id}/comments",
        Roles(CITY),
        views::summary::comment,
    )
    .add(
        "POST",
        "/summary-requests/{request_id}/answer",
        Roles(OFFICERS),
        post(views::summary::answer)
            .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
    )
    .get(
        "/summary-requests/{request_id}/file",
        Roles(GOVERNMENT),
        views::summary::answer_file,
    )
    .get(
        "/api/v1/summaries",
        Roles(GOVERNMENT),
        api::summary::overview,
    )
    .get(
        "/api/v1/summaries/districts/{code}",
        Roles(GOVERNMENT),
        api::summary::district,
    )
    .add(
        "PUT",
        "/api/v1/summaries/districts/{code}",
        Roles(OFFICERS),
        axum::routing::put(api::summary::save),
    )
    .post(
        "/api/v1/summaries/districts/{code}/submit",
        Roles(OFFICERS),
        api::summary::submit_summary,
    )
    .post(
        "/api/v1/summaries/districts/{code}/requests",
        Roles(CITY),
        api::summary::request,
    )
    .get(
        "/api/v1/summaries/{summary_id}",
        Roles(GOVERNMENT),
        api::summary::show,
    )
    .post(
        "/api/v1/summaries/{summary_id}/comments",
        Roles(CITY),
        api::summary::comment,
    )
    .add(
        "POST",
        "/api/v1/summary-requests/{request_id}/answer",
        Roles(OFFICERS),
        post(api::summary::answer_request)
            .layer(DefaultBodyLimit::max(views::application::MAX_FILE_BYTES)),
    )
    // Quarterly working meetings (issue #8, R1.2): the district's lead officers schedule,
    // invite, record attendance, raise issues and publish minutes; invited units report.
    .get("/meetings", Roles(MEETING_VIEWERS), views::meeting::list)
    .get(
        "/meetings/export.xlsx",
        Roles(MEETING_VIEWERS),
        views::meeting::list_xlsx,
    )
    .get("/meetings/new", Roles(OFFICERS), views::meeting::new_page)
    .post("/meetings", Roles(OFFICERS), views::meeting::create)
    .get(
        "/meetings/{meeting_id}",
        Roles(MEETING_VIEWERS),
        views::meeting::detail,
    )
    .get(
        "/meetings/{meeting_id}/meeting.docx",
        Roles(MEETING_VIEWERS),
        views::meeting::docx,
    )
    .post(
        "/meetings/{meeting_id}/invitations",
        Roles(OFFICERS),
        views::meeting::invite,
    )
    .post(
        "/meetings/{meeting_id}/attendance",
        Roles(OFFICERS),
        views::meeting::attendance,
    )
    .add(
        "POST",
        "/meetings/{meeting_id}/reports",
        Roles(MEETING_UNITS),
        post(views::meeting::report).layer(DefaultBodyLimit::max(views::meeting::MAX_UPLOAD_BYTES)),
    )
    .get(
        "/meetings/{meeting_id}/files/{report_file_id}",
        Roles(MEETING_VIEWERS),
        views::meeting::download,
    )
    .post(
        "/meetings/{meeting_id}/issues",
        Roles(OFFICERS),
        views::meeting::raise,
    )
    .post(
        "/meetings/{meeting_id}/minutes",
        Roles(OFFICERS),
        views::meeting::minutes,
    )
    .post(
        "/meetings/{meeting_id}/minutes/publish",
        Roles(OFFICERS),
        views::meeting::publish,
    )
    .get(
        "/meeting-issues",
        Roles(MEETING_VIEWERS),
        views::meeting::issues,
    )
    .get(
        "/meeting-issues/export.xlsx",
        Roles(MEETING_VIEWERS),
        views::meeting::issues_xlsx,
    )
    .post(
        "/meeting-issues/{issue_id}/status",
        Roles(MEETING_VIEWERS),
        views::meeting::set_status,
    )
    .get(
        "/api/v1/meetings",
        Roles(MEETING_VIEWERS),
        api::meeting::list,
    )
    .post("/api/v1/meetings", Roles(OFFICERS), api::meeting::create)
    .get(
        "/api/v1/meetings/{meeting_id}",
        Roles(MEETING_VIEWERS),
        api::meeting::show,
    )
    .post(
        "/api/v1/meetings/{meeting_id}/invitations",
        Roles(OFFICERS),
        api::meeting::invite,
    )
    .post(
        "/api/v1/meetings/{meeting_id}/attendance",
        Roles(OFFICERS),
        api::meeting::attendance,
    )
    .post(
        "/api/v1/meetings/{meeting_id}/reports",
        Roles(MEETING_UNITS),
        api::meeting::report,
    )
    .add(
        "POST",
        "/api/v1/meetings/{meeting_id}/reports/files",
        Roles(MEETING_UNITS),
        post(api::meeting::report_file)
            .layer(DefaultBodyLimit::max(views::meeting::MAX_UPLOAD_BYTES)),
    )
    .post(
        "/api/v1/meetings/{meeting_id}/issues",
        Roles(OFFICERS),
        api::meeting::raise,
    )
    .post(
        "/api/v1/meetings/{meeting_id}/minutes",
        Roles(OFFICERS),
        api::meeting::minutes,
    )
    .get(
        "/api/v1/meeting-issues",
        Roles(MEETING_VIEWERS),
        api::meeting::issues,
    )
    .post(
        "/api/v1/meeting-issues/{issue_id}/status",
        Roles(MEETING_VIEWERS),
        api::meeting::set_status,
    )
    // API tokens: organisations whose systems call the API.
    .get("/tokens", Roles(TOKEN_HOLDERS), views::token::list)
    .post("/tokens", Roles(TOKEN_HOLDERS), views::token::create)
    .post(
        "/tokens/{token_id}/revoke",
        Roles(TOKEN_HOLDERS),
        views::token::revoke,
    )
}

/// The application's routes (without the global layers).
pub fn router() -> Router<AppState> {
    table().router
}

/// Every registered route with its access rule.
pub fn route_specs() -> Vec<RouteSpec> {
    table().specs
}
