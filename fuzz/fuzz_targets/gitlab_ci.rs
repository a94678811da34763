#![no_main]
//! The gitlab ci extractor on arbitrary bytes, as `.gitlab-ci.yml`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| nhigate::fuzzing::extract_as(".gitlab-ci.yml", data));
