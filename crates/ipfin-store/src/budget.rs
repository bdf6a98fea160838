//! Budget you can see (issue #18 item 5): a policy year's budget figures, read for a set of
//! policy versions in one query (no query per policy), computed by `ipfin_domain::budget`; and
//! the warning for accepting beyond what remains under first come, first served.
//!
//! A policy year is a policy series (every version of one policy) and its year, as the grant
//! at the end of a notice counts it. The figures are for government readers of the policy's
//! district and the city.

use crate::Store;
use crate::application::ApplicationRow;
use crate::db::fetch_all;
use crate::error::{Result, StoreError};
use crate::policy::PolicyVersionRow;
use ipfin_domain::budget::{BudgetFigures, BudgetSums, acceptance_warning, figures};
use ipfin_domain::org::Scope;
use ipfin_domain::{Fen, Msg};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;

/// One policy version's year and its budget figures.
#[derive(Debug, Clone, Serialize)]
pub struct BatchBudget {
    pub policy_version_id: i64,
    pub district_code: String,
    pub title: String,
    pub series: i64,
    pub year: i32,
    pub figures: BudgetFigures,
}

#[derive(FromQueryResult)]
struct SumRow {
    series: i64,
    policy_year: i32,
    committed_fen: Fen,
    granted_fen: Fen,
    paid_fen: Fen,
    unpaid_fen: Fen,
    clawed_back_fen: Fen,
}

/// The sums of every (series, year) among `series`, in one query.
async fn sums<C: ConnectionTrait>(conn: &C, series: &[i64]) -> Result<Vec<SumRow>> {
    if series.is_empty() {
        return Ok(vec![]);
    }
    let marks = vec!["?"; series.len()].join(", ");
    let values: Vec<Value> = series.iter().map(|s| (*s).into()).collect();
    fetch_all(
        conn,
        &format!(
            "SELECT p.series, a.policy_year, \
             CAST(COALESCE(SUM(CASE WHEN a.state IN ('accepted', 'reviewed', 'in_notice') \
                  THEN COALESCE(a.approved_fen, a.computed_fen) ELSE 0 END), 0) AS BIGINT) AS committed_fen, \
             CAST(COALESCE(SUM(COALESCE(a.granted_fen, 0)), 0) AS BIGINT) AS granted_fen, \
             CAST(COALESCE(SUM(a.disbursed_fen), 0) AS BIGINT) AS paid_fen, \
             CAST(COALESCE(SUM(CASE WHEN a.state IN ('granted', 'disbursed') AND a.granted_fen > a.disbursed_fen \
                  THEN a.granted_fen - a.disbursed_fen ELSE 0 END), 0) AS BIGINT) AS unpaid_fen, \
             CAST(COALESCE(SUM(COALESCE(c.amount_fen, 0)), 0) AS BIGINT) AS clawed_back_fen \
             FROM applications a JOIN policy_versions p ON p.id = a.policy_version_id \
             LEFT JOIN (SELECT application_id, SUM(amount_fen) AS amount_fen FROM clawbacks GROUP BY application_id) c \
               ON c.application_id = a.id \
             WHERE p.series IN ({marks}) GROUP BY p.series, a.policy_year"
        ),
        values,
    )
    .await
}

fn batch(v: &PolicyVersionRow, rows: &[SumRow]) -> Result<BatchBudget> {
    let doc = v.doc()?;
    let s = rows
        .iter()
        .find(|r| r.series == v.series && r.policy_year == doc.year)
        .map(|r| BudgetSums {
            committed_fen: r.committed_fen,
            granted_fen: r.granted_fen,
            paid_fen: r.paid_fen,
            clawed_back_fen: r.clawed_back_fen,
            unpaid_fen: r.unpaid_fen,
        })
        .unwrap_or_default();
    Ok(BatchBudget {
        policy_version_id: v.id,
        district_code: v.district_code.clone(),
        title: v.title.clone(),
        series: v.series,
        year: doc.year,
        figures: figures(doc.budget, s).map_err(|_| StoreError::overflow("remaining budget"))?,
    })
}

impl Store {
    /// The budget figures of these policy versions (those the scope reads as government of
    /// their district; others are left out), in one query for all of them.
    pub async fn policy_budgets(
        &self,
        scope: &Scope,
        versions: &[PolicyVersionRow],
    ) -> Result<Vec<BatchBudget>> {
        let mine: Vec<&PolicyVersionRow> = versions
            .iter()
            .filter(|v| scope.reads_district(&v.district_code))
            .collect();
        let mut series: Vec<i64> = mine.iter().map(|v| v.series).collect();
        series.sort_unstable();
        series.dedup();
        let rows = sums(self.conn(), &series).await?;
        mine.into_iter().map(|v| batch(v, &rows)).collect()
    }

    /// The budget figures of one policy version's year (government of its district, the city).
    pub async fn batch_budget(&self, scope: &Scope, version_id: i64) -> Result<BatchBudget> {
        let v = self.policy_version(scope, version_id).await?;
        if !scope.reads_district(&v.district_code) {
            return Err(StoreError::NotFound);
        }
        let rows = sums(self.conn(), &[v.series]).await?;
        batch(&v, &rows)
    }

    /// The budget warning for accepting `row` (its computed amount against what remains of its
    /// policy year under first come, first served); `None` otherwise. Reads on the given
    /// connection, so acceptance can call it inside its transaction:
    /// `let warning = Store::acceptance_budget_warning(tx.conn(), &row).await?;`
    pub async fn acceptance_budget_warning<C: ConnectionTrait>(
        conn: &C,
        row: &ApplicationRow,
    ) -> Result<Option<Msg>> {
        let v = Self::policy_version_scoped(conn, &Scope::City, row.policy_version_id).await?;
        let rows = sums(conn, &[v.series]).await?;
        let b = batch(&v, &rows)?;
        Ok(acceptance_warning(&b.figures, row.computed_fen))
    }
}
