//! Official documents through the real router (issue #23 item 7): every .docx the system issues
//! — the quarterly bulletin, the meeting minutes, the district summary and the policy's clear
//! card — rendered to PDF by LibreOffice (`soffice --headless --convert-to pdf`), each page read
//! back with poppler's `pdftotext`: the page count is what the content implies and no page is
//! blank. Without `soffice` (and `pdfinfo`/`pdftotext`) the rendering is skipped with a note;
//! `.ci/run` installs them. Also: the minutes' chair and recorder are checked like every field,
//! and the public notice names its district, a contact and its 落款 and never shows another
//! person's banner.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{Session, TestApp};

/// A tool on the PATH (or in /usr/bin), if installed.
fn tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The rendering tools, or `None` with a note saying what is missing.
fn renderer() -> Option<(PathBuf, PathBuf, PathBuf)> {
    match (tool("soffice"), tool("pdfinfo"), tool("pdftotext")) {
        (Some(s), Some(i), Some(t)) => Some((s, i, t)),
        _ => {
            eprintln!(
                "NOTE: documents were not rendered to PDF: soffice, pdfinfo or pdftotext is not \
                 installed (apt-get install libreoffice-writer-nogui poppler-utils; .ci/run does)"
            );
            None
        }
    }
}

/// A rendered document: the text of each page.
struct Pdf {
    name: String,
    pages: Vec<String>,
}

impl Pdf {
    /// The 1-based number of the first page whose text contains `needle`.
    fn page_of(&self, needle: &str) -> Option<usize> {
        self.pages
            .iter()
            .position(|p| p.contains(needle))
            .map(|i| i + 1)
    }

    /// The page's text without white space (a wrapped line joined again).
    fn flat(&self, page: usize) -> String {
        self.pages[page - 1]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }

    /// The page's lines that carry text, trimmed.
    fn lines(&self, page: usize) -> Vec<&str> {
        self.pages[page - 1]
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }
}

/// Whether a page's text is only a page number ("— 3 —", "3") or nothing.
fn blank(text: &str) -> bool {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '—' | '-' | '–'))
        .all(|c| c.is_ascii_digit())
}

/// Writes the documents to a fresh directory, converts them in one LibreOffice run (its own
/// profile, so parallel tests do not share one) and reads each PDF back page by page.
fn render(docs: &[(&str, Vec<u8>)]) -> Option<Vec<Pdf>> {
    let (soffice, pdfinfo, pdftotext) = renderer()?;
    let dir = std::env::temp_dir().join(format!(
        "ipfin-docs-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut inputs = Vec::new();
    for (name, bytes) in docs {
        let p = dir.join(format!("{name}.docx"));
        std::fs::write(&p, bytes).expect("write docx");
        inputs.push(p);
    }
    let started = std::time::Instant::now();
    let out = Command::new(&soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.join("profile").display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&dir)
        .args(&inputs)
        .output()
        .expect("soffice runs");
    assert!(
        out.status.success(),
        "soffice: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "rendered {} documents to PDF in {:.1} s",
        docs.len(),
        started.elapsed().as_secs_f64()
    );
    let pdfs = docs
        .iter()
        .map(|(name, _)| {
            let pdf = dir.join(format!("{name}.pdf"));
            assert!(pdf.is_file(), "{name}: no PDF was written");
            let pages = page_count(&pdfinfo, &pdf);
            Pdf {
                name: name.to_string(),
                pages: (1..=pages)
                    .map(|n| page_text(&pdftotext, &pdf, n))
                    .collect(),
            }
        })
        .collect();
    // `IPFIN_TEST_KEEP_DOCS=1` keeps the .docx and .pdf files for a look.
    if std::env::var_os("IPFIN_TEST_KEEP_DOCS").is_some() {
        eprintln!("documents kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Some(pdfs)
}

fn page_count(pdfinfo: &Path, pdf: &Path) -> usize {
    let out = Command::new(pdfinfo).arg(pdf).output().expect("pdfinfo");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a page count")
}

fn page_text(pdftotext: &Path, pdf: &Path, page: usize) -> String {
    let n = page.to_string();
    let out = Command::new(pdftotext)
        .args(["-f", &n, "-l", &n, "-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn loan(credit: &str, patent: &str, contract: &str, pledge: &str, yuan: i64) -> String {
    serde_json::json!({
        "borrower_credit_code": credit,
        "contract_number": contract, "principal_fen": yuan * 100, "annual_rate": "0.035",
        "start_date": "2026-08-10", "end_date": "2027-08-01",
        "pledges": [{"number": pledge, "secured_amount_fen": yuan * 100, "registration_date": "2026-08-10",
                     "items": [{"kind": "patent", "number": patent}]}]
    })
    .to_string()
}

async fn bytes(app: &TestApp, path: &str, who: Option<&Session>) -> Vec<u8> {
    let mut b = Request::builder().method(Method::GET).uri(path);
    if let Some(s) = who {
        b = b.header(header::COOKIE, &s.cookie);
    }
    let (status, headers, body) = app.send_raw(b.body(Body::empty()).expect("request")).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap_or_default()
            .contains("wordprocessingml"),
        "{path} is a Word document"
    );
    body
}

/// Whether a bulletin line (API JSON) has no figure other than zero.
fn all_zero(row: &serde_json::Value) -> bool {
    let s = &row["stats"];
    let zero = |v: &serde_json::Value| v.as_i64() == Some(0);
    ["quarter", "year_to_date", "last_year_quarter"]
        .iter()
        .all(|p| s[p].as_object().is_some_and(|o| o.values().all(zero)))
        && [
            "pledge_registrations",
            "pledge_registrations_ytd",
            "granted_fen",
            "disbursed_fen",
        ]
        .iter()
        .all(|k| zero(&s[k]))
}

#[tokio::test]
async fn every_document_renders_with_the_pages_its_content_implies_and_none_blank() {
    for app in TestApp::all().await {
        let n = app.name();
        let city = app.login("city.admin").await;
        let ns = app.login("ns.officer").await;
        // Loans in two districts this year's third quarter, so two districts have figures.
        let bank = app.token("深南银行深圳分行").await;
        for (district, serial, patent, contract, pledge) in [
            (
                "440305",
                101,
                "202310123456.6",
                "2026-DOC-0001",
                "Y2026980040001",
            ),
            (
                "440304",
                102,
                "202320111111.4",
                "2026-DOC-0002",
                "Y2026980040002",
            ),
        ] {
            let credit = ipfin_store::demo::demo_credit_code(district, serial);
            let r = app
                .api(
                    Method::POST,
                    "/api/v1/loans",
                    Some(&bank),
                    Some(loan(&credit, patent, contract, pledge, 1_500_000)),
                )
                .await;
            assert!(r.status.is_success(), "{n}: {}: {}", r.status, r.body);
        }
        let issued = app.issue_bulletin("2026Q3").await;
        let city_token = app.token("深圳市市场监督管理局（知识产权局）").await;
        let rows = issued["bulletin"]["snapshot"]["rows"]
            .as_array()
            .expect("rows")
            .clone();
        let with_data: Vec<String> = rows
            .iter()
            .filter(|r| !all_zero(r))
            .map(|r| r["district_name"].as_str().expect("name").to_string())
            .collect();
        let without: Vec<String> = rows
            .iter()
            .filter(|r| all_zero(r))
            .map(|r| r["district_name"].as_str().expect("name").to_string())
            .collect();
        assert!(with_data.len() >= 2, "{n}: {with_data:?}");

        let meeting = app
            .api(
                Method::GET,
                "/api/v1/meetings?district=440305&quarter=2026Q3",
                Some(&city_token),
                None,
            )
            .await
            .json();
        let mid = meeting["items"][0]["id"]
            .as_i64()
            .expect("the demo meeting");
        let m = app
            .api(
                Method::GET,
                &format!("/api/v1/meetings/{mid}"),
                Some(&city_token),
                None,
            )
            .await
            .json();
        let last_issue = m["issues"]
            .as_array()
            .and_then(|i| i.last())
            .expect("the demo meeting decided something")["title"]
            .as_str()
            .expect("title")
            .to_string();
        let summary = ipfin_store::db::fetch_i64(
            app.store().conn(),
            "SELECT MAX(id) FROM summaries WHERE district_code = '440305' AND submitted_at IS NOT NULL",
            vec![],
        )
        .await
        .expect("a submitted demo summary");
        let policy = ipfin_store::db::fetch_i64(
            app.store().conn(),
            "SELECT MIN(id) FROM policy_versions WHERE status = 'published'",
            vec![],
        )
        .await
        .expect("a published demo policy");
        let docs = vec![
            (
                "bulletin",
                bytes(&app, "/bulletins/2026Q3/bulletin.docx", Some(&city)).await,
            ),
            (
                "minutes",
                bytes(&app, &format!("/meetings/{mid}/meeting.docx"), Some(&ns)).await,
            ),
            (
                "summary",
                bytes(
                    &app,
                    &format!("/summaries/{summary}/summary.docx"),
                    Some(&city),
                )
                .await,
            ),
            (
                "card",
                bytes(&app, &format!("/policies/{policy}/card.docx"), None).await,
            ),
        ];
        // Rendering is the same on either database: once is enough.
        if n != "sqlite" {
            app.cleanup().await;
            continue;
        }
        let Some(pdfs) = render(&docs) else {
            app.cleanup().await;
            return;
        };
        for pdf in &pdfs {
            for (i, text) in pdf.pages.iter().enumerate() {
                assert!(
                    !blank(text),
                    "{}: page {} of {} is blank",
                    pdf.name,
                    i + 1,
                    pdf.pages.len()
                );
            }
        }

        // The bulletin: the 版头 on page 1; the attachment starts on a page of its own with the
        // line naming the districts without figures and the first district with figures; every
        // further district with figures has its own page; the 版记 ends the last one. So the
        // page count is the attachment's first page plus one per further district.
        let b = &pdfs[0];
        let first = b.lines(1).join("\n");
        assert!(
            first.contains("文件") && first.contains("知融通〔"),
            "{first}"
        );
        let attachment = (1..=b.pages.len())
            .find(|&p| b.lines(p).first() == Some(&"附件"))
            .expect("an attachment page starting with 附件");
        assert!(attachment >= 2, "the bulletin's body comes first");
        let start = b.lines(attachment);
        assert!(start.contains(&"各区知识产权质押融资反馈数据"));
        if !without.is_empty() {
            let flat = b.flat(attachment);
            let line = flat
                .split_once("以下区本季度无数据：")
                .and_then(|(_, rest)| rest.split_once('。'))
                .map(|(names, _)| names.to_string())
                .expect("the districts without figures in one line");
            for name in &without {
                assert!(line.contains(name.as_str()), "{name} in {line}");
            }
        }
        assert!(start.contains(&with_data[0].as_str()), "{start:?}");
        for (k, name) in with_data.iter().enumerate().skip(1) {
            let page = attachment + k;
            assert_eq!(
                b.lines(page).first(),
                Some(&name.as_str()),
                "{name} opens page {page}"
            );
        }
        assert_eq!(
            b.pages.len(),
            attachment + with_data.len() - 1,
            "bulletin: {} pages for {} districts with figures",
            b.pages.len(),
            with_data.len()
        );
        for name in &without {
            assert!(
                !b.lines(b.pages.len()).contains(&name.as_str()),
                "no page for {name}"
            );
        }
        let last = b.pages.last().expect("pages");
        assert!(last.contains("印发"), "the 版记 on the last page");
        let signature = b
            .page_of("附件：各区知识产权质押融资反馈数据")
            .expect("附件说明");
        assert_eq!(
            signature,
            attachment - 1,
            "落款 right before the attachment"
        );

        // The minutes end on the page that holds their last decision, with the 版记 at its foot.
        let mp = &pdfs[1];
        assert!(mp.pages[0].contains("会议纪要") && mp.pages[0].contains("主持"));
        let prefix: String = last_issue.chars().take(8).collect();
        let decided = mp.page_of(&prefix).expect("the last decision");
        assert_eq!(
            mp.pages.len(),
            decided,
            "minutes: nothing after the last decision"
        );
        assert!(mp.pages[decided - 1].contains("印发"));
        // The summary ends on the page of its last section, the city's comments.
        let sp = &pdfs[2];
        assert_eq!(
            Some(sp.pages.len()),
            sp.page_of("市级审阅意见"),
            "summary: nothing after its last section"
        );
        // The clear card is one page.
        assert_eq!(pdfs[3].pages.len(), 1, "the clear card is one page");
        eprintln!(
            "pages: bulletin {}, minutes {}, summary {}, card {}",
            b.pages.len(),
            mp.pages.len(),
            sp.pages.len(),
            pdfs[3].pages.len()
        );
        app.cleanup().await;
    }
}

/// The cookie pairs (`name=value`) a response sets, for the next request.
fn set_cookies(headers: &axum::http::HeaderMap) -> Vec<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::to_string)
        .collect()
}

async fn get_with_cookies(app: &TestApp, path: &str, cookies: &[String]) -> support::Resp {
    let mut b = Request::builder().method(Method::GET).uri(path);
    if !cookies.is_empty() {
        b = b.header(header::COOKIE, cookies.join("; "));
    }
    app.send(b.body(Body::empty()).expect("request")).await
}

const BANNER: &str = "class=\"flash\"";

#[tokio::test]
async fn the_public_notice_names_its_district_contact_and_date_and_shows_no_one_elses_banner() {
    for app in TestApp::all().await {
        let n = app.name();
        let ns = app.login("ns.officer").await;
        let today = ipfin_store::today_shanghai();
        let id = ipfin_store::db::fetch_i64(
            app.store().conn(),
            "INSERT INTO notices (district_code, title, starts_on, ends_on, days, status, published_at, published_by) \
             VALUES ('440305', '2026 年文档测试资助公示', ?, ?, 5, 'open', ?, ?) RETURNING id",
            vec![
                today.into(),
                (today + chrono::Days::new(10)).into(),
                ipfin_store::now_s().into(),
                ns.user_id.into(),
            ],
        )
        .await
        .expect("a notice");
        let path = format!("/notices/{id}");

        // The district by name, the publishing department, a contact with a phone, the 落款.
        let page = app.get(&path, None).await;
        assert_eq!(page.status, 200, "{n}");
        assert!(
            page.body.contains("发布单位：南山区市场监督管理局"),
            "{n}: {}",
            page.body
        );
        assert!(
            !page.body.contains("440305"),
            "{n}: no district code on the page"
        );
        assert!(
            page.body.contains("请联系：南山联络员，联系电话：0755-8"),
            "{n}: {}",
            page.body
        );
        let signed = format!(
            "<footer class=\"signature\"><p>南山区市场监督管理局</p><p>{}</p></footer>",
            today.format("%Y年%-m月%-d日")
        );
        assert!(page.body.contains(&signed), "{n}: the 落款");
        let list = app.get("/notices", None).await;
        assert!(
            list.body.contains(">南山区</td>"),
            "{n}: the list names the district"
        );

        // A shared link's banner is not shown to a signed-out reader; the officer sees theirs.
        for ok in ["created", "updated", "objection_lodged", "confirmed"] {
            let shared = app.get(&format!("{path}?ok={ok}"), None).await;
            assert!(
                !shared.body.contains(BANNER),
                "{n}: ?ok={ok} for the public"
            );
            let list = app.get(&format!("/notices?ok={ok}"), None).await;
            assert!(!list.body.contains(BANNER), "{n}: /notices?ok={ok}");
        }
        let own = app.get(&format!("{path}?ok=created"), Some(&ns)).await;
        assert!(
            own.body.contains(BANNER),
            "{n}: a signed-in officer's banner"
        );

        // A signed-out visitor lodges an objection on the page: their banner once, then never.
        let form = app.get(&path, None).await;
        let cookies = set_cookies(&form.headers);
        let csrf = form
            .body
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("the form's token")
            .to_string();
        let (ct, body) = support::multipart(
            &[
                ("_csrf", &csrf),
                ("name", "张三"),
                ("contact", "13800138000"),
                ("text", "该企业疑似重复申报，请核实。"),
            ],
            None,
        );
        let r = app
            .send(
                Request::builder()
                    .method(Method::POST)
                    .uri(format!("{path}/objections"))
                    .header(header::COOKIE, cookies.join("; "))
                    .header(header::CONTENT_TYPE, ct)
                    .body(Body::from(body))
                    .expect("request"),
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let to = r.location().expect("back to the notice").to_string();
        assert!(to.ends_with("?ok=objection_lodged"), "{to}");
        let mut with_flash = cookies.clone();
        with_flash.extend(set_cookies(&r.headers));
        let back = get_with_cookies(&app, &to, &with_flash).await;
        assert!(back.body.contains(BANNER), "{n}: the visitor's own banner");
        let spent = set_cookies(&back.headers);
        assert!(
            spent.contains(&"ipfin_flash=".to_string()),
            "{n}: {spent:?}"
        );
        let again = get_with_cookies(&app, &to, &cookies).await;
        assert!(!again.body.contains(BANNER), "{n}: shown once");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn the_minutes_name_chair_and_recorder_checked_like_every_field() {
    for app in TestApp::all().await {
        let n = app.name();
        let officer = app.login("ns.officer").await;
        let today = ipfin_store::today_shanghai();
        let quarter = ipfin_domain::stats::Quarter::of(today);
        let r = app
            .post_form(
                "/meetings",
                Some(&officer),
                &[
                    ("quarter", &quarter.to_string()),
                    ("date", &today.to_string()),
                    ("place", "区政府 3 楼会议室"),
                    ("agenda", "一、通报工作进展"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let page = r
            .location()
            .and_then(|l| l.split('?').next())
            .expect("meeting page")
            .to_string();
        let before = app.audit_count().await;
        let long = "长".repeat(101);
        let r = app
            .post_form(
                &format!("{page}/minutes"),
                Some(&officer),
                &[
                    ("minutes", "会议议定：保留的纪要草稿"),
                    ("chair", &long),
                    ("recorder", "知识产权科 王芳"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{n}");
        assert!(r.body.contains("主持人最多 100 字"), "{n}: {}", r.body);
        assert!(
            r.body.contains("会议议定：保留的纪要草稿") && r.body.contains("知识产权科 王芳"),
            "{n}: the form keeps what was typed"
        );
        assert_eq!(app.audit_count().await, before, "{n}: nothing stored");
        let r = app
            .post_form(
                &format!("{page}/minutes"),
                Some(&officer),
                &[
                    ("minutes", "会议议定：保留的纪要草稿"),
                    ("chair", "区市场监督管理局副局长 李明"),
                    ("recorder", "知识产权科 王芳"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let shown = app.get(&page, Some(&officer)).await;
        assert!(shown.body.contains("区市场监督管理局副局长 李明"), "{n}");
        let (_, _, docx) = app
            .get_bytes(&format!("{page}/meeting.docx"), &officer)
            .await;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("zip");
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("word/document.xml").expect("document"),
            &mut xml,
        )
        .expect("read");
        assert!(
            xml.contains("主持：") && xml.contains("区市场监督管理局副局长 李明"),
            "{n}"
        );
        assert!(
            xml.contains("记录：") && xml.contains("知识产权科 王芳"),
            "{n}"
        );
        assert!(xml.contains(">草稿<"), "{n}: an unpublished draft says so");
        assert!(
            !xml.contains("印发"),
            "{n}: no 印发 line before publication"
        );
        app.cleanup().await;
    }
}
