//! Loan rows: written through the financing rules, row by row within a batch.

use super::RowError;
use super::enterprise::BatchOutcome;
use super::rows::LoanImportRow;
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use ipfin_domain::Scope;

/// The file column a store field comes from.
fn import_field(f: &str) -> &str {
    match f {
        "borrower_credit_code" => "credit_code",
        "principal_fen" => "principal_yuan",
        "annual_rate" => "rate_percent",
        "ip_amount_fen" => "ip_amount_yuan",
        "ip_ratio" => "ip_ratio_percent",
        "disbursements" => "disbursement_date",
        "secured_amount_fen" => "secured_amount_yuan",
        "pledges" => "pledge_items",
        "cancellation_date" => "registration_date",
        other => other,
    }
}

impl Store {
    /// Writes a batch of loan rows through [`Store::save_loan`]: a row that breaks a rule is
    /// reported and left out (every check runs before the row writes anything).
    pub async fn import_loan_batch(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        rows: Vec<LoanImportRow>,
    ) -> Result<(BatchOutcome, Vec<RowError>)> {
        let mut out = BatchOutcome::default();
        let mut errors = Vec::new();
        for r in rows {
            match self.save_loan(tx, scope, &r.input).await {
                Ok(saved) => match saved.outcome {
                    crate::financing::SaveOutcome::Created => out.inserted += 1,
                    crate::financing::SaveOutcome::Updated => out.updated += 1,
                    crate::financing::SaveOutcome::Unchanged => out.unchanged += 1,
                },
                Err(StoreError::Invalid(fe)) => errors.push(RowError {
                    line: r.line,
                    field: import_field(fe.field).to_string(),
                    message: fe.msg.zh,
                    values: r.values,
                }),
                Err(StoreError::Forbidden(m)) | Err(StoreError::Conflict(m)) => {
                    errors.push(RowError {
                        line: r.line,
                        field: "_row".into(),
                        message: m.zh,
                        values: r.values,
                    })
                }
                Err(e) => return Err(e),
            }
        }
        Ok((out, errors))
    }
}
