//! Annual targets (SPEC §8 R4.1; issue #7): the city sets each district's targets; the
//! district's lead officers record the first responsible person and break the targets down to
//! named persons with milestones; each person reads their own. Bonus points of the annual
//! assessment live here too. Every check runs before the first write: a refused input changes
//! nothing.

use crate::column::{Code, JsonText};
use crate::db::{exec, fetch_all, fetch_i64, fetch_opt};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::org::Scope;
use ipfin_domain::stats::{Quarter, check_breakdown};
use ipfin_domain::target::{
    Metric, YearActuals, check_bonus, check_milestones, check_value, check_year,
};
use ipfin_domain::{FieldError, Msg};
use rust_decimal::Decimal;
use sea_orm::FromQueryResult;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// One district's target for one metric.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, Serialize)]
pub struct TargetRow {
    pub district_code: String,
    pub metric: String,
    pub value: i64,
}

/// The first responsible person (第一责任人) of a district's targets for a year.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, Serialize)]
pub struct TargetLead {
    pub district_code: String,
    pub person_name: String,
    pub title: Option<String>,
    pub organisation_id: Option<i64>,
    pub user_id: Option<i64>,
}

/// A person's share of a district's target with their milestones (per period).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub id: i64,
    pub district_code: String,
    pub year: i32,
    pub metric: Metric,
    pub user_id: i64,
    pub display_name: String,
    pub org_name: String,
    pub share: i64,
    pub milestones: Vec<i64>,
    pub note: Option<String>,
}

#[derive(FromQueryResult)]
struct AssignmentRow {
    id: i64,
    district_code: String,
    year: i32,
    metric: Code<Metric>,
    user_id: i64,
    display_name: String,
    org_name: String,
    share: i64,
    milestones: JsonText<Vec<i64>>,
    note: Option<String>,
}

impl From<AssignmentRow> for Assignment {
    fn from(r: AssignmentRow) -> Assignment {
        Assignment {
            id: r.id,
            district_code: r.district_code,
            year: r.year,
            metric: r.metric.get(),
            user_id: r.user_id,
            display_name: r.display_name,
            org_name: r.org_name,
            share: r.share,
            milestones: r.milestones.into_inner(),
            note: r.note,
        }
    }
}

/// An account that can carry a share of a target.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, Serialize)]
pub struct Candidate {
    pub id: i64,
    pub display_name: String,
    pub org_name: String,
}

/// A new share of a target for a person.
#[derive(Debug, Clone)]
pub struct NewAssignment {
    pub metric: Metric,
    pub user_id: i64,
    pub share: i64,
    /// Per-period amounts (4 quarters or 12 months); `None` takes the straight-line proposal.
    pub milestones: Option<Vec<i64>>,
    /// 4 or 12, used when `milestones` is `None`.
    pub periods: u32,
    pub note: Option<String>,
}

/// A bonus point entry of the annual assessment.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, Serialize)]
pub struct Bonus {
    pub id: i64,
    pub district_code: String,
    pub year: i32,
    pub points: String,
    pub reason: String,
    pub created_at: i64,
}

const ASSIGNMENT_SELECT: &str = "SELECT a.id, a.district_code, a.year, a.metric, a.user_id, u.display_name, o.name AS org_name, \
     a.share, a.milestones, a.note FROM target_assignments a JOIN users u ON u.id = a.user_id \
     JOIN organisations o ON o.id = u.organisation_id";

fn only_city() -> StoreError {
    StoreError::forbidden(
        "target.city_only",
        "年度目标由市知识产权局（市级管理员）下达。",
        "Only the city sets annual targets.",
    )
}

fn only_lead() -> StoreError {
    StoreError::forbidden(
        "target.lead_only",
        "只有本区牵头部门经办人可以分解目标、指定责任人。",
        "Only the district's lead officers break targets down.",
    )
}

/// District codes and names, read inside the write transaction.
async fn district_names(tx: &WriteTx) -> Result<BTreeMap<String, String>> {
    #[derive(FromQueryResult)]
    struct D {
        code: String,
        name: String,
    }
    let rows: Vec<D> = fetch_all(tx.conn(), "SELECT code, name FROM districts", vec![]).await?;
    Ok(rows.into_iter().map(|d| (d.code, d.name)).collect())
}

impl Store {
    /// The targets of a year, for the districts in scope.
    pub async fn targets(&self, scope: &Scope, year: i32) -> Result<Vec<TargetRow>> {
        let rows: Vec<TargetRow> = fetch_all(
            self.conn(),
            "SELECT district_code, metric, value FROM district_targets WHERE year = ? ORDER BY district_code, metric",
            vec![year.into()],
        )
        .await?;
        Ok(rows
            .into_iter()
            .filter(|r| scope.reads_district(&r.district_code))
            .collect())
    }

    /// The targets of a year by district and metric.
    pub async fn target_map(
        &self,
        scope: &Scope,
        year: i32,
    ) -> Result<BTreeMap<String, BTreeMap<Metric, i64>>> {
        let mut out: BTreeMap<String, BTreeMap<Metric, i64>> = BTreeMap::new();
        for r in self.targets(scope, year).await? {
            let m: Metric = crate::column::decode("targets.metric", &r.metric)?;
            out.entry(r.district_code).or_default().insert(m, r.value);
        }
        Ok(out)
    }

    /// Sets the city's targets for a year: each entry a district, a metric and its value (`None`
    /// removes it). The city only; a past year needs `confirm_past`; a target below what the
    /// district already assigned to persons is refused. All or nothing.
    pub async fn set_targets(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        year: i32,
        today: NaiveDate,
        confirm_past: bool,
        entries: &[(String, Metric, Option<i64>)],
    ) -> Result<usize> {
        if !scope.is_city() {
            return Err(only_city());
        }
        check_year(year, today, confirm_past).map_err(StoreError::Invalid)?;
        let districts = district_names(tx).await?;
        for (d, m, v) in entries {
            let name = districts.get(d).ok_or_else(|| {
                StoreError::invalid(
                    "district",
                    "target.district",
                    format!("没有代码为 {d} 的区。"),
                    "No such district.",
                )
            })?;
            if let Some(v) = v {
                check_value(*m, *v).map_err(|e| {
                    StoreError::Invalid(FieldError {
                        field: e.field,
                        msg: Msg::new(e.msg.code, format!("{name}：{}", e.msg.zh), e.msg.en),
                    })
                })?;
            }
            let assigned: i64 = self
                .assignments_in(tx.conn(), d, year)
                .await?
                .iter()
                .filter(|a| a.metric == *m)
                .map(|a| a.share)
                .sum();
            if assigned > v.unwrap_or(0) {
                return Err(StoreError::conflict(
                    "target.below_assigned",
                    format!(
                        "{name}的{}目标不能低于已分解到人的合计 {}：请先让该区调整分解。",
                        m.zh(),
                        m.show(assigned)
                    ),
                    "The target is below what the district already assigned to persons.",
                ));
            }
        }
        let now = crate::now_s();
        let by = tx.actor_user_id();
        for (d, m, v) in entries {
            exec(
                tx.conn(),
                "DELETE FROM district_targets WHERE district_code = ? AND year = ? AND metric = ?",
                vec![d.clone().into(), year.into(), m.code().into()],
            )
            .await?;
            if let Some(v) = v {
                exec(
                    tx.conn(),
                    "INSERT INTO district_targets (district_code, year, metric, value, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?)",
                    vec![d.clone().into(), year.into(), m.code().into(), (*v).into(), by.into(), now.into()],
                )
                .await?;
            }
        }
        let changed: Vec<serde_json::Value> = entries
            .iter()
            .map(|(d, m, v)| json!({"district": d, "metric": m.code(), "value": v}))
            .collect();
        tx.audit("targets.set", "targets", year, json!({"entries": changed}))
            .await?;
        Ok(entries.len())
    }

    /// The first responsible person of a district's targets for a year, if recorded.
    pub async fn target_lead(
        &self,
        scope: &Scope,
        district: &str,
        year: i32,
    ) -> Result<Option<TargetLead>> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        fetch_opt(
            self.conn(),
            "SELECT district_code, person_name, title, organisation_id, user_id FROM target_leads WHERE district_code = ? AND year = ?",
            vec![district.into(), year.into()],
        )
        .await
    }

    /// Records the first responsible person (第一责任人): by default the head of the district's
    /// lead department as designated.
    pub async fn set_target_lead(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        district: &str,
        year: i32,
        person_name: &str,
        title: Option<&str>,
    ) -> Result<()> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        if !scope.manages_district(district) {
            return Err(only_lead());
        }
        let name = person_name.trim();
        if name.chars().count() < 2 || name.chars().count() > 40 {
            return Err(StoreError::invalid(
                "person_name",
                "target.lead_name",
                "请填写第一责任人的姓名（2–40 个字）。",
                "Give the first responsible person's name.",
            ));
        }
        let today = crate::today_shanghai();
        let org = Store::lead_on(tx.conn(), district, today).await?;
        exec(
            tx.conn(),
            "DELETE FROM target_leads WHERE district_code = ? AND year = ?",
            vec![district.into(), year.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "INSERT INTO target_leads (district_code, year, person_name, title, organisation_id, user_id, set_by, set_at) \
             VALUES (?, ?, ?, ?, ?, NULL, ?, ?)",
            vec![
                district.into(),
                year.into(),
                name.into(),
                title.map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).into(),
                org.into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        tx.audit(
            "targets.lead",
            "district",
            district,
            json!({"year": year, "person_name": name}),
        )
        .await?;
        Ok(())
    }

    async fn assignments_in<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        district: &str,
        year: i32,
    ) -> Result<Vec<Assignment>> {
        let rows: Vec<AssignmentRow> = fetch_all(
            conn,
            &format!(
                "{ASSIGNMENT_SELECT} WHERE a.district_code = ? AND a.year = ? ORDER BY a.metric, a.id"
            ),
            vec![district.into(), year.into()],
        )
        .await?;
        Ok(rows.into_iter().map(Assignment::from).collect())
    }

    /// A district's persons and their shares for a year.
    pub async fn assignments(
        &self,
        scope: &Scope,
        district: &str,
        year: i32,
    ) -> Result<Vec<Assignment>> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        self.assignments_in(self.conn(), district, year).await
    }

    /// Every district's first responsible person for a year, for the districts in scope (the
    /// conformance matrix reads them all at once).
    pub async fn target_leads(
        &self,
        scope: &Scope,
        year: i32,
    ) -> Result<BTreeMap<String, TargetLead>> {
        let rows: Vec<TargetLead> = fetch_all(
            self.conn(),
            "SELECT district_code, person_name, title, organisation_id, user_id FROM target_leads WHERE year = ? ORDER BY district_code",
            vec![year.into()],
        )
        .await?;
        Ok(rows
            .into_iter()
            .filter(|l| scope.reads_district(&l.district_code))
            .map(|l| (l.district_code.clone(), l))
            .collect())
    }

    /// Every district's persons and their shares for a year, for the districts in scope.
    pub async fn assignments_by_district(
        &self,
        scope: &Scope,
        year: i32,
    ) -> Result<BTreeMap<String, Vec<Assignment>>> {
        let rows: Vec<AssignmentRow> = fetch_all(
            self.conn(),
            &format!(
                "{ASSIGNMENT_SELECT} WHERE a.year = ? ORDER BY a.district_code, a.metric, a.id"
            ),
            vec![year.into()],
        )
        .await?;
        let mut out: BTreeMap<String, Vec<Assignment>> = BTreeMap::new();
        for a in rows.into_iter().map(Assignment::from) {
            if scope.reads_district(&a.district_code) {
                out.entry(a.district_code.clone()).or_default().push(a);
            }
        }
        Ok(out)
    }

    /// Who may carry a share of a district's target: the active accounts of its departments.
    pub async fn target_candidates(&self, scope: &Scope, district: &str) -> Result<Vec<Candidate>> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        fetch_all(
            self.conn(),
            "SELECT u.id, u.display_name, o.name AS org_name FROM users u JOIN organisations o ON o.id = u.organisation_id \
             WHERE o.kind = 'department' AND o.district_code = ? AND o.active AND u.active ORDER BY o.name, u.display_name",
            vec![district.into()],
        )
        .await
    }

    /// A person's own shares for a year.
    pub async fn my_assignments(
        &self,
        scope: &Scope,
        user_id: i64,
        year: i32,
    ) -> Result<Vec<Assignment>> {
        if !scope.is_government() {
            return Ok(vec![]);
        }
        let rows: Vec<AssignmentRow> = fetch_all(
            self.conn(),
            &format!("{ASSIGNMENT_SELECT} WHERE a.user_id = ? AND a.year = ? ORDER BY a.metric"),
            vec![user_id.into(), year.into()],
        )
        .await?;
        Ok(rows
            .into_iter()
            .filter(|r| scope.reads_district(&r.district_code))
            .map(Assignment::from)
            .collect())
    }

    /// Assigns (or re-assigns) a share of a district's target to a person of the district's
    /// departments, with milestones; the persons' shares and the milestones may not add up to
    /// more than the target and the share.
    pub async fn assign_target(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        district: &str,
        year: i32,
        a: &NewAssignment,
    ) -> Result<i64> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        if !scope.manages_district(district) {
            return Err(only_lead());
        }
        #[derive(FromQueryResult)]
        struct Person {
            district_code: Option<String>,
            kind: String,
            active: bool,
        }
        let person: Option<Person> = fetch_opt(
            tx.conn(),
            "SELECT o.district_code, o.kind, u.active FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = ?",
            vec![a.user_id.into()],
        )
        .await?;
        match person {
            Some(p)
                if p.active
                    && p.kind == "department"
                    && p.district_code.as_deref() == Some(district) => {}
            _ => {
                return Err(StoreError::invalid(
                    "user_id",
                    "target.person",
                    "责任人须是本区成员单位的在用账号，请从列表中选择。",
                    "Choose an active account of one of the district's departments.",
                ));
            }
        }
        let target: Option<i64> = match fetch_i64(
            tx.conn(),
            "SELECT value FROM district_targets WHERE district_code = ? AND year = ? AND metric = ?",
            vec![district.into(), year.into(), a.metric.code().into()],
        )
        .await
        {
            Ok(v) => Some(v),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e),
        };
        let Some(target) = target else {
            return Err(StoreError::invalid(
                "metric",
                "target.not_set",
                format!(
                    "市里尚未下达本区 {year} 年的“{}”目标，暂不能分解。",
                    a.metric.zh()
                ),
                "The city has not set this target yet.",
            ));
        };
        if a.share <= 0 {
            return Err(StoreError::invalid(
                "share",
                "target.share",
                "责任人承担的目标须大于 0。",
                "A person's share must be above 0.",
            ));
        }
        let mut shares: Vec<i64> = self
            .assignments_in(tx.conn(), district, year)
            .await?
            .iter()
            .filter(|x| x.metric == a.metric && x.user_id != a.user_id)
            .map(|x| x.share)
            .collect();
        shares.push(a.share);
        check_breakdown(a.metric.accrual(), target, &shares).map_err(|m| {
            StoreError::Invalid(FieldError {
                field: "share",
                msg: Msg::new(
                    m.code,
                    format!(
                        "{}：分解到人的合计 {} 超过区目标 {}，请调低。",
                        a.metric.zh(),
                        a.metric.show(shares.iter().sum()),
                        a.metric.show(target)
                    ),
                    m.en,
                ),
            })
        })?;
        let steps = match &a.milestones {
            Some(s) => s.clone(),
            None => ipfin_domain::target::proposed_milestones(a.metric, a.share, year, a.periods)
                .map_err(|m| {
                StoreError::Invalid(FieldError {
                    field: "periods",
                    msg: m,
                })
            })?,
        };
        check_milestones(a.metric, a.share, &steps).map_err(StoreError::Invalid)?;
        exec(
            tx.conn(),
            "DELETE FROM target_assignments WHERE district_code = ? AND year = ? AND metric = ? AND user_id = ?",
            vec![district.into(), year.into(), a.metric.code().into(), a.user_id.into()],
        )
        .await?;
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO target_assignments (district_code, year, metric, user_id, share, milestones, note, set_by, set_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                district.into(),
                year.into(),
                a.metric.code().into(),
                a.user_id.into(),
                a.share.into(),
                json!(steps).to_string().into(),
                a.note.clone().filter(|n| !n.trim().is_empty()).into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        tx.audit(
            "targets.assign",
            "target_assignment",
            id,
            json!({"district": district, "year": year, "metric": a.metric.code(), "user_id": a.user_id,
                   "share": a.share, "milestones": steps}),
        )
        .await?;
        Ok(id)
    }

    /// Removes a person's share.
    pub async fn remove_assignment(&self, tx: &mut WriteTx, scope: &Scope, id: i64) -> Result<()> {
        #[derive(FromQueryResult)]
        struct Row {
            district_code: String,
        }
        let row: Row = fetch_opt(
            tx.conn(),
            "SELECT district_code FROM target_assignments WHERE id = ?",
            vec![id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        if !scope.reads_district(&row.district_code) {
            return Err(StoreError::NotFound);
        }
        if !scope.manages_district(&row.district_code) {
            return Err(only_lead());
        }
        exec(
            tx.conn(),
            "DELETE FROM target_assignments WHERE id = ?",
            vec![id.into()],
        )
        .await?;
        tx.audit("targets.unassign", "target_assignment", id, json!({}))
            .await?;
        Ok(())
    }

    /// Each district's figures for the year as the targets count them, up to `through`
    /// (the end of the quarter that holds it).
    pub async fn year_actuals(
        &self,
        year: i32,
        through: NaiveDate,
    ) -> Result<BTreeMap<String, YearActuals>> {
        let q = if chrono::Datelike::year(&through) > year {
            Quarter { year, q: 4 }
        } else {
            Quarter::of(through)
        };
        Ok(self
            .quarter_stats_all(q)
            .await?
            .into_iter()
            .map(|d| {
                (
                    d.district.clone(),
                    YearActuals {
                        amount_fen: d.year_to_date.amount_fen,
                        enterprises: d.year_to_date.enterprises,
                        pledges: d.pledge_registrations_ytd,
                        first_loans: d.year_to_date.first_loans,
                        sme_amount_fen: d.year_to_date.sme_amount_fen,
                    },
                )
            })
            .collect())
    }

    /// The bonus points of a year, for the districts in scope.
    pub async fn bonuses(&self, scope: &Scope, year: i32) -> Result<Vec<Bonus>> {
        let rows: Vec<Bonus> = fetch_all(
            self.conn(),
            "SELECT id, district_code, year, points, reason, created_at FROM assessment_bonuses WHERE year = ? ORDER BY district_code, id",
            vec![year.into()],
        )
        .await?;
        Ok(rows
            .into_iter()
            .filter(|b| scope.reads_district(&b.district_code))
            .collect())
    }

    /// Grants bonus points (加分) to a district for a year, with the reason. The city only.
    pub async fn add_bonus(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        district: &str,
        year: i32,
        points: Decimal,
        reason: &str,
    ) -> Result<i64> {
        if !scope.is_city() {
            return Err(StoreError::forbidden(
                "bonus.city_only",
                "加分由市知识产权局决定。",
                "Only the city grants bonus points.",
            ));
        }
        check_bonus(points, reason).map_err(StoreError::Invalid)?;
        if !district_names(tx).await?.contains_key(district) {
            return Err(StoreError::invalid(
                "district",
                "bonus.district",
                format!("没有代码为 {district} 的区。"),
                "No such district.",
            ));
        }
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO assessment_bonuses (district_code, year, points, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                district.into(),
                year.into(),
                points.normalize().to_string().into(),
                reason.trim().into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        tx.audit(
            "assessment.bonus",
            "district",
            district,
            json!({"year": year, "points": points.to_string(), "reason": reason.trim()}),
        )
        .await?;
        Ok(id)
    }
}
