//! Statistics aggregates kept in step with the financing records (issue #7, decision 0010):
//! daily figures per district (`stat_loan_days`), loan counts by quarter per enterprise-year
//! (`stat_enterprise_years`) and distinct-enterprise counts per district-quarter
//! (`stat_quarter_enterprises`). Every write that changes a loan, a pledge registration or an
//! enterprise's district or size reads the contributions of the rows it changes before and after
//! the change into its `WriteTx`; the sum is applied when the transaction commits.
//! `rebuild` recomputes everything from the records.

use crate::db::{exec, fetch_all, fetch_i64};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::Fen;
use ipfin_domain::stats_aggregate::{
    DayFigures, LoanFact, PledgeFact, QuarterCounts, StatDelta, quarter_count_changes,
};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Value};
use serde_json::json;
use std::collections::BTreeMap;

/// The contributions of some loans and pledge registrations as they stand.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub loans: Vec<LoanFact>,
    pub pledges: Vec<PledgeFact>,
}

/// Whether a read of facts also locks the rows it reads (PostgreSQL; SQLite serialises writers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lock {
    None,
    /// The loan or registration row for update, its enterprise shared: nobody changes the row
    /// or moves the enterprise until this transaction ends.
    Row,
}

fn is_pg<C: ConnectionTrait>(conn: &C) -> bool {
    conn.get_database_backend() == DbBackend::Postgres
}

/// `?, ?, …` for `n` values.
fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

#[derive(FromQueryResult)]
struct LoanFactRow {
    district: Option<String>,
    enterprise_id: i64,
    day: NaiveDate,
    principal_fen: Fen,
    first_loan: bool,
    sme: i64,
    ip_kinds: String,
}

#[derive(FromQueryResult)]
struct PledgeFactRow {
    district: Option<String>,
    day: NaiveDate,
}

/// The SME test of the direct statistics, in SQL (alias `e`).
const SME: &str = "CAST(CASE WHEN COALESCE(e.size_override, e.size_class) IN ('medium', 'small', 'micro') THEN 1 ELSE 0 END AS BIGINT)";

/// Reads the contributions of the loans matching `cond` (aliases `l`, `e`). Loans of
/// enterprises without a registered district contribute nothing.
pub(crate) async fn loan_facts<C: ConnectionTrait>(
    conn: &C,
    cond: &str,
    values: Vec<Value>,
    lock: Lock,
) -> Result<Vec<LoanFact>> {
    let lock = match lock {
        Lock::Row if is_pg(conn) => " FOR NO KEY UPDATE OF l FOR SHARE OF e",
        _ => "",
    };
    let rows: Vec<LoanFactRow> = fetch_all(
        conn,
        &format!(
            "SELECT e.registered_district AS district, l.enterprise_id, l.first_disbursed AS day, l.principal_fen, l.first_loan, \
             {SME} AS sme, l.ip_kinds FROM loans l JOIN enterprises e ON e.id = l.enterprise_id WHERE {cond}{lock}"
        ),
        values,
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(LoanFact {
                district: r.district?,
                enterprise_id: r.enterprise_id,
                day: r.day,
                principal_fen: r.principal_fen,
                first_loan: r.first_loan,
                sme: r.sme != 0,
                ip_kinds: r.ip_kinds,
            })
        })
        .collect())
}

/// Reads the contributions of the pledge registrations matching `cond` (aliases `p`, `e`).
pub(crate) async fn pledge_facts<C: ConnectionTrait>(
    conn: &C,
    cond: &str,
    values: Vec<Value>,
    lock: Lock,
) -> Result<Vec<PledgeFact>> {
    let lock = match lock {
        Lock::Row if is_pg(conn) => " FOR NO KEY UPDATE OF p FOR SHARE OF e",
        _ => "",
    };
    let rows: Vec<PledgeFactRow> = fetch_all(
        conn,
        &format!(
            "SELECT e.registered_district AS district, p.registration_date AS day \
             FROM pledge_registrations p JOIN enterprises e ON e.id = p.pledgor_enterprise_id WHERE {cond}{lock}"
        ),
        values,
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(PledgeFact {
                district: r.district?,
                day: r.day,
            })
        })
        .collect())
}

/// Locks enterprises shared (PostgreSQL): their district and size cannot change until this
/// transaction ends, while other writers of their loans go on. A loan writer takes this before
/// it reads what its loan contributes.
pub(crate) async fn share_enterprises<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<()> {
    lock_enterprises(conn, ids, "FOR SHARE").await
}

async fn lock_enterprises<C: ConnectionTrait>(conn: &C, ids: &[i64], mode: &str) -> Result<()> {
    if !is_pg(conn) || ids.is_empty() {
        return Ok(());
    }
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(5000) {
        exec(
            conn,
            &format!(
                "SELECT id FROM enterprises WHERE id IN ({}) ORDER BY id {mode}",
                marks(chunk.len())
            ),
            chunk.iter().map(|i| Value::from(*i)).collect(),
        )
        .await?;
    }
    Ok(())
}

/// The contributions of all the loans and pledge registrations of some enterprises. With
/// `lock`, the enterprises are first locked for update (PostgreSQL), so no loan of theirs
/// changes between this read and the end of the transaction: call it before changing their
/// district or size, and [`enterprise_facts`] without lock after.
pub(crate) async fn enterprise_facts<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
    lock: bool,
) -> Result<Facts> {
    if lock {
        lock_enterprises(conn, ids, "FOR NO KEY UPDATE").await?;
    }
    let mut facts = Facts::default();
    for chunk in ids.chunks(2000) {
        let values: Vec<Value> = chunk.iter().map(|i| Value::from(*i)).collect();
        let m = marks(chunk.len());
        facts.loans.extend(
            loan_facts(
                conn,
                &format!("l.enterprise_id IN ({m})"),
                values.clone(),
                Lock::None,
            )
            .await?,
        );
        facts.pledges.extend(
            pledge_facts(
                conn,
                &format!("p.pledgor_enterprise_id IN ({m})"),
                values,
                Lock::None,
            )
            .await?,
        );
    }
    Ok(facts)
}

impl WriteTx {
    /// Records that the contributions `before` were replaced by `after` in this transaction.
    /// A day's amounts that would no longer fit in fen are an internal error (logged), never
    /// a wrapped figure; the transaction is then not committed.
    pub(crate) fn replace_stats(&mut self, before: &Facts, after: &Facts) -> Result<()> {
        self.stats_mut()
            .replace(
                (&before.loans, &before.pledges),
                (&after.loans, &after.pledges),
            )
            .map_err(|_| StoreError::overflow("stat_loan_days"))
    }
}

/// Rows a multi-row statement carries: well under SQLite's 32,766 and PostgreSQL's 65,535
/// parameters at 10 values a row.
const ROWS_PER_STATEMENT: usize = 500;

#[derive(FromQueryResult)]
struct YearCounts {
    enterprise_id: i64,
    year: i32,
    district: String,
    q1: i64,
    q2: i64,
    q3: i64,
    q4: i64,
}

/// Applies a transaction's summed changes (at commit, after its audit events, so concurrent
/// writers apply theirs one after the other). Counter rows are incremented, never overwritten;
/// the enterprise-year rows return their new counts, from which the distinct-enterprise counts
/// change exactly.
pub(crate) async fn apply<C: ConnectionTrait>(conn: &C, mut delta: StatDelta) -> Result<()> {
    delta.prune();
    if delta.is_empty() {
        return Ok(());
    }
    let days: Vec<(&(NaiveDate, String), &DayFigures)> = delta.days.iter().collect();
    for chunk in days.chunks(ROWS_PER_STATEMENT) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 10);
        for ((day, district), f) in chunk {
            values.extend([
                Value::from(*day),
                district.clone().into(),
                f.loans.into(),
                f.amount_fen.into(),
                f.first_loans.into(),
                f.sme_amount_fen.into(),
                f.patent_amount_fen.into(),
                f.trademark_amount_fen.into(),
                f.copyright_amount_fen.into(),
                f.pledges.into(),
            ]);
        }
        let rows = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        exec(
            conn,
            &format!(
                "INSERT INTO stat_loan_days (day, district, loans, amount_fen, first_loans, sme_amount_fen, patent_amount_fen, \
                 trademark_amount_fen, copyright_amount_fen, pledges) VALUES {rows} \
                 ON CONFLICT (day, district) DO UPDATE SET loans = stat_loan_days.loans + excluded.loans, \
                 amount_fen = stat_loan_days.amount_fen + excluded.amount_fen, \
                 first_loans = stat_loan_days.first_loans + excluded.first_loans, \
                 sme_amount_fen = stat_loan_days.sme_amount_fen + excluded.sme_amount_fen, \
                 patent_amount_fen = stat_loan_days.patent_amount_fen + excluded.patent_amount_fen, \
                 trademark_amount_fen = stat_loan_days.trademark_amount_fen + excluded.trademark_amount_fen, \
                 copyright_amount_fen = stat_loan_days.copyright_amount_fen + excluded.copyright_amount_fen, \
                 pledges = stat_loan_days.pledges + excluded.pledges"
            ),
            values,
        )
        .await?;
    }
    // Distinct-enterprise counts: (year, quarter, district) → (enterprises, new in the year).
    let mut counts: BTreeMap<(i32, i32, String), (i64, i64)> = BTreeMap::new();
    let mut emptied: Vec<i64> = Vec::new();
    let years: Vec<(&(i64, i32, String), &QuarterCounts)> = delta.enterprise_years.iter().collect();
    for chunk in years.chunks(ROWS_PER_STATEMENT) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 7);
        for ((ent, year, district), c) in chunk {
            values.extend([
                Value::from(*ent),
                (*year).into(),
                district.clone().into(),
                c[0].into(),
                c[1].into(),
                c[2].into(),
                c[3].into(),
            ]);
        }
        let rows = vec!["(?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let after: Vec<YearCounts> = fetch_all(
            conn,
            &format!(
                "INSERT INTO stat_enterprise_years (enterprise_id, year, district, q1, q2, q3, q4) VALUES {rows} \
                 ON CONFLICT (enterprise_id, year, district) DO UPDATE SET q1 = stat_enterprise_years.q1 + excluded.q1, \
                 q2 = stat_enterprise_years.q2 + excluded.q2, q3 = stat_enterprise_years.q3 + excluded.q3, \
                 q4 = stat_enterprise_years.q4 + excluded.q4 \
                 RETURNING enterprise_id, year, district, q1, q2, q3, q4"
            ),
            values,
        )
        .await?;
        for a in after {
            let now = [a.q1, a.q2, a.q3, a.q4];
            let key = (a.enterprise_id, a.year, a.district);
            let change = delta
                .enterprise_years
                .get(&key)
                .copied()
                .unwrap_or_default();
            let before: QuarterCounts = std::array::from_fn(|k| now[k] - change[k]);
            let (active, first) = quarter_count_changes(&before, &now);
            for (k, (a, f)) in active.into_iter().zip(first).enumerate() {
                if a != 0 || f != 0 {
                    let c = counts
                        .entry((key.1, k as i32 + 1, key.2.clone()))
                        .or_default();
                    c.0 += a;
                    c.1 += f;
                }
            }
            if now.iter().all(|n| *n == 0) {
                emptied.push(key.0);
            }
        }
    }
    for chunk in emptied.chunks(ROWS_PER_STATEMENT) {
        exec(
            conn,
            &format!(
                "DELETE FROM stat_enterprise_years WHERE enterprise_id IN ({}) AND q1 = 0 AND q2 = 0 AND q3 = 0 AND q4 = 0",
                marks(chunk.len())
            ),
            chunk.iter().map(|i| Value::from(*i)).collect(),
        )
        .await?;
    }
    counts.retain(|_, c| *c != (0, 0));
    let counts: Vec<_> = counts.into_iter().collect();
    for chunk in counts.chunks(ROWS_PER_STATEMENT) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 5);
        for ((year, quarter, district), (active, first)) in chunk {
            values.extend([
                Value::from(*year),
                (*quarter).into(),
                district.clone().into(),
                (*active).into(),
                (*first).into(),
            ]);
        }
        let rows = vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        exec(
            conn,
            &format!(
                "INSERT INTO stat_quarter_enterprises (year, quarter, district, enterprises, new_in_year) VALUES {rows} \
                 ON CONFLICT (year, quarter, district) DO UPDATE SET \
                 enterprises = stat_quarter_enterprises.enterprises + excluded.enterprises, \
                 new_in_year = stat_quarter_enterprises.new_in_year + excluded.new_in_year"
            ),
            values,
        )
        .await?;
    }
    Ok(())
}

/// The year and quarter of a date column, per backend (dates are ISO text on SQLite).
fn year_quarter(backend: DbBackend, col: &str) -> (String, String) {
    match backend {
        DbBackend::Postgres => (
            format!("CAST(EXTRACT(YEAR FROM {col}) AS INTEGER)"),
            format!("CAST(EXTRACT(QUARTER FROM {col}) AS INTEGER)"),
        ),
        _ => (
            format!("CAST(substr({col}, 1, 4) AS INTEGER)"),
            format!("((CAST(substr({col}, 6, 2) AS INTEGER) + 2) / 3)"),
        ),
    }
}

/// The statements that create the aggregate tables (migration M0011).
pub(crate) fn create_sql(backend: DbBackend) -> Vec<String> {
    // On SQLite the rows live in their primary-key B-tree (no separate rowid table).
    let compact = if backend == DbBackend::Sqlite {
        " WITHOUT ROWID"
    } else {
        ""
    };
    vec![
        format!(
            "CREATE TABLE stat_loan_days (day DATE NOT NULL, district VARCHAR(20) NOT NULL, loans BIGINT NOT NULL, \
             amount_fen BIGINT NOT NULL, first_loans BIGINT NOT NULL, sme_amount_fen BIGINT NOT NULL, \
             patent_amount_fen BIGINT NOT NULL, trademark_amount_fen BIGINT NOT NULL, copyright_amount_fen BIGINT NOT NULL, \
             pledges BIGINT NOT NULL, PRIMARY KEY (day, district)){compact}"
        ),
        format!(
            "CREATE TABLE stat_enterprise_years (enterprise_id BIGINT NOT NULL, year INTEGER NOT NULL, district VARCHAR(20) NOT NULL, \
             q1 BIGINT NOT NULL, q2 BIGINT NOT NULL, q3 BIGINT NOT NULL, q4 BIGINT NOT NULL, \
             PRIMARY KEY (enterprise_id, year, district)){compact}"
        ),
        format!(
            "CREATE TABLE stat_quarter_enterprises (year INTEGER NOT NULL, quarter INTEGER NOT NULL, district VARCHAR(20) NOT NULL, \
             enterprises BIGINT NOT NULL, new_in_year BIGINT NOT NULL, PRIMARY KEY (year, quarter, district)){compact}"
        ),
    ]
}

/// The statements that recompute every aggregate from the loans, pledge registrations and
/// enterprises (the same grouping as the direct statistics).
pub(crate) fn rebuild_sql(backend: DbBackend) -> Vec<String> {
    let (year, quarter) = year_quarter(backend, "l.first_disbursed");
    let q = |k: u32| format!("CAST(SUM(CASE WHEN {quarter} = {k} THEN 1 ELSE 0 END) AS BIGINT)");
    let active = |k: usize| {
        let cond = ["q1 > 0", "q2 > 0", "q3 > 0", "q4 > 0"][k];
        let first = [
            "q1 > 0",
            "q1 = 0 AND q2 > 0",
            "q1 = 0 AND q2 = 0 AND q3 > 0",
            "q1 = 0 AND q2 = 0 AND q3 = 0 AND q4 > 0",
        ][k];
        format!(
            "SELECT year, {} AS quarter, district, CASE WHEN {cond} THEN 1 ELSE 0 END AS active_q, \
             CASE WHEN {first} THEN 1 ELSE 0 END AS first_q FROM stat_enterprise_years",
            k + 1
        )
    };
    vec![
        "DELETE FROM stat_loan_days".to_string(),
        "DELETE FROM stat_enterprise_years".to_string(),
        "DELETE FROM stat_quarter_enterprises".to_string(),
        format!(
            "INSERT INTO stat_loan_days (day, district, loans, amount_fen, first_loans, sme_amount_fen, patent_amount_fen, \
             trademark_amount_fen, copyright_amount_fen, pledges) \
             SELECT day, district, CAST(SUM(loans) AS BIGINT), CAST(SUM(amount_fen) AS BIGINT), CAST(SUM(first_loans) AS BIGINT), \
             CAST(SUM(sme_amount_fen) AS BIGINT), CAST(SUM(patent_amount_fen) AS BIGINT), CAST(SUM(trademark_amount_fen) AS BIGINT), \
             CAST(SUM(copyright_amount_fen) AS BIGINT), CAST(SUM(pledges) AS BIGINT) FROM ( \
             SELECT l.first_disbursed AS day, e.registered_district AS district, 1 AS loans, l.principal_fen AS amount_fen, \
             CASE WHEN l.first_loan THEN 1 ELSE 0 END AS first_loans, \
             CASE WHEN COALESCE(e.size_override, e.size_class) IN ('medium', 'small', 'micro') THEN l.principal_fen ELSE 0 END AS sme_amount_fen, \
             CASE WHEN l.ip_kinds LIKE '%patent%' THEN l.principal_fen ELSE 0 END AS patent_amount_fen, \
             CASE WHEN l.ip_kinds LIKE '%trademark%' THEN l.principal_fen ELSE 0 END AS trademark_amount_fen, \
             CASE WHEN l.ip_kinds LIKE '%copyright%' THEN l.principal_fen ELSE 0 END AS copyright_amount_fen, 0 AS pledges \
             FROM loans l JOIN enterprises e ON e.id = l.enterprise_id WHERE e.registered_district IS NOT NULL \
             UNION ALL \
             SELECT p.registration_date, e.registered_district, 0, 0, 0, 0, 0, 0, 0, 1 \
             FROM pledge_registrations p JOIN enterprises e ON e.id = p.pledgor_enterprise_id WHERE e.registered_district IS NOT NULL \
             ) x GROUP BY day, district"
        ),
        format!(
            "INSERT INTO stat_enterprise_years (enterprise_id, year, district, q1, q2, q3, q4) \
             SELECT l.enterprise_id, {year}, e.registered_district, {}, {}, {}, {} \
             FROM loans l JOIN enterprises e ON e.id = l.enterprise_id WHERE e.registered_district IS NOT NULL \
             GROUP BY l.enterprise_id, {year}, e.registered_district",
            q(1),
            q(2),
            q(3),
            q(4)
        ),
        format!(
            "INSERT INTO stat_quarter_enterprises (year, quarter, district, enterprises, new_in_year) \
             SELECT year, quarter, district, CAST(SUM(active_q) AS BIGINT), CAST(SUM(first_q) AS BIGINT) FROM ( \
             {} UNION ALL {} UNION ALL {} UNION ALL {}) x GROUP BY year, quarter, district \
             HAVING SUM(active_q) > 0 OR SUM(first_q) > 0",
            active(0),
            active(1),
            active(2),
            active(3)
        ),
    ]
}

/// What a rebuild found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RebuildReport {
    pub day_rows: i64,
    pub enterprise_year_rows: i64,
    pub quarter_rows: i64,
}

impl Store {
    /// Recomputes the statistics aggregates from the records in one transaction (after a bulk
    /// load, or to repair them). On PostgreSQL writers of loans, pledges and enterprises wait
    /// until it is done. `progress` is told each step.
    pub async fn rebuild_stats(&self, mut progress: impl FnMut(&str)) -> Result<RebuildReport> {
        let mut tx = self
            .write(crate::audit::AuditActor::system("stats-rebuild"))
            .await?;
        if is_pg(tx.conn()) {
            progress("lock");
            exec(
                tx.conn(),
                "LOCK TABLE loans, pledge_registrations, enterprises IN SHARE MODE",
                vec![],
            )
            .await?;
        }
        for (i, sql) in rebuild_sql(self.backend()).iter().enumerate() {
            progress(
                [
                    "delete",
                    "delete",
                    "delete",
                    "stat_loan_days",
                    "stat_enterprise_years",
                    "stat_quarter_enterprises",
                ]
                .get(i)
                .copied()
                .unwrap_or("rebuild"),
            );
            exec(tx.conn(), sql, vec![]).await?;
        }
        let count = |t: &str| format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {t}");
        let report = RebuildReport {
            day_rows: fetch_i64(tx.conn(), &count("stat_loan_days"), vec![]).await?,
            enterprise_year_rows: fetch_i64(tx.conn(), &count("stat_enterprise_years"), vec![])
                .await?,
            quarter_rows: fetch_i64(tx.conn(), &count("stat_quarter_enterprises"), vec![]).await?,
        };
        tx.audit("stats.rebuild", "statistics", "aggregates", json!(report))
            .await?;
        progress("commit");
        tx.commit().await?;
        Ok(report)
    }
}
