//! Policies (issue #4): the public subsidy calculator and the policy conformance of each
//! district, shared by the API and the pages.

use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use ipfin_domain::Fen;
use ipfin_domain::policy::input::{CalculatorInput, calculator_input};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The calculator's request, as documented in OpenAPI: one body per kind of application
/// (SPEC §3.1), told apart by `kind` — absent, `enterprise_fee` (the calculator's first body).
/// The JSON is read field by field by [`read_calculator`], so every problem is reported at
/// once, in Chinese, with its path; these types only document it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CalculatorBody {
    /// 企业费用资助: interest, evaluation, guarantee and insurance fees on the enterprise's loans.
    EnterpriseFee(EnterpriseFeeBody),
    /// 银行金融机构奖励: an institution's reward on its IP pledge loans of the year.
    Institution(InstitutionBody),
    /// 知识产权证券化资助: interest and guarantee fee paid within a securitisation.
    Securitisation(SecuritisationBody),
}

/// `kind: enterprise_fee` (or no `kind`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseFeeBody {
    /// A published policy version.
    pub policy_version_id: i64,
    /// large, medium, small or micro.
    pub class: String,
    /// Fen, 0 to 10^14; required when the policy limits revenue.
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub operating_revenue_fen: Option<Fen>,
    /// Already granted or reserved within the enterprise's cap period (fen, 0 to 10^14).
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub enterprise_used_fen: Option<Fen>,
    /// Per item, what the enterprise was granted or has in progress for it in the policy year
    /// (fen, 0 to 10^14; negative refused), against the items' annual caps.
    #[serde(default)]
    pub item_used_fen: Option<ItemUsedBody>,
    /// At least one loan.
    pub loans: Vec<CalculatorLoan>,
}

/// Per item used amounts (fen); items left out used nothing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemUsedBody {
    #[schema(value_type = Option<i64>)]
    pub interest: Option<Fen>,
    #[schema(value_type = Option<i64>)]
    pub evaluation: Option<Fen>,
    #[schema(value_type = Option<i64>)]
    pub guarantee: Option<Fen>,
    #[schema(value_type = Option<i64>)]
    pub insurance: Option<Fen>,
}

/// The IP share of a loan: `sole` (IP the only collateral), `ratio` (above 0, at most 1, as a
/// decimal string like "0.6") or `amount` (above 0, at most the principal).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IpShareBody {
    /// sole, ratio or amount.
    pub kind: String,
    pub ratio: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub amount_fen: Option<Fen>,
}

/// A loan of an enterprise fee calculation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalculatorLoan {
    /// Bank and contract number.
    pub reference: Option<String>,
    /// Fen, 1 to 10^14.
    #[schema(value_type = i64)]
    pub principal_fen: Fen,
    /// The secured amount on the pledge registration (fen).
    #[schema(value_type = Option<i64>)]
    pub secured_amount_fen: Option<Fen>,
    pub ip_share: IpShareBody,
    /// patent, trademark, copyright (or a finer code of the IP kinds).
    pub ip_kind: String,
    /// YYYY-MM-DD.
    #[schema(format = Date)]
    pub start: String,
    #[schema(format = Date)]
    pub end: String,
    /// The annual rate as a decimal string: "0.0345" for 3.45%.
    pub annual_rate: String,
    #[schema(value_type = Option<i64>)]
    pub interest_paid_fen: Option<Fen>,
    #[schema(value_type = Option<i64>)]
    pub evaluation_fee_fen: Option<Fen>,
    #[schema(value_type = Option<i64>)]
    pub guarantee_fee_fen: Option<Fen>,
    #[schema(value_type = Option<i64>)]
    pub insurance_fee_fen: Option<Fen>,
}

/// `kind: institution`: the policy must have an institution reward.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstitutionBody {
    pub policy_version_id: i64,
    /// What the institution was already granted this year (fen, 0 to 10^14).
    #[schema(value_type = Option<i64>)]
    pub granted_this_year_fen: Option<Fen>,
    /// The institution's IP pledge loans of the year, at least one.
    pub loans: Vec<RewardLoanBody>,
}

/// A loan an institution made, as its reward counts it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RewardLoanBody {
    pub reference: Option<String>,
    /// Fen, 1 to 10^14.
    #[schema(value_type = i64)]
    pub principal_fen: Fen,
    #[schema(value_type = Option<i64>)]
    pub secured_amount_fen: Option<Fen>,
    pub ip_share: IpShareBody,
    /// The IP kind pledged.
    pub ip_kind: String,
    /// The borrower's class (large, medium, small, micro), where the reward depends on it.
    pub class: Option<String>,
    /// The borrower's first IP pledge loan.
    pub first_time_borrower: Option<bool>,
}

/// `kind: securitisation`: the policy must have securitisation support.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecuritisationBody {
    pub policy_version_id: i64,
    /// Which year of support, 1 to 100 (1 = the first); an application counts it from the records.
    pub year_number: u32,
    /// Interest paid in the year (fen, 0 to 10^14); with the guarantee fee above 0.
    #[schema(value_type = Option<i64>)]
    pub interest_paid_fen: Option<Fen>,
    #[schema(value_type = Option<i64>)]
    pub guarantee_fee_fen: Option<Fen>,
    /// Already granted this year (fen).
    #[schema(value_type = Option<i64>)]
    pub granted_this_year_fen: Option<Fen>,
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
    #[schema(value_type = Option<i64>)]
    pub amount_fen: Option<Fen>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalculatorItem {
    /// interest, evaluation, guarantee or insurance.
    pub item: String,
    pub name: String,
    #[schema(value_type = i64)]
    pub amount_fen: Fen,
    /// The item's cap per enterprise per policy year, when the policy sets one for the class.
    #[schema(value_type = Option<i64>)]
    pub annual_cap_fen: Option<Fen>,
    /// What was used of it (as stated in `item_used_fen`).
    #[schema(value_type = Option<i64>)]
    pub used_fen: Option<Fen>,
    /// What remained of it before this calculation: max(cap − used, 0).
    #[schema(value_type = Option<i64>)]
    pub remaining_fen: Option<Fen>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalculatorResult {
    pub policy_version_id: i64,
    /// enterprise_fee, institution or securitisation.
    pub kind: String,
    pub eligible: bool,
    #[schema(value_type = i64)]
    pub total_fen: Fen,
    /// Enterprise fees per item (empty for rewards and securitisation, which are one amount).
    pub items: Vec<CalculatorItem>,
    pub steps: Vec<CalculatorStep>,
}

/// The calculator, shared by the API (Chinese) and the public page (the reader's language).
pub async fn run_calculator(
    state: &AppState,
    input: CalculatorInput,
    lang: ipfin_domain::Lang,
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
    let c = input
        .request
        .calculate(&doc.rules, &lpr)
        .map_err(|e| AppError::from(ipfin_store::StoreError::Problems(vec![e])))?;
    Ok(CalculatorResult {
        policy_version_id: v.id,
        kind: input.request.kind().into(),
        eligible: c.eligible,
        total_fen: c.total_fen,
        items: c
            .items
            .iter()
            .map(|i| CalculatorItem {
                item: i.item.code().into(),
                name: i.item.label(lang).into(),
                amount_fen: i.granted_fen,
                annual_cap_fen: i.annual.map(|a| a.cap_fen),
                used_fen: i.annual.map(|a| a.used_fen),
                remaining_fen: i.annual.map(|a| a.remaining_fen),
            })
            .collect(),
        steps: c
            .steps
            .iter()
            .map(|s| CalculatorStep {
                rule: s.rule.into(),
                text: c.text_in(s, lang),
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
