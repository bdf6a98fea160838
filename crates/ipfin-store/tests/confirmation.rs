//! Four eyes on money and publication (issue #18 item 3) on SQLite and (when configured)
//! PostgreSQL: a policy publication that changes the budget, a notice and a disbursement are
//! prepared by one person and done only when a second person of the district's lead department
//! confirms; the preparer, a token, another district's officer, a member department and the
//! city cannot confirm; a refused request changes nothing; a disbursement above the grant is
//! refused when it is prepared; a record has at most one pending request; what changed since it
//! was prepared is not done.

use bytes::Bytes;
use chrono::NaiveDate;
use ipfin_domain::application::{Kind, State};
use ipfin_domain::confirmation::{Kind as StepKind, Status, Step};
use ipfin_domain::policy::BudgetMode;
use ipfin_domain::policy::document::Budget;
use ipfin_domain::{Fen, Scope};
use ipfin_store::application::{Body, NewApplication};
use ipfin_store::audit::AuditActor;
use ipfin_store::confirmation::ConfirmationRow;
use ipfin_store::db::fetch_i64;
use ipfin_store::testing::TestDb;
use ipfin_store::{Store, StoreError};

const TODAY: &str = "2026-11-27";

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn officer(n: i64) -> AuditActor {
    AuditActor::user(9000 + n, &format!("officer{n}"))
}

fn nanshan() -> Scope {
    Scope::District {
        code: "440305".into(),
        manage: true,
    }
}

/// The stable code of a refusal (`field:code` for bad input, `code` otherwise).
fn code_of(e: StoreError) -> String {
    match e {
        StoreError::Invalid(f) => format!("{}:{}", f.field, f.msg.code),
        StoreError::Forbidden(m) | StoreError::Conflict(m) => m.code.to_string(),
        StoreError::NotFound => "not_found".into(),
        other => format!("{other}"),
    }
}

/// Runs one write as `actor` and commits it when it succeeds (rolls back otherwise).
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

async fn count(s: &Store, sql: &str) -> i64 {
    fetch_i64(s.conn(), sql, vec![]).await.expect("count")
}

/// Everything a refused decision must leave as it was: the audit trail, the requests, the
/// holds, the versions, the notices and the payments.
async fn snapshot(s: &Store) -> Vec<i64> {
    let mut out = vec![s.audit_count().await.expect("audit")];
    for sql in [
        "SELECT COUNT(*) FROM confirmations WHERE outcome = 'pending'",
        "SELECT COUNT(*) FROM confirmation_holds",
        "SELECT COUNT(*) FROM policy_versions WHERE status = 'published'",
        "SELECT COUNT(*) FROM notices",
        "SELECT COUNT(*) FROM grant_payments",
        "SELECT CAST(COALESCE(SUM(disbursed_fen), 0) AS BIGINT) FROM applications",
    ] {
        out.push(count(s, sql).await);
    }
    out
}

async fn confirm(
    s: &Store,
    actor: AuditActor,
    scope: &Scope,
    id: i64,
    today: &str,
) -> Result<ConfirmationRow, StoreError> {
    write!(s, actor, |tx| s.confirm_request(
        &mut tx,
        scope,
        id,
        d(today)
    ))
}

async fn org_id(s: &Store, name: &str) -> i64 {
    fetch_i64(
        s.conn(),
        "SELECT id FROM organisations WHERE name = ?",
        vec![name.to_string().into()],
    )
    .await
    .expect("organisation")
}

async fn published(s: &Store, district: &str) -> ipfin_store::policy::PolicyVersionRow {
    s.policy_versions(&Scope::City, Some(district))
        .await
        .expect("versions")
        .into_iter()
        .find(|v| v.status == "published")
        .expect("published policy")
}

#[tokio::test]
async fn a_budget_change_is_confirmed_by_a_second_person_of_the_lead_department() {
    for db in TestDb::all().await {
        let db = db.with_demo_at(d(TODAY)).await;
        let s = &db.store;
        let lead = nanshan();
        let current = published(s, "440305").await;
        let before = current.doc().expect("doc").budget;
        // A revision that doubles the budget.
        let draft = write!(s, officer(1), |tx| s
            .revise_policy(&mut tx, &lead, current.id))
        .expect("revision");
        let mut doc = draft.doc().expect("doc");
        let after = Budget {
            total_fen: Fen::new(before.map_or(0, |b| b.total_fen.get()) * 2 + 100),
            mode: BudgetMode::ProRata,
        };
        doc.budget = Some(after);
        write!(s, officer(1), |tx| s
            .update_policy(&mut tx, &lead, draft.id, &doc))
        .expect("budget edited");

        let c = write!(s, officer(1), |tx| s
            .prepare_policy_publication(&mut tx, &lead, draft.id))
        .expect("prepared");
        assert_eq!(c.kind.get(), StepKind::PolicyBudget, "{}", db.name);
        assert_eq!(c.status(), Status::Pending);
        assert_eq!(c.prepared_by, Some(9001));
        assert!(
            c.summary.contains("调整为") && c.summary.contains("按比例核减"),
            "{}",
            c.summary
        );
        match c.step() {
            Step::Policy(p) => {
                assert_eq!(p.supersedes, Some(current.id));
                assert_eq!(p.budget_before, before);
                assert_eq!(p.budget_after, Some(after));
            }
            other => panic!("{other:?}"),
        }
        // Preparing publishes nothing.
        assert_eq!(
            s.policy_version(&Scope::City, draft.id)
                .await
                .expect("v")
                .status,
            "draft"
        );
        // Double pending: the same version is not prepared twice.
        let e = write!(s, officer(2), |tx| s
            .prepare_policy_publication(&mut tx, &lead, draft.id))
        .expect_err("double pending");
        assert_eq!(code_of(e), "confirmation.pending");

        let untouched = snapshot(s).await;
        // The preparer cannot confirm (nor refuse) what they prepared.
        let e = confirm(s, officer(1), &lead, c.id, TODAY)
            .await
            .expect_err("preparer");
        assert_eq!(code_of(e), "confirmation.same_person");
        let e = write!(s, officer(1), |tx| s
            .refuse_request(&mut tx, &lead, c.id, "不对"))
        .expect_err("preparer refuses");
        assert_eq!(code_of(e), "confirmation.same_person");
        // A token never confirms, even of the lead department's scope.
        let e = confirm(s, AuditActor::token(77), &lead, c.id, TODAY)
            .await
            .expect_err("token");
        assert_eq!(code_of(e), "confirmation.person_required");
        // Another district's officer does not even see it.
        let futian = Scope::District {
            code: "440304".into(),
            manage: true,
        };
        let e = confirm(s, officer(9), &futian, c.id, TODAY)
            .await
            .expect_err("another district");
        assert_eq!(code_of(e), "not_found");
        // A member department of the district and the city read it but cannot confirm.
        let member = Scope::District {
            code: "440305".into(),
            manage: false,
        };
        assert_eq!(s.confirmation(&member, c.id).await.expect("reads").id, c.id);
        for scope in [member, Scope::City] {
            let e = confirm(s, officer(8), &scope, c.id, TODAY)
                .await
                .expect_err("not the lead department");
            assert_eq!(code_of(e), "confirmation.lead_only");
        }
        // Only the preparer withdraws.
        let e = write!(s, officer(2), |tx| s.withdraw_request(&mut tx, &lead, c.id))
            .expect_err("not mine");
        assert_eq!(code_of(e), "confirmation.withdraw_own");
        // A refusal needs a reason.
        let e = write!(s, officer(2), |tx| s
            .refuse_request(&mut tx, &lead, c.id, "  "))
        .expect_err("no reason");
        assert_eq!(code_of(e), "reason:confirmation.reason");
        assert_eq!(
            snapshot(s).await,
            untouched,
            "{}: refusals changed something",
            db.name
        );

        // Refused with a reason: nothing is published, the version is free again.
        write!(s, officer(2), |tx| s.refuse_request(
            &mut tx,
            &lead,
            c.id,
            "预算翻倍未经财政局同意"
        ))
        .expect("refused");
        let r = s.confirmation(&lead, c.id).await.expect("refused");
        assert_eq!(r.status(), Status::Refused);
        assert_eq!(r.reason.as_deref(), Some("预算翻倍未经财政局同意"));
        assert_eq!(published(s, "440305").await.id, current.id);
        assert_eq!(
            published(s, "440305").await.doc().expect("doc").budget,
            before
        );
        assert_eq!(count(s, "SELECT COUNT(*) FROM confirmation_holds").await, 0);
        let e = confirm(s, officer(3), &lead, c.id, TODAY)
            .await
            .expect_err("decided");
        assert_eq!(code_of(e), "confirmation.decided");

        // Prepared again, then the draft is edited: the old request no longer says what
        // would be published, so confirming it is refused and nothing is published.
        let c2 = write!(s, officer(1), |tx| s
            .prepare_policy_publication(&mut tx, &lead, draft.id))
        .expect("prepared again");
        doc.summary = format!("{}（修改）", doc.summary);
        write!(s, officer(1), |tx| s
            .update_policy(&mut tx, &lead, draft.id, &doc))
        .expect("edited meanwhile");
        let e = confirm(s, officer(2), &lead, c2.id, TODAY)
            .await
            .expect_err("changed");
        assert_eq!(code_of(e), "confirmation.changed");
        assert_eq!(published(s, "440305").await.id, current.id);
        write!(s, officer(1), |tx| s
            .withdraw_request(&mut tx, &lead, c2.id))
        .expect("withdrawn");
        assert_eq!(
            s.confirmation(&lead, c2.id).await.expect("c2").status(),
            Status::Withdrawn
        );

        // Prepared and confirmed by a second person: published, the old version superseded.
        let c3 = write!(s, officer(1), |tx| s
            .prepare_policy_publication(&mut tx, &lead, draft.id))
        .expect("prepared a third time");
        let done = confirm(s, officer(2), &lead, c3.id, TODAY)
            .await
            .expect("confirmed");
        assert_eq!(done.status(), Status::Confirmed);
        assert_eq!(done.decided_by, Some(9002));
        assert_eq!(done.result_id, Some(draft.id));
        let now = published(s, "440305").await;
        assert_eq!(now.id, draft.id);
        assert_eq!(now.doc().expect("doc").budget, Some(after));
        assert_eq!(
            s.policy_version(&Scope::City, current.id)
                .await
                .expect("old")
                .status,
            "superseded"
        );
        // The audit trail names both people.
        let both = count(
            s,
            &format!(
                "SELECT COUNT(*) FROM audit_events WHERE action = 'confirmation.confirm' AND entity_id = '{}' \
                 AND actor_user_id = 9002 AND data LIKE '%officer1%'",
                c3.id
            ),
        )
        .await;
        assert_eq!(both, 1, "{}", db.name);
        // Lists: nothing pending any more; the history of requests is there.
        let pending = s
            .confirmations(
                &lead,
                &ipfin_store::confirmation::ConfirmationFilter {
                    status: Some(Status::Pending),
                    kind: None,
                },
            )
            .await
            .expect("list");
        assert!(pending.is_empty());
        let all = s
            .confirmations(&lead, &Default::default())
            .await
            .expect("list");
        assert_eq!(all.len(), 3);
        assert!(
            s.confirmations(&futian, &Default::default())
                .await
                .expect("list")
                .is_empty(),
            "another district sees none"
        );
        db.cleanup().await;
    }
}

async fn report_loan(s: &Store, bank: &Scope) {
    ipfin_store::testing::fixtures::report_pledge_loan(
        s,
        bank,
        "2026-FE-0001",
        "Y2026980018801",
        "202310123456.6",
        0,
    )
    .await
    .expect("loan");
}

/// A bank's reward application (1% of its loans: 50,000.00), reviewed by officers 1–3.
async fn reviewed_institution_application(s: &Store, bank: &Scope) -> i64 {
    let policy = published(s, "440305").await.id;
    let id: i64 = write!(s, AuditActor::system("bank"), |tx| s.create_application(
        &mut tx,
        bank,
        NewApplication {
            kind: Kind::Institution,
            policy_version_id: policy,
            batch: None,
            items: vec![],
            body: Body::default(),
        },
        d(TODAY)
    ))
    .expect("draft");
    let detail = s.application(bank, id).await.expect("detail");
    for (i, slot) in detail.slots.iter().filter(|x| x.required).enumerate() {
        let bytes = Bytes::from(format!("%PDF-1.7\n% {} {}\n", slot.code, i).into_bytes());
        write!(s, AuditActor::system("bank"), |tx| s.add_file(
            &mut tx,
            bank,
            id,
            &slot.code,
            "scan.pdf",
            bytes.clone()
        ))
        .expect("upload");
    }
    write!(s, AuditActor::system("bank"), |tx| s.submit_application(
        &mut tx,
        bank,
        id,
        d(TODAY)
    ))
    .expect("submit");
    let lead = nanshan();
    write!(s, officer(1), |tx| s
        .accept_application(&mut tx, &lead, id, ""))
    .expect("accept");
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
    id
}

#[tokio::test]
async fn a_notice_and_a_payment_are_refused_for_one_person_and_confirmed_by_a_second() {
    for db in TestDb::all().await {
        let db = db.with_demo_at(d(TODAY)).await;
        let s = &db.store;
        let lead = nanshan();
        let bank = Scope::Institution {
            org_id: ipfin_domain::id::OrgId::new(org_id(s, "深南银行深圳分行").await),
        };
        report_loan(s, &bank).await;
        let app = reviewed_institution_application(s, &bank).await;

        // The notice: prepared by officer 1; its application is held.
        let n = write!(s, officer(1), |tx| s.prepare_notice(
            &mut tx,
            &lead,
            "银行奖励拟资助公示",
            &[app],
            d(TODAY),
            5,
            d(TODAY)
        ))
        .expect("notice prepared");
        assert_eq!(n.kind.get(), StepKind::NoticePublish);
        assert!(
            n.summary.contains("1 件申请，拟资助合计 50,000.00 元"),
            "{}",
            n.summary
        );
        assert_eq!(count(s, "SELECT COUNT(*) FROM notices").await, 0);
        let e = write!(s, officer(2), |tx| s.prepare_notice(
            &mut tx,
            &lead,
            "重复公示",
            &[app],
            d(TODAY),
            5,
            d(TODAY)
        ))
        .expect_err("held by the first");
        assert_eq!(code_of(e), "confirmation.pending");
        let untouched = snapshot(s).await;
        let e = confirm(s, officer(1), &lead, n.id, TODAY)
            .await
            .expect_err("preparer");
        assert_eq!(code_of(e), "confirmation.same_person");
        // Checked again when confirmed: a notice whose first day has passed is not published.
        let e = confirm(s, officer(2), &lead, n.id, "2026-11-30")
            .await
            .expect_err("start passed");
        assert_eq!(code_of(e), "start:notice.backdated");
        assert_eq!(snapshot(s).await, untouched, "{}", db.name);
        let n = confirm(s, officer(2), &lead, n.id, TODAY)
            .await
            .expect("notice confirmed");
        let nid = n.result_id.expect("the notice");
        assert_eq!(
            s.notice(&Scope::Public, nid).await.expect("public").entries[0].amount_fen,
            5_000_000
        );
        s.end_due_notices(d("2026-12-04")).await.expect("end");
        // The batch is still open: two officers close it (issue #19 item 2).
        ipfin_store::testing::fixtures::close_batch_of(s, &lead, app, d("2026-12-04"))
            .await
            .expect("batch closed");
        assert_eq!(
            s.application(&bank, app).await.expect("app").row.state(),
            State::Granted
        );

        // A payment above the grant is refused when prepared: no request is recorded.
        let requests = count(s, "SELECT COUNT(*) FROM confirmations").await;
        let e = write!(s, officer(4), |tx| s.prepare_disbursement(
            &mut tx,
            &lead,
            app,
            d("2026-12-10"),
            ipfin_domain::Fen::new(5_000_001),
            "CZ-2026-IN-1"
        ))
        .expect_err("above the grant");
        assert_eq!(code_of(e), "amount:disburse.amount");
        assert_eq!(
            count(s, "SELECT COUNT(*) FROM confirmations").await,
            requests
        );
        // A reviewer cannot prepare it either (separation of duties at preparation).
        let e = write!(s, officer(2), |tx| s.prepare_disbursement(
            &mut tx,
            &lead,
            app,
            d("2026-12-10"),
            ipfin_domain::Fen::new(5_000_000),
            "CZ-2026-IN-1"
        ))
        .expect_err("a reviewer");
        assert_eq!(code_of(e), "duty.separate");

        // Prepared by officer 4; a second payment of the same application waits for it.
        let p = write!(s, officer(4), |tx| s.prepare_disbursement(
            &mut tx,
            &lead,
            app,
            d("2026-12-10"),
            ipfin_domain::Fen::new(3_000_000),
            "CZ-2026-IN-1"
        ))
        .expect("payment prepared");
        assert_eq!(p.kind.get(), StepKind::GrantDisburse);
        assert_eq!(
            s.pending_confirmation(&lead, "application", app)
                .await
                .expect("pending")
                .map(|c| c.id),
            Some(p.id)
        );
        let e = write!(s, officer(5), |tx| s.prepare_disbursement(
            &mut tx,
            &lead,
            app,
            d("2026-12-11"),
            ipfin_domain::Fen::new(1_000_000),
            "CZ-2026-IN-2"
        ))
        .expect_err("double pending");
        assert_eq!(code_of(e), "confirmation.pending");
        let untouched = snapshot(s).await;
        let e = confirm(s, officer(4), &lead, p.id, TODAY)
            .await
            .expect_err("preparer");
        assert_eq!(code_of(e), "confirmation.same_person");
        let e = confirm(s, AuditActor::token(5), &lead, p.id, TODAY)
            .await
            .expect_err("token");
        assert_eq!(code_of(e), "confirmation.person_required");
        // A reviewer as the second person is refused by separation of duties.
        let e = confirm(s, officer(3), &lead, p.id, TODAY)
            .await
            .expect_err("reviewer");
        assert_eq!(code_of(e), "duty.separate");
        assert_eq!(snapshot(s).await, untouched, "{}", db.name);
        // Refused: nothing paid.
        write!(s, officer(6), |tx| s.refuse_request(
            &mut tx,
            &lead,
            p.id,
            "支付凭证号与国库回单不符"
        ))
        .expect("refused");
        let a = s.application(&bank, app).await.expect("app");
        assert_eq!(
            (a.row.state(), a.row.disbursed_fen.get(), a.payments.len()),
            (State::Granted, 0, 0)
        );

        // Prepared again and confirmed by a second person who did not review: paid, and the
        // history names both.
        let p = write!(s, officer(4), |tx| s.prepare_disbursement(
            &mut tx,
            &lead,
            app,
            d("2026-12-10"),
            ipfin_domain::Fen::new(5_000_000),
            "CZ-2026-IN-3"
        ))
        .expect("prepared again");
        confirm(s, officer(6), &lead, p.id, TODAY)
            .await
            .expect("payment confirmed");
        let a = s.application(&bank, app).await.expect("app");
        assert_eq!(a.row.state(), State::Disbursed);
        assert_eq!(a.row.disbursed_fen, 5_000_000);
        assert_eq!(a.payments[0].reference, "CZ-2026-IN-3");
        let last = a.events.last().expect("event");
        assert_eq!(last.action, "disburse");
        assert!(
            last.comment.contains("officer4") && last.comment.contains("officer6"),
            "{}",
            last.comment
        );
        assert!(
            s.pending_confirmation(&lead, "application", app)
                .await
                .expect("pending")
                .is_none()
        );
        // The officers' count of what they may confirm: none left.
        assert_eq!(
            s.confirmations_awaiting(&lead, Some(9002))
                .await
                .expect("count")
                .count,
            0
        );
        db.cleanup().await;
    }
}
