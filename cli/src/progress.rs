//! Progress on standard error while reading input: a bar when the input's
//! size is known, a spinner otherwise. Hidden when standard error is not a
//! terminal, so that logs and pipes get only the results.

use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

/// A progress display for reading `size` bytes (unknown for standard input).
pub fn reading(size: Option<u64>) -> ProgressBar {
    let bar = match size {
        Some(size) => ProgressBar::new(size).with_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({eta}) {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bytes} read {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
