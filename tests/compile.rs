//! Misuse that the types rule out: each file of `tests/compile_fail/` is one
//! mistake a user could make, with the compiler's answer checked in next to it
//! (`.stderr`); each file of `tests/compile_pass/` is the intended use of one
//! event type, compiled and run (its `main` asserts what it builds).
//!
//! After a deliberate change to the API or the compiler, refresh the expected
//! answers with `TRYBUILD=overwrite cargo test --test compile`, then read them:
//! each must point at the user's line and name the type that was expected.

#[test]
fn misuse_does_not_compile_and_intended_use_does() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
    t.pass("tests/compile_pass/*.rs");
}
