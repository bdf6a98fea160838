//! The coordination mechanism's pages (SPEC §1 R1.1; issue #8): data-sharing arrangements are
//! recorded on the district page (`/districts/{code}`), each has its own page with its
//! deliveries (imports linked to it), and can be ended with confirmation.

use super::{CsrfForm, FormErrors, PageCtx, flash_key, render, require_confirm, see_other};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use ipfin_store::coordination::{Arrangement, NewArrangement};
use ipfin_store::import::ImportRecord;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ArrangementForm {
    provider_org_id: String,
    dataset: String,
    frequency: String,
    provenance: String,
    starts_on: String,
    note: Option<String>,
}

/// Records an arrangement from the district page; a refused form is shown again with the
/// error beside its field, nothing stored.
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    form: CsrfForm<ArrangementForm>,
) -> AppResult<Response> {
    if !actor.scope.reads_district(&code) {
        return Err(AppError::not_found());
    }
    let f = &form.data;
    let starts_on = match f.starts_on.trim() {
        "" => Ok(None),
        s => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                AppError::invalid(ipfin_domain::FieldError::new(
                    "starts_on",
                    "date.format",
                    "开始日期格式应为 YYYY-MM-DD，例如 2026-07-01。",
                    "The start date must be YYYY-MM-DD, e.g. 2026-07-01.",
                ))
            }),
    };
    let result = match starts_on {
        Ok(starts_on) => state
            .store
            .create_arrangement(
                &actor.scope,
                actor.audit_actor(),
                &code,
                NewArrangement {
                    provider_org_id: f.provider_org_id.trim().parse().ok(),
                    dataset: Some(f.dataset.clone()),
                    frequency: Some(f.frequency.clone()),
                    provenance: f.provenance.clone(),
                    note: f.note.clone(),
                    starts_on,
                    recipients: form
                        .all("recipients")
                        .iter()
                        .filter_map(|r| r.trim().parse().ok())
                        .collect(),
                },
            )
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(see_other(
            &format!("/districts/{code}/sharing/{id}"),
            "created",
        )),
        Err(e) if e.field.is_some() => {
            let page = super::org::district_page(
                &state,
                &actor,
                &code,
                FormErrors::from_error(&e, actor.lang),
                None,
            )
            .await?;
            Ok(render(e.status, &page))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "sharing.html")]
struct SharingPage {
    ctx: PageCtx,
    district_name: String,
    a: Arrangement,
    deliveries: Vec<ImportRecord>,
    can_manage: bool,
    errors: FormErrors,
}

impl SharingPage {
    fn overdue_days(&self) -> Option<i64> {
        match self.a.state {
            ipfin_domain::coordination::DeliveryState::Overdue { days, .. } => Some(days),
            _ => None,
        }
    }
    fn due(&self) -> Option<chrono::NaiveDate> {
        match self.a.state {
            ipfin_domain::coordination::DeliveryState::Overdue { due, .. }
            | ipfin_domain::coordination::DeliveryState::OnTime { due } => Some(due),
            ipfin_domain::coordination::DeliveryState::Ended => None,
        }
    }
}

async fn sharing_page(
    state: &AppState,
    actor: &Actor,
    code: &str,
    id: &str,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<SharingPage> {
    let id = crate::http::path_id(id)?;
    let a = state
        .store
        .arrangement(&actor.scope, code, id, ipfin_store::today_shanghai())
        .await?;
    let deliveries = state.store.deliveries(&actor.scope, code, id).await?;
    let district_name = state.store.district(code).await?.name;
    Ok(SharingPage {
        ctx: PageCtx::new(actor, state, &format!("/districts/{code}/sharing/{id}"))
            .with_flash(flash),
        can_manage: actor
            .scope
            .manages_kind_in(ipfin_domain::OrgKind::Department, Some(code))
            && a.ended_on.is_none(),
        district_name,
        a,
        deliveries,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path((code, id)): Path<(String, String)>,
    Query(q): Query<super::ListQuery>,
) -> AppResult<Response> {
    let page = sharing_page(
        &state,
        &actor,
        &code,
        &id,
        FormErrors::default(),
        flash_key(&q.ok),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndForm {
    confirm: Option<String>,
}

/// Ends an arrangement (irreversible: the confirmation box).
pub async fn end(
    State(state): State<AppState>,
    actor: Actor,
    Path((code, id)): Path<(String, String)>,
    form: CsrfForm<EndForm>,
) -> AppResult<Response> {
    let page = sharing_page(&state, &actor, &code, &id, FormErrors::default(), None).await?;
    let result = match require_confirm(&form.data.confirm) {
        Ok(()) => state
            .store
            .end_arrangement(&actor.scope, actor.audit_actor(), &code, page.a.id)
            .await
            .map_err(AppError::from),
        Err(fe) => Err(AppError::invalid(fe)),
    };
    match result {
        Ok(()) => Ok(see_other(
            &format!("/districts/{code}/sharing/{}", page.a.id),
            "updated",
        )),
        Err(e) if e.field.is_some() || e.status == StatusCode::CONFLICT => {
            let page = SharingPage {
                errors: FormErrors::from_error(&e, actor.lang),
                ..page
            };
            Ok(render(e.status, &page))
        }
        Err(e) => Err(e),
    }
}
