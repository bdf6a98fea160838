//! Policies (issue #4): the public subsidy calculator and the policy conformance of each
//! district, shared by the API and the pages.

use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use ipfin_domain::policy::calculate;
use ipfin_domain::policy::input::{CalculatorInput, calculator_input};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The calculator's request, as documented in OpenAPI. The body is read field by field by
/// [`read_calculator`] so that every problem is reported at once, in Chinese, with its path.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalculatorBody {
    /// A published policy version.
    pub policy_version_id: i64,
    /// large, medium, small or micro.
    pub class: String,
    /// Fen, 0 to 10^14.
    #[serde(default)]
    pub operating_revenue_fen: Option<i64>,
    /// Already granted or reserved within the enterprise's cap period (fen, 0 to 10^14).
    #[serde(default)]
    pub enterprise_used_fen: i64,
    /// Each: reference, principal_fen (1 to 10^14), secured_amount_fen?, ip_share
    /// ({kind: sole} | {kind: ratio, ratio: "0.6"} above 0 | {kind: amount, amount_fen} at most
    /// the principal), ip_kind, start, end (YYYY-MM-DD), annual_rate ("0.0345"), and the fees
    /// paid in fen (interest_paid_fen, evaluation_fee_fen, guarantee_fee_fen, insurance_fee_fen).
    #[schema(value_type = Vec<Object>)]
    pub loans: Vec<serde_json::Value>,
}

/// Reads a calculator request from JSON: every problem at once (422, `errors` lists each with
/// its JSON path), in Chinese.
pub fn read_calculator(v: &serde_json::Value) -> AppResult<CalculatorInput> {
    calculator_input(v).map_err(|list| AppError::from(ipfin_store::StoreError::Problems(list)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalculatorStep {
    pub rule: String,
    /// The step in the caller's language (Chinese).
    pub text: String,
    pub amount_fen: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalculatorItem {
    /// interest, evaluation, guarantee or insurance.
    pub item: String,
    pub name: String,
    pub amount_fen: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalculatorResult {
    pub policy_version_id: i64,
    pub eligible: bool,
    pub total_fen: i64,
    pub items: Vec<CalculatorItem>,
    pub steps: Vec<CalculatorStep>,
}

/// The calculator, shared by the API and the public page.
pub async fn run_calculator(
    state: &AppState,
    input: CalculatorInput,
) -> AppResult<CalculatorResult> {
    let unpublished = || {
        AppError::invalid(ipfin_domain::FieldError::new(
            "policy_version_id",
            "policy.unpublished",
            "请选择一个已发布的政策版本。",
            "Choose a published policy version.",
        ))
    };
    let v = state
        .store
        .policy_version(&ipfin_domain::Scope::Public, input.policy_version_id)
        .await
        .map_err(|_| unpublished())?;
    if v.status != "published" {
        return Err(unpublished());
    }
    let doc = v.doc()?;
    let lpr = state.store.lpr_table().await?;
    let c = calculate(&doc.rules, &lpr, &input.application).map_err(|m| {
        AppError::invalid(ipfin_domain::FieldError {
            field: "loans",
            msg: m,
        })
    })?;
    Ok(CalculatorResult {
        policy_version_id: v.id,
        eligible: c.eligible,
        total_fen: c.total_fen,
        items: c
            .items
            .iter()
            .map(|i| CalculatorItem {
                item: i.item.code().into(),
                name: i.item.zh().into(),
                amount_fen: i.granted_fen,
            })
            .collect(),
        steps: c
            .steps
            .iter()
            .map(|s| CalculatorStep {
                rule: s.rule.into(),
                text: c.text(s),
                amount_fen: s.amount_fen,
            })
            .collect(),
    })
}

/// One district's policy conformance (SPEC §9, the R2 cells).
#[derive(Debug, Serialize, ToSchema)]
pub struct DistrictConformance {
    pub district_code: String,
    pub district_name: String,
    /// The current published version, if any.
    pub policy_version_id: Option<i64>,
    #[schema(value_type = Vec<Object>)]
    pub checks: Vec<ipfin_domain::policy::conformance::Check>,
}

/// The policy conformance of each district in the caller's scope (the API and the city page).
pub async fn conformance_rows(
    state: &AppState,
    actor: &Actor,
) -> AppResult<Vec<DistrictConformance>> {
    let today = ipfin_domain::calendar::business_date(ipfin_store::now_s());
    let versions = state.store.policy_versions(&actor.scope, None).await?;
    let mut out = Vec::new();
    for d in state.store.districts().await? {
        let own = match &actor.scope {
            ipfin_domain::Scope::City => true,
            ipfin_domain::Scope::District { code, .. } => *code == d.code,
            _ => false,
        };
        if !own {
            continue;
        }
        // The latest published version of the district (by publication time).
        let current = versions
            .iter()
            .filter(|v| v.district_code == d.code && v.status == "published")
            .max_by_key(|v| v.published_at);
        let doc = match current {
            Some(v) => Some((
                v.doc()?,
                ipfin_domain::calendar::business_date(v.published_at.unwrap_or_default()),
            )),
            None => None,
        };
        out.push(DistrictConformance {
            district_code: d.code.clone(),
            district_name: d.name.clone(),
            policy_version_id: current.map(|v| v.id),
            checks: ipfin_domain::policy::conformance::policy_checks(
                doc.as_ref().map(|(d, p)| (d, *p)),
                today,
            ),
        });
    }
    Ok(out)
}
