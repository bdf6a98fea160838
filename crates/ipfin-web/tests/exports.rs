//! Excel that officials can compute with (issue #23 item 8), through the real router: the
//! bulletin's and the assessment's workbooks hold amounts, scores and percentages as numbers
//! with number formats (`#,##0.00`, `0.00`, `0.0%`) and dates as dates; the lists officials
//! work from — applications, notices, targets, the dashboard's figures — export with the list's
//! filters, in its order, and only what the caller may see; loan search matches part of a
//! contract number. Each workbook is read twice: with calamine (the cell's type and value) and
//! as XML (the number format the cell carries).

mod support;

use axum::http::{Method, StatusCode};
use calamine::{Data, Reader, Xlsx};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use support::{Session, TestApp};

/// A workbook: calamine's reading, and each sheet's cells with their number format.
struct Book {
    bytes: Vec<u8>,
}

/// One cell as stored: its XML type attribute (`None` for a number), its raw value and the
/// number format of its style.
#[derive(Debug)]
struct Stored {
    kind: Option<String>,
    format: String,
}

impl Book {
    fn sheet(&self, name: &str) -> Vec<Vec<Data>> {
        let mut x: Xlsx<_> = Xlsx::new(Cursor::new(self.bytes.clone())).expect("an xlsx");
        let range = x
            .worksheet_range(name)
            .unwrap_or_else(|e| panic!("sheet {name}: {e}"));
        // Rows from A1, so indices are the sheet's own (row 0 = Excel row 1).
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut rows = vec![Vec::new(); r0 as usize];
        for row in range.rows() {
            let mut line = vec![Data::Empty; c0 as usize];
            line.extend(row.iter().cloned());
            rows.push(line);
        }
        rows
    }

    fn part(&self, name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(self.bytes.clone())).expect("zip");
        let mut s = String::new();
        zip.by_name(name)
            .unwrap_or_else(|_| panic!("{name}"))
            .read_to_string(&mut s)
            .expect("read");
        s
    }

    /// The cells of the `n`th sheet (1-based, as stored) by reference (`C5`).
    fn stored(&self, n: usize) -> BTreeMap<String, Stored> {
        let styles = self.part("xl/styles.xml");
        let styles = roxmltree::Document::parse(&styles).expect("styles");
        let mut formats: BTreeMap<String, String> = [
            ("0", "General"),
            ("1", "0"),
            ("2", "0.00"),
            ("3", "#,##0"),
            ("4", "#,##0.00"),
            ("9", "0%"),
            ("10", "0.00%"),
            ("14", "m/d/yyyy"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for f in styles.descendants().filter(|e| e.has_tag_name("numFmt")) {
            formats.insert(
                f.attribute("numFmtId").unwrap_or_default().to_string(),
                f.attribute("formatCode").unwrap_or_default().to_string(),
            );
        }
        let xfs: Vec<String> = styles
            .descendants()
            .find(|e| e.has_tag_name("cellXfs"))
            .expect("cellXfs")
            .children()
            .filter(|e| e.has_tag_name("xf"))
            .map(|xf| {
                let id = xf.attribute("numFmtId").unwrap_or("0");
                formats.get(id).cloned().unwrap_or_default()
            })
            .collect();
        let sheet = self.part(&format!("xl/worksheets/sheet{n}.xml"));
        let doc = roxmltree::Document::parse(&sheet).expect("sheet");
        doc.descendants()
            .filter(|e| e.has_tag_name("c"))
            .map(|c| {
                let style: usize = c.attribute("s").and_then(|s| s.parse().ok()).unwrap_or(0);
                (
                    c.attribute("r").unwrap_or_default().to_string(),
                    Stored {
                        kind: c.attribute("t").map(str::to_string),
                        format: xfs.get(style).cloned().unwrap_or_default(),
                    },
                )
            })
            .collect()
    }
}

/// `A1`-style reference of a 0-based row and column.
fn cell_ref(row: usize, col: usize) -> String {
    let mut c = col + 1;
    let mut letters = String::new();
    while c > 0 {
        let r = (c - 1) % 26;
        letters.insert(0, (b'A' + r as u8) as char);
        c = (c - 1) / 26;
    }
    format!("{letters}{}", row + 1)
}

/// Asserts the cell is a number stored with `format`, and returns its value.
fn number(
    stored: &BTreeMap<String, Stored>,
    rows: &[Vec<Data>],
    row: usize,
    col: usize,
    format: &str,
) -> f64 {
    let at = cell_ref(row, col);
    let s = stored.get(&at).unwrap_or_else(|| panic!("{at}: no cell"));
    assert_eq!(s.kind, None, "{at} is a number, not text ({s:?})");
    assert_eq!(s.format, format, "{at}'s number format");
    match &rows[row][col] {
        Data::Float(v) => *v,
        Data::Int(v) => *v as f64,
        other => panic!("{at}: {other:?} is not a number"),
    }
}

/// Asserts the cell is a date (a serial number with a date format) and returns it.
fn date(
    stored: &BTreeMap<String, Stored>,
    rows: &[Vec<Data>],
    row: usize,
    col: usize,
) -> chrono::NaiveDate {
    let at = cell_ref(row, col);
    let s = stored.get(&at).unwrap_or_else(|| panic!("{at}: no cell"));
    assert_eq!(s.kind, None, "{at} is a date serial, not text");
    assert_eq!(s.format, "yyyy\"年\"m\"月\"d\"日\"", "{at}'s date format");
    match &rows[row][col] {
        Data::DateTime(d) => {
            assert!(d.is_datetime(), "{at}: a date, not a duration");
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(day))
                .expect("a valid date")
        }
        other => panic!("{at}: {other:?} is not a date"),
    }
}

/// Asserts two sheet numbers are equal (exactly representable values: whole numbers, 0.7).
#[track_caller]
fn same(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() < 1e-9, "{what}: {got} ≠ {want}");
}

fn text(rows: &[Vec<Data>], row: usize, col: usize) -> String {
    match &rows[row][col] {
        Data::String(s) => s.clone(),
        other => panic!("{}: {other:?} is not text", cell_ref(row, col)),
    }
}

/// The row whose column `col` reads `value`.
fn row_of(rows: &[Vec<Data>], col: usize, value: &str) -> usize {
    rows.iter()
        .position(|r| matches!(r.get(col), Some(Data::String(s)) if s == value))
        .unwrap_or_else(|| panic!("no row with {value}"))
}

async fn download(app: &TestApp, path: &str, who: &Session) -> Book {
    let (status, headers, bytes) = app.get_bytes(path, who).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{path}: {}",
        String::from_utf8_lossy(&bytes)
    );
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap_or_default()
            .contains("spreadsheetml"),
        "{path}"
    );
    Book { bytes }
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

#[tokio::test]
async fn bulletin_and_assessment_workbooks_hold_numbers_percentages_and_dates() {
    for app in TestApp::all().await {
        let n = app.name();
        let city = app.login("city.admin").await;
        let bank = app.token("深南银行深圳分行").await;
        let credit = ipfin_store::demo::demo_credit_code("440305", 101);
        let r = app
            .api(
                Method::POST,
                "/api/v1/loans",
                Some(&bank),
                Some(loan(
                    &credit,
                    "202310123456.6",
                    "2026-XLS-0001",
                    "Y2026980050001",
                    2_345_678,
                )),
            )
            .await;
        assert!(r.status.is_success(), "{n}: {}", r.body);
        let r = app
            .post_form(
                "/targets",
                Some(&city),
                &[
                    ("year", "2026"),
                    ("confirm_past", "yes"),
                    ("t_440305_amount", "10,000"),
                    ("t_440305_sme_share", "70"),
                    ("t_440305_pledges", "40"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let issued = app.issue_bulletin("2026Q3").await;
        let ns = issued["bulletin"]["snapshot"]["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["district_code"] == "440305")
            .expect("nanshan")
            .clone();
        let ytd_fen = ns["stats"]["year_to_date"]["amount_fen"]
            .as_i64()
            .expect("ytd");
        let loans = ns["stats"]["quarter"]["loans"].as_i64().expect("loans");

        let book = download(&app, "/bulletins/2026Q3/bulletin.xlsx", &city).await;
        let rows = book.sheet("排名");
        let st = book.stored(1);
        // The dates of the data and of issue are dates.
        assert_eq!(
            date(&st, &rows, 1, 1),
            chrono::NaiveDate::from_ymd_opt(2026, 9, 30).expect("day")
        );
        let issued_on: chrono::NaiveDate = issued["bulletin"]["issued_on"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .expect("issued_on");
        assert_eq!(date(&st, &rows, 1, 3), issued_on);
        let r = row_of(&rows, 1, "南山区");
        same(
            number(&st, &rows, r, 0, "#,##0"),
            ns["rank"].as_f64().expect("rank"),
            n,
        );
        same(
            number(&st, &rows, r, 2, "#,##0.00"),
            100_000_000.0,
            &format!("{n}: target in 元"),
        );
        let ytd = number(&st, &rows, r, 3, "#,##0.00");
        assert!(
            (ytd - ytd_fen as f64 / 100.0).abs() < 0.005,
            "{n}: {ytd} 元"
        );
        let completion = number(&st, &rows, r, 4, "0.0%");
        assert!(
            (completion - ytd_fen as f64 / 100.0 / 100_000_000.0).abs() < 0.001,
            "{n}: completion {completion} is a fraction"
        );
        same(number(&st, &rows, r, 8, "#,##0"), loans as f64, n);
        // The feedback figures: amounts, counts and shares, each typed.
        let detail = book.sheet("分区反馈数据");
        let dst = book.stored(2);
        let col = detail[0]
            .iter()
            .position(|c| matches!(c, Data::String(s) if s == "南山区"))
            .expect("the district's column");
        let amount = row_of(&detail, 0, "本年累计融资金额（元）");
        assert!(
            (number(&dst, &detail, amount, col, "#,##0.00") - ytd_fen as f64 / 100.0).abs() < 0.005
        );
        let count = row_of(&detail, 0, "本季度贷款笔数");
        same(number(&dst, &detail, count, col, "#,##0"), loans as f64, n);
        let patent = row_of(&detail, 0, "专利质押占比");
        same(
            number(&dst, &detail, patent, col, "0.0%"),
            1.0,
            &format!("{n}: all patent"),
        );

        // The assessment: targets and results in their units, completion and scores numbers.
        let book = download(&app, "/assessments/export?year=2026", &city).await;
        let rows = book.sheet("绩效评估");
        let st = book.stored(1);
        let amount_row = rows
            .iter()
            .position(|r| {
                matches!(r.get(1), Some(Data::String(s)) if s == "南山区")
                    && matches!(r.get(2), Some(Data::String(s)) if s == "质押融资金额")
            })
            .expect("Nanshan's amount line");
        same(
            number(&st, &rows, amount_row, 3, "#,##0.00"),
            100_000_000.0,
            n,
        );
        number(&st, &rows, amount_row, 5, "0.0%");
        number(&st, &rows, amount_row, 7, "0.00");
        let total = number(&st, &rows, amount_row, 10, "0.00");
        assert!((0.0..=110.0).contains(&total), "{n}: a score, {total}");
        let share_row = rows
            .iter()
            .position(|r| {
                matches!(r.get(1), Some(Data::String(s)) if s == "南山区")
                    && matches!(r.get(2), Some(Data::String(s)) if s.contains("中小微"))
            })
            .expect("Nanshan's SME share line");
        same(
            number(&st, &rows, share_row, 3, "0.0%"),
            0.7,
            &format!("{n}: 70% as 0.7"),
        );
        let pledges_row = rows
            .iter()
            .position(|r| {
                matches!(r.get(1), Some(Data::String(s)) if s == "南山区")
                    && matches!(r.get(2), Some(Data::String(s)) if s.contains("质押登记"))
            })
            .expect("Nanshan's pledges line");
        same(number(&st, &rows, pledges_row, 3, "#,##0"), 40.0, n);
        assert_eq!(text(&rows, 0, 0), "排名");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn every_list_an_official_works_from_exports_with_its_filters_and_scope() {
    for app in TestApp::all().await {
        let n = app.name();
        let city = app.login("city.admin").await;
        let ns = app.login("ns.officer").await;
        let ft = app.login("ft.officer").await;
        let s = app.store();
        let today = ipfin_store::today_shanghai();
        // A submitted application of Nanshan's demo enterprise on a reported loan.
        let bank_id = app.org_id("深南银行深圳分行").await;
        let bank = ipfin_domain::Scope::Institution {
            org_id: ipfin_domain::id::OrgId::new(bank_id),
        };
        ipfin_store::testing::fixtures::report_pledge_loan(
            s,
            &bank,
            "2026-XLS-APP-1",
            "Y2026980050002",
            "202310123456.6",
            650_000,
        )
        .await
        .expect("loan");
        let policy = ipfin_store::db::fetch_i64(
            s.conn(),
            "SELECT MIN(id) FROM policy_versions WHERE status = 'published' AND district_code = '440305'",
            vec![],
        )
        .await
        .expect("a published policy");
        let ent = ipfin_domain::Scope::Enterprise {
            org_id: ipfin_domain::id::OrgId::new(app.org_id("深圳市南山示例科技有限公司").await),
        };
        let id = ipfin_store::testing::fixtures::submit_fee_application(
            s,
            &ent,
            policy,
            vec![ipfin_store::testing::fixtures::fee_line(
                bank_id,
                "2026-XLS-APP-1",
                "Y2026980050002",
                650_000,
            )],
            today,
        )
        .await
        .expect("submitted");
        let app_number = s
            .application(&ipfin_domain::Scope::City, id)
            .await
            .expect("application")
            .row
            .label();

        // Applications: the list's filter (state) is kept; Futian sees none of Nanshan's.
        let book = download(&app, "/applications/export.xlsx?state=submitted", &ns).await;
        let rows = book.sheet("资助申请");
        let st = book.stored(1);
        let r = row_of(&rows, 0, &app_number);
        assert_eq!(text(&rows, r, 6), "南山区", "{n}: the district by name");
        let computed = {
            let at = cell_ref(r, 9);
            assert_eq!(st[&at].kind, None, "{n}: the computed amount is a number");
            assert_eq!(st[&at].format, "#,##0.00");
            rows[r][9].clone()
        };
        assert!(
            matches!(computed, Data::Float(v) if v > 0.0),
            "{n}: {computed:?}"
        );
        let submitted = date(&st, &rows, r, 13);
        assert_eq!(submitted, today, "{n}: submitted on, a date");
        let other = download(&app, "/applications/export.xlsx?state=granted", &ns).await;
        assert!(
            other
                .sheet("资助申请")
                .iter()
                .skip(1)
                .all(|r| !matches!(r.first(), Some(Data::String(s)) if *s == app_number)),
            "{n}: the filter is kept"
        );
        let futian = download(&app, "/applications/export.xlsx", &ft).await;
        assert!(
            futian
                .sheet("资助申请")
                .iter()
                .skip(1)
                .all(|r| !matches!(r.get(6), Some(Data::String(s)) if s == "南山区")),
            "{n}: Futian's export holds none of Nanshan's applications"
        );

        // Notices: a district's own, with its period as dates; the city's all.
        let nid = ipfin_store::db::fetch_i64(
            s.conn(),
            "INSERT INTO notices (district_code, title, starts_on, ends_on, days, status, published_at, published_by) \
             VALUES ('440305', '导出测试公示', ?, ?, 5, 'open', ?, ?) RETURNING id",
            vec![
                today.into(),
                (today + chrono::Days::new(7)).into(),
                ipfin_store::now_s().into(),
                ns.user_id.into(),
            ],
        )
        .await
        .expect("notice");
        assert!(nid > 0);
        let book = download(&app, "/notices/export.xlsx", &ns).await;
        let rows = book.sheet("资助公示");
        let st = book.stored(1);
        let r = row_of(&rows, 0, "导出测试公示");
        assert_eq!(text(&rows, r, 1), "南山区");
        assert_eq!(date(&st, &rows, r, 2), today);
        assert_eq!(date(&st, &rows, r, 3), today + chrono::Days::new(7));
        assert_eq!(rows[r][4], Data::Float(5.0));
        let futian = download(&app, "/notices/export.xlsx", &ft).await;
        assert!(
            futian
                .sheet("资助公示")
                .iter()
                .all(|r| !matches!(r.first(), Some(Data::String(s)) if s == "导出测试公示")),
            "{n}: Futian does not export Nanshan's notices"
        );
        let all = download(&app, "/notices/export.xlsx", &city).await;
        row_of(&all.sheet("资助公示"), 0, "导出测试公示");

        // Targets and the dashboard: typed figures, the district's own only.
        let r = app
            .post_form(
                "/targets",
                Some(&city),
                &[
                    ("year", "2026"),
                    ("confirm_past", "yes"),
                    ("t_440305_amount", "5,000"),
                    ("t_440304_amount", "4000"),
                    ("t_440304_sme_share", "65"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{n}: {}", r.body);
        let book = download(&app, "/targets/export.xlsx?year=2026", &city).await;
        let rows = book.sheet("2026");
        let st = book.stored(1);
        let futian_amount = rows
            .iter()
            .position(|r| {
                matches!(r.first(), Some(Data::String(s)) if s == "福田区")
                    && matches!(r.get(1), Some(Data::String(s)) if s == "质押融资金额")
            })
            .expect("Futian's amount");
        same(
            number(&st, &rows, futian_amount, 2, "#,##0.00"),
            40_000_000.0,
            n,
        );
        let futian_share = rows
            .iter()
            .position(|r| {
                matches!(r.first(), Some(Data::String(s)) if s == "福田区")
                    && matches!(r.get(1), Some(Data::String(s)) if s.contains("中小微"))
            })
            .expect("Futian's SME share");
        same(number(&st, &rows, futian_share, 2, "0.0%"), 0.65, n);
        let own = download(&app, "/targets/export.xlsx?year=2026", &ns).await;
        assert!(
            own.sheet("2026")
                .iter()
                .skip(1)
                .all(|r| matches!(r.first(), Some(Data::String(s)) if s == "南山区")),
            "{n}: a district exports its own targets"
        );
        let r = app.get("/targets/export.xlsx?year=20x6", Some(&city)).await;
        assert_eq!(r.status, 422, "{n}: a bad year names the rule");
        assert!(r.body.contains("年度应为"), "{n}");

        let book = download(&app, "/dashboard/export.xlsx?year=2026", &ns).await;
        let targets = book.sheet("年度目标完成");
        assert!(targets.len() > 1, "{n}: the year's targets");
        assert!(
            targets
                .iter()
                .skip(1)
                .all(|r| matches!(r.first(), Some(Data::String(s)) if s == "南山区"))
        );
        let quarter = ipfin_domain::stats::Quarter::of(today);
        let words = ["一", "二", "三", "四"][(quarter.q - 1) as usize];
        let name = format!("{}年第{words}季度（截至今日）", quarter.year);
        let rows = book.sheet(&name);
        let st = book.stored(2);
        assert_eq!(rows.len(), 2, "{n}: Nanshan's line only");
        number(&st, &rows, 1, 1, "#,##0.00");
        number(&st, &rows, 1, 2, "#,##0");

        // Who may export: officials; a bank or an enterprise may not.
        let bank_user = app.login("bank.manager").await;
        for path in [
            "/applications/export.xlsx",
            "/notices/export.xlsx",
            "/targets/export.xlsx",
            "/dashboard/export.xlsx",
        ] {
            assert_eq!(
                app.get(path, Some(&bank_user)).await.status,
                403,
                "{n}: {path}"
            );
            assert_eq!(
                app.get(path, None).await.status,
                303,
                "{n}: {path} signs in first"
            );
        }
        app.cleanup().await;
    }
}

#[tokio::test]
async fn loan_search_matches_part_of_a_contract_number_in_any_case() {
    for app in TestApp::all().await {
        let n = app.name();
        let bank = app.token("深南银行深圳分行").await;
        let credit = ipfin_store::demo::demo_credit_code("440305", 101);
        let r = app
            .api(
                Method::POST,
                "/api/v1/loans",
                Some(&bank),
                Some(loan(
                    &credit,
                    "202310123456.6",
                    "2026-NS_SEARCH-000123",
                    "Y2026980050003",
                    1_000_000,
                )),
            )
            .await;
        assert!(r.status.is_success(), "{n}: {}", r.body);
        let city = app.login("city.admin").await;
        for q in [
            "000123",
            "ns_search",
            "NS_SEARCH-0001",
            "2026-NS_SEARCH-000123",
        ] {
            let page = app.get(&format!("/loans?q={q}"), Some(&city)).await;
            assert!(
                page.body.contains("2026-NS_SEARCH-000123"),
                "{n}: {q} finds it"
            );
        }
        // `_` and `%` are literal: `NS%SEARCH` and `2026_NS` match nothing.
        for q in ["NS%25SEARCH", "2026_NS"] {
            let page = app.get(&format!("/loans?q={q}"), Some(&city)).await;
            assert!(
                !page.body.contains("2026-NS_SEARCH-000123"),
                "{n}: {q} is literal"
            );
        }
        // The export keeps the search, with its dates as dates.
        let book = download(&app, "/loans/export.xlsx?q=000123", &city).await;
        let rows = book.sheet("贷款");
        let st = book.stored(1);
        assert_eq!(rows.len(), 2, "{n}: the one loan found");
        assert_eq!(text(&rows, 1, 1), "2026-NS_SEARCH-000123");
        assert_eq!(
            date(&st, &rows, 1, 8),
            chrono::NaiveDate::from_ymd_opt(2026, 8, 10).expect("day")
        );
        app.cleanup().await;
    }
}
