//! The PDF reader's own part on arbitrary poppler output: the words' XHTML and the drawing's
//! SVG (split at the first NUL byte), cells rebuilt from them, then the layout step.

#![no_main]

use libfuzzer_sys::fuzz_target;
use qingdan::import::layout::{Options, lay_out};
use qingdan::import::source::pdf::from_layers;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (words, drawing) = text.split_once('\0').unwrap_or((text, ""));
    if let Ok(source) = from_layers(words, drawing) {
        let _ = lay_out(&source, &Options::default());
    }
});
