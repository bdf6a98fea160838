//! Bulk import of enterprises from real files, on SQLite and (when configured) PostgreSQL:
//! encodings, XLSX, row-level errors, idempotency, resuming.

use ipfin_domain::Scope;
use ipfin_store::audit::AuditActor;
use ipfin_store::demo::demo_credit_code;
use ipfin_store::enterprise::EnterpriseFilter;
use ipfin_store::import::{ImportError, ImportKind, import_errors_by_field, write_template};
use ipfin_store::testing::TestDb;
use ipfin_store::{Page, Store};
use std::path::PathBuf;

const HEADER: &str = "统一社会信用代码,企业名称,注册地,纳税地,独立法人,行业代码,从业人员,营业收入（元）,资产总额（元）,同意数据共享";

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "ipfin-import-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&d).expect("dir");
    d.join(name)
}

fn rand_suffix() -> String {
    ipfin_store::auth::random_token()[..8].to_string()
}

fn row(serial: u32, name: &str) -> String {
    format!(
        "{},{name},440305,南山区,是,I65,120,15000000,,否",
        demo_credit_code("440305", serial)
    )
}

async fn run(
    s: &Store,
    path: &std::path::Path,
    batch: usize,
) -> Result<ipfin_store::import::ImportReport, ImportError> {
    s.import_enterprises_file(
        path,
        &Scope::City,
        AuditActor::system("test"),
        batch,
        &mut |_| {},
    )
    .await
}

async fn count(s: &Store, q: &str) -> u64 {
    s.search_enterprises(
        &Scope::City,
        &EnterpriseFilter {
            q: Some(q.into()),
            ..Default::default()
        },
        Page::default(),
    )
    .await
    .expect("search")
    .total
}

#[tokio::test]
async fn csv_utf8_bom_and_gbk_import_and_are_idempotent() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let body = format!(
            "{HEADER}\n{}\n{}\n\"{}\",\"深圳市多行\n名称有限公司\",440305,,是,C39,10,100,100,是\n",
            row(5001, "深圳市导入甲有限公司"),
            row(5002, "深圳市导入乙有限公司"),
            demo_credit_code("440305", 5003)
        );
        let utf8 = tmp("enterprises.csv");
        std::fs::write(
            &utf8,
            [b"\xEF\xBB\xBF".as_slice(), body.as_bytes()].concat(),
        )
        .expect("write");
        let r = run(s, &utf8, 2).await.expect("import");
        assert_eq!(
            (r.encoding, r.rows, r.inserted, r.errors.len()),
            ("UTF-8", 3, 3, 0),
            "{}: {:?}",
            db.name,
            r.errors
        );
        assert_eq!(count(s, "导入甲").await, 1);
        assert_eq!(
            count(s, "多行").await,
            1,
            "{}: quoted name with a newline",
            db.name
        );
        // The same file again changes nothing.
        let r = run(s, &utf8, 2).await.expect("again");
        assert_eq!(
            (r.inserted, r.updated, r.unchanged),
            (0, 0, 3),
            "{}",
            db.name
        );
        // GBK, as Excel in China saves CSV: one changed record, one new.
        let gbk_body = format!(
            "{HEADER}\n{}\n{}\n",
            row(5001, "深圳市导入甲改名有限公司"),
            row(5004, "深圳市导入丁有限公司")
        );
        let (bytes, _, bad) = encoding_rs::GBK.encode(&gbk_body);
        assert!(!bad);
        let gbk = tmp("gbk.csv");
        std::fs::write(&gbk, &bytes).expect("write");
        let r = run(s, &gbk, 100).await.expect("gbk");
        assert_eq!(
            (r.encoding, r.inserted, r.updated),
            ("GB18030", 1, 1),
            "{}",
            db.name
        );
        assert_eq!(
            count(s, "导入甲改名").await,
            1,
            "{}: renamed records are re-indexed",
            db.name
        );
        assert_eq!(count(s, "导入甲有限").await, 0);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn bad_rows_are_reported_and_the_rest_imported() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let dup = demo_credit_code("440305", 6001);
        let body = [
            HEADER.to_string(),
            row(6001, "深圳市好行一有限公司"),
            "9144030071526726XA,错码企业,440305,,是,I65,1,1,1,否".to_string(),
            format!("{dup},重复企业,440305,,是,I65,1,1,1,否"),
            format!(
                "{},负数企业,440305,,是,I65,-5,1,1,否",
                demo_credit_code("440305", 6002)
            ),
            format!(
                "{},文字企业,440305,,是,I65,abc,1,1,否",
                demo_credit_code("440305", 6003)
            ),
            format!(
                "{},行业企业,440305,,是,Q9X,1,1,1,否",
                demo_credit_code("440305", 6004)
            ),
            format!(
                "{},辖区企业,火星区,,是,I65,1,1,1,否",
                demo_credit_code("440305", 6005)
            ),
            format!(
                "{},=SUM(A1:A2),440305,,是,I65,1,1,1,否",
                demo_credit_code("440305", 6006)
            ),
            row(6007, "深圳市好行二有限公司"),
        ]
        .join("\n");
        let path = tmp("bad.csv");
        std::fs::write(&path, body).expect("write");
        let r = run(s, &path, 3).await.expect("import");
        let by_field = import_errors_by_field(&r.errors);
        assert_eq!(
            r.inserted, 3,
            "{}: two good rows and the formula-looking name (kept as text): {:?}",
            db.name, r.errors
        );
        assert_eq!(
            by_field,
            vec![
                (3, "credit_code".to_string()),
                (4, "credit_code".to_string()),
                (5, "employees".to_string()),
                (6, "employees".to_string()),
                (7, "industry".to_string()),
                (8, "registered_district".to_string()),
            ],
            "{}",
            db.name
        );
        assert!(
            r.errors[1].message.contains("第 2 行重复"),
            "{}",
            r.errors[1].message
        );
        let report = tmp("errors.xlsx");
        ipfin_store::import::write_error_report(&report, &r.headers, &r.errors).expect("report");
        assert!(std::fs::metadata(&report).expect("report").len() > 0);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn whole_file_problems_are_refused_and_recorded_before_anything_is_imported() {
    let db = TestDb::sqlite().await.with_demo().await;
    let s = &db.store;
    let before = count(s, "").await;
    let utf16 = tmp("utf16.csv");
    let mut bytes = vec![0xFF, 0xFE];
    for u in format!("{HEADER}\n").encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    std::fs::write(&utf16, bytes).expect("write");
    assert!(
        matches!(run(s, &utf16, 10).await, Err(e) if e.file_error().is_some_and(|e| e.code == "file.utf16"))
    );
    let missing = tmp("missing.csv");
    std::fs::write(
        &missing,
        "统一社会信用代码,行业代码\n9144030071526726XG,I65\n",
    )
    .expect("write");
    match run(s, &missing, 10).await {
        Err(ImportError::Refused { error: e, .. }) => assert!(
            e.code == "file.columns_missing"
                && e.zh.contains("企业名称")
                && e.zh.contains("注册地"),
            "{}",
            e.zh
        ),
        other => panic!("{other:?}"),
    }
    // An XLSX with a merged (blank) header cell.
    let merged = tmp("merged.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["统一社会信用代码", "", "注册地"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("cell");
    }
    sheet.write_string(1, 0, "x").expect("cell");
    book.save(&merged).expect("save");
    assert!(
        matches!(run(s, &merged, 10).await, Err(e) if e.file_error().is_some_and(|e| e.code == "file.header_blank"))
    );
    assert_eq!(count(s, "").await, before, "nothing imported");
    // Each refusal is an import recorded as failed, with the reason.
    let listed = s
        .imports(&Scope::City, Page::default())
        .await
        .expect("imports");
    assert_eq!(listed.items.len(), 3);
    assert!(
        listed
            .items
            .iter()
            .all(|i| i.failed() && i.has_report() && i.message.is_some())
    );
    db.cleanup().await;
}

#[tokio::test]
async fn xlsx_imports_like_csv() {
    let db = TestDb::sqlite().await.with_demo().await;
    let s = &db.store;
    let path = tmp("enterprises.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADER.split(',').enumerate() {
        sheet.write_string(0, c as u16, h).expect("cell");
    }
    sheet
        .write_string(1, 0, demo_credit_code("440305", 7001))
        .expect("cell");
    sheet
        .write_string(1, 1, "深圳市表格导入有限公司")
        .expect("cell");
    sheet.write_number(1, 2, 440305).expect("cell");
    sheet.write_string(1, 5, "I65").expect("cell");
    sheet.write_number(1, 6, 120).expect("cell");
    sheet.write_formula(1, 7, "=15000000").expect("formula");
    book.save(&path).expect("save");
    let r = run(s, &path, 10).await.expect("import");
    assert_eq!((r.encoding, r.inserted), ("XLSX", 1), "{:?}", r.errors);
    assert_eq!(count(s, "表格导入").await, 1);
    db.cleanup().await;
}

#[tokio::test]
async fn an_interrupted_import_resumes_after_its_last_committed_batch() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let body = format!(
            "{HEADER}\n{}\n{}\n{}\n",
            row(8001, "深圳市续传一有限公司"),
            row(8002, "深圳市续传二有限公司"),
            row(8003, "深圳市续传三有限公司")
        );
        let path = tmp("resume.csv");
        std::fs::write(&path, body).expect("write");
        // An earlier run committed its first batch (rows 1–2) and then stopped: simulate it by
        // recording that progress without the rows, so a resumed run must skip them.
        let key = ipfin_store::import::file_key(&path).expect("key");
        let (id, done) = s
            .begin_import(
                &Scope::City,
                AuditActor::system("test"),
                "enterprises",
                &key,
                "resume.csv",
            )
            .await
            .expect("begin");
        assert_eq!(done, 0);
        let mut tx = s.write(AuditActor::system("test")).await.expect("tx");
        s.record_batch(&mut tx, id, 2, &Default::default(), 0)
            .await
            .expect("progress");
        tx.commit().await.expect("commit");
        let r = run(s, &path, 2).await.expect("resume");
        assert_eq!(
            (r.import_id, r.resumed_from, r.inserted),
            (id, 2, 1),
            "{}",
            db.name
        );
        assert_eq!(
            count(s, "续传一").await,
            0,
            "{}: committed rows are not redone",
            db.name
        );
        assert_eq!(count(s, "续传三").await, 1);
        // Finished imports are not resumed: the next run starts over (and is idempotent).
        let r = run(s, &path, 2).await.expect("again");
        assert!(
            r.import_id != id && r.resumed_from == 0 && r.inserted == 2 && r.unchanged == 1,
            "{}: {r:?}",
            db.name
        );
        db.cleanup().await;
    }
}

async fn run_kind(
    s: &Store,
    kind: ImportKind,
    scope: &Scope,
    path: &std::path::Path,
) -> ipfin_store::import::ImportReport {
    s.import_file(
        kind,
        path,
        scope,
        AuditActor::system("test"),
        100,
        &mut |_| {},
    )
    .await
    .expect("import")
}

#[tokio::test]
async fn tags_and_ip_assets_import_with_row_errors_and_idempotently() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let ns = |n| demo_credit_code("440305", n);
        let ft = demo_credit_code("440304", 7001);
        let ents = tmp("ents.csv");
        std::fs::write(
            &ents,
            format!(
                "{HEADER}\n{}\n{}\n{ft},深圳市福田标签测试有限公司,440304,,是,I65,10,100,100,是\n",
                row(6001, "深圳市标签甲有限公司"),
                row(6002, "深圳市标签乙有限公司"),
            ),
        )
        .expect("write");
        run(s, &ents, 100).await.expect("enterprises");
        let nanshan = Scope::District {
            code: "440305".into(),
            manage: true,
        };

        // Tags: by Chinese name or code; each bad row names its field; the rest is written.
        let tags = tmp("tags.csv");
        let tag_body = format!(
            "统一社会信用代码,标签类型,来源,认定年度,有效期起,有效期止\n\
             {a},高新技术企业,深科技创新〔2025〕12号,2025,2025-12-01,2028-11-30\n\
             {a},tech_sme,入库名单,2025,2025/3/1,\n\
             {b},不存在的类型,名单,2025,,\n\
             {b},高新技术企业,名单,二〇二五,,\n\
             {b},高新技术企业,名单,2024,2024-12-01,2024-01-01\n\
             {ft},高新技术企业,名单,2025,,\n\
             {a},高新技术企业,重复行,2025,,\n\
             {b},专精特新中小企业,名单,2025,2025年7月1日,\n",
            a = ns(6001),
            b = ns(6002)
        );
        std::fs::write(&tags, &tag_body).expect("write");
        let r = run_kind(s, ImportKind::Tags, &nanshan, &tags).await;
        assert_eq!(r.inserted, 3, "{}: {:?}", db.name, r.errors);
        assert_eq!(
            import_errors_by_field(&r.errors),
            vec![
                (4, "tag_type".to_string()),
                (5, "year".to_string()),
                (6, "valid_to".to_string()),
                (7, "credit_code".to_string()),
                (8, "tag_type".to_string()),
            ],
            "{}",
            db.name
        );
        assert!(
            r.errors[3].message.contains("辖区"),
            "{}",
            r.errors[3].message
        );
        assert!(
            r.errors[4].message.contains("第 2 行"),
            "{}",
            r.errors[4].message
        );
        // The same file again changes nothing; a changed source is an update.
        let again = run_kind(s, ImportKind::Tags, &nanshan, &tags).await;
        assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 3));
        std::fs::write(&tags, tag_body.replace("入库名单", "入库名单（更正）")).expect("write");
        let changed = run_kind(s, ImportKind::Tags, &nanshan, &tags).await;
        assert_eq!(
            (changed.inserted, changed.updated, changed.unchanged),
            (0, 1, 2)
        );
        let high_tech = s
            .search_enterprises(
                &nanshan,
                &EnterpriseFilter {
                    tag: Some("high_tech".into()),
                    ..Default::default()
                },
                Page::default(),
            )
            .await
            .expect("filter");
        // The imported tag and the demo's own 高新技术企业 tag (深圳市南山示例科技有限公司).
        assert_eq!(high_tech.total, 2, "{}", db.name);

        // IP assets: numbers checked by kind; a number held by another enterprise is refused.
        let ips = tmp("ips.csv");
        let ip_body = format!(
            "统一社会信用代码,类型,号码,名称,法律状态,授权日,尼斯分类\n\
             {a},专利,ZL 202310123456.6,一种数据压缩方法,有效,2024-06-18,\n\
             {a},专利,202310123456.4,校验位错误,有效,,\n\
             {a},商标,12345678,图文商标,有效,2023-01-01,\n\
             {a},商标,12345679,图文商标,有效,2023-01-01,42\n\
             {a},软件著作权,2024SR0123456,管理软件V1.0,注销,,\n\
             {b},作品著作权,国作登字-2021-L-00268255,标识,有效,,\n\
             {b},专利,CN202310123456.6,同号不同企业,有效,,\n",
            a = ns(6001),
            b = ns(6002)
        );
        std::fs::write(&ips, &ip_body).expect("write");
        let r = run_kind(s, ImportKind::IpAssets, &nanshan, &ips).await;
        assert_eq!(r.inserted, 3, "{}: {:?}", db.name, r.errors);
        assert_eq!(
            import_errors_by_field(&r.errors),
            vec![
                (3, "number".to_string()),
                (4, "nice_class".to_string()),
                (6, "legal_status".to_string()),
                (8, "number".to_string()),
            ],
            "{}",
            db.name
        );
        let again = run_kind(s, ImportKind::IpAssets, &nanshan, &ips).await;
        assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 3));
        assert!(
            again
                .errors
                .iter()
                .any(|e| e.line == 8 && e.message.contains("重复"))
        );
        let other = tmp("other.csv");
        std::fs::write(
            &other,
            format!(
                "统一社会信用代码,类型,号码,名称,法律状态\n{},专利,202310123456.6,同号不同企业,有效\n",
                ns(6002)
            ),
        )
        .expect("write");
        let r = run_kind(s, ImportKind::IpAssets, &nanshan, &other).await;
        assert_eq!(r.inserted, 0);
        assert!(
            r.errors[0].field == "number" && r.errors[0].message.contains("其他企业"),
            "{}: {:?}",
            db.name,
            r.errors
        );
        let ent = s
            .search_enterprises(
                &nanshan,
                &EnterpriseFilter {
                    q: Some(ns(6001)),
                    ..Default::default()
                },
                Page::default(),
            )
            .await
            .expect("find")
            .items
            .remove(0);
        let assets = s.ip_assets(&nanshan, ent.id).await.expect("assets");
        assert!(
            assets
                .iter()
                .any(|a| a.number == "202310123456.6"
                    && a.patent_kind.as_deref() == Some("invention")),
            "{}: {assets:?}",
            db.name
        );
    }
}

#[tokio::test]
async fn templates_have_the_columns_each_import_reads() {
    for kind in ImportKind::ALL {
        let path = tmp(&format!("{}.xlsx", kind.code()));
        write_template(kind, &path).expect("template");
        let src = ipfin_store::import::open_rows(&path, &Default::default()).expect("open");
        let cols = ipfin_store::import::map_headers(kind.columns(), &src.headers)
            .expect("the template's own header maps");
        assert_eq!(cols.len(), kind.columns().len(), "{kind:?}");
        let rows: Vec<_> = src.collect();
        assert_eq!(rows.len(), 1, "{kind:?}: one example row");
    }
}

#[tokio::test]
async fn imports_cut_off_by_a_stop_are_marked_at_start_and_cleared_when_resumed() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let (id, _) = s
            .begin_import(
                &Scope::City,
                AuditActor::system("test"),
                "tags",
                "key-cut",
                "cut.csv",
            )
            .await
            .expect("begin");
        assert_eq!(
            s.note_interrupted_imports(AuditActor::system("serve"))
                .await
                .expect("note"),
            1
        );
        assert_eq!(
            s.note_interrupted_imports(AuditActor::system("serve"))
                .await
                .expect("again"),
            0,
            "{}",
            db.name
        );
        let r = s.import_record(&Scope::City, id).await.expect("record");
        assert!(r.running() && r.message.as_deref().is_some_and(|m| m.contains("中断")));
        s.finish_import(AuditActor::system("test"), id)
            .await
            .expect("finish");
        let r = s.import_record(&Scope::City, id).await.expect("record");
        assert!(!r.running() && r.message.is_none());
    }
}

#[test]
fn seen_keys_find_duplicates_across_merges() {
    use ipfin_store::import::SeenKeys;
    let mut seen = SeenKeys::default();
    // More codes than the recent set holds, so earlier codes are found in the sorted part.
    let n = 99_999u32;
    for i in 0..n {
        assert_eq!(
            seen.first_line(&demo_credit_code("440305", i), u64::from(i) + 2),
            None
        );
    }
    for i in [0, 1, 65_535, 65_536, n - 1] {
        assert_eq!(
            seen.first_line(&demo_credit_code("440305", i), 9_999_999),
            Some(u64::from(i) + 2)
        );
    }
    assert_eq!(seen.first_line(&demo_credit_code("440306", 7), 5), None);
    // Keys that are not credit codes, and lines beyond u32, are kept exactly too.
    assert_eq!(seen.first_line("专利 ZL1", 3), None);
    assert_eq!(seen.first_line("专利 ZL1", 4), Some(3));
    let big = u64::from(u32::MAX) + 10;
    assert_eq!(seen.first_line(&demo_credit_code("440307", 1), big), None);
    assert_eq!(
        seen.first_line(&demo_credit_code("440307", 1), big + 1),
        Some(big)
    );
    assert_eq!(
        seen.first_line(&demo_credit_code("440305", 3), big + 2),
        Some(5)
    );
}

/// Issue #20 item 2: the facts for screening arrive with the enterprise file; an empty cell is
/// unknown (NULL), a wrong one is refused beside its column, a file without the columns leaves
/// what is stored alone, and the score profiles follow the import.
#[tokio::test]
async fn screening_facts_arrive_with_the_enterprise_file() {
    for db in TestDb::all().await {
        let db = db.with_demo().await;
        let s = &db.store;
        let header =
            format!("{HEADER},研发费用（元）,上年营业收入（元）,融资需求,经营异常,失信被执行人");
        let (a, b, c) = (
            demo_credit_code("440305", 7001),
            demo_credit_code("440305", 7002),
            demo_credit_code("440305", 7003),
        );
        let body = format!(
            "{header}\n{a},深圳市筛选甲有限公司,440305,,是,I65,120,30000000,,否,2000000,20000000,是,否,否\n\
             {b},深圳市筛选乙有限公司,440305,,是,I65,12,3000000,,否,,,,,\n\
             {c},深圳市筛选丙有限公司,440305,,是,I65,12,3000000,,否,-5,,也许,,\n"
        );
        let path = tmp("screening.csv");
        std::fs::write(&path, body).expect("write");
        let report = run(s, &path, 100).await.expect("import");
        assert_eq!(report.inserted, 2, "{}: {:?}", db.name, report.errors);
        let fields: Vec<&str> = report.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["rd_expense_yuan", "financing_need"]);
        assert!(
            report.errors[1].message.contains("是"),
            "{:?}",
            report.errors
        );
        let facts = |code: String| async move {
            ipfin_store::db::fetch_opt::<Facts, _>(
                s.conn(),
                "SELECT rd_expense_fen, prev_revenue_fen, financing_need, abnormal_operation, dishonest FROM enterprises WHERE credit_code = ?",
                vec![code.into()],
            )
            .await
            .expect("read")
            .expect("row")
        };
        assert_eq!(
            facts(a.clone()).await,
            Facts {
                rd_expense_fen: Some(200_000_000),
                prev_revenue_fen: Some(2_000_000_000),
                financing_need: Some(true),
                abnormal_operation: Some(false),
                dishonest: Some(false)
            }
        );
        assert_eq!(facts(b.clone()).await, Facts::default());
        // The profiles were refreshed: 甲 has a profile with its R&D intensity known.
        let id = ipfin_store::db::fetch_i64(
            s.conn(),
            "SELECT id FROM enterprises WHERE credit_code = ?",
            vec![a.clone().into()],
        )
        .await
        .expect("id");
        let p = s
            .screening_profile_of(&Scope::City, id)
            .await
            .expect("profile")
            .expect("one");
        assert_eq!(
            p.level(ipfin_domain::screening::Factor::RdIntensity),
            Some(3)
        );
        // A file without the columns keeps what is stored.
        let path = tmp("plain.csv");
        std::fs::write(
            &path,
            format!("{HEADER}\n{a},深圳市筛选甲有限公司,440305,,是,I65,121,30000000,,否\n"),
        )
        .expect("write");
        let report = run(s, &path, 100).await.expect("import");
        assert_eq!(report.updated, 1);
        assert_eq!(facts(a.clone()).await.rd_expense_fen, Some(200_000_000));
        db.cleanup().await;
    }
}

#[derive(Debug, PartialEq, Eq, Default, sea_orm::FromQueryResult)]
struct Facts {
    rd_expense_fen: Option<i64>,
    prev_revenue_fen: Option<i64>,
    financing_need: Option<bool>,
    abnormal_operation: Option<bool>,
    dishonest: Option<bool>,
}
