//! `nhigate merge REPORT…`: reports in, one report (or inventory) out.

use std::io::Write;

use super::{Exit, MergeArgs, MergeFormat, fail, packs};
use crate::report::{self, Format, Report, RuleInfo, json, merge};

pub(super) fn run(args: &MergeArgs) -> Exit {
    let mut inputs = Vec::new();
    for path in &args.reports {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return fail(&format!("cannot read `{}`: {e}", path.display()), None),
        };
        match json::read(&text) {
            Ok(doc) => inputs.push(doc),
            Err(e) => {
                return fail(
                    &format!("`{}`: {e}", path.display()),
                    Some("write reports with `nhigate check --format json`"),
                );
            }
        }
    }
    let merged = merge::merge(&inputs);
    let mut out = Vec::new();
    let written = if args.inventory {
        match &merged.inventory {
            Some(inv) => {
                serde_json::to_writer_pretty(&mut out, inv).map_err(std::io::Error::from).and_then(|()| writeln!(out))
            }
            None => {
                return fail(
                    "the reports hold no inventory",
                    Some("write them with this version of `nhigate check --format json`"),
                );
            }
        }
    } else if args.format == MergeFormat::Json {
        json::write_document(&merged, &mut out)
    } else {
        // SARIF and the human report describe rules: the packs' metadata.
        let program = match packs::load(&args.packs) {
            Ok(c) => c.program,
            Err(code) => return code,
        };
        let rules = RuleInfo::all(&program);
        let findings: Vec<_> = merged.findings.iter().map(json::JsonFinding::to_finding).collect();
        let report = Report {
            findings: &findings,
            skipped: &merged.skipped,
            rules: &rules,
            stats: merged.stats.clone(),
            threshold: merged.summary.threshold,
            inventory: merged.inventory.clone(),
            provenance: None,
            snippets: Default::default(),
            changes: &merged.changes,
            detail: Default::default(),
        };
        let format = if args.format == MergeFormat::Sarif { Format::Sarif } else { Format::Human };
        report::write(&report, format, &mut out, false)
    };
    if let Err(e) = written {
        return fail(&format!("cannot write the merged report: {e}"), None);
    }
    let result = match &args.output {
        Some(path) => std::fs::write(path, &out),
        None => std::io::stdout().lock().write_all(&out),
    };
    match result {
        Ok(()) => Exit::Clean,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Clean,
        Err(e) => fail(&format!("cannot write the merged report: {e}"), None),
    }
}
