//! Applications (issue #6) on SQLite and (when configured) PostgreSQL: the five-stage journey
//! with a return, staged review with maker–checker, a notice with one objection upheld and one
//! dismissed, the grant, disbursement, supervision and a clawback; the double-dipping block;
//! and bad input that changes nothing.

use bytes::Bytes;
use chrono::NaiveDate;
use ipfin_domain::Fen;
use ipfin_domain::application::{Kind, Line, State};
use ipfin_domain::financing::LoanStatus;
use ipfin_domain::policy::rules::Item;
use ipfin_domain::user::Administrator;
use ipfin_domain::{Role, Scope};
use ipfin_store::application::{Body, ItemDecision, NewApplication, NewObjection};
use ipfin_store::audit::AuditActor;
use ipfin_store::db::fetch_i64;
use ipfin_store::testing::TestDb;
use ipfin_store::user::NewUser;
use ipfin_store::{Store, StoreError};

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

const TODAY: &str = "2026-11-27";

async fn org_id(s: &Store, name: &str) -> i64 {
    fetch_i64(
        s.conn(),
        "SELECT id FROM organisations WHERE name = ?",
        vec![name.to_string().into()],
    )
    .await
    .expect("organisation")
}

async fn count(s: &Store, sql: &str) -> i64 {
    fetch_i64(s.conn(), sql, vec![]).await.expect("count")
}

fn code_of(e: StoreError) -> String {
    match e {
        StoreError::Invalid(f) => format!("{}:{}", f.field, f.msg.code),
        StoreError::Document(r) => format!("{}:{}", r.path, r.msg.code),
        StoreError::Forbidden(m) | StoreError::Conflict(m) => format!("{}|{}", m.code, m.zh),
        other => format!("{other}"),
    }
}

fn officer(n: i64) -> AuditActor {
    AuditActor::user(9000 + n, &format!("officer{n}"))
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

/// Four eyes (issue #18 item 3): officer `who` (a second person) confirms a prepared request.
async fn confirm_as(
    s: &Store,
    who: i64,
    scope: &Scope,
    id: i64,
) -> Result<ipfin_store::confirmation::ConfirmationRow, StoreError> {
    write!(s, officer(who), |tx| s.confirm_request(
        &mut tx,
        scope,
        id,
        d(TODAY)
    ))
}

/// A notice of reviewed applications from today, prepared by officer 1 and confirmed by
/// officer 2; the notice's id.
async fn publish_notice(s: &Store, scope: &Scope, title: &str, ids: &[i64]) -> i64 {
    let c = write!(s, officer(1), |tx| s.prepare_notice(
        &mut tx,
        scope,
        title,
        ids,
        d(TODAY),
        5,
        d(TODAY)
    ))
    .expect("notice prepared");
    confirm_as(s, 2, scope, c.id)
        .await
        .expect("notice confirmed")
        .result_id
        .expect("the notice")
}

/// A payment prepared by officer 4 and confirmed by officer 6 (neither reviewed).
async fn pay(s: &Store, scope: &Scope, id: i64, on: &str, amount_fen: i64, reference: &str) {
    let c = write!(s, officer(4), |tx| s.prepare_disbursement(
        &mut tx,
        scope,
        id,
        d(on),
        ipfin_domain::Fen::new(amount_fen),
        reference
    ))
    .expect("payment prepared");
    confirm_as(s, 6, scope, c.id)
        .await
        .expect("payment confirmed");
}

/// Closes the batch of application `id` with four eyes (issue #19 item 2): its budget is
/// allocated over what cleared its notice.
async fn close_batch(s: &Store, scope: &Scope, id: i64) {
    ipfin_store::testing::fixtures::close_batch_of(s, scope, id, d("2026-12-04"))
        .await
        .expect("batch closed");
}

/// The demo's bank (its id and scope), its Nanshan enterprise, and Nanshan's lead department.
async fn nanshan_parties(s: &Store) -> (i64, Scope, Scope, Scope) {
    let bank_id = org_id(s, "深南银行深圳分行").await;
    let bank = Scope::Institution {
        org_id: ipfin_domain::id::OrgId::new(bank_id),
    };
    let ent = Scope::Enterprise {
        org_id: ipfin_domain::id::OrgId::new(org_id(s, "深圳市南山示例科技有限公司").await),
    };
    let nanshan = Scope::District {
        code: "440305".into(),
        manage: true,
    };
    (bank_id, bank, ent, nanshan)
}

async fn published(s: &Store, district: &str) -> i64 {
    s.policy_versions(&Scope::City, Some(district))
        .await
        .expect("versions")
        .into_iter()
        .find(|v| v.status == "published")
        .expect("published policy")
        .id
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer\n%%EOF";

async fn upload_all(s: &Store, ent: &Scope, id: i64) {
    let detail = s.application(ent, id).await.expect("detail");
    for (i, slot) in detail.slots.iter().filter(|x| x.required).enumerate() {
        let bytes = Bytes::from(format!("%PDF-1.7\n% {} {}\n", slot.code, i).into_bytes());
        let r: Result<i64, StoreError> = write!(s, AuditActor::system("ent"), |tx| s.add_file(
            &mut tx,
            ent,
            id,
            &slot.code,
            "scan.pdf",
            bytes.clone()
        ));
        r.expect("upload");
    }
}

async fn new_fee_app(s: &Store, ent: &Scope, policy: i64, lines: Vec<Line>) -> i64 {
    let r: Result<i64, StoreError> = write!(s, AuditActor::system("ent"), |tx| s
        .create_application(
            &mut tx,
            ent,
            NewApplication {
                kind: Kind::EnterpriseFee,
                policy_version_id: policy,
                batch: None,
                items: vec![Item::Interest],
                body: Body {
                    lines: lines.clone(),
                    ..Default::default()
                },
            },
            d(TODAY),
        ));
    r.expect("create")
}

#[tokio::test]
async fn the_five_stages_with_a_return_an_objection_each_way_and_a_clawback() {
    for db in TestDb::all().await {
        let db = db.with_demo_at(d(TODAY)).await;
        let s = &db.store;
        let bank_id = org_id(s, "深南银行深圳分行").await;
        let bank = Scope::Institution {
            org_id: ipfin_domain::id::OrgId::new(bank_id),
        };
        report_loan(s, &bank, "2026-ZY-0100", "Y2026980010001", "202310123456.6").await;
        report_loan(s, &bank, "2026-ZY-0101", "Y2026980010002", "202310234567.4").await;
        let ent = Scope::Enterprise {
            org_id: ipfin_domain::id::OrgId::new(org_id(s, "深圳市南山示例科技有限公司").await),
        };
        let nanshan = Scope::District {
            code: "440305".into(),
            manage: true,
        };
        let futian = Scope::District {
            code: "440304".into(),
            manage: true,
        };
        let policy = published(s, "440305").await;
        // A guarantee fee is stated, but only interest is applied for: the fee does not count.
        let mut l1 = line(bank_id, "2026-ZY-0100", "Y2026980010001", 1_000_000);
        l1.guarantee_fee_fen = Fen::new(300_000);
        let a1 = new_fee_app(s, &ent, policy, vec![l1]).await;

        // Submitting with nothing uploaded lists every missing slot by name; nothing changes.
        let e = write!(s, AuditActor::system("ent"), |tx| s.submit_application(
            &mut tx,
            &ent,
            a1,
            d(TODAY)
        ))
        .expect_err("missing");
        let text = code_of(e);
        assert!(
            text.starts_with("files:application.missing_materials"),
            "{text}"
        );
        let detail = s.application(&ent, a1).await.expect("detail");
        assert_eq!(detail.row.state(), State::Draft);
        assert!(detail.row.number.is_none());
        assert_eq!(detail.missing.len(), 8);

        // Bad files: refused by content, nothing stored.
        for (bytes, code) in [
            (&b"MZ\x90\x00 an exe renamed .pdf"[..], "file:file.type"),
            (&b""[..], "file:file.empty"),
        ] {
            let e = write!(s, AuditActor::system("ent"), |tx| s.add_file(
                &mut tx,
                &ent,
                a1,
                "business_licence",
                "营业执照.pdf",
                Bytes::copy_from_slice(bytes)
            ))
            .expect_err("bad file");
            assert_eq!(code_of(e), code);
        }
        assert_eq!(count(s, "SELECT COUNT(*) FROM application_files").await, 0);
        upload_all(s, &ent, a1).await;
        // A path-traversal name is kept as metadata only, reduced to its last part.
        let fid: i64 = write!(s, AuditActor::system("ent"), |tx| s.add_file(
            &mut tx,
            &ent,
            a1,
            "application_form",
            "../../etc/passwd",
            Bytes::from_static(PDF)
        ))
        .expect("upload");
        let (meta, bytes) = s.application_file(&ent, a1, fid).await.expect("file");
        assert_eq!(meta.file_name, "passwd");
        assert_eq!(&bytes[..], PDF);
        // Other tenants cannot read it.
        assert!(s.application_file(&futian, a1, fid).await.is_err());
        assert!(s.application_file(&bank, a1, fid).await.is_err());

        // Outside the batch window.
        let e = write!(s, AuditActor::system("ent"), |tx| s.submit_application(
            &mut tx,
            &ent,
            a1,
            d("2027-01-05")
        ))
        .expect_err("closed");
        assert!(code_of(e).starts_with("application.batch_closed"));

        let n1: String = write!(s, AuditActor::system("ent"), |tx| s.submit_application(
            &mut tx,
            &ent,
            a1,
            d(TODAY)
        ))
        .expect("submit");
        assert_eq!(n1, "440305-2026-EF-00001");
        let detail = s.application(&ent, a1).await.expect("detail");
        // 70% of 10,000.00 interest paid.
        assert_eq!(detail.row.computed_fen, 700_000);
        assert!(
            detail.derivation.iter().any(|l| l.contains("7,000.00")),
            "{:?}",
            detail.derivation
        );

        // Another district's officer cannot accept it.
        assert!(matches!(
            write!(s, officer(9), |tx| s
                .accept_application(&mut tx, &futian, a1, "")),
            Err(StoreError::NotFound)
        ));
        let diffs = write!(s, officer(1), |tx| s.accept_application(
            &mut tx,
            &nanshan,
            a1,
            "材料齐全"
        ))
        .expect("accept");
        // The stated figures agree with the bank's report: nothing to decide.
        assert!(diffs.is_empty(), "{diffs:?}");

        // First review lowers the amount with a reason; raising above the calculation is refused.
        let e = write!(s, officer(1), |tx| s.pass_review(
            &mut tx,
            &nanshan,
            a1,
            &[ItemDecision {
                item: Item::Interest,
                approved_fen: Fen::new(800_000),
                reason: String::new()
            }],
            ""
        ))
        .expect_err("raised");
        assert!(code_of(e).starts_with("approved_fen:review.above_calculation"));
        let e = write!(s, officer(1), |tx| s.pass_review(
            &mut tx,
            &nanshan,
            a1,
            &[ItemDecision {
                item: Item::Interest,
                approved_fen: Fen::new(600_000),
                reason: String::new()
            }],
            ""
        ))
        .expect_err("no reason");
        assert!(code_of(e).starts_with("reason:review.reason"));
        let st = write!(s, officer(1), |tx| s.pass_review(
            &mut tx,
            &nanshan,
            a1,
            &[ItemDecision {
                item: Item::Interest,
                approved_fen: Fen::new(600_000),
                reason: "部分利息发生在政策期外".into()
            }],
            "经办意见"
        ))
        .expect("first");
        assert_eq!(st, State::Accepted);
        // Maker–checker: the same officer cannot pass the next stage.
        let e = write!(s, officer(1), |tx| s.pass_review(
            &mut tx,
            &nanshan,
            a1,
            &[],
            ""
        ))
        .expect_err("maker-checker");
        assert!(code_of(e).starts_with("workflow.maker_checker"));
        write!(s, officer(2), |tx| s.pass_review(
            &mut tx,
            &nanshan,
            a1,
            &[],
            "复核"
        ))
        .expect("second");
        let st = write!(s, officer(3), |tx| s.pass_review(
            &mut tx,
            &nanshan,
            a1,
            &[],
            "同意"
        ))
        .expect("approval");
        assert_eq!(st, State::Reviewed);

        // A second application, returned at first review and resubmitted: back to that stage.
        let a2 = new_fee_app(
            s,
            &ent,
            policy,
            vec![line(bank_id, "2026-ZY-0101", "Y2026980010002", 500_000)],
        )
        .await;
        upload_all(s, &ent, a2).await;
        let n2: String = write!(s, AuditActor::system("ent"), |tx| s.submit_application(
            &mut tx,
            &ent,
            a2,
            d(TODAY)
        ))
        .expect("submit 2");
        assert_eq!(n2, "440305-2026-EF-00002");
        write!(s, officer(1), |tx| s
            .accept_application(&mut tx, &nanshan, a2, ""))
        .expect("accept 2");
        write!(s, officer(1), |tx| s.pass_review(
            &mut tx,
            &nanshan,
            a2,
            &[ItemDecision {
                item: Item::Interest,
                approved_fen: Fen::new(300_000),
                reason: "凭证金额不全".into()
            }],
            ""
        ))
        .expect("first 2");
        write!(s, officer(2), |tx| s.return_application(
            &mut tx,
            &nanshan,
            a2,
            "请补充银行付息凭证原件扫描件",
            d("2026-12-10"),
            d(TODAY)
        ))
        .expect("return");
        assert_eq!(
            s.application(&ent, a2).await.expect("a2").row.state(),
            State::Returned
        );
        // A passed supplement deadline is noted once, to both sides.
        assert_eq!(
            s.note_overdue_returns(d("2026-12-10"))
                .await
                .expect("not yet"),
            0
        );
        assert_eq!(
            s.note_overdue_returns(d("2026-12-11"))
                .await
                .expect("overdue"),
            1
        );
        assert_eq!(
            s.note_overdue_returns(d("2026-12-12")).await.expect("once"),
            0
        );
        assert!(
            s.notifications(&ent, 1).await.expect("n")[0]
                .text
                .contains("补正期限已过")
        );
        // After acceptance the applicant may correct amounts, not the loans it claims for.
        let other_loan = Body {
            lines: vec![line(bank_id, "2026-ZY-0999", "Y2026980019999", 500_000)],
            ..Default::default()
        };
        let e = write!(s, AuditActor::system("ent"), |tx| s.update_application(
            &mut tx,
            &ent,
            a2,
            vec![Item::Interest],
            other_loan.clone()
        ))
        .expect_err("claims are fixed");
        assert!(code_of(e).starts_with("application.claims_fixed"));
        let corrected = Body {
            lines: vec![line(bank_id, "2026-ZY-0101", "Y2026980010002", 450_000)],
            ..Default::default()
        };
        write!(s, AuditActor::system("ent"), |tx| s.update_application(
            &mut tx,
            &ent,
            a2,
            vec![Item::Interest],
            corrected.clone()
        ))
        .expect("amounts corrected");
        write!(s, AuditActor::system("ent"), |tx| s.submit_application(
            &mut tx,
            &ent,
            a2,
            d(TODAY)
        ))
        .expect("resubmit");
        let back = s.application(&ent, a2).await.expect("a2");
        assert_eq!(back.row.state(), State::Accepted);
        // The first reviewer's cut survives the return; the new calculation is 70% of 4,500.00.
        assert_eq!(
            back.items[0].computed_fen, 315_000,
            "{:?} {:?}",
            back.items, back.derivation
        );
        assert_eq!(back.items[0].approved_fen.map(Fen::get), Some(300_000));
        assert_eq!(back.row.stage.as_deref(), Some("second"));
        assert_eq!(back.row.number.as_deref(), Some("440305-2026-EF-00002"));
        write!(s, officer(2), |tx| s.pass_review(
            &mut tx,
            &nanshan,
            a2,
            &[],
            ""
        ))
        .expect("second 2");
        write!(s, officer(3), |tx| s.pass_review(
            &mut tx,
            &nanshan,
            a2,
            &[],
            ""
        ))
        .expect("approval 2");

        // Double-dipping: a third application for the first loan and item is blocked at
        // acceptance with a pointer to the first.
        let a3 = new_fee_app(
            s,
            &ent,
            policy,
            vec![line(bank_id, "2026-ZY-0100", "Y2026980010001", 1_000_000)],
        )
        .await;
        upload_all(s, &ent, a3).await;
        write!(s, AuditActor::system("ent"), |tx| s.submit_application(
            &mut tx,
            &ent,
            a3,
            d(TODAY)
        ))
        .expect("submit 3");
        let e = write!(s, officer(1), |tx| s
            .accept_application(&mut tx, &nanshan, a3, ""))
        .expect_err("double");
        let text = code_of(e);
        assert!(text.starts_with("application.double_dipping"), "{text}");
        // Named as people read it: the bank and contract, the other application and its district.
        assert!(
            text.contains(
                "贷款“深南银行深圳分行 2026-ZY-0100”的贷款贴息已由南山区的申请 440305-2026-EF-00001 申请"
            ),
            "{text}"
        );

        // A notice refuses to start where the working-day calendar is missing (2027 is not entered).
        let e = write!(s, officer(1), |tx| s.prepare_notice(
            &mut tx,
            &nanshan,
            "2027 年公示",
            &[a1, a2],
            d("2027-03-01"),
            5,
            d(TODAY)
        ))
        .expect_err("no calendar");
        let text = code_of(e);
        assert!(text.starts_with("start:calendar."), "{text}");
        // A notice cannot be backdated.
        let e = write!(s, officer(1), |tx| s.prepare_notice(
            &mut tx,
            &nanshan,
            "补登公示",
            &[a1, a2],
            d("2026-11-20"),
            5,
            d(TODAY)
        ))
        .expect_err("backdated");
        assert!(code_of(e).starts_with("start:notice.backdated"));
        // Notice of both, five working days from Friday 27 November: ends Thursday 3 December.
        // Prepared by one officer, published when a second confirms (four eyes).
        let prepared = write!(s, officer(1), |tx| s.prepare_notice(
            &mut tx,
            &nanshan,
            "2026 年第三批资助公示",
            &[a1, a2],
            d(TODAY),
            5,
            d(TODAY)
        ))
        .expect("notice prepared");
        assert_eq!(
            count(
                s,
                "SELECT COUNT(*) FROM notices WHERE title = '2026 年第三批资助公示'"
            )
            .await,
            0
        );
        assert_eq!(
            s.application(&ent, a1).await.expect("a1").row.state(),
            State::Reviewed
        );
        let e = confirm_as(s, 1, &nanshan, prepared.id)
            .await
            .expect_err("the preparer confirms");
        assert!(code_of(e).starts_with("confirmation.same_person|"));
        let nid = confirm_as(s, 2, &nanshan, prepared.id)
            .await
            .expect("confirmed")
            .result_id
            .expect("the notice");
        let history = s.application(&ent, a1).await.expect("a1").events;
        let published = history.last().expect("an event");
        assert!(
            published.comment.contains("officer1") && published.comment.contains("officer2"),
            "both names: {}",
            published.comment
        );
        let public = s.notice(&Scope::Public, nid).await.expect("public notice");
        assert_eq!(public.notice.ends_on, d("2026-12-03"));
        assert_eq!(public.entries.len(), 2);
        assert!(public.objections.is_empty());
        let lodge = |app: i64, day: &'static str| {
            let o = NewObjection {
                application_id: Some(app),
                name: "张三".into(),
                contact: "13800000000".into(),
                text: "该企业贷款已逾期".into(),
                evidence: None,
                client_addr: None,
            };
            async move {
                write!(s, AuditActor::system("public"), |tx| s.lodge_objection(
                    &mut tx,
                    nid,
                    o.clone(),
                    d(day)
                ))
            }
        };
        let e = lodge(a1, "2026-12-04").await.expect_err("after the period");
        assert!(code_of(e).starts_with("objection.period"));
        let o1 = lodge(a1, "2026-12-01").await.expect("objection 1");
        let o2 = lodge(a2, "2026-12-03").await.expect("objection 2");
        write!(s, officer(2), |tx| s.decide_objection(
            &mut tx,
            &nanshan,
            o1,
            false,
            "经核实贷款正常还款"
        ))
        .expect("dismiss");
        write!(s, officer(2), |tx| s.decide_objection(
            &mut tx,
            &nanshan,
            o2,
            true,
            "质押登记已注销，需重新审核"
        ))
        .expect("uphold");
        assert_eq!(
            s.application(&ent, a2).await.expect("a2").row.state(),
            State::Accepted
        );

        // The period ends (background job): a1 clears its notice; its batch is still open and
        // a2 back in review, so nothing is granted yet (issue #19 item 2). Two officers close
        // the batch: a1 granted at its approved amount.
        assert_eq!(
            s.end_due_notices(d("2026-12-03")).await.expect("not yet"),
            0
        );
        assert_eq!(s.end_due_notices(d("2026-12-04")).await.expect("end"), 1);
        let g = s.application(&ent, a1).await.expect("a1");
        assert_eq!((g.row.state(), g.row.granted_fen), (State::InNotice, None));
        close_batch(s, &nanshan, a1).await;
        let g = s.application(&ent, a1).await.expect("a1");
        assert_eq!(g.row.state(), State::Granted);
        assert_eq!(g.row.granted_fen.map(Fen::get), Some(600_000));

        // Disbursement up to the grant, prepared and confirmed by two people who did not
        // review it (four eyes and separation of duties).
        let e = write!(s, officer(1), |tx| s.prepare_disbursement(
            &mut tx,
            &nanshan,
            a1,
            d("2026-12-10"),
            ipfin_domain::Fen::new(600_000),
            "CZ-2026-001"
        ))
        .expect_err("a reviewer pays");
        assert!(code_of(e).starts_with("duty.separate|"), "{}", db.name);
        let e = write!(s, officer(4), |tx| s.prepare_disbursement(
            &mut tx,
            &nanshan,
            a1,
            d("2026-12-10"),
            ipfin_domain::Fen::new(600_001),
            "CZ-2026-001"
        ))
        .expect_err("too much");
        assert!(code_of(e).starts_with("amount:disburse.amount"));
        let pay = write!(s, officer(4), |tx| s.prepare_disbursement(
            &mut tx,
            &nanshan,
            a1,
            d("2026-12-10"),
            ipfin_domain::Fen::new(600_000),
            "CZ-2026-001"
        ))
        .expect("disbursement prepared");
        let e = confirm_as(s, 1, &nanshan, pay.id)
            .await
            .expect_err("a reviewer confirms the payment");
        assert!(code_of(e).starts_with("duty.separate|"), "{}", db.name);
        // The district checks 180 days after payment and at the loan's maturity (issue #18
        // item 6); the schedule applies to payments recorded from now on.
        write!(s, officer(1), |tx| s
            .set_check_schedule(&mut tx, &nanshan, "440305", "180", true))
        .expect("schedule");
        confirm_as(s, 6, &nanshan, pay.id).await.expect("disburse");
        let scheduled = |c: &ipfin_store::application::ApplicationDetail| {
            c.checks
                .iter()
                .filter(|c| c.kind == "scheduled")
                .map(|c| (c.due_on, c.basis.clone(), c.done_at.is_some()))
                .collect::<Vec<_>>()
        };
        let both_pending = vec![
            (d("2027-03-04"), Some("maturity".to_string()), false),
            (d("2027-06-08"), Some("days:180".to_string()), false),
        ];
        assert_eq!(
            scheduled(&s.application(&ent, a1).await.expect("a1")),
            both_pending,
            "{}",
            db.name
        );
        // Supervision: the loan goes overdue → finding → investigation → clawback.
        let loan_id = fetch_i64(
            s.conn(),
            "SELECT id FROM loans WHERE contract_number = '2026-ZY-0100'",
            vec![],
        )
        .await
        .expect("loan");
        write!(s, AuditActor::system("bank"), |tx| s.set_loan_status(
            &mut tx,
            &bank,
            loan_id,
            LoanStatus::Overdue,
            d("2026-11-20"),
            "逾期"
        ))
        .expect("overdue");
        let findings =
            write!(s, officer(1), |tx| s.run_supervision(&mut tx, &nanshan, a1)).expect("check");
        assert_eq!(findings.len(), 1, "{findings:?}");
        let c = s.application(&ent, a1).await.expect("a1");
        assert_eq!(c.row.state(), State::UnderInvestigation);
        // The officer's check is its own record: both scheduled checks are still pending.
        assert_eq!(scheduled(&c), both_pending, "{}", db.name);
        let ad_hoc: Vec<_> = c.checks.iter().filter(|c| c.kind == "ad_hoc").collect();
        assert_eq!(ad_hoc.len(), 1);
        assert_eq!(ad_hoc[0].outcome.as_deref(), Some("finding"));
        assert_eq!(ad_hoc[0].label(ipfin_domain::Lang::Zh), "临时检查");
        let maturity = c
            .checks
            .iter()
            .find(|c| c.basis.as_deref() == Some("maturity"));
        assert_eq!(
            maturity.map(|c| c.label(ipfin_domain::Lang::Zh)).as_deref(),
            Some("定期检查（贷款到期日）")
        );
        // The clawback is prepared and confirmed by two people who neither reviewed nor paid
        // (who prepared or confirmed the payment counts as paying).
        for who in [2, 4, 6] {
            let e = write!(s, officer(who), |tx| s.prepare_clawback(
                &mut tx,
                &nanshan,
                a1,
                ipfin_domain::Fen::new(600_000),
                "贷款逾期，按规定追回"
            ))
            .expect_err("a signer claws back");
            assert!(code_of(e).starts_with("duty.separate|"), "{who}");
        }
        let claw = write!(s, officer(5), |tx| s.prepare_clawback(
            &mut tx,
            &nanshan,
            a1,
            ipfin_domain::Fen::new(600_000),
            "贷款逾期，按规定追回"
        ))
        .expect("clawback prepared");
        let e = confirm_as(s, 6, &nanshan, claw.id)
            .await
            .expect_err("the payer confirms the clawback");
        assert!(code_of(e).starts_with("duty.separate|"));
        confirm_as(s, 7, &nanshan, claw.id).await.expect("clawback");
        let c = s.application(&ent, a1).await.expect("a1");
        assert_eq!(c.row.state(), State::ClawedBack);
        assert_eq!(c.open_clawbacks, 1);
        assert_eq!(
            s.open_clawbacks(&Scope::City, c.row.applicant_org_id)
                .await
                .expect("open"),
            1
        );
        // Its next submission is flagged to the officers.
        let a4 = new_fee_app(
            s,
            &ent,
            policy,
            vec![line(bank_id, "2026-ZY-0102", "Y2026980010003", 200_000)],
        )
        .await;
        upload_submit(s, &ent, a4).await.expect("submit 4");
        let notes = s.notifications(&nanshan, 5).await.expect("notifications");
        assert!(notes[0].text.contains("1 笔资助尚未追回"), "{:?}", notes[0]);
        // The history shows every step with who and when.
        assert!(c.events.len() >= 9, "{}", c.events.len());
        // The enterprise was told at each step awaiting it.
        assert!(
            !s.notifications(&ent, 50)
                .await
                .expect("notifications")
                .is_empty()
        );
        // Files are stored once per content.
        assert_eq!(
            count(s, "SELECT COUNT(*) FROM blobs").await,
            // (the demo's rectification evidence, issue #8, keeps its file in `blobs` too)
            count(
                s,
                "SELECT COUNT(*) FROM (SELECT blob_key FROM application_files UNION SELECT blob_key FROM rectification_evidence) k"
            )
            .await
        );
    }
}

async fn publish(
    s: &Store,
    lead: &Scope,
    doc: &ipfin_domain::policy::document::PolicyDocument,
) -> i64 {
    let r: Result<i64, StoreError> = write!(s, AuditActor::system("lead"), |tx| async {
        let v = s.create_policy(&mut tx, lead, doc).await?;
        Ok(s.prepare_policy_publication(&mut tx, lead, v.id).await?.id)
    });
    // Four eyes: a second person confirms the publication.
    confirm_as(s, 2, lead, r.expect("policy prepared"))
        .await
        .expect("policy published")
        .result_id
        .expect("the version")
}

async fn upload_submit(s: &Store, who: &Scope, id: i64) -> Result<String, StoreError> {
    upload_all(s, who, id).await;
    write!(s, AuditActor::system("applicant"), |tx| s
        .submit_application(&mut tx, who, id, d(TODAY)))
}

async fn review_all(s: &Store, district: &Scope, id: i64) {
    write!(s, officer(1), |tx| s
        .accept_application(&mut tx, district, id, ""))
    .expect("accept");
    for n in 1..=3 {
        write!(s, officer(n), |tx| s.pass_review(
            &mut tx,
            district,
            id,
            &[],
            ""
        ))
        .expect("pass");
    }
}

#[tokio::test]
async fn institution_and_securitisation_kinds_the_vault_and_due_supervision() {
    for db in TestDb::all().await {
        let db = db.with_demo_at(d(TODAY)).await;
        let s = &db.store;
        let (bank_id, bank, ent, nanshan) = nanshan_parties(s).await;
        let policy = published(s, "440305").await;

        // A bank's reward: 1% of the financed amount of its IP pledge loans of 2026 in the
        // district (issue #19 item 1). The loan has other collateral: 5,000,000.00 principal,
        // 4,000,000.00 secured, IP 60% as the bank reported → 2,400,000.00 → 24,000.00 (the
        // whole principal once gave 50,000.00).
        let mut mixed = ipfin_store::testing::fixtures::pledge_loan(
            "2026-ZY-0200",
            "Y2026980010201",
            "202310123456.6",
        );
        mixed.terms.other_collateral = true;
        mixed.terms.ip_ratio = Some(rust_decimal::Decimal::new(6, 1));
        mixed.pledges[0].terms.secured_amount_fen = ipfin_domain::Fen::new(400_000_000);
        write!(s, AuditActor::system("bank"), |tx| s
            .save_loan(&mut tx, &bank, &mixed))
        .expect("loan");
        let new = |kind: Kind, body: Body| NewApplication {
            kind,
            policy_version_id: policy,
            batch: None,
            items: vec![],
            body,
        };
        let e = write!(s, AuditActor::system("bank"), |tx| s.create_application(
            &mut tx,
            &bank,
            new(Kind::EnterpriseFee, Body::default()),
            d(TODAY)
        ))
        .expect_err("a bank applies as an institution only");
        assert!(code_of(e).starts_with("kind:application.kind"));
        let inst: i64 = write!(s, AuditActor::system("bank"), |tx| s.create_application(
            &mut tx,
            &bank,
            new(Kind::Institution, Body::default()),
            d(TODAY)
        ))
        .expect("institution draft");
        assert_eq!(
            s.application(&bank, inst)
                .await
                .expect("detail")
                .slots
                .iter()
                .filter(|x| x.required)
                .count(),
            3
        );
        assert_eq!(
            upload_submit(s, &bank, inst).await.expect("submit"),
            "440305-2026-IN-00001"
        );
        assert_eq!(
            s.application(&bank, inst)
                .await
                .expect("detail")
                .row
                .computed_fen,
            2_400_000
        );
        // The enterprise cannot see the bank's application, nor the bank the enterprise's.
        assert!(matches!(
            s.application(&ent, inst).await,
            Err(StoreError::NotFound)
        ));

        // Securitisation: 70% of interest + guarantee fee (100,000.00 + 20,000.00 → 84,000.00),
        // for at most three years (counted from the records).
        let sc_body = |year: u32| Body {
            year_number: Some(year),
            interest_paid_fen: Fen::new(10_000_000),
            guarantee_fee_fen: Fen::new(2_000_000),
            product: "南山知识产权资产支持专项计划（发行方：示例证券）".into(),
            ..Default::default()
        };
        let sc: i64 = write!(s, AuditActor::system("ent"), |tx| s.create_application(
            &mut tx,
            &ent,
            new(Kind::Securitisation, sc_body(1)),
            d(TODAY)
        ))
        .expect("securitisation draft");
        assert_eq!(
            upload_submit(s, &ent, sc).await.expect("submit"),
            "440305-2026-SC-00001"
        );
        assert_eq!(
            s.application(&ent, sc)
                .await
                .expect("detail")
                .row
                .computed_fen,
            8_400_000
        );
        // The typed year number does not decide (issue #19 item 5): "2" with no earlier grant
        // is the first year (see `securitisation_years_come_from_the_records`).
        let sc2: i64 = write!(s, AuditActor::system("ent"), |tx| s.create_application(
            &mut tx,
            &ent,
            new(Kind::Securitisation, sc_body(2)),
            d(TODAY)
        ))
        .expect("draft");
        assert_eq!(
            upload_submit(s, &ent, sc2).await.expect("submit"),
            "440305-2026-SC-00002"
        );

        // The vault: a licence kept until mid-2027 is attached to a later application; an
        // expired one cannot be stored.
        let e = write!(s, AuditActor::system("ent"), |tx| s.vault_add(
            &mut tx,
            &ent,
            "business_licence",
            "执照.pdf",
            d("2026-01-01"),
            Bytes::from_static(PDF),
            d(TODAY)
        ))
        .expect_err("expired");
        assert!(code_of(e).starts_with("valid_until:vault.expired"));
        let vid: i64 = write!(s, AuditActor::system("ent"), |tx| s.vault_add(
            &mut tx,
            &ent,
            "business_licence",
            "执照.pdf",
            d("2027-06-30"),
            Bytes::from_static(PDF),
            d(TODAY)
        ))
        .expect("vault");
        let draft = new_fee_app(
            s,
            &ent,
            policy,
            vec![line(bank_id, "2026-ZY-0200", "Y2026980010201", 100_000)],
        )
        .await;
        write!(s, AuditActor::system("ent"), |tx| s.attach_vault(
            &mut tx,
            &ent,
            draft,
            vid,
            d(TODAY)
        ))
        .expect("attach");
        let detail = s.application(&ent, draft).await.expect("detail");
        assert!(
            detail
                .files
                .iter()
                .any(|f| f.slot == "business_licence" && f.file_name == "执照.pdf")
        );
        assert!(!detail.missing.contains(&"营业执照".to_string()));
        assert!(
            s.vault(&ent, d("2027-07-01"))
                .await
                .expect("vault")
                .is_empty(),
            "expired documents are not offered"
        );
        assert!(s.vault(&bank, d(TODAY)).await.expect("vault").is_empty());

        // Due supervision runs as a job: the institution application is granted and paid, and
        // its check falls due 180 days after payment.
        review_all(s, &nanshan, inst).await;
        publish_notice(s, &nanshan, "银行奖励公示", &[inst]).await;
        s.end_due_notices(d("2026-12-04")).await.expect("end");
        close_batch(s, &nanshan, inst).await;
        // The district's schedule (issue #18 item 6): every problem of the input at once, and
        // nothing stored; a member department may not set it, another district does not see it.
        let e = write!(s, officer(1), |tx| s.set_check_schedule(
            &mut tx,
            &nanshan,
            "440305",
            "0, 九十, 99999",
            false
        ))
        .expect_err("bad days");
        match e {
            StoreError::Problems(p) => {
                assert_eq!(p.len(), 3, "{p:?}");
                assert!(
                    p.iter()
                        .all(|p| p.path == "days_after" && p.msg.code == "check_schedule.days")
                );
                assert!(p[1].msg.zh.contains("“九十”"), "{}", p[1].msg.zh);
            }
            other => panic!("{other:?}"),
        }
        let e = write!(s, officer(1), |tx| s
            .set_check_schedule(&mut tx, &nanshan, "440305", "", false))
        .expect_err("no check at all");
        assert!(code_of(e).starts_with("days_after:check_schedule.empty"));
        let member = Scope::District {
            code: "440305".into(),
            manage: false,
        };
        let e = write!(s, officer(1), |tx| s
            .set_check_schedule(&mut tx, &member, "440305", "90", false))
        .expect_err("a member department");
        assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
        let futian = Scope::District {
            code: "440304".into(),
            manage: true,
        };
        let e = write!(s, officer(1), |tx| s
            .set_check_schedule(&mut tx, &futian, "440305", "90", false))
        .expect_err("another district");
        assert!(matches!(e, StoreError::NotFound), "{e:?}");
        assert!(matches!(
            s.check_schedule(&futian, "440305").await,
            Err(StoreError::NotFound)
        ));
        let before = s.check_schedule(&member, "440305").await.expect("read");
        assert_eq!(before.schedule.days_after, vec![180]);
        assert_eq!(before.set_at, None, "still the default");
        let set = write!(s, officer(1), |tx| s
            .set_check_schedule(&mut tx, &nanshan, "440305", "180，90", true))
        .expect("schedule");
        assert_eq!(set.schedule.days_after, vec![90, 180]);
        assert_eq!(
            s.check_schedule(&member, "440305").await.expect("read"),
            set
        );

        pay(s, &nanshan, inst, "2026-12-10", 2_400_000, "CZ-IN-1").await;
        // An ad-hoc check right after payment leaves both scheduled checks pending.
        let findings = write!(s, officer(1), |tx| s
            .run_supervision(&mut tx, &nanshan, inst))
        .expect("ad hoc");
        assert!(findings.is_empty(), "{findings:?}");
        let pending = |c: &ipfin_store::application::ApplicationDetail| {
            c.checks
                .iter()
                .filter(|c| c.kind == "scheduled" && c.done_at.is_none())
                .map(|c| c.due_on)
                .collect::<Vec<_>>()
        };
        let c = s.application(&bank, inst).await.expect("detail");
        // No loan lines: nothing at maturity.
        assert_eq!(pending(&c), vec![d("2027-03-10"), d("2027-06-08")]);
        assert_eq!(
            s.run_due_supervision(d("2027-03-09"))
                .await
                .expect("not yet"),
            0
        );
        assert_eq!(
            s.run_due_supervision(d("2027-03-10")).await.expect("due"),
            1
        );
        let c = s.application(&bank, inst).await.expect("detail");
        assert_eq!(pending(&c), vec![d("2027-06-08")]);
        assert_eq!(
            s.run_due_supervision(d("2027-06-07"))
                .await
                .expect("not yet"),
            0
        );
        assert_eq!(
            s.run_due_supervision(d("2027-06-08")).await.expect("due"),
            1
        );
        let c = s.application(&bank, inst).await.expect("detail");
        assert!(pending(&c).is_empty());
        assert_eq!(c.checks.len(), 3, "two scheduled and one ad hoc");
        assert!(c.checks.iter().all(|c| c.outcome.as_deref() == Some("ok")));
        assert_eq!(c.row.state(), State::Disbursed);
    }
}

/// Records an earlier policy year's securitisation grant of `org` under `policy`'s series
/// (as an earlier year's workflow, or a migration of the old system's records, leaves it).
async fn earlier_securitisation(
    s: &Store,
    policy: i64,
    org: i64,
    year: i32,
    state: &str,
    granted: i64,
) {
    ipfin_store::db::exec(
        s.conn(),
        "INSERT INTO applications (kind, district_code, policy_version_id, policy_year, batch_name, applicant_org_id, \
         state, workflow, items, body, computed_fen, approved_fen, granted_fen, disbursed_fen, created_at, updated_at) \
         VALUES ('securitisation', '440305', ?, ?, '历年', ?, ?, '{}', '', '{}', ?, ?, ?, 0, 0, 0)",
        vec![
            policy.into(),
            year.into(),
            org.into(),
            state.to_string().into(),
            granted.into(),
            granted.into(),
            granted.into(),
        ],
    )
    .await
    .expect("earlier year");
}

/// Issue #19 item 5: "at most 3 years" counts the enterprise's earlier granted securitisation
/// support under the same policy from the records; a year-4 applicant who types 1 is refused,
/// and the derivation says which year the records make it.
#[tokio::test]
async fn securitisation_years_come_from_the_records() {
    for db in TestDb::all().await {
        let db = db.with_demo_at(d(TODAY)).await;
        let s = &db.store;
        let org = org_id(s, "深圳市南山示例科技有限公司").await;
        let ent = &Scope::Enterprise {
            org_id: ipfin_domain::id::OrgId::new(org),
        };
        let policy = published(s, "440305").await;
        let apply = |typed: u32| {
            let body = Body {
                year_number: Some(typed),
                interest_paid_fen: Fen::new(10_000_000),
                guarantee_fee_fen: Fen::new(2_000_000),
                product: "南山知识产权资产支持专项计划（发行方：示例证券）".into(),
                ..Default::default()
            };
            async move {
                let id: i64 = write!(s, AuditActor::system("ent"), |tx| s.create_application(
                    &mut tx,
                    ent,
                    NewApplication {
                        kind: Kind::Securitisation,
                        policy_version_id: policy,
                        batch: None,
                        items: vec![],
                        body: body.clone(),
                    },
                    d(TODAY)
                ))
                .expect("draft");
                (id, upload_submit(s, ent, id).await)
            }
        };
        // Granted in 2023 and 2024; 2025's application was rejected (no grant), and a
        // zero grant does not count: this is the third year, whatever is typed.
        earlier_securitisation(s, policy, org, 2023, "disbursed", 500_000).await;
        earlier_securitisation(s, policy, org, 2024, "cleared", 700_000).await;
        earlier_securitisation(s, policy, org, 2025, "rejected", 0).await;
        earlier_securitisation(s, policy, org, 2025, "granted", 0).await;
        let (third, r) = apply(5).await;
        assert_eq!(r.expect("third year"), "440305-2026-SC-00001");
        let detail = s.application(ent, third).await.expect("detail");
        assert_eq!(detail.row.computed_fen, 8_400_000);
        assert!(
            detail
                .derivation
                .iter()
                .any(|l| l.contains("此前已有 2 个年度")
                    && l.contains("本次为第 3 年")
                    && l.contains("申请人填写为第 5 年")),
            "{:?}",
            detail.derivation
        );
        // 2025 granted too: the fourth year. Typing 1 does not help.
        earlier_securitisation(s, policy, org, 2025, "disbursed", 300_000).await;
        let (_, r) = apply(1).await;
        let e = code_of(r.expect_err("fourth year"));
        assert!(e.starts_with("application.policy_conditions"), "{e}");
        assert!(e.contains("本次为第 4 年"), "{e}");
        // The refused submission used no number.
        assert_eq!(
            count(
                s,
                "SELECT COUNT(*) FROM applications WHERE number = '440305-2026-SC-00002'"
            )
            .await,
            0
        );
    }
}

#[tokio::test]
async fn pro_rata_cut_sums_to_the_budget_and_double_dipping_is_blocked_across_districts() {
    for db in TestDb::all().await {
        let db = db.with_demo_at(d(TODAY)).await;
        let s = &db.store;
        let (bank_id, bank, ent, nanshan) = nanshan_parties(s).await;
        // A Nanshan policy with a budget of 10,000.00, cut pro rata.
        let mut doc = ipfin_store::demo::demo_policy_at("440305", "南山区", d(TODAY));
        doc.title = "南山区知识产权质押融资贴息（预算测试）".into();
        doc.budget = Some(ipfin_domain::policy::document::Budget {
            total_fen: ipfin_domain::Fen::new(1_000_000),
            mode: ipfin_domain::policy::BudgetMode::ProRata,
        });
        let policy = publish(s, &nanshan, &doc).await;
        report_loan(s, &bank, "2026-ZY-0300", "Y2026980010301", "202310123456.6").await;
        report_loan(s, &bank, "2026-ZY-0301", "Y2026980010302", "202310234567.4").await;
        // 70% of 10,000.00 = 7,000.00 and 70% of 5,000.00 = 3,500.00: 10,500.00 asked.
        let a = new_fee_app(
            s,
            &ent,
            policy,
            vec![line(bank_id, "2026-ZY-0300", "Y2026980010301", 1_000_000)],
        )
        .await;
        let b = new_fee_app(
            s,
            &ent,
            policy,
            vec![line(bank_id, "2026-ZY-0301", "Y2026980010302", 500_000)],
        )
        .await;
        for id in [a, b] {
            upload_submit(s, &ent, id).await.expect("submit");
            review_all(s, &nanshan, id).await;
        }
        publish_notice(s, &nanshan, "预算测试公示", &[a, b]).await;
        s.end_due_notices(d("2026-12-04")).await.expect("end");
        close_batch(s, &nanshan, a).await;
        let ga = s
            .application(&ent, a)
            .await
            .expect("a")
            .row
            .granted_fen
            .expect("granted")
            .get();
        let gb = s
            .application(&ent, b)
            .await
            .expect("b")
            .row
            .granted_fen
            .expect("granted")
            .get();
        // 7,000 × 10,000 / 10,500 = 6,666.666… and 3,500 × … = 3,333.333…: the remainder fen
        // goes to the larger fraction, so the sum is the budget exactly.
        assert_eq!((ga, gb), (666_667, 333_333));
        assert_eq!(ga + gb, 1_000_000);
        assert!(
            s.application(&ent, a)
                .await
                .expect("a")
                .events
                .iter()
                .any(|e| e.comment.contains("预算"))
        );

        // First come first served (用完即止) by acceptance time: the first accepted gets all it
        // asked, the second what is left.
        doc.title = "南山区知识产权质押融资贴息（先到先得测试）".into();
        doc.budget = Some(ipfin_domain::policy::document::Budget {
            total_fen: ipfin_domain::Fen::new(1_000_000),
            mode: ipfin_domain::policy::BudgetMode::FirstComeFirstServed,
        });
        let fcfs = publish(s, &nanshan, &doc).await;
        report_loan(s, &bank, "2026-ZY-0310", "Y2026980010310", "202310123456.6").await;
        report_loan(s, &bank, "2026-ZY-0311", "Y2026980010311", "202310234567.4").await;
        let first = new_fee_app(
            s,
            &ent,
            fcfs,
            vec![line(bank_id, "2026-ZY-0310", "Y2026980010310", 1_000_000)],
        )
        .await;
        let second = new_fee_app(
            s,
            &ent,
            fcfs,
            vec![line(bank_id, "2026-ZY-0311", "Y2026980010311", 500_000)],
        )
        .await;
        for id in [first, second] {
            upload_submit(s, &ent, id).await.expect("submit");
            review_all(s, &nanshan, id).await;
        }
        publish_notice(s, &nanshan, "先到先得公示", &[second, first]).await;
        s.end_due_notices(d("2026-12-04")).await.expect("end");
        close_batch(s, &nanshan, first).await;
        assert_eq!(
            s.application(&ent, first)
                .await
                .expect("first")
                .row
                .granted_fen
                .map(Fen::get),
            Some(700_000)
        );
        assert_eq!(
            s.application(&ent, second)
                .await
                .expect("second")
                .row
                .granted_fen
                .map(Fen::get),
            Some(300_000)
        );

        // Double-dipping across districts: the Futian enterprise claims the same bank contract;
        // Futian's officer is blocked with a pointer to the Nanshan application.
        let ft_ent = Scope::Enterprise {
            org_id: ipfin_domain::id::OrgId::new(org_id(s, "深圳市福田样本电子有限公司").await),
        };
        let futian = Scope::District {
            code: "440304".into(),
            manage: true,
        };
        let ft_policy = published(s, "440304").await;
        let mut l = line(bank_id, "2026-ZY-0300", "Y2026980010301", 1_000_000);
        l.end = d("2027-02-28");
        let c = new_fee_app(s, &ft_ent, ft_policy, vec![l]).await;
        upload_submit(s, &ft_ent, c)
            .await
            .expect("submit in Futian");
        let e = write!(s, officer(7), |tx| s
            .accept_application(&mut tx, &futian, c, ""))
        .expect_err("double");
        let text = code_of(e);
        assert!(
            text.starts_with("application.double_dipping") && text.contains("440305-2026-EF-00001"),
            "{text}"
        );
    }
}

/// Issue #19 item 2 by hand: one batch of three applications (7,000.00, 3,500.00 and 3,500.00
/// approved, 14,000.00 against a budget of 10,000.00, pro rata) published in two notices. The
/// first notice's end grants nothing (the third is still in notice); the second's end — the
/// batch's window over — cuts all three by the same 5/7: 5,000.00, 2,500.00, 2,500.00. Per
/// notice the first two would have had 6,666.67 and 3,333.33 and the third nothing.
#[tokio::test]
async fn a_batch_split_over_two_notices_is_cut_by_one_proportion() {
    use ipfin_domain::confirmation::Step;
    for db in TestDb::all().await {
        let db = db.with_demo_at(d(TODAY)).await;
        let s = &db.store;
        let (bank_id, bank, ent, nanshan) = nanshan_parties(s).await;
        let mut doc = ipfin_store::demo::demo_policy_at("440305", "南山区", d(TODAY));
        doc.title = "南山区知识产权质押融资贴息（批次预算测试）".into();
        doc.budget = Some(ipfin_domain::policy::document::Budget {
            total_fen: ipfin_domain::Fen::new(1_000_000),
            mode: ipfin_domain::policy::BudgetMode::ProRata,
        });
        doc.batches = vec![ipfin_domain::policy::document::Batch {
            name: "2026 年十一月批".into(),
            opens: d("2026-11-01"),
            closes: d("2026-11-30"),
        }];
        let policy = publish(s, &nanshan, &doc).await;
        report_loan(s, &bank, "2026-ZY-0400", "Y2026980010401", "202310123456.6").await;
        report_loan(s, &bank, "2026-ZY-0401", "Y2026980010402", "202310234567.4").await;
        report_loan(s, &bank, "2026-ZY-0402", "Y2026980010403", "202310123456.6").await;
        let mut ids = Vec::new();
        for (contract, pledge, interest) in [
            ("2026-ZY-0400", "Y2026980010401", 1_000_000),
            ("2026-ZY-0401", "Y2026980010402", 500_000),
            ("2026-ZY-0402", "Y2026980010403", 500_000),
        ] {
            let id = new_fee_app(
                s,
                &ent,
                policy,
                vec![line(bank_id, contract, pledge, interest)],
            )
            .await;
            upload_submit(s, &ent, id).await.expect("submit");
            review_all(s, &nanshan, id).await;
            ids.push(id);
        }
        let (a, b, c) = (ids[0], ids[1], ids[2]);
        let approved: Vec<Option<i64>> = {
            let mut v = Vec::new();
            for id in &ids {
                v.push(
                    s.application(&ent, *id)
                        .await
                        .expect("app")
                        .row
                        .approved_fen
                        .map(Fen::get),
                );
            }
            v
        };
        assert_eq!(approved, vec![Some(700_000), Some(350_000), Some(350_000)]);

        // The first notice leaves c out: publishing it warns that it splits the batch.
        let first = write!(s, officer(1), |tx| s.prepare_notice(
            &mut tx,
            &nanshan,
            "批次拆分公示一",
            &[a, b],
            d(TODAY),
            5,
            d(TODAY)
        ))
        .expect("first notice prepared");
        let Step::Notice(n) = first.step() else {
            panic!("a notice step")
        };
        assert_eq!(n.warnings.len(), 1, "{:?}", n.warnings);
        assert!(n.warnings[0].contains("2026 年十一月批") && n.warnings[0].contains("1 件"));
        assert!(first.summary.contains("注意"));
        confirm_as(s, 2, &nanshan, first.id)
            .await
            .expect("first notice");
        let second = write!(s, officer(1), |tx| s.prepare_notice(
            &mut tx,
            &nanshan,
            "批次拆分公示二",
            &[c],
            d("2026-11-30"),
            5,
            d(TODAY)
        ))
        .expect("second notice prepared");
        let Step::Notice(n2) = second.step() else {
            panic!("a notice step")
        };
        assert!(
            n2.warnings.is_empty(),
            "the rest of the batch is in a notice"
        );
        confirm_as(s, 2, &nanshan, second.id)
            .await
            .expect("second notice");

        // 4 December: the first notice has ended, the second not: nothing granted yet.
        assert_eq!(s.end_due_notices(d("2026-12-04")).await.expect("end"), 1);
        for id in [a, b, c] {
            let r = s.application(&ent, id).await.expect("app").row;
            assert_eq!((r.state(), r.granted_fen), (State::InNotice, None));
        }
        let waiting = s
            .batches_awaiting(&nanshan, d("2026-12-04"))
            .await
            .expect("batches");
        let w = waiting
            .iter()
            .find(|w| w.batch_name == "2026 年十一月批")
            .expect("the batch awaits");
        assert_eq!(
            (
                w.cleared,
                w.cleared_fen,
                w.before_notice_end,
                w.window_over,
                w.closed
            ),
            (2, Fen::new(1_050_000), 1, true, false)
        );

        // 7 December: the second notice has ended; the batch is complete and allocated as one.
        assert_eq!(s.end_due_notices(d("2026-12-07")).await.expect("end"), 1);
        let mut granted = Vec::new();
        for id in [a, b, c] {
            let r = s.application(&ent, id).await.expect("app");
            assert_eq!(r.row.state(), State::Granted);
            assert!(
                r.events
                    .iter()
                    .any(|e| e.comment.contains("2026 年十一月批") && e.comment.contains("调减")),
                "{:?}",
                r.events.iter().map(|e| &e.comment).collect::<Vec<_>>()
            );
            granted.push(r.row.granted_fen.expect("granted").get());
        }
        assert_eq!(granted, vec![500_000, 250_000, 250_000]);
        assert_eq!(granted.iter().sum::<i64>(), 1_000_000);
        assert!(
            s.batches_awaiting(&nanshan, d("2026-12-07"))
                .await
                .expect("batches")
                .iter()
                .all(|w| w.batch_name != "2026 年十一月批")
        );
        // Closing it now is refused: nothing of it awaits.
        let e = write!(s, officer(1), |tx| s.prepare_batch_close(
            &mut tx,
            &nanshan,
            policy,
            "2026 年十一月批"
        ))
        .expect_err("nothing to close");
        assert!(
            code_of(e).starts_with("batch.nothing_cleared"),
            "{}",
            db.name
        );
        let e = write!(s, officer(1), |tx| s.prepare_batch_close(
            &mut tx,
            &nanshan,
            policy,
            "没有这个批次"
        ))
        .expect_err("no such batch");
        assert!(
            code_of(e).starts_with("batch_name:batch.unknown"),
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn concurrent_submissions_get_gapless_numbers() {
    for db in TestDb::all().await {
        let db = db.with_demo_at(d(TODAY)).await;
        let s = &db.store;
        let bank_id = org_id(s, "深南银行深圳分行").await;
        let ent = Scope::Enterprise {
            org_id: ipfin_domain::id::OrgId::new(org_id(s, "深圳市南山示例科技有限公司").await),
        };
        let policy = published(s, "440305").await;
        let mut ids = Vec::new();
        for i in 0..12 {
            let id = new_fee_app(
                s,
                &ent,
                policy,
                vec![line(
                    bank_id,
                    &format!("2026-CC-{i:03}"),
                    &format!("Y20269800199{i:02}"),
                    10_000,
                )],
            )
            .await;
            upload_all(s, &ent, id).await;
            ids.push(id);
        }
        let tasks: Vec<_> = ids
            .iter()
            .map(|id| {
                let (s, ent, id) = (s.clone(), ent.clone(), *id);
                tokio::spawn(async move {
                    let mut tx = s.write(AuditActor::system("ent")).await.expect("tx");
                    let n = s
                        .submit_application(&mut tx, &ent, id, d(TODAY))
                        .await
                        .expect("submit");
                    tx.commit().await.expect("commit");
                    n
                })
            })
            .collect();
        let mut numbers = Vec::new();
        for t in tasks {
            numbers.push(t.await.expect("task"));
        }
        numbers.sort();
        let expected: Vec<String> = (1..=12).map(|n| format!("440305-2026-EF-{n:05}")).collect();
        assert_eq!(numbers, expected);
    }
}

/// The attack of issue #17 item 2: an officer who administered the applicant's account, or
/// the account of another signer, cannot sign the application; the refusal names who did what.
#[tokio::test]
async fn nobody_signs_an_application_whose_people_they_administered() {
    for db in TestDb::all().await {
        let db = db.with_demo_at(d(TODAY)).await;
        let s = &db.store;
        let bank_id = org_id(s, "深南银行深圳分行").await;
        let bank = Scope::Institution {
            org_id: ipfin_domain::id::OrgId::new(bank_id),
        };
        report_loan(s, &bank, "2026-SD-0001", "Y2026980030001", "202310123456.6").await;
        let ent = Scope::Enterprise {
            org_id: ipfin_domain::id::OrgId::new(org_id(s, "深圳市南山示例科技有限公司").await),
        };
        let nanshan = Scope::District {
            code: "440305".into(),
            manage: true,
        };
        let user_id = |name: &'static str| async move {
            fetch_i64(
                s.conn(),
                "SELECT id FROM users WHERE username = ?",
                vec![name.into()],
            )
            .await
            .expect("user")
        };
        let (ent_user, officer_a, checker, approver, useradmin) = (
            user_id("ent.user").await,
            user_id("ns.officer").await,
            user_id("ns.checker").await,
            user_id("ns.approver").await,
            user_id("ns.useradmin").await,
        );
        let as_user = |id: i64, name: &str| AuditActor::user(id, name);
        // The officer resets the enterprise user's password (allowed: it carries no review
        // rights) — and could now act as the applicant.
        let link = write!(s, as_user(officer_a, "ns.officer"), |tx| s.reset_password(
            &mut tx,
            &nanshan,
            &Administrator::Reviewer("440305".into()),
            ent_user
        ))
        .expect("reset");
        write!(s, AuditActor::system("anonymous"), |tx| s.activate(
            &mut tx,
            &link.token,
            "Ent-User-Password-2026"
        ))
        .expect("activate");
        // The enterprise's user files the application.
        let policy = published(s, "440305").await;
        let id: i64 = write!(s, as_user(ent_user, "ent.user"), |tx| s.create_application(
            &mut tx,
            &ent,
            NewApplication {
                kind: Kind::EnterpriseFee,
                policy_version_id: policy,
                batch: None,
                items: vec![Item::Interest],
                body: Body {
                    lines: vec![line(bank_id, "2026-SD-0001", "Y2026980030001", 600_000)],
                    ..Default::default()
                },
            },
            d(TODAY),
        ))
        .expect("create");
        upload_all(s, &ent, id).await;
        write!(s, as_user(ent_user, "ent.user"), |tx| s.submit_application(
            &mut tx,
            &ent,
            id,
            d(TODAY)
        ))
        .expect("submit");
        write!(s, as_user(checker, "ns.checker"), |tx| s
            .accept_application(&mut tx, &nanshan, id, ""))
        .expect("accept");
        let before = count(s, "SELECT COUNT(*) FROM audit_events").await;
        let e = write!(s, as_user(officer_a, "ns.officer"), |tx| s.pass_review(
            &mut tx,
            &nanshan,
            id,
            &[],
            ""
        ))
        .expect_err("conflict");
        let c = code_of(e);
        assert!(c.starts_with("duty.account_conflict|"), "{}: {c}", db.name);
        assert!(
            c.contains("ns.officer") && c.contains("重置") && c.contains("申报人用户"),
            "{c}"
        );
        assert_eq!(
            count(s, "SELECT COUNT(*) FROM audit_events").await,
            before,
            "nothing changed"
        );
        // A sock puppet: the user administrator opens an officer account, and the approver
        // activates it while signed in — the approver has "activated" the puppet's account.
        let lead = org_id(s, "南山区市场监督管理局").await;
        let (puppet, puppet_link) = write!(s, as_user(useradmin, "ns.useradmin"), |tx| s
            .create_user(
                &mut tx,
                &nanshan,
                &Administrator::District("440305".into()),
                NewUser {
                    organisation_id: lead,
                    username: "ns.puppet".into(),
                    display_name: "马甲".into(),
                    roles: vec![Role::DistrictOfficer],
                    password: None,
                    temporary: false,
                },
            ))
        .expect("create");
        write!(s, as_user(approver, "ns.approver"), |tx| s.activate(
            &mut tx,
            &puppet_link.expect("link").token,
            "Puppet-Password-2026"
        ))
        .expect("activated by the approver");
        write!(s, as_user(checker, "ns.checker"), |tx| s.pass_review(
            &mut tx,
            &nanshan,
            id,
            &[],
            ""
        ))
        .expect("经办 by a person without conflict");
        write!(s, as_user(approver, "ns.approver"), |tx| s.pass_review(
            &mut tx,
            &nanshan,
            id,
            &[],
            ""
        ))
        .expect("复核");
        let e = write!(s, as_user(puppet.id, "ns.puppet"), |tx| s.pass_review(
            &mut tx,
            &nanshan,
            id,
            &[],
            ""
        ))
        .expect_err("the puppet signs 审批");
        let c = code_of(e);
        assert!(
            c.starts_with("duty.account_conflict|")
                && c.contains("激活")
                && c.contains("另一签署人"),
            "{c}"
        );
        // A user event whose subject is not a user id cannot be read past: separation of
        // duties is then undecidable, and the step is refused as an internal error instead of
        // the event being skipped (issue #16 item 4).
        let mut tx = s.write(as_user(checker, "ns.checker")).await.expect("tx");
        tx.audit(
            "user.reset_password",
            "user",
            "not-an-id",
            serde_json::json!({}),
        )
        .await
        .expect("event");
        tx.commit().await.expect("commit");
        let cashier = user_id("ns.cashier").await;
        let e = write!(s, as_user(cashier, "ns.cashier"), |tx| s.pass_review(
            &mut tx,
            &nanshan,
            id,
            &[],
            ""
        ))
        .expect_err("undecidable");
        assert!(matches!(e, StoreError::Internal(_)), "{}: {e:?}", db.name);
        db.cleanup().await;
    }
}

/// Issue #18 items 1, 2 and 7: the grant is computed on what the bank reported; a stated figure
/// above the report is decided by 经办 with a reason (and evidence to accept it); a loan no bank
/// reported — or another enterprise's loan — cannot be accepted; eligibility is proved again at
/// acceptance and at grant, with its evidence kept; 复核 returns to 经办 internally.
#[tokio::test]
async fn grants_rest_on_reported_figures_and_eligibility_is_proved_at_every_decision() {
    for db in TestDb::all().await {
        let db = db.with_demo_at(d(TODAY)).await;
        let s = &db.store;
        let bank_id = org_id(s, "深南银行深圳分行").await;
        let bank = Scope::Institution {
            org_id: ipfin_domain::id::OrgId::new(bank_id),
        };
        report_loan(s, &bank, "2026-VF-0001", "Y2026980090001", "202310123456.6").await;
        let ent = Scope::Enterprise {
            org_id: ipfin_domain::id::OrgId::new(org_id(s, "深圳市南山示例科技有限公司").await),
        };
        let nanshan = Scope::District {
            code: "440305".into(),
            manage: true,
        };
        let policy = published(s, "440305").await;

        // The applicant states a principal of 6,000,000.00 where the bank reported 5,000,000.00,
        // and claims a loan no bank has reported.
        let mut inflated = line(bank_id, "2026-VF-0001", "Y2026980090001", 1_000_000);
        inflated.principal_fen = Fen::new(600_000_000);
        let unreported = line(bank_id, "2026-VF-0002", "Y2026980090002", 500_000);
        let a = new_fee_app(s, &ent, policy, vec![inflated, unreported]).await;
        // An unsubmitted draft is the enterprise's own: officers neither list nor open it, and
        // it is no work in their queue (item 7).
        assert!(matches!(
            s.application(&nanshan, a).await,
            Err(StoreError::NotFound)
        ));
        let listed = s
            .applications(
                &nanshan,
                &Default::default(),
                ipfin_store::Page::new(Some(1), Some(200)),
            )
            .await
            .expect("list");
        assert!(listed.items.iter().all(|r| r.id != a));
        assert!(s.application(&ent, a).await.is_ok());
        upload_submit(s, &ent, a).await.expect("submit");
        let queue = s.application_queue(&nanshan).await.expect("queue");
        let submitted = queue
            .iter()
            .find(|q| q.state == "submitted")
            .expect("submitted line");
        assert!(submitted.due_on().is_some());
        assert!(
            queue.iter().all(|q| matches!(
                q.state.as_str(),
                "submitted" | "accepted" | "reviewed" | "under_investigation"
            )),
            "{queue:?}"
        );
        let detail = s.application(&ent, a).await.expect("detail");
        // Eligibility at submission is kept with its evidence and source.
        assert_eq!(detail.eligibility.len(), 1);
        let check = &detail.eligibility[0];
        assert!(check.eligible);
        assert_eq!(check.step.code(), "submit");
        assert!(
            check
                .conditions
                .iter()
                .any(|c| c.code == "taxed_in_district" && c.evidence.contains("440305")),
            "{check:?}"
        );
        // The derivation says which figure was used and why.
        assert!(
            detail
                .derivation
                .iter()
                .any(|l| l.contains("贷款本金：采用报送数 5,000,000.00")),
            "{:?}",
            detail.derivation
        );
        assert!(
            detail
                .derivation
                .iter()
                .any(|l| l.contains("2026-VF-0002") && l.contains("银行尚未报送")),
            "{:?}",
            detail.derivation
        );
        // The enterprise was told which bank must report what.
        let told = s.notifications(&ent, 50).await.expect("notifications");
        assert!(
            told.iter()
                .any(|n| n.text.contains("2026-VF-0002") && n.text.contains("深南银行深圳分行")),
            "{told:?}"
        );

        // Acceptance is refused until the bank reports the loan; nothing changes.
        let e = write!(s, officer(1), |tx| s
            .accept_application(&mut tx, &nanshan, a, ""))
        .expect_err("unreported");
        assert!(
            code_of(e).starts_with("application.loan_unreported|贷款“深南银行深圳分行 2026-VF-0002”尚未由深南银行深圳分行报送")
        );
        assert_eq!(
            s.application(&ent, a).await.expect("a").row.state(),
            State::Submitted
        );

        // Eligibility at acceptance: the enterprise moved its tax registration to Futian after
        // submitting — refused, naming the condition and its evidence.
        let eid = fetch_i64(
            s.conn(),
            "SELECT id FROM enterprises WHERE organisation_id = ?",
            vec![org_id(s, "深圳市南山示例科技有限公司").await.into()],
        )
        .await
        .expect("enterprise");
        let set_tax = |district: &'static str| {
            let conn = s.conn().clone();
            async move {
                ipfin_store::db::exec(
                    &conn,
                    "UPDATE enterprises SET tax_district = ? WHERE id = ?",
                    vec![district.into(), eid.into()],
                )
                .await
                .expect("tax district")
            }
        };
        report_loan(s, &bank, "2026-VF-0002", "Y2026980090002", "202310234567.4").await;
        set_tax("440304").await;
        let e = write!(s, officer(1), |tx| s
            .accept_application(&mut tx, &nanshan, a, ""))
        .expect_err("moved away");
        let text = code_of(e);
        assert!(
            text.starts_with("application.not_eligible|受理时核验申请条件未通过：纳税地在南山区")
                && text.contains("纳税地为 440304"),
            "{text}"
        );
        set_tax("440305").await;
        let diffs = write!(s, officer(1), |tx| s
            .accept_application(&mut tx, &nanshan, a, ""))
        .expect("accept");
        assert_eq!(
            diffs
                .iter()
                .map(|d| (d.line, d.field.as_str()))
                .collect::<Vec<_>>(),
            [(0, "principal_fen")]
        );

        // 经办 cannot pass with the difference undecided.
        let e = write!(s, officer(1), |tx| s.pass_review(
            &mut tx,
            &nanshan,
            a,
            &[],
            ""
        ))
        .expect_err("undecided");
        assert!(code_of(e).starts_with("differences:application.differences_undecided"));
        // Accepting the stated figure without evidence or reason: both problems at once.
        use ipfin_domain::application::figures::{Choice, DecisionInput};
        let bad = DecisionInput {
            line: 0,
            field: "principal_fen".into(),
            choice: Choice::AcceptStated,
            reason: String::new(),
            evidence_file_id: None,
        };
        let e = write!(s, officer(1), |tx| s.decide_differences(
            &mut tx,
            &nanshan,
            a,
            std::slice::from_ref(&bad)
        ))
        .expect_err("no reason, no evidence");
        let StoreError::Problems(list) = e else {
            panic!("{e:?}")
        };
        assert_eq!(
            list.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(),
            ["decisions[0].reason", "decisions[0].evidence_file_id"]
        );
        // The applicant cannot decide anything.
        assert!(
            write!(s, AuditActor::system("ent"), |tx| s.decide_differences(
                &mut tx,
                &ent,
                a,
                std::slice::from_ref(&bad)
            ))
            .is_err()
        );
        let before = s
            .application(&nanshan, a)
            .await
            .expect("a")
            .row
            .computed_fen;
        let diffs = write!(s, officer(1), |tx| s.decide_differences(
            &mut tx,
            &nanshan,
            a,
            &[DecisionInput {
                line: 0,
                field: "principal_fen".into(),
                choice: Choice::KeepReported,
                reason: "以银行报送的借款借据为准".into(),
                evidence_file_id: None,
            }]
        ))
        .expect("decide");
        assert_eq!(ipfin_domain::application::figures::undecided(&diffs), 0);
        let after = s.application(&nanshan, a).await.expect("a");
        assert_eq!(
            after.row.computed_fen, before,
            "the reported principal was used already"
        );
        assert!(
            after.differences[0]
                .decision
                .as_ref()
                .is_some_and(|d| d.reason.contains("借款借据"))
        );
        assert!(
            after
                .events
                .iter()
                .any(|e| e.action == "decide_differences" && e.comment.contains("采用报送数"))
        );
        // Both loans' 10,000.00 + 5,000.00 of reported interest at 70% = 10,500.00.
        assert_eq!(after.row.computed_fen, 1_050_000);

        // 经办 passes; 复核 returns it internally to 经办 with a reason; 经办 signs again.
        write!(s, officer(1), |tx| s.pass_review(
            &mut tx,
            &nanshan,
            a,
            &[],
            "经办"
        ))
        .expect("first");
        let e = write!(s, officer(2), |tx| s
            .return_internal(&mut tx, &nanshan, a, " "))
        .expect_err("no reason");
        assert!(code_of(e).starts_with("note:application.internal_return_reason"));
        write!(s, officer(2), |tx| s.return_internal(
            &mut tx,
            &nanshan,
            a,
            "贷款用途说明不清，请经办核实"
        ))
        .expect("internal return");
        let back = s.application(&ent, a).await.expect("a");
        assert_eq!(
            (back.row.state(), back.row.stage.as_deref()),
            (State::Accepted, Some("first"))
        );
        for n in 1..=3 {
            write!(s, officer(n), |tx| s.pass_review(
                &mut tx,
                &nanshan,
                a,
                &[],
                ""
            ))
            .expect("review");
        }

        // Eligibility at grant: the enterprise moves away during the notice — not granted,
        // nothing taken from the budget, the check kept.
        publish_notice(s, &nanshan, "差异认定测试公示", &[a]).await;
        set_tax("440304").await;
        s.end_due_notices(d("2026-12-04")).await.expect("end");
        close_batch(s, &nanshan, a).await;
        let end = s.application(&ent, a).await.expect("a");
        assert_eq!(end.row.state(), State::Rejected);
        assert_eq!(end.row.granted_fen, None);
        let steps: Vec<(&str, bool)> = end
            .eligibility
            .iter()
            .map(|c| (c.step.code(), c.eligible))
            .collect();
        // The grant's check runs when the batch's closing is prepared and again when it is
        // confirmed (issue #19 item 2): both kept.
        assert_eq!(
            steps,
            [
                ("submit", true),
                ("accept", true),
                ("grant", false),
                ("grant", false)
            ]
        );
        assert!(end.events.iter().any(
            |e| e.action == "disqualify" && e.comment.contains("资助确定时核验申请条件未通过")
        ));

        // Another enterprise cannot claim this enterprise's loan: no bank reported it for them.
        let ft_ent = Scope::Enterprise {
            org_id: ipfin_domain::id::OrgId::new(org_id(s, "深圳市福田样本电子有限公司").await),
        };
        let futian = Scope::District {
            code: "440304".into(),
            manage: true,
        };
        let ft_policy = published(s, "440304").await;
        report_loan(s, &bank, "2026-VF-0003", "Y2026980090003", "202310123456.6").await;
        let c = new_fee_app(
            s,
            &ft_ent,
            ft_policy,
            vec![line(bank_id, "2026-VF-0003", "Y2026980090003", 500_000)],
        )
        .await;
        upload_submit(s, &ft_ent, c)
            .await
            .expect("submit in Futian");
        let e = write!(s, officer(7), |tx| s
            .accept_application(&mut tx, &futian, c, ""))
        .expect_err("not theirs");
        assert!(code_of(e).starts_with("application.loan_unreported"));
    }
}

/// Issue #19 item 3 by hand, on both databases: the interest item is capped at 8,000.00 per
/// enterprise per policy year, beside 70% per application. A asks 10,000.00 × 70% = 7,000.00
/// (8,000.00 remain); B, later in the same year, 5,000.00 × 70% = 3,500.00 but only 1,000.00
/// remain; C under the policy's next version (same series, same year) gets nothing. B's
/// recalculation at acceptance does not count B itself (still 1,000.00). Once A is not accepted
/// (it no longer reserves), C's acceptance finds 7,000.00 remaining and keeps its 3,500.00.
/// An approval above what remains by the records of the moment is refused.
#[tokio::test]
async fn an_items_annual_cap_counts_the_enterprises_other_applications_of_the_year() {
    for db in TestDb::all().await {
        let db = db.with_demo_at(d(TODAY)).await;
        let s = &db.store;
        let (bank_id, bank, ent, nanshan) = nanshan_parties(s).await;
        let mut doc = ipfin_store::demo::demo_policy_at("440305", "南山区", d(TODAY));
        doc.title = "南山区知识产权质押融资贴息（年度单项上限测试）".into();
        for it in &mut doc.rules.items {
            if it.item == Item::Interest {
                it.annual_cap_fen = ipfin_domain::policy::PerClass::all(Some(Fen::new(800_000)));
            }
        }
        let policy = publish(s, &nanshan, &doc).await;
        for (contract, pledge) in [
            ("2026-ZY-0400", "Y2026980010400"),
            ("2026-ZY-0401", "Y2026980010401"),
            ("2026-ZY-0402", "Y2026980010402"),
        ] {
            report_loan(s, &bank, contract, pledge, "202310123456.6").await;
        }
        let a = new_fee_app(
            s,
            &ent,
            policy,
            vec![line(bank_id, "2026-ZY-0400", "Y2026980010400", 1_000_000)],
        )
        .await;
        upload_submit(s, &ent, a).await.expect("submit a");
        let b = new_fee_app(
            s,
            &ent,
            policy,
            vec![line(bank_id, "2026-ZY-0401", "Y2026980010401", 500_000)],
        )
        .await;
        upload_submit(s, &ent, b).await.expect("submit b");
        let ent_ref = &ent;
        let computed = |id: i64| async move { s.application(ent_ref, id).await.expect("app") };
        let da = computed(a).await;
        assert_eq!(da.row.computed_fen, 700_000, "{}", db.name);
        assert!(
            da.derivation.iter().any(|l| l
                == "贷款贴息：每家企业本政策年度上限 8,000.00 元，本年度已获批及在审 0.00 元，尚余 8,000.00 元，本次 7,000.00 元 未超过。"),
            "{:#?}",
            da.derivation
        );
        let db_ = computed(b).await;
        assert_eq!(db_.row.computed_fen, 100_000);
        assert!(
            db_.derivation.iter().any(|l| l
                == "贷款贴息：每家企业本政策年度上限 8,000.00 元，本年度已获批及在审 7,000.00 元，尚余 1,000.00 元；计算金额 3,500.00 元 超过尚余额度，按 1,000.00 元 计。"),
            "{:#?}",
            db_.derivation
        );

        // The next version of the same policy: its applications share the year's cap.
        let v2: Result<i64, StoreError> = write!(s, officer(1), |tx| async {
            let draft = s.revise_policy(&mut tx, &nanshan, policy).await?;
            Ok(s.prepare_policy_publication(&mut tx, &nanshan, draft.id)
                .await?
                .id)
        });
        let v2 = confirm_as(s, 2, &nanshan, v2.expect("revision prepared"))
            .await
            .expect("revision published")
            .result_id
            .expect("version 2");
        let c = new_fee_app(
            s,
            &ent,
            v2,
            vec![line(bank_id, "2026-ZY-0402", "Y2026980010402", 500_000)],
        )
        .await;
        upload_submit(s, &ent, c).await.expect("submit c");
        assert_eq!(computed(c).await.row.computed_fen, 0);

        // B recalculated at acceptance: A's 7,000.00 and C's 0 count, B's own 1,000.00 not.
        write!(s, officer(1), |tx| s
            .accept_application(&mut tx, &nanshan, b, ""))
        .expect("accept b");
        assert_eq!(computed(b).await.row.computed_fen, 100_000);
        // A is not accepted: it no longer reserves; C's acceptance finds 8,000 − 1,000 left.
        write!(s, officer(1), |tx| s.refuse_application(
            &mut tx,
            &nanshan,
            a,
            ipfin_domain::application::Action::NotAccept,
            "测试：不予受理"
        ))
        .expect("not accepted");
        write!(s, officer(1), |tx| s
            .accept_application(&mut tx, &nanshan, c, ""))
        .expect("accept c");
        let dc = computed(c).await;
        assert_eq!(dc.row.computed_fen, 350_000);
        assert!(
            dc.derivation
                .iter()
                .any(|l| l.contains("本年度已获批及在审 1,000.00 元，尚余 7,000.00 元")),
            "{:#?}",
            dc.derivation
        );

        // The records change under B's review (C's item now holds 7,500.00): approving B's
        // 1,000.00 would pass the cap; refused with the figures, nothing stored.
        ipfin_store::db::exec(
            s.conn(),
            "UPDATE application_items SET computed_fen = 750000 WHERE application_id = ?",
            vec![c.into()],
        )
        .await
        .expect("records changed");
        let e = write!(s, officer(1), |tx| s.pass_review(
            &mut tx,
            &nanshan,
            b,
            &[],
            ""
        ))
        .expect_err("above the cap");
        let text = code_of(e);
        assert!(
            text.starts_with("review.annual_cap")
                && text.contains("已获批及在审 7,500.00 元，尚余 500.00 元；核定金额 1,000.00 元"),
            "{text}"
        );
        assert_eq!(computed(b).await.row.approved_fen, None);
    }
}

/// Issue #19 item 3, the clawback edge: a clawed-back application keeps holding, against the
/// item's annual cap, what the enterprise kept of it. A (interest 7,000.00 granted and paid) is
/// found wanting and 1,000.00 is clawed back: 6,000.00 stay with the enterprise, so B's
/// 3,500.00 in the same year meets an 8,000.00 cap with 2,000.00 left. With the whole grant
/// clawed back, A holds nothing and B keeps its 3,500.00.
#[tokio::test]
async fn a_partly_clawed_back_application_counts_what_it_kept_toward_the_annual_cap() {
    for db in TestDb::all().await {
        let db = db.with_demo_at(d(TODAY)).await;
        let s = &db.store;
        let (bank_id, bank, ent, nanshan) = nanshan_parties(s).await;
        let mut doc = ipfin_store::demo::demo_policy_at("440305", "南山区", d(TODAY));
        doc.title = "南山区知识产权质押融资贴息（追回后的年度上限）".into();
        for it in &mut doc.rules.items {
            if it.item == Item::Interest {
                it.annual_cap_fen = ipfin_domain::policy::PerClass::all(Some(Fen::new(800_000)));
            }
        }
        let policy = publish(s, &nanshan, &doc).await;
        for (contract, pledge) in [
            ("2026-ZY-0410", "Y2026980010410"),
            ("2026-ZY-0411", "Y2026980010411"),
        ] {
            report_loan(s, &bank, contract, pledge, "202310123456.6").await;
        }
        let a = new_fee_app(
            s,
            &ent,
            policy,
            vec![line(bank_id, "2026-ZY-0410", "Y2026980010410", 1_000_000)],
        )
        .await;
        upload_submit(s, &ent, a).await.expect("submit a");
        // The records a grant, its payment and a partial clawback leave (the whole path is
        // walked in `the_five_stages_with_a_return_an_objection_each_way_and_a_clawback`).
        for sql in [
            "UPDATE applications SET state = 'clawed_back', approved_fen = 700000, granted_fen = 700000, disbursed_fen = 700000 WHERE id = ?",
            "UPDATE application_items SET approved_fen = 700000, granted_fen = 700000 WHERE application_id = ?",
            "INSERT INTO clawbacks (application_id, amount_fen, reason, decided_at) VALUES (?, 100000, '测试：部分追回', 0)",
        ] {
            ipfin_store::db::exec(s.conn(), sql, vec![a.into()])
                .await
                .expect("records");
        }
        let b = new_fee_app(
            s,
            &ent,
            policy,
            vec![line(bank_id, "2026-ZY-0411", "Y2026980010411", 500_000)],
        )
        .await;
        upload_submit(s, &ent, b).await.expect("submit b");
        let db_ = s.application(&ent, b).await.expect("b");
        assert_eq!(db_.row.computed_fen, 200_000, "{}", db.name);
        assert!(
            db_.derivation
                .iter()
                .any(|l| l.contains("本年度已获批及在审 6,000.00 元，尚余 2,000.00 元")),
            "{:#?}",
            db_.derivation
        );

        // The rest is clawed back too: A holds nothing; B's acceptance finds the whole cap.
        ipfin_store::db::exec(
            s.conn(),
            "UPDATE clawbacks SET amount_fen = 700000 WHERE application_id = ?",
            vec![a.into()],
        )
        .await
        .expect("records");
        write!(s, officer(1), |tx| s
            .accept_application(&mut tx, &nanshan, b, ""))
        .expect("accept b");
        assert_eq!(
            s.application(&ent, b).await.expect("b").row.computed_fen,
            350_000
        );
    }
}
