#![no_main]
//! The terraform extractor on arbitrary bytes, as `main.tf`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| nhigate::fuzzing::extract_as("main.tf", data));
