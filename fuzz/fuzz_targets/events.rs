//! `cargo fuzz run events`: see `algolia_insights_fuzz::events`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| algolia_insights_fuzz::events(data));
