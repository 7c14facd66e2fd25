//! Renderers that lay one responsibility list (责任清单) out in the file formats offices use — XLSX, DOCX,
//! a government site's HTML page, and PDF through LibreOffice — so tests can import the bytes and compare
//! what the importer reads with the known truth.
#![allow(dead_code)] // Not every test binary uses every renderer.

use std::io::{Cursor, Write};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// One list as it is laid out on the page.
pub struct RenderDoc {
    /// Paragraphs before the table: title first, then notice text.
    pub before: Vec<String>,
    /// Header labels, e.g. ["序号", "重点任务", "工作任务", "牵头单位", "责任单位", "完成时限"].
    pub header: Vec<String>,
    /// Body rows, in order.
    pub rows: Vec<RenderRow>,
    /// Columns (indexes into header) whose equal consecutive non-empty values are one merged cell running down
    /// (a category cell merged down its tasks). A merge never crosses a Section row (nor a DOCX table break).
    pub merge_down: Vec<usize>,
    /// Paragraphs after the table (notes, 备注).
    pub after: Vec<String>,
    /// DOCX only: split the table into this many tables, each starting with the header row again
    /// (as offices paste one table per page); 1 = one table.
    pub docx_tables: usize,
}

/// One body row of a [`RenderDoc`].
pub enum RenderRow {
    /// A row spanning all columns: "一、优化企业开办服务".
    Section(String),
    /// One value per header column (numbers as text, e.g. "1"; empty string for an empty cell).
    Cells(Vec<String>),
}

/// A prose list (no table): paragraphs as written, e.g. "一、优化企业开办服务",
/// "1. 推行企业开办全程网办。（牵头单位：市市场监管局；责任单位：市税务局；完成时限：2024年6月底前）".
pub struct ProseDoc {
    /// The paragraphs, title first if the list has one.
    pub paragraphs: Vec<String>,
}

/// The text of column `col` in a row (empty for Section rows and missing cells).
fn cell(row: &RenderRow, col: usize) -> &str {
    match row {
        RenderRow::Cells(cells) => cells.get(col).map_or("", String::as_str),
        RenderRow::Section(_) => "",
    }
}

/// `spans[row][col]`: how many rows the cell at (row, col) runs down (1 = alone, 0 = covered by a cell above).
fn spans(rows: &[RenderRow], width: usize, merge_down: &[usize]) -> Vec<Vec<usize>> {
    let mut out = vec![vec![1; width]; rows.len()];
    for &col in merge_down.iter().filter(|&&c| c < width) {
        let mut start = 0;
        for (i, pair) in rows.windows(2).enumerate() {
            let (above, here) = (&pair[0], &pair[1]);
            let both_cells = matches!((above, here), (RenderRow::Cells(_), RenderRow::Cells(_)));
            if both_cells && !cell(here, col).is_empty() && cell(above, col) == cell(here, col) {
                out[i + 1][col] = 0;
                out[start][col] += 1;
            } else {
                start = i + 1;
            }
        }
    }
    out
}

/// Index of the 序号 column, if the header has one.
fn seq_column(header: &[String]) -> Option<usize> {
    header.iter().position(|h| h.trim() == "序号")
}

/// Writes `text` across columns 0..=last_col of `row` (merged unless the table is one column wide).
fn xlsx_line(ws: &mut Worksheet, row: u32, last_col: u16, text: &str, format: &Format) {
    if last_col == 0 {
        ws.write_string_with_format(row, 0, text, format).expect("write line");
    } else {
        ws.merge_range(row, 0, row, last_col, text, format).expect("merge line");
    }
}

/// The list as an .xlsx workbook: sheet "责任清单" with the title in row 1 merged across the table width, the
/// other `before` paragraphs below it merged the same way, the header, the body (Section rows merged across,
/// `merge_down` runs merged with `merge_range`, the 序号 column as numbers when the text is an integer), then
/// `after` right below the table; and a second sheet "说明" holding one line of text and no table.
pub fn xlsx(doc: &RenderDoc) -> Vec<u8> {
    let width = doc.header.len().max(1);
    let last_col = u16::try_from(width - 1).expect("table width fits a sheet");
    let seq = seq_column(&doc.header);
    let middle = || Format::new().set_align(FormatAlign::VerticalCenter).set_text_wrap();
    let title = middle().set_bold().set_font_size(16).set_align(FormatAlign::Center);
    let text = middle().set_align(FormatAlign::Left);
    let head = middle().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Center);
    let section = middle().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Left);
    let body = middle().set_border(FormatBorder::Thin);
    let body_center = body.clone().set_align(FormatAlign::Center);
    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet();
    ws.set_name("责任清单").expect("sheet name");
    for col in 0..=last_col {
        ws.set_column_width(col, if seq == Some(usize::from(col)) { 6 } else { 24 }).expect("column width");
    }
    let mut r: u32 = 0;
    for (i, p) in doc.before.iter().enumerate() {
        xlsx_line(ws, r, last_col, p, if i == 0 { &title } else { &text });
        r += 1;
    }
    for (c, label) in doc.header.iter().enumerate() {
        ws.write_string_with_format(r, c as u16, label, &head).expect("header");
    }
    r += 1;
    let spans = spans(&doc.rows, width, &doc.merge_down);
    for (i, row) in doc.rows.iter().enumerate() {
        if let RenderRow::Section(title) = row {
            xlsx_line(ws, r, last_col, title, &section);
        } else {
            for (c, &span) in spans[i].iter().enumerate().filter(|&(_, &span)| span > 0) {
                let (col, value) = (c as u16, cell(row, c));
                let format = if seq == Some(c) { &body_center } else { &body };
                if span > 1 {
                    ws.merge_range(r, col, r + span as u32 - 1, col, value, format).expect("merge down");
                }
                let written = match value.trim().parse::<i64>() {
                    Ok(n) if seq == Some(c) => ws.write_number_with_format(r, col, n as f64, format),
                    _ if span > 1 => continue,
                    _ if value.is_empty() => ws.write_blank(r, col, format),
                    _ => ws.write_string_with_format(r, col, value, format),
                };
                written.expect("cell");
            }
        }
        r += 1;
    }
    for p in &doc.after {
        xlsx_line(ws, r, last_col, p, &text);
        r += 1;
    }
    let notes = workbook.add_worksheet();
    notes.set_name("说明").expect("sheet name");
    notes.write_string(0, 0, "本表根据各单位报送情况汇总整理，具体以正式印发文件为准。").expect("note");
    workbook.save_to_buffer().expect("save workbook")
}

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const XML_DECL: &str = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>";
/// A4 landscape with 2 cm margins: the text width in twips.
const TEXT_WIDTH: usize = 16838 - 2 * 1134;
const CENTER: &str = "<w:jc w:val='center'/>";
const INDENT: &str = "<w:ind w:firstLineChars='200' w:firstLine='420'/>";

/// Escapes text for XML and HTML content and attribute values.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// `text` as two `<w:r>` runs split at the middle character, as Word splits runs at edit boundaries.
fn w_runs(text: &str, bold: bool, size: Option<u32>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let (first, second) = chars.split_at(chars.len() / 2);
    let bold = if bold { "<w:b/>" } else { "" };
    let size = size.map_or(String::new(), |s| format!("<w:sz w:val='{s}'/><w:szCs w:val='{s}'/>"));
    let mut out = String::new();
    for (part, lang) in [(first, ""), (second, "<w:lang w:eastAsia='zh-CN'/>")] {
        if !part.is_empty() {
            let part = esc(&part.iter().collect::<String>());
            out += &format!("<w:r><w:rPr><w:rFonts w:hint='eastAsia'/>{bold}{size}{lang}</w:rPr>");
            out += &format!("<w:t xml:space='preserve'>{part}</w:t></w:r>");
        }
    }
    out
}

/// One `<w:p>` with the given paragraph properties.
fn w_para(text: &str, ppr: &str, bold: bool, size: Option<u32>) -> String {
    format!("<w:p><w:pPr>{ppr}</w:pPr>{}</w:p>", w_runs(text, bold, size))
}

/// Paragraph `i` before a table or of a prose list: the first centred, bold and large as the title.
fn w_lead(i: usize, text: &str) -> String {
    if i == 0 { w_para(text, CENTER, true, Some(36)) } else { w_para(text, INDENT, false, None) }
}

/// One `<w:tc>`: `content` is its paragraph(s).
fn w_cell(width: usize, extra: &str, content: &str) -> String {
    format!(
        "<w:tc><w:tcPr><w:tcW w:w='{width}' w:type='dxa'/>{extra}<w:vAlign w:val='center'/></w:tcPr>{content}</w:tc>"
    )
}

/// Column widths in twips: a narrow 序号 column, the rest sharing the text width.
fn w_grid(header: &[String]) -> Vec<usize> {
    let width = header.len().max(1);
    let seq = seq_column(header).filter(|_| width > 1);
    let wide = (TEXT_WIDTH - seq.map_or(0, |_| 800)) / (width - usize::from(seq.is_some()));
    (0..width).map(|c| if seq == Some(c) { 800 } else { wide }).collect()
}

/// One `<w:tbl>`: the header row (repeated on each page) and `rows`.
fn w_table(doc: &RenderDoc, rows: &[RenderRow], grid: &[usize]) -> String {
    let border = |side: &str| format!("<w:{side} w:val='single' w:sz='4' w:space='0' w:color='000000'/>");
    let borders: String = ["top", "left", "bottom", "right", "insideH", "insideV"].map(border).concat();
    let mut out = format!(
        "<w:tbl><w:tblPr><w:tblW w:w='{TEXT_WIDTH}' w:type='dxa'/>{CENTER}<w:tblBorders>{borders}</w:tblBorders>\
         <w:tblLayout w:type='fixed'/><w:tblLook w:val='04A0'/></w:tblPr><w:tblGrid>"
    );
    for w in grid {
        out += &format!("<w:gridCol w:w='{w}'/>");
    }
    out += "</w:tblGrid><w:tr><w:trPr><w:tblHeader/></w:trPr>";
    for (label, &w) in doc.header.iter().zip(grid) {
        out += &w_cell(w, "", &w_para(label, CENTER, true, None));
    }
    out += "</w:tr>";
    let spans = spans(rows, grid.len(), &doc.merge_down);
    for (row, spans) in rows.iter().zip(&spans) {
        out += "<w:tr><w:trPr><w:cantSplit/></w:trPr>";
        if let RenderRow::Section(title) = row {
            let span = format!("<w:gridSpan w:val='{}'/>", grid.len());
            out += &w_cell(TEXT_WIDTH, &span, &w_para(title, "", true, None));
        } else {
            for (c, (&w, &span)) in grid.iter().zip(spans).enumerate() {
                out += &match span {
                    0 => w_cell(w, "<w:vMerge/>", "<w:p/>"),
                    _ if span > 1 => w_cell(w, "<w:vMerge w:val='restart'/>", &w_para(cell(row, c), "", false, None)),
                    _ => w_cell(w, "", &w_para(cell(row, c), "", false, None)),
                };
            }
        }
        out += "</w:tr>";
    }
    out + "</w:tbl>"
}

/// Zips a WordprocessingML package around `body` (the content of `<w:body>` before its `<w:sectPr>`).
fn w_package(body: &str) -> Vec<u8> {
    let ct = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    let content_types = format!(
        "{XML_DECL}<Types xmlns='http://schemas.openxmlformats.org/package/2006/content-types'>\
         <Default Extension='rels' ContentType='application/vnd.openxmlformats-package.relationships+xml'/>\
         <Default Extension='xml' ContentType='application/xml'/>\
         <Override PartName='/word/document.xml' ContentType='{ct}.document.main+xml'/>\
         <Override PartName='/word/styles.xml' ContentType='{ct}.styles+xml'/></Types>"
    );
    let rels = |kind: &str, target: &str| {
        format!(
            "{XML_DECL}<Relationships xmlns='{PKG_RELS}'>\
             <Relationship Id='rId1' Type='{R_NS}/{kind}' Target='{target}'/></Relationships>"
        )
    };
    let styles = format!(
        "{XML_DECL}<w:styles xmlns:w='{W_NS}'><w:docDefaults><w:rPrDefault><w:rPr>\
         <w:rFonts w:ascii='Times New Roman' w:eastAsia='宋体' w:hAnsi='Times New Roman' w:cs='Times New Roman'/>\
         <w:sz w:val='21'/><w:szCs w:val='21'/><w:lang w:val='en-US' w:eastAsia='zh-CN' w:bidi='ar-SA'/>\
         </w:rPr></w:rPrDefault><w:pPrDefault/></w:docDefaults>\
         <w:style w:type='paragraph' w:default='1' w:styleId='Normal'><w:name w:val='Normal'/><w:qFormat/></w:style>\
         </w:styles>"
    );
    let document = format!(
        "{XML_DECL}<w:document xmlns:w='{W_NS}' xmlns:r='{R_NS}'><w:body>{body}<w:sectPr>\
         <w:pgSz w:w='16838' w:h='11906' w:orient='landscape'/><w:pgMar w:top='1134' w:right='1134' \
         w:bottom='1134' w:left='1134' w:header='851' w:footer='992' w:gutter='0'/></w:sectPr></w:body></w:document>"
    );
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let parts = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", rels("officeDocument", "word/document.xml")),
        ("word/document.xml", document),
        ("word/_rels/document.xml.rels", rels("styles", "styles.xml")),
        ("word/styles.xml", styles),
    ];
    for (name, xml) in parts {
        zip.start_file(name, options).expect("zip entry");
        zip.write_all(xml.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip finish").into_inner()
}

/// The list as a minimal .docx (A4 landscape): `before` as paragraphs (title centred and bold), the table split
/// into `docx_tables` tables on their own pages (header row marked `<w:tblHeader/>` in each, Section rows one
/// cell with `<w:gridSpan>`, `merge_down` runs as `<w:vMerge w:val="restart"/>` over `<w:vMerge/>` cells holding
/// an empty `<w:p/>`, rows kept whole on a page, single ruling lines), every text split into two runs at its
/// middle character, then `after`.
pub fn docx(doc: &RenderDoc) -> Vec<u8> {
    let mut body = String::new();
    for (i, p) in doc.before.iter().enumerate() {
        body += &w_lead(i, p);
    }
    let grid = w_grid(&doc.header);
    let per_table = doc.rows.len().div_ceil(doc.docx_tables.max(1)).max(1);
    let chunks: Vec<&[RenderRow]> = if doc.rows.is_empty() { vec![&[]] } else { doc.rows.chunks(per_table).collect() };
    for (i, rows) in chunks.into_iter().enumerate() {
        if i > 0 {
            // Adjacent tables need a paragraph between them, or Word joins them; offices put a page break there.
            body += "<w:p><w:r><w:br w:type='page'/></w:r></w:p>";
        }
        body += &w_table(doc, rows, &grid);
    }
    body += "<w:p/>";
    for p in &doc.after {
        body += &w_para(p, "", false, None);
    }
    w_package(&body)
}

/// A prose list as the same .docx package: the paragraphs only, the first centred and bold as a title.
pub fn docx_prose(doc: &ProseDoc) -> Vec<u8> {
    w_package(&doc.paragraphs.iter().enumerate().map(|(i, p)| w_lead(i, p)).collect::<String>())
}

/// A government site's article page around `article` (the inner HTML of the article div).
fn html_page(title: &str, article: &str) -> String {
    let title = esc(title);
    format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="ArticleTitle" content="{title}">
<title>{title}_政策文件_示范市人民政府门户网站</title>
<link rel="stylesheet" href="/images/common.css"><script src="/js/jquery.min.js"></script>
<script>var _hmt = _hmt || []; if (1 < 2 && _hmt) {{ _hmt.push(["_trackPageview"]); }}</script>
</head>
<body>
<header class="top"><div class="logo"><a href="/"><img src="/images/logo.png" alt="示范市人民政府"></a></div>
  <nav class="nav"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/zwgk/zcwj/">政策文件</a>
  | <a href="/bsfw/">办事服务</a> | <a href="/hdjl/">互动交流</a></nav></header>
<div class="breadcrumb">当前位置：<a href="/">首页</a>&nbsp;&gt;&nbsp;<a href="/zwgk/">政务公开</a>
  &nbsp;&gt;&nbsp;<a href="/zwgk/zcwj/">政策文件</a></div>
<div class="article" id="zoom">
{article}</div>
<div class="tools">【<a href="javascript:print()">打印本页</a>】【<a href="javascript:close()">关闭</a>】</div>
<footer class="footer"><p>主办单位：示范市人民政府办公室&nbsp;&nbsp;承办单位：示范市大数据中心</p>
  <p>网站标识码：1100000001&nbsp;&nbsp;<a href="https://beian.miit.gov.cn/">示ICP备12345678号-1</a></p></footer>
<div class="links"><h3>相关链接</h3>
  <ul><li><a href="https://www.gov.cn/">中国政府网</a></li><li><a href="/bm/">市政府部门网站</a></li></ul></div>
</body>
</html>
"#
    )
}

/// Escaped text with a `<br>` after the punctuation mark nearest past the middle (or at the middle).
fn with_break(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mid = chars.len() / 2;
    let at = (mid..chars.len()).find(|&i| i > 0 && "，；、。".contains(chars[i - 1])).unwrap_or(mid);
    let (a, b): (String, String) = (chars[..at].iter().collect(), chars[at..].iter().collect());
    format!("{}<br>{}", esc(&a), esc(&b))
}

/// A cell's content with wrappers as pasted by a site's editor, chosen by position.
fn html_content(text: &str, row: usize, col: usize, long: bool) -> String {
    if text.is_empty() {
        return "&nbsp;".to_owned();
    }
    let inner = if long { with_break(text) } else { esc(text) };
    match (row + col) % 4 {
        1 => format!(r#"<span style="font-family:宋体;font-size:14px">{inner}</span>"#),
        2 => format!("\n      <p style=\"text-align:center\">{inner}</p>\n    "),
        3 => format!("{inner}&nbsp;"),
        _ => inner,
    }
}

/// The list as a government site's article page: `before` (title in `<h1>`), a `<table border="1">` whose first
/// `<tr>` is the header (`<td><strong>`), Section rows as `<td colspan="N">`, `merge_down` runs as `rowspan`,
/// then `after`. Cells carry site-editor markup: `&nbsp;` for empty cells and after some texts, `<span>` and `<p>`
/// wrappers, and the longest cell (20 characters or more) broken by a `<br>` after a punctuation mark.
pub fn html(doc: &RenderDoc) -> String {
    let width = doc.header.len().max(1);
    let mut out = String::new();
    for (i, p) in doc.before.iter().enumerate() {
        let (open, close) =
            if i == 0 { ("<h1 class=\"title\">", "</h1>") } else { ("<p style=\"text-indent:2em\">", "</p>") };
        out += &format!("{open}{}{close}\n", esc(p));
    }
    out += "<table border=\"1\" cellspacing=\"0\" cellpadding=\"0\" width=\"100%\">\n<tbody>\n  <tr>\n";
    for label in &doc.header {
        out += &format!("    <td style=\"text-align:center\"><strong>{}</strong></td>\n", esc(label));
    }
    out += "  </tr>\n";
    let longest = (0..doc.rows.len())
        .flat_map(|r| (0..width).map(move |c| (r, c)))
        .max_by_key(|&(r, c)| cell(&doc.rows[r], c).chars().count())
        .filter(|&(r, c)| cell(&doc.rows[r], c).chars().count() >= 20);
    let spans = spans(&doc.rows, width, &doc.merge_down);
    for (r, row) in doc.rows.iter().enumerate() {
        out += "  <tr>\n";
        if let RenderRow::Section(title) = row {
            out += &format!("    <td colspan=\"{width}\" align=\"left\"><strong>{}</strong></td>\n", esc(title));
        } else {
            for (c, &span) in spans[r].iter().enumerate().filter(|&(_, &span)| span > 0) {
                let rowspan = if span > 1 { format!(" rowspan=\"{span}\"") } else { String::new() };
                let content = html_content(cell(row, c), r, c, longest == Some((r, c)));
                out += &format!("    <td{rowspan} valign=\"middle\">{content}</td>\n");
            }
        }
        out += "  </tr>\n";
    }
    out += "</tbody>\n</table>\n";
    for p in &doc.after {
        out += &format!("<p>{}</p>\n", esc(p));
    }
    html_page(doc.before.first().map_or("", String::as_str), &out)
}

/// A prose list as the same page: the paragraphs as `<p>` in the article.
pub fn html_prose(doc: &ProseDoc) -> String {
    let article: String =
        doc.paragraphs.iter().map(|p| format!("<p style=\"text-indent:2em\">{}</p>\n", esc(p))).collect();
    html_page(doc.paragraphs.first().map_or("", String::as_str), &article)
}

/// The .docx printed to PDF by LibreOffice (`soffice --headless --convert-to pdf`); see [`convert`].
pub fn pdf_from_docx(docx: &[u8]) -> Option<Vec<u8>> {
    convert(docx, "docx", "pdf")
}

/// `bytes` (a file with extension `from`) converted by LibreOffice to `to` ("pdf", "doc", "xls")
/// in a fresh temp dir with a private profile, so parallel calls don't collide. `None` when
/// soffice cannot be spawned (not installed); panics when it runs but writes nothing.
pub fn convert(bytes: &[u8], from: &str, to: &str) -> Option<Vec<u8>> {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("qingdan-render-{}-{call}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    let input = dir.join(format!("list.{from}"));
    std::fs::write(&input, bytes).expect("write the input");
    let output = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", dir.join("profile").display()))
        .args(["--headless", "--norestore", "--convert-to", to, "--outdir"])
        .arg(dir.join("out"))
        .arg(&input)
        .output();
    let converted = output.as_ref().ok().map(|_| std::fs::read(dir.join("out").join(format!("list.{to}"))));
    let _ = std::fs::remove_dir_all(&dir);
    match (output, converted) {
        (Ok(_), Some(Ok(bytes))) => Some(bytes),
        (Ok(out), _) => panic!("soffice made no {to} ({}): {}", out.status, String::from_utf8_lossy(&out.stderr)),
        (Err(_), _) => None,
    }
}
