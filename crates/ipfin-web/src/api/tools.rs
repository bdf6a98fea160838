//! Public tools of SPEC §7 and §10.

use super::ApiPath;
use crate::actor::Actor;
use axum::Json;
use ipfin_domain::Fen;
use ipfin_domain::credit_code::{authority_name, check, entity_type_name};
use serde::Serialize;
use utoipa::ToSchema;

/// A rule finding with a stable code and a message in the caller's language.
#[derive(Debug, Serialize, ToSchema)]
pub struct Finding {
    pub code: String,
    pub message: String,
}

/// What the credit-code checker found.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreditCodeReport {
    pub valid: bool,
    /// The code after trimming, removing spaces, folding full-width characters and upper-casing (when valid).
    pub normalized: Option<String>,
    /// Position 1, named (e.g. 工商（市场监管）).
    pub registration_authority: Option<String>,
    /// Position 2, named (e.g. 企业).
    pub entity_type: Option<String>,
    /// Positions 3–8: administrative division code.
    pub division_code: Option<String>,
    /// Positions 9–17: organisation code (GB 11714).
    pub organization_code: Option<String>,
    pub errors: Vec<Finding>,
    pub warnings: Vec<Finding>,
}

/// Checks a unified social credit code (GB 32100-2015). Always 200; `valid` says the verdict.
#[utoipa::path(
    get,
    path = "/api/v1/tools/credit-code/{code}",
    tag = "tools",
    params(("code" = String, Path, description = "the code; lower case, full-width characters and spaces are normalised")),
    responses((status = 200, description = "the check result", body = CreditCodeReport), (status = 400, description = "the path is not UTF-8"))
)]
pub async fn credit_code(actor: Actor, ApiPath(code): ApiPath) -> Json<CreditCodeReport> {
    let r = check(&code);
    let lang = actor.lang;
    let findings = |v: &[ipfin_domain::Msg]| {
        v.iter()
            .map(|m| Finding {
                code: m.code.to_string(),
                message: m.text(lang).to_string(),
            })
            .collect::<Vec<_>>()
    };
    let c = r.code.as_ref();
    Json(CreditCodeReport {
        valid: r.is_valid(),
        normalized: c.map(|c| c.to_string()),
        registration_authority: c
            .and_then(|c| authority_name(c.registration_authority()))
            .map(str::to_string),
        entity_type: c
            .and_then(|c| entity_type_name(c.registration_authority(), c.entity_type()))
            .map(str::to_string),
        division_code: c.map(|c| c.division_code().to_string()),
        organization_code: c.map(|c| c.organization_code().to_string()),
        errors: findings(&r.errors),
        warnings: findings(&r.warnings),
    })
}

/// What the patent-number checker found.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatentNumberReport {
    pub valid: bool,
    /// `YYYYTNNNNNNN.C` without prefix (when valid).
    pub normalized: Option<String>,
    /// invention | utility_model | design | pct_invention | pct_utility_model
    pub kind: Option<String>,
    pub year: Option<i32>,
    pub errors: Vec<Finding>,
}

/// Checks a Chinese patent application number (SPEC §10): `CN`/`ZL` prefixes, spaces and a
/// missing dot are accepted; the check digit is verified. Always 200; `valid` says the verdict.
#[utoipa::path(
    get,
    path = "/api/v1/tools/patent-number/{number}",
    tag = "tools",
    params(("number" = String, Path, description = "e.g. ZL202310123456.X or 2023101234567")),
    responses((status = 200, description = "the check result", body = PatentNumberReport), (status = 400, description = "the path is not UTF-8"))
)]
pub async fn patent_number(actor: Actor, ApiPath(number): ApiPath) -> Json<PatentNumberReport> {
    let r = ipfin_domain::ip_number::check_patent(&number);
    let lang = actor.lang;
    Json(PatentNumberReport {
        valid: r.number.is_some(),
        normalized: r.number.as_ref().map(|n| n.normalized.clone()),
        kind: r.number.as_ref().map(|n| n.kind.code().to_string()),
        year: r.number.as_ref().map(|n| n.year),
        errors: r
            .errors
            .iter()
            .map(|m| Finding {
                code: m.code.to_string(),
                message: m.text(lang).to_string(),
            })
            .collect(),
    })
}

/// The figures of an enterprise to classify by size.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseSizeRequest {
    /// GB/T 4754-2017 industry code, e.g. I65, C3911, K7010.
    pub industry: String,
    /// 从业人员 (persons).
    pub employees: Option<i64>,
    /// 营业收入 in fen (1 元 = 100 fen).
    #[schema(value_type = Option<i64>)]
    pub operating_revenue_fen: Option<Fen>,
    /// 资产总额 in fen.
    #[schema(value_type = Option<i64>)]
    pub total_assets_fen: Option<Fen>,
}

/// The size class and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnterpriseSizeResponse {
    /// large | medium | small | micro
    pub class: String,
    /// The standard's industry group, e.g. software_it.
    pub industry_group: String,
    pub standard: String,
    pub explanation: String,
}

/// Classifies an enterprise as large, medium, small or micro by the national SME standard
/// (工信部联企业〔2011〕300号). 422 names the figure the industry group needs but was not given.
#[utoipa::path(
    post,
    path = "/api/v1/tools/enterprise-size",
    tag = "tools",
    request_body = EnterpriseSizeRequest,
    responses(
        (status = 200, description = "the class", body = EnterpriseSizeResponse),
        (status = 422, description = "unknown industry, or a needed figure missing or negative (field named)")
    )
)]
pub async fn enterprise_size(
    actor: Actor,
    super::ApiJson(b): super::ApiJson<EnterpriseSizeRequest>,
) -> Result<Json<EnterpriseSizeResponse>, crate::error::AppError> {
    let input = ipfin_domain::size::SizeInput {
        industry: b.industry,
        employees: b.employees,
        operating_revenue_fen: b.operating_revenue_fen,
        total_assets_fen: b.total_assets_fen,
    };
    let c = ipfin_domain::size::classify(ipfin_domain::size::standard_2011(), &input)
        .map_err(crate::error::AppError::invalid)?;
    Ok(Json(EnterpriseSizeResponse {
        class: c.class.code().to_string(),
        industry_group: c.industry_group.to_string(),
        standard: c.standard.to_string(),
        explanation: c.explanation(actor.lang).to_string(),
    }))
}
