//! Plain text: the PDF text extraction of SPEC §1 (recognised by the compilation's region
//! heading, read by `import::parse`), tab-separated rows copied from a spreadsheet, or
//! paragraphs (a prose list, one line per paragraph).

use super::table::{GridBuilder, Place, Source, SourceError};
use super::{Input, MAX_CELLS};

/// UTF-8 (a byte-order mark dropped), else GB18030 (which GBK and GB2312 text is).
pub fn decode(bytes: &[u8]) -> Result<String, SourceError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_owned());
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors || text.contains('\0') {
        return Err(SourceError::Unreadable(
            "not a document qingdan reads: not UTF-8 or GB18030 text, nor a Word, Excel, PDF or HTML file".to_owned(),
        ));
    }
    Ok(text.into_owned())
}

pub fn read_text(text: &str) -> Result<Input, SourceError> {
    if crate::import::parse::is_extraction(text) {
        return Ok(Input::Extraction(text.to_owned()));
    }
    let lines: Vec<&str> = text.lines().collect();
    let tabbed = lines.iter().filter(|l| l.contains('\t')).count();
    let mut source = Source::default();
    if tabbed >= 3 {
        // Rows copied from a spreadsheet: tab-separated cells; other lines are paragraphs
        // (before the table) or end it.
        let mut grid = GridBuilder::default();
        let mut row = 0;
        let mut in_table = false;
        for (i, line) in lines.iter().enumerate() {
            if line.contains('\t') {
                in_table = true;
                grid.place(row, Place::new(format!("line {}", i + 1), 0));
                for (col, cell) in line.split('\t').enumerate() {
                    grid.put(row, col, 1, 1, cell.trim());
                }
                row += 1;
            } else if !in_table {
                source.paragraph(*line, Place::new(format!("line {}", i + 1), 0));
            }
        }
        let table =
            grid.build(MAX_CELLS).ok_or_else(|| SourceError::TooLarge(format!("more than {MAX_CELLS} cells")))?;
        source.table(table);
    } else {
        for (i, line) in lines.iter().enumerate() {
            source.paragraph(*line, Place::new(format!("line {}", i + 1), 0));
        }
    }
    Ok(Input::Source(source))
}
