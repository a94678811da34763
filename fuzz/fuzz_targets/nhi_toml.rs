#![no_main]
//! The nhi toml extractor on arbitrary bytes, as `nhi.toml`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| nhigate::fuzzing::extract_as("nhi.toml", data));
