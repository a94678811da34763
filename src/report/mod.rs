//! Reports: from sorted findings to a writer, one module per format. Writers
//! see only a `Report`: findings whose secrets are `Redacted`, the skipped
//! files, rule metadata and counts. They never see facts, files or rules.

pub(crate) mod github;
mod human;
pub mod inventory;
pub mod json;
pub mod merge;
mod sarif;
pub(crate) mod scrub;
pub(crate) mod snippet;

use std::io::{self, Write};

use serde::Serialize;

use crate::engine::{Finding, FindingKind};
use crate::lang::Program;
use crate::severity::Severity;
use crate::source::Skipped;

pub use human::write_summary;

/// A report's format. Adding one is a module and its lines here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

impl Format {
    pub const ALL: &[Format] = &[Format::Human, Format::Json, Format::Sarif, Format::Github];

    /// Its name (on the command line), and what it is.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            Format::Human => ("human", "for people: each finding with its masked source lines, then a summary"),
            Format::Json => ("json", "JSON report version 2, with provenance and the inventory (docs/json-report.md)"),
            Format::Sarif => ("sarif", "SARIF 2.1.0, for code scanning"),
            Format::Github => ("github", "GitHub Actions workflow commands (annotations)"),
        }
    }
}

/// What a rule or detector is, for reports that describe rules (SARIF).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub kind: FindingKind,
    pub title: String,
    pub severity: Severity,
    pub maps: Vec<String>,
    pub fix: Option<String>,
    pub docs: Option<String>,
    pub pack: String,
}

impl RuleInfo {
    /// Every rule and detector of a program, in pack order.
    pub fn all(program: &Program) -> Vec<RuleInfo> {
        let pack = |i: usize| program.packs.get(i).map(|p| p.name.clone()).unwrap_or_default();
        let mut out: Vec<RuleInfo> = program
            .detectors
            .iter()
            .zip(&program.detector_origins)
            .map(|(d, o)| RuleInfo {
                id: d.spec.id.clone(),
                kind: FindingKind::Secret,
                title: d.spec.title.clone(),
                severity: d.spec.severity,
                maps: Vec::new(),
                fix: None,
                docs: d.spec.docs.clone(),
                pack: pack(o.pack),
            })
            .collect();
        out.extend(program.rules.iter().map(|r| RuleInfo {
            id: r.id.clone(),
            kind: FindingKind::Policy,
            title: r.title.clone(),
            severity: r.severity,
            maps: r.maps.clone(),
            fix: r.fix.clone(),
            docs: r.docs.clone(),
            pack: pack(r.origin.pack),
        }));
        out.extend(crate::engine::gate::ALL.iter().map(|g| RuleInfo {
            id: g.id.into(),
            kind: FindingKind::Policy,
            title: g.title.into(),
            severity: g.severity,
            maps: Vec::new(),
            fix: Some(g.fix.into()),
            docs: Some(g.docs.into()),
            pack: "nhigate".into(),
        }));
        out
    }
}

/// Counts that do not depend on timing, so reports stay byte-identical.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Stats {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub files_skipped: u64,
    /// Secret findings below the confidence asked for: not reported.
    pub secrets_below_confidence: u64,
}

pub struct Report<'a> {
    pub findings: &'a [Finding],
    pub skipped: &'a [Skipped],
    /// Metadata of the rules; writers pick the ones that fired.
    pub rules: &'a [RuleInfo],
    pub stats: Stats,
    /// Findings at or above this severity fail the check.
    pub threshold: Severity,
    /// The identities found, for reports that list or count them.
    pub inventory: Option<inventory::Inventory>,
    /// What was scanned, and with what (the JSON report's `provenance`).
    pub provenance: Option<json::Provenance>,
    /// The masked source lines findings point at (`snippet::collect`).
    pub snippets: std::collections::BTreeMap<snippet::FrameKey, snippet::Frame>,
    /// Identities the change adds, removes or modifies (`--base`,
    /// `--staged`); empty for a tree.
    pub changes: &'a [crate::facts::delta::Change],
    /// How much the human report and the summary say.
    pub detail: Detail,
}

/// How much a person is shown: the summary only (`--quiet`), the findings
/// with counted skips (the default), or every skipped file (`--verbose`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Detail {
    Quiet,
    #[default]
    Normal,
    Verbose,
}

impl Report<'_> {
    /// Findings at or above the threshold that nothing suppresses.
    pub fn failing(&self) -> usize {
        self.findings.iter().filter(|f| f.severity >= self.threshold && f.suppression.is_none()).count()
    }

    /// The policy findings that repeat a secret finding at its place
    /// (`engine::link_repeats_of_secrets`): shown with it, not on their own.
    pub fn repeating<'r>(&'r self, secret: &'r Finding) -> impl Iterator<Item = &'r Finding> {
        self.findings.iter().filter(move |r| r.repeats.as_deref() == Some(secret.fingerprint.as_str()))
    }

    pub fn suppressed(&self) -> usize {
        self.findings.iter().filter(|f| f.suppression.is_some()).count()
    }

    /// The rules that fired, in id order, with their first index.
    fn fired_rules(&self) -> Vec<&RuleInfo> {
        let mut ids: Vec<&str> = self.findings.iter().map(|f| f.rule_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.iter().filter_map(|id| self.rules.iter().find(|r| r.id == *id)).collect()
    }
}

/// Write the report in `format`.
pub fn write(report: &Report<'_>, format: Format, out: &mut dyn Write, color: bool) -> io::Result<()> {
    match format {
        Format::Human => human::write(report, out, color),
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, out),
        Format::Github => github::write(report, out),
    }
}

/// Text for a terminal: control characters (escape sequences, carriage
/// returns, bells) are shown as `\u{1b}`-style escapes, so that a file name
/// or a value cannot drive the terminal; newlines and tabs are kept.
pub fn terminal_safe(s: &str) -> String {
    escape_controls(s, |c| c == '\n' || c == '\t')
}

/// One line of text for a terminal or a log: newlines escaped as well, so
/// that a file name cannot start a line of its own (such as a forged
/// `::error` workflow command).
pub fn one_line(s: &str) -> String {
    escape_controls(s, |c| c == '\t')
}

fn escape_controls(s: &str, keep: impl Fn(char) -> bool) -> String {
    if !s.chars().any(|c| c.is_control() && !keep(c)) {
        return s.to_string();
    }
    s.chars().map(|c| if c.is_control() && !keep(c) { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// The documentation address of a rule, derived from its id.
pub fn help_uri(id: &str) -> String {
    format!("https://github.com/nhigate/nhigate/blob/main/docs/rules.md#{}", id.to_ascii_lowercase())
}

/// How `nhigate diff` shows the identity delta.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangesFormat {
    Human,
    Json,
    Markdown,
}

/// The identity delta alone (`nhigate diff`): `+`/`-` lines per identity, the
/// job summary's table, or `{"changes": [...]}`.
pub fn write_changes(
    changes: &[crate::facts::delta::Change],
    format: ChangesFormat,
    out: &mut dyn std::io::Write,
    color: bool,
) -> std::io::Result<()> {
    match format {
        ChangesFormat::Human => human::changes(changes, out, color),
        ChangesFormat::Markdown => out.write_all(github::changes(changes).as_bytes()),
        ChangesFormat::Json => {
            #[derive(serde::Serialize)]
            struct Document<'a> {
                changes: &'a [crate::facts::delta::Change],
            }
            serde_json::to_writer_pretty(&mut *out, &Document { changes })?;
            writeln!(out)
        }
    }
}
