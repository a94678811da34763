#![no_main]
//! The agent extractor on arbitrary bytes, as `bot.agent.yaml`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| nhigate::fuzzing::extract_as("bot.agent.yaml", data));
