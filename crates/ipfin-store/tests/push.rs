//! Push to banks (issue #20 items 3–5) on SQLite and (when configured) PostgreSQL: the demo's
//! push to three banks; a bank sees only what was pushed to it, for as long as it is pushed;
//! a withdrawal of consent hides the enterprise from banks that have not contacted it; a list
//! prepared by one officer goes out only when a second confirms, and not if a line no longer
//! holds; follow-up; bad input refused with nothing stored.

use chrono::Days;
use ipfin_domain::Scope;
use ipfin_domain::confirmation::Step;
use ipfin_domain::id::OrgId;
use ipfin_domain::push::{FollowUp, Method, Settings};
use ipfin_store::audit::AuditActor;
use ipfin_store::db::fetch_i64;
use ipfin_store::push::{Pick, ReceivedFilter};
use ipfin_store::testing::TestDb;
use ipfin_store::{Page, Store, StoreError};

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

fn nanshan() -> Scope {
    Scope::District {
        code: "440305".into(),
        manage: true,
    }
}

async fn id(s: &Store, sql: &str, name: &str) -> i64 {
    fetch_i64(s.conn(), sql, vec![name.to_string().into()])
        .await
        .expect(name)
}

async fn ent(s: &Store, name: &str) -> i64 {
    id(s, "SELECT id FROM enterprises WHERE name = ?", name).await
}

async fn org(s: &Store, name: &str) -> OrgId {
    OrgId::new(id(s, "SELECT id FROM organisations WHERE name = ?", name).await)
}

async fn person(s: &Store, username: &str) -> AuditActor {
    AuditActor::user(
        id(s, "SELECT id FROM users WHERE username = ?", username).await,
        username,
    )
}

fn bank(o: OrgId) -> Scope {
    Scope::Institution { org_id: o }
}

async fn seen(s: &Store, b: OrgId) -> Vec<String> {
    let mut v: Vec<String> = s
        .pushed(
            &bank(b),
            ReceivedFilter::default(),
            Page::new(Some(1), Some(200)),
        )
        .await
        .expect("pushed")
        .items
        .into_iter()
        .map(|e| e.enterprise_name)
        .collect();
    v.sort();
    v
}

const NANSHAN: &str = "深圳市南山示例科技有限公司";
const PENGHUA: &str = "深圳市鹏华光电科技有限公司";
const YUNLIAN: &str = "深圳市前海云链信息技术有限公司";

#[tokio::test]
async fn each_bank_sees_only_what_was_pushed_to_it_while_it_lasts() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let today = ipfin_store::today_shanghai();
        let a = org(s, "深南银行深圳分行").await;
        let b = org(s, "鹏城商业银行").await;
        let c = org(s, "深圳前海农商银行（演示）").await;
        assert_eq!(seen(s, a).await, [NANSHAN], "{}", db.name);
        assert_eq!(seen(s, b).await, [PENGHUA]);
        assert_eq!(seen(s, c).await, [YUNLIAN]);
        // Through the one visibility rule: the registry record too, and nothing else.
        assert!(s.enterprise(&bank(a), ent(s, NANSHAN).await).await.is_ok());
        assert!(matches!(
            s.enterprise(&bank(a), ent(s, PENGHUA).await).await,
            Err(StoreError::NotFound)
        ));
        // Bank A cannot open or follow up bank B's entry.
        let b_entry = s
            .pushed(&bank(b), ReceivedFilter::default(), Page::default())
            .await
            .expect("b")
            .items[0]
            .id;
        assert!(matches!(
            s.pushed_entry(&bank(a), b_entry).await,
            Err(StoreError::NotFound)
        ));
        let f = FollowUp::check(
            Some(today),
            "phone",
            "张经理",
            "needs_time",
            None,
            "",
            today - Days::new(30),
            today,
        )
        .expect("follow-up");
        let r = write!(s, AuditActor::system("bank-a"), |tx| s.record_follow_up(
            &mut tx,
            &bank(a),
            b_entry,
            &f
        ));
        assert!(matches!(r, Err(StoreError::NotFound)));
        // The demo's funnel: one contacted with an application in progress, one needing time,
        // one not yet called and overdue.
        let cal = s.calendar().await.expect("calendar");
        let c_entry = s
            .pushed(&bank(c), ReceivedFilter::default(), Page::default())
            .await
            .expect("c")
            .items
            .remove(0);
        assert!(c_entry.overdue(&cal, today), "20 days without a call");
        assert_eq!(
            s.pushed(
                &bank(c),
                ReceivedFilter {
                    awaiting_contact: true
                },
                Page::default()
            )
            .await
            .expect("awaiting")
            .total,
            1
        );
        assert_eq!(s.pushed_awaiting_contact(&bank(a)).await.expect("n"), 0);
        // The overdue first contact is flagged once, to the bank and to the district.
        let (n, due) = s
            .overdue_first_contacts(&nanshan(), today)
            .await
            .expect("n");
        assert_eq!(n, 1);
        // With the day it was due, for the to-do list's order.
        assert!(due.is_some_and(|d| d < today), "{due:?}");
        assert_eq!(
            s.notify_overdue_first_contacts(today).await.expect("flag"),
            1
        );
        assert_eq!(
            s.notify_overdue_first_contacts(today).await.expect("again"),
            0
        );
        let notes = fetch_i64(
            s.conn(),
            "SELECT COUNT(*) FROM notifications WHERE text LIKE '%首次联系已逾期%'",
            vec![],
        )
        .await
        .expect("notes");
        assert_eq!(notes, 2, "the bank and the district");
        // The push ends after its 90 days: the banks see nothing any more.
        assert_eq!(s.expire_pushes(today).await.expect("expire"), 0);
        assert_eq!(
            s.expire_pushes(today + Days::new(70))
                .await
                .expect("expire"),
            3
        );
        assert!(seen(s, a).await.is_empty());
        assert!(matches!(
            s.enterprise(&bank(a), ent(s, NANSHAN).await).await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn a_withdrawal_hides_the_enterprise_from_banks_that_have_not_called() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let b = org(s, "鹏城商业银行").await;
        let c = org(s, "深圳前海农商银行（演示）").await;
        let officer = person(s, "ns.officer").await;
        for name in [PENGHUA, YUNLIAN] {
            let e = ent(s, name).await;
            write!(s, officer.clone(), |tx| s.record_consent(
                &mut tx,
                &nanshan(),
                e,
                false,
                &[]
            ))
            .expect("withdraw");
        }
        // Bank B had called 鹏华光电: it keeps its contact. Bank C had not: 前海云链 is gone.
        assert_eq!(seen(s, b).await, [PENGHUA], "{}", db.name);
        assert!(seen(s, c).await.is_empty());
        // The history says who, when and what.
        let h = s
            .consent(&nanshan(), ent(s, YUNLIAN).await)
            .await
            .expect("consent");
        assert!(!h.given);
        assert_eq!(h.history.len(), 2);
        assert!(!h.history[0].given && h.history[1].given);
        assert_eq!(h.history[0].channel, "officer");
        assert!(h.history[0].by_name.contains("ns.officer"));
        // A bank or another district records nothing.
        let futian = Scope::District {
            code: "440304".into(),
            manage: true,
        };
        let e = ent(s, NANSHAN).await;
        for scope in [bank(b), futian] {
            let r = write!(s, AuditActor::system("x"), |tx| s.record_consent(
                &mut tx,
                &scope,
                e,
                false,
                &[]
            ));
            assert!(r.is_err(), "{scope:?}");
        }
        assert!(s.consent(&nanshan(), e).await.expect("consent").given);
        // A preferred bank that is not a partner is refused.
        let guarantor = org(s, "前海科技融资担保有限公司").await;
        let r = write!(s, officer.clone(), |tx| s.record_consent(
            &mut tx,
            &nanshan(),
            e,
            true,
            &[guarantor]
        ));
        assert!(matches!(r, Err(StoreError::Invalid(f)) if f.field == "preferred_banks"));
    }
}

#[tokio::test]
async fn a_push_goes_out_only_when_a_second_officer_confirms() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let today = ipfin_store::today_shanghai();
        let a = org(s, "深南银行深圳分行").await;
        let b = org(s, "鹏城商业银行").await;
        let c = org(s, "深圳前海农商银行（演示）").await;
        let officer = person(s, "ns.officer").await;
        let second = person(s, "ns.cashier").await;
        write!(s, officer.clone(), |tx| s.set_push_settings(
            &mut tx,
            &nanshan(),
            "440305",
            Settings::check(2, 90, 10).expect("settings")
        ))
        .expect("settings");
        let req = write!(s, officer.clone(), |tx| s.prepare_push(
            &mut tx,
            &nanshan(),
            "440305",
            Method::RoundRobin,
            Pick::Whitelist { tag: None },
            100,
            "第二批",
            today
        ))
        .expect("prepare");
        let Step::Push(step) = req.step().clone() else {
            panic!("a push step")
        };
        // Three consenting enterprises, two more banks each (never the bank they already have).
        assert_eq!(step.lines.len(), 6, "{}: {:?}", db.name, step.lines);
        for l in &step.lines {
            let already = match l.enterprise_name.as_str() {
                NANSHAN => a,
                PENGHUA => b,
                _ => c,
            };
            assert_ne!(l.bank_org_id, already.get(), "{l:?}");
        }
        // Nothing is out yet.
        assert_eq!(seen(s, b).await, [PENGHUA]);
        // The preparer cannot confirm.
        let r = write!(s, officer.clone(), |tx| s.confirm_request(
            &mut tx,
            &nanshan(),
            req.id,
            today
        ));
        assert!(r.is_err());
        // A second preparation while the first is pending leaves nothing to push (the pairs
        // wait in the pending list).
        let r = write!(s, officer.clone(), |tx| s.prepare_push(
            &mut tx,
            &nanshan(),
            "440305",
            Method::RoundRobin,
            Pick::Whitelist { tag: None },
            100,
            "",
            today
        ));
        assert!(matches!(r, Err(StoreError::Invalid(_))), "{r:?}");
        write!(s, second.clone(), |tx| s.confirm_request(
            &mut tx,
            &nanshan(),
            req.id,
            today
        ))
        .expect("confirm");
        let mut all = vec![NANSHAN, PENGHUA, YUNLIAN];
        all.sort();
        assert_eq!(seen(s, b).await, all);
        let lists = s
            .push_lists(&nanshan(), Some("440305"), Page::default())
            .await
            .expect("lists");
        assert_eq!(lists.items[0].state, "sent");
        assert_eq!(lists.items[0].lines, 6);
        // Bank A records a contact on its new entry.
        let entry = s
            .pushed(&bank(a), ReceivedFilter::default(), Page::default())
            .await
            .expect("a")
            .items
            .into_iter()
            .find(|e| e.list_id == lists.items[0].id)
            .expect("new entry");
        let f = FollowUp::check(
            Some(today),
            "visit",
            "王经理",
            "applying",
            None,
            "",
            today,
            today,
        )
        .expect("f");
        write!(s, AuditActor::system("bank-a"), |tx| s.record_follow_up(
            &mut tx,
            &bank(a),
            entry.id,
            &f
        ))
        .expect("follow-up");
        let (e, fs) = s.pushed_entry(&bank(a), entry.id).await.expect("entry");
        assert_eq!(e.first_contact_on, Some(today));
        assert_eq!(fs.len(), 1);
        // A granted loan must be one the bank reported for that enterprise.
        let g = FollowUp::check(
            Some(today),
            "visit",
            "王经理",
            "granted",
            Some(999_999),
            "",
            today,
            today,
        )
        .expect("g");
        let r = write!(s, AuditActor::system("bank-a"), |tx| s.record_follow_up(
            &mut tx,
            &bank(a),
            entry.id,
            &g
        ));
        assert!(matches!(r, Err(StoreError::Invalid(f)) if f.field == "loan_id"));
    }
}

#[tokio::test]
async fn a_line_that_no_longer_holds_stops_the_confirmation() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let today = ipfin_store::today_shanghai();
        let officer = person(s, "ns.officer").await;
        let second = person(s, "ns.cashier").await;
        let req = write!(s, officer.clone(), |tx| s.prepare_push(
            &mut tx,
            &nanshan(),
            "440305",
            Method::RoundRobin,
            Pick::Whitelist { tag: None },
            100,
            "",
            today
        ))
        .expect("prepare");
        // 前海云链 withdraws its consent before the second officer confirms.
        let e = ent(s, YUNLIAN).await;
        write!(s, officer.clone(), |tx| s.record_consent(
            &mut tx,
            &nanshan(),
            e,
            false,
            &[]
        ))
        .expect("withdraw");
        let r = write!(s, second.clone(), |tx| s.confirm_request(
            &mut tx,
            &nanshan(),
            req.id,
            today
        ));
        match r {
            Err(StoreError::Invalid(f)) => {
                assert!(f.msg.zh.contains("已撤回数据共享授权"), "{}", f.msg.zh)
            }
            other => panic!("{}: {other:?}", db.name),
        }
        // Refused: the list is cancelled and nothing went out.
        write!(s, second.clone(), |tx| s.refuse_request(
            &mut tx,
            &nanshan(),
            req.id,
            "企业已撤回授权，重新准备"
        ))
        .expect("refuse");
        let lists = s
            .push_lists(&nanshan(), None, Page::default())
            .await
            .expect("lists");
        assert_eq!(lists.items[0].state, "cancelled");
        // The next list leaves 前海云链 out.
        let req = write!(s, officer.clone(), |tx| s.prepare_push(
            &mut tx,
            &nanshan(),
            "440305",
            Method::RoundRobin,
            Pick::Whitelist { tag: None },
            100,
            "",
            today
        ))
        .expect("prepare again");
        let Step::Push(step) = req.step().clone() else {
            panic!("push")
        };
        assert!(step.lines.iter().all(|l| l.enterprise_id != e));
    }
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let today = ipfin_store::today_shanghai();
        let officer = person(s, "ns.officer").await;
        assert_eq!(
            Settings::check(0, 90, 10).map_err(|e| e[0].field),
            Err("max_banks")
        );
        // A guarantor is not a bank.
        let guarantor = org(s, "前海科技融资担保有限公司").await;
        let r = write!(s, officer.clone(), |tx| s.add_partner_bank(
            &mut tx,
            &nanshan(),
            "440305",
            guarantor
        ));
        assert!(matches!(r, Err(StoreError::Invalid(f)) if f.field == "bank_org_id"));
        // Another district's officers manage nothing here; Futian has no partners to push to.
        let futian = Scope::District {
            code: "440304".into(),
            manage: true,
        };
        let ft = person(s, "ft.officer").await;
        let r = write!(s, ft.clone(), |tx| s.prepare_push(
            &mut tx,
            &futian,
            "440305",
            Method::Fit,
            Pick::Whitelist { tag: None },
            10,
            "",
            today
        ));
        assert!(matches!(r, Err(StoreError::Forbidden(_))), "{r:?}");
        let r = write!(s, ft.clone(), |tx| s.prepare_push(
            &mut tx,
            &futian,
            "440304",
            Method::Fit,
            Pick::Whitelist { tag: None },
            0,
            "",
            today
        ));
        match r {
            Err(StoreError::Problems(f)) => {
                let fields: Vec<_> = f.iter().map(|f| f.path.as_str()).collect();
                assert_eq!(fields, ["limit", "method"], "{}", db.name);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            fetch_i64(s.conn(), "SELECT COUNT(*) FROM push_lists", vec![])
                .await
                .expect("n"),
            1,
            "only the demo's list"
        );
        // A member department reads but does not prepare.
        let member = Scope::District {
            code: "440305".into(),
            manage: false,
        };
        let r = write!(s, officer.clone(), |tx| s.prepare_push(
            &mut tx,
            &member,
            "440305",
            Method::RoundRobin,
            Pick::Whitelist { tag: None },
            10,
            "",
            today
        ));
        assert!(matches!(r, Err(StoreError::Forbidden(_))));
        assert!(
            s.push_lists(&member, None, Page::default())
                .await
                .expect("read")
                .total
                == 1
        );
        // Banks and enterprises read no push lists.
        let a = org(s, "深南银行深圳分行").await;
        assert_eq!(
            s.push_lists(&bank(a), None, Page::default())
                .await
                .expect("none")
                .total,
            0
        );
    }
}

#[tokio::test]
async fn a_bank_uploads_its_follow_ups_with_every_row_error() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let today = ipfin_store::today_shanghai();
        let c = org(s, "深圳前海农商银行（演示）").await;
        let code = |name: &str| {
            let name = name.to_string();
            async move {
                let r: Vec<ipfin_store::enterprise::Enterprise> = s
                    .search_enterprises(
                        &Scope::City,
                        &ipfin_store::enterprise::EnterpriseFilter {
                            q: Some(name),
                            ..Default::default()
                        },
                        Page::default(),
                    )
                    .await
                    .expect("search")
                    .items;
                r[0].credit_code.clone()
            }
        };
        let yunlian = code(YUNLIAN).await;
        let nanshan_code = code(NANSHAN).await;
        let path =
            std::env::temp_dir().join(format!("follow-ups-{}-{}.csv", db.name, std::process::id()));
        std::fs::write(
            &path,
            format!(
                "统一社会信用代码,联系日期,联系方式,联系人,跟进结果,贷款合同编号,备注\n\
                 {yunlian},{today},电话,赵经理,企业需要时间考虑,,下月再联系\n\
                 {nanshan_code},{today},电话,赵经理,企业需要时间考虑,,\n\
                 {yunlian},2020-01-01,电话,赵经理,未能联系上,,\n\
                 {yunlian},{today},上门走访,赵经理,已放款,,\n\
                 {yunlian},{today},传真,赵经理,企业暂无意向,,\n"
            ),
        )
        .expect("write");
        let r = s
            .import_file(
                ipfin_store::import::ImportKind::FollowUps,
                &path,
                &bank(c),
                AuditActor::system("bank-c"),
                100,
                &mut |_| {},
            )
            .await
            .expect("import");
        assert_eq!(r.inserted, 1, "{}: {:?}", db.name, r.errors);
        let fields: Vec<(u64, &str)> = r
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                (3, "credit_code"),
                (4, "contacted_on"),
                (5, "contract_number"),
                (6, "channel")
            ],
            "{:?}",
            r.errors
        );
        let entry = s
            .pushed(&bank(c), ReceivedFilter::default(), Page::default())
            .await
            .expect("c")
            .items
            .remove(0);
        assert_eq!(entry.first_contact_on, Some(today));
        assert_eq!(entry.outcome.as_deref(), Some("needs_time"));
        // Uploading the same file again records nothing twice.
        let again = s
            .import_file(
                ipfin_store::import::ImportKind::FollowUps,
                &path,
                &bank(c),
                AuditActor::system("bank-c"),
                100,
                &mut |_| {},
            )
            .await
            .expect("import");
        assert_eq!((again.inserted, again.unchanged), (0, 1));
        // A district cannot upload a bank's follow-ups.
        assert!(!ipfin_store::import::ImportKind::FollowUps.allowed_for(&nanshan()));
        let _ = std::fs::remove_file(&path);
    }
}

#[tokio::test]
async fn a_push_can_take_the_screening_models_best_and_says_which_model_chose_them() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let today = ipfin_store::today_shanghai();
        let officer = person(s, "ns.officer").await;
        let second = person(s, "ns.cashier").await;
        let (version, page) = s
            .screened(&nanshan(), "440305", Page::new(Some(1), Some(200)))
            .await
            .expect("screened");
        assert!(
            !page.items.is_empty(),
            "{}: the demo has screened enterprises",
            db.name
        );
        let best = &page.items[0];
        // The best-scored enterprise consents (recorded by the district from its written form).
        write!(s, officer.clone(), |tx| s.record_consent(
            &mut tx,
            &nanshan(),
            best.enterprise_id,
            true,
            &[]
        ))
        .expect("consent");
        let scored: Vec<_> = page
            .items
            .iter()
            .map(|e| (e.enterprise_id, e.score.0, e.band))
            .collect();
        let req = write!(s, officer.clone(), |tx| s.prepare_push(
            &mut tx,
            &nanshan(),
            "440305",
            Method::RoundRobin,
            Pick::Screened {
                model_version: version,
                scored: &scored
            },
            5,
            "",
            today
        ))
        .expect("prepare");
        let Step::Push(step) = req.step().clone() else {
            panic!("push")
        };
        assert!(
            step.lines
                .iter()
                .any(|l| l.enterprise_id == best.enterprise_id)
        );
        for l in &step.lines {
            assert_eq!(l.source, "screening");
            assert!(l.reason.contains("筛选得分"), "{}", l.reason);
        }
        write!(s, second.clone(), |tx| s.confirm_request(
            &mut tx,
            &nanshan(),
            req.id,
            today
        ))
        .expect("confirm");
        let lists = s
            .push_lists(&nanshan(), None, Page::default())
            .await
            .expect("lists");
        assert_eq!(lists.items[0].model_version, Some(i64::from(version)));
        // The funnel tells the lines by source and score band.
        let f = s
            .funnel_entries(&nanshan(), None, today, today)
            .await
            .expect("funnel");
        assert!(!f.is_empty());
        assert!(
            f.iter().all(|e| e.source.starts_with("screening:")),
            "{f:?}"
        );
        assert!(
            f.iter()
                .any(|e| e.source == format!("screening:{}", best.band.code()))
        );
    }
}

/// Issue #20 item 3, "or whose data is public": an enterprise that never consented is pushed
/// once the district's lead officers record the basis on which its data is public, and not
/// before; a bad basis, another district or a bank records nothing; when the enterprise says
/// no, it is not pushed again and banks that have not called stop seeing it; a cleared basis
/// leaves an enterprise without consent unpushable.
#[tokio::test]
async fn an_enterprise_whose_data_is_public_is_pushed_until_it_says_no() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let today = ipfin_store::today_shanghai();
        let officer = person(s, "ns.officer").await;
        let second = person(s, "ns.cashier").await;
        let listed = fetch_i64(
            s.conn(),
            "SELECT MIN(id) FROM enterprises WHERE registered_district = '440305' AND data_sharing_consent = FALSE \
             AND id NOT IN (SELECT enterprise_id FROM consent_events)",
            vec![],
        )
        .await
        .expect("an enterprise without consent");
        let name = s
            .consent(&nanshan(), listed)
            .await
            .expect("consent")
            .enterprise_name;
        write!(s, officer.clone(), |tx| s.add_to_whitelist(
            &mut tx,
            &nanshan(),
            listed,
            "测试：上市公司",
            None,
            today
        ))
        .expect("whitelisted");
        write!(s, officer.clone(), |tx| s.set_push_settings(
            &mut tx,
            &nanshan(),
            "440305",
            Settings::check(2, 90, 10).expect("settings")
        ))
        .expect("settings");
        let c = s.consent(&nanshan(), listed).await.expect("consent");
        assert!(
            !c.given && !c.pushable && c.public_basis.is_none(),
            "{}",
            db.name
        );

        // Without consent or a public basis it is not on a list.
        let prepare = |note: &'static str| {
            let officer = officer.clone();
            async move {
                write!(s, officer, |tx| s.prepare_push(
                    &mut tx,
                    &nanshan(),
                    "440305",
                    Method::RoundRobin,
                    Pick::Whitelist { tag: None },
                    100,
                    note,
                    today
                ))
            }
        };
        let req = prepare("无公开依据").await.expect("prepare");
        let Step::Push(step) = req.step().clone() else {
            panic!("a push step")
        };
        assert!(step.lines.iter().all(|l| l.enterprise_id != listed));
        write!(s, second.clone(), |tx| s.refuse_request(
            &mut tx,
            &nanshan(),
            req.id,
            "测试：退回"
        ))
        .expect("refused");

        // Bad input: too short a basis, another district, a bank: nothing recorded.
        let audits = fetch_i64(s.conn(), "SELECT COUNT(*) FROM audit_events", vec![])
            .await
            .expect("audits");
        let r = write!(s, officer.clone(), |tx| s.record_public_data(
            &mut tx,
            &nanshan(),
            listed,
            Some(" 公开 ")
        ));
        assert!(
            matches!(r, Err(StoreError::Invalid(ref f)) if f.field == "basis"),
            "{r:?}"
        );
        let futian = Scope::District {
            code: "440304".into(),
            manage: true,
        };
        let bank_a = org(s, "深南银行深圳分行").await;
        for scope in [futian, bank(bank_a)] {
            let r = write!(s, AuditActor::system("x"), |tx| s.record_public_data(
                &mut tx,
                &scope,
                listed,
                Some("深交所上市公司，定期报告公开披露")
            ));
            assert!(r.is_err(), "{scope:?}");
        }
        assert_eq!(
            fetch_i64(s.conn(), "SELECT COUNT(*) FROM audit_events", vec![])
                .await
                .expect("audits"),
            audits
        );

        // The basis recorded: it is pushed, and its bank sees it.
        write!(s, officer.clone(), |tx| s.record_public_data(
            &mut tx,
            &nanshan(),
            listed,
            Some("深交所上市公司，定期报告公开披露")
        ))
        .expect("public");
        let c = s.consent(&nanshan(), listed).await.expect("consent");
        assert!(!c.given && c.pushable);
        assert_eq!(
            c.public_basis.as_deref(),
            Some("深交所上市公司，定期报告公开披露")
        );
        assert_eq!(c.history[0].channel, "public");
        let req = prepare("公开数据").await.expect("prepare");
        let Step::Push(step) = req.step().clone() else {
            panic!("a push step")
        };
        let line = step
            .lines
            .iter()
            .find(|l| l.enterprise_id == listed)
            .expect("pushed on its public data")
            .clone();
        write!(s, second.clone(), |tx| s.confirm_request(
            &mut tx,
            &nanshan(),
            req.id,
            today
        ))
        .expect("confirm");
        let to = OrgId::new(line.bank_org_id);
        assert!(seen(s, to).await.contains(&name));

        // It says no (recorded by the officer from its letter): gone from the bank, which had
        // not called, and from every later list.
        write!(s, officer.clone(), |tx| s.record_consent(
            &mut tx,
            &nanshan(),
            listed,
            false,
            &[]
        ))
        .expect("refusal");
        let c = s.consent(&nanshan(), listed).await.expect("consent");
        assert!(!c.pushable && c.public_basis.is_some());
        assert!(!seen(s, to).await.contains(&name));
        if let Ok(req) = prepare("拒绝后").await {
            let Step::Push(step) = req.step().clone() else {
                panic!("a push step")
            };
            assert!(step.lines.iter().all(|l| l.enterprise_id != listed));
        }

        // Clearing a basis: the history keeps both entries; without consent, not pushable.
        let other = fetch_i64(
            s.conn(),
            "SELECT MIN(id) FROM enterprises WHERE registered_district = '440305' AND data_sharing_consent = FALSE \
             AND id NOT IN (SELECT enterprise_id FROM consent_events)",
            vec![],
        )
        .await
        .expect("another");
        for basis in [Some("新三板挂牌公司公开披露"), None] {
            write!(s, officer.clone(), |tx| s.record_public_data(
                &mut tx,
                &nanshan(),
                other,
                basis
            ))
            .expect("recorded");
        }
        let c = s.consent(&nanshan(), other).await.expect("consent");
        assert!(!c.pushable && c.public_basis.is_none());
        assert_eq!(c.history.len(), 2);
        assert!(!c.history[0].given && c.history[1].given);
    }
}
