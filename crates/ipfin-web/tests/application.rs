//! Applications through the real router (issue #6): an enterprise's system drafts, uploads and
//! submits through the API; officers accept and review on the pages with maker–checker; a
//! notice is published, read anonymously and objected to; the grant follows when it ends.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, header};
use ipfin_domain::Scope;
use support::TestApp;

async fn upload(
    app: &TestApp,
    bearer: &str,
    id: i64,
    slot: &str,
    name: &str,
    bytes: &[u8],
) -> support::Resp {
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/applications/{id}/slots/{slot}"))
        .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .header("x-file-name", name)
        .body(Body::from(bytes.to_vec()))
        .expect("request");
    app.send(req).await
}

#[tokio::test]
async fn an_enterprise_fee_application_from_draft_to_grant() {
    for app in TestApp::all().await {
        let s = app.store();
        // The bank reports the loan first.
        let bank = Scope::Institution {
            org_id: ipfin_domain::id::OrgId::new(app.org_id("深南银行深圳分行").await),
        };
        let bank_id = app.org_id("深南银行深圳分行").await;
        let loan = serde_json::json!({
            "borrower_credit_code": ipfin_store::demo::demo_credit_code("440305", 101),
            "contract_number": "2026-WEB-0001", "principal_fen": 300_000_000, "annual_rate": "0.035",
            "start_date": "2026-02-10", "end_date": "2027-02-09",
            "pledges": [{"number": "Y2026980020001", "secured_amount_fen": 300_000_000, "registration_date": "2026-02-01",
                         "items": [{"kind": "patent", "number": "202310123456.6"}]}]
        });
        let bank_token = app.token("深南银行深圳分行").await;
        let r = app
            .api(
                Method::POST,
                "/api/v1/loans",
                Some(&bank_token),
                Some(loan.to_string()),
            )
            .await;
        assert!(r.status.is_success(), "{}: {}", r.status, r.body);
        let _ = bank;

        let ent = app.token("深圳市南山示例科技有限公司").await;
        let policy = s
            .policy_versions(&Scope::City, Some("440305"))
            .await
            .expect("versions")
            .into_iter()
            .find(|v| v.status == "published")
            .expect("policy")
            .id;
        let body = serde_json::json!({
            "kind": "enterprise_fee", "policy_version_id": policy, "items": ["interest"],
            "body": {"lines": [{"lender_org_id": bank_id, "lender_name": "深南银行深圳分行", "contract_number": "2026-WEB-0001",
                "pledge_number": "Y2026980020001", "principal_fen": 300_000_000, "other_collateral": false, "ip_kind": "patent",
                "start": "2026-02-10", "end": "2027-02-09", "annual_rate": "0.035", "interest_paid_fen": 800_000}]}
        });
        let r = app
            .api(
                Method::POST,
                "/api/v1/applications",
                Some(&ent),
                Some(body.to_string()),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.json()["id"].as_i64().expect("id");

        // Submitting with nothing uploaded: 422 naming every missing material.
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/applications/{id}/submit"),
                Some(&ent),
                None,
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.json()["code"], "application.missing_materials");
        for name in ["申请书", "营业执照", "纳税证明", "知识产权质押证明"] {
            assert!(
                r.json()["message"].as_str().unwrap_or("").contains(name),
                "{}",
                r.body
            );
        }
        // Bad files are refused, nothing stored.
        let r = upload(
            &app,
            &ent,
            id,
            "business_licence",
            "licence.pdf",
            b"MZ\x90\x00 renamed exe",
        )
        .await;
        assert_eq!(r.status, 422);
        assert_eq!(r.json()["code"], "file.type");
        let r = upload(&app, &ent, id, "business_licence", "licence.pdf", b"").await;
        assert_eq!(r.json()["code"], "file.empty");
        // The page's upload form (multipart, with the session's CSRF token) takes a 3 MB scan.
        let ent_user = app.login("ent.user").await;
        // The draft's figures can be corrected on its page; a bad amount names the rule.
        let figures = format!("/applications/{id}/figures");
        let r = app
            .post_form(
                &figures,
                Some(&ent_user),
                &[("items", "interest"), ("interest_0", "8千元")],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("最多两位小数"));
        let r = app
            .post_form(
                &figures,
                Some(&ent_user),
                &[("items", "interest"), ("interest_0", "8,000.00")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        // And through the API: the items must exist.
        let put = |body: serde_json::Value| {
            Request::builder()
                .method(Method::PUT)
                .uri(format!("/api/v1/applications/{id}"))
                .header(header::AUTHORIZATION, format!("Bearer {ent}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .expect("request")
        };
        let r = app
            .send(put(
                serde_json::json!({"items": ["lottery"], "body": body["body"]}),
            ))
            .await;
        assert_eq!(r.status, 422);
        assert_eq!(r.json()["code"], "application.item");
        let r = app
            .send(put(
                serde_json::json!({"items": ["interest"], "body": body["body"]}),
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["body"]["lines"][0]["interest_paid_fen"], 800_000);
        let mut scan = b"%PDF-1.7\n".to_vec();
        scan.resize(3 * 1024 * 1024, b'y');
        let (ct, mp) = support::multipart(
            &[("_csrf", &ent_user.csrf), ("slot", "application_form")],
            Some(("申请书.pdf", &scan)),
        );
        let r = app
            .send(
                Request::builder()
                    .method(Method::POST)
                    .uri(format!("/applications/{id}/files"))
                    .header(header::COOKIE, &ent_user.cookie)
                    .header(header::CONTENT_TYPE, ct)
                    .body(Body::from(mp))
                    .expect("request"),
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app
            .get(&format!("/applications/{id}"), Some(&ent_user))
            .await;
        assert!(
            page.body.contains("申请书.pdf"),
            "the page lists the uploaded file"
        );
        // Scans of several MB are normal; over 20 MB is refused with 413.
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(21 * 1024 * 1024, b'x');
        assert_eq!(
            upload(&app, &ent, id, "business_licence", "big.pdf", &big)
                .await
                .status,
            413
        );
        big.truncate(3 * 1024 * 1024);
        let r = upload(&app, &ent, id, "other", "3mb.pdf", &big).await;
        assert_eq!(
            r.status, 422,
            "a 3 MB file passes the size limits and reaches the slot check: {}",
            r.body
        );
        assert_eq!(r.json()["code"], "file.slot");
        let r = upload(&app, &ent, id, "no_such_slot", "x.pdf", b"%PDF-1.7").await;
        assert_eq!(r.status, 422);
        let slots = [
            "application_form",
            "business_licence",
            "tax_certificate",
            "loan_contract",
            "disbursement_voucher",
            "repayment_voucher",
            "pledge_contract",
            "pledge_proof",
        ];
        let mut first_file = 0;
        for (i, slot) in slots.iter().enumerate() {
            let name = if i == 0 {
                "..%2F..%2Fetc%2Fpasswd.pdf"
            } else {
                "scan.pdf"
            };
            let r = upload(
                &app,
                &ent,
                id,
                slot,
                name,
                format!("%PDF-1.7 {slot}").as_bytes(),
            )
            .await;
            assert_eq!(r.status, 201, "{slot}: {}", r.body);
            if i == 0 {
                first_file = r.json()["id"].as_i64().expect("file id");
            }
        }
        // The draft shows what it would be granted, on the figures it would be submitted with
        // (issue #23 item 2), and the submission computes the same amount.
        let page = app
            .get(&format!("/applications/{id}"), Some(&ent_user))
            .await;
        let estimate = page
            .body
            .split("预计资助金额</dt><dd><strong>")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .unwrap_or_else(|| panic!("a draft shows its estimate: {}", page.body))
            .to_string();
        let how = page.body.split("测算过程").nth(1).unwrap_or_default();
        assert!(
            how.contains("测算资助合计"),
            "the derivation is shown: {how}"
        );
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/applications/{id}/submit"),
                Some(&ent),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["number"], "440305-2026-EF-00001");
        let page = app
            .get(&format!("/applications/{id}"), Some(&ent_user))
            .await;
        assert!(
            page.body
                .contains(&format!("测算金额</dt><dd>{estimate} 元</dd>"))
                && !page.body.contains("预计资助金额"),
            "the submitted application computes the estimate: {estimate}"
        );
        let r = app
            .api(
                Method::GET,
                &format!("/api/v1/applications/{id}/files/{first_file}"),
                Some(&ent),
                None,
            )
            .await;
        assert_eq!(r.status, 200);
        assert!(
            r.headers
                .get(header::CONTENT_DISPOSITION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .contains("passwd.pdf")
        );
        assert_eq!(r.body, "%PDF-1.7 application_form");

        // The officers' queue and review screen; acceptance shows the bank's figures.
        let o1 = app.login("ns.officer").await;
        let page = app.get("/applications", Some(&o1)).await;
        assert!(page.body.contains("440305-2026-EF-00001"), "{}", page.body);
        let r = app
            .post_form(
                &format!("/applications/{id}/action"),
                Some(&o1),
                &[("action", "accept"), ("comment", "材料齐全")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.get(&format!("/applications/{id}"), Some(&o1)).await;
        assert!(
            page.body.contains("申报数与银行、合同方报送数的差异"),
            "differences shown"
        );
        // Issue #18 item 1: 经办 decides each difference before passing, on the page: a wrong
        // form shows every problem and keeps the input.
        let hidden = |name: &str| -> Option<String> {
            let key = format!(r#"name="{name}" value=""#);
            let at = page.body.find(&key)? + key.len();
            let end = page.body[at..].find('"')? + at;
            Some(page.body[at..end].to_string())
        };
        let diffs: Vec<(String, String)> = (0..20)
            .map_while(|k| {
                Some((
                    hidden(&format!("d{k}_line"))?,
                    hidden(&format!("d{k}_field"))?,
                ))
            })
            .collect();
        assert!(!diffs.is_empty(), "{}", page.body);
        let mut form: Vec<(String, String)> = vec![("action".into(), "decide_differences".into())];
        for (k, (line, field)) in diffs.iter().enumerate() {
            form.push((format!("d{k}_line"), line.clone()));
            form.push((format!("d{k}_field"), field.clone()));
            form.push((format!("d{k}_choice"), "accept_stated".into()));
        }
        let bad: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let r = app
            .post_form(&format!("/applications/{id}/action"), Some(&o1), &bad)
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("请填写认定理由"), "{}", r.body);
        assert!(
            r.body.contains("须选择本申请中作为佐证的材料"),
            "{}",
            r.body
        );
        assert!(
            r.body.contains(r#"value="accept_stated" checked"#),
            "input kept"
        );
        let mut good = form.clone();
        for k in 0..diffs.len() {
            good.push((format!("d{k}_reason"), "核对付息凭证原件无误".into()));
            good.push((format!("d{k}_evidence"), first_file.to_string()));
        }
        let good: Vec<(&str, &str)> = good.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let r = app
            .post_form(&format!("/applications/{id}/action"), Some(&o1), &good)
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.get(&format!("/applications/{id}"), Some(&o1)).await;
        assert!(page.body.contains("核对付息凭证原件无误"), "decision shown");
        // The history names people and their organisation, never `user:2` (issue #18 item 8).
        assert!(
            page.body
                .contains("南山区经办人（演示）（南山区市场监督管理局） · 受理"),
            "{}",
            page.body
        );
        assert!(page.body.contains("差异认定"));
        assert!(!page.body.contains("user:"), "internal ids shown");
        // Each side is told on its home page: the officers of the submission, the enterprise of
        // the acceptance; the officers' to-do list counts what awaits them.
        let home = app.get("/home", Some(&o1)).await;
        assert!(
            home.body
                .contains("440305-2026-EF-00001 深圳市南山示例科技有限公司 已提交"),
            "{}",
            home.body
        );
        assert!(home.body.contains("的申报 1 件"), "{}", home.body);
        let ent_session = app.login("ent.user").await;
        assert!(
            app.get("/home", Some(&ent_session))
                .await
                .body
                .contains("440305-2026-EF-00001 已受理")
        );
        assert!(page.body.contains("通过本环节"));
        // 70% of 8,000.00 = 5,600.00; the first reviewer lowers it with a reason.
        let r = app
            .post_form(
                &format!("/applications/{id}/action"),
                Some(&o1),
                &[("action", "pass"), ("approved_interest", "6000.00")],
            )
            .await;
        assert_eq!(r.status, 422, "raising above the calculation");
        assert!(r.body.contains("只能调低"));
        let r = app
            .post_form(
                &format!("/applications/{id}/action"),
                Some(&o1),
                &[
                    ("action", "pass"),
                    ("approved_interest", "5000.00"),
                    ("reason_interest", "部分利息在政策期外"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let r = app
            .post_form(
                &format!("/applications/{id}/action"),
                Some(&o1),
                &[("action", "pass")],
            )
            .await;
        assert_eq!(r.status, 409, "maker-checker");
        assert!(r.body.contains("同一人不能在两个审核环节签署"));
        // The demo district has three officers for the three review stages.
        let o2 = app.login("ns.checker").await;
        let o3 = app.login("ns.approver").await;
        assert_eq!(
            app.post_form(
                &format!("/applications/{id}/action"),
                Some(&o2),
                &[("action", "pass")]
            )
            .await
            .status,
            303
        );
        assert_eq!(
            app.post_form(
                &format!("/applications/{id}/action"),
                Some(&o3),
                &[("action", "pass")]
            )
            .await
            .status,
            303
        );
        // The review screen shows a material beside the figures, inline.
        let page = app
            .get(&format!("/applications/{id}?view={first_file}"), Some(&o1))
            .await;
        assert!(
            page.body.contains("材料预览")
                && page.body.contains(&format!("/files/{first_file}?inline=1")),
            "{}",
            page.body
        );
        let r = app
            .get(
                &format!("/applications/{id}/files/{first_file}?inline=1"),
                Some(&o1),
            )
            .await;
        assert!(
            r.headers
                .get(header::CONTENT_DISPOSITION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .starts_with("inline")
        );
        // Another district's officer cannot see it.
        let ft = app.login("ft.officer").await;
        assert_eq!(
            app.get(&format!("/applications/{id}"), Some(&ft))
                .await
                .status,
            404
        );

        // The notice: published with confirmation, read anonymously, objected to, decided.
        let today = ipfin_store::today_shanghai().to_string();
        let ids = id.to_string();
        let r = app
            .post_form(
                "/notices",
                Some(&o1),
                &[
                    ("title", "2026 年第三批拟资助名单公示"),
                    ("start", &today),
                    ("days", "5"),
                    ("application", &ids),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "confirmation required");
        let r = app
            .post_form(
                "/notices",
                Some(&o1),
                &[
                    ("title", "2026 年第三批拟资助名单公示"),
                    ("start", &today),
                    ("days", "5"),
                    ("application", &ids),
                    ("confirm", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        // Four eyes: prepared; the page shows exactly what will be published, and the preparer
        // cannot confirm it; a second officer does.
        let cid = support::confirmation_id(r.location());
        let page = app.get(&format!("/confirmations/{cid}"), Some(&o1)).await;
        assert!(
            page.body.contains("2026 年第三批拟资助名单公示") && page.body.contains("5,000.00"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("name=\"action\" value=\"confirm\""));
        let r = app
            .post_form(
                &format!("/confirmations/{cid}/decision"),
                Some(&o1),
                &[("action", "confirm"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 409, "the preparer confirms");
        assert!(
            r.body.contains("准备人不能确认自己准备的事项"),
            "{}",
            r.body
        );
        app.confirm_on_page(Some(&format!("/confirmations/{cid}")), "ns.checker")
            .await;
        let nid = app
            .store()
            .confirmation(&Scope::City, cid)
            .await
            .expect("request")
            .result_id
            .expect("notice id");
        let public = app.get(&format!("/notices/{nid}"), None).await;
        assert!(
            public.body.contains("深圳市南山示例科技有限公司") && public.body.contains("5,000.00"),
            "{}",
            public.body
        );
        assert!(public.body.contains("提出异议"));
        let r = app.api(Method::POST, &format!("/api/v1/notices/{nid}/objections"), None,
            Some(serde_json::json!({"application_id": id, "name": "李四", "contact": "13900000001", "text": "疑似重复申报"}).to_string())).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let oid = r.json()["id"].as_i64().expect("objection");
        let public = app.get(&format!("/notices/{nid}"), None).await;
        assert!(
            !public.body.contains("13900000001"),
            "contacts are not public"
        );
        let r = app
            .post_form(
                &format!("/objections/{oid}/decision"),
                Some(&o2),
                &[("decision", "dismiss"), ("reason", "经核查无重复申报")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        // The period ends (the job in `serve`) after the batch's window (the demo's open batch
        // closes 34 days from today): the batch is allocated, so granted.
        let later = ipfin_store::today_shanghai() + chrono::Duration::days(40);
        assert_eq!(s.end_due_notices(later).await.expect("end"), 1);
        let r = app
            .api(
                Method::GET,
                &format!("/api/v1/applications/{id}"),
                Some(&ent),
                None,
            )
            .await;
        assert_eq!(r.json()["row"]["state"], "granted", "{}", r.body);
        assert_eq!(r.json()["row"]["granted_fen"], 500_000);
        assert!(
            !r.json()["derivation"]
                .as_array()
                .expect("derivation")
                .is_empty()
        );
        let page = app.get(&format!("/applications/{id}"), Some(&o1)).await;
        assert!(page.body.contains("登记拨付"));
        // The simulator re-runs the year's applications under the version: the officers cut
        // 5,600.00 to 5,000.00, the rules alone give 5,600.00.
        let r = app
            .send(
                Request::builder()
                    .uri(format!("/api/v1/policies/{policy}/simulation?year=2026"))
                    .header(header::COOKIE, &o1.cookie)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["total"]["applications"], 1);
        assert_eq!(r.json()["total"]["current_fen"], 500_000);
        assert_eq!(r.json()["total"]["simulated_fen"], 560_000);
        let page = app
            .get(&format!("/policy-drafts/{policy}/simulation"), Some(&o1))
            .await;
        assert!(
            page.body.contains("按企业规模") && page.body.contains("+600.00"),
            "{}",
            page.body
        );
        app.cleanup().await;
    }
}

/// Uploads a small PDF into each required slot of an application through the page's form.
async fn upload_required_on_page(app: &TestApp, s: &support::Session, id: i64) {
    // A draft is seen by its applicant only: read it as the applicant organisation.
    let org = ipfin_store::db::fetch_i64(
        app.store().conn(),
        "SELECT applicant_org_id FROM applications WHERE id = ?",
        vec![id.into()],
    )
    .await
    .expect("applicant");
    let detail = app
        .store()
        .application(
            &Scope::Enterprise {
                org_id: ipfin_domain::id::OrgId::new(org),
            },
            id,
        )
        .await
        .expect("application");
    for slot in detail.slots.iter().filter(|x| x.required) {
        let pdf = format!("%PDF-1.7 {}", slot.code).into_bytes();
        let (ct, mp) = support::multipart(
            &[("_csrf", &s.csrf), ("slot", &slot.code)],
            Some(("scan.pdf", &pdf)),
        );
        let r = app
            .send(
                Request::builder()
                    .method(Method::POST)
                    .uri(format!("/applications/{id}/files"))
                    .header(header::COOKIE, &s.cookie)
                    .header(header::CONTENT_TYPE, ct)
                    .body(Body::from(mp))
                    .expect("request"),
            )
            .await;
        assert_eq!(r.status, 303, "{}: {}", slot.code, r.body);
    }
}

fn id_from(location: Option<&str>) -> i64 {
    location
        .and_then(|l| l.split('/').nth(2))
        .and_then(|x| x.split('?').next())
        .and_then(|x| x.parse().ok())
        .expect("id in the redirect")
}

#[tokio::test]
async fn institution_and_securitisation_applications_in_the_browser() {
    for app in TestApp::all().await {
        let s = app.store();
        let policy = s
            .policy_versions(&Scope::City, Some("440305"))
            .await
            .expect("versions")
            .into_iter()
            .find(|v| v.status == "published")
            .expect("policy")
            .id
            .to_string();
        // The bank has reported a loan in Nanshan this year.
        let bank_token = app.token("深南银行深圳分行").await;
        let loan = serde_json::json!({
            "borrower_credit_code": ipfin_store::demo::demo_credit_code("440305", 101),
            "contract_number": "2026-WEB-0100", "principal_fen": 200_000_000, "annual_rate": "0.035",
            "start_date": "2026-03-10", "end_date": "2027-03-09",
            "pledges": [{"number": "Y2026980020100", "secured_amount_fen": 200_000_000, "registration_date": "2026-03-01",
                         "items": [{"kind": "patent", "number": "202310123456.6"}]}]
        });
        let r = app
            .api(
                Method::POST,
                "/api/v1/loans",
                Some(&bank_token),
                Some(loan.to_string()),
            )
            .await;
        assert!(r.status.is_success(), "{}", r.body);

        // A bank: the new-application page offers the institution kind only.
        let bank = app.login("bank.manager").await;
        let page = app.get("/applications/new", Some(&bank)).await;
        assert!(page.body.contains("银行金融机构资助"), "{}", page.body);
        let r = app
            .post_form(
                "/applications",
                Some(&bank),
                &[("kind", "institution"), ("policy_version_id", &policy)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let id = id_from(r.location());
        upload_required_on_page(&app, &bank, id).await;
        let r = app
            .post_form(&format!("/applications/{id}/submit"), Some(&bank), &[])
            .await;
        assert_eq!(r.status, 422, "confirmation required");
        let r = app
            .post_form(
                &format!("/applications/{id}/submit"),
                Some(&bank),
                &[("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.get(&format!("/applications/{id}"), Some(&bank)).await;
        // 1% of 2,000,000.00.
        assert!(
            page.body.contains("440305-2026-IN-00001") && page.body.contains("20,000.00"),
            "{}",
            page.body
        );
        assert!(page.body.contains("等待区经办人员受理"));

        // An enterprise: a securitisation application (70% of 50,000.00 + 10,000.00).
        let ent = app.login("ent.user").await;
        let r = app
            .post_form(
                "/applications",
                Some(&ent),
                &[
                    ("kind", "securitisation"),
                    ("policy_version_id", &policy),
                    ("product", "南山知识产权资产支持专项计划"),
                    ("year_number", "1"),
                    ("interest_paid", "50000"),
                    ("guarantee_fee", "10000.00"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let id = id_from(r.location());
        let page = app.get(&format!("/applications/{id}"), Some(&ent)).await;
        assert!(
            page.body.contains("企业征信报告"),
            "the securitisation checklist"
        );
        upload_required_on_page(&app, &ent, id).await;
        let r = app
            .post_form(
                &format!("/applications/{id}/submit"),
                Some(&ent),
                &[("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.get(&format!("/applications/{id}"), Some(&ent)).await;
        assert!(
            page.body.contains("440305-2026-SC-00001") && page.body.contains("42,000.00"),
            "{}",
            page.body
        );
        // The officer sees both in the queue.
        let o = app.login("ns.officer").await;
        let list = app.get("/applications", Some(&o)).await;
        assert!(
            list.body.contains("440305-2026-IN-00001")
                && list.body.contains("440305-2026-SC-00001")
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn the_application_pages_switch_to_english() {
    for app in TestApp::all().await {
        let officer = app.login("ns.officer").await;
        for (path, texts) in [
            (
                "/applications",
                ["<h1>Subsidy applications</h1>", "Work queue"],
            ),
            ("/notices", ["<h1>Public notices</h1>", "Publish a notice"]),
        ] {
            let r = app
                .send(
                    Request::builder()
                        .uri(path)
                        .header(header::COOKIE, format!("{}; ipfin_lang=en", officer.cookie))
                        .body(Body::empty())
                        .expect("req"),
                )
                .await;
            assert_eq!(r.status.as_u16(), 200, "{path}: {}", r.body);
            assert!(
                texts.iter().all(|t| r.body.contains(t)) && !r.body.contains("⟨missing text⟩"),
                "{path}: {}",
                r.body
            );
        }
        app.cleanup().await;
    }
}
