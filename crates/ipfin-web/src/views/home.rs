//! The public landing page, each role's home page (to-do list, notifications, key figures),
//! and the language switch.

use super::{PageCtx, flash_key, render};
use crate::AppState;
use crate::actor::{Actor, LANG_COOKIE, set_cookie};
use crate::error::AppResult;
use crate::usecase::home::Figure;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use ipfin_domain::todo::Todo;
use ipfin_store::org::DistrictSummary;

#[derive(Template)]
#[template(path = "landing.html")]
struct Landing {
    ctx: PageCtx,
    districts: Vec<DistrictSummary>,
}

pub async fn landing(State(state): State<AppState>, actor: Actor) -> AppResult<Response> {
    let districts = state.store.districts().await?;
    let ctx = PageCtx::new(&actor, &state, "/");
    Ok(render(StatusCode::OK, &Landing { ctx, districts }))
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    ctx: PageCtx,
    role_names: String,
    scope_name: String,
    todos: Vec<Todo>,
    figures: Vec<Figure>,
    today: chrono::NaiveDate,
    notifications: Vec<ipfin_store::application::Notification>,
    /// The district's policy-year budgets (issue #18 item 5).
    budgets: Vec<crate::usecase::payment::PolicyBudget>,
}

impl Home {
    /// The words about time beside a to-do item (逾期 10 天，已等待 20 天).
    fn timing(&self, t: &Todo) -> String {
        t.timing(self.today, self.ctx.lang)
    }
    fn overdue(&self, t: &Todo) -> bool {
        t.overdue(self.today)
    }
    /// A notification in the reader's language.
    fn note<'a>(&self, n: &'a ipfin_store::application::Notification) -> &'a str {
        n.text_in(self.ctx.lang)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct HomeQuery {
    ok: Option<String>,
}

/// The signed-in person's home page: to-do list, notifications, key figures.
pub async fn home(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<HomeQuery>,
) -> AppResult<Response> {
    let ctx = PageCtx::new(&actor, &state, "/home").with_flash(flash_key(&q.ok));
    let scope = &actor.scope;
    let scope_name = if scope.is_city() {
        ctx.t.s("home.scope_city").to_string()
    } else if scope.district().is_some() {
        actor
            .user()
            .and_then(|u| u.district_name.clone())
            .unwrap_or_default()
    } else {
        actor.user().map(|u| u.org_name.clone()).unwrap_or_default()
    };
    let role_names = actor
        .user()
        .map(|u| {
            u.roles
                .iter()
                .map(|r| r.label(actor.lang))
                .collect::<Vec<_>>()
                .join("、")
        })
        .unwrap_or_default();
    let view = crate::usecase::home::view(&state, &actor).await?;
    let notifications = state
        .store
        .notifications_for(scope, actor.organisation_id(), 10)
        .await?;
    Ok(render(
        StatusCode::OK,
        &Home {
            ctx,
            role_names,
            scope_name,
            todos: view.todos,
            figures: view.figures,
            today: view.today,
            notifications,
            budgets: view.budgets,
        },
    ))
}

/// Sets the language cookie and returns to the page the user came from.
pub async fn switch_lang(
    State(state): State<AppState>,
    Path(lang): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = if lang == "en" { "en" } else { "zh" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            // Only return to a path on this site.
            let after_scheme = r.split_once("://").map(|(_, rest)| rest).unwrap_or(r);
            after_scheme
                .find('/')
                .map(|i| after_scheme[i..].to_string())
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.contains('\\'))
        .unwrap_or_else(|| "/".into());
    super::redirect_with_cookies(
        &back,
        vec![set_cookie(
            LANG_COOKIE,
            lang,
            Some(365 * 86400),
            state.config.secure_cookies,
        )],
    )
}
