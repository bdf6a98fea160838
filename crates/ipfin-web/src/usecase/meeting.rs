//! Quarterly working meetings (SPEC §1 R1.2; issue #8 item 2): the field readers and the issue
//! transition the pages and the API share.

use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::write;
use chrono::NaiveDate;
use ipfin_domain::FieldError;
use ipfin_domain::meeting::IssueStatus;

/// An ISO date of a body or form field.
pub fn date_field(field: &'static str, s: Option<&str>) -> AppResult<Option<NaiveDate>> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            AppError::invalid(FieldError::new(
                field,
                "date.invalid",
                format!("日期“{v}”格式不正确，请写作 YYYY-MM-DD。"),
                "Write the date as YYYY-MM-DD.",
            ))
        }),
    }
}

/// A status code of an issue.
pub fn status_param(s: &str) -> AppResult<IssueStatus> {
    IssueStatus::from_code(s.trim()).ok_or_else(|| {
        AppError::invalid(FieldError::new(
            "status",
            "issue.status",
            format!("状态“{s}”无效：可选 open、in_progress、resolved、escalated。"),
            "Unknown status: open, in_progress, resolved or escalated.",
        ))
    })
}

/// Moves an issue to the status named by its code (pages and API).
pub async fn move_issue(
    state: &AppState,
    actor: &Actor,
    issue_id: i64,
    status: &str,
    note: Option<String>,
) -> AppResult<()> {
    let to = status_param(status)?;
    write!(state, actor, |tx| state
        .store
        .move_issue(
            &mut tx,
            &actor.scope,
            actor.organisation_id(),
            issue_id,
            to,
            note.clone()
        )
        .await?)
}
