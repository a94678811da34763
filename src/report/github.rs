//! GitHub Actions: one workflow command per finding (`::error file=…`),
//! which the runner turns into annotations on the pull request, and a
//! Markdown job summary for $GITHUB_STEP_SUMMARY.

use std::io::{self, Write};

use super::Report;
use crate::severity::Severity;

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

/// Workflow command data: `%`, CR and LF are escaped, and other control
/// characters (terminal escape sequences) neutralised.
fn data(s: &str) -> String {
    super::terminal_safe(&s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A"))
}

/// Workflow command properties: also `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub(crate) fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for f in report.findings.iter().filter(|f| f.suppression.is_none() && f.repeats.is_none()) {
        let mut message = f.message.clone();
        for r in report.repeating(f) {
            message.push_str(&format!("\nalso {}: {}", r.rule_id, r.message));
        }
        if let Some(fix) = &f.fix {
            message.push_str("\nfix: ");
            message.push_str(fix);
        }
        writeln!(
            out,
            "::{} file={},line={},col={},title={}::{}",
            command(f.severity),
            property(&f.location.path),
            f.location.line.max(1),
            f.location.column.max(1),
            property(&format!("{} {} ({})", f.rule_id, f.title, f.severity)),
            data(&message)
        )?;
    }
    for s in report.skipped {
        writeln!(out, "::warning file={}::{}", property(&s.path), data(&format!("skipped: {}", s.reason)))?;
    }
    // The lines that widen an identity's access or give it a long-lived
    // key: a notice where the reviewer reads the diff.
    for c in report.changes {
        let name = &c.identity.name;
        let widening = c.grants_added.iter().map(|a| (&a.location, format!("{name} gains {}", a.describe())));
        let keys = c
            .credentials_added
            .iter()
            .filter(|k| k.long_lived)
            .map(|k| (&k.location, format!("{name} gets a long-lived {}", k.kind)));
        for (at, message) in widening.chain(keys) {
            writeln!(
                out,
                "::notice file={},line={},title={}::{}",
                property(&at.path),
                at.line.max(1),
                property("nhigate: identity change"),
                data(&message)
            )?;
        }
    }
    Ok(())
}

/// The job summary: counts, then a table of what fails.
pub(crate) fn summary(report: &Report<'_>) -> String {
    let mut md = String::from("## nhigate\n\n");
    if !report.changes.is_empty() {
        md.push_str(&changes(report.changes));
        md.push('\n');
    }
    let shown: Vec<_> = report.findings.iter().filter(|f| f.suppression.is_none()).collect();
    if shown.is_empty() {
        md.push_str("No findings.");
    } else {
        let counts: Vec<String> = Severity::ALL
            .iter()
            .filter_map(|&s| {
                let n = shown.iter().filter(|f| f.severity == s).count();
                (n > 0).then(|| format!("{n} {s}"))
            })
            .collect();
        md.push_str(&format!(
            "**{} finding{}** ({}); {} at or above `{}`.",
            shown.len(),
            if shown.len() == 1 { "" } else { "s" },
            counts.join(", "),
            report.failing(),
            report.threshold
        ));
    }
    let suppressed = report.suppressed();
    if suppressed > 0 {
        md.push_str(&format!(" {suppressed} suppressed by waivers, baseline or inline ignores."));
    }
    md.push('\n');
    if !shown.is_empty() {
        md.push_str("\n| severity | rule | where | what |\n| --- | --- | --- | --- |\n");
        for f in &shown {
            md.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                f.severity,
                code(&f.rule_id),
                code(&format!("{}:{}", f.location.path, f.location.line)),
                markdown(&f.message)
            ));
        }
    }
    if !report.skipped.is_empty() {
        md.push_str(&format!("\n{} file(s) skipped:\n\n", report.skipped.len()));
        for s in report.skipped {
            md.push_str(&format!("- {}: {}\n", code(&s.path), markdown(&s.reason)));
        }
    }
    md
}

/// The identity delta, first: "This pull request: 1 new identity, …",
/// then one row per identity with what it gains and loses.
pub(crate) fn changes(changes: &[crate::facts::delta::Change]) -> String {
    use crate::facts::delta::{self, ChangeKind};
    let mut md = format!("**This pull request:** {}.\n\n", markdown(&delta::summary(changes)));
    md.push_str(
        "| identity | change | access gained | access lost | keys | owner |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for c in changes {
        let list = |items: Vec<String>| if items.is_empty() { String::new() } else { items.join("<br>") };
        let access = |a: &[delta::Access]| list(a.iter().map(|a| code(&a.describe())).collect());
        let keys = list(
            c.credentials_added
                .iter()
                .map(|k| format!("+ {}{}", code(&k.kind), if k.long_lived { " (long-lived)" } else { "" }))
                .chain(c.credentials_removed.iter().map(|k| format!("- {}", code(&k.kind))))
                .collect(),
        );
        let owner = c.owner.as_ref().map_or(String::new(), |o| {
            let name = |v: &Option<String>| v.as_deref().map_or("none".to_string(), code);
            format!("{} → {}", name(&o.before), name(&o.after))
        });
        let change = match c.change {
            ChangeKind::Added => "new",
            ChangeKind::Removed => "removed",
            ChangeKind::Modified => "modified",
        };
        md.push_str(&format!(
            "| {} {} | {change} | {} | {} | {keys} | {owner} |\n",
            markdown(&c.identity.kind),
            code(&c.identity.name),
            access(&c.grants_added),
            access(&c.grants_removed)
        ));
    }
    md
}

/// Text for a Markdown table cell: outside code spans, every character
/// Markdown or HTML gives a meaning is escaped; inside them, only the cell
/// separator. Line breaks become escapes. A file name or a message cannot
/// add links, images, HTML or table cells.
fn markdown(s: &str) -> String {
    let s = super::one_line(s);
    // Code spans as rule messages write them: single backticks, paired.
    let spans = !s.contains("``") && s.matches('`').count().is_multiple_of(2);
    let mut out = String::with_capacity(s.len());
    for (i, part) in s.split('`').enumerate() {
        if spans && i % 2 == 1 {
            out.push('`');
            out.push_str(&part.replace('|', "\\|"));
            out.push('`');
            continue;
        }
        if !spans && i > 0 {
            out.push_str("\\`");
        }
        for c in part.chars() {
            if matches!(
                c,
                '\\' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '<' | '>' | '#' | '+' | '!' | '|' | '~' | '&'
            ) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// A path or an id as a code span, whatever characters it holds.
fn code(s: &str) -> String {
    let s = super::one_line(s).replace('|', "\\|");
    if s.contains('`') { format!("`` {} ``", s.replace("``", "` `")) } else { format!("`{s}`") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_cannot_carry_markup() {
        assert_eq!(
            markdown("a|b ![x](http://e/) <img>\n::error"),
            "a\\|b \\!\\[x\\]\\(http://e/\\) \\<img\\>\\\\n::error"
        );
    }

    #[test]
    fn commands_escape_their_data_and_properties() {
        assert_eq!(data("50%\nnext"), "50%25%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
