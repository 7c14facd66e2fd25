//! Reading responsibility lists as offices hold them and loading them into the database:
//! `source` reads a format into tables and paragraphs, `layout` maps them onto the list,
//! `parse` reads the PDF text extraction of SPEC §1, `load` writes the list in one transaction.

mod file;
pub mod indicators;
mod insert;
pub mod kind;
pub mod layout;
pub mod load;
pub mod model;
pub mod parse;
pub mod periods;
pub mod read;
pub mod source;

#[cfg(test)]
mod golden_tests;

pub use file::{CheckReport, check_file, import_checked, import_file};
pub use load::{ImportError, ImportOutcome, import_text, import_text_with};
pub use read::{ReadDocument, ReadError, parse_document, read_document};

/// The bundled document, imported on the first start of an empty database.
pub const BUNDLED_DOCUMENT: &str = include_str!("../../data/tianjin-2023-responsibility-list.txt");
