//! Sign-in, sign-out, first-run setup of the city administrator, and password change.

use super::{CsrfForm, FormErrors, PageCtx, pre_csrf, redirect_with_cookies, render, safe_next};
use crate::AppState;
use crate::actor::{Actor, PRE_CSRF_COOKIE, SESSION_COOKIE, set_cookie};
use crate::error::{AppError, AppResult};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ipfin_domain::sign_in::Refusal;
use ipfin_store::auth::{SESSION_SECONDS, SignIn};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: PageCtx,
    username: String,
    next: String,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    next: Option<String>,
    ok: Option<String>,
}

pub(crate) fn with_pre_csrf(
    mut resp: Response,
    token: &str,
    fresh: bool,
    secure: bool,
) -> Response {
    if fresh {
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(PRE_CSRF_COOKIE, token, Some(3600 * 24), secure),
        );
    }
    resp
}

pub async fn login_page(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    if actor.user().is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    let (token, fresh) = pre_csrf(&headers);
    let mut ctx = PageCtx::new(&actor, &state, "/login").with_flash(super::flash_key(&q.ok));
    ctx.csrf = token.clone();
    let page = LoginPage {
        ctx,
        username: String::new(),
        next: safe_next(q.next.as_deref()),
        errors: FormErrors::default(),
    };
    with_pre_csrf(
        render(StatusCode::OK, &page),
        &token,
        fresh,
        state.config.secure_cookies,
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login_submit(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    form: CsrfForm<LoginForm>,
) -> AppResult<Response> {
    let f = form.data;
    let t = crate::i18n::T(actor.lang);
    let rerender = |status: StatusCode, errors: FormErrors| {
        let (token, fresh) = pre_csrf(&headers);
        let mut ctx = PageCtx::new(&actor, &state, "/login");
        ctx.csrf = token.clone();
        let page = LoginPage {
            ctx,
            username: f.username.clone(),
            next: safe_next(f.next.as_deref()),
            errors,
        };
        with_pre_csrf(
            render(status, &page),
            &token,
            fresh,
            state.config.secure_cookies,
        )
    };
    let mut errors = FormErrors::default();
    if f.username.trim().is_empty() {
        errors
            .items
            .push(("username".into(), t.s("login.username_required").into()));
    }
    if f.password.is_empty() {
        errors
            .items
            .push(("password".into(), t.s("login.password_required").into()));
    }
    if errors.any() {
        return Ok(rerender(StatusCode::UNPROCESSABLE_ENTITY, errors));
    }
    let ip = actor.ip.clone();
    match state
        .store
        .sign_in(&f.username, &f.password, ip.as_deref())
        .await?
    {
        SignIn::Ok { token, .. } => Ok(redirect_with_cookies(
            &safe_next(f.next.as_deref()),
            vec![
                set_cookie(
                    SESSION_COOKIE,
                    &token,
                    Some(SESSION_SECONDS),
                    state.config.secure_cookies,
                ),
                set_cookie(PRE_CSRF_COOKIE, "", Some(0), state.config.secure_cookies),
            ],
        )),
        SignIn::Failed => Ok(rerender(
            StatusCode::UNAUTHORIZED,
            FormErrors {
                items: vec![("_form".into(), t.s("login.failed").into())],
            },
        )),
        SignIn::Refused(refusal) => {
            let now = ipfin_store::now_s();
            let secs = refusal.retry_after_secs(now);
            let key = match refusal {
                Refusal::Account { .. } => "login.locked_account",
                Refusal::Address { .. } => "login.locked_address",
            };
            let msg = t
                .s(key)
                .replace("{secs}", &secs.to_string())
                .replace("{time}", &beijing_time(refusal.until()));
            let mut resp = rerender(
                StatusCode::TOO_MANY_REQUESTS,
                FormErrors {
                    items: vec![("_form".into(), msg)],
                },
            );
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            Ok(resp)
        }
    }
}

/// A unix time as Beijing wall-clock time (`HH:MM:SS`), for "retry at".
fn beijing_time(unix_s: i64) -> String {
    let offset = chrono::FixedOffset::east_opt(8 * 3600);
    match (chrono::DateTime::from_timestamp(unix_s, 0), offset) {
        (Some(t), Some(o)) => t.with_timezone(&o).format("%H:%M:%S").to_string(),
        _ => String::new(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Empty {}

pub async fn logout(
    State(state): State<AppState>,
    actor: Actor,
    _form: CsrfForm<Empty>,
) -> AppResult<Response> {
    if let Some(u) = actor.user() {
        state.store.sign_out(u).await?;
        state.sessions.forget_user(u.user_id);
    }
    Ok(redirect_with_cookies(
        "/login?ok=signed_out",
        vec![set_cookie(
            SESSION_COOKIE,
            "",
            Some(0),
            state.config.secure_cookies,
        )],
    ))
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    ctx: PageCtx,
    token: String,
    office_name: String,
    username: String,
    display_name: String,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SetupQuery {
    token: String,
}

fn setup_invalid() -> AppError {
    AppError::new(
        StatusCode::FORBIDDEN,
        "bootstrap.invalid",
        "初始化链接无效、已过期或已使用。请重新启动服务，在终端中获取新的链接。",
        "The setup link is invalid, expired or used. Restart the server and use the new link it prints.",
    )
}

pub async fn setup_page(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Query(q): Query<SetupQuery>,
) -> AppResult<Response> {
    if !state.store.bootstrap_valid(&q.token).await? {
        return Err(setup_invalid());
    }
    let (token, fresh) = pre_csrf(&headers);
    let mut ctx = PageCtx::new(&actor, &state, "/setup");
    ctx.csrf = token.clone();
    let page = SetupPage {
        ctx,
        token: q.token,
        office_name: "市市场监督管理局（知识产权局）".into(),
        username: "admin".into(),
        display_name: String::new(),
        errors: FormErrors::default(),
    };
    Ok(with_pre_csrf(
        render(StatusCode::OK, &page),
        &token,
        fresh,
        state.config.secure_cookies,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SetupForm {
    token: String,
    office_name: String,
    username: String,
    display_name: String,
    password: String,
    password_again: String,
}

pub async fn setup_submit(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    form: CsrfForm<SetupForm>,
) -> AppResult<Response> {
    let f = form.data;
    if !state.store.bootstrap_valid(&f.token).await? {
        return Err(setup_invalid());
    }
    let result = if f.password != f.password_again {
        Err(AppError::invalid(ipfin_domain::FieldError::new(
            "password_again",
            "password.mismatch",
            "两次输入的密码不一致。",
            "The two passwords differ.",
        )))
    } else {
        state
            .store
            .complete_bootstrap(
                &f.token,
                &f.office_name,
                &f.username,
                &f.display_name,
                &f.password,
            )
            .await
            .map_err(AppError::from)
    };
    match result {
        Ok(_) => Ok(Redirect::to("/login?ok=created").into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let (token, fresh) = pre_csrf(&headers);
            let mut ctx = PageCtx::new(&actor, &state, "/setup");
            ctx.csrf = token.clone();
            let page = SetupPage {
                errors: FormErrors::from_error(&e, actor.lang),
                ctx,
                token: f.token,
                office_name: f.office_name,
                username: f.username,
                display_name: f.display_name,
            };
            Ok(with_pre_csrf(
                render(e.status, &page),
                &token,
                fresh,
                state.config.secure_cookies,
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    ctx: PageCtx,
    must_change: bool,
    errors: FormErrors,
}

pub async fn password_page(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<LoginQuery>,
) -> Response {
    let ctx = PageCtx::new(&actor, &state, "/account/password").with_flash(super::flash_key(&q.ok));
    let must_change = actor.user().is_some_and(|u| u.must_change_password);
    render(
        StatusCode::OK,
        &PasswordPage {
            ctx,
            must_change,
            errors: FormErrors::default(),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password_again: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<PasswordForm>,
) -> AppResult<Response> {
    let Some(user) = actor.user() else {
        return Err(AppError::unauthorized());
    };
    let f = form.data;
    let result = if f.new_password != f.new_password_again {
        Err(AppError::invalid(ipfin_domain::FieldError::new(
            "new_password_again",
            "password.mismatch",
            "两次输入的新密码不一致。",
            "The two new passwords differ.",
        )))
    } else {
        async {
            let mut tx = state.store.write(actor.audit_actor()).await?;
            state
                .store
                .change_password(
                    &mut tx,
                    user.user_id,
                    &f.current_password,
                    &f.new_password,
                    Some(&user.session_hash),
                )
                .await?;
            tx.commit().await?;
            state.sessions.forget_user(user.user_id);
            Ok::<(), ipfin_store::StoreError>(())
        }
        .await
        .map_err(AppError::from)
    };
    match result {
        Ok(()) => Ok(super::see_other("/home", "password_changed")),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let ctx = PageCtx::new(&actor, &state, "/account/password");
            Ok(render(
                e.status,
                &PasswordPage {
                    ctx,
                    must_change: user.must_change_password,
                    errors: FormErrors::from_error(&e, actor.lang),
                },
            ))
        }
        Err(e) => Err(e),
    }
}
