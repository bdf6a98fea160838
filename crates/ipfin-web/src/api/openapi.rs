//! The OpenAPI document at `/api/openapi.json`.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "ipfin API token (ipfin_…), issued on the /tokens page",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ipfin API",
        description = "知识产权质押融资工作系统接口 / IP pledge financing programme API. Errors: {\"code\", \"message\"} (message in Chinese; send Accept-Language: en for English).",
    ),
    paths(
        super::ops::healthz,
        super::ops::readyz,
        super::ops::metrics,
        super::tools::credit_code,
        super::tools::patent_number,
        super::tools::enterprise_size,
        super::org::districts,
        super::org::district,
        super::org::me,
        super::org::organisations,
        super::org::organisation,
        super::org::create_organisation,
        super::user::users,
        super::enterprise::enterprises,
        super::enterprise::enterprise,
        super::user::user,
        super::policy::rules_schema,
        super::policy::policies,
        super::policy::policy,
        super::policy::create,
        super::policy::update,
        super::policy::circulate,
        super::policy::publish,
        super::policy::revise,
        super::policy::comment,
        super::policy::working_days,
        super::policy::subsidy_calculator,
        super::policy::conformance,
        super::coordination::coordination,
        super::coordination::create,
        super::coordination::detail,
        super::coordination::end,
        super::stats::stats,
        super::stats::targets,
        super::stats::set_targets,
        super::stats::district_targets,
        super::stats::assign,
        super::stats::my_targets,
        super::stats::bulletins,
        super::stats::issue_bulletin,
        super::stats::bulletin,
        super::stats::feedback,
        super::stats::assessments,
        super::stats::add_bonus,
        super::conformance::conformance,
        super::policy::eligibility,
        super::financing::create,
        super::financing::batch,
        super::financing::list,
        super::financing::show,
        super::application::create,
        super::application::list,
        super::application::show,
        super::application::upload,
        super::application::download,
        super::application::submit,
        super::application::action,
        super::application::publish_notice,
        super::application::batches,
        super::application::close_batch,
        super::application::notice,
        super::application::lodge,
        super::application::decide,
        super::application::simulation,
        super::confirmation::list,
        super::confirmation::show,
        super::confirmation::confirm,
        super::confirmation::refuse,
        super::confirmation::withdraw,
        // Quarterly working meetings (issue #8, R1.2).
        super::meeting::list,
        super::meeting::create,
        super::meeting::show,
        super::meeting::invite,
        super::meeting::attendance,
        super::meeting::report,
        super::meeting::report_file,
        super::meeting::raise,
        super::meeting::minutes,
        super::meeting::issues,
        super::meeting::set_status,
        super::application::update,
        super::financing::set_status,
        super::financing::add_payment,
        super::financing::add_contract,
        super::supervision::district,
        super::whitelist::list,
        super::whitelist::decide,
        super::whitelist::remove,
        super::station::stations,
        super::station::create_station,
        super::station::station,
        super::station::add_person,
        super::station::figures,
        super::station::served_enterprise,
        super::station::cases,
        super::station::open_case,
        super::station::case,
        super::station::update_step,
        super::station::upload_step_file,
        super::station::step_file,
        super::station::delete_step_file,
        super::station::add_visit,
        super::station::add_trip,
        super::station::assign_manager,
        super::station::consent,
        super::station::prepare_application,
        super::station::rate,
        super::station::week,
        super::station::book,
        super::station::bookings,
        super::station::accept,
        super::station::decline,
        super::push::overview,
        super::platform::zone,
        super::platform::search,
        super::platform::products,
        super::platform::create_product,
        super::platform::update_product,
        super::platform::contact_product,
        super::platform::needs,
        super::platform::create_need,
        super::platform::update_need,
        super::platform::need_interest,
        super::platform::matchmaking,
        super::platform::listings,
        super::platform::create_listing,
        super::platform::record_outcome,
        super::platform::valuers,
        super::platform::save_profile,
        super::platform::quotes,
        super::platform::request_quote,
        super::platform::answer_quote,
        super::platform::accept_quote,
        super::platform::record_report,
        super::push::set_settings,
        super::push::add_partner,
        super::push::remove_partner,
        super::push::prepare,
        super::push::list,
        super::push::entry,
        super::push::received,
        super::push::follow_up,
        super::push::lending,
        super::push::set_lending,
        super::push::consent,
        super::push::set_consent,
        super::push::consent_of,
        super::push::set_public_data,
        super::push::funnel,
        super::screening::list,
        super::screening::model,
        super::screening::save,
        super::screening::preview,
        super::supervision::check_schedule,
        super::supervision::set_check_schedule,
        super::supervision::inspections,
        super::supervision::plan,
        super::supervision::inspection,
        super::supervision::findings,
        super::supervision::create_task,
        super::supervision::tasks,
        super::supervision::task,
        super::supervision::evidence,
        super::supervision::close,
        super::supervision::reopen,
        super::supervision::evidence_file,
        super::summary::overview,
        super::summary::district,
        super::summary::save,
        super::summary::submit_summary,
        super::summary::show,
        super::summary::comment,
        super::summary::request,
        super::summary::answer_request,
        super::payment::overview,
        super::payment::create,
        super::payment::show,
        super::payment::add_line,
        super::payment::remove_line,
        super::payment::confirm,
        super::payment::export,
        super::payment::results,
        super::payment::record_line,
        super::payment::settle,
        super::payment::designate,
        super::payment::payee,
        super::payment::save_payee,
        super::payment::budget,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

pub async fn document() -> Json<serde_json::Value> {
    Json(document_json())
}

/// Operation ids are the handlers' names, which repeat across modules (`create`, `list`):
/// a repeated id gets its tag in front (`financing_create`), as OpenAPI wants them unique.
fn unique_operation_ids(doc: &mut serde_json::Value) {
    let mut seen = std::collections::HashMap::<String, usize>::new();
    if let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) {
        for item in paths.values().filter_map(|i| i.as_object()) {
            for op in item.values() {
                if let Some(id) = op.get("operationId").and_then(|v| v.as_str()) {
                    *seen.entry(id.to_string()).or_default() += 1;
                }
            }
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for item in paths.values_mut().filter_map(|i| i.as_object_mut()) {
            for op in item.values_mut().filter_map(|o| o.as_object_mut()) {
                let id = op
                    .get("operationId")
                    .and_then(|v| v.as_str())
                    .map(str::to_string);
                let tag = op
                    .get("tags")
                    .and_then(|t| t.get(0))
                    .and_then(|t| t.as_str())
                    .unwrap_or("api")
                    .to_string();
                if let Some(id) = id.filter(|id| seen.get(id).is_some_and(|n| *n > 1)) {
                    op.insert("operationId".into(), format!("{tag}_{id}").into());
                }
            }
        }
    }
}

/// The document as JSON, with a description on every response: OpenAPI requires one, and a
/// response declared with only a status and a body gets the status's reason phrase.
pub fn document_json() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    unique_operation_ids(&mut doc);
    if let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for item in paths.values_mut().filter_map(|i| i.as_object_mut()) {
            for op in item.values_mut().filter_map(|o| o.as_object_mut()) {
                let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut())
                else {
                    continue;
                };
                for (status, resp) in responses.iter_mut() {
                    if let Some(r) = resp.as_object_mut()
                        && !r.contains_key("$ref")
                        && r.get("description")
                            .and_then(|d| d.as_str())
                            .is_none_or(str::is_empty)
                    {
                        let reason = status
                            .parse::<u16>()
                            .ok()
                            .and_then(|c| axum::http::StatusCode::from_u16(c).ok())
                            .and_then(|c| c.canonical_reason())
                            .unwrap_or("Response");
                        r.insert("description".into(), reason.into());
                    }
                }
            }
        }
    }
    doc
}
