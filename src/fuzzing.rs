//! Entry points for the fuzz targets (fuzz/) and for the test that replays
//! their regression corpus (tests/fuzz.rs): each takes arbitrary bytes and
//! must return without panicking, whatever they are.

use std::sync::OnceLock;

use crate::lang::{self, PackSource, Verify};

/// The rule language: parse, check and compile a pack, then format it.
pub fn rule_pack(data: &[u8]) {
    let text = String::from_utf8_lossy(data).to_string();
    let source = PackSource { path: "fuzz.nhi".into(), text: text.clone(), verify: Verify::Full };
    if let Err(errors) = lang::compile(&[source]) {
        let _ = errors.render(false);
    }
    if let Ok(ast) = lang::parse(&text) {
        let _ = lang::fmt::format(&ast, &text);
    }
}

/// Every extractor: the bytes as the file each reads in `examples/`, and as
/// the file at `path`.
pub fn extractors(path: &str, data: &[u8]) {
    let examples = crate::extract::REGISTRY.iter().map(|e| e.about().example);
    for path in examples.chain([path]) {
        if crate::extract::wants(path, data) {
            let text = String::from_utf8_lossy(data);
            let mut e = crate::extract::extract(path, &text);
            crate::extract::resolve_modules(&mut e.facts);
            crate::extract::inventory::merge(&mut e.facts);
        }
    }
}

/// The detector engine with every built-in detector, over any bytes, as a
/// file of each kind the engine reads differently.
pub fn detectors(data: &[u8]) {
    static PROGRAM: OnceLock<Option<lang::Program>> = OnceLock::new();
    let program = PROGRAM.get_or_init(|| lang::compile(&crate::builtin::sources(&[])).ok().map(|c| c.program));
    let Some(program) = program else { return };
    for path in ["a.txt", "a.env", "a.py", "a.yaml", "a.json", "a.tf", "a.toml", "config.json"] {
        let mut report = crate::detect::Report::default();
        let _ = program.detectors.detect(path, data, &mut report);
    }
}
