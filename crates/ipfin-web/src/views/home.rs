//! The public landing page, each role's home page (to-do list, notifications, key figures),
//! and the language switch.

use super::{PageCtx, flash_key, render};
use crate::AppState;
use crate::actor::{Actor, LANG_COOKIE, set_cookie};
use crate::error::AppResult;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use ipfin_domain::OrgKind;
use ipfin_domain::visibility::{Party, Reach, Records};
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

/// One to-do item: what awaits this person, with a link to do it.
#[derive(Debug, Clone)]
pub struct Todo {
    pub text: String,
    pub href: String,
}

/// One key figure on the home page.
#[derive(Debug, Clone)]
pub struct Figure {
    pub label: &'static str,
    pub value: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    ctx: PageCtx,
    role_names: String,
    scope_name: String,
    todos: Vec<Todo>,
    figures: Vec<Figure>,
    notifications: Vec<ipfin_store::application::Notification>,
    /// The district's policy-year budgets (issue #18 item 5).
    budgets: Vec<crate::usecase::payment::PolicyBudget>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct HomeQuery {
    ok: Option<String>,
}

pub async fn home(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<HomeQuery>,
) -> AppResult<Response> {
    let ctx = PageCtx::new(&actor, &state, "/home").with_flash(flash_key(&q.ok));
    let t = ctx.t;
    let s = &state.store;
    let scope = &actor.scope;
    let mut todos = Vec::new();
    let mut figures = Vec::new();
    // One query for every count on this page.
    let counts = s.scope_counts(scope).await?;
    let orgs_of = |k: OrgKind| {
        counts
            .iter()
            .filter(|c| c.kind == k.code())
            .map(|c| c.orgs)
            .sum::<i64>()
    };
    let users: i64 = counts.iter().map(|c| c.users).sum();
    let scope_name = if scope.is_city() {
        let districts = s.districts().await?;
        for d in districts.iter().filter(|d| d.lead_org_id.is_none()) {
            todos.push(Todo {
                text: t.s("todo.designate_lead").replace("{district}", &d.name),
                href: format!("/districts/{}", d.code),
            });
        }
        figures.push(Figure {
            label: t.s("fig.districts"),
            value: districts.len().to_string(),
            href: "/districts".into(),
        });
        figures.push(Figure {
            label: t.s("fig.districts_without_lead"),
            value: districts
                .iter()
                .filter(|d| d.lead_org_id.is_none())
                .count()
                .to_string(),
            href: "/districts".into(),
        });
        figures.push(Figure {
            label: t.s("fig.institutions"),
            value: orgs_of(OrgKind::FinancialInstitution).to_string(),
            href: "/orgs?kind=financial_institution".into(),
        });
        figures.push(Figure {
            label: t.s("fig.users"),
            value: users.to_string(),
            href: "/users".into(),
        });
        t.s("home.scope_city").to_string()
    } else if scope.district().is_some() {
        if scope.lead_district().is_some() {
            for o in s.orgs_without_contacts(scope, OrgKind::Department).await? {
                todos.push(Todo {
                    text: t.s("todo.add_contact").replace("{org}", &o.name),
                    href: format!("/orgs/{}", o.id),
                });
            }
        }
        figures.push(Figure {
            label: t.s("fig.departments"),
            value: orgs_of(OrgKind::Department).to_string(),
            href: "/orgs?kind=department".into(),
        });
        figures.push(Figure {
            label: t.s("fig.users"),
            value: users.to_string(),
            href: "/users".into(),
        });
        actor
            .user()
            .and_then(|u| u.district_name.clone())
            .unwrap_or_default()
    } else if let Some(org_id) = scope.organisation() {
        let tokens = s.api_tokens(scope).await?;
        let active = tokens.iter().filter(|t| t.revoked_at.is_none()).count();
        if scope.org_kind() == Some(OrgKind::FinancialInstitution) && active == 0 {
            todos.push(Todo {
                text: t.s("todo.create_token").into(),
                href: "/tokens".into(),
            });
        }
        figures.push(Figure {
            label: t.s("fig.org_users"),
            value: users.to_string(),
            href: format!("/orgs/{org_id}"),
        });
        figures.push(Figure {
            label: t.s("fig.active_tokens"),
            value: active.to_string(),
            href: "/tokens".into(),
        });
        actor.user().map(|u| u.org_name.clone()).unwrap_or_default()
    } else {
        String::new()
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
    // Applications awaiting the caller: the officers' queue, the applicant's returned ones.
    let applicant = matches!(
        scope.reach(Records::Applications),
        Reach::Party(Party::Applicant, _)
    );
    let waiting: i64 = s
        .application_queue(scope)
        .await?
        .iter()
        .filter(|c| {
            if scope.lead_district().is_some() {
                matches!(
                    c.state.as_str(),
                    "submitted" | "accepted" | "reviewed" | "granted"
                )
            } else {
                applicant && c.state == "returned"
            }
        })
        .map(|c| c.count)
        .sum();
    if waiting > 0 {
        todos.push(Todo {
            text: format!("{} {waiting}", t.s("todo.applications")),
            href: "/applications".into(),
        });
    }
    // Four eyes (issue #18 item 3): requests of the district a second person may confirm.
    let awaiting = s
        .confirmations_awaiting(scope, actor.user().map(|u| u.user_id.get()))
        .await?;
    if awaiting > 0 {
        todos.push(Todo {
            text: format!("{} {awaiting}", t.s("todo.confirmations")),
            href: "/confirmations".into(),
        });
    }
    // Meetings (issue #8): work reports awaiting the caller's organisation.
    for m in s.reports_due(scope, actor.organisation_id()).await? {
        todos.push(Todo {
            text: t.s("todo.meeting_report").replace("{meeting}", &m.title),
            href: format!("/meetings/{}#reports", m.id),
        });
    }
    // Push to banks (issue #20): a bank's enterprises awaiting first contact, overdue first.
    if scope.org_kind() == Some(ipfin_domain::OrgKind::FinancialInstitution) {
        let (awaiting, overdue) = crate::usecase::push::awaiting_contact(&state, &actor).await?;
        if overdue > 0 {
            todos.push(Todo {
                text: format!("{} {overdue}", t.s("todo.pushed_overdue")),
                href: "/pushed?awaiting_contact=true".into(),
            });
        }
        if awaiting > overdue {
            todos.push(Todo {
                text: format!("{} {}", t.s("todo.pushed_awaiting"), awaiting - overdue),
                href: "/pushed?awaiting_contact=true".into(),
            });
        }
    }
    // The district's pushes whose first contact is overdue (its lead officers).
    let overdue = s
        .overdue_first_contacts(scope, crate::usecase::push::today())
        .await?;
    if overdue > 0 {
        todos.push(Todo {
            text: format!("{} {overdue}", t.s("todo.push_overdue_district")),
            href: "/push".into(),
        });
    }
    // Payments and budgets (issue #18 items 4 and 5).
    let (payment_todos, budgets) = crate::usecase::payment::home(&state, &actor).await?;
    todos.extend(
        payment_todos
            .into_iter()
            .map(|(text, href)| Todo { text, href }),
    );
    // Service stations (issue #21): bookings, the week's visits, ratings awaited.
    todos.extend(
        crate::usecase::station::home(&state, &actor)
            .await?
            .into_iter()
            .map(|(text, href)| Todo { text, href }),
    );
    let notifications = s
        .notifications_for(scope, actor.organisation_id(), 10)
        .await?;
    Ok(render(
        StatusCode::OK,
        &Home {
            ctx,
            role_names,
            scope_name,
            todos,
            figures,
            notifications,
            budgets,
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
