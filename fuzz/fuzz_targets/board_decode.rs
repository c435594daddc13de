//! Any bytes on a board topic: the display's decoder, and the renderer on every panel.
#![no_main]

#[path = "../checks/board_decode.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| check::board_decode(bytes));
