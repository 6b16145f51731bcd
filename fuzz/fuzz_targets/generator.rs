//! `cargo fuzz run generator`: see `algolia_insights_fuzz::generator`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| algolia_insights_fuzz::generator(data));
