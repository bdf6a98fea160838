//! The hostile import corpus, generated in memory (no binary fixtures): workbooks that declare
//! more than they hold, inflate far beyond their size, lie about their sizes, or break a cap;
//! each with the refusal code the import must give.

use std::io::Write;

/// One hostile file and the code it must be refused with.
pub struct Hostile {
    pub name: &'static str,
    /// `xlsx` or `csv`.
    pub extension: &'static str,
    pub bytes: Vec<u8>,
    pub code: &'static str,
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

/// A zip of (name, content) parts, deflated.
pub fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        w.start_file(*name, options).expect("zip entry");
        w.write_all(content).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

/// An XLSX workbook of one sheet: `sheet_data` is the `<row>` elements, `dimension` the declared
/// range (if any), `shared` the shared strings (cells refer to them with `t="s"`).
pub fn workbook(dimension: Option<&str>, sheet_data: &str, shared: &[&str]) -> Vec<u8> {
    let sheet = sheet_xml(dimension, sheet_data);
    let sst = shared_strings_xml(shared);
    zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
        ("xl/sharedStrings.xml", sst.as_bytes()),
    ])
}

fn sheet_xml(dimension: Option<&str>, sheet_data: &str) -> String {
    let dim = dimension
        .map(|d| format!(r#"<dimension ref="{d}"/>"#))
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dim}<sheetData>{sheet_data}</sheetData></worksheet>"#
    )
}

fn shared_strings_xml(shared: &[&str]) -> String {
    let mut sst = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">"#,
        shared.len()
    );
    for s in shared {
        sst.push_str("<si><t>");
        sst.push_str(s);
        sst.push_str("</t></si>");
    }
    sst.push_str("</sst>");
    sst
}

/// An inline-string cell.
pub fn cell(r: &str, text: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// A row of inline-string cells from column A.
pub fn row(n: u64, texts: &[&str]) -> String {
    let cells: String = texts
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.is_empty())
        .map(|(i, t)| cell(&format!("{}{n}", (b'A' + i as u8) as char), t))
        .collect();
    format!(r#"<row r="{n}">{cells}</row>"#)
}

/// The issue's 2 KB workbook: it declares A1:XFD1048576 and sets two cells.
pub fn dimension_bomb() -> Vec<u8> {
    workbook(
        Some("A1:XFD1048576"),
        &format!(
            "{}{}",
            row(1, &["合同编号"]),
            r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>"#
        ),
        &[],
    )
}

/// One shared string of `mib` MiB of the same letter: it deflates about 1000:1.
pub fn huge_shared_string(mib: usize) -> Vec<u8> {
    let big = "A".repeat(mib << 20);
    workbook(
        None,
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#,
        &[&big],
    )
}

/// A sheet padded with `mib` MiB of blanks: a zip bomb by compression ratio.
pub fn ratio_bomb(mib: usize) -> Vec<u8> {
    let padding = " ".repeat(mib << 20);
    workbook(None, &format!("{}{padding}", row(1, &["合同编号"])), &[])
}

/// A header and `rows` data rows (no declared dimension, so only reading finds the count).
pub fn many_rows(rows: u64) -> Vec<u8> {
    let mut data = row(1, &["统一社会信用代码", "企业名称", "注册地"]);
    for n in 2..rows + 2 {
        data.push_str(&row(n, &["x", "y", "440305"]));
    }
    workbook(None, &data, &[])
}

/// A data row with a value in column 300 (`KN`), past the default 256.
pub fn wide_row() -> Vec<u8> {
    workbook(
        None,
        &format!(
            "{}<row r=\"2\">{}</row>",
            row(1, &["统一社会信用代码", "企业名称", "注册地"]),
            cell("KN2", "x")
        ),
        &[],
    )
}

/// A cell of 40,000 characters that do not compress well (past Excel's 32,767).
pub fn long_cell() -> Vec<u8> {
    let mut seed: u32 = 17;
    let text: String = (0..40_000)
        .map(|_| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (b'a' + ((seed >> 16) % 26) as u8) as char
        })
        .collect();
    workbook(
        None,
        &format!(
            "{}{}",
            row(1, &["统一社会信用代码", "企业名称", "注册地"]),
            row(2, &["x", &text, "440305"])
        ),
        &[],
    )
}

/// A workbook whose sheet declares 100 bytes uncompressed but inflates to about 4 MiB (the
/// declared size is small enough to escape the ratio check; only counting finds it).
pub fn lying_size() -> Vec<u8> {
    let sheet = sheet_xml(
        None,
        &format!("{}{}", row(1, &["合同编号"]), " ".repeat(4 << 20)),
    );
    let mut bytes = zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ]);
    let name = b"xl/worksheets/sheet1.xml";
    let declared = 100u32.to_le_bytes();
    // The local header (size at offset 22) and the central directory entry (at 24).
    for (signature, offset) in [(b"PK\x03\x04", 22usize), (b"PK\x01\x02", 24usize)] {
        let name_at = if signature == b"PK\x03\x04" { 30 } else { 46 };
        let starts: Vec<usize> = bytes
            .windows(4)
            .enumerate()
            .filter(|(_, w)| w == signature)
            .map(|(i, _)| i)
            .collect();
        for s in starts {
            if bytes.get(s + name_at..s + name_at + name.len()) == Some(name.as_slice()) {
                bytes[s + offset..s + offset + 4].copy_from_slice(&declared);
            }
        }
    }
    bytes
}

/// Starts like a zip (and so like an XLSX) and is not one.
pub fn not_a_zip() -> Vec<u8> {
    let mut b = b"PK\x03\x04".to_vec();
    b.extend(std::iter::repeat_n(0x5a, 2000));
    b
}

/// The corpus of hostile workbooks with the default limits, each with its refusal code.
pub fn corpus() -> Vec<Hostile> {
    let x = |name, bytes, code| Hostile {
        name,
        extension: "xlsx",
        bytes,
        code,
    };
    vec![
        x("dimension_bomb", dimension_bomb(), "file.dimension"),
        x(
            "huge_shared_string",
            huge_shared_string(16),
            "file.compression_ratio",
        ),
        x("ratio_bomb", ratio_bomb(16), "file.compression_ratio"),
        x("wide_row", wide_row(), "file.too_many_columns"),
        x("long_cell", long_cell(), "file.cell_too_long"),
        x("lying_size", lying_size(), "file.size_mismatch"),
        x("not_a_zip", not_a_zip(), "file.xlsx"),
    ]
}
