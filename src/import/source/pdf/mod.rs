//! Reads a PDF (a table printed to PDF from Word, WPS or LibreOffice) into the table model.
//!
//! The work is done by poppler's command-line tools, run as helpers: `pdftotext -bbox-layout`
//! gives every word with its box, `pdftocairo -svg` gives the drawing, whose thin stroked or
//! filled paths are the table's ruling lines. Poppler is used because official PDFs set Chinese
//! text in fonts with predefined CMaps (UniGB-UCS2-H, GBK-EUC-H, …) that pure-Rust PDF crates
//! mishandle. Cells are the rectangles of the grid the rulings make: a missing horizontal piece
//! inside a column is a vertical merge, missing vertical pieces in a row a horizontal one. A
//! page without rulings falls back to columns found from white gutters between the words.
//! A table continuing on the next page stays one table; a row broken by the page is rejoined.

mod assemble;
mod cells;
mod rulings;
mod words;

#[cfg(test)]
mod tests;

use std::time::Duration;

use self::assemble::assemble;
use self::cells::page_items;
use self::rulings::parse_rulings;
use self::words::parse_words;
use super::helper::{Helper, run_helper};
use super::table::{Source, SourceError};

const TOL: f64 = 1.5;
const MAX_OUTPUT: u64 = 64 << 20;

#[derive(Debug, Clone)]
struct Word {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    text: String,
}

impl Word {
    fn cx(&self) -> f64 {
        (self.x0 + self.x1) / 2.0
    }
    fn cy(&self) -> f64 {
        (self.y0 + self.y1) / 2.0
    }
    fn h(&self) -> f64 {
        (self.y1 - self.y0).max(1.0)
    }
}

/// A ruling: horizontal at y = `at` from x = `from` to `to`, or vertical at x = `at`.
#[derive(Debug, Clone, Copy)]
struct Seg {
    horiz: bool,
    at: f64,
    from: f64,
    to: f64,
}

/// A cell at (`r`, `c`) spanning `rs` × `cs` positions, of a page's table or the whole table.
#[derive(Debug, Clone, Default)]
struct PCell {
    r: usize,
    c: usize,
    rs: usize,
    cs: usize,
    text: String,
}

/// A page's part of a table: its column count and cells.
type PageTable = (usize, Vec<PCell>);

enum Item {
    Para { text: String, y0: f64, y1: f64 },
    Table(PageTable),
}

/// Reads the PDF in `bytes`; needs poppler-utils (`pdftotext`, `pdftocairo`) on the PATH.
pub fn read_pdf(bytes: &[u8]) -> Result<Source, SourceError> {
    let io = |e: std::io::Error| SourceError::Unreadable(format!("could not prepare the PDF for reading: {e}"));
    let dir = tempfile::tempdir().map_err(io)?;
    let (pdf, html, svg) = (dir.path().join("in.pdf"), dir.path().join("words.html"), dir.path().join("lines.svg"));
    std::fs::write(&pdf, bytes).map_err(io)?;
    let text = run(dir.path(), "pdftotext", &["-bbox-layout".as_ref(), pdf.as_ref(), html.as_ref()], &html)?;
    let pages = parse_words(&text)?;
    if pages.iter().all(|(_, words)| words.is_empty()) {
        let msg = "the PDF has no text layer (a scan?); only PDFs with text can be read, not images of pages";
        return Err(SourceError::Unreadable(msg.into()));
    }
    let drawing = run(dir.path(), "pdftocairo", &["-svg".as_ref(), pdf.as_ref(), svg.as_ref()], &svg)?;
    from_layers(&text, &drawing)
}

/// The source from poppler's two outputs: `words` (`pdftotext -bbox-layout`) and `drawing`
/// (`pdftocairo -svg`). Public for the fuzz target, which feeds it arbitrary text.
pub fn from_layers(words: &str, drawing: &str) -> Result<Source, SourceError> {
    let pages = parse_words(words)?;
    let mut rulings = parse_rulings(drawing);
    rulings.resize_with(pages.len(), Vec::new);
    assemble(pages.into_iter().zip(rulings).map(|((h, words), segs)| (h, page_items(&words, segs))))
}

/// Runs a poppler helper writing to `out`, bounded in time (30 s) and output (64 MiB); its text.
fn run(
    dir: &std::path::Path,
    program: &str,
    args: &[&std::ffi::OsStr],
    out: &std::path::Path,
) -> Result<String, SourceError> {
    let helper = Helper {
        program,
        what: "reading a PDF",
        package: "poppler-utils",
        limit: Duration::from_secs(30),
        output: Some((out, MAX_OUTPUT)),
    };
    run_helper(&helper, args, dir)?;
    let text =
        std::fs::read(out).map_err(|e| SourceError::Unreadable(format!("`{program}` wrote nothing readable: {e}")))?;
    Ok(String::from_utf8_lossy(&text).into_owned())
}
