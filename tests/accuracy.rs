//! Detection accuracy on labelled corpora: the shared sample
//! (../shared/corpus) and our own (tests/corpus), scored the way
//! ../shared/corpus/score.py scores them: a finding matches a label in the
//! same file within two lines of its span; each label is credited once.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use crate::harness::{NOW, repo_root, run, stdout};

#[derive(Deserialize)]
struct Label {
    file: String,
    line: u32,
    end_line: u32,
    category: String,
    positive: bool,
}

struct Score {
    tp: usize,
    fn_: usize,
    fp: usize,
    misses: Vec<String>,
    false_positives: Vec<String>,
}

impl Score {
    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
}

const TOLERANCE: u32 = 2;

fn score(corpus: &Path, category: &str) -> Score {
    let labels: Vec<Label> = std::fs::read_to_string(corpus.join("labels.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad label {l}: {e}")))
        .filter(|l: &Label| l.category == category)
        .collect();
    let out = run(&repo_root(), &["check", &corpus.join("repo").to_string_lossy(), "--now", NOW, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("report: {e}"));
    let kind = if category == "secret" { "secret" } else { "policy" };
    let findings: Vec<(String, u32)> = report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| f["kind"] == kind)
                .map(|f| (f["path"].as_str().unwrap_or("").to_string(), f["line"].as_u64().unwrap_or(0) as u32))
                .collect()
        })
        .unwrap_or_default();
    let near = |l: &Label, (file, line): &(String, u32)| {
        *file == l.file && *line + TOLERANCE >= l.line && *line <= l.end_line + TOLERANCE
    };
    let mut credited = vec![false; findings.len()];
    let mut tp = 0;
    let mut misses = Vec::new();
    for l in labels.iter().filter(|l| l.positive) {
        match (0..findings.len()).find(|&i| !credited[i] && near(l, &findings[i])) {
            Some(i) => {
                credited[i] = true;
                tp += 1;
            }
            None => misses.push(format!("{}:{}", l.file, l.line)),
        }
    }
    // Findings beside an already-credited positive are duplicates, not errors.
    let mut false_positives = BTreeSet::new();
    for (i, f) in findings.iter().enumerate() {
        if !credited[i] && !labels.iter().any(|l| l.positive && near(l, f)) {
            false_positives.insert(format!("{}:{}", f.0, f.1));
        }
    }
    Score {
        tp,
        fn_: misses.len(),
        fp: false_positives.len(),
        misses,
        false_positives: false_positives.into_iter().collect(),
    }
}

fn shared_corpus() -> Option<std::path::PathBuf> {
    let p = repo_root().join("../shared/corpus");
    p.join("labels.jsonl").exists().then_some(p)
}

#[test]
fn secrets_on_the_shared_sample_corpus() {
    let Some(corpus) = shared_corpus() else {
        eprintln!("../shared/corpus is not here; skipping");
        return;
    };
    let s = score(&corpus, "secret");
    assert!(
        s.precision() >= 0.98 && s.recall() >= 0.98,
        "precision {:.3} recall {:.3}\nmisses {:?}\nfalse positives {:?}",
        s.precision(),
        s.recall(),
        s.misses,
        s.false_positives
    );
}

#[test]
fn secrets_on_our_own_corpus() {
    let s = score(&repo_root().join("tests/corpus"), "secret");
    assert!(
        s.misses.is_empty() && s.false_positives.is_empty(),
        "misses {:?}\nfalse positives {:?}",
        s.misses,
        s.false_positives
    );
}

#[test]
fn policy_on_the_shared_sample_corpus() {
    let Some(corpus) = shared_corpus() else {
        eprintln!("../shared/corpus is not here; skipping");
        return;
    };
    let s = score(&corpus, "policy");
    assert!(
        s.precision() >= 0.95 && s.recall() >= 0.95,
        "precision {:.3} recall {:.3}\nmisses {:?}\nfalse positives {:?}",
        s.precision(),
        s.recall(),
        s.misses,
        s.false_positives
    );
}

/// False-positive classes from the field: each fixture fired before and
/// does not now, beside a real secret in the same file that still fires.
#[test]
fn values_that_spell_their_own_name_are_not_secrets() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("client.py"),
        "PrivateToken = \"PRIVATE-TOKEN\"\nSSHPrivateKey = \"SSHPrivateKey\"\nDB_PASSWORD = \"h.pQFE8CZtY#OY2nGXXw*Bq\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = run(dir.path(), &["check", ".", "--now", NOW, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let found: Vec<(String, u64)> = doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| (f["rule_id"].as_str().unwrap_or("").to_string(), f["line"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(found, vec![("generic-password".to_string(), 3)], "{doc}");
}

/// The secrets in `tests/fixtures/field` (copied outside the repository, so
/// that its own paths decide their place), at the given confidence.
fn field_fixture_secrets(confidence: &str) -> BTreeSet<(String, u64, String)> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    copy_tree(&repo_root().join("tests/fixtures/field"), dir.path());
    let o = run(dir.path(), &["check", ".", "--now", NOW, "--format", "json", "--confidence", confidence]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["kind"] == "secret")
        .map(|f| {
            let path = f["path"].as_str().unwrap_or("").to_string();
            (path, f["line"].as_u64().unwrap_or(0), f["rule_id"].as_str().unwrap_or("").to_string())
        })
        .collect()
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{e}")).flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap_or_else(|e| panic!("{e}"));
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// One file per class of false positive seen in the field; each fired
/// before (noted per file) and sits beside a true positive that still fires.
#[test]
fn false_positive_classes_from_the_field_are_quiet_and_true_positives_still_fire() {
    let expected: BTreeSet<(String, u64, String)> = [
        // Placeholders: `some-token-value`, `test_password_3`,
        // `MySuperSecretPassword1` and `sstuser:changethis` (lines 1, 2, 9,
        // 10) fired.
        ("config/placeholders.env", 11, "generic-password"),
        // Sequences and repeats: lines 1, 2 and 6 (Slack tokens) fired;
        // line 7 is a component's name.
        ("src/sequences.py", 4, "generic-api-key"),
        // Weak passwords of example hosts: lines 1 and 2 fired; so did a
        // path (line 5).
        ("config/urls.yaml", 4, "url-basic-auth"),
        // jwt.io's published token: line 2 fired.
        ("web/published.js", 3, "jwt"),
        // An elided PEM block does not match; the whole key does.
        ("deploy/tls.txt", 11, "private-key-rsa"),
        // CloudFormation `!Ref`, `!ImportValue`, an ARN: lines 7, 13 and 19 fired.
        ("cfn/template.yaml", 20, "generic-password"),
        ("cfn/template.json", 8, "generic-password"),
        // Terraform references and Helm values are expressions.
        ("terraform/main.tf", 13, "generic-api-key"),
        ("chart/templates/secret.yaml", 9, "generic-api-key"),
        // `valueFrom` is a reference; a literal `value` is not. A value
        // whose comment asks for your own (line 17, fired) is low.
        ("k8s/deployment.yaml", 19, "generic-api-key"),
        // A Secret's timestamp (line 10) and the base64 text of a word
        // (line 12) fired; its username, host, URL and address are not
        // credentials either; a person's password (`sCaleio123`, line 13)
        // is low.
        ("k8s/secret.yaml", 14, "generic-password"),
        // A provider's format in a test is still reported (medium).
        ("tests/test_client.py", 2, "github-pat"),
    ]
    .iter()
    .map(|(p, l, r)| (p.to_string(), *l, r.to_string()))
    .collect();
    assert_eq!(field_fixture_secrets("medium"), expected);
    // Generic finds in tests and docs, and key material a test suite makes
    // (a private key under tests/), are low confidence: shown on request.
    let low = field_fixture_secrets("low");
    let extra: Vec<_> = low.difference(&expected).collect();
    assert_eq!(
        extra,
        vec![
            &("docs/setup.md".to_string(), 6, "generic-password".to_string()),
            &("k8s/deployment.yaml".to_string(), 17, "generic-api-key".to_string()),
            &("k8s/secret.yaml".to_string(), 13, "generic-password".to_string()),
            &("tests/certs/server.key".to_string(), 2, "private-key-rsa".to_string()),
            &("tests/test_client.py".to_string(), 1, "generic-api-key".to_string())
        ]
    );
    assert!(field_fixture_secrets("high").iter().all(|(_, _, r)| r == "private-key-rsa" || r == "jwt"));
}

/// Policy findings from the report of a check of `dir`: (rule, path, line, witness).
fn policy_findings(dir: &Path) -> (Vec<(String, String, u64, String)>, serde_json::Value) {
    let o = run(dir, &["check", ".", "--now", NOW, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let found = doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["kind"] == "policy")
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["witness"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    (found, doc)
}

#[test]
fn wildcard_actions_and_resources_are_separate_findings_at_their_own_lines() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let policy = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "iam:*"],
      "Resource": "*"
    },
    {
      "Effect": "Allow",
      "Action": ["s3:ListAllMyBuckets", "ec2:Describe*"],
      "Resource": "*"
    },
    {
      "Effect": "Allow",
      "Action": "ec2:TerminateInstances",
      "Resource": "*",
      "Condition": {"StringEquals": {"aws:ResourceTag/team": "batch"}}
    }
  ]
}
"#;
    std::fs::write(dir.path().join("policy.json"), policy).unwrap_or_else(|e| panic!("{e}"));
    let (found, _) = policy_findings(dir.path());
    let scope: Vec<_> = found.iter().filter(|f| f.0.starts_with("NHI-SCOPE")).cloned().collect();
    let want = |r: &str, l: u64, w: &str| (r.to_string(), "policy.json".to_string(), l, w.to_string());
    // `iam:*` at its own line; `*` as a resource only for the statement
    // whose actions accept one, and not under a resource-tag condition.
    assert_eq!(scope, vec![want("NHI-SCOPE-001", 6, "iam:*"), want("NHI-SCOPE-002", 7, "*")]);
}

#[test]
fn identical_findings_in_generated_copies_are_one_finding_with_every_place() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let binding = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: ops\nsubjects:\n  - kind: ServiceAccount\n    name: ops\n    namespace: ops\nroleRef:\n  kind: ClusterRole\n  name: cluster-admin\n";
    // Generated bundles: the same binding, among different other documents.
    for (bundle, before) in [("bundle/v1", 0), ("bundle/v2", 1), ("bundle/v3", 2)] {
        let others = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n---\n".repeat(before);
        std::fs::create_dir_all(dir.path().join(bundle)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join(bundle).join("rbac.yaml"), format!("{others}{binding}"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    // The same subject and message, in a document that differs: its own finding.
    let changed = binding.replace("name: ops\nsubjects", "name: ops\n  labels: {tier: gold}\nsubjects");
    std::fs::write(dir.path().join("rbac-gold.yaml"), changed).unwrap_or_else(|e| panic!("{e}"));
    let (found, doc) = policy_findings(dir.path());
    let admin: Vec<_> = found.iter().filter(|f| f.0 == "NHI-K8S-002").map(|f| f.1.as_str()).collect();
    assert_eq!(admin, vec!["bundle/v1/rbac.yaml", "rbac-gold.yaml"], "{found:?}");
    let f = doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule_id"] == "NHI-K8S-002" && f["path"] == "bundle/v1/rbac.yaml");
    let also: Vec<&str> =
        f.and_then(|f| f["also_in"].as_array()).into_iter().flatten().filter_map(|p| p["path"].as_str()).collect();
    assert_eq!(also, vec!["bundle/v2/rbac.yaml", "bundle/v3/rbac.yaml"]);
}

#[test]
fn a_secret_a_detector_reports_is_not_reported_again_by_a_policy_rule() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = r#"{
  "mcpServers": {
    "github": {
      "command": "npx",
      "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "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" }
    },
    "jira": {
      "command": "npx",
      "env": { "JIRA_API_TOKEN": "Zk3pQ8vN" }
    }
  }
}
"#;
    std::fs::create_dir_all(dir.path().join(".cursor")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join(".cursor/mcp.json"), config).unwrap_or_else(|e| panic!("{e}"));
    let o = run(dir.path(), &["check", ".", "--now", NOW, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let found: Vec<(String, u64, bool)> = doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule_id"] == "github-pat" || f["rule_id"] == "NHI-MCP-001")
        .map(|f| {
            (f["rule_id"].as_str().unwrap_or("").to_string(), f["line"].as_u64().unwrap_or(0), f["repeats"].is_string())
        })
        .collect();
    // The machine report keeps the policy finding at the token, marked as
    // repeating the detector's; a literal too weak for any detector to
    // report is the policy rule's alone.
    let want = vec![
        ("NHI-MCP-001".to_string(), 5, true),
        ("github-pat".to_string(), 5, false),
        ("NHI-MCP-001".to_string(), 9, false),
    ];
    assert_eq!(found, want, "{doc}");
    // People read it once: with the secret.
    let human = stdout(&run(dir.path(), &["check", ".", "--now", NOW]));
    assert_eq!(human.matches("critical[NHI-MCP-001]").count(), 1, "{human}");
    assert!(human.contains("= also: NHI-MCP-001: MCP server `github`"), "{human}");
}

#[test]
fn a_terraform_module_resolves_variable_defaults_locals_and_default_tags() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap_or_else(|e| panic!("{e}"));
    write(
        "variables.tf",
        "variable \"service_role_arns\" {\n  default = [\"arn:aws:iam::*:role/aws-service-role/fsx.amazonaws.com/*\"]\n}\n",
    );
    write("providers.tf", "provider \"aws\" {\n  default_tags {\n    tags = { owner = \"team-storage\" }\n  }\n}\n");
    write(
        "main.tf",
        r#"resource "aws_iam_role" "csi" {
  name = "fsx-csi"
}
resource "aws_iam_role_policy" "csi" {
  role = aws_iam_role.csi.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:AttachRolePolicy", "iam:PutRolePolicy"]
      Resource = var.service_role_arns
    }]
  })
}
"#,
    );
    let (found, doc) = policy_findings(dir.path());
    // The role's owner comes from the provider's default tags, and the
    // escalation actions are limited to service-linked roles by the
    // variable's default: before, NHI-OWN-001 and NHI-AWS-006 fired.
    assert!(found.is_empty(), "{found:?}\n{doc}");
}

#[test]
fn the_inventory_lists_a_service_account_of_many_bundles_once() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let account = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: controller\n  namespace: ops\n";
    for (bundle, extra) in
        [("install.yaml", ""), ("ha/install.yaml", "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")]
    {
        let path = dir.path().join(bundle);
        std::fs::create_dir_all(path.parent().unwrap_or(dir.path())).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(path, format!("{account}{extra}")).unwrap_or_else(|e| panic!("{e}"));
    }
    // Another namespace is another account.
    std::fs::write(dir.path().join("dev.yaml"), account.replace("ops", "dev")).unwrap_or_else(|e| panic!("{e}"));
    let o = run(dir.path(), &["inventory", ".", "--now", NOW, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let entries: Vec<(String, usize)> = doc["identities"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| (e["location"].as_str().unwrap_or("").to_string(), e["also_at"].as_array().map_or(0, Vec::len)))
        .collect();
    assert_eq!(entries, vec![("dev.yaml:2".to_string(), 0), ("ha/install.yaml:2".to_string(), 1)], "{doc}");
}

#[test]
fn a_helm_chart_s_service_account_and_binding_are_read_from_its_templates() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let templates = dir.path().join("chart/templates");
    std::fs::create_dir_all(&templates).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("chart/Chart.yaml"), "apiVersion: v2\nname: agent\nversion: 1.0.0\n")
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        templates.join("serviceaccount.yaml"),
        "{{- if .Values.serviceAccount.create -}}\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ include \"agent.fullname\" . }}\n  labels:\n    {{- include \"agent.labels\" . | nindent 4 }}\n{{- end }}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        templates.join("clusterrolebinding.yaml"),
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: {{ include \"agent.fullname\" . }}\nsubjects:\n  - kind: ServiceAccount\n    name: {{ include \"agent.fullname\" . }}\n    namespace: {{ .Release.Namespace }}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (found, doc) = policy_findings(dir.path());
    let admin: Vec<_> = found.iter().filter(|f| f.0 == "NHI-K8S-002").map(|f| (f.1.as_str(), f.2)).collect();
    assert_eq!(admin, vec![("chart/templates/clusterrolebinding.yaml", 9)], "{doc}");
    // Its labels come from the chart's values at install: the owner too.
    assert!(!found.iter().any(|f| f.0 == "NHI-OWN-001"), "{doc}");
    assert!(doc["skipped"].as_array().is_none_or(Vec::is_empty), "templates are read, not skipped: {doc}");
    let o = run(dir.path(), &["inventory", ".", "--now", NOW, "--format", "json"]);
    let inv: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let accounts: Vec<(&str, Vec<&str>)> = inv["identities"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let scopes = e["scopes"].as_array().into_iter().flatten().filter_map(|s| s.as_str()).collect();
            (e["name"].as_str().unwrap_or(""), scopes)
        })
        .collect();
    assert_eq!(accounts, vec![("<include agent.fullname>", vec!["cluster-admin"])], "{inv}");
}

#[test]
fn a_helm_chart_s_plain_values_stand_in_for_its_templates_actions() {
    let check = |automount: &str| {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let templates = dir.path().join("chart/templates");
        std::fs::create_dir_all(&templates).unwrap_or_else(|e| panic!("{e}"));
        let write = |p: std::path::PathBuf, t: &str| std::fs::write(p, t).unwrap_or_else(|e| panic!("{e}"));
        write(dir.path().join("chart/values.yaml"), &format!("serviceAccount:\n  automount: {automount}\n"));
        write(
            templates.join("serviceaccount.yaml"),
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: exporter\n  labels:\n    owner: team-obs\nautomountServiceAccountToken: {{ .Values.serviceAccount.automount }}\n",
        );
        write(
            templates.join("deployment.yaml"),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: exporter\nspec:\n  template:\n    spec:\n      serviceAccountName: exporter\n      containers:\n        - name: exporter\n          image: {{ .Values.image }}\n",
        );
        let (found, _) = policy_findings(dir.path());
        found.iter().filter(|f| f.0 == "NHI-K8S-001").count()
    };
    assert_eq!(check("false"), 0, "values.yaml turns the token off");
    assert_eq!(check("true"), 1);
}

#[test]
fn an_azure_custom_role_with_every_action_is_a_wildcard_and_a_reader_is_not() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("roles.tf"),
        "resource \"azurerm_role_definition\" \"ops\" {\n  name  = \"ops-everything\"\n  scope = data.azurerm_subscription.primary.id\n  permissions {\n    actions = [\"*\"]\n  }\n}\n\nresource \"azurerm_role_definition\" \"reader\" {\n  name  = \"storage-reader\"\n  scope = data.azurerm_subscription.primary.id\n  permissions {\n    actions = [\"Microsoft.Storage/*/read\"]\n  }\n}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (found, doc) = policy_findings(dir.path());
    let want = vec![("NHI-SCOPE-001".to_string(), "roles.tf".to_string(), 5, "*".to_string())];
    assert_eq!(found, want, "{doc}");
}

#[test]
fn a_helm_chart_s_values_fill_in_an_owner_label() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let templates = dir.path().join("chart/templates");
    std::fs::create_dir_all(&templates).unwrap_or_else(|e| panic!("{e}"));
    let write = |p: std::path::PathBuf, t: &str| std::fs::write(p, t).unwrap_or_else(|e| panic!("{e}"));
    write(dir.path().join("chart/values.yaml"), "team: team-obs\n");
    write(
        templates.join("serviceaccount.yaml"),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: exporter\n  labels:\n    owner: {{ .Values.team }}\n",
    );
    let o = run(dir.path(), &["inventory", ".", "--now", NOW, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let exporter = &doc["identities"][0];
    assert_eq!(exporter["owner"], "team-obs", "{doc}");
}
