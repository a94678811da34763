//! The report people read in a terminal: one block per finding, then a
//! summary by severity and the skipped files with their reasons. Colour
//! only when asked (a terminal without NO_COLOR).

use std::io::{self, Write};

use super::{Report, one_line};
use crate::severity::Severity;

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }

    fn severity(&self, s: Severity) -> String {
        self.wrap(severity_code(s), s.name())
    }
}

fn severity_code(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;35",
        Severity::High => "1;31",
        Severity::Medium => "1;33",
        Severity::Low => "1;36",
        Severity::Info => "1;34",
    }
}

pub(super) fn write(report: &Report<'_>, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let paint = Paint { on: color };
    if !report.changes.is_empty() {
        write_changes(report.changes, out, &paint)?;
        writeln!(out)?;
    }
    for f in report.findings.iter().filter(|f| f.suppression.is_none() && f.repeats.is_none()) {
        writeln!(
            out,
            "{}[{}]: {}",
            paint.severity(f.severity),
            one_line(&f.rule_id),
            paint.wrap("1", &one_line(&f.message))
        )?;
        let commit =
            f.location.commit.as_deref().map(|c| format!(" @ {}", c.get(..12).unwrap_or(c))).unwrap_or_default();
        let gutter = f.location.line.to_string().len();
        writeln!(
            out,
            "{:gutter$}{} {}:{}:{}{commit}",
            "",
            paint.wrap("34", "-->"),
            one_line(&f.location.path),
            f.location.line,
            f.location.column
        )?;
        if let Some(frame) = report.snippets.get(&(f.location.path.clone(), f.location.line, f.location.column)) {
            let bar = paint.wrap("34", "|");
            writeln!(out, "{:gutter$} {bar}", "")?;
            writeln!(out, "{} {bar} {}", paint.wrap("34", &f.location.line.to_string()), frame.text)?;
            let caret = " ".repeat(frame.caret);
            writeln!(out, "{:gutter$} {bar} {caret}{}", "", paint.wrap(severity_code(f.severity), "^"))?;
        }
        if let Some(clause) = &f.clause {
            let item = f.witness.as_deref().map(|w| format!(" (for `{}`)", one_line(w))).unwrap_or_default();
            writeln!(out, "{:gutter$} {} {}{item}", "", paint.wrap("34", "= failed:"), one_line(clause))?;
        }
        if !f.also.is_empty() {
            let n = f.also.len();
            let shown: Vec<String> =
                f.also.iter().take(3).map(|l| format!("{}:{}", one_line(&l.path), l.line)).collect();
            let more = if n > 3 { ", …" } else { "" };
            let files = if n == 1 { "file" } else { "files" };
            writeln!(out, "{:gutter$} {} {n} {files} ({}{more})", "", paint.wrap("34", "= also in"), shown.join(", "))?;
        }
        if let Some(secret) = &f.secret {
            writeln!(out, "{:gutter$} {} {}", "", paint.wrap("34", "= confidence:"), secret.confidence)?;
            if let Some(pair) = &secret.pair {
                let at =
                    if pair.path == f.location.path { String::new() } else { format!("{} ", one_line(&pair.path)) };
                writeln!(out, "{:gutter$} {} {at}line {}", "", paint.wrap("34", "= its other part:"), pair.line)?;
            }
            for r in report.repeating(f) {
                writeln!(
                    out,
                    "{:gutter$} {} {}: {}",
                    "",
                    paint.wrap("34", "= also:"),
                    one_line(&r.rule_id),
                    one_line(&r.message)
                )?;
            }
        }
        if let Some(fix) = &f.fix {
            writeln!(out, "{:gutter$} {} {}", "", paint.wrap("34", "= fix:"), one_line(fix))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The closing summary: counts by severity, what fails, what was skipped.
pub fn write_summary(report: &Report<'_>, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let paint = Paint { on: color };
    for s in report.skipped {
        let path = if s.path.is_empty() { "(walk)".to_string() } else { one_line(&s.path) };
        writeln!(out, "{} {path}: {}", paint.wrap("2", "skipped"), one_line(&s.reason))?;
    }
    let counts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|&s| {
            let n = report.findings.iter().filter(|f| f.severity == s).count();
            (n > 0).then(|| format!("{n} {}", paint.severity(s)))
        })
        .collect();
    let total = report.findings.len();
    let failing = report.failing();
    if total == 0 {
        write!(out, "{}", paint.wrap("1;32", "no findings"))?;
    } else {
        write!(out, "{total} finding{} ({})", if total == 1 { "" } else { "s" }, counts.join(", "))?;
        write!(out, ", {failing} at or above `{}`", report.threshold)?;
        let suppressed = report.suppressed();
        if suppressed > 0 {
            write!(out, ", {suppressed} suppressed")?;
        }
    }
    let hidden = report.stats.secrets_below_confidence;
    if hidden > 0 {
        let s = if hidden == 1 { "" } else { "s" };
        write!(out, "; {hidden} secret{s} below the confidence asked for not shown (`--confidence low` shows all)")?;
    }
    writeln!(
        out,
        "; {} file{} scanned, {} skipped",
        report.stats.files_scanned,
        if report.stats.files_scanned == 1 { "" } else { "s" },
        report.stats.files_skipped
    )
}

/// The identity delta alone (`nhigate diff`).
pub(super) fn changes(changes: &[crate::facts::delta::Change], out: &mut dyn Write, color: bool) -> io::Result<()> {
    write_changes(changes, out, &Paint { on: color })
}

/// The identities a change adds, removes or modifies, before the findings:
/// what a reviewer should see first.
fn write_changes(changes: &[crate::facts::delta::Change], out: &mut dyn Write, paint: &Paint) -> io::Result<()> {
    use crate::facts::delta::{self, ChangeKind};
    writeln!(out, "{} {}", paint.wrap("1", "This change:"), delta::summary(changes))?;
    for c in changes {
        let (mark, code) = match c.change {
            ChangeKind::Added => ("+", "32"),
            ChangeKind::Removed => ("-", "31"),
            ChangeKind::Modified => ("~", "33"),
        };
        let id = &c.identity;
        let place = format!("{}:{}", one_line(&id.location.path), id.location.line);
        writeln!(out, "  {} {} {} ({place})", paint.wrap(code, mark), one_line(&id.kind), one_line(&id.name))?;
        for (sign, list) in [("+", &c.grants_added), ("-", &c.grants_removed)] {
            for a in list {
                writeln!(out, "      {sign} {}", one_line(&a.describe()))?;
            }
        }
        for (sign, list) in [("+", &c.credentials_added), ("-", &c.credentials_removed)] {
            for k in list {
                let life = if k.long_lived { ", long-lived" } else { "" };
                writeln!(
                    out,
                    "      {sign} key {}{life} at {}:{}",
                    one_line(&k.kind),
                    one_line(&k.location.path),
                    k.location.line
                )?;
            }
        }
        if let Some(o) = &c.owner {
            let name = |o: &Option<String>| o.as_deref().map_or("none".to_string(), one_line);
            writeln!(out, "      owner: {} -> {}", name(&o.before), name(&o.after))?;
        }
        for (sign, list) in [("+", &c.trust_added), ("-", &c.trust_removed)] {
            for t in list {
                writeln!(out, "      {sign} trusted: {}", one_line(t))?;
            }
        }
    }
    Ok(())
}
