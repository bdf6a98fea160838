//! The finance bureau pays and the budget is visible (issue #18 items 4 and 5), on SQLite and
//! (when configured) PostgreSQL: two granted applications under a first-come-first-served
//! budget; payee accounts checked against the registered name; a payment run prepared by the
//! district's paying unit, confirmed by the lead department (the preparer refused), exported,
//! its result sheet refused for a line not in the run and then recorded with one line failed;
//! the failed line retried in a later run and settled; a result above what is still due
//! refused; the budget figures at each step; and bad input that changes nothing.

use bytes::Bytes;
use chrono::NaiveDate;
use ipfin_domain::application::{Kind, Line, State};
use ipfin_domain::budget::BudgetFigures;
use ipfin_domain::payment::{LineResult, PayeeInput, ResultRow, RunState};
use ipfin_domain::policy::rules::Item;
use ipfin_domain::user::Administrator;
use ipfin_domain::{Role, Scope};
use ipfin_store::application::{Body, NewApplication};
use ipfin_store::audit::AuditActor;
use ipfin_store::db::fetch_i64;
use ipfin_store::testing::TestDb;
use ipfin_store::user::NewUser;
use ipfin_store::{Store, StoreError};

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

const TODAY: &str = "2026-11-27";
const ENT: &str = "深圳市南山示例科技有限公司";

macro_rules! write {
    ($s:expr, $actor:expr, |$tx:ident| $body:expr) => {{
        let mut $tx = $s.write($actor).await.expect("tx");
        match $body.await {
            Ok(v) => {
                $tx.commit().await.expect("commit");
                Ok(v)
            }
            Err(e) => {
                $tx.rollback().await.expect("rollback");
                Err(e)
            }
        }
    }};
}

fn code_of(e: StoreError) -> String {
    match e {
        StoreError::Invalid(f) => format!("{}:{}|{}", f.field, f.msg.code, f.msg.zh),
        StoreError::Forbidden(m) => format!("403:{}|{}", m.code, m.zh),
        StoreError::Conflict(m) => format!("409:{}|{}", m.code, m.zh),
        other => format!("{other}"),
    }
}

async fn id_of(s: &Store, sql: &str, v: &str) -> i64 {
    fetch_i64(s.conn(), sql, vec![v.to_string().into()])
        .await
        .expect("id")
}

async fn count(s: &Store, sql: &str) -> i64 {
    fetch_i64(s.conn(), sql, vec![]).await.expect("count")
}

/// A signed-in person of the demo.
async fn person(s: &Store, username: &str) -> AuditActor {
    let id = id_of(s, "SELECT id FROM users WHERE username = ?", username).await;
    AuditActor::user(id, username)
}

fn officer(n: i64) -> AuditActor {
    AuditActor::user(9000 + n, &format!("officer{n}"))
}

fn line(lender: i64, contract: &str, pledge: &str, interest_fen: i64) -> Line {
    ipfin_store::testing::fixtures::fee_line(lender, contract, pledge, interest_fen)
}

/// The bank reports the loan with 10,000.00 of interest paid (what the applications claim at
/// most): grants rest on reported figures.
async fn report_loan(s: &Store, bank: &Scope, contract: &str, pledge: &str, patent: &str) {
    ipfin_store::testing::fixtures::report_pledge_loan(
        s, bank, contract, pledge, patent, 1_000_000,
    )
    .await
    .expect("loan");
}

async fn new_fee_app(s: &Store, ent: &Scope, policy: i64, l: Line) -> i64 {
    let id: i64 = write!(s, AuditActor::system("ent"), |tx| s.create_application(
        &mut tx,
        ent,
        NewApplication {
            kind: Kind::EnterpriseFee,
            policy_version_id: policy,
            batch: None,
            items: vec![Item::Interest],
            body: Body {
                lines: vec![l.clone()],
                ..Default::default()
            },
        },
        d(TODAY),
    ))
    .expect("create");
    let detail = s.application(ent, id).await.expect("detail");
    for (i, slot) in detail.slots.iter().filter(|x| x.required).enumerate() {
        let bytes = Bytes::from(format!("%PDF-1.7\n% {} {}\n", slot.code, i).into_bytes());
        write!(s, AuditActor::system("ent"), |tx| s.add_file(
            &mut tx,
            ent,
            id,
            &slot.code,
            "scan.pdf",
            bytes.clone()
        ))
        .expect("upload");
    }
    write!(s, AuditActor::system("ent"), |tx| s.submit_application(
        &mut tx,
        ent,
        id,
        d(TODAY)
    ))
    .expect("submit");
    id
}

async fn figures(s: &Store, scope: &Scope, policy: i64) -> BudgetFigures {
    s.batch_budget(scope, policy).await.expect("budget").figures
}

fn payee(name: &str, bank: &str, number: &str) -> PayeeInput {
    PayeeInput {
        account_name: name.into(),
        bank_name: bank.into(),
        account_number: number.into(),
    }
}

fn result_row(row: u64, line_no: &str, number: &str, amount: &str, result: &str) -> ResultRow {
    ResultRow {
        row,
        line_no: line_no.into(),
        number: number.into(),
        amount: amount.into(),
        result: result.into(),
        paid_on: "2026-12-10".into(),
        reference: format!("GK-2026-{row:04}"),
        reason: "户名与账号不符".into(),
    }
}

#[tokio::test]
async fn a_payment_run_from_preparation_to_results_with_one_failed_line_and_the_budget_at_each_step()
 {
    for db in TestDb::all().await {
        let db = db.with_demo_at(d(TODAY)).await;
        let s = &db.store;
        let name = db.name;
        let bank_id = id_of(
            s,
            "SELECT id FROM organisations WHERE name = ?",
            "深南银行深圳分行",
        )
        .await;
        let bank = Scope::Institution {
            org_id: ipfin_domain::id::OrgId::new(bank_id),
        };
        let ent_org = id_of(s, "SELECT id FROM organisations WHERE name = ?", ENT).await;
        let ent = Scope::Enterprise {
            org_id: ipfin_domain::id::OrgId::new(ent_org),
        };
        let lead = Scope::District {
            code: "440305".into(),
            manage: true,
        };
        let member = Scope::District {
            code: "440305".into(),
            manage: false,
        };
        let futian = Scope::District {
            code: "440304".into(),
            manage: true,
        };
        let finance = person(s, "ns.finance").await;
        let ns_officer = person(s, "ns.officer").await;

        // The demo designates each district's finance bureau as its paying unit.
        let unit = s
            .paying_unit(&member, "440305")
            .await
            .expect("unit")
            .expect("designated");
        assert_eq!(unit.organisation_name, "南山区财政局", "{name}");
        assert!(s.paying_unit(&futian, "440305").await.is_err());

        // A policy year with a budget of 10,000.00, first come first served.
        let mut doc = ipfin_store::demo::demo_policy_at("440305", "南山区", d(TODAY));
        doc.title = "南山区知识产权质押融资贴息（付款测试）".into();
        doc.budget = Some(ipfin_domain::policy::document::Budget {
            total_fen: ipfin_domain::Fen::new(1_000_000),
            mode: ipfin_domain::policy::BudgetMode::FirstComeFirstServed,
        });
        let prepared: i64 = write!(s, officer(1), |tx| async {
            let v = s.create_policy(&mut tx, &lead, &doc).await?;
            Ok::<_, StoreError>(s.prepare_policy_publication(&mut tx, &lead, v.id).await?.id)
        })
        .expect("policy prepared");
        // Four eyes (item 3): a second officer confirms the publication.
        let policy: i64 = write!(s, officer(2), |tx| s.confirm_request(
            &mut tx,
            &lead,
            prepared,
            d(TODAY)
        ))
        .expect("policy published")
        .result_id
        .expect("the version");
        let f0 = figures(s, &member, policy).await;
        assert_eq!(
            (
                f0.budget_fen.map(ipfin_domain::Fen::get),
                f0.committed_fen.get(),
                f0.granted_fen.get(),
                f0.remaining_fen.map(ipfin_domain::Fen::get)
            ),
            (Some(1_000_000), 0, 0, Some(1_000_000)),
            "{name}"
        );
        // Other tenants do not read the figures.
        assert!(s.batch_budget(&futian, policy).await.is_err(), "{name}");
        assert!(s.batch_budget(&ent, policy).await.is_err(), "{name}");

        report_loan(
            s,
            &bank,
            "2026-PAY-0001",
            "Y2026980030001",
            "202310123456.6",
        )
        .await;
        report_loan(
            s,
            &bank,
            "2026-PAY-0002",
            "Y2026980030002",
            "202310234567.4",
        )
        .await;
        // 70% of 10,000.00 = 7,000.00 and 70% of 5,000.00 = 3,500.00.
        let a = new_fee_app(
            s,
            &ent,
            policy,
            line(bank_id, "2026-PAY-0001", "Y2026980030001", 1_000_000),
        )
        .await;
        let b = new_fee_app(
            s,
            &ent,
            policy,
            line(bank_id, "2026-PAY-0002", "Y2026980030002", 500_000),
        )
        .await;

        // Acceptance: the first fits the budget; the second, beyond what remains, is warned
        // about (never refused).
        let row_a = s.application(&lead, a).await.expect("a").row;
        assert!(
            Store::acceptance_budget_warning(s.conn(), &row_a)
                .await
                .expect("w")
                .is_none()
        );
        write!(s, officer(1), |tx| s
            .accept_application(&mut tx, &lead, a, ""))
        .expect("accept a");
        let f1 = figures(s, &member, policy).await;
        assert_eq!(
            (
                f1.committed_fen.get(),
                f1.remaining_fen.map(ipfin_domain::Fen::get)
            ),
            (700_000, Some(300_000)),
            "{name}"
        );
        let row_b = s.application(&lead, b).await.expect("b").row;
        let w = Store::acceptance_budget_warning(s.conn(), &row_b)
            .await
            .expect("warning")
            .expect("beyond the remaining budget");
        assert_eq!(w.code, "budget.beyond_remaining");
        assert!(
            w.zh.contains("3,000.00") && w.zh.contains("3,500.00"),
            "{}",
            w.zh
        );
        write!(s, officer(1), |tx| s
            .accept_application(&mut tx, &lead, b, ""))
        .expect("accept b");
        for id in [a, b] {
            for n in 1..=3 {
                write!(s, officer(n), |tx| s.pass_review(
                    &mut tx,
                    &lead,
                    id,
                    &[],
                    ""
                ))
                .expect("pass");
            }
        }
        let f2 = figures(s, &member, policy).await;
        assert_eq!(
            (
                f2.committed_fen.get(),
                f2.remaining_fen.map(ipfin_domain::Fen::get)
            ),
            (1_050_000, Some(-50_000)),
            "{name}"
        );
        let notice = write!(s, officer(1), |tx| s.prepare_notice(
            &mut tx,
            &lead,
            "付款测试公示",
            &[a, b],
            d(TODAY),
            5,
            d(TODAY)
        ))
        .expect("notice prepared");
        write!(s, officer(2), |tx| s.confirm_request(
            &mut tx,
            &lead,
            notice.id,
            d(TODAY)
        ))
        .expect("notice");
        s.end_due_notices(d("2026-12-04")).await.expect("end");
        // The batch is still open: two officers close it (issue #19 item 2).
        ipfin_store::testing::fixtures::close_batch_of(s, &lead, a, d("2026-12-04"))
            .await
            .expect("batch closed");
        // First come, first served: a gets 7,000.00, b what remains, 3,000.00.
        let f3 = figures(s, &member, policy).await;
        assert_eq!(
            (
                f3.committed_fen.get(),
                f3.granted_fen.get(),
                f3.paid_fen.get(),
                f3.unpaid_fen.get(),
                f3.remaining_fen.map(ipfin_domain::Fen::get)
            ),
            (0, 1_000_000, 0, 1_000_000, Some(0)),
            "{name}"
        );
        // The set query gives the same figures as the one-policy read.
        let versions = s
            .policy_versions(&member, Some("440305"))
            .await
            .expect("versions");
        let all = s.policy_budgets(&member, &versions).await.expect("budgets");
        assert_eq!(
            all.iter()
                .find(|x| x.policy_version_id == policy)
                .map(|x| x.figures),
            Some(f3)
        );
        assert!(
            s.policy_budgets(&futian, &versions)
                .await
                .expect("none")
                .is_empty()
        );

        // Payee accounts. Adversarial: another company's name, letters in the number, no bank —
        // every problem at once, nothing stored.
        let e = write!(s, AuditActor::system("ent"), |tx| s.set_payee_account(
            &mut tx,
            &ent,
            a,
            &payee("深圳市别家科技有限公司", "", "6222 AB12 3456")
        ))
        .expect_err("bad payee");
        let text = code_of(e);
        assert!(
            text.starts_with("account_name:payee.account_name_mismatch"),
            "{text}"
        );
        assert!(
            text.contains("共 3 处问题")
                && text.contains("开户银行")
                && text.contains("只能由数字组成"),
            "{text}"
        );
        assert_eq!(count(s, "SELECT COUNT(*) FROM payee_accounts").await, 0);
        // Only the applicant names its account.
        assert!(
            write!(s, finance.clone(), |tx| s.set_payee_account(
                &mut tx,
                &member,
                a,
                &payee(ENT, "招商银行深圳南山支行", "7559 0123 4567 8901")
            ))
            .is_err()
        );
        write!(s, AuditActor::system("ent"), |tx| s.set_payee_account(
            &mut tx,
            &ent,
            a,
            &payee(
                " 深圳市南山示例科技有限公司 ",
                "招商银行深圳南山支行",
                "7559 0123 4567 8901"
            )
        ))
        .expect("payee a");
        let p = s
            .payee_account(&lead, a)
            .await
            .expect("read")
            .expect("named");
        assert_eq!(p.account_number, "7559012345678901");

        // Preparing: only the paying unit's staff. The lead officer and another member
        // department are refused; so is an API token.
        let e = write!(s, ns_officer.clone(), |tx| s.create_payment_run(
            &mut tx,
            &lead,
            "",
            &[a]
        ))
        .expect_err("lead prepares");
        assert!(code_of(e).starts_with("403:payment.paying_unit_only"));
        let tech = id_of(
            s,
            "SELECT id FROM organisations WHERE name = ?",
            "南山区科技创新局",
        )
        .await;
        let (tech_user, _) = write!(s, AuditActor::system("setup"), |tx| s.create_user(
            &mut tx,
            &Scope::City,
            &Administrator::City,
            NewUser {
                organisation_id: tech,
                username: "ns.tech".into(),
                display_name: "南山区科技创新局（测试）".into(),
                roles: vec![Role::DepartmentMember],
                password: Some("Tech-Password-2026".into()),
                temporary: false,
            }
        ))
        .expect("tech user");
        let e = write!(s, AuditActor::user(tech_user.id, "ns.tech"), |tx| s
            .create_payment_run(&mut tx, &member, "", &[a]))
        .expect_err("another member department");
        assert!(code_of(e).starts_with("403:payment.paying_unit_only"));
        let e = write!(s, AuditActor::token(1), |tx| s.create_payment_run(
            &mut tx,
            &member,
            "",
            &[a]
        ))
        .expect_err("token");
        assert!(code_of(e).starts_with("403:payment.person_required"));
        // b has no payee account yet: the whole run is refused.
        let e = write!(s, finance.clone(), |tx| s.create_payment_run(
            &mut tx,
            &member,
            "",
            &[a, b]
        ))
        .expect_err("no payee");
        assert!(code_of(e).starts_with("409:payment.no_payee"));
        assert_eq!(count(s, "SELECT COUNT(*) FROM payment_runs").await, 0);
        write!(s, AuditActor::system("ent"), |tx| s.set_payee_account(
            &mut tx,
            &ent,
            b,
            &payee(ENT, "招商银行深圳南山支行", "755901234560000")
        ))
        .expect("payee b");

        let run = write!(s, finance.clone(), |tx| s.create_payment_run(
            &mut tx,
            &member,
            "2026年12月第一批",
            &[a]
        ))
        .expect("run");
        // Adversarial: a line above what is due (granted 3,000.00).
        let e = write!(s, finance.clone(), |tx| s.add_payment_line(
            &mut tx,
            &member,
            run,
            b,
            Some(ipfin_domain::Fen::new(300_001))
        ))
        .expect_err("above the grant");
        let text = code_of(e);
        assert!(
            text.starts_with("amount_fen:payment.amount") && text.contains("3,000.00"),
            "{text}"
        );
        write!(s, finance.clone(), |tx| s
            .add_payment_line(&mut tx, &member, run, b, None))
        .expect("line b");
        // The same application twice.
        let e = write!(s, finance.clone(), |tx| s
            .add_payment_line(&mut tx, &member, run, b, None))
        .expect_err("twice");
        assert!(code_of(e).starts_with("409:payment.already_in_run"));
        // The payee cannot change while the application waits in a run.
        let e = write!(s, AuditActor::system("ent"), |tx| s.set_payee_account(
            &mut tx,
            &ent,
            b,
            &payee(ENT, "别的银行", "12345678")
        ))
        .expect_err("in run");
        assert!(code_of(e).starts_with("409:payee.in_run"));
        let detail = s.payment_run(&lead, run).await.expect("run");
        assert_eq!(detail.run.state(), RunState::Draft);
        assert_eq!(detail.run.total_fen, 1_000_000);
        assert_eq!(
            detail
                .lines
                .iter()
                .map(|l| (l.line_no, l.amount_fen.get()))
                .collect::<Vec<_>>(),
            vec![(1, 700_000), (2, 300_000)]
        );
        assert!(
            s.payment_run(&futian, run).await.is_err(),
            "{name}: another district"
        );
        assert!(
            s.payment_run(&ent, run).await.is_err(),
            "{name}: an enterprise"
        );

        // Confirmation: the preparer (the paying unit) is refused; a lead officer confirms.
        let e = write!(s, finance.clone(), |tx| s
            .confirm_payment_run(&mut tx, &member, run))
        .expect_err("preparer confirms");
        assert!(code_of(e).starts_with("403:payment.confirm_lead_only"));
        // Export before confirmation.
        let e = write!(s, finance.clone(), |tx| s
            .export_payment_run(&mut tx, &member, run))
        .expect_err("export draft");
        assert!(code_of(e).starts_with("409:payment.run_state"));
        write!(s, ns_officer.clone(), |tx| s
            .confirm_payment_run(&mut tx, &lead, run))
        .expect("confirm");
        let e = write!(s, finance.clone(), |tx| s.remove_payment_line(
            &mut tx,
            &member,
            run,
            detail.lines[1].id
        ))
        .expect_err("lines are fixed");
        assert!(code_of(e).starts_with("409:payment.run_state"));
        // Results before export.
        let e = write!(s, finance.clone(), |tx| s.record_payment_results(
            &mut tx,
            &member,
            run,
            &[result_row(2, "1", "x", "1", "成功")],
            d("2026-12-11")
        ))
        .expect_err("not exported");
        assert!(code_of(e).starts_with("409:payment.run_state"));
        let e = write!(s, ns_officer.clone(), |tx| s
            .export_payment_run(&mut tx, &lead, run))
        .expect_err("lead exports");
        assert!(code_of(e).starts_with("403:payment.paying_unit_only"));
        let exported = write!(s, finance.clone(), |tx| s
            .export_payment_run(&mut tx, &member, run))
        .expect("export");
        assert_eq!(exported.run.state(), RunState::Exported);
        let num_a = exported.lines[0].number.clone().expect("number");
        let num_b = exported.lines[1].number.clone().expect("number");
        assert_eq!(exported.lines[0].account_number, "7559012345678901");

        // Adversarial result sheet: an application not in the run, a changed amount — refused
        // whole, listing both rows; nothing recorded.
        let e = write!(s, finance.clone(), |tx| s.record_payment_results(
            &mut tx,
            &member,
            run,
            &[
                result_row(2, "1", &num_a, "7000.00", "成功"),
                result_row(3, "2", &num_b, "3000.01", "失败"),
                result_row(4, "3", "440305-2026-EF-09999", "100.00", "成功"),
            ],
            d("2026-12-11")
        ))
        .expect_err("refused");
        let text = code_of(e);
        assert!(text.starts_with("file:payment.results_refused"), "{text}");
        assert!(text.contains("第 3 行") && text.contains("金额"), "{text}");
        assert!(
            text.contains("第 4 行")
                && text.contains("440305-2026-EF-09999")
                && text.contains("不在本付款批次中"),
            "{text}"
        );
        assert!(!text.contains("第 2 行"), "{text}");
        assert_eq!(count(s, "SELECT COUNT(*) FROM grant_payments").await, 0);
        assert_eq!(
            s.application(&lead, a).await.expect("a").row.state(),
            State::Granted
        );

        // The returned sheet: a paid, b failed.
        let sum = write!(s, finance.clone(), |tx| s.record_payment_results(
            &mut tx,
            &member,
            run,
            &[
                result_row(2, "1", &num_a, "7000", "成功"),
                result_row(3, "2", &num_b, "3,000.00", "失败"),
            ],
            d("2026-12-11")
        ))
        .expect("results");
        assert_eq!((sum.paid, sum.failed, sum.pending), (1, 1, 0));
        let da = s.application(&ent, a).await.expect("a");
        assert_eq!(da.row.state(), State::Disbursed);
        assert_eq!(da.row.disbursed_fen, 700_000);
        assert_eq!(da.payments[0].reference, "GK-2026-0002");
        // Recorded exactly as a disbursement: the supervision check 180 days after payment.
        assert_eq!(da.checks[0].due_on, d("2027-06-08"));
        let db_ = s.application(&ent, b).await.expect("b");
        assert_eq!(db_.row.state(), State::Granted);
        assert_eq!(
            s.payment_run(&member, run).await.expect("run").run.state(),
            RunState::Completed
        );
        let failures = s
            .open_failures(&member, Some("440305"))
            .await
            .expect("failures");
        assert_eq!(failures.len(), 1);
        assert_eq!(
            failures[0].failure_reason.as_deref(),
            Some("户名与账号不符")
        );
        let f4 = figures(s, &member, policy).await;
        assert_eq!(
            (
                f4.paid_fen.get(),
                f4.unpaid_fen.get(),
                f4.remaining_fen.map(ipfin_domain::Fen::get)
            ),
            (700_000, 300_000, Some(0)),
            "{name}"
        );
        let payables = s.payables(&member, Some("440305")).await.expect("payables");
        assert_eq!(
            payables
                .iter()
                .map(|p| (p.application_id, p.due_fen().map(ipfin_domain::Fen::get)))
                .collect::<Vec<_>>(),
            vec![(b, Ok(300_000))]
        );

        // The enterprise corrects its account; a second run pays part of b (2,000.00), by form.
        write!(s, AuditActor::system("ent"), |tx| s.set_payee_account(
            &mut tx,
            &ent,
            b,
            &payee(ENT, "招商银行深圳南山支行", "7559 0123 4567 0001")
        ))
        .expect("corrected");
        let run2 = write!(s, finance.clone(), |tx| s.create_payment_run(
            &mut tx,
            &member,
            "",
            &[]
        ))
        .expect("run 2");
        write!(s, finance.clone(), |tx| s.add_payment_line(
            &mut tx,
            &member,
            run2,
            b,
            Some(ipfin_domain::Fen::new(200_000))
        ))
        .expect("part");
        write!(s, ns_officer.clone(), |tx| s
            .confirm_payment_run(&mut tx, &lead, run2))
        .expect("confirm 2");
        let ex2 = write!(s, finance.clone(), |tx| s
            .export_payment_run(&mut tx, &member, run2))
        .expect("export 2");
        // The form checks every field at once: a paid line needs its date and reference.
        let e = write!(s, finance.clone(), |tx| s.record_payment_result(
            &mut tx,
            &member,
            run2,
            ex2.lines[0].id,
            LineResult::Paid,
            "",
            "",
            "",
            d("2026-12-20")
        ))
        .expect_err("form");
        let text = code_of(e);
        assert!(
            text.starts_with("paid_on:payment.paid_on") && text.contains("凭证号"),
            "{text}"
        );
        write!(s, finance.clone(), |tx| s.record_payment_result(
            &mut tx,
            &member,
            run2,
            ex2.lines[0].id,
            LineResult::Paid,
            "2026-12-18",
            "GK-2026-0101",
            "",
            d("2026-12-20")
        ))
        .expect("paid by form");
        // The failed line of the first run is settled by this payment.
        assert!(
            s.open_failures(&member, None)
                .await
                .expect("none")
                .is_empty()
        );
        let first = s.payment_run(&member, run).await.expect("run 1");
        assert_eq!(first.lines[1].retried_in, Some(run2));
        assert!(
            first.lines[1]
                .settle_note
                .as_deref()
                .is_some_and(|n| n.contains(&format!("#{run2}")))
        );
        let db_ = s.application(&ent, b).await.expect("b");
        assert_eq!(
            (db_.row.state(), db_.row.disbursed_fen.get()),
            (State::Disbursed, 200_000)
        );

        // A third run for the last 1,000.00; meanwhile an officer pays it by hand. The result
        // can then no longer be recorded as paid (it would exceed the grant): refused, then
        // recorded as failed and settled with a reason.
        let run3 = write!(s, finance.clone(), |tx| s.create_payment_run(
            &mut tx,
            &member,
            "",
            &[b]
        ))
        .expect("run 3");
        write!(s, ns_officer.clone(), |tx| s
            .confirm_payment_run(&mut tx, &lead, run3))
        .expect("confirm 3");
        let ex3 = write!(s, finance.clone(), |tx| s
            .export_payment_run(&mut tx, &member, run3))
        .expect("export 3");
        assert_eq!(ex3.lines[0].amount_fen, 100_000);
        let payer = person(s, "ns.payer").await;
        let by_hand = write!(s, payer, |tx| s.prepare_disbursement(
            &mut tx,
            &lead,
            b,
            d("2026-12-21"),
            ipfin_domain::Fen::new(100_000),
            "CZ-HAND-1"
        ))
        .expect("by hand prepared");
        let cashier = person(s, "ns.cashier").await;
        write!(s, cashier, |tx| s.confirm_request(
            &mut tx,
            &lead,
            by_hand.id,
            d("2026-12-21")
        ))
        .expect("by hand");
        let e = write!(s, finance.clone(), |tx| s.record_payment_results(
            &mut tx,
            &member,
            run3,
            &[result_row(2, "1", &num_b, "1000.00", "成功")],
            d("2026-12-22")
        ))
        .expect_err("above what is due");
        let text = code_of(e);
        assert!(
            text.contains("第 2 行") && text.contains("不超过尚未拨付的资助额"),
            "{text}"
        );
        assert_eq!(
            s.application(&ent, b).await.expect("b").row.disbursed_fen,
            300_000,
            "{name}: nothing more recorded"
        );
        write!(s, finance.clone(), |tx| s.record_payment_result(
            &mut tx,
            &member,
            run3,
            ex3.lines[0].id,
            LineResult::Failed,
            "",
            "",
            "国库退回：已由区经办人员另行拨付",
            d("2026-12-22")
        ))
        .expect("failed");
        let e = write!(s, finance.clone(), |tx| s.settle_failed_line(
            &mut tx,
            &member,
            run3,
            ex3.lines[0].id,
            " "
        ))
        .expect_err("no reason");
        assert!(code_of(e).starts_with("note:field.required"));
        write!(s, finance.clone(), |tx| s.settle_failed_line(
            &mut tx,
            &member,
            run3,
            ex3.lines[0].id,
            "已由区经办人员手工拨付（CZ-HAND-1）"
        ))
        .expect("settled");
        assert!(
            s.open_failures(&member, None)
                .await
                .expect("none")
                .is_empty()
        );
        let f5 = figures(s, &member, policy).await;
        assert_eq!(
            (
                f5.granted_fen.get(),
                f5.paid_fen.get(),
                f5.unpaid_fen.get(),
                f5.remaining_fen.map(ipfin_domain::Fen::get)
            ),
            (1_000_000, 1_000_000, 0, Some(0)),
            "{name}"
        );
        assert!(
            s.payables(&member, None)
                .await
                .expect("payables")
                .is_empty()
        );
        // Every step is in the audit trail.
        for action in [
            "payment_run.create",
            "payment_run.confirm",
            "payment_run.export",
            "payment_run.results",
            "payment_run.settle",
            "application.payee",
            "district.paying_unit",
        ] {
            assert!(
                fetch_i64(
                    s.conn(),
                    "SELECT COUNT(*) FROM audit_events WHERE action = ?",
                    vec![action.into()]
                )
                .await
                .expect("audit")
                    > 0,
                "{name}: {action}"
            );
        }
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_paying_unit_is_designated_by_the_city_or_the_lead_department() {
    for db in TestDb::all().await {
        let db = db.with_demo_at(d(TODAY)).await;
        let s = &db.store;
        let lead = Scope::District {
            code: "440305".into(),
            manage: true,
        };
        let member = Scope::District {
            code: "440305".into(),
            manage: false,
        };
        let ns_officer = person(s, "ns.officer").await;
        let finance = person(s, "ns.finance").await;
        let tech = id_of(
            s,
            "SELECT id FROM organisations WHERE name = ?",
            "南山区科技创新局",
        )
        .await;
        let lead_org = id_of(
            s,
            "SELECT id FROM organisations WHERE name = ?",
            "南山区市场监督管理局",
        )
        .await;
        let ft_dept = id_of(
            s,
            "SELECT id FROM organisations WHERE name = ?",
            "福田区财政局",
        )
        .await;
        // A member department cannot designate itself.
        let e = write!(s, finance, |tx| s
            .set_paying_unit(&mut tx, &member, "440305", tech))
        .expect_err("member");
        assert!(code_of(e).starts_with("403:payment.designate"));
        // Not the lead department itself, not another district's department.
        for (org, code) in [
            (lead_org, "payment.unit_is_lead"),
            (ft_dept, "payment.unit_not_department"),
        ] {
            let e = write!(s, ns_officer.clone(), |tx| s
                .set_paying_unit(&mut tx, &lead, "440305", org))
            .expect_err("refused");
            assert!(
                code_of(e).starts_with(&format!("organisation_id:{code}")),
                "{}",
                db.name
            );
        }
        // Another district's lead officer cannot designate here.
        let futian = Scope::District {
            code: "440304".into(),
            manage: true,
        };
        assert!(
            write!(s, ns_officer.clone(), |tx| s
                .set_paying_unit(&mut tx, &futian, "440305", tech))
            .is_err()
        );
        let u = write!(s, ns_officer.clone(), |tx| s
            .set_paying_unit(&mut tx, &lead, "440305", tech))
        .expect("designate");
        assert_eq!(u.organisation_name, "南山区科技创新局");
        // The finance bureau no longer prepares runs.
        let e = write!(s, person(s, "ns.finance").await, |tx| s.create_payment_run(
            &mut tx,
            &member,
            "",
            &[]
        ))
        .expect_err("no longer the paying unit");
        assert!(code_of(e).starts_with("403:payment.paying_unit_only"));
        db.cleanup().await;
    }
}
