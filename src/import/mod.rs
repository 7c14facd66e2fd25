//! Reading responsibility-list documents (pure parsing) and loading them into the database.

pub mod indicators;
pub mod kind;
pub mod load;
pub mod model;
pub mod parse;
pub mod periods;

#[cfg(test)]
mod golden_tests;

pub use load::{ImportError, ImportOutcome, import_text};

/// The bundled document, imported on the first start of an empty database.
pub const BUNDLED_DOCUMENT: &str = include_str!("../../data/tianjin-2023-responsibility-list.txt");
