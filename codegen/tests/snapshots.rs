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
