//! Parsed query documents by their text, bounded in bytes. Clients send a few query texts again
//! and again with other variables, and parsing the text is the dearest step before execution:
//! a document parsed once is cloned for each request instead.

use std::sync::Arc;

use async_graphql::parser::types::{ExecutableDocument, OperationDefinition, OperationType};
use quick_cache::Weighter;
use quick_cache::sync::Cache;

/// Bytes of parsed documents a server keeps.
pub const KEPT_BYTES: u64 = 4 << 20;

/// Bytes a parsed document holds per byte of its text, as estimated from its types (not
/// measured): every field, argument and name of the text becomes a positioned node of 100–200
/// bytes, for 10–20 bytes of text.
const BYTES_PER_TEXT_BYTE: u64 = 16;

#[derive(Clone)]
struct ByText;

impl Weighter<Arc<str>, Arc<ExecutableDocument>> for ByText {
    fn weight(&self, text: &Arc<str>, _: &Arc<ExecutableDocument>) -> u64 {
        text.len() as u64 * (1 + BYTES_PER_TEXT_BYTE) + 128
    }
}

/// The documents of one server's query texts.
pub struct ParsedDocuments {
    kept: Option<Cache<Arc<str>, Arc<ExecutableDocument>, ByText>>,
}

impl ParsedDocuments {
    /// A store of at most `bytes` (0: none, every text is parsed).
    pub fn new(bytes: u64) -> Self {
        let kept = (bytes > 0).then(|| Cache::with_weighter(((bytes / 4096) as usize).max(16), bytes, ByText));
        Self { kept }
    }

    /// The document of `text`, parsed now or before.
    pub fn parse(&self, text: &str) -> async_graphql::parser::Result<ExecutableDocument> {
        let Some(kept) = &self.kept else { return async_graphql::parser::parse_query(text) };
        if let Some(doc) = kept.get(text) {
            return Ok(ExecutableDocument::clone(&doc));
        }
        let doc = async_graphql::parser::parse_query(text)?;
        kept.insert(Arc::from(text), Arc::new(doc.clone()));
        Ok(doc)
    }
}

impl ParsedDocuments {
    /// The type of the operation `text` runs (the one named `operation`, or its only one), from
    /// its parsed document (kept for execution); None when it does not parse or names no
    /// operation it holds.
    pub fn operation_type(&self, text: &str, operation: Option<&str>) -> Option<OperationType> {
        let doc = match &self.kept {
            Some(kept) => match kept.get(text) {
                Some(doc) => doc,
                None => {
                    let doc = Arc::new(async_graphql::parser::parse_query(text).ok()?);
                    kept.insert(Arc::from(text), doc.clone());
                    doc
                }
            },
            None => Arc::new(async_graphql::parser::parse_query(text).ok()?),
        };
        selected(&doc, operation).map(|op| op.ty)
    }
}

/// The operation of `doc` that runs: the one named `name`, or its only one (GraphQL's
/// GetOperation); None when there is no such operation.
pub fn selected<'d>(doc: &'d ExecutableDocument, name: Option<&str>) -> Option<&'d OperationDefinition> {
    let mut ops = doc.operations.iter();
    let op = match name {
        Some(name) => ops.find(|(n, _)| n.is_some_and(|n| n.as_str() == name)),
        None => ops.next().filter(|_| doc.operations.iter().count() == 1),
    };
    op.map(|(_, op)| &op.node)
}

impl std::fmt::Debug for ParsedDocuments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::bounded::Bounded;
        f.debug_struct("ParsedDocuments").field("bytes", &self.bytes()).field("capacity", &self.capacity()).finish()
    }
}

impl crate::bounded::Bounded for ParsedDocuments {
    fn name(&self) -> &'static str {
        "documents"
    }

    fn bytes(&self) -> u64 {
        self.kept.as_ref().map_or(0, Cache::weight)
    }

    fn capacity(&self) -> u64 {
        self.kept.as_ref().map_or(0, Cache::capacity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounded::Bounded;

    #[test]
    fn a_text_is_parsed_once_and_its_document_given_again() {
        let docs = ParsedDocuments::new(1 << 20);
        let text = "query($id: ID!) { node(id: $id) { id } }";
        let first = docs.parse(text).expect("parses");
        assert!(docs.bytes() > text.len() as u64);
        let again = docs.parse(text).expect("kept");
        assert_eq!(format!("{first:?}"), format!("{again:?}"));
    }

    #[test]
    fn the_documents_stay_within_their_bytes() {
        let docs = ParsedDocuments::new(64 << 10);
        for i in 0..2000 {
            docs.parse(&format!("{{ tasks(first: {i}) {{ nodes {{ id number content }} }} }}")).expect("parses");
        }
        assert!(docs.bytes() <= docs.capacity(), "{} > {}", docs.bytes(), docs.capacity());
    }

    #[test]
    fn a_text_that_does_not_parse_is_refused_and_not_kept() {
        let docs = ParsedDocuments::new(1 << 20);
        assert!(docs.parse("{ tasks(").is_err());
        assert_eq!(docs.bytes(), 0);
    }
}
