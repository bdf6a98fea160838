//! The clear card (明白卡, SPEC R2.3) as a downloadable Word document and as an SVG image for
//! sharing in chat apps. Both are built from the same sections as the printable page: who may
//! apply, what is paid, the caps, the batches, the materials and the contact.

use super::policy::{ItemLine, describe};
use ipfin_domain::Lang;
use ipfin_domain::policy::document::PolicyDocument;
use ipfin_domain::size::SizeClass;
use std::io::Write;

/// The card as titled sections of lines.
pub struct Card {
    pub title: String,
    pub subtitle: String,
    pub sections: Vec<(&'static str, Vec<String>)>,
}

fn item_text(l: &ItemLine) -> String {
    let classes: Vec<String> = SizeClass::ALL
        .iter()
        .zip(&l.cells)
        .map(|(c, v)| format!("{} {}", c.label(Lang::Zh), v))
        .collect();
    let mut s = format!("{}：{}", l.name, classes.join("；"));
    if !l.limits.is_empty() {
        s.push_str(&format!("（{}）", l.limits.join("；")));
    }
    s
}

pub fn card(doc: &PolicyDocument, district_name: &str) -> Card {
    let (lines, caps) = describe(doc);
    let mut who = vec![
        format!("注册地在{district_name}"),
        format!("纳税地在{district_name}"),
        "具有独立法人资格".to_string(),
    ];
    who.extend(
        doc.eligibility
            .extra_conditions
            .iter()
            .map(|c| format!("附加条件（指导意见未要求）：{c}")),
    );
    let mut what: Vec<String> = lines.iter().map(item_text).collect();
    what.extend(caps);
    let when = doc
        .batches
        .iter()
        .map(|b| format!("{}：{} 至 {}", b.name, b.opens, b.closes))
        .collect();
    let materials = ipfin_domain::policy::materials::fee_application_materials()
        .into_iter()
        .map(|(n, note)| {
            if note.is_empty() {
                n.to_string()
            } else {
                format!("{n}（{note}）")
            }
        })
        .collect();
    let mut contact = vec!["全程网上申报，无需提交纸质材料。".to_string()];
    if !doc.contact.is_empty() {
        contact.push(format!("咨询：{}", doc.contact));
    }
    Card {
        title: doc.title.clone(),
        subtitle: format!("{district_name} · 政策明白卡 · {} 年度", doc.year),
        sections: vec![
            ("谁可以申请", who),
            ("资助什么、资助多少", what),
            ("申报批次", when),
            ("申报材料（统一清单）", materials),
            ("在哪里申请", contact),
        ],
    }
}

fn xml(s: &str) -> String {
    ipfin_domain::text::printable(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Breaks a line into pieces no wider than `width` half-width units (a Chinese character is
/// two, a Latin letter or digit one), never inside a run of digits, letters, commas and dots.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let joins = |c: char| c.is_ascii_alphanumeric() || matches!(c, ',' | '.' | '%' | ':');
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let units = |c: char| if c.is_ascii() { 1 } else { 2 };
    let (mut start, mut w, mut last_break) = (0usize, 0usize, None::<usize>);
    for (i, c) in chars.iter().enumerate() {
        if i > start && !(joins(chars[i - 1]) && joins(*c)) {
            last_break = Some(i);
        }
        w += units(*c);
        if w > width && i > start {
            let cut = last_break.filter(|b| *b > start).unwrap_or(i);
            out.push(chars[start..cut].iter().collect());
            start = cut;
            w = chars[start..=i].iter().map(|c| units(*c)).sum();
            last_break = None;
        }
    }
    if start < chars.len() {
        out.push(chars[start..].iter().collect());
    }
    out
}

/// The card as an SVG image, 1080 pixels wide (a phone screen at 3×), as tall as it needs.
pub fn svg(c: &Card) -> String {
    const W: usize = 1080;
    const WIDTH: usize = 66;
    let mut y = 110;
    let mut body = String::new();
    let title = wrap(&c.title, 42);
    for line in &title {
        body.push_str(&format!("<text x=\"60\" y=\"{y}\" font-size=\"44\" font-weight=\"bold\" fill=\"#ffffff\">{}</text>\n", xml(line)));
        y += 56;
    }
    let banner = y + 34;
    body.push_str(&format!(
        "<text x=\"60\" y=\"{y}\" font-size=\"28\" fill=\"#dbe7ff\">{}</text>\n",
        xml(&c.subtitle)
    ));
    y += 80;
    for (heading, lines) in &c.sections {
        body.push_str(&format!("<text x=\"60\" y=\"{y}\" font-size=\"34\" font-weight=\"bold\" fill=\"#1d4ed8\">{}</text>\n", xml(heading)));
        y += 50;
        for line in lines {
            for (k, piece) in wrap(line, WIDTH).into_iter().enumerate() {
                let x = if k == 0 { 60 } else { 90 };
                let bullet = if k == 0 { "• " } else { "" };
                body.push_str(&format!("<text x=\"{x}\" y=\"{y}\" font-size=\"28\" fill=\"#111827\">{bullet}{}</text>\n", xml(&piece)));
                y += 40;
            }
        }
        y += 30;
    }
    let h = y + 40;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{h}\" viewBox=\"0 0 {W} {h}\" font-family=\"'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Zen Hei',sans-serif\">\n<rect width=\"{W}\" height=\"{h}\" fill=\"#f8fafc\"/>\n<rect width=\"{W}\" height=\"{banner}\" fill=\"#1d4ed8\"/>\n{body}</svg>\n"
    )
}

/// The card as a Word document (.docx, Office Open XML), A4.
pub fn docx(c: &Card) -> std::io::Result<Vec<u8>> {
    let para = |text: &str, size_half_points: u32, bold: bool| {
        format!(
            "<w:p><w:r><w:rPr><w:rFonts w:eastAsia=\"宋体\"/>{}<w:sz w:val=\"{size_half_points}\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
            if bold { "<w:b/>" } else { "" },
            xml(text)
        )
    };
    let mut body = String::new();
    body.push_str(&para(&c.title, 36, true));
    body.push_str(&para(&c.subtitle, 21, false));
    for (heading, lines) in &c.sections {
        body.push_str(&para(heading, 28, true));
        for l in lines {
            body.push_str(&para(&format!("• {l}"), 21, false));
        }
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1000\" w:right=\"1000\" w:bottom=\"1000\" w:left=\"1000\" w:header=\"500\" w:footer=\"500\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>"
    );
    let content_types = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";
    let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in [
        ("[Content_Types].xml", content_types.to_string()),
        ("_rels/.rels", rels.to_string()),
        ("word/document.xml", document),
    ] {
        zip.start_file(name, options)
            .map_err(std::io::Error::other)?;
        zip.write_all(content.as_bytes())?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wrap_by_width_and_not_inside_numbers() {
        let w = wrap(
            "金融机构奖励：年度知识产权质押贷款的 1%，每家每年最高 1,000,000.00 元",
            66,
        );
        assert!(
            w.iter().all(|l| !l.starts_with(',') && !l.starts_with('0')),
            "{w:?}"
        );
        assert_eq!(
            w.concat(),
            "金融机构奖励：年度知识产权质押贷款的 1%，每家每年最高 1,000,000.00 元"
        );
        assert_eq!(wrap("短", 66), vec!["短"]);
    }

    #[test]
    fn the_card_renders_as_svg_and_docx() {
        let doc = ipfin_store::demo::demo_policy("440305", "南山区");
        let c = card(&doc, "南山区");
        let s = svg(&c);
        assert!(s.starts_with("<svg") && s.contains("谁可以申请") && s.contains("贷款贴息"));
        let d = docx(&c).expect("docx");
        assert!(d.starts_with(b"PK"));
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(d)).expect("zip");
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut z.by_name("word/document.xml").expect("document"),
            &mut xml,
        )
        .expect("read");
        assert!(xml.contains("注册地在南山区") && xml.contains("w:pgSz w:w=\"11906\""));
    }
}
