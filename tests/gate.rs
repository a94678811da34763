//! Living with findings: nhigate.toml (rules off, severities, paths,
//! threshold, waivers), inline ignores, and baselines.

use std::fs;
use std::path::Path;

use crate::harness::{NOW, code, run, stderr, stdout};

const ORPHAN_TF: &str = "resource \"aws_iam_user\" \"bot\" {\n  name = \"bot\"\n}\n";
const TOKEN: &str = "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";

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (path, text) in files {
        let p = dir.path().join(path);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        fs::write(p, text).unwrap_or_else(|e| panic!("{e}"));
    }
    dir
}

fn check(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["check", ".", "--format", "json"];
    args.extend_from_slice(extra);
    if !extra.contains(&"--now") {
        args.extend_from_slice(&["--now", NOW]);
    }
    let o = run(dir, &args);
    let doc = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    (code(&o), doc)
}

/// (rule, suppression kind or "-") for each finding.
fn outcome(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    let kind = f["suppression"]["kind"].as_str().unwrap_or("-");
                    (f["rule_id"].as_str().unwrap_or("").to_string(), kind.to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn config_disables_rules_overrides_severity_and_sets_the_threshold() {
    let dir = tree(&[
        ("iam.tf", ORPHAN_TF),
        ("tests/fixture.py", &format!("token = \"{TOKEN}\"\n")),
        (
            "nhigate.toml",
            "fail_on = \"critical\"\n[severity]\nNHI-OWN-001 = \"critical\"\n[[paths]]\nglob = \"tests/**\"\ndisable = [\"github-pat\"]\n",
        ),
    ]);
    let (exit, doc) = check(dir.path(), &[]);
    assert_eq!(outcome(&doc), vec![("NHI-OWN-001".to_string(), "-".to_string())]);
    assert_eq!(doc["findings"][0]["severity"], "critical");
    assert_eq!((exit, doc["summary"]["threshold"].as_str()), (1, Some("critical")));
    // --severity on the command line wins over fail_on.
    let dir2 = tree(&[("iam.tf", ORPHAN_TF), ("nhigate.toml", "disable = [\"NHI-OWN-001\"]\n")]);
    let (exit, doc) = check(dir2.path(), &[]);
    assert_eq!((exit, outcome(&doc)), (0, vec![]));
}

#[test]
fn waivers_suppress_until_they_expire_and_then_are_reported() {
    let live = "[[waiver]]\nrule = \"NHI-OWN-001\"\npath = \"*.tf\"\nreason = \"vendor-managed\"\nowner = \"team-a\"\nexpires = 2026-01-31\n";
    let dir = tree(&[("iam.tf", ORPHAN_TF), ("nhigate.toml", live)]);
    let (exit, doc) = check(dir.path(), &[]);
    assert_eq!((exit, outcome(&doc)), (0, vec![("NHI-OWN-001".to_string(), "waiver".to_string())]));
    assert_eq!(doc["findings"][0]["suppression"]["owner"], "team-a");
    // The same waiver after its expiry: the finding fails again, and the
    // waiver itself is reported at its line in nhigate.toml.
    let (exit, doc) = check(dir.path(), &["--now", "2026-02-01"]);
    assert_eq!(exit, 1);
    let got = outcome(&doc);
    assert!(got.contains(&("NHI-OWN-001".to_string(), "-".to_string())), "{got:?}");
    let expired = doc["findings"].as_array().and_then(|a| a.iter().find(|f| f["rule_id"] == "waiver-expired")).cloned();
    let expired = expired.unwrap_or_else(|| panic!("no waiver-expired finding: {got:?}"));
    assert_eq!((expired["path"].as_str(), expired["line"].as_u64()), (Some("nhigate.toml"), Some(1)));
}

#[test]
fn a_waiver_without_an_owner_is_a_config_error() {
    let dir = tree(&[
        ("iam.tf", ORPHAN_TF),
        ("nhigate.toml", "[[waiver]]\nrule = \"X\"\nreason = \"r\"\nexpires = 2026-01-01\n"),
    ]);
    let o = run(dir.path(), &["check", ".", "--now", NOW]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("nhigate.toml:1: the waiver needs `owner`"), "{}", stderr(&o));
}

#[test]
fn inline_ignores_suppress_on_the_line_and_the_line_above() {
    let dir = tree(&[
        ("a.py", &format!("# nhigate:ignore github-pat revoked test token\nT = \"{TOKEN}\"\n")),
        ("b.py", &format!("T = \"{TOKEN}\"  # nhigate:ignore NHI-OWN-001 wrong rule\n")),
    ]);
    let (exit, doc) = check(dir.path(), &[]);
    let got: Vec<(String, String, String)> = doc["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["path"].as_str().unwrap_or("").to_string(),
                        f["rule_id"].as_str().unwrap_or("").to_string(),
                        f["suppression"]["kind"].as_str().unwrap_or("-").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        got,
        vec![
            ("a.py".to_string(), "github-pat".to_string(), "inline".to_string()),
            ("b.py".to_string(), "github-pat".to_string(), "-".to_string()),
        ]
    );
    assert_eq!(exit, 1, "b.py's ignore names another rule");
}

#[test]
fn a_baseline_records_todays_findings_and_only_new_ones_fail() {
    let dir = tree(&[("iam.tf", ORPHAN_TF)]);
    let o = run(dir.path(), &["baseline", ".", "--now", NOW]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = fs::read_to_string(dir.path().join(".nhigate-baseline.json")).unwrap_or_default();
    assert!(!text.contains("\"line\"") && !text.contains("date"), "no lines or timestamps: {text}");
    let (exit, doc) = check(dir.path(), &["--baseline", ".nhigate-baseline.json"]);
    assert_eq!((exit, outcome(&doc)), (0, vec![("NHI-OWN-001".to_string(), "baseline".to_string())]));
    // Moving the finding to another line does not make it new.
    fs::write(dir.path().join("iam.tf"), format!("\n\n{ORPHAN_TF}")).unwrap_or_else(|e| panic!("{e}"));
    let (exit, _) = check(dir.path(), &["--baseline", ".nhigate-baseline.json"]);
    assert_eq!(exit, 0);
    // A new orphan is new.
    fs::write(dir.path().join("more.tf"), ORPHAN_TF.replace("bot", "bot2")).unwrap_or_else(|e| panic!("{e}"));
    let (exit, doc) = check(dir.path(), &["--baseline", ".nhigate-baseline.json"]);
    assert_eq!(exit, 1);
    assert!(outcome(&doc).contains(&("NHI-OWN-001".to_string(), "-".to_string())));
    // Writing it again gives the same bytes for the same findings.
    let again = run(dir.path(), &["baseline", ".", "--now", NOW, "-o", "b2.json"]);
    assert_eq!(code(&again), 0);
    let b2 = fs::read_to_string(dir.path().join("b2.json")).unwrap_or_default();
    assert_eq!(b2.matches("\"fingerprint\"").count(), 2);
}

#[test]
fn suppressed_findings_are_sarif_suppressions() {
    let dir = tree(&[("a.py", &format!("T = \"{TOKEN}\"  # nhigate:ignore github-pat fixture\n"))]);
    let o = run(dir.path(), &["check", ".", "--now", NOW, "--format", "sarif"]);
    assert_eq!(code(&o), 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let s = &doc["runs"][0]["results"][0]["suppressions"][0];
    assert_eq!((s["kind"].as_str(), s["status"].as_str()), (Some("inSource"), Some("accepted")));
    assert!(s["justification"].as_str().is_some_and(|j| j.starts_with("fixture")), "{s}");
}
