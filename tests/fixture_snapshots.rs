//! The generator's fixture snapshots (`codegen/tests/snapshots/`) compile, and
//! code written against them runs (trybuild pass cases in `tests/fixture_pass/`).

#[test]
fn generated_fixture_code_compiles_and_runs() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/fixture_pass/*.rs");
}
