//! Applications (issue #6): the actions officers and applicants take on an application and
//! the policy simulation over past applications, the one function behind the API and the page
//! forms for each.

use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::write;
use chrono::NaiveDate;
use ipfin_domain::FieldError;
use ipfin_domain::application::Action;
use ipfin_store::application::ItemDecision;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An action on an application.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// withdraw (applicant); accept, return, decide_differences, pass, return_internal,
    /// not_accept, reject, disburse, supervise, clear, clawback, recovered (officers)
    pub action: String,
    #[serde(default)]
    pub comment: String,
    /// return: what to supplement; return_internal, not_accept, reject, clear, clawback: the
    /// reason.
    #[serde(default)]
    pub note: String,
    /// return: the supplement deadline; disburse: the payment date; recovered: the date.
    #[serde(default)]
    pub date: Option<NaiveDate>,
    /// pass: the approved amount per item (omitted items keep their amount).
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ItemDecision>,
    /// disburse, clawback: the amount in fen.
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub amount_fen: Option<ipfin_domain::Fen>,
    /// disburse: the payment reference.
    #[serde(default)]
    pub reference: String,
    /// recovered: which clawback.
    #[serde(default)]
    pub clawback_id: Option<i64>,
    /// decide_differences: the officer's decision on each difference between stated and
    /// reported figures (line, field, choice keep_reported | accept_stated, reason,
    /// evidence_file_id for accept_stated).
    #[serde(default)]
    pub decisions: Vec<DecisionBody>,
}

/// The officer's decision on one difference between a stated and a reported figure.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// The loan line (0-based), as in `differences[].line`.
    pub line: usize,
    /// The compared field, as in `differences[].field` (e.g. `principal_fen`).
    pub field: String,
    /// `keep_reported` or `accept_stated`.
    pub choice: String,
    /// 2–500 characters.
    #[serde(default)]
    pub reason: String,
    /// Required for `accept_stated`: one of the application's files (`files[].id`).
    #[serde(default)]
    pub evidence_file_id: Option<i64>,
}

impl DecisionBody {
    fn into_input(self, k: usize) -> AppResult<ipfin_domain::application::figures::DecisionInput> {
        use ipfin_domain::application::figures::{Choice, DecisionInput};
        let choice = Choice::from_code(self.choice.trim()).ok_or_else(|| AppError {
            status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            msg: ipfin_domain::Msg::new(
                "difference.choice",
                format!("第 {} 项认定：请选择采用报送数（keep_reported）或采用申报数（accept_stated）。", k + 1),
                "Choose keep_reported or accept_stated.",
            ),
            field: None,
            path: Some(format!("decisions[{k}].choice")),
            problems: None,
        })?;
        Ok(DecisionInput {
            line: self.line,
            field: self.field,
            choice,
            reason: self.reason,
            evidence_file_id: self.evidence_file_id,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionResult {
    pub state: String,
    /// accept: differences with the banks' reports; supervise: findings.
    #[schema(value_type = Vec<Object>)]
    pub notes: Vec<serde_json::Value>,
    /// disburse, clawback: the four-eyes request prepared (answered with 202); the step is
    /// done when a second person of the lead department confirms it
    /// (`POST /api/v1/confirmations/{id}/confirm`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmation_id: Option<i64>,
}

fn required_date(d: Option<NaiveDate>) -> AppResult<NaiveDate> {
    d.ok_or_else(|| {
        AppError::invalid(FieldError::new(
            "date",
            "action.date",
            "请填写日期（YYYY-MM-DD）。",
            "Enter the date (YYYY-MM-DD).",
        ))
    })
}

/// Runs an action (the one function behind the API and the page forms).
pub async fn run_action(
    state: &AppState,
    actor: &Actor,
    app_id: i64,
    b: ActionBody,
) -> AppResult<ActionResult> {
    let s = &state.store;
    let scope = &actor.scope;
    let today = ipfin_store::today_shanghai();
    let mut notes: Vec<serde_json::Value> = Vec::new();
    let mut confirmation_id = None;
    match b.action.as_str() {
        "withdraw" => write!(state, actor, |tx| s
            .withdraw_application(&mut tx, scope, app_id)
            .await?)?,
        "accept" => {
            let d = write!(state, actor, |tx| s
                .accept_application(&mut tx, scope, app_id, &b.comment)
                .await?)?;
            notes = d
                .iter()
                .filter_map(|x| serde_json::to_value(x).ok())
                .collect();
        }
        "return" => {
            let deadline = required_date(b.date)?;
            write!(state, actor, |tx| s
                .return_application(&mut tx, scope, app_id, &b.note, deadline, today)
                .await?)?
        }
        "decide_differences" => {
            let decisions = b
                .decisions
                .into_iter()
                .enumerate()
                .map(|(k, d)| d.into_input(k))
                .collect::<AppResult<Vec<_>>>()?;
            let d = write!(state, actor, |tx| s
                .decide_differences(&mut tx, scope, app_id, &decisions)
                .await?)?;
            notes = d
                .iter()
                .filter_map(|x| serde_json::to_value(x).ok())
                .collect();
        }
        "return_internal" => write!(state, actor, |tx| s
            .return_internal(&mut tx, scope, app_id, &b.note)
            .await?)?,
        "not_accept" => write!(state, actor, |tx| s
            .refuse_application(&mut tx, scope, app_id, Action::NotAccept, &b.note)
            .await?)?,
        "reject" => write!(state, actor, |tx| s
            .refuse_application(&mut tx, scope, app_id, Action::Reject, &b.note)
            .await?)?,
        "pass" => {
            write!(state, actor, |tx| s
                .pass_review(&mut tx, scope, app_id, &b.items, &b.comment)
                .await?)?;
        }
        "disburse" => {
            // Four eyes (issue #18 item 3): prepared here, done when a second person confirms.
            let on = required_date(b.date)?;
            let c = write!(state, actor, |tx| s
                .prepare_disbursement(
                    &mut tx,
                    scope,
                    app_id,
                    on,
                    b.amount_fen.unwrap_or_default(),
                    &b.reference
                )
                .await?)?;
            confirmation_id = Some(c.id);
        }
        "supervise" => {
            let f = write!(state, actor, |tx| s
                .run_supervision(&mut tx, scope, app_id)
                .await?)?;
            notes = f.into_iter().map(serde_json::Value::String).collect();
        }
        "clear" => write!(state, actor, |tx| s
            .clear_investigation(&mut tx, scope, app_id, &b.note)
            .await?)?,
        "clawback" => {
            let amount = b.amount_fen.unwrap_or_default();
            let c = write!(state, actor, |tx| s
                .prepare_clawback(&mut tx, scope, app_id, amount, &b.note)
                .await?)?;
            confirmation_id = Some(c.id);
        }
        "recovered" => {
            let on = required_date(b.date)?;
            let cid = b.clawback_id.unwrap_or(0);
            write!(state, actor, |tx| s
                .clawback_recovered(&mut tx, scope, app_id, cid, on)
                .await?)?
        }
        other => {
            return Err(AppError::invalid(FieldError::new(
                "action",
                "action.unknown",
                format!("不支持的操作“{other}”。"),
                "Unknown action.",
            )));
        }
    }
    let d = s.application(scope, app_id).await?;
    Ok(ActionResult {
        state: d.row.state.to_string(),
        notes,
        confirmation_id,
    })
}

/// The simulation of a policy version over past applications (the district's own; the
/// city's: every district's).
pub async fn run_simulation(
    state: &AppState,
    actor: &Actor,
    version_id: i64,
    year: Option<i32>,
) -> AppResult<(
    ipfin_store::policy::PolicyVersionRow,
    i32,
    ipfin_domain::policy::simulate::Simulation,
)> {
    let v = state.store.policy_version(&actor.scope, version_id).await?;
    let doc = v.doc()?;
    let year = year.unwrap_or(doc.year);
    let past = state.store.simulation_inputs(&actor.scope, year).await?;
    let lpr = state.store.lpr_table().await?;
    let sim = ipfin_domain::policy::simulate::simulate(&doc.rules, doc.budget, &lpr, &past);
    Ok((v, year, sim))
}

/// The limits on anonymous objections, checked before the body is read: `Some` 429 response
/// (in the caller's language, with `Retry-After`) when the caller's address or the notice has
/// reached its limit for the window, `None` when one more objection may be lodged.
pub async fn objection_limit(
    state: &AppState,
    actor: &Actor,
    notice_id: i64,
) -> AppResult<Option<axum::response::Response>> {
    use axum::response::IntoResponse;
    let refusal = state
        .store
        .objection_refusal(
            notice_id,
            actor.ip.as_deref(),
            &state.config.objection_limits,
            ipfin_store::now_s(),
        )
        .await?;
    Ok(refusal.map(|(reached, wait)| {
        let mut resp = AppError {
            status: axum::http::StatusCode::TOO_MANY_REQUESTS,
            msg: ipfin_domain::application::objection::too_many(reached, wait),
            field: None,
            path: None,
            problems: None,
        }
        .into_response();
        resp.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, wait.into());
        resp
    }))
}
