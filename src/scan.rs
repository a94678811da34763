//! One scan, wired end to end: select sources, read and decode each unit in
//! parallel, run the detectors (and extractors) over it to make facts, and
//! gather the facts and the skipped files in a deterministic order.
//!
//! Workers never print; every per-file problem becomes a `Skipped`.

use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::detect;
use crate::extract;
use crate::facts::{FactSet, FirstSeen, Location, Redacted, Secret};
use crate::lang::Program;
use crate::source::{self, Content, Skipped, WalkOptions, git};

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
    /// For a diff scan (staged, base..head): the facts of the same paths
    /// before the change. Findings whose fingerprint is here are not new.
    pub before: Option<FactSet>,
    pub skipped: Vec<Skipped>,
    /// `nhigate:ignore` comments found in the scanned text.
    pub ignores: Vec<crate::suppress::Ignore>,
    pub files_scanned: u64,
    pub bytes_scanned: u64,
}

/// One thing to scan: a path, where its bytes come from, and the commit it
/// was read from.
struct Unit {
    path: String,
    load: Load,
    commit: Option<git::Commit>,
}

enum Load {
    File(std::path::PathBuf),
    Blob(git2::Oid),
}

/// Scan the work tree under `root`.
pub fn scan_path(program: &Program, root: &Path, options: &ScanOptions) -> ScanOutput {
    let walk_options = WalkOptions { excludes: options.excludes.clone() };
    let (files, skipped) = source::walk(root, &walk_options);
    let units = files.into_iter().map(|f| Unit { path: f.path, load: Load::File(f.full), commit: None }).collect();
    let mut out = scan_units(program, units, None, options);
    out.skipped.extend(skipped);
    finish(out)
}

/// The pre-commit view: what the index holds that HEAD does not.
pub fn scan_staged(program: &Program, repo_path: &Path, options: &ScanOptions) -> Result<ScanOutput, git::GitError> {
    let repo = git::open(repo_path)?;
    let git_dir = repo.path().to_path_buf();
    // Read once: reading the index hashes all of it.
    let index = repo.index()?;
    let staged = git::staged(&repo, &index)?;
    let before: Vec<Unit> = staged
        .iter()
        .filter_map(|(b, old)| old.map(|oid| Unit { path: b.path.clone(), load: Load::Blob(oid), commit: None }))
        .collect();
    let mut before = before;
    let mut units: Vec<Unit> =
        staged.into_iter().map(|(b, _)| Unit { path: b.path, load: Load::Blob(b.oid), commit: None }).collect();
    // Owners and purposes declared in nhi.toml apply to the staged files
    // even when nhi.toml itself is not staged; it is read on both sides so
    // that its own findings count only when they change.
    if !units.iter().any(|u| u.path == git::INVENTORY) {
        let (in_index, at_head) = git::inventory_in_index(&repo, &index);
        let unit = |oid| Unit { path: git::INVENTORY.to_string(), load: Load::Blob(oid), commit: None };
        units.extend(in_index.map(unit));
        before.extend(at_head.map(unit));
    }
    let mut out = scan_units(program, units, Some(&git_dir), options);
    out.before = Some(finish(scan_units(program, before, Some(&git_dir), options)).facts);
    Ok(finish(out))
}

/// What a branch adds: secrets in every commit of `base..head` (a secret
/// added and removed again is still in the history), and everything else
/// as it stands at head; compared with the same paths at base.
pub fn scan_range(
    program: &Program,
    repo_path: &Path,
    base: &str,
    head: &str,
    options: &ScanOptions,
) -> Result<ScanOutput, git::GitError> {
    let repo = git::open(repo_path)?;
    let git_dir = repo.path().to_path_buf();
    let blobs = git::range(&repo, base, head)?;
    let base_commit = git::resolve(&repo, base)?;
    let head_commit = git::resolve(&repo, head)?;
    let mut paths: Vec<String> = blobs.iter().map(|b| b.path.clone()).collect();
    // The declared inventory applies to the changed files (see scan_staged).
    paths.push(git::INVENTORY.to_string());
    paths.sort();
    paths.dedup();
    let at = |commit: &git2::Commit<'_>| -> Vec<Unit> {
        paths
            .iter()
            .filter_map(|p| {
                git::blob_at(commit, p).map(|oid| Unit { path: p.clone(), load: Load::Blob(oid), commit: None })
            })
            .collect()
    };
    let head_units = at(&head_commit);
    let base_units = at(&base_commit);
    let history = blobs.into_iter().map(|b| Unit { path: b.path, load: Load::Blob(b.oid), commit: b.commit }).collect();
    let mut out = scan_units(program, history, Some(&git_dir), options);
    // Identities, credentials and grants as they stand at head.
    let at_head = scan_units(program, head_units, Some(&git_dir), options);
    out.facts.identities = at_head.facts.identities;
    out.facts.credentials = at_head.facts.credentials;
    out.facts.grants = at_head.facts.grants;
    out.skipped.extend(at_head.skipped);
    out.before = Some(finish(scan_units(program, base_units, Some(&git_dir), options)).facts);
    Ok(finish(out))
}

/// Every blob reachable from any ref, each once; each secret with the
/// commit that first introduced it.
pub fn scan_history(program: &Program, repo_path: &Path, options: &ScanOptions) -> Result<ScanOutput, git::GitError> {
    let repo = git::open(repo_path)?;
    let git_dir = repo.path().to_path_buf();
    let blobs = git::history(&repo)?;
    let units = blobs.into_iter().map(|b| Unit { path: b.path, load: Load::Blob(b.oid), commit: b.commit }).collect();
    let mut out = scan_units(program, units, Some(&git_dir), options);
    // History is for secrets; policy is judged on the current tree.
    out.facts.identities.clear();
    out.facts.credentials.clear();
    out.facts.grants.clear();
    Ok(finish(out))
}

thread_local! {
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn scan_units(program: &Program, units: Vec<Unit>, git_dir: Option<&Path>, options: &ScanOptions) -> ScanOutput {
    let max = options.max_file_size;
    // A handful of units (a staged change) gets the automaton that is quick
    // to build; a tree gets the one that is quick to run.
    program.detectors.prepare(if units.len() <= 32 { 0 } else { u64::MAX });
    let seen = Seen::default();
    let scan_one = |u: &Unit| -> UnitResult {
        BUFFER.with(|buf| {
            let mut buf = buf.borrow_mut();
            let loaded = match (&u.load, git_dir) {
                (Load::File(p), _) => source::read_file(p, max, &mut buf),
                (Load::Blob(oid), Some(dir)) => git::read_blob(dir, *oid, max).map(|b| *buf = b),
                (Load::Blob(_), None) => Err("no repository".to_string()),
            };
            let result = match loaded {
                Ok(()) => scan_bytes(program, &seen, &u.path, &buf, u.commit.as_ref()),
                Err(reason) => {
                    UnitResult { skipped: vec![Skipped { path: u.path.clone(), reason }], ..Default::default() }
                }
            };
            // A huge file's buffer is not kept for the next one.
            if buf.capacity() > 4 << 20 {
                *buf = Vec::new();
            }
            result
        })
    };
    // Results are folded as they come, not collected per unit: most units
    // yield nothing, and a tree of 100,000 files should not cost a record each.
    let merged = in_pool(options.threads, || {
        units
            .par_iter()
            .fold(UnitResult::default, |mut acc, u| {
                acc.absorb(scan_one(u));
                acc
            })
            .reduce(UnitResult::default, |mut a, b| {
                a.absorb(b);
                a
            })
    });
    ScanOutput {
        facts: merged.facts,
        skipped: merged.skipped,
        ignores: merged.ignores,
        files_scanned: merged.files,
        bytes_scanned: merged.bytes,
        before: None,
    }
}

fn finish(mut out: ScanOutput) -> ScanOutput {
    extract::inventory::merge(&mut out.facts);
    out.skipped.sort();
    out.skipped.dedup();
    out.ignores.sort();
    out.ignores.dedup();
    out.facts.sort();
    first_seen_per_value(&mut out.facts);
    out
}

/// A secret value found in several blobs was first seen at the oldest of
/// their commits.
fn first_seen_per_value(facts: &mut FactSet) {
    let mut earliest: std::collections::HashMap<String, FirstSeen> = std::collections::HashMap::new();
    for s in &facts.secrets {
        if let Some(f) = &s.first_seen {
            let e = earliest.entry(s.value_hash.clone()).or_insert_with(|| f.clone());
            if f.date < e.date {
                *e = f.clone();
            }
        }
    }
    for s in &mut facts.secrets {
        if let Some(f) = earliest.get(&s.value_hash) {
            s.first_seen = Some(f.clone());
        }
    }
}

/// Run `f` on a pool of `threads` workers (0: one per core).
pub fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(f),
        Err(_) => f(),
    }
}

/// Units already scanned, by content: a copy of a file (vendored code,
/// fixtures) is scanned once and its secrets reported at every path. Only
/// units that pass the keyword prefilter are hashed, so that the common case
/// costs nothing. The format is part of the key: it decides how a text is read.
#[derive(Default)]
struct Seen {
    by_content: std::sync::Mutex<std::collections::HashMap<(crate::syntax::Format, usize, u64), Vec<Secret>>>,
}

impl Seen {
    fn key(path: &str, text: &[u8]) -> (crate::syntax::Format, usize, u64) {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut h);
        (crate::syntax::format_of(path), text.len(), h.finish())
    }

    fn lookup(&self, path: &str, text: &[u8]) -> Option<Vec<Secret>> {
        let key = Self::key(path, text);
        self.by_content.lock().ok()?.get(&key).cloned()
    }

    fn store(&self, path: &str, text: &[u8], secrets: &[Secret]) {
        let key = Self::key(path, text);
        if let Ok(mut map) = self.by_content.lock() {
            map.insert(key, secrets.to_vec());
        }
    }
}

/// A secret found in identical content elsewhere, placed at this unit.
fn at(s: &Secret, path: &str, commit: Option<&git::Commit>) -> Secret {
    let mut s = s.clone();
    s.location.path = path.to_string();
    s.location.commit = commit.map(|c| c.id.clone());
    s.first_seen = commit.map(|c| FirstSeen { commit: c.id.clone(), date: Some(c.date) }).or(s.first_seen);
    s
}

/// What one unit (or, folded, many) gave.
#[derive(Default)]
struct UnitResult {
    facts: FactSet,
    skipped: Vec<Skipped>,
    ignores: Vec<crate::suppress::Ignore>,
    files: u64,
    bytes: u64,
}

impl UnitResult {
    fn absorb(&mut self, other: UnitResult) {
        self.facts.extend(other.facts);
        self.skipped.extend(other.skipped);
        self.ignores.extend(other.ignores);
        self.files += other.files;
        self.bytes += other.bytes;
    }
}

/// Scan one unit's bytes: decode, detect, extract.
fn scan_bytes(program: &Program, seen: &Seen, path: &str, bytes: &[u8], commit: Option<&git::Commit>) -> UnitResult {
    let text = match source::decode(bytes) {
        Content::Binary => {
            return UnitResult {
                skipped: vec![Skipped { path: path.to_string(), reason: "binary file".into() }],
                ..Default::default()
            };
        }
        Content::Text(t) => t,
    };
    let mut result = UnitResult { files: 1, bytes: bytes.len() as u64, ..Default::default() };
    let (ignores, bad_ignores) = crate::suppress::inline::find(path, &text);
    result.ignores = ignores;
    result.skipped.extend(bad_ignores.into_iter().map(|reason| Skipped { path: path.to_string(), reason }));
    let mut report = detect::Report::default();
    let candidates = program.detectors.prefilter(&text);
    if !candidates.nothing_to_do(path, &text) {
        result.facts.secrets = match seen.lookup(path, &text) {
            Some(same) => same.iter().map(|s| at(s, path, commit)).collect(),
            None => {
                let found = detect_secrets(program, path, &text, candidates, commit, &mut report);
                if report.failures.is_empty() && report.parse_error.is_none() {
                    seen.store(path, &text, &found);
                }
                found
            }
        };
    }
    for f in report.failures {
        result.skipped.push(Skipped {
            path: path.to_string(),
            reason: format!("detector `{}` could not run: {}", f.detector, f.reason),
        });
    }
    // Identities are read from the tree as it stands (work tree, index,
    // head), not from every historical blob.
    let extraction = match commit {
        None if extract::wants(path, &text) => extract::extract(path, &String::from_utf8_lossy(&text)),
        _ => extract::Extraction::default(),
    };
    result.facts.extend(extraction.facts);
    match (report.parse_error, extraction.problem) {
        (Some(e), problem) => result.skipped.push(Skipped {
            path: path.to_string(),
            reason: format!(
                "not valid {} ({e}); its assignments were read line by line{}",
                format_name(path),
                if problem.is_some() { " and no identities were read from it" } else { "" }
            ),
        }),
        (None, Some(problem)) => result.skipped.push(Skipped { path: path.to_string(), reason: problem }),
        (None, None) => {}
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
fn detect_secrets(
    program: &Program,
    path: &str,
    text: &[u8],
    candidates: detect::Candidates,
    commit: Option<&git::Commit>,
    report: &mut detect::Report,
) -> Vec<Secret> {
    program
        .detectors
        .detect_with(path, text, candidates, report)
        .into_iter()
        .filter_map(|f| {
            let detector = program.detectors.get(f.detector)?;
            Some(Secret {
                detector: detector.spec.id.clone(),
                provider: detector.spec.provider.clone(),
                value: Redacted::new(&f.value),
                value_hash: value_hash(&f.value),
                entropy: f.entropy,
                first_seen: commit.map(|c| FirstSeen { commit: c.id.clone(), date: Some(c.date) }),
                location: Location {
                    path: path.to_string(),
                    line: f.start.line,
                    column: f.start.col,
                    end_line: Some(f.end.line),
                    end_column: Some(f.end.col),
                    commit: commit.map(|c| c.id.clone()),
                },
            })
        })
        .collect()
}

/// A hash of a raw secret value: what fingerprints use instead of the value.
pub fn value_hash(raw: &str) -> String {
    hex::encode(&Sha256::digest(raw.as_bytes())[..16])
}
