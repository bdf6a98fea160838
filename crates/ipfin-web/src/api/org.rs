//! Districts and organisations over the API, scoped like the pages.

use super::{ApiJson, ApiPath, ApiQuery, id};
use crate::AppState;
use crate::actor::{Actor, Principal};
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ipfin_domain::OrgKind;
use ipfin_store::Page;
use ipfin_store::org::{NewOrganisation, OrgFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct DistrictDto {
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// `district` or `functional_zone`
    pub kind: String,
    pub lead_organisation_id: Option<i64>,
    pub lead_organisation_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeadDesignationDto {
    pub organisation_id: i64,
    pub organisation_name: String,
    /// ISO date, Asia/Shanghai
    pub from_date: String,
    /// ISO date; absent while current
    pub to_date: Option<String>,
    pub head_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DistrictDetailDto {
    pub district: DistrictDto,
    pub lead_history: Vec<LeadDesignationDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationDto {
    pub id: i64,
    /// city_office | department | financial_institution | service_agency | enterprise
    pub kind: String,
    pub name: String,
    pub name_en: Option<String>,
    pub district_code: Option<String>,
    /// bank | guarantor | insurer | valuation_institution | securitisation_issuer
    pub institution_type: Option<String>,
    pub credit_code: Option<String>,
    pub active: bool,
}

impl From<ipfin_store::org::Organisation> for OrganisationDto {
    fn from(o: ipfin_store::org::Organisation) -> Self {
        OrganisationDto {
            id: o.id,
            kind: o.kind.to_string(),
            name: o.name,
            name_en: o.name_en,
            district_code: o.district_code,
            institution_type: o.institution_type,
            credit_code: o.credit_code,
            active: o.active,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationPage {
    pub items: Vec<OrganisationDto>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// All districts and functional zones with their current lead department (public).
#[utoipa::path(get, path = "/api/v1/districts", tag = "org", responses((status = 200, body = [DistrictDto])))]
pub async fn districts(State(state): State<AppState>) -> AppResult<Json<Vec<DistrictDto>>> {
    let list = state.store.districts().await?;
    Ok(Json(
        list.into_iter()
            .map(|d| DistrictDto {
                code: d.code,
                name: d.name,
                name_en: d.name_en,
                kind: d.kind,
                lead_organisation_id: d.lead_org_id,
                lead_organisation_name: d.lead_org_name,
            })
            .collect(),
    ))
}

/// One district with its dated lead-department history (the city and that district only).
#[utoipa::path(get, path = "/api/v1/districts/{code}", tag = "org",
    params(("code" = String, Path, description = "district code, e.g. 440305")),
    responses((status = 200, body = DistrictDetailDto), (status = 404, description = "not found or outside your scope")),
    security(("bearer" = [])))]
pub async fn district(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath,
) -> AppResult<Json<DistrictDetailDto>> {
    let history = state.store.lead_history(&actor.scope, &code).await?;
    let d = state.store.district(&code).await?;
    let current = history.iter().find(|h| h.to_date.is_none());
    Ok(Json(DistrictDetailDto {
        district: DistrictDto {
            code: d.code,
            name: d.name,
            name_en: d.name_en,
            kind: d.kind,
            lead_organisation_id: current.map(|h| h.organisation_id),
            lead_organisation_name: current.map(|h| h.organisation_name.clone()),
        },
        lead_history: history
            .into_iter()
            .map(|h| LeadDesignationDto {
                organisation_id: h.organisation_id,
                organisation_name: h.organisation_name,
                from_date: h.from_date.to_string(),
                to_date: h.to_date.map(|d| d.to_string()),
                head_name: h.head_name,
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    /// `user` or `token`
    pub kind: String,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub roles: Vec<String>,
    /// The tenant boundary applied to every request.
    #[schema(value_type = Object)]
    pub scope: serde_json::Value,
}

/// Who the caller is and which scope applies.
#[utoipa::path(get, path = "/api/v1/me", tag = "org", responses((status = 200, body = MeDto), (status = 401, description = "not signed in")), security(("bearer" = [])))]
pub async fn me(actor: Actor) -> AppResult<Json<MeDto>> {
    let roles = actor.roles().iter().map(|r| r.code().to_string()).collect();
    let scope = serde_json::to_value(&actor.scope).map_err(AppError::internal)?;
    Ok(Json(match &actor.principal {
        Principal::User(u) => MeDto {
            kind: "user".into(),
            user_id: Some(u.user_id.get()),
            username: Some(u.username.clone()),
            display_name: Some(u.display_name.clone()),
            organisation_id: u.organisation_id.get(),
            organisation_name: u.org_name.clone(),
            roles,
            scope,
        },
        Principal::Token(t) => MeDto {
            kind: "token".into(),
            user_id: None,
            username: None,
            display_name: None,
            organisation_id: t.organisation_id.get(),
            organisation_name: t.org_name.clone(),
            roles,
            scope,
        },
        Principal::Anonymous => return Err(AppError::unauthorized()),
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct OrgQuery {
    /// substring of the name or credit code
    pub q: Option<String>,
    pub kind: Option<String>,
    pub district: Option<String>,
    pub page: Option<u64>,
    /// 1–200, default 20
    pub per_page: Option<u64>,
}

/// Organisations in the caller's scope, filtered and paged.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "org", params(OrgQuery),
    responses((status = 200, body = OrganisationPage), (status = 400, description = "bad query")), security(("bearer" = [])))]
pub async fn organisations(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<OrgQuery>,
) -> AppResult<Json<OrganisationPage>> {
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(OrgKind::from_code(k).ok_or_else(|| {
            AppError::bad_request(
                "query.kind",
                format!("未知的机构类型“{k}”。"),
                format!("Unknown organisation kind '{k}'."),
            )
        })?),
        None => None,
    };
    let filter = OrgFilter {
        kind,
        district_code: q.district.clone(),
        q: q.q.clone(),
    };
    let p = state
        .store
        .organisations(&actor.scope, &filter, Page::new(q.page, q.per_page))
        .await?;
    Ok(Json(OrganisationPage {
        total: p.total,
        page: p.page,
        per_page: p.per_page,
        items: p.items.into_iter().map(OrganisationDto::from).collect(),
    }))
}

/// One organisation in the caller's scope.
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}", tag = "org",
    params(("org_id" = i64, Path)), responses((status = 200, body = OrganisationDto), (status = 404, description = "not found or outside your scope")),
    security(("bearer" = [])))]
pub async fn organisation(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(org_id): ApiPath,
) -> AppResult<Json<OrganisationDto>> {
    Ok(Json(
        state
            .store
            .organisation(&actor.scope, id(&org_id)?)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisationBody {
    /// department | financial_institution | service_agency | enterprise | city_office
    pub kind: String,
    pub name: String,
    pub name_en: Option<String>,
    /// required for departments and enterprises; district officers always create in their own district
    pub district_code: Option<String>,
    /// required for financial institutions
    pub institution_type: Option<String>,
    /// required for enterprises; validated per GB 32100
    pub credit_code: Option<String>,
}

/// Creates an organisation (city: any kind; district officers: their district's departments and enterprises).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "org", request_body = NewOrganisationBody,
    responses((status = 201, body = OrganisationDto), (status = 403, description = "not allowed"), (status = 409, description = "duplicate credit code"), (status = 422, description = "invalid field")),
    security(("bearer" = [])))]
pub async fn create_organisation(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(b): ApiJson<NewOrganisationBody>,
) -> AppResult<(StatusCode, Json<OrganisationDto>)> {
    let n = NewOrganisation {
        credit_code: crate::http::optional_credit_code("credit_code", b.credit_code.as_deref())
            .map_err(AppError::invalid)?,
        kind: b.kind,
        name: b.name,
        name_en: b.name_en,
        district_code: b.district_code,
        institution_type: b.institution_type,
    };
    let org = crate::http::write!(state, actor, |tx| state
        .store
        .create_organisation(&mut tx, &actor.scope, n)
        .await?)?;
    Ok((StatusCode::CREATED, Json(org.into())))
}
