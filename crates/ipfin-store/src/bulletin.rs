//! Quarterly bulletins (季度通报, SPEC §8 R4.2; issue #7): the statistics of every district for
//! a quarter with its targets and completion, frozen into a snapshot when the city issues the
//! bulletin. A bulletin is issued once per quarter, only after the quarter has ended, and never
//! changes: a record corrected later shows as a correction against it (published figure →
//! current figure), computed when the bulletin is read.

use crate::db::{fetch_all, fetch_i64, fetch_opt};
use crate::error::{Result, StoreError};
use crate::stats::DistrictQuarter;
use crate::{Store, WriteTx};
use chrono::{Datelike, NaiveDate};
use ipfin_domain::org::Scope;
use ipfin_domain::stats::{ExactCompletion, Quarter, completion_pct, ranks};
use ipfin_domain::target::{Metric, YearActuals};
use rust_decimal::Decimal;
use sea_orm::FromQueryResult;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// One target of a district with its completion as of the quarter's end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    pub metric: Metric,
    pub target: i64,
    pub actual: i64,
    pub pct: Option<Decimal>,
}

/// One district's line of the bulletin.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BulletinRow {
    pub district_code: String,
    pub district_name: String,
    pub stats: DistrictQuarter,
    /// The year's targets with their completion through the quarter's end, in metric order.
    pub completion: Vec<Completion>,
    /// Completion of the amount target, the ranking's key.
    pub amount_pct: Option<Decimal>,
    /// Rank by the completion of the amount target (ties share a rank; no target ranks last).
    pub rank: u32,
}

/// The statistics of a quarter as the bulletin shows them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    pub quarter: Quarter,
    /// The last day of the quarter: the figures are "as of the end of" it.
    pub as_of: NaiveDate,
    pub rows: Vec<BulletinRow>,
}

/// A district commended in a bulletin, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commendation {
    pub district_code: String,
    pub district_name: String,
    pub reason: String,
}

/// An issued bulletin.
#[derive(Debug, Clone, Serialize)]
pub struct Bulletin {
    pub id: i64,
    pub quarter: Quarter,
    pub title: String,
    pub issued_on: NaiveDate,
    pub issued_at: i64,
    pub snapshot: Snapshot,
    pub commendations: Vec<Commendation>,
    /// The organisation of the person who issued it (the document's 发文机关).
    pub issuer: Option<String>,
    /// Its place among the bulletins issued in the same calendar year (1, 2, …): the serial
    /// number of its 发文字号 (〔2026〕3号). Bulletins are never deleted, so it never changes.
    pub number: i64,
}

/// An issued bulletin in a list.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct BulletinSummary {
    pub id: i64,
    pub quarter: String,
    pub title: String,
    pub issued_on: NaiveDate,
}

#[derive(FromQueryResult)]
struct BulletinDb {
    id: i64,
    quarter: String,
    title: String,
    issued_on: NaiveDate,
    issued_at: i64,
    snapshot: String,
    commendations: String,
    issuer: Option<String>,
}

/// A published figure that differs from what the records say now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    pub district_code: String,
    pub district_name: String,
    /// What the figure is, in Chinese (e.g. 本季度融资金额（元）).
    pub figure: &'static str,
    /// Whether the figure is an amount in fen (shown in 元).
    pub money: bool,
    pub published: i64,
    pub current: i64,
}

/// The figures of a line that a later correction can change, with their labels.
fn figures(r: &BulletinRow) -> [(&'static str, bool, i64); 11] {
    let s = &r.stats;
    [
        ("本季度融资金额（元）", true, s.quarter.amount_fen.get()),
        ("本季度贷款笔数", false, s.quarter.loans),
        ("本季度获贷企业数", false, s.quarter.enterprises),
        (
            "本年累计融资金额（元）",
            true,
            s.year_to_date.amount_fen.get(),
        ),
        ("本年累计获贷企业数", false, s.year_to_date.enterprises),
        ("本年累计首贷企业数", false, s.year_to_date.first_loans),
        (
            "本年累计中小微企业融资额（元）",
            true,
            s.year_to_date.sme_amount_fen.get(),
        ),
        ("本季度质押登记笔数", false, s.pledge_registrations),
        ("本年累计质押登记笔数", false, s.pledge_registrations_ytd),
        ("本季度资助核定金额（元）", true, s.granted_fen.get()),
        ("本季度资助拨付金额（元）", true, s.disbursed_fen.get()),
    ]
}

/// The corrections of a published snapshot against the current figures, figure by figure.
pub fn corrections(published: &Snapshot, current: &Snapshot) -> Vec<Correction> {
    let now: BTreeMap<&str, &BulletinRow> = current
        .rows
        .iter()
        .map(|r| (r.district_code.as_str(), r))
        .collect();
    let mut out = Vec::new();
    for p in &published.rows {
        let Some(c) = now.get(p.district_code.as_str()) else {
            continue;
        };
        for ((figure, money, before), (_, _, after)) in figures(p).into_iter().zip(figures(c)) {
            if before != after {
                out.push(Correction {
                    district_code: p.district_code.clone(),
                    district_name: p.district_name.clone(),
                    figure,
                    money,
                    published: before,
                    current: after,
                });
            }
        }
    }
    out
}

fn readable(scope: &Scope) -> bool {
    scope.is_government()
}

impl Store {
    /// The statistics of a quarter with the year's targets and their completion through the
    /// quarter's end, ranked by the completion of the amount target: what a bulletin freezes.
    pub async fn snapshot(&self, q: Quarter) -> Result<Snapshot> {
        let stats = self.quarter_stats_all(q).await?;
        let targets = self.target_map(&Scope::City, q.year).await?;
        let names: BTreeMap<String, String> = self
            .districts()
            .await?
            .into_iter()
            .map(|d| (d.code, d.name))
            .collect();
        let mut rows: Vec<BulletinRow> = stats
            .into_iter()
            .map(|s| {
                let actual = YearActuals {
                    amount_fen: s.year_to_date.amount_fen,
                    enterprises: s.year_to_date.enterprises,
                    pledges: s.pledge_registrations_ytd,
                    first_loans: s.year_to_date.first_loans,
                    sme_amount_fen: s.year_to_date.sme_amount_fen,
                };
                let set = targets.get(&s.district).cloned().unwrap_or_default();
                let completion: Vec<Completion> = Metric::ALL
                    .iter()
                    .filter_map(|m| {
                        set.get(m).map(|t| Completion {
                            metric: *m,
                            target: *t,
                            actual: actual.value(*m),
                            pct: completion_pct(actual.value(*m), *t),
                        })
                    })
                    .collect();
                let amount_pct = completion
                    .iter()
                    .find(|c| c.metric == Metric::Amount)
                    .and_then(|c| c.pct);
                BulletinRow {
                    district_name: names.get(&s.district).cloned().unwrap_or_default(),
                    district_code: s.district.clone(),
                    stats: s,
                    completion,
                    amount_pct,
                    rank: 0,
                }
            })
            .collect();
        // Ranked on the exact completion (issue #19 item 11): the percentage shown is rounded
        // to 0.1%, the order is not.
        let keys: Vec<Option<ExactCompletion>> = rows
            .iter()
            .map(|r| {
                r.completion
                    .iter()
                    .find(|c| c.metric == Metric::Amount)
                    .and_then(|c| ExactCompletion::new(c.actual, c.target))
            })
            .collect();
        for (r, k) in rows.iter_mut().zip(ranks(&keys)) {
            r.rank = k;
        }
        rows.sort_by(|a, b| {
            a.rank
                .cmp(&b.rank)
                .then(
                    b.stats
                        .year_to_date
                        .amount_fen
                        .cmp(&a.stats.year_to_date.amount_fen),
                )
                .then(a.district_code.cmp(&b.district_code))
        });
        Ok(Snapshot {
            quarter: q,
            as_of: q.last_day(),
            rows,
        })
    }

    /// Issues the bulletin of a quarter from a snapshot taken just before (outside the write
    /// transaction). The city only; the quarter must have ended; once per quarter.
    pub async fn issue_bulletin(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        snapshot: &Snapshot,
        today: NaiveDate,
        title: &str,
        commendations: &[(String, String)],
    ) -> Result<i64> {
        if !scope.is_city() {
            return Err(StoreError::forbidden(
                "bulletin.city_only",
                "季度通报由市知识产权局印发。",
                "Only the city issues bulletins.",
            ));
        }
        let q = snapshot.quarter;
        if !q.ended_by(today) {
            return Err(StoreError::invalid(
                "quarter",
                "bulletin.quarter_open",
                format!(
                    "{}年第{}季度要到 {} 才结束，季度结束后才能印发通报。",
                    q.year,
                    q.q,
                    q.last_day()
                ),
                "The quarter has not ended yet.",
            ));
        }
        let exists = fetch_i64(
            tx.conn(),
            "SELECT COUNT(*) FROM bulletins WHERE quarter = ?",
            vec![q.to_string().into()],
        )
        .await?;
        let dup = || {
            ipfin_domain::Msg::new(
                "bulletin.exists",
                format!(
                    "{}年第{}季度的通报已经印发，通报不可重发或修改；更正会在原通报下方列出。",
                    q.year, q.q
                ),
                "The bulletin of that quarter was already issued.",
            )
        };
        if exists > 0 {
            return Err(StoreError::Conflict(dup()));
        }
        let title = title.trim();
        let title = if title.is_empty() {
            // The quarter in words, as documents write it (2026年第三季度).
            let n = ["一", "二", "三", "四"]
                .get(q.q.saturating_sub(1) as usize)
                .copied()
                .unwrap_or("");
            format!("关于{}年第{n}季度知识产权质押融资工作情况的通报", q.year)
        } else if title.chars().count() > 120 {
            return Err(StoreError::invalid(
                "title",
                "bulletin.title",
                "通报标题不超过 120 个字。",
                "The title is too long.",
            ));
        } else {
            title.to_string()
        };
        let mut praised = Vec::new();
        for (code, reason) in commendations {
            let Some(row) = snapshot.rows.iter().find(|r| &r.district_code == code) else {
                return Err(StoreError::invalid(
                    "commend",
                    "bulletin.commend_district",
                    format!("没有代码为 {code} 的区。"),
                    "No such district.",
                ));
            };
            let reason = reason.trim();
            if reason.chars().count() < 4 {
                return Err(StoreError::invalid(
                    "commend",
                    "bulletin.commend_reason",
                    format!("请写明通报表扬{}的理由（至少 4 个字）。", row.district_name),
                    "Give the reason for each commendation.",
                ));
            }
            praised.push(Commendation {
                district_code: code.clone(),
                district_name: row.district_name.clone(),
                reason: reason.to_string(),
            });
        }
        let snap =
            serde_json::to_string(snapshot).map_err(|e| StoreError::Internal(e.to_string()))?;
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO bulletins (quarter, title, issued_on, issued_at, issued_by, snapshot, commendations) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                q.to_string().into(),
                title.clone().into(),
                today.into(),
                crate::now_s().into(),
                tx.actor_user_id().into(),
                snap.into(),
                json!(praised).to_string().into(),
            ],
        )
        .await
        .map_err(|e| e.unique_as(dup()))?;
        tx.audit(
            "bulletin.issue",
            "bulletin",
            id,
            json!({"quarter": q.to_string(), "title": title, "commendations": praised}),
        )
        .await?;
        Ok(id)
    }

    /// The issued bulletins, newest quarter first (the city and the districts).
    pub async fn bulletins(&self, scope: &Scope) -> Result<Vec<BulletinSummary>> {
        if !readable(scope) {
            return Ok(Vec::new());
        }
        fetch_all(
            self.conn(),
            "SELECT id, quarter, title, issued_on FROM bulletins ORDER BY quarter DESC",
            vec![],
        )
        .await
    }

    /// An issued bulletin as it was issued.
    pub async fn bulletin(&self, scope: &Scope, q: Quarter) -> Result<Bulletin> {
        if !readable(scope) {
            return Err(StoreError::NotFound);
        }
        let row: BulletinDb = fetch_opt(
            self.conn(),
            "SELECT b.id, b.quarter, b.title, b.issued_on, b.issued_at, b.snapshot, b.commendations, o.name AS issuer \
             FROM bulletins b LEFT JOIN users u ON u.id = b.issued_by LEFT JOIN organisations o ON o.id = u.organisation_id \
             WHERE b.quarter = ?",
            vec![q.to_string().into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let year = row.issued_on.year();
        let (first, last) = (
            NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(row.issued_on),
            NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(row.issued_on),
        );
        let number = fetch_i64(
            self.conn(),
            "SELECT COUNT(*) FROM bulletins WHERE issued_on BETWEEN ? AND ? AND id <= ?",
            vec![first.into(), last.into(), row.id.into()],
        )
        .await?;
        let bad = |e: serde_json::Error| StoreError::Internal(format!("bulletin {}: {e}", row.id));
        Ok(Bulletin {
            id: row.id,
            quarter: Quarter::parse(&row.quarter).map_err(|m| StoreError::Internal(m.zh))?,
            title: row.title.clone(),
            issued_on: row.issued_on,
            issued_at: row.issued_at,
            snapshot: serde_json::from_str(&row.snapshot).map_err(bad)?,
            commendations: serde_json::from_str(&row.commendations).map_err(bad)?,
            issuer: row.issuer.clone(),
            number,
        })
    }
}
