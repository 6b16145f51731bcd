//! How long building a client takes: ours with plain `http://` hosts (no
//! root certificates loaded), ours with an `https://` host (the system's
//! roots loaded and parsed), and bare reqwest clients for comparison.
//!
//! ```text
//! cargo bench --bench construction
//! ```
//!
//! Each figure is the median (and range) of 31 builds, one at a time, after
//! one build of each kind to warm the files and the allocator.

use algolia_insights::Client;
use std::hint::black_box;
use std::time::Instant;

const BUILDS: usize = 31;

/// Median, fastest and slowest time of `build`, in microseconds.
fn measure<T>(mut build: impl FnMut() -> T) -> (f64, f64, f64) {
    black_box(build());
    let mut times: Vec<f64> = (0..BUILDS)
        .map(|_| {
            let started = Instant::now();
            black_box(build());
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (times[BUILDS / 2], times[0], times[BUILDS - 1])
}

fn main() {
    let rows: [(&str, (f64, f64, f64)); 4] = [
        (
            "`Client::builder(..).hosts([\"http://127.0.0.1:8080\"]).build()`",
            measure(|| {
                Client::builder("app", "key")
                    .hosts(["http://127.0.0.1:8080"])
                    .build()
                    .expect("a client")
            }),
        ),
        (
            "`Client::builder(..).hosts([\"https://127.0.0.1:8443\"]).build()`",
            measure(|| {
                Client::builder("app", "key")
                    .hosts(["https://127.0.0.1:8443"])
                    .build()
                    .expect("a client")
            }),
        ),
        ("`reqwest::Client::new()`", measure(reqwest::Client::new)),
        (
            "`reqwest::Client::builder().tls_certs_only([]).build()`",
            measure(|| {
                reqwest::Client::builder()
                    .tls_certs_only([])
                    .build()
                    .expect("a client")
            }),
        ),
    ];
    println!("## Building a client (µs, median (min–max) of {BUILDS})");
    println!();
    println!("| client | µs |");
    println!("| --- | ---: |");
    for (what, (median, min, max)) in rows {
        println!("| {what} | {median:.0} ({min:.0}–{max:.0}) |");
    }
}
