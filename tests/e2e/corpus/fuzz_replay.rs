//! The fuzzers' corpora and crash artifacts (`fuzz/corpus/<target>/`, `fuzz/artifacts/<target>/`)
//! replayed through the same checks the fuzz targets run, on the stable toolchain, so CI guards
//! every input the fuzzers found interesting or crashed on without nightly or libFuzzer.

#[path = "../../../fuzz/checks/board_decode.rs"]
mod board_decode;
#[path = "../../../fuzz/checks/scan_decode.rs"]
mod scan_decode;
#[path = "../../../fuzz/checks/site_config.rs"]
mod site_config;

/// Runs `check` on every file kept for `target`; returns how many there were.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let fuzz = super::root().join("fuzz");
    let mut n = 0;
    for kind in ["corpus", "artifacts"] {
        let dir = fuzz.join(kind).join(target);
        if !dir.is_dir() {
            continue;
        }
        for name in super::files(&dir, &[]) {
            let bytes = std::fs::read(dir.join(&name)).unwrap();
            let run = std::panic::catch_unwind(|| check(&bytes));
            assert!(run.is_ok(), "{kind}/{target}/{name} fails its check");
            n += 1;
        }
    }
    assert!(n > 0, "no corpus for {target} under {}", fuzz.display());
    n
}

#[test]
fn the_scan_decoder_passes_every_kept_fuzz_input() {
    replay("scan_decode", scan_decode::scan_decode);
}

#[test]
fn the_board_decoder_passes_every_kept_fuzz_input() {
    replay("board_decode", board_decode::board_decode);
}

#[test]
fn the_site_parser_passes_every_kept_fuzz_input() {
    replay("site_config", site_config::site_config);
}
