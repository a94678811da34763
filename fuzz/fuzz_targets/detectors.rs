#![no_main]
//! Every built-in detector over arbitrary bytes, as files of each kind.
libfuzzer_sys::fuzz_target!(|data: &[u8]| nhigate::fuzzing::detectors(data));
