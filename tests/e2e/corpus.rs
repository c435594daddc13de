//! Malformed input, end to end. Each folder of `tests/corpus/` is data the tests walk,
//! so a new bad input is a new file, not new code:
//! - [`scans`]: bad scans published by a real handheld, each with its reject code;
//! - [`http`]: bad HTTP requests, each with its status, error code and message;
//! - [`sites`]: bad site files given to the real `bayline up`, each with the line it prints;
//! - [`fuzz_replay`]: every input the fuzzers kept or crashed on (`fuzz/corpus`,
//!   `fuzz/artifacts`), replayed through the decoders on the stable toolchain;
//! - [`template`]: the few placeholders corpus files may use (times, repeats, raw bytes).

mod fuzz_replay;
mod http;
mod scans;
mod sites;
mod template;

use std::path::{Path, PathBuf};

/// The repository's root (the e2e suite is declared by `bayline/Cargo.toml`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bayline/ has a parent")
        .to_path_buf()
}

/// The files of `dir` in name order, without hidden files and without `skip`.
pub fn files(dir: &Path, skip: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.') && !skip.contains(&n.as_str()))
        .collect();
    names.sort();
    names
}
