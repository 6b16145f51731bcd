//! `generated/` holds the same text the build generates from the spec, so
//! that every spec change shows up as a reviewable diff. This test fails when
//! it is stale and says how to refresh it.

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

#[test]
fn generation_is_deterministic() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/insights.json");
    let first = algolia_codegen::generate_from_path(&spec).unwrap();
    let second = algolia_codegen::generate_from_path(&spec).unwrap();
    assert_eq!(first.files, second.files);
}
