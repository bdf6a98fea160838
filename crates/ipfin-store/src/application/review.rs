//! From submission to a reviewed application: submit (eligibility, completeness, the stored
//! calculation), withdraw, accept (double-dipping block, cross-check with the banks' reports),
//! return for supplements, refuse, and the staged review with maker–checker.

use super::{
    ACTIVE, ApplicationRow, Body, FILE_COLS, FileRow, HELD, ItemDecision, ItemRow, applicant_org,
    field_err, workflow_err,
};
use crate::db::{exec, fetch_all, fetch_fen, fetch_i64, fetch_opt};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use chrono::{Datelike, NaiveDate};
use ipfin_domain::application::duties::Duty;
use ipfin_domain::application::{self as app, Action, Actor, Difference, Kind, State};
use ipfin_domain::org::Scope;
use ipfin_domain::policy::calc::{self, Calculation};
use ipfin_domain::policy::document::PolicyDocument;
use ipfin_domain::policy::eligibility::Step;
use ipfin_domain::policy::rules::{CapPeriod, Item};
use ipfin_domain::{Fen, Msg};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde_json::json;
use std::collections::BTreeMap;

/// Open files of the materials checklist that a submit found missing, by name.
fn missing_error(names: &[String]) -> StoreError {
    field_err(
        "files",
        Msg::new(
            "application.missing_materials",
            format!("以下必备材料尚未上传：{}。", names.join("、")),
            format!("Required materials missing: {}.", names.join(", ")),
        ),
    )
}

/// The derivation's first step for securitisation: the year number as counted from the
/// records, and what the applicant stated when it differs.
fn securitisation_year_step(earlier: i64, year: u32, stated: Option<u32>) -> calc::Step {
    let mut text = format!(
        "按记录计：本企业此前已有 {earlier} 个年度获得本政策（含各版本）的证券化资助，本次为第 {year} 年。"
    );
    if let Some(s) = stated.filter(|s| *s != year) {
        text.push_str(&format!("（申请人填写为第 {s} 年，以记录为准。）"));
    }
    calc::Step {
        rule: "securitisation.year_from_records",
        args: vec![calc::Arg::Owned(text)],
        amount_fen: None,
    }
}

#[derive(FromQueryResult)]
struct NameOnly {
    name: String,
}

impl Store {
    /// The policy version of an application (pinned; no scope: the application was checked).
    pub(crate) async fn policy_version_in_any<C: ConnectionTrait>(
        conn: &C,
        id: i64,
    ) -> Result<crate::policy::PolicyVersionRow> {
        Self::policy_version_scoped(conn, &Scope::City, id).await
    }

    /// What the enterprise has been granted or has in progress within the cap period, other
    /// than this application (SPEC §3.4 step 4: in-progress applications reserve their amount;
    /// a clawed-back application counts what the enterprise kept of it).
    async fn enterprise_used<C: ConnectionTrait>(
        conn: &C,
        row: &ApplicationRow,
        period: Option<CapPeriod>,
    ) -> Result<Fen> {
        let mut sql = format!(
            "SELECT CAST(COALESCE(SUM({HELD}), 0) AS BIGINT) FROM applications a \
             WHERE a.applicant_org_id = ? AND a.district_code = ? AND a.kind = ? AND a.id <> ? AND (a.state IN {ACTIVE} OR a.state = 'clawed_back')"
        );
        let mut values: Vec<Value> = vec![
            row.applicant_org_id.into(),
            row.district_code.clone().into(),
            row.kind.into(),
            row.id.into(),
        ];
        match period {
            Some(CapPeriod::Year) | None => {
                sql.push_str(" AND a.policy_year = ?");
                values.push(row.policy_year.into());
            }
            Some(CapPeriod::Years(n)) => {
                sql.push_str(" AND a.policy_year > ? AND a.policy_year <= ?");
                values.push((row.policy_year - n as i32).into());
                values.push(row.policy_year.into());
            }
            Some(CapPeriod::Lifetime) => {}
        }
        fetch_fen(conn, &sql, values).await
    }

    /// What the enterprise used of each item in this application's policy year (issue #19 item
    /// 3, decision 0032), against the items' annual caps: the item amounts of its other
    /// enterprise fee applications under any version of the same policy (its series) in the same
    /// policy year that hold or reserve an amount (`ACTIVE`: submitted to cleared), each at its
    /// latest figure — granted, else approved, else computed. This application never counts.
    ///
    /// The enterprise's organisation row is locked first (a no-op update), so two calculations
    /// for the same enterprise run one after the other on PostgreSQL and the second sees the
    /// first's reservation; SQLite runs one write transaction at a time anyway.
    pub(crate) async fn item_used<C: ConnectionTrait>(
        conn: &C,
        row: &ApplicationRow,
    ) -> Result<BTreeMap<Item, ipfin_domain::Fen>> {
        exec(
            conn,
            "UPDATE organisations SET name = name WHERE id = ?",
            vec![row.applicant_org_id.into()],
        )
        .await?;
        #[derive(FromQueryResult)]
        struct Used {
            item: String,
            used_fen: Fen,
        }
        #[derive(FromQueryResult)]
        struct Kept {
            application_id: i64,
            item: String,
            item_fen: Fen,
            kept_fen: Fen,
        }
        let same_series = "FROM application_items i JOIN applications a ON a.id = i.application_id \
                 JOIN policy_versions p ON p.id = a.policy_version_id \
                 JOIN policy_versions mine ON mine.series = p.series \
                 WHERE mine.id = ? AND a.applicant_org_id = ? AND a.kind = 'enterprise_fee' AND a.id <> ? \
                 AND a.policy_year = ?";
        let values = || -> Vec<Value> {
            vec![
                row.policy_version_id.into(),
                row.applicant_org_id.into(),
                row.id.into(),
                row.policy_year.into(),
            ]
        };
        let rows: Vec<Used> = fetch_all(
            conn,
            &format!(
                "SELECT i.item, CAST(SUM(COALESCE(i.granted_fen, i.approved_fen, i.computed_fen)) AS BIGINT) AS used_fen \
                 {same_series} AND a.state IN {ACTIVE} GROUP BY i.item"
            ),
            values(),
        )
        .await?;
        // Sums done here are checked: a total that does not fit is an error, never wrapped.
        let add =
            |out: &mut BTreeMap<Item, ipfin_domain::Fen>, item: Item, fen: ipfin_domain::Fen| {
                let e = out.entry(item).or_insert(ipfin_domain::Fen::ZERO);
                *e = e
                    .checked_add(fen)
                    .ok_or_else(|| StoreError::overflow("an item's amount used this year"))?;
                Ok::<_, StoreError>(())
            };
        let mut out: BTreeMap<Item, ipfin_domain::Fen> = BTreeMap::new();
        for u in rows {
            let item = crate::column::decode::<Item>("application_items.item", &u.item)?;
            add(&mut out, item, u.used_fen)?;
        }
        // A clawed-back application still holds what the enterprise kept of it (disbursed less
        // what was clawed back), shared over its items in proportion to their grants, exactly.
        let kept: Vec<Kept> = fetch_all(
            conn,
            &format!(
                "SELECT a.id AS application_id, i.item, \
                 CAST(COALESCE(i.granted_fen, i.approved_fen, i.computed_fen) AS BIGINT) AS item_fen, \
                 CAST({HELD} AS BIGINT) AS kept_fen \
                 {same_series} AND a.state = 'clawed_back' ORDER BY a.id, i.item"
            ),
            values(),
        )
        .await?;
        for app in kept.chunk_by(|a, b| a.application_id == b.application_id) {
            let weights: Vec<i64> = app.iter().map(|k| k.item_fen.get()).collect();
            let shares =
                ipfin_domain::policy::budget::proportional(&weights, app[0].kept_fen.get());
            for (k, share) in app.iter().zip(shares) {
                let item = crate::column::decode::<Item>("application_items.item", &k.item)?;
                add(&mut out, item, ipfin_domain::Fen::new(share))?;
            }
        }
        Ok(out)
    }

    /// The annual cap of each item as the stored calculation applied it (`items[].annual`).
    async fn stored_annual_caps<C: ConnectionTrait>(
        conn: &C,
        id: i64,
    ) -> Result<BTreeMap<Item, i64>> {
        #[derive(FromQueryResult)]
        struct C {
            calc: Option<String>,
        }
        let c: Option<C> = fetch_opt(
            conn,
            "SELECT calc FROM applications WHERE id = ?",
            vec![id.into()],
        )
        .await?;
        let v: serde_json::Value = match c.and_then(|c| c.calc) {
            Some(t) => serde_json::from_str(&t).map_err(super::internal)?,
            None => return Ok(BTreeMap::new()),
        };
        let mut out = BTreeMap::new();
        for i in v["value"]["items"].as_array().into_iter().flatten() {
            if let (Some(item), Some(cap)) = (
                i["item"].as_str().and_then(Item::from_code),
                i["annual"]["cap_fen"].as_i64(),
            ) {
                out.insert(item, cap);
            }
        }
        Ok(out)
    }

    /// How many earlier policy years the applicant was granted securitisation support in under
    /// any version of the same policy (its series): granted, paid or cleared applications with a
    /// grant above zero, of policy years before this application's.
    pub(crate) async fn securitisation_years_granted<C: ConnectionTrait>(
        conn: &C,
        row: &ApplicationRow,
    ) -> Result<i64> {
        fetch_i64(
            conn,
            "SELECT COUNT(DISTINCT a.policy_year) FROM applications a \
             JOIN policy_versions p ON p.id = a.policy_version_id \
             JOIN policy_versions mine ON mine.series = p.series \
             WHERE mine.id = ? AND a.applicant_org_id = ? AND a.kind = 'securitisation' AND a.id <> ? \
             AND a.policy_year < ? AND a.granted_fen > 0 \
             AND a.state IN ('granted','disbursed','under_investigation','cleared')",
            vec![
                row.policy_version_id.into(),
                row.applicant_org_id.into(),
                row.id.into(),
                row.policy_year.into(),
            ],
        )
        .await
    }

    /// What a draft would be granted if submitted now (issue #23 item 2: a draft shows its
    /// estimate as soon as loans and items are chosen): the same figures and engine as the
    /// submission, nothing stored. `None` for anything but the caller's own draft, or when the
    /// engine cannot run yet (no loans, size unknown). The lines say where the figures used
    /// differ from the stated ones (the banks' reports count), then the derivation.
    pub async fn draft_estimate(
        &self,
        scope: &Scope,
        id: i64,
        lang: ipfin_domain::Lang,
    ) -> Result<Option<(Calculation, Vec<String>)>> {
        let conn = self.conn();
        if applicant_org(scope).is_err() {
            return Ok(None);
        }
        let row = Self::app_row(conn, scope, id).await?;
        let (wf, body) = Self::app_state(conn, id).await?;
        if wf.state != State::Draft || body.lines.is_empty() && row.kind() == Kind::EnterpriseFee {
            return Ok(None);
        }
        let doc = Self::policy_version_in_any(conn, row.policy_version_id)
            .await?
            .doc()?;
        let (loans, mut lines) = if row.kind() == Kind::EnterpriseFee {
            let f = Self::figures(conn, &row, &body, &[]).await?;
            let why = f.why.iter().map(|m| m.text(lang).to_string()).collect();
            (f.loans, why)
        } else {
            (Vec::new(), Vec::new())
        };
        Ok(
            match self.calculate_for(conn, &row, &body, &doc, &loans).await {
                Ok(c) => {
                    lines.extend(c.lines_in(lang));
                    Some((c, lines))
                }
                Err(_) => None,
            },
        )
    }

    /// Runs the engine on an application as it stands.
    pub(super) async fn calculate_for<C: ConnectionTrait>(
        &self,
        conn: &C,
        row: &ApplicationRow,
        body: &Body,
        doc: &PolicyDocument,
        loans: &[calc::Loan],
    ) -> Result<Calculation> {
        match row.kind() {
            Kind::EnterpriseFee => {
                let e = self
                    .enterprise_in(conn, &Scope::City, row.enterprise_id.unwrap_or(0))
                    .await?;
                let class = e.effective_size().ok_or_else(|| {
                    StoreError::conflict(
                        "application.size_unknown",
                        "企业规模（大型、中型、小型、微型）尚未确定：请先在企业信息中补充从业人员、营业收入和资产总额，或联系区经办人员认定。",
                        "The enterprise's size class is not known yet.",
                    )
                })?;
                let item_used = Self::item_used(conn, row).await?;
                let used =
                    Self::enterprise_used(conn, row, doc.rules.enterprise_cap.map(|c| c.period))
                        .await?;
                let input = calc::Application {
                    class,
                    operating_revenue_fen: e.operating_revenue_fen,
                    // Only the items applied for count: fees of other items stay out.
                    loans: loans
                        .iter()
                        .map(|l| {
                            let mut loan = l.clone();
                            let applied = row.item_list();
                            for (item, fee) in [
                                (Item::Interest, &mut loan.interest_paid_fen),
                                (Item::Evaluation, &mut loan.evaluation_fee_fen),
                                (Item::Guarantee, &mut loan.guarantee_fee_fen),
                                (Item::Insurance, &mut loan.insurance_fee_fen),
                            ] {
                                if !applied.contains(&item) {
                                    *fee = ipfin_domain::Fen::ZERO;
                                }
                            }
                            loan
                        })
                        .collect(),
                    enterprise_used_fen: used,
                    item_used_fen: item_used,
                };
                let lpr = Self::lpr_table_in(conn).await?;
                calc::calculate(&doc.rules, &lpr, &input).map_err(|m| field_err("lines", m))
            }
            Kind::Institution => {
                let rule = doc.rules.institution_reward.clone().ok_or_else(|| {
                    StoreError::conflict(
                        "application.no_reward_rule",
                        "该政策没有对银行金融机构的奖励条款。",
                        "The policy has no institution reward.",
                    )
                })?;
                // What the reward counts of each loan (issue #19 item 1): the financed amount
                // from the bank's own report (other collateral, IP amount or ratio, the pledge
                // registrations' secured amount), the IP kinds, the borrower's class and
                // whether it is the borrower's first IP pledge loan.
                #[derive(FromQueryResult)]
                struct P {
                    principal_fen: Fen,
                    secured_fen: Option<Fen>,
                    other_collateral: bool,
                    ip_amount_fen: Option<Fen>,
                    ip_ratio: Option<String>,
                    first_loan: bool,
                    ip_kinds: String,
                    class: Option<String>,
                }
                let loans: Vec<P> = fetch_all(
                    conn,
                    "SELECT l.principal_fen, \
                     (SELECT CAST(SUM(p.secured_amount_fen) AS BIGINT) FROM loan_pledges lp \
                      JOIN pledge_registrations p ON p.id = lp.registration_id WHERE lp.loan_id = l.id) AS secured_fen, \
                     l.other_collateral, l.ip_amount_fen, l.ip_ratio, l.first_loan, l.ip_kinds, \
                     COALESCE(e.size_override, e.size_class) AS class \
                     FROM loans l JOIN enterprises e ON e.id = l.enterprise_id \
                     WHERE l.lender_org_id = ? AND e.registered_district = ? AND l.start_date >= ? AND l.start_date <= ?",
                    vec![
                        row.applicant_org_id.into(),
                        row.district_code.clone().into(),
                        NaiveDate::from_ymd_opt(row.policy_year, 1, 1).into(),
                        NaiveDate::from_ymd_opt(row.policy_year, 12, 31).into(),
                    ],
                )
                .await?;
                if loans.is_empty() {
                    return Err(StoreError::conflict(
                        "application.no_loans_reported",
                        format!(
                            "贵行{}年在本区没有报送的知识产权质押贷款，请先在“贷款”中报送。",
                            row.policy_year
                        ),
                        "No reported loans in the district for the year.",
                    ));
                }
                let used = Self::enterprise_used(conn, row, Some(CapPeriod::Year)).await?;
                use ipfin_domain::Fen;
                use ipfin_domain::policy::calc::{IpShare, RewardLoan};
                let loans: Vec<RewardLoan> = loans
                    .into_iter()
                    .map(|l| RewardLoan {
                        principal_fen: l.principal_fen,
                        secured_amount_fen: l.secured_fen,
                        ip_share: match (l.other_collateral, l.ip_amount_fen, &l.ip_ratio) {
                            (false, _, _) => IpShare::Sole,
                            (true, Some(amount_fen), _) => IpShare::Amount { amount_fen },
                            // A ratio that does not read counts nothing rather than everything.
                            (true, None, r) => r
                                .as_deref()
                                .and_then(|r| r.parse().ok())
                                .and_then(|r| ipfin_domain::policy::Ratio::new(r).ok())
                                .map_or(
                                    IpShare::Amount {
                                        amount_fen: Fen::ZERO,
                                    },
                                    |ratio| IpShare::Ratio { ratio },
                                ),
                        },
                        ip_kinds: l
                            .ip_kinds
                            .split(',')
                            .filter_map(ipfin_domain::ip_number::IpKind::from_code)
                            .collect(),
                        class: l
                            .class
                            .as_deref()
                            .and_then(ipfin_domain::size::SizeClass::from_code),
                        first_time: l.first_loan,
                    })
                    .collect();
                calc::try_institution_reward(&rule, &loans, used).map_err(|m| field_err("lines", m))
            }
            Kind::Securitisation => {
                let rule = doc.rules.securitisation.ok_or_else(|| {
                    StoreError::conflict(
                        "application.no_securitisation_rule",
                        "该政策没有知识产权证券化资助条款。",
                        "The policy has no securitisation support.",
                    )
                })?;
                // The year number comes from the records (issue #19 item 5), not from what the
                // applicant types: earlier policy years with granted support under any version
                // of the same policy, plus this one.
                let earlier = Self::securitisation_years_granted(conn, row).await?;
                let year = u32::try_from(earlier).unwrap_or(u32::MAX).saturating_add(1);
                if body.interest_paid_fen < 0
                    || body.guarantee_fee_fen < 0
                    || (body.interest_paid_fen == 0 && body.guarantee_fee_fen == 0)
                {
                    return Err(field_err(
                        "interest_paid_fen",
                        Msg::new(
                            "application.securitisation_cost",
                            "请填写当年实际支付的利息和担保费（不能为负，合计应大于 0）。",
                            "Enter the interest and guarantee fee paid.",
                        ),
                    ));
                }
                let used = Self::enterprise_used(conn, row, Some(CapPeriod::Year)).await?;
                let mut c = calc::try_securitisation(
                    &rule,
                    year,
                    body.interest_paid_fen,
                    body.guarantee_fee_fen,
                    used,
                )
                .map_err(|m| field_err("interest_paid_fen", m))?;
                c.steps
                    .insert(0, securitisation_year_step(earlier, year, body.year_number));
                Ok(c)
            }
        }
    }

    /// Submits (or resubmits after a return): the batch must be open, the enterprise eligible,
    /// every required slot filled and the figures valid; the calculation runs and is stored;
    /// the first submission gets the next number of its district, year and kind.
    pub async fn submit_application(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        today: NaiveDate,
    ) -> Result<String> {
        applicant_org(scope)?;
        let row = Self::app_row(tx.conn(), scope, id).await?;
        let (wf, body) = Self::app_state(tx.conn(), id).await?;
        wf.apply(Actor::Applicant, Action::Submit)
            .map_err(workflow_err)?;
        let v = Self::policy_version_in_any(tx.conn(), row.policy_version_id).await?;
        let doc = v.doc()?;
        if wf.state == State::Draft {
            let batch = doc.batches.iter().find(|b| b.name == row.batch_name);
            if !batch.is_some_and(|b| b.opens <= today && today <= b.closes) {
                let window = batch
                    .map(|b| format!("{} 至 {}", b.opens, b.closes))
                    .unwrap_or_default();
                return Err(StoreError::conflict(
                    "application.batch_closed",
                    format!(
                        "申报批次“{}”的受理时间为 {window}，今天（{today}）不在受理期内。",
                        row.batch_name
                    ),
                    "The batch is not open today.",
                ));
            }
        }
        if row.kind() == Kind::EnterpriseFee {
            app::lines::check_lines(&body.lines, &row.item_list()).map_err(|list| {
                StoreError::Problems(
                    list.into_iter()
                        .map(|e| ipfin_domain::policy::rules::RuleError {
                            path: e.field,
                            msg: e.msg,
                        })
                        .collect(),
                )
            })?;
        }
        // Eligibility (R2.2) for enterprises, kept with the application.
        if let Some(c) = self.prove_eligibility(tx, &row, &doc, Step::Submit).await? {
            return Err(StoreError::Conflict(c.refusal(Step::Submit)));
        }
        // Completeness.
        let files: Vec<FileRow> = fetch_all(
            tx.conn(),
            &format!("SELECT {FILE_COLS} FROM application_files WHERE application_id = ?"),
            vec![id.into()],
        )
        .await?;
        let slots = app::slots(row.kind(), &row.item_list(), &doc.extra_materials);
        let filled: Vec<&str> = files.iter().map(|f| f.slot.as_str()).collect();
        let missing: Vec<String> = app::missing(&slots, &filled)
            .into_iter()
            .map(|s| s.name.clone())
            .collect();
        if !missing.is_empty() {
            return Err(missing_error(&missing));
        }
        let old = Self::stored_differences(tx.conn(), id).await?;
        let figures = if row.kind() == Kind::EnterpriseFee {
            Self::figures(tx.conn(), &row, &body, &old).await?
        } else {
            super::figures::Figures {
                loans: Vec::new(),
                why: Vec::new(),
                diffs: Vec::new(),
            }
        };
        let c = self
            .calculate_for(tx.conn(), &row, &body, &doc, &figures.loans)
            .await?;
        if !c.eligible {
            // The policy's own conditions (years limit, revenue, IP types) rule it out: say
            // which, in the derivation's words, instead of filing an application for nothing.
            let why: Vec<String> = c.lines().into_iter().filter(|l| l.contains("不")).collect();
            return Err(StoreError::conflict(
                "application.policy_conditions",
                format!(
                    "按本政策的条件，本申请不能获得资助：{}",
                    if why.is_empty() {
                        c.lines().join("；")
                    } else {
                        why.join("；")
                    }
                ),
                "The policy's conditions rule this application out.",
            ));
        }
        // The number: the next in district-year-kind, inside this transaction (gapless).
        let number = match &row.number {
            Some(n) => n.clone(),
            None => {
                let year = today.year();
                exec(
                    tx.conn(),
                    "INSERT INTO application_counters (district_code, year, kind, last_seq) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING",
                    vec![row.district_code.clone().into(), year.into(), row.kind.into()],
                )
                .await?;
                let seq = fetch_i64(
                    tx.conn(),
                    "UPDATE application_counters SET last_seq = last_seq + 1 WHERE district_code = ? AND year = ? AND kind = ? RETURNING last_seq",
                    vec![row.district_code.clone().into(), year.into(), row.kind.into()],
                )
                .await?;
                app::ApplicationNumber {
                    district: row.district_code.clone(),
                    year,
                    kind: row.kind(),
                    sequence: seq as u32,
                }
                .to_string()
            }
        };
        let now = crate::now_s();
        exec(
            tx.conn(),
            "UPDATE applications SET number = ?, submitted_at = COALESCE(submitted_at, ?), return_note = NULL, return_deadline = NULL WHERE id = ?",
            vec![number.clone().into(), now.into(), id.into()],
        )
        .await?;
        Self::store_calculation(tx, &row, &c, &figures.why, Some(&figures.diffs)).await?;
        let mut row = row;
        row.number = Some(number.clone());
        // An applicant with a clawback still open is flagged to the officers (SPEC §3.3).
        let open_clawbacks = fetch_i64(
            tx.conn(),
            "SELECT COUNT(*) FROM clawbacks c JOIN applications a ON a.id = c.application_id \
             WHERE a.applicant_org_id = ? AND c.recovered_on IS NULL",
            vec![row.applicant_org_id.into()],
        )
        .await?;
        let next = Self::transition(
            tx,
            &row,
            &wf,
            Actor::Applicant,
            Action::Submit,
            "",
            json!({"computed_fen": c.total_fen, "eligible": c.eligible,
                   "materials_edition": ipfin_domain::policy::materials::EDITION,
                   "open_clawbacks": open_clawbacks}),
        )
        .await?;
        let (flag, flag_en) = if open_clawbacks > 0 {
            (
                format!("（注意：该单位有 {open_clawbacks} 笔资助尚未追回）"),
                format!(" (note: {open_clawbacks} grants of this applicant are not yet recovered)"),
            )
        } else {
            (String::new(), String::new())
        };
        let text = match next.state {
            State::Submitted => (
                format!("{number} {} 已提交，等待受理。{flag}", row.applicant_name),
                format!(
                    "{number} {} was submitted and awaits acceptance.{flag_en}",
                    row.applicant_name
                ),
            ),
            _ => (
                format!(
                    "{number} {} 已补正，回到{}。",
                    row.applicant_name,
                    next.stage.map(|s| s.zh()).unwrap_or("审核")
                ),
                format!(
                    "{number} {} was supplemented and is back at {}.",
                    row.applicant_name,
                    next.stage.map(|s| s.en()).unwrap_or("review")
                ),
            ),
        };
        Self::notify_officers(tx, &row, text).await?;
        // The enterprise is told which bank must report which loan before acceptance.
        for l in body.lines.iter().filter(|l| {
            figures
                .diffs
                .iter()
                .any(|d| !d.decidable && body.lines.get(d.line) == Some(*l))
        }) {
            let m = app::figures::unreported_msg(l);
            Self::notify_applicant(tx, &row, (m.zh, m.en)).await?;
        }
        Ok(number)
    }

    /// Withdraws an application not yet accepted.
    pub async fn withdraw_application(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
    ) -> Result<()> {
        applicant_org(scope)?;
        let row = Self::app_row(tx.conn(), scope, id).await?;
        let (wf, _) = Self::app_state(tx.conn(), id).await?;
        Self::transition(
            tx,
            &row,
            &wf,
            Actor::Applicant,
            Action::Withdraw,
            "",
            json!({}),
        )
        .await?;
        Self::release_claims(tx, id).await
    }

    pub(super) async fn release_claims(tx: &WriteTx, id: i64) -> Result<()> {
        exec(
            tx.conn(),
            "UPDATE application_claims SET active = ? WHERE application_id = ?",
            vec![false.into(), id.into()],
        )
        .await?;
        Ok(())
    }

    /// Accepts a submitted application: the same loan or pledge registration may be granted
    /// once per item and year across all districts (blocked here with a pointer to the other
    /// application), and the figures are compared with the banks' reports.
    pub async fn accept_application(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        comment: &str,
    ) -> Result<Vec<Difference>> {
        let (row, wf, body, user) = Self::officer_row(tx, scope, id).await?;
        wf.apply(Actor::Officer(user), Action::Accept)
            .map_err(workflow_err)?;
        let v = Self::policy_version_in_any(tx.conn(), row.policy_version_id).await?;
        let doc = v.doc()?;
        // Eligibility again, on the registry as it stands today (R2.2).
        if let Some(c) = self.prove_eligibility(tx, &row, &doc, Step::Accept).await? {
            return Err(StoreError::Conflict(c.refusal(Step::Accept)));
        }
        let mut claims: Vec<(String, String)> = Vec::new();
        for l in &body.lines {
            for item in row.item_list() {
                claims.push((format!("loan:{}", l.loan_key()), item.code().to_string()));
                if let Some(p) = l
                    .pledge_number
                    .as_deref()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                {
                    claims.push((format!("pledge:{p}"), item.code().to_string()));
                }
            }
        }
        for (key, item) in &claims {
            #[derive(FromQueryResult)]
            struct Other {
                number: Option<String>,
                district_code: String,
            }
            let other: Option<Other> = fetch_opt(
                tx.conn(),
                "SELECT a.number, a.district_code FROM application_claims c JOIN applications a ON a.id = c.application_id \
                 WHERE c.claim_key = ? AND c.item = ? AND c.year = ? AND c.active = ? AND c.application_id <> ?",
                vec![key.clone().into(), item.clone().into(), row.policy_year.into(), true.into(), id.into()],
            )
            .await?;
            if let Some(o) = other {
                let what = if key.starts_with("pledge:") {
                    "质权登记"
                } else {
                    "贷款"
                };
                // Name the bank and contract (not the internal key) and the other district.
                let subject = match key.strip_prefix("loan:").and_then(|k| k.split_once(':')) {
                    Some((lender, contract)) => {
                        let bank = match lender.parse::<i64>() {
                            Ok(lid) => fetch_opt::<NameOnly, _>(
                                tx.conn(),
                                "SELECT name FROM organisations WHERE id = ?",
                                vec![lid.into()],
                            )
                            .await?
                            .map(|n| n.name)
                            .unwrap_or_default(),
                            Err(_) => String::new(),
                        };
                        format!("{bank} {contract}").trim().to_string()
                    }
                    None => key.split_once(':').map(|x| x.1).unwrap_or(key).to_string(),
                };
                let district = Self::district_name(tx.conn(), &o.district_code).await?;
                let item_zh = Item::ALL
                    .iter()
                    .find(|i| i.code() == item)
                    .map(|i| i.zh())
                    .unwrap_or("");
                return Err(StoreError::conflict(
                    "application.double_dipping",
                    format!(
                        "{what}“{subject}”的{item_zh}已由{district}的申请 {} 申请或获得 {} 年度资助，同一贷款同一项目同一年度只能资助一次。",
                        o.number.unwrap_or_default(),
                        row.policy_year
                    ),
                    "The same loan or pledge was already claimed for this item and year.",
                ));
            }
        }
        for (key, item) in &claims {
            exec(
                tx.conn(),
                "INSERT INTO application_claims (application_id, claim_key, item, year, active) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (application_id, claim_key, item) DO UPDATE SET active = excluded.active",
                vec![id.into(), key.clone().into(), item.clone().into(), row.policy_year.into(), true.into()],
            )
            .await
            .map_err(|e| {
                e.unique_as(Msg::new(
                    "application.double_dipping",
                    "同一贷款同一项目同一年度已被另一申请占用，请刷新后查看。",
                    "The loan was just claimed by another application.",
                ))
            })?;
        }
        // Every loan must have been reported by its bank: the grant is computed on that report.
        let old = Self::stored_differences(tx.conn(), id).await?;
        let figures = if row.kind() == Kind::EnterpriseFee {
            let f = Self::figures(tx.conn(), &row, &body, &old).await?;
            if let Some(l) = f.unreported(&body) {
                return Err(StoreError::Conflict(app::figures::unreported_msg(l)));
            }
            Some(f)
        } else {
            None
        };
        // The calculation again, on the reported figures; the differences for 经办 to decide.
        let diffs = match &figures {
            Some(_) => self.recalculate(tx, &row, &body, &doc, &old).await?.1.diffs,
            None => Vec::new(),
        };
        exec(
            tx.conn(),
            "UPDATE applications SET accepted_at = COALESCE(accepted_at, ?) WHERE id = ?",
            vec![crate::now_s().into(), id.into()],
        )
        .await?;
        // Beyond what remains of the budget (first come, first served): accepted, but the
        // officers are warned (issue #18 item 5).
        let fresh = Self::app_row(tx.conn(), scope, id).await?;
        let warning = Self::acceptance_budget_warning(tx.conn(), &fresh).await?;
        if let Some(w) = &warning {
            Self::notify_officers(
                tx,
                &row,
                (
                    format!("{}：{}", row.label(), w.zh),
                    format!("{}: {}", row.label(), w.en),
                ),
            )
            .await?;
        }
        Self::transition(
            tx,
            &row,
            &wf,
            Actor::Officer(user),
            Action::Accept,
            comment,
            json!({"differences": diffs.len(), "budget_warning": warning.as_ref().map(|w| w.zh.clone())}),
        )
        .await?;
        Self::notify_applicant(
            tx,
            &row,
            (
                format!("{} 已受理，进入审核。", row.label()),
                format!("{} was accepted and is in review.", row.label()),
            ),
        )
        .await?;
        Ok(diffs)
    }

    /// A reviewer at 复核 or 审批 sends the application back to the previous review stage, with
    /// a reason (an internal return: the applicant is not asked for anything). The previous
    /// stage is signed again.
    pub async fn return_internal(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        reason: &str,
    ) -> Result<()> {
        let (row, wf, _, user) = Self::officer_row(tx, scope, id).await?;
        let next = wf
            .apply(Actor::Officer(user), Action::ReturnInternal)
            .map_err(workflow_err)?;
        let reason = reason.trim();
        if !(2..=500).contains(&reason.chars().count()) {
            return Err(field_err(
                "note",
                Msg::new(
                    "application.internal_return_reason",
                    "请写明退回上一审核环节的理由（2–500 字）。",
                    "Give the reason for returning to the previous stage (2–500 characters).",
                ),
            ));
        }
        Self::check_duty(tx, &row, user, Duty::Review).await?;
        Self::transition(
            tx,
            &row,
            &wf,
            Actor::Officer(user),
            Action::ReturnInternal,
            reason,
            json!({"to_stage": next.stage.map(|s| s.code())}),
        )
        .await?;
        Self::notify_officers(
            tx,
            &row,
            (
                format!(
                    "{} 被退回{}重新审核：{reason}",
                    row.label(),
                    next.stage.map(|s| s.zh()).unwrap_or("")
                ),
                format!(
                    "{} was sent back to {} for another review: {reason}",
                    row.label(),
                    next.stage.map(|s| s.en()).unwrap_or("review")
                ),
            ),
        )
        .await
    }

    /// Returns an application for supplement, with what to supplement and a deadline.
    pub async fn return_application(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        what: &str,
        deadline: NaiveDate,
        today: NaiveDate,
    ) -> Result<()> {
        let (row, wf, _, user) = Self::officer_row(tx, scope, id).await?;
        let what = what.trim();
        if what.is_empty() {
            return Err(field_err(
                "note",
                Msg::new(
                    "application.return_note",
                    "请写明需要补正的材料或内容。",
                    "Say what to supplement.",
                ),
            ));
        }
        if deadline <= today {
            return Err(field_err(
                "deadline",
                Msg::new(
                    "application.return_deadline",
                    "补正期限应晚于今天。",
                    "The deadline must be after today.",
                ),
            ));
        }
        Self::transition(
            tx,
            &row,
            &wf,
            Actor::Officer(user),
            Action::Return,
            what,
            json!({"deadline": deadline}),
        )
        .await?;
        exec(
            tx.conn(),
            "UPDATE applications SET return_note = ?, return_deadline = ? WHERE id = ?",
            vec![what.to_string().into(), deadline.into(), id.into()],
        )
        .await?;
        Self::notify_applicant(
            tx,
            &row,
            (
                format!(
                    "{} 被退回补正：{what}（期限 {}）",
                    row.label(),
                    ipfin_domain::format::date_zh(deadline)
                ),
                format!(
                    "{} was returned for supplement: {what} (by {})",
                    row.label(),
                    ipfin_domain::format::date(deadline, ipfin_domain::Lang::En)
                ),
            ),
        )
        .await
    }

    /// Does not accept (不予受理) or rejects in review (审核不通过), with a reason.
    pub async fn refuse_application(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        action: Action,
        reason: &str,
    ) -> Result<()> {
        let (row, wf, _, user) = Self::officer_row(tx, scope, id).await?;
        if !matches!(action, Action::NotAccept | Action::Reject) {
            return Err(StoreError::Internal(
                "refuse takes not_accept or reject".into(),
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(field_err(
                "reason",
                Msg::new(
                    "application.reason",
                    "请填写理由，申请单位会看到。",
                    "Give the reason.",
                ),
            ));
        }
        Self::transition(
            tx,
            &row,
            &wf,
            Actor::Officer(user),
            action,
            reason,
            json!({}),
        )
        .await?;
        Self::release_claims(tx, id).await?;
        Self::notify_applicant(
            tx,
            &row,
            (
                format!("{}：{}。理由：{reason}", row.label(), action.zh()),
                format!("{}: {}. Reason: {reason}", row.label(), action.en()),
            ),
        )
        .await
    }

    /// Passes the current review stage, with the approved amount of each item: never above the
    /// calculation, and lower only with a reason. Nobody passes two stages of one application.
    pub async fn pass_review(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        decisions: &[ItemDecision],
        comment: &str,
    ) -> Result<State> {
        let (row, wf, _, user) = Self::officer_row(tx, scope, id).await?;
        wf.apply(Actor::Officer(user), Action::Pass)
            .map_err(workflow_err)?;
        Self::check_duty(tx, &row, user, Duty::Review).await?;
        if wf.stage == Some(ipfin_domain::application::Stage::First) {
            let n = app::figures::undecided(&Self::stored_differences(tx.conn(), id).await?);
            if n > 0 {
                return Err(super::figures::undecided_error(n));
            }
        }
        let items: Vec<ItemRow> = fetch_all(
            tx.conn(),
            "SELECT item, computed_fen, approved_fen, reason, granted_fen FROM application_items WHERE application_id = ? ORDER BY item",
            vec![id.into()],
        )
        .await?;
        for d in decisions {
            let Some(it) = items
                .iter()
                .find(|i| i.item == d.item.code() || (items.len() == 1 && i.item == row.kind))
            else {
                return Err(field_err(
                    "items",
                    Msg::new(
                        "review.item",
                        format!("本申请没有申请{}。", d.item.zh()),
                        "The application does not claim this item.",
                    ),
                ));
            };
            let ceiling = it.approved_fen.unwrap_or(it.computed_fen);
            if d.approved_fen > it.computed_fen || d.approved_fen > ceiling {
                return Err(field_err(
                    "approved_fen",
                    Msg::new(
                        "review.above_calculation",
                        format!(
                            "{}核定金额 {} 元高于系统测算（或上一环节核定）的 {} 元：核定金额只能调低，不能调高。",
                            d.item.zh(),
                            d.approved_fen.yuan(),
                            ceiling.yuan()
                        ),
                        "An approved amount cannot exceed the calculation.",
                    ),
                ));
            }
            if d.approved_fen < Fen::ZERO {
                return Err(field_err(
                    "approved_fen",
                    Msg::new(
                        "review.negative",
                        "核定金额不能为负数。",
                        "Amounts cannot be negative.",
                    ),
                ));
            }
            if d.approved_fen < ceiling && d.reason.trim().is_empty() {
                return Err(field_err(
                    "reason",
                    Msg::new(
                        "review.reason",
                        format!("{}核定金额低于测算金额，请填写调减理由。", d.item.zh()),
                        "Give the reason for lowering an amount.",
                    ),
                ));
            }
        }
        // An item's annual cap per enterprise, as the stored calculation found it, is checked
        // again against the records as they stand at this decision (issue #19 item 3).
        let caps = if row.kind() == Kind::EnterpriseFee {
            Self::stored_annual_caps(tx.conn(), id).await?
        } else {
            BTreeMap::new()
        };
        if !caps.is_empty() {
            let used = Self::item_used(tx.conn(), &row).await?;
            for it in &items {
                let Some(item) = Item::from_code(&it.item) else {
                    continue;
                };
                let Some(cap) = caps.get(&item) else { continue };
                let approved = decisions
                    .iter()
                    .find(|d| d.item == item)
                    .map(|d| d.approved_fen)
                    .unwrap_or(it.approved_fen.unwrap_or(it.computed_fen));
                let used = used.get(&item).map_or(0, |f| f.get());
                let remaining = cap.saturating_sub(used).max(0);
                if approved.get() > remaining {
                    return Err(StoreError::conflict(
                        "review.annual_cap",
                        format!(
                            "{}每家企业本政策年度上限 {} 元，本企业本年度其他申请已获批及在审 {} 元，尚余 {} 元；核定金额 {} 元超过尚余额度，请调减。",
                            item.zh(),
                            ipfin_domain::financing::yuan(*cap),
                            ipfin_domain::financing::yuan(used),
                            ipfin_domain::financing::yuan(remaining),
                            approved.yuan()
                        ),
                        "The approved amount is above what remains of the item's annual cap.",
                    ));
                }
            }
        }
        for it in &items {
            let d = decisions
                .iter()
                .find(|d| d.item.code() == it.item || (items.len() == 1 && it.item == row.kind));
            let approved = d
                .map(|d| d.approved_fen)
                .unwrap_or(it.approved_fen.unwrap_or(it.computed_fen));
            let reason = d
                .map(|d| d.reason.trim().to_string())
                .filter(|r| !r.is_empty())
                .or(it.reason.clone());
            exec(
                tx.conn(),
                "UPDATE application_items SET approved_fen = ?, reason = ? WHERE application_id = ? AND item = ?",
                vec![approved.into(), reason.into(), id.into(), it.item.clone().into()],
            )
            .await?;
        }
        let total = fetch_i64(tx.conn(), "SELECT CAST(COALESCE(SUM(approved_fen), 0) AS BIGINT) FROM application_items WHERE application_id = ?", vec![id.into()]).await?;
        exec(
            tx.conn(),
            "UPDATE applications SET approved_fen = ? WHERE id = ?",
            vec![total.into(), id.into()],
        )
        .await?;
        let next = Self::transition(
            tx,
            &row,
            &wf,
            Actor::Officer(user),
            Action::Pass,
            comment,
            json!({"decisions": decisions, "approved_fen": total}),
        )
        .await?;
        if next.state == State::Reviewed {
            Self::notify_officers(
                tx,
                &row,
                (
                    format!(
                        "{} 审核通过（核定 {} 元），待发布公示。",
                        row.label(),
                        ipfin_domain::financing::yuan(total)
                    ),
                    format!(
                        "{} passed review (approved CNY {}) and awaits the public notice.",
                        row.label(),
                        ipfin_domain::financing::yuan(total)
                    ),
                ),
            )
            .await?;
        } else {
            Self::notify_officers(
                tx,
                &row,
                (
                    format!(
                        "{} 待{}。",
                        row.label(),
                        next.stage.map(|s| s.zh()).unwrap_or("")
                    ),
                    format!(
                        "{} awaits {}.",
                        row.label(),
                        next.stage.map(|s| s.en()).unwrap_or("review")
                    ),
                ),
            )
            .await?;
        }
        Ok(next.state)
    }
}
