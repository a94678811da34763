#![no_main]
//! The github actions extractor on arbitrary bytes, as `.github/workflows/ci.yml`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| nhigate::fuzzing::extract_as(".github/workflows/ci.yml", data));
