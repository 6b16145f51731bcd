//! Puts the typed client generated from `spec/insights.json` into `OUT_DIR`.
//!
//! The generated text is checked in (and published) under `generated/`, each
//! file's first line recording the hash of the spec it was made from. When
//! that hash is the spec's, the build copies `generated/` and needs no
//! generator: a user's build never compiles `algolia-codegen` and its syn,
//! prettyplease and regex-syntax. With the feature `regenerate` (which the
//! workspace's own tests enable), the build runs the generator on the spec
//! instead, as the source of truth. Without it, a spec edited since
//! `generated/` was written stops the build, saying how to refresh it.

use std::path::Path;

const SPEC: &str = "spec/insights.json";
const GENERATED: &str = "generated";
/// What precedes the hash in a generated file's first line
/// (`algolia_codegen::SPEC_HASH_MARK`).
const SPEC_HASH_MARK: &str = "spec fnv1a64:";
const REFRESH: &str = "cargo run -p algolia-codegen -- spec/insights.json --out generated";

fn main() {
    refuse_native_only_features_in_the_browser();
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=spec");
    println!("cargo:rerun-if-changed={GENERATED}");
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let out_dir = Path::new(&out_dir);
    let spec = std::fs::read(SPEC).unwrap_or_else(|e| fail(&format!("cannot read {SPEC}: {e}")));
    let hash = spec_hash(&spec);
    // For tests/generated_fresh.rs: this hash must be the generator's.
    write(
        &out_dir.join("spec-hash"),
        format!("{hash:016x}\n").as_bytes(),
    );
    if cfg!(feature = "regenerate") {
        regenerate(out_dir);
    } else {
        copy_generated(hash, out_dir);
    }
}

/// Runs the generator on the spec (feature `regenerate`).
#[cfg(feature = "regenerate")]
fn regenerate(out_dir: &Path) {
    let generated = algolia_codegen::generate_from_path(Path::new(SPEC))
        .unwrap_or_else(|error| fail(&format!("{SPEC}: {error}")));
    for warning in &generated.warnings {
        println!("cargo:warning={warning}");
    }
    if let Err(error) = generated.write_to(out_dir) {
        fail(&format!("cannot write the generated client: {error}"));
    }
}

#[cfg(not(feature = "regenerate"))]
fn regenerate(_out_dir: &Path) {
    unreachable!("only with the feature `regenerate`")
}

/// Copies `generated/*.rs` after checking that each was made from this spec.
fn copy_generated(hash: u64, out_dir: &Path) {
    let entries = std::fs::read_dir(GENERATED)
        .unwrap_or_else(|e| fail(&format!("cannot read {GENERATED}/: {e}")));
    let mut copied = 0;
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| fail(&format!("cannot read {GENERATED}/: {e}")))
            .path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read(&path)
            .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", path.display())));
        let recorded = recorded_hash(&text);
        if recorded != Some(hash) {
            let made_from = match recorded {
                Some(recorded) => format!("a spec whose hash is {recorded:016x}"),
                None => "an unknown spec (no hash in its first line)".to_string(),
            };
            fail(&format!(
                "{SPEC} changed since {GENERATED}/ was written: {} was generated from {made_from}, \
                 the spec's hash is {hash:016x}. Either refresh {GENERATED}/:\n\n    {REFRESH}\n\n\
                 or build with the generator: `--features regenerate` \
                 (algolia-insights/regenerate).",
                path.display()
            ));
        }
        write(&out_dir.join(path.file_name().expect("a file")), &text);
        copied += 1;
    }
    if copied == 0 {
        fail(&format!(
            "no generated file in {GENERATED}/; run:\n\n    {REFRESH}\n"
        ));
    }
}

/// The hash after `SPEC_HASH_MARK` in the first line of a generated file.
fn recorded_hash(text: &[u8]) -> Option<u64> {
    let first_line = text.split(|&b| b == b'\n').next()?;
    let first_line = std::str::from_utf8(first_line).ok()?;
    let (_, after) = first_line.split_once(SPEC_HASH_MARK)?;
    u64::from_str_radix(after.get(..16)?, 16).ok()
}

/// FNV-1a, 64 bits, over the bytes without `\r` (`algolia_codegen::spec_hash`).
fn spec_hash(text: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    text.iter()
        .filter(|&&b| b != b'\r')
        .fold(OFFSET_BASIS, |hash, &b| {
            (hash ^ u64::from(b)).wrapping_mul(PRIME)
        })
}

fn write(path: &Path, bytes: &[u8]) {
    // Unchanged files keep their time stamps.
    if std::fs::read(path).ok().as_deref() == Some(bytes) {
        return;
    }
    if let Err(e) = std::fs::write(path, bytes) {
        fail(&format!("cannot write {}: {e}", path.display()));
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}

/// In a wasm32 build, the features that need tokio's sockets or threads say
/// so here, before the library (and its `compile_error!`s, in src/lib.rs)
/// is compiled. (tokio and mio refuse those parts for wasm32 too, with
/// messages of their own that may come first: cargo builds them at the
/// same time as this script.)
fn refuse_native_only_features_in_the_browser() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() != Ok("wasm32") {
        return;
    }
    let refused: Vec<&str> = [
        (
            "CARGO_FEATURE_LOCAL_SERVER",
            "local-server (a page cannot listen on a socket)",
        ),
        (
            "CARGO_FEATURE_BLOCKING",
            "blocking (a page cannot block: await the requests)",
        ),
        ("CARGO_FEATURE_NATS", "nats (it needs TCP sockets)"),
    ]
    .into_iter()
    .filter(|(variable, _)| std::env::var_os(variable).is_some())
    .map(|(_, feature)| feature)
    .collect();
    if !refused.is_empty() {
        fail(&format!(
            "not available in the browser (wasm32): feature {}; build for the browser with \
             `--no-default-features` (README.md, \"In the browser\")",
            refused.join(", feature ")
        ));
    }
}
