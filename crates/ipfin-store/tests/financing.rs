//! Financing records (issue #5) on SQLite and (when configured) PostgreSQL: loans reported by
//! banks, idempotent by lender + contract number, with pledges, payments, status changes and
//! contracts; the consistency checks; and who sees what.

use chrono::NaiveDate;
use ipfin_domain::Scope;
use ipfin_domain::financing::{LoanStatus, LoanTerms, Payment, PledgeTerms};
use ipfin_domain::{CreditCode, Fen};
use ipfin_store::audit::AuditActor;
use ipfin_store::db::fetch_i64;
use ipfin_store::demo::demo_code;
use ipfin_store::financing::{
    ContractInput, LoanFilter, LoanInput, PledgeInput, PledgeItemInput, SaveOutcome, SavedLoan,
};
use ipfin_store::testing::TestDb;
use ipfin_store::{Page, Store, StoreError};
use rust_decimal::Decimal;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

async fn org_id(s: &Store, name: &str) -> ipfin_domain::id::OrgId {
    ipfin_domain::id::OrgId::new(
        fetch_i64(
            s.conn(),
            "SELECT id FROM organisations WHERE name = ?",
            vec![name.to_string().into()],
        )
        .await
        .expect("organisation"),
    )
}

async fn count(s: &Store, table: &str) -> i64 {
    fetch_i64(
        s.conn(),
        &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}"),
        vec![],
    )
    .await
    .expect("count")
}

/// The Nanshan demo enterprise (深圳市南山示例科技有限公司).
fn nanshan_code() -> CreditCode {
    demo_code("440305", 101)
}

fn loan(contract: &str, pledge: &str, patent: &str) -> LoanInput {
    LoanInput {
        borrower_credit_code: nanshan_code(),
        terms: LoanTerms {
            contract_number: contract.into(),
            principal_fen: Fen::new(500_000_000),
            annual_rate: Decimal::new(345, 4),
            start: d("2026-03-05"),
            end: d("2027-03-04"),
            disbursements: vec![],
            other_collateral: false,
            ip_amount_fen: None,
            ip_ratio: None,
        },
        first_loan: true,
        status: None,
        pledges: vec![PledgeInput {
            terms: PledgeTerms {
                number: pledge.into(),
                secured_amount_fen: Fen::new(500_000_000),
                registration_date: d("2026-03-01"),
                cancellation_date: None,
            },
            items: vec![PledgeItemInput {
                kind: "patent".into(),
                number: patent.into(),
                title: Some("一种电池管理方法".into()),
                related_party: None,
            }],
        }],
    }
}

async fn save(s: &Store, scope: &Scope, l: &LoanInput) -> Result<SavedLoan, StoreError> {
    let mut tx = s.write(AuditActor::system("test")).await?;
    let r = s.save_loan(&mut tx, scope, l).await?;
    if r.outcome == SaveOutcome::Unchanged {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(r)
}

fn code_of(e: StoreError) -> String {
    match e {
        StoreError::Invalid(f) => format!("{}:{}", f.field, f.msg.code),
        StoreError::Forbidden(m) | StoreError::Conflict(m) => m.code.to_string(),
        other => format!("{other}"),
    }
}

#[tokio::test]
async fn loans_are_idempotent_per_lender_and_checked_before_anything_is_stored() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let bank_a = Scope::Institution {
            org_id: org_id(s, "深南银行深圳分行").await,
        };
        let bank_b = Scope::Institution {
            org_id: org_id(s, "鹏城商业银行").await,
        };
        let first = save(
            s,
            &bank_a,
            &loan("2026-ZY-0012", "Y2026980012345", "202310123456.6"),
        )
        .await
        .expect("create");
        assert_eq!(first.outcome, SaveOutcome::Created);
        // The same loan again: one record, nothing written.
        let audit_before = count(s, "audit_events").await;
        let again = save(
            s,
            &bank_a,
            &loan("2026-ZY-0012", "Y2026980012345", "202310123456.6"),
        )
        .await
        .expect("re-send");
        assert_eq!(
            (again.id, again.outcome),
            (first.id, SaveOutcome::Unchanged)
        );
        assert_eq!(count(s, "loans").await, 1);
        assert_eq!(count(s, "audit_events").await, audit_before);
        // Spaces and full-width in the numbers are normalised to the same loan.
        let spaced = save(
            s,
            &bank_a,
            &loan(" 2026-ZY-0012 ", "y2026 9800 12345", "CN202310123456.6"),
        )
        .await
        .expect("normalised re-send");
        assert_eq!(spaced.outcome, SaveOutcome::Unchanged);
        // A changed principal updates it.
        let mut changed = loan("2026-ZY-0012", "Y2026980012345", "202310123456.6");
        changed.terms.principal_fen = Fen::new(450_000_000);
        let upd = save(s, &bank_a, &changed).await.expect("update");
        assert_eq!((upd.id, upd.outcome), (first.id, SaveOutcome::Updated));
        assert_eq!(
            s.loan(&bank_a, first.id)
                .await
                .expect("loan")
                .loan
                .principal_fen,
            450_000_000
        );

        // The same contract number from another bank is another loan; it cannot reuse bank A's
        // pledge registration.
        let e = save(
            s,
            &bank_b,
            &loan("2026-ZY-0012", "Y2026980012345", "202310123456.6"),
        )
        .await
        .unwrap_err();
        assert_eq!(code_of(e), "pledge_number:pledge.pledgee_mismatch");
        let b = save(
            s,
            &bank_b,
            &loan("2026-ZY-0012", "Y2026980099999", "202310123456.6"),
        )
        .await
        .expect("bank B's own loan");
        assert_eq!(b.outcome, SaveOutcome::Created);
        assert_ne!(b.id, first.id);

        // Bad input: a clear error naming the field, and nothing stored.
        let (loans, pledges, assets) = (
            count(s, "loans").await,
            count(s, "pledge_registrations").await,
            count(s, "ip_assets").await,
        );
        let mut cases: Vec<(LoanInput, &str)> = Vec::new();
        let mut l = loan("BAD-1", "Y2026980000001", "202310999999.4");
        l.borrower_credit_code = demo_code("440305", 99_999);
        cases.push((l, "borrower_credit_code:loan.borrower_unknown"));
        let mut l = loan("BAD-2", "Y2026980000002", "202310123456.6");
        l.terms.principal_fen = Fen::new(0);
        cases.push((l, "principal_fen:loan.principal"));
        let mut l = loan("BAD-3", "Y2026980000003", "202310123456.6");
        l.terms.principal_fen = Fen::new(-100);
        cases.push((l, "principal_fen:loan.principal"));
        let mut l = loan("BAD-4", "Y2026980000004", "202310123456.6");
        l.terms.end = d("2026-01-01");
        cases.push((l, "end_date:loan.dates"));
        let mut l = loan("BAD-5", "Y2026980000005", "202310123456.6");
        l.terms.other_collateral = true;
        l.terms.ip_ratio = Some(Decimal::new(15, 1));
        cases.push((l, "ip_ratio:loan.ip_ratio"));
        cases.push((
            loan("BAD-6", "X-2026-1", "202310123456.6"),
            "pledge_number:pledge.number",
        ));
        let mut l = loan("BAD-7", "Y2026980000007", "202310123456.6");
        l.terms.other_collateral = true;
        cases.push((l, "ip_ratio:loan.ip_share_required"));
        let mut l = loan("BAD-8", "Y2026980000008", "202310123456.6");
        l.pledges.clear();
        cases.push((l, "pledges:loan.pledge_required"));
        cases.push((
            loan("BAD-9", "Y2026980000009", "202310123456.9"),
            "pledge_items:ip.patent.check_digit",
        ));
        for (l, want) in cases {
            let got = code_of(save(s, &bank_a, &l).await.unwrap_err());
            assert!(
                got == want || (want.ends_with("check_digit") && got.starts_with("pledge_items:")),
                "{}: got {got}, want {want}",
                l.terms.contract_number
            );
        }
        assert_eq!(count(s, "loans").await, loans);
        assert_eq!(count(s, "pledge_registrations").await, pledges);
        assert_eq!(count(s, "ip_assets").await, assets);
        // A district may not report loans.
        let ns = Scope::District {
            code: "440305".into(),
            manage: true,
        };
        let e = save(s, &ns, &loan("X", "Y2026980000010", "202310123456.6"))
            .await
            .unwrap_err();
        assert_eq!(code_of(e), "loan.lender_only");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn pledged_ip_must_be_the_borrowers_unless_a_related_party_is_named() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let bank = Scope::Institution {
            org_id: org_id(s, "深南银行深圳分行").await,
        };
        // The Futian enterprise's patent.
        let mut futian = loan("FT-1", "Y2026980020001", "202320111111.4");
        futian.borrower_credit_code = demo_code("440304", 102);
        save(s, &bank, &futian).await.expect("futian loan");
        // Pledged for the Nanshan borrower without naming the relation: refused.
        let e = save(s, &bank, &loan("NS-1", "Y2026980020002", "202320111111.4"))
            .await
            .unwrap_err();
        assert_eq!(code_of(e), "pledge_items:pledge.ip_not_borrower");
        // Named as a related party: stored, with a visible warning.
        let mut related = loan("NS-1", "Y2026980020002", "202320111111.4");
        related.pledges[0].items[0].related_party = Some("同一实际控制人".into());
        let saved = save(s, &bank, &related).await.expect("related party");
        assert!(
            saved
                .warnings
                .iter()
                .any(|w| w.code == "pledge.related_party")
        );
        let detail = s.loan(&bank, saved.id).await.expect("detail");
        assert!(
            detail
                .warnings
                .iter()
                .any(|w| w.code == "pledge.related_party")
        );
        assert_eq!(
            detail.pledges[0].items[0].holder_name,
            "深圳市福田样本电子有限公司"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn payments_status_and_contracts_are_checked_and_scoped() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let bank_a = Scope::Institution {
            org_id: org_id(s, "深南银行深圳分行").await,
        };
        let bank_b = Scope::Institution {
            org_id: org_id(s, "鹏城商业银行").await,
        };
        let id = save(s, &bank_a, &loan("P-1", "Y2026980030001", "202310123456.6"))
            .await
            .expect("loan")
            .id;
        let pay = |date: &str, principal_fen: i64, interest_fen: i64| Payment {
            date: d(date),
            principal_fen: Fen::new(principal_fen),
            interest_fen: Fen::new(interest_fen),
        };
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        s.add_payment(
            &mut tx,
            &bank_a,
            id,
            pay("2026-06-05", 300_000_000, 4_312_500),
        )
        .await
        .expect("payment");
        tx.commit().await.expect("commit");
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        let e = s
            .add_payment(&mut tx, &bank_a, id, pay("2026-09-05", 200_000_001, 0))
            .await
            .unwrap_err();
        assert_eq!(code_of(e), "principal_fen:payment.over_principal");
        // Another bank cannot even see the loan.
        let e = s
            .add_payment(&mut tx, &bank_b, id, pay("2026-09-05", 1, 0))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::NotFound));
        let w = s
            .set_loan_status(
                &mut tx,
                &bank_a,
                id,
                LoanStatus::Repaid,
                d("2026-09-05"),
                "提前结清",
            )
            .await
            .expect("status");
        assert_eq!(w[0].code, "loan.repaid_with_balance");
        let e = s
            .add_contract(
                &mut tx,
                &bank_a,
                id,
                &ContractInput {
                    kind: "valuation".into(),
                    provider_name: "华信资产评估有限公司".into(),
                    contract_number: "PG-2026-001".into(),
                    fee_fen: Fen::new(3_000_000),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(code_of(e), "appraised_value_fen:contract.valuation");
        s.add_contract(
            &mut tx,
            &bank_a,
            id,
            &ContractInput {
                kind: "valuation".into(),
                provider_name: "华信资产评估有限公司".into(),
                contract_number: "PG-2026-001".into(),
                fee_fen: Fen::new(3_000_000),
                paid_date: Some(d("2026-03-02")),
                paid_fen: Some(Fen::new(3_000_000)),
                appraised_value_fen: Some(Fen::new(1_200_000_000)),
                report_date: Some(d("2026-02-20")),
                ..Default::default()
            },
        )
        .await
        .expect("valuation");
        tx.commit().await.expect("commit");

        let detail = s.loan(&bank_a, id).await.expect("detail");
        assert_eq!(detail.loan.repaid_fen, 300_000_000);
        assert_eq!(detail.loan.interest_paid_fen, 4_312_500);
        assert_eq!(detail.loan.status, "repaid");
        assert_eq!(detail.status_changes.len(), 2);
        assert!(detail.contracts[0].provider_org_id.is_some());

        // Who sees the loan: the lender, the borrower's district, the city and the borrower.
        let nanshan = Scope::District {
            code: "440305".into(),
            manage: false,
        };
        let futian = Scope::District {
            code: "440304".into(),
            manage: true,
        };
        let ent = Scope::Enterprise {
            org_id: org_id(s, "深圳市南山示例科技有限公司").await,
        };
        for (scope, sees) in [
            (&bank_a, true),
            (&nanshan, true),
            (&Scope::City, true),
            (&ent, true),
            (&bank_b, false),
            (&futian, false),
            (&Scope::Public, false),
        ] {
            assert_eq!(s.loan(scope, id).await.is_ok(), sees, "{scope:?}");
            let list = s
                .loans(scope, &LoanFilter::default(), Page::default())
                .await
                .expect("list");
            assert_eq!(list.total == 1, sees, "{scope:?}");
        }
        let totals = s
            .loan_totals(&nanshan, &LoanFilter::default())
            .await
            .expect("totals");
        assert_eq!(
            (totals.count, totals.principal_fen, totals.first_loan_count),
            (1, Fen::new(500_000_000), 1)
        );
        assert_eq!(
            totals.by_ip_kind[0],
            ("patent".to_string(), 1, Fen::new(500_000_000))
        );
        let by_contract = s
            .loans(
                &Scope::City,
                &LoanFilter {
                    q: Some("P-1".into()),
                    status: Some(LoanStatus::Repaid),
                    ..Default::default()
                },
                Page::default(),
            )
            .await
            .expect("filtered");
        assert_eq!(by_contract.total, 1);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_bank_imports_loans_from_a_gbk_csv_idempotently_with_row_errors() {
    use ipfin_store::import::ImportKind;
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let bank = Scope::Institution {
            org_id: org_id(s, "深南银行深圳分行").await,
        };
        let code = nanshan_code();
        // As Excel in China saves CSV (GBK); a Chinese date is accepted, garbage is not.
        let csv = format!(
            "合同编号,借款人统一社会信用代码,贷款金额（元）,年利率（%）,起始日,到期日,首贷,质押登记号,质押登记日,质押知识产权,状态\n\
             IMP-1,{code},3000000.00,3.6,2026年3月5日,2027年3月4日,是,Y2026980060001,2026-03-01,专利:202310123456.6,存续\n\
             IMP-2,{code},2000000,3.2,2026/4/1,2027/3/31,否,Y2026980060002,2026-03-28,专利:202310123456.6;商标:12345678,\n\
             IMP-3,{code},1000000,3.2,下周一,2027-03-31,否,Y2026980060003,2026-03-28,专利:202310123456.6,\n\
             IMP-4,{code},1000000,3.2,2026-04-01,2027-03-31,否,Y-BAD,2026-03-28,专利:202310123456.6,\n\
             IMP-5,9144030071526726XA,1000000,3.2,下周二,2027-03-31,否,Y2026980060005,2026-03-28,专利:202310123456.6,\n"
        );
        let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
        let dir = std::env::temp_dir().join(format!("ipfin-loans-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join(format!("loans-{}.csv", db.name));
        std::fs::write(&path, &gbk).expect("write");
        let run = || async {
            s.import_file(
                ImportKind::Loans,
                &path,
                &bank,
                AuditActor::system("test"),
                100,
                &mut |_| {},
            )
            .await
            .expect("import")
        };
        let first = run().await;
        assert_eq!(first.encoding, "GB18030");
        assert_eq!((first.inserted, first.unchanged), (2, 0));
        let errs: Vec<(u64, String)> = first
            .errors
            .iter()
            .map(|e| (e.line, e.field.clone()))
            .collect();
        assert_eq!(
            errs,
            vec![
                (4, "start_date".to_string()),
                (5, "pledge_number".to_string()),
                // Adversarial: a code that breaks GB 32100 is parsed with the row (the store
                // takes a parsed code) and listed with the row's other problems.
                (6, "start_date".to_string()),
                (6, "credit_code".to_string()),
            ]
        );
        assert!(first.errors[0].message.contains("下周一"));
        let list = s
            .loans(&bank, &LoanFilter::default(), Page::default())
            .await
            .expect("loans");
        assert_eq!(list.total, 2);
        let imp2 = list
            .items
            .iter()
            .find(|l| l.contract_number == "IMP-2")
            .expect("IMP-2");
        assert_eq!(
            (imp2.principal_fen, &*imp2.annual_rate),
            (Fen::new(200_000_000), "0.032")
        );
        assert_eq!(&*imp2.ip_kinds, "patent,trademark");
        assert_eq!(imp2.start_date, d("2026-04-01"));
        // The same file again (a new import of the same content): nothing new.
        let again_path = dir.join(format!("loans-again-{}.csv", db.name));
        std::fs::write(&again_path, [&gbk[..], b"\n"].concat()).expect("write");
        let again = s
            .import_file(
                ImportKind::Loans,
                &again_path,
                &bank,
                AuditActor::system("test"),
                100,
                &mut |_| {},
            )
            .await
            .expect("again");
        assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 2));
        assert_eq!(count(s, "loans").await, 2);
        // A district cannot import loans: each row is refused, nothing stored.
        let ns = Scope::District {
            code: "440305".into(),
            manage: true,
        };
        let by_district = s
            .import_file(
                ImportKind::Loans,
                &again_path,
                &ns,
                AuditActor::system("test"),
                100,
                &mut |_| {},
            )
            .await
            .expect("district import");
        assert_eq!(by_district.inserted, 0);
        assert_eq!(count(s, "loans").await, 2);
        std::fs::remove_dir_all(&dir).ok();
        db.cleanup().await;
    }
}

/// A loan whose stored status nobody knows is an internal error (logged), not a loan that
/// silently shows no status and raises no warning; so is a status change of an unknown kind.
#[tokio::test]
async fn an_unknown_stored_loan_status_surfaces() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let bank = Scope::Institution {
            org_id: org_id(s, "深南银行深圳分行").await,
        };
        let id = save(s, &bank, &loan("ST-1", "Y2026980090001", "202310123456.6"))
            .await
            .expect("loan")
            .id;
        assert_eq!(
            s.loan(&bank, id).await.expect("readable").loan.status.get(),
            LoanStatus::Outstanding
        );
        ipfin_store::db::exec(
            s.conn(),
            "UPDATE loan_status_changes SET status = 'mislaid' WHERE loan_id = ?",
            vec![id.into()],
        )
        .await
        .expect("write an unknown status change");
        match s.loan(&bank, id).await {
            Err(StoreError::Internal(m)) => assert!(m.contains("unknown stored code"), "{m}"),
            other => panic!("{}: {other:?}", db.name),
        }
        ipfin_store::db::exec(
            s.conn(),
            "UPDATE loans SET status = 'mislaid' WHERE id = ?",
            vec![id.into()],
        )
        .await
        .expect("write an unknown status");
        match s
            .loans(&bank, &LoanFilter::default(), Page::default())
            .await
        {
            Err(StoreError::Internal(m)) => assert!(m.contains("unknown stored code"), "{m}"),
            other => panic!("{}: {other:?}", db.name),
        }
        db.cleanup().await;
    }
}
