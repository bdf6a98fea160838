//! The isolation matrix: every registered route against its declared access rule, probed as
//! every role; and every tenant-scoped route probed with other tenants' ids, expecting 403/404,
//! none of the other party's data in the body, and nothing stored.

mod support;

use axum::http::Method;
use ipfin_domain::Scope;
use ipfin_domain::id::OrgId;
use ipfin_web::actor::Access;
use ipfin_web::routes::{RouteSpec, route_specs};
use std::collections::BTreeMap;
use support::{Session, TestApp};

/// The access every route must have. A new route fails this test until it is classified here.
const EXPECTED: &[(&str, &str, &str)] = &[
    ("GET", "/", "public"),
    ("GET", "/login", "public"),
    ("POST", "/login", "public"),
    ("GET", "/setup", "public"),
    ("POST", "/setup", "public"),
    ("GET", "/lang/{lang}", "public"),
    ("GET", "/tools/credit-code", "public"),
    ("GET", "/static/app.css", "public"),
    ("GET", "/static/app.js", "public"),
    ("GET", "/healthz", "public"),
    ("GET", "/readyz", "public"),
    ("GET", "/metrics", "public"),
    ("GET", "/api/openapi.json", "public"),
    ("GET", "/api/v1/tools/credit-code/{code}", "public"),
    ("GET", "/api/v1/tools/patent-number/{number}", "public"),
    ("GET", "/tools/patent-number", "public"),
    ("GET", "/tools/enterprise-size", "public"),
    ("POST", "/api/v1/tools/enterprise-size", "public"),
    ("GET", "/api/v1/districts", "public"),
    ("GET", "/register", "public"),
    ("POST", "/register", "public"),
    ("GET", "/tools/enterprise-size", "public"),
    ("POST", "/api/v1/tools/enterprise-size", "public"),
    (
        "GET",
        "/enterprises",
        "city_admin,district_officer,department_member,enterprise_user",
    ),
    (
        "GET",
        "/enterprises/export.xlsx",
        "city_admin,district_officer,department_member,enterprise_user",
    ),
    (
        "GET",
        "/enterprises/{ent_id}",
        "city_admin,district_officer,department_member,enterprise_user",
    ),
    (
        "POST",
        "/enterprises/{ent_id}/figures",
        "city_admin,district_officer,department_member,enterprise_user",
    ),
    (
        "GET",
        "/api/v1/enterprises",
        "city_admin,district_officer,department_member,enterprise_user",
    ),
    (
        "GET",
        "/api/v1/enterprises/{ent_id}",
        "city_admin,district_officer,department_member,enterprise_user",
    ),
    ("GET", "/enterprises/new", "city_admin,district_officer"),
    ("POST", "/enterprises", "city_admin,district_officer"),
    (
        "POST",
        "/enterprises/{ent_id}/size",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/enterprises/{ent_id}/tags",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/enterprises/{ent_id}/tags/{tag_id}/delete",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/enterprises/{ent_id}/ip",
        "city_admin,district_officer,department_member,enterprise_user",
    ),
    ("GET", "/claims", "city_admin,district_officer"),
    ("GET", "/feeds/{code}/policies.atom", "public"),
    ("GET", "/feeds/{code}/policies.json", "public"),
    (
        "GET",
        "/policies/{version_id}/attachments/{attachment_id}",
        "public",
    ),
    ("GET", "/policies", "public"),
    ("GET", "/policies/{version_id}", "public"),
    ("GET", "/policies/{version_id}/card.svg", "public"),
    ("GET", "/policies/{version_id}/card.docx", "public"),
    ("GET", "/tools/subsidy-calculator", "public"),
    ("GET", "/api/v1/schemas/policy-rules.json", "public"),
    ("GET", "/api/v1/policies", "public"),
    ("GET", "/api/v1/policies/{version_id}", "public"),
    ("GET", "/api/v1/tools/working-days", "public"),
    ("POST", "/api/v1/tools/subsidy-calculator", "public"),
    (
        "GET",
        "/api/v1/conformance/policies",
        "city_admin,district_officer",
    ),
    (
        "GET",
        "/policy-drafts",
        "city_admin,district_officer,department_member",
    ),
    ("POST", "/policy-drafts", "city_admin,district_officer"),
    (
        "GET",
        "/policy-drafts/{version_id}",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/policy-drafts/{version_id}",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/api/v1/policies/{version_id}/eligibility/{ent_id}",
        "city_admin,district_officer,department_member,enterprise_user",
    ),
    ("GET", "/conformance", "city_admin,district_officer"),
    (
        "GET",
        "/targets",
        "city_admin,district_officer,department_member",
    ),
    ("POST", "/targets", "city_admin"),
    // Excel of the lists officials work from (issue #23 item 8).
    (
        "GET",
        "/targets/export.xlsx",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/dashboard/export.xlsx",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/applications/export.xlsx",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/notices/export.xlsx",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/targets/districts/{code}",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/targets/districts/{code}/assignments",
        "district_officer",
    ),
    (
        "POST",
        "/targets/districts/{code}/assignments/delete",
        "district_officer",
    ),
    ("POST", "/targets/districts/{code}/lead", "district_officer"),
    (
        "GET",
        "/my/targets",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/dashboard",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/dashboard/districts/{code}",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/bulletins",
        "city_admin,district_officer,department_member",
    ),
    ("GET", "/bulletins/new", "city_admin"),
    ("POST", "/bulletins", "city_admin"),
    (
        "GET",
        "/bulletins/{quarter}",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/bulletins/{quarter}/bulletin.docx",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/bulletins/{quarter}/bulletin.xlsx",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/bulletins/{quarter}/districts/{code}",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/assessments",
        "city_admin,district_officer,department_member",
    ),
    ("POST", "/assessments/bonuses", "city_admin"),
    (
        "GET",
        "/assessments/export",
        "city_admin,district_officer,department_member",
    ),
    ("GET", "/conformance/export", "city_admin,district_officer"),
    (
        "GET",
        "/api/v1/stats",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/api/v1/targets",
        "city_admin,district_officer,department_member",
    ),
    ("PUT", "/api/v1/targets", "city_admin"),
    (
        "GET",
        "/api/v1/targets/districts/{code}",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/api/v1/targets/districts/{code}/assignments",
        "district_officer",
    ),
    (
        "GET",
        "/api/v1/my/targets",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/api/v1/bulletins",
        "city_admin,district_officer,department_member",
    ),
    ("POST", "/api/v1/bulletins", "city_admin"),
    (
        "GET",
        "/api/v1/bulletins/{quarter}",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/api/v1/bulletins/{quarter}/districts/{code}",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/api/v1/assessments",
        "city_admin,district_officer,department_member",
    ),
    ("POST", "/api/v1/assessments/bonuses", "city_admin"),
    ("GET", "/api/v1/conformance", "city_admin,district_officer"),
    // District summaries and information reporting (issue #8 item 4, R4.4).
    (
        "GET",
        "/summaries",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/summaries/export.xlsx",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/summaries/districts/{code}",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/summaries/districts/{code}/draft",
        "district_officer",
    ),
    (
        "POST",
        "/summaries/districts/{code}/submit",
        "district_officer",
    ),
    ("POST", "/summaries/districts/{code}/requests", "city_admin"),
    (
        "GET",
        "/summaries/{summary_id}",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/summaries/{summary_id}/summary.docx",
        "city_admin,district_officer,department_member",
    ),
    ("POST", "/summaries/{summary_id}/comments", "city_admin"),
    (
        "POST",
        "/summary-requests/{request_id}/answer",
        "district_officer",
    ),
    (
        "GET",
        "/summary-requests/{request_id}/file",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/api/v1/summaries",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/api/v1/summaries/districts/{code}",
        "city_admin,district_officer,department_member",
    ),
    (
        "PUT",
        "/api/v1/summaries/districts/{code}",
        "district_officer",
    ),
    (
        "POST",
        "/api/v1/summaries/districts/{code}/submit",
        "district_officer",
    ),
    (
        "POST",
        "/api/v1/summaries/districts/{code}/requests",
        "city_admin",
    ),
    (
        "GET",
        "/api/v1/summaries/{summary_id}",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/api/v1/summaries/{summary_id}/comments",
        "city_admin",
    ),
    (
        "POST",
        "/api/v1/summary-requests/{request_id}/answer",
        "district_officer",
    ),
    (
        "POST",
        "/policy-drafts/{version_id}/attachments",
        "city_admin,district_officer",
    ),
    ("GET", "/reference-data", "city_admin"),
    ("POST", "/reference-data/calendar", "city_admin"),
    ("POST", "/reference-data/lpr", "city_admin"),
    ("POST", "/api/v1/policies", "city_admin,district_officer"),
    (
        "PUT",
        "/api/v1/policies/{version_id}",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/api/v1/policies/{version_id}/circulate",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/api/v1/policies/{version_id}/publish",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/api/v1/policies/{version_id}/revise",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/api/v1/policies/{version_id}/comments",
        "city_admin,district_officer,department_member",
    ),
    ("GET", "/imports", "city_admin,district_officer,bank_user"),
    ("POST", "/imports", "city_admin,district_officer,bank_user"),
    (
        "GET",
        "/imports/template",
        "city_admin,district_officer,bank_user",
    ),
    (
        "GET",
        "/imports/{import_id}",
        "city_admin,district_officer,bank_user",
    ),
    (
        "GET",
        "/imports/{import_id}/errors",
        "city_admin,district_officer,bank_user",
    ),
    ("GET", "/tag-types", "city_admin,district_officer"),
    ("POST", "/tag-types", "city_admin,district_officer"),
    (
        "POST",
        "/claims/{claim_id}/decide",
        "city_admin,district_officer",
    ),
    (
        "GET",
        "/api/v1/loans",
        "city_admin,district_officer,department_member,bank_user,enterprise_user",
    ),
    (
        "GET",
        "/api/v1/loans/{loan_id}",
        "city_admin,district_officer,department_member,bank_user,enterprise_user",
    ),
    (
        "GET",
        "/loans",
        "city_admin,district_officer,department_member,bank_user,enterprise_user",
    ),
    (
        "GET",
        "/loans/export.xlsx",
        "city_admin,district_officer,department_member,bank_user,enterprise_user",
    ),
    (
        "GET",
        "/loans/{loan_id}",
        "city_admin,district_officer,department_member,bank_user,enterprise_user",
    ),
    ("GET", "/loans/new", "bank_user"),
    ("POST", "/loans", "bank_user"),
    ("POST", "/loans/{loan_id}/payments", "bank_user"),
    ("POST", "/loans/{loan_id}/status", "bank_user"),
    ("POST", "/loans/{loan_id}/contracts", "bank_user"),
    ("POST", "/api/v1/loans", "bank_user"),
    ("POST", "/api/v1/loans/batch", "bank_user"),
    ("POST", "/api/v1/loans/{loan_id}/status", "bank_user"),
    ("POST", "/api/v1/loans/{loan_id}/payments", "bank_user"),
    ("POST", "/api/v1/loans/{loan_id}/contracts", "bank_user"),
    (
        "GET",
        "/applications",
        "city_admin,district_officer,department_member,bank_user,enterprise_user",
    ),
    ("GET", "/applications/new", "enterprise_user,bank_user"),
    ("POST", "/applications", "enterprise_user,bank_user"),
    (
        "GET",
        "/applications/{app_id}",
        "city_admin,district_officer,department_member,bank_user,enterprise_user",
    ),
    (
        "POST",
        "/applications/{app_id}/files",
        "enterprise_user,bank_user",
    ),
    (
        "POST",
        "/applications/{app_id}/files/delete",
        "enterprise_user,bank_user",
    ),
    (
        "POST",
        "/applications/{app_id}/vault",
        "enterprise_user,bank_user",
    ),
    (
        "POST",
        "/applications/{app_id}/submit",
        "enterprise_user,bank_user",
    ),
    (
        "POST",
        "/applications/{app_id}/action",
        "district_officer,bank_user,enterprise_user",
    ),
    (
        "GET",
        "/applications/{app_id}/files/{file_id}",
        "city_admin,district_officer,department_member,bank_user,enterprise_user",
    ),
    ("GET", "/notices", "public"),
    ("POST", "/notices", "district_officer"),
    ("POST", "/notices/batches/close", "district_officer"),
    ("GET", "/notices/{notice_id}", "public"),
    ("POST", "/notices/{notice_id}/objections", "public"),
    (
        "POST",
        "/objections/{objection_id}/decision",
        "district_officer",
    ),
    (
        "GET",
        "/objections/{objection_id}/evidence",
        "district_officer",
    ),
    (
        "GET",
        "/api/v1/applications",
        "city_admin,district_officer,department_member,bank_user,enterprise_user",
    ),
    ("POST", "/api/v1/applications", "enterprise_user,bank_user"),
    (
        "GET",
        "/api/v1/applications/{app_id}",
        "city_admin,district_officer,department_member,bank_user,enterprise_user",
    ),
    (
        "POST",
        "/api/v1/applications/{app_id}/slots/{slot}",
        "enterprise_user,bank_user",
    ),
    (
        "GET",
        "/api/v1/applications/{app_id}/files/{file_id}",
        "city_admin,district_officer,department_member,bank_user,enterprise_user",
    ),
    (
        "POST",
        "/api/v1/applications/{app_id}/submit",
        "enterprise_user,bank_user",
    ),
    (
        "POST",
        "/api/v1/applications/{app_id}/actions",
        "district_officer,bank_user,enterprise_user",
    ),
    ("POST", "/api/v1/notices", "district_officer"),
    ("GET", "/api/v1/batches", "district_officer"),
    ("POST", "/api/v1/batches/close", "district_officer"),
    // Four eyes (issue #18 item 3): the district's government reads its requests; only
    // officers decide (the store then requires a second person of the lead department).
    (
        "GET",
        "/confirmations",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/confirmations/{confirmation_id}",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/confirmations/{confirmation_id}/decision",
        "district_officer",
    ),
    (
        "GET",
        "/api/v1/confirmations",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/api/v1/confirmations/{confirmation_id}",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/api/v1/confirmations/{confirmation_id}/confirm",
        "district_officer",
    ),
    (
        "POST",
        "/api/v1/confirmations/{confirmation_id}/refuse",
        "district_officer",
    ),
    (
        "POST",
        "/api/v1/confirmations/{confirmation_id}/withdraw",
        "district_officer",
    ),
    ("GET", "/api/v1/notices/{notice_id}", "public"),
    ("POST", "/api/v1/notices/{notice_id}/objections", "public"),
    (
        "POST",
        "/api/v1/objections/{objection_id}/decision",
        "district_officer",
    ),
    (
        "GET",
        "/policy-drafts/{version_id}/simulation",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/api/v1/policies/{version_id}/simulation",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/applications/{app_id}/figures",
        "enterprise_user,bank_user",
    ),
    (
        "PUT",
        "/api/v1/applications/{app_id}",
        "enterprise_user,bank_user",
    ),
    ("GET", "/home", "signed_in"),
    ("POST", "/logout", "signed_in"),
    ("GET", "/account/password", "signed_in"),
    ("POST", "/account/password", "signed_in"),
    ("GET", "/orgs", "signed_in"),
    ("GET", "/orgs/{org_id}", "signed_in"),
    ("GET", "/users", "signed_in"),
    ("GET", "/users/{user_id}", "signed_in"),
    ("GET", "/api/v1/me", "signed_in"),
    ("GET", "/api/v1/organisations", "signed_in"),
    ("GET", "/api/v1/organisations/{org_id}", "signed_in"),
    ("GET", "/api/v1/users", "signed_in"),
    ("GET", "/api/v1/users/{user_id}", "signed_in"),
    (
        "GET",
        "/districts",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/districts/{code}",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/api/v1/districts/{code}",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/api/v1/districts/{code}/coordination",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/api/v1/districts/{code}/sharing",
        "city_admin,district_officer",
    ),
    (
        "GET",
        "/api/v1/districts/{code}/sharing/{arrangement_id}",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/api/v1/districts/{code}/sharing/{arrangement_id}/end",
        "city_admin,district_officer",
    ),
    (
        "GET",
        "/districts/{code}/sharing/{arrangement_id}",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/districts/{code}/sharing",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/districts/{code}/sharing/{arrangement_id}/end",
        "city_admin,district_officer",
    ),
    ("GET", "/orgs/new", "city_admin,district_officer"),
    ("POST", "/orgs", "city_admin,district_officer"),
    (
        "POST",
        "/orgs/{org_id}/contacts",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/orgs/{org_id}/contacts/{contact_id}/delete",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/orgs/{org_id}/active",
        "city_admin,district_officer",
    ),
    (
        "GET",
        "/users/new",
        "city_admin,district_officer,user_admin",
    ),
    ("POST", "/users", "city_admin,district_officer,user_admin"),
    (
        "POST",
        "/users/{user_id}/active",
        "city_admin,district_officer,user_admin",
    ),
    (
        "POST",
        "/users/{user_id}/reset-password",
        "city_admin,district_officer,user_admin",
    ),
    // The activation link: anyone holding it (the token is the secret).
    ("GET", "/activate/{token}", "public"),
    ("POST", "/activate/{token}", "public"),
    (
        "POST",
        "/api/v1/organisations",
        "city_admin,district_officer",
    ),
    ("POST", "/districts", "city_admin"),
    ("POST", "/districts/{code}/lead", "city_admin"),
    ("GET", "/audit", "city_admin"),
    (
        "GET",
        "/tokens",
        "city_admin,district_officer,bank_user,agency_user,enterprise_user",
    ), // Quarterly working meetings (issue #8, R1.2).
    (
        "GET",
        "/meetings",
        "city_admin,district_officer,department_member,bank_user,agency_user",
    ),
    (
        "GET",
        "/meetings/export.xlsx",
        "city_admin,district_officer,department_member,bank_user,agency_user",
    ),
    ("GET", "/meetings/new", "district_officer"),
    ("POST", "/meetings", "district_officer"),
    (
        "GET",
        "/meetings/{meeting_id}",
        "city_admin,district_officer,department_member,bank_user,agency_user",
    ),
    (
        "GET",
        "/meetings/{meeting_id}/meeting.docx",
        "city_admin,district_officer,department_member,bank_user,agency_user",
    ),
    (
        "POST",
        "/meetings/{meeting_id}/invitations",
        "district_officer",
    ),
    (
        "POST",
        "/meetings/{meeting_id}/attendance",
        "district_officer",
    ),
    (
        "POST",
        "/meetings/{meeting_id}/reports",
        "district_officer,department_member,bank_user,agency_user",
    ),
    (
        "GET",
        "/meetings/{meeting_id}/files/{report_file_id}",
        "city_admin,district_officer,department_member,bank_user,agency_user",
    ),
    ("POST", "/meetings/{meeting_id}/issues", "district_officer"),
    ("POST", "/meetings/{meeting_id}/minutes", "district_officer"),
    (
        "POST",
        "/meetings/{meeting_id}/minutes/publish",
        "district_officer",
    ),
    (
        "GET",
        "/meeting-issues",
        "city_admin,district_officer,department_member,bank_user,agency_user",
    ),
    (
        "GET",
        "/meeting-issues/export.xlsx",
        "city_admin,district_officer,department_member,bank_user,agency_user",
    ),
    (
        "POST",
        "/meeting-issues/{issue_id}/status",
        "city_admin,district_officer,department_member,bank_user,agency_user",
    ),
    (
        "GET",
        "/api/v1/meetings",
        "city_admin,district_officer,department_member,bank_user,agency_user",
    ),
    ("POST", "/api/v1/meetings", "district_officer"),
    (
        "GET",
        "/api/v1/meetings/{meeting_id}",
        "city_admin,district_officer,department_member,bank_user,agency_user",
    ),
    (
        "POST",
        "/api/v1/meetings/{meeting_id}/invitations",
        "district_officer",
    ),
    (
        "POST",
        "/api/v1/meetings/{meeting_id}/attendance",
        "district_officer",
    ),
    (
        "POST",
        "/api/v1/meetings/{meeting_id}/reports",
        "district_officer,department_member,bank_user,agency_user",
    ),
    (
        "POST",
        "/api/v1/meetings/{meeting_id}/reports/files",
        "district_officer,department_member,bank_user,agency_user",
    ),
    (
        "POST",
        "/api/v1/meetings/{meeting_id}/issues",
        "district_officer",
    ),
    (
        "POST",
        "/api/v1/meetings/{meeting_id}/minutes",
        "district_officer",
    ),
    (
        "GET",
        "/api/v1/meeting-issues",
        "city_admin,district_officer,department_member,bank_user,agency_user",
    ),
    (
        "POST",
        "/api/v1/meeting-issues/{issue_id}/status",
        "city_admin,district_officer,department_member,bank_user,agency_user",
    ),
    (
        "POST",
        "/tokens",
        "city_admin,district_officer,bank_user,agency_user,enterprise_user",
    ),
    (
        "POST",
        "/tokens/{token_id}/revoke",
        "city_admin,district_officer,bank_user,agency_user,enterprise_user",
    ),
    // Daily supervision (issue #8 item 3, R4.3).
    (
        "GET",
        "/supervision",
        "city_admin,district_officer,department_member,bank_user,agency_user,enterprise_user",
    ),
    (
        "GET",
        "/supervision/districts/{code}",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/supervision/inspections",
        "city_admin,district_officer,department_member",
    ),
    ("POST", "/supervision/inspections", "district_officer"),
    (
        "GET",
        "/supervision/inspections/export.xlsx",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/supervision/inspections/{inspection_id}",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/supervision/inspections/{inspection_id}/findings",
        "district_officer",
    ),
    (
        "POST",
        "/supervision/inspections/{inspection_id}/tasks",
        "district_officer",
    ),
    (
        "GET",
        "/supervision/tasks",
        "city_admin,district_officer,department_member,bank_user,agency_user,enterprise_user",
    ),
    (
        "GET",
        "/supervision/tasks/export.xlsx",
        "city_admin,district_officer,department_member,bank_user,agency_user,enterprise_user",
    ),
    (
        "GET",
        "/supervision/tasks/{task_id}",
        "city_admin,district_officer,department_member,bank_user,agency_user,enterprise_user",
    ),
    (
        "POST",
        "/supervision/tasks/{task_id}/evidence",
        "district_officer,department_member,bank_user,agency_user,enterprise_user",
    ),
    (
        "POST",
        "/supervision/tasks/{task_id}/close",
        "district_officer",
    ),
    (
        "POST",
        "/supervision/tasks/{task_id}/reopen",
        "district_officer",
    ),
    (
        "GET",
        "/supervision/tasks/{task_id}/evidence/{evidence_id}",
        "city_admin,district_officer,department_member,bank_user,agency_user,enterprise_user",
    ),
    (
        "GET",
        "/api/v1/supervision/districts/{code}",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/push",
        "city_admin,district_officer,department_member",
    ),
    ("POST", "/push/lists", "city_admin,district_officer"),
    ("POST", "/push/settings", "city_admin,district_officer"),
    ("POST", "/push/partners", "city_admin,district_officer"),
    (
        "POST",
        "/push/partners/{bank_id}/remove",
        "city_admin,district_officer",
    ),
    (
        "GET",
        "/push/lists/{list_id}",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/push/entries/{entry_id}",
        "city_admin,district_officer,department_member,bank_user",
    ),
    ("GET", "/pushed", "bank_user"),
    ("POST", "/pushed/{entry_id}/follow-ups", "bank_user"),
    ("POST", "/pushed/lending", "bank_user"),
    ("GET", "/consent", "enterprise_user"),
    ("POST", "/consent", "enterprise_user"),
    (
        "GET",
        "/push/consent/{ent_id}",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/push/consent/{ent_id}",
        "city_admin,district_officer",
    ),
    (
        "GET",
        "/api/v1/push/consent/{ent_id}",
        "city_admin,district_officer,department_member",
    ),
    (
        "PUT",
        "/api/v1/push/consent/{ent_id}/public-data",
        "city_admin,district_officer",
    ),
    (
        "GET",
        "/api/v1/push",
        "city_admin,district_officer,department_member",
    ),
    (
        "PUT",
        "/api/v1/push/settings",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/api/v1/push/partners",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/api/v1/push/partners/{bank_id}/remove",
        "city_admin,district_officer",
    ),
    ("POST", "/api/v1/push/lists", "city_admin,district_officer"),
    (
        "GET",
        "/api/v1/push/lists/{list_id}",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/api/v1/push/entries/{entry_id}",
        "city_admin,district_officer,department_member,bank_user",
    ),
    ("GET", "/api/v1/pushed", "bank_user"),
    ("POST", "/api/v1/pushed/{entry_id}/follow-ups", "bank_user"),
    ("GET", "/api/v1/bank/lending", "bank_user"),
    ("PUT", "/api/v1/bank/lending", "bank_user"),
    ("GET", "/api/v1/consent", "enterprise_user"),
    ("PUT", "/api/v1/consent", "enterprise_user"),
    (
        "GET",
        "/push/funnel",
        "city_admin,district_officer,department_member,bank_user",
    ),
    (
        "GET",
        "/push/funnel.xlsx",
        "city_admin,district_officer,department_member,bank_user",
    ),
    (
        "GET",
        "/api/v1/push/funnel",
        "city_admin,district_officer,department_member,bank_user",
    ),
    (
        "GET",
        "/whitelist",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/whitelist/export.xlsx",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/whitelist/decisions",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/whitelist/decisions/{decision_id}/remove",
        "city_admin,district_officer",
    ),
    (
        "GET",
        "/api/v1/whitelist",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/api/v1/whitelist/decisions",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/api/v1/whitelist/decisions/{decision_id}/remove",
        "city_admin,district_officer",
    ),
    (
        "GET",
        "/screening",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/screening/export.xlsx",
        "city_admin,district_officer,department_member",
    ),
    ("POST", "/screening/preview", "city_admin,district_officer"),
    ("POST", "/screening/model", "city_admin,district_officer"),
    (
        "GET",
        "/api/v1/screening",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/api/v1/screening/model",
        "city_admin,district_officer,department_member",
    ),
    (
        "PUT",
        "/api/v1/screening/model",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/api/v1/screening/preview",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/api/v1/supervision/districts/{code}/check-schedule",
        "city_admin,district_officer,department_member",
    ),
    (
        "PUT",
        "/api/v1/supervision/districts/{code}/check-schedule",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/supervision/districts/{code}/check-schedule",
        "city_admin,district_officer",
    ),
    (
        "GET",
        "/api/v1/supervision/inspections",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/api/v1/supervision/inspections",
        "district_officer",
    ),
    (
        "GET",
        "/api/v1/supervision/inspections/{inspection_id}",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/api/v1/supervision/inspections/{inspection_id}/findings",
        "district_officer",
    ),
    (
        "POST",
        "/api/v1/supervision/inspections/{inspection_id}/tasks",
        "district_officer",
    ),
    (
        "GET",
        "/api/v1/supervision/tasks",
        "city_admin,district_officer,department_member,bank_user,agency_user,enterprise_user",
    ),
    (
        "GET",
        "/api/v1/supervision/tasks/{task_id}",
        "city_admin,district_officer,department_member,bank_user,agency_user,enterprise_user",
    ),
    (
        "POST",
        "/api/v1/supervision/tasks/{task_id}/evidence",
        "district_officer,department_member,bank_user,agency_user,enterprise_user",
    ),
    (
        "POST",
        "/api/v1/supervision/tasks/{task_id}/close",
        "district_officer",
    ),
    (
        "POST",
        "/api/v1/supervision/tasks/{task_id}/reopen",
        "district_officer",
    ),
    (
        "GET",
        "/api/v1/supervision/tasks/{task_id}/evidence/{evidence_id}",
        "city_admin,district_officer,department_member,bank_user,agency_user,enterprise_user",
    ),
    // The finance bureau pays and the budget is visible (issue #18 items 4 and 5).
    (
        "GET",
        "/payments",
        "city_admin,district_officer,department_member",
    ),
    ("POST", "/payments/runs", "department_member"),
    (
        "POST",
        "/payments/districts/{code}/paying-unit",
        "city_admin,district_officer",
    ),
    (
        "GET",
        "/payments/runs/{run_id}",
        "city_admin,district_officer,department_member",
    ),
    ("POST", "/payments/runs/{run_id}/lines", "department_member"),
    (
        "POST",
        "/payments/runs/{run_id}/lines/{line_id}/remove",
        "department_member",
    ),
    (
        "POST",
        "/payments/runs/{run_id}/confirm",
        "district_officer",
    ),
    (
        "POST",
        "/payments/runs/{run_id}/export",
        "department_member",
    ),
    (
        "POST",
        "/payments/runs/{run_id}/results",
        "department_member",
    ),
    (
        "POST",
        "/payments/runs/{run_id}/lines/{line_id}/result",
        "department_member",
    ),
    (
        "POST",
        "/payments/runs/{run_id}/lines/{line_id}/settle",
        "department_member",
    ),
    (
        "GET",
        "/applications/{app_id}/payee",
        "city_admin,district_officer,department_member,bank_user,enterprise_user",
    ),
    (
        "POST",
        "/applications/{app_id}/payee",
        "enterprise_user,bank_user",
    ),
    (
        "GET",
        "/api/v1/payments",
        "city_admin,district_officer,department_member",
    ),
    ("POST", "/api/v1/payment-runs", "department_member"),
    (
        "GET",
        "/api/v1/payment-runs/{run_id}",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/api/v1/payment-runs/{run_id}/lines",
        "department_member",
    ),
    (
        "POST",
        "/api/v1/payment-runs/{run_id}/lines/{line_id}/remove",
        "department_member",
    ),
    (
        "POST",
        "/api/v1/payment-runs/{run_id}/confirm",
        "district_officer",
    ),
    (
        "POST",
        "/api/v1/payment-runs/{run_id}/export",
        "department_member",
    ),
    (
        "POST",
        "/api/v1/payment-runs/{run_id}/results",
        "department_member",
    ),
    (
        "POST",
        "/api/v1/payment-runs/{run_id}/lines/{line_id}/result",
        "department_member",
    ),
    (
        "POST",
        "/api/v1/payment-runs/{run_id}/lines/{line_id}/settle",
        "department_member",
    ),
    (
        "PUT",
        "/api/v1/payments/districts/{code}/paying-unit",
        "city_admin,district_officer",
    ),
    (
        "GET",
        "/api/v1/applications/{app_id}/payee",
        "city_admin,district_officer,department_member,bank_user,enterprise_user",
    ),
    (
        "PUT",
        "/api/v1/applications/{app_id}/payee",
        "enterprise_user,bank_user",
    ),
    (
        "GET",
        "/api/v1/policies/{version_id}/budget",
        "city_admin,district_officer,department_member",
    ),
    // The public service platform (issue #22).
    ("GET", "/zones", "public"),
    ("GET", "/zones/{code}", "public"),
    ("GET", "/zones/{code}/interpretations/{interp_id}", "public"),
    ("GET", "/feeds/{code}/zone.atom", "public"),
    ("GET", "/feeds/{code}/zone.json", "public"),
    ("GET", "/search", "public"),
    ("GET", "/products", "public"),
    ("GET", "/products/{product_id}", "public"),
    ("POST", "/products/{product_id}/contact", "enterprise_user"),
    ("GET", "/financing-needs", "public"),
    ("GET", "/financing-needs/{need_id}", "public"),
    ("POST", "/financing-needs/{need_id}/interest", "bank_user"),
    ("GET", "/matchmaking", "bank_user,enterprise_user"),
    ("POST", "/matchmaking/products", "bank_user"),
    (
        "GET",
        "/matchmaking/products/{product_id}/edit",
        "bank_user",
    ),
    (
        "POST",
        "/matchmaking/products/{product_id}/edit",
        "bank_user",
    ),
    (
        "POST",
        "/matchmaking/products/{product_id}/withdraw",
        "bank_user",
    ),
    ("POST", "/matchmaking/needs", "enterprise_user"),
    (
        "GET",
        "/matchmaking/needs/{need_id}/edit",
        "enterprise_user",
    ),
    (
        "POST",
        "/matchmaking/needs/{need_id}/edit",
        "enterprise_user",
    ),
    (
        "POST",
        "/matchmaking/needs/{need_id}/close",
        "enterprise_user",
    ),
    ("GET", "/disposal", "public"),
    ("GET", "/disposal/{listing_id}", "public"),
    ("POST", "/disposal/{listing_id}/interest", "public"),
    ("GET", "/disposals", "bank_user"),
    ("POST", "/disposals", "bank_user"),
    ("GET", "/disposals/{listing_id}", "bank_user"),
    ("POST", "/disposals/{listing_id}/outcome", "bank_user"),
    ("GET", "/valuation", "public"),
    ("POST", "/valuation/profile", "bank_user"),
    (
        "GET",
        "/valuation/quotes",
        "city_admin,district_officer,department_member,bank_user,enterprise_user",
    ),
    ("POST", "/valuation/quotes", "enterprise_user"),
    ("POST", "/valuation/quotes/{quote_id}/answer", "bank_user"),
    (
        "POST",
        "/valuation/quotes/{quote_id}/accept",
        "enterprise_user",
    ),
    ("POST", "/valuation/quotes/{quote_id}/report", "bank_user"),
    ("GET", "/api/v1/valuation/institutions", "public"),
    ("PUT", "/api/v1/valuation/profile", "bank_user"),
    (
        "GET",
        "/api/v1/valuation/quotes",
        "city_admin,district_officer,department_member,bank_user,enterprise_user",
    ),
    ("POST", "/api/v1/valuation/quotes", "enterprise_user"),
    (
        "POST",
        "/api/v1/valuation/quotes/{quote_id}/answer",
        "bank_user",
    ),
    (
        "POST",
        "/api/v1/valuation/quotes/{quote_id}/accept",
        "enterprise_user",
    ),
    (
        "POST",
        "/api/v1/valuation/quotes/{quote_id}/report",
        "bank_user",
    ),
    (
        "GET",
        "/interpretations",
        "city_admin,district_officer,department_member",
    ),
    ("POST", "/interpretations", "city_admin,district_officer"),
    (
        "GET",
        "/interpretations/{interp_id}",
        "city_admin,district_officer,department_member",
    ),
    (
        "POST",
        "/interpretations/{interp_id}",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/interpretations/{interp_id}/publish",
        "city_admin,district_officer",
    ),
    (
        "POST",
        "/interpretations/{interp_id}/withdraw",
        "city_admin,district_officer",
    ),
    ("GET", "/api/v1/zones/{code}", "public"),
    ("GET", "/api/v1/search", "public"),
    ("GET", "/api/v1/products", "public"),
    ("POST", "/api/v1/products", "bank_user"),
    ("PUT", "/api/v1/products/{product_id}", "bank_user"),
    (
        "POST",
        "/api/v1/products/{product_id}/contact",
        "enterprise_user",
    ),
    ("GET", "/api/v1/financing-needs", "public"),
    ("POST", "/api/v1/financing-needs", "enterprise_user"),
    (
        "PUT",
        "/api/v1/financing-needs/{need_id}",
        "enterprise_user",
    ),
    (
        "POST",
        "/api/v1/financing-needs/{need_id}/interest",
        "bank_user",
    ),
    ("GET", "/api/v1/matchmaking", "bank_user,enterprise_user"),
    ("GET", "/api/v1/disposal", "public"),
    ("POST", "/api/v1/disposals", "bank_user"),
    (
        "POST",
        "/api/v1/disposals/{listing_id}/outcome",
        "bank_user",
    ),
    // Service stations (issue #21, R3.1).
    (
        "GET",
        "/stations",
        "city_admin,district_officer,department_member",
    ),
    ("POST", "/stations", "city_admin,district_officer"),
    (
        "GET",
        "/stations/figures.xlsx",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/stations/{station_id}",
        "city_admin,district_officer,department_member,agency_user",
    ),
    (
        "POST",
        "/stations/{station_id}/people",
        "city_admin,district_officer",
    ),
    (
        "GET",
        "/cases",
        "city_admin,district_officer,department_member,agency_user,enterprise_user,bank_user",
    ),
    ("POST", "/cases", "city_admin,district_officer,agency_user"),
    (
        "GET",
        "/cases/week",
        "city_admin,district_officer,department_member,agency_user,enterprise_user,bank_user",
    ),
    (
        "GET",
        "/cases/{case_id}",
        "city_admin,district_officer,department_member,agency_user,enterprise_user,bank_user",
    ),
    (
        "POST",
        "/cases/{case_id}/steps/{step}",
        "city_admin,district_officer,agency_user",
    ),
    (
        "POST",
        "/cases/{case_id}/steps/{step}/files",
        "city_admin,district_officer,agency_user",
    ),
    (
        "GET",
        "/cases/{case_id}/files/{case_file_id}",
        "city_admin,district_officer,department_member,agency_user,enterprise_user,bank_user",
    ),
    (
        "POST",
        "/cases/{case_id}/files/{case_file_id}/delete",
        "city_admin,district_officer,agency_user",
    ),
    (
        "POST",
        "/cases/{case_id}/visits",
        "city_admin,district_officer,agency_user",
    ),
    (
        "POST",
        "/cases/{case_id}/trips",
        "city_admin,district_officer,agency_user",
    ),
    (
        "POST",
        "/cases/{case_id}/consent",
        "city_admin,district_officer,agency_user,enterprise_user",
    ),
    (
        "POST",
        "/cases/{case_id}/application",
        "city_admin,district_officer,agency_user",
    ),
    (
        "POST",
        "/cases/{case_id}/manager",
        "city_admin,district_officer,agency_user",
    ),
    ("POST", "/cases/{case_id}/rating", "enterprise_user"),
    ("GET", "/book", "public"),
    ("POST", "/book", "public"),
    (
        "GET",
        "/bookings",
        "city_admin,district_officer,department_member,agency_user",
    ),
    (
        "POST",
        "/bookings/{booking_id}/accept",
        "city_admin,district_officer,agency_user",
    ),
    (
        "POST",
        "/bookings/{booking_id}/decline",
        "city_admin,district_officer,agency_user",
    ),
    (
        "GET",
        "/api/v1/stations",
        "city_admin,district_officer,department_member",
    ),
    ("POST", "/api/v1/stations", "city_admin,district_officer"),
    (
        "GET",
        "/api/v1/stations/figures",
        "city_admin,district_officer,department_member",
    ),
    (
        "GET",
        "/stations/enterprises/{ent_id}",
        "city_admin,district_officer,department_member,agency_user",
    ),
    (
        "GET",
        "/api/v1/stations/enterprises/{ent_id}",
        "city_admin,district_officer,department_member,agency_user",
    ),
    (
        "GET",
        "/api/v1/stations/{station_id}",
        "city_admin,district_officer,department_member,agency_user",
    ),
    (
        "POST",
        "/api/v1/stations/{station_id}/people",
        "city_admin,district_officer",
    ),
    (
        "GET",
        "/api/v1/cases",
        "city_admin,district_officer,department_member,agency_user,enterprise_user,bank_user",
    ),
    (
        "POST",
        "/api/v1/cases",
        "city_admin,district_officer,agency_user",
    ),
    (
        "GET",
        "/api/v1/cases/week",
        "city_admin,district_officer,department_member,agency_user,enterprise_user,bank_user",
    ),
    (
        "GET",
        "/api/v1/cases/{case_id}",
        "city_admin,district_officer,department_member,agency_user,enterprise_user,bank_user",
    ),
    (
        "PUT",
        "/api/v1/cases/{case_id}/steps/{step}",
        "city_admin,district_officer,agency_user",
    ),
    (
        "POST",
        "/api/v1/cases/{case_id}/steps/{step}/files",
        "city_admin,district_officer,agency_user",
    ),
    (
        "GET",
        "/api/v1/cases/{case_id}/files/{case_file_id}",
        "city_admin,district_officer,department_member,agency_user,enterprise_user,bank_user",
    ),
    (
        "DELETE",
        "/api/v1/cases/{case_id}/files/{case_file_id}",
        "city_admin,district_officer,agency_user",
    ),
    (
        "POST",
        "/api/v1/cases/{case_id}/visits",
        "city_admin,district_officer,agency_user",
    ),
    (
        "POST",
        "/api/v1/cases/{case_id}/trips",
        "city_admin,district_officer,agency_user",
    ),
    (
        "POST",
        "/api/v1/cases/{case_id}/consent",
        "city_admin,district_officer,agency_user,enterprise_user",
    ),
    (
        "POST",
        "/api/v1/cases/{case_id}/application",
        "city_admin,district_officer,agency_user",
    ),
    (
        "PUT",
        "/api/v1/cases/{case_id}/manager",
        "city_admin,district_officer,agency_user",
    ),
    ("POST", "/api/v1/cases/{case_id}/rating", "enterprise_user"),
    ("POST", "/api/v1/bookings", "public"),
    (
        "GET",
        "/api/v1/bookings",
        "city_admin,district_officer,department_member,agency_user",
    ),
    (
        "POST",
        "/api/v1/bookings/{booking_id}/accept",
        "city_admin,district_officer,agency_user",
    ),
    (
        "POST",
        "/api/v1/bookings/{booking_id}/decline",
        "city_admin,district_officer,agency_user",
    ),
];

fn rule_name(a: &Access) -> String {
    match a {
        Access::Public => "public".into(),
        Access::SignedIn => "signed_in".into(),
        Access::Roles(r) => r.iter().map(|r| r.code()).collect::<Vec<_>>().join(","),
    }
}

#[test]
fn every_route_has_the_expected_access_rule() {
    let specs = route_specs();
    let registered: BTreeMap<(String, String), String> = specs
        .iter()
        .map(|s| {
            (
                (s.method.to_string(), s.path.to_string()),
                rule_name(&s.access),
            )
        })
        .collect();
    assert_eq!(registered.len(), specs.len(), "a route is registered twice");
    let expected: BTreeMap<(String, String), String> = EXPECTED
        .iter()
        .map(|(m, p, r)| ((m.to_string(), p.to_string()), r.to_string()))
        .collect();
    for (k, v) in &registered {
        assert_eq!(
            expected.get(k),
            Some(v),
            "route {} {} has rule {v}: classify it in EXPECTED",
            k.0,
            k.1
        );
    }
    for k in expected.keys() {
        assert!(
            registered.contains_key(k),
            "EXPECTED lists {} {} but no such route is registered",
            k.0,
            k.1
        );
    }
}

/// One prober and the other tenant's fixtures it must never reach.
struct Prober {
    username: &'static str,
    roles: Vec<ipfin_domain::Role>,
    session: Session,
    scope_label: &'static str,
    foreign_org: i64,
    foreign_org_name: String,
    foreign_user: i64,
    foreign_username: &'static str,
    foreign_district: &'static str,
    foreign_contact: i64,
    foreign_token: i64,
    foreign_enterprise: i64,
    foreign_enterprise_name: &'static str,
    foreign_claim: i64,
    foreign_tag: i64,
    foreign_import: i64,
    foreign_policy: i64,
    foreign_loan: i64,
    foreign_app: i64,
    foreign_file: i64,
    foreign_notice: i64,
    foreign_objection: i64,
    foreign_arrangement: i64,
    // Daily supervision (issue #8, R4.3): an inspection, its task and the task's evidence.
    foreign_inspection: i64,
    foreign_task: i64,
    foreign_evidence: i64,
    // District summaries (issue #8, R4.4): a submitted summary and a request to the district.
    foreign_summary: i64,
    foreign_summary_request: i64,
    // Quarterly meetings (issue #8, R1.2): a meeting the prober is not invited to, a report
    // file and an issue of it.
    foreign_meeting: i64,
    foreign_report_file: i64,
    foreign_issue: i64,
    // Four eyes (issue #18 item 3): the foreign district's pending publication of its draft.
    foreign_confirmation: i64,
    // Payment runs (issue #18 item 4): a run of the foreign district and one of its lines.
    foreign_run: i64,
    foreign_line: i64,
    // The whitelist (issue #20 item 1): a decision in force in the foreign district.
    foreign_decision: i64,
    // Push to banks (issue #20 items 3–5): a list of the foreign district with one entry pushed
    // to a bank no prober is, and the foreign organisation as a partner of the foreign district.
    foreign_list: i64,
    foreign_entry: i64,
    // The platform (issue #22): a draft interpretation of the foreign district, a withdrawn
    // product and a closed need no prober may act on, a listing of a bank no prober is.
    foreign_interp: i64,
    foreign_product: i64,
    foreign_need: i64,
    foreign_listing: i64,
    // Service stations (issue #21): a station the prober does not belong to (for a station's
    // specialist: another district's), one of its cases and a pending booking.
    foreign_station: i64,
    foreign_case: i64,
    /// A file of that case's contract step.
    foreign_case_file: i64,
    foreign_booking: i64,
    // Valuation (issue #22 item 3): a quote of the foreign enterprise and district, asked of
    // 华信资产评估 (no prober is that institution).
    foreign_quote: i64,
}

async fn token_for(app: &TestApp, org_id: i64, name: &str) -> (i64, String) {
    let mut tx = app
        .store()
        .write(ipfin_store::audit::AuditActor::system("test"))
        .await
        .expect("tx");
    let (t, plain) = app
        .store()
        .create_api_token(&mut tx, &Scope::City, org_id, name, None)
        .await
        .expect("token");
    tx.commit().await.expect("commit");
    (t.id, plain)
}

/// A loan reported by `lender` to the borrower with this credit code, with a pledge of its own.
async fn probe_loan(app: &TestApp, lender: &str, borrower: &str, i: usize) -> i64 {
    let d = |s: &str| s.parse::<chrono::NaiveDate>().expect("date");
    let body = format!("2024100{i:05}");
    let check = ipfin_domain::ip_number::patent_check_digit(&body).expect("check digit");
    let input = ipfin_store::financing::LoanInput {
        borrower_credit_code: ipfin_domain::CreditCode::parse(borrower).expect("a valid code"),
        terms: ipfin_domain::financing::LoanTerms {
            contract_number: format!("PROBE-{i}"),
            principal_fen: ipfin_domain::Fen::new(100_000_000),
            annual_rate: rust_decimal::Decimal::new(35, 3),
            start: d("2026-01-10"),
            end: d("2027-01-09"),
            disbursements: vec![],
            other_collateral: false,
            ip_amount_fen: None,
            ip_ratio: None,
        },
        first_loan: false,
        status: None,
        pledges: vec![ipfin_store::financing::PledgeInput {
            terms: ipfin_domain::financing::PledgeTerms {
                number: format!("Y20269800{i:05}"),
                secured_amount_fen: ipfin_domain::Fen::new(100_000_000),
                registration_date: d("2026-01-05"),
                cancellation_date: None,
            },
            items: vec![ipfin_store::financing::PledgeItemInput {
                kind: "patent".into(),
                number: format!("{body}.{check}"),
                title: Some("探测专利".into()),
                related_party: None,
            }],
        }],
    };
    let scope = Scope::Institution {
        org_id: OrgId::new(app.org_id(lender).await),
    };
    let mut tx = app
        .store()
        .write(ipfin_store::audit::AuditActor::system("test"))
        .await
        .expect("tx");
    let saved = app
        .store()
        .save_loan(&mut tx, &scope, &input)
        .await
        .expect("probe loan");
    tx.commit().await.expect("commit");
    saved.id
}

/// A draft application with one file by the enterprise holding `org_name` in `district`, and a
/// notice of that district with one objection (written directly: the notice only needs to exist).
async fn probe_application(app: &TestApp, org_name: &str, district: &str) -> (i64, i64, i64, i64) {
    let scope = Scope::Enterprise {
        org_id: OrgId::new(app.org_id(org_name).await),
    };
    let policy = app
        .store()
        .policy_versions(&Scope::City, Some(district))
        .await
        .expect("versions")
        .into_iter()
        .find(|v| v.status == "published")
        .expect("published")
        .id;
    let mut tx = app
        .store()
        .write(ipfin_store::audit::AuditActor::system("test"))
        .await
        .expect("tx");
    let a = app
        .store()
        .create_application(
            &mut tx,
            &scope,
            ipfin_store::application::NewApplication {
                kind: ipfin_domain::application::Kind::EnterpriseFee,
                policy_version_id: policy,
                batch: Some("2026 年第三批".into()),
                items: vec![ipfin_domain::policy::rules::Item::Interest],
                body: Default::default(),
            },
            "2026-11-27".parse().expect("date"),
        )
        .await
        .expect("probe application");
    let f = app
        .store()
        .add_file(
            &mut tx,
            &scope,
            a,
            "business_licence",
            "探测.pdf",
            axum::body::Bytes::from_static(b"%PDF-1.7 probe"),
        )
        .await
        .expect("probe file");
    tx.commit().await.expect("commit");
    let conn = app.store().conn();
    let n = ipfin_store::db::fetch_i64(
        conn,
        "INSERT INTO notices (district_code, title, starts_on, ends_on, days, status, published_at, published_by) \
         VALUES (?, '越权探测公示', ?, ?, 5, 'open', 0, 0) RETURNING id",
        vec![
            district.to_string().into(),
            "2026-11-27".parse::<chrono::NaiveDate>().expect("date").into(),
            "2026-12-03".parse::<chrono::NaiveDate>().expect("date").into(),
        ],
    )
    .await
    .expect("notice");
    let o = ipfin_store::db::fetch_i64(
        conn,
        "INSERT INTO objections (notice_id, name, contact, text, lodged_at) VALUES (?, '探测', '探测', '探测', 0) RETURNING id",
        vec![n.into()],
    )
    .await
    .expect("objection");
    (a, f, n, o)
}

/// An inspection of the foreign district with a task owned by its lead department, closed with
/// an evidence file (issue #8, R4.3).
async fn probe_supervision(app: &TestApp, district: &str, i: usize) -> (i64, i64, i64) {
    use ipfin_domain::supervision::{InspectionResult, SubjectKind};
    use ipfin_store::supervision::{Findings, NewInspection, NewTask};
    let today = ipfin_store::today_shanghai();
    let lead = Scope::District {
        code: district.to_string(),
        manage: true,
    };
    let store = app.store();
    let mut tx = store
        .write(ipfin_store::audit::AuditActor::system("test"))
        .await
        .expect("tx");
    let insp = store
        .plan_inspection(
            &mut tx,
            &lead,
            &NewInspection {
                kind: SubjectKind::Station,
                org_id: None,
                enterprise_id: None,
                name: Some(format!("越权探测服务站 {i}")),
                due_on: today,
                inspectors: "探测人员".into(),
                purpose: "越权探测".into(),
            },
            today,
        )
        .await
        .expect("inspection");
    store
        .record_findings(
            &mut tx,
            &lead,
            insp,
            &Findings {
                done_on: today,
                findings: "越权探测发现".into(),
                result: InspectionResult::IssuesFound,
            },
            today,
        )
        .await
        .expect("findings");
    let owner = ipfin_store::Store::lead_on(tx.conn(), district, today)
        .await
        .expect("lead")
        .map(OrgId::new)
        .expect("a lead department");
    let task = store
        .create_task(
            &mut tx,
            &lead,
            insp,
            &NewTask {
                owner_org_id: owner,
                deadline: today,
                requirement: "越权探测整改".into(),
            },
            today,
        )
        .await
        .expect("task");
    let evidence = store
        .submit_evidence(
            &mut tx,
            &lead,
            Some(owner),
            task,
            "越权探测材料",
            Some((
                "探测.pdf",
                axum::body::Bytes::from_static(b"%PDF-1.7 probe evidence"),
            )),
            today,
        )
        .await
        .expect("evidence");
    tx.commit().await.expect("commit");
    (insp, task, evidence)
}

/// A submitted Q3 2026 summary of `district` and an information request of the city to it
/// (summaries, issue #8).
async fn probe_summary(app: &TestApp, district: &str) -> (i64, i64) {
    let period = ipfin_domain::summary::Period::parse("2026Q3").expect("period");
    let lead = Scope::District {
        code: district.to_string(),
        manage: true,
    };
    let today = ipfin_store::today_shanghai();
    let figures = app
        .store()
        .summary_figures(&lead, district, period)
        .await
        .expect("figures");
    let text = "越权探测".to_string();
    let sections = ipfin_domain::summary::Sections {
        measures: text.clone(),
        results: text.clone(),
        highlights: text.clone(),
        problems: text.clone(),
        next_steps: text,
    };
    let mut tx = app
        .store()
        .write(ipfin_store::audit::AuditActor::system("test"))
        .await
        .expect("tx");
    let s = app
        .store()
        .submit_summary(
            &mut tx,
            &lead,
            district,
            period,
            today,
            Some(&sections),
            &figures,
            true,
        )
        .await
        .expect("probe summary");
    let r = app
        .store()
        .request_summary_info(
            &mut tx,
            &Scope::City,
            district,
            period,
            "越权探测",
            today + chrono::Duration::days(7),
            today,
        )
        .await
        .expect("probe request");
    tx.commit().await.expect("commit");
    (s.id, r)
}

/// A meeting of `district` (issue #8) to which the foreign organisation is invited (its lead
/// department when the foreign organisation is an enterprise), with that unit's report, an
/// attachment and an issue it owns: the prober is never invited to it.
async fn probe_meeting(app: &TestApp, district: &str, foreign_org: i64) -> (i64, i64, i64) {
    use ipfin_store::meeting::{NewIssue, NewMeeting};
    let lead_name = if district == "440304" {
        "福田区市场监督管理局"
    } else {
        "南山区市场监督管理局"
    };
    let lead_org = OrgId::new(app.org_id(lead_name).await);
    let org = app
        .store()
        .organisation(&Scope::City, foreign_org)
        .await
        .expect("org");
    let (unit, unit_scope) = match org.kind.as_str() {
        "financial_institution" => (
            OrgId::new(foreign_org),
            Scope::Institution {
                org_id: OrgId::new(foreign_org),
            },
        ),
        "department" => (
            OrgId::new(foreign_org),
            Scope::District {
                code: org.district_code.clone().unwrap_or_default(),
                manage: false,
            },
        ),
        _ => (
            lead_org,
            Scope::District {
                code: district.to_string(),
                manage: false,
            },
        ),
    };
    let lead = Scope::District {
        code: district.to_string(),
        manage: true,
    };
    let today = ipfin_store::today_shanghai();
    let mut tx = app
        .store()
        .write(ipfin_store::audit::AuditActor::system("test"))
        .await
        .expect("tx");
    let s = app.store();
    let m = s
        .create_meeting(
            &mut tx,
            &lead,
            Some(lead_org),
            NewMeeting {
                quarter: ipfin_domain::stats::Quarter::of(today).to_string(),
                date: Some(today),
                place: Some("越权探测会议室".into()),
                agenda: "越权探测议程".into(),
                ..Default::default()
            },
            today,
        )
        .await
        .expect("probe meeting");
    s.invite(&mut tx, &lead, m, &[unit]).await.expect("invite");
    let (rid, _) = s
        .submit_report(
            &mut tx,
            &unit_scope,
            Some(unit),
            m,
            "越权探测汇报",
            Some((
                "探测.pdf".into(),
                axum::body::Bytes::from_static(b"%PDF-1.7 meeting probe"),
            )),
        )
        .await
        .expect("report");
    let f = ipfin_store::db::fetch_i64(
        tx.conn(),
        "SELECT id FROM meeting_report_files WHERE report_id = ?",
        vec![rid.into()],
    )
    .await
    .expect("file");
    let issue = s
        .raise_issue(
            &mut tx,
            &lead,
            m,
            NewIssue {
                title: "越权探测事项".into(),
                detail: None,
                owner_org_id: unit,
                due_on: Some(today + chrono::Duration::days(30)),
            },
        )
        .await
        .expect("issue");
    tx.commit().await.expect("commit");
    (m, f, issue)
}

/// A sent push list of the foreign district with one visible entry for the foreign enterprise,
/// pushed to a bank that no prober is (written directly); the foreign organisation becomes a
/// partner of the foreign district, so removing it from one's own district must find nothing.
async fn probe_push(
    app: &TestApp,
    district: &str,
    enterprise_id: i64,
    foreign_org: i64,
) -> (i64, i64) {
    let conn = app.store().conn();
    let bank = ipfin_store::db::fetch_i64(
        conn,
        "SELECT id FROM organisations WHERE name = '深圳前海农商银行（演示）'",
        vec![],
    )
    .await
    .expect("third bank");
    let partner = ipfin_store::db::fetch_i64(
        conn,
        "SELECT COUNT(*) FROM partner_banks WHERE district_code = ? AND bank_org_id = ?",
        vec![district.to_string().into(), foreign_org.into()],
    )
    .await
    .expect("partner");
    if partner == 0 {
        ipfin_store::db::exec(
            conn,
            "INSERT INTO partner_banks (district_code, bank_org_id, added_by, added_at) VALUES (?, ?, NULL, 0)",
            vec![district.to_string().into(), foreign_org.into()],
        )
        .await
        .expect("partner");
    }
    let today = ipfin_store::today_shanghai();
    let list = ipfin_store::db::fetch_i64(
        conn,
        "INSERT INTO push_lists (district_code, method, k, period_days, note, state, prepared_at, sent_at, sent_on, until_on) \
         VALUES (?, 'round_robin', 1, 90, '越权探测', 'sent', 0, 0, ?, ?) RETURNING id",
        vec![
            district.to_string().into(),
            today.into(),
            (today + chrono::Duration::days(89)).into(),
        ],
    )
    .await
    .expect("list");
    let entry = ipfin_store::db::fetch_i64(
        conn,
        "INSERT INTO push_entries (list_id, enterprise_id, bank_org_id, source, reason, visible) \
         VALUES (?, ?, ?, 'whitelist', '越权探测', TRUE) RETURNING id",
        vec![list.into(), enterprise_id.into(), bank.into()],
    )
    .await
    .expect("entry");
    (list, entry)
}

/// The platform's records no prober may act on (issue #22): a draft interpretation of the
/// foreign district, a withdrawn product and a listing of the third bank (no prober is it), a
/// closed need of an enterprise no prober is.
async fn probe_platform(app: &TestApp, district: &str) -> (i64, i64, i64, i64) {
    app.store().seed_demo_disposal().await.expect("disposal");
    let conn = app.store().conn();
    let bank = ipfin_store::db::fetch_i64(
        conn,
        "SELECT id FROM organisations WHERE name = '深圳前海农商银行（演示）'",
        vec![],
    )
    .await
    .expect("probe");
    let lg = ipfin_store::db::fetch_i64(
        conn,
        "SELECT id FROM enterprises WHERE name = '深圳市龙岗新能源电池有限公司'",
        vec![],
    )
    .await
    .expect("probe");
    let interp = ipfin_store::db::fetch_i64(
        conn,
        "INSERT INTO interpretations (district_code, policy_version_id, title, body, status, author_name, created_at, updated_at) \
         VALUES (?, (SELECT MIN(id) FROM policy_versions WHERE district_code = ?), '越权探测', '越权探测正文', 'draft', '探测', 0, 0) RETURNING id",
        vec![district.to_string().into(), district.to_string().into()],
    )
    .await
    .expect("probe");
    let product = ipfin_store::db::fetch_i64(
        conn,
        "INSERT INTO loan_products (bank_org_id, name, ip_kinds, min_fen, max_fen, min_months, max_months, min_rate_bp, max_rate_bp, \
         contact, status, created_at, updated_at) VALUES (?, '越权探测', 'patent', 1, 2, 1, 2, 1, 2, 'x', 'withdrawn', 0, 0) RETURNING id",
        vec![bank.into()],
    )
    .await
    .expect("probe");
    let need = ipfin_store::db::fetch_i64(
        conn,
        "INSERT INTO financing_needs (enterprise_id, enterprise_org_id, district_code, amount_fen, months, purpose, public, status, created_at) \
         VALUES (?, -1, '440307', 100, 12, '越权探测', TRUE, 'closed', 0) RETURNING id",
        vec![lg.into()],
    )
    .await
    .expect("probe");
    let loan = ipfin_store::db::fetch_i64(conn, "SELECT MIN(id) FROM loans", vec![])
        .await
        .expect("loan");
    let listing = ipfin_store::db::fetch_i64(
        conn,
        "INSERT INTO disposal_listings (loan_id, bank_org_id, enterprise_id, district_code, title, reserve_fen, opens_on, closes_on, status, created_at) \
         VALUES (?, ?, ?, '440307', '越权探测', 100, '2026-01-01', '2026-01-31', 'withdrawn', 0) RETURNING id",
        vec![loan.into(), bank.into(), lg.into()],
    )
    .await
    .expect("probe");
    (interp, product, need, listing)
}

/// A valuation quote of the foreign enterprise in the foreign district, asked of the demo's
/// valuation institution, awaiting its answer (written directly).
async fn probe_quote(app: &TestApp, district: &str, enterprise: i64) -> i64 {
    ipfin_store::db::fetch_i64(
        app.store().conn(),
        "INSERT INTO valuation_quotes (district_code, enterprise_id, enterprise_org_id, valuer_org_id, asset_id, note, status, \
         requested_on, requested_at) SELECT ?, e.id, COALESCE(e.organisation_id, 0), o.id, (SELECT MIN(id) FROM ip_assets), \
         '越权探测', 'requested', '2026-11-01', 0 FROM enterprises e, organisations o \
         WHERE e.id = ? AND o.name = '华信资产评估有限公司' RETURNING id",
        vec![district.to_string().into(), enterprise.into()],
    )
    .await
    .expect("probe quote")
}

/// The demo's station of the foreign district, its first case with no account manager (a bank
/// reads the cases its manager is assigned to) and a new pending booking (written directly).
async fn probe_station(app: &TestApp, district: &str) -> (i64, i64, i64, i64) {
    let conn = app.store().conn();
    let station = ipfin_store::db::fetch_i64(
        conn,
        "SELECT MIN(id) FROM stations WHERE district_code = ?",
        vec![district.to_string().into()],
    )
    .await
    .expect("a demo station");
    let case = ipfin_store::db::fetch_i64(
        conn,
        "SELECT MIN(id) FROM service_cases WHERE station_id = ? AND manager_org_id IS NULL",
        vec![station.into()],
    )
    .await
    .expect("a demo case");
    let booking = ipfin_store::db::fetch_i64(
        conn,
        "INSERT INTO service_bookings (station_id, station_org_id, district_code, enterprise_name, credit_code, contact_name, \
         contact_phone, enterprise_district, need, channel, requested_at, state) \
         SELECT id, org_id, district_code, '越权探测企业', '9144030071526726XG', '探测', '13800138000', district_code, '', 'public', 0, 'requested' \
         FROM stations WHERE id = ? RETURNING id",
        vec![station.into()],
    )
    .await
    .expect("booking");
    let file = ipfin_store::db::fetch_i64(
        conn,
        "INSERT INTO case_step_files (case_id, step, blob_key, file_name, file_type, size, uploaded_at) \
         VALUES (?, 'contract', 'probe', '越权探测合同.pdf', 'pdf', 1, 0) RETURNING id",
        vec![case.into()],
    )
    .await
    .expect("step file");
    (station, case, booking, file)
}

/// A whitelist decision in force for an enterprise of the foreign district (written directly;
/// one per enterprise, shared by the probers that use it).
async fn probe_decision(app: &TestApp, district: &str, enterprise_id: i64) -> i64 {
    let conn = app.store().conn();
    let existing = ipfin_store::db::fetch_i64(
        conn,
        "SELECT COALESCE(MAX(id), 0) FROM whitelist_decisions WHERE enterprise_id = ? AND removed_at IS NULL",
        vec![enterprise_id.into()],
    )
    .await
    .expect("decision");
    if existing > 0 {
        return existing;
    }
    ipfin_store::db::fetch_i64(
        conn,
        "INSERT INTO whitelist_decisions (district_code, enterprise_id, reason, valid_to, decided_at) \
         VALUES (?, ?, '越权探测认定', ?, 0) RETURNING id",
        vec![
            district.to_string().into(),
            enterprise_id.into(),
            (ipfin_store::today_shanghai() + chrono::Duration::days(300)).into(),
        ],
    )
    .await
    .expect("decision")
}

/// A payment run of the foreign district prepared by its finance bureau (the demo's paying
/// unit), with one line for the foreign application (written directly: the run only needs to
/// exist, in the state that allows the most actions on it).
async fn probe_payment_run(app: &TestApp, district: &str, application_id: i64) -> (i64, i64) {
    let conn = app.store().conn();
    let unit = ipfin_store::db::fetch_i64(
        conn,
        "SELECT organisation_id FROM paying_units WHERE district_code = ?",
        vec![district.to_string().into()],
    )
    .await
    .expect("paying unit");
    let run = ipfin_store::db::fetch_i64(
        conn,
        "INSERT INTO payment_runs (district_code, title, state, paying_org_id, prepared_by, prepared_at) \
         VALUES (?, '越权探测付款批次', 'exported', ?, 0, 0) RETURNING id",
        vec![district.to_string().into(), unit.into()],
    )
    .await
    .expect("run");
    let line = ipfin_store::db::fetch_i64(
        conn,
        "INSERT INTO payment_run_lines (run_id, line_no, application_id, account_name, bank_name, account_number, amount_fen, purpose, result, failure_reason) \
         VALUES (?, 1, ?, '探测', '探测银行', '12345678', 100, '探测', 'failed', '探测') RETURNING id",
        vec![run.into(), application_id.into()],
    )
    .await
    .expect("line");
    (run, line)
}

async fn contact_for(app: &TestApp, org_id: i64) -> i64 {
    let mut tx = app
        .store()
        .write(ipfin_store::audit::AuditActor::system("test"))
        .await
        .expect("tx");
    let c = app
        .store()
        .add_contact(
            &mut tx,
            &Scope::City,
            org_id,
            ipfin_store::org::NewContact {
                name: "隔离测试联系人".into(),
                phone: Some("0755-12345678".into()),
                ..Default::default()
            },
        )
        .await
        .expect("contact");
    tx.commit().await.expect("commit");
    c.id
}

async fn probers(app: &TestApp) -> Vec<Prober> {
    // (prober, its foreign org, a user of that org, a foreign district)
    const FT_ENT: &str = "深圳市福田样本电子有限公司";
    const NS_ENT: &str = "深圳市南山示例科技有限公司";
    // Banks see only their own loans' borrowers; no probe loan goes to this one.
    const LG_ENT: &str = "深圳市龙岗新能源电池有限公司";
    // (prober, label, its foreign org, a user of that org, a foreign district, a foreign registry record)
    let plan: [(&str, &str, &str, &str, &str, &str); 8] = [
        (
            "ns.officer",
            "440305 officer",
            "福田区市场监督管理局",
            "ft.officer",
            "440304",
            FT_ENT,
        ),
        (
            "ns.finance",
            "440305 member",
            "福田区市场监督管理局",
            "ft.officer",
            "440304",
            FT_ENT,
        ),
        (
            "ft.officer",
            "440304 officer",
            "南山区财政局",
            "ns.finance",
            "440305",
            NS_ENT,
        ),
        (
            "bank.manager",
            "bank 1",
            "鹏城商业银行",
            "bank2.manager",
            "440305",
            LG_ENT,
        ),
        (
            "bank2.manager",
            "bank 2",
            "深南银行深圳分行",
            "bank.manager",
            "440305",
            LG_ENT,
        ),
        // 深南银行's account manager works with this specialist's station (its name is on their
        // shared cases); 鹏城商业银行's works with 福田's station only.
        (
            "agency.specialist",
            "agency",
            "鹏城商业银行",
            "bank2.manager",
            "440305",
            NS_ENT,
        ),
        (
            "ent.user",
            "enterprise 1",
            FT_ENT,
            "ent2.user",
            "440304",
            FT_ENT,
        ),
        (
            "ent2.user",
            "enterprise 2",
            NS_ENT,
            "ent.user",
            "440305",
            NS_ENT,
        ),
    ];
    let mut out = Vec::new();
    for (i, (username, label, org_name, foreign_username, district, ent_name)) in
        plan.into_iter().enumerate()
    {
        let foreign_enterprise = app
            .store()
            .search_enterprises(
                &Scope::City,
                &ipfin_store::enterprise::EnterpriseFilter {
                    q: Some(ent_name.into()),
                    ..Default::default()
                },
                ipfin_store::Page::default(),
            )
            .await
            .expect("registry")
            .items[0]
            .clone();
        let foreign_claim = app
            .store()
            .submit_claim(ipfin_store::enterprise::ClaimInput {
                credit_code: ipfin_domain::CreditCode::parse(&foreign_enterprise.credit_code)
                    .expect("a stored code"),
                username: format!("probe.claim{i}"),
                display_name: "探测".into(),
                password: "Probe-Claim-2026".into(),
                phone: "13900000000".into(),
            })
            .await
            .expect("claim");
        let foreign_org = app.org_id(org_name).await;
        let (foreign_token, _) = token_for(app, foreign_org, "隔离测试令牌").await;
        let mut tx = app
            .store()
            .write(ipfin_store::audit::AuditActor::system("test"))
            .await
            .expect("tx");
        let foreign_tag = app
            .store()
            .add_tag(
                &mut tx,
                &Scope::City,
                foreign_enterprise.id,
                ipfin_store::enterprise::TagInput {
                    tag_type: "high_tech".into(),
                    source: "探测".into(),
                    year: 2000 + i as i32,
                    ..Default::default()
                },
            )
            .await
            .expect("tag");
        tx.commit().await.expect("commit");
        // A draft policy of the foreign district, out for comments.
        let foreign_scope = Scope::District {
            code: district.to_string(),
            manage: true,
        };
        let mut tx = app
            .store()
            .write(ipfin_store::audit::AuditActor::system("test"))
            .await
            .expect("tx");
        let mut doc = ipfin_store::demo::demo_policy(district, "探测");
        doc.title = format!("越权探测政策 {i}");
        let draft = app
            .store()
            .create_policy(&mut tx, &foreign_scope, &doc)
            .await
            .expect("draft");
        app.store()
            .circulate_policy(&mut tx, &foreign_scope, draft.id)
            .await
            .expect("circulate");
        // Its publication prepared, awaiting a second person of the foreign district.
        let foreign_confirmation = app
            .store()
            .prepare_policy_publication(&mut tx, &foreign_scope, draft.id)
            .await
            .expect("prepared publication")
            .id;
        tx.commit().await.expect("commit");
        let foreign_policy = draft.id;
        // An import started in the foreign district.
        let (foreign_import, _) = app
            .store()
            .begin_import(
                &Scope::District {
                    code: district.to_string(),
                    manage: true,
                },
                ipfin_store::audit::AuditActor::system("test"),
                "tags",
                &format!("probe-key-{i}"),
                "越权探测.csv",
            )
            .await
            .expect("import");
        // A loan the prober may not see: another bank's (banks), or to an enterprise outside the
        // prober's district or enterprise. Bank 1's probes lend from bank 2 and vice versa.
        let (lender, borrower) = match username {
            "bank.manager" => (
                "鹏城商业银行",
                ipfin_store::demo::demo_credit_code("440305", 101),
            ),
            "bank2.manager" => (
                "深南银行深圳分行",
                ipfin_store::demo::demo_credit_code("440304", 102),
            ),
            _ => ("鹏城商业银行", foreign_enterprise.credit_code.clone()),
        };
        let foreign_loan = probe_loan(app, lender, &borrower, i).await;
        let (foreign_app, foreign_file, foreign_notice, foreign_objection) = probe_application(
            app,
            if district == "440304" { FT_ENT } else { NS_ENT },
            district,
        )
        .await;
        let (foreign_meeting, foreign_report_file, foreign_issue) =
            probe_meeting(app, district, foreign_org).await;
        let (foreign_summary, foreign_summary_request) = probe_summary(app, district).await;
        // A data-sharing arrangement of the foreign district (the demo records one in each).
        let foreign_arrangement = app
            .store()
            .arrangements(&Scope::City, district, ipfin_store::today_shanghai())
            .await
            .expect("arrangements")
            .first()
            .expect("a demo arrangement")
            .id;
        let (foreign_inspection, foreign_task, foreign_evidence) =
            probe_supervision(app, district, i).await;
        let (foreign_run, foreign_line) = probe_payment_run(app, district, foreign_app).await;
        let foreign_decision = probe_decision(app, district, foreign_enterprise.id).await;
        let (foreign_list, foreign_entry) =
            probe_push(app, district, foreign_enterprise.id, foreign_org).await;
        let (foreign_interp, foreign_product, foreign_need, foreign_listing) =
            probe_platform(app, district).await;
        let (foreign_station, foreign_case, foreign_booking, foreign_case_file) = probe_station(
            app,
            if username == "agency.specialist" {
                "440304"
            } else {
                district
            },
        )
        .await;
        let session = app.login(username).await;
        let roles = app
            .store()
            .user(&Scope::City, session.user_id)
            .await
            .expect("user")
            .roles;
        out.push(Prober {
            username,
            roles,
            session,
            scope_label: label,
            foreign_org,
            foreign_org_name: org_name.to_string(),
            foreign_user: app.user_id(foreign_username).await,
            foreign_username,
            foreign_district: district,
            foreign_contact: contact_for(app, foreign_org).await,
            foreign_meeting,
            foreign_report_file,
            foreign_issue,
            foreign_token,
            foreign_summary,
            foreign_summary_request,
            foreign_enterprise: foreign_enterprise.id,
            foreign_enterprise_name: ent_name,
            foreign_claim,
            foreign_tag,
            foreign_import,
            foreign_policy,
            foreign_loan,
            foreign_app,
            foreign_file,
            foreign_notice,
            foreign_objection,
            foreign_arrangement,
            foreign_inspection,
            foreign_task,
            foreign_evidence,
            foreign_confirmation,
            foreign_run,
            foreign_line,
            foreign_decision,
            foreign_list,
            foreign_entry,
            foreign_interp,
            foreign_product,
            foreign_need,
            foreign_listing,
            foreign_station,
            foreign_case,
            foreign_case_file,
            foreign_booking,
            foreign_quote: probe_quote(app, district, foreign_enterprise.id).await,
        });
    }
    out
}

fn substitute(path: &str, p: &Prober) -> String {
    let mut out = path.to_string();
    for (param, value) in [
        ("{meeting_id}", p.foreign_meeting.to_string()),
        ("{report_file_id}", p.foreign_report_file.to_string()),
        ("{issue_id}", p.foreign_issue.to_string()),
        ("{org_id}", p.foreign_org.to_string()),
        ("{user_id}", p.foreign_user.to_string()),
        ("{code}", p.foreign_district.to_string()),
        ("{contact_id}", p.foreign_contact.to_string()),
        ("{token_id}", p.foreign_token.to_string()),
        ("{ent_id}", p.foreign_enterprise.to_string()),
        ("{claim_id}", p.foreign_claim.to_string()),
        ("{tag_id}", p.foreign_tag.to_string()),
        ("{import_id}", p.foreign_import.to_string()),
        ("{version_id}", p.foreign_policy.to_string()),
        ("{attachment_id}", "1".to_string()),
        ("{loan_id}", p.foreign_loan.to_string()),
        ("{app_id}", p.foreign_app.to_string()),
        ("{file_id}", p.foreign_file.to_string()),
        ("{slot}", "business_licence".to_string()),
        ("{notice_id}", p.foreign_notice.to_string()),
        ("{objection_id}", p.foreign_objection.to_string()),
        ("{summary_id}", p.foreign_summary.to_string()),
        ("{request_id}", p.foreign_summary_request.to_string()),
        ("{quarter}", "2026Q3".to_string()),
        ("{arrangement_id}", p.foreign_arrangement.to_string()),
        ("{inspection_id}", p.foreign_inspection.to_string()),
        ("{task_id}", p.foreign_task.to_string()),
        ("{evidence_id}", p.foreign_evidence.to_string()),
        ("{confirmation_id}", p.foreign_confirmation.to_string()),
        ("{run_id}", p.foreign_run.to_string()),
        ("{line_id}", p.foreign_line.to_string()),
        ("{decision_id}", p.foreign_decision.to_string()),
        ("{list_id}", p.foreign_list.to_string()),
        ("{entry_id}", p.foreign_entry.to_string()),
        ("{interp_id}", p.foreign_interp.to_string()),
        ("{product_id}", p.foreign_product.to_string()),
        ("{need_id}", p.foreign_need.to_string()),
        ("{listing_id}", p.foreign_listing.to_string()),
        ("{station_id}", p.foreign_station.to_string()),
        ("{case_id}", p.foreign_case.to_string()),
        ("{case_file_id}", p.foreign_case_file.to_string()),
        ("{booking_id}", p.foreign_booking.to_string()),
        ("{quote_id}", p.foreign_quote.to_string()),
        ("{step}", "policy".to_string()),
        ("{bank_id}", p.foreign_org.to_string()),
    ] {
        out = out.replace(param, &value);
    }
    assert!(
        !out.contains('{'),
        "no fixture for a parameter of {path}: add one to `substitute`"
    );
    out
}

/// A form that would do damage if the scope check were missing.
fn probe_form(p: &Prober) -> Vec<(&'static str, String)> {
    vec![
        ("confirm", "yes".into()),
        ("active", "false".into()),
        ("name", "越权探测".into()),
        ("phone", "0755-87654321".into()),
        ("organisation_id", p.foreign_org.to_string()),
        ("from_date", "2026-12-01".into()),
        ("username", "probe.user".into()),
        ("display_name", "越权探测".into()),
        ("roles", "department_member".into()),
        ("roles", "bank_user".into()),
        ("roles", "enterprise_user".into()),
        ("kind", "department".into()),
        ("district_code", p.foreign_district.into()),
        ("code", "PROBE01".into()),
        ("days_after", "30".into()),
        ("reason", "越权探测理由".into()),
        ("current_password", "x".into()),
        ("new_password", "y".into()),
        ("new_password_again", "y".into()),
    ]
}

async fn call(app: &TestApp, spec: &RouteSpec, path: &str, p: &Prober) -> support::Resp {
    let is_api = path.starts_with("/api/");
    match (spec.method, is_api) {
        ("GET", _) => app.get(path, Some(&p.session)).await,
        ("POST", false) => {
            let form = probe_form(p);
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(path, Some(&p.session), &pairs).await
        }
        (m @ ("POST" | "PUT" | "DELETE"), true) => {
            let body = serde_json::json!({"kind": "department", "name": "越权探测", "district_code": p.foreign_district});
            let req = axum::http::Request::builder()
                .method(Method::from_bytes(m.as_bytes()).expect("method"))
                .uri(path)
                .header("cookie", &p.session.cookie)
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body.to_string()))
                .expect("request");
            app.send(req).await
        }
        (m, _) => panic!("no probe for method {m}"),
    }
}

#[tokio::test]
async fn isolation_matrix() {
    for app in TestApp::all().await {
        let probers = probers(&app).await;
        let city = app.login("city.admin").await;
        let specs = route_specs();
        let mut role_probes = 0;
        let mut cross_probes = 0;
        let mut leaks = Vec::new();

        for spec in &specs {
            if spec.access == Access::Public {
                continue;
            }
            // Anonymous callers never get in.
            let path = substitute(spec.path, &probers[0]);
            let anon = match spec.method {
                "GET" => app.get(&path, None).await,
                m @ ("PUT" | "DELETE") => {
                    app.send(
                        axum::http::Request::builder()
                            .method(Method::from_bytes(m.as_bytes()).expect("method"))
                            .uri(&path)
                            .header("content-type", "application/json")
                            .body(axum::body::Body::from("{}"))
                            .expect("request"),
                    )
                    .await
                }
                _ => app.post_form(&path, None, &[("_csrf", "x")]).await,
            };
            role_probes += 1;
            let expected_anon = if path.starts_with("/api/") {
                vec![401]
            } else {
                vec![303]
            };
            assert!(
                expected_anon.contains(&anon.status.as_u16()),
                "{}: anonymous {} {} answered {}",
                app.name(),
                spec.method,
                path,
                anon.status
            );
            if anon.status == 303 {
                assert!(
                    anon.location().is_some_and(|l| l.starts_with("/login")),
                    "redirects to sign-in"
                );
            }
            // Each signed-in role: refused by the rule, or confined by the scope.
            for p in &probers {
                if spec.path == "/logout" {
                    continue; // would end the prober's session; sign-out is tested in web.rs
                }
                let roles = &p.roles;
                let allowed = match spec.access {
                    Access::Public | Access::SignedIn => true,
                    Access::Roles(r) => roles.iter().any(|x| r.contains(x)),
                };
                let path = substitute(spec.path, p);
                let has_params = spec.path.contains('{');
                let before = app.audit_count().await;
                let resp = call(&app, spec, &path, p).await;
                let after = app.audit_count().await;
                if !allowed {
                    role_probes += 1;
                    assert_eq!(
                        resp.status.as_u16(),
                        403,
                        "{}: {} ({}) {} {} must be refused by its rule",
                        app.name(),
                        p.username,
                        p.scope_label,
                        spec.method,
                        path
                    );
                    assert_eq!(
                        before,
                        after,
                        "{}: refused request stored something",
                        app.name()
                    );
                    continue;
                }
                if has_params {
                    cross_probes += 1;
                    if ![403, 404].contains(&resp.status.as_u16()) {
                        leaks.push(format!(
                            "{} {} {} as {}: status {}",
                            app.name(),
                            spec.method,
                            path,
                            p.username,
                            resp.status
                        ));
                    }
                    if spec.method == "POST" && before != after {
                        leaks.push(format!(
                            "{} {} {} as {}: stored {} audit events",
                            app.name(),
                            spec.method,
                            path,
                            p.username,
                            after - before
                        ));
                    }
                }
                if spec.method == "GET" {
                    // Lists and pages of the prober's own scope never show the other party.
                    if resp.body.contains(p.foreign_enterprise_name)
                        || resp.body.contains(&p.foreign_org_name)
                        || resp.body.contains(&format!("\"{}\"", p.foreign_username))
                        || resp.body.contains(&format!(">{}<", p.foreign_username))
                    {
                        leaks.push(format!(
                            "{} GET {} as {}: body names {} / {}",
                            app.name(),
                            path,
                            p.username,
                            p.foreign_org_name,
                            p.foreign_username
                        ));
                    }
                }
            }
        }

        // Creating into another tenant through body fields.
        for p in &probers {
            let before = app.audit_count().await;
            for path in ["/users", "/tokens"] {
                let form = probe_form(p);
                let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let r = app.post_form(path, Some(&p.session), &pairs).await;
                cross_probes += 1;
                if ![403, 404].contains(&r.status.as_u16()) {
                    leaks.push(format!(
                        "{} POST {path} into org {} as {}: {}",
                        app.name(),
                        p.foreign_org,
                        p.username,
                        r.status
                    ));
                }
            }
            if app.audit_count().await != before {
                leaks.push(format!(
                    "{}: {} created something in another tenant",
                    app.name(),
                    p.username
                ));
            }
        }
        // A district officer's POST /orgs always lands in their own district.
        let ns = &probers[0];
        let r = app
            .post_form(
                "/orgs",
                Some(&ns.session),
                &[
                    ("kind", "department"),
                    ("name", "南山区新设部门"),
                    ("district_code", "440304"),
                ],
            )
            .await;
        assert_eq!(r.status.as_u16(), 303, "{}: {}", app.name(), r.body);
        let created = app.org_id("南山区新设部门").await;
        let org = app
            .store()
            .organisation(&Scope::City, created)
            .await
            .expect("org");
        assert_eq!(
            org.district_code.as_deref(),
            Some("440305"),
            "{}",
            app.name()
        );

        // The city sees everything (control: the probes above are meaningful).
        let r = app
            .get(&format!("/orgs/{}", probers[0].foreign_org), Some(&city))
            .await;
        assert_eq!(r.status.as_u16(), 200);
        assert!(r.body.contains(&probers[0].foreign_org_name));

        assert!(leaks.is_empty(), "isolation leaks:\n{}", leaks.join("\n"));
        println!(
            "isolation matrix on {}: {} routes, {} role probes, {} cross-tenant probes, 0 leaks",
            app.name(),
            specs.len(),
            role_probes,
            cross_probes
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn api_tokens_are_confined_to_their_institution() {
    for app in TestApp::all().await {
        let bank1 = app.org_id("深南银行深圳分行").await;
        let bank2 = app.org_id("鹏城商业银行").await;
        let (_, t1) = token_for(&app, bank1, "核心系统").await;
        let me = app.api(Method::GET, "/api/v1/me", Some(&t1), None).await;
        assert_eq!(me.status.as_u16(), 200, "{}", me.body);
        assert_eq!(me.json()["organisation_id"], bank1);
        let list = app
            .api(Method::GET, "/api/v1/organisations", Some(&t1), None)
            .await;
        assert_eq!(list.json()["total"], 1, "{}: {}", app.name(), list.body);
        let other = app
            .api(
                Method::GET,
                &format!("/api/v1/organisations/{bank2}"),
                Some(&t1),
                None,
            )
            .await;
        assert_eq!(other.status.as_u16(), 404);
        assert!(!other.body.contains("鹏城"));
        let users = app.api(Method::GET, "/api/v1/users", Some(&t1), None).await;
        assert!(
            !users.body.contains("bank2.manager") && users.body.contains("bank.manager"),
            "{}",
            users.body
        );
        // A bank token cannot create organisations (rule: city and district officers only).
        let r = app
            .api(
                Method::POST,
                "/api/v1/organisations",
                Some(&t1),
                Some(r#"{"kind":"enterprise","name":"x"}"#.into()),
            )
            .await;
        assert_eq!(r.status.as_u16(), 403);
        assert_eq!(r.json()["code"], "auth.forbidden");
        // Tokens are not accepted on pages.
        let page = app
            .send(
                axum::http::Request::builder()
                    .uri("/home")
                    .header("authorization", format!("Bearer {t1}"))
                    .body(axum::body::Body::empty())
                    .expect("req"),
            )
            .await;
        assert_eq!(page.status.as_u16(), 303);
        app.cleanup().await;
    }
}
