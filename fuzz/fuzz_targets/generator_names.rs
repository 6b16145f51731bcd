//! `cargo fuzz run generator_names`: the input's lines as the names of a
//! small valid spec; see `algolia_insights_fuzz::generator_names`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    algolia_insights_fuzz::generator_names(data);
});
