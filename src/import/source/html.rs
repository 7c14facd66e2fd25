//! Web pages saved from a government site: the article's paragraphs and tables in document
//! order, the site's chrome (navigation, header, footer, side bars, scripts, forms) left out.
//! Tables: the leaf tables (a table holding tables is page layout, read through), with
//! `colspan`/`rowspan` placed as browsers place them. Pages in GB2312/GBK are decoded by
//! their `charset`.

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node};

use super::MAX_CELLS;
use super::table::{GridBuilder, Place, Source, SourceError, Table};

/// Pages are parsed into a tree in memory: larger pages are refused.
const MAX_HTML_BYTES: usize = 16 << 20;

/// Elements that are never the article.
const CHROME_TAGS: [&str; 13] = [
    "nav", "header", "footer", "aside", "script", "style", "noscript", "form", "select", "button", "iframe", "head",
    "template",
];
/// Class or id fragments of site chrome.
const CHROME_HINTS: [&str; 12] = [
    "nav",
    "menu",
    "footer",
    "foot",
    "breadcrumb",
    "crumb",
    "sidebar",
    "share",
    "copyright",
    "banner",
    "related",
    "friendlink",
];
const BLOCK_TAGS: [&str; 22] = [
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "section",
    "article",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "dl",
    "center",
    "tr",
    "td",
    "main",
];

pub fn read_html(bytes: &[u8]) -> Result<Source, SourceError> {
    if bytes.len() > MAX_HTML_BYTES {
        return Err(SourceError::TooLarge(format!("the page is larger than {} MiB", MAX_HTML_BYTES >> 20)));
    }
    let text = decode(bytes);
    let page = Html::parse_document(&text);
    let mut reader = PageReader::default();
    reader.walk(*page.root_element())?;
    reader.flush();
    Ok(reader.source)
}

/// UTF-8, else the page's declared charset (GB2312, GBK, GB18030, Big5 …), else GB18030.
fn decode(bytes: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_owned();
    }
    let head = String::from_utf8_lossy(bytes.get(..2048).unwrap_or(bytes)).to_ascii_lowercase();
    let label = head
        .find("charset=")
        .and_then(|i| head.get(i + 8..))
        .map(|rest| {
            rest.trim_start_matches(['"', '\'']).split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).next()
        })
        .and_then(|l| l.and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes())))
        .unwrap_or(encoding_rs::GB18030);
    label.decode(bytes).0.into_owned()
}

#[derive(Default)]
struct PageReader {
    source: Source,
    line: String,
    paragraphs: usize,
    tables: usize,
}

fn is_chrome(el: &scraper::node::Element) -> bool {
    if CHROME_TAGS.contains(&el.name()) {
        return true;
    }
    let hinted = |v: Option<&str>| {
        v.is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            CHROME_HINTS.iter().any(|h| v.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w.starts_with(h)))
        })
    };
    hinted(el.attr("class"))
        || hinted(el.id())
        || el.attr("style").is_some_and(|s| s.replace(' ', "").contains("display:none"))
}

impl PageReader {
    fn flush(&mut self) {
        let text = tidy(&std::mem::take(&mut self.line));
        if !text.is_empty() {
            self.paragraphs += 1;
            self.source.paragraph(text, Place::new(format!("paragraph {}", self.paragraphs), 0));
        }
    }

    fn walk(&mut self, node: NodeRef<'_, Node>) -> Result<(), SourceError> {
        match node.value() {
            Node::Text(t) => self.line.push_str(t),
            Node::Element(el) => {
                if is_chrome(el) {
                    return Ok(());
                }
                let name = el.name();
                if name == "br" {
                    self.flush();
                } else if name == "table" && !has_table_inside(node) {
                    self.flush();
                    self.tables += 1;
                    let table = read_table(node, self.tables)?;
                    self.source.table(table);
                } else {
                    let block = BLOCK_TAGS.contains(&name);
                    if block {
                        self.flush();
                    }
                    for child in node.children() {
                        self.walk(child)?;
                    }
                    if block {
                        self.flush();
                    }
                }
            }
            _ => {
                for child in node.children() {
                    self.walk(child)?;
                }
            }
        }
        Ok(())
    }
}

fn has_table_inside(node: NodeRef<'_, Node>) -> bool {
    node.descendants().skip(1).any(|d| matches!(d.value(), Node::Element(e) if e.name() == "table"))
}

/// The table's rows (in `thead`, `tbody`, `tfoot` or directly), cells placed around the
/// positions earlier `rowspan`s hold.
fn read_table(node: NodeRef<'_, Node>, number: usize) -> Result<Table, SourceError> {
    let part = format!("table {number}");
    let mut grid = GridBuilder::default();
    // Positions taken by cells from rows above: (row, col).
    let mut taken = std::collections::HashSet::new();
    let rows = node.descendants().filter_map(ElementRef::wrap).filter(|e| e.value().name() == "tr");
    for (r, tr) in rows.enumerate() {
        grid.place(r, Place::new(part.clone(), r + 1));
        let mut col = 0usize;
        for cell in tr.children().filter_map(ElementRef::wrap).filter(|e| matches!(e.value().name(), "td" | "th")) {
            while taken.contains(&(r, col)) {
                col += 1;
            }
            let span = |name: &str| {
                cell.value().attr(name).and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(1).clamp(1, 1000)
            };
            let (rows, cols) = (span("rowspan"), span("colspan"));
            if taken.len() + rows * cols > MAX_CELLS {
                return Err(SourceError::TooLarge(format!("{part} covers more than {MAX_CELLS} cells")));
            }
            for dr in 0..rows {
                for dc in 0..cols {
                    taken.insert((r + dr, col + dc));
                }
            }
            grid.put(r, col, rows, cols, cell_text(*cell));
            col += cols;
        }
    }
    grid.build(MAX_CELLS).ok_or_else(|| SourceError::TooLarge(format!("{part} covers more than {MAX_CELLS} cells")))
}

/// A cell's text: `<br>` and block elements break lines, white space collapses.
fn cell_text(node: NodeRef<'_, Node>) -> String {
    fn collect(node: NodeRef<'_, Node>, lines: &mut Vec<String>) {
        for child in node.children() {
            match child.value() {
                Node::Text(t) => {
                    if let Some(last) = lines.last_mut() {
                        last.push_str(t);
                    }
                }
                Node::Element(el) if el.name() == "br" => lines.push(String::new()),
                Node::Element(el) if CHROME_TAGS.contains(&el.name()) => {}
                Node::Element(el) => {
                    let block = BLOCK_TAGS.contains(&el.name());
                    if block {
                        lines.push(String::new());
                    }
                    collect(child, lines);
                    if block {
                        lines.push(String::new());
                    }
                }
                _ => {}
            }
        }
    }
    let mut lines = vec![String::new()];
    collect(node, &mut lines);
    lines.iter().map(|l| tidy(l)).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{ff00}'..='\u{ffef}')
}

/// White space as a browser shows it: runs collapsed to one space (non-breaking spaces too),
/// and none left between two CJK characters, where it came from wrapping the page's source.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || c == '\u{a0}' {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space && !(out.chars().last().is_some_and(is_cjk) && is_cjk(c)) {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}
