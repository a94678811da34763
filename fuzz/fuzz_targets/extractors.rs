#![no_main]
//! Every extractor over arbitrary bytes (`extract::REGISTRY`), as the file
//! each reads in examples/, and as a Helm template.
libfuzzer_sys::fuzz_target!(|data: &[u8]| nhigate::fuzzing::extractors("chart/templates/fuzz.yaml", data));
