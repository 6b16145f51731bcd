//! The declared MSRV is true: `rust-version` in `Cargo.toml` equals the newest
//! of what our own code needs ([`OWN_CODE_NEEDS`]) and the `rust-version`s the
//! crates of the locked dependency tree ask for (all features, all targets,
//! dev-dependencies included, so the tests build there too). A dependency
//! update that raises it fails here, naming the crates.
//!
//! `resolver = "3"` keeps `cargo update` within the MSRV; this test catches
//! what gets past it (`cargo update --precise`, a new dependency whose every
//! version needs a newer Rust). Our own code's use of newer standard library
//! items is caught by clippy's `incompatible_msrv` lint, which reads the same
//! `rust-version`.

use serde_json::Value;
use std::process::Command;

/// `"1.85"`, `"1.85.0"` → `(1, 85, 0)`.
fn parse_version(text: &str) -> (u64, u64, u64) {
    let mut parts = text.split('.').map(|part| {
        part.parse::<u64>()
            .unwrap_or_else(|_| panic!("rust-version `{text}` is not a version"))
    });
    let major = parts.next().unwrap_or(0);
    let minor = parts.next().unwrap_or(0);
    let patch = parts.next().unwrap_or(0);
    (major, minor, patch)
}

fn show((major, minor, patch): (u64, u64, u64)) -> String {
    format!("{major}.{minor}.{patch}")
}

/// What our own code needs: the standard library's file locks
/// (`File::try_lock`, `std::fs::TryLockError`), stable since 1.89, for the
/// spool's directory lock.
const OWN_CODE_NEEDS: (u64, u64, u64) = (1, 89, 0);

fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--all-features",
            "--locked",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON")
}

#[test]
fn rust_version_is_what_the_locked_tree_needs() {
    let metadata = metadata();
    let packages = metadata["packages"].as_array().expect("packages");
    let members: Vec<&str> = metadata["workspace_members"]
        .as_array()
        .expect("workspace_members")
        .iter()
        .map(|id| id.as_str().expect("member id"))
        .collect();

    let mut declared = Vec::new();
    let mut needs: Vec<((u64, u64, u64), String)> = Vec::new();
    for package in packages {
        let name = package["name"].as_str().expect("name");
        let version = package["version"].as_str().expect("version");
        let rust_version = package["rust_version"].as_str();
        if members.contains(&package["id"].as_str().expect("id")) {
            let rust_version =
                rust_version.unwrap_or_else(|| panic!("{name} declares no rust-version"));
            declared.push((name.to_owned(), parse_version(rust_version)));
        } else if let Some(rust_version) = rust_version {
            needs.push((parse_version(rust_version), format!("{name} {version}")));
        }
    }
    assert_eq!(
        declared.len(),
        3,
        "the three workspace packages: {declared:?}"
    );
    let msrv = declared[0].1;
    for (name, version) in &declared {
        assert_eq!(
            *version, msrv,
            "{name} declares another rust-version than the workspace"
        );
    }

    let newest = needs
        .iter()
        .map(|(version, _)| *version)
        .max()
        .expect("deps");
    let above: Vec<&str> = needs
        .iter()
        .filter(|(version, _)| *version > msrv)
        .map(|(_, crate_)| crate_.as_str())
        .collect();
    assert!(
        above.is_empty(),
        "rust-version {} is not true: the lock file holds crates that need a newer Rust: \
         {above:?}. Keep them at older versions (`cargo update --precise`) or raise \
         `workspace.package.rust-version`.",
        show(msrv)
    );
    let needed = newest.max(OWN_CODE_NEEDS);
    assert_eq!(
        needed,
        msrv,
        "the dependency tree needs Rust {} and our own code {}: set \
         `workspace.package.rust-version` to {} (and `OWN_CODE_NEEDS` to what our code needs, \
         saying why beside it)",
        show(newest),
        show(OWN_CODE_NEEDS),
        show(needed)
    );
}
