//! Each fixture spec under `tests/fixtures/` generates the snapshot under
//! `tests/snapshots/` byte for byte. The root crate's `fixture_snapshots`
//! test compiles and runs code against every snapshot, so a snapshot is
//! also proof that the output compiles.
//!
//! Refresh after an intended change: `UPDATE_SNAPSHOTS=1 cargo test -p algolia-codegen --test snapshots`.

use algolia_codegen::{generate, resolve::Loader, EmitOptions};
use std::path::Path;

fn snapshot_of(fixture: &Path) -> String {
    let loader =
        Loader::from_path(fixture).unwrap_or_else(|e| panic!("{}: {e}", fixture.display()));
    let options = EmitOptions {
        runtime_crate: "::algolia_insights".to_string(),
    };
    let generated =
        generate(&loader, &options).unwrap_or_else(|e| panic!("{}: {e}", fixture.display()));
    generated.single_file()
}

#[test]
fn every_fixture_matches_its_snapshot() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(dir.join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for fixture in entries
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let name = fixture.file_stem().unwrap().to_string_lossy().to_string();
        let snapshot_path = dir.join("snapshots").join(format!("{name}.rs"));
        let text = snapshot_of(&fixture);
        if update {
            std::fs::write(&snapshot_path, &text).unwrap();
        } else {
            let existing = std::fs::read_to_string(&snapshot_path).unwrap_or_default();
            assert!(
                existing == text,
                "snapshot {} is stale; refresh with UPDATE_SNAPSHOTS=1 cargo test -p algolia-codegen --test snapshots",
                snapshot_path.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 1, "no fixture found");
}

/// The first line of each generated file records the hash of the spec's
/// text, so that the client's build script can tell whether `generated/`
/// was made from the spec it ships with.
#[test]
fn the_header_records_the_spec_hash() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/security.json");
    let text = std::fs::read_to_string(&fixture).unwrap();
    let header = |text: &str| {
        let loader = Loader::from_json_str(text).unwrap();
        let generated = generate(&loader, &EmitOptions::default()).unwrap();
        let first: Vec<String> = generated
            .files
            .iter()
            .map(|f| f.text.lines().next().unwrap().to_string())
            .collect();
        assert!(first.windows(2).all(|w| w[0] == w[1]), "{first:?}");
        first[0].clone()
    };
    let hash = algolia_codegen::spec_hash(text.as_bytes());
    let mark = format!("{}{hash:016x}", algolia_codegen::SPEC_HASH_MARK);
    assert!(
        header(&text).contains(&mark),
        "{} lacks {mark}",
        header(&text)
    );
    // Any edit of the text changes it; line ends do not.
    let edited = text.replacen("\"Security API\"", "\"Security  API\"", 1);
    assert_ne!(edited, text);
    assert!(!header(&edited).contains(&mark));
    assert_eq!(header(&text.replace('\n', "\r\n")), header(&text));
}
