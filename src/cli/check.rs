//! `nhigate check`: scan, evaluate, report, and exit by the threshold.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::{BaselineArgs, CheckArgs, Exit, fail, packs, stderr_color, stdout_color};
use crate::detect::Confidence;
use crate::engine;
use crate::facts::{Date, FactSet, Location};
use crate::report::json::{PackDigest, Provenance};
use crate::report::scrub::Scrubber;
use crate::report::{self, Format, Report, RuleInfo, Stats};
use crate::scan::{self, ScanOptions};
use crate::settings::{self, Settings};
use crate::severity::Severity;
use crate::source::{self, git};
use crate::suppress::{self, baseline::Baseline};

/// What one check found, before reporting.
struct Checked {
    findings: Vec<engine::Finding>,
    output: scan::ScanOutput,
    rules: Vec<RuleInfo>,
    settings: Settings,
    program: crate::lang::Program,
    /// Secret findings below the confidence asked for, dropped.
    below_confidence: u64,
}

/// Which scan a check runs.
enum Mode<'a> {
    Tree,
    Staged,
    Range { base: &'a str, head: &'a str },
    History,
}

/// What to check, and how.
struct Request<'a> {
    path: &'a Path,
    packs: &'a super::PackArgs,
    config: Option<&'a Path>,
    mode: Mode<'a>,
    threads: usize,
    now: Date,
    facts: &'a [std::path::PathBuf],
    max_file_size: u64,
    exclude: &'a [String],
    baseline: Option<&'a Path>,
    read_baseline: bool,
    confidence: Option<Confidence>,
}

/// Load the settings and packs, scan, evaluate, and apply the config's rule
/// settings (suppressions come after).
fn gather(r: Request<'_>) -> Result<Checked, Exit> {
    let Request {
        path,
        packs: pack_args,
        config: config_path,
        mode,
        threads,
        now,
        facts: facts_files,
        max_file_size,
        exclude,
        baseline: baseline_path,
        read_baseline,
        confidence,
    } = r;
    if !path.exists() {
        return Err(fail(&format!("path `{}` does not exist", path.display()), None));
    }
    let git_help = "run it inside a git repository, with revisions that exist there";
    let repository = match mode {
        Mode::Tree => git::open(path).ok(),
        _ => Some(git::open(path).map_err(|e| fail(&e.to_string(), Some(git_help)))?),
    };
    let scan_dir =
        if path.is_dir() { path.to_path_buf() } else { path.parent().unwrap_or(Path::new(".")).to_path_buf() };
    let root = repository.as_ref().and_then(|r| r.workdir()).map_or_else(|| scan_dir.clone(), Path::to_path_buf);
    // In a branch check the settings are the base commit's; the head's are
    // read only to report what the branch would change.
    let commit_origin = |rev: &str| -> Result<settings::Origin<'_>, Exit> {
        let repo = repository.as_ref().ok_or(Exit::Error)?;
        let commit = git::resolve(repo, rev).map_err(|e| fail(&e.to_string(), Some(git_help)))?;
        let tree = commit.tree().map_err(|e| fail(&format!("git: {}", e.message()), None))?;
        let id = commit.id().to_string();
        Ok(settings::Origin::Commit { repo, tree, name: format!("commit {}", id.get(..12).unwrap_or(&id)) })
    };
    let origin = match mode {
        Mode::Range { base, .. } => commit_origin(base)?,
        _ => settings::Origin::Disk,
    };
    let repo = settings::Repo { root: root.clone(), origin };
    let wanted = settings::Wanted {
        scan_root: &scan_dir,
        config: config_path,
        packs: &pack_args.rules,
        baseline: baseline_path,
        read_baseline,
    };
    let config_help = Some("see the configuration section of the README");
    let trusted = settings::load(&repo, &wanted).map_err(|e| fail(&e, config_help))?;
    let mut with = pack_args.with.clone();
    with.extend(trusted.config.with.iter().cloned());
    let program = packs::load_with(&with, pack_args.no_builtin, trusted.packs.clone())?.program;
    let known = known_rule_ids(&program);
    trusted.config.check_rule_ids(&known).map_err(|e| fail(&e, config_help))?;
    let mut excludes = exclude.to_vec();
    excludes.extend(trusted.config.exclude.iter().cloned());
    let options = ScanOptions { threads, max_file_size, excludes, ignore_files: trusted.ignore_files.clone() };
    let scanned = match mode {
        Mode::Tree => Ok(scan::scan_path(&program, path, &options)),
        Mode::Staged => scan::scan_staged(&program, path, &options),
        Mode::Range { base, head } => scan::scan_range(&program, path, base, head, &options),
        Mode::History => scan::scan_history(&program, path, &options),
    };
    let mut output = scanned.map_err(|e| fail(&e.to_string(), Some(git_help)))?;
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
            output.skipped.push(source::Skipped { path: i.path.clone(), reason });
        }
    }
    output.skipped.sort();
    output.skipped.dedup();
    for f in facts_files {
        let facts = load_facts(f).map_err(|m| fail(&m, Some("see docs/facts.md for the facts file format")))?;
        output.facts.extend(facts);
    }
    output.facts.sort();
    let mut findings = scan::in_pool(threads, || engine::evaluate(&program, &output.facts, now));
    if let Some(before) = &output.before {
        // Only what the change introduces: drop what was already there.
        let old: std::collections::HashSet<String> =
            engine::evaluate(&program, before, now).into_iter().map(|f| f.fingerprint).collect();
        findings.retain(|f| !old.contains(&f.fingerprint));
    }
    findings.extend(output.not_scanned.iter().map(|s| {
        let location = Location { path: s.path.clone(), line: 1, column: 1, ..Default::default() };
        let message = format!("`{}` was not scanned: {}", s.path, s.reason);
        engine::gate::finding(&engine::gate::FILE_NOT_SCANNED, location, message, "")
    }));
    // A tree's paths are from the scanned folder; git's are from the root.
    if let Mode::Tree = mode {
        engine::rebase(&mut findings, &source::path_in_repository(path));
    }
    if let Mode::Range { head, .. } = mode {
        let head_repo = settings::Repo { root, origin: commit_origin(head)? };
        let at_head = settings::load(&head_repo, &wanted);
        let severity_of = |id: &str| known_severity(&program, id);
        findings.extend(settings::change::compare(&trusted, at_head.as_ref().map_err(String::as_str), &severity_of));
    }
    trusted.config.adjust(&mut findings);
    let bar = confidence.or(trusted.config.confidence).unwrap_or(Confidence::Medium);
    let found = findings.len();
    findings.retain(|f| f.secret.as_ref().is_none_or(|s| s.confidence >= bar));
    let below_confidence = (found - findings.len()) as u64;
    let rules = RuleInfo::all(&program);
    Ok(Checked { findings, output, rules, settings: trusted, program, below_confidence })
}

/// Every id a config or an ignore may name: rules, detectors, gate rules.
fn known_rule_ids(program: &crate::lang::Program) -> Vec<&str> {
    let mut ids: Vec<&str> = program.rules.iter().map(|r| r.id.as_str()).collect();
    ids.extend(program.detectors.iter().map(|d| d.spec.id.as_str()));
    ids.extend(engine::gate::ALL.iter().map(|g| g.id));
    ids
}

fn known_severity(program: &crate::lang::Program, id: &str) -> Option<Severity> {
    let id_is = |other: &str| other.eq_ignore_ascii_case(id);
    program
        .rules
        .iter()
        .find(|r| id_is(&r.id))
        .map(|r| r.severity)
        .or_else(|| program.detectors.iter().find(|d| id_is(&d.spec.id)).map(|d| d.spec.severity))
        .or_else(|| engine::gate::ALL.iter().find(|g| id_is(g.id)).map(|g| g.severity))
}

pub fn run(args: CheckArgs) -> Exit {
    let now = args.now.unwrap_or_else(Date::today);
    let mode = if args.staged {
        Mode::Staged
    } else if let Some(base) = &args.base {
        Mode::Range { base, head: &args.head }
    } else if args.history {
        Mode::History
    } else {
        Mode::Tree
    };
    let checked = match gather(Request {
        path: &args.path,
        packs: &args.packs,
        config: args.config.as_deref(),
        mode,
        threads: args.threads,
        now,
        facts: &args.facts,
        max_file_size: args.max_file_size,
        exclude: &args.exclude,
        baseline: args.baseline.as_deref(),
        read_baseline: true,
        confidence: args.confidence,
    }) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Checked { mut findings, mut output, rules, settings, program, below_confidence } = checked;
    let config = &settings.config;
    suppress::apply(
        &mut findings,
        &suppress::Suppressions {
            inline: &output.ignores,
            waivers: &config.waivers,
            baseline: settings.baseline.as_ref(),
        },
        now,
    );
    // One secret seen in several commits is one finding, at its first
    // unsuppressed sighting (after suppression, which is per blob).
    if args.staged || args.base.is_some() || args.history {
        engine::keep_first_per_fingerprint(&mut findings);
    }
    // Copies are told by their content on disk: a tree check only.
    let in_tree = !(args.staged || args.base.is_some() || args.history);
    let scan_dir = if args.path.is_dir() { args.path.clone() } else { std::path::PathBuf::new() };
    engine::link_repeats_of_secrets(&mut findings);
    let mut files: std::collections::HashMap<String, Option<Vec<u8>>> = std::collections::HashMap::new();
    engine::group_copies(&mut findings, |path, line| {
        use sha2::Digest;
        let text = files
            .entry(path.to_string())
            .or_insert_with(|| {
                (in_tree && args.path.is_dir()).then(|| std::fs::read(scan_dir.join(path)).ok()).flatten()
            })
            .as_deref()?;
        let digest = sha2::Sha256::digest(crate::syntax::unit_around(path, text, line));
        digest.get(..8).and_then(|d| d.try_into().ok()).map(u64::from_le_bytes)
    });
    let scrub = Scrubber::new(Some(&program.detectors), std::mem::take(&mut output.secret_values));
    scrub.findings(&mut findings, &mut output.skipped);
    let mut inventory = report::inventory::build(&output.facts, now);
    inventory.map_text(&|s| scrub.text(s));
    let report = Report {
        findings: &findings,
        skipped: &output.skipped,
        rules: &rules,
        stats: Stats {
            files_scanned: output.files_scanned,
            bytes_scanned: output.bytes_scanned,
            files_skipped: output.skipped.len() as u64,
            secrets_below_confidence: below_confidence,
        },
        threshold: args.severity.or(config.fail_on).unwrap_or(Severity::Low),
        inventory: Some(inventory),
        provenance: Some(provenance(&args, &program, config, now)),
        snippets: if args.staged || args.base.is_some() || args.history {
            Default::default()
        } else {
            report::snippet::collect(&args.path, &findings, &scrub)
        },
    };
    if let Err(e) = emit(&report, args.format, args.output.as_deref(), args.sarif.as_deref()) {
        return fail(&format!("cannot write the report: {e}"), None);
    }
    if report.failing() > 0 { Exit::Findings } else { Exit::Clean }
}

/// What a check scanned and with what, for the JSON report.
fn provenance(
    args: &CheckArgs,
    program: &crate::lang::Program,
    config: &crate::config::Config,
    now: Date,
) -> Provenance {
    use sha2::Digest;
    let sha = |bytes: &[u8]| hex::encode(sha2::Sha256::digest(bytes));
    let (repository, head) = git::origin_and_head(&args.path);
    let mode = if args.staged {
        "staged"
    } else if args.base.is_some() {
        "range"
    } else if args.history {
        "history"
    } else {
        "tree"
    };
    Provenance {
        repository,
        commit: if args.base.is_some() { Some(args.head.clone()) } else { head },
        root: source::path_in_repository(&args.path),
        mode: mode.into(),
        now: now.to_string(),
        packs: program
            .packs
            .iter()
            .map(|p| PackDigest { name: p.name.clone(), version: p.version.clone(), digest: sha(p.source.as_bytes()) })
            .collect(),
        // The settings as read, and the command line's part in them.
        config_digest: sha(format!("{config:?}\u{0}{:?}\u{0}{:?}", args.severity, args.confidence).as_bytes()),
    }
}

/// `nhigate baseline`: today's unsuppressed findings, written as a baseline.
pub fn baseline(args: BaselineArgs) -> Exit {
    let now = args.now.unwrap_or_else(Date::today);
    let checked = match gather(Request {
        path: &args.path,
        packs: &args.packs,
        config: args.config.as_deref(),
        mode: Mode::Tree,
        threads: args.threads,
        now,
        facts: &[],
        max_file_size: crate::source::DEFAULT_MAX_FILE_SIZE,
        exclude: &[],
        baseline: None,
        read_baseline: false,
        confidence: None,
    }) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Checked { mut findings, mut output, settings, program, .. } = checked;
    suppress::apply(
        &mut findings,
        &suppress::Suppressions { inline: &output.ignores, waivers: &settings.config.waivers, baseline: None },
        now,
    );
    findings.retain(|f| f.suppression.is_none() && f.rule_id != suppress::EXPIRED_WAIVER);
    Scrubber::new(Some(&program.detectors), std::mem::take(&mut output.secret_values))
        .findings(&mut findings, &mut output.skipped);
    let b = Baseline::of(&findings);
    if let Err(e) = std::fs::write(&args.output, b.to_json()) {
        return fail(&format!("cannot write `{}`: {e}", args.output.display()), None);
    }
    eprintln!("wrote {} fingerprints to {}", b.findings.len(), args.output.display());
    Exit::Clean
}

/// The report to the output file or stdout; the summary to stderr.
fn emit(report: &Report<'_>, format: Format, output: Option<&Path>, sarif: Option<&Path>) -> io::Result<()> {
    if let Some(path) = sarif {
        let mut w = BufWriter::new(File::create(path)?);
        report::write(report, Format::Sarif, &mut w, false)?;
        w.flush()?;
    }
    match output {
        Some(path) => {
            let mut w = BufWriter::new(File::create(path)?);
            report::write(report, format, &mut w, false)?;
            w.flush()?;
        }
        None => {
            let stdout = io::stdout();
            let mut w = BufWriter::new(stdout.lock());
            report::write(report, format, &mut w, format == Format::Human && stdout_color())?;
            w.flush()?;
        }
    }
    if format == Format::Github
        && let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty())
    {
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        f.write_all(report::github::summary(report).as_bytes())?;
    }
    report::write_summary(report, &mut io::stderr().lock(), stderr_color())
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
