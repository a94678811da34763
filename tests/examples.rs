//! The example repositories under examples/: what `check` finds and what
//! `inventory` lists in each, as snapshots, and the inventory's formats.

use crate::harness::{code, repo_root, run, stdout};

const NOW: &str = "2025-06-30";
const ECOSYSTEMS: &[&str] =
    &["aws-terraform", "gcp", "azure", "kubernetes", "github-actions", "gitlab-ci", "mcp-agents"];

/// `RULE path:line message`, one finding a line: the snapshot of a check.
fn findings(example: &str) -> String {
    let dir = repo_root().join("examples").join(example);
    let o = run(&repo_root(), &["check", &dir.to_string_lossy(), "--now", NOW, "--format", "json"]);
    assert_eq!(code(&o), 1, "{example}: expected findings");
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    format!(
                        "{} {}:{} {}",
                        f["rule_id"].as_str().unwrap_or(""),
                        f["path"].as_str().unwrap_or(""),
                        f["line"],
                        f["message"].as_str().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
        })
        .map(|mut lines| {
            // Findings at one place are ordered by fingerprint, which
            // depends on where the checkout sits: sort by text instead.
            lines.sort();
            lines.join("\n")
        })
        .unwrap_or_default()
}

fn inventory(example: &str, format: &str) -> String {
    let dir = repo_root().join("examples").join(example);
    let o = run(&repo_root(), &["inventory", &dir.to_string_lossy(), "--now", NOW, "--format", format]);
    assert_eq!(code(&o), 0, "{example}: inventory failed");
    stdout(&o)
}

#[test]
fn every_example_fires_governance_rules() {
    for example in ECOSYSTEMS {
        let found = findings(example);
        assert!(found.lines().any(|l| l.starts_with("NHI-")), "{example}: no governance finding:\n{found}");
        insta::assert_snapshot!(format!("findings_{example}"), found);
    }
}

#[test]
fn every_example_has_an_inventory() {
    for example in ECOSYSTEMS {
        insta::assert_snapshot!(format!("inventory_{example}"), inventory(example, "table"));
    }
}

#[test]
fn the_inventory_marks_orphans_and_declarations() {
    let json: serde_json::Value =
        serde_json::from_str(&inventory("aws-terraform", "json")).unwrap_or_else(|e| panic!("{e}"));
    let ids = json["identities"].as_array().cloned().unwrap_or_default();
    let by_name = |n: &str| ids.iter().find(|i| i["name"] == n).cloned().unwrap_or_default();
    // Found in code with no owner anywhere: an orphan.
    assert_eq!(by_name("reports-bot")["owner"], serde_json::Value::Null);
    // Declared in nhi.toml and not found in code.
    let datadog = by_name("datadog-integration");
    assert_eq!((datadog["declared"].as_bool(), datadog["discovered"].as_bool()), (Some(true), Some(false)));
    // Found and declared: the declaration's purpose and the key's age merged in.
    let cfn = by_name("cfn-deployer");
    assert_eq!(cfn["purpose"], "Deploys the app stacks from CI until OIDC lands");
    assert_eq!(cfn["credentials"][0]["age_days"], 240);
    // A module's user, owned by what its call passes: one call tags it, the
    // other does not.
    assert_eq!(by_name("build-bot")["owner"], "team-build");
    assert_eq!(by_name("docs-bot")["owner"], serde_json::Value::Null);
    assert_eq!(json["summary"]["orphans"], 2);
}

#[test]
fn the_inventory_csv_has_a_row_per_identity() {
    let csv = inventory("gcp", "csv");
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("KIND,NAME,PROVIDER,OWNER,PURPOSE,ENV,SCOPES,CREDENTIALS,DECLARED,LOCATION"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(rows[1].starts_with("gcp_service_account,etl-runner,gcp,ORPHAN,"), "{}", rows[1]);
}

#[test]
fn the_inventory_is_the_same_with_one_thread_or_many() {
    let dir = repo_root().join("examples");
    let one = run(&repo_root(), &["inventory", &dir.to_string_lossy(), "--now", NOW, "--format", "json", "-j1"]);
    let many = run(&repo_root(), &["inventory", &dir.to_string_lossy(), "--now", NOW, "--format", "json", "-j8"]);
    assert_eq!(stdout(&one), stdout(&many));
    assert!(stdout(&one).contains("\"identities\""));
}

/// `rule path:line message` of a check of the custom-pack example with
/// extra arguments.
fn custom_pack(args: &[&str]) -> Vec<String> {
    let dir = repo_root().join("examples/custom-pack");
    let mut all = vec!["check", ".", "--now", NOW, "--format", "json"];
    all.extend_from_slice(args);
    let o = run(&dir, &all);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let mut lines: Vec<String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let (rule, path) = (f["rule_id"].as_str().unwrap_or(""), f["path"].as_str().unwrap_or(""));
            format!("{rule} {path}:{} {}", f["line"], f["message"].as_str().unwrap_or(""))
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn a_teams_pack_tunes_parameters_and_its_detector_wins() {
    let tuned = custom_pack(&[]);
    let has = |lines: &[String], text: &str| lines.iter().any(|l| l.contains(text));
    // nhigate.toml sets a built-in's and the pack's parameters.
    assert!(
        has(&tuned, "ACME-003 infra/main.tf:3 aws_iam_user `deploy-prod` holds 2 long-lived keys; the limit is 1"),
        "{tuned:#?}"
    );
    assert!(
        has(&tuned, "NHI-AGE-001 infra/main.tf:8 access_key for `deploy-prod` is 41d old; the limit is 30d"),
        "{tuned:#?}"
    );
    // The team's detector names the token; the generic one does not.
    assert!(has(&tuned, "acme-live-token app/settings.yaml:4"), "{tuned:#?}");
    assert!(!has(&tuned, "generic-api-key"), "{tuned:#?}");

    // With the pack but at the defaults, neither threshold is crossed.
    let defaults = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = defaults.path().join("nhigate.toml");
    let pack = repo_root().join("examples/custom-pack/policy");
    let text = format!("exclude = [\"policy/**\"]\nrules = [{:?}]\n", pack.to_string_lossy());
    std::fs::write(&config, text).unwrap_or_else(|e| panic!("{e}"));
    let config = config.to_string_lossy().to_string();
    let at_defaults = custom_pack(&["--config", &config]);
    assert!(!has(&at_defaults, "ACME-003") && !has(&at_defaults, "NHI-AGE-001"), "{at_defaults:#?}");
    assert!(has(&at_defaults, "acme-live-token app/settings.yaml:4"), "{at_defaults:#?}");

    // Without the team's pack, the built-in generic detector finds the token.
    std::fs::write(&config, "exclude = [\"policy/**\"]\n").unwrap_or_else(|e| panic!("{e}"));
    let builtin_only = custom_pack(&["--config", &config]);
    assert!(has(&builtin_only, "generic-api-key app/settings.yaml:4"), "{builtin_only:#?}");

    let o = run(&repo_root(), &["test", "examples/custom-pack/policy", "--deny-warnings"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let dir = repo_root().join("examples/custom-pack");
    let o = run(&dir, &["rules", "explain", "NHI-AGE-001"]);
    assert!(stdout(&o).contains("max_age = 30d  (a duration, set; default 90d)"), "{}", stdout(&o));
}
