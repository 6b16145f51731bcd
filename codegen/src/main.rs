//! The `algolia-codegen` command: writes (or checks) the generated client.
//!
//! ```text
//! algolia-codegen <SPEC> --out <DIR> [--check] [--runtime-crate PATH]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: algolia-codegen <SPEC> --out <DIR> [--check] [--runtime-crate PATH]

  <SPEC>                 the OpenAPI 3.0 JSON document
  --out <DIR>            where the generated files go
  --check                write nothing; exit 1 naming each file of <DIR> that is stale
  --runtime-crate PATH   the crate that provides the runtime (default: crate)";

struct Args {
    spec: PathBuf,
    out: PathBuf,
    check: bool,
    runtime_crate: String,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut spec = None;
    let mut out = None;
    let mut check = false;
    let mut runtime_crate = "crate".to_string();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(args.next().ok_or("--out needs a folder")?)),
            "--check" => check = true,
            "--runtime-crate" => {
                runtime_crate = args.next().ok_or("--runtime-crate needs a path")?
            }
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with('-') => return Err(format!("unknown option `{flag}`")),
            _ if spec.is_none() => spec = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    Ok(Args {
        spec: spec.ok_or("missing <SPEC>")?,
        out: out.ok_or("missing --out <DIR>")?,
        check,
        runtime_crate,
    })
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}\n");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let options = algolia_codegen::EmitOptions {
        runtime_crate: args.runtime_crate,
    };
    let generated = algolia_codegen::resolve::Loader::from_path(&args.spec)
        .and_then(|loader| algolia_codegen::generate(&loader, &options));
    let generated = match generated {
        Ok(generated) => generated,
        Err(error) => {
            eprintln!("error: {}: {error}", args.spec.display());
            return ExitCode::FAILURE;
        }
    };
    for warning in &generated.warnings {
        eprintln!("{warning}");
    }
    if args.check {
        let stale = generated.stale_files(&args.out);
        if stale.is_empty() {
            return ExitCode::SUCCESS;
        }
        for file in stale {
            eprintln!("stale: {}", args.out.join(file).display());
        }
        return ExitCode::FAILURE;
    }
    match generated.write_to(&args.out) {
        Ok(()) => {
            for file in &generated.files {
                println!("wrote {}", args.out.join(&file.name).display());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: cannot write to {}: {error}", args.out.display());
            ExitCode::FAILURE
        }
    }
}
