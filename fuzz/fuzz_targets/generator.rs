//! `cargo fuzz run generator`: see `algolia_insights_fuzz::generator` (the
//! input as a whole spec) and `algolia_insights_fuzz::generator_names` (the
//! input as the names of a small valid spec, which `generator_names` fuzzes
//! on its own).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    algolia_insights_fuzz::generator(data);
    algolia_insights_fuzz::generator_names(data);
});
