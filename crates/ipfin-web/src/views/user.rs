//! User management: list and search, create with roles, enable/disable, reset; and the
//! activation page where a person sets their own password with a one-time link.

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
use ipfin_domain::{OrgKind, Role};
use ipfin_store::org::{OrgFilter, Organisation};
use ipfin_store::user::{Activation, ActivationFor, NewUser, User};
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
            can_create: actor.administrator().administers_any(),
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
    activation: Option<Activation>,
    errors: FormErrors,
}

async fn user_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    activation: Option<Activation>,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<UserPage> {
    let user = state.store.user(&actor.scope, id).await?;
    let kind = user.org_kind.get();
    Ok(UserPage {
        // The buttons show exactly when the store would allow them.
        can_manage: actor
            .administrator()
            .check(kind, user.district_code.as_deref(), &user.roles)
            .is_ok(),
        ctx: PageCtx::new(actor, state, &format!("/users/{id}")).with_flash(flash),
        user,
        activation,
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
    created: Option<(User, Option<Activation>)>,
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

/// Organisations where the actor may add users (in their scope, administered by them).
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
                    .administrator()
                    .administers_org(o.kind(), o.district_code.as_deref())
        })
        .collect())
}

fn all_grantable(actor: &Actor) -> Vec<(&'static str, &'static str)> {
    let admin = actor.administrator();
    let mut roles: Vec<Role> = OrgKind::ALL
        .iter()
        .flat_map(|k| admin.grantable(*k))
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
                temporary: false,
            };
            write!(state, actor, |tx| state
                .store
                .create_user(&mut tx, &actor.scope, &actor.administrator(), n)
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
        // The activation link is shown once, on this response only.
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
        .set_user_active(&mut tx, &actor.scope, &actor.administrator(), id, active)
        .await?)?;
    state
        .sessions
        .forget_user(ipfin_domain::id::UserId::new(id));
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
    let activation = write!(state, actor, |tx| state
        .store
        .reset_password(&mut tx, &actor.scope, &actor.administrator(), id)
        .await?)?;
    state
        .sessions
        .forget_user(ipfin_domain::id::UserId::new(id));
    let page = user_page(
        &state,
        &actor,
        id,
        Some(activation),
        FormErrors::default(),
        None,
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "activate.html")]
struct ActivatePage {
    ctx: PageCtx,
    token: String,
    account: ActivationFor,
    signed_in_as_other: bool,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActivateForm {
    password: String,
    password_again: String,
}

/// The activation page and its CSRF cookie (before sign-in there is no session to carry it).
fn activate_response(
    state: &AppState,
    actor: &Actor,
    headers: &axum::http::HeaderMap,
    status: StatusCode,
    token: String,
    account: ActivationFor,
    errors: FormErrors,
) -> Response {
    let mut ctx = PageCtx::new(actor, state, "/activate");
    let pre = actor.user().is_none().then(|| super::pre_csrf(headers));
    if let Some((t, _)) = &pre {
        ctx.csrf = t.clone();
    }
    let signed_in_as_other = actor.user().is_some_and(|u| u.user_id != account.user_id);
    let resp = render(
        status,
        &ActivatePage {
            ctx,
            token,
            account,
            signed_in_as_other,
            errors,
        },
    );
    match pre {
        Some((t, fresh)) => {
            super::auth::with_pre_csrf(resp, &t, fresh, state.config.secure_cookies)
        }
        None => resp,
    }
}

pub async fn activate_page(
    State(state): State<AppState>,
    actor: Actor,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let account = state.store.activation_for(&token).await?;
    Ok(activate_response(
        &state,
        &actor,
        &headers,
        StatusCode::OK,
        token,
        account,
        FormErrors::default(),
    ))
}

pub async fn activate(
    State(state): State<AppState>,
    actor: Actor,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
    form: CsrfForm<ActivateForm>,
) -> AppResult<Response> {
    let account = state.store.activation_for(&token).await?;
    let f = form.data;
    // Every problem of the form at once: the password rule and the repetition.
    let mut problems = Vec::new();
    if let Err(e) =
        ipfin_domain::password::check_new_password("password", &account.username, &f.password)
    {
        problems.push(e);
    }
    if f.password != f.password_again {
        problems.push(ipfin_domain::FieldError::new(
            "password_again",
            "password.mismatch",
            "两次输入的密码不一致。",
            "The two passwords differ.",
        ));
    }
    if !problems.is_empty() {
        let errors = FormErrors {
            items: problems
                .iter()
                .map(|e| (e.field.to_string(), e.msg.text(actor.lang).to_string()))
                .collect(),
        };
        return Ok(activate_response(
            &state,
            &actor,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            token,
            account,
            errors,
        ));
    }
    let result = write!(state, actor, |tx| state
        .store
        .activate(&mut tx, &token, &f.password)
        .await?);
    match result {
        Ok(user_id) => {
            state
                .sessions
                .forget_user(ipfin_domain::id::UserId::new(user_id));
            Ok(super::see_other("/login", "activated"))
        }
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => Ok(activate_response(
            &state,
            &actor,
            &headers,
            e.status,
            token,
            account,
            FormErrors::from_error(&e, actor.lang),
        )),
        Err(e) => Err(e),
    }
}
