//! Quarterly statistics (SPEC §8 R4.2, issue #7 groundwork): per district, from the financing
//! records by disbursement and registration date (Asia/Shanghai business dates), for a quarter
//! and the year to its end, with the same quarter a year earlier for year-on-year change and the
//! rank among districts. Grants and payments come from the applications.

use crate::Store;
use crate::db::fetch_all;
use crate::error::{Result, StoreError};
use chrono::NaiveDate;
use ipfin_domain::stats::{Quarter, ranks, yoy_pct};
use ipfin_domain::{Fen, Scope};
use rust_decimal::Decimal;
use sea_orm::FromQueryResult;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Loan figures of a district over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromQueryResult, Serialize, Deserialize)]
pub struct LoanFigures {
    pub loans: i64,
    pub amount_fen: Fen,
    pub enterprises: i64,
    pub first_loans: i64,
    pub sme_amount_fen: Fen,
    pub patent_amount_fen: Fen,
    pub trademark_amount_fen: Fen,
    pub copyright_amount_fen: Fen,
}

/// One district's line of a quarter's statistics.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DistrictQuarter {
    pub district: String,
    pub quarter: LoanFigures,
    pub year_to_date: LoanFigures,
    /// The same quarter a year earlier.
    pub last_year_quarter: LoanFigures,
    pub pledge_registrations: i64,
    /// Pledge registrations from 1 January to the quarter's end.
    pub pledge_registrations_ytd: i64,
    pub granted_fen: Fen,
    pub disbursed_fen: Fen,
    /// Year-on-year change of the quarter's amount, % (one decimal).
    pub yoy_amount_pct: Option<Decimal>,
    /// Rank among districts by the year-to-date amount (ties share a rank).
    pub rank_ytd_amount: u32,
}

#[derive(FromQueryResult)]
struct Row {
    district: String,
    loans: i64,
    amount_fen: Fen,
    enterprises: i64,
    first_loans: i64,
    sme_amount_fen: Fen,
    patent_amount_fen: Fen,
    trademark_amount_fen: Fen,
    copyright_amount_fen: Fen,
}

#[derive(FromQueryResult)]
struct Count {
    district: String,
    n: i64,
}

/// An amount per district (a sum in SQL).
#[derive(FromQueryResult)]
struct Sum {
    district: String,
    n: Fen,
}

impl Store {
    async fn loan_figures(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<BTreeMap<String, LoanFigures>> {
        let rows: Vec<Row> = fetch_all(
            self.conn(),
            "SELECT e.registered_district AS district, CAST(COUNT(*) AS BIGINT) AS loans, \
             CAST(SUM(l.principal_fen) AS BIGINT) AS amount_fen, CAST(COUNT(DISTINCT l.enterprise_id) AS BIGINT) AS enterprises, \
             CAST(SUM(CASE WHEN l.first_loan THEN 1 ELSE 0 END) AS BIGINT) AS first_loans, \
             CAST(SUM(CASE WHEN COALESCE(e.size_override, e.size_class) IN ('medium', 'small', 'micro') THEN l.principal_fen ELSE 0 END) AS BIGINT) AS sme_amount_fen, \
             CAST(SUM(CASE WHEN l.ip_kinds LIKE '%patent%' THEN l.principal_fen ELSE 0 END) AS BIGINT) AS patent_amount_fen, \
             CAST(SUM(CASE WHEN l.ip_kinds LIKE '%trademark%' THEN l.principal_fen ELSE 0 END) AS BIGINT) AS trademark_amount_fen, \
             CAST(SUM(CASE WHEN l.ip_kinds LIKE '%copyright%' THEN l.principal_fen ELSE 0 END) AS BIGINT) AS copyright_amount_fen \
             FROM loans l JOIN enterprises e ON e.id = l.enterprise_id \
             WHERE l.first_disbursed >= ? AND l.first_disbursed <= ? AND e.registered_district IS NOT NULL \
             GROUP BY e.registered_district",
            vec![from.into(), to.into()],
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.district,
                    LoanFigures {
                        loans: r.loans,
                        amount_fen: r.amount_fen,
                        enterprises: r.enterprises,
                        first_loans: r.first_loans,
                        sme_amount_fen: r.sme_amount_fen,
                        patent_amount_fen: r.patent_amount_fen,
                        trademark_amount_fen: r.trademark_amount_fen,
                        copyright_amount_fen: r.copyright_amount_fen,
                    },
                )
            })
            .collect())
    }

    async fn counts(
        &self,
        sql: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<BTreeMap<String, i64>> {
        let rows: Vec<Count> = fetch_all(self.conn(), sql, vec![from.into(), to.into()]).await?;
        Ok(rows.into_iter().map(|c| (c.district, c.n)).collect())
    }

    async fn sums(
        &self,
        sql: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<BTreeMap<String, Fen>> {
        let rows: Vec<Sum> = fetch_all(self.conn(), sql, vec![from.into(), to.into()]).await?;
        Ok(rows.into_iter().map(|c| (c.district, c.n)).collect())
    }

    /// The statistics of a quarter for every district (city-wide figures; scope is applied by
    /// the caller's page: the city sees all, a district its own line). Read from the aggregates
    /// kept by every write (decision 0010); [`Store::quarter_stats_direct`] computes the same
    /// from the records.
    pub async fn quarter_stats(&self, scope: &Scope, q: Quarter) -> Result<Vec<DistrictQuarter>> {
        if !scope.is_government() {
            return Err(StoreError::NotFound);
        }
        self.quarter_stats_all(q).await
    }

    /// `quarter_stats` for the store's own computations (snapshots, completion, summaries).
    pub(crate) async fn quarter_stats_all(&self, q: Quarter) -> Result<Vec<DistrictQuarter>> {
        let year_start = Quarter { year: q.year, q: 1 }.first_day();
        let last = q.year_before();
        let (mut quarter, pledges) = self.day_sums(q.first_day(), q.last_day()).await?;
        let (mut ytd, pledges_ytd) = self.day_sums(year_start, q.last_day()).await?;
        let (mut before, _) = self.day_sums(last.first_day(), last.last_day()).await?;
        for (figures, sql, year, quarter) in [
            (
                &mut quarter,
                "SELECT district, enterprises AS n FROM stat_quarter_enterprises WHERE year = ? AND quarter = ?",
                q.year,
                q.q,
            ),
            (
                &mut ytd,
                "SELECT district, CAST(SUM(new_in_year) AS BIGINT) AS n FROM stat_quarter_enterprises \
                 WHERE year = ? AND quarter <= ? GROUP BY district",
                q.year,
                q.q,
            ),
            (
                &mut before,
                "SELECT district, enterprises AS n FROM stat_quarter_enterprises WHERE year = ? AND quarter = ?",
                last.year,
                last.q,
            ),
        ] {
            let rows: Vec<Count> =
                fetch_all(self.conn(), sql, vec![year.into(), (quarter as i32).into()]).await?;
            for c in rows.into_iter().filter(|c| c.n != 0) {
                figures.entry(c.district).or_default().enterprises = c.n;
            }
        }
        self.assemble(q, quarter, ytd, before, pledges, pledges_ytd)
            .await
    }

    /// Sums of the daily aggregates over a period per district: the loan figures (without the
    /// distinct-enterprise count) and the pledge registrations.
    async fn day_sums(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<(BTreeMap<String, LoanFigures>, BTreeMap<String, i64>)> {
        #[derive(FromQueryResult)]
        struct DayRow {
            district: String,
            loans: i64,
            amount_fen: Fen,
            first_loans: i64,
            sme_amount_fen: Fen,
            patent_amount_fen: Fen,
            trademark_amount_fen: Fen,
            copyright_amount_fen: Fen,
            pledges: i64,
        }
        let rows: Vec<DayRow> = fetch_all(
            self.conn(),
            "SELECT district, CAST(SUM(loans) AS BIGINT) AS loans, CAST(SUM(amount_fen) AS BIGINT) AS amount_fen, \
             CAST(SUM(first_loans) AS BIGINT) AS first_loans, CAST(SUM(sme_amount_fen) AS BIGINT) AS sme_amount_fen, \
             CAST(SUM(patent_amount_fen) AS BIGINT) AS patent_amount_fen, CAST(SUM(trademark_amount_fen) AS BIGINT) AS trademark_amount_fen, \
             CAST(SUM(copyright_amount_fen) AS BIGINT) AS copyright_amount_fen, CAST(SUM(pledges) AS BIGINT) AS pledges \
             FROM stat_loan_days WHERE day >= ? AND day <= ? GROUP BY district",
            vec![from.into(), to.into()],
        )
        .await?;
        let mut figures = BTreeMap::new();
        let mut pledges = BTreeMap::new();
        for r in rows {
            if r.pledges != 0 {
                pledges.insert(r.district.clone(), r.pledges);
            }
            if r.loans != 0 {
                figures.insert(
                    r.district,
                    LoanFigures {
                        loans: r.loans,
                        amount_fen: r.amount_fen,
                        enterprises: 0,
                        first_loans: r.first_loans,
                        sme_amount_fen: r.sme_amount_fen,
                        patent_amount_fen: r.patent_amount_fen,
                        trademark_amount_fen: r.trademark_amount_fen,
                        copyright_amount_fen: r.copyright_amount_fen,
                    },
                );
            }
        }
        Ok((figures, pledges))
    }

    /// [`Store::quarter_stats`] computed directly from the loan, pledge and enterprise records
    /// (three scans of loans joined to enterprises): the reference the aggregates are checked
    /// against.
    pub async fn quarter_stats_direct(&self, q: Quarter) -> Result<Vec<DistrictQuarter>> {
        let year_start = Quarter { year: q.year, q: 1 }.first_day();
        let last = q.year_before();
        let quarter = self.loan_figures(q.first_day(), q.last_day()).await?;
        let ytd = self.loan_figures(year_start, q.last_day()).await?;
        let before = self.loan_figures(last.first_day(), last.last_day()).await?;
        let pledges = self
            .counts(
                "SELECT e.registered_district AS district, CAST(COUNT(*) AS BIGINT) AS n FROM pledge_registrations p \
                 JOIN enterprises e ON e.id = p.pledgor_enterprise_id \
                 WHERE p.registration_date >= ? AND p.registration_date <= ? AND e.registered_district IS NOT NULL \
                 GROUP BY e.registered_district",
                q.first_day(),
                q.last_day(),
            )
            .await?;
        let pledges_ytd = self
            .counts(
                "SELECT e.registered_district AS district, CAST(COUNT(*) AS BIGINT) AS n FROM pledge_registrations p \
                 JOIN enterprises e ON e.id = p.pledgor_enterprise_id \
                 WHERE p.registration_date >= ? AND p.registration_date <= ? AND e.registered_district IS NOT NULL \
                 GROUP BY e.registered_district",
                year_start,
                q.last_day(),
            )
            .await?;
        self.assemble(q, quarter, ytd, before, pledges, pledges_ytd)
            .await
    }

    /// One line per district from the loan figures and pledge counts, with grants and payments,
    /// year-on-year change and rank.
    async fn assemble(
        &self,
        q: Quarter,
        quarter: BTreeMap<String, LoanFigures>,
        ytd: BTreeMap<String, LoanFigures>,
        before: BTreeMap<String, LoanFigures>,
        pledges: BTreeMap<String, i64>,
        pledges_ytd: BTreeMap<String, i64>,
    ) -> Result<Vec<DistrictQuarter>> {
        let granted = self
            .sums(
                "SELECT a.district_code AS district, CAST(SUM(a.granted_fen) AS BIGINT) AS n FROM applications a \
                 JOIN notice_entries ne ON ne.application_id = a.id AND ne.outcome = 'granted' \
                 JOIN notices n ON n.id = ne.notice_id \
                 WHERE n.ends_on >= ? AND n.ends_on <= ? GROUP BY a.district_code",
                q.first_day(),
                q.last_day(),
            )
            .await?;
        let disbursed = self
            .sums(
                "SELECT a.district_code AS district, CAST(SUM(g.amount_fen) AS BIGINT) AS n FROM grant_payments g \
                 JOIN applications a ON a.id = g.application_id \
                 WHERE g.paid_on >= ? AND g.paid_on <= ? GROUP BY a.district_code",
                q.first_day(),
                q.last_day(),
            )
            .await?;
        let districts: Vec<String> = self
            .districts()
            .await?
            .into_iter()
            .map(|d| d.code)
            .collect();
        let mut out: Vec<DistrictQuarter> = districts
            .into_iter()
            .map(|d| {
                let qf = quarter.get(&d).cloned().unwrap_or_default();
                let lf = before.get(&d).cloned().unwrap_or_default();
                DistrictQuarter {
                    yoy_amount_pct: yoy_pct(qf.amount_fen.get(), lf.amount_fen.get()),
                    year_to_date: ytd.get(&d).cloned().unwrap_or_default(),
                    pledge_registrations: pledges.get(&d).copied().unwrap_or(0),
                    pledge_registrations_ytd: pledges_ytd.get(&d).copied().unwrap_or(0),
                    granted_fen: granted.get(&d).copied().unwrap_or_default(),
                    disbursed_fen: disbursed.get(&d).copied().unwrap_or_default(),
                    quarter: qf,
                    last_year_quarter: lf,
                    district: d,
                    rank_ytd_amount: 0,
                }
            })
            .collect();
        let amounts: Vec<Option<Fen>> = out
            .iter()
            .map(|d| Some(d.year_to_date.amount_fen))
            .collect();
        for (d, r) in out.iter_mut().zip(ranks(&amounts)) {
            d.rank_ytd_amount = r;
        }
        Ok(out)
    }
}

/// How a district used the five-stage online process in a policy year (SPEC §9, R2.4).
#[derive(Debug, Clone, Default, PartialEq, Eq, FromQueryResult, Serialize)]
pub struct OnlineUse {
    pub district: String,
    pub submitted: i64,
    pub accepted: i64,
    pub noticed: i64,
}

impl Store {
    /// Applications submitted, accepted and publicly noticed online per district for a policy
    /// year: the evidence of the conformance matrix's R2.4 cell.
    pub async fn online_use(&self, year: i32) -> Result<BTreeMap<String, OnlineUse>> {
        let rows: Vec<OnlineUse> = fetch_all(
            self.conn(),
            "SELECT a.district_code AS district, \
             CAST(SUM(CASE WHEN a.submitted_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS submitted, \
             CAST(SUM(CASE WHEN a.accepted_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS accepted, \
             CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM notice_entries ne WHERE ne.application_id = a.id) THEN 1 ELSE 0 END) AS BIGINT) AS noticed \
             FROM applications a WHERE a.policy_year = ? GROUP BY a.district_code",
            vec![year.into()],
        )
        .await?;
        Ok(rows.into_iter().map(|r| (r.district.clone(), r)).collect())
    }
}
