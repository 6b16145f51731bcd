//! Replays the checked-in fuzz corpus (`fuzz/corpus/<target>/`) through the
//! checks the fuzz targets run, so that `cargo test` guards against
//! regressions without a fuzzer. The corpus holds the inputs that found bugs
//! and a small, minimized set of interesting ones; see BENCHMARKS.md
//! ("Reliability") for how it was made.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// Every file of a target's corpus, in name order.
fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `check` on every file of the target's corpus; fails with the names
/// of the files whose check panicked.
fn replay(target: &str, check: fn(&[u8])) {
    let files = corpus(target);
    assert!(
        files.len() >= 5,
        "the {target} corpus has {} files: is fuzz/corpus/{target} checked in?",
        files.len()
    );
    let failed: Vec<String> = files
        .iter()
        .filter(|file| {
            let data = std::fs::read(file).expect("a readable corpus file");
            catch_unwind(AssertUnwindSafe(|| check(&data))).is_err()
        })
        .map(|file| file.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "{target}: these inputs fail: {failed:#?}"
    );
}

#[test]
fn the_generator_corpus_gives_code_or_located_errors() {
    replay("generator", checks::generator);
}

#[test]
fn any_names_give_code_or_located_errors() {
    replay("generator_names", checks::generator_names);
}

#[test]
fn the_events_corpus_decodes_validates_and_round_trips() {
    replay("events", checks::events);
}

#[test]
fn the_responses_corpus_decodes_or_gives_decode_errors() {
    replay("responses", checks::responses);
}

/// The replay is no formality: a check that panics on some input fails it.
#[test]
fn a_check_that_panics_fails_the_replay() {
    fn picky(data: &[u8]) {
        assert!(data.len() < 8, "a long input");
    }
    let replayed = catch_unwind(|| replay("events", picky));
    assert!(
        replayed.is_err(),
        "the long inputs of the corpus were not caught"
    );
}
