//! Report formats against their contracts: SARIF against the official
//! SARIF 2.1.0 schema, GitHub workflow commands and the job summary.

use std::fs;

use crate::harness::{NOW, code, nhigate, repo_root, run, stdout};

fn sarif_schema() -> Option<serde_json::Value> {
    let text = fs::read_to_string(repo_root().join("tests/schemas/sarif-schema-2.1.0.json")).ok()?;
    serde_json::from_str(&text).ok()
}

fn assert_valid(schema: &serde_json::Value, doc: &serde_json::Value, what: &str) {
    let validator = jsonschema::draft4::new(schema).unwrap_or_else(|e| panic!("schema: {e}"));
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what}: SARIF does not validate:\n{}", errors.join("\n"));
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let Some(schema) = sarif_schema() else {
        panic!("tests/schemas/sarif-schema-2.1.0.json is missing: the SARIF contract cannot be checked");
    };
    // Every example, with secrets and policy findings, plus a tree with
    // suppressed results, an expired waiver and a skipped file.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    fs::write(
        d.join("a.py"),
        "T = \"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\"  # nhigate:ignore github-pat fixture\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    fs::write(d.join("iam.tf"), "resource \"aws_iam_user\" \"bot\" {\n  name = \"bot\"\n}\n")
        .unwrap_or_else(|e| panic!("{e}"));
    fs::write(d.join("broken.tf"), "resource \"aws_iam_user\" {\n").unwrap_or_else(|e| panic!("{e}"));
    fs::write(
        d.join("nhigate.toml"),
        "[[waiver]]\nrule = \"NHI-OWN-001\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2025-01-01\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut targets: Vec<std::path::PathBuf> = ["aws-terraform", "kubernetes", "mcp-agents", "demo"]
        .iter()
        .map(|e| repo_root().join("examples").join(e))
        .collect();
    targets.push(d.to_path_buf());
    for t in targets {
        let o = run(&repo_root(), &["check", &t.to_string_lossy(), "--now", NOW, "--format", "sarif"]);
        assert!(matches!(code(&o), 0 | 1), "{}", t.display());
        let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
        assert_valid(&schema, &doc, &t.to_string_lossy());
        // The check can fail: a level SARIF does not have is refused.
        let mut broken = doc.clone();
        broken["runs"][0]["results"][0]["level"] = serde_json::json!("severe");
        let validator = jsonschema::draft4::new(&schema).unwrap_or_else(|e| panic!("schema: {e}"));
        assert!(!validator.is_valid(&broken), "a bad level passed the schema");
        let run = &doc["runs"][0];
        for r in run["results"].as_array().into_iter().flatten() {
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap_or("");
            assert!(!uri.starts_with('/'), "relative URIs: {uri}");
            let rule = &run["tool"]["driver"]["rules"][r["ruleIndex"].as_u64().unwrap_or(0) as usize];
            assert_eq!(rule["id"], r["ruleId"], "ruleIndex points at the rule");
            assert!(rule["properties"]["security-severity"].is_string() && rule["helpUri"].is_string());
        }
    }
}

#[test]
fn github_format_writes_annotations_and_the_job_summary() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let summary = dir.path().join("summary.md");
    let o = nhigate(&repo_root())
        .args(["check", "examples/gitlab-ci", "--now", NOW, "--format", "github"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    // The pipeline's literal secret is one annotation: the detector's, naming the rule it also breaks.
    let at_7: Vec<&str> = out.lines().filter(|l| l.starts_with("::error file=.gitlab-ci.yml,line=7,")).collect();
    assert_eq!(at_7.len(), 1, "{out}");
    assert!(at_7[0].contains("title=generic-api-key ") && at_7[0].contains("also NHI-GL-001: "), "{out}");
    assert!(out.lines().all(|l| l.starts_with("::")), "only workflow commands on stdout:\n{out}");
    assert!(!out.contains("c5e8a1f3b7d94e2a6b0c8d1f4e7a9b2c"), "secrets are redacted");
    let md = fs::read_to_string(&summary).unwrap_or_default();
    assert!(md.starts_with("## nhigate\n") && md.contains("| critical | `NHI-GL-001` | `.gitlab-ci.yml:7` |"), "{md}");
}

#[test]
fn sarif_warns_past_github_s_result_limit() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tf: String =
        (0..5001).map(|i| format!("resource \"aws_iam_user\" \"u{i}\" {{\n  name = \"u{i}\"\n}}\n")).collect();
    fs::write(dir.path().join("users.tf"), tf).unwrap_or_else(|e| panic!("{e}"));
    let o = run(dir.path(), &["check", ".", "--now", NOW, "--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let run = &doc["runs"][0];
    assert_eq!(run["results"].as_array().map(Vec::len), Some(5001));
    let notes = run["invocations"][0]["toolExecutionNotifications"].as_array().cloned().unwrap_or_default();
    assert!(
        notes.iter().any(|n| n["message"]["text"].as_str().is_some_and(|t| t.contains("limit of 5000"))),
        "{notes:?}"
    );
}

/// A JSON report reads back as what was written (`report::json::read`),
/// and one of another version is refused.
#[test]
fn the_json_report_reads_back_as_written() {
    let root = repo_root();
    let o = run(&root, &["check", "examples/kubernetes", "--now", NOW, "--format", "json"]);
    let text = stdout(&o);
    let doc = nhigate::report::json::read(&text).unwrap_or_else(|e| panic!("{e}"));
    let mut again = Vec::new();
    nhigate::report::json::write_document(&doc, &mut again).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(String::from_utf8_lossy(&again), text);
    assert_eq!(doc.provenance[0].mode, "tree");
    assert!(doc.inventory.as_ref().is_some_and(|i| !i.identities.is_empty()), "the inventory in full");
    let older = text.replacen("\"version\": 2", "\"version\": 1", 1);
    let refused = nhigate::report::json::read(&older).err().unwrap_or_default();
    assert!(refused.contains("version 1; this nhigate reads version 2"), "{refused}");
}

/// Shards of a tree, scanned apart and merged, are the scan of the whole
/// tree: finding for finding (with the same fingerprints) and identity for
/// identity.
#[test]
fn merging_the_shards_of_a_tree_gives_the_scan_of_the_whole() {
    let repo = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    fs::create_dir_all(repo.path().join(".git")).unwrap_or_else(|e| panic!("{e}"));
    crate::harness::copy_tree(&repo_root().join("examples/aws-terraform"), &repo.path().join("infra/aws"));
    crate::harness::copy_tree(&repo_root().join("examples/kubernetes"), &repo.path().join("infra/k8s"));
    let report = |scanned: &str, file: &str| {
        let out = repo.path().join(file).to_string_lossy().to_string();
        run(repo.path(), &["check", scanned, "--now", NOW, "--format", "json", "--output", &out]);
        out
    };
    let whole = report(".", "whole.json");
    let (aws, k8s) = (report("infra/aws", "aws.json"), report("infra/k8s", "k8s.json"));
    let merged = run(repo.path(), &["merge", &aws, &k8s]);
    assert_eq!(code(&merged), 0);
    let read = |text: &str| nhigate::report::json::read(text).unwrap_or_else(|e| panic!("{e}"));
    let (whole, merged) = (read(&fs::read_to_string(&whole).unwrap_or_default()), read(&stdout(&merged)));
    let findings = |d: &nhigate::report::json::Document| -> Vec<String> {
        let mut v: Vec<String> =
            d.findings.iter().map(|f| format!("{} {}:{} {}", f.rule_id, f.path, f.line, f.fingerprint)).collect();
        v.sort();
        v
    };
    assert!(findings(&whole).len() > 20, "the tree has findings");
    assert_eq!(findings(&merged), findings(&whole));
    let identities = |d: &nhigate::report::json::Document| -> Vec<String> {
        let inv = d.inventory.as_ref().map(|i| i.identities.clone()).unwrap_or_default();
        inv.iter().map(|e| format!("{} {} {}", e.kind, e.name, e.location)).collect()
    };
    assert_eq!(identities(&merged), identities(&whole));
    assert_eq!(merged.provenance.len(), 2, "each shard's provenance is kept");
    assert_eq!(merged.summary.total, whole.summary.total);
}

#[test]
fn a_username_or_client_id_makes_its_secret_one_surer_finding_and_is_never_reported_alone() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    let blank = "\n".repeat(8);
    let env = format!(
        "DB_HOST=db.internal\nDB_USER=svc_reporting\nDB_PASSWORD=h.pQFE8CZtY#OY2nGXXw*B\n{blank}SMTP_PASSWORD=WC+K5uPrh^8X4WQJ3zguYZABI\n{blank}LOGIN=ops-bot\n"
    );
    fs::write(d.join("app.env"), env).unwrap_or_else(|e| panic!("{e}"));
    fs::write(
        d.join("oauth.yaml"),
        "auth:\n  client_id: 0oa1b2c3d4e5f6g7h8i9\n  client_secret: \"Zq8XvB2nLk5mPw9RtY3uHs6JdF1gQa4E\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let dir_arg = d.to_string_lossy();
    let o = run(&repo_root(), &["check", &dir_arg, "--now", NOW, "--confidence", "low", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let mut seen: Vec<(String, String, u64, String, Option<u64>)> = doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["secret"]["confidence"].as_str().unwrap_or("").to_string(),
                f["secret"]["pair"]["line"].as_u64(),
            )
        })
        .collect();
    seen.sort_by(|a, b| (&a.1, a.2).cmp(&(&b.1, b.2)));
    let row = |file: &str, line, confidence: &str, pair| {
        ("generic-password".to_string(), file.to_string(), line, confidence.to_string(), pair)
    };
    let expected = vec![
        // With its username: one finding, a step surer than alone.
        row("app.env", 3, "high", Some(2)),
        // Alone: as sure as it was. The lone `LOGIN` is not reported at all.
        row("app.env", 12, "medium", None),
        // A client secret with its client id.
        row("oauth.yaml", 3, "high", Some(2)),
    ];
    assert_eq!(seen, expected, "{doc}");
}

#[test]
fn a_key_id_and_its_secret_are_one_finding_and_each_part_alone_is_less_sure() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    let blank = "\n".repeat(8);
    fs::write(
        d.join("credentials"),
        format!(
            "[default]\naws_access_key_id = AKIAYI6GIR5MDJBGEJMN\naws_secret_access_key = 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\n{blank}[other]\naws_secret_access_key = bET8uh+jhxhHzzvgXx0BUW03Xc0u7EqxNOOI6+Ia\n"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    fs::write(d.join("lone.tf"), "id = \"AKIAZJ7HJS6NEKCFHKNO\"\n").unwrap_or_else(|e| panic!("{e}"));
    let dir_arg = d.to_string_lossy();
    let o = run(&repo_root(), &["check", &dir_arg, "--now", NOW, "--confidence", "low", "--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    if let Some(schema) = sarif_schema() {
        assert_valid(&schema, &doc, "pairs");
    }
    let mut seen: Vec<(String, String, u64, f64, Vec<u64>)> = doc["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let place = &r["locations"][0]["physicalLocation"];
            let related = r["relatedLocations"].as_array().into_iter().flatten();
            (
                r["ruleId"].as_str().unwrap_or("").to_string(),
                place["artifactLocation"]["uri"].as_str().unwrap_or("").to_string(),
                place["region"]["startLine"].as_u64().unwrap_or(0),
                r["rank"].as_f64().unwrap_or(0.0),
                related.filter_map(|l| l["physicalLocation"]["region"]["startLine"].as_u64()).collect(),
            )
        })
        .collect();
    seen.sort_by(|a, b| (&a.1, a.2).cmp(&(&b.1, b.2)));
    let expected = vec![
        // The pair: one finding at the secret, the key id as its related location.
        ("aws-secret-access-key".to_string(), "credentials".to_string(), 3, 90.0, vec![2]),
        // A secret without its key id, and a key id without its secret.
        ("aws-secret-access-key".to_string(), "credentials".to_string(), 13, 60.0, vec![]),
        ("aws-access-key-id".to_string(), "lone.tf".to_string(), 1, 60.0, vec![]),
    ];
    assert_eq!(seen, expected, "{doc}");
    let o = run(&repo_root(), &["check", &dir_arg, "--now", NOW, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let paired: Vec<&serde_json::Value> =
        doc["findings"].as_array().into_iter().flatten().filter_map(|f| f["secret"].get("pair")).collect();
    assert_eq!(paired, vec![&serde_json::json!({"path": "credentials", "line": 2})], "{doc}");
}
