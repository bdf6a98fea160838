//! The guideline conformance matrix (SPEC §9; issue #7): districts × requirements, each cell
//! computed from live data with a link to its evidence, or "no data" where the capability that
//! would supply it does not exist yet.

use crate::AppState;
use crate::actor::Actor;
use crate::error::AppResult;
use axum::Json;
use axum::extract::State;
use chrono::Datelike;
use ipfin_domain::target::Metric;
use serde::Serialize;
use utoipa::ToSchema;

/// The matrix's columns: requirement id and what is checked.
pub const COLUMNS: &[(&str, &str)] = &[
    ("R1.1", "明确牵头部门"),
    ("R1.2", "每季度召开银企对接会"),
    ("R2.1", "政策覆盖三类知识产权与四项费用、中小微不低于大型"),
    ("R2.2", "不设额外申报条件"),
    ("R2.3", "6 月底前修订发布并公布明白卡"),
    ("R2.4", "五阶段网上办理、统一材料清单"),
    ("R3.1", "服务站运行与“零跑动”"),
    ("R3.2", "白名单建立并按季推送"),
    ("R3.3", "区级专区上线"),
    ("R4.1", "目标任务落实到人"),
    ("R4.2", "季度数据按时报送"),
    ("R4.3", "定期检查督导"),
    ("R4.4", "定期总结报送"),
];

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

fn cell(
    requirement: &'static str,
    passed: bool,
    finding: String,
    evidence: Option<String>,
) -> Cell {
    Cell {
        requirement,
        status: if passed { "pass" } else { "fail" },
        finding,
        evidence,
    }
}

fn no_data(requirement: &'static str, why: &str) -> Cell {
    Cell {
        requirement,
        status: "no_data",
        finding: format!("暂无数据：{why}"),
        evidence: None,
    }
}

/// Folds policy checks into one cell: passed when all passed, the failed findings listed.
fn policy_cell(
    requirement: &'static str,
    checks: &[&ipfin_domain::policy::conformance::Check],
    evidence: Option<String>,
) -> Cell {
    if checks.is_empty() {
        return cell(requirement, false, "尚未发布扶持政策。".into(), evidence);
    }
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.finding.clone())
        .collect();
    if failed.is_empty() {
        let ok: Vec<&str> = checks.iter().map(|c| c.name).collect();
        cell(
            requirement,
            true,
            format!("符合：{}", ok.join("；")),
            evidence,
        )
    } else {
        cell(requirement, false, failed.join("；"), evidence)
    }
}

/// R1.1: a lead department designated and at least one running data-sharing arrangement; the
/// finding names the lead, counts the arrangements and lists the overdue ones.
fn coordination_cell(
    code: &str,
    lead: Option<&str>,
    arrangements: &[ipfin_store::coordination::Arrangement],
) -> Cell {
    let evidence = Some(format!("/districts/{code}#sharing"));
    let Some(lead) = lead else {
        return cell("R1.1", false, "尚未指定牵头部门。".into(), evidence);
    };
    let running: Vec<_> = arrangements
        .iter()
        .filter(|a| a.district_code == code && a.ended_on.is_none())
        .collect();
    if running.is_empty() {
        return cell(
            "R1.1",
            false,
            format!("牵头部门：{lead}；尚未登记数据共享约定。"),
            evidence,
        );
    }
    let overdue: Vec<String> = running
        .iter()
        .filter(|a| a.state.is_overdue())
        .map(|a| format!("{}（{}）", a.dataset.zh(), a.provider_name))
        .collect();
    let mut finding = format!("牵头部门：{lead}；数据共享约定 {} 项", running.len());
    if !overdue.is_empty() {
        finding.push_str(&format!("，逾期未报送：{}", overdue.join("、")));
    }
    finding.push('。');
    cell("R1.1", true, finding, evidence)
}

/// R1.2: a held meeting in each quarter of the year that has ended (issue #8).
fn meeting_cell(code: &str, year: i32, held: Option<&std::collections::BTreeSet<u32>>) -> Cell {
    let today = crate::api::stats::today();
    let ended: Vec<u32> = (1..=4)
        .filter(|q| ipfin_domain::stats::Quarter::new(year, *q).is_ok_and(|q| q.ended_by(today)))
        .collect();
    let missing: Vec<String> = ended
        .iter()
        .filter(|q| !held.is_some_and(|h| h.contains(q)))
        .map(|q| format!("{year}Q{q}"))
        .collect();
    let evidence = Some(format!("/meetings?district={code}"));
    if ended.is_empty() {
        cell(
            "R1.2",
            true,
            format!("{year} 年尚无已结束的季度。"),
            evidence,
        )
    } else if missing.is_empty() {
        cell(
            "R1.2",
            true,
            format!("{year} 年已结束的 {} 个季度均已召开工作会议。", ended.len()),
            evidence,
        )
    } else {
        cell(
            "R1.2",
            false,
            format!("未召开工作会议的季度：{}", missing.join("、")),
            evidence,
        )
    }
}

/// The matrix for the districts in scope.
pub async fn matrix(state: &AppState, actor: &Actor) -> AppResult<Vec<MatrixRow>> {
    let year = crate::api::stats::today().year();
    let policies = crate::api::policy::conformance_rows(state, actor).await?;
    let online = state.store.online_use(year).await?;
    let targets = state.store.target_map(&actor.scope, year).await?;
    let held = state.store.held_quarters(&actor.scope, year).await?;
    let arrangements = state
        .store
        .all_arrangements(&actor.scope, crate::api::stats::today())
        .await?;
    let supervision = state
        .store
        .supervision_facts(&actor.scope, year, crate::api::stats::today())
        .await?;
    let today = crate::api::stats::today();
    let summaries = state.store.summaries_submitted(&actor.scope, year).await?;
    let mut out = Vec::new();
    for d in state.store.districts().await? {
        if !crate::api::stats::sees_district(&actor.scope, &d.code) {
            continue;
        }
        let code = d.code.clone();
        let mut cells = Vec::new();
        cells.push(coordination_cell(
            &code,
            d.lead_org_name.as_deref(),
            &arrangements,
        ));
        cells.push(meeting_cell(&code, year, held.get(&code)));
        let p = policies.iter().find(|p| p.district_code == code);
        let evidence = p
            .and_then(|p| p.policy_version_id)
            .map(|id| format!("/policies/{id}"));
        let pick = |codes: &[&str]| -> Vec<&ipfin_domain::policy::conformance::Check> {
            p.map(|p| {
                p.checks
                    .iter()
                    .filter(|c| codes.contains(&c.code))
                    .collect()
            })
            .unwrap_or_default()
        };
        cells.push(policy_cell(
            "R2.1",
            &pick(&["policy.ip_types", "policy.items", "policy.sme_favoured"]),
            evidence.clone(),
        ));
        cells.push(policy_cell(
            "R2.2",
            &pick(&["policy.no_extra_condition"]),
            evidence.clone(),
        ));
        cells.push(policy_cell(
            "R2.3",
            &pick(&["policy.revised_by_june"]),
            evidence.clone(),
        ));
        let use_ = online.get(&code).cloned().unwrap_or_default();
        let materials = pick(&["policy.unified_materials"]);
        let deviation = materials.iter().find(|c| !c.passed);
        let online_ok = use_.accepted > 0;
        let mut finding = format!(
            "{year} 年网上申报 {} 件，受理 {} 件，公示 {} 件",
            use_.submitted, use_.accepted, use_.noticed
        );
        match deviation {
            Some(c) => finding.push_str(&format!("；材料清单偏差：{}", c.finding)),
            None if materials.is_empty() => finding.push_str("；尚无已发布政策的材料清单"),
            None => finding.push_str("；材料清单与全市统一清单一致"),
        }
        cells.push(cell(
            "R2.4",
            online_ok && deviation.is_none() && !materials.is_empty(),
            finding,
            Some("/applications".into()),
        ));
        cells.push(no_data("R3.1", "服务站功能尚未上线。"));
        cells.push(no_data("R3.2", "白名单推送功能尚未上线。"));
        cells.push(no_data("R3.3", "区级专区功能尚未上线。"));
        let set = targets.get(&code).cloned().unwrap_or_default();
        let r41 = if set.is_empty() {
            Cell {
                requirement: "R4.1",
                status: "no_data",
                finding: format!("市里尚未下达本区 {year} 年目标。"),
                evidence: Some(format!("/targets?year={year}")),
            }
        } else {
            let lead = state.store.target_lead(&actor.scope, &code, year).await?;
            let assigned = state.store.assignments(&actor.scope, &code, year).await?;
            let missing: Vec<&str> = set
                .keys()
                .filter(|m| !assigned.iter().any(|a| a.metric == **m))
                .map(|m: &Metric| m.zh())
                .collect();
            let mut problems = Vec::new();
            if lead.is_none() {
                problems.push("未明确第一责任人".to_string());
            }
            if !missing.is_empty() {
                problems.push(format!("未分解到人：{}", missing.join("、")));
            }
            cell(
                "R4.1",
                problems.is_empty(),
                if problems.is_empty() {
                    format!(
                        "第一责任人：{}；{} 项目标均已分解到 {} 人次",
                        lead.map(|l| l.person_name).unwrap_or_default(),
                        set.len(),
                        assigned.len()
                    )
                } else {
                    problems.join("；")
                },
                Some(format!("/targets/districts/{code}?year={year}")),
            )
        };
        cells.push(r41);
        cells.push(no_data("R4.2", "数据报送时限的记录功能尚未上线。"));
        cells.push(crate::api::supervision::conformance_cell(
            year,
            &supervision,
            &code,
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
            .unwrap_or_else(|| ipfin_domain::stats::Quarter::of(today));
        cells.push(cell(
            "R4.4",
            c.passed,
            c.finding,
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

/// The conformance matrix for the districts in scope (the city: all).
#[utoipa::path(get, path = "/api/v1/conformance", tag = "stats",
    responses((status = 200, body = Vec<MatrixRow>)), security(("bearer" = [])))]
pub async fn conformance(
    State(state): State<AppState>,
    actor: Actor,
) -> AppResult<Json<Vec<MatrixRow>>> {
    Ok(Json(matrix(&state, &actor).await?))
}
