//! Benchmark-sized synthetic loans (issue #7, `ipfin demo --loans N`): written straight into the
//! loan, pledge-registration and status tables with multi-row inserts, without the checks and
//! the statistics bookkeeping of `save_loan`. The caller rebuilds the statistics afterwards
//! (`Store::rebuild_stats`).

use crate::db::{exec, fetch_all, fetch_i64};
use crate::error::Result;
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::{EnterpriseId, Fen, OrgId};
use sea_orm::{FromQueryResult, Value};
use serde_json::json;
use std::collections::HashMap;

/// A synthetic loan with its one pledge registration (no pledged items, payments or contracts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkLoan {
    pub lender_org_id: OrgId,
    pub enterprise_id: EnterpriseId,
    pub contract_number: String,
    pub principal_fen: Fen,
    /// As stored: a normalised decimal fraction, e.g. `0.035`.
    pub annual_rate: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub first_loan: bool,
    /// Comma-separated IP kind codes, sorted, as `save_loan` stores them.
    pub ip_kinds: &'static str,
    /// `outstanding` or `repaid` (then on `end`).
    pub status: &'static str,
    pub pledge_number: String,
    pub registered: NaiveDate,
}

/// Rows per multi-row statement: 20 values a loan row stays under SQLite's 32,766 parameters.
const ROWS: usize = 1000;

impl Store {
    /// The ids of the enterprises with a registered district, in id order (the borrowers a
    /// synthetic loan book draws from).
    pub async fn enterprise_ids_with_district(&self) -> Result<Vec<i64>> {
        #[derive(FromQueryResult)]
        struct Id {
            id: i64,
        }
        let rows: Vec<Id> = fetch_all(
            self.conn(),
            "SELECT id FROM enterprises WHERE registered_district IS NOT NULL ORDER BY id",
            vec![],
        )
        .await?;
        Ok(rows.into_iter().map(|r| r.id).collect())
    }

    /// How many loans have a contract number starting with `prefix`.
    pub async fn loans_with_contract_prefix(&self, prefix: &str) -> Result<i64> {
        fetch_i64(
            self.conn(),
            "SELECT CAST(COUNT(*) AS BIGINT) FROM loans WHERE contract_number LIKE ?",
            vec![format!("{}%", prefix.replace(['%', '_'], "")).into()],
        )
        .await
    }

    /// Writes synthetic loans with their pledge registrations and status history in the
    /// transaction, with one audit event. Contract numbers and pledge numbers must be new.
    pub async fn insert_bulk_loans(&self, tx: &mut WriteTx, loans: &[BulkLoan]) -> Result<()> {
        let (Some(first), Some(last)) = (loans.first(), loans.last()) else {
            return Ok(());
        };
        let now = crate::now_s();
        let mut registration_ids: HashMap<String, i64> = HashMap::with_capacity(loans.len());
        let mut loan_ids: HashMap<(OrgId, String), i64> = HashMap::with_capacity(loans.len());
        #[derive(FromQueryResult)]
        struct Registration {
            id: i64,
            number: String,
        }
        #[derive(FromQueryResult)]
        struct Loan {
            id: i64,
            lender_org_id: OrgId,
            contract_number: String,
        }
        for chunk in loans.chunks(ROWS) {
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 8);
            for l in chunk {
                values.extend([
                    Value::from(l.pledge_number.clone()),
                    l.lender_org_id.into(),
                    l.enterprise_id.into(),
                    l.principal_fen.into(),
                    l.registered.into(),
                    None::<NaiveDate>.into(),
                    now.into(),
                    now.into(),
                ]);
            }
            let rows: Vec<Registration> = fetch_all(
                tx.conn(),
                &format!(
                    "INSERT INTO pledge_registrations (number, pledgee_org_id, pledgor_enterprise_id, secured_amount_fen, \
                     registration_date, cancellation_date, created_at, updated_at) VALUES {} RETURNING id, number",
                    vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ")
                ),
                values,
            )
            .await?;
            registration_ids.extend(rows.into_iter().map(|r| (r.number, r.id)));
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 20);
            for l in chunk {
                values.extend([
                    Value::from(l.lender_org_id),
                    l.enterprise_id.into(),
                    l.contract_number.clone().into(),
                    l.principal_fen.into(),
                    l.annual_rate.clone().into(),
                    l.start.into(),
                    l.end.into(),
                    l.start.into(),
                    false.into(),
                    l.first_loan.into(),
                    l.ip_kinds.into(),
                    l.status.into(),
                    if l.status == "repaid" { l.end } else { l.start }.into(),
                    if l.status == "repaid" {
                        l.principal_fen
                    } else {
                        Fen::ZERO
                    }
                    .into(),
                    0i64.into(),
                    format!("bulk:{}", l.contract_number).into(),
                    now.into(),
                    now.into(),
                ]);
            }
            let rows: Vec<Loan> = fetch_all(
                tx.conn(),
                &format!(
                    "INSERT INTO loans (lender_org_id, enterprise_id, contract_number, principal_fen, annual_rate, start_date, end_date, \
                     first_disbursed, other_collateral, first_loan, ip_kinds, status, status_date, repaid_fen, interest_paid_fen, \
                     fingerprint, created_at, updated_at) VALUES {} RETURNING id, lender_org_id, contract_number",
                    vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ")
                ),
                values,
            )
            .await?;
            loan_ids.extend(
                rows.into_iter()
                    .map(|r| ((r.lender_org_id, r.contract_number), r.id)),
            );
        }
        // Links and status history, by the ids the inserts returned.
        let mut links: Vec<(i64, i64)> = Vec::with_capacity(loans.len());
        let mut statuses: Vec<(i64, &str, NaiveDate, &str)> = Vec::with_capacity(loans.len());
        for l in loans {
            let key = (l.lender_org_id, l.contract_number.clone());
            let (Some(loan), Some(reg)) =
                (loan_ids.get(&key), registration_ids.get(&l.pledge_number))
            else {
                return Err(crate::StoreError::Internal(format!(
                    "bulk insert lost loan {}",
                    l.contract_number
                )));
            };
            links.push((*loan, *reg));
            statuses.push((*loan, "outstanding", l.start, "报送"));
            if l.status == "repaid" {
                statuses.push((*loan, "repaid", l.end, "到期结清"));
            }
        }
        for chunk in links.chunks(ROWS * 5) {
            let values: Vec<Value> = chunk
                .iter()
                .flat_map(|(l, r)| [Value::from(*l), (*r).into()])
                .collect();
            exec(
                tx.conn(),
                &format!(
                    "INSERT INTO loan_pledges (loan_id, registration_id) VALUES {}",
                    vec!["(?, ?)"; chunk.len()].join(", ")
                ),
                values,
            )
            .await?;
        }
        for chunk in statuses.chunks(ROWS * 2) {
            let values: Vec<Value> = chunk
                .iter()
                .flat_map(|(l, s, d, note)| {
                    [
                        Value::from(*l),
                        (*s).into(),
                        (*d).into(),
                        (*note).into(),
                        now.into(),
                    ]
                })
                .collect();
            exec(
                tx.conn(),
                &format!(
                    "INSERT INTO loan_status_changes (loan_id, status, date, note, created_at) VALUES {}",
                    vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(", ")
                ),
                values,
            )
            .await?;
        }
        tx.audit(
            "loan.bulk_demo",
            "loan",
            format!("{}..{}", first.contract_number, last.contract_number),
            json!({"loans": loans.len(), "first": first.contract_number, "last": last.contract_number}),
        )
        .await?;
        Ok(())
    }
}
