//! Helpers shared by the generator's tests.

pub mod to_openapi31;
