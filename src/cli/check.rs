//! `nhigate check` and `nhigate baseline`: flags into a request, the
//! library's check, a writer, and the exit code.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::{BaselineArgs, CheckArgs, Exit, fail, packs, progress, stderr_color, stdout_color};
use crate::check::{Mode, Request};
use crate::facts::Date;
use crate::report::{self, Format, Report};

/// What `check` and `baseline` ask alike: the path, the packs, the config,
/// the threads and the clock.
fn common(
    path: &Path,
    mode: Mode,
    packs: &super::PackArgs,
    config: Option<&std::path::PathBuf>,
    threads: usize,
    now: Option<Date>,
) -> Request {
    let mut r = Request::new(path, mode);
    r.rules.clone_from(&packs.rules);
    r.with.clone_from(&packs.with);
    r.no_builtin = packs.no_builtin;
    r.config = config.cloned();
    r.threads = threads;
    r.now = now.unwrap_or_else(Date::today);
    r
}

fn request(args: &CheckArgs) -> Request {
    let mode = if args.staged {
        Mode::Staged
    } else if let Some(base) = &args.base {
        Mode::Range { base: base.clone(), head: args.head.clone() }
    } else if args.history {
        Mode::History
    } else {
        Mode::Tree
    };
    let mut r = common(&args.path, mode, &args.packs, args.config.as_ref(), args.threads, args.now);
    r.facts.clone_from(&args.facts);
    r.max_file_size = args.max_file_size;
    r.exclude.clone_from(&args.exclude);
    r.baseline.clone_from(&args.baseline);
    r.confidence = args.confidence;
    r.severity = args.severity;
    r
}

pub(super) fn run(args: CheckArgs) -> Exit {
    let mut request = request(&args);
    let line = progress::wanted(args.quiet).then(|| {
        let counters = std::sync::Arc::new(crate::check::Progress::default());
        request.progress = Some(counters.clone());
        progress::Line::start(counters, !matches!(request.mode, Mode::Tree))
    });
    let run = crate::check::run(&request);
    if let Some(line) = line {
        line.finish();
    }
    let run = match run {
        Ok(r) => r,
        Err(e) => return packs::failed(e),
    };
    let mut report = run.report();
    report.detail = if args.quiet {
        report::Detail::Quiet
    } else if args.verbose {
        report::Detail::Verbose
    } else {
        report::Detail::Normal
    };
    if let Err(e) = emit(&report, args.format, args.output.as_deref(), args.sarif.as_deref()) {
        return fail(&format!("cannot write the report: {e}"), None);
    }
    if report.failing() > 0 { Exit::Findings } else { Exit::Clean }
}

/// `nhigate baseline`: today's unsuppressed findings, written as a baseline.
pub(super) fn baseline(args: BaselineArgs) -> Exit {
    let r = common(&args.path, Mode::Tree, &args.packs, args.config.as_ref(), args.threads, args.now);
    let b = match crate::check::baseline(&r) {
        Ok(b) => b,
        Err(e) => return packs::failed(e),
    };
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
