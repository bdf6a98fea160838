//! A working year for the demo (issue #23 item 11, decision 0040): what `ipfin serve --demo`
//! and `ipfin demo` add to the demo city so that every page shows real-looking work — loans
//! every month for twelve months from three banks in every district, Nanshan's applications
//! in every state (two batches: one granted and partly paid after a notice that ended, one
//! open with a notice running), the bulletin of the last finished quarter, and annual targets
//! sized to the year so the dashboards read varied percentages.
//!
//! Everything goes through the functions the pages use (reporting a loan and its payments,
//! creating, submitting, accepting, reviewing, returning and rejecting applications, notices,
//! batch closes and payments prepared by one officer and confirmed by a second, the bulletin,
//! the targets), each on the business date it would have happened: those functions take the
//! day as a parameter, so nothing is backdated by hand. Only the timestamps they record (and
//! the audit chain) are of the day the demo was seeded. Not for the tests' demo city (the
//! tests count its loans): `Store::load_demo` does not call it.

use crate::Store;
use crate::application::NewApplication;
use crate::audit::AuditActor;
use crate::db::{exec, fetch_all, fetch_i64};
use crate::error::{Result, StoreError};
use crate::financing::{LoanInput, PledgeInput, PledgeItemInput};
use chrono::{Datelike, Days, Months, NaiveDate};
use ipfin_domain::application::{Action, Line};
use ipfin_domain::calendar::{Calendar, YearArrangement};
use ipfin_domain::financing::{LoanTerms, Payment, PledgeTerms};
use ipfin_domain::ip_number::IpKind;
use ipfin_domain::policy::document::Batch;
use ipfin_domain::stats::Quarter;
use ipfin_domain::target::Metric;
use ipfin_domain::{CreditCode, Fen, OrgId, Scope};
use rust_decimal::Decimal;
use sea_orm::FromQueryResult;

/// Contract numbers of the year's loans start with this (and say when: `ND-202611-03`).
const PREFIX: &str = "ND-";

/// The banks that lend in the year.
const BANKS: &[&str] = &[
    "深南银行深圳分行",
    "鹏城商业银行",
    "深圳前海农商银行（演示）",
];

/// Nanshan's applicants: the account-holding 南山示例科技 and three registry enterprises that
/// get an account organisation here.
const APPLICANTS: &[&str] = &[
    "深圳市南山示例科技有限公司",
    "深圳市鹏华光电科技有限公司",
    "深圳华科智能装备股份有限公司",
    "深圳市蛇口海洋生物科技有限公司",
];

/// Principals in 万元, taken in turn.
const PRINCIPALS_WAN: &[i64] = &[500, 300, 1_000, 800, 1_500, 200, 2_000, 600, 1_200, 400];

fn err(what: &str, m: ipfin_domain::Msg) -> StoreError {
    StoreError::Internal(format!("demo year: {what}: {}", m.zh))
}

/// Interest in fen for `days` at `rate` on `principal` (actual/360), half up: what the demo's
/// banks report as paid (also the city-scale demo loans of `ipfin demo`).
pub fn interest(principal: i64, rate: Decimal, days: i64) -> i64 {
    let v = Decimal::from(principal) * rate * Decimal::from(days) / Decimal::from(360);
    v.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .try_into()
        .unwrap_or(0)
}

/// One loan of the year as its bank reports it.
struct YearLoan {
    bank: usize,
    enterprise: String,
    input: LoanInput,
    payments: Vec<Payment>,
}

impl YearLoan {
    fn start(&self) -> NaiveDate {
        self.input.terms.start
    }

    fn interest_paid(&self) -> Fen {
        Fen::new(self.payments.iter().map(|p| p.interest_fen.get()).sum())
    }

    /// The loan as its borrower states it on an application.
    fn line(&self, bank: i64) -> Line {
        let t = &self.input.terms;
        Line {
            lender_org_id: OrgId::new(bank),
            lender_name: BANKS[self.bank].into(),
            contract_number: t.contract_number.clone(),
            pledge_number: self.input.pledges.first().map(|p| p.terms.number.clone()),
            principal_fen: t.principal_fen,
            secured_amount_fen: None,
            other_collateral: false,
            ip_amount_fen: None,
            ip_ratio: None,
            ip_kind: IpKind::Patent,
            start: t.start,
            end: t.end,
            annual_rate: t.annual_rate,
            interest_paid_fen: self.interest_paid(),
            evaluation_fee_fen: Fen::ZERO,
            guarantee_fee_fen: Fen::ZERO,
            insurance_fee_fen: Fen::ZERO,
        }
    }
}

/// The year's loans, `today` included: five a month for the twelve months up to `today`'s,
/// two of each month to Nanshan's applicants and three to the registry's other enterprises
/// in turn, from the three banks in turn; quarterly interest paid up to `today`.
fn plan_loans(
    today: NaiveDate,
    others: &[(String, CreditCode)],
    applicants: &[CreditCode],
) -> Vec<YearLoan> {
    let mut out = Vec::new();
    let month_one = today.with_day(1).unwrap_or(today);
    let mut serial = 0usize;
    for m in 0..12u32 {
        let Some(first) = month_one.checked_sub_months(Months::new(m)) else {
            continue;
        };
        for k in 0..5usize {
            serial += 1;
            let (enterprise, code) = match k {
                0 => (
                    APPLICANTS[m as usize % 4].to_string(),
                    &applicants[m as usize % 4],
                ),
                1 => (
                    APPLICANTS[(m as usize + 2) % 4].to_string(),
                    &applicants[(m as usize + 2) % 4],
                ),
                _ => {
                    let (name, code) = &others[(3 * m as usize + k) % others.len()];
                    (name.clone(), code)
                }
            };
            let start = (first + Days::new(2 + 6 * k as u64)).min(today);
            let end = start
                .checked_add_months(Months::new(12))
                .map_or(start, |d| d - Days::new(1));
            let principal = PRINCIPALS_WAN[serial % PRINCIPALS_WAN.len()] * 1_000_000;
            let rate = Decimal::new(320 + 5 * ((serial * 7) % 13) as i64, 4);
            let registered = start - Days::new(3);
            let year = registered.year();
            let body = format!("{year}1097{serial:04}");
            let patent = format!(
                "{body}.{}",
                ipfin_domain::ip_number::patent_check_digit(&body).unwrap_or('0')
            );
            let mut payments = Vec::new();
            let mut from = start;
            for q in 1..=4u32 {
                let Some(to) = start.checked_add_months(Months::new(3 * q)) else {
                    break;
                };
                let to = to.min(end);
                if to > today {
                    break;
                }
                payments.push(Payment {
                    date: to,
                    principal_fen: Fen::ZERO,
                    interest_fen: Fen::new(interest(principal, rate, (to - from).num_days())),
                });
                from = to;
            }
            out.push(YearLoan {
                bank: (m as usize + k) % BANKS.len(),
                enterprise,
                input: LoanInput {
                    borrower_credit_code: code.clone(),
                    terms: LoanTerms {
                        contract_number: format!(
                            "{PREFIX}{}{:02}-{:02}",
                            first.year(),
                            first.month(),
                            k + 1
                        ),
                        principal_fen: Fen::new(principal),
                        annual_rate: rate,
                        start,
                        end,
                        disbursements: vec![],
                        other_collateral: false,
                        ip_amount_fen: None,
                        ip_ratio: None,
                    },
                    first_loan: k == 2,
                    status: None,
                    pledges: vec![PledgeInput {
                        terms: PledgeTerms {
                            number: format!("Y{year}98{:07}", 90_000 + serial),
                            secured_amount_fen: Fen::new(principal),
                            registration_date: registered,
                            cancellation_date: None,
                        },
                        items: vec![PledgeItemInput {
                            kind: "patent".into(),
                            number: patent,
                            title: Some("一种知识产权质押融资演示专利".into()),
                            related_party: None,
                        }],
                    }],
                },
                payments,
            });
        }
    }
    out
}

/// The demo's people and parties the year needs.
struct Parties {
    banks: Vec<i64>,
    /// Nanshan's applicants' account organisations, in [`APPLICANTS`] order.
    applicants: Vec<i64>,
    users: std::collections::HashMap<&'static str, i64>,
}

impl Parties {
    fn actor(&self, username: &'static str) -> AuditActor {
        match self.users.get(username) {
            Some(id) => AuditActor::user(*id, username),
            None => AuditActor::system("demo"),
        }
    }
}

async fn org_named<C: sea_orm::ConnectionTrait>(conn: &C, name: &str) -> Result<i64> {
    fetch_i64(
        conn,
        "SELECT id FROM organisations WHERE name = ?",
        vec![name.to_string().into()],
    )
    .await
}

#[derive(FromQueryResult)]
struct Ent {
    name: String,
    credit_code: String,
    organisation_id: Option<i64>,
    registered_district: Option<String>,
}

fn parse_code(s: &str) -> Result<CreditCode> {
    CreditCode::parse(s).map_err(|e| err("credit code", e))
}

impl Store {
    /// Seeds the demo's working year up to `today` (see the module's documentation); with
    /// `size_targets`, this year's targets are set so each district has met a different part of
    /// them (the small demo; `ipfin demo --scale city` keeps the city-scale targets). Once:
    /// nothing when the demo is not loaded or its year is seeded already (`false`).
    pub async fn seed_demo_year(&self, today: NaiveDate, size_targets: bool) -> Result<bool> {
        if !self.demo_loaded().await?
            || fetch_i64(
                self.conn(),
                "SELECT COUNT(*) FROM loans WHERE contract_number LIKE 'ND-%'",
                vec![],
            )
            .await?
                > 0
        {
            return Ok(false);
        }
        let parties = self.year_parties().await?;
        self.ensure_demo_calendar(&parties, today).await?;
        let loans = self.year_loans(&parties, today).await?;
        self.year_applications(&parties, &loans, today).await?;
        if size_targets {
            self.year_targets(&parties, today).await?;
        }
        self.year_bulletin(&parties, today).await?;
        Ok(true)
    }

    /// The banks, the officers' ids, and Nanshan's applicants with an account organisation
    /// (created for the three registry enterprises that have none).
    async fn year_parties(&self) -> Result<Parties> {
        let mut banks = Vec::new();
        for b in BANKS {
            banks.push(org_named(self.conn(), b).await?);
        }
        #[derive(FromQueryResult)]
        struct U {
            id: i64,
            username: String,
        }
        let names = [
            "city.admin",
            "ns.officer",
            "ns.checker",
            "ns.approver",
            "ns.payer",
            "ns.cashier",
            "ent.user",
        ];
        let rows: Vec<U> = fetch_all(self.conn(), "SELECT id, username FROM users", vec![]).await?;
        let users = names
            .iter()
            .filter_map(|n| rows.iter().find(|u| u.username == *n).map(|u| (*n, u.id)))
            .collect();
        let mut tx = self.write(AuditActor::system("demo")).await?;
        let mut applicants = Vec::new();
        for name in APPLICANTS {
            let e: Ent = crate::db::fetch_one(
                tx.conn(),
                "SELECT name, credit_code, organisation_id, registered_district FROM enterprises WHERE name = ?",
                vec![name.to_string().into()],
            )
            .await?;
            let org = match e.organisation_id {
                Some(id) => id,
                None => {
                    let org = self
                        .create_organisation(
                            &mut tx,
                            &Scope::City,
                            crate::org::NewOrganisation {
                                kind: "enterprise".into(),
                                name: e.name.clone(),
                                district_code: e.registered_district.clone(),
                                credit_code: Some(parse_code(&e.credit_code)?),
                                ..Default::default()
                            },
                        )
                        .await?;
                    exec(
                        tx.conn(),
                        "UPDATE enterprises SET organisation_id = ?, data_sharing_consent = ? WHERE name = ?",
                        vec![org.id.into(), true.into(), e.name.clone().into()],
                    )
                    .await?;
                    org.id
                }
            };
            applicants.push(org);
        }
        tx.commit().await?;
        Ok(Parties {
            banks,
            applicants,
            users,
        })
    }

    /// Notices count working days: a year whose holiday arrangement the city has not entered
    /// (a demo run in a year after the built-in ones) is entered as weekends only, marked so.
    async fn ensure_demo_calendar(&self, p: &Parties, today: NaiveDate) -> Result<()> {
        let have: Vec<i32> = self
            .calendar()
            .await?
            .years()
            .iter()
            .map(|y| y.year)
            .collect();
        let mut years: Vec<i32> = [
            (today - Days::new(300)).year(),
            today.year(),
            (today + Days::new(60)).year(),
        ]
        .into_iter()
        .filter(|y| !have.contains(y))
        .collect();
        years.dedup();
        if years.is_empty() {
            return Ok(());
        }
        let mut tx = self.write(p.actor("city.admin")).await?;
        for y in years {
            self.set_calendar_year(
                &mut tx,
                &Scope::City,
                &YearArrangement::new(y, vec![], vec![]),
                "演示：仅按周末推算，国务院节假日安排发布后请录入",
            )
            .await?;
        }
        tx.commit().await
    }

    /// Reports the year's loans and their interest, each bank its own.
    async fn year_loans(&self, p: &Parties, today: NaiveDate) -> Result<Vec<YearLoan>> {
        let ents: Vec<Ent> = fetch_all(
            self.conn(),
            "SELECT name, credit_code, organisation_id, registered_district FROM enterprises ORDER BY id",
            vec![],
        )
        .await?;
        let mut applicants = Vec::new();
        for name in APPLICANTS {
            let e = ents
                .iter()
                .find(|e| e.name == *name)
                .ok_or(StoreError::NotFound)?;
            applicants.push(parse_code(&e.credit_code)?);
        }
        // The registry's other demo enterprises (a city-scale registry is not lent to here).
        let mut others = Vec::new();
        for (name, ..) in super::DEMO_ENTERPRISES {
            if APPLICANTS.contains(name) {
                continue;
            }
            if let Some(e) = ents.iter().find(|e| e.name == *name) {
                others.push((e.name.clone(), parse_code(&e.credit_code)?));
            }
        }
        let loans = plan_loans(today, &others, &applicants);
        let mut tx = self.write(AuditActor::system("demo")).await?;
        for l in &loans {
            let bank = Scope::Institution {
                org_id: OrgId::new(p.banks[l.bank]),
            };
            let saved = self.save_loan(&mut tx, &bank, &l.input).await?;
            if !l.payments.is_empty() {
                self.add_payments(&mut tx, &bank, saved.id, &l.payments)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(loans)
    }

    /// Nanshan's applications in every state: in the batch that ended, three granted after a
    /// notice that ended (two of them paid) and one rejected; in the batch open today, two in
    /// a notice running today, one reviewed, one in review, one returned for supplement, one
    /// submitted and one draft. Nothing when the published policy has no such batches.
    async fn year_applications(
        &self,
        p: &Parties,
        loans: &[YearLoan],
        today: NaiveDate,
    ) -> Result<()> {
        let district = Scope::District {
            code: "440305".into(),
            manage: true,
        };
        let Some(policy) = self
            .policy_versions(&Scope::City, Some("440305"))
            .await?
            .into_iter()
            .find(|v| v.status == "published")
        else {
            return Ok(());
        };
        let doc = policy.doc()?;
        let open: Option<&Batch> = doc
            .batches
            .iter()
            .find(|b| b.opens <= today && today <= b.closes);
        let past: Option<&Batch> = doc
            .batches
            .iter()
            .filter(|b| b.closes < today && b.opens + Days::new(365) > today)
            .max_by_key(|b| b.closes);
        let calendar = self.calendar().await?;
        let mut used = std::collections::HashSet::new();
        // An application of applicant `who` on `day`, for a loan of its own at least a quarter
        // old (so interest was paid), created and (unless `submit` is false) submitted.
        let mut apply = async |who: usize, day: NaiveDate, submit: bool| -> Result<Option<i64>> {
            let Some((i, loan)) = loans.iter().enumerate().find(|(i, l)| {
                l.enterprise == APPLICANTS[who]
                    && !used.contains(i)
                    && l.start()
                        .checked_add_months(Months::new(3))
                        .is_some_and(|d| d <= day)
            }) else {
                return Ok(None);
            };
            used.insert(i);
            self.demo_application(
                p,
                who,
                policy.id,
                loan.line(p.banks[loan.bank]),
                day,
                submit,
            )
            .await
            .map(Some)
        };
        if let Some(b) = past {
            let mut ids = Vec::new();
            for (n, who) in [0usize, 1, 2, 3].into_iter().enumerate() {
                let day = (b.opens + Days::new(n as u64)).min(b.closes);
                if let Some(id) = apply(who, day, true).await? {
                    ids.push(id);
                }
            }
            if let Some((rejected, granted)) = ids.split_last() {
                for &id in granted {
                    self.demo_review(p, &district, id, 3).await?;
                }
                self.demo_reject(p, &district, *rejected).await?;
                let start = working_day_from(&calendar, b.opens + Days::new(10))?;
                self.demo_notice(p, &district, &doc.title, granted, start)
                    .await?;
                let ended = calendar
                    .period_end(start, 5)
                    .map_err(|e| err("notice", e))?
                    + Days::new(1);
                self.end_due_notices(ended).await?;
                let closed = (b.closes + Days::new(1)).max(ended).min(today);
                if let Some(&first) = granted.first() {
                    self.demo_close_batch(p, &district, policy.id, &b.name, first, closed)
                        .await?;
                }
                let paid_on = working_day_from(&calendar, closed + Days::new(7))?.min(today);
                for (n, &id) in granted.iter().take(2).enumerate() {
                    self.demo_pay(p, &district, id, paid_on, n).await?;
                }
            }
        }
        if let Some(b) = open {
            // The notice of this batch runs today: it started on the last working day.
            let mut start = today;
            while start > b.opens && !calendar.is_working_day(start).map_err(|e| err("day", e))? {
                start = start - Days::new(1);
            }
            let submitted = |n: u64| (b.opens + Days::new(n)).min(start);
            let in_notice = [
                apply(0, submitted(0), true).await?,
                apply(1, submitted(0), true).await?,
            ];
            let in_notice: Vec<i64> = in_notice.into_iter().flatten().collect();
            for &id in &in_notice {
                self.demo_review(p, &district, id, 3).await?;
            }
            if !in_notice.is_empty() {
                let start = working_day_from(&calendar, start)?;
                self.demo_notice(p, &district, &doc.title, &in_notice, start)
                    .await?;
            }
            if let Some(id) = apply(2, submitted(1), true).await? {
                self.demo_review(p, &district, id, 3).await?; // reviewed, awaiting a notice
            }
            if let Some(id) = apply(3, submitted(2), true).await? {
                self.demo_review(p, &district, id, 1).await?; // at 复核
            }
            if let Some(id) = apply(0, submitted(3), true).await? {
                self.demo_return(p, &district, id, today).await?;
            }
            apply(1, submitted(4), true).await?; // submitted, awaiting acceptance
            apply(2, submitted(5), false).await?; // a draft
        }
        Ok(())
    }

    /// One enterprise fee application for the interest of `line`, with a scan in every
    /// required slot, created on `day` and submitted then when `submit`.
    async fn demo_application(
        &self,
        p: &Parties,
        who: usize,
        policy: i64,
        line: Line,
        day: NaiveDate,
        submit: bool,
    ) -> Result<i64> {
        let ent = Scope::Enterprise {
            org_id: OrgId::new(p.applicants[who]),
        };
        let actor = || {
            if who == 0 {
                p.actor("ent.user")
            } else {
                AuditActor::system("demo")
            }
        };
        let mut tx = self.write(actor()).await?;
        let id = self
            .create_application(
                &mut tx,
                &ent,
                NewApplication::interest(policy, vec![line]),
                day,
            )
            .await?;
        tx.commit().await?;
        let detail = self.application(&ent, id).await?;
        let mut tx = self.write(actor()).await?;
        for slot in detail.slots.iter().filter(|x| x.required) {
            let bytes = bytes::Bytes::from(
                format!("%PDF-1.7\n% 演示材料 {} {id}\n%%EOF\n", slot.code).into_bytes(),
            );
            self.add_file(&mut tx, &ent, id, &slot.code, "扫描件.pdf", bytes)
                .await?;
        }
        if submit {
            self.submit_application(&mut tx, &ent, id, day).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Accepted by 经办 and passed through `stages` review stages (1–3), each by its officer.
    async fn demo_review(&self, p: &Parties, d: &Scope, id: i64, stages: usize) -> Result<()> {
        let mut tx = self.write(p.actor("ns.officer")).await?;
        self.accept_application(&mut tx, d, id, "材料齐全，予以受理")
            .await?;
        tx.commit().await?;
        for (who, comment) in [
            ("ns.officer", "经办意见：贷款及付息凭证与银行报送一致"),
            ("ns.checker", "复核同意"),
            ("ns.approver", "同意"),
        ]
        .into_iter()
        .take(stages)
        {
            let mut tx = self.write(p.actor(who)).await?;
            self.pass_review(&mut tx, d, id, &[], comment).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Accepted, then rejected at first review (the reason on record).
    async fn demo_reject(&self, p: &Parties, d: &Scope, id: i64) -> Result<()> {
        let mut tx = self.write(p.actor("ns.officer")).await?;
        self.accept_application(&mut tx, d, id, "").await?;
        self.refuse_application(
            &mut tx,
            d,
            id,
            Action::Reject,
            "质押专利与贷款合同约定的质押物不一致，不符合申报条件",
        )
        .await?;
        tx.commit().await
    }

    /// Accepted, passed at first review, returned at 复核 for a supplement due in ten days.
    async fn demo_return(&self, p: &Parties, d: &Scope, id: i64, today: NaiveDate) -> Result<()> {
        self.demo_review(p, d, id, 1).await?;
        let mut tx = self.write(p.actor("ns.checker")).await?;
        self.return_application(
            &mut tx,
            d,
            id,
            "请补充银行出具的付息凭证原件扫描件",
            today + Days::new(10),
            today,
        )
        .await?;
        tx.commit().await
    }

    /// A notice of five working days from `start`, prepared and confirmed by two officers.
    async fn demo_notice(
        &self,
        p: &Parties,
        d: &Scope,
        policy_title: &str,
        ids: &[i64],
        start: NaiveDate,
    ) -> Result<()> {
        let title = format!(
            "{policy_title}资助项目公示（{}）",
            start.format("%Y 年 %-m 月")
        );
        let mut tx = self.write(p.actor("ns.officer")).await?;
        let c = self
            .prepare_notice(&mut tx, d, &title, ids, start, 5, start)
            .await?;
        tx.commit().await?;
        let mut tx = self.write(p.actor("ns.checker")).await?;
        self.confirm_request(&mut tx, d, c.id, start).await?;
        tx.commit().await
    }

    /// Closes a batch on `day` with four eyes: its budget allocated over what cleared notice.
    async fn demo_close_batch(
        &self,
        p: &Parties,
        d: &Scope,
        policy: i64,
        batch: &str,
        _first: i64,
        day: NaiveDate,
    ) -> Result<()> {
        let mut tx = self.write(p.actor("ns.officer")).await?;
        let c = self.prepare_batch_close(&mut tx, d, policy, batch).await?;
        tx.commit().await?;
        let mut tx = self.write(p.actor("ns.checker")).await?;
        self.confirm_request(&mut tx, d, c.id, day).await?;
        tx.commit().await
    }

    /// Pays the grant in full on `day`: prepared by the payer, confirmed by the cashier
    /// (neither reviewed it).
    async fn demo_pay(
        &self,
        p: &Parties,
        d: &Scope,
        id: i64,
        day: NaiveDate,
        n: usize,
    ) -> Result<()> {
        let granted = self
            .application(d, id)
            .await?
            .row
            .granted_fen
            .unwrap_or(Fen::ZERO);
        if granted == Fen::ZERO {
            return Ok(());
        }
        let reference = format!("CZ-{}-{:03}", day.format("%Y%m%d"), n + 1);
        let mut tx = self.write(p.actor("ns.payer")).await?;
        let c = self
            .prepare_disbursement(&mut tx, d, id, day, granted, &reference)
            .await?;
        tx.commit().await?;
        let mut tx = self.write(p.actor("ns.cashier")).await?;
        self.confirm_request(&mut tx, d, c.id, day).await?;
        tx.commit().await
    }

    /// This year's targets, sized so the districts have met different parts of them so far
    /// (from under a third to just over the whole).
    async fn year_targets(&self, p: &Parties, today: NaiveDate) -> Result<()> {
        let year = today.year();
        let actuals = self.year_actuals(year, today).await?;
        // Percent of the year's target met so far, district by district.
        const MET: &[i64] = &[45, 70, 92, 110, 60, 80, 35, 96, 52, 75, 30];
        let mut targets = Vec::new();
        for (i, (code, ..)) in super::SHENZHEN_DISTRICTS.iter().enumerate() {
            let pct = MET[i % MET.len()];
            let a = actuals.get(*code);
            let size = |v: i64, unit: i64, least: i64| {
                let t = v * 100 / pct;
                ((t + unit - 1) / unit * unit).max(least)
            };
            let amount = a.map_or(0, |a| a.amount_fen.get());
            targets.push((
                (*code).to_string(),
                Metric::Amount,
                // In 100 万元 steps; 1 亿元 at least.
                Some(size(amount, 100_000_000, 10_000_000_000)),
            ));
            targets.push((
                (*code).to_string(),
                Metric::Enterprises,
                Some(size(a.map_or(0, |a| a.enterprises), 1, 3)),
            ));
            targets.push((
                (*code).to_string(),
                Metric::Pledges,
                Some(size(a.map_or(0, |a| a.pledges), 1, 3)),
            ));
            targets.push(((*code).to_string(), Metric::SmeShare, Some(7_000)));
        }
        let mut tx = self.write(p.actor("city.admin")).await?;
        self.set_targets(&mut tx, &Scope::City, year, today, false, &targets)
            .await?;
        tx.commit().await
    }

    /// The city's bulletin of the last finished quarter, issued today (once).
    async fn year_bulletin(&self, p: &Parties, today: NaiveDate) -> Result<()> {
        let q = Quarter::of(today).previous();
        if self
            .bulletins(&Scope::City)
            .await?
            .iter()
            .any(|b| b.quarter == q.to_string())
        {
            return Ok(());
        }
        let snapshot = self.snapshot(q).await?;
        let mut tx = self.write(p.actor("city.admin")).await?;
        self.issue_bulletin(
            &mut tx,
            &Scope::City,
            &snapshot,
            today,
            &format!(
                "关于 {} 年第 {} 季度知识产权质押融资工作情况的通报",
                q.year, q.q
            ),
            &[],
        )
        .await?;
        tx.commit().await
    }
}

/// The first working day on or after `day`.
fn working_day_from(c: &Calendar, day: NaiveDate) -> Result<NaiveDate> {
    let mut d = day;
    for _ in 0..30 {
        if c.is_working_day(d).map_err(|e| err("calendar", e))? {
            return Ok(d);
        }
        d = d + Days::new(1);
    }
    Ok(d)
}
