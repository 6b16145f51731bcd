//! OpenAPI 3.1 input: a spec rewritten in 3.1 forms by a converter of our
//! own (`common/to_openapi31.rs`) generates the same client as its 3.0 form.
//!
//! - each of the 15 family bundles (`tests/family/`): the same files, byte
//!   for byte but the first line (it records the spec's hash), and the same
//!   warnings but those 3.0 raises on 3.1 keys (`info.summary`, `examples`);
//! - `spec/insights.json`: the checked-in `generated/` files, byte for byte
//!   but the hash line; and `diff` between the two forms reports nothing.
//!
//! The 3.1 keywords the rewrite does not produce (`$defs`, `dependentRequired`,
//! constraints beside `$ref`, ...) are tested on fixtures below; the refusals
//! in `tests/errors.rs`.

mod common;

use algolia_codegen::model::ModelOptions;
use algolia_codegen::{diff, generate_with, model, resolve::Loader, EmitOptions, Generated};
use common::to_openapi31::to_openapi31;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn generate(spec: &Value, options: &EmitOptions) -> Generated {
    let loader = Loader::from_json_str(&serde_json::to_string_pretty(spec).unwrap()).unwrap();
    generate_with(&loader, &ModelOptions::default(), options).unwrap_or_else(|e| panic!("{e}"))
}

/// A generated file's text without its first line (the spec's hash).
fn without_hash_line(text: &str) -> &str {
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains(algolia_codegen::SPEC_HASH_MARK),
        "the first line records the spec's hash"
    );
    text.split_once('\n').unwrap().1
}

fn assert_same_files(what: &str, expected: &[(String, String)], generated: &Generated) {
    let names: Vec<&str> = generated.files.iter().map(|f| f.name.as_str()).collect();
    let expected_names: Vec<&str> = expected.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, expected_names, "{what}: not the same files");
    for ((name, text), file) in expected.iter().zip(&generated.files) {
        let (a, b) = (without_hash_line(text), without_hash_line(&file.text));
        if a != b {
            let line = a.lines().zip(b.lines()).position(|(x, y)| x != y);
            let line = line.unwrap_or(a.lines().count().min(b.lines().count()));
            panic!(
                "{what}: {name} differs in its 3.1 form from line {} on:\n3.0: {:?}\n3.1: {:?}",
                line + 2,
                a.lines().nth(line),
                b.lines().nth(line)
            );
        }
    }
}

/// Warnings 3.0 raises on a key that is 3.1's, which the 3.1 form reads.
fn is_about_31_keys(message: &str) -> bool {
    message.contains("not an OpenAPI 3.0 key (3.1?)")
        || message.contains("`examples` in a schema is OpenAPI 3.1")
}

fn family() -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(manifest_dir().join("tests/family"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    specs.sort();
    specs
}

#[test]
fn every_family_bundle_in_31_forms_generates_the_same_client() {
    let specs = family();
    assert_eq!(specs.len(), 15, "expected the 15 bundles in tests/family");
    let options = EmitOptions {
        runtime_crate: "::algolia_insights".to_string(),
    };
    let mut rewritten_keys = 0;
    for spec in &specs {
        let name = spec.file_stem().unwrap().to_string_lossy();
        let v30 = read_json(spec);
        let v31 = to_openapi31(&v30);
        assert_ne!(v30, v31, "{name}: the rewrite changed nothing");
        rewritten_keys += count_31_forms(&v31);
        let (old, new) = (generate(&v30, &options), generate(&v31, &options));
        let expected: Vec<(String, String)> = old
            .files
            .iter()
            .map(|f| (f.name.clone(), f.text.clone()))
            .collect();
        assert_same_files(&name, &expected, &new);
        let lines = |g: &Generated, skip_31: bool| -> Vec<String> {
            g.warnings
                .iter()
                .filter(|w| !(skip_31 && is_about_31_keys(&w.message)))
                .map(ToString::to_string)
                .collect()
        };
        assert_eq!(lines(&new, false), lines(&old, true), "{name}: warnings");
    }
    // The rewrite is not idle: the family has these 3.1 forms once rewritten.
    assert!(rewritten_keys > 100, "only {rewritten_keys} 3.1 forms");
}

/// How many `type` lists, `examples` lists and `const`s a document holds.
fn count_31_forms(value: &Value) -> usize {
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(key, v)| {
                let here = match key.as_str() {
                    "type" => usize::from(v.is_array()),
                    "examples" => usize::from(v.is_array()),
                    "const" => 1,
                    _ => 0,
                };
                here + count_31_forms(v)
            })
            .sum(),
        Value::Array(items) => items.iter().map(count_31_forms).sum(),
        _ => 0,
    }
}

#[test]
fn insights_spec_in_31_forms_generates_the_checked_in_files() {
    let root = manifest_dir().parent().unwrap();
    let v31 = to_openapi31(&read_json(&root.join("spec/insights.json")));
    assert!(count_31_forms(&v31) > 20, "the rewrite changed too little");
    let generated = generate(&v31, &EmitOptions::default());
    let checked_in: Vec<(String, String)> = generated
        .files
        .iter()
        .map(|f| {
            let path = root.join("generated").join(&f.name);
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (f.name.clone(), text)
        })
        .collect();
    assert_same_files("spec/insights.json", &checked_in, &generated);
    assert!(generated.warnings.is_empty(), "{:#?}", generated.warnings);
}

#[test]
fn diff_between_a_spec_and_its_31_rewrite_reports_no_change() {
    let root = manifest_dir().parent().unwrap();
    let v30 = read_json(&root.join("spec/insights.json"));
    let load =
        |spec: &Value| model::build(&Loader::from_json_str(&spec.to_string()).unwrap()).unwrap();
    let report = diff::compare(&load(&v30), &load(&to_openapi31(&v30)));
    assert_eq!(report.lines(), Vec::<String>::new());
    // ...while the same check sees a change made in 3.1 forms.
    let mut changed = to_openapi31(&v30);
    changed["components"]["schemas"]["Index"]["examples"] = serde_json::json!(["products"]);
    changed["components"]["schemas"]["Positions"]["maxItems"] = serde_json::json!(10);
    let report = diff::compare(&load(&v30), &load(&changed));
    assert!(report.is_breaking(), "{:?}", report.lines());
}

#[test]
fn the_31_fixture_warns_only_about_what_it_ignores() {
    let fixture = manifest_dir().join("tests/fixtures/openapi31.json");
    let generated = generate(&read_json(&fixture), &EmitOptions::default());
    let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "warning: #/webhooks: `webhooks` are requests the API makes, not operations of the client; ignored",
            "warning: #/jsonSchemaDialect: `jsonSchemaDialect`: schemas are read as OpenAPI 3.1's JSON Schema 2020-12 dialect; ignored",
        ]
    );
}

#[test]
fn diff_reports_a_new_dependent_requirement_as_breaking() {
    let fixture = read_json(&manifest_dir().join("tests/fixtures/openapi31.json"));
    let mut relaxed = fixture.clone();
    relaxed["components"]["schemas"]["Order"]
        .as_object_mut()
        .unwrap()
        .remove("dependentRequired");
    let load =
        |spec: &Value| model::build(&Loader::from_json_str(&spec.to_string()).unwrap()).unwrap();
    let tightened = diff::compare(&load(&relaxed), &load(&fixture));
    assert_eq!(
        tightened.lines(),
        ["breaking: type Order now requires giftWrap when giftNote is set"]
    );
    let eased = diff::compare(&load(&fixture), &load(&relaxed));
    assert!(!eased.is_breaking(), "{:?}", eased.lines());
    assert_eq!(eased.changes.len(), 1);
}
