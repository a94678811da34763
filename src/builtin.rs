//! The built-in rule packs, embedded at build time from `rules/` (see
//! build.rs). They are verified by the test suite, so loading them skips
//! running their examples.

use crate::lang::{PackSource, Verify};

pub use crate::lang::embedded::BUILTIN_PACKS;

/// Built-in packs that are off unless asked for (`--with NAME`): stricter
/// hygiene that not every team wants to gate merges on.
pub const OPTIONAL_DIR: &str = "rules/optional/";

/// The names of the optional packs: `hardening` for `rules/optional/hardening.nhi`.
pub fn optional() -> Vec<&'static str> {
    BUILTIN_PACKS.iter().filter_map(|(path, ..)| path.strip_prefix(OPTIONAL_DIR)?.strip_suffix(".nhi")).collect()
}

/// The default packs, and the optional ones named in `with`.
pub fn sources(with: &[String]) -> Vec<PackSource> {
    BUILTIN_PACKS
        .iter()
        .filter(|(path, ..)| match path.strip_prefix(OPTIONAL_DIR) {
            Some(file) => with.iter().any(|w| file.strip_suffix(".nhi") == Some(w.as_str())),
            None => true,
        })
        .map(|(path, text, _)| PackSource {
            path: (*path).to_string(),
            text: (*text).to_string(),
            verify: Verify::Trusted,
        })
        .collect()
}

/// Every rule and detector id the built-in packs declare (the optional ones
/// too), with the pack and line: read from the text, so that a user's pack
/// can be checked against them without compiling them. A pack identical
/// to a built-in (`rules compile rules/` in this repository) is that
/// built-in, and its ids are not taken.
pub fn declared_ids(except_texts: &[&str]) -> Vec<(String, &'static str, usize)> {
    let mut out = Vec::new();
    for (path, text, _) in BUILTIN_PACKS.iter().filter(|(_, text, _)| !except_texts.contains(text)) {
        for (i, line) in text.lines().enumerate() {
            let mut words = line.split_whitespace();
            if let (Some("rule" | "detector"), Some(id)) = (words.next(), words.next()) {
                out.push((id.to_string(), *path, i + 1));
            }
        }
    }
    out
}
