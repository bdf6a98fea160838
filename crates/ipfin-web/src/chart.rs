//! Server-rendered SVG charts for the quarterly bulletin (季度通报): the same `String` goes into
//! the web page (inline), the print view and the .docx export (see `docx.rs`), so a chart looks
//! the same everywhere.
//!
//! Output is deterministic (same input → same bytes), every text is XML-escaped, labels are
//! Chinese, and each chart carries `<title>`/`<desc>` for screen readers plus a `viewBox` and an
//! explicit `width`/`height` (pages can scale it with `max-width: 100%; height: auto`).
//! Money is integer fen and is formatted with integer arithmetic only; `f64` is used for pixel
//! geometry and nothing else. An empty `rows` slice gives a small chart saying "暂无数据".
//!
//! In an askama template, insert a chart with the `|safe` filter (`{{ chart|safe }}`): every
//! text inside is already escaped here. For the .docx, pass the same string to
//! `docx::DocBuilder::chart`.

use ipfin_domain::money::group_thousands;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// Font families for chart text: the CJK fonts found on Linux servers, Windows and macOS, then the
/// generic family. Used by browsers, Word, LibreOffice and the PNG renderer alike.
pub const FONT_FAMILY: &str = "'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif";

/// Width of every chart in px (at 96 dpi about 169 mm; the .docx scales it to the text width).
const WIDTH: f64 = 640.0;
const FONT: f64 = 13.0;
const TITLE_FONT: f64 = 16.0;
const SMALL_FONT: f64 = 12.0;
/// Room right of the plot area for value labels.
const VALUE_ROOM: f64 = 84.0;
/// Longest district label before it is cut with "…".
const MAX_LABEL: f64 = 180.0;

const BAR: &str = "#2f6fb5";
const BAR_LAGGING: &str = "#e08a1e";
const BAR_LAST_YEAR: &str = "#a9b4c2";
const TARGET_LINE: &str = "#c0392b";
const PACE_LINE: &str = "#555555";
const GRID: &str = "#e3e6ea";
const TEXT: &str = "#222222";
const MUTED: &str = "#777777";

/// Horizontal bars of target completion (目标完成率) per district.
///
/// `rows` are (district name, completion in percent); `None` means the district has no target
/// and is shown as "未设目标" without a bar. A solid red line marks 100 %; `pace` (e.g. the
/// straight-line pace for the date, 序时进度) adds a dashed line, and bars below it are drawn in
/// orange. The scale runs to max(100, largest value, pace), so bars beyond 100 % keep going.
/// Values are labelled with one decimal ("76.5%", half away from zero).
pub fn completion_chart(
    title: &str,
    rows: &[(String, Option<Decimal>)],
    pace: Option<Decimal>,
) -> String {
    if rows.is_empty() {
        return empty_chart(title);
    }
    let label_w = label_width(rows.iter().map(|(name, _)| name.as_str()));
    let x0 = label_w + 16.0;
    let plot_w = WIDTH - x0 - VALUE_ROOM;
    let top = 64.0;
    let pitch = 30.0;
    let bar_h = 18.0;
    let plot_bottom = top + pitch * rows.len() as f64;
    let height = plot_bottom + 34.0;

    let largest = rows
        .iter()
        .filter_map(|(_, v)| *v)
        .chain(pace)
        .fold(Decimal::ONE_HUNDRED, Decimal::max);
    let (axis_max, step) = pct_axis(largest);
    let x_of = |v: Decimal| x0 + plot_w * ratio(v, axis_max);

    let mut desc = String::from("各区目标完成率：");
    for (i, (name, v)) in rows.iter().enumerate() {
        if i > 0 {
            desc.push('；');
        }
        desc.push_str(name);
        desc.push(' ');
        match v {
            Some(v) => desc.push_str(&format_pct(*v)),
            None => desc.push_str("未设目标"),
        }
    }
    if let Some(p) = pace {
        desc.push_str(&format!("。序时进度 {}", format_pct(p)));
    }
    desc.push('。');

    let mut svg = Svg::new(height, title, &desc);
    svg.title_text(title);

    // Legend: what the lines (and the orange bars) mean.
    let ly = 44.0;
    let mut lx = x0;
    svg.line(lx, ly, lx + 22.0, ly, TARGET_LINE, 2.0, None);
    lx += 28.0;
    lx = svg.legend_text(lx, ly, "目标 100%");
    if let Some(p) = pace {
        lx += 18.0;
        svg.line(lx, ly, lx + 22.0, ly, PACE_LINE, 1.5, Some("5 3"));
        lx += 28.0;
        lx = svg.legend_text(lx, ly, &format!("序时进度 {}", format_pct(p)));
        lx += 18.0;
        svg.rect(lx, ly - 6.0, 12.0, 12.0, BAR_LAGGING, None, None);
        lx += 18.0;
        svg.legend_text(lx, ly, "低于序时进度");
    }

    // Grid and tick labels.
    let mut tick = Decimal::ZERO;
    while tick <= axis_max {
        let x = x_of(tick);
        svg.line(x, top - 6.0, x, plot_bottom, GRID, 1.0, None);
        svg.text(
            x,
            plot_bottom + 16.0,
            SMALL_FONT,
            "middle",
            MUTED,
            &format!("{}%", tick.normalize()),
        );
        match tick.checked_add(step) {
            Some(t) => tick = t,
            None => break,
        }
    }

    // Value labels go on top of the reference lines, so they are drawn last.
    let mut labels: Vec<(f64, f64, &str, String)> = Vec::new();
    for (i, (name, value)) in rows.iter().enumerate() {
        let cy = top + pitch * i as f64 + pitch / 2.0;
        svg.text(
            x0 - 8.0,
            baseline(cy, FONT),
            FONT,
            "end",
            TEXT,
            &fit_label(name),
        );
        match value {
            Some(v) => {
                let w = x_of((*v).max(Decimal::ZERO)) - x0;
                let lagging = pace.is_some_and(|p| *v < p);
                let label = format_pct(*v);
                svg.rect(
                    x0,
                    cy - bar_h / 2.0,
                    w,
                    bar_h,
                    if lagging { BAR_LAGGING } else { BAR },
                    Some("bar"),
                    Some(&format!("{name} {label}")),
                );
                labels.push((x0 + w + 6.0, cy, TEXT, label));
            }
            None => labels.push((x0 + 6.0, cy, MUTED, "未设目标".to_string())),
        }
    }

    // Reference lines over the bars.
    let x100 = x_of(Decimal::ONE_HUNDRED);
    svg.line(x100, top - 6.0, x100, plot_bottom, TARGET_LINE, 2.0, None);
    if let Some(p) = pace {
        let xp = x_of(p.max(Decimal::ZERO));
        svg.line(xp, top - 6.0, xp, plot_bottom, PACE_LINE, 1.5, Some("5 3"));
    }
    svg.line(x0, top - 6.0, x0, plot_bottom, MUTED, 1.0, None);
    for (x, cy, fill, label) in labels {
        // A white backing keeps the label readable where a reference line crosses it.
        let w = text_em(&label) * FONT;
        svg.rect(
            x - 2.0,
            cy - FONT * 0.6,
            w + 4.0,
            FONT * 1.2,
            "#ffffff",
            None,
            None,
        );
        svg.text(x, baseline(cy, FONT), FONT, "start", fill, &label);
    }
    svg.finish()
}

/// Grouped horizontal bars: each district's amount this year (本年) against the same period last
/// year (上年), in 万元 with two decimals.
///
/// `rows` are (district name, this year in fen, last year in fen). Labels are computed from the
/// integer fen (half away from zero at 100 元), never through floating point. Negative amounts
/// (corrections) are labelled but drawn as empty bars.
pub fn yoy_chart(title: &str, rows: &[(String, i64, i64)]) -> String {
    if rows.is_empty() {
        return empty_chart(title);
    }
    let label_w = label_width(rows.iter().map(|(name, _, _)| name.as_str()));
    let x0 = label_w + 16.0;
    let plot_w = WIDTH - x0 - VALUE_ROOM;
    let top = 64.0;
    let pitch = 40.0;
    let bar_h = 14.0;
    let plot_bottom = top + pitch * rows.len() as f64;
    let height = plot_bottom + 34.0;

    let largest = rows
        .iter()
        .flat_map(|(_, this, last)| [*this, *last])
        .fold(0i64, i64::max);
    let (axis_max, step) = fen_axis(largest);
    let x_of = |fen: i64| x0 + plot_w * (fen.max(0) as f64 / axis_max as f64);

    let mut desc = String::from("各区本年与上年同期金额（万元）：");
    for (i, (name, this, last)) in rows.iter().enumerate() {
        if i > 0 {
            desc.push('；');
        }
        desc.push_str(&format!(
            "{name} 本年 {}，上年 {}",
            format_wan(*this),
            format_wan(*last)
        ));
    }
    desc.push('。');

    let mut svg = Svg::new(height, title, &desc);
    svg.title_text(title);

    let ly = 44.0;
    let mut lx = x0;
    svg.rect(lx, ly - 6.0, 12.0, 12.0, BAR, None, None);
    lx = svg.legend_text(lx + 18.0, ly, "本年");
    svg.rect(lx + 18.0, ly - 6.0, 12.0, 12.0, BAR_LAST_YEAR, None, None);
    lx = svg.legend_text(lx + 36.0, ly, "上年同期");
    svg.legend_text(lx + 24.0, ly, "单位：万元");

    let mut tick = 0i64;
    while tick <= axis_max {
        let x = x_of(tick);
        svg.line(x, top - 6.0, x, plot_bottom, GRID, 1.0, None);
        svg.text(
            x,
            plot_bottom + 16.0,
            SMALL_FONT,
            "middle",
            MUTED,
            &wan_tick(tick),
        );
        match tick.checked_add(step) {
            Some(t) => tick = t,
            None => break,
        }
    }

    for (i, (name, this, last)) in rows.iter().enumerate() {
        let cy = top + pitch * i as f64 + pitch / 2.0;
        svg.text(
            x0 - 8.0,
            baseline(cy, FONT),
            FONT,
            "end",
            TEXT,
            &fit_label(name),
        );
        for (amount, y, colour, class, which) in [
            (*this, cy - bar_h - 1.0, BAR, "bar this-year", "本年"),
            (*last, cy + 1.0, BAR_LAST_YEAR, "bar last-year", "上年"),
        ] {
            let w = x_of(amount) - x0;
            let label = format_wan(amount);
            svg.rect(
                x0,
                y,
                w,
                bar_h,
                colour,
                Some(class),
                Some(&format!("{name} {which} {label} 万元")),
            );
            svg.text(
                x0 + w + 6.0,
                baseline(y + bar_h / 2.0, SMALL_FONT),
                SMALL_FONT,
                "start",
                TEXT,
                &label,
            );
        }
    }
    svg.line(x0, top - 6.0, x0, plot_bottom, MUTED, 1.0, None);
    svg.finish()
}

/// The push funnel (推送漏斗, issue #20 item 6): one horizontal bar per stage (推送 → 已联系 →
/// 已申请 → 已放款), labelled with the count and its share of the first stage.
pub fn funnel_chart(title: &str, stages: &[(String, i64)]) -> String {
    let first = stages.first().map_or(0, |(_, n)| *n);
    if stages.is_empty() || first == 0 {
        return empty_chart(title);
    }
    let label_w = label_width(stages.iter().map(|(name, _)| name.as_str()));
    let x0 = label_w + 16.0;
    let plot_w = WIDTH - x0 - VALUE_ROOM - 40.0;
    let top = 48.0;
    let pitch = 34.0;
    let bar_h = 20.0;
    let height = top + pitch * stages.len() as f64 + 16.0;
    let share = |n: i64| Decimal::from(n) * Decimal::from(100) / Decimal::from(first);
    let mut desc = String::new();
    for (i, (name, n)) in stages.iter().enumerate() {
        if i > 0 {
            desc.push('；');
        }
        desc.push_str(&format!("{name} {n}（{}）", format_pct(share(*n))));
    }
    desc.push('。');
    let mut svg = Svg::new(height, title, &desc);
    svg.title_text(title);
    for (i, (name, n)) in stages.iter().enumerate() {
        let y = top + pitch * i as f64;
        let cy = y + bar_h / 2.0;
        svg.text(
            x0 - 8.0,
            baseline(cy, FONT),
            FONT,
            "end",
            TEXT,
            &fit_label(name),
        );
        let w = plot_w * (*n).max(0) as f64 / first as f64;
        let label = format!("{n}（{}）", format_pct(share(*n)));
        svg.rect(
            x0,
            y,
            w,
            bar_h,
            BAR,
            Some("bar"),
            Some(&format!("{name} {label}")),
        );
        svg.text(
            x0 + w + 6.0,
            baseline(cy, SMALL_FONT),
            SMALL_FONT,
            "start",
            TEXT,
            &label,
        );
    }
    svg.finish()
}

/// A percentage with one decimal, half away from zero: `76.46` → `76.5%`, `100` → `100.0%`.
pub fn format_pct(v: Decimal) -> String {
    let mut r = v.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(1);
    format!("{r}%")
}

/// Fen as 万元 with two decimals and thousands separators, half away from zero, integer
/// arithmetic only: `123_456_789` → `123.46`, `-5_000` → `-0.01`.
pub fn format_wan(fen: i64) -> String {
    // 0.01 万元 = 100 元 = 10,000 fen.
    let abs = fen.unsigned_abs();
    let hundredths = abs / 10_000 + u64::from(abs % 10_000 >= 5_000);
    let sign = if fen < 0 && hundredths > 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:02}",
        group_thousands(hundredths / 100),
        hundredths % 100
    )
}

/// An axis tick in 万元 (a multiple of 0.01 万元): `150_000_000` → `150`, `12_345_000_000` →
/// `12,345`, `500_000` → `0.5`: trailing zeros dropped.
fn wan_tick(fen: i64) -> String {
    let full = format_wan(fen);
    match full.strip_suffix(".00") {
        Some(int) => int.to_string(),
        None => full.strip_suffix('0').unwrap_or(&full).to_string(),
    }
}

/// The chart for no rows: the title and "暂无数据".
fn empty_chart(title: &str) -> String {
    let mut svg = Svg::new(120.0, title, "暂无数据。");
    svg.title_text(title);
    svg.text(WIDTH / 2.0, 80.0, FONT + 1.0, "middle", MUTED, "暂无数据");
    svg.finish()
}

/// Axis for percentages: a step of 10, 20, 25, 50, 100, 200, … giving at most 6 intervals, and
/// the smallest multiple of it that reaches `largest`.
fn pct_axis(largest: Decimal) -> (Decimal, Decimal) {
    let mut base = Decimal::ONE;
    loop {
        for m in [10, 20, 25, 50] {
            // Only an absurd value (near Decimal's limit) overflows: then one interval.
            let Some(step) = base.checked_mul(Decimal::from(m)) else {
                return (largest, largest);
            };
            let n = (largest / step).ceil();
            if n <= Decimal::from(6) {
                let max = n.max(Decimal::ONE).checked_mul(step).unwrap_or(largest);
                return (max, step);
            }
        }
        base *= Decimal::TEN;
    }
}

/// Axis for money in fen: a step of 1, 2 or 5 × 10ⁿ fen (at least 0.01 万元) giving at most 5
/// intervals, and the smallest multiple of it that reaches `largest`.
fn fen_axis(largest: i64) -> (i64, i64) {
    let largest = largest.max(0).unsigned_abs();
    let mut base: u64 = 10_000;
    loop {
        for m in [1, 2, 5] {
            let step = base.saturating_mul(m);
            let n = largest.div_ceil(step).max(1);
            if n <= 5 || step == u64::MAX {
                let max = n.saturating_mul(step).min(i64::MAX as u64);
                return (max as i64, step.min(i64::MAX as u64) as i64);
            }
        }
        base = base.saturating_mul(10);
    }
}

fn ratio(v: Decimal, max: Decimal) -> f64 {
    if max <= Decimal::ZERO {
        return 0.0;
    }
    (v / max).to_f64().unwrap_or(0.0).clamp(0.0, 1.0)
}

/// Baseline for text vertically centred on `cy` (no `dominant-baseline`: Word and LibreOffice
/// ignore it).
fn baseline(cy: f64, font: f64) -> f64 {
    cy + font * 0.36
}

/// Approximate advance of a text in em: CJK and other wide characters 1, the rest 0.6.
fn text_em(s: &str) -> f64 {
    s.chars()
        .map(|c| if (c as u32) < 0x1100 { 0.6 } else { 1.0 })
        .sum()
}

fn label_width<'a>(names: impl Iterator<Item = &'a str>) -> f64 {
    names
        .map(|n| text_em(n) * FONT)
        .fold(48.0, f64::max)
        .min(MAX_LABEL)
}

/// Cuts a name that would not fit the label column, ending it with "…".
fn fit_label(name: &str) -> String {
    if text_em(name) * FONT <= MAX_LABEL {
        return name.to_string();
    }
    let mut out = String::new();
    let mut em = 1.0;
    for c in name.chars() {
        em += text_em(c.encode_utf8(&mut [0; 4]));
        if em * FONT > MAX_LABEL {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Text for XML content and attribute values: `& < > " '` escaped, characters XML cannot hold
/// (control characters, U+FFFE, U+FFFF) dropped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Pixel coordinate with at most one decimal, the same text on every platform.
fn px(v: f64) -> String {
    let tenths = (v * 10.0).round() as i64;
    if tenths % 10 == 0 {
        format!("{}", tenths / 10)
    } else {
        format!(
            "{}{}.{}",
            if tenths < 0 { "-" } else { "" },
            tenths.abs() / 10,
            tenths.abs() % 10
        )
    }
}

/// A tiny SVG writer; every text goes through `esc`.
struct Svg {
    out: String,
}

impl Svg {
    fn new(height: f64, title: &str, desc: &str) -> Svg {
        let (w, h) = (px(WIDTH), px(height));
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
             viewBox=\"0 0 {w} {h}\" role=\"img\" font-family=\"{}\">\n",
            esc(FONT_FAMILY)
        );
        out.push_str(&format!(
            "<title>{}</title>\n<desc>{}</desc>\n",
            esc(title),
            esc(desc)
        ));
        out.push_str(&format!(
            "<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n"
        ));
        Svg { out }
    }

    fn title_text(&mut self, title: &str) {
        self.out.push_str(&format!(
            "<text x=\"{}\" y=\"24\" font-size=\"{}\" font-weight=\"bold\" text-anchor=\"middle\" \
             fill=\"{TEXT}\">{}</text>\n",
            px(WIDTH / 2.0),
            px(TITLE_FONT),
            esc(title)
        ));
    }

    fn text(&mut self, x: f64, y: f64, size: f64, anchor: &str, fill: &str, s: &str) {
        self.out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{anchor}\" fill=\"{fill}\">{}</text>\n",
            px(x),
            px(y),
            px(size),
            esc(s)
        ));
    }

    /// A legend entry's text at `x`, centred on `cy`; returns where the next entry may start.
    fn legend_text(&mut self, x: f64, cy: f64, s: &str) -> f64 {
        self.text(x, baseline(cy, SMALL_FONT), SMALL_FONT, "start", TEXT, s);
        x + text_em(s) * SMALL_FONT
    }

    #[allow(clippy::too_many_arguments)]
    fn rect(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        fill: &str,
        class: Option<&str>,
        tooltip: Option<&str>,
    ) {
        let class = class
            .map(|c| format!(" class=\"{}\"", esc(c)))
            .unwrap_or_default();
        let attrs = format!(
            "x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"{class}",
            px(x),
            px(y),
            px(w.max(0.0)),
            px(h)
        );
        match tooltip {
            Some(t) => self
                .out
                .push_str(&format!("<rect {attrs}><title>{}</title></rect>\n", esc(t))),
            None => self.out.push_str(&format!("<rect {attrs}/>\n")),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn line(
        &mut self,
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        stroke: &str,
        width: f64,
        dash: Option<&str>,
    ) {
        let dash = dash
            .map(|d| format!(" stroke-dasharray=\"{d}\""))
            .unwrap_or_default();
        self.out.push_str(&format!(
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"{}\"{dash}/>\n",
            px(x1),
            px(y1),
            px(x2),
            px(y2),
            px(width)
        ));
    }

    fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).expect("chart is well-formed XML")
    }

    fn attr(n: roxmltree::Node, name: &str) -> f64 {
        n.attribute(name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .parse()
            .expect("number")
    }

    fn bars<'a>(doc: &'a roxmltree::Document<'a>, class: &str) -> Vec<roxmltree::Node<'a, 'a>> {
        doc.descendants()
            .filter(|n| {
                n.has_tag_name("rect")
                    && n.attribute("class")
                        .is_some_and(|c| c.split(' ').any(|c| c == class))
            })
            .collect()
    }

    fn texts(doc: &roxmltree::Document) -> Vec<String> {
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or_default().to_string())
            .collect()
    }

    fn rows(v: &[(&str, Option<Decimal>)]) -> Vec<(String, Option<Decimal>)> {
        v.iter().map(|(n, d)| (n.to_string(), *d)).collect()
    }

    #[test]
    fn completion_chart_is_an_accessible_svg_with_size_and_view_box() {
        let svg = completion_chart(
            "2026年第三季度各区目标完成率",
            &rows(&[("南山区", Some(dec!(76.46))), ("福田区", None)]),
            None,
        );
        let doc = parse(&svg);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("width"), Some("640"));
        let h = root.attribute("height").expect("height");
        assert_eq!(root.attribute("viewBox"), Some(&*format!("0 0 640 {h}")));
        assert!(
            root.attribute("font-family")
                .unwrap()
                .contains("Noto Sans CJK SC")
        );
        let first = root.first_element_child().expect("child");
        assert_eq!(first.tag_name().name(), "title");
        assert_eq!(first.text(), Some("2026年第三季度各区目标完成率"));
        let desc = root.children().find(|n| n.has_tag_name("desc")).unwrap();
        assert_eq!(
            desc.text(),
            Some("各区目标完成率：南山区 76.5%；福田区 未设目标。")
        );
        let t = texts(&doc);
        for want in ["南山区", "福田区", "76.5%", "未设目标", "100%", "目标 100%"] {
            assert!(t.iter().any(|s| s == want), "{want} in {t:?}");
        }
        // No target: no bar.
        assert_eq!(bars(&doc, "bar").len(), 1);
    }

    #[test]
    fn output_is_deterministic() {
        let r = rows(&[("南山区", Some(dec!(50))), ("宝安区", Some(dec!(120.25)))]);
        assert_eq!(
            completion_chart("t", &r, Some(dec!(75))),
            completion_chart("t", &r, Some(dec!(75)))
        );
        let y = vec![("南山区".to_string(), 1, 2)];
        assert_eq!(yoy_chart("t", &y), yoy_chart("t", &y));
    }

    #[test]
    fn names_and_titles_are_escaped() {
        let nasty = "A<&\"'>区\u{1}";
        let svg = completion_chart(nasty, &rows(&[(nasty, Some(dec!(10)))]), None);
        assert!(!svg.contains("A<&"));
        let doc = parse(&svg);
        let t = texts(&doc);
        assert!(t.iter().any(|s| s == "A<&\"'>区"), "{t:?}");
        let svg = yoy_chart(nasty, &[(nasty.to_string(), 100, 0)]);
        let doc = parse(&svg);
        assert!(texts(&doc).iter().any(|s| s == "A<&\"'>区"));
    }

    #[test]
    fn completion_bars_are_proportional_and_go_beyond_100() {
        let svg = completion_chart(
            "t",
            &rows(&[
                ("甲区", Some(dec!(50))),
                ("乙区", Some(dec!(100))),
                ("丙区", Some(dec!(150))),
            ]),
            None,
        );
        let doc = parse(&svg);
        let b = bars(&doc, "bar");
        let w: Vec<f64> = b.iter().map(|n| attr(*n, "width")).collect();
        assert_eq!(w.len(), 3);
        assert!((w[1] / w[0] - 2.0).abs() < 0.01, "{w:?}");
        assert!((w[2] / w[0] - 3.0).abs() < 0.01, "{w:?}");
        // The 100 % line sits at the end of the 100 % bar.
        let x0 = attr(b[1], "x");
        let target = doc
            .descendants()
            .find(|n| {
                n.has_tag_name("line")
                    && n.attribute("stroke") == Some(TARGET_LINE)
                    && n.attribute("x1") == n.attribute("x2")
            })
            .map(|n| attr(n, "x1"))
            .expect("100% line");
        assert!((x0 + w[1] - target).abs() < 0.11);
        assert!(texts(&doc).iter().any(|s| s == "150.0%"));
    }

    #[test]
    fn pace_line_and_lagging_bars() {
        let svg = completion_chart(
            "t",
            &rows(&[("甲区", Some(dec!(40))), ("乙区", Some(dec!(80)))]),
            Some(dec!(62.5)),
        );
        let doc = parse(&svg);
        let b = bars(&doc, "bar");
        assert_eq!(b[0].attribute("fill"), Some(BAR_LAGGING));
        assert_eq!(b[1].attribute("fill"), Some(BAR));
        let dashed: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("line") && n.attribute("stroke-dasharray").is_some())
            .collect();
        // Legend sample and the line itself.
        assert_eq!(dashed.len(), 2);
        let x_pace = attr(dashed[1], "x1");
        let expected = attr(b[0], "x") + attr(b[0], "width") * 62.5 / 40.0;
        assert!((x_pace - expected).abs() < 0.2, "{x_pace} vs {expected}");
        assert!(texts(&doc).iter().any(|s| s == "序时进度 62.5%"));
    }

    #[test]
    fn yoy_bars_labels_and_legend() {
        let rows = vec![
            ("南山区".to_string(), 123_456_789, 100_000_000),
            ("福田区".to_string(), 0, 61_728_394),
        ];
        let svg = yoy_chart("同比", &rows);
        let doc = parse(&svg);
        let this = bars(&doc, "this-year");
        let last = bars(&doc, "last-year");
        assert_eq!((this.len(), last.len()), (2, 2));
        let w = |n: roxmltree::Node| attr(n, "width");
        assert!((w(this[0]) / w(last[0]) - 1.23456789).abs() < 0.01);
        assert!((w(this[0]) / w(last[1]) - 2.0).abs() < 0.01);
        assert!(w(this[1]).abs() < f64::EPSILON, "a zero bar has no width");
        let t = texts(&doc);
        for want in [
            "123.46",
            "100.00",
            "0.00",
            "61.73",
            "本年",
            "上年同期",
            "单位：万元",
        ] {
            assert!(t.iter().any(|s| s == want), "{want} in {t:?}");
        }
    }

    #[test]
    fn empty_rows_say_no_data() {
        for svg in [completion_chart("空", &[], None), yoy_chart("空", &[])] {
            let doc = parse(&svg);
            assert!(texts(&doc).iter().any(|s| s == "暂无数据"));
            assert_eq!(doc.root_element().attribute("height"), Some("120"));
        }
    }

    #[test]
    fn extreme_values_do_not_panic() {
        let svg = completion_chart(
            "t",
            &rows(&[("甲", Some(Decimal::MAX)), ("乙", Some(dec!(-5)))]),
            Some(Decimal::MAX),
        );
        parse(&svg);
        let svg = yoy_chart(
            "t",
            &[("甲".into(), i64::MAX, i64::MIN), ("乙".into(), 0, 0)],
        );
        parse(&svg);
    }

    #[test]
    fn long_names_are_cut() {
        let long = "一二三四五六七八九十一二三四五六七八九十";
        let svg = completion_chart("t", &rows(&[(long, Some(dec!(1)))]), None);
        let t = texts(&parse(&svg));
        assert!(
            t.iter().any(|s| s.ends_with('…') && s.chars().count() < 16),
            "{t:?}"
        );
    }

    #[test]
    fn number_formats() {
        assert_eq!(format_pct(dec!(76.45)), "76.5%");
        assert_eq!(format_pct(dec!(100)), "100.0%");
        assert_eq!(format_pct(dec!(-3.25)), "-3.3%");
        assert_eq!(format_wan(0), "0.00");
        assert_eq!(format_wan(4_999), "0.00");
        assert_eq!(format_wan(5_000), "0.01");
        assert_eq!(format_wan(-5_000), "-0.01");
        assert_eq!(format_wan(-4_999), "0.00");
        assert_eq!(format_wan(123_456_789), "123.46");
        assert_eq!(format_wan(12_345_678_900_000), "12,345,678.90");
        assert_eq!(format_wan(i64::MIN), "-9,223,372,036,854.78");
        assert_eq!(wan_tick(150_000_000), "150");
        assert_eq!(wan_tick(12_345_000_000), "12,345");
        assert_eq!(wan_tick(500_000), "0.5");
        assert_eq!(wan_tick(20_000), "0.02");
        assert_eq!(px(-0.04), "0");
        assert_eq!(px(12.25), "12.3");
    }
}
