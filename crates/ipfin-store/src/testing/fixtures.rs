//! Shared test fixtures of the application journeys: one IP pledge loan as an enterprise
//! states it on an application, and the same loan as its bank reports it (with the interest
//! paid reported), so every test of the workflow starts from the same figures.

use crate::Store;
use crate::audit::AuditActor;
use crate::error::Result;
use crate::financing::{LoanInput, PledgeInput, PledgeItemInput};
use chrono::NaiveDate;
use ipfin_domain::application::Line;
use ipfin_domain::financing::{LoanTerms, Payment, PledgeTerms};
use ipfin_domain::ip_number::IpKind;
use ipfin_domain::org::Scope;
use ipfin_domain::{Fen, OrgId};
use rust_decimal::Decimal;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap_or_default()
}

/// A loan line of 5,000,000.00 at 3.45% from 2026-03-05 to 2027-03-04 with a bank of
/// 深南银行深圳分行, claiming `interest_fen` of interest paid.
pub fn fee_line(lender: i64, contract: &str, pledge: &str, interest_fen: i64) -> Line {
    Line {
        lender_org_id: OrgId::new(lender),
        lender_name: "深南银行深圳分行".into(),
        contract_number: contract.into(),
        pledge_number: Some(pledge.into()),
        principal_fen: Fen::new(500_000_000),
        secured_amount_fen: None,
        other_collateral: false,
        ip_amount_fen: None,
        ip_ratio: None,
        ip_kind: IpKind::Patent,
        start: day("2026-03-05"),
        end: day("2027-03-04"),
        annual_rate: Decimal::new(345, 4),
        interest_paid_fen: Fen::new(interest_fen),
        evaluation_fee_fen: Fen::ZERO,
        guarantee_fee_fen: Fen::ZERO,
        insurance_fee_fen: Fen::ZERO,
    }
}

/// The same loan as the bank reports it, lent to the demo's 南山 enterprise (credit code 101),
/// secured by one patent pledge registration.
pub fn pledge_loan(contract: &str, pledge: &str, patent: &str) -> LoanInput {
    LoanInput {
        borrower_credit_code: crate::demo::demo_code("440305", 101),
        terms: LoanTerms {
            contract_number: contract.into(),
            principal_fen: Fen::new(500_000_000),
            annual_rate: Decimal::new(345, 4),
            start: day("2026-03-05"),
            end: day("2027-03-04"),
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
                registration_date: day("2026-03-01"),
                cancellation_date: None,
            },
            items: vec![PledgeItemInput {
                kind: "patent".into(),
                number: patent.into(),
                title: None,
                related_party: None,
            }],
        }],
    }
}

/// Reports [`pledge_loan`] as the bank, with `interest_fen` of interest paid on 2026-06-05
/// (grants rest on reported figures); the loan's id.
pub async fn report_pledge_loan(
    s: &Store,
    bank: &Scope,
    contract: &str,
    pledge: &str,
    patent: &str,
    interest_fen: i64,
) -> Result<i64> {
    let mut tx = s.write(AuditActor::system("bank")).await?;
    let saved = s
        .save_loan(&mut tx, bank, &pledge_loan(contract, pledge, patent))
        .await?;
    if interest_fen > 0 {
        s.add_payment(
            &mut tx,
            bank,
            saved.id,
            Payment {
                date: day("2026-06-05"),
                principal_fen: Fen::ZERO,
                interest_fen: Fen::new(interest_fen),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(saved.id)
}

/// Closes the batch of application `application_id` with four eyes (issue #19 item 2): a lead
/// officer of `district` prepares, a second one confirms; the batch's budget is allocated over
/// every application of it that cleared its notice. What a test calls after a notice's end
/// while other applications of the batch are still in progress or its window is open.
pub async fn close_batch_of(
    s: &Store,
    district: &Scope,
    application_id: i64,
    today: NaiveDate,
) -> Result<crate::confirmation::ConfirmationRow> {
    let app = s.application(district, application_id).await?;
    let mut tx = s.write(AuditActor::user(9901, "batch-preparer")).await?;
    let c = s
        .prepare_batch_close(
            &mut tx,
            district,
            app.row.policy_version_id,
            &app.row.batch_name,
        )
        .await?;
    tx.commit().await?;
    let mut tx = s.write(AuditActor::user(9902, "batch-confirmer")).await?;
    let done = s.confirm_request(&mut tx, district, c.id, today).await?;
    tx.commit().await?;
    Ok(done)
}

/// An enterprise fee application for interest on `lines` under `policy`, with a file in every
/// required slot, submitted on `today` by the enterprise `ent`; its id.
pub async fn submit_fee_application(
    s: &Store,
    ent: &Scope,
    policy: i64,
    lines: Vec<Line>,
    today: NaiveDate,
) -> Result<i64> {
    use crate::application::NewApplication;
    let mut tx = s.write(AuditActor::system("ent")).await?;
    let id = s
        .create_application(&mut tx, ent, NewApplication::interest(policy, lines), today)
        .await?;
    tx.commit().await?;
    let detail = s.application(ent, id).await?;
    for (i, slot) in detail.slots.iter().filter(|x| x.required).enumerate() {
        let bytes = bytes::Bytes::from(format!("%PDF-1.7\n% {} {}\n", slot.code, i).into_bytes());
        let mut tx = s.write(AuditActor::system("ent")).await?;
        s.add_file(&mut tx, ent, id, &slot.code, "scan.pdf", bytes)
            .await?;
        tx.commit().await?;
    }
    let mut tx = s.write(AuditActor::system("ent")).await?;
    s.submit_application(&mut tx, ent, id, today).await?;
    tx.commit().await?;
    Ok(id)
}

/// Carries submitted applications of `district` through the officers' own flow to granted: a
/// lead officer accepts each, three officers pass it through review, one officer prepares the
/// notice (公示, `days` working days from `today`) and a second confirms it, the notice ends,
/// and two officers close the batch (four eyes at every money step, as in production). The
/// applications must rest on bank-reported figures that match, so acceptance finds no
/// difference to decide. Returns the day the batch was closed.
pub async fn grant_submitted(
    s: &Store,
    district: &Scope,
    ids: &[i64],
    today: NaiveDate,
) -> Result<NaiveDate> {
    for &id in ids {
        let mut tx = s.write(AuditActor::user(9001, "o1")).await?;
        s.accept_application(&mut tx, district, id, "").await?;
        tx.commit().await?;
        for n in 1..=3 {
            let mut tx = s.write(AuditActor::user(9000 + n, "o")).await?;
            s.pass_review(&mut tx, district, id, &[], "").await?;
            tx.commit().await?;
        }
    }
    let mut tx = s.write(AuditActor::user(9001, "o1")).await?;
    let notice = s
        .prepare_notice(&mut tx, district, "资助公示", ids, today, 5, today)
        .await?;
    tx.commit().await?;
    let mut tx = s.write(AuditActor::user(9002, "o2")).await?;
    s.confirm_request(&mut tx, district, notice.id, today)
        .await?;
    tx.commit().await?;
    #[derive(sea_orm::FromQueryResult)]
    struct Ends {
        ends_on: NaiveDate,
    }
    let Some(&first) = ids.first() else {
        return Ok(today);
    };
    let ends: Ends = crate::db::fetch_one(
        s.conn(),
        "SELECT n.ends_on FROM notices n JOIN notice_entries e ON e.notice_id = n.id WHERE e.application_id = ?",
        vec![first.into()],
    )
    .await?;
    let after = ends.ends_on + chrono::Days::new(1);
    s.end_due_notices(after).await?;
    close_batch_of(s, district, first, after).await?;
    Ok(after)
}
