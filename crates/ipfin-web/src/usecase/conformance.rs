//! The guideline conformance matrix (SPEC §9; issue #7): districts × requirements, each cell
//! judged by the rules in `ipfin_domain::conformance` from live data, with a link to its
//! evidence, or "no data" where the capability that would supply it does not exist yet. The
//! facts are read once for every district in scope, not per district.

use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use chrono::Datelike;
use ipfin_domain::conformance::{self as rules, OnlineUse, Sharing, Verdict};
use ipfin_domain::policy::conformance::Check;
use ipfin_domain::stats::Quarter;
use ipfin_domain::target::Metric;
use serde::Serialize;
use utoipa::ToSchema;

pub use ipfin_domain::conformance::COLUMNS;

/// One cell: passed, failed, or no data; the finding and where its evidence is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Cell {
    pub requirement: &'static str,
    /// pass | fail | no_data
    pub status: &'static str,
    pub finding: String,
    /// A page with the evidence behind the cell.
    pub evidence: Option<String>,
}

/// One district's row of the matrix.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatrixRow {
    pub district_code: String,
    pub district_name: String,
    pub cells: Vec<Cell>,
}

fn cell(requirement: &'static str, v: Verdict, evidence: Option<String>) -> Cell {
    Cell {
        requirement,
        status: v.status.code(),
        finding: v.finding,
        evidence,
    }
}

/// The matrix for the districts in scope.
pub async fn matrix(state: &AppState, actor: &Actor) -> AppResult<Vec<MatrixRow>> {
    let scope = &actor.scope;
    let today = super::stats::today();
    let year = today.year();
    let policies = super::policy::conformance_rows(state, actor).await?;
    let online = state.store.online_use(year).await?;
    let targets = state.store.target_map(scope, year).await?;
    let leads = state.store.target_leads(scope, year).await?;
    let assignments = state.store.assignments_by_district(scope, year).await?;
    let held = state.store.held_quarters(scope, year).await?;
    let arrangements = state.store.all_arrangements(scope, today).await?;
    let supervision = state.store.supervision_facts(scope, year, today).await?;
    let summaries = state.store.summaries_submitted(scope, year).await?;
    // R3.2: the whitelist today and the pushes sent this quarter, for every district at once.
    let whitelisted = state.store.whitelist_counts(scope, today).await?;
    let quarter = Quarter::of(today);
    let pushes = state
        .store
        .funnel_entries(scope, None, quarter.first_day(), today)
        .await?;
    // R3.1: stations and their cases of the last twelve months, for every district at once.
    let stations = super::station::conformance(state, actor).await?;
    let mut out = Vec::new();
    for d in state.store.districts().await? {
        if !scope.reads_district(&d.code) {
            continue;
        }
        let code = d.code.clone();
        let mut cells = Vec::new();
        let running: Vec<Sharing<'_>> = arrangements
            .iter()
            .filter(|a| a.district_code == code && a.ended_on.is_none())
            .map(|a| Sharing {
                dataset: a.dataset,
                provider: &a.provider_name,
                overdue: a.state.is_overdue(),
            })
            .collect();
        cells.push(cell(
            "R1.1",
            rules::coordination(d.lead_org_name.as_deref(), &running),
            Some(format!("/districts/{code}#sharing")),
        ));
        cells.push(cell(
            "R1.2",
            rules::meetings(year, today, held.get(&code)),
            Some(format!("/meetings?district={code}")),
        ));
        let p = policies.iter().find(|p| p.district_code == code);
        let evidence = p
            .and_then(|p| p.policy_version_id)
            .map(|id| format!("/policies/{id}"));
        let pick = |codes: &[&str]| -> Vec<&Check> {
            p.map(|p| {
                p.checks
                    .iter()
                    .filter(|c| codes.contains(&c.code))
                    .collect()
            })
            .unwrap_or_default()
        };
        cells.push(cell(
            "R2.1",
            rules::policy(&pick(&[
                "policy.ip_types",
                "policy.items",
                "policy.sme_favoured",
            ])),
            evidence.clone(),
        ));
        cells.push(cell(
            "R2.2",
            rules::policy(&pick(&["policy.no_extra_condition"])),
            evidence.clone(),
        ));
        cells.push(cell(
            "R2.3",
            rules::policy(&pick(&["policy.revised_by_june"])),
            evidence.clone(),
        ));
        let used = online
            .get(&code)
            .map(|u| OnlineUse {
                submitted: u.submitted,
                accepted: u.accepted,
                noticed: u.noticed,
            })
            .unwrap_or_default();
        cells.push(cell(
            "R2.4",
            rules::online_handling(year, used, &pick(&["policy.unified_materials"])),
            Some("/applications".into()),
        ));
        let (passed, finding) = stations
            .get(&code)
            .cloned()
            .unwrap_or_else(|| (false, "尚未设立服务站。".to_string()));
        cells.push(cell(
            "R3.1",
            Verdict::new(passed, finding),
            Some(format!("/stations?district={code}")),
        ));
        let this_quarter = ipfin_domain::push::Funnel::of(
            &pushes
                .iter()
                .filter(|e| e.district == code)
                .cloned()
                .collect::<Vec<_>>(),
        )
        .map_err(|e| AppError::internal(format!("push funnel: {e}")))?;
        let (passed, finding) = ipfin_domain::push::conformance(
            whitelisted.get(&code).copied().unwrap_or(0),
            &this_quarter.total,
            &ipfin_domain::format::quarter_zh(quarter.year, quarter.q),
        );
        cells.push(cell(
            "R3.2",
            Verdict::new(passed, finding),
            Some(format!("/push/funnel?district={code}")),
        ));
        let z = super::platform::zone(state, &code).await?;
        cells.push(cell(
            "R3.3",
            rules::zone(rules::ZoneContent {
                policies: z.policies.len(),
                interpretations: z.interpretations.len(),
                application_notices: z.notices_of_application.len(),
                public_notices: z.public_notices.len(),
                contacts: z.contacts.len(),
            }),
            Some(format!("/zones/{code}")),
        ));
        let set: Vec<Metric> = targets
            .get(&code)
            .map(|t| t.keys().copied().collect())
            .unwrap_or_default();
        let assigned: Vec<Metric> = assignments
            .get(&code)
            .map(|a| a.iter().map(|a| a.metric).collect())
            .unwrap_or_default();
        let r41 = rules::targets_assigned(
            year,
            &set,
            leads.get(&code).map(|l| l.person_name.as_str()),
            &assigned,
        );
        let r41_evidence = if set.is_empty() {
            format!("/targets?year={year}")
        } else {
            format!("/targets/districts/{code}?year={year}")
        };
        cells.push(cell("R4.1", r41, Some(r41_evidence)));
        cells.push(cell(
            "R4.2",
            Verdict::no_data("数据报送时限的记录功能尚未上线。"),
            None,
        ));
        let (passed, finding) = ipfin_domain::supervision::conformance(
            year,
            &supervision.get(&code).copied().unwrap_or_default(),
        );
        cells.push(cell(
            "R4.3",
            Verdict::new(passed, finding),
            Some(format!("/supervision/districts/{code}?year={year}")),
        ));
        let c = ipfin_domain::summary::compliance(
            today,
            summaries.get(&code).map(Vec::as_slice).unwrap_or_default(),
        );
        let period = c
            .missing
            .first()
            .or(ipfin_domain::summary::quarters_due(today).last())
            .copied()
            .unwrap_or_else(|| Quarter::of(today));
        cells.push(cell(
            "R4.4",
            Verdict::new(c.passed, c.finding),
            Some(format!("/summaries/districts/{code}?period={period}")),
        ));
        out.push(MatrixRow {
            district_code: code,
            district_name: d.name,
            cells,
        });
    }
    Ok(out)
}
