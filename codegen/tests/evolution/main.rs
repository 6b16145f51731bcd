//! Each spec under `tests/evolution/` (the real spec with one change) generates
//! the snapshot under `tests/evolution/snapshots/` byte for byte. The root
//! crate's `evolution` test compiles code against these snapshots, next to the
//! client of the unchanged spec, to show what each change means for users.
//!
//! Refresh after an intended change:
//! `UPDATE_SNAPSHOTS=1 cargo test -p algolia-codegen --test evolution`.

use algolia_codegen::{generate, resolve::Loader, EmitOptions};
use std::path::Path;

fn snapshot_of(spec: &Path) -> String {
    let loader = Loader::from_path(spec).unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
    let options = EmitOptions {
        runtime_crate: "::algolia_insights".to_string(),
    };
    generate(&loader, &options)
        .unwrap_or_else(|e| panic!("{}: {e}", spec.display()))
        .single_file()
}

#[test]
fn every_changed_spec_matches_its_snapshot() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/evolution");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut specs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    specs.sort();
    assert!(!specs.is_empty(), "no spec found in {}", dir.display());
    let mut stale = Vec::new();
    for spec in &specs {
        let name = spec.file_stem().unwrap().to_string_lossy();
        let snapshot = dir.join("snapshots").join(format!("{name}.rs"));
        let text = snapshot_of(spec);
        if update {
            std::fs::write(&snapshot, &text).unwrap();
        } else if std::fs::read_to_string(&snapshot).ok().as_deref() != Some(text.as_str()) {
            stale.push(snapshot.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale snapshots: {}; refresh with UPDATE_SNAPSHOTS=1 cargo test -p algolia-codegen --test evolution",
        stale.join(", ")
    );
}
