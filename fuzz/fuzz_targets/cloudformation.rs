#![no_main]
//! The cloudformation extractor on arbitrary bytes, as `stack.json`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| nhigate::fuzzing::extract_as("stack.json", data));
