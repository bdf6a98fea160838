//! Home pages that say what to do next (issue #23 item 3), through the real router on SQLite
//! and PostgreSQL with the demo city: each role's to-do list is fed by the states that await it
//! (with deadline and age, most urgent first), its figures are the ones SPEC §0 names and match
//! the records, and the signed-in menu is grouped by task (an SME's without API tokens).

mod support;

use ipfin_store::db::fetch_i64;
use support::{Resp, TestApp};

async fn count(app: &TestApp, sql: &str) -> i64 {
    fetch_i64(app.store().conn(), sql, vec![])
        .await
        .expect("count")
}

/// The to-do list's items, in order (their visible text, tags stripped).
fn todos(r: &Resp) -> Vec<String> {
    let Some(list) = r
        .body
        .split("<ol class=\"todo\">")
        .nth(1)
        .and_then(|s| s.split("</ol>").next())
    else {
        return vec![];
    };
    list.split("<li")
        .skip(1)
        .map(|li| {
            let li = li.split_once('>').map_or(li, |(_, rest)| rest);
            let mut text = String::new();
            let mut tag = false;
            for c in li.chars() {
                match c {
                    '<' => tag = true,
                    '>' => tag = false,
                    _ if !tag => text.push(c),
                    _ => {}
                }
            }
            text.trim().to_string()
        })
        .collect()
}

/// The value of the key figure with this label.
fn figure(r: &Resp, label: &str) -> Option<String> {
    r.body.split("<a class=\"card\"").skip(1).find_map(|card| {
        let card = card.split("</a>").next()?;
        let value = card
            .split("<span class=\"figure\">")
            .nth(1)?
            .split("</span>")
            .next()?;
        card.contains(&format!("<br>{label}"))
            .then(|| value.to_string())
    })
}

/// The links of the header's menu.
fn menu(r: &Resp) -> Vec<String> {
    let nav = r
        .body
        .split("<nav")
        .nth(1)
        .and_then(|s| s.split("</nav>").next())
        .unwrap_or_default();
    nav.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn each_role_sees_its_own_work_with_deadlines_first() {
    for app in TestApp::all().await {
        let who = app.name();
        // The station's rectification task (open, its deadline set by the district) is on the
        // specialist's list with the deadline beside it.
        let agency = app.login("agency.specialist").await;
        let home = app.get("/home", Some(&agency)).await;
        let list = todos(&home);
        let task = list
            .iter()
            .find(|t| t.contains("补录服务对象签字"))
            .unwrap_or_else(|| panic!("{who}: the agency's task is a to-do: {list:?}"));
        assert!(
            task.contains("整改任务") && (task.contains("逾期") || task.contains("到期")),
            "{who}: the task says its deadline: {task}"
        );

        // In English mode the notifications read in English (issue #23 item 10): the task's
        // notice was written in both languages when the district set the task.
        let en = app
            .send(
                axum::http::Request::builder()
                    .uri("/home")
                    .header(
                        axum::http::header::COOKIE,
                        format!("{}; ipfin_lang=en", agency.cookie),
                    )
                    .body(axum::body::Body::empty())
                    .expect("request"),
            )
            .await;
        let notes = en
            .body
            .split("<ul class=\"notifications\">")
            .nth(1)
            .and_then(|s| s.split("</ul>").next())
            .unwrap_or_default();
        assert!(
            notes.contains("a rectification task") && !notes.contains("下达整改任务"),
            "{who}: notifications in English: {notes}"
        );

        // The city: the issue a district escalated to it.
        let city = app.login("city.admin").await;
        let home = app.get("/home", Some(&city)).await;
        let list = todos(&home);
        assert!(
            list.iter().any(|t| t.starts_with("提交市级协调的事项")),
            "{who}: the escalated issue awaits the city: {list:?}"
        );
        assert!(
            figure(&home, "受理阶段").is_some(),
            "{who}: the city sees applications per stage"
        );

        // The district's lead officer: applications per stage match the records; the city's
        // information request and the quarter's financing are there; no head counts.
        let officer = app.login("ns.officer").await;
        let home = app.get("/home", Some(&officer)).await;
        for (label, states) in [
            ("受理阶段", "'submitted'"),
            ("审核阶段", "'accepted','reviewed'"),
            ("公示阶段", "'in_notice'"),
            (
                "跟踪监管阶段",
                "'granted','disbursed','under_investigation','cleared','clawed_back'",
            ),
        ] {
            let n = count(
                &app,
                &format!(
                    "SELECT COUNT(*) FROM applications WHERE district_code = '440305' AND state IN ({states})"
                ),
            )
            .await;
            assert_eq!(
                figure(&home, label),
                Some(n.to_string()),
                "{who}: {label} counts the district's applications"
            );
        }
        assert!(
            home.body.contains("质押融资额"),
            "{who}: this quarter's financing"
        );
        for gone in ["本机构用户", "有效接口令牌", "区级部门</a>"] {
            assert!(
                !home.body.contains(gone),
                "{who}: {gone} is not a key figure"
            );
        }
        let open_requests = count(
            &app,
            "SELECT COUNT(*) FROM summary_requests WHERE district_code = '440305' AND answered_at IS NULL",
        )
        .await;
        let answer_todos = todos(&home)
            .iter()
            .filter(|t| t.starts_with("答复市级信息报送要求"))
            .count();
        assert_eq!(
            answer_todos as i64, open_requests,
            "{who}: every open request of the city is a to-do"
        );

        // The most urgent first: whatever is overdue comes before what is merely waiting.
        for (user, r) in [("agency.specialist", &agency), ("ns.officer", &officer)] {
            let list = todos(&app.get("/home", Some(r)).await);
            let last_overdue = list.iter().rposition(|t| t.contains("逾期"));
            let first_plain = list
                .iter()
                .position(|t| !t.contains("逾期") && !t.contains("到期") && !t.contains("前办理"));
            if let (Some(o), Some(p)) = (last_overdue, first_plain) {
                assert!(o < p, "{who} {user}: overdue items lead: {list:?}");
            }
        }

        // A bank: pushed enterprises awaiting first contact, loans this quarter.
        let bank = app.login("bank.manager").await;
        let home = app.get("/home", Some(&bank)).await;
        let awaiting = figure(&home, "待首次联系的推送企业").expect("pushed figure");
        assert!(awaiting.parse::<i64>().is_ok(), "{who}: {awaiting}");
        assert!(home.body.contains("质押融资额"), "{who}: bank's quarter");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn the_menu_is_grouped_by_task_and_an_sme_has_no_api_tokens_in_it() {
    for app in TestApp::all().await {
        let who = app.name();
        let officer = app.login("ns.officer").await;
        let page = app.get("/home", Some(&officer)).await;
        let links = menu(&page);
        // Every page is still reachable from the menu, in groups a person can scan.
        for href in [
            "/applications",
            "/conformance",
            "/meetings",
            "/users",
            "/zones",
        ] {
            assert!(
                links.iter().any(|l| l == href),
                "{who}: {href} in {links:?}"
            );
        }
        let groups = page.body.matches("<summary").count();
        assert!(
            (4..=7).contains(&groups),
            "{who}: {groups} groups for {} links",
            links.len()
        );
        let top_level = page
            .body
            .split("<nav")
            .nth(1)
            .and_then(|s| s.split("</nav>").next())
            .unwrap_or_default()
            .matches("<li")
            .count()
            - page.body.matches("<details>").count()
            - links.len()
            + groups;
        assert!(top_level <= 9, "{who}: {top_level} entries in the top row");

        let ent = app.login("ent.user").await;
        let page = app.get("/home", Some(&ent)).await;
        let links = menu(&page);
        assert!(
            !links.iter().any(|l| l.starts_with("/tokens")),
            "{who}: an SME's menu has no API tokens: {links:?}"
        );
        let org = links
            .iter()
            .find(|l| l.starts_with("/orgs/"))
            .expect("my organisation")
            .clone();
        let org_page = app.get(&org, Some(&ent)).await;
        assert!(
            org_page.body.contains("href=\"/tokens\""),
            "{who}: the enterprise's own page links its tokens"
        );
        // Someone else's enterprise page does not offer the link.
        let bank = app.login("bank.manager").await;
        let bank_org = menu(&app.get("/home", Some(&bank)).await)
            .into_iter()
            .find(|l| l.starts_with("/orgs/"))
            .expect("bank's organisation");
        let bank_page = app.get(&bank_org, Some(&bank)).await;
        assert!(
            !bank_page.body.contains("系统对接"),
            "{who}: only an enterprise's own page has the section"
        );
        app.cleanup().await;
    }
}
