//! The city's view through the real router (issue #7): the city sets targets on the page, a
//! district breaks them down to a person who then sees them; the Q3 bulletin is previewed,
//! refused while bad and issued once; a loan corrected afterwards shows as a correction while
//! the bulletin keeps its figures; each district reads only its own feedback; the assessment,
//! the dashboards and the conformance matrix answer on the page, in Excel and through the API.

mod support;

use axum::http::Method;
use support::TestApp;

fn loan(contract: &str, pledge: &str, yuan: i64, start: &str) -> String {
    serde_json::json!({
        "borrower_credit_code": ipfin_store::demo::demo_credit_code("440305", 101),
        "contract_number": contract, "principal_fen": yuan * 100, "annual_rate": "0.035",
        "start_date": start, "end_date": "2027-09-01",
        "pledges": [{"number": pledge, "secured_amount_fen": yuan * 100, "registration_date": start,
                     "items": [{"kind": "patent", "number": "202310123456.6"}]}]
    })
    .to_string()
}

#[tokio::test]
async fn targets_bulletin_feedback_assessment_and_matrix() {
    for app in TestApp::all().await {
        let city = app.login("city.admin").await;
        let ns = app.login("ns.officer").await;
        let ft = app.login("ft.officer").await;
        let bank = app.token("深南银行深圳分行").await;
        let r = app
            .api(
                Method::POST,
                "/api/v1/loans",
                Some(&bank),
                Some(loan(
                    "2026-STAT-0001",
                    "Y2026980030001",
                    2_000_000,
                    "2026-08-10",
                )),
            )
            .await;
        assert!(r.status.is_success(), "{}: {}", r.status, r.body);

        // Targets: a negative value and a past year without confirmation are refused, nothing
        // stored; then the city sets Nanshan's and Futian's amounts.
        let before = app.audit_count().await;
        let r = app
            .post_form(
                "/targets",
                Some(&city),
                &[("year", "2026"), ("t_440305_amount", "-5")],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("不能为负数"), "names the rule");
        // Amounts are typed in 万元: more decimals than a fen, or words, are refused beside
        // their cells, every one at once, and what was typed stays.
        let r = app
            .post_form(
                "/targets",
                Some(&city),
                &[
                    ("year", "2026"),
                    ("t_440305_amount", "1.0000001"),
                    ("t_440304_amount", "五千"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        for cell in ["t_440305_amount", "t_440304_amount"] {
            assert!(
                r.body.contains(&format!(r#"id="{cell}-error""#))
                    && r.body
                        .contains(&format!(r#"aria-describedby="{cell}-error""#)),
                "{cell}: error beside the cell: {}",
                r.body
            );
        }
        assert!(r.body.contains(r#"value="五千""#), "kept as typed");
        let r = app
            .post_form(
                "/targets",
                Some(&city),
                &[("year", "2025"), ("t_440305_amount", "1000")],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("确认修改往年目标"));
        assert_eq!(app.audit_count().await, before, "nothing stored");
        let r = app
            .post_form(
                "/targets",
                Some(&city),
                &[
                    ("year", "2026"),
                    // Confirmed, so the test still passes once 2026 is over.
                    ("confirm_past", "yes"),
                    ("t_440305_amount", "10,000"),
                    ("t_440305_pledges", "40"),
                    ("t_440304_amount", "8000"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.get("/targets?year=2026", Some(&city)).await;
        assert!(
            page.body
                .contains(r#"name="t_440305_amount" value="10000""#),
            "the form shows the target in 万元 as typed"
        );

        // The district assigns the amount to its officer: milestones above the share refused.
        let officer = app.user_id("ns.officer").await.to_string();
        let r = app
            .post_form(
                "/targets/districts/440305/assignments",
                Some(&ns),
                &[
                    ("year", "2026"),
                    ("metric", "amount"),
                    ("user_id", &officer),
                    ("share", "60000000"),
                    ("milestones", "10000000, 20000000, 20000000, 20000000"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("超过本人承担的目标"));
        let r = app
            .post_form(
                "/targets/districts/440305/assignments",
                Some(&ns),
                &[
                    ("year", "2026"),
                    ("metric", "amount"),
                    ("user_id", &officer),
                    ("share", "60000000"),
                    ("periods", "4"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let r = app
            .post_form(
                "/targets/districts/440305/lead",
                Some(&ns),
                &[
                    ("year", "2026"),
                    ("person_name", "李局长"),
                    ("title", "局长"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        // Futian's officer cannot touch Nanshan's breakdown.
        let r = app
            .post_form(
                "/targets/districts/440305/lead",
                Some(&ft),
                &[("year", "2026"), ("person_name", "越权")],
            )
            .await;
        assert_eq!(r.status, 404);
        let mine = app.get("/my/targets?year=2026", Some(&ns)).await;
        assert!(
            mine.body.contains("1,500.00 万元"),
            "quarterly milestones of 15m"
        );
        // Issue #19 item 11: a 70% SME share is a level to reach at each quarter, not 17.5% a
        // quarter; two persons may each answer for 70%.
        let r = app
            .post_form(
                "/targets",
                Some(&city),
                &[
                    ("year", "2026"),
                    ("confirm_past", "yes"),
                    ("t_440305_amount", "10,000"),
                    ("t_440305_pledges", "40"),
                    ("t_440305_sme_share", "70"),
                    ("t_440304_amount", "8000"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        for who in ["ns.officer", "ns.checker"] {
            let user = app.user_id(who).await.to_string();
            let r = app
                .post_form(
                    "/targets/districts/440305/assignments",
                    Some(&ns),
                    &[
                        ("year", "2026"),
                        ("metric", "sme_share"),
                        ("user_id", &user),
                        ("share", "70"),
                        ("periods", "4"),
                    ],
                )
                .await;
            assert_eq!(r.status, 303, "{who}: {}", r.body);
        }
        let mine = app.get("/my/targets?year=2026", Some(&ns)).await;
        assert_eq!(
            mine.body.matches("≥ 70.00%").count(),
            5,
            "four levels and what is due"
        );
        assert!(!mine.body.contains("17.50%") && !mine.body.contains("52.50%"));
        let api = app
            .api(Method::GET, "/api/v1/targets?year=2026", Some(&bank), None)
            .await;
        assert_eq!(api.status, 403, "a bank does not read targets");

        // Bulletin: not for a quarter still running; preview; issue with a commendation.
        let r = app
            .post_form(
                "/bulletins",
                Some(&city),
                &[("quarter", "2026Q4"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("季度结束后才能印发"));
        let preview = app.get("/bulletins/new?quarter=2026Q3", Some(&city)).await;
        assert_eq!(preview.status, 200);
        assert!(preview.body.contains("<svg"), "charts on the page");
        let r = app
            .post_form("/bulletins", Some(&city), &[("quarter", "2026Q3")])
            .await;
        assert_eq!(r.status, 422, "confirmation required");
        let r = app
            .post_form(
                "/bulletins",
                Some(&city),
                &[
                    ("quarter", "2026Q3"),
                    ("confirm", "yes"),
                    ("commend", "440305"),
                    ("reason_440305", "首贷企业增长显著"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let r = app
            .post_form(
                "/bulletins",
                Some(&city),
                &[("quarter", "2026Q3"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 409, "issued once");
        let city_token = app.token("深圳市市场监督管理局（知识产权局）").await;
        let issued = app
            .api(
                Method::GET,
                "/api/v1/bulletins/2026Q3",
                Some(&city_token),
                None,
            )
            .await
            .json();
        let published = |v: &serde_json::Value| {
            v["bulletin"]["snapshot"]["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .find(|r| r["district_code"] == "440305")
                .expect("nanshan")["stats"]["year_to_date"]["amount_fen"]
                .as_i64()
                .expect("amount")
        };
        let ytd = published(&issued);
        assert!(ytd >= 200_000_000);
        assert!(issued["corrections"].as_array().expect("list").is_empty());

        // The bank corrects the August loan: the bulletin keeps its figure, the correction shows.
        let r = app
            .api(
                Method::POST,
                "/api/v1/loans",
                Some(&bank),
                Some(loan(
                    "2026-STAT-0001",
                    "Y2026980030001",
                    2_500_000,
                    "2026-08-10",
                )),
            )
            .await;
        assert!(r.status.is_success(), "{}: {}", r.status, r.body);
        let after = app
            .api(
                Method::GET,
                "/api/v1/bulletins/2026Q3",
                Some(&city_token),
                None,
            )
            .await
            .json();
        assert_eq!(published(&after), ytd, "the published figure never changes");
        let fix = after["corrections"]
            .as_array()
            .expect("list")
            .iter()
            .find(|c| c["figure"] == "本年累计融资金额（元）")
            .expect("a correction")
            .clone();
        assert_eq!(fix["published"].as_i64(), Some(ytd));
        assert_eq!(fix["current"].as_i64(), Some(ytd + 50_000_000));
        let page = app.get("/bulletins/2026Q3", Some(&ns)).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("印发后的数据更正") && page.body.contains("首贷企业增长显著"));

        // Feedback: own district yes, another district's no (page and API).
        let own = app
            .get("/bulletins/2026Q3/districts/440305", Some(&ns))
            .await;
        assert_eq!(own.status, 200);
        assert!(own.body.contains("本区获通报表扬"));
        let other = app
            .get("/bulletins/2026Q3/districts/440305", Some(&ft))
            .await;
        assert_eq!(other.status, 404);
        let docx = app.get("/bulletins/2026Q3/bulletin.docx", Some(&ft)).await;
        assert_eq!(docx.status, 200);
        assert!(
            docx.headers["content-type"]
                .to_str()
                .expect("type")
                .contains("wordprocessingml")
        );
        let xlsx = app.get("/bulletins/2026Q3/bulletin.xlsx", Some(&ft)).await;
        assert_eq!(xlsx.status, 200);
        assert!(
            xlsx.headers["content-type"]
                .to_str()
                .expect("type")
                .contains("spreadsheetml")
        );

        // Assessment with a bonus; dashboards; the conformance matrix with R4.1 computed.
        let r = app
            .post_form(
                "/assessments/bonuses",
                Some(&city),
                &[
                    ("year", "2026"),
                    ("district_code", "440305"),
                    ("points", "2.5"),
                    ("reason", "率先开展知识产权证券化"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let a = app
            .api(
                Method::GET,
                "/api/v1/assessments?year=2026",
                Some(&city_token),
                None,
            )
            .await
            .json();
        let ns_line = a
            .as_array()
            .expect("list")
            .iter()
            .find(|x| x["district_code"] == "440305")
            .expect("nanshan")
            .clone();
        assert_eq!(ns_line["assessment"]["bonus"], "2.5");
        assert_eq!(
            app.get("/assessments/export?year=2026", Some(&city))
                .await
                .status,
            200
        );
        let dash = app.get("/dashboard", Some(&city)).await;
        assert_eq!(dash.status, 200);
        assert!(dash.body.contains("/dashboard/districts/440305") && dash.body.contains("<svg"));
        let d = app.get("/dashboard", Some(&ns)).await;
        assert_eq!(d.location(), Some("/dashboard/districts/440305"));
        assert_eq!(
            app.get("/dashboard/districts/440304", Some(&ns))
                .await
                .status,
            404
        );
        let m = app
            .api(Method::GET, "/api/v1/conformance", Some(&city_token), None)
            .await
            .json();
        let row = m
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["district_code"] == "440305")
            .expect("nanshan")
            .clone();
        let r41 = row["cells"]
            .as_array()
            .expect("cells")
            .iter()
            .find(|c| c["requirement"] == "R4.1")
            .expect("R4.1")
            .clone();
        // Pledges were set but not assigned: the cell fails, naming it.
        assert_eq!(r41["status"], "fail", "{r41}");
        assert!(
            r41["finding"]
                .as_str()
                .expect("text")
                .contains("质押登记笔数")
        );
        // R1.2 comes from the meetings (issue #8): the demo holds 440305's in 2026Q1–Q3.
        let r12 = row["cells"][1].clone();
        assert_eq!(r12["requirement"], "R1.2");
        assert_ne!(r12["status"], "no_data", "{r12}");
        assert_eq!(r12["evidence"], "/meetings?district=440305");
        let page = app.get("/conformance", Some(&city)).await;
        assert!(page.body.contains("R4.1") && page.body.contains("/targets/districts/440305"));
        assert_eq!(
            app.get("/conformance/export", Some(&city)).await.status,
            200
        );
        app.cleanup().await;
    }
}
