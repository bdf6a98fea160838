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

#[derive(Template)]
#[template(path = "patent_number.html")]
struct PatentNumberPage {
    ctx: PageCtx,
    number: String,
    result: Option<ipfin_domain::ip_number::PatentCheck>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NumberQuery {
    number: Option<String>,
}

impl PatentNumberPage {
    fn kind_label(&self) -> &'static str {
        match self.result.as_ref().and_then(|r| r.number.as_ref()) {
            Some(n) => match self.ctx.lang {
                ipfin_domain::Lang::Zh => n.kind.zh(),
                ipfin_domain::Lang::En => n.kind.code(),
            },
            None => "",
        }
    }
}

pub async fn patent_number_page(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<NumberQuery>,
) -> Response {
    let number = q.number.unwrap_or_default();
    let result =
        (!number.trim().is_empty()).then(|| ipfin_domain::ip_number::check_patent(&number));
    let ctx = PageCtx::new(&actor, &state, "/tools/patent-number");
    let status = if result.as_ref().is_some_and(|r| r.number.is_none()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &PatentNumberPage {
            ctx,
            number,
            result,
        },
    )
}
