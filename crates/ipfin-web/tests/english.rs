//! English mode is English (issue #23 item 10): every page each kind of caller reaches from
//! the menu, and the first record of each kind those pages link to, rendered through the real router with the `ipfin_lang=en` cookie, shows no
//! Chinese in its labels — column heads, card labels, field labels, buttons, headings below
//! the title, summaries, term lists and status badges. What people entered is data and may be
//! Chinese: the names of organisations, enterprises, districts and people
//! are read from the store and taken out of the labels before the check, as are the demo
//! IP titles in `DATA_IN_LABELS`.

mod support;

use axum::body::Body;
use axum::http::{Request, header};
use ipfin_store::testing::TestDb;
use support::{Resp, Session, TestApp};

/// One demo user of each kind of caller.
const CALLERS: &[&str] = &[
    "city.admin",
    "ns.officer",
    "ns.finance",
    "ent.user",
    "bank.manager",
    "agency.specialist",
];

/// Elements whose text is the interface's own (opening tag prefix, closing tag). The page
/// title is not among them: it repeats the heading, which names the record (a policy's or a
/// meeting's title).
const LABELS: &[(&str, &str)] = &[
    ("<th scope=\"col\"", "</th>"),
    ("<label", "</label>"),
    ("<button", "</button>"),
    ("<legend", "</legend>"),
    ("<summary", "</summary>"),
    ("<dt", "</dt>"),
    ("<h2", "</h2>"),
    ("<span class=\"badge", "</span>"),
];

/// Data people entered that a page shows inside a label element besides the names read from
/// the store: the demo enterprise's IP titles (a checkbox's label in matchmaking).
const DATA_IN_LABELS: &[&str] = &[
    "一种基于多模态数据的工业视觉检测方法",
    "智能质检云平台软件V2.0",
];

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
}

/// The text of an element's inside, tags removed.
fn text_of(inner: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Every label text (and `data-label` value) of a page that has Chinese in it once the data
/// (`data`, longest first) is taken out.
fn chinese_labels(html: &str, data: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for (open, close) in LABELS {
        let mut rest = html;
        while let Some(i) = rest.find(open) {
            let after = &rest[i..];
            let Some(gt) = after.find('>') else { break };
            let body = &after[gt + 1..];
            let end = body.find(close).unwrap_or(body.len());
            let text = text_of(&body[..end]);
            rest = &body[end..];
            found.push(text);
        }
    }
    let mut rest = html;
    while let Some(i) = rest.find("data-label=\"") {
        let after = &rest[i + 12..];
        let end = after.find('"').unwrap_or(after.len());
        found.push(after[..end].to_string());
        rest = &after[end..];
    }
    found
        .into_iter()
        .map(|t| {
            let mut t = t;
            for d in data
                .iter()
                .map(String::as_str)
                .chain(DATA_IN_LABELS.iter().copied())
            {
                t = t.replace(d, "");
            }
            t.trim().to_string()
        })
        .filter(|t| t.chars().any(is_cjk))
        .collect()
}

/// The menu's links of a page (the `<nav>` blocks), pages only (no downloads, no sign-out).
fn menu_links(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<nav") {
        let nav = &rest[i..];
        let end = nav.find("</nav>").unwrap_or(nav.len());
        let mut part = &nav[..end];
        while let Some(h) = part.find("href=\"") {
            let after = &part[h + 6..];
            let e = after.find('"').unwrap_or(after.len());
            let link = after[..e].replace("&amp;", "&");
            if link.starts_with('/')
                && !link.starts_with("/lang/")
                && !link.contains(".xlsx")
                && !link.contains(".docx")
                && !links.contains(&link)
            {
                links.push(link);
            }
            part = &after[e..];
        }
        rest = &nav[end..];
    }
    links
}

/// The names people gave things, as stored: organisations, districts, users; longest first so
/// that a longer name is taken out before a shorter one inside it.
async fn data_names(app: &TestApp) -> Vec<String> {
    let city = ipfin_domain::Scope::City;
    let big = ipfin_store::Page {
        page: 1,
        per_page: 10_000,
    };
    let mut names: Vec<String> = app
        .store()
        .organisations(&city, &Default::default(), big)
        .await
        .expect("organisations")
        .items
        .into_iter()
        .map(|o| o.name)
        .collect();
    for e in app
        .store()
        .search_enterprises(&city, &Default::default(), big)
        .await
        .expect("enterprises")
        .items
    {
        names.push(e.name);
    }
    // A booking names its enterprise as the visitor typed it.
    for b in app.store().bookings(&city, false).await.expect("bookings") {
        names.push(b.enterprise_name);
    }
    for d in app.store().districts().await.expect("districts") {
        names.push(d.name);
    }
    for u in app
        .store()
        .users(&city, None, big)
        .await
        .expect("users")
        .items
    {
        names.push(u.display_name);
    }
    names.retain(|n| !n.is_empty());
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    names
}

/// The first link to one record of each kind on a page (`/applications/12`, `/policies/3` …),
/// outside the menu.
fn record_links(html: &str) -> Vec<String> {
    let main = html.find("<main").map_or(html, |i| &html[i..]);
    let mut seen: Vec<String> = Vec::new();
    let mut links = Vec::new();
    let mut rest = main;
    while let Some(h) = rest.find("href=\"/") {
        let after = &rest[h + 6..];
        let e = after.find('"').unwrap_or(after.len());
        let link = &after[..e];
        let mut parts = link.trim_start_matches('/').split('/');
        if let (Some(kind), Some(id), None) = (parts.next(), parts.next(), parts.next())
            && !id.is_empty()
            && id.chars().all(|c| c.is_ascii_digit())
            && !seen.iter().any(|k| k == kind)
        {
            seen.push(kind.to_string());
            links.push(link.to_string());
        }
        rest = &after[e..];
    }
    links
}

async fn get_en(app: &TestApp, path: &str, s: &Session) -> Resp {
    app.send(
        Request::builder()
            .uri(path)
            .header(header::COOKIE, format!("{}; ipfin_lang=en", s.cookie))
            .body(Body::empty())
            .expect("request"),
    )
    .await
}

#[test]
fn the_check_sees_chinese_labels_and_ignores_data() {
    let page = r#"<table><thead><tr><th scope="col">状态</th><th scope="col">Name</th></tr></thead>
<tbody><tr><td data-label="Name">南山区</td><td data-label="期限">1 Dec 2026</td></tr></tbody></table>
<label for="x">Enterprise <small>企业名称</small></label><span class="badge ok">Submitted</span>"#;
    let data = vec!["南山区".to_string()];
    assert_eq!(
        chinese_labels(page, &data),
        vec!["状态", "Enterprise 企业名称", "期限"]
    );
    assert!(chinese_labels(r#"<h2>南山区 · Dashboard</h2>"#, &data).is_empty());
    assert!(
        menu_links(
            r#"<nav><a href="/home">Home</a><a href="/lang/zh">中文</a><a href="/x.xlsx">x</a></nav>"#
        ) == vec!["/home"]
    );
}

#[tokio::test]
async fn every_menu_page_of_every_caller_reads_in_english() {
    let app = TestApp::with_db(TestDb::sqlite().await.with_demo().await);
    let data = data_names(&app).await;
    let mut problems = Vec::new();
    for who in CALLERS {
        let s = app.login(who).await;
        let home = get_en(&app, "/home", &s).await;
        assert_eq!(home.status.as_u16(), 200, "{who}: {}", home.body);
        let mut pages = vec!["/home".to_string()];
        pages.extend(menu_links(&home.body));
        assert!(pages.len() > 2, "{who} has a menu: {pages:?}");
        // Each menu page, then the first record of each kind it links to.
        let mut records = Vec::new();
        for path in &pages {
            let r = get_en(&app, path, &s).await;
            if r.status.as_u16() != 200 {
                continue;
            }
            for l in record_links(&r.body) {
                if !records.contains(&l) && !pages.contains(&l) {
                    records.push(l);
                }
            }
            for label in chinese_labels(&r.body, &data) {
                problems.push(format!("{who} {path}: {label}"));
            }
        }
        for path in &records {
            let r = get_en(&app, path, &s).await;
            if r.status.as_u16() != 200 {
                continue;
            }
            for label in chinese_labels(&r.body, &data) {
                problems.push(format!("{who} {path}: {label}"));
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "Chinese in English mode ({}):\n{}",
        problems.len(),
        problems.join("\n")
    );
    app.cleanup().await;
}
