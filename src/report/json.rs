//! The JSON report, format version 2 (docs/json-report.md). It has its own
//! types, so that internal changes do not change the format, and they read
//! back: `read` parses what `write` wrote, which is what `nhigate merge`
//! combines.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::inventory::Inventory;
use super::{Report, Stats};
use crate::engine::{FindingKind, Suppression};
use crate::facts::{Confidence, FirstSeen};
use crate::severity::Severity;
use crate::source::Skipped;

pub const FORMAT_VERSION: u32 = 2;

/// A JSON report, as written and as read back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub version: u32,
    pub tool: Tool,
    /// Where the findings come from: one entry for a scan, one per input
    /// for a merge.
    pub provenance: Vec<Provenance>,
    pub summary: Summary,
    pub findings: Vec<JsonFinding>,
    pub skipped: Vec<Skipped>,
    pub stats: Stats,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<Inventory>,
    /// Identities the change adds, removes or modifies (`check --base`,
    /// `--staged`); absent for a tree.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<crate::facts::delta::Change>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// What a scan read and with what: enough to tell two reports apart and
/// to reproduce one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The repository's `origin` remote, without any credentials in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The commit checked out (a tree scan) or scanned (`--staged` reads
    /// the index over it; `--base` names the head).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The scanned folder, from the repository's root (`""` for the root):
    /// findings' paths are from here.
    pub root: String,
    /// `tree`, `staged`, `range` or `history`.
    pub mode: String,
    /// The date rules judged ages against.
    pub now: String,
    pub packs: Vec<PackDigest>,
    /// SHA-256 of the settings in force (nhigate.toml and the command line).
    pub config_digest: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PackDigest {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// SHA-256 of the pack's text.
    pub digest: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub total: usize,
    pub failing: usize,
    pub suppressed: usize,
    pub threshold: Severity,
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
}

impl Summary {
    /// The counts of `findings`, failing from `threshold` up.
    pub fn of(findings: &[JsonFinding], threshold: Severity) -> Summary {
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
        Summary {
            total: findings.len(),
            failing: findings.iter().filter(|f| f.suppression.is_none() && f.severity >= threshold).count(),
            suppressed: findings.iter().filter(|f| f.suppression.is_some()).count(),
            threshold,
            critical: count(Severity::Critical),
            high: count(Severity::High),
            medium: count(Severity::Medium),
            low: count(Severity::Low),
            info: count(Severity::Info),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JsonFinding {
    pub rule_id: String,
    pub kind: FindingKind,
    pub severity: Severity,
    pub title: String,
    pub message: String,
    pub path: String,
    pub line: u32,
    pub column: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    pub fingerprint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witness: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<JsonSubject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<JsonSecret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
    /// The same finding in copies of the same content elsewhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_in: Vec<Place>,
    /// The fingerprint of the secret finding this one repeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeats: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JsonSubject {
    pub fact: String,
    pub kind: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub path: String,
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JsonSecret {
    /// Redacted: at most the first 4 and last 2 characters.
    pub value: String,
    pub entropy: f64,
    pub confidence: Confidence,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<FirstSeen>,
    /// The other part of a multi-part credential (a key id for its secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pair: Option<Place>,
}

/// The document of a finished run.
pub fn document(report: &Report<'_>) -> Document {
    let findings: Vec<JsonFinding> = report
        .findings
        .iter()
        .map(|f| JsonFinding {
            rule_id: f.rule_id.clone(),
            kind: f.kind,
            severity: f.severity,
            title: f.title.clone(),
            message: f.message.clone(),
            path: f.location.path.clone(),
            line: f.location.line,
            column: f.location.column,
            end_line: f.location.end_line,
            commit: f.location.commit.clone(),
            fingerprint: f.fingerprint.clone(),
            clause: f.clause.clone(),
            witness: f.witness.clone(),
            subject: f.subject.as_ref().map(|s| JsonSubject {
                fact: s.fact.to_string(),
                kind: s.kind.clone(),
                name: s.name.clone(),
            }),
            secret: f.secret.as_ref().map(|s| JsonSecret {
                value: s.value.as_str().to_string(),
                entropy: s.entropy,
                confidence: s.confidence,
                provider: s.provider.clone(),
                first_seen: s.first_seen.clone(),
                pair: s.pair.as_ref().map(|l| Place { path: l.path.clone(), line: l.line }),
            }),
            fix: f.fix.clone(),
            suppression: f.suppression.clone(),
            also_in: f.also.iter().map(|l| Place { path: l.path.clone(), line: l.line }).collect(),
            repeats: f.repeats.clone(),
        })
        .collect();
    let summary = Summary::of(&findings, report.threshold);
    Document {
        version: FORMAT_VERSION,
        tool: Tool { name: "nhigate".into(), version: env!("CARGO_PKG_VERSION").into() },
        provenance: report.provenance.iter().cloned().collect(),
        summary,
        findings,
        skipped: report.skipped.to_vec(),
        stats: report.stats.clone(),
        inventory: report.inventory.clone(),
        changes: report.changes.to_vec(),
    }
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    write_document(&document(report), out)
}

pub fn write_document(doc: &Document, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, doc)?;
    writeln!(out)
}

impl JsonFinding {
    /// The finding as the other writers take it (a merged report in SARIF).
    pub fn to_finding(&self) -> crate::engine::Finding {
        let fact = ["identity", "credential", "grant", "secret"];
        crate::engine::Finding {
            rule_id: self.rule_id.clone(),
            kind: self.kind,
            severity: self.severity,
            title: self.title.clone(),
            message: self.message.clone(),
            fingerprint: self.fingerprint.clone(),
            fingerprint_key: String::new(),
            location: crate::facts::Location {
                path: self.path.clone(),
                line: self.line,
                column: self.column,
                end_line: self.end_line,
                commit: self.commit.clone(),
                ..Default::default()
            },
            clause: self.clause.clone(),
            witness: self.witness.clone(),
            subject: self.subject.as_ref().map(|s| crate::engine::Subject {
                fact: fact.iter().find(|f| **f == s.fact).copied().unwrap_or("identity"),
                kind: s.kind.clone(),
                name: s.name.clone(),
                detail: String::new(),
            }),
            // Already redacted: a redacted value reads back as itself.
            secret: self.secret.as_ref().map(|s| crate::engine::SecretDetails {
                value: serde_json::from_value(serde_json::Value::String(s.value.clone()))
                    .unwrap_or_else(|_| crate::facts::Redacted::new(&s.value)),
                entropy: s.entropy,
                confidence: s.confidence,
                provider: s.provider.clone(),
                first_seen: s.first_seen.clone(),
                pair: s.pair.as_ref().map(|p| crate::facts::Location {
                    path: p.path.clone(),
                    line: p.line,
                    ..Default::default()
                }),
            }),
            fix: self.fix.clone(),
            suppression: self.suppression.clone(),
            also: self
                .also_in
                .iter()
                .map(|p| crate::facts::Location { path: p.path.clone(), line: p.line, ..Default::default() })
                .collect(),
            repeats: self.repeats.clone(),
        }
    }
}

/// A JSON report read back; one of another version is refused with the
/// version it has.
pub fn read(text: &str) -> Result<Document, String> {
    #[derive(Deserialize)]
    struct Versioned {
        version: u32,
    }
    let v: Versioned = serde_json::from_str(text).map_err(|e| format!("not an nhigate JSON report: {e}"))?;
    if v.version != FORMAT_VERSION {
        return Err(format!("a JSON report of version {}; this nhigate reads version {FORMAT_VERSION}", v.version));
    }
    serde_json::from_str(text).map_err(|e| format!("not an nhigate JSON report: {e}"))
}
