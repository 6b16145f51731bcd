//! `algolia-codegen`: generates the typed Rust client of `algolia-insights`
//! from an OpenAPI 3.0 or 3.1 description.
//!
//! The work is done in phases that can be used and tested one by one:
//!
//! 1. **parse** ([`openapi`]): serde types for the OpenAPI subset we read;
//! 2. **resolve** ([`resolve`]): loads the root document and the files its
//!    `$ref`s name, and follows references;
//! 3. **model** ([`model`]): a typed description of the Rust types and
//!    operations to write, refusing what it cannot represent with an
//!    [`Error`] that names the JSON pointer;
//! 4. **emit** ([`emit`]): Rust tokens with `quote`, checked by `syn` and
//!    formatted by `prettyplease`.
//!
//! The output is deterministic: the same spec always gives the same bytes.
//! Beside generation, [`diff`] (feature `diff`, on by default) tells what
//! changed for users between two versions of a spec.
//!
//! ```no_run
//! let files = algolia_codegen::generate_from_path("spec/insights.json".as_ref()).unwrap();
//! for file in &files.files {
//!     println!("{}: {} bytes", file.name, file.text.len());
//! }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "diff")]
#[cfg_attr(docsrs, doc(cfg(feature = "diff")))]
pub mod diff;
pub mod emit;
pub mod error;
pub mod model;
pub mod names;
pub mod openapi;
pub mod resolve;

pub use emit::{EmitOptions, File};
pub use error::{Error, Location, Warning};

use std::path::Path;

/// What precedes the spec's hash (16 lowercase hex digits) in the first line
/// of each generated file: `spec fnv1a64:0123456789abcdef`.
pub const SPEC_HASH_MARK: &str = "spec fnv1a64:";

/// The hash of a spec's text that the generated files' first line records
/// (after [`SPEC_HASH_MARK`]): FNV-1a, 64 bits, over its bytes with every
/// `\r` left out, so that a checkout with CRLF line ends hashes the same.
///
/// `algolia-insights`'s build script computes the same hash of
/// `spec/insights.json` and, when it equals the one in the checked-in
/// `generated/` files, compiles those without running the generator.
pub fn spec_hash(text: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    text.iter()
        .filter(|&&b| b != b'\r')
        .fold(OFFSET_BASIS, |hash, &b| {
            (hash ^ u64::from(b)).wrapping_mul(PRIME)
        })
}

/// The generated files and the warnings met on the way.
#[derive(Debug, Clone)]
pub struct Generated {
    pub files: Vec<File>,
    pub warnings: Vec<Warning>,
}

impl Generated {
    /// All files as one Rust source, each in a module named after it
    /// (`pub mod models { ... }`): handy for compiling fixture output.
    pub fn single_file(&self) -> String {
        let mut out = String::new();
        for file in &self.files {
            let module = file.name.trim_end_matches(".rs");
            out.push_str(&format!("pub mod {module} {{\n{}}}\n", file.text));
        }
        out
    }

    /// Writes every file into `dir` (created if missing).
    pub fn write_to(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for file in &self.files {
            std::fs::write(dir.join(&file.name), &file.text)?;
        }
        Ok(())
    }

    /// The files in `dir` that differ from (or are missing against) this output.
    pub fn stale_files(&self, dir: &Path) -> Vec<String> {
        self.files
            .iter()
            .filter(|file| {
                std::fs::read_to_string(dir.join(&file.name))
                    .ok()
                    .as_deref()
                    != Some(file.text.as_str())
            })
            .map(|file| file.name.clone())
            .collect()
    }
}

/// Runs every phase on the spec at `path` with the default options
/// (output compiled inside `algolia_insights`).
pub fn generate_from_path(path: &Path) -> Result<Generated, Error> {
    generate(&resolve::Loader::from_path(path)?, &EmitOptions::default())
}

/// Runs every phase on a loaded spec.
pub fn generate(loader: &resolve::Loader, options: &EmitOptions) -> Result<Generated, Error> {
    generate_with(loader, &model::ModelOptions::default(), options)
}

/// Runs every phase on a loaded spec, with the model phase's options too
/// (`allow_unsupported` skips an unsupported operation with a warning).
pub fn generate_with(
    loader: &resolve::Loader,
    model_options: &model::ModelOptions,
    options: &EmitOptions,
) -> Result<Generated, Error> {
    let model = model::build_with(loader, model_options)?;
    let files = emit::emit(&model, options)?;
    Ok(Generated {
        files,
        warnings: model.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::spec_hash;

    #[test]
    fn spec_hash_is_fnv_1a_64_without_carriage_returns() {
        // The published FNV-1a 64 test vectors.
        assert_eq!(spec_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(spec_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(spec_hash(b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(spec_hash(b"{\r\n}\r\n"), spec_hash(b"{\n}\n"));
        assert_ne!(spec_hash(b"{\n}\n"), spec_hash(b"{ \n}\n"));
    }
}
