#![no_main]
//! The mcp extractor on arbitrary bytes, as `.mcp.json`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| nhigate::fuzzing::extract_as(".mcp.json", data));
