//! The whole family of Algolia's API descriptions (`tests/family/*.json`, 15
//! bundles) goes through the generator without `--allow-unsupported`, and the
//! output compiles against the `algolia-insights` runtime.
//!
//! Every client goes into one crate, one module per spec, written under the
//! target folder (`<target>/family-check/`, only files whose text changed are
//! rewritten) and checked with `cargo check` in a target folder of its own
//! that stays in place between runs, so a second run is incremental.
//!
//! Two bundles carry defects of their own; there the generator must warn
//! with the JSON pointer and still generate everything else (see
//! `KNOWN_DEFECTS`). Every warning is expected: `tests/family_warnings.txt`
//! lists them all, and one more (or one fewer) fails the test.
//!
//! The README's "Generator coverage" table gives each spec's operations and
//! types; they are counted here from the generated code and must match it.

use algolia_codegen::model::ModelOptions;
use algolia_codegen::{generate_with, names, resolve::Loader, EmitOptions, Generated};
use std::path::{Path, PathBuf};
use std::process::Command;

/// (spec, pointer of the warning its defect must raise).
const KNOWN_DEFECTS: &[(&str, &str)] = &[
    // `items: [...]`: a tuple, which OpenAPI 3.0 does not have.
    (
        "crawler",
        "#/paths/~11~1crawlers~1{id}~1delete_runs/post/requestBody/content/application~1json/schema/items",
    ),
    // `required` names a property that does not exist.
    (
        "advanced-personalization",
        "#/components/schemas/configurationObject/required/1",
    ),
];

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn specs() -> Vec<PathBuf> {
    let dir = manifest_dir().join("tests/family");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    specs.sort();
    specs
}

fn generate_one(spec: &Path) -> Generated {
    let loader = Loader::from_path(spec).unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
    let options = EmitOptions {
        runtime_crate: "::algolia_insights".to_string(),
    };
    generate_with(&loader, &ModelOptions::default(), &options)
        .unwrap_or_else(|e| panic!("{}: {e}", spec.display()))
}

fn stem(spec: &Path) -> String {
    spec.file_stem().unwrap().to_string_lossy().to_string()
}

/// What one spec's generated client holds: (operations, types).
///
/// An operation is a request builder (an `impl` with a `METHOD` constant) in
/// `operations.rs`; a type is a top-level `struct`, `enum` or `type` in
/// `models.rs`.
fn coverage(generated: &Generated) -> (usize, usize) {
    let items = |name: &str| -> Vec<syn::Item> {
        let file = generated
            .files
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no {name} generated"));
        syn::parse_file(&file.text)
            .unwrap_or_else(|e| panic!("{name} does not parse: {e}"))
            .items
    };
    let operations = items("operations.rs")
        .iter()
        .filter(|item| match item {
            syn::Item::Impl(block) => block
                .items
                .iter()
                .any(|i| matches!(i, syn::ImplItem::Const(c) if c.ident == "METHOD")),
            _ => false,
        })
        .count();
    let types = items("models.rs")
        .iter()
        .filter(|item| {
            matches!(
                item,
                syn::Item::Struct(_) | syn::Item::Enum(_) | syn::Item::Type(_)
            )
        })
        .count();
    (operations, types)
}

/// The README's "Generator coverage" table: (spec, operations, types) rows.
fn readme_coverage() -> Vec<(String, usize, usize)> {
    let readme = std::fs::read_to_string(manifest_dir().join("../README.md")).unwrap();
    let rows = readme
        .lines()
        .skip_while(|line| !line.starts_with("| spec | operations | types |"))
        .skip(2)
        .take_while(|line| line.starts_with('|'));
    rows.map(|row| {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let number = |i: usize| {
            cells[i]
                .parse()
                .unwrap_or_else(|_| panic!("README coverage row `{row}`: not a count"))
        };
        (cells[1].to_string(), number(2), number(3))
    })
    .collect()
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Every warning the family raises, one `spec: warning` line each, in
/// `tests/family_warnings.txt`: a warning that is not listed (a construct
/// newly ignored or skipped), or a listed one that is gone, fails the test.
/// Refresh after an intended change: `UPDATE_SNAPSHOTS=1 cargo test -p
/// algolia-codegen --test family`.
fn assert_expected_warnings(warnings: &[String]) {
    let path = manifest_dir().join("tests/family_warnings.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, warnings.join("\n") + "\n").unwrap();
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let expected: Vec<&str> = text.lines().collect();
    let unexpected: Vec<&String> = warnings
        .iter()
        .filter(|w| !expected.contains(&w.as_str()))
        .collect();
    let gone: Vec<&&str> = expected
        .iter()
        .filter(|e| !warnings.iter().any(|w| w == *e))
        .collect();
    assert!(
        unexpected.is_empty() && gone.is_empty() && warnings.len() == expected.len(),
        "the family's warnings are not those of {}:\nunexpected: {unexpected:#?}\ngone: {gone:#?}",
        path.display()
    );
}

#[test]
fn every_family_spec_generates_and_compiles() {
    let specs = specs();
    assert_eq!(specs.len(), 15, "expected the 15 bundles in tests/family");
    let workspace = manifest_dir().parent().unwrap();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"));
    let target = if target.is_absolute() {
        target
    } else {
        workspace.join(target)
    };
    let krate = target.join("family-check");

    let mut counted = Vec::new();
    let mut warnings = Vec::new();
    let mut lib = String::from(
        "//! The generated clients of the family fixtures, one module per spec.\n\
         #![deny(warnings)]\n#![allow(clippy::all, rustdoc::all, deprecated)]\n\n",
    );
    for spec in &specs {
        let name = stem(spec);
        let generated = generate_one(spec);
        let (operations, types) = coverage(&generated);
        counted.push((name.clone(), operations, types));
        let module = names::snake_case(&name);
        lib.push_str(&format!("pub mod {module};\n"));
        write_if_changed(
            &krate.join("src").join(format!("{module}.rs")),
            &generated.single_file(),
        );
        // A defect of the bundle is reported where it is; nothing else is.
        let expected: Vec<&str> = KNOWN_DEFECTS
            .iter()
            .filter(|(s, _)| *s == name)
            .map(|(_, p)| *p)
            .collect();
        for pointer in &expected {
            assert!(
                generated
                    .warnings
                    .iter()
                    .any(|w| w.location.pointer == *pointer),
                "{name}: expected a warning at {pointer}; got {:#?}",
                generated.warnings
            );
        }
        warnings.extend(generated.warnings.iter().map(|w| format!("{name}: {w}")));
    }
    assert_expected_warnings(&warnings);
    counted.sort();
    let table: String = counted
        .iter()
        .map(|(spec, operations, types)| format!("| {spec} | {operations} | {types} |\n"))
        .collect();
    let mut readme = readme_coverage();
    readme.sort();
    assert_eq!(
        readme, counted,
        "the README's \"Generator coverage\" table is stale; the counts are:\n{table}"
    );
    // Names that clash with Rust's prelude, with each other, or use any
    // Unicode (also a snapshot fixture): compiled with the family.
    let names = manifest_dir().join("tests/fixtures/names.json");
    lib.push_str("pub mod names_fixture;\n");
    write_if_changed(
        &krate.join("src/names_fixture.rs"),
        &generate_one(&names).single_file(),
    );
    write_if_changed(&krate.join("src/lib.rs"), &lib);
    let root = workspace.display().to_string().replace('\\', "/");
    write_if_changed(
        &krate.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"algolia-family-check\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [lib]\npath = \"src/lib.rs\"\n\n\
             [dependencies]\nalgolia-insights = {{ path = \"{root}\", features = [\"regex\"] }}\n\
             serde = {{ version = \"1\", features = [\"derive\"] }}\n\
             serde_json = {{ version = \"1\", features = [\"preserve_order\"] }}\n\
             schemars = {{ version = \"1\", optional = true }}\n\n\
             [features]\nblocking = [\"algolia-insights/blocking\"]\n\
             schemars = [\"dep:schemars\", \"algolia-insights/schemars\"]\n\n\
             [workspace]\n"
        ),
    );
    // The workspace's lock file: the same versions, nothing to resolve (cargo
    // adds this crate to its copy, so the copy is refreshed only when the
    // workspace's changes).
    let lock = std::fs::read_to_string(workspace.join("Cargo.lock")).unwrap();
    let seen = krate.join("Cargo.lock.workspace");
    if std::fs::read_to_string(&seen).ok().as_deref() != Some(lock.as_str()) {
        std::fs::write(krate.join("Cargo.lock"), &lock).unwrap();
        std::fs::write(&seen, &lock).unwrap();
    }

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "check",
            "--all-features",
            "--quiet",
            "--message-format=short",
        ])
        .arg("--manifest-path")
        .arg(krate.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(krate.join("target"))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the family's generated code does not compile ({}):\n{}",
        krate.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}
