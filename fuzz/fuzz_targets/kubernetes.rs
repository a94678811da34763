#![no_main]
//! The kubernetes extractor on arbitrary bytes, as `k8s/app.yaml`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| nhigate::fuzzing::extract_as("k8s/app.yaml", data));
