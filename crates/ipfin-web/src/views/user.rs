//! User management: list and search, create with roles, enable/disable, password reset.

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
use ipfin_domain::org::grantable_roles;
use ipfin_domain::{OrgKind, Role};
use ipfin_store::org::{OrgFilter, Organisation};
use ipfin_store::user::{NewUser, User};
use ipfin_store::{Page, Paged};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    ctx: PageCtx,
    users: Paged<User>,
    q: String,
    can_create: bool,
    prev: Option<String>,
    next: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let users = state
        .store
        .users(&actor.scope, q.q.as_deref(), q.page())
        .await?;
    let qs = q.q.clone().unwrap_or_default();
    let link = |p: u64| format!("/users?q={}&page={p}", crate::http::urlencode(&qs));
    let prev = (users.page > 1).then(|| link(users.page - 1));
    let next = (users.page < users.pages()).then(|| link(users.page + 1));
    Ok(render(
        StatusCode::OK,
        &UsersPage {
            ctx: PageCtx::new(&actor, &state, "/users").with_flash(flash_key(&q.ok)),
            can_create: actor
                .scope
                .manages_kind_in(ipfin_domain::OrgKind::Department, actor.scope.district()),
            users,
            q: qs,
            prev,
            next,
        },
    ))
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    ctx: PageCtx,
    user: User,
    can_manage: bool,
    one_time_password: Option<String>,
    errors: FormErrors,
}

async fn user_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    one_time_password: Option<String>,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<UserPage> {
    let user = state.store.user(&actor.scope, id).await?;
    let kind = user.org_kind.get();
    Ok(UserPage {
        can_manage: actor
            .scope
            .manages_kind_in(kind, user.district_code.as_deref()),
        ctx: PageCtx::new(actor, state, &format!("/users/{id}")).with_flash(flash),
        user,
        one_time_password,
        errors,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let page = user_page(
        &state,
        &actor,
        path_id(&id)?,
        None,
        FormErrors::default(),
        flash_key(&q.ok),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "user_new.html")]
struct UserNewPage {
    ctx: PageCtx,
    orgs: Vec<Organisation>,
    roles: Vec<(&'static str, &'static str)>,
    form: NewUserForm,
    checked: Vec<String>,
    errors: FormErrors,
    created: Option<(User, Option<String>)>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct NewUserForm {
    pub organisation_id: String,
    pub username: String,
    pub display_name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewUserQuery {
    org: Option<String>,
}

/// Organisations where the actor may add users (managed kinds in their scope).
async fn manageable_orgs(state: &AppState, actor: &Actor) -> AppResult<Vec<Organisation>> {
    let page = state
        .store
        .organisations(
            &actor.scope,
            &OrgFilter::default(),
            Page::new(Some(1), Some(Page::MAX_PER_PAGE)),
        )
        .await?;
    Ok(page
        .items
        .into_iter()
        .filter(|o| {
            o.active
                && actor
                    .scope
                    .manages_kind_in(o.kind(), o.district_code.as_deref())
        })
        .collect())
}

fn all_grantable(actor: &Actor) -> Vec<(&'static str, &'static str)> {
    let mut roles: Vec<Role> = OrgKind::ALL
        .iter()
        .flat_map(|k| grantable_roles(&actor.scope, *k))
        .collect();
    roles.sort();
    roles.dedup();
    roles
        .into_iter()
        .map(|r| (r.code(), r.label(actor.lang)))
        .collect()
}

pub async fn new_page(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<NewUserQuery>,
) -> AppResult<Response> {
    let orgs = manageable_orgs(&state, &actor).await?;
    Ok(render(
        StatusCode::OK,
        &UserNewPage {
            ctx: PageCtx::new(&actor, &state, "/users/new"),
            orgs,
            roles: all_grantable(&actor),
            form: NewUserForm {
                organisation_id: q.org.unwrap_or_default(),
                ..Default::default()
            },
            checked: vec![],
            errors: FormErrors::default(),
            created: None,
        },
    ))
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<NewUserForm>,
) -> AppResult<Response> {
    let f = form.data.clone();
    let checked: Vec<String> = form.all("roles").into_iter().map(str::to_string).collect();
    let roles: Vec<Role> = checked.iter().filter_map(|r| Role::from_code(r)).collect();
    let result = match f.organisation_id.trim().parse::<i64>() {
        Ok(org_id) => {
            let n = NewUser {
                organisation_id: org_id,
                username: f.username.clone(),
                display_name: f.display_name.clone(),
                roles,
                password: None,
            };
            write!(state, actor, |tx| state
                .store
                .create_user(&mut tx, &actor.scope, n)
                .await?)
        }
        Err(_) => Err(AppError::invalid(ipfin_domain::FieldError::new(
            "organisation_id",
            "field.required",
            "请选择用户所属机构。",
            "Choose the user's organisation.",
        ))),
    };
    let orgs = manageable_orgs(&state, &actor).await?;
    let ctx = PageCtx::new(&actor, &state, "/users/new");
    match result {
        // The one-time password is shown once, on this response only (never in a URL).
        Ok(created) => Ok(render(
            StatusCode::CREATED,
            &UserNewPage {
                ctx,
                orgs,
                roles: all_grantable(&actor),
                form: NewUserForm::default(),
                checked: vec![],
                errors: FormErrors::default(),
                created: Some(created),
            },
        )),
        Err(e) if e.field.is_some() || e.status == StatusCode::CONFLICT => Ok(render(
            e.status,
            &UserNewPage {
                ctx,
                orgs,
                roles: all_grantable(&actor),
                form: f,
                checked,
                errors: FormErrors::from_error(&e, actor.lang),
                created: None,
            },
        )),
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActiveForm {
    active: Option<String>,
    confirm: Option<String>,
}

pub async fn set_active(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<ActiveForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.user(&actor.scope, id).await?;
    let active = form.data.active.as_deref() == Some("true");
    if !active {
        require_confirm(&form.data.confirm).map_err(AppError::invalid)?;
    }
    write!(state, actor, |tx| state
        .store
        .set_user_active(&mut tx, &actor.scope, id, active)
        .await?)?;
    state.sessions.forget_user(id);
    Ok(see_other(
        &format!("/users/{id}"),
        if active { "enabled" } else { "disabled" },
    ))
}

pub async fn reset_password(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<ActiveForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.user(&actor.scope, id).await?;
    if let Err(fe) = require_confirm(&form.data.confirm) {
        let page = user_page(
            &state,
            &actor,
            id,
            None,
            FormErrors::from_field(&fe, actor.lang),
            None,
        )
        .await?;
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let pw = write!(state, actor, |tx| state
        .store
        .reset_password(&mut tx, &actor.scope, id)
        .await?)?;
    state.sessions.forget_user(id);
    let page = user_page(&state, &actor, id, Some(pw), FormErrors::default(), None).await?;
    Ok(render(StatusCode::OK, &page))
}
