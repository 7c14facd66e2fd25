//! The Excel reader (zip inflation bound, calamine, merged ranges) on arbitrary bytes, then the
//! layout step.

#![no_main]

use libfuzzer_sys::fuzz_target;
use qingdan::import::layout::{Options, lay_out};
use qingdan::import::source::sheet::read_xlsx;

fuzz_target!(
    // The reader catches calamine's panics on malformed workbooks (see `sheet::guarded`);
    // libfuzzer-sys's hook would abort on those too. A panic that escapes still aborts.
    init: std::panic::set_hook(Box::new(|_| {})),
    |data: &[u8]| {
    if let Ok(source) = read_xlsx(data) {
        let _ = lay_out(&source, &Options::default());
    }
}
);
