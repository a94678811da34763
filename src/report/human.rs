//! The report people read in a terminal: the findings grouped by file, one
//! block each, then a table by rule; on stderr, a summary by severity and
//! the skipped files counted by reason. Colour only when asked (a terminal
//! without NO_COLOR).

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{Detail, Report, one_line};
use crate::severity::Severity;

/// "1 finding", "2 findings".
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

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
    let shown: Vec<&crate::engine::Finding> =
        report.findings.iter().filter(|f| f.suppression.is_none() && f.repeats.is_none()).collect();
    if report.detail != Detail::Quiet {
        if !report.changes.is_empty() {
            write_changes(report.changes, out, &paint)?;
            writeln!(out)?;
        }
        write_findings(report, &shown, out, &paint)?;
    }
    write_rule_table(report, &shown, out, &paint)
}

/// The findings, grouped by file under a heading with their count.
fn write_findings(
    report: &Report<'_>,
    shown: &[&crate::engine::Finding],
    out: &mut dyn Write,
    paint: &Paint,
) -> io::Result<()> {
    // Stable: within a file, the report's own order stays.
    let mut shown = shown.to_vec();
    shown.sort_by(|a, b| a.location.path.cmp(&b.location.path));
    let mut in_file: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &shown {
        *in_file.entry(f.location.path.as_str()).or_default() += 1;
    }
    let mut heading: Option<&str> = None;
    for f in shown {
        if heading != Some(f.location.path.as_str()) {
            heading = Some(f.location.path.as_str());
            let n = in_file.get(f.location.path.as_str()).copied().unwrap_or(0);
            let path = if f.location.path.is_empty() { "(no file)".to_string() } else { one_line(&f.location.path) };
            writeln!(
                out,
                "{} {}",
                paint.wrap("1;4", &path),
                paint.wrap("2", &format!("({})", count(n, "finding", "findings")))
            )?;
            writeln!(out)?;
        }
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

/// One row per rule that fired: how often, at what severity, and for
/// secrets how sure; the most severe first.
fn write_rule_table(
    report: &Report<'_>,
    shown: &[&crate::engine::Finding],
    out: &mut dyn Write,
    paint: &Paint,
) -> io::Result<()> {
    if shown.is_empty() {
        return Ok(());
    }
    struct Row {
        severity: Severity,
        n: usize,
        confidence: BTreeMap<crate::detect::Confidence, usize>,
    }
    let mut rows: BTreeMap<&str, Row> = BTreeMap::new();
    for f in shown {
        let row =
            rows.entry(f.rule_id.as_str()).or_insert(Row { severity: f.severity, n: 0, confidence: BTreeMap::new() });
        row.n += 1;
        row.severity = row.severity.max(f.severity);
        if let Some(s) = &f.secret {
            *row.confidence.entry(s.confidence).or_default() += 1;
        }
    }
    let mut rows: Vec<(&str, Row)> = rows.into_iter().collect();
    rows.sort_by(|a, b| b.1.severity.cmp(&a.1.severity).then(b.1.n.cmp(&a.1.n)).then(a.0.cmp(b.0)));
    let width = rows.iter().map(|(id, _)| id.chars().count()).max().unwrap_or(4).max(4);
    writeln!(
        out,
        "{}",
        paint.wrap("1", &format!("{:width$}  {:8}  {:>8}  confidence", "rule", "severity", "findings"))
    )?;
    for (id, row) in &rows {
        let confidence: Vec<String> = row.confidence.iter().rev().map(|(c, n)| format!("{n} {c}")).collect();
        // The severity is padded before it is painted: escapes have no width.
        let severity = paint.wrap(severity_code(row.severity), &format!("{:8}", row.severity.name()));
        let title = report.rules.iter().find(|r| r.id == *id).map(|r| one_line(&r.title)).unwrap_or_default();
        let confidence = if confidence.is_empty() { String::new() } else { confidence.join(", ") };
        writeln!(
            out,
            "{:width$}  {severity}  {:>8}  {confidence:10}  {}",
            one_line(id),
            row.n,
            paint.wrap("2", &title)
        )?;
    }
    writeln!(out)
}

/// What kind of skip a reason is, and whether it is routine (binary files,
/// links, git's data, a size cap): routine skips are counted, not listed,
/// unless `--verbose`. The others (a file that does not parse, a detector
/// that could not run) change what was judged: the first few of each kind
/// are listed, the rest counted.
fn skip_kind(reason: &str) -> (String, bool) {
    let routine = |kind: &str| (kind.to_string(), true);
    if reason.starts_with("binary file") {
        routine("binary")
    } else if reason == crate::source::LINK_NOT_FOLLOWED {
        routine("symbolic link")
    } else if reason.contains("size cap") {
        routine("over the size cap")
    } else if reason.starts_with("git's own data") {
        routine("git data")
    } else if reason.starts_with("a submodule") {
        routine("submodule")
    } else if reason.contains("`nhigate:ignore`") {
        ("ignore comment naming no rule".to_string(), false)
    } else {
        // `not valid YAML (line 3…)`, `detector `x` could not run: …`
        let end = reason.find([':', '(']).unwrap_or(reason.len());
        (reason[..end].trim().to_string(), false)
    }
}

/// Skipped files of one kind listed before the rest are only counted.
const LISTED_PER_KIND: usize = 5;

/// The closing summary: counts by severity, what fails, what was skipped.
pub fn write_summary(report: &Report<'_>, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let paint = Paint { on: color };
    let mut of_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for s in report.skipped {
        let (kind, routine) = skip_kind(&s.reason);
        let (listed, all) = of_kind.entry(kind).or_default();
        *all += 1;
        let list = match report.detail {
            Detail::Verbose => true,
            Detail::Normal => !routine && *listed < LISTED_PER_KIND,
            Detail::Quiet => false,
        };
        if list {
            *listed += 1;
            let path = if s.path.is_empty() { "(walk)".to_string() } else { one_line(&s.path) };
            writeln!(out, "{} {path}: {}", paint.wrap("2", "skipped"), one_line(&s.reason))?;
        }
    }
    let unlisted: usize = of_kind.values().map(|(listed, all)| all - listed).sum();
    if unlisted > 0 {
        let kinds: Vec<String> = of_kind.iter().map(|(k, (_, all))| format!("{all} {}", one_line(k))).collect();
        let total = count(report.skipped.len(), "file", "files");
        let line = format!("skipped {total}: {} (`--verbose` lists each)", kinds.join(", "));
        writeln!(out, "{}", paint.wrap("2", &line))?;
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
        write!(out, "{} ({})", count(total, "finding", "findings"), counts.join(", "))?;
        write!(out, ", {failing} at or above `{}`", report.threshold)?;
        let suppressed = report.suppressed();
        if suppressed > 0 {
            write!(out, ", {suppressed} suppressed")?;
        }
    }
    let hidden = report.stats.secrets_below_confidence as usize;
    if hidden > 0 {
        let secrets = count(hidden, "secret", "secrets");
        write!(out, "; {secrets} below the confidence asked for not shown (`--confidence low` shows all)")?;
    }
    let scanned = count(report.stats.files_scanned as usize, "file", "files");
    writeln!(out, "; {scanned} scanned, {} skipped", report.stats.files_skipped)
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
