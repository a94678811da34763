//! The JSON report, format version 1 (docs/json-report.md). It has its own
//! serialization types, so that internal changes do not change the format.

use std::io::{self, Write};

use serde::Serialize;

use super::{Report, Stats};
use crate::engine::{FindingKind, Subject};
use crate::facts::FirstSeen;
use crate::severity::Severity;

pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    findings: Vec<JsonFinding<'a>>,
    skipped: &'a [crate::source::Skipped],
    stats: &'a Stats,
    #[serde(skip_serializing_if = "Option::is_none")]
    inventory: Option<&'a super::inventory::Summary>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    total: usize,
    failing: usize,
    suppressed: usize,
    threshold: Severity,
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    info: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    kind: FindingKind,
    severity: Severity,
    title: &'a str,
    message: &'a str,
    path: &'a str,
    line: u32,
    column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    clause: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    witness: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a Subject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<JsonSecret<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression: Option<&'a crate::suppress::Suppression>,
    /// The same finding in copies of the same content elsewhere.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    also_in: Vec<Place<'a>>,
    /// The fingerprint of the secret finding this one repeats.
    #[serde(skip_serializing_if = "Option::is_none")]
    repeats: Option<&'a str>,
}

#[derive(Serialize)]
struct Place<'a> {
    path: &'a str,
    line: u32,
}

#[derive(Serialize)]
struct JsonSecret<'a> {
    /// Redacted: at most the first 4 and last 2 characters.
    value: &'a str,
    entropy: f64,
    confidence: crate::detect::Confidence,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_seen: Option<&'a FirstSeen>,
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let doc = JsonReport {
        version: FORMAT_VERSION,
        tool: Tool { name: "nhigate", version: env!("CARGO_PKG_VERSION") },
        summary: Summary {
            total: report.findings.len(),
            failing: report.failing(),
            suppressed: report.suppressed(),
            threshold: report.threshold,
            critical: count(Severity::Critical),
            high: count(Severity::High),
            medium: count(Severity::Medium),
            low: count(Severity::Low),
            info: count(Severity::Info),
        },
        findings: report
            .findings
            .iter()
            .map(|f| JsonFinding {
                rule_id: &f.rule_id,
                kind: f.kind,
                severity: f.severity,
                title: &f.title,
                message: &f.message,
                path: &f.location.path,
                line: f.location.line,
                column: f.location.column,
                end_line: f.location.end_line,
                commit: f.location.commit.as_deref(),
                fingerprint: &f.fingerprint,
                clause: f.clause.as_deref(),
                witness: f.witness.as_deref(),
                subject: f.subject.as_ref(),
                secret: f.secret.as_ref().map(|s| JsonSecret {
                    value: s.value.as_str(),
                    entropy: s.entropy,
                    confidence: s.confidence,
                    provider: s.provider.as_deref(),
                    first_seen: s.first_seen.as_ref(),
                }),
                fix: f.fix.as_deref(),
                suppression: f.suppression.as_ref(),
                also_in: f.also.iter().map(|l| Place { path: &l.path, line: l.line }).collect(),
                repeats: f.repeats.as_deref(),
            })
            .collect(),
        skipped: report.skipped,
        stats: &report.stats,
        inventory: report.inventory.as_ref(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
