//! One import pipeline, many readers: a file's bytes → a reader ([`source`]) → the layout step
//! ([`layout`]) → the list ([`ParsedDocument`]), which the loader writes in one transaction.
//! The text extraction of SPEC §1 is the one format with its own cell reader (`parse`).

use super::layout::{self, LayoutError, Options};
use super::model::{ParseError, ParsedDocument};
use super::parse::read_extraction;
use super::source::{self, Format, Input, SourceError};

/// Reads the text extraction of SPEC §1: its reader rebuilds the cells, the layout step maps
/// them as it maps every format's, and the metadata is what the notice says (region from the
/// compilation's heading, issuer, date and schedule by the notice's own rules).
pub fn parse_document(text: &str) -> Result<ParsedDocument, ParseError> {
    let extraction = read_extraction(text)?;
    let laid = layout::lay_out(&extraction.source, &Options::default())
        .map_err(|e| ParseError { line: e.place.row, message: e.to_string() })?;
    let mut doc = laid.doc;
    doc.region = extraction.region;
    doc.title = extraction.title;
    doc.year = extraction.year;
    doc.issuer = extraction.issuer;
    doc.issued_on = extraction.issued_on;
    doc.schedule = extraction.schedule;
    Ok(doc)
}

/// A document as read, with what the reader noticed.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadDocument {
    pub format: Format,
    pub doc: ParsedDocument,
    /// One line per thing read but worth a look (renumbered tasks, items without units …).
    pub warnings: Vec<String>,
}

/// Why a document could not be read: nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Source(#[from] SourceError),
    #[error("{0}")]
    Extraction(#[from] ParseError),
    #[error("{0}")]
    Layout(#[from] LayoutError),
}

/// Reads any list qingdan knows the format of.
pub fn read_document(bytes: &[u8], opts: &Options) -> Result<ReadDocument, ReadError> {
    let (format, input) = source::read(bytes)?;
    match input {
        Input::Extraction(text) => {
            let mut doc = parse_document(&text)?;
            if let Some(schedule) = &opts.schedule {
                doc.schedule = schedule.deadlines(doc.year);
            }
            if let Some(issuer) = &opts.issuer {
                doc.issuer = issuer.clone();
            }
            Ok(ReadDocument { format, doc, warnings: Vec::new() })
        }
        Input::Source(source) => {
            let laid = layout::lay_out(&source, opts)?;
            Ok(ReadDocument { format, doc: laid.doc, warnings: laid.warnings })
        }
    }
}
