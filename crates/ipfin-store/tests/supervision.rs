//! Daily supervision (issue #8 item 3, R4.3) on SQLite and (when configured) PostgreSQL:
//! scoping of inspections and tasks, closing without evidence refused with nothing stored, a
//! disallowed evidence type refused, the owner answering its own task only, overdue tasks and
//! the conformance facts; and the demo district's seeded records.

use bytes::Bytes;
use chrono::Duration;
use ipfin_domain::Scope;
use ipfin_domain::id::OrgId;
use ipfin_domain::supervision::{InspectionResult, SubjectKind, TaskStatus};
use ipfin_store::audit::AuditActor;
use ipfin_store::db::{exec, fetch_i64};
use ipfin_store::supervision::{
    DEMO_PDF, Findings, InspectionFilter, NewInspection, NewTask, TaskFilter,
};
use ipfin_store::testing::TestDb;
use ipfin_store::{Page, Store, StoreError, WriteTx};

fn ns() -> Scope {
    Scope::District {
        code: "440305".into(),
        manage: true,
    }
}

async fn tx(s: &Store) -> WriteTx {
    s.write(AuditActor::system("test")).await.expect("tx")
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

#[tokio::test]
async fn inspections_tasks_evidence_and_scoping() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let today = ipfin_store::today_shanghai();
        let bank = org(s, "鹏城商业银行").await;
        let bank_scope = Scope::Institution { org_id: bank };
        let other_bank = Scope::Institution {
            org_id: org(s, "深南银行深圳分行").await,
        };
        let futian = Scope::District {
            code: "440304".into(),
            manage: true,
        };
        let member = Scope::District {
            code: "440305".into(),
            manage: false,
        };

        // Only a lead officer plans; a subject must exist; an enterprise of another district
        // is refused.
        let plan = NewInspection {
            kind: SubjectKind::Bank,
            org_id: Some(bank),
            enterprise_id: None,
            name: None,
            due_on: today + Duration::days(10),
            inspectors: "张敏".into(),
            purpose: "检查贷款台账".into(),
        };
        let ft_ent = fetch_i64(
            s.conn(),
            "SELECT id FROM enterprises WHERE registered_district = '440304' ORDER BY id LIMIT 1",
            vec![],
        )
        .await
        .map(ipfin_domain::id::EnterpriseId::new)
        .expect("a Futian enterprise");
        let ft_dept = org(s, "福田区市场监督管理局").await;
        let finance = org(s, "南山区财政局").await;
        let mut t = tx(s).await;
        assert!(matches!(
            s.plan_inspection(&mut t, &member, &plan, today).await,
            Err(StoreError::Forbidden(_))
        ));
        let e = s
            .plan_inspection(
                &mut t,
                &ns(),
                &NewInspection {
                    kind: SubjectKind::Enterprise,
                    org_id: None,
                    enterprise_id: Some(ft_ent),
                    ..plan.clone()
                },
                today,
            )
            .await
            .expect_err("enterprise of another district");
        assert!(
            matches!(e, StoreError::Invalid(ref f) if f.field == "subject"),
            "{e:?}"
        );
        let id = s
            .plan_inspection(&mut t, &ns(), &plan, today)
            .await
            .expect("plan");
        t.commit().await.expect("commit");

        // Reads: the district and the city yes; Futian, the bank no.
        assert!(s.inspection(&ns(), id, today).await.is_ok());
        assert!(s.inspection(&member, id, today).await.is_ok());
        assert!(s.inspection(&Scope::City, id, today).await.is_ok());
        assert!(matches!(
            s.inspection(&futian, id, today).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.inspection(&bank_scope, id, today).await,
            Err(StoreError::NotFound)
        ));
        let ft_list = s
            .inspections(
                &futian,
                &InspectionFilter::default(),
                Page::default(),
                today,
            )
            .await
            .expect("list");
        assert!(ft_list.items.iter().all(|i| i.district_code == "440304"));

        // No task before findings; findings with issues; then a task for the bank.
        let task = NewTask {
            owner_org_id: bank,
            deadline: today + Duration::days(20),
            requirement: "补齐台账".into(),
        };
        let mut t = tx(s).await;
        assert!(matches!(
            s.create_task(&mut t, &ns(), id, &task, today).await,
            Err(StoreError::Conflict(_))
        ));
        s.record_findings(
            &mut t,
            &ns(),
            id,
            &Findings {
                done_on: today,
                findings: "台账未按月更新".into(),
                result: InspectionResult::IssuesFound,
            },
            today,
        )
        .await
        .expect("findings");
        // An owner outside the choices (a Futian department) is refused.
        let e = s
            .create_task(
                &mut t,
                &ns(),
                id,
                &NewTask {
                    owner_org_id: ft_dept,
                    ..task.clone()
                },
                today,
            )
            .await
            .expect_err("foreign owner");
        assert!(matches!(e, StoreError::Invalid(ref f) if f.field == "owner_org_id"));
        let tid = s
            .create_task(&mut t, &ns(), id, &task, today)
            .await
            .expect("task");
        t.commit().await.expect("commit");

        // The owner bank sees it; the other bank and Futian do not.
        assert_eq!(
            s.task(&bank_scope, tid, today)
                .await
                .expect("own")
                .owner_org_id,
            bank
        );
        assert!(matches!(
            s.task(&other_bank, tid, today).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.task(&futian, tid, today).await,
            Err(StoreError::NotFound)
        ));
        let other_list = s
            .tasks(&other_bank, &TaskFilter::default(), Page::default(), today)
            .await
            .expect("list");
        assert!(other_list.items.iter().all(|t| t.id != tid));

        // Closing without evidence: refused on `file`, nothing stored.
        let (ev, events, audits) = (
            count(s, "rectification_evidence").await,
            count(s, "rectification_events").await,
            s.audit_count().await.expect("audit"),
        );
        let mut t = tx(s).await;
        let e = s
            .close_task(&mut t, &ns(), tid, "已整改", None, true, today)
            .await
            .expect_err("no evidence");
        assert!(
            matches!(e, StoreError::Invalid(ref f) if f.field == "file" && f.msg.zh.contains("整改证明文件")),
            "{e:?}"
        );
        t.rollback().await.expect("rollback");
        // A disallowed file type (a script) from the owner: refused, nothing stored.
        let mut t = tx(s).await;
        let e = s
            .submit_evidence(
                &mut t,
                &bank_scope,
                None,
                tid,
                "整改报告",
                Some(("report.pdf", Bytes::from_static(b"#!/bin/sh\necho hi\n"))),
                today,
            )
            .await
            .expect_err("bad type");
        assert!(
            matches!(e, StoreError::Invalid(ref f) if f.field == "file"),
            "{e:?}"
        );
        t.rollback().await.expect("rollback");
        // Another bank cannot answer; a district member department is not the owner either.
        let mut t = tx(s).await;
        assert!(matches!(
            s.submit_evidence(
                &mut t,
                &other_bank,
                None,
                tid,
                "整改报告",
                Some(("r.pdf", Bytes::from_static(DEMO_PDF))),
                today
            )
            .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.submit_evidence(
                &mut t,
                &member,
                Some(finance),
                tid,
                "整改报告",
                Some(("r.pdf", Bytes::from_static(DEMO_PDF))),
                today
            )
            .await,
            Err(StoreError::Forbidden(_))
        ));
        t.rollback().await.expect("rollback");
        assert_eq!(count(s, "rectification_evidence").await, ev);
        assert_eq!(count(s, "rectification_events").await, events);
        assert_eq!(s.audit_count().await.expect("audit"), audits);
        assert_eq!(
            s.task(&ns(), tid, today).await.expect("task").status(),
            TaskStatus::Open
        );

        // The owner answers; the officer closes with the confirmation.
        let mut t = tx(s).await;
        s.submit_evidence(
            &mut t,
            &bank_scope,
            None,
            tid,
            "已建立月度台账",
            Some(("整改报告.pdf", Bytes::from_static(DEMO_PDF))),
            today,
        )
        .await
        .expect("evidence");
        t.commit().await.expect("commit");
        let mut t = tx(s).await;
        let e = s
            .close_task(&mut t, &ns(), tid, "整改到位", None, false, today)
            .await
            .expect_err("no confirmation");
        assert!(matches!(e, StoreError::Invalid(ref f) if f.field == "confirm"));
        t.rollback().await.expect("rollback");
        let mut t = tx(s).await;
        s.close_task(&mut t, &ns(), tid, "整改到位", None, true, today)
            .await
            .expect("close");
        t.commit().await.expect("commit");
        let closed = s.task(&bank_scope, tid, today).await.expect("task");
        assert_eq!(closed.status(), TaskStatus::Closed);
        assert_eq!(closed.close_note.as_deref(), Some("整改到位"));
        let (e, bytes) = s
            .evidence_file(
                &bank_scope,
                tid,
                s.task_evidence(&bank_scope, tid).await.expect("ev")[0].id,
            )
            .await
            .expect("file");
        assert_eq!(e.file_type, "pdf");
        assert_eq!(&bytes[..], DEMO_PDF);
        // The owner cannot answer a closed task.
        let mut t = tx(s).await;
        assert!(matches!(
            s.submit_evidence(
                &mut t,
                &bank_scope,
                None,
                tid,
                "再次提交",
                Some(("r.pdf", Bytes::from_static(DEMO_PDF))),
                today
            )
            .await,
            Err(StoreError::Conflict(_))
        ));
        t.rollback().await.expect("rollback");

        // Overdue: a task past its deadline is flagged and counted; 31 days fails the cell.
        let mut t = tx(s).await;
        let tid2 = s
            .create_task(
                &mut t,
                &ns(),
                id,
                &NewTask {
                    owner_org_id: bank,
                    deadline: today,
                    requirement: "再次检查台账".into(),
                },
                today,
            )
            .await
            .expect("task 2");
        t.commit().await.expect("commit");
        exec(
            s.conn(),
            "UPDATE rectification_tasks SET deadline = ? WHERE id = ?",
            vec![(today - Duration::days(31)).into(), tid2.into()],
        )
        .await
        .expect("backdate");
        let t2 = s.task(&ns(), tid2, today).await.expect("task");
        assert_eq!(t2.days_overdue, Some(31));
        let overdue = s
            .tasks(
                &ns(),
                &TaskFilter {
                    overdue: true,
                    ..Default::default()
                },
                Page::default(),
                today,
            )
            .await
            .expect("overdue");
        assert!(overdue.items.iter().any(|t| t.id == tid2));
        assert!(overdue.items.iter().all(|t| t.days_overdue.is_some()));
        let facts = s
            .supervision_facts(&Scope::City, chrono::Datelike::year(&today), today)
            .await
            .expect("facts");
        let f = facts["440305"];
        assert!(f.done >= 1, "{f:?}");
        assert!(f.worst_overdue_days >= 31, "{f:?}");
        let (pass, finding) =
            ipfin_domain::supervision::conformance(chrono::Datelike::year(&today), &f);
        assert!(!pass, "{finding}");
        // Futian sees no Nanshan facts.
        let ft_facts = s
            .supervision_facts(&futian, chrono::Datelike::year(&today), today)
            .await
            .expect("facts");
        assert!(!ft_facts.contains_key("440305"));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn demo_district_has_inspections_and_tasks() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let today = ipfin_store::today_shanghai();
        let list = s
            .inspections(&ns(), &InspectionFilter::default(), Page::default(), today)
            .await
            .expect("list");
        assert_eq!(list.total, 5);
        let tasks = s
            .tasks(&ns(), &TaskFilter::default(), Page::default(), today)
            .await
            .expect("tasks");
        assert_eq!(tasks.total, 2);
        let closed = tasks
            .items
            .iter()
            .find(|t| t.status() == TaskStatus::Closed)
            .expect("a closed task");
        assert_eq!(closed.owner_name, "深南银行深圳分行");
        assert_eq!(
            s.task_evidence(&ns(), closed.id).await.expect("ev").len(),
            1
        );
        let late = tasks
            .items
            .iter()
            .find(|t| t.status() == TaskStatus::Open)
            .expect("an open task");
        assert_eq!(late.days_overdue, Some(10));
        db.cleanup().await;
    }
}
