//! Any text as a site file: the parser and what `bayline up` derives from a parsed site.
#![no_main]

#[path = "../checks/site_config.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| check::site_config(bytes));
