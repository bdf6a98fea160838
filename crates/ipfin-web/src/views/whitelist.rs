//! The whitelist on pages (issue #20 item 1): `/whitelist` with filters, paging, each entry's
//! evidence and the XLSX; the lead officers' form to add an enterprise by decision and, on each
//! decision, the form to take it back (with the reason and the confirmation).

use super::export::{export_page, export_rows, xlsx};
use super::{CsrfForm, FormErrors, PageCtx, flash_key, render, see_other};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::path_id;
use crate::usecase::whitelist::{
    self as uc, DecisionBody, WhitelistQuery, evidence_text, xlsx_rows,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use ipfin_domain::size::SizeClass;
use ipfin_domain::whitelist::EntrySource;
use ipfin_domain::{FieldError, Lang};
use ipfin_store::Paged;
use serde::Deserialize;

/// An entry as the page shows it.
pub struct Line {
    pub name: String,
    pub credit_code: String,
    pub district: String,
    pub size: &'static str,
    pub consent: bool,
    pub evidence: Vec<EvidenceLine>,
    pub listed_until: Option<NaiveDate>,
}

pub struct EvidenceLine {
    pub text: String,
    pub decision_id: Option<i64>,
}

/// The decision form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    pub credit_code: String,
    pub reason: String,
    pub valid_to: String,
}

#[derive(Template)]
#[template(path = "whitelist.html")]
struct ListPage {
    ctx: PageCtx,
    list: Paged<Line>,
    q: WhitelistQuery,
    tags: Vec<(String, String)>,
    sources: Vec<(&'static str, &'static str)>,
    sizes: Vec<(&'static str, &'static str)>,
    show_district: bool,
    manage: bool,
    export_link: String,
    prev: Option<String>,
    next: Option<String>,
    form: DecisionForm,
    errors: FormErrors,
}

impl ListPage {
    fn sel(&self, v: &Option<String>, code: &str) -> bool {
        v.as_deref() == Some(code)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    #[serde(flatten)]
    q: WhitelistQuery,
    ok: Option<String>,
}

/// `GET /whitelist`: the district's whitelist today (the city: all districts or one).
pub async fn index(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<ListParams>,
) -> AppResult<Response> {
    let flash = flash_key(&p.ok);
    page(
        &state,
        &actor,
        p.q,
        DecisionForm::default(),
        FormErrors::default(),
        flash,
    )
    .await
}

async fn page(
    state: &AppState,
    actor: &Actor,
    q: WhitelistQuery,
    form: DecisionForm,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<Response> {
    let lang = actor.lang;
    let list = uc::list(state, actor, &q, q.page()).await?;
    let qs = q.query_string();
    let base = "/whitelist";
    let link = |n: u64| format!("{base}?{qs}&page={n}");
    let prev = (list.page > 1).then(|| link(list.page - 1));
    let next = (list.page < list.pages()).then(|| link(list.page + 1));
    let manage = actor
        .scope
        .district()
        .is_some_and(|d| actor.scope.manages_district(d))
        && actor.user().is_some();
    let tags = state
        .store
        .tag_types(&actor.scope)
        .await?
        .into_iter()
        .map(|t| {
            let label = match lang {
                Lang::Zh => t.name_zh,
                Lang::En => t.name_en,
            };
            (t.code, label)
        })
        .collect();
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let p = ListPage {
        ctx: PageCtx::new(actor, state, base).with_flash(flash),
        list: Paged {
            items: list.items.iter().map(|e| line(e, lang)).collect(),
            total: list.total,
            capped: list.capped,
            page: list.page,
            per_page: list.per_page,
        },
        tags,
        sources: EntrySource::ALL
            .iter()
            .map(|s| (s.code(), s.label(lang)))
            .collect(),
        sizes: SizeClass::ALL
            .iter()
            .map(|s| (s.code(), s.label(lang)))
            .collect(),
        show_district: actor.scope.is_city(),
        manage,
        export_link: format!("/whitelist/export.xlsx?{qs}"),
        q,
        prev,
        next,
        form,
        errors,
    };
    Ok(render(status, &p))
}

fn line(e: &ipfin_store::whitelist::WhitelistEntry, lang: Lang) -> Line {
    Line {
        name: e.row.name.clone(),
        credit_code: e.row.credit_code.clone(),
        district: e.row.district_code.clone(),
        size: e
            .row
            .size_class
            .as_deref()
            .and_then(SizeClass::from_code)
            .map(|s| s.label(lang))
            .unwrap_or(""),
        consent: e.row.data_sharing_consent,
        evidence: e
            .evidence
            .iter()
            .map(|v| EvidenceLine {
                text: evidence_text(v, lang),
                decision_id: v.decision_id,
            })
            .collect(),
        listed_until: e.listed_until(),
    }
}

/// `GET /whitelist/export.xlsx`: the list's entries (same filters) with their evidence.
pub async fn export(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<WhitelistQuery>,
) -> AppResult<Response> {
    let items = export_rows(uc::list(&state, &actor, &q, export_page()).await?)?;
    let (headers, rows) = xlsx_rows(&items, actor.lang);
    xlsx(
        "白名单",
        &headers,
        &rows,
        &format!("whitelist-{}.xlsx", uc::today()),
    )
}

/// `POST /whitelist/decisions` (`credit_code`, `reason`, `valid_to`): a lead officer adds an
/// enterprise of the district by decision. Errors are shown beside the fields, with what was
/// typed.
pub async fn decide(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<DecisionForm>,
) -> AppResult<Response> {
    let f = form.data;
    let r: AppResult<i64> = async {
        let valid_to = match f.valid_to.trim() {
            "" => None,
            v => Some(NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                AppError::invalid(FieldError::new(
                    "valid_to",
                    "form.date",
                    "有效期至应为日期，例如 2027-12-31。",
                    "The end date must be a date, e.g. 2027-12-31.",
                ))
            })?),
        };
        let b = DecisionBody {
            credit_code: f.credit_code.clone(),
            reason: f.reason.clone(),
            valid_to,
        };
        uc::decide(&state, &actor, &b).await
    }
    .await;
    match r {
        Ok(_) => Ok(see_other("/whitelist?source=decision", "created")),
        Err(e)
            if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT =>
        {
            let errors = FormErrors::from_error(&e, actor.lang);
            page(&state, &actor, WhitelistQuery::default(), f, errors, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemoveForm {
    pub reason: String,
    pub confirm: String,
}

/// `POST /whitelist/decisions/{decision_id}/remove` (`reason`, `confirm=yes`): takes a
/// decision back.
pub async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<RemoveForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    // Someone else's decision is not found whatever the form holds.
    state
        .store
        .whitelist_decision_seen(&actor.scope, id)
        .await?;
    let f = form.data;
    let r = if f.confirm != "yes" {
        Err(AppError::invalid(FieldError::new(
            "confirm",
            "form.confirm",
            "请勾选确认后再移出。",
            "Tick the confirmation to remove.",
        )))
    } else {
        uc::remove(&state, &actor, id, &f.reason).await
    };
    match r {
        Ok(()) => Ok(see_other("/whitelist", "updated")),
        // The list again, with the problem in its summary (the removal forms sit in the rows).
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = FormErrors::from_error(&e, actor.lang);
            page(
                &state,
                &actor,
                WhitelistQuery::default(),
                DecisionForm::default(),
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
