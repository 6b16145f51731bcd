//! API changes are spec edits: each spec of `codegen/tests/evolution/` is the
//! real spec with one change, and its generated client (a snapshot) is
//! compiled here next to the client of the unchanged spec
//! (`algolia_insights`).
//!
//! - `tests/evolution_pass/`: programs that use the new surface and assert
//!   how the old and the new client behave (which variant an event reads as,
//!   what is sent, what validation allows, what a request looks like on a
//!   loopback server).
//! - `tests/evolution_fail/`: code written for the old client that a
//!   breaking change stops compiling, with the compiler's answer (`.stderr`).
//!
//! `algolia-codegen diff` reports the same changes (`codegen/tests/diff.rs`).
//! After a deliberate change, refresh the snapshots
//! (`UPDATE_SNAPSHOTS=1 cargo test -p algolia-codegen --test evolution`), then
//! the answers (`TRYBUILD=overwrite cargo test --test evolution`), and read them.

#[test]
fn each_spec_change_compiles_and_behaves_as_reported() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/evolution_pass/*.rs");
    cases.compile_fail("tests/evolution_fail/*.rs");
}
