//! Policies (issue #4): the public subsidy calculator and the policy conformance of each
//! district, shared by the API and the pages.

use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use ipfin_domain::policy::{Application, Loan, calculate};
use ipfin_domain::size::SizeClass;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalculatorBody {
    /// A published policy version.
    pub policy_version_id: i64,
    /// large, medium, small or micro.
    pub class: String,
    #[serde(default)]
    pub operating_revenue_fen: Option<i64>,
    /// Already granted or reserved within the enterprise's cap period.
    #[serde(default)]
    pub enterprise_used_fen: i64,
    #[schema(value_type = Vec<Object>)]
    pub loans: Vec<serde_json::Value>,
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
pub async fn run_calculator(state: &AppState, b: CalculatorBody) -> AppResult<CalculatorResult> {
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
        .policy_version(&ipfin_domain::Scope::Public, b.policy_version_id)
        .await
        .map_err(|_| unpublished())?;
    if v.status != "published" {
        return Err(unpublished());
    }
    let class = SizeClass::from_code(&b.class).ok_or_else(|| {
        AppError::invalid(ipfin_domain::FieldError::new(
            "class",
            "enterprise.size",
            "企业规模应为 large（大型）、medium（中型）、small（小型）或 micro（微型）。",
            "The class is large, medium, small or micro.",
        ))
    })?;
    let mut loans = Vec::with_capacity(b.loans.len());
    for (i, l) in b.loans.into_iter().enumerate() {
        let loan: Loan = serde_path_to_error::deserialize(l).map_err(|e| AppError {
            path: Some(format!("loans[{i}].{}", e.path())),
            ..AppError::invalid(ipfin_domain::FieldError::new(
                "loans",
                "loan.invalid",
                format!("第 {} 笔贷款填写有误：{}", i + 1, e.inner()),
                format!("Loan {} is invalid: {}", i + 1, e.inner()),
            ))
        })?;
        loans.push(loan);
    }
    if loans.is_empty() {
        return Err(AppError::invalid(ipfin_domain::FieldError::new(
            "loans",
            "loan.none",
            "请至少填写一笔贷款。",
            "Enter at least one loan.",
        )));
    }
    let doc = v.doc()?;
    let lpr = state.store.lpr_table().await?;
    let app = Application {
        class,
        operating_revenue_fen: b.operating_revenue_fen.map(ipfin_domain::Fen::new),
        loans,
        enterprise_used_fen: ipfin_domain::Fen::new(b.enterprise_used_fen.max(0)),
    };
    let c = calculate(&doc.rules, &lpr, &app).map_err(|m| {
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
