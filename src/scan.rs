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
use crate::source::exclude::{Excluder, IgnoreFile};
use crate::source::{self, Content, Skipped, WalkOptions, git};
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Clone, Debug)]
pub(crate) struct ScanOptions {
    pub max_file_size: u64,
    pub excludes: Vec<String>,
    /// The .nhigateignore files to honour, when the caller read them (from
    /// the base commit); otherwise each mode reads them from what it scans.
    pub ignore_files: Option<Vec<IgnoreFile>>,
    /// Counters for a progress line, when someone shows one.
    pub progress: Option<std::sync::Arc<Progress>>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_file_size: source::DEFAULT_MAX_FILE_SIZE,
            excludes: Vec::new(),
            ignore_files: None,
            progress: None,
        }
    }
}

/// How far a scan has got: counters the workers bump and a progress line
/// reads. Relaxed atomics: a line drawn ten times a second needs no more.
#[derive(Debug, Default)]
pub struct Progress {
    /// Files or blobs to scan, as they are listed.
    pub total: AtomicU64,
    pub done: AtomicU64,
    pub bytes: AtomicU64,
    /// Commits listed, in history and range scans.
    pub commits: AtomicU64,
}

impl Progress {
    fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
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
    /// Text that could not be read or was over the size cap: a secret in it
    /// would pass unseen, so each is reported (also listed in `skipped`).
    pub not_scanned: Vec<Skipped>,
    /// `nhigate:ignore` comments found in the scanned text.
    pub ignores: Vec<crate::suppress::Ignore>,
    /// The raw values the detectors found: held only so that the redaction
    /// step can find them in any other text before it is shown.
    pub secret_values: Vec<String>,
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
    /// A symbolic link's target path, read as text (never followed).
    LinkTarget(std::path::PathBuf),
    Blob(git2::Oid),
}

/// Scan the work tree under `root`. Inside a git repository every tracked
/// file is scanned, .gitignore or not (a force-added `prod.env` is content
/// like any other); untracked ignored files are not.
pub(crate) fn scan_path(program: &Program, root: &Path, options: &ScanOptions) -> ScanOutput {
    let walk_options = WalkOptions { excludes: options.excludes.clone() };
    let (mut files, skipped) = source::walk(root, &walk_options);
    files.extend(tracked_but_ignored(root, &files, &options.excludes));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let units = files
        .into_iter()
        .map(|f| Unit {
            path: f.path,
            load: if f.link { Load::LinkTarget(f.full) } else { Load::File(f.full) },
            commit: None,
        })
        .collect();
    let mut out = scan_units(program, units, None, options);
    out.not_scanned.extend(skipped.iter().filter(|s| s.reason == source::PERMISSION_DENIED).cloned());
    out.skipped.extend(skipped);
    finish(out)
}

/// Tracked files under `root` that the walker passed over because a
/// .gitignore names them, less what .nhigateignore or `exclude` excludes.
fn tracked_but_ignored(root: &Path, walked: &[source::FileEntry], excludes: &[String]) -> Vec<source::FileEntry> {
    let Ok(repo) = git::open(root) else { return Vec::new() };
    let (Some(workdir), Ok(index)) = (repo.workdir(), repo.index()) else { return Vec::new() };
    let (Ok(workdir), Ok(base)) = (workdir.canonicalize(), root.canonicalize()) else { return Vec::new() };
    let Ok(prefix) = base.strip_prefix(&workdir) else { return Vec::new() };
    let prefix = source::path_text(prefix.as_os_str().as_encoded_bytes()).replace(std::path::MAIN_SEPARATOR, "/");
    let walked: std::collections::HashSet<&str> = walked.iter().map(|f| f.path.as_str()).collect();
    let missing: Vec<String> = git::tracked_files(&index)
        .into_iter()
        .filter_map(
            |p| if prefix.is_empty() { Some(p) } else { p.strip_prefix(&format!("{prefix}/")).map(String::from) },
        )
        .filter(|p| !walked.contains(p.as_str()) && !p.starts_with(".git/"))
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let ignore_files: Vec<IgnoreFile> = walked
        .iter()
        .filter(|p| p.rsplit('/').next() == Some(source::exclude::IGNORE_FILE))
        .filter_map(|p| {
            let dir = p.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default();
            let full = root.join(p);
            // As git modes do: a plain file within the limit, never a link.
            if std::fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_symlink()) {
                return None;
            }
            let text = crate::settings::read::read_bounded(&full, 1 << 20).ok()?;
            Some(IgnoreFile { dir, text: String::from_utf8_lossy(&text).into_owned(), unusual: None })
        })
        .collect();
    let excluder = Excluder::new(excludes, &ignore_files);
    missing
        .into_iter()
        .filter(|p| !excluder.excludes(p))
        .map(|p| source::FileEntry { full: root.join(&p), path: p, link: false })
        // Deleted from the work tree but still in the index: nothing to read.
        .filter(|f| std::fs::symlink_metadata(&f.full).is_ok_and(|m| m.is_file()))
        .collect()
}

/// The pre-commit view: what the index holds that HEAD does not.
/// What `--staged` reads, listed before the packs are needed (the two are
/// done side by side): the staged blobs, and the blobs at HEAD of the files
/// they change.
pub(crate) struct Staged {
    git_dir: std::path::PathBuf,
    units: Vec<Unit>,
    before: Vec<Unit>,
    skipped: Vec<Skipped>,
}

pub(crate) fn list_staged(repo_path: &Path, options: &ScanOptions) -> Result<Staged, git::GitError> {
    let repo = git::open(repo_path)?;
    let git_dir = repo.path().to_path_buf();
    let index = git::StagedIndex::open(&repo)?;
    let listing = git::staged(&repo, &index)?;
    let excluder = match &options.ignore_files {
        Some(files) => Excluder::new(&options.excludes, files),
        None => Excluder::new(
            &options.excludes,
            &git::ignore_files_in_index(&repo, &index, listing.blobs.iter().map(|(b, _)| b.path.as_str())),
        ),
    };
    let staged: Vec<_> = listing.blobs.into_iter().filter(|(b, _)| !excluder.excludes(&b.path)).collect();
    let mut before: Vec<Unit> = staged
        .iter()
        .filter_map(|(b, old)| old.map(|oid| Unit { path: b.path.clone(), load: Load::Blob(oid), commit: None }))
        .collect();
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
    Ok(Staged { git_dir, units, before, skipped: listing.skipped })
}

pub(crate) fn scan_staged(program: &Program, staged: Staged, options: &ScanOptions) -> ScanOutput {
    let Staged { git_dir, units, before, skipped } = staged;
    let mut out = scan_units(program, units, Some(&git_dir), options);
    out.skipped.extend(skipped);
    out.before = Some(finish(scan_units(program, before, Some(&git_dir), options)).facts);
    finish(out)
}

/// What a branch adds: secrets in every commit of `base..head` (a secret
/// added and removed again is still in the history), and everything else
/// as it stands at head; compared with the same paths at base. What is
/// excluded is decided by the caller's ignore files (the base's), else the
/// base commit's.
pub(crate) fn scan_range(
    program: &Program,
    repo_path: &Path,
    base: &str,
    head: &str,
    options: &ScanOptions,
) -> Result<ScanOutput, git::GitError> {
    let repo = git::open(repo_path)?;
    let git_dir = repo.path().to_path_buf();
    let listing = git::range(&repo, base, head)?;
    if let Some(p) = &options.progress {
        Progress::add(&p.commits, listing.commits as u64);
    }
    let base_commit = git::resolve(&repo, base)?;
    let head_commit = git::resolve(&repo, head)?;
    let excluder = match &options.ignore_files {
        Some(files) => Excluder::new(&options.excludes, files),
        None => Excluder::new(&options.excludes, &git::ignore_files_in_tree(&repo, &base_commit.tree()?)),
    };
    let blobs: Vec<git::Blob> = listing.blobs.into_iter().filter(|b| !excluder.excludes(&b.path)).collect();
    let mut paths: Vec<String> = blobs.iter().map(|b| b.path.clone()).collect();
    // Files the range deletes or renames hold identities the base had.
    paths.extend(git::paths_changed(&repo, &base_commit, &head_commit)?.into_iter().filter(|p| !excluder.excludes(p)));
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
    out.facts.literals.0.extend(at_head.facts.literals.0);
    out.secret_values.extend(at_head.secret_values);
    out.skipped.extend(at_head.skipped);
    out.ignores.extend(at_head.ignores);
    out.skipped.extend(listing.skipped);
    out.before = Some(finish(scan_units(program, base_units, Some(&git_dir), options)).facts);
    Ok(finish(out))
}

/// Every blob reachable from any ref, each once per path; each secret with
/// the commit that first introduced it. What is excluded is decided by the
/// ignore files at HEAD.
pub(crate) fn scan_history(
    program: &Program,
    repo_path: &Path,
    options: &ScanOptions,
) -> Result<ScanOutput, git::GitError> {
    let repo = git::open(repo_path)?;
    let git_dir = repo.path().to_path_buf();
    let listing = git::history(&repo)?;
    if let Some(p) = &options.progress {
        Progress::add(&p.commits, listing.commits as u64);
    }
    let head_ignores = match repo.head().and_then(|h| h.peel_to_tree()) {
        Ok(tree) => git::ignore_files_in_tree(&repo, &tree),
        Err(_) => Vec::new(),
    };
    let excluder = Excluder::new(&options.excludes, options.ignore_files.as_deref().unwrap_or(&head_ignores));
    let units = listing
        .blobs
        .into_iter()
        .filter(|b| !excluder.excludes(&b.path))
        .map(|b| Unit { path: b.path, load: Load::Blob(b.oid), commit: b.commit })
        .collect();
    let mut out = scan_units(program, units, Some(&git_dir), options);
    out.skipped.extend(listing.skipped);
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
    let progress = options.progress.as_deref();
    if let Some(p) = progress {
        Progress::add(&p.total, units.len() as u64);
    }
    let seen = Seen::default();
    let scan_one = |u: &Unit| -> UnitResult {
        BUFFER.with(|buf| {
            let mut buf = buf.borrow_mut();
            let loaded = match (&u.load, git_dir) {
                (Load::File(p), _) => source::read_file(p, max, &mut buf),
                (Load::LinkTarget(p), _) => std::fs::read_link(p)
                    .map(|t| *buf = t.as_os_str().as_encoded_bytes().to_vec())
                    .map_err(|e| format!("cannot read the link: {}", e.kind())),
                (Load::Blob(oid), Some(dir)) => git::read_blob(dir, *oid, max).map(|b| *buf = b),
                (Load::Blob(_), None) => Err("no repository".to_string()),
            };
            let result = match loaded {
                Ok(()) if matches!(u.load, Load::Blob(_)) && is_lfs_pointer(&buf) => UnitResult {
                    skipped: vec![Skipped {
                        path: u.path.clone(),
                        reason: "a Git LFS pointer: the content is in LFS storage, not in the repository".into(),
                    }],
                    ..Default::default()
                },
                Ok(()) => scan_bytes(program, &seen, &u.path, &buf, u.commit.as_ref()),
                Err(reason) => {
                    let skipped = Skipped { path: u.path.clone(), reason };
                    UnitResult { not_scanned: vec![skipped.clone()], skipped: vec![skipped], ..Default::default() }
                }
            };
            if let Some(p) = progress {
                Progress::add(&p.done, 1);
                Progress::add(&p.bytes, buf.len() as u64);
            }
            // A huge file's buffer is not kept for the next one.
            if buf.capacity() > 4 << 20 {
                *buf = Vec::new();
            }
            result
        })
    };
    // Results are folded as they come, not collected per unit: most units
    // yield nothing, and a tree of 100,000 files should not cost a record each.
    let merged = units
        .par_iter()
        .fold(UnitResult::default, |mut acc, u| {
            acc.absorb(scan_one(u));
            acc
        })
        .reduce(UnitResult::default, |mut a, b| {
            a.absorb(b);
            a
        });
    ScanOutput {
        facts: merged.facts,
        skipped: merged.skipped,
        not_scanned: merged.not_scanned,
        ignores: merged.ignores,
        secret_values: merged.secret_values,
        files_scanned: merged.files,
        bytes_scanned: merged.bytes,
        before: None,
    }
}

/// A Git LFS pointer file, by the spec's shape: the version line, then
/// only `oid sha256:<64 hex>`, `size <digits>` and `ext-…` lines. Anything
/// else is content and is scanned.
fn is_lfs_pointer(bytes: &[u8]) -> bool {
    let Some(rest) = bytes.strip_prefix(b"version https://git-lfs.github.com/spec/v1\n") else { return false };
    if bytes.len() > 1024 {
        return false;
    }
    let Ok(rest) = std::str::from_utf8(rest) else { return false };
    let (mut oid, mut size) = (false, false);
    for line in rest.lines() {
        let Some((key, value)) = line.split_once(' ') else { return false };
        match key {
            "oid" => {
                let hex = value.strip_prefix("sha256:").unwrap_or("");
                oid = hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
                if !oid {
                    return false;
                }
            }
            "size" => {
                size = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
                if !size {
                    return false;
                }
            }
            k if k.starts_with("ext-") => {}
            _ => return false,
        }
    }
    oid && size
}

fn finish(mut out: ScanOutput) -> ScanOutput {
    out.secret_values.append(&mut out.facts.literals.0);
    extract::resolve_modules(&mut out.facts);
    extract::inventory::merge(&mut out.facts);
    out.skipped.sort();
    out.skipped.dedup();
    out.not_scanned.sort();
    out.not_scanned.dedup();
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

/// Blobs of a history already scanned, by content: a file copied or
/// renamed across commits is scanned once and its secrets reported at every
/// path. Only units that pass the keyword prefilter are hashed. A tree scan
/// does without: copies in one tree are few, and hashing every file cost
/// 7% of a Linux tree scan. The format and the place (code, tests, docs) are part of
/// the key: they decide how a text is read and how sure its finds are.
#[derive(Default)]
struct Seen {
    by_content: std::sync::Mutex<std::collections::HashMap<ContentKey, Vec<Secret>>>,
    /// Randomly keyed per run: two different contents cannot be crafted to
    /// share one entry (and one content's findings) ahead of time.
    hasher: std::collections::hash_map::RandomState,
}

impl Seen {
    fn key(&self, path: &str, text: &[u8]) -> ContentKey {
        use std::hash::BuildHasher;
        (crate::syntax::format_of(path), detect::Place::of(path), text.len(), self.hasher.hash_one(text))
    }

    fn lookup(&self, path: &str, text: &[u8]) -> Option<Vec<Secret>> {
        let key = self.key(path, text);
        self.by_content.lock().ok()?.get(&key).cloned()
    }

    fn store(&self, path: &str, text: &[u8], secrets: &[Secret]) {
        let key = self.key(path, text);
        if let Ok(mut map) = self.by_content.lock() {
            map.insert(key, secrets.to_vec());
        }
    }
}

type ContentKey = (crate::syntax::Format, detect::Place, usize, u64);

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
    secret_values: Vec<String>,
    skipped: Vec<Skipped>,
    not_scanned: Vec<Skipped>,
    ignores: Vec<crate::suppress::Ignore>,
    files: u64,
    bytes: u64,
}

impl UnitResult {
    fn absorb(&mut self, other: UnitResult) {
        self.facts.extend(other.facts);
        self.secret_values.extend(other.secret_values);
        self.skipped.extend(other.skipped);
        self.not_scanned.extend(other.not_scanned);
        self.ignores.extend(other.ignores);
        self.files += other.files;
        self.bytes += other.bytes;
    }
}

/// Scan one unit's bytes: decode, detect, extract.
fn scan_bytes(program: &Program, seen: &Seen, path: &str, bytes: &[u8], commit: Option<&git::Commit>) -> UnitResult {
    let text = match source::decode(bytes) {
        Content::Binary => return scan_binary(program, path, bytes, commit),
        Content::Text(t) => t,
    };
    let mut result = UnitResult { files: 1, bytes: bytes.len() as u64, ..Default::default() };
    let candidates = program.detectors.prefilter(&text);
    if candidates.ignore_marker {
        let (ignores, bad_ignores) = crate::suppress::inline::find(path, &text, commit.map(|c| c.id.as_str()));
        result.ignores = ignores;
        result.skipped.extend(bad_ignores.into_iter().map(|reason| Skipped { path: path.to_string(), reason }));
    }
    let mut report = detect::Report::default();
    if !candidates.nothing_to_do(path, &text) {
        result.facts.secrets = match commit.and_then(|_| seen.lookup(path, &text)) {
            Some(same) => same.iter().map(|s| at(s, path, commit)).collect(),
            None => {
                let (found, values) = detect_secrets(program, path, &text, candidates, commit, &mut report);
                result.secret_values = values;
                if commit.is_some() && report.failures.is_empty() && report.parse_error.is_none() {
                    seen.store(path, &text, &found);
                }
                found
            }
        };
    }
    // A token spelled with escapes (`"gh\u0070_…"`) is the token to any
    // parser: the decoded values of JSON and YAML are searched too, and so
    // are percent-escaped runs and base64 config blobs.
    let mut escaped = program.detectors.escaped(path, &text);
    escaped.extend(program.detectors.encoded(path, &text));
    if !escaped.is_empty() {
        let (found, values) = secrets_of(program, path, escaped, commit);
        let mut known: std::collections::HashSet<String> =
            result.facts.secrets.iter().map(|s| s.value_hash.clone()).collect();
        result.facts.secrets.extend(found.into_iter().filter(|s| known.insert(s.value_hash.clone())));
        result.secret_values.extend(values);
    }
    if let Some(raw) = source::also_raw(bytes) {
        let candidates = program.detectors.prefilter(&raw);
        if !candidates.nothing_to_do(path, &raw) {
            let (found, values) =
                detect_secrets(program, path, &raw, candidates, commit, &mut detect::Report::default());
            let known: std::collections::HashSet<String> =
                result.facts.secrets.iter().map(|s| s.value_hash.clone()).collect();
            result.facts.secrets.extend(found.into_iter().filter(|s| !known.contains(&s.value_hash)));
            result.secret_values.extend(values);
        }
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
        None if extract::wants(path, &text) => extract::extract(path, &crate::source::lossy(&text)),
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

/// A binary unit: no syntax to read, but a token written into it (a
/// compiled config, a padded script) is still a token. Pattern detectors
/// only; the unit is listed as skipped either way.
fn scan_binary(program: &Program, path: &str, bytes: &[u8], commit: Option<&git::Commit>) -> UnitResult {
    let mut result =
        UnitResult { skipped: vec![Skipped { path: path.to_string(), reason: BINARY.into() }], ..Default::default() };
    let mut candidates = program.detectors.prefilter(bytes);
    candidates.detectors.retain(|&d| program.detectors.get(d).is_some_and(|d| !d.is_assignment()));
    if !candidates.detectors.is_empty() {
        // As a binary path: no syntax is read for assignments or encodings.
        let (found, values) = detect_secrets(program, "", bytes, candidates, commit, &mut detect::Report::default());
        result.facts.secrets = found.into_iter().map(|s| at(&s, path, commit)).collect();
        result.secret_values = values;
    }
    result
}

/// Why a binary unit is listed as skipped.
const BINARY: &str = "binary file (searched for token shapes only)";

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
) -> (Vec<Secret>, Vec<String>) {
    let found = program.detectors.detect_with(path, text, candidates, report);
    secrets_of(program, path, found, commit)
}

/// Secret facts (and their raw values) for what the detectors found.
fn secrets_of(
    program: &Program,
    path: &str,
    found: Vec<detect::Found>,
    commit: Option<&git::Commit>,
) -> (Vec<Secret>, Vec<String>) {
    let secrets = found
        .iter()
        .filter_map(|f| {
            let detector = program.detectors.get(f.detector)?;
            Some(Secret {
                detector: detector.spec.id.clone(),
                provider: detector.spec.provider.clone(),
                value: Redacted::new(&f.value),
                value_hash: value_hash(&f.value),
                entropy: f.entropy,
                confidence: f.confidence,
                first_seen: commit.map(|c| FirstSeen { commit: c.id.clone(), date: Some(c.date) }),
                location: Location {
                    path: path.to_string(),
                    line: f.start.line,
                    column: f.start.col,
                    end_line: Some(f.end.line),
                    end_column: Some(f.end.col),
                    commit: commit.map(|c| c.id.clone()),
                },
                pair: f.pair.map(|(start, end)| Location {
                    path: path.to_string(),
                    line: start.line,
                    column: start.col,
                    end_line: Some(end.line),
                    end_column: Some(end.col),
                    commit: commit.map(|c| c.id.clone()),
                }),
            })
        })
        .collect();
    (secrets, found.into_iter().map(|f| f.value).collect())
}

/// A hash of a raw secret value: what fingerprints use instead of the value.
pub(crate) fn value_hash(raw: &str) -> String {
    hex::encode(&Sha256::digest(raw.as_bytes())[..16])
}
