//! The web-page reader on arbitrary bytes (any charset), then the layout step.

#![no_main]

use libfuzzer_sys::fuzz_target;
use qingdan::import::layout::{Options, lay_out};
use qingdan::import::source::html::read_html;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = read_html(data) {
        let _ = lay_out(&source, &Options::default());
    }
});
