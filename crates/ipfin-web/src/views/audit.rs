//! The audit log for the city: newest events and the result of verifying the SM3 chain.

use super::{ListQuery, PageCtx, render};
use crate::AppState;
use crate::actor::Actor;
use crate::error::AppResult;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use ipfin_store::Paged;
use ipfin_store::audit::{AuditRow, Verification};

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    ctx: PageCtx,
    events: Paged<AuditRow>,
    verification: String,
    intact: bool,
    prev: Option<String>,
    next: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let events = state.store.audit_list(None, q.page()).await?;
    let ctx = PageCtx::new(&actor, &state, "/audit");
    let (verification, intact) = match state.store.audit_verify().await? {
        Verification::Intact { events } => (
            ctx.t.s("audit.intact").replace("{n}", &events.to_string()),
            true,
        ),
        Verification::Broken(b) => (b.to_string(), false),
    };
    let prev = (events.page > 1).then(|| format!("/audit?page={}", events.page - 1));
    let next = (events.page < events.pages()).then(|| format!("/audit?page={}", events.page + 1));
    Ok(render(
        StatusCode::OK,
        &AuditPage {
            ctx,
            events,
            verification,
            intact,
            prev,
            next,
        },
    ))
}

impl AuditPage {
    fn at(&self, us: &i64) -> String {
        self.ctx.datetime(&(us / 1_000_000))
    }
}
