//! One scan, wired end to end: select sources, read and decode each unit in
//! parallel, run the detectors (and extractors) over it to make facts, and
//! gather the facts and the skipped files in a deterministic order.
//!
//! Workers never print; every per-file problem becomes a `Skipped`.

use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::detect;
use crate::facts::{FactSet, Location, Redacted, Secret};
use crate::lang::Program;
use crate::source::{self, Content, FileEntry, Skipped, WalkOptions};

#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub threads: usize,
    pub max_file_size: u64,
    pub excludes: Vec<String>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions { threads: 0, max_file_size: source::DEFAULT_MAX_FILE_SIZE, excludes: Vec::new() }
    }
}

/// What a scan found, before rules are evaluated.
#[derive(Debug, Default)]
pub struct ScanOutput {
    pub facts: FactSet,
    pub skipped: Vec<Skipped>,
    pub files_scanned: u64,
    pub bytes_scanned: u64,
}

/// Scan the work tree under `root`.
pub fn scan_path(program: &Program, root: &Path, options: &ScanOptions) -> ScanOutput {
    let walk_options = WalkOptions { max_file_size: options.max_file_size, excludes: options.excludes.clone() };
    let (files, mut skipped) = source::walk(root, &walk_options);
    let results: Vec<UnitResult> =
        in_pool(options.threads, || files.par_iter().map(|f| scan_file(program, f)).collect());
    let mut out = ScanOutput::default();
    for r in results {
        out.facts.extend(r.facts);
        skipped.extend(r.skipped);
        out.files_scanned += r.scanned as u64;
        out.bytes_scanned += r.bytes;
    }
    skipped.sort();
    skipped.dedup();
    out.skipped = skipped;
    out.facts.sort();
    out
}

/// Run `f` on a pool of `threads` workers (0: one per core).
pub fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(f),
        Err(_) => f(),
    }
}

#[derive(Default)]
struct UnitResult {
    facts: FactSet,
    skipped: Vec<Skipped>,
    scanned: bool,
    bytes: u64,
}

fn scan_file(program: &Program, file: &FileEntry) -> UnitResult {
    match std::fs::read(&file.full) {
        Ok(bytes) => scan_bytes(program, &file.path, &bytes, None),
        Err(e) => UnitResult {
            skipped: vec![Skipped { path: file.path.clone(), reason: read_error(&e) }],
            ..Default::default()
        },
    }
}

fn read_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::InvalidData => "not readable as a file".into(),
        _ => format!("cannot read: {e}"),
    }
}

/// Scan one unit's bytes: decode, detect, extract.
fn scan_bytes(program: &Program, path: &str, bytes: &[u8], commit: Option<&str>) -> UnitResult {
    let text = match source::decode(bytes) {
        Content::Binary => {
            return UnitResult {
                skipped: vec![Skipped { path: path.to_string(), reason: "binary file".into() }],
                ..Default::default()
            };
        }
        Content::Text(t) => t,
    };
    let mut result = UnitResult { scanned: true, bytes: bytes.len() as u64, ..Default::default() };
    let mut report = detect::Report::default();
    result.facts.secrets = detect_secrets(program, path, &text, commit, &mut report);
    for f in report.failures {
        result.skipped.push(Skipped {
            path: path.to_string(),
            reason: format!("detector `{}` could not run: {}", f.detector, f.reason),
        });
    }
    if let Some(e) = report.parse_error {
        result.skipped.push(Skipped {
            path: path.to_string(),
            reason: format!("not valid {} ({e}); its assignments were read line by line", format_name(path)),
        });
    }
    result
}

fn format_name(path: &str) -> &'static str {
    match crate::syntax::format_of(path) {
        crate::syntax::Format::Yaml => "YAML",
        crate::syntax::Format::Json => "JSON",
        crate::syntax::Format::Toml => "TOML",
        crate::syntax::Format::Hcl => "HCL",
        _ => "syntax",
    }
}

/// Secret facts for everything the detectors find in `text`.
pub fn detect_secrets(
    program: &Program,
    path: &str,
    text: &[u8],
    commit: Option<&str>,
    report: &mut detect::Report,
) -> Vec<Secret> {
    program
        .detectors
        .detect(path, text, report)
        .into_iter()
        .filter_map(|f| {
            let detector = program.detectors.get(f.detector)?;
            Some(Secret {
                detector: detector.spec.id.clone(),
                provider: detector.spec.provider.clone(),
                value: Redacted::new(&f.value),
                value_hash: value_hash(&f.value),
                entropy: f.entropy,
                first_seen: None,
                location: Location {
                    path: path.to_string(),
                    line: f.start.line,
                    column: f.start.col,
                    end_line: Some(f.end.line),
                    end_column: Some(f.end.col),
                    commit: commit.map(str::to_string),
                },
            })
        })
        .collect()
}

/// A hash of a raw secret value: what fingerprints use instead of the value.
pub fn value_hash(raw: &str) -> String {
    hex::encode(&Sha256::digest(raw.as_bytes())[..16])
}
