//! Quarterly working meetings (R1.2, issue #8) on SQLite and (when configured) PostgreSQL, over
//! the demo city: who sees which meeting and which parts of it, the issue status machine through
//! the store, and bad input that must leave nothing behind.

use bytes::Bytes;
use chrono::NaiveDate;
use ipfin_domain::Scope;
use ipfin_domain::id::OrgId;
use ipfin_domain::meeting::IssueStatus;
use ipfin_store::audit::AuditActor;
use ipfin_store::db::fetch_i64;
use ipfin_store::meeting::{Attendance, MeetingFilter, NewIssue, NewMeeting};
use ipfin_store::testing::TestDb;
use ipfin_store::{Page, Store, StoreError};

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn lead() -> Scope {
    Scope::District {
        code: "440305".into(),
        manage: true,
    }
}

fn member() -> Scope {
    Scope::District {
        code: "440305".into(),
        manage: false,
    }
}

async fn org(s: &Store, name: &str) -> OrgId {
    OrgId::new(
        fetch_i64(
            s.conn(),
            "SELECT id FROM organisations WHERE name = ?",
            vec![name.to_string().into()],
        )
        .await
        .expect("org"),
    )
}

async fn count(s: &Store, table: &str) -> i64 {
    fetch_i64(s.conn(), &format!("SELECT COUNT(*) FROM {table}"), vec![])
        .await
        .expect("count")
}

/// Row counts of every meeting table and the notifications.
async fn counts(s: &Store) -> Vec<i64> {
    let mut out = Vec::new();
    for t in [
        "meetings",
        "meeting_invitations",
        "meeting_reports",
        "meeting_report_versions",
        "meeting_report_files",
        "meeting_issues",
        "meeting_issue_events",
        "notifications",
        "blobs",
    ] {
        out.push(count(s, t).await);
    }
    out
}

const TODAY: &str = "2026-11-28";

fn meeting(quarter: &str, date: &str) -> NewMeeting {
    NewMeeting {
        quarter: quarter.into(),
        date: Some(d(date)),
        place: Some("南山区政府 3 楼会议室".into()),
        agenda: "一、通报进展；二、成员单位汇报；三、研究问题。".into(),
        ..Default::default()
    }
}

async fn create(s: &Store, input: NewMeeting) -> Result<i64, StoreError> {
    let lead_org = org(s, "南山区市场监督管理局").await;
    let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
    let r = s
        .create_meeting(&mut tx, &lead(), Some(lead_org), input, d(TODAY))
        .await;
    if r.is_ok() {
        tx.commit().await.expect("commit");
    }
    r
}

/// Runs one write and commits it when it succeeded.
macro_rules! w {
    ($s:expr, |$tx:ident| $body:expr) => {{
        let mut $tx = $s.write(AuditActor::system("test")).await.expect("tx");
        let r = $body;
        if r.is_ok() {
            $tx.commit().await.expect("commit");
        }
        r
    }};
}

#[tokio::test]
async fn demo_meeting_and_who_sees_it() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let bank = org(s, "深南银行深圳分行").await;
        let bank2 = org(s, "鹏城商业银行").await;
        let guarantor = org(s, "前海科技融资担保有限公司").await;
        let finance = org(s, "南山区财政局").await;
        let q3 = s
            .meetings(
                &Scope::City,
                &MeetingFilter {
                    district: Some("440305".into()),
                    quarter: Some("2026Q3".into()),
                },
                Page::default(),
            )
            .await
            .expect("list");
        assert_eq!(q3.total, 1, "{}", db.name);
        let id = q3.items[0].id;
        let whole = s.meeting(&Scope::City, None, id).await.expect("city");
        assert_eq!(whole.status, "held");
        assert_eq!(whole.reports.len(), 3);
        assert_eq!(whole.issues.len(), 2);
        assert_eq!(
            whole
                .issues
                .iter()
                .map(|i| i.status.as_str())
                .collect::<Vec<_>>(),
            vec!["resolved", "escalated"]
        );
        assert!(
            whole.issues[0]
                .resolution_note
                .as_deref()
                .is_some_and(|n| n.contains("50%"))
        );
        assert!(whole.minutes_published_at.is_some());
        assert_eq!(whole.invitations.iter().filter(|i| i.attended).count(), 3);

        // An invited bank: that meeting only, its own report, no issue it does not own.
        let b = Scope::Institution { org_id: bank };
        let mine = s
            .meetings(&b, &MeetingFilter::default(), Page::default())
            .await
            .expect("bank list");
        assert_eq!(
            mine.items
                .iter()
                .filter(|m| m.district_code == "440305")
                .count(),
            3
        );
        let seen = s.meeting(&b, Some(bank), id).await.expect("bank sees");
        assert_eq!(seen.reports.len(), 1);
        assert_eq!(seen.reports[0].organisation_id, bank);
        assert!(seen.issues.is_empty());
        assert!(!seen.can_manage && seen.invited);
        // bank2 was invited to Q3 only.
        let b2 = Scope::Institution { org_id: bank2 };
        assert_eq!(
            s.meetings(&b2, &MeetingFilter::default(), Page::default())
                .await
                .expect("b2")
                .total,
            1
        );
        // A financial institution never invited sees nothing.
        let g = Scope::Institution { org_id: guarantor };
        assert_eq!(
            s.meetings(&g, &MeetingFilter::default(), Page::default())
                .await
                .expect("g")
                .total,
            0
        );
        assert!(matches!(
            s.meeting(&g, Some(guarantor), id).await,
            Err(StoreError::NotFound)
        ));
        // Another district sees nothing of 440305's meetings.
        let ft = Scope::District {
            code: "440304".into(),
            manage: true,
        };
        assert_eq!(
            s.meetings(&ft, &MeetingFilter::default(), Page::default())
                .await
                .expect("ft")
                .total,
            0
        );
        assert!(matches!(
            s.meeting(&ft, None, id).await,
            Err(StoreError::NotFound)
        ));
        // Issues: the owner's list, the district's, the city's escalated.
        let fin_items = s
            .issues(&member(), Some(finance), None, true)
            .await
            .expect("mine");
        assert_eq!(fin_items.len(), 1);
        assert_eq!(fin_items[0].title, "首贷企业评估费分担办法");
        assert_eq!(
            s.issues(&member(), Some(finance), None, false)
                .await
                .expect("district")
                .len(),
            2
        );
        assert!(
            s.issues(&b, Some(bank), None, true)
                .await
                .expect("bank")
                .is_empty()
        );
        let esc = s
            .issues(&Scope::City, None, Some(IssueStatus::Escalated), false)
            .await
            .expect("city");
        assert_eq!(esc.len(), 1);
        assert_eq!(esc[0].district_code, "440305");
        // Conformance: 440305 held meetings in Q1–Q3 of 2026, 440304 none.
        let held = s.held_quarters(&Scope::City, 2026).await.expect("held");
        assert_eq!(
            held.get("440305")
                .map(|q| q.iter().copied().collect::<Vec<_>>()),
            Some(vec![1, 2, 3])
        );
        assert!(!held.contains_key("440304"));
        // Invitations notified the units (the agency through its own list).
        let station = org(s, "南山知识产权金融服务站").await;
        let n = s
            .notifications_for(&Scope::Agency { org_id: station }, Some(station), 10)
            .await
            .expect("n");
        assert!(
            n.iter()
                .any(|n| n.text.contains("邀请贵单位") && n.link == format!("/meetings/{id}"))
        );
        assert!(n.iter().any(|n| n.text.contains("纪要已发布")));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn scheduling_reports_issues_and_bad_input() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let bank = org(s, "深南银行深圳分行").await;
        let bank2 = org(s, "鹏城商业银行").await;
        let finance = org(s, "南山区财政局").await;
        let ft_dept = org(s, "福田区财政局").await;
        let before = counts(s).await;

        // Far past without confirmation, a date outside the quarter, no venue, a member: refused.
        let e = create(s, meeting("2026Q2", "2026-06-10"))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, StoreError::Invalid(f) if f.msg.code == "meeting.far_past"),
            "{e:?}"
        );
        let e = create(s, meeting("2026Q4", "2027-01-10"))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, StoreError::Invalid(f) if f.field == "date"),
            "{e:?}"
        );
        let mut m = meeting("2026Q4", "2026-12-10");
        m.place = None;
        assert!(
            matches!(create(s, m).await, Err(StoreError::Invalid(f)) if f.msg.code == "meeting.venue")
        );
        let r = w!(s, |tx| s
            .create_meeting(
                &mut tx,
                &member(),
                Some(finance),
                meeting("2026Q4", "2026-12-10"),
                d(TODAY)
            )
            .await);
        assert!(matches!(r, Err(StoreError::Forbidden(_))));
        assert_eq!(
            counts(s).await,
            before,
            "{}: refused input stored nothing",
            db.name
        );

        // Confirmed far past is fine; a normal Q4 meeting.
        let mut past = meeting("2025Q4", "2025-12-12");
        past.confirm_past = true;
        create(s, past).await.expect("confirmed past");
        let id = create(s, meeting("2026Q4", "2026-11-20"))
            .await
            .expect("q4");

        // Invite: another district's department is refused whole.
        let before = counts(s).await;
        let r = w!(s, |tx| s
            .invite(&mut tx, &lead(), id, &[bank, ft_dept])
            .await);
        assert!(matches!(r, Err(StoreError::Invalid(f)) if f.msg.code == "meeting.invite_org"));
        assert_eq!(counts(s).await, before);
        let n = w!(s, |tx| s
            .invite(&mut tx, &lead(), id, &[bank, finance])
            .await)
        .expect("invite");
        assert_eq!(n, 2);

        // Reports: the not-invited bank cannot see it; a disallowed type stores nothing.
        let b = Scope::Institution { org_id: bank };
        let b2 = Scope::Institution { org_id: bank2 };
        let before = counts(s).await;
        let r = w!(s, |tx| s
            .submit_report(&mut tx, &b2, Some(bank2), id, "越权汇报", None)
            .await);
        assert!(matches!(r, Err(StoreError::NotFound)));
        // A member department of the district that was not invited: visible, but refused.
        let tax = org(s, "南山区税务局").await;
        let r = w!(s, |tx| s
            .submit_report(&mut tx, &member(), Some(tax), id, "未受邀", None)
            .await);
        assert!(
            matches!(r, Err(StoreError::Forbidden(m)) if m.code == "meeting.not_invited"),
            "{}",
            db.name
        );
        let exe = Some((
            "汇报.exe".to_string(),
            Bytes::from_static(b"MZ\x90\x00 not a document"),
        ));
        let r = w!(s, |tx| s
            .submit_report(&mut tx, &b, Some(bank), id, "第四季度汇报", exe.clone())
            .await);
        assert!(
            matches!(r, Err(StoreError::Invalid(f)) if f.field == "file" && f.msg.code == "file.type")
        );
        assert_eq!(counts(s).await, before, "{}: nothing stored", db.name);
        let pdf = Some((
            "汇报.pdf".to_string(),
            Bytes::from_static(b"%PDF-1.7 report"),
        ));
        let (rid, v) = w!(s, |tx| s
            .submit_report(&mut tx, &b, Some(bank), id, "第四季度汇报 v1", pdf.clone())
            .await)
        .expect("report");
        assert_eq!(v, 1);
        let (rid2, v2) = w!(s, |tx| s
            .submit_report(&mut tx, &b, Some(bank), id, "第四季度汇报 v2", None)
            .await)
        .expect("again");
        assert_eq!((rid2, v2), (rid, 2));
        assert_eq!(count(s, "meeting_report_versions").await, 1);
        let seen = s.meeting(&b, Some(bank), id).await.expect("bank");
        assert_eq!(seen.reports[0].text, "第四季度汇报 v2");
        assert_eq!(seen.reports[0].files.len(), 1);
        let (f, bytes) = s
            .report_file(&b, Some(bank), id, seen.reports[0].files[0].id)
            .await
            .expect("file");
        assert_eq!(
            (f.file_type.as_str(), &bytes[..]),
            ("pdf", &b"%PDF-1.7 report"[..])
        );
        assert!(matches!(
            s.report_file(&b2, Some(bank2), id, f.id).await,
            Err(StoreError::NotFound)
        ));

        // Attendance: not before the date (Nov 20 < today is fine), only invited units.
        let r = w!(s, |tx| s
            .record_attendance(
                &mut tx,
                &lead(),
                id,
                &[Attendance {
                    organisation_id: bank2,
                    attended: true,
                    attendees: None
                }],
                d(TODAY)
            )
            .await);
        assert!(matches!(r, Err(StoreError::Invalid(f)) if f.msg.code == "meeting.not_invited"));
        let r = w!(s, |tx| s
            .record_attendance(
                &mut tx,
                &lead(),
                id,
                &[Attendance {
                    organisation_id: bank,
                    attended: true,
                    attendees: None
                }],
                d("2026-11-19")
            )
            .await);
        assert!(matches!(r, Err(StoreError::Invalid(f)) if f.msg.code == "meeting.not_yet"));
        w!(s, |tx| s
            .record_attendance(
                &mut tx,
                &lead(),
                id,
                &[Attendance {
                    organisation_id: bank,
                    attended: true,
                    attendees: Some("李经理".into())
                }],
                d(TODAY)
            )
            .await)
        .expect("attendance");

        // Issues: an owner not invited is refused; the machine through the store.
        let r = w!(s, |tx| s
            .raise_issue(
                &mut tx,
                &lead(),
                id,
                NewIssue {
                    title: "x".into(),
                    detail: None,
                    owner_org_id: bank2,
                    due_on: Some(d("2026-12-31"))
                }
            )
            .await);
        assert!(matches!(r, Err(StoreError::Invalid(f)) if f.field == "owner_org_id"));
        let issue = w!(s, |tx| s
            .raise_issue(
                &mut tx,
                &lead(),
                id,
                NewIssue {
                    title: "放款时限".into(),
                    detail: None,
                    owner_org_id: bank,
                    due_on: Some(d("2026-12-31"))
                }
            )
            .await)
        .expect("issue");
        let before = counts(s).await;
        // Skipping a step, a note missing, the owner escalating, another bank moving: refused.
        let r = w!(s, |tx| s
            .move_issue(
                &mut tx,
                &b,
                Some(bank),
                issue,
                IssueStatus::Resolved,
                Some("x".into())
            )
            .await);
        assert!(matches!(r, Err(StoreError::Invalid(f)) if f.msg.code == "issue.transition"));
        let r = w!(s, |tx| s
            .move_issue(
                &mut tx,
                &b2,
                Some(bank2),
                issue,
                IssueStatus::InProgress,
                None
            )
            .await);
        assert!(matches!(r, Err(StoreError::NotFound)));
        let r = w!(s, |tx| s
            .move_issue(
                &mut tx,
                &member(),
                Some(finance),
                issue,
                IssueStatus::InProgress,
                None
            )
            .await);
        assert!(matches!(r, Err(StoreError::Forbidden(_))));
        assert_eq!(counts(s).await, before);
        w!(s, |tx| s
            .move_issue(
                &mut tx,
                &b,
                Some(bank),
                issue,
                IssueStatus::InProgress,
                None
            )
            .await)
        .expect("in progress");
        let r = w!(s, |tx| s
            .move_issue(
                &mut tx,
                &b,
                Some(bank),
                issue,
                IssueStatus::Resolved,
                Some(" ".into())
            )
            .await);
        assert!(matches!(r, Err(StoreError::Invalid(f)) if f.field == "note"));
        let r = w!(s, |tx| s
            .move_issue(
                &mut tx,
                &b,
                Some(bank),
                issue,
                IssueStatus::Escalated,
                Some("x".into())
            )
            .await);
        assert!(matches!(r, Err(StoreError::Invalid(_))));
        w!(s, |tx| s
            .move_issue(
                &mut tx,
                &lead(),
                None,
                issue,
                IssueStatus::Escalated,
                Some("需市级协调".into())
            )
            .await)
        .expect("escalate");
        let r = w!(s, |tx| s
            .move_issue(
                &mut tx,
                &lead(),
                None,
                issue,
                IssueStatus::Resolved,
                Some("x".into())
            )
            .await);
        assert!(matches!(r, Err(StoreError::Invalid(_))));
        w!(s, |tx| s
            .move_issue(
                &mut tx,
                &Scope::City,
                None,
                issue,
                IssueStatus::Resolved,
                Some("市级已协调".into())
            )
            .await)
        .expect("city resolves");
        assert_eq!(
            fetch_i64(
                s.conn(),
                "SELECT COUNT(*) FROM meeting_issue_events WHERE issue_id = ?",
                vec![issue.into()]
            )
            .await
            .expect("events"),
            3
        );

        // Minutes: publishing needs confirmation; afterwards the record is closed.
        w!(s, |tx| s
            .save_minutes(&mut tx, &lead(), id, "会议纪要正文")
            .await)
        .expect("minutes");
        let before = counts(s).await;
        let r = w!(s, |tx| s.publish_minutes(&mut tx, &lead(), id, false).await);
        assert!(matches!(r, Err(StoreError::Invalid(f)) if f.field == "confirm"));
        assert_eq!(counts(s).await, before);
        assert!(
            s.meeting(&b, Some(bank), id)
                .await
                .expect("bank")
                .minutes
                .is_none(),
            "a draft is not shown to units"
        );
        let n = w!(s, |tx| s.publish_minutes(&mut tx, &lead(), id, true).await).expect("publish");
        assert_eq!(n, 2);
        assert_eq!(
            s.meeting(&b, Some(bank), id)
                .await
                .expect("bank")
                .minutes
                .as_deref(),
            Some("会议纪要正文")
        );
        let r = w!(s, |tx| s.save_minutes(&mut tx, &lead(), id, "改写").await);
        assert!(matches!(r, Err(StoreError::Conflict(m)) if m.code == "meeting.published"));
        let r = w!(s, |tx| s
            .submit_report(&mut tx, &b, Some(bank), id, "迟交", None)
            .await);
        assert!(matches!(r, Err(StoreError::Conflict(_))));
        db.cleanup().await;
    }
}
