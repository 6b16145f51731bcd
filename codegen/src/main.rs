//! The `algolia-codegen` command: writes (or checks) the generated client,
//! or reports what a spec change means for its users.
//!
//! ```text
//! algolia-codegen <SPEC> --out <DIR> [--check] [--runtime-crate PATH] [--allow-unsupported]
//! algolia-codegen diff <OLD_SPEC> <NEW_SPEC>
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: algolia-codegen <SPEC> --out <DIR> [--check] [--runtime-crate PATH] [--allow-unsupported]
       algolia-codegen diff <OLD_SPEC> <NEW_SPEC>

  <SPEC>                 the OpenAPI 3.0 or 3.1 JSON document
  --out <DIR>            where the generated files go
  --check                write nothing; exit 1 naming each file of <DIR> that is stale
  --runtime-crate PATH   the crate that provides the runtime (default: crate)
  --allow-unsupported    skip an operation the generator cannot handle, with a
                         warning naming its JSON pointer, instead of failing

  diff                   print what changed for users of the generated client between
                         two versions of the spec: operations, types, fields, enum
                         values and constraints added, removed or changed, one line
                         each, marked `breaking` or `compatible`, e.g.
                           breaking: field Instantsearch.agent_id (agentID) removed
                         exit status: 1 if a change is breaking, 0 otherwise,
                         2 on a usage or spec error";

struct Args {
    spec: PathBuf,
    out: PathBuf,
    check: bool,
    runtime_crate: String,
    allow_unsupported: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut spec = None;
    let mut out = None;
    let mut check = false;
    let mut runtime_crate = "crate".to_string();
    let mut allow_unsupported = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--allow-unsupported" => allow_unsupported = true,
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
        allow_unsupported,
    })
}

fn usage_error(message: &str) -> ExitCode {
    if !message.is_empty() {
        eprintln!("error: {message}\n");
    }
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

/// `diff <OLD_SPEC> <NEW_SPEC>`: prints the change report.
#[cfg(feature = "diff")]
fn diff(args: &[String]) -> ExitCode {
    let (old, new) = match args {
        [flag] if flag == "-h" || flag == "--help" => return usage_error(""),
        [old, new] if !old.starts_with('-') && !new.starts_with('-') => (old, new),
        _ => return usage_error("diff takes two specs: <OLD_SPEC> <NEW_SPEC>"),
    };
    let load = |path: &str| {
        algolia_codegen::resolve::Loader::from_path(std::path::Path::new(path))
            .and_then(|loader| algolia_codegen::model::build(&loader))
            .map_err(|error| eprintln!("error: {path}: {error}"))
    };
    let (Ok(old), Ok(new)) = (load(old), load(new)) else {
        return ExitCode::from(2);
    };
    let report = algolia_codegen::diff::compare(&old, &new);
    for change in &report.changes {
        println!("{change}");
    }
    let breaking = report.changes.iter().filter(|c| c.breaking).count();
    match report.changes.len() {
        0 => eprintln!("no change"),
        1 => eprintln!("1 change, {breaking} breaking"),
        n => eprintln!("{n} changes, {breaking} breaking"),
    }
    ExitCode::from(report.exit_code())
}

/// Without the `diff` feature, the command says how to get it.
#[cfg(not(feature = "diff"))]
fn diff(_args: &[String]) -> ExitCode {
    eprintln!("error: this algolia-codegen was built without its `diff` feature (on by default)");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "diff") {
        return diff(&args[1..]);
    }
    let args = match parse_args(args.into_iter()) {
        Ok(args) => args,
        Err(message) => return usage_error(&message),
    };
    let options = algolia_codegen::EmitOptions {
        runtime_crate: args.runtime_crate,
    };
    let model_options = algolia_codegen::model::ModelOptions {
        allow_unsupported: args.allow_unsupported,
    };
    let generated = algolia_codegen::resolve::Loader::from_path(&args.spec)
        .and_then(|loader| algolia_codegen::generate_with(&loader, &model_options, &options));
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
