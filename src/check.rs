//! One check, start to finish, as a library call: the settings and packs,
//! the scan, evaluation, suppression, and a finished `Run` that any report
//! writer takes. The command line only turns flags into a `Request` and
//! picks a writer.
//!
//! ```
//! use nhigate::check::{Mode, Request};
//!
//! let dir = std::env::temp_dir().join("nhigate-doc-check");
//! std::fs::create_dir_all(&dir).unwrap();
//! std::fs::write(dir.join("main.tf"), "resource \"aws_iam_user\" \"ci\" {\n  name = \"ci-bot\"\n}\n").unwrap();
//! let run = nhigate::check::run(&Request::new(&dir, Mode::Tree)).map_err(|e| e.to_string()).unwrap();
//! assert!(run.findings.iter().any(|f| f.rule_id == "NHI-OWN-001"), "an owner is required");
//! let mut json = Vec::new();
//! nhigate::report::write(&run.report(), nhigate::report::Format::Json, &mut json, false).unwrap();
//! ```

use std::path::{Path, PathBuf};

use crate::engine::{self, Finding};
pub use crate::facts::Confidence;
use crate::facts::{Date, FactSet, Location, delta};
use crate::lang::{self, Compiled, PackSource, Program, Verify};
use crate::report::json::{PackDigest, Provenance};
use crate::report::scrub::Scrubber;
use crate::report::{self, Report, RuleInfo, Stats};
pub use crate::scan::Progress;
use crate::scan::{self, ScanOptions, ScanOutput};
use crate::settings::{self, Settings};
use crate::severity::Severity;
pub use crate::source::DEFAULT_MAX_FILE_SIZE;
use crate::source::git::{self, GIT_HELP};
use crate::source::{self, Skipped};
use crate::suppress;
pub use crate::suppress::baseline::Baseline;

/// Which scan a check runs.
#[derive(Clone, Debug)]
pub enum Mode {
    /// The files as they are on disk.
    Tree,
    /// What `git commit` would commit.
    Staged,
    /// What `head` adds to `base`.
    Range { base: String, head: String },
    /// Every commit.
    History,
}

/// What to check, and how. `Request::new` sets the defaults the command
/// line has.
#[derive(Clone, Debug)]
pub struct Request {
    pub path: PathBuf,
    pub mode: Mode,
    /// Packs besides the built-ins (files or folders of `.nhi` files).
    pub rules: Vec<PathBuf>,
    /// Optional built-in packs to turn on (`hardening`).
    pub with: Vec<String>,
    pub no_builtin: bool,
    /// The config file; default: nhigate.toml at the scanned root.
    pub config: Option<PathBuf>,
    /// Worker threads; 0 is one per core.
    pub threads: usize,
    pub now: Date,
    /// JSON facts files to add (docs/facts.md).
    pub facts: Vec<PathBuf>,
    pub max_file_size: u64,
    pub exclude: Vec<String>,
    pub baseline: Option<PathBuf>,
    /// Read the baseline the config names (not when writing one).
    pub read_baseline: bool,
    /// The least confidence a secret needs to be reported.
    pub confidence: Option<Confidence>,
    /// The least severity that fails the check.
    pub severity: Option<Severity>,
    /// Counters a progress line reads while the check runs.
    pub progress: Option<std::sync::Arc<Progress>>,
}

impl Request {
    pub fn new(path: impl Into<PathBuf>, mode: Mode) -> Request {
        Request {
            path: path.into(),
            mode,
            rules: Vec::new(),
            with: Vec::new(),
            no_builtin: false,
            config: None,
            threads: 0,
            now: Date::today(),
            facts: Vec::new(),
            max_file_size: source::DEFAULT_MAX_FILE_SIZE,
            exclude: Vec::new(),
            baseline: None,
            read_baseline: true,
            confidence: None,
            severity: None,
            progress: None,
        }
    }

    fn in_tree(&self) -> bool {
        matches!(self.mode, Mode::Tree)
    }
}

/// Why a check could not run.
#[derive(Debug)]
pub enum Error {
    /// A path, a revision, a config or a facts file that is wrong, and what
    /// would help.
    Failed { message: String, help: Option<String> },
    /// The packs do not compile: every diagnostic.
    Packs(lang::CompileErrors),
}

impl Error {
    fn failed(message: impl Into<String>, help: Option<&str>) -> Error {
        Error::Failed { message: message.into(), help: help.map(str::to_string) }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Failed { message, .. } => f.write_str(message),
            Error::Packs(e) => write!(f, "the rule packs do not compile: {} diagnostics", e.diagnostics.len()),
        }
    }
}

impl std::error::Error for Error {}

/// Every `.nhi` file named, or under a folder named, in a stable order;
/// each bounded in size, and a link loop in a folder is an error.
pub fn read_packs(paths: &[PathBuf], verify: Verify) -> Result<Vec<PackSource>, Error> {
    let mut sources = Vec::new();
    for p in paths {
        let found =
            settings::disk_packs(p).map_err(|e| Error::failed(format!("rule pack `{}` {e}", p.display()), None))?;
        sources.extend(found.into_iter().map(|s| PackSource { verify, ..s }));
    }
    sources.sort_by(|a, b| a.path.cmp(&b.path));
    sources.dedup_by(|a, b| a.path == b.path);
    Ok(sources)
}

/// A user's packs' ids that a built-in pack already declares, as errors.
pub fn builtin_clashes(program: &Program) -> Result<(), lang::CompileErrors> {
    let texts: Vec<&str> = program.packs.iter().map(|p| &*p.source).collect();
    let errors = lang::clashes(program, &crate::builtin::declared_ids(&texts));
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// The built-ins with the optional packs in `with` (unless `no_builtin`)
/// and `extra`, compiled.
pub fn load_packs(with: &[String], no_builtin: bool, extra: Vec<PackSource>) -> Result<Compiled, Error> {
    if let Some(unknown) = with.iter().find(|w| !crate::builtin::optional().contains(&w.as_str())) {
        let known = crate::builtin::optional().join(", ");
        return Err(Error::Failed {
            message: format!("there is no optional pack `{unknown}`"),
            help: Some(format!("optional packs: {known}")),
        });
    }
    let mut sources = if no_builtin { Vec::new() } else { crate::builtin::sources(with) };
    sources.extend(extra);
    lang::compile(&sources).map_err(Error::Packs)
}

/// What one check found, before suppression and reporting.
pub struct Collected {
    pub findings: Vec<Finding>,
    pub output: ScanOutput,
    pub rules: Vec<RuleInfo>,
    pub settings: Settings,
    pub program: Program,
    /// Secret findings below the confidence asked for, dropped.
    pub below_confidence: u64,
}

const CONFIG_HELP: &str = "see the configuration section of the README";

/// Load the settings and packs, scan, evaluate, and apply the config's rule
/// settings (suppressions come after).
fn collect(r: &Request) -> Result<Collected, Error> {
    let path = r.path.as_path();
    if !path.exists() {
        return Err(Error::failed(format!("path `{}` does not exist", path.display()), None));
    }
    let repository = match r.mode {
        Mode::Tree => git::open(path).ok(),
        _ => Some(git::open(path).map_err(|e| Error::failed(e.to_string(), Some(e.help())))?),
    };
    let scan_dir =
        if path.is_dir() { path.to_path_buf() } else { path.parent().unwrap_or(Path::new(".")).to_path_buf() };
    let root = repository.as_ref().and_then(|r| r.workdir()).map_or_else(|| scan_dir.clone(), Path::to_path_buf);
    // In a branch check the settings are the base commit's; the head's are
    // read only to report what the branch would change.
    let commit_origin = |rev: &str| -> Result<settings::Origin<'_>, Error> {
        let repo = repository.as_ref().ok_or_else(|| Error::failed("not a git repository", Some(GIT_HELP)))?;
        let commit = git::resolve(repo, rev).map_err(|e| Error::failed(e.to_string(), Some(e.help())))?;
        let tree = commit.tree().map_err(|e| Error::failed(format!("git: {}", e.message()), None))?;
        let id = commit.id().to_string();
        Ok(settings::Origin::Commit { repo, tree, name: format!("commit {}", id.get(..12).unwrap_or(&id)) })
    };
    let origin = match &r.mode {
        Mode::Range { base, .. } => commit_origin(base)?,
        _ => settings::Origin::Disk,
    };
    let repo = settings::Repo { root: root.clone(), origin };
    let wanted = settings::Wanted {
        scan_root: &scan_dir,
        config: r.config.as_deref(),
        packs: &r.rules,
        baseline: r.baseline.as_deref(),
        read_baseline: r.read_baseline,
    };
    let trusted = settings::load(&repo, &wanted).map_err(|e| Error::failed(e, Some(CONFIG_HELP)))?;
    let mut with = r.with.clone();
    with.extend(trusted.config.with.iter().cloned());
    let mut excludes = r.exclude.clone();
    excludes.extend(trusted.config.exclude.iter().cloned());
    let options = ScanOptions {
        max_file_size: r.max_file_size,
        excludes,
        ignore_files: trusted.ignore_files.clone(),
        progress: r.progress.clone(),
    };
    let load = || -> Result<Program, Error> {
        let mut program = load_packs(&with, r.no_builtin, trusted.packs.clone())?.program;
        trusted.config.check_rule_ids(&known_rule_ids(&program)).map_err(|e| Error::failed(e, Some(CONFIG_HELP)))?;
        trusted.config.set_params(&mut program).map_err(|e| Error::failed(e, Some(CONFIG_HELP)))?;
        if let Mode::Staged = r.mode {
            // Most staged changes are a few files: their automaton is built
            // while the index is still being read.
            program.detectors.prepare(0);
        }
        Ok(program)
    };
    let (program, scanned) = if let Mode::Staged = r.mode {
        // A pre-commit hook waits for both: the index is read while the
        // packs compile.
        let (program, staged) = rayon::join(load, || scan::list_staged(path, &options));
        let program = program?;
        let scanned = staged.map(|s| scan::scan_staged(&program, s, &options));
        (program, scanned)
    } else {
        let program = load()?;
        let scanned = match &r.mode {
            Mode::Tree | Mode::Staged => Ok(scan::scan_path(&program, path, &options)),
            Mode::Range { base, head } => scan::scan_range(&program, path, base, head, &options),
            Mode::History => scan::scan_history(&program, path, &options),
        };
        (program, scanned)
    };
    let known = known_rule_ids(&program);
    let mut output = scanned.map_err(|e| Error::failed(e.to_string(), Some(e.help())))?;
    // An ignore naming no rule suppresses nothing: say so, with the nearest id.
    for i in &output.ignores {
        if !known.iter().any(|k| k.eq_ignore_ascii_case(&i.rule)) {
            let hint = crate::lang::error::suggest(&i.rule, known.iter().copied())
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            let reason = format!(
                "line {}: `nhigate:ignore` names `{}`, which is not a rule{hint} (not applied)",
                i.line, i.rule
            );
            output.skipped.push(Skipped { path: i.path.clone(), reason });
        }
    }
    output.skipped.sort();
    output.skipped.dedup();
    for f in &r.facts {
        let facts = load_facts(f).map_err(|m| Error::failed(m, Some("see docs/facts.md for the facts file format")))?;
        output.facts.extend(facts);
    }
    output.facts.sort();
    let mut findings = judge(&program, &mut output.facts, output.before.as_ref(), r.now);
    findings.extend(output.not_scanned.iter().map(|s| {
        let location = Location { path: s.path.clone(), line: 1, column: 1, ..Default::default() };
        let message = format!("`{}` was not scanned: {}", s.path, s.reason);
        engine::gate::finding(&engine::gate::FILE_NOT_SCANNED, location, message, "")
    }));
    // A tree's paths are from the scanned folder; git's are from the root.
    if r.in_tree() {
        engine::rebase(&mut findings, &source::path_in_repository(path));
    }
    if let Mode::Range { head, .. } = &r.mode {
        let head_repo = settings::Repo { root, origin: commit_origin(head)? };
        let at_head = settings::load(&head_repo, &wanted);
        let severity_of = |id: &str| known_severity(&program, id);
        findings.extend(settings::change::compare(&trusted, at_head.as_ref().map_err(String::as_str), &severity_of));
    }
    trusted.config.adjust(&mut findings);
    let bar = r.confidence.or(trusted.config.confidence).unwrap_or(Confidence::Medium);
    let found = findings.len();
    findings.retain(|f| f.secret.as_ref().is_none_or(|s| s.confidence >= bar));
    let below_confidence = (found - findings.len()) as u64;
    let rules = RuleInfo::all(&program);
    Ok(Collected { findings, output, rules, settings: trusted, program, below_confidence })
}

/// Set the rules' parameters from a config file (default: ./nhigate.toml,
/// when there is one), as `rules explain` shows them.
pub fn set_params(config: Option<&Path>, program: &mut Program) -> Result<(), String> {
    let path = config.map_or_else(|| PathBuf::from(crate::config::FILE_NAME), Path::to_path_buf);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(_) if config.is_none() && !path.exists() => return Ok(()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    crate::config::parse(&path.to_string_lossy(), &text)?.set_params(program)
}

/// Evaluate the rules over the facts. Given the facts `before` a change,
/// the facts learn the change (`on change` rules judge it) and only what
/// the change introduces is kept: what was already there is dropped.
pub fn judge(program: &Program, facts: &mut FactSet, before: Option<&FactSet>, now: Date) -> Vec<Finding> {
    let Some(before) = before else { return engine::evaluate(program, facts, now) };
    facts.changes = delta::between(before, facts);
    let old: std::collections::HashSet<String> =
        engine::evaluate(program, before, now).into_iter().map(|f| f.fingerprint).collect();
    let mut findings = engine::evaluate(program, facts, now);
    findings.retain(|f| !old.contains(&f.fingerprint));
    findings
}

/// A finished check: what every report writer takes. Its texts have passed
/// the redaction step.
pub struct Run {
    pub findings: Vec<Finding>,
    pub skipped: Vec<Skipped>,
    pub rules: Vec<RuleInfo>,
    pub stats: Stats,
    pub threshold: Severity,
    pub inventory: report::inventory::Inventory,
    pub provenance: Provenance,
    pub snippets: std::collections::BTreeMap<report::snippet::FrameKey, report::snippet::Frame>,
    /// Identities the change adds, removes or modifies (`--base`,
    /// `--staged`): `facts::delta`.
    pub changes: Vec<delta::Change>,
}

impl Run {
    /// The run as the report writers take it.
    pub fn report(&self) -> Report<'_> {
        Report {
            findings: &self.findings,
            skipped: &self.skipped,
            rules: &self.rules,
            stats: self.stats.clone(),
            threshold: self.threshold,
            inventory: Some(self.inventory.clone()),
            provenance: Some(self.provenance.clone()),
            snippets: self.snippets.clone(),
            changes: &self.changes,
            detail: report::Detail::default(),
        }
    }
}

/// A check, start to finish: collected, suppressed (inline, waivers,
/// baseline), one finding per problem, redacted.
pub fn run(r: &Request) -> Result<Run, Error> {
    in_pool(r.threads, || run_in_pool(r))
}

fn run_in_pool(r: &Request) -> Result<Run, Error> {
    let Collected { mut findings, mut output, rules, settings, program, below_confidence } = collect(r)?;
    let config = &settings.config;
    suppress::apply(
        &mut findings,
        &suppress::Suppressions {
            inline: &output.ignores,
            waivers: &config.waivers,
            baseline: settings.baseline.as_ref(),
        },
        r.now,
    );
    // One secret seen in several commits is one finding, at its first
    // unsuppressed sighting (after suppression, which is per blob).
    if !r.in_tree() {
        engine::keep_first_per_fingerprint(&mut findings);
    }
    // Copies are told by their content on disk: a tree check only.
    let scan_dir = if r.path.is_dir() { r.path.clone() } else { PathBuf::new() };
    engine::link_repeats_of_secrets(&mut findings);
    let mut files: std::collections::HashMap<String, Option<Vec<u8>>> = std::collections::HashMap::new();
    engine::group_copies(&mut findings, |path, line| {
        use sha2::Digest;
        let text = files
            .entry(path.to_string())
            .or_insert_with(|| {
                (r.in_tree() && r.path.is_dir()).then(|| std::fs::read(scan_dir.join(path)).ok()).flatten()
            })
            .as_deref()?;
        let digest = sha2::Sha256::digest(crate::syntax::unit_around(path, text, line));
        digest.get(..8).and_then(|d| d.try_into().ok()).map(u64::from_le_bytes)
    });
    let scrub = Scrubber::new(Some(&program.detectors), std::mem::take(&mut output.secret_values));
    scrub.findings(&mut findings, &mut output.skipped);
    let mut inventory = report::inventory::build(&output.facts, r.now);
    inventory.map_text(&|s| scrub.text(s));
    let mut changes = std::mem::take(&mut output.facts.changes);
    changes.iter_mut().for_each(|c| c.map_text(&|s| scrub.text(s)));
    let snippets = if r.in_tree() { report::snippet::collect(&r.path, &findings, &scrub) } else { Default::default() };
    let stats = Stats {
        files_scanned: output.files_scanned,
        bytes_scanned: output.bytes_scanned,
        files_skipped: output.skipped.len() as u64,
        secrets_below_confidence: below_confidence,
    };
    Ok(Run {
        provenance: provenance(r, &program, config),
        threshold: r.severity.or(config.fail_on).unwrap_or(Severity::Low),
        findings,
        skipped: output.skipped,
        rules,
        stats,
        inventory,
        snippets,
        changes,
    })
}

/// Today's unsuppressed findings, as a baseline (`nhigate baseline`): the
/// request's own baseline is not read.
pub fn baseline(r: &Request) -> Result<Baseline, Error> {
    in_pool(r.threads, || {
        let r = Request { read_baseline: false, ..r.clone() };
        let Collected { mut findings, mut output, settings, program, .. } = collect(&r)?;
        let suppressions =
            suppress::Suppressions { inline: &output.ignores, waivers: &settings.config.waivers, baseline: None };
        suppress::apply(&mut findings, &suppressions, r.now);
        findings.retain(|f| f.suppression.is_none() && f.rule_id != suppress::EXPIRED_WAIVER);
        Scrubber::new(Some(&program.detectors), std::mem::take(&mut output.secret_values))
            .findings(&mut findings, &mut output.skipped);
        Ok(Baseline::of(&findings))
    })
}

/// A tree's facts, found but not judged (`nhigate inventory`, `nhigate
/// facts`), with the files skipped and the redaction step for what is
/// shown of them: fact fields (names, URLs, purposes) pass it as reports'
/// texts do.
pub struct Found<'p> {
    pub facts: FactSet,
    pub skipped: Vec<Skipped>,
    pub scrub: Scrubber<'p>,
}

/// The facts of the tree at `r.path`, read with the packs' detectors
/// (embedded secrets are facts too).
pub fn find<'p>(r: &Request, program: &'p Program) -> Found<'p> {
    let options = ScanOptions {
        max_file_size: r.max_file_size,
        excludes: r.exclude.clone(),
        ignore_files: None,
        progress: r.progress.clone(),
    };
    let mut output = in_pool(r.threads, || scan::scan_path(program, &r.path, &options));
    let scrub = Scrubber::new(Some(&program.detectors), std::mem::take(&mut output.secret_values));
    Found { facts: output.facts, skipped: output.skipped, scrub }
}

/// The formats a check reads facts from: what each is, and what it reads.
pub fn formats() -> impl Iterator<Item = (&'static str, &'static str)> {
    crate::extract::REGISTRY.iter().map(|e| e.about()).map(|a| (a.source, a.reads))
}

/// The most worker threads a run starts, whatever `-j` asks for.
const MAX_THREADS: usize = 256;

/// Run `f` on a pool of `threads` workers (0: one per core; at most
/// `MAX_THREADS`): one pool per run, which the scan and the evaluation share,
/// and nothing set for the rest of the process.
pub(crate) fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    match rayon::ThreadPoolBuilder::new().num_threads(threads.min(MAX_THREADS)).build() {
        Ok(pool) => pool.install(f),
        Err(_) => f(),
    }
}

/// What a check scanned and with what, for the JSON report.
fn provenance(r: &Request, program: &Program, config: &crate::config::Config) -> Provenance {
    use sha2::Digest;
    let sha = |bytes: &[u8]| hex::encode(sha2::Sha256::digest(bytes));
    let (repository, head) = git::origin_and_head(&r.path);
    let (mode, commit) = match &r.mode {
        Mode::Tree => ("tree", head),
        Mode::Staged => ("staged", head),
        Mode::Range { head, .. } => ("range", Some(head.clone())),
        Mode::History => ("history", head),
    };
    Provenance {
        repository,
        commit,
        root: source::path_in_repository(&r.path),
        mode: mode.into(),
        now: r.now.to_string(),
        packs: program
            .packs
            .iter()
            .map(|p| PackDigest { name: p.name.clone(), version: p.version.clone(), digest: sha(p.source.as_bytes()) })
            .collect(),
        // The settings as read, and the request's part in them.
        config_digest: sha(format!("{config:?}\u{0}{:?}\u{0}{:?}", r.severity, r.confidence).as_bytes()),
    }
}

/// Every id a config or an ignore may name: rules, detectors, gate rules.
fn known_rule_ids(program: &Program) -> Vec<&str> {
    let mut ids: Vec<&str> = program.rules.iter().map(|r| r.id.as_str()).collect();
    ids.extend(program.detectors.iter().map(|d| d.spec.id.as_str()));
    ids.extend(engine::gate::ALL.iter().map(|g| g.id));
    ids
}

fn known_severity(program: &Program, id: &str) -> Option<Severity> {
    let id_is = |other: &str| other.eq_ignore_ascii_case(id);
    program
        .rules
        .iter()
        .find(|r| id_is(&r.id))
        .map(|r| r.severity)
        .or_else(|| program.detectors.iter().find(|d| id_is(&d.spec.id)).map(|d| d.spec.severity))
        .or_else(|| engine::gate::ALL.iter().find(|g| id_is(g.id)).map(|g| g.severity))
}

/// A facts file: JSON with `identities`, `credentials`, `grants` and
/// `secrets` arrays (docs/facts.md).
pub fn load_facts(path: &Path) -> Result<FactSet, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read facts file `{}`: {e}", path.display()))?;
    let facts: FactSet =
        serde_json::from_str(&text).map_err(|e| format!("bad facts file `{}`: {e}", path.display()))?;
    match facts.version {
        Some(v) if v != crate::facts::FACTS_VERSION => Err(format!(
            "facts file `{}` is version {v}; this nhigate reads version {}",
            path.display(),
            crate::facts::FACTS_VERSION
        )),
        _ => Ok(facts),
    }
}
