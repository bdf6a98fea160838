//! Hostile import files (issue #17 items 1 and 5), on SQLite and (when configured) PostgreSQL:
//! every file of the generated corpus is refused with its code, the refused import is recorded
//! with a report naming the cap, and nothing is imported; control characters are refused per
//! row; a row with several problems lists them all; a sheet with gaps keeps its line numbers.

use ipfin_domain::Scope;
use ipfin_store::audit::AuditActor;
use ipfin_store::demo::demo_credit_code;
use ipfin_store::enterprise::EnterpriseFilter;
use ipfin_store::import::{
    ImportError, ImportKind, ImportLimits, ImportReport, error_report_bytes, import_errors_by_field,
};
use ipfin_store::testing::TestDb;
use ipfin_store::testing::hostile::{self, Hostile};
use ipfin_store::{Page, Store};
use std::path::PathBuf;

const HEADER: &str = "统一社会信用代码,企业名称,注册地,纳税地,独立法人,行业代码,从业人员,营业收入（元）,资产总额（元）,同意数据共享";

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "ipfin-hostile-{}-{}",
        std::process::id(),
        &ipfin_store::auth::random_token()[..8]
    ));
    std::fs::create_dir_all(&d).expect("dir");
    d.join(name)
}

async fn run(
    s: &Store,
    kind: ImportKind,
    path: &std::path::Path,
) -> Result<ImportReport, ImportError> {
    s.import_file(
        kind,
        path,
        &Scope::City,
        AuditActor::system("test"),
        100,
        &mut |_| {},
    )
    .await
}

async fn enterprises(s: &Store) -> u64 {
    s.search_enterprises(&Scope::City, &EnterpriseFilter::default(), Page::default())
        .await
        .expect("search")
        .total
}

/// Imports `h`, asserts it is refused with its code, recorded as a failed import whose message
/// names the cap, that its report can be built, and that nothing was imported.
async fn assert_refused(s: &Store, db: &str, h: &Hostile, kind: ImportKind) {
    let before = enterprises(s).await;
    let path = tmp(&format!("{}.{}", h.name, h.extension));
    std::fs::write(&path, &h.bytes).expect("write");
    let (error, report) = match run(s, kind, &path).await {
        Err(ImportError::Refused { error, report }) => (error, report),
        other => panic!("{db} {}: expected a refusal, got {other:?}", h.name),
    };
    assert_eq!(error.code, h.code, "{db} {}: {}", h.name, error.zh);
    let record = s
        .import_record(&Scope::City, report.import_id)
        .await
        .expect("the refused import is recorded");
    assert!(record.failed() && record.has_report(), "{db} {}", h.name);
    let message = record.message.clone().unwrap_or_default();
    assert!(
        message.contains(&error.zh) && message.contains("上限")
            || h.code == "file.xlsx"
            || h.code == "file.size_mismatch",
        "{db} {}: the message names the cap: {message}",
        h.name
    );
    let bytes = error_report_bytes(&[], &report.errors, Some(&message)).expect("report");
    assert!(bytes.starts_with(b"PK"), "{db} {}", h.name);
    assert_eq!(
        enterprises(s).await,
        before,
        "{db} {}: nothing imported",
        h.name
    );
}

#[tokio::test]
async fn every_hostile_workbook_is_refused_with_its_code_a_report_and_nothing_imported() {
    let corpus = hostile::corpus();
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        for h in &corpus {
            assert_refused(&db.store, db.name, h, ImportKind::Enterprises).await;
            // The loans kind (the upload) is refused the same way.
            if h.name == "dimension_bomb" {
                let bank = db.store.clone();
                let path = tmp("bomb.xlsx");
                std::fs::write(&path, &h.bytes).expect("write");
                let r = run(&bank, ImportKind::Loans, &path).await;
                assert_eq!(
                    r.err().and_then(|e| e.file_error().map(|f| f.code)),
                    Some("file.dimension"),
                    "{}",
                    db.name
                );
            }
        }
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_two_kilobyte_bomb_is_two_kilobytes_and_names_the_limit() {
    let bomb = hostile::dimension_bomb();
    assert!(bomb.len() < 4096, "{} bytes", bomb.len());
    let db = TestDb::sqlite().await.with_demo().await;
    let path = tmp("bomb.xlsx");
    std::fs::write(&path, &bomb).expect("write");
    let e = run(&db.store, ImportKind::Enterprises, &path)
        .await
        .expect_err("refused");
    let e = e.file_error().expect("a file error");
    assert!(
        e.zh.contains("A1:XFD1048576") && e.zh.contains("列数上限 256 列"),
        "{}",
        e.zh
    );
    db.cleanup().await;
}

#[tokio::test]
async fn rows_over_the_row_cap_are_refused_before_any_batch_is_written() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = db.store.clone().with_import_limits(ImportLimits {
            max_rows: 10,
            ..Default::default()
        });
        let h = Hostile {
            name: "many_rows",
            extension: "xlsx",
            bytes: hostile::many_rows(12),
            code: "file.too_many_rows",
        };
        assert_refused(&s, db.name, &h, ImportKind::Enterprises).await;
        // The same for CSV, whose rows are only counted by reading them.
        let mut csv = format!("{HEADER}\n");
        for n in 0..11 {
            csv.push_str(&format!(
                "{},行数企业{n},440305,,是,I65,1,1,1,否\n",
                demo_credit_code("440305", 9100 + n)
            ));
        }
        let h = Hostile {
            name: "many_rows_csv",
            extension: "csv",
            bytes: csv.into_bytes(),
            code: "file.too_many_rows",
        };
        assert_refused(&s, db.name, &h, ImportKind::Enterprises).await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_csv_row_with_nul_is_refused_per_row_and_the_import_finishes() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let body = format!(
            "{HEADER}\n{},深圳市好行有限公司,440305,,是,I65,1,1,1,否\n{},坏\u{0}字有限公司,440305,,是,I65,1,1,1,否\n{},竖\u{b}线有限公司,440305,,是,I65,1,1,1,否\n",
            demo_credit_code("440305", 9201),
            demo_credit_code("440305", 9202),
            demo_credit_code("440305", 9203),
        );
        let path = tmp("nul.csv");
        std::fs::write(&path, body).expect("write");
        let r = run(s, ImportKind::Enterprises, &path)
            .await
            .expect("the import finishes");
        assert_eq!(r.inserted, 2, "{}: {:?}", db.name, r.errors);
        assert_eq!(
            import_errors_by_field(&r.errors),
            vec![(3, "name".to_string())],
            "{}",
            db.name
        );
        assert!(
            r.errors[0].message.contains("U+0000") && r.errors[0].message.contains("第 2 个字符"),
            "{}",
            r.errors[0].message
        );
        let record = s
            .import_record(&Scope::City, r.import_id)
            .await
            .expect("record");
        assert_eq!(record.status, "done", "{}: not left interrupted", db.name);
        // The report of a row holding NUL is still a valid workbook.
        let bytes = error_report_bytes(&r.headers, &r.errors, None).expect("report");
        assert!(bytes.starts_with(b"PK"));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_row_with_several_problems_lists_every_one() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let body = format!(
            "{HEADER}\n9144030071526726XA,,火星区,,也许,Q9X,abc,-1,x,不\n{},好企业有限公司,440305,,是,I65,1,1,1,否\n",
            demo_credit_code("440305", 9301)
        );
        let path = tmp("several.csv");
        std::fs::write(&path, body).expect("write");
        let r = run(s, ImportKind::Enterprises, &path)
            .await
            .expect("import");
        assert_eq!(r.inserted, 1, "{}", db.name);
        let mut fields: Vec<String> = r.errors.iter().map(|e| e.field.clone()).collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                "credit_code",
                "data_sharing_consent",
                "employees",
                "independent_legal_person",
                "industry",
                "name",
                "operating_revenue_yuan",
                "registered_district",
                "total_assets_yuan",
            ],
            "{}: {:?}",
            db.name,
            r.errors
        );
        assert!(r.errors.iter().all(|e| e.line == 2));
        let record = s
            .import_record(&Scope::City, r.import_id)
            .await
            .expect("record");
        assert_eq!(record.errors, 1, "{}: one row with errors", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_workbook_with_gaps_imports_with_the_line_numbers_excel_shows() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let path = tmp("gaps.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in HEADER.split(',').enumerate() {
            sheet.write_string(0, c as u16, h).expect("cell");
        }
        let put = |sheet: &mut rust_xlsxwriter::Worksheet, r: u32, code: String, name: &str| {
            sheet.write_string(r, 0, code).expect("cell");
            sheet.write_string(r, 1, name).expect("cell");
            sheet.write_number(r, 2, 440305).expect("cell");
            sheet.write_string(r, 5, "I65").expect("cell");
            sheet.write_number(r, 6, 12).expect("cell");
        };
        // Excel rows 2, 5 (after two empty rows) and 9; row 5 has a bad code.
        put(
            sheet,
            1,
            demo_credit_code("440305", 9401),
            "深圳市间隔一有限公司",
        );
        put(sheet, 4, "91440300BADCODE".into(), "深圳市间隔二有限公司");
        put(
            sheet,
            8,
            demo_credit_code("440305", 9403),
            "深圳市间隔三有限公司",
        );
        book.save(&path).expect("save");
        let r = run(s, ImportKind::Enterprises, &path)
            .await
            .expect("import");
        assert_eq!((r.rows, r.inserted), (3, 2), "{}: {:?}", db.name, r.errors);
        assert_eq!(
            import_errors_by_field(&r.errors),
            vec![(5, "credit_code".to_string())],
            "{}",
            db.name
        );
        db.cleanup().await;
    }
}
