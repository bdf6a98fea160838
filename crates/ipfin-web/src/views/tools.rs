//! Public tools: the unified social credit code checker (works on submit without JavaScript,
//! and as the user types with it).

use super::{PageCtx, render};
use crate::AppState;
use crate::actor::Actor;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use ipfin_domain::credit_code::{CreditCodeCheck, authority_name, check, entity_type_name};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "credit_code.html")]
struct CreditCodePage {
    ctx: PageCtx,
    code: String,
    result: Option<CreditCodeCheck>,
    authority: String,
    entity_type: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeQuery {
    code: Option<String>,
}

pub async fn credit_code_page(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<CodeQuery>,
) -> Response {
    let code = q.code.unwrap_or_default();
    let result = (!code.trim().is_empty()).then(|| check(&code));
    let (authority, entity_type) = match result.as_ref().and_then(|r| r.code.as_ref()) {
        Some(c) => (
            authority_name(c.registration_authority())
                .unwrap_or("—")
                .to_string(),
            entity_type_name(c.registration_authority(), c.entity_type())
                .unwrap_or("—")
                .to_string(),
        ),
        None => (String::new(), String::new()),
    };
    let ctx = PageCtx::new(&actor, &state, "/tools/credit-code");
    let status = if result.as_ref().is_some_and(|r| !r.is_valid()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &CreditCodePage {
            ctx,
            code,
            result,
            authority,
            entity_type,
        },
    )
}
