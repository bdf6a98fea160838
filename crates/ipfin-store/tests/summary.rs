//! District summaries and information reporting (issue #8 item 4, R4.4) on SQLite and (when
//! configured) PostgreSQL: the pre-filled figures equal the statistics, drafts and revisions,
//! scoping by district and role, comments, information requests with attachments judged by
//! content, notifications, the demo, and bad input leaving nothing behind.

use bytes::Bytes;
use chrono::NaiveDate;
use ipfin_domain::Scope;
use ipfin_domain::financing::{LoanTerms, PledgeTerms};
use ipfin_domain::stats::Quarter;
use ipfin_domain::summary::{Period, Sections, wan};
use ipfin_store::audit::AuditActor;
use ipfin_store::db::fetch_i64;
use ipfin_store::demo::demo_credit_code;
use ipfin_store::financing::{LoanInput, PledgeInput, PledgeItemInput};
use ipfin_store::testing::TestDb;
use ipfin_store::{Store, StoreError};
use rust_decimal::Decimal;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

const TODAY: &str = "2026-11-28";

fn ft_lead() -> Scope {
    Scope::District {
        code: "440304".into(),
        manage: true,
    }
}

fn ft_member() -> Scope {
    Scope::District {
        code: "440304".into(),
        manage: false,
    }
}

fn q(s: &str) -> Period {
    Period::parse(s).expect("period")
}

fn full(tag: &str) -> Sections {
    Sections {
        measures: format!("措施{tag}"),
        results: format!("成效{tag}"),
        highlights: format!("亮点{tag}"),
        problems: format!("问题{tag}"),
        next_steps: format!("要点{tag}"),
    }
}

async fn loan(s: &Store, borrower: &str, contract: &str, start: &str, yuan: i64, first: bool) {
    loan_on(s, borrower, contract, start, yuan, first, "202310123456.6").await
}

async fn loan_on(
    s: &Store,
    borrower: &str,
    contract: &str,
    start: &str,
    yuan: i64,
    first: bool,
    patent: &str,
) {
    let bank = Scope::Institution {
        org_id: ipfin_domain::id::OrgId::new(
            fetch_i64(
                s.conn(),
                "SELECT id FROM organisations WHERE name = '深南银行深圳分行'",
                vec![],
            )
            .await
            .expect("bank"),
        ),
    };
    let l = LoanInput {
        borrower_credit_code: ipfin_domain::CreditCode::parse(borrower).expect("valid"),
        terms: LoanTerms {
            contract_number: contract.into(),
            principal_fen: ipfin_domain::Fen::new(yuan * 100),
            annual_rate: Decimal::new(35, 3),
            start: d(start),
            end: d(start) + chrono::Duration::days(364),
            disbursements: vec![],
            other_collateral: false,
            ip_amount_fen: None,
            ip_ratio: None,
        },
        first_loan: first,
        status: None,
        pledges: vec![PledgeInput {
            terms: PledgeTerms {
                number: format!("Y{}{}", &start[..4], &contract[contract.len() - 9..]),
                secured_amount_fen: ipfin_domain::Fen::new(yuan * 100),
                registration_date: d(start),
                cancellation_date: None,
            },
            items: vec![PledgeItemInput {
                kind: "patent".into(),
                number: patent.into(),
                title: None,
                related_party: None,
            }],
        }],
    };
    let mut tx = s.write(AuditActor::system("bank")).await.expect("tx");
    s.save_loan(&mut tx, &bank, &l).await.expect("loan");
    tx.commit().await.expect("commit");
}

/// The field and code of a refused input.
fn field<T: std::fmt::Debug>(r: Result<T, StoreError>) -> (&'static str, &'static str) {
    match r {
        Err(StoreError::Invalid(e)) => (e.field, e.msg.code),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn count(s: &Store, sql: &str) -> i64 {
    fetch_i64(s.conn(), sql, vec![]).await.expect("count")
}

/// Runs one store write as a person with the given scope.
macro_rules! tx {
    ($s:expr, |$tx:ident| $body:expr) => {{
        let mut $tx = $s.write(AuditActor::system("test")).await.expect("tx");
        match $body {
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

#[tokio::test]
async fn prefilled_figures_equal_the_statistics() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let ft = demo_credit_code("440304", 102);
        loan(s, &ft, "FT-200000001", "2025-08-01", 2_000_000, false).await;
        loan(s, &ft, "FT-200000002", "2026-02-10", 1_000_000, false).await;
        loan(s, &ft, "FT-200000003", "2026-07-20", 2_500_000, true).await;
        loan(s, &ft, "FT-200000004", "2026-09-30", 1_234_567, false).await;
        let period = q("2026Q3");
        let f = s
            .summary_figures(&Scope::City, "440304", period)
            .await
            .expect("figures");
        let stats = s
            .quarter_stats(&Scope::City, Quarter { year: 2026, q: 3 })
            .await
            .expect("stats");
        let row = stats.iter().find(|r| r.district == "440304").expect("row");
        // By hand: Q3 2,500,000 + 1,234,567 元 = 373.46 万元 in 2 loans to one enterprise, one
        // first-time; Q3 2025 2,000,000 元 → +86.7%; year to date 473.46 万元.
        assert_eq!(f.amount_fen, 373_456_700, "{}", db.name);
        assert_eq!(f.amount_fen, row.quarter.amount_fen);
        assert_eq!((f.loans, f.enterprises, f.first_loans), (2, 1, 1));
        assert_eq!(f.loans, row.quarter.loans);
        assert_eq!(f.pledges, row.pledge_registrations);
        assert_eq!(f.pledges, 2);
        assert_eq!(f.last_year_amount_fen, 200_000_000);
        assert_eq!(f.yoy_amount_pct, Some(Decimal::new(867, 1)));
        assert_eq!(f.yoy_amount_pct, row.yoy_amount_pct);
        assert_eq!(f.ytd_amount_fen, 473_456_700);
        assert_eq!(f.ytd_amount_fen, row.year_to_date.amount_fen);
        assert_eq!(f.ytd_pledges, row.pledge_registrations_ytd);
        // The bulletin's completion and rank.
        let snap = s
            .snapshot(Quarter { year: 2026, q: 3 })
            .await
            .expect("snapshot");
        let b = snap
            .rows
            .iter()
            .find(|r| r.district_code == "440304")
            .expect("line");
        assert_eq!(f.rank, b.rank);
        assert_eq!(f.districts as usize, snap.rows.len());
        assert_eq!(f.targets.len(), b.completion.len());
        assert!(!f.targets.is_empty(), "the demo sets targets");
        assert_eq!(f.targets[0].pct, b.completion[0].pct);
        // The draft's results text is generated from these figures, and keeps them.
        let id = tx!(s, |tx| s
            .save_summary_draft(
                &mut tx,
                &ft_lead(),
                "440304",
                period,
                d(TODAY),
                &Sections::default(),
                &f,
                false
            )
            .await)
        .expect("draft");
        let draft = s.summary(&ft_lead(), id).await.expect("draft");
        assert!(
            draft
                .sections
                .results
                .contains("新增知识产权质押融资 373.46 万元，共 2 笔"),
            "{}",
            draft.sections.results
        );
        assert!(draft.sections.results.contains("增长 86.7%"));
        assert!(
            draft
                .sections
                .results
                .contains(&format!("本年累计质押融资 {} 万元", wan(473_456_700)))
        );
        assert_eq!(draft.figures, f);
        // The year: the whole year's figures, against the whole of 2025.
        let y = s
            .summary_figures(&Scope::City, "440304", Period::Year(2026))
            .await
            .expect("year");
        assert_eq!(y.amount_fen, 473_456_700);
        assert_eq!(y.loans, 3);
        assert_eq!(y.last_year_amount_fen, 200_000_000);
        assert_eq!(y.yoy_amount_pct, Some(Decimal::new(1367, 1)));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn drafts_then_revisions_all_kept() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let period = q("2026Q3");
        let f = s
            .summary_figures(&Scope::City, "440304", period)
            .await
            .expect("figures");
        let today = d(TODAY);
        // A draft, edited twice: still one draft.
        for tag in ["甲", "乙"] {
            tx!(s, |tx| s
                .save_summary_draft(
                    &mut tx,
                    &ft_lead(),
                    "440304",
                    period,
                    today,
                    &full(tag),
                    &f,
                    false
                )
                .await)
            .expect("draft");
        }
        let v = s
            .period_summaries(&ft_lead(), "440304", period)
            .await
            .expect("view");
        assert_eq!(v.draft.as_ref().expect("draft").sections, full("乙"));
        assert!(v.revisions.is_empty());
        // Submitting the draft: revision 1, not a revision of anything.
        let r1 = tx!(s, |tx| s
            .submit_summary(&mut tx, &ft_lead(), "440304", period, today, None, &f, true)
            .await)
        .expect("submit");
        assert_eq!((r1.revision, r1.is_revision), (1, false));
        // Submitting again for the same period: revision 2, said so; revision 1 kept.
        let r2 = tx!(s, |tx| s
            .submit_summary(
                &mut tx,
                &ft_lead(),
                "440304",
                period,
                today,
                Some(&full("丙")),
                &f,
                true
            )
            .await)
        .expect("resubmit");
        assert_eq!((r2.revision, r2.is_revision), (2, true));
        assert_ne!(r1.id, r2.id);
        let v = s
            .period_summaries(&Scope::City, "440304", period)
            .await
            .expect("city view");
        assert!(v.draft.is_none(), "the city never sees drafts");
        let revs: Vec<(Option<i32>, String)> = v
            .revisions
            .iter()
            .map(|r| (r.revision, r.sections.measures.clone()))
            .collect();
        assert_eq!(
            revs,
            vec![
                (Some(2), "措施丙".to_string()),
                (Some(1), "措施乙".to_string())
            ]
        );
        // The overview: 440304's Q3 cell shows revision 2; 440305 (demo) revision 1; the
        // city's notifications name both submissions.
        let o = s
            .summary_overview(&Scope::City, 2026)
            .await
            .expect("overview");
        let cell = |code: &str, p: &str| {
            o.iter()
                .find(|r| r.district_code == code)
                .expect("row")
                .cells
                .iter()
                .find(|c| c.period == p)
                .cloned()
                .expect("cell")
        };
        assert_eq!(cell("440304", "2026Q3").revision, Some(2));
        assert_eq!(cell("440304", "2026Q2").revision, None);
        assert_eq!(cell("440305", "2026Q3").revision, Some(1));
        assert_eq!(cell("440305", "2026Q3").open_requests, 1);
        let notes = s.notifications(&Scope::City, 50).await.expect("notes");
        assert!(
            notes
                .iter()
                .any(|n| n.text.contains("第 2 版") && n.text.contains("福田区")),
            "{notes:?}"
        );
        // The conformance evidence: first-submission dates per period.
        let sub = s
            .summaries_submitted(&Scope::City, 2026)
            .await
            .expect("submitted");
        assert_eq!(sub["440304"].len(), 1);
        assert_eq!(sub["440305"].len(), 3);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn scoped_to_the_city_and_the_district() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let period = q("2026Q3");
        let f = s
            .summary_figures(&Scope::City, "440305", period)
            .await
            .expect("figures");
        let ns_lead = Scope::District {
            code: "440305".into(),
            manage: true,
        };
        let ns_member = Scope::District {
            code: "440305".into(),
            manage: false,
        };
        // A draft of Q4 by Nanshan's lead.
        let draft = tx!(s, |tx| s
            .save_summary_draft(
                &mut tx,
                &ns_lead,
                "440305",
                q("2026Q4"),
                d(TODAY),
                &full("草"),
                &f,
                false
            )
            .await)
        .expect("draft");
        let v = s
            .period_summaries(&ns_member, "440305", period)
            .await
            .expect("member reads");
        assert_eq!(v.revisions.len(), 1);
        assert!(v.draft.is_none());
        assert!(matches!(
            s.summary(&ns_member, draft).await,
            Err(StoreError::NotFound)
        ));
        assert!(s.summary(&ns_lead, draft).await.is_ok());
        assert!(matches!(
            s.summary(&Scope::City, draft).await,
            Err(StoreError::NotFound)
        ));
        let current = v.revisions[0].id;
        let bank = Scope::Institution {
            org_id: ipfin_domain::id::OrgId::new(1),
        };
        for scope in [
            ft_lead(),
            ft_member(),
            bank.clone(),
            Scope::Agency {
                org_id: ipfin_domain::id::OrgId::new(1),
            },
            Scope::Enterprise {
                org_id: ipfin_domain::id::OrgId::new(1),
            },
            Scope::Public,
        ] {
            assert!(
                matches!(
                    s.period_summaries(&scope, "440305", period).await,
                    Err(StoreError::NotFound)
                ),
                "{scope:?}"
            );
            assert!(matches!(
                s.summary(&scope, current).await,
                Err(StoreError::NotFound)
            ));
            assert!(
                s.summary_overview(&scope, 2026)
                    .await
                    .expect("overview")
                    .iter()
                    .all(|r| r.district_code != "440305")
            );
        }
        let requests = v.requests.clone();
        assert_eq!(requests.len(), 2);
        for r in &requests {
            assert!(matches!(
                s.summary_request(&ft_lead(), r.id).await,
                Err(StoreError::NotFound)
            ));
        }
        // Writes outside one's role: refused, nothing stored.
        let before = count(s, "SELECT COUNT(*) FROM summaries").await;
        let member = tx!(s, |tx| s
            .save_summary_draft(
                &mut tx,
                &ns_member,
                "440305",
                period,
                d(TODAY),
                &full("x"),
                &f,
                false
            )
            .await);
        assert!(
            matches!(member, Err(StoreError::Forbidden(_))),
            "{member:?}"
        );
        let other = tx!(s, |tx| s
            .submit_summary(
                &mut tx,
                &ft_lead(),
                "440305",
                period,
                d(TODAY),
                Some(&full("x")),
                &f,
                true
            )
            .await);
        assert!(matches!(other, Err(StoreError::NotFound)));
        let by_district = tx!(s, |tx| s
            .comment_summary(&mut tx, &ns_lead, current, "自评")
            .await);
        assert!(matches!(by_district, Err(StoreError::Forbidden(_))));
        let by_lead = tx!(s, |tx| s
            .request_summary_info(
                &mut tx,
                &ns_lead,
                "440305",
                period,
                "x",
                d("2026-12-10"),
                d(TODAY)
            )
            .await);
        assert!(matches!(by_lead, Err(StoreError::Forbidden(_))));
        assert_eq!(count(s, "SELECT COUNT(*) FROM summaries").await, before);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn bad_input_changes_nothing() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let today = d(TODAY);
        let period = q("2026Q3");
        let f = s
            .summary_figures(&Scope::City, "440304", period)
            .await
            .expect("figures");
        let counts = || async {
            (
                count(s, "SELECT COUNT(*) FROM summaries").await,
                count(s, "SELECT COUNT(*) FROM summary_comments").await,
                count(
                    s,
                    "SELECT COUNT(*) FROM summary_requests WHERE answered_at IS NULL",
                )
                .await,
                count(s, "SELECT COUNT(*) FROM blobs").await,
                count(s, "SELECT COUNT(*) FROM notifications").await,
            )
        };
        let before = counts().await;
        // A section left empty on submission, named.
        let mut missing = full("x");
        missing.problems = " ".into();
        let r = tx!(s, |tx| s
            .submit_summary(
                &mut tx,
                &ft_lead(),
                "440304",
                period,
                today,
                Some(&missing),
                &f,
                true
            )
            .await);
        assert_eq!(field(r), ("problems", "summary.section_required"));
        // Without confirmation.
        let r = tx!(s, |tx| s
            .submit_summary(
                &mut tx,
                &ft_lead(),
                "440304",
                period,
                today,
                Some(&full("x")),
                &f,
                false
            )
            .await);
        assert_eq!(field(r), ("confirm", "confirm.required"));
        // Nothing to submit.
        let r = tx!(s, |tx| s
            .submit_summary(&mut tx, &ft_lead(), "440304", period, today, None, &f, true)
            .await);
        assert_eq!(field(r), ("sections", "summary.no_draft"));
        // A quarter not ended: submission refused (a draft is allowed, below); a period not
        // started: refused even as a draft.
        let r = tx!(s, |tx| s
            .submit_summary(
                &mut tx,
                &ft_lead(),
                "440304",
                q("2026Q4"),
                today,
                Some(&full("x")),
                &f,
                true
            )
            .await);
        assert_eq!(field(r), ("period", "summary.not_ended"));
        let r = tx!(s, |tx| s
            .save_summary_draft(
                &mut tx,
                &ft_lead(),
                "440304",
                q("2027Q1"),
                today,
                &full("x"),
                &f,
                false
            )
            .await);
        assert_eq!(field(r), ("period", "summary.not_started"));
        // A section too long.
        let mut long = full("x");
        long.highlights = "字".repeat(10_001);
        let r = tx!(s, |tx| s
            .save_summary_draft(
                &mut tx,
                &ft_lead(),
                "440304",
                period,
                today,
                &long,
                &f,
                false
            )
            .await);
        assert_eq!(field(r), ("highlights", "summary.section_too_long"));
        // The city: an empty comment; a request due in the past.
        let ns_q3 = s
            .period_summaries(&Scope::City, "440305", period)
            .await
            .expect("demo")
            .revisions[0]
            .id;
        let r = tx!(s, |tx| s
            .comment_summary(&mut tx, &Scope::City, ns_q3, "  ")
            .await);
        assert_eq!(field(r), ("text", "summary.note_required"));
        let r = tx!(s, |tx| s
            .request_summary_info(
                &mut tx,
                &Scope::City,
                "440305",
                period,
                "名单",
                d("2026-11-01"),
                today
            )
            .await);
        assert_eq!(field(r), ("due_on", "summary.due_past"));
        // An answer with a disallowed attachment (an executable named .pdf): refused by content,
        // the request stays open, nothing stored.
        let ns_lead = Scope::District {
            code: "440305".into(),
            manage: true,
        };
        let open = s
            .period_summaries(&ns_lead, "440305", period)
            .await
            .expect("view")
            .requests
            .into_iter()
            .find(|r| r.open())
            .expect("open request");
        let r = tx!(s, |tx| s
            .answer_summary_request(
                &mut tx,
                &ns_lead,
                open.id,
                "名单见附件",
                Some(("名单.pdf", Bytes::from_static(b"MZ\x90\x00 not a pdf")))
            )
            .await);
        assert_eq!(field(r), ("file", "file.type"));
        let r = tx!(s, |tx| s
            .answer_summary_request(&mut tx, &ns_lead, open.id, "", None)
            .await);
        assert_eq!(field(r), ("text", "summary.note_required"));
        assert_eq!(counts().await, before, "{}", db.name);
        assert!(
            s.summary_request(&ns_lead, open.id)
                .await
                .expect("r")
                .open()
        );
        // A draft of the running quarter is allowed.
        tx!(s, |tx| s
            .save_summary_draft(
                &mut tx,
                &ft_lead(),
                "440304",
                q("2026Q4"),
                today,
                &full("x"),
                &f,
                false
            )
            .await)
        .expect("draft of the running quarter");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn comments_requests_and_answers_notify() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let today = d(TODAY);
        let period = q("2026Q3");
        let f = s
            .summary_figures(&Scope::City, "440304", period)
            .await
            .expect("figures");
        let sub = tx!(s, |tx| s
            .submit_summary(
                &mut tx,
                &ft_lead(),
                "440304",
                period,
                today,
                Some(&full("x")),
                &f,
                true
            )
            .await)
        .expect("submit");
        tx!(s, |tx| s
            .comment_summary(&mut tx, &Scope::City, sub.id, "请补充典型案例。")
            .await)
        .expect("comment");
        let rid = tx!(s, |tx| s
            .request_summary_info(
                &mut tx,
                &Scope::City,
                "440304",
                period,
                "请报送首贷企业名单。",
                d("2026-12-10"),
                today
            )
            .await)
        .expect("request");
        let notes = s
            .notifications(&ft_lead(), 20)
            .await
            .expect("district notes");
        assert!(
            notes.iter().any(|n| n.text.contains("审阅意见")),
            "{notes:?}"
        );
        assert!(
            notes.iter().any(|n| n.text.contains("补充报送")
                && n.link == "/summaries/districts/440304?period=2026Q3"),
            "{notes:?}"
        );
        let pdf = Bytes::from_static(b"%PDF-1.7 first-time borrowers");
        tx!(s, |tx| s
            .answer_summary_request(
                &mut tx,
                &ft_lead(),
                rid,
                "名单见附件。",
                Some(("名单.pdf", pdf.clone()))
            )
            .await)
        .expect("answer");
        let r = s
            .summary_request(&ft_member(), rid)
            .await
            .expect("member reads");
        assert!(!r.open());
        assert_eq!(r.answer.as_deref(), Some("名单见附件。"));
        assert_eq!(r.file_type.as_deref(), Some("pdf"));
        let file = s
            .summary_request_file(&Scope::City, rid)
            .await
            .expect("file");
        assert_eq!(file.bytes, pdf);
        assert_eq!(file.file_name, "名单.pdf");
        assert!(matches!(
            s.summary_request_file(
                &Scope::District {
                    code: "440305".into(),
                    manage: true
                },
                rid
            )
            .await,
            Err(StoreError::NotFound)
        ));
        // Answering twice: a conflict.
        let again = tx!(s, |tx| s
            .answer_summary_request(&mut tx, &ft_lead(), rid, "再次答复", None)
            .await);
        assert!(matches!(again, Err(StoreError::Conflict(_))));
        let city = s.notifications(&Scope::City, 20).await.expect("city notes");
        assert!(city.iter().any(|n| n.text.contains("答复了")), "{city:?}");
        let v = s.summary(&ft_member(), sub.id).await.expect("member");
        assert_eq!(v.comments.len(), 1);
        assert_eq!(v.comments[0].text, "请补充典型案例。");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_demo_has_nanshan_q3_submitted_and_futian_none() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let v = s
            .period_summaries(&Scope::City, "440305", q("2026Q3"))
            .await
            .expect("demo");
        assert_eq!(v.revisions.len(), 1);
        let r = &v.revisions[0];
        assert_eq!(r.revision, Some(1));
        assert!(
            r.sections.results.contains("2026年第三季度"),
            "{}",
            r.sections.results
        );
        assert_eq!(r.comments.len(), 1);
        assert_eq!(v.requests.iter().filter(|r| r.open()).count(), 1);
        let ft = s
            .period_summaries(&Scope::City, "440304", q("2026Q3"))
            .await
            .expect("futian");
        assert!(ft.revisions.is_empty() && ft.requests.is_empty());
        // After the demo loans, the seeded summaries take their figures; a person's are kept.
        let f = s
            .summary_figures(&Scope::City, "440304", q("2026Q3"))
            .await
            .expect("figures");
        let officer = fetch_i64(
            s.conn(),
            "SELECT id FROM users WHERE username = 'ft.officer'",
            vec![],
        )
        .await
        .expect("ft.officer");
        let mut tx = s
            .write(AuditActor::user(officer, "ft.officer"))
            .await
            .expect("tx");
        let mine = s
            .submit_summary(
                &mut tx,
                &ft_lead(),
                "440304",
                q("2026Q3"),
                d(TODAY),
                Some(&full("x")),
                &f,
                true,
            )
            .await
            .expect("a person's summary");
        tx.commit().await.expect("commit");
        let body = "202410077777";
        let patent = format!(
            "{body}.{}",
            ipfin_domain::ip_number::patent_check_digit(body).expect("check digit")
        );
        loan(
            s,
            &demo_credit_code("440305", 101),
            "NS-300000001",
            "2026-08-03",
            1_500_000,
            true,
        )
        .await;
        loan_on(
            s,
            &demo_credit_code("440304", 102),
            "FT-300000002",
            "2026-08-03",
            700_000,
            true,
            &patent,
        )
        .await;
        assert_eq!(s.refresh_demo_summaries().await.expect("refresh"), 3);
        let q3 = s.summary(&Scope::City, r.id).await.expect("q3");
        assert!(
            q3.sections
                .results
                .contains("新增知识产权质押融资 150.00 万元，共 1 笔"),
            "{}",
            q3.sections.results
        );
        assert_eq!(q3.figures.amount_fen, 150_000_000);
        assert_eq!(q3.revision, Some(1));
        assert_eq!(
            s.summary(&Scope::City, mine.id)
                .await
                .expect("mine")
                .sections
                .results,
            "成效x"
        );
        assert_eq!(s.refresh_demo_summaries().await.expect("again"), 0);
        db.cleanup().await;
    }
}
