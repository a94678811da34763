#![no_main]
//! The rule language: parse, check, compile and format a pack.
libfuzzer_sys::fuzz_target!(|data: &[u8]| nhigate::fuzzing::rule_pack(data));
