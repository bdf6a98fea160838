//! The figures a grant is computed on (issue #18 item 1, decision 0027): the loans as their
//! banks reported them and the fees as the contract parties reported them, compared with what
//! the applicant stated; the officer at 经办 decides each difference; the calculation is
//! stored again after every decision, with a derivation that says which figure was used.

use super::{ApplicationRow, Body, FILE_COLS, FileRow, ItemRow, StoredCalc, field_err, internal};
use crate::db::{exec, fetch_all, fetch_opt};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::application::figures::{self, DecisionInput, Difference, Reported};
use ipfin_domain::application::{Action, Actor, Kind, Line, Stage, State};
use ipfin_domain::org::Scope;
use ipfin_domain::policy::calc::{Calculation, Loan};
use ipfin_domain::policy::document::PolicyDocument;
use ipfin_domain::{Fen, Msg};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde_json::json;

/// The loans the calculation takes, why each figure was taken, and the differences.
pub(crate) struct Figures {
    pub loans: Vec<Loan>,
    pub why: Vec<Msg>,
    pub diffs: Vec<Difference>,
}

impl Figures {
    /// The first loan no bank has reported, if any.
    pub fn unreported<'a>(&self, body: &'a Body) -> Option<&'a Line> {
        self.diffs
            .iter()
            .find(|d| !d.decidable)
            .and_then(|d| body.lines.get(d.line))
    }
}

impl Store {
    /// The loan as its bank reported it — only a loan of this enterprise: a contract number of
    /// another enterprise's loan is no report of this one.
    pub(crate) async fn reported_loan<C: ConnectionTrait>(
        conn: &C,
        enterprise_id: Option<i64>,
        l: &Line,
    ) -> Result<Option<Reported>> {
        #[derive(FromQueryResult)]
        struct R {
            id: i64,
            principal_fen: Fen,
            start_date: NaiveDate,
            end_date: NaiveDate,
            annual_rate: String,
            interest_paid_fen: Fen,
            other_collateral: bool,
            ip_amount_fen: Option<Fen>,
            ip_ratio: Option<String>,
        }
        let Some(eid) = enterprise_id else {
            return Ok(None);
        };
        let Some(r): Option<R> = fetch_opt(
            conn,
            "SELECT id, principal_fen, start_date, end_date, annual_rate, interest_paid_fen, other_collateral, ip_amount_fen, ip_ratio \
             FROM loans WHERE lender_org_id = ? AND contract_number = ? AND enterprise_id = ?",
            vec![l.lender_org_id.into(), l.contract_number.trim().to_string().into(), eid.into()],
        )
        .await?
        else {
            return Ok(None);
        };
        #[derive(FromQueryResult)]
        struct N {
            number: String,
            secured_amount_fen: Fen,
        }
        let pledges: Vec<N> = fetch_all(
            conn,
            "SELECT p.number, p.secured_amount_fen FROM loan_pledges lp JOIN pledge_registrations p ON p.id = lp.registration_id \
             WHERE lp.loan_id = ? ORDER BY p.number",
            vec![r.id.into()],
        )
        .await?;
        #[derive(FromQueryResult)]
        struct C {
            kind: String,
            paid_fen: Option<Fen>,
        }
        let contracts: Vec<C> = fetch_all(
            conn,
            "SELECT kind, paid_fen FROM financing_contracts WHERE loan_id = ?",
            vec![r.id.into()],
        )
        .await?;
        // Sums done here are checked: a total that does not fit is an error, never wrapped.
        let fee = |kind: &str| -> Result<Option<Fen>> {
            let of_kind: Vec<&C> = contracts.iter().filter(|c| c.kind == kind).collect();
            if of_kind.is_empty() {
                return Ok(None);
            }
            Fen::sum(of_kind.iter().map(|c| c.paid_fen.unwrap_or(Fen::ZERO)))
                .map(Some)
                .map_err(|_| StoreError::overflow("a loan's paid fees of one kind"))
        };
        let secured_amount_fen = if pledges.is_empty() {
            None
        } else {
            Some(
                Fen::sum(pledges.iter().map(|p| p.secured_amount_fen))
                    .map_err(|_| StoreError::overflow("a loan's secured amounts"))?,
            )
        };
        let decimal = |field: &str, v: &str| {
            v.parse::<rust_decimal::Decimal>()
                .map_err(|_| internal(format!("loan {} has an unreadable {field}: {v:?}", r.id)))
        };
        Ok(Some(Reported {
            loan_id: r.id,
            principal_fen: r.principal_fen,
            secured_amount_fen,
            other_collateral: r.other_collateral,
            ip_amount_fen: r.ip_amount_fen,
            ip_ratio: match r.ip_ratio.as_deref() {
                Some(v) => Some(decimal("ip_ratio", v)?),
                None => None,
            },
            start: r.start_date,
            end: r.end_date,
            annual_rate: decimal("annual_rate", &r.annual_rate)?,
            interest_paid_fen: r.interest_paid_fen,
            evaluation_fee_fen: fee("valuation")?,
            guarantee_fee_fen: fee("guarantee")?,
            insurance_fee_fen: fee("insurance")?,
            pledge_numbers: pledges.into_iter().map(|p| p.number).collect(),
        }))
    }

    /// The figures of an enterprise fee application: for each line the reported loan (with the
    /// officer's decisions kept in `old`), or — for a loan no bank reported — the stated figures
    /// as an estimate, marked, that cannot be accepted.
    pub(crate) async fn figures<C: ConnectionTrait>(
        conn: &C,
        row: &ApplicationRow,
        body: &Body,
        old: &[Difference],
    ) -> Result<Figures> {
        let mut diffs = Vec::new();
        let mut reports = Vec::new();
        for (i, l) in body.lines.iter().enumerate() {
            let r = Self::reported_loan(conn, row.enterprise_id, l).await?;
            match &r {
                Some(r) => diffs.extend(figures::compare(i, l, r)),
                None => diffs.push(figures::unreported(i, l)),
            }
            reports.push(r);
        }
        // Fees of items not applied for do not count, so they differ from nothing.
        let applied = row.item_list();
        diffs.retain(|d| figures::fee_item(&d.field).is_none_or(|i| applied.contains(&i)));
        let diffs = figures::carry_decisions(old, diffs);
        let mut loans = Vec::new();
        let mut why = Vec::new();
        for (i, (l, r)) in body.lines.iter().zip(&reports).enumerate() {
            match r {
                Some(r) => {
                    let (loan, w) = figures::effective(i, l, r, &diffs);
                    loans.push(loan);
                    why.extend(w);
                }
                None => {
                    loans.push(l.to_calc());
                    why.push(Msg::new(
                        "figure.unreported",
                        format!(
                            "贷款“{}”：银行尚未报送，暂按申报数测算；银行报送前不能受理",
                            l.reference()
                        ),
                        format!(
                            "Loan {}: no bank has reported it yet; estimated on the stated figures, and it cannot be accepted before the bank reports",
                            l.reference()
                        ),
                    ));
                }
            }
        }
        Ok(Figures { loans, why, diffs })
    }

    /// The differences stored with an application.
    pub(crate) async fn stored_differences<C: ConnectionTrait>(
        conn: &C,
        id: i64,
    ) -> Result<Vec<Difference>> {
        #[derive(FromQueryResult)]
        struct D {
            differences: Option<String>,
        }
        let d: Option<D> = fetch_opt(
            conn,
            "SELECT differences FROM applications WHERE id = ?",
            vec![id.into()],
        )
        .await?;
        match d.and_then(|d| d.differences) {
            Some(s) => serde_json::from_str(&s).map_err(internal),
            None => Ok(Vec::new()),
        }
    }

    /// Stores a calculation: the amount, the derivation (the figures' provenance first) and the
    /// items. Amounts a reviewer already approved stay, capped by the new calculation: a
    /// recalculation never undoes a reviewer's cut.
    pub(crate) async fn store_calculation(
        tx: &WriteTx,
        row: &ApplicationRow,
        c: &Calculation,
        why: &[Msg],
        diffs: Option<&[Difference]>,
    ) -> Result<()> {
        let id = row.id;
        let mut lines: Vec<String> = why.iter().map(|m| m.zh.clone()).collect();
        lines.extend(c.lines());
        let mut lines_en: Vec<String> = why.iter().map(|m| m.en.clone()).collect();
        lines_en.extend(c.lines_in(ipfin_domain::Lang::En));
        let stored = StoredCalc {
            value: serde_json::to_value(c).map_err(internal)?,
            lines,
            lines_en,
        };
        exec(
            tx.conn(),
            "UPDATE applications SET calc = ?, computed_fen = ? WHERE id = ?",
            vec![
                serde_json::to_string(&stored).map_err(internal)?.into(),
                c.total_fen.into(),
                id.into(),
            ],
        )
        .await?;
        if let Some(d) = diffs {
            exec(
                tx.conn(),
                "UPDATE applications SET differences = ? WHERE id = ?",
                vec![
                    serde_json::to_string(d).map_err(internal)?.into(),
                    id.into(),
                ],
            )
            .await?;
        }
        let before: Vec<ItemRow> = fetch_all(
            tx.conn(),
            "SELECT item, computed_fen, approved_fen, reason, granted_fen FROM application_items WHERE application_id = ?",
            vec![id.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "DELETE FROM application_items WHERE application_id = ?",
            vec![id.into()],
        )
        .await?;
        let items: Vec<(String, i64)> = if c.items.is_empty() {
            vec![(row.kind.to_string(), c.total_fen.get())]
        } else {
            let applied = row.item_list();
            c.items
                .iter()
                .filter(|i| applied.contains(&i.item))
                .map(|i| (i.item.code().to_string(), i.granted_fen.get()))
                .collect()
        };
        for (item, fen) in &items {
            let kept = before.iter().find(|b| &b.item == item);
            let approved = kept.and_then(|b| b.approved_fen).map(|a| a.get().min(*fen));
            exec(
                tx.conn(),
                "INSERT INTO application_items (application_id, item, computed_fen, approved_fen, reason) VALUES (?, ?, ?, ?, ?)",
                vec![
                    id.into(),
                    item.clone().into(),
                    (*fen).into(),
                    approved.into(),
                    kept.and_then(|b| b.reason.clone()).into(),
                ],
            )
            .await?;
        }
        Ok(())
    }

    /// Recomputes an accepted application on its current figures and stores the calculation
    /// and the differences (after an officer's decision, or at acceptance).
    pub(crate) async fn recalculate(
        &self,
        tx: &WriteTx,
        row: &ApplicationRow,
        body: &Body,
        doc: &PolicyDocument,
        old: &[Difference],
    ) -> Result<(Calculation, Figures)> {
        let f = Self::figures(tx.conn(), row, body, old).await?;
        let c = self
            .calculate_for(tx.conn(), row, body, doc, &f.loans)
            .await?;
        Self::store_calculation(tx, row, &c, &f.why, Some(&f.diffs)).await?;
        Ok((c, f))
    }

    /// The officer at 经办 decides differences between the stated and the reported figures:
    /// keep the reported figure, or accept the stated one with one of the application's files
    /// as evidence; a reason either way. Every problem is named at once and nothing changes
    /// unless all are right. The calculation is stored again on the decided figures.
    pub async fn decide_differences(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        input: &[DecisionInput],
    ) -> Result<Vec<Difference>> {
        let (row, wf, body, user) = Self::officer_row(tx, scope, id).await?;
        if row.kind() != Kind::EnterpriseFee
            || wf.state != State::Accepted
            || wf.stage != Some(Stage::First)
        {
            return Err(StoreError::conflict(
                "difference.stage",
                format!(
                    "差异认定在受理后的经办环节进行；本申请现为“{}”。",
                    wf.state.zh()
                ),
                "Differences are decided at the first review stage.",
            ));
        }
        wf.apply(Actor::Officer(user), Action::Pass)
            .map_err(super::workflow_err)?;
        Self::check_duty(
            tx,
            &row,
            user,
            ipfin_domain::application::duties::Duty::Review,
        )
        .await?;
        let old = Self::stored_differences(tx.conn(), id).await?;
        let f = Self::figures(tx.conn(), &row, &body, &old).await?;
        let files: Vec<FileRow> = fetch_all(
            tx.conn(),
            &format!("SELECT {FILE_COLS} FROM application_files WHERE application_id = ?"),
            vec![id.into()],
        )
        .await?;
        let files: Vec<(i64, String)> = files.into_iter().map(|f| (f.id, f.file_name)).collect();
        let errors = figures::check_decisions(&f.diffs, input, &files);
        if !errors.is_empty() {
            return Err(StoreError::Problems(
                errors
                    .into_iter()
                    .map(|e| ipfin_domain::policy::rules::RuleError {
                        path: e.field,
                        msg: e.msg,
                    })
                    .collect(),
            ));
        }
        let name = Self::user_display_name(tx.conn(), user).await?;
        let mut diffs = f.diffs;
        figures::apply_decisions(&mut diffs, input, &files, user, &name, crate::now_s());
        let v = Self::policy_version_in_any(tx.conn(), row.policy_version_id).await?;
        let doc = v.doc()?;
        let (c, f) = self.recalculate(tx, &row, &body, &doc, &diffs).await?;
        let summary: Vec<String> = input
            .iter()
            .map(|d| {
                format!(
                    "第 {} 笔贷款{}：{}（{}）",
                    d.line + 1,
                    figures::field_name(&d.field).unwrap_or(&d.field),
                    d.choice.zh(),
                    d.reason.trim()
                )
            })
            .collect();
        Self::record_event(
            tx,
            &row,
            &wf,
            "decide_differences",
            &summary.join("；"),
            json!({"decisions": input, "computed_fen": c.total_fen}),
        )
        .await?;
        tx.audit(
            "application.decide_differences",
            "application",
            id,
            json!({"decisions": input, "computed_fen": c.total_fen}),
        )
        .await?;
        Ok(f.diffs)
    }
}

/// The refusal when a stage is passed with differences still undecided.
pub(crate) fn undecided_error(n: usize) -> StoreError {
    field_err(
        "differences",
        Msg::new(
            "application.differences_undecided",
            format!(
                "还有 {n} 项申报数与银行/合同方报送数的差异未认定：请在“差异认定”中逐项选择采用报送数或采用申报数（附佐证材料）并填写理由。"
            ),
            "Decide every difference between stated and reported figures first.",
        ),
    )
}
