//! Service stations through the real router (issue #21, R3.1): a case of the demo district
//! carried from a booking to a granted subsidy with two visits and zero trips, on pages and
//! through the API, every step linking its real record (the bank's valuation report and
//! pledge registration, the application granted through the officers' own flow); bad input (a booking for a district the station does not serve, a visit
//! before the case opened, a step done without its linked record, an application prepared
//! without consent) refused with every error shown and nothing stored; the specialist's week
//! as a list (no table, so no horizontal scrolling at phone width); the figures per station as
//! XLSX; the R3.1 conformance cell judged.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, header};
use support::{Resp, TestApp};

const PRE: &str = "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234";

/// A form posted by someone signed out (the double-submit CSRF cookie of the public pages).
async fn anon_form(app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> Resp {
    let mut all: Vec<(&str, &str)> = vec![("_csrf", PRE)];
    all.extend_from_slice(pairs);
    let body = serde_urlencoded::to_string(&all).expect("encode");
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::COOKIE, format!("ipfin_precsrf={PRE}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request"),
    )
    .await
}

#[tokio::test]
async fn a_case_from_booking_to_granted_subsidy_on_pages_and_api() {
    for app in TestApp::all().await {
        let n = app.db.name;
        let ent = app.login("ent.user").await;
        let spec = app.login("agency.specialist").await;
        let ns = app.login("ns.officer").await;
        let station = ipfin_store::db::fetch_i64(
            app.store().conn(),
            "SELECT id FROM stations WHERE name = '南山知识产权金融服务站'",
            vec![],
        )
        .await
        .expect("station");
        let sid = station.to_string();
        let code = ipfin_store::demo::demo_credit_code("440305", 101);
        // The bank reports the enterprise's IP pledge loan (with the interest paid) and the
        // valuation report behind it: the records the case's steps will link.
        let bank_id = app.org_id("深南银行深圳分行").await;
        let bank = ipfin_domain::Scope::Institution {
            org_id: ipfin_domain::id::OrgId::new(bank_id),
        };
        let loan = ipfin_store::testing::fixtures::report_pledge_loan(
            app.store(),
            &bank,
            "2026-CASE-0001",
            "Y2026980030001",
            "202310123456.6",
            800_000,
        )
        .await
        .expect("loan");
        let bank_token = app.token("深南银行深圳分行").await;
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/loans/{loan}/contracts"),
                Some(&bank_token),
                Some(
                    serde_json::json!({"kind": "valuation", "provider_name": "深圳市鹏评资产评估有限公司",
                        "contract_number": "PG-2026-0107", "fee_fen": 1_200_000,
                        "appraised_value_fen": 900_000_000, "report_date": "2026-02-20"})
                    .to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, 201, "{n}: {}", r.body);
        let valuation = r.json()["id"].as_i64().expect("contract id");

        // Anyone may book; the public form shows every error at once and keeps what was typed.
        let r = app.get("/book", None).await;
        assert_eq!(r.status, 200, "{n}");
        assert!(r.body.contains("南山知识产权金融服务站"));
        let before = app.audit_count().await;
        let r = anon_form(
            &app,
            "/book",
            &[
                ("station_id", sid.as_str()),
                ("enterprise_name", "深圳市龙岗某企业"),
                ("credit_code", "12345"),
                ("contact_phone", "abc"),
                ("district", "440305"),
            ],
        )
        .await;
        assert_eq!(r.status, 422, "{n}: {}", r.body);
        for id in [
            "credit_code-error",
            "contact_name-error",
            "contact_phone-error",
        ] {
            assert!(r.body.contains(id), "{id}");
        }
        assert!(r.body.contains("value=\"深圳市龙岗某企业\""));
        // A district the station does not serve.
        let r = anon_form(
            &app,
            "/book",
            &[
                ("station_id", sid.as_str()),
                ("enterprise_name", "深圳市龙岗某企业"),
                ("credit_code", "9144030071526726XG"),
                ("contact_name", "李"),
                ("contact_phone", "13800138000"),
                ("district", "440307"),
            ],
        )
        .await;
        assert_eq!(r.status, 422, "{n}");
        assert!(r.body.contains("不含企业所在区"), "{}", r.body);
        assert_eq!(app.audit_count().await, before);

        // The enterprise, signed in, books its station.
        let r = app
            .post_form(
                "/book",
                Some(&ent),
                &[
                    ("station_id", sid.as_str()),
                    ("enterprise_name", "深圳市南山示例科技有限公司"),
                    ("credit_code", code.as_str()),
                    ("contact_name", "张经理"),
                    ("contact_phone", "0755-86001234"),
                    ("district", "440305"),
                    ("need", "专利质押贷款及贴息申报"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        // The specialist's home says what awaits: the booking, and the week's visits.
        let home = app.get("/home", Some(&spec)).await;
        assert!(
            home.body.contains("待处理的上门服务预约"),
            "{n}: {}",
            home.body
        );
        assert!(home.body.contains("href=\"/bookings\""), "{n}");
        assert!(home.body.contains("未来 7 天安排的走访"), "{n}");
        // The specialist sees it and turns it into a case.
        let r = app.get("/bookings", Some(&spec)).await;
        assert!(r.body.contains("专利质押贷款及贴息申报"), "{n}");
        let token = app.token("南山知识产权金融服务站").await;
        let list = app
            .api(Method::GET, "/api/v1/bookings", Some(&token), None)
            .await
            .json();
        let booking = list
            .as_array()
            .expect("list")
            .iter()
            .find(|b| b["need"] == "专利质押贷款及贴息申报")
            .expect("the booking")["id"]
            .as_i64()
            .expect("id");
        let r = app
            .post_form(&format!("/bookings/{booking}/accept"), Some(&spec), &[])
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let loc = r.location().expect("location").to_string();
        let case: i64 = loc
            .trim_start_matches("/cases/")
            .split('?')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("case id");
        let opened = app
            .api(
                Method::GET,
                &format!("/api/v1/cases/{case}"),
                Some(&token),
                None,
            )
            .await
            .json()["case"]["opened_on"]
            .as_str()
            .expect("opened")
            .to_string();
        let opened = chrono::NaiveDate::parse_from_str(&opened, "%Y-%m-%d").expect("date");

        // A visit before the case opened: refused beside its field, what was typed kept.
        let before = app.audit_count().await;
        let r = app
            .post_form(
                &format!("/cases/{case}/visits"),
                Some(&spec),
                &[
                    ("visited_on", &(opened - chrono::Days::new(3)).to_string()),
                    ("place", "企业会议室"),
                    ("visitors", ""),
                    ("what", "政策解读"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{n}");
        assert!(r.body.contains("visited_on-error") && r.body.contains("早于案件受理日期"));
        assert!(r.body.contains("visitors-error"));
        assert!(r.body.contains("value=\"企业会议室\""));
        // A step done without its linked record.
        let r = app
            .post_form(
                &format!("/cases/{case}/steps/valuation"),
                Some(&spec),
                &[
                    ("status", "done"),
                    ("started_on", &opened.to_string()),
                    ("done_on", &opened.to_string()),
                    ("responsible", "服务专员"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{n}");
        assert!(r.body.contains("valuation-linked_id-error"), "{}", r.body);
        // An application prepared without recorded consent.
        let r = app
            .post_form(
                &format!("/cases/{case}/application"),
                Some(&spec),
                &[("items", "interest")],
            )
            .await;
        assert_eq!(r.status, 422, "{n}");
        assert!(r.body.contains("须先在案件中登记企业的书面授权"));
        assert_eq!(app.audit_count().await, before);

        // Two visits (page and API), the steps that need no record.
        let r = app
            .post_form(
                &format!("/cases/{case}/visits"),
                Some(&spec),
                &[
                    ("step", "policy"),
                    ("visited_on", &opened.to_string()),
                    ("place", "企业会议室"),
                    ("visitors", "服务专员（南山服务站）、客户经理（深南银行）"),
                    ("what", "解读质押融资与贴息政策"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/cases/{case}/visits"),
                Some(&token),
                Some(
                    serde_json::json!({"step": "qualification", "visited_on": opened, "place": "企业财务室",
                        "visitors": "服务专员（南山服务站）", "what": "核对资质材料"})
                    .to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, 201, "{n}: {}", r.body);
        for step in ["policy", "qualification", "contract"] {
            let r = app
                .api(
                    Method::PUT,
                    &format!("/api/v1/cases/{case}/steps/{step}"),
                    Some(&token),
                    Some(
                        serde_json::json!({"status": "done", "started_on": opened, "done_on": opened,
                            "responsible": "服务专员", "documents": "材料清单"})
                        .to_string(),
                    ),
                )
                .await;
            assert_eq!(r.status, 204, "{n} {step}: {}", r.body);
        }
        // The valuation and registration steps link the enterprise's records, picked from
        // what the case offers (the page's list and the API's `choices`).
        let d = app
            .api(
                Method::GET,
                &format!("/api/v1/cases/{case}"),
                Some(&token),
                None,
            )
            .await
            .json();
        let choice = |step: &str| -> Vec<i64> {
            d["choices"]
                .as_array()
                .expect("choices")
                .iter()
                .filter(|c| c["step"] == step)
                .filter_map(|c| c["id"].as_i64())
                .collect()
        };
        assert_eq!(choice("valuation"), vec![valuation], "{n}: {d}");
        let registration = *choice("registration").first().expect("registration");
        let page = app.get(&format!("/cases/{case}"), Some(&spec)).await;
        assert!(
            page.body.contains(&format!(
                "<option value=\"{valuation}\">PG-2026-0107（深圳市鹏评资产评估有限公司"
            )),
            "{n}: {}",
            page.body
        );
        assert!(
            page.body.contains("Y2026980030001（深南银行深圳分行"),
            "{n}"
        );
        let r = app
            .post_form(
                &format!("/cases/{case}/steps/valuation"),
                Some(&spec),
                &[
                    ("status", "done"),
                    ("started_on", &opened.to_string()),
                    ("done_on", &opened.to_string()),
                    ("responsible", "服务专员"),
                    ("linked_id", &valuation.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        // Another enterprise's registration cannot be linked, by page or by API.
        let r = app
            .api(
                Method::PUT,
                &format!("/api/v1/cases/{case}/steps/registration"),
                Some(&token),
                Some(
                    serde_json::json!({"status": "done", "started_on": opened, "done_on": opened,
                        "responsible": "客户经理", "linked_id": registration + 100_000})
                    .to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, 422, "{n}: {}", r.body);
        assert!(r.body.contains("station.link_unknown"));
        let r = app
            .api(
                Method::PUT,
                &format!("/api/v1/cases/{case}/steps/registration"),
                Some(&token),
                Some(
                    serde_json::json!({"status": "done", "started_on": opened, "done_on": opened,
                        "responsible": "客户经理", "linked_id": registration})
                    .to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, 204, "{n}: {}", r.body);

        // The enterprise consents on its case page; the specialist prepares its application.
        let r = app
            .post_form(
                &format!("/cases/{case}/consent"),
                Some(&ent),
                &[("given_by", "张经理（财务总监）"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let r = app
            .post_form(
                &format!("/cases/{case}/application"),
                Some(&spec),
                &[("items", "interest")],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let d = app
            .api(
                Method::GET,
                &format!("/api/v1/cases/{case}"),
                Some(&token),
                None,
            )
            .await
            .json();
        let application = d["case"]["application_id"].as_i64().expect("application");
        assert_eq!(d["steps"][5]["status"], "in_progress");
        // It is the enterprise's own draft: the enterprise sees it, and (while a draft) the
        // subsidy step cannot be done.
        let r = app
            .get(&format!("/applications/{application}"), Some(&ent))
            .await;
        assert_eq!(r.status, 200, "{n}");
        let r = app
            .api(
                Method::PUT,
                &format!("/api/v1/cases/{case}/steps/subsidy"),
                Some(&token),
                Some(
                    serde_json::json!({"status": "done", "done_on": opened, "responsible": "服务专员",
                        "linked_id": application})
                    .to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, 422, "{n}: {}", r.body);
        assert!(r.body.contains("station.application_not_submitted"));
        // The enterprise completes its draft with the loan, uploads its materials and submits
        // (the application area's API); the district's officers carry it through acceptance,
        // review, the public notice and the batch's close, four eyes at every money step.
        let ent_token = app.token("深圳市南山示例科技有限公司").await;
        let body = serde_json::json!({"items": ["interest"], "body": {"lines": [{
            "lender_org_id": bank_id, "lender_name": "深南银行深圳分行", "contract_number": "2026-CASE-0001",
            "pledge_number": "Y2026980030001", "principal_fen": 500_000_000, "other_collateral": false,
            "ip_kind": "patent", "start": "2026-03-05", "end": "2027-03-04", "annual_rate": "0.0345",
            "interest_paid_fen": 800_000}]}});
        let r = app
            .api(
                Method::PUT,
                &format!("/api/v1/applications/{application}"),
                Some(&ent_token),
                Some(body.to_string()),
            )
            .await;
        assert_eq!(r.status, 200, "{n}: {}", r.body);
        let ent_scope = ipfin_domain::Scope::Enterprise {
            org_id: ipfin_domain::id::OrgId::new(app.org_id("深圳市南山示例科技有限公司").await),
        };
        let s = app.store();
        let detail = s.application(&ent_scope, application).await.expect("draft");
        for slot in detail.slots.iter().filter(|x| x.required) {
            let mut tx = s
                .write(ipfin_store::audit::AuditActor::system("ent"))
                .await
                .expect("tx");
            s.add_file(
                &mut tx,
                &ent_scope,
                application,
                &slot.code,
                "scan.pdf",
                axum::body::Bytes::from(format!("%PDF-1.7\n% {}\n", slot.code)),
            )
            .await
            .expect("file");
            tx.commit().await.expect("commit");
        }
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/applications/{application}/submit"),
                Some(&ent_token),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{n}: {}", r.body);
        let lead = ipfin_domain::Scope::District {
            code: "440305".into(),
            manage: true,
        };
        ipfin_store::testing::fixtures::grant_submitted(s, &lead, &[application], opened)
            .await
            .expect("granted");
        let a = app
            .api(
                Method::GET,
                &format!("/api/v1/applications/{application}"),
                Some(&ent_token),
                None,
            )
            .await
            .json();
        assert_eq!(a["row"]["state"], "granted", "{n}: {a}");
        assert_eq!(
            a["row"]["granted_fen"], 560_000,
            "{n}: 70% of 8,000.00 for a medium enterprise"
        );
        let r = app
            .api(
                Method::PUT,
                &format!("/api/v1/cases/{case}/steps/subsidy"),
                Some(&token),
                Some(
                    serde_json::json!({"status": "done", "done_on": opened, "responsible": "服务专员",
                        "linked_id": application})
                    .to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, 204, "{n}: {}", r.body);
        let d = app
            .api(
                Method::GET,
                &format!("/api/v1/cases/{case}"),
                Some(&token),
                None,
            )
            .await
            .json();
        assert!(d["case"]["completed_on"].is_string(), "{d}");
        assert_eq!(d["case"]["trips"], 0);
        assert_eq!(d["visits"].as_array().map(Vec::len), Some(2));
        // The enterprise's home asks it to rate; it rates the completed case on its page.
        let home = app.get("/home", Some(&ent)).await;
        assert!(
            home.body.contains(&format!("href=\"/cases/{case}#r-h\"")),
            "{n}: {}",
            home.body
        );
        let r = app.get(&format!("/cases/{case}"), Some(&ent)).await;
        assert!(r.body.contains("一次不用跑"), "{n}");
        let r = app
            .post_form(
                &format!("/cases/{case}/rating"),
                Some(&ent),
                &[("rating", "5"), ("comment", "一次都没跑")],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);

        // The enterprise served, on its page for the station (its cases); not for 福田's station.
        let ent_id = d["case"]["enterprise_id"].as_i64().expect("enterprise");
        let r = app
            .get(&format!("/stations/enterprises/{ent_id}"), Some(&spec))
            .await;
        assert_eq!(r.status, 200, "{n}");
        assert!(r.body.contains(&format!("href=\"/cases/{case}\"")), "{n}");
        let ft = app.login("ft.specialist").await;
        let r = app
            .get(&format!("/stations/enterprises/{ent_id}"), Some(&ft))
            .await;
        assert_eq!(r.status, 404, "{n}");
        // The specialist's week: one list per day, no table (phone width).
        let r = app
            .get(&format!("/cases/week?date={opened}"), Some(&spec))
            .await;
        assert_eq!(r.status, 200, "{n}");
        assert!(r.body.contains("深圳市南山示例科技有限公司"));
        assert!(!r.body.contains("<table"));
        // The district: figures per station, XLSX, and the R3.1 cell judged.
        let r = app.get("/stations", Some(&ns)).await;
        assert_eq!(r.status, 200, "{n}");
        assert!(r.body.contains("南山知识产权金融服务站"));
        // The loan pledged under the linked registration counts as obtained through the case.
        assert!(r.body.contains("5,000,000.00"), "{n}: {}", r.body);
        let x = app
            .get_bytes("/stations/figures.xlsx?district=440305", &ns)
            .await;
        assert_eq!(x.0, 200, "{n}");
        assert!(x.2.starts_with(b"PK"));
        let city = app.login("city.admin").await;
        // The city picks a district on the stations page.
        let r = app.get("/stations?district=440305", Some(&city)).await;
        assert_eq!(r.status, 200, "{n}");
        assert!(
            r.body.contains("<option value=\"440305\" selected>"),
            "{n}: {}",
            r.body
        );
        assert!(r.body.contains("南山知识产权金融服务站"), "{n}");
        let m = app.get("/conformance", Some(&city)).await;
        assert!(m.body.contains("服务站 1 个"), "{}", m.body);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_bank_sees_only_the_cases_its_account_manager_is_assigned_to() {
    for app in TestApp::all().await {
        let n = app.db.name;
        let case_of = async |name: &str| -> i64 {
            ipfin_store::db::fetch_i64(
                app.store().conn(),
                "SELECT sc.id FROM service_cases sc JOIN enterprises e ON e.id = sc.enterprise_id \
                 WHERE e.name = ? ORDER BY sc.id LIMIT 1",
                vec![name.into()],
            )
            .await
            .expect("case")
        };
        // The demo assigns 深南银行's account manager to 南山's older cases.
        let assigned = case_of("深圳市前海云链信息技术有限公司").await;
        let unassigned = case_of("深圳市宝安精密模具有限公司").await;
        let futian = case_of("深圳市华强微电子有限公司").await;
        let bank = app.login("bank.manager").await;
        let home = app.get("/home", Some(&bank)).await;
        assert!(home.body.contains("href=\"/cases\""), "{n}: the menu");
        let r = app.get("/cases", Some(&bank)).await;
        assert_eq!(r.status, 200, "{n}: {}", r.body);
        assert!(r.body.contains("深圳市前海云链信息技术有限公司"), "{n}");
        assert!(!r.body.contains("深圳市华强微电子有限公司"), "{n}");
        let r = app.get(&format!("/cases/{assigned}"), Some(&bank)).await;
        assert_eq!(r.status, 200, "{n}");
        assert!(r.body.contains("深南银行客户经理（演示）"), "{n}");
        // It reads but does not work the case, and sees nothing else.
        assert!(
            !r.body.contains("/visits\""),
            "{n}: no visit form for the bank"
        );
        for id in [unassigned, futian] {
            let r = app.get(&format!("/cases/{id}"), Some(&bank)).await;
            assert_eq!(r.status, 404, "{n}: case {id}");
        }
        let r = app
            .post_form(
                &format!("/cases/{assigned}/visits"),
                Some(&bank),
                &[
                    ("visited_on", "2026-12-01"),
                    ("place", "x"),
                    ("visitors", "x"),
                    ("what", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, 403, "{n}");

        // The specialist assigns the manager on the page: a user who is not the station's
        // account manager (福田's bank manager) is refused beside the field, nothing changes.
        let spec = app.login("agency.specialist").await;
        let other = ipfin_store::db::fetch_i64(
            app.store().conn(),
            "SELECT id FROM users WHERE username = 'bank2.manager'",
            vec![],
        )
        .await
        .expect("user");
        let before = app.audit_count().await;
        let r = app
            .post_form(
                &format!("/cases/{unassigned}/manager"),
                Some(&spec),
                &[("manager_user_id", &other.to_string())],
            )
            .await;
        assert_eq!(r.status, 422, "{n}: {}", r.body);
        assert!(r.body.contains("manager_user_id-error"), "{n}");
        assert_eq!(app.audit_count().await, before);
        let page = app.get(&format!("/cases/{unassigned}"), Some(&spec)).await;
        let me = ipfin_store::db::fetch_i64(
            app.store().conn(),
            "SELECT id FROM users WHERE username = 'bank.manager'",
            vec![],
        )
        .await
        .expect("user");
        assert!(
            page.body
                .contains(&format!("<option value=\"{me}\">深南银行客户经理（演示）")),
            "{n}: the station's managers offered"
        );
        let r = app
            .post_form(
                &format!("/cases/{unassigned}/manager"),
                Some(&spec),
                &[("manager_user_id", &me.to_string())],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let r = app.get(&format!("/cases/{unassigned}"), Some(&bank)).await;
        assert_eq!(r.status, 200, "{n}");
        // 福田's specialist cannot assign on 南山's case; the bank cannot assign at all.
        let ft = app.login("ft.specialist").await;
        let r = app
            .post_form(
                &format!("/cases/{assigned}/manager"),
                Some(&ft),
                &[("manager_user_id", "")],
            )
            .await;
        assert_eq!(r.status, 404, "{n}");
        let r = app
            .post_form(
                &format!("/cases/{assigned}/manager"),
                Some(&bank),
                &[("manager_user_id", "")],
            )
            .await;
        assert_eq!(r.status, 403, "{n}");
        // Through the API the station clears the assignment: the bank no longer sees the case.
        let token = app.token("南山知识产权金融服务站").await;
        let r = app
            .api(
                Method::PUT,
                &format!("/api/v1/cases/{assigned}/manager"),
                Some(&token),
                Some(r#"{"user_id": null}"#.into()),
            )
            .await;
        assert_eq!(r.status, 204, "{n}: {}", r.body);
        let r = app.get(&format!("/cases/{assigned}"), Some(&bank)).await;
        assert_eq!(r.status, 404, "{n}");
        app.cleanup().await;
    }
}

/// A file upload from a page (multipart with the session's CSRF token).
async fn upload_on_page(
    app: &TestApp,
    s: &support::Session,
    path: &str,
    name: &str,
    bytes: &[u8],
) -> Resp {
    app.post_multipart(path, s, &[], Some((name, bytes))).await
}

#[tokio::test]
async fn a_steps_documents_are_files_kept_on_the_case_and_read_only_by_those_who_read_it() {
    for app in TestApp::all().await {
        let n = app.db.name;
        let s = app.store();
        let spec = app.login("agency.specialist").await;
        let ent = app.login("ent.user").await;
        let token = app.token("南山知识产权金融服务站").await;
        let code = ipfin_store::demo::demo_credit_code("440305", 101);
        let r = app
            .api(
                Method::POST,
                "/api/v1/cases",
                Some(&token),
                Some(serde_json::json!({"credit_code": code}).to_string()),
            )
            .await;
        assert_eq!(r.status, 201, "{n}: {}", r.body);
        let case = r.json()["id"].as_i64().expect("id");
        let rows = async || {
            ipfin_store::db::fetch_i64(
                s.conn(),
                "SELECT COUNT(*) FROM case_step_files WHERE case_id = ?",
                vec![case.into()],
            )
            .await
            .expect("count")
        };

        // The specialist adds the signed contract to the contract step on the page.
        let contract = b"%PDF-1.7\n% signed pledge contract\n".to_vec();
        let r = upload_on_page(
            &app,
            &spec,
            &format!("/cases/{case}/steps/contract/files"),
            "../质押合同（签字版）.pdf",
            &contract,
        )
        .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let fid = ipfin_store::db::fetch_i64(
            s.conn(),
            "SELECT id FROM case_step_files WHERE case_id = ? AND step = 'contract'",
            vec![case.into()],
        )
        .await
        .expect("file");
        let page = app.get(&format!("/cases/{case}"), Some(&spec)).await;
        assert!(
            page.body.contains(&format!(
                "<a href=\"/cases/{case}/files/{fid}\">质押合同（签字版）.pdf</a>"
            )),
            "{n}: the file is listed under its step, its name without the path"
        );
        // The enterprise served downloads it, byte for byte, as a download that runs nothing.
        let (st, h, bytes) = app
            .get_bytes(&format!("/cases/{case}/files/{fid}"), &ent)
            .await;
        assert_eq!(st, 200, "{n}");
        assert_eq!(bytes, contract, "{n}");
        assert_eq!(h[header::CONTENT_TYPE], "application/pdf", "{n}");
        assert!(
            h[header::CONTENT_DISPOSITION]
                .to_str()
                .is_ok_and(|v| v.starts_with("attachment")),
            "{n}"
        );

        // Hostile and wrong files: refused beside the field, nothing stored, no audit event.
        let before = app.audit_count().await;
        for (name, bytes, says) in [
            (
                "合同.pdf",
                b"<html><script>alert(1)</script></html>".to_vec(),
                "PDF",
            ),
            ("空.pdf", Vec::new(), "空文件"),
        ] {
            let r = upload_on_page(
                &app,
                &spec,
                &format!("/cases/{case}/steps/contract/files"),
                name,
                &bytes,
            )
            .await;
            assert_eq!(r.status, 422, "{n}: {name}: {}", r.body);
            assert!(
                r.body.contains("contract-file-error"),
                "{n}: {name}: beside the field"
            );
            assert!(r.body.contains(says), "{n}: {name}: says what is wrong");
        }
        let r = upload_on_page(
            &app,
            &spec,
            &format!("/cases/{case}/steps/nonsense/files"),
            "a.pdf",
            b"%PDF-1.7",
        )
        .await;
        assert_eq!(r.status, 404, "{n}: no such step");
        // Over the 20 MB limit: 413 and a message that says so (not "malformed").
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(21 * 1024 * 1024, b'x');
        let r = upload_on_page(
            &app,
            &spec,
            &format!("/cases/{case}/steps/contract/files"),
            "大文件.pdf",
            &big,
        )
        .await;
        assert_eq!(r.status, 413, "{n}: {}", r.body);
        assert!(r.body.contains("过大"), "{n}");
        assert_eq!(app.audit_count().await, before, "{n}");
        assert_eq!(rows().await, 1, "{n}");

        // Another district's specialist neither adds nor reads; the enterprise reads only.
        let ft = app.login("ft.specialist").await;
        let r = upload_on_page(
            &app,
            &ft,
            &format!("/cases/{case}/steps/contract/files"),
            "x.pdf",
            b"%PDF-1.7",
        )
        .await;
        assert_eq!(r.status, 404, "{n}");
        let (st, _, _) = app
            .get_bytes(&format!("/cases/{case}/files/{fid}"), &ft)
            .await;
        assert_eq!(st, 404, "{n}");
        let r = upload_on_page(
            &app,
            &ent,
            &format!("/cases/{case}/steps/contract/files"),
            "x.pdf",
            b"%PDF-1.7",
        )
        .await;
        assert_eq!(r.status, 403, "{n}");
        let r = app
            .post_form(
                &format!("/cases/{case}/files/{fid}/delete"),
                Some(&ent),
                &[],
            )
            .await;
        assert_eq!(r.status, 403, "{n}");
        // A file id of another case is not this case's file.
        let (st, _, _) = app
            .get_bytes(&format!("/cases/{}/files/{fid}", case + 1), &spec)
            .await;
        assert_eq!(st, 404, "{n}");

        // Through the API the station adds the registration certificate, reads it and
        // removes it again; the audit keeps what was removed.
        let png = b"\x89PNG\r\n\x1a\n0000IHDR".to_vec();
        let r = app
            .send(
                Request::builder()
                    .method(Method::POST)
                    .uri(format!("/api/v1/cases/{case}/steps/registration/files"))
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .header(header::CONTENT_TYPE, "application/octet-stream")
                    .header("x-file-name", "%E7%99%BB%E8%AE%B0%E8%AF%81%E6%98%8E.png")
                    .body(Body::from(png.clone()))
                    .expect("request"),
            )
            .await;
        assert_eq!(r.status, 201, "{n}: {}", r.body);
        let reg = r.json()["id"].as_i64().expect("id");
        let r = app
            .api(
                Method::GET,
                &format!("/api/v1/cases/{case}"),
                Some(&token),
                None,
            )
            .await;
        let files = r.json()["files"].clone();
        assert_eq!(files.as_array().map(Vec::len), Some(2), "{n}: {files}");
        assert_eq!(files[1]["step"], "registration", "{n}");
        assert_eq!(files[1]["file_name"], "登记证明.png", "{n}");
        assert_eq!(files[1]["file_type"], "png", "{n}");
        let r = app
            .api(
                Method::DELETE,
                &format!("/api/v1/cases/{case}/files/{reg}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, 204, "{n}: {}", r.body);
        let r = app
            .api(
                Method::GET,
                &format!("/api/v1/cases/{case}/files/{reg}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, 404, "{n}");
        let removed = ipfin_store::db::fetch_i64(
            s.conn(),
            "SELECT COUNT(*) FROM audit_events WHERE action = 'station.step_file_removed' AND entity_id = ?",
            vec![case.to_string().into()],
        )
        .await
        .expect("audit");
        assert_eq!(removed, 1, "{n}");

        // A step holds at most twenty files: the twenty-first is refused and not stored.
        for i in 1..20 {
            let r = upload_on_page(
                &app,
                &spec,
                &format!("/cases/{case}/steps/contract/files"),
                &format!("附件{i}.pdf"),
                format!("%PDF-1.7 {i}").as_bytes(),
            )
            .await;
            assert_eq!(r.status, 303, "{n}: file {i}");
        }
        let r = upload_on_page(
            &app,
            &spec,
            &format!("/cases/{case}/steps/contract/files"),
            "多余.pdf",
            b"%PDF-1.7 extra",
        )
        .await;
        assert_eq!(r.status, 422, "{n}");
        assert!(r.body.contains("已达上限"), "{n}");
        assert_eq!(rows().await, 20, "{n}");
        // The specialist removes one on the page.
        let r = app
            .post_form(
                &format!("/cases/{case}/files/{fid}/delete"),
                Some(&spec),
                &[],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        assert_eq!(rows().await, 19, "{n}");
        app.cleanup().await;
    }
}
