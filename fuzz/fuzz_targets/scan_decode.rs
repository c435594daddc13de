//! Any bytes on a scan topic: the gateway's decoder and the reply built from its verdict.
#![no_main]

#[path = "../checks/scan_decode.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|payload: &[u8]| check::scan_decode(payload));
