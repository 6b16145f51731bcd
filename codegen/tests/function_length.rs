//! The generator stays readable: no function in `codegen/src` is longer than
//! `LONGEST` lines, so that a reader finds the code that writes a given line
//! of output in a function named after it. A longer one is split by what
//! each part writes (or reads), not raised past the limit.

use std::path::{Path, PathBuf};

/// The most lines a function may take, from its `fn` line to its closing brace.
const LONGEST: usize = 120;

/// A function of a source file: its name, first line and length in lines.
#[derive(Debug, PartialEq)]
struct Function {
    name: String,
    line: usize,
    lines: usize,
}

/// The functions of rustfmt-formatted source: each starts at a line whose
/// first word (after `pub`, `pub(...)`, `const`, `async`, `unsafe`) is `fn`,
/// and ends at the first line after it that is its indent and `}`. A
/// declaration without a body (`fn f();` in a trait) is no function.
fn functions(source: &str) -> Vec<Function> {
    let lines: Vec<&str> = source.lines().collect();
    let mut out = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let mut words = trimmed;
        for prefix in [
            "pub(crate) ",
            "pub(super) ",
            "pub ",
            "const ",
            "async ",
            "unsafe ",
        ] {
            words = words.strip_prefix(prefix).unwrap_or(words);
        }
        let Some(rest) = words.strip_prefix("fn ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let closing = format!("{indent}}}");
        let end = lines[start..].iter().position(|l| {
            *l == closing
                || (l.starts_with(indent)
                    && l.ends_with(';')
                    && !l[indent.len()..].starts_with(' '))
        });
        match end {
            Some(end) if lines[start + end] == closing => out.push(Function {
                name,
                line: start + 1,
                lines: end + 1,
            }),
            _ => {}
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("codegen/src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_generator_function_is_longer_than_the_limit() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut too_long = Vec::new();
    let mut counted = 0;
    for file in &files {
        let source = std::fs::read_to_string(file).expect("a source file is text");
        for f in functions(&source) {
            counted += 1;
            if f.lines > LONGEST {
                too_long.push(format!(
                    "{}:{}: `{}` has {} lines",
                    file.strip_prefix(&src).unwrap_or(file).display(),
                    f.line,
                    f.name,
                    f.lines
                ));
            }
        }
    }
    assert!(
        counted > 100,
        "only {counted} functions found in {}",
        src.display()
    );
    assert!(
        too_long.is_empty(),
        "functions longer than {LONGEST} lines: split each by what its parts write\n{}",
        too_long.join("\n")
    );
}

#[test]
fn functions_are_measured_from_fn_to_closing_brace() {
    let source = "\
trait T {
    fn declared(&self);
    fn declared_on_lines(
        &self,
    ) -> u8;
}

pub(crate) fn free(
    a: u8,
) -> u8 {
    a
}

impl S {
    pub fn method(&self) {
        let f = || {
            1
        };
    }
}
";
    assert_eq!(
        functions(source),
        [
            Function {
                name: "free".into(),
                line: 8,
                lines: 5
            },
            Function {
                name: "method".into(),
                line: 15,
                lines: 5
            },
        ]
    );
}
