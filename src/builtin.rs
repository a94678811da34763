//! The built-in rule packs, embedded at build time from `rules/` (see
//! build.rs). They are verified by the test suite, so loading them skips
//! running their examples.

use crate::lang::{PackSource, Verify};

include!(concat!(env!("OUT_DIR"), "/builtin_packs.rs"));

pub fn sources() -> Vec<PackSource> {
    BUILTIN_PACKS
        .iter()
        .map(|(path, text)| PackSource {
            path: (*path).to_string(),
            text: (*text).to_string(),
            verify: Verify::Trusted,
        })
        .collect()
}
