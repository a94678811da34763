//! `nhigate check`: scan, evaluate, report, and exit by the threshold.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::{BaselineArgs, CheckArgs, Exit, fail, packs, stderr_color, stdout_color};
use crate::config::{self, Config};
use crate::engine;
use crate::facts::{Date, FactSet};
use crate::report::{self, Format, Report, RuleInfo, Stats};
use crate::scan::{self, ScanOptions};
use crate::severity::Severity;
use crate::suppress::{self, baseline::Baseline};

/// What one check found, before reporting.
struct Checked {
    findings: Vec<engine::Finding>,
    output: scan::ScanOutput,
    rules: Vec<RuleInfo>,
    config: Config,
}

/// Which scan a check runs.
enum Mode<'a> {
    Tree,
    Staged,
    Range { base: &'a str, head: &'a str },
    History,
}

/// Load config and packs, scan, evaluate, and apply the config's rule
/// settings and every suppression but the baseline's.
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
}

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
    } = r;
    if !path.exists() {
        return Err(fail(&format!("path `{}` does not exist", path.display()), None));
    }
    let config =
        config::load(config_path, path).map_err(|e| fail(&e, Some("see the configuration section of the README")))?;
    let mut pack_args = pack_args.clone();
    pack_args.rules.extend(config.rules.iter().cloned());
    pack_args.with.extend(config.with.iter().cloned());
    let program = packs::load(&pack_args)?.program;
    let mut excludes = exclude.to_vec();
    excludes.extend(config.exclude.iter().cloned());
    let options = ScanOptions { threads, max_file_size, excludes };
    let git_mode = !matches!(mode, Mode::Tree);
    let scanned = match mode {
        Mode::Tree => Ok(scan::scan_path(&program, path, &options)),
        Mode::Staged => scan::scan_staged(&program, path, &options),
        Mode::Range { base, head } => scan::scan_range(&program, path, base, head, &options),
        Mode::History => scan::scan_history(&program, path, &options),
    };
    let mut output = scanned
        .map_err(|e| fail(&e.to_string(), Some("run it inside a git repository, with revisions that exist there")))?;
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
    if git_mode {
        // One secret seen in several commits is one finding, at its first.
        engine::keep_first_per_fingerprint(&mut findings);
    }
    config.adjust(&mut findings);
    let rules = RuleInfo::all(&program);
    Ok(Checked { findings, output, rules, config })
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
    }) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Checked { mut findings, output, rules, config } = checked;
    let baseline_path = args.baseline.clone().or_else(|| config.baseline.clone());
    let baseline = match baseline_path.as_deref().map(read_baseline).transpose() {
        Ok(b) => b,
        Err(code) => return code,
    };
    suppress::apply(
        &mut findings,
        &suppress::Suppressions { inline: &output.ignores, waivers: &config.waivers, baseline: baseline.as_ref() },
        now,
    );
    let report = Report {
        findings: &findings,
        skipped: &output.skipped,
        rules: &rules,
        stats: Stats {
            files_scanned: output.files_scanned,
            bytes_scanned: output.bytes_scanned,
            files_skipped: output.skipped.len() as u64,
        },
        threshold: args.severity.or(config.fail_on).unwrap_or(Severity::Low),
        inventory: Some(report::inventory::build(&output.facts, now).summary),
        snippets: if args.staged || args.base.is_some() || args.history {
            Default::default()
        } else {
            report::snippet::collect(&args.path, &findings)
        },
    };
    if let Err(e) = emit(&report, args.format, args.output.as_deref(), args.sarif.as_deref()) {
        return fail(&format!("cannot write the report: {e}"), None);
    }
    if report.failing() > 0 { Exit::Findings } else { Exit::Clean }
}

fn read_baseline(path: &Path) -> Result<Baseline, Exit> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        fail(&format!("cannot read the baseline `{}`: {e}", path.display()), Some("write one with `nhigate baseline`"))
    })?;
    Baseline::parse(&path.to_string_lossy(), &text).map_err(|e| fail(&e, Some("write one with `nhigate baseline`")))
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
    }) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Checked { mut findings, output, config, .. } = checked;
    suppress::apply(
        &mut findings,
        &suppress::Suppressions { inline: &output.ignores, waivers: &config.waivers, baseline: None },
        now,
    );
    findings.retain(|f| f.suppression.is_none() && f.rule_id != suppress::EXPIRED_WAIVER);
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
    serde_json::from_str(&text).map_err(|e| format!("bad facts file `{}`: {e}", path.display()))
}
