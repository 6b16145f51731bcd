//! `cargo fuzz run responses`: see `algolia_insights_fuzz::responses`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| algolia_insights_fuzz::responses(data));
