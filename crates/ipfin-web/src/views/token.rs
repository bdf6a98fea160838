//! API tokens for institutions' and departments' systems: issue (shown once), list, revoke.

use super::{
    CsrfForm, FormErrors, ListQuery, PageCtx, flash_key, render, require_confirm, see_other,
};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::{path_id, write};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use ipfin_store::Page;
use ipfin_store::auth::ApiToken;
use ipfin_store::org::{OrgFilter, Organisation};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    ctx: PageCtx,
    tokens: Vec<ApiToken>,
    orgs: Vec<Organisation>,
    new_token: Option<String>,
    form: NewTokenForm,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct NewTokenForm {
    pub organisation_id: String,
    pub name: String,
    pub valid_days: String,
}

/// Organisations whose tokens the actor may manage.
async fn token_orgs(state: &AppState, actor: &Actor) -> AppResult<Vec<Organisation>> {
    let items = state
        .store
        .organisations(
            &actor.scope,
            &OrgFilter::default(),
            Page::new(Some(1), Some(Page::MAX_PER_PAGE)),
        )
        .await?
        .items;
    Ok(items
        .into_iter()
        .filter(|o| {
            if actor.scope.is_city() {
                o.kind() != ipfin_domain::OrgKind::Enterprise
            } else if actor.scope.district().is_some() {
                o.kind() == ipfin_domain::OrgKind::Department
            } else {
                true
            }
        })
        .collect())
}

async fn page(
    state: &AppState,
    actor: &Actor,
    new_token: Option<String>,
    form: NewTokenForm,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<TokensPage> {
    Ok(TokensPage {
        ctx: PageCtx::new(actor, state, "/tokens").with_flash(flash),
        tokens: state.store.api_tokens(&actor.scope).await?,
        orgs: token_orgs(state, actor).await?,
        new_token,
        form,
        errors,
    })
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let p = page(
        &state,
        &actor,
        None,
        NewTokenForm::default(),
        FormErrors::default(),
        flash_key(&q.ok),
    )
    .await?;
    Ok(render(StatusCode::OK, &p))
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<NewTokenForm>,
) -> AppResult<Response> {
    let f = form.data;
    let parsed = (|| {
        let org_id: i64 = f.organisation_id.trim().parse().map_err(|_| {
            ipfin_domain::FieldError::new(
                "organisation_id",
                "field.required",
                "请选择令牌所属机构。",
                "Choose the token's organisation.",
            )
        })?;
        let days = match f.valid_days.trim() {
            "" => None,
            d => Some(d.parse::<i64>().map_err(|_| {
                ipfin_domain::FieldError::new(
                    "valid_days",
                    "token.valid_days",
                    "有效期应为 1–3650 天的整数，留空表示长期有效。",
                    "Validity must be a whole number of days (1–3650), or empty.",
                )
            })?),
        };
        Ok::<_, ipfin_domain::FieldError>((org_id, days))
    })();
    let result = match parsed {
        Ok((org_id, days)) => write!(state, actor, |tx| state
            .store
            .create_api_token(&mut tx, &actor.scope, org_id, &f.name, days)
            .await?),
        Err(fe) => Err(AppError::invalid(fe)),
    };
    match result {
        // The plain token is shown once, in this response only.
        Ok((_, plain)) => Ok(render(
            StatusCode::CREATED,
            &page(
                &state,
                &actor,
                Some(plain),
                NewTokenForm::default(),
                FormErrors::default(),
                None,
            )
            .await?,
        )),
        Err(e) if e.field.is_some() => {
            let errors = FormErrors::from_error(&e, actor.lang);
            Ok(render(
                e.status,
                &page(&state, &actor, None, f, errors, None).await?,
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RevokeForm {
    confirm: Option<String>,
}

pub async fn revoke(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<RevokeForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    // Only tokens visible in the scope can be revoked; others are not found, before any form check.
    if !state
        .store
        .api_tokens(&actor.scope)
        .await?
        .iter()
        .any(|t| t.id == id)
    {
        return Err(AppError::not_found());
    }
    require_confirm(&form.data.confirm).map_err(AppError::invalid)?;
    write!(state, actor, |tx| state
        .store
        .revoke_api_token(&mut tx, &actor.scope, id)
        .await?)?;
    Ok(see_other("/tokens", "revoked"))
}
