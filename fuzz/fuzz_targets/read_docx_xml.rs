//! The Word reader on arbitrary `word/document.xml` text, then the layout step: a clean error
//! or a list, never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use qingdan::import::layout::{Options, lay_out};
use qingdan::import::source::docx::read_document_xml;

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else { return };
    if let Ok(source) = read_document_xml(xml) {
        let _ = lay_out(&source, &Options::default());
    }
});
