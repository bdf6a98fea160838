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

#[derive(Template)]
#[template(path = "enterprise_size.html")]
struct EnterpriseSizePage {
    ctx: PageCtx,
    form: SizeForm,
    errors: super::FormErrors,
    result: Option<ipfin_domain::size::Classification>,
}

impl EnterpriseSizePage {
    fn class_label(&self) -> &'static str {
        self.result
            .as_ref()
            .map(|c| c.class.label(self.ctx.lang))
            .unwrap_or("")
    }
    fn explanation(&self) -> &str {
        self.result
            .as_ref()
            .map(|c| c.explanation(self.ctx.lang))
            .unwrap_or("")
    }
}

/// The size-classifier form: amounts in 万元 as people write them.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct SizeForm {
    industry: String,
    employees: String,
    revenue_wan: String,
    assets_wan: String,
}

fn parse_field<T>(
    value: &str,
    field: &'static str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, ipfin_domain::FieldError> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    parse(value).map(Some).ok_or_else(|| {
        ipfin_domain::FieldError::new(
            field,
            "number.format",
            "请填写不小于 0 的数字（金额以万元为单位，最多 6 位小数）。",
            "Enter a number of at least 0 (amounts in 10,000 yuan, at most 6 decimals).",
        )
    })
}

pub async fn enterprise_size_page(
    State(state): State<AppState>,
    actor: Actor,
    Query(f): Query<SizeForm>,
) -> Response {
    let ctx = PageCtx::new(&actor, &state, "/tools/enterprise-size");
    if f.industry.trim().is_empty() {
        return render(
            StatusCode::OK,
            &EnterpriseSizePage {
                ctx,
                form: f,
                errors: Default::default(),
                result: None,
            },
        );
    }
    let wan = |s: &str| ipfin_domain::money::parse_amount(s, 1_000_000).map(ipfin_domain::Fen::new);
    // Every field is read even when an earlier one is wrong: all problems show at once.
    let mut problems = ipfin_domain::FieldErrors::default();
    let employees = problems.take(parse_field(&f.employees, "employees", |s| {
        ipfin_domain::money::parse_amount(s, 1)
    }));
    let revenue = problems.take(parse_field(&f.revenue_wan, "revenue_wan", wan));
    let assets = problems.take(parse_field(&f.assets_wan, "assets_wan", wan));
    let parsed = match (employees, revenue, assets, problems.finish()) {
        (Some(employees), Some(operating_revenue_fen), Some(total_assets_fen), Ok(())) => {
            ipfin_domain::size::classify(
                ipfin_domain::size::standard_2011(),
                &ipfin_domain::size::SizeInput {
                    industry: f.industry.clone(),
                    employees,
                    operating_revenue_fen,
                    total_assets_fen,
                },
            )
            .map_err(|e| vec![e])
        }
        (.., Err(errors)) => Err(errors),
        _ => Err(vec![]),
    };
    match parsed {
        Ok(c) => render(
            StatusCode::OK,
            &EnterpriseSizePage {
                ctx,
                form: f,
                errors: Default::default(),
                result: Some(c),
            },
        ),
        Err(mut errors) => {
            // The form asks for amounts in 万元; name its own fields.
            for e in &mut errors {
                e.field = match e.field {
                    "operating_revenue_fen" => "revenue_wan",
                    "total_assets_fen" => "assets_wan",
                    other => other,
                };
            }
            let errors = super::FormErrors::from_fields(&errors, actor.lang);
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &EnterpriseSizePage {
                    ctx,
                    form: f,
                    errors,
                    result: None,
                },
            )
        }
    }
}
