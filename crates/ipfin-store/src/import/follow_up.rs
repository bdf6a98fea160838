//! Follow-up rows (issue #20 item 5): a bank's contacts with the enterprises pushed to it,
//! recorded through the same store function as the page and the API.

use super::RowError;
use super::enterprise::BatchOutcome;
use super::rows::FollowUpRow;
use crate::db::{fetch_i64, fetch_opt};
use crate::error::Result;
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::Scope;
use ipfin_domain::push::FollowUp;
use sea_orm::FromQueryResult;

impl Store {
    /// Writes a batch of a bank's follow-up rows (the `follow_ups` import): each names an
    /// enterprise pushed to this bank and still visible to it; the contact may not precede the
    /// push; a granted loan is found by the contract number this bank reported for that
    /// enterprise. A row already recorded (same entry, date and outcome) is left alone.
    pub(crate) async fn import_follow_up_batch(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        rows: Vec<FollowUpRow>,
    ) -> Result<(BatchOutcome, Vec<RowError>)> {
        let mut out = BatchOutcome::default();
        let mut errors = Vec::new();
        if rows.is_empty() {
            return Ok((out, errors));
        }
        let bank = crate::push::own_bank(scope)?;
        #[derive(FromQueryResult)]
        struct E {
            id: i64,
            enterprise_id: i64,
            sent_on: Option<NaiveDate>,
        }
        for r in rows {
            let err = |field: &str, message: String| RowError {
                line: r.line,
                field: field.to_string(),
                message,
                values: r.values.clone(),
            };
            let e: Option<E> = fetch_opt(
                tx.conn(),
                "SELECT pe.id, pe.enterprise_id, pl.sent_on FROM push_entries pe JOIN push_lists pl ON pl.id = pe.list_id \
                 JOIN enterprises e ON e.id = pe.enterprise_id \
                 WHERE e.credit_code = ? AND pe.bank_org_id = ? AND pe.visible = TRUE ORDER BY pl.sent_on DESC, pe.id DESC LIMIT 1",
                vec![r.code.clone().into(), bank.into()],
            )
            .await?;
            let Some(e) = e else {
                errors.push(err(
                    "credit_code",
                    "该企业当前没有推送给本行（未推送、推送已到期或企业已撤回授权）。".into(),
                ));
                continue;
            };
            let sent = e.sent_on.unwrap_or(r.contacted_on);
            if r.contacted_on < sent {
                errors.push(err("contacted_on", format!("联系日期早于推送日 {sent}。")));
                continue;
            }
            let loan_id = match &r.contract_number {
                None => None,
                Some(c) => {
                    #[derive(FromQueryResult)]
                    struct L {
                        id: i64,
                    }
                    let l: Option<L> = fetch_opt(
                        tx.conn(),
                        "SELECT id FROM loans WHERE lender_org_id = ? AND enterprise_id = ? AND contract_number = ?",
                        vec![bank.into(), e.enterprise_id.into(), c.clone().into()],
                    )
                    .await?;
                    match l {
                        Some(l) => Some(l.id),
                        None => {
                            errors.push(err(
                                "contract_number",
                                format!(
                                    "本行没有为该企业报送合同编号为“{c}”的贷款，请先报送贷款。"
                                ),
                            ));
                            continue;
                        }
                    }
                }
            };
            let same = fetch_i64(
                tx.conn(),
                "SELECT COUNT(*) FROM push_follow_ups WHERE entry_id = ? AND contacted_on = ? AND outcome = ?",
                vec![e.id.into(), r.contacted_on.into(), r.outcome.code().into()],
            )
            .await?;
            if same > 0 {
                out.unchanged += 1;
                continue;
            }
            let f = FollowUp {
                contacted_on: r.contacted_on,
                channel: r.channel,
                person: r.person.clone(),
                outcome: r.outcome,
                loan_id,
                note: r.note.clone(),
            };
            self.record_follow_up(tx, scope, e.id, &f).await?;
            out.inserted += 1;
        }
        Ok((out, errors))
    }
}
