//! The enterprise registry over the API, scoped like the pages.

use super::{ApiPath, ApiQuery, id};
use crate::AppState;
use crate::actor::Actor;
use crate::error::AppResult;
use axum::Json;
use axum::extract::State;
use ipfin_domain::Fen;
use ipfin_domain::size::SizeClass;
use ipfin_store::Page;
use ipfin_store::enterprise::EnterpriseFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct EnterpriseDto {
    pub id: i64,
    pub credit_code: String,
    pub name: String,
    pub registered_district: Option<String>,
    pub tax_district: Option<String>,
    pub independent_legal_person: bool,
    pub industry: Option<String>,
    pub employees: Option<i64>,
    #[schema(value_type = Option<i64>)]
    pub operating_revenue_fen: Option<Fen>,
    #[schema(value_type = Option<i64>)]
    pub total_assets_fen: Option<Fen>,
    /// The class that counts (override, else computed): large | medium | small | micro.
    pub size_class: Option<String>,
    pub size_computed: Option<String>,
    pub size_override_reason: Option<String>,
    pub data_sharing_consent: bool,
}

impl From<ipfin_store::enterprise::Enterprise> for EnterpriseDto {
    fn from(e: ipfin_store::enterprise::Enterprise) -> Self {
        EnterpriseDto {
            size_class: e.effective_size().map(|c| c.code().to_string()),
            id: e.id,
            credit_code: e.credit_code,
            name: e.name,
            registered_district: e.registered_district,
            tax_district: e.tax_district,
            independent_legal_person: e.independent_legal_person,
            industry: e.industry,
            employees: e.employees,
            operating_revenue_fen: e.operating_revenue_fen,
            total_assets_fen: e.total_assets_fen,
            size_computed: e.size_class,
            size_override_reason: e.size_override_reason,
            data_sharing_consent: e.data_sharing_consent,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnterprisePage {
    pub items: Vec<EnterpriseDto>,
    pub total: u64,
    /// True when more than `total` match: counts stop at 200.
    pub total_capped: bool,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct EnterpriseQuery {
    /// credit code (or its first characters) or two or more characters of the name
    pub q: Option<String>,
    /// large | medium | small | micro
    pub size: Option<String>,
    /// GB/T 4754 code prefix, e.g. I65
    pub industry: Option<String>,
    /// tag type code, e.g. high_tech, specialised, little_giant
    pub tag: Option<String>,
    pub page: Option<u64>,
    /// 1–200, default 20
    pub per_page: Option<u64>,
}

/// Enterprises in the caller's scope (a district: registered in it), searched and filtered.
#[utoipa::path(get, path = "/api/v1/enterprises", tag = "enterprise", params(EnterpriseQuery),
    responses((status = 200, body = EnterprisePage), (status = 422, description = "query too short (one character)")), security(("bearer" = [])))]
pub async fn enterprises(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<EnterpriseQuery>,
) -> AppResult<Json<EnterprisePage>> {
    let f = EnterpriseFilter {
        q: q.q,
        size: q.size.as_deref().and_then(SizeClass::from_code),
        industry: q.industry,
        tag: q.tag,
    };
    let p = state
        .store
        .search_enterprises(&actor.scope, &f, Page::new(q.page, q.per_page))
        .await?;
    Ok(Json(EnterprisePage {
        total: p.total,
        total_capped: p.capped,
        page: p.page,
        per_page: p.per_page,
        items: p.items.into_iter().map(EnterpriseDto::from).collect(),
    }))
}

/// One enterprise in the caller's scope.
#[utoipa::path(get, path = "/api/v1/enterprises/{ent_id}", tag = "enterprise", params(("ent_id" = i64, Path)),
    responses((status = 200, body = EnterpriseDto), (status = 404, description = "not found or outside your scope")), security(("bearer" = [])))]
pub async fn enterprise(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(ent_id): ApiPath,
) -> AppResult<Json<EnterpriseDto>> {
    Ok(Json(
        state
            .store
            .enterprise(&actor.scope, id(&ent_id)?)
            .await?
            .into(),
    ))
}
