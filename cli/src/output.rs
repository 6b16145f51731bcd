//! Printing to standard output and error without panicking when the other
//! end is closed (`algolia-insights validate big.jsonl | head`): what cannot
//! be shown is dropped, and the exit status still tells the outcome.

use std::fmt;
use std::io::{self, Write};

/// Writes one line to standard output.
pub fn out_line(text: fmt::Arguments<'_>) {
    let mut out = io::stdout().lock();
    let _ = out.write_fmt(text).and_then(|()| out.write_all(b"\n"));
}

/// Writes one line to standard error.
pub fn err_line(text: fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(text).and_then(|()| err.write_all(b"\n"));
}

/// `println!` that never panics.
macro_rules! outln {
    ($($arg:tt)*) => { $crate::output::out_line(format_args!($($arg)*)) };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    ($($arg:tt)*) => { $crate::output::err_line(format_args!($($arg)*)) };
}

pub(crate) use {errln, outln};
