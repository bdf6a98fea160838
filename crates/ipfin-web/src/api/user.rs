//! Users over the API, scoped like the pages.

use super::{ApiPath, ApiQuery, id};
use crate::AppState;
use crate::actor::Actor;
use crate::error::AppResult;
use axum::Json;
use axum::extract::State;
use ipfin_store::Page;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub active: bool,
}

impl From<ipfin_store::user::User> for UserDto {
    fn from(u: ipfin_store::user::User) -> Self {
        UserDto {
            id: u.id,
            organisation_id: u.organisation_id,
            organisation_name: u.org_name,
            username: u.username,
            display_name: u.display_name,
            roles: u.roles.iter().map(|r| r.code().to_string()).collect(),
            active: u.active,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserDto>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct UserQuery {
    /// substring of username, name or organisation
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// Users of the organisations in the caller's scope.
#[utoipa::path(get, path = "/api/v1/users", tag = "org", params(UserQuery), responses((status = 200, body = UserPage)), security(("bearer" = [])))]
pub async fn users(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<UserQuery>,
) -> AppResult<Json<UserPage>> {
    let p = state
        .store
        .users(&actor.scope, q.q.as_deref(), Page::new(q.page, q.per_page))
        .await?;
    Ok(Json(UserPage {
        total: p.total,
        page: p.page,
        per_page: p.per_page,
        items: p.items.into_iter().map(UserDto::from).collect(),
    }))
}

/// One user in the caller's scope.
#[utoipa::path(get, path = "/api/v1/users/{user_id}", tag = "org", params(("user_id" = i64, Path)),
    responses((status = 200, body = UserDto), (status = 404, description = "not found or outside your scope")), security(("bearer" = [])))]
pub async fn user(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(user_id): ApiPath,
) -> AppResult<Json<UserDto>> {
    Ok(Json(
        state.store.user(&actor.scope, id(&user_id)?).await?.into(),
    ))
}
