//! API changes are spec edits: each spec of `codegen/tests/evolution/` is the
//! real spec with one change. This test generates the client of each (into
//! `target/evolution-clients/`, not checked in: they are whole clients, and
//! `algolia-codegen diff` is the reviewable account of each change) and
//! compiles code against it next to the client of the unchanged spec
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
//! After a deliberate change to the generator, refresh the answers
//! (`TRYBUILD=overwrite cargo test --test evolution`) and read them.

use algolia_codegen::{generate, resolve::Loader, EmitOptions};
use std::path::Path;

/// Writes the client of every changed spec where the cases `include!` it;
/// a file already holding the same text is left alone (no needless rebuild).
fn generate_clients(root: &Path) {
    let specs_dir = root.join("codegen/tests/evolution");
    let out_dir = root.join("target/evolution-clients");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut count = 0;
    for entry in std::fs::read_dir(&specs_dir).unwrap() {
        let spec = entry.unwrap().path();
        if spec.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let loader = Loader::from_path(&spec).unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
        let options = EmitOptions {
            runtime_crate: "::algolia_insights".to_string(),
        };
        let text = generate(&loader, &options)
            .unwrap_or_else(|e| panic!("{}: {e}", spec.display()))
            .single_file();
        let out = out_dir.join(format!(
            "{}.rs",
            spec.file_stem().unwrap().to_string_lossy()
        ));
        if std::fs::read_to_string(&out).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&out, text).unwrap();
        }
        count += 1;
    }
    assert!(
        count >= 9,
        "expected the changed specs in {}",
        specs_dir.display()
    );
}

#[test]
fn each_spec_change_compiles_and_behaves_as_reported() {
    generate_clients(Path::new(env!("CARGO_MANIFEST_DIR")));
    let cases = trybuild::TestCases::new();
    cases.pass("tests/evolution_pass/*.rs");
    cases.compile_fail("tests/evolution_fail/*.rs");
}
