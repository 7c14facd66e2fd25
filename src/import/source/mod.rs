//! Readers: a file's bytes in, the [`table`] model out. The format is recognised by content,
//! never by the file name: PDF by its `%PDF` header, Word and Excel by the parts inside their
//! ZIP or OLE container, HTML by its markup, the rest as text (UTF-8, else GB18030).
//!
//! Every reader is bounded: the file ([`MAX_FILE_BYTES`]), what a ZIP part may inflate to
//! ([`zipped::MAX_INFLATED`]), the cells of a table ([`MAX_CELLS`]) and the time a run-time
//! helper may take (LibreOffice for legacy Word, poppler for PDF). Past a bound the file is
//! refused with [`SourceError::TooLarge`], before anything is written.

mod doc;
pub mod docx;
mod helper;
pub mod html;
pub mod pdf;
pub mod sheet;
pub mod table;
pub mod text;
mod zipped;

pub use table::{Block, Cell, Paragraph, Place, Row, Source, SourceError, Table};

/// The largest file any reader takes (an upload's body limit is set from it).
pub const MAX_FILE_BYTES: usize = 50 << 20;
/// The most grid positions one table may cover (a sheet of a million empty rows is refused).
pub const MAX_CELLS: usize = 2_000_000;

/// The formats [`read`] recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text: the PDF text extraction of SPEC §1, a prose list, or tab-separated rows.
    Text,
    Docx,
    /// Legacy Word, WPS, RTF and OpenDocument text, converted by LibreOffice.
    Doc,
    Xlsx,
    /// Legacy Excel (BIFF), WPS spreadsheets and OpenDocument spreadsheets.
    Xls,
    Html,
    Pdf,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Docx => "Word (.docx)",
            Self::Doc => "legacy Word (.doc/.wps/.rtf/.odt)",
            Self::Xlsx => "Excel (.xlsx)",
            Self::Xls => "Excel (.xls/.et/.ods)",
            Self::Html => "web page (HTML)",
            Self::Pdf => "PDF",
        }
    }
}

/// What a reader produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The PDF text extraction of SPEC §1, read by its own parser (`import::parse`): a text of
    /// that layout is cut into cells by a cost model, not by positions.
    Extraction(String),
    /// Any other document, as blocks of paragraphs and tables.
    Source(Source),
}

/// Recognises the format of `bytes` and reads it.
pub fn read(bytes: &[u8]) -> Result<(Format, Input), SourceError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(SourceError::TooLarge(format!(
            "the file is {} MiB; at most {} MiB is read",
            bytes.len() >> 20,
            MAX_FILE_BYTES >> 20
        )));
    }
    let format = detect(bytes)?;
    let input = match format {
        Format::Pdf => Input::Source(pdf::read_pdf(bytes)?),
        Format::Docx => Input::Source(docx::read_docx(bytes)?),
        Format::Doc => Input::Source(doc::read_doc(bytes)?),
        Format::Xlsx => Input::Source(sheet::read_xlsx(bytes)?),
        Format::Xls => Input::Source(sheet::read_xls(bytes)?),
        Format::Html => Input::Source(html::read_html(bytes)?),
        Format::Text => text::read_text(&text::decode(bytes)?)?,
    };
    Ok((format, input))
}

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The format of `bytes`, from their content alone.
pub fn detect(bytes: &[u8]) -> Result<Format, SourceError> {
    let head = bytes.get(..1024).unwrap_or(bytes);
    if contains(head, b"%PDF-") {
        return Ok(Format::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return zipped::kind(bytes);
    }
    if bytes.starts_with(&OLE_MAGIC) {
        // The OLE directory names its streams in UTF-16: WordDocument for Word and WPS
        // writer files, Workbook (or Book) for Excel and WPS spreadsheets.
        if contains(bytes, &utf16("WordDocument")) {
            return Ok(Format::Doc);
        }
        if contains(bytes, &utf16("Workbook")) || contains(bytes, &utf16("Book")) {
            return Ok(Format::Xls);
        }
        return Err(SourceError::Unreadable(
            "an OLE compound file that is neither a Word nor an Excel document".to_owned(),
        ));
    }
    if bytes.starts_with(b"{\\rtf") {
        return Ok(Format::Doc);
    }
    let start = String::from_utf8_lossy(bytes.get(..4096).unwrap_or(bytes)).to_ascii_lowercase();
    let start = start.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with("<!doctype html")
        || start.starts_with("<html")
        || start.starts_with("<?xml") && start.contains("<html")
        || start.contains("<body")
        || start.contains("<table")
    {
        return Ok(Format::Html);
    }
    Ok(Format::Text)
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}
