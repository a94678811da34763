//! `nhigate check`: scan, evaluate, report, and exit by the threshold.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::{CheckArgs, Exit, fail, packs, stderr_color, stdout_color};
use crate::engine;
use crate::facts::{Date, FactSet};
use crate::report::{self, Format, Report, RuleInfo, Stats};
use crate::scan::{self, ScanOptions};

pub fn run(args: CheckArgs) -> Exit {
    let compiled = match packs::load(&args.packs) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let program = compiled.program;
    if !args.path.exists() {
        return fail(&format!("path `{}` does not exist", args.path.display()), None);
    }
    let options =
        ScanOptions { threads: args.threads, max_file_size: args.max_file_size, excludes: args.exclude.clone() };
    let scanned = if args.staged {
        scan::scan_staged(&program, &args.path, &options)
    } else if let Some(base) = &args.base {
        scan::scan_range(&program, &args.path, base, &args.head, &options)
    } else if args.history {
        scan::scan_history(&program, &args.path, &options)
    } else {
        Ok(scan::scan_path(&program, &args.path, &options))
    };
    let mut output = match scanned {
        Ok(o) => o,
        Err(e) => return fail(&e.to_string(), Some("run it inside a git repository, with revisions that exist there")),
    };
    let git_mode = args.staged || args.base.is_some() || args.history;
    for path in &args.facts {
        match load_facts(path) {
            Ok(facts) => output.facts.extend(facts),
            Err(message) => {
                return fail(&message, Some("see docs/facts.md for the facts file format"));
            }
        }
    }
    output.facts.sort();
    let now = args.now.unwrap_or_else(Date::today);
    let mut findings = scan::in_pool(args.threads, || engine::evaluate(&program, &output.facts, now));
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
    let rules = RuleInfo::all(&program);
    let report = Report {
        findings: &findings,
        skipped: &output.skipped,
        rules: &rules,
        stats: Stats {
            files_scanned: output.files_scanned,
            bytes_scanned: output.bytes_scanned,
            files_skipped: output.skipped.len() as u64,
        },
        threshold: args.severity,
    };
    if let Err(e) = emit(&report, args.format, args.output.as_deref()) {
        return fail(&format!("cannot write the report: {e}"), None);
    }
    if report.failing() > 0 { Exit::Findings } else { Exit::Clean }
}

/// The report to the output file or stdout; the summary to stderr.
fn emit(report: &Report<'_>, format: Format, output: Option<&Path>) -> io::Result<()> {
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
    report::write_summary(report, &mut io::stderr().lock(), stderr_color())
}

/// A facts file: JSON with `identities`, `credentials`, `grants` and
/// `secrets` arrays (docs/facts.md).
pub fn load_facts(path: &Path) -> Result<FactSet, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read facts file `{}`: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("bad facts file `{}`: {e}", path.display()))
}
