//! SARIF 2.1.0: one run, the rules that fired in `tool.driver.rules` with
//! their severity as `level` and `security-severity`, results with
//! `partialFingerprints`, paths relative to `%SRCROOT%`, and skipped files
//! as tool notifications. Its own serialization types, like the JSON report.

use std::io::{self, Write};

use serde::Serialize;

use super::{Report, RuleInfo, help_uri};
use crate::engine::FindingKind;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
/// GitHub code scanning keeps at most this many results of a run.
pub(super) const GITHUB_RESULT_LIMIT: usize = 5000;

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    original_uri_base_ids: serde_json::Value,
    results: Vec<SarifResult<'a>>,
    invocations: Vec<Invocation>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    precision: &'static str,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    /// Copies of the same finding in other files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: serde_json::Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
    /// How sure the finding is, 0 to 100 (SARIF §3.27.27): from a secret's
    /// confidence; absent for policy findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    rank: Option<f64>,
    properties: ResultProperties<'a>,
}

/// A waived, baselined or inline-ignored result (SARIF §3.35).
#[derive(Serialize)]
struct SarifSuppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

fn suppression(s: &crate::suppress::Suppression) -> SarifSuppression {
    use crate::suppress::SuppressionKind;
    let owner = s.owner.as_deref().map(|o| format!("; owner {o}")).unwrap_or_default();
    let expires = s.expires.map(|d| format!("; expires {d}")).unwrap_or_default();
    SarifSuppression {
        kind: if s.kind == SuppressionKind::Inline { "inSource" } else { "external" },
        status: "accepted",
        justification: format!("{} ({}{owner}{expires})", s.reason, s.source),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    severity: &'static str,
    kind: FindingKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    redacted: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<crate::detect::Confidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

/// A relative path as a URI reference: percent-encode what a URI may not hold.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b'@' | b'+' | b'=' | b',' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn location(path: &str, region: Option<Region>) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri: uri(path), uri_base_id: SRCROOT },
            region,
        },
    }
}

fn descriptor(rule: &RuleInfo) -> ReportingDescriptor<'_> {
    let mut tags = vec![match rule.kind {
        FindingKind::Secret => "secret".to_string(),
        FindingKind::Policy => "policy".to_string(),
    }];
    tags.push("security".to_string());
    tags.extend(rule.maps.iter().cloned());
    let mut text = rule.title.clone();
    let mut markdown = format!("**{}** ({})\n", rule.title, rule.severity);
    if let Some(docs) = &rule.docs {
        text.push_str("\n\n");
        text.push_str(docs);
        markdown.push('\n');
        markdown.push_str(docs);
        markdown.push('\n');
    }
    if let Some(fix) = &rule.fix {
        text.push_str("\n\nFix: ");
        text.push_str(fix);
        markdown.push_str(&format!("\n**Fix:** {fix}\n"));
    }
    if !rule.maps.is_empty() {
        markdown.push_str(&format!("\n**Maps to:** {}\n", rule.maps.join(", ")));
    }
    ReportingDescriptor {
        id: &rule.id,
        name: rule.id.split(['-', '_', '.']).map(capitalize).collect(),
        short_description: Text { text: rule.title.clone() },
        full_description: Text { text: rule.docs.clone().unwrap_or_else(|| rule.title.clone()) },
        help: Help { text, markdown },
        help_uri: help_uri(&rule.id),
        default_configuration: Configuration { level: rule.severity.sarif_level() },
        properties: RuleProperties {
            tags,
            security_severity: rule.severity.security_severity(),
            precision: if rule.kind == FindingKind::Secret { "high" } else { "very-high" },
            problem_severity: match rule.severity.sarif_level() {
                "error" => "error",
                "warning" => "warning",
                _ => "recommendation",
            },
        },
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c.flat_map(char::to_lowercase)).collect(),
        None => String::new(),
    }
}

pub(super) fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let rules = report.fired_rules();
    let results = report
        .findings
        .iter()
        .map(|f| {
            let rule_index = rules.iter().position(|r| r.id == f.rule_id).unwrap_or(0);
            SarifResult {
                rule_id: &f.rule_id,
                rule_index,
                level: f.severity.sarif_level(),
                message: Text { text: f.message.clone() },
                locations: vec![location(
                    &f.location.path,
                    Some(Region {
                        start_line: f.location.line.max(1),
                        start_column: f.location.column.max(1),
                        end_line: f.location.end_line,
                        end_column: f.location.end_column,
                    }),
                )],
                // A multi-part credential's other part, then copies elsewhere.
                related_locations: f
                    .secret
                    .iter()
                    .filter_map(|s| s.pair.as_ref())
                    .chain(&f.also)
                    .map(|l| {
                        let region = Region {
                            start_line: l.line.max(1),
                            start_column: l.column.max(1),
                            end_line: None,
                            end_column: None,
                        };
                        location(&l.path, Some(region))
                    })
                    .collect(),
                partial_fingerprints: serde_json::json!({ "nhigate/v1": f.fingerprint }),
                suppressions: f.suppression.iter().map(suppression).collect(),
                rank: f.secret.as_ref().map(|s| s.confidence.sarif_rank()),
                properties: ResultProperties {
                    severity: f.severity.name(),
                    kind: f.kind,
                    redacted: f.secret.as_ref().map(|s| s.value.as_str()),
                    confidence: f.secret.as_ref().map(|s| s.confidence),
                    commit: f.location.commit.as_deref(),
                },
            }
        })
        .collect::<Vec<_>>();
    let mut notifications: Vec<Notification> = report
        .skipped
        .iter()
        .map(|s| Notification {
            level: "warning",
            message: Text { text: format!("skipped {}: {}", s.path, s.reason) },
            locations: if s.path.is_empty() { vec![] } else { vec![location(&s.path, None)] },
        })
        .collect();
    if results.len() > GITHUB_RESULT_LIMIT {
        notifications.push(Notification {
            level: "warning",
            message: Text {
                text: format!(
                    "{} results exceed GitHub code scanning's limit of {GITHUB_RESULT_LIMIT} per run; the rest will not be shown there",
                    results.len()
                ),
            },
            locations: vec![],
        });
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "nhigate",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://github.com/nhigate/nhigate",
                    rules: rules.into_iter().map(descriptor).collect(),
                },
            },
            original_uri_base_ids: serde_json::json!({
                SRCROOT: { "description": { "text": "The root of the scanned repository" } }
            }),
            results,
            invocations: vec![Invocation { execution_successful: true, tool_execution_notifications: notifications }],
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("a b/c#d.txt"), "a%20b/c%23d.txt");
        assert_eq!(uri("src/main.rs"), "src/main.rs");
    }
}
