//! The design system holds together (issue #23 item 9): every class a template uses is defined
//! in the stylesheet, every `<input>` says its type, every table sits in a box that scrolls on
//! its own, a list of records labels its cells for the phone layout, numbers are right-aligned
//! with tabular figures, and the focus ring has 3:1 contrast against every background it can
//! appear on. Reads the real templates and `static/app.css`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn dir(sub: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(sub)
}

/// Every template, as (file name, text).
fn templates() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir("templates"))
        .expect("templates folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .map(|p| {
            let name = p
                .file_name()
                .expect("file name")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&p).expect("template");
            (name, text)
        })
        .collect();
    out.sort();
    assert!(out.len() > 50, "found the templates");
    out
}

fn stylesheet() -> String {
    let css = std::fs::read_to_string(dir("static/app.css")).expect("app.css");
    strip_comments(&css)
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find("/*") {
        out.push_str(&rest[..at]);
        rest = rest[at..]
            .find("*/")
            .map_or("", |end| &rest[at + end + 2..]);
    }
    out.push_str(rest);
    out
}

/// Askama tags (`{{ … }}`, `{% … %}`) replaced by a space: what is left are literal words.
fn literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    loop {
        let next = [rest.find("{{"), rest.find("{%")]
            .into_iter()
            .flatten()
            .min();
        let Some(at) = next else { break };
        out.push_str(&rest[..at]);
        out.push(' ');
        let close = if rest[at..].starts_with("{{") {
            "}}"
        } else {
            "%}"
        };
        rest = rest[at..]
            .find(close)
            .map_or("", |end| &rest[at + end + 2..]);
    }
    out.push_str(rest);
    out
}

/// The values of attribute `name` in `html`, askama tags and all (an attribute value may
/// contain quoted strings inside askama tags: `value="{{ ctx.t.s("x") }}"`).
fn attribute_values<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let key = format!(" {name}=\"");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = html[from..].find(&key) {
        let start = from + at + key.len();
        let mut i = start;
        let bytes = html.as_bytes();
        let mut depth = 0usize;
        while i < bytes.len() {
            if html[i..].starts_with("{{") || html[i..].starts_with("{%") {
                depth += 1;
                i += 2;
            } else if depth > 0 && (html[i..].starts_with("}}") || html[i..].starts_with("%}")) {
                depth -= 1;
                i += 2;
            } else if depth == 0 && bytes[i] == b'"' {
                break;
            } else {
                i += 1;
            }
        }
        out.push(&html[start..i]);
        from = i;
    }
    out
}

/// The class names the stylesheet defines (every `.name` in a selector).
fn defined_classes(css: &str) -> BTreeSet<String> {
    let bytes = css.as_bytes();
    let mut out = BTreeSet::new();
    for (i, _) in css.match_indices('.') {
        // `1.5rem` is a number, `button.danger` a class.
        if i > 0 && bytes[i - 1].is_ascii_digit() {
            continue;
        }
        let name: String = css[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            out.insert(name);
        }
    }
    out
}

/// Every opening tag `<tag …>` in `html` (askama tags inside it included).
fn tags<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    tags_at(html, tag).into_iter().map(|(_, t)| t).collect()
}

/// Every opening tag `<tag …>` in `html` with its position.
fn tags_at<'a>(html: &'a str, tag: &str) -> Vec<(usize, &'a str)> {
    let open = format!("<{tag}");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = html[from..].find(&open) {
        let start = from + at;
        let after = html[start + open.len()..].chars().next().unwrap_or('>');
        if !(after.is_whitespace() || after == '>') {
            from = start + open.len();
            continue;
        }
        let mut i = start;
        let mut depth = 0usize;
        while i < html.len() {
            let r = &html[i..];
            if r.starts_with("{{") || r.starts_with("{%") {
                depth += 1;
                i += 2;
            } else if depth > 0 && (r.starts_with("}}") || r.starts_with("%}")) {
                depth -= 1;
                i += 2;
            } else if depth == 0 && r.starts_with('>') {
                break;
            } else {
                i += r.chars().next().map_or(1, char::len_utf8);
            }
        }
        out.push((start, &html[start..(i + 1).min(html.len())]));
        from = i + 1;
    }
    out
}

#[test]
fn every_class_a_template_uses_is_defined_in_the_stylesheet() {
    let defined = defined_classes(&stylesheet());
    assert!(defined.contains("notice") && defined.contains("num"));
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in templates() {
        for value in attribute_values(&text, "class") {
            for class in literal(value).split_whitespace() {
                used.entry(class.to_string())
                    .or_default()
                    .insert(file.clone());
            }
        }
    }
    // Classes that views fill in (`class="badge {{ e.band_code }}"`, summaries' on/off).
    for band in ipfin_domain::screening::Band::ALL {
        used.entry(band.code().to_string())
            .or_default()
            .insert("screening.html (Band::code)".into());
    }
    for class in ["on", "off"] {
        used.entry(class.to_string())
            .or_default()
            .insert("summaries.html (views/summary.rs)".into());
    }
    assert!(used.len() > 40, "read the templates' classes: {used:?}");
    let missing: Vec<String> = used
        .iter()
        .filter(|(class, _)| !defined.contains(*class))
        .map(|(class, files)| format!(".{class} (used in {files:?})"))
        .collect();
    assert!(
        missing.is_empty(),
        "classes used in templates but not defined in static/app.css:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_input_says_its_type() {
    let mut untyped = Vec::new();
    let mut inputs = 0;
    for (file, text) in templates() {
        for tag in tags(&text, "input") {
            inputs += 1;
            if attribute_values(tag, "type").is_empty() {
                untyped.push(format!("{file}: {tag}"));
            }
        }
    }
    assert!(inputs > 200, "read the inputs ({inputs})");
    assert!(
        untyped.is_empty(),
        "inputs without a type (text, number, date, email, tel, search …):\n{}",
        untyped.join("\n")
    );
}

#[test]
fn every_table_scrolls_in_its_own_box_and_record_lists_label_their_cells() {
    let mut problems = Vec::new();
    let mut tables = 0;
    for (file, text) in templates() {
        for (at, _) in text.match_indices("<table") {
            tables += 1;
            let before = text[..at].trim_end();
            if !before.ends_with(r#"<div class="table-wrap">"#) {
                problems.push(format!(
                    "{file}: a <table> outside <div class=\"table-wrap\">"
                ));
            }
            let end = text[at..].find("</table>").map_or(text.len(), |e| at + e);
            let table = &text[at..end];
            let open = tags(table, "table").first().copied().unwrap_or("");
            let records = attribute_values(open, "class")
                .iter()
                .any(|c| literal(c).split_whitespace().any(|w| w == "records"));
            if records {
                // The first body row: each cell (but one spanning columns) carries its label.
                // Every cell under a named column header (an action column may have none).
                let head = table.find("<thead>").map_or("", |h| {
                    &table[h + "<thead>".len()..table.find("</thead>").unwrap_or(table.len())]
                });
                let named: Vec<bool> = head
                    .split("<th")
                    .skip(1)
                    .map(|th| {
                        let inner = th.split_once('>').map_or("", |(_, r)| r);
                        let inner = inner.split("</th>").next().unwrap_or("");
                        !inner.trim().is_empty()
                    })
                    .collect();
                let body = table.find("<tbody>").map_or(table, |b| &table[b..]);
                let row = body
                    .find("<tr")
                    .map(|r| &body[r..body[r..].find("</tr>").map_or(body.len(), |e| r + e)])
                    .unwrap_or("");
                // The row's cells in order (a row header is the card's title, unlabelled).
                let mut cells: Vec<(usize, &str)> = tags_at(row, "td")
                    .into_iter()
                    .chain(tags_at(row, "th"))
                    .collect();
                cells.sort();
                for (k, (_, cell)) in cells.into_iter().enumerate() {
                    let exempt = cell.contains("colspan") || cell.contains(r#"scope="row""#);
                    if !exempt
                        && named.get(k).copied().unwrap_or(true)
                        && attribute_values(cell, "data-label").is_empty()
                    {
                        problems.push(format!(
                            "{file}: a cell of a table.records without data-label: {cell}"
                        ));
                    }
                }
            }
        }
    }
    assert!(tables > 80, "read the tables ({tables})");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn numbers_are_right_aligned_with_tabular_figures() {
    let css = stylesheet();
    let rule = css
        .split('}')
        .find(|r| r.trim_start().starts_with(".num "))
        .expect("a .num rule");
    assert!(rule.contains("text-align: right"), "{rule}");
    assert!(rule.contains("tabular-nums"), "{rule}");
}

/// WCAG relative luminance of `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let hex = hex.trim().trim_start_matches('#');
    // #rgb is #rrggbb.
    let hex: String = if hex.len() == 3 {
        hex.chars().flat_map(|c| [c, c]).collect()
    } else {
        hex.to_string()
    };
    assert_eq!(hex.len(), 6, "a #rrggbb colour: {hex}");
    let channel = |i: usize| {
        let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")) / 255.0;
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

fn variable(css: &str, name: &str) -> String {
    let key = format!("{name}:");
    let at = css.find(&key).unwrap_or_else(|| panic!("{name} defined"));
    css[at + key.len()..]
        .split(';')
        .next()
        .expect("value")
        .trim()
        .to_string()
}

#[test]
fn the_focus_ring_has_three_to_one_contrast_on_every_background() {
    assert!(
        contrast("#ffbf47", "#ffffff") < 3.0,
        "the measure: the old yellow ring fails on white"
    );
    let css = stylesheet();
    let focus_rule = css
        .split('}')
        .find(|r| r.contains("a:focus"))
        .expect("a focus rule");
    assert!(
        focus_rule.contains("outline: 3px solid var(--focus)"),
        "{focus_rule}"
    );
    let focus = variable(&css, "--focus");
    let mut backgrounds = vec!["#ffffff".to_string()];
    for name in [
        "--bg",
        "--accent-bg",
        "--warn-bg",
        "--info-bg",
        "--ok-bg",
        "--err-bg",
    ] {
        backgrounds.push(variable(&css, name));
    }
    for bg in backgrounds {
        let c = contrast(&focus, &bg);
        assert!(c >= 3.0, "focus {focus} on {bg}: {c:.2}:1");
    }
}
