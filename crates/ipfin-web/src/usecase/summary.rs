//! District summaries and information reporting (SPEC §8 R4.4; issue #8 item 4): a district's
//! summaries of a period with the figures proposal, saving a draft, submitting (revisions),
//! the city's information requests and the district's answers, for the pages and the API.

use super::stats::{last_ended_quarter, today};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::write;
use axum::body::Bytes;
use chrono::NaiveDate;
use ipfin_domain::summary::{Figures, Period, Sections, results_text};
use ipfin_domain::{FieldError, Scope};
use ipfin_store::summary::{PeriodSummaries, Submitted};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `?period=2026Q3` or `?period=2026` (default: the last quarter that has ended).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct PeriodQuery {
    pub period: Option<String>,
}

impl PeriodQuery {
    pub fn period(&self) -> AppResult<Period> {
        match self
            .period
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(Period::Quarter(last_ended_quarter())),
            Some(s) => Period::parse(s).map_err(|m| {
                AppError::invalid(FieldError {
                    field: "period",
                    msg: m,
                })
            }),
        }
    }
}

/// 404 unless the caller sees the district's internal records (the city, its own departments).
pub fn district_in_scope(actor: &Actor, code: &str) -> AppResult<()> {
    if actor.scope.reads_district(code) {
        Ok(())
    } else {
        Err(AppError::not_found())
    }
}

/// The results section as the statistics propose it now, with the figures it comes from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Proposal {
    #[schema(value_type = Object)]
    pub figures: Figures,
    pub results: String,
}

pub async fn proposal(
    state: &AppState,
    scope: &Scope,
    code: &str,
    period: Period,
) -> AppResult<Proposal> {
    let figures = state.store.summary_figures(scope, code, period).await?;
    Ok(Proposal {
        results: results_text(period, &figures),
        figures,
    })
}

/// A district's summaries of a period; for its lead officers also the current proposal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodView {
    #[schema(value_type = Object)]
    pub summaries: PeriodSummaries,
    pub proposal: Option<Proposal>,
}

pub async fn period_view(
    state: &AppState,
    actor: &Actor,
    code: &str,
    period: Period,
) -> AppResult<PeriodView> {
    district_in_scope(actor, code)?;
    let summaries = state
        .store
        .period_summaries(&actor.scope, code, period)
        .await?;
    let proposal = if actor.scope.leads_district(code) {
        Some(proposal(state, &actor.scope, code, period).await?)
    } else {
        None
    };
    Ok(PeriodView {
        summaries,
        proposal,
    })
}

/// Saves the draft (figures read before the write transaction opens).
pub async fn save_draft(
    state: &AppState,
    actor: &Actor,
    code: &str,
    period: Period,
    sections: &Sections,
    refresh: bool,
) -> AppResult<i64> {
    district_in_scope(actor, code)?;
    let figures = state
        .store
        .summary_figures(&actor.scope, code, period)
        .await?;
    write!(state, actor, |tx| state
        .store
        .save_summary_draft(
            &mut tx,
            &actor.scope,
            code,
            period,
            today(),
            sections,
            &figures,
            refresh
        )
        .await?)
}

/// Submits the sections given (or the draft) as the next revision.
pub async fn submit(
    state: &AppState,
    actor: &Actor,
    code: &str,
    period: Period,
    sections: Option<&Sections>,
    confirm: bool,
) -> AppResult<Submitted> {
    district_in_scope(actor, code)?;
    let figures = state
        .store
        .summary_figures(&actor.scope, code, period)
        .await?;
    write!(state, actor, |tx| state
        .store
        .submit_summary(
            &mut tx,
            &actor.scope,
            code,
            period,
            today(),
            sections,
            &figures,
            confirm
        )
        .await?)
}

/// Records an information request of the city.
pub async fn request_info(
    state: &AppState,
    actor: &Actor,
    code: &str,
    period: Period,
    text: &str,
    due_on: &str,
) -> AppResult<i64> {
    district_in_scope(actor, code)?;
    let due = parse_due(due_on)?;
    write!(state, actor, |tx| state
        .store
        .request_summary_info(&mut tx, &actor.scope, code, period, text, due, today())
        .await?)
}

pub fn parse_due(s: &str) -> AppResult<NaiveDate> {
    s.trim().parse().map_err(|_| {
        AppError::invalid(FieldError::new(
            "due_on",
            "summary.due_date",
            "报送期限请填写 YYYY-MM-DD 格式的日期，例如 2026-12-15。",
            "Enter the due date as YYYY-MM-DD.",
        ))
    })
}

/// Records the district's answer to a request.
pub async fn answer(
    state: &AppState,
    actor: &Actor,
    request_id: i64,
    text: &str,
    file: Option<(String, Bytes)>,
) -> AppResult<()> {
    state
        .store
        .summary_request(&actor.scope, request_id)
        .await?;
    write!(state, actor, |tx| state
        .store
        .answer_summary_request(
            &mut tx,
            &actor.scope,
            request_id,
            text,
            file.as_ref().map(|(n, b)| (n.as_str(), b.clone()))
        )
        .await?)
}
