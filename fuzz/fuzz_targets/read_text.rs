//! Text that is not the extraction of SPEC §1: prose lists and tab-separated rows, through the
//! whole pipeline (`read_document`), with the layout step's invariants.

#![no_main]

use libfuzzer_sys::fuzz_target;
use qingdan::import::layout::Options;
use qingdan::import::read_document;
use qingdan::import::source::{Format, detect};

fuzz_target!(
    // The reader catches calamine's panics on malformed workbooks (see `sheet::guarded`);
    // libfuzzer-sys's hook would abort on those too. A panic that escapes still aborts.
    init: std::panic::set_hook(Box::new(|_| {})),
    |data: &[u8]| {
    // PDFs and legacy Word files go to helper programs (seconds each): their own targets fuzz
    // what qingdan does with them.
    if matches!(detect(data), Ok(Format::Pdf | Format::Doc)) {
        return;
    }
    if let Ok(read) = read_document(data, &Options::default()) {
        let doc = read.doc;
        assert!(!doc.tasks.is_empty(), "a list without tasks");
        for t in &doc.tasks {
            assert!(doc.categories.iter().any(|c| c.number == t.category_number), "task {} without its category", t.number);
        }
        let numbers: Vec<i32> = doc.tasks.iter().map(|t| t.number).collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "task numbers do not count up");
    }
}
);
