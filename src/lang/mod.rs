//! The rule language: parse (pest) → check (types against the fact schema)
//! → compile into a `Program` that the engine evaluates and the detectors
//! scan with.
//!
//! The language never reads files: callers hand it pack sources as text and
//! get back a program, or every diagnostic found, with spans into the text.

pub mod ast;
mod check;
pub mod error;
pub mod fmt;
mod parse;
pub mod program;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use miette::NamedSource;

pub use check::Verify;
pub use error::{CompileErrors, FileDiagnostic, LangError};
pub use parse::parse;
pub use program::Program;

use crate::detect::DetectorSet;
use ast::{Item, PackField, Span};
use error::{CheckError, CheckWarning, did_you_mean};

/// The built-in packs as build.rs embeds them: each one's path, text and
/// syntax tree (postcard), parsed by build.rs with this module's parser so
/// that a check starts without parsing them.
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/builtin_packs.rs"));

    /// The stored tree of the built-in pack at `path`, when `text` is that
    /// pack's text. The tree is stored with the text it was parsed from,
    /// and is used only for that text.
    pub fn tree(path: &str, text: &str) -> Option<super::ast::PackFile> {
        let (_, _, stored) = BUILTIN_PACKS.iter().find(|(p, ..)| *p == path)?;
        let (parsed_from, tree): (&str, super::ast::PackFile) = postcard::from_bytes(stored.as_ref()?).ok()?;
        (parsed_from == text).then_some(tree)
    }
}

/// One pack file's text and where it came from.
#[derive(Clone, Debug)]
pub struct PackSource {
    /// As the user named it, or its path in the repository for a built-in.
    pub path: String,
    pub text: String,
    pub verify: Verify,
}

/// A compiled program, and the warnings found on the way.
#[derive(Debug)]
pub struct Compiled {
    pub program: Program,
    pub warnings: CompileErrors,
}

/// Where an id was first declared, to report a duplicate.
struct Declared {
    file: usize,
    span: Span,
}

/// Compile packs together: ids are unique across all of them.
pub fn compile(sources: &[PackSource]) -> Result<Compiled, CompileErrors> {
    let mut diagnostics: Vec<FileDiagnostic> = Vec::new();
    let mut packs = Vec::new();
    let mut rules = Vec::new();
    let mut detectors = Vec::new();
    let mut detector_origins = Vec::new();
    let mut tests = Vec::new();
    let mut declared: HashMap<String, Declared> = HashMap::new();
    let mut named_in_tests = Vec::new();
    let mut rule_spans: Vec<(usize, String, Span)> = Vec::new();
    let mut pairs: Vec<(usize, String, ast::Spanned<String>)> = Vec::new();
    let named_sources: Vec<Arc<NamedSource<String>>> =
        sources.iter().map(|s| Arc::new(NamedSource::new(&s.path, s.text.clone()).with_language("nhi"))).collect();

    // Each file parses and checks alone: in parallel, then assembled in
    // order, where ids are registered (they are unique across files).
    let checked: Vec<Checked> = {
        use rayon::prelude::*;
        sources.par_iter().enumerate().map(|(file, src)| check_file(file, src)).collect()
    };
    for (file, Checked { pack, items, errors: file_errors }) in checked.into_iter().enumerate() {
        let named = &named_sources[file];
        let mut errors = file_errors;
        for item in items {
            match item {
                CheckedItem::Rule(id, rule) => {
                    let fresh = register(&mut declared, &id, file, &mut errors, sources);
                    if let Some(rule) = rule.filter(|_| fresh) {
                        rule_spans.push((file, rule.id.clone(), id.span));
                        rules.push(rule);
                    }
                }
                CheckedItem::Detector(id, spec, pair, origin) => {
                    let fresh = register(&mut declared, &id, file, &mut errors, sources);
                    if let Some(spec) = spec.filter(|_| fresh) {
                        pairs.extend(pair.into_iter().map(|other| (file, spec.id.clone(), other)));
                        detectors.push(spec);
                        detector_origins.push(origin);
                    }
                }
                CheckedItem::Test(case, named_ids) => {
                    named_in_tests.extend(named_ids.into_iter().map(|(id, fires)| (file, id, fires)));
                    tests.push(case);
                }
            }
        }
        // Report in source order, as a reader meets them.
        errors.sort_by_key(first_offset);
        diagnostics.extend(errors.into_iter().map(|e| FileDiagnostic { source: named.clone(), error: e }));
        packs.push(pack);
    }

    // Tests name rules from any pack under test.
    let mut tested: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
    for (file, id, fires) in &named_in_tests {
        if declared.contains_key(&id.node) {
            let entry = tested.entry(id.node.as_str()).or_default();
            if *fires {
                entry.0 = true;
            } else {
                entry.1 = true;
            }
        } else {
            let known: Vec<&str> = declared.keys().map(String::as_str).collect();
            diagnostics.push(FileDiagnostic {
                source: named_sources[*file].clone(),
                error: CheckError::UnknownRule {
                    id: id.node.clone(),
                    span: id.span.into(),
                    help: did_you_mean(&id.node, &known, "no pack under test declares it; the ids are"),
                }
                .into(),
            });
        }
    }
    // A rule is shown firing and not firing by its pack's tests; a test that
    // names no fixture lines (`expect no`) can show "not firing" only.
    for (file, id, span) in &rule_spans {
        let (fires, passes) = tested.get(id.as_str()).copied().unwrap_or_default();
        for (ok, what) in [(fires, "fires"), (passes, "does not fire")] {
            if !ok {
                diagnostics.push(FileDiagnostic {
                    source: named_sources[*file].clone(),
                    error: CheckWarning::UntestedRule { id: id.clone(), what, span: (*span).into() }.into(),
                });
            }
        }
    }

    // A pair names another detector of the program, from any pack.
    let detector_ids: Vec<&str> = detectors.iter().map(|d| d.id.as_str()).collect();
    for (file, id, other) in &pairs {
        let problem = if other.node == *id {
            Some(("a detector is not its own pair", "another detector's id".to_string()))
        } else if !detector_ids.contains(&other.node.as_str()) {
            Some(("no detector has this id", did_you_mean(&other.node, &detector_ids, "the detectors are")))
        } else {
            None
        };
        if let Some((label, help)) = problem {
            diagnostics.push(FileDiagnostic {
                source: named_sources[*file].clone(),
                error: CheckError::Invalid {
                    message: format!("`pair {}` in detector `{id}`", other.node),
                    span: other.span.into(),
                    label: label.into(),
                    help: Some(help),
                }
                .into(),
            });
        }
    }

    let (warnings, errors): (Vec<_>, Vec<_>) = diagnostics.into_iter().partition(|d| d.error.is_warning());
    // Warnings matter to pack authors once their packs compile; with errors
    // they would bury them.
    if !errors.is_empty() {
        return Err(CompileErrors { diagnostics: errors });
    }
    Ok(Compiled {
        program: Program { packs, rules, detectors: DetectorSet::new(detectors), detector_origins, tests },
        warnings: CompileErrors { diagnostics: warnings },
    })
}

/// One pack file, parsed and checked on its own.
struct Checked {
    pack: program::Pack,
    items: Vec<CheckedItem>,
    errors: Vec<LangError>,
}

/// A checked item of a file, before its id is registered.
enum CheckedItem {
    Rule(ast::Spanned<String>, Option<program::Rule>),
    Detector(ast::Spanned<String>, Option<crate::detect::DetectorSpec>, Vec<ast::Spanned<String>>, program::Origin),
    Test(program::TestCase, check::NamedInTest),
}

fn check_file(file: usize, src: &PackSource) -> Checked {
    let mut pack = program::Pack {
        name: pack_name_from_path(&src.path),
        version: None,
        description: None,
        path: src.path.clone(),
        source: Arc::from(src.text.as_str()),
    };
    let (parsed, syntax_errors) = match embedded::tree(&src.path, &src.text) {
        Some(tree) => (tree, Vec::new()),
        None => parse::parse_recovering(&src.text),
    };
    let mut checker = check::Checker::new(file, &src.text, src.verify);
    checker.errors.extend(syntax_errors.into_iter().map(LangError::from));
    let mut header_seen = false;
    let mut items = Vec::new();
    // Constants first: every rule of the file sees them, wherever they stand.
    for item in &parsed.items {
        if let Item::Let(decl) = item {
            checker.constant(decl);
        }
    }
    for item in &parsed.items {
        match item {
            Item::Let(_) => {}
            Item::Pack(p) => {
                if header_seen {
                    checker.errors.push(CheckError::DuplicateField { field: "pack", span: p.name.span.into() }.into());
                }
                header_seen = true;
                pack.name = p.name.value.clone();
                for f in &p.fields {
                    match &f.node {
                        PackField::Version(v) => pack.version = Some(v.value.clone()),
                        PackField::Description(d) => pack.description = Some(d.value.clone()),
                    }
                }
            }
            Item::Rule(decl) => items.push(CheckedItem::Rule(decl.id.clone(), checker.rule(decl))),
            Item::Detector(decl) => {
                let pair = decl
                    .fields
                    .iter()
                    .filter_map(|f| match &f.node {
                        ast::DetectorField::Pair(other) => Some(other.clone()),
                        _ => None,
                    })
                    .collect();
                let origin = program::Origin { pack: file, start: decl.span.start, end: decl.span.end };
                items.push(CheckedItem::Detector(decl.id.clone(), checker.detector(decl), pair, origin));
            }
            Item::Test(decl) => {
                if let Some((case, named)) = checker.test(decl) {
                    items.push(CheckedItem::Test(case, named));
                }
            }
        }
    }
    checker.unused_constants();
    Checked { pack, items, errors: checker.errors }
}

/// The ids of `program` that `taken` already declares (id, file, line),
/// as duplicate-id errors at the program's own declaration.
pub fn clashes(program: &Program, taken: &[(String, &str, usize)]) -> CompileErrors {
    let origins = program.rules.iter().map(|r| (r.id.as_str(), r.origin, "rule ")).chain(
        program.detectors.iter().zip(&program.detector_origins).map(|(d, o)| (d.spec.id.as_str(), *o, "detector ")),
    );
    let mut diagnostics = Vec::new();
    for (id, origin, keyword) in origins {
        let Some((_, file, line)) = taken.iter().find(|(t, _, _)| t == id) else { continue };
        let Some(pack) = program.packs.get(origin.pack) else { continue };
        let start = origin.start + keyword.len();
        let source = Arc::new(NamedSource::new(&pack.path, pack.source.to_string()).with_language("nhi"));
        let help = format!(
            "`{id}` is a built-in, defined in `{file}` at line {line}; choose another id, or tune the built-in with its parameters in nhigate.toml"
        );
        diagnostics.push(FileDiagnostic {
            source,
            error: CheckError::DuplicateId { id: id.to_string(), span: (start, id.len()).into(), help }.into(),
        });
    }
    CompileErrors { diagnostics }
}

/// Record an id; report it if another block already has it.
fn register(
    declared: &mut HashMap<String, Declared>,
    id: &ast::Spanned<String>,
    file: usize,
    errors: &mut Vec<LangError>,
    sources: &[PackSource],
) -> bool {
    if let Some(first) = declared.get(&id.node) {
        let src = &sources[first.file];
        let line = src.text[..first.span.start.min(src.text.len())].matches('\n').count() + 1;
        errors.push(
            CheckError::DuplicateId {
                id: id.node.clone(),
                span: id.span.into(),
                help: format!(
                    "`{}` is first defined in `{}` at line {line}; ids are unique across all packs",
                    id.node, src.path
                ),
            }
            .into(),
        );
        return false;
    }
    declared.insert(id.node.clone(), Declared { file, span: id.span });
    true
}

fn first_offset(e: &LangError) -> usize {
    use miette::Diagnostic;
    e.labels().and_then(|mut l| l.next()).map_or(usize::MAX, |l| l.offset())
}

fn pack_name_from_path(path: &str) -> String {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    file.strip_suffix(".nhi").unwrap_or(file).to_string()
}
