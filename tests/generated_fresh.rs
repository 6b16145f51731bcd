//! `generated/` holds the same text the build generates from the spec, so
//! that every spec change shows up as a reviewable diff, and the published
//! package builds from it without the generator (build.rs). This test fails
//! when it is stale, its recorded spec hash included, and says how to
//! refresh it.

use std::path::Path;

const REFRESH: &str = "cargo run -p algolia-codegen -- spec/insights.json --out generated";

#[test]
fn generated_folder_matches_the_spec() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let generated = algolia_codegen::generate_from_path(&root.join("spec/insights.json"))
        .unwrap_or_else(|e| panic!("the spec does not generate: {e}"));
    let stale = generated.stale_files(&root.join("generated"));
    assert!(
        stale.is_empty(),
        "generated/ is stale ({}); refresh it with:\n\n    {REFRESH}\n",
        stale.join(", ")
    );
}

#[test]
fn the_build_compiles_the_same_text_as_generated_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["models.rs", "operations.rs"] {
        let built = std::fs::read_to_string(Path::new(env!("OUT_DIR")).join(name)).unwrap();
        let checked_in = std::fs::read_to_string(root.join("generated").join(name)).unwrap();
        assert!(
            built == checked_in,
            "generated/{name} differs from the build's output; run:\n\n    {REFRESH}\n"
        );
    }
}

/// The build script compiles `generated/` without the generator when the
/// hash in its files' first line is the spec's: that hash must be the one
/// the generator writes, and the build script's own hash function (a copy,
/// so that it needs no generator) must agree with the generator's.
#[test]
fn generated_folder_records_the_hash_of_the_spec() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = std::fs::read(root.join("spec/insights.json")).unwrap();
    let hash = format!("{:016x}", algolia_codegen::spec_hash(&spec));
    let by_build_script =
        std::fs::read_to_string(Path::new(env!("OUT_DIR")).join("spec-hash")).unwrap();
    assert_eq!(
        by_build_script.trim(),
        hash,
        "build.rs and algolia-codegen hash the spec differently"
    );
    for name in ["models.rs", "operations.rs"] {
        let text = std::fs::read_to_string(root.join("generated").join(name)).unwrap();
        let first_line = text.lines().next().unwrap_or_default();
        let mark = format!("{}{hash}", algolia_codegen::SPEC_HASH_MARK);
        assert!(
            first_line.contains(&mark),
            "generated/{name} was not made from this spec (its first line lacks `{mark}`): \
             the build would refuse it; run:\n\n    {REFRESH}\n"
        );
    }
}

#[test]
fn generation_is_deterministic() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/insights.json");
    let first = algolia_codegen::generate_from_path(&spec).unwrap();
    let second = algolia_codegen::generate_from_path(&spec).unwrap();
    assert_eq!(first.files, second.files);
}
