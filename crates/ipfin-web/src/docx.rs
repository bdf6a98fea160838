//! Word (.docx) documents — the quarterly bulletin (季度通报), meeting minutes (会议纪要) and
//! district summaries: a small builder over `docx-rs` with A4 pages, Chinese fonts named but not
//! embedded, headings, paragraphs with bold runs, tables with a header row and right-aligned
//! numeric columns, and charts from the SVG strings of `chart.rs`.
//!
//! # Two layouts
//!
//! * [`Layout::Report`] — a working document: 宋体 小四 body, 黑体 headings, page numbers
//!   centred. District summaries use it.
//! * [`Layout::Official`] — an official document after GB/T 9704-2012 (党政机关公文格式): the
//!   版心 156 × 225 mm (top 37 mm, left 28 mm), 22 lines of 28.95 pt on a line grid, body
//!   仿宋_GB2312 三号, title 方正小标宋简体 二号, level-1 headings 黑体, level-2 楷体_GB2312,
//!   the 版头 ([`DocBuilder::letterhead`]: the red 发文机关标志 or 纪要标志, the 发文字号 and the red
//!   separator line), 主送机关, 落款 with the 成文日期 written in Chinese, the 版记 with the 印发机关
//!   and 印发日期 at the foot of the last page, and page numbers "— 1 —" in 四号 宋体 (odd pages on
//!   the right, even pages on the left, one character in). Bulletins and minutes use it.
//!
//! Fonts are named, not embedded. Each run names its East Asian font; `word/fontTable.xml`
//! gives each official font the one Windows ships under another name as `w:altName`
//! (仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体, 方正小标宋简体 → 华文中宋), so Word substitutes a
//! look-alike where the government fonts are not installed; LibreOffice falls back to any
//! Simplified Chinese font (the document language says zh-CN).
//!
//! [`DocBuilder::properties`] writes `docProps/core.xml` itself: the issuing organisation as
//! creator and last editor, the title, the language and the issue date (created and modified,
//! noon Beijing time so every time zone shows the same day).
//!
//! # How charts are embedded
//!
//! Each chart is stored twice in the package and drawn once:
//!
//! * a **PNG** (`word/media/rIdChartN.png`), rendered from the SVG with `resvg` at 3× (about 300
//!   dpi at the printed size), is the picture's ordinary `<a:blip>`. Every reader shows it:
//!   LibreOffice (checked with 7.4: it ignores the SVG extension below and draws the PNG), WPS,
//!   Word 2007–2013, Word Online and previewers.
//! * the **SVG** itself (`word/media/rIdChartN.svg`) is referenced from the same blip through
//!   Office's `asvg:svgBlip` extension, which Word 2016+ / Microsoft 365 prefer: they draw the
//!   vector chart, sharp at any zoom, with the reader's own Chinese fonts (微软雅黑 on Windows).
//!
//! `docx-rs` 0.4 writes only PNG media, so the SVG part, its relationship, its content type and
//! the extension element are added to the finished package in [`finish_package`].
//!
//! The PNG's text is shaped with the fonts installed on the server (`fontdb` loads them once).
//! With no CJK font installed the code still works, but Chinese labels are missing from the PNG
//! (not from the SVG): install `fonts-noto-cjk` on servers that export documents.

use chrono::NaiveDate;
use docx_rs::{
    AlignmentType, BorderType, BreakType, DocGrid, DocGridType, Docx, Footer, LineSpacing,
    LineSpacingType, PageMargin, PageNum, Paragraph, ParagraphBorder, ParagraphBorderPosition,
    ParagraphBorders, Pic, Run, RunFonts, Shading, SpecialIndentType, Style, StyleType, Tab,
    TabValueType, Table, TableAlignmentType, TableCell, TableLayoutType, TableRow, VAlignType,
    WidthType,
};
use resvg::{tiny_skia, usvg};
use std::io::{Cursor, Read, Write};
use std::sync::{Arc, LazyLock};

/// Something that could not be turned into a document.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    /// A chart's SVG could not be parsed or rendered.
    #[error("chart {index}: {reason}")]
    Chart { index: usize, reason: String },
    /// Writing the ZIP package failed.
    #[error("writing the .docx package: {0}")]
    Package(String),
    /// A figure the document shows could not be computed (an amount beyond what fen holds).
    #[error("figures: {0}")]
    Figures(String),
}

/// A run of text inside a paragraph: plain or bold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub bold: bool,
}

impl Span {
    pub fn plain(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            bold: false,
        }
    }

    pub fn bold(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            bold: true,
        }
    }
}

/// A table column: its header, its share of the text width (weights are relative: 2 is twice as
/// wide as 1) and whether its cells are numbers (right-aligned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub header: String,
    pub weight: u32,
    pub numeric: bool,
}

impl Column {
    /// A text column, left-aligned.
    pub fn text(header: impl Into<String>, weight: u32) -> Column {
        Column {
            header: header.into(),
            weight,
            numeric: false,
        }
    }

    /// A number column, right-aligned.
    pub fn numeric(header: impl Into<String>, weight: u32) -> Column {
        Column {
            header: header.into(),
            weight,
            numeric: true,
        }
    }
}

/// How a document is set (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// 宋体 小四 body, 黑体 headings, page numbers centred.
    #[default]
    Report,
    /// GB/T 9704-2012: 仿宋_GB2312 三号 on a 22-line grid, 小标宋 title, page numbers outside.
    Official,
}

/// What the line under a 版头's mark says, above the red separator line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadLine {
    /// Centred: the 发文字号 (`知融通〔2026〕3号`).
    Centred(String),
    /// Left and right, one character in from each edge: the 纪要's issuing organisation and date.
    Split(String, String),
}

/// The document's metadata (`docProps/core.xml`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Properties {
    creator: String,
    title: String,
    date: NaiveDate,
}

#[derive(Debug, Clone)]
enum Block {
    Title(String),
    Heading(u8, String),
    Paragraph(Vec<Span>),
    /// A line flush left in 黑体 (the 附件 label).
    Label(String),
    /// `label：text`, the label in 黑体, lines after the first aligned after the colon.
    Labelled(String, String),
    /// An empty line of the grid (GB/T 9704's 空一行).
    Blank,
    Table(Vec<Column>, Vec<Vec<String>>),
    Chart {
        svg: String,
        caption: Option<String>,
    },
    PageBreak,
    Letterhead {
        mark: String,
        below: HeadLine,
    },
    Addressee(String),
    Signature {
        organisation: String,
        date: String,
    },
    Imprint {
        by: String,
        date: String,
    },
}

/// Builds a document block by block; [`DocBuilder::build`] writes the .docx bytes.
///
/// ```ignore
/// let mut doc = DocBuilder::official();
/// doc.letterhead("深圳市市场监督管理局文件", HeadLine::Centred("知融通〔2026〕3号".into()))
///     .title("2026年第三季度知识产权质押融资工作通报")
///     .addressee("各区知识产权质押融资工作领导小组：")
///     .heading(1, "一、总体情况")
///     .paragraph("全市新增质押融资……")
///     .table(&[Column::text("区", 2), Column::numeric("金额（万元）", 1)], &rows)
///     .chart(&chart::completion_chart("目标完成率", &data, None), Some("图1 各区目标完成率"))
///     .signature("深圳市市场监督管理局", date)
///     .imprint("深圳市市场监督管理局", date);
/// let bytes = doc.build()?;
/// ```
#[derive(Debug, Clone, Default)]
pub struct DocBuilder {
    layout: Layout,
    properties: Option<Properties>,
    blocks: Vec<Block>,
}

// Page: A4 portrait, margins after the national standard for official documents (GB/T 9704:
// top 37 mm, bottom 35 mm, left 28 mm, right 26 mm), so the text is 156 mm wide and 225 mm high.
const A4_W_TWIPS: u32 = 11_906;
const A4_H_TWIPS: u32 = 16_838;
const MARGIN_MM: (u32, u32, u32, u32) = (37, 35, 28, 26);
const TEXT_W_MM: u32 = 210 - MARGIN_MM.2 - MARGIN_MM.3;
const EMU_PER_MM: u64 = 36_000;

const BODY_FONT: &str = "宋体";
const HEADING_FONT: &str = "黑体";
const LATIN_FONT: &str = "Times New Roman";
/// Body 小四 (12 pt), table 五号 (10.5 pt), in half-points.
const BODY_SIZE: usize = 24;
const TABLE_SIZE: usize = 21;

/// GB/T 9704's fonts: body, title, level-2 heading (level 1 is 黑体, page numbers 宋体).
pub const OFFICIAL_BODY_FONT: &str = "仿宋_GB2312";
pub const OFFICIAL_TITLE_FONT: &str = "方正小标宋简体";
pub const OFFICIAL_KAI_FONT: &str = "楷体_GB2312";
/// Each official font with the font Windows ships under another name, written as its
/// `w:altName` so Word substitutes it where the government font is missing.
const FONT_FALLBACKS: &[(&str, &str)] = &[
    (OFFICIAL_BODY_FONT, "仿宋"),
    (OFFICIAL_KAI_FONT, "楷体"),
    (OFFICIAL_TITLE_FONT, "华文中宋"),
    (HEADING_FONT, "SimHei"),
    (BODY_FONT, "SimSun"),
];
/// 三号 (16 pt) body and headings, 二号 (22 pt) title, 四号 (14 pt) page numbers and 版记.
const OFFICIAL_SIZE: usize = 32;
const OFFICIAL_TITLE_SIZE: usize = 44;
const OFFICIAL_SMALL_SIZE: usize = 28;
/// The line pitch: 225 mm / 22 lines = 28.98 pt ≈ 579 twips (GB/T 9704: 22 lines of 28
/// characters a page).
const OFFICIAL_LINE: u32 = 579;
/// One character of 三号 (16 pt) in twips; indents are counted in characters.
const OFFICIAL_CHAR: i32 = 320;
/// The 发文机关标志 at most 初号 (42 pt), smaller when the name would not fit one line.
const MARK_MAX_PT: u32 = 42;
/// The 发文机关标志's (and 纪要标志's) top edge below the text area's top edge.
const MARK_TOP_MM: u32 = 35;
/// The mark's and the separator's red.
const RED: &str = "FF0000";

/// Render charts at 3× their CSS pixel size: about 300 dpi at the 156 mm text width.
const CHART_SCALE: f32 = 3.0;
/// The largest chart bitmap accepted (pixels), so a runaway SVG cannot exhaust memory.
const MAX_CHART_PIXELS: u64 = 40_000_000;

fn mm_to_twips(mm: u32) -> i32 {
    // 1 inch = 25.4 mm = 1440 twips, to the nearest twip.
    i32::try_from((u64::from(mm) * 14_400 + 127) / 254).unwrap_or(i32::MAX)
}

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii(LATIN_FONT)
        .hi_ansi(LATIN_FONT)
        .cs(LATIN_FONT)
}

/// A date as official documents write it: `2026年10月15日` (Arabic numerals, GB/T 9704 7.3.5),
/// by the one formatter the pages use.
pub use ipfin_domain::format::date_zh as date_cn;

/// The width of `s` in characters of the body font: a Chinese character is one, a Latin letter
/// or digit half.
fn em_width(s: &str) -> u32 {
    let halves: u32 = s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    halves.div_ceil(2)
}

/// The 发文机关标志's size in half-points: 初号 at most, shrunk so the whole name fits the
/// 156 mm line (442 pt) with a little room.
fn mark_size(mark: &str) -> usize {
    let chars = em_width(mark).max(1);
    let pt = (420 / chars).clamp(16, MARK_MAX_PT);
    pt as usize * 2
}

impl DocBuilder {
    /// A document in the [`Layout::Report`] layout.
    pub fn new() -> DocBuilder {
        DocBuilder::default()
    }

    /// A document in the [`Layout::Official`] layout (GB/T 9704).
    pub fn official() -> DocBuilder {
        DocBuilder {
            layout: Layout::Official,
            ..DocBuilder::default()
        }
    }

    /// The document's metadata: the issuing organisation (creator and last editor), the title,
    /// and the issue date (created and modified).
    pub fn properties(&mut self, creator: &str, title: &str, date: NaiveDate) -> &mut Self {
        self.properties = Some(Properties {
            creator: ipfin_domain::text::printable(creator).into_owned(),
            title: ipfin_domain::text::printable(title).into_owned(),
            date,
        });
        self
    }

    /// The 版头: the mark (发文机关标志 or 纪要标志) centred in red 小标宋, then the line below it
    /// (the 发文字号, or the 纪要's organisation and date) and the red separator line across the
    /// text width.
    pub fn letterhead(&mut self, mark: &str, below: HeadLine) -> &mut Self {
        self.blocks.push(Block::Letterhead {
            mark: mark.to_string(),
            below,
        });
        self
    }

    /// The document's title: centred; 小标宋 二号 (official) or 黑体 二号 (report).
    pub fn title(&mut self, text: &str) -> &mut Self {
        self.blocks.push(Block::Title(text.to_string()));
        self
    }

    /// The 主送机关: a line below the title, flush left, ending in a full-width colon.
    pub fn addressee(&mut self, text: &str) -> &mut Self {
        self.blocks.push(Block::Addressee(text.to_string()));
        self
    }

    /// A heading, level 1–3 (others are clamped), in the navigation pane. Official: 黑体,
    /// 楷体_GB2312, 仿宋 bold, 三号, indented two characters like the body. Report: 黑体
    /// 16 / 14 / 12 pt.
    pub fn heading(&mut self, level: u8, text: &str) -> &mut Self {
        self.blocks
            .push(Block::Heading(level.clamp(1, 3), text.to_string()));
        self
    }

    /// A body paragraph, first line indented two characters.
    pub fn paragraph(&mut self, text: &str) -> &mut Self {
        self.blocks.push(Block::Paragraph(vec![Span::plain(text)]));
        self
    }

    /// A body paragraph made of runs, some of them bold.
    pub fn rich_paragraph(&mut self, spans: &[Span]) -> &mut Self {
        self.blocks.push(Block::Paragraph(spans.to_vec()));
        self
    }

    /// A line flush left in 黑体, such as the 附件 label at the top of an attachment.
    pub fn label(&mut self, text: &str) -> &mut Self {
        self.blocks.push(Block::Label(text.to_string()));
        self
    }

    /// A labelled line such as the 纪要's `出席：…`: two characters in, the label and its
    /// full-width colon in 黑体, the text in the body font; its further lines start under the
    /// text's first character (GB/T 9704 10.3).
    pub fn labelled(&mut self, label: &str, text: &str) -> &mut Self {
        self.blocks
            .push(Block::Labelled(format!("{label}："), text.to_string()));
        self
    }

    /// An empty line (空一行).
    pub fn blank_line(&mut self) -> &mut Self {
        self.blocks.push(Block::Blank);
        self
    }

    /// A table across the text width: a shaded, bold header row from `columns`, then `rows`.
    /// A row shorter than `columns` is padded with empty cells; cells beyond the last column are
    /// not shown.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<String>]) -> &mut Self {
        self.blocks
            .push(Block::Table(columns.to_vec(), rows.to_vec()));
        self
    }

    /// A chart from an SVG string (as made by `chart.rs`), centred and scaled to the text width
    /// keeping its proportions, with an optional caption below. See the module documentation for
    /// how it is stored; the SVG is checked when the document is built.
    pub fn chart(&mut self, svg: &str, caption: Option<&str>) -> &mut Self {
        self.blocks.push(Block::Chart {
            svg: svg.to_string(),
            caption: caption.map(str::to_string),
        });
        self
    }

    /// Starts a new page.
    pub fn page_break(&mut self) -> &mut Self {
        self.blocks.push(Block::PageBreak);
        self
    }

    /// The 落款 of a document without seal: after an empty line, the issuing organisation and
    /// below it the 成文日期 in Chinese, both to the right; the date two characters in from the
    /// right edge, its first character two characters right of the organisation's (GB/T 9704
    /// 7.3.5.2; a long name moves right instead, so the date keeps its place).
    pub fn signature(&mut self, organisation: &str, date: NaiveDate) -> &mut Self {
        self.blocks.push(Block::Signature {
            organisation: organisation.to_string(),
            date: date_cn(date),
        });
        self
    }

    /// The 版记 at the foot of the last page: between two rules, the 印发机关 one character in
    /// from the left and the 印发日期 with 印发 one character in from the right, 四号.
    pub fn imprint(&mut self, by: &str, date: NaiveDate) -> &mut Self {
        self.blocks.push(Block::Imprint {
            by: by.to_string(),
            date: format!("{}印发", date_cn(date)),
        });
        self
    }

    /// The .docx file's bytes.
    pub fn build(&self) -> Result<Vec<u8>, DocxError> {
        let official = self.layout == Layout::Official;
        let mut docx = base_document(self.layout);
        let mut charts = Vec::new();
        // A page break becomes "page break before" on the next paragraph, so the new page does
        // not start with an empty line; before a table it is a paragraph of its own.
        let mut new_page = false;
        let indent = if official { 2 * OFFICIAL_CHAR } else { 480 };
        // The 落款 never stands alone on a page (GB/T 9704 7.3.5): the paragraphs just before it
        // (the body's last one, the 附件说明, the empty line) stay on its page.
        let mut keep = vec![false; self.blocks.len()];
        for (i, b) in self.blocks.iter().enumerate() {
            if matches!(b, Block::Signature { .. }) {
                for k in keep.iter_mut().take(i).skip(i.saturating_sub(3)) {
                    *k = true;
                }
            }
        }
        for (i, block) in self.blocks.iter().enumerate() {
            match block {
                Block::Title(t) => {
                    let p = Paragraph::new()
                        .style("Title")
                        .keep_next(true)
                        .add_run(text_run(t));
                    docx = docx.add_paragraph(on_new_page(p, &mut new_page))
                }
                Block::Heading(level, t) => {
                    let p = Paragraph::new()
                        .style(&format!("Heading{level}"))
                        .keep_next(true)
                        .add_run(text_run(t));
                    docx = docx.add_paragraph(on_new_page(p, &mut new_page))
                }
                Block::Paragraph(spans) => {
                    let mut p = Paragraph::new()
                        .indent(None, Some(SpecialIndentType::FirstLine(indent)), None, None)
                        .keep_next(keep[i]);
                    for s in spans {
                        let mut run = text_run(&s.text);
                        if s.bold {
                            run = run.bold();
                        }
                        p = p.add_run(run);
                    }
                    docx = docx.add_paragraph(on_new_page(p, &mut new_page));
                }
                Block::Label(t) => {
                    let p = Paragraph::new().add_run(text_run(t).fonts(fonts(HEADING_FONT)));
                    docx = docx.add_paragraph(on_new_page(p, &mut new_page));
                }
                Block::Labelled(label, text) => {
                    let char_w = if official { OFFICIAL_CHAR } else { 240 };
                    let label_w = em_width(label) as i32 * char_w;
                    let p = Paragraph::new()
                        .indent(
                            Some(2 * char_w + label_w),
                            Some(SpecialIndentType::Hanging(label_w)),
                            None,
                            None,
                        )
                        .add_run(text_run(label).fonts(fonts(HEADING_FONT)))
                        .add_run(text_run(text));
                    docx = docx.add_paragraph(on_new_page(p, &mut new_page));
                }
                Block::Blank => {
                    let p = Paragraph::new().keep_next(keep[i]);
                    docx = docx.add_paragraph(on_new_page(p, &mut new_page));
                }
                Block::Addressee(t) => {
                    // 标题下空一行 (the title's style leaves it), flush left.
                    let p = Paragraph::new().add_run(text_run(t));
                    docx = docx.add_paragraph(on_new_page(p, &mut new_page));
                }
                Block::Letterhead { mark, below } => {
                    for p in letterhead(mark, below) {
                        docx = docx.add_paragraph(on_new_page(p, &mut new_page));
                    }
                }
                Block::Signature { organisation, date } => {
                    let p = Paragraph::new().keep_next(true);
                    docx = docx.add_paragraph(on_new_page(p, &mut new_page));
                    let (org_in, date_in) = signature_indents(organisation, date);
                    for (text, right, next) in
                        [(organisation, org_in, true), (date, date_in, false)]
                    {
                        docx = docx.add_paragraph(
                            Paragraph::new()
                                .align(AlignmentType::Right)
                                .indent(None, None, Some(right * OFFICIAL_CHAR), None)
                                .keep_next(next)
                                .add_run(text_run(text)),
                        );
                    }
                }
                Block::Imprint { by, date } => {
                    docx = docx.add_paragraph(imprint(by, date));
                }
                Block::Table(columns, rows) => {
                    if std::mem::take(&mut new_page) {
                        docx = docx.add_paragraph(page_break_paragraph());
                    }
                    docx = docx.add_table(table(columns, rows))
                }
                Block::Chart { svg, caption } => {
                    let index = charts.len() + 1;
                    let id = format!("rIdChart{index}");
                    let pic = chart_picture(svg, &id)
                        .map_err(|reason| DocxError::Chart { index, reason })?;
                    charts.push(ChartPart {
                        svg,
                        alt: alt_text(svg),
                    });
                    let p = on_new_page(Paragraph::new(), &mut new_page);
                    docx = docx.add_paragraph(
                        p.align(AlignmentType::Center)
                            .snap_to_grid(false)
                            // Single spacing: with the body's 1.5 lines LibreOffice draws the
                            // picture over the text above it (and an exact line would clip it).
                            .line_spacing(
                                LineSpacing::new()
                                    .line_rule(LineSpacingType::Auto)
                                    .line(240)
                                    .before(120)
                                    .after(60),
                            )
                            .keep_next(caption.is_some())
                            .add_run(Run::new().add_image(pic)),
                    );
                    if let Some(c) = caption {
                        docx = docx.add_paragraph(
                            Paragraph::new()
                                .align(AlignmentType::Center)
                                .snap_to_grid(false)
                                .add_run(text_run(c).size(TABLE_SIZE)),
                        );
                    }
                }
                Block::PageBreak => {
                    if std::mem::replace(&mut new_page, true) {
                        // Two breaks in a row: the first one leaves an empty page.
                        docx = docx.add_paragraph(page_break_paragraph());
                    }
                }
            }
        }
        if new_page {
            docx = docx.add_paragraph(page_break_paragraph());
        }
        let mut out = Cursor::new(Vec::new());
        docx.pack(&mut out)
            .map_err(|e| DocxError::Package(e.to_string()))?;
        finish_package(&out.into_inner(), &charts, self.properties.as_ref())
    }
}

/// `p`, starting a new page if one was asked for since the last paragraph.
fn on_new_page(p: Paragraph, new_page: &mut bool) -> Paragraph {
    if std::mem::take(new_page) {
        p.page_break_before(true)
    } else {
        p
    }
}

fn page_break_paragraph() -> Paragraph {
    Paragraph::new().add_run(Run::new().add_break(BreakType::Page))
}

/// A run that keeps line breaks in `text` as line breaks. Every text of a document enters here;
/// characters XML cannot hold (NUL, `\x01` … already stored before they were refused) are
/// dropped and a vertical tab becomes a line break, so Word always opens the file.
fn text_run(text: &str) -> Run {
    let text = ipfin_domain::text::printable(text);
    let mut run = Run::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    run
}

fn text_width_twips() -> usize {
    usize::try_from(mm_to_twips(TEXT_W_MM)).unwrap_or(0)
}

fn exact(line: u32) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(i32::try_from(line).unwrap_or(i32::MAX))
        .before(0)
        .after(0)
}

/// The 版头's paragraphs: the mark, an empty line, the line below it with the red rule under it
/// (4 mm down), and the two empty lines before the title.
fn letterhead(mark: &str, below: &HeadLine) -> Vec<Paragraph> {
    let size = mark_size(mark);
    let mark = Paragraph::new()
        .align(AlignmentType::Center)
        // The mark is larger than a grid line: its own height, not the exact pitch; its top
        // edge 35 mm below the text area's (GB/T 9704 7.2.2 and 10.3).
        .line_spacing(
            LineSpacing::new()
                .line_rule(LineSpacingType::Auto)
                .line(240)
                .before(u32::try_from(mm_to_twips(MARK_TOP_MM)).unwrap_or(0))
                .after(0),
        )
        .snap_to_grid(false)
        .add_run(
            text_run(mark)
                .fonts(fonts(OFFICIAL_TITLE_FONT))
                .size(size)
                .color(RED),
        );
    let mut line = match below {
        HeadLine::Centred(t) => Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(text_run(t)),
        HeadLine::Split(left, right) => Paragraph::new()
            .indent(Some(OFFICIAL_CHAR), None, Some(OFFICIAL_CHAR), None)
            .add_tab(
                Tab::new()
                    .val(TabValueType::Right)
                    .pos(text_width_twips().saturating_sub(2 * OFFICIAL_CHAR as usize)),
            )
            .add_run(
                text_run(left)
                    .add_tab()
                    .add_text(ipfin_domain::text::printable(right)),
            ),
    };
    // 发文字号之下 4 mm 处，与版心等宽的红色分隔线: a bottom border 11 pt below the line.
    line.property = line.property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                .val(BorderType::Single)
                .size(12)
                .space(11)
                .color(RED),
        ),
    );
    vec![mark, Paragraph::new(), line, Paragraph::new()]
}

/// The right indents (in characters) of the 落款's organisation and date.
fn signature_indents(organisation: &str, date: &str) -> (i32, i32) {
    let (org, date) = (em_width(organisation) as i32, em_width(date) as i32);
    // The date two characters in, starting two characters right of the organisation's start:
    // the organisation's right edge is then 2 + date - (org - 2) characters in. A longer name
    // stays two characters in and the date moves left to start two characters after it.
    let org_in = 4 + date - org;
    if org_in >= 2 {
        (org_in, 2)
    } else {
        (2, (org - date).max(0))
    }
}

/// The 版记: the 印发机关 and 印发日期 between a rule above and below, in a frame held at the
/// foot of the last page's text area.
fn imprint(by: &str, date: &str) -> Paragraph {
    let width = text_width_twips();
    let rule = |position| {
        ParagraphBorder::new(position)
            .val(BorderType::Single)
            // 0.35 mm: 1 pt in eighths of a point.
            .size(8)
            .space(4)
            .color("000000")
    };
    let mut p = Paragraph::new()
        .indent(
            Some(OFFICIAL_SMALL_SIZE as i32 * 10),
            None,
            Some(OFFICIAL_SMALL_SIZE as i32 * 10),
            None,
        )
        .add_tab(
            Tab::new()
                .val(TabValueType::Right)
                .pos(width.saturating_sub(2 * OFFICIAL_SMALL_SIZE * 10)),
        )
        .line_spacing(exact(OFFICIAL_LINE))
        .wrap("around")
        .v_anchor("margin")
        .h_anchor("margin")
        .y_align("bottom")
        .frame_width(u32::try_from(width).unwrap_or(0))
        .add_run(
            text_run(by)
                .size(OFFICIAL_SMALL_SIZE)
                .add_tab()
                .add_text(ipfin_domain::text::printable(date)),
        );
    p.property = p.property.set_borders(
        ParagraphBorders::with_empty()
            .set(rule(ParagraphBorderPosition::Top))
            .set(rule(ParagraphBorderPosition::Bottom)),
    );
    p
}

/// A footer with the page number between one-character dashes ("— 1 —"), 四号 宋体 for official
/// documents, 五号 for reports.
fn page_number(align: AlignmentType, size: usize, indent: (Option<i32>, Option<i32>)) -> Footer {
    let dash = |s: &str| Run::new().add_text(s).size(size).fonts(fonts(BODY_FONT));
    Footer::new().add_paragraph(
        Paragraph::new()
            .align(align)
            .indent(indent.0, None, indent.1, None)
            .line_spacing(
                LineSpacing::new()
                    .line_rule(LineSpacingType::Auto)
                    .line(240),
            )
            .add_run(dash("— "))
            .add_page_num(PageNum::new())
            .add_run(dash(" —")),
    )
}

/// Page set-up, default fonts and the heading styles of the layout.
fn base_document(layout: Layout) -> Docx {
    let (top, bottom, left, right) = MARGIN_MM;
    let margins = PageMargin::new()
        .top(mm_to_twips(top))
        .bottom(mm_to_twips(bottom))
        .left(mm_to_twips(left))
        .right(mm_to_twips(right))
        .header(mm_to_twips(15));
    let docx = Docx::new().page_size(A4_W_TWIPS, A4_H_TWIPS);
    match layout {
        Layout::Report => {
            let heading = |id: &str, name: &str, size: usize, level: usize| {
                Style::new(id, StyleType::Paragraph)
                    .name(name)
                    .based_on("Normal")
                    .next("Normal")
                    .fonts(fonts(HEADING_FONT))
                    .size(size)
                    .outline_lvl(level)
                    .line_spacing(LineSpacing::new().before(240).after(120))
            };
            docx.page_margin(margins.footer(mm_to_twips(20)))
                .default_fonts(fonts(BODY_FONT))
                .default_size(BODY_SIZE)
                .default_line_spacing(
                    LineSpacing::new()
                        .line_rule(LineSpacingType::Auto)
                        .line(360)
                        .after(0),
                )
                .add_style(
                    Style::new("Title", StyleType::Paragraph)
                        .name("Title")
                        .based_on("Normal")
                        .next("Normal")
                        .fonts(fonts(HEADING_FONT))
                        .size(44)
                        .align(AlignmentType::Center)
                        .line_spacing(LineSpacing::new().before(240).after(480)),
                )
                .add_style(heading("Heading1", "heading 1", 32, 0))
                .add_style(heading("Heading2", "heading 2", 28, 1))
                .add_style(heading("Heading3", "heading 3", 24, 2))
                .footer(page_number(AlignmentType::Center, TABLE_SIZE, (None, None)))
        }
        Layout::Official => {
            let heading = |id: &str, name: &str, font: &str, level: usize| {
                Style::new(id, StyleType::Paragraph)
                    .name(name)
                    .based_on("Normal")
                    .next("Normal")
                    .fonts(fonts(font))
                    .size(OFFICIAL_SIZE)
                    .outline_lvl(level)
                    .indent(
                        None,
                        Some(SpecialIndentType::FirstLine(2 * OFFICIAL_CHAR)),
                        None,
                        None,
                    )
            };
            let one_char = Some(OFFICIAL_SMALL_SIZE as i32 * 10);
            let mut docx = docx
                // 页码 7 mm below the text area: the footer's foot about 23 mm above the page's.
                .page_margin(margins.footer(mm_to_twips(23)))
                .default_fonts(fonts(OFFICIAL_BODY_FONT))
                .default_size(OFFICIAL_SIZE)
                .default_line_spacing(exact(OFFICIAL_LINE))
                .add_style(
                    Style::new("Title", StyleType::Paragraph)
                        .name("Title")
                        .based_on("Normal")
                        .next("Normal")
                        .fonts(fonts(OFFICIAL_TITLE_FONT))
                        .size(OFFICIAL_TITLE_SIZE)
                        .align(AlignmentType::Center)
                        // Two lines of the title, then the empty line before the 主送机关.
                        .line_spacing(
                            LineSpacing::new()
                                .line_rule(LineSpacingType::Exact)
                                .line(700)
                                .before(0)
                                .after(OFFICIAL_LINE),
                        ),
                )
                .add_style(heading("Heading1", "heading 1", HEADING_FONT, 0))
                .add_style(heading("Heading2", "heading 2", OFFICIAL_KAI_FONT, 1))
                .add_style(heading("Heading3", "heading 3", OFFICIAL_BODY_FONT, 2).bold())
                // 单页码居右空一字，双页码居左空一字.
                .footer(page_number(
                    AlignmentType::Right,
                    OFFICIAL_SMALL_SIZE,
                    (None, one_char),
                ))
                .even_footer(page_number(
                    AlignmentType::Left,
                    OFFICIAL_SMALL_SIZE,
                    (one_char, None),
                ));
            docx.document = docx.document.doc_grid(
                DocGrid::new()
                    .grid_type(DocGridType::Lines)
                    .line_pitch(OFFICIAL_LINE as usize),
            );
            docx
        }
    }
}

fn table(columns: &[Column], rows: &[Vec<String>]) -> Table {
    let text_w = u64::try_from(mm_to_twips(TEXT_W_MM)).unwrap_or(0);
    let total: u64 = columns.iter().map(|c| u64::from(c.weight.max(1))).sum();
    let widths: Vec<usize> = columns
        .iter()
        .map(|c| usize::try_from(text_w * u64::from(c.weight.max(1)) / total.max(1)).unwrap_or(0))
        .collect();
    let cell = |text: &str, width: usize, align: AlignmentType, bold: bool| {
        let mut run = text_run(text).size(TABLE_SIZE);
        if bold {
            run = run.bold();
        }
        TableCell::new()
            .width(width, WidthType::Dxa)
            .vertical_align(VAlignType::Center)
            .add_paragraph(
                Paragraph::new()
                    .align(align)
                    // Off the official layout's line grid: rows as high as their text.
                    .snap_to_grid(false)
                    .line_spacing(
                        LineSpacing::new()
                            .line_rule(LineSpacingType::Auto)
                            .line(240)
                            .before(40)
                            .after(40),
                    )
                    .add_run(run),
            )
    };
    let header = TableRow::new(
        columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                cell(&c.header, *w, AlignmentType::Center, true)
                    .shading(Shading::new().fill("D9E2F3"))
            })
            .collect(),
    )
    .cant_split();
    let mut table_rows = vec![header];
    for row in rows {
        table_rows.push(
            TableRow::new(
                columns
                    .iter()
                    .zip(&widths)
                    .enumerate()
                    .map(|(i, (c, w))| {
                        let text = row.get(i).map(String::as_str).unwrap_or("");
                        let align = if c.numeric {
                            AlignmentType::Right
                        } else {
                            AlignmentType::Left
                        };
                        cell(text, *w, align, false)
                    })
                    .collect(),
            )
            .cant_split(),
        );
    }
    Table::new(table_rows)
        .set_grid(widths)
        .width(usize::try_from(text_w).unwrap_or(0), WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .align(TableAlignmentType::Center)
}

/// A chart's SVG and the alternative text for its picture.
struct ChartPart<'a> {
    svg: &'a str,
    alt: (String, String),
}

/// The SVG's `<title>` and `<desc>`, for the picture's alternative text (screen readers).
fn alt_text(svg: &str) -> (String, String) {
    let Ok(doc) = usvg::roxmltree::Document::parse(svg) else {
        return Default::default();
    };
    let child_text = |tag: &str| {
        doc.root_element()
            .children()
            .find(|n| n.has_tag_name(tag))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_string()
    };
    (child_text("title"), child_text("desc"))
}

/// Fonts for rendering chart text into PNGs: the system's, loaded once per process.
/// The charts name Noto Sans CJK, 微软雅黑 and 苹方 before `sans-serif`; where none of them is
/// installed, `sans-serif` is the first Chinese font found here (fontdb's own default, Arial, is
/// rarely on a Linux server, and without it the PNG had no text at all).
static CHART_FONTS: LazyLock<Arc<usvg::fontdb::Database>> = LazyLock::new(|| {
    const CJK: &[&str] = &[
        "Noto Sans CJK SC",
        "Source Han Sans SC",
        "WenQuanYi Micro Hei",
        "WenQuanYi Zen Hei",
        "Droid Sans Fallback",
        "AR PL UMing CN",
    ];
    let mut db = usvg::fontdb::Database::new();
    db.load_system_fonts();
    let installed = |name: &str| {
        db.faces()
            .any(|f| f.families.iter().any(|(family, _)| family == name))
    };
    if let Some(name) = CJK.iter().find(|n| installed(n)) {
        db.set_sans_serif_family(*name);
    }
    Arc::new(db)
});

/// The chart as a picture: PNG rendered from `svg`, sized to at most the text width.
fn chart_picture(svg: &str, id: &str) -> Result<Pic, String> {
    let (png, w_px, h_px) = render_png(svg)?;
    // CSS px are 1/96 in; shrink to the text width if wider, keeping the proportions.
    let natural_w_emu = (f64::from(w_px) * 25.4 / 96.0 * EMU_PER_MM as f64) as u64;
    let w_emu = natural_w_emu.min(u64::from(TEXT_W_MM) * EMU_PER_MM).max(1);
    let h_emu = w_emu * u64::from(h_px) / u64::from(w_px.max(1));
    let to_u32 = |v: u64| u32::try_from(v).map_err(|_| "chart too large".to_string());
    Ok(Pic::new_with_dimensions(png, w_px, h_px)
        .size(to_u32(w_emu)?, to_u32(h_emu)?)
        .id(id))
}

/// Renders `svg` to PNG at [`CHART_SCALE`] with the system's fonts; returns the PNG and the SVG's
/// size in CSS px.
fn render_png(svg: &str) -> Result<(Vec<u8>, u32, u32), String> {
    render_png_with(svg, Arc::clone(&CHART_FONTS))
}

fn render_png_with(
    svg: &str,
    fonts: Arc<usvg::fontdb::Database>,
) -> Result<(Vec<u8>, u32, u32), String> {
    let options = usvg::Options {
        fontdb: fonts,
        // Charts are self-contained: never read files or URLs named in an SVG.
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        },
        languages: vec!["zh-CN".to_string(), "en".to_string()],
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let size = tree.size();
    let (w_px, h_px) = (size.width().ceil() as u32, size.height().ceil() as u32);
    let (w, h) = (
        (size.width() * CHART_SCALE).ceil() as u32,
        (size.height() * CHART_SCALE).ceil() as u32,
    );
    if u64::from(w) * u64::from(h) > MAX_CHART_PIXELS {
        return Err(format!("{w_px}×{h_px} px is too large to render"));
    }
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or("empty chart")?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(CHART_SCALE, CHART_SCALE),
        &mut pixmap.as_mut(),
    );
    let png = encode_png(&pixmap, png::Compression::Balanced).map_err(|e| e.to_string())?;
    Ok((png, w_px, h_px))
}

/// The pixmap as PNG, marked as 300 dpi. The pixmap was filled white before drawing, so every
/// pixel is opaque and its premultiplied bytes are plain RGBA: no conversion pass is needed.
fn encode_png(
    pixmap: &tiny_skia::Pixmap,
    compression: png::Compression,
) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(compression);
    encoder.set_pixel_dims(Some(png::PixelDimensions {
        xppu: 11_811,
        yppu: 11_811,
        unit: png::Unit::Meter,
    }));
    let mut writer = encoder.write_header()?;
    writer.write_image_data(pixmap.data())?;
    writer.finish()?;
    Ok(out)
}

/// Office's extension URI for an SVG alternative of a picture (Word 2016+).
const SVG_BLIP_EXT: &str = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}";
const SVG_NS: &str = "http://schemas.microsoft.com/office/drawing/2016/SVG/main";
const IMAGE_REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image";

/// What `docx-rs` 0.4 cannot write, added to its finished package:
///
/// * the document language (Latin en-US, East Asian zh-CN) in the default run properties, so
///   Word applies Chinese line-breaking and punctuation rules and LibreOffice falls back to a
///   Simplified Chinese font (not a Japanese one) where 宋体/黑体 are missing;
/// * the Chinese fonts in `word/fontTable.xml`, each with the font to use where it is missing
///   (`w:altName`) and the GB2312 character set;
/// * the core properties (`docProps/core.xml`) when the document has [`Properties`];
/// * each chart's SVG next to its PNG: the media part `word/media/rIdChartN.svg`, a
///   relationship `rIdChartNSvg`, the `svg` content type, and an `asvg:svgBlip` in the picture's
///   `<a:blip>`. `charts[i]` belongs to the picture whose relationship is `rIdChart{i+1}`;
/// * a distinct drawing id per picture (docx-rs gives every picture id 1, which Word may report
///   as damaged content) and the chart's title and description as alternative text.
fn finish_package(
    docx: &[u8],
    charts: &[ChartPart],
    properties: Option<&Properties>,
) -> Result<Vec<u8>, DocxError> {
    let err = |e: &dyn std::fmt::Display| DocxError::Package(e.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(docx)).map_err(|e| err(&e))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| err(&e))?;
        let name = entry.name().map_err(|e| err(&e))?.to_string();
        if entry.is_dir() {
            continue;
        }
        let mut xml = String::new();
        let patched = match name.as_str() {
            "docProps/core.xml" => properties.map(core_properties),
            "word/styles.xml"
            | "word/document.xml"
            | "word/fontTable.xml"
            | "word/_rels/document.xml.rels"
            | "[Content_Types].xml" => {
                entry.read_to_string(&mut xml).map_err(|e| err(&e))?;
                Some(match name.as_str() {
                    "word/styles.xml" => with_languages(&xml)?,
                    "word/fontTable.xml" => with_chinese_fonts(&xml)?,
                    "word/document.xml" => {
                        with_chart_drawings(&with_repeating_headers(&xml), charts)?
                    }
                    _ if charts.is_empty() => xml,
                    "word/_rels/document.xml.rels" => with_svg_relationships(&xml, charts.len())?,
                    _ => with_svg_content_type(&xml)?,
                })
            }
            _ => None,
        };
        match patched {
            Some(text) => {
                out.start_file(name, options).map_err(|e| err(&e))?;
                out.write_all(text.as_bytes()).map_err(|e| err(&e))?;
            }
            None => {
                drop(entry);
                let entry = archive.by_index_raw(i).map_err(|e| err(&e))?;
                out.raw_copy_file(entry).map_err(|e| err(&e))?;
            }
        }
    }
    for (i, chart) in charts.iter().enumerate() {
        out.start_file(format!("word/media/rIdChart{}.svg", i + 1), options)
            .map_err(|e| err(&e))?;
        out.write_all(chart.svg.as_bytes()).map_err(|e| err(&e))?;
    }
    let bytes = out.finish().map_err(|e| err(&e))?.into_inner();
    Ok(bytes)
}

/// `docProps/core.xml` for a document with properties. The dates are the issue date at noon
/// Beijing time (04:00 UTC), which is the same calendar day in every time zone from UTC−4 to
/// UTC+12 and the day itself in the text.
fn core_properties(p: &Properties) -> String {
    let when = format!("{}T04:00:00Z", p.date.format("%Y-%m-%d"));
    let (creator, title) = (xml_attr(&p.creator), xml_attr(&p.title));
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:title>{title}</dc:title><dc:creator>{creator}</dc:creator><cp:lastModifiedBy>{creator}</cp:lastModifiedBy>\
         <dc:language>zh-CN</dc:language><cp:revision>1</cp:revision>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">{when}</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{when}</dcterms:modified></cp:coreProperties>"
    )
}

/// The font table with the Chinese fonts the documents name, each with its fallback.
fn with_chinese_fonts(xml: &str) -> Result<String, DocxError> {
    let end = xml
        .rfind("</w:fonts>")
        .ok_or_else(|| missing("</w:fonts>"))?;
    let mut fonts = String::new();
    for (name, alt) in FONT_FALLBACKS {
        fonts.push_str(&format!(
            "<w:font w:name=\"{name}\"><w:altName w:val=\"{alt}\" /><w:charset w:val=\"86\" />\
             <w:family w:val=\"modern\" /><w:pitch w:val=\"fixed\" /></w:font>"
        ));
    }
    Ok(format!("{}{fonts}{}", &xml[..end], &xml[end..]))
}

fn missing(what: &str) -> DocxError {
    DocxError::Package(format!("docx-rs output changed: {what} not found"))
}

fn with_languages(styles: &str) -> Result<String, DocxError> {
    const DEFAULT_RUN: &str = "</w:rPr></w:rPrDefault>";
    let at = styles
        .find(DEFAULT_RUN)
        .ok_or_else(|| missing(DEFAULT_RUN))?;
    Ok(format!(
        "{}<w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\" />{}",
        &styles[..at],
        &styles[at..]
    ))
}

/// Marks each table's first row as a header row (`w:tblHeader`), repeated on every page the table
/// runs onto. Every row this builder writes carries `<w:trPr><w:cantSplit /></w:trPr>`.
fn with_repeating_headers(xml: &str) -> String {
    const ROW_PROPS: &str = "<w:trPr><w:cantSplit /></w:trPr>";
    const HEADER_ROW_PROPS: &str = "<w:trPr><w:cantSplit /><w:tblHeader /></w:trPr>";
    let mut out = String::with_capacity(xml.len() + 64);
    let mut rest = xml;
    while let Some(at) = rest.find("<w:tbl>") {
        let (before, table) = rest.split_at(at);
        out.push_str(before);
        match table.find(ROW_PROPS) {
            Some(row) => {
                out.push_str(&table[..row]);
                out.push_str(HEADER_ROW_PROPS);
                rest = &table[row + ROW_PROPS.len()..];
            }
            None => {
                out.push_str(table);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn with_chart_drawings(xml: &str, charts: &[ChartPart]) -> Result<String, DocxError> {
    const DOC_PR: &str = "<wp:docPr id=\"1\" name=\"Figure\" />";
    let mut xml = xml.to_string();
    for (i, chart) in charts.iter().enumerate() {
        let n = i + 1;
        let blip = format!("<a:blip r:embed=\"rIdChart{n}\" />");
        let with_svg = format!(
            "<a:blip r:embed=\"rIdChart{n}\"><a:extLst><a:ext uri=\"{SVG_BLIP_EXT}\">\
             <asvg:svgBlip xmlns:asvg=\"{SVG_NS}\" r:embed=\"rIdChart{n}Svg\" />\
             </a:ext></a:extLst></a:blip>"
        );
        // Pictures appear in document order, so the first unpatched drawing is chart n.
        let (title, desc) = &chart.alt;
        let doc_pr = format!(
            "<wp:docPr id=\"{n}\" name=\"图表 {n}\" title=\"{}\" descr=\"{}\" />",
            xml_attr(title),
            xml_attr(desc)
        );
        for (from, to) in [(&blip, &with_svg), (&DOC_PR.to_string(), &doc_pr)] {
            if !xml.contains(from.as_str()) {
                return Err(missing(from));
            }
            xml = xml.replacen(from.as_str(), to, 1);
        }
    }
    Ok(xml)
}

/// Text for an XML attribute value (line breaks kept as character references).
fn xml_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

fn with_svg_relationships(xml: &str, charts: usize) -> Result<String, DocxError> {
    let end = xml
        .rfind("</Relationships>")
        .ok_or_else(|| missing("</Relationships>"))?;
    let mut rels = String::new();
    for n in 1..=charts {
        rels.push_str(&format!(
            "<Relationship Id=\"rIdChart{n}Svg\" Type=\"{IMAGE_REL}\" Target=\"media/rIdChart{n}.svg\" />"
        ));
    }
    Ok(format!("{}{rels}{}", &xml[..end], &xml[end..]))
}

fn with_svg_content_type(xml: &str) -> Result<String, DocxError> {
    if xml.contains("Extension=\"svg\"") {
        return Ok(xml.to_string());
    }
    let end = xml.rfind("</Types>").ok_or_else(|| missing("</Types>"))?;
    Ok(format!(
        "{}<Default Extension=\"svg\" ContentType=\"image/svg+xml\" />{}",
        &xml[..end],
        &xml[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart;
    use rust_decimal_macros::dec;

    fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a ZIP");
        (0..zip.len())
            .filter_map(|i| {
                let mut f = zip.by_index(i).expect("entry");
                let mut data = Vec::new();
                f.read_to_end(&mut data).expect("read");
                (!f.is_dir()).then(|| (f.name().expect("name").to_string(), data))
            })
            .collect()
    }

    fn text(parts: &std::collections::BTreeMap<String, Vec<u8>>, name: &str) -> String {
        String::from_utf8(parts.get(name).unwrap_or_else(|| panic!("{name}")).clone())
            .expect("UTF-8")
    }

    fn sample() -> DocBuilder {
        // Shenzhen's districts, made-up figures.
        let districts = [
            ("南山区", Some(dec!(112.4)), 1_234_567_800, 987_654_300),
            ("福田区", Some(dec!(76.5)), 856_000_000, 912_300_000),
            ("罗湖区", Some(dec!(48.0)), 310_450_000, 120_000_000),
            ("盐田区", Some(dec!(81.25)), 95_000_000, 88_000_000),
            ("宝安区", Some(dec!(99.96)), 1_020_000_000, 700_000_000),
            ("龙岗区", Some(dec!(64.3)), 640_000_000, 655_000_000),
            ("龙华区", Some(dec!(70.0)), 402_300_000, 380_000_000),
            ("坪山区", Some(dec!(35.8)), 88_800_000, 30_000_000),
            ("光明区", Some(dec!(90.1)), 150_000_000, 149_990_000),
            ("大鹏新区", None, 0, 15_000_000),
            ("深汕特别合作区", Some(dec!(0)), 0, 0),
        ];
        let completion = chart::completion_chart(
            "各区目标完成率",
            &districts
                .iter()
                .map(|(n, c, _, _)| (n.to_string(), *c))
                .collect::<Vec<_>>(),
            Some(dec!(75.0)),
        );
        let yoy = chart::yoy_chart(
            "各区本季度融资额与上年同期对比",
            &districts
                .iter()
                .map(|(n, _, a, b)| (n.to_string(), *a, *b))
                .collect::<Vec<_>>(),
        );
        let mut doc = DocBuilder::new();
        doc.title("2026年第三季度知识产权质押融资工作通报")
            .heading(1, "一、总体情况")
            .rich_paragraph(&[
                Span::plain("前三季度，全市知识产权质押融资登记金额"),
                Span::bold("240.10亿元"),
                Span::plain("，同比增长12.3%。"),
            ])
            .heading(2, "（一）各区完成情况")
            .table(
                &[
                    Column::numeric("排名", 1),
                    Column::text("区 & <单位>", 3),
                    Column::numeric("融资额（万元）", 3),
                    Column::numeric("完成率", 2),
                ],
                &[
                    vec![
                        "1".into(),
                        "南山区".into(),
                        "123,456.78".into(),
                        "112.4%".into(),
                    ],
                    vec![
                        "2".into(),
                        "福田区".into(),
                        "85,600.00".into(),
                        "76.5%".into(),
                    ],
                    vec!["3".into(), "罗湖区".into()],
                ],
            )
            .chart(&completion, Some("图1 各区目标完成率"))
            .paragraph("说明：完成率按登记日期统计。\n第二行。")
            .chart(&yoy, None)
            .page_break()
            .heading(1, "附表 各区分季度数据");
        let rows: Vec<Vec<String>> = districts
            .iter()
            .flat_map(|(n, _, a, b)| {
                (1..=4).map(move |q| {
                    vec![
                        n.to_string(),
                        format!("第{q}季度"),
                        chart::format_wan(a * q / 4),
                        chart::format_wan(b * q / 4),
                    ]
                })
            })
            .collect();
        doc.table(
            &[
                Column::text("区", 3),
                Column::text("季度", 2),
                Column::numeric("本年（万元）", 3),
                Column::numeric("上年同期（万元）", 3),
            ],
            &rows,
        );
        doc
    }

    #[test]
    fn docx_holds_texts_table_and_each_chart_as_png_and_svg() {
        let bytes = sample().build().expect("docx");
        let parts = unzip(&bytes);
        let doc = text(&parts, "word/document.xml");
        roxmltree::Document::parse(&doc).expect("document.xml is XML");
        for want in [
            "2026年第三季度知识产权质押融资工作通报",
            "一、总体情况",
            "240.10亿元",
            "区 &amp; &lt;单位&gt;",
            "123,456.78",
            "图1 各区目标完成率",
            "第二行。",
        ] {
            assert!(doc.contains(want), "{want}");
        }
        assert_eq!(doc.matches("<w:tbl>").count(), 2);
        assert_eq!(doc.matches("<w:tr>").count(), 4 + 1 + 44);
        assert_eq!(doc.matches("<w:tblHeader />").count(), 2);
        assert_eq!(doc.matches("<w:pageBreakBefore />").count(), 1);
        assert!(!doc.contains("w:type=\"page\""));
        assert!(doc.contains("<w:jc w:val=\"right\" />"));
        assert!(doc.contains("w:pStyle w:val=\"Heading2\""));
        assert_eq!(doc.matches("asvg:svgBlip").count(), 2);
        assert!(doc.contains("<wp:docPr id=\"1\" name=\"图表 1\" title=\"各区目标完成率\""));
        assert!(doc.contains("<wp:docPr id=\"2\" name=\"图表 2\""));
        assert!(doc.contains("descr=\"各区目标完成率：南山区 112.4%；"));
        for n in 1..=2 {
            let png = &parts[&format!("word/media/rIdChart{n}.png")];
            assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
            let svg = text(&parts, &format!("word/media/rIdChart{n}.svg"));
            assert!(svg.starts_with("<svg"));
            assert!(doc.contains(&format!("r:embed=\"rIdChart{n}\"")));
            assert!(doc.contains(&format!("r:embed=\"rIdChart{n}Svg\"")));
        }
        let rels = text(&parts, "word/_rels/document.xml.rels");
        roxmltree::Document::parse(&rels).expect("rels are XML");
        assert!(rels.contains("Target=\"media/rIdChart1.png\""));
        assert!(rels.contains("Target=\"media/rIdChart2.svg\""));
        let types = text(&parts, "[Content_Types].xml");
        roxmltree::Document::parse(&types).expect("content types are XML");
        assert!(types.contains("Extension=\"svg\""));
        assert!(types.contains("Extension=\"png\""));
        let styles = text(&parts, "word/styles.xml");
        assert!(styles.contains("w:eastAsia=\"宋体\""));
        assert!(styles.contains("w:eastAsia=\"黑体\""));
        assert!(styles.contains("w:eastAsia=\"zh-CN\""));
        roxmltree::Document::parse(&styles).expect("styles are XML");
        assert!(doc.contains("w:w=\"11906\"") && doc.contains("w:h=\"16838\""));
    }

    #[test]
    fn chart_keeps_its_proportions_within_the_text_width() {
        let svg = chart::yoy_chart("t", &[("甲".into(), 1, 2), ("乙".into(), 3, 4)]);
        let (_, w, h) = render_png(&svg).expect("renders");
        let pic = chart_picture(&svg, "rIdChart1").expect("picture");
        assert_eq!(pic.size.0, TEXT_W_MM * EMU_PER_MM as u32);
        let ratio = f64::from(pic.size.1) / f64::from(pic.size.0);
        assert!((ratio - f64::from(h) / f64::from(w)).abs() < 0.001);
    }

    #[test]
    fn charts_render_without_any_font_installed() {
        let svg = chart::completion_chart("无字体", &[("南山区".into(), Some(dec!(50)))], None);
        let empty = Arc::new(usvg::fontdb::Database::new());
        let (png, w, h) = render_png_with(&svg, empty).expect("renders without fonts");
        assert!(png.starts_with(b"\x89PNG"));
        assert_eq!((w, h), (640, 128));
    }

    #[test]
    fn documents_are_reproducible_and_need_no_charts() {
        assert_eq!(sample().build().unwrap(), sample().build().unwrap());
        let mut doc = DocBuilder::new();
        doc.heading(7, "只有文字").paragraph("正文");
        doc.table(&[Column::text("甲", 1)], &[vec!["1".into()]])
            .table(&[Column::numeric("乙", 1)], &[]);
        let parts = unzip(&doc.build().expect("docx"));
        let xml = text(&parts, "word/document.xml");
        assert!(xml.contains("Heading3"));
        assert_eq!(xml.matches("<w:tblHeader />").count(), 2);
        roxmltree::Document::parse(&xml).expect("document.xml is XML");
        assert!(!parts.keys().any(|k| k.starts_with("word/media/")));
    }

    #[test]
    fn page_breaks_before_tables_and_at_the_end_are_paragraphs() {
        let mut doc = DocBuilder::new();
        doc.paragraph("一")
            .page_break()
            .table(&[Column::text("甲", 1)], &[])
            .page_break()
            .page_break()
            .paragraph("二")
            .page_break();
        let parts = unzip(&doc.build().expect("docx"));
        let xml = text(&parts, "word/document.xml");
        assert_eq!(xml.matches("w:type=\"page\"").count(), 3);
        assert_eq!(xml.matches("<w:pageBreakBefore />").count(), 1);
    }

    #[test]
    fn a_broken_chart_is_an_error_not_a_panic() {
        let mut doc = DocBuilder::new();
        doc.chart(&chart::yoy_chart("t", &[]), None)
            .chart("<svg", None);
        match doc.build() {
            Err(DocxError::Chart { index: 2, .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    /// Writes a sample bulletin to /tmp for a look in LibreOffice:
    /// `cargo test -p ipfin-web --lib docx::tests::write_sample -- --ignored`, then
    /// `soffice --headless --convert-to pdf --outdir /tmp /tmp/ipfin-bulletin-sample.docx` and
    /// `pdftoppm -png -r 60 /tmp/ipfin-bulletin-sample.pdf /tmp/ipfin-bulletin-page`.
    #[test]
    #[ignore]
    fn write_sample() {
        let bytes = sample().build().expect("docx");
        std::fs::write("/tmp/ipfin-bulletin-sample.docx", bytes).expect("write");
        let parts = unzip(&std::fs::read("/tmp/ipfin-bulletin-sample.docx").unwrap());
        for (name, data) in parts.iter().filter(|(n, _)| n.starts_with("word/media/")) {
            let file = name.trim_start_matches("word/media/");
            std::fs::write(format!("/tmp/ipfin-{file}"), data).expect("write");
        }
    }
}
