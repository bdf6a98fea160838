//! Financing records (SPEC §4, issue #5): IP pledge loans reported by banks, the pledge
//! registrations securing them, payments, status changes and the guarantee, insurance and
//! valuation contracts. A bank writes and sees its own loans; a district sees the loans of its
//! enterprises; the city sees all; an enterprise sees its own.

use crate::column::{Code, CodeList, DecimalText};
use crate::db::{Page, Paged, exec, fetch_all, fetch_i64, fetch_one, fetch_opt, fetch_page};
use crate::error::{Result, StoreError};
use crate::stats_aggregate::{self, Facts, Lock};
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::financing::{
    self, Disbursement, LoanStatus, LoanTerms, Payment, PledgeNumberPattern, PledgeTerms,
};
use ipfin_domain::ip_number::IpKind;
use ipfin_domain::visibility::{Party, Reach, Records};
use ipfin_domain::{CreditCode, EnterpriseId, Fen, FieldError, Msg, OrgId, Scope};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;
use serde_json::json;
use sm3::{Digest, Sm3};
use std::sync::OnceLock;

/// The pledge registration number pattern in force: `IPFIN_PLEDGE_NUMBER_PATTERN` if set (checked
/// at start by `serve`), else the default of SPEC §10.
pub fn pledge_pattern() -> std::result::Result<&'static PledgeNumberPattern, String> {
    static PATTERN: OnceLock<std::result::Result<PledgeNumberPattern, String>> = OnceLock::new();
    PATTERN
        .get_or_init(|| match std::env::var("IPFIN_PLEDGE_NUMBER_PATTERN") {
            Ok(p) if !p.trim().is_empty() => PledgeNumberPattern::new(&p)
                .map_err(|e| format!("IPFIN_PLEDGE_NUMBER_PATTERN “{p}”: {e}")),
            _ => Ok(PledgeNumberPattern::default()),
        })
        .as_ref()
        .map_err(|e| e.clone())
}

/// An IP item of a pledge as reported: kind and number; the title names a new asset; a related
/// party is named when the item is held by someone other than the borrower.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PledgeItemInput {
    pub kind: String,
    pub number: String,
    pub title: Option<String>,
    pub related_party: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PledgeInput {
    pub terms: PledgeTerms,
    pub items: Vec<PledgeItemInput>,
}

/// A loan as a bank reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanInput {
    /// Parsed at the edge (form, API body, import row): the store only looks it up.
    pub borrower_credit_code: CreditCode,
    pub terms: LoanTerms,
    pub first_loan: bool,
    /// The status on creation (default outstanding); later changes go through
    /// [`Store::set_loan_status`].
    pub status: Option<LoanStatus>,
    pub pledges: Vec<PledgeInput>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SaveOutcome {
    Created,
    Updated,
    Unchanged,
}

#[derive(Debug, Clone, Serialize)]
pub struct SavedLoan {
    pub id: i64,
    pub outcome: SaveOutcome,
    #[serde(skip)]
    pub warnings: Vec<Msg>,
}

/// A loan with its borrower and lender, as lists show it.
#[derive(Debug, Clone, FromQueryResult, Serialize, PartialEq)]
pub struct LoanRow {
    pub id: i64,
    pub lender_org_id: OrgId,
    pub lender_name: String,
    pub enterprise_id: EnterpriseId,
    pub credit_code: String,
    pub enterprise_name: String,
    pub district_code: Option<String>,
    pub size_class: Option<String>,
    pub contract_number: String,
    pub principal_fen: Fen,
    /// Parsed when the row is loaded: an unreadable stored rate is an internal error.
    pub annual_rate: DecimalText,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub first_disbursed: NaiveDate,
    pub other_collateral: bool,
    pub ip_amount_fen: Option<Fen>,
    pub ip_ratio: Option<DecimalText>,
    pub first_loan: bool,
    /// Decoded when loaded: an unknown stored kind is an internal error, never skipped.
    pub ip_kinds: CodeList<IpKind>,
    /// Decoded when the row is loaded: an unknown stored status is an internal error.
    pub status: Code<LoanStatus>,
    pub status_date: NaiveDate,
    pub repaid_fen: Fen,
    pub interest_paid_fen: Fen,
}

const LOAN_COLS: &str = "l.id, l.lender_org_id, o.name AS lender_name, l.enterprise_id, e.credit_code, \
    e.name AS enterprise_name, e.registered_district AS district_code, COALESCE(e.size_override, e.size_class) AS size_class, \
    l.contract_number, l.principal_fen, l.annual_rate, l.start_date, l.end_date, l.first_disbursed, l.other_collateral, \
    l.ip_amount_fen, l.ip_ratio, l.first_loan, l.ip_kinds, l.status, l.status_date, l.repaid_fen, l.interest_paid_fen";
const LOAN_FROM: &str = "FROM loans l JOIN enterprises e ON e.id = l.enterprise_id JOIN organisations o ON o.id = l.lender_org_id";

#[derive(Debug, Clone, FromQueryResult, Serialize, PartialEq)]
pub struct PledgeItemView {
    pub registration_id: i64,
    pub ip_asset_id: i64,
    pub kind: String,
    pub number: String,
    pub title: String,
    pub holder_name: String,
    pub related_party: Option<String>,
}

#[derive(Debug, Clone, FromQueryResult, Serialize, PartialEq)]
pub struct PledgeRow {
    pub id: i64,
    pub number: String,
    pub pledgee_org_id: OrgId,
    pub pledgor_enterprise_id: EnterpriseId,
    pub secured_amount_fen: Fen,
    pub registration_date: NaiveDate,
    pub cancellation_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PledgeView {
    #[serde(flatten)]
    pub pledge: PledgeRow,
    pub items: Vec<PledgeItemView>,
}

#[derive(Debug, Clone, FromQueryResult, Serialize, PartialEq)]
pub struct PaymentRow {
    pub id: i64,
    pub date: NaiveDate,
    pub principal_fen: Fen,
    pub interest_fen: Fen,
}

#[derive(Debug, Clone, FromQueryResult, Serialize, PartialEq)]
pub struct StatusChange {
    pub id: i64,
    pub status: Code<LoanStatus>,
    pub date: NaiveDate,
    pub note: String,
}

#[derive(Debug, Clone, FromQueryResult, Serialize, PartialEq)]
pub struct ContractRow {
    pub id: i64,
    pub kind: String,
    pub provider_org_id: Option<OrgId>,
    pub provider_name: String,
    pub contract_number: String,
    pub fee_fen: Fen,
    pub invoice_number: Option<String>,
    pub invoice_date: Option<NaiveDate>,
    pub paid_date: Option<NaiveDate>,
    pub paid_fen: Option<Fen>,
    pub appraised_value_fen: Option<Fen>,
    pub report_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, FromQueryResult, Serialize, PartialEq)]
struct DisbursementRow {
    date: NaiveDate,
    amount_fen: Fen,
}

/// A loan with everything recorded on it, and the warnings its facts raise.
#[derive(Debug, Clone, Serialize)]
pub struct LoanDetail {
    #[serde(flatten)]
    pub loan: LoanRow,
    pub disbursements: Vec<Disbursement>,
    pub pledges: Vec<PledgeView>,
    pub payments: Vec<PaymentRow>,
    pub status_changes: Vec<StatusChange>,
    pub contracts: Vec<ContractRow>,
    #[serde(skip)]
    pub warnings: Vec<Msg>,
}

impl PaymentRow {
    fn payment(&self) -> Payment {
        Payment {
            date: self.date,
            principal_fen: self.principal_fen,
            interest_fen: self.interest_fen,
        }
    }
}

impl LoanDetail {
    /// The payments recorded so far, as the domain checks take them.
    pub fn recorded_payments(&self) -> Vec<Payment> {
        self.payments.iter().map(PaymentRow::payment).collect()
    }

    /// The contract facts, as the domain checks take them.
    pub fn terms(&self) -> LoanTerms {
        LoanTerms {
            contract_number: self.loan.contract_number.clone(),
            principal_fen: self.loan.principal_fen,
            annual_rate: self.loan.annual_rate.value(),
            start: self.loan.start_date,
            end: self.loan.end_date,
            disbursements: self.disbursements.clone(),
            other_collateral: self.loan.other_collateral,
            ip_amount_fen: self.loan.ip_amount_fen,
            ip_ratio: self.loan.ip_ratio.as_ref().map(DecimalText::value),
        }
    }
}

/// Filters of the loan lists.
#[derive(Debug, Clone, Default)]
pub struct LoanFilter {
    /// A contract number, a borrower's credit code, or part of the borrower's name.
    pub q: Option<String>,
    pub status: Option<LoanStatus>,
    pub first_loan: Option<bool>,
    pub ip_kind: Option<IpKind>,
    /// Loans starting in this year.
    pub year: Option<i32>,
    /// The borrower's registered district (city and bank views).
    pub district: Option<String>,
    pub lender_org_id: Option<OrgId>,
    /// Loans starting between these two days, both included (a quarter on the home pages).
    pub started: Option<(NaiveDate, NaiveDate)>,
}

/// Totals of a loan view (SPEC §8 uses the same counts): all, per IP kind pledged (a loan
/// pledging two kinds counts under each), first-time borrowers, SMEs.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct LoanTotals {
    pub count: i64,
    pub principal_fen: Fen,
    /// Per IP kind: the kind's code, the number of loans, their principal.
    pub by_ip_kind: Vec<(String, i64, Fen)>,
    pub first_loan_count: i64,
    pub first_loan_principal_fen: Fen,
    pub sme_count: i64,
    pub sme_principal_fen: Fen,
    pub enterprises: i64,
}

pub use ipfin_domain::financing::ContractInput;

/// `s` for a `LIKE … ESCAPE '!'` pattern, matching itself only: `!`, `%` and `_` escaped.
fn like_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if matches!(c, '!' | '%' | '_') {
            out.push('!');
        }
        out.push(c);
    }
    out
}

fn filter_sql(scope: &Scope, f: &LoanFilter) -> (String, Vec<Value>) {
    let (mut cond, mut values) = crate::visibility::condition(scope, Records::Loans);
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        // Part of a contract number (banks number contracts `2026-NS-000123`; an official
        // remembers `000123` or `NS-0001`), a credit code, or part of the borrower's name. The
        // typed text is matched literally: `%`, `_` and the escape character are escaped.
        let code = ipfin_domain::credit_code::normalize(q).to_uppercase();
        // Contract numbers in either case on both backends (SQLite's LIKE ignores ASCII case,
        // PostgreSQL's does not).
        let part = format!("%{}%", like_literal(q));
        cond.push_str(
            " AND (UPPER(l.contract_number) LIKE ? ESCAPE '!' OR e.credit_code = ? OR e.name LIKE ? ESCAPE '!')",
        );
        values.push(part.to_uppercase().into());
        values.push(code.into());
        values.push(part.into());
    }
    if let Some(s) = f.status {
        cond.push_str(" AND l.status = ?");
        values.push(s.code().into());
    }
    if let Some(b) = f.first_loan {
        cond.push_str(" AND l.first_loan = ?");
        values.push(b.into());
    }
    if let Some(k) = f.ip_kind {
        cond.push_str(" AND l.ip_kinds LIKE ?");
        values.push(format!("%{}%", k.code()).into());
    }
    if let Some(y) = f.year {
        let (from, to) = (
            NaiveDate::from_ymd_opt(y, 1, 1),
            NaiveDate::from_ymd_opt(y, 12, 31),
        );
        if let (Some(from), Some(to)) = (from, to) {
            cond.push_str(" AND l.start_date BETWEEN ? AND ?");
            values.push(from.into());
            values.push(to.into());
        }
    }
    if let Some((from, to)) = f.started {
        cond.push_str(" AND l.start_date BETWEEN ? AND ?");
        values.push(from.into());
        values.push(to.into());
    }
    if let Some(d) = &f.district {
        cond.push_str(" AND e.registered_district = ?");
        values.push(d.clone().into());
    }
    if let Some(o) = f.lender_org_id {
        cond.push_str(" AND l.lender_org_id = ?");
        values.push(o.into());
    }
    (cond, values)
}

fn invalid(e: FieldError) -> StoreError {
    StoreError::Invalid(e)
}

fn lender_of(scope: &Scope) -> Result<OrgId> {
    match scope.reach(Records::Loans) {
        Reach::Party(Party::Lender, org_id) => Ok(org_id),
        _ => Err(StoreError::forbidden(
            "loan.lender_only",
            "贷款由放款的金融机构报送；您所在的单位不能新增或修改贷款记录。",
            "Loans are reported by the lending institution; your organisation cannot add or change them.",
        )),
    }
}

#[derive(Debug, FromQueryResult)]
struct IpRef {
    id: i64,
    enterprise_id: EnterpriseId,
}

/// A pledge checked against the database: its registration id (when it exists) and its items.
struct ResolvedPledge {
    terms: PledgeTerms,
    existing: Option<PledgeRow>,
    items: Vec<ResolvedItem>,
}

/// A pledged item: kind, normalised number, title, the asset when registered, the related party.
type ResolvedItem = (IpKind, String, String, Option<IpRef>, Option<String>);

impl Store {
    async fn enterprise_id_by_code<C: ConnectionTrait>(
        conn: &C,
        field: &'static str,
        code: &CreditCode,
    ) -> Result<(EnterpriseId, String)> {
        #[derive(FromQueryResult)]
        struct Found {
            id: EnterpriseId,
            name: String,
        }
        let found: Option<Found> = fetch_opt(
            conn,
            "SELECT id, name FROM enterprises WHERE credit_code = ?",
            vec![code.as_str().to_string().into()],
        )
        .await?;
        match found {
            Some(f) => Ok((f.id, f.name)),
            None => Err(StoreError::invalid(
                field,
                "loan.borrower_unknown",
                format!(
                    "统一社会信用代码 {} 的企业尚未在系统中登记：请企业注册认领，或请其所在区登记后再报送。",
                    code.as_str()
                ),
                format!(
                    "No enterprise with credit code {} is registered; have it registered by its district or claimed first.",
                    code.as_str()
                ),
            )),
        }
    }

    /// Checks a pledge against the database: an existing registration of the same number must
    /// have this lender as pledgee and this borrower as pledgor; each IP item must be held by
    /// the borrower unless a related party is named.
    async fn resolve_pledge<C: ConnectionTrait>(
        conn: &C,
        lender: OrgId,
        borrower: EnterpriseId,
        p: &PledgeInput,
    ) -> Result<ResolvedPledge> {
        let pattern = pledge_pattern().map_err(StoreError::Internal)?;
        let terms = financing::check_pledge(pattern, &p.terms).map_err(invalid)?;
        let existing: Option<PledgeRow> = fetch_opt(
            conn,
            "SELECT id, number, pledgee_org_id, pledgor_enterprise_id, secured_amount_fen, registration_date, cancellation_date \
             FROM pledge_registrations WHERE number = ?",
            vec![terms.number.clone().into()],
        )
        .await?;
        if let Some(x) = &existing {
            if x.pledgee_org_id != lender {
                return Err(StoreError::invalid(
                    "pledge_number",
                    "pledge.pledgee_mismatch",
                    format!(
                        "质押登记 {} 的质权人不是本机构，不能用于本机构的贷款。",
                        terms.number
                    ),
                    format!(
                        "Pledge registration {} names another pledgee than your institution.",
                        terms.number
                    ),
                ));
            }
            if x.pledgor_enterprise_id != borrower {
                return Err(StoreError::invalid(
                    "pledge_number",
                    "pledge.pledgor_mismatch",
                    format!("质押登记 {} 的出质人不是本笔贷款的借款企业。", terms.number),
                    format!(
                        "Pledge registration {} names another pledgor than the borrower.",
                        terms.number
                    ),
                ));
            }
        }
        if p.items.is_empty() {
            return Err(StoreError::invalid(
                "pledge_items",
                "pledge.items_required",
                format!(
                    "质押登记 {} 须列出质押的知识产权（类型和号码）。",
                    terms.number
                ),
                format!(
                    "Pledge registration {} must list the IP pledged.",
                    terms.number
                ),
            ));
        }
        let mut items: Vec<ResolvedItem> = Vec::new();
        for it in &p.items {
            let kind = IpKind::from_code(it.kind.trim()).ok_or_else(|| {
                StoreError::invalid(
                    "pledge_items",
                    "pledge.item_kind",
                    format!("质押物类型“{}”无效：应为 patent、trademark、software_copyright 或 works_copyright。", it.kind),
                    format!("IP kind “{}” is not one of patent, trademark, software_copyright, works_copyright.", it.kind),
                )
            })?;
            let (number, _) = kind.parse_number(&it.number).map_err(|m| {
                invalid(FieldError {
                    field: "pledge_items",
                    msg: m,
                })
            })?;
            if items.iter().any(|(k, n, ..)| *k == kind && *n == number) {
                continue;
            }
            let found: Option<IpRef> = fetch_opt(
                conn,
                "SELECT a.id, a.enterprise_id FROM ip_assets a WHERE a.kind = ? AND a.number = ?",
                vec![kind.code().into(), number.clone().into()],
            )
            .await?;
            let related = it
                .related_party
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            if let Some(f) = &found
                && f.enterprise_id != borrower
                && related.is_none()
            {
                return Err(StoreError::invalid(
                    "pledge_items",
                    "pledge.ip_not_borrower",
                    // Who holds it is not said: that would tell one bank another's client.
                    format!(
                        "质押的{}“{number}”不在借款企业名下，不能作为本笔贷款的质押物；如为关联方提供质押，请注明关联方。",
                        kind.zh(),
                    ),
                    format!(
                        "The pledged {} {number} is not held by the borrower and cannot be pledged for this loan; name the related party if it pledges for the borrower.",
                        kind.en(),
                    ),
                ));
            }
            let title = it
                .title
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or(&number)
                .chars()
                .take(200)
                .collect();
            items.push((kind, number, title, found, related));
        }
        Ok(ResolvedPledge {
            terms,
            existing,
            items,
        })
    }

    /// Records or updates a loan reported by the caller's institution, with its pledges. The
    /// same loan (lender + contract number) sent again with the same content changes nothing
    /// (`Unchanged`); changed content updates it. New IP items are added to the borrower's
    /// assets. Every check runs before anything is written.
    pub async fn save_loan(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        input: &LoanInput,
    ) -> Result<SavedLoan> {
        let lender = lender_of(scope)?;
        let terms = financing::check_terms(&input.terms).map_err(invalid)?;
        let (borrower, _) = Self::enterprise_id_by_code(
            tx.conn(),
            "borrower_credit_code",
            &input.borrower_credit_code,
        )
        .await?;
        if input.pledges.is_empty() {
            return Err(StoreError::invalid(
                "pledges",
                "loan.pledge_required",
                "知识产权质押贷款至少要有一项质押登记。",
                "An IP pledge loan needs at least one pledge registration.",
            ));
        }
        let mut pledges = Vec::new();
        for p in &input.pledges {
            let r = Self::resolve_pledge(tx.conn(), lender, borrower, p).await?;
            if pledges
                .iter()
                .any(|x: &ResolvedPledge| x.terms.number == r.terms.number)
            {
                return Err(StoreError::invalid(
                    "pledge_number",
                    "pledge.duplicate",
                    format!("质押登记 {} 重复列出。", r.terms.number),
                    format!("Pledge registration {} is listed twice.", r.terms.number),
                ));
            }
            pledges.push(r);
        }
        let mut warnings: Vec<Msg> = Vec::new();
        for p in &pledges {
            warnings.extend(financing::pledge_warnings(&terms, &p.terms));
        }
        let mut kinds: Vec<&str> = pledges
            .iter()
            .flat_map(|p| p.items.iter().map(|i| i.0.code()))
            .collect();
        kinds.sort();
        kinds.dedup();
        let ip_kinds = kinds.join(",");
        let fingerprint = {
            let doc = json!({
                "borrower": borrower,
                "contract": terms.contract_number,
                "principal": terms.principal_fen,
                "rate": terms.annual_rate.normalize().to_string(),
                "start": terms.start, "end": terms.end,
                "disbursements": terms.disbursements,
                "other": terms.other_collateral,
                "ip_amount": terms.ip_amount_fen,
                "ip_ratio": terms.ip_ratio.map(|r| r.normalize().to_string()),
                "first": input.first_loan,
                "pledges": pledges.iter().map(|p| json!({
                    "number": p.terms.number, "secured": p.terms.secured_amount_fen,
                    "registered": p.terms.registration_date, "cancelled": p.terms.cancellation_date,
                    "items": p.items.iter().map(|i| json!([i.0.code(), i.1, i.2, i.4])).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            });
            hex::encode(Sm3::digest(
                ipfin_domain::audit::canonical_json(&doc).as_bytes(),
            ))
        };
        #[derive(FromQueryResult)]
        struct Existing {
            id: i64,
            fingerprint: String,
            status: String,
        }
        let existing: Option<Existing> = fetch_opt(
            tx.conn(),
            "SELECT id, fingerprint, status FROM loans WHERE lender_org_id = ? AND contract_number = ?",
            vec![lender.into(), terms.contract_number.clone().into()],
        )
        .await?;
        if let Some(x) = &existing {
            let same_status = input.status.is_none_or(|s| s.code() == x.status);
            if x.fingerprint == fingerprint && same_status {
                return Ok(SavedLoan {
                    id: x.id,
                    outcome: SaveOutcome::Unchanged,
                    warnings,
                });
            }
            let payments = self.payments_of(tx.conn(), x.id).await?;
            let payments: Vec<Payment> = payments.iter().map(PaymentRow::payment).collect();
            financing::check_terms_against_payments(&terms, &payments).map_err(invalid)?;
        }
        let now = crate::now_s();
        let first_disbursed = terms
            .disbursements
            .iter()
            .map(|d| d.date)
            .min()
            .unwrap_or(terms.start);
        let rate = terms.annual_rate.normalize().to_string();
        let ratio = terms.ip_ratio.map(|r| r.normalize().to_string());
        // Statistics (decision 0010): the borrower's district and size stay as read, and the
        // loan's previous contribution is read under the loan's row lock.
        stats_aggregate::share_enterprises(tx.conn(), &[borrower.get()]).await?;
        let before = match &existing {
            Some(x) => {
                stats_aggregate::loan_facts(tx.conn(), "l.id = ?", vec![x.id.into()], Lock::Row)
                    .await?
            }
            None => Vec::new(),
        };
        let (id, outcome) = match &existing {
            Some(x) => {
                exec(
                    tx.conn(),
                    "UPDATE loans SET enterprise_id = ?, principal_fen = ?, annual_rate = ?, start_date = ?, end_date = ?, \
                     first_disbursed = ?, other_collateral = ?, ip_amount_fen = ?, ip_ratio = ?, first_loan = ?, ip_kinds = ?, \
                     fingerprint = ?, updated_at = ? WHERE id = ?",
                    vec![
                        borrower.into(),
                        terms.principal_fen.into(),
                        rate.clone().into(),
                        terms.start.into(),
                        terms.end.into(),
                        first_disbursed.into(),
                        terms.other_collateral.into(),
                        terms.ip_amount_fen.into(),
                        ratio.clone().into(),
                        input.first_loan.into(),
                        ip_kinds.clone().into(),
                        fingerprint.clone().into(),
                        now.into(),
                        x.id.into(),
                    ],
                )
                .await?;
                exec(
                    tx.conn(),
                    "DELETE FROM loan_disbursements WHERE loan_id = ?",
                    vec![x.id.into()],
                )
                .await?;
                exec(
                    tx.conn(),
                    "DELETE FROM loan_pledges WHERE loan_id = ?",
                    vec![x.id.into()],
                )
                .await?;
                if let Some(s) = input.status.filter(|s| s.code() != x.status) {
                    self.record_status(tx, x.id, s, crate::today_shanghai(), "随贷款信息更新")
                        .await?;
                }
                (x.id, SaveOutcome::Updated)
            }
            None => {
                let status = input.status.unwrap_or(LoanStatus::Outstanding);
                let id = fetch_i64(
                    tx.conn(),
                    "INSERT INTO loans (lender_org_id, enterprise_id, contract_number, principal_fen, annual_rate, start_date, end_date, \
                     first_disbursed, other_collateral, ip_amount_fen, ip_ratio, first_loan, ip_kinds, status, status_date, repaid_fen, \
                     interest_paid_fen, fingerprint, created_at, updated_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?) RETURNING id",
                    vec![
                        lender.into(),
                        borrower.into(),
                        terms.contract_number.clone().into(),
                        terms.principal_fen.into(),
                        rate.clone().into(),
                        terms.start.into(),
                        terms.end.into(),
                        first_disbursed.into(),
                        terms.other_collateral.into(),
                        terms.ip_amount_fen.into(),
                        ratio.clone().into(),
                        input.first_loan.into(),
                        ip_kinds.clone().into(),
                        status.code().into(),
                        terms.start.into(),
                        fingerprint.clone().into(),
                        now.into(),
                        now.into(),
                    ],
                )
                .await?;
                exec(
                    tx.conn(),
                    "INSERT INTO loan_status_changes (loan_id, status, date, note, created_at) VALUES (?, ?, ?, ?, ?)",
                    vec![id.into(), status.code().into(), terms.start.into(), "报送".into(), now.into()],
                )
                .await?;
                (id, SaveOutcome::Created)
            }
        };
        let after =
            stats_aggregate::loan_facts(tx.conn(), "l.id = ?", vec![id.into()], Lock::None).await?;
        tx.replace_stats(
            &Facts {
                loans: before,
                pledges: Vec::new(),
            },
            &Facts {
                loans: after,
                pledges: Vec::new(),
            },
        )?;
        for d in &terms.disbursements {
            exec(
                tx.conn(),
                "INSERT INTO loan_disbursements (loan_id, date, amount_fen) VALUES (?, ?, ?)",
                vec![id.into(), d.date.into(), d.amount_fen.into()],
            )
            .await?;
        }
        for p in &pledges {
            let reg_id = self.write_pledge(tx, lender, borrower, p).await?;
            exec(
                tx.conn(),
                "INSERT INTO loan_pledges (loan_id, registration_id) VALUES (?, ?)",
                vec![id.into(), reg_id.into()],
            )
            .await?;
            for (kind, number, _, found, related) in &p.items {
                if found.as_ref().is_some_and(|f| f.enterprise_id != borrower) {
                    warnings.push(Msg::new(
                        "pledge.related_party",
                        format!(
                            "质押的{}“{number}”由关联方持有（报送时注明：{}）。",
                            kind.zh(),
                            related.as_deref().unwrap_or("")
                        ),
                        format!(
                            "The pledged {} {number} is held by a related party (stated: {}).",
                            kind.en(),
                            related.as_deref().unwrap_or("")
                        ),
                    ));
                }
            }
        }
        let action = if outcome == SaveOutcome::Created {
            "loan.create"
        } else {
            "loan.update"
        };
        tx.audit(
            action,
            "loan",
            id,
            json!({"lender": lender, "contract_number": terms.contract_number, "borrower": borrower,
                   "principal_fen": terms.principal_fen, "annual_rate": rate, "start": terms.start, "end": terms.end,
                   "ip_kinds": ip_kinds, "first_loan": input.first_loan, "fingerprint": fingerprint}),
        )
        .await?;
        Ok(SavedLoan {
            id,
            outcome,
            warnings,
        })
    }

    /// Inserts or updates a pledge registration and its items; returns its id.
    async fn write_pledge(
        &self,
        tx: &mut WriteTx,
        lender: OrgId,
        borrower: EnterpriseId,
        p: &ResolvedPledge,
    ) -> Result<i64> {
        let now = crate::now_s();
        crate::screening::mark_changed(tx.conn(), &[borrower.get()]).await?;
        let before = match &p.existing {
            Some(x) => {
                stats_aggregate::pledge_facts(tx.conn(), "p.id = ?", vec![x.id.into()], Lock::Row)
                    .await?
            }
            None => Vec::new(),
        };
        let reg_id = match &p.existing {
            Some(x) => {
                exec(
                    tx.conn(),
                    "UPDATE pledge_registrations SET secured_amount_fen = ?, registration_date = ?, cancellation_date = ?, updated_at = ? WHERE id = ?",
                    vec![
                        p.terms.secured_amount_fen.into(),
                        p.terms.registration_date.into(),
                        p.terms.cancellation_date.into(),
                        now.into(),
                        x.id.into(),
                    ],
                )
                .await?;
                exec(tx.conn(), "DELETE FROM pledge_items WHERE registration_id = ?", vec![x.id.into()]).await?;
                x.id
            }
            None => {
                fetch_i64(
                    tx.conn(),
                    "INSERT INTO pledge_registrations (number, pledgee_org_id, pledgor_enterprise_id, secured_amount_fen, registration_date, \
                     cancellation_date, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    vec![
                        p.terms.number.clone().into(),
                        lender.into(),
                        borrower.into(),
                        p.terms.secured_amount_fen.into(),
                        p.terms.registration_date.into(),
                        p.terms.cancellation_date.into(),
                        now.into(),
                        now.into(),
                    ],
                )
                .await
                .map_err(|e| {
                    e.unique_as(Msg::new(
                        "pledge.duplicate",
                        format!("质押登记 {} 已由其他贷款报送。", p.terms.number),
                        format!("Pledge registration {} was reported already.", p.terms.number),
                    ))
                })?
            }
        };
        let after =
            stats_aggregate::pledge_facts(tx.conn(), "p.id = ?", vec![reg_id.into()], Lock::None)
                .await?;
        tx.replace_stats(
            &Facts {
                loans: Vec::new(),
                pledges: before,
            },
            &Facts {
                loans: Vec::new(),
                pledges: after,
            },
        )?;
        for (kind, number, title, found, related) in &p.items {
            let asset_id = match found {
                Some(f) => f.id,
                None => {
                    let patent_kind = kind
                        .parse_number(number)
                        .ok()
                        .and_then(|(_, k)| k)
                        .map(|k| k.code().to_string());
                    fetch_i64(
                        tx.conn(),
                        "INSERT INTO ip_assets (enterprise_id, kind, number, patent_kind, title, legal_status, created_at) \
                         VALUES (?, ?, ?, ?, ?, 'valid', ?) RETURNING id",
                        vec![
                            borrower.into(),
                            kind.code().into(),
                            number.clone().into(),
                            patent_kind.into(),
                            title.clone().into(),
                            now.into(),
                        ],
                    )
                    .await?
                }
            };
            exec(
                tx.conn(),
                "INSERT INTO pledge_items (registration_id, ip_asset_id, related_party) VALUES (?, ?, ?)",
                vec![reg_id.into(), asset_id.into(), related.clone().into()],
            )
            .await?;
        }
        Ok(reg_id)
    }

    /// One page of the loans the scope may see.
    pub async fn loans(&self, scope: &Scope, f: &LoanFilter, page: Page) -> Result<Paged<LoanRow>> {
        let (cond, values) = filter_sql(scope, f);
        fetch_page(
            self.conn(),
            LOAN_COLS,
            &format!("{LOAN_FROM} WHERE {cond}"),
            "l.start_date DESC, l.id DESC",
            values,
            page,
        )
        .await
    }

    /// Every loan matching the filter, up to `limit` (for exports).
    pub async fn export_loans(
        &self,
        scope: &Scope,
        f: &LoanFilter,
        limit: u64,
    ) -> Result<Vec<LoanRow>> {
        let (cond, mut values) = filter_sql(scope, f);
        values.push((limit as i64).into());
        fetch_all(
            self.conn(),
            &format!("SELECT {LOAN_COLS} {LOAN_FROM} WHERE {cond} ORDER BY l.start_date DESC, l.id DESC LIMIT ?"),
            values,
        )
        .await
    }

    /// Totals of the loans matching the filter.
    pub async fn loan_totals(&self, scope: &Scope, f: &LoanFilter) -> Result<LoanTotals> {
        let (cond, values) = filter_sql(scope, f);
        #[derive(FromQueryResult)]
        struct Sums {
            count: i64,
            principal: Fen,
            first_count: i64,
            first_principal: Fen,
            sme_count: i64,
            sme_principal: Fen,
            enterprises: i64,
        }
        let sme = "COALESCE(e.size_override, e.size_class) IN ('medium', 'small', 'micro')";
        let s: Sums = fetch_one(
            self.conn(),
            &format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS count, CAST(COALESCE(SUM(l.principal_fen), 0) AS BIGINT) AS principal, \
                 CAST(COALESCE(SUM(CASE WHEN l.first_loan THEN 1 ELSE 0 END), 0) AS BIGINT) AS first_count, \
                 CAST(COALESCE(SUM(CASE WHEN l.first_loan THEN l.principal_fen ELSE 0 END), 0) AS BIGINT) AS first_principal, \
                 CAST(COALESCE(SUM(CASE WHEN {sme} THEN 1 ELSE 0 END), 0) AS BIGINT) AS sme_count, \
                 CAST(COALESCE(SUM(CASE WHEN {sme} THEN l.principal_fen ELSE 0 END), 0) AS BIGINT) AS sme_principal, \
                 CAST(COUNT(DISTINCT l.enterprise_id) AS BIGINT) AS enterprises \
                 {LOAN_FROM} WHERE {cond}"
            ),
            values.clone(),
        )
        .await?;
        let mut by_ip_kind = Vec::new();
        for k in IpKind::ALL {
            #[derive(FromQueryResult)]
            struct KindSum {
                count: i64,
                principal: Fen,
            }
            let mut v = values.clone();
            v.push(format!("%{}%", k.code()).into());
            let ks: KindSum = fetch_one(
                self.conn(),
                &format!(
                    "SELECT CAST(COUNT(*) AS BIGINT) AS count, CAST(COALESCE(SUM(l.principal_fen), 0) AS BIGINT) AS principal \
                     {LOAN_FROM} WHERE {cond} AND l.ip_kinds LIKE ?"
                ),
                v,
            )
            .await?;
            by_ip_kind.push((k.code().to_string(), ks.count, ks.principal));
        }
        Ok(LoanTotals {
            count: s.count,
            principal_fen: s.principal,
            by_ip_kind,
            first_loan_count: s.first_count,
            first_loan_principal_fen: s.first_principal,
            sme_count: s.sme_count,
            sme_principal_fen: s.sme_principal,
            enterprises: s.enterprises,
        })
    }

    async fn loan_row<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<LoanRow> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::Loans);
        values.insert(0, id.into());
        fetch_one(
            conn,
            &format!("SELECT {LOAN_COLS} {LOAN_FROM} WHERE l.id = ? AND {cond}"),
            values,
        )
        .await
    }

    async fn payments_of<C: ConnectionTrait>(&self, conn: &C, id: i64) -> Result<Vec<PaymentRow>> {
        fetch_all(
            conn,
            "SELECT id, date, principal_fen, interest_fen FROM loan_payments WHERE loan_id = ? ORDER BY date, id",
            vec![id.into()],
        )
        .await
    }

    /// A loan with its disbursements, pledges, payments, status history and contracts, if the
    /// scope may see it (else `NotFound`).
    pub async fn loan(&self, scope: &Scope, id: i64) -> Result<LoanDetail> {
        self.loan_in(self.conn(), scope, id).await
    }

    async fn loan_in<C: ConnectionTrait>(
        &self,
        conn: &C,
        scope: &Scope,
        id: i64,
    ) -> Result<LoanDetail> {
        let loan = Self::loan_row(conn, scope, id).await?;
        let disbursements: Vec<DisbursementRow> = fetch_all(
            conn,
            "SELECT date, amount_fen FROM loan_disbursements WHERE loan_id = ? ORDER BY date, id",
            vec![id.into()],
        )
        .await?;
        let regs: Vec<PledgeRow> = fetch_all(
            conn,
            "SELECT p.id, p.number, p.pledgee_org_id, p.pledgor_enterprise_id, p.secured_amount_fen, p.registration_date, \
             p.cancellation_date FROM pledge_registrations p JOIN loan_pledges lp ON lp.registration_id = p.id \
             WHERE lp.loan_id = ? ORDER BY p.number",
            vec![id.into()],
        )
        .await?;
        let items: Vec<PledgeItemView> = fetch_all(
            conn,
            "SELECT i.registration_id, i.ip_asset_id, a.kind, a.number, a.title, e.name AS holder_name, i.related_party \
             FROM pledge_items i JOIN loan_pledges lp ON lp.registration_id = i.registration_id \
             JOIN ip_assets a ON a.id = i.ip_asset_id JOIN enterprises e ON e.id = a.enterprise_id \
             WHERE lp.loan_id = ? ORDER BY a.kind, a.number",
            vec![id.into()],
        )
        .await?;
        let pledges = regs
            .into_iter()
            .map(|p| PledgeView {
                items: items
                    .iter()
                    .filter(|i| i.registration_id == p.id)
                    .cloned()
                    .collect(),
                pledge: p,
            })
            .collect::<Vec<_>>();
        let payments = self.payments_of(conn, id).await?;
        let status_changes: Vec<StatusChange> = fetch_all(
            conn,
            "SELECT id, status, date, note FROM loan_status_changes WHERE loan_id = ? ORDER BY date, id",
            vec![id.into()],
        )
        .await?;
        let contracts: Vec<ContractRow> = fetch_all(
            conn,
            "SELECT id, kind, provider_org_id, provider_name, contract_number, fee_fen, invoice_number, invoice_date, paid_date, \
             paid_fen, appraised_value_fen, report_date FROM financing_contracts WHERE loan_id = ? ORDER BY kind, id",
            vec![id.into()],
        )
        .await?;
        let mut detail = LoanDetail {
            loan,
            disbursements: disbursements
                .into_iter()
                .map(|d| Disbursement {
                    date: d.date,
                    amount_fen: d.amount_fen,
                })
                .collect(),
            pledges,
            payments,
            status_changes,
            contracts,
            warnings: Vec::new(),
        };
        detail.warnings = detail_warnings(&detail);
        Ok(detail)
    }

    /// Records a repayment or interest payment on a loan of the caller's institution.
    pub async fn add_payment(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        loan_id: i64,
        p: Payment,
    ) -> Result<Vec<Msg>> {
        self.add_payments(tx, scope, loan_id, &[p]).await
    }

    /// Records several payments on a loan in date order, each checked against the loan and
    /// those before it; all or none are stored, with one audit event.
    pub async fn add_payments(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        loan_id: i64,
        payments: &[Payment],
    ) -> Result<Vec<Msg>> {
        let detail = self.writable_loan(tx, scope, loan_id).await?;
        let terms = detail.terms();
        let mut earlier: Vec<Payment> = detail.recorded_payments();
        let mut sorted = payments.to_vec();
        sorted.sort_by_key(|p| p.date);
        let mut warnings = Vec::new();
        for p in &sorted {
            warnings.extend(financing::check_payment(&terms, &earlier, p).map_err(invalid)?);
            earlier.push(p.clone());
        }
        let now = crate::now_s();
        for p in &sorted {
            exec(
                tx.conn(),
                "INSERT INTO loan_payments (loan_id, date, principal_fen, interest_fen, created_at) VALUES (?, ?, ?, ?, ?)",
                vec![
                    loan_id.into(),
                    p.date.into(),
                    p.principal_fen.into(),
                    p.interest_fen.into(),
                    now.into(),
                ],
            )
            .await?;
        }
        // The payments passed `check_payment` (principal within the loan's), but the interest
        // has no such bound: a sum beyond fen is refused, never wrapped.
        let principal = Fen::sum(sorted.iter().map(|p| p.principal_fen))
            .map_err(|_| invalid(ipfin_domain::money::MoneyOverflow::field("principal_fen")))?;
        let interest = Fen::sum(sorted.iter().map(|p| p.interest_fen))
            .map_err(|_| invalid(ipfin_domain::money::MoneyOverflow::field("interest_fen")))?;
        exec(
            tx.conn(),
            "UPDATE loans SET repaid_fen = repaid_fen + ?, interest_paid_fen = interest_paid_fen + ?, updated_at = ? WHERE id = ?",
            vec![principal.into(), interest.into(), now.into(), loan_id.into()],
        )
        .await?;
        tx.audit("loan.payment", "loan", loan_id, json!({"after": sorted}))
            .await?;
        Ok(warnings)
    }

    async fn writable_loan(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        loan_id: i64,
    ) -> Result<LoanDetail> {
        let detail = self.loan_in(tx.conn(), scope, loan_id).await?;
        if lender_of(scope)? != detail.loan.lender_org_id {
            return Err(StoreError::NotFound);
        }
        Ok(detail)
    }

    async fn record_status(
        &self,
        tx: &mut WriteTx,
        loan_id: i64,
        status: LoanStatus,
        date: NaiveDate,
        note: &str,
    ) -> Result<()> {
        exec(
            tx.conn(),
            "INSERT INTO loan_status_changes (loan_id, status, date, note, created_at) VALUES (?, ?, ?, ?, ?)",
            vec![
                loan_id.into(),
                status.code().into(),
                date.into(),
                note.to_string().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        exec(
            tx.conn(),
            "UPDATE loans SET status = ?, status_date = ?, updated_at = ? WHERE id = ?",
            vec![
                status.code().into(),
                date.into(),
                crate::now_s().into(),
                loan_id.into(),
            ],
        )
        .await?;
        Ok(())
    }

    /// Changes a loan's status as of a date (not before the start, not in the future).
    pub async fn set_loan_status(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        loan_id: i64,
        status: LoanStatus,
        date: NaiveDate,
        note: &str,
    ) -> Result<Vec<Msg>> {
        let detail = self.writable_loan(tx, scope, loan_id).await?;
        let today = crate::today_shanghai();
        financing::check_status_date(
            detail.loan.start_date,
            today,
            detail.status_changes.last().map(|c| c.date),
            date,
        )
        .map_err(invalid)?;
        let note: String = note.trim().chars().take(500).collect();
        let earlier: Vec<Payment> = detail.recorded_payments();
        let warnings = financing::status_warnings(&detail.terms(), &earlier, status);
        self.record_status(tx, loan_id, status, date, &note).await?;
        tx.audit(
            "loan.status",
            "loan",
            loan_id,
            json!({"before": detail.loan.status, "after": status.code(), "date": date, "note": note}),
        )
        .await?;
        Ok(warnings)
    }

    /// Records a guarantee, insurance or valuation contract on a loan of the caller's
    /// institution.
    pub async fn add_contract(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        loan_id: i64,
        c: &ContractInput,
    ) -> Result<i64> {
        let detail = self.writable_loan(tx, scope, loan_id).await?;
        let financing::CheckedContract {
            kind,
            provider_name: provider,
            contract_number: number,
        } = financing::check_contract(c).map_err(invalid)?;
        let provider_org_id: Option<OrgId> = fetch_opt::<ProviderId, _>(
            tx.conn(),
            "SELECT id FROM organisations WHERE kind = 'financial_institution' AND name = ?",
            vec![provider.clone().into()],
        )
        .await?
        .map(|p| p.id);
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO financing_contracts (loan_id, kind, provider_org_id, provider_name, contract_number, fee_fen, invoice_number, \
             invoice_date, paid_date, paid_fen, appraised_value_fen, report_date, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                loan_id.into(),
                kind.code().into(),
                provider_org_id.into(),
                provider.clone().into(),
                number.clone().into(),
                c.fee_fen.into(),
                crate::org::clean(c.invoice_number.clone()).into(),
                c.invoice_date.into(),
                c.paid_date.into(),
                c.paid_fen.into(),
                c.appraised_value_fen.into(),
                c.report_date.into(),
                crate::now_s().into(),
            ],
        )
        .await
        .map_err(|e| {
            e.unique_as(Msg::new(
                "contract.duplicate",
                format!("该贷款已登记编号为 {number} 的{}。", kind.zh()),
                format!("This loan already has a {} numbered {number}.", kind.en()),
            ))
        })?;
        tx.audit(
            "loan.contract",
            "loan",
            detail.loan.id,
            json!({"contract_id": id, "kind": kind.code(), "provider": provider, "number": number, "fee_fen": c.fee_fen,
                   "paid_fen": c.paid_fen, "appraised_value_fen": c.appraised_value_fen}),
        )
        .await?;
        Ok(id)
    }

    /// A stored answer to an API request made with an `Idempotency-Key`: the hash of the request
    /// it answered, its status and body.
    pub async fn idempotent_answer(
        &self,
        org_id: OrgId,
        key: &str,
    ) -> Result<Option<(String, i32, String)>> {
        #[derive(FromQueryResult)]
        struct Answer {
            request_hash: String,
            status: i32,
            body: String,
        }
        Ok(fetch_opt::<Answer, _>(
            self.conn(),
            "SELECT request_hash, status, body FROM idempotency_keys WHERE organisation_id = ? AND key = ?",
            vec![org_id.into(), key.to_string().into()],
        )
        .await?
        .map(|a| (a.request_hash, a.status, a.body)))
    }

    /// Keeps the answer to a request made with an `Idempotency-Key` (the first answer wins).
    pub async fn keep_idempotent_answer(
        &self,
        org_id: OrgId,
        key: &str,
        request_hash: &str,
        status: i32,
        body: &str,
    ) -> Result<()> {
        exec(
            self.conn(),
            "INSERT INTO idempotency_keys (organisation_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (organisation_id, key) DO NOTHING",
            vec![
                org_id.into(),
                key.to_string().into(),
                request_hash.to_string().into(),
                status.into(),
                body.to_string().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        Ok(())
    }
}

#[derive(FromQueryResult)]
struct ProviderId {
    id: OrgId,
}

/// Warnings shown with a loan: related-party pledges, pledges registered after the loan's end,
/// a repaid status with principal still owed, interest paid after the end.
fn detail_warnings(d: &LoanDetail) -> Vec<Msg> {
    let terms = d.terms();
    let mut w = Vec::new();
    for p in &d.pledges {
        w.extend(financing::pledge_warnings(
            &terms,
            &PledgeTerms {
                number: p.pledge.number.clone(),
                secured_amount_fen: p.pledge.secured_amount_fen,
                registration_date: p.pledge.registration_date,
                cancellation_date: p.pledge.cancellation_date,
            },
        ));
        for i in p.items.iter().filter(|i| i.related_party.is_some()) {
            w.push(Msg::new(
                "pledge.related_party",
                format!(
                    "质押物 {} 由关联方“{}”持有（{}）。",
                    i.number,
                    i.holder_name,
                    i.related_party.as_deref().unwrap_or("")
                ),
                format!(
                    "Pledged item {} is held by the related party {} ({}).",
                    i.number,
                    i.holder_name,
                    i.related_party.as_deref().unwrap_or("")
                ),
            ));
        }
    }
    let payments: Vec<Payment> = d.recorded_payments();
    w.extend(financing::status_warnings(
        &terms,
        &payments,
        d.loan.status.get(),
    ));
    if let Some(p) = payments
        .iter()
        .find(|p| p.interest_fen.is_positive() && p.date > terms.end)
    {
        w.push(Msg::new(
            "payment.interest_after_end",
            format!("{} 的付息晚于到期日 {}。", p.date, terms.end),
            format!(
                "Interest paid on {} is after the end date {}.",
                p.date, terms.end
            ),
        ));
    }
    w
}

/// Parses an annual rate typed as a percentage (`3.45`, `3.45%`) or a fraction (`0.0345`):
/// values of 1 or more are percentages.
pub fn parse_rate(input: &str) -> Option<Decimal> {
    let s = ipfin_domain::credit_code::normalize(input);
    let s = s.trim().trim_end_matches('%').trim();
    let v: Decimal = s.parse().ok()?;
    if input.contains('%') || v >= Decimal::ONE {
        Some(v / Decimal::ONE_HUNDRED)
    } else {
        Some(v)
    }
}
