//! The importer's parser on arbitrary text: it must return a clean `ParseError` or a document
//! that holds the parser's invariants, never panic (a panic is a crash libFuzzer reports).

#![no_main]

use libfuzzer_sys::fuzz_target;
use qingdan::import::parse_document;

fuzz_target!(|data: &[u8]| {
    // Any bytes that are UTF-8 (the importer reads files with `read_to_string`); libFuzzer's
    // mutations of the seed corpus (the bundled document) keep most inputs valid.
    let Ok(text) = std::str::from_utf8(data) else { return };
    let lines = text.lines().count().max(1);
    match parse_document(text) {
        Err(e) => {
            assert!(e.line >= 1 && e.line <= lines + 1, "error line {} outside 1..={}: {e}", e.line, lines + 1);
            assert!(!e.message.is_empty(), "an error without a message at line {}", e.line);
        }
        Ok(doc) => {
            let numbers: Vec<i32> = doc.tasks.iter().map(|t| t.number).collect();
            let want: Vec<i32> = (1..=doc.tasks.len() as i32).collect();
            assert!(!numbers.is_empty(), "a document without tasks");
            assert_eq!(numbers, want, "task numbers are not 1..=N");
            let categories: Vec<i32> = doc.categories.iter().map(|c| c.number).collect();
            let want: Vec<i32> = (1..=doc.categories.len() as i32).collect();
            assert_eq!(categories, want, "category numbers are not 1..=M");
            let mut last = 1;
            for t in &doc.tasks {
                assert!(t.category_number >= last && t.category_number <= categories.len() as i32);
                assert!(t.line >= 1 && t.line <= lines, "task {} on line {} of {lines}", t.number, t.line);
                last = t.category_number;
            }
        }
    }
});
