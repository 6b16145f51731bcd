//! Generates the typed client from `spec/insights.json` into `OUT_DIR`.
//! The same text is checked in under `generated/` (a test keeps them equal).

use std::path::Path;

fn main() {
    let spec = Path::new("spec/insights.json");
    println!("cargo:rerun-if-changed={}", spec.display());
    println!("cargo:rerun-if-changed=spec");
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let generated = match algolia_codegen::generate_from_path(spec) {
        Ok(generated) => generated,
        Err(error) => {
            eprintln!("error: {}: {error}", spec.display());
            std::process::exit(1);
        }
    };
    for warning in &generated.warnings {
        println!("cargo:warning={warning}");
    }
    if let Err(error) = generated.write_to(Path::new(&out_dir)) {
        eprintln!("error: cannot write the generated client: {error}");
        std::process::exit(1);
    }
}
