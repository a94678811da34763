//! The built-in packs, and packs written only from DESIGN.md's syntax.

use nhigate::engine;
use nhigate::facts::{Date, FactSet};
use nhigate::lang::{self, PackSource, Verify};

#[test]
fn built_in_packs_compile_in_full_without_warnings() {
    let sources: Vec<PackSource> =
        nhigate::builtin::sources(&nhigate::builtin::optional().iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .into_iter()
            .map(|s| PackSource { verify: Verify::Full, ..s })
            .collect();
    match lang::compile(&sources) {
        Ok(c) => assert!(c.warnings.is_empty(), "warnings:\n{}", c.warnings.render(false)),
        Err(e) => panic!("{}", e.render(false)),
    }
}

/// DESIGN.md's example pack, as written there (with a real token shape in the
/// detector's example).
const DESIGN_PACK: &str = r#"
pack "nhi-core" {
  version "1.0.0"
  description "Baseline NHI governance"
}

rule NHI-OWN-001 "Every non-human identity has an accountable owner" {
  severity high
  maps "owasp-nhi:NHI1", "nist-800-53:AC-2"
  on identity
  where kind != "github_workflow"
  require owner exists
  message "{kind} `{name}` has no owner"
  fix "add an `owner` tag, or declare it in nhi.toml"
}

rule NHI-AGE-001 "Long-lived credentials are rotated within 90 days" {
  severity high
  on credential
  where long_lived
  require age <= 90d
  message "{kind} for `{identity.name}` is {age} old; the limit is 90d"
}

rule NHI-SCOPE-001 "No wildcard scopes" {
  severity critical
  on grant
  deny any a in actions: a matches glob "*" or a matches glob "*:*"
  deny any r in resources: r == "*"
}

rule NHI-AGENT-001 "AI agents are bound to a declared purpose" {
  severity high
  on identity
  where kind == "ai_agent"
  require purpose exists
  require all s in scopes: s in purpose.allowed
}

detector github-pat "GitHub personal access token" {
  severity critical
  provider "github"
  keywords "ghp_"
  pattern /\b(ghp_[A-Za-z0-9]{36})\b/
  checksum github-crc32
  example "token = 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"          # must match (a valid token shape)
  negative "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"   # must not match
}
"#;

const FACTS: &str = r#"{
  "identities": [
    {"kind": "aws_iam_user", "name": "orphan", "location": {"path": "a.tf", "line": 1}},
    {"kind": "github_workflow", "name": "ci", "location": {"path": "ci.yml", "line": 1}},
    {"kind": "aws_iam_role", "name": "owned", "owner": "team", "location": {"path": "a.tf", "line": 5}},
    {"kind": "ai_agent", "name": "bound", "owner": "t", "scopes": ["a"], "purpose": {"allowed": ["a"]}, "location": {"path": "b.yaml", "line": 1}},
    {"kind": "ai_agent", "name": "unbound", "owner": "t", "scopes": ["a"], "location": {"path": "c.yaml", "line": 1}}
  ],
  "credentials": [
    {"kind": "access_key", "identity": "orphan", "created": "2025-01-01", "long_lived": true, "location": {"path": "a.tf", "line": 2}},
    {"kind": "access_key", "identity": "owned", "created": "2025-06-01", "long_lived": true, "location": {"path": "a.tf", "line": 6}},
    {"kind": "token", "identity": "ci", "created": "2020-01-01", "location": {"path": "ci.yml", "line": 3}}
  ],
  "grants": [
    {"identity": "orphan", "effect": "allow", "actions": ["*"], "resources": ["arn:x"], "location": {"path": "a.tf", "line": 3}},
    {"identity": "owned", "effect": "allow", "actions": ["s3:GetObject"], "resources": ["*"], "location": {"path": "a.tf", "line": 7}}
  ]
}"#;

#[test]
fn the_design_pack_compiles_and_evaluates_as_documented() {
    let compiled =
        lang::compile(&[PackSource { path: "design.nhi".into(), text: DESIGN_PACK.into(), verify: Verify::Full }])
            .unwrap_or_else(|e| panic!("{}", e.render(false)));
    let program = compiled.program;
    assert_eq!(program.rules.len(), 4);
    assert_eq!(program.detectors.len(), 1);
    let facts: FactSet = serde_json::from_str(FACTS).unwrap_or_else(|e| panic!("{e}"));
    let now = Date::parse("2025-06-30").unwrap_or(Date(0));
    let findings = engine::evaluate(&program, &facts, now);
    let got: Vec<(String, String, u32)> =
        findings.iter().map(|f| (f.rule_id.clone(), f.location.path.clone(), f.location.line)).collect();
    let want: Vec<(String, String, u32)> = [
        ("NHI-OWN-001", "a.tf", 1),
        ("NHI-AGE-001", "a.tf", 2),
        ("NHI-SCOPE-001", "a.tf", 3),
        // A grant with a wildcard action and a wildcard resource: each
        // failing clause is a finding.
        ("NHI-SCOPE-001", "a.tf", 7),
        ("NHI-SCOPE-001", "a.tf", 7),
        ("NHI-AGENT-001", "c.yaml", 1),
    ]
    .iter()
    .map(|(r, p, l)| (r.to_string(), p.to_string(), *l))
    .collect();
    assert_eq!(got, want);
    let age = findings.iter().find(|f| f.rule_id == "NHI-AGE-001").map(|f| f.message.clone());
    assert_eq!(age.as_deref(), Some("access_key for `orphan` is 180d old; the limit is 90d"));
    let own = findings.iter().find(|f| f.rule_id == "NHI-OWN-001").map(|f| f.message.clone());
    assert_eq!(own.as_deref(), Some("aws_iam_user `orphan` has no owner"));
}
