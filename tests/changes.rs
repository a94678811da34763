//! Identity changes per pull request (joiners, movers, leavers): what
//! `check --base/--head` and `--staged` report about the identities a
//! change adds, removes or modifies, on repositories built with git.

use crate::git::{commit, git, json, repo, write};
use crate::harness::{nhigate, run, stdout};

const ROLE: &str = r#"resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
  tags = { owner = "team-a" }
}
"#;

const POLICY_AND_USER: &str = r#"resource "aws_iam_role_policy" "put" {
  name = "put"
  role = "app"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:PutObject"], Resource = "arn:aws:s3:::bucket/*" }] })
}
resource "aws_iam_user" "ci" {
  name = "ci-bot"
  tags = { owner = "team-b" }
}
resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}
"#;

const SERVICE_ACCOUNT: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: deployer\n  namespace: ci\n  labels:\n    owner: platform\n";

const BINDING: &str = "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: deployer-admin\nsubjects:\n  - kind: ServiceAccount\n    name: deployer\n    namespace: ci\nroleRef:\n  kind: ClusterRole\n  name: cluster-admin\n  apiGroup: rbac.authorization.k8s.io\n";

/// Base: a role owned by team-a, a GCP service account, a Kubernetes
/// service account. Head: the role's file renamed (`iam.tf` → `roles.tf`)
/// with a new owner, `s3:PutObject` given to it from another file, a new
/// IAM user with an access key, the GCP account removed, the Kubernetes
/// account bound to cluster-admin.
fn base_and_head() -> tempfile::TempDir {
    let dir = repo();
    let d = dir.path();
    write(d, "iam.tf", ROLE);
    write(d, "gcp.tf", "resource \"google_service_account\" \"old\" {\n  account_id = \"old-sa\"\n}\n");
    write(d, "rbac.yaml", SERVICE_ACCOUNT);
    commit(d, "base", "2025-06-01T00:00:00Z");
    git(d, &["checkout", "-q", "-b", "feature"], "2025-06-02T00:00:00Z");
    git(d, &["mv", "iam.tf", "roles.tf"], "2025-06-02T00:00:00Z");
    git(d, &["rm", "-q", "gcp.tf"], "2025-06-02T00:00:00Z");
    write(d, "roles.tf", &ROLE.replace("team-a", "team-b"));
    write(d, "policy.tf", POLICY_AND_USER);
    write(d, "rbac.yaml", &format!("{SERVICE_ACCOUNT}{BINDING}"));
    commit(d, "head", "2025-06-02T00:00:00Z");
    dir
}

#[test]
fn a_branch_lists_its_joiners_movers_and_leavers_with_the_access_they_gain() {
    let dir = base_and_head();
    let (_, doc) = json(dir.path(), &["--base", "main", "--head", "feature"]);
    let changes = doc["changes"].as_array().cloned().unwrap_or_default();
    let summary: Vec<(String, String, String)> = changes
        .iter()
        .map(|c| {
            let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
            (s(&c["change"]), s(&c["identity"]["kind"]), s(&c["identity"]["name"]))
        })
        .collect();
    let expected = [
        ("modified", "aws_iam_role", "app"),
        ("added", "aws_iam_user", "ci-bot"),
        ("removed", "gcp_service_account", "old-sa"),
        ("modified", "k8s_service_account", "deployer"),
    ];
    let expected: Vec<(String, String, String)> =
        expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(summary, expected, "{doc:#}");
    // The renamed file is a modification: the role keeps its name; only
    // what changed about it is listed.
    let app = &changes[0];
    assert_eq!(app["identity"]["location"]["path"], "roles.tf");
    assert_eq!(app["grants_added"][0]["action"], "s3:PutObject");
    assert_eq!(app["grants_added"][0]["resource"], "arn:aws:s3:::bucket/*");
    assert_eq!(app["grants_added"][0]["location"]["path"], "policy.tf");
    assert_eq!(app["owner"], serde_json::json!({"before": "team-a", "after": "team-b"}));
    assert!(app.get("grants_removed").is_none() && app.get("trust_added").is_none(), "{app:#}");
    let user = &changes[1];
    assert_eq!(user["credentials_added"][0]["kind"], "access_key");
    assert_eq!(user["credentials_added"][0]["long_lived"], true);
    let deployer = &changes[3];
    assert_eq!(deployer["grants_added"][0]["role"], "cluster-admin");
    assert_eq!(deployer["grants_added"][0]["via"], "deployer-admin");
    // The human report opens with the delta, above the findings.
    let o = run(dir.path(), &["check", ".", "--base", "main", "--head", "feature", "--now", "2025-06-30"]);
    let text = stdout(&o);
    assert!(
        text.starts_with("This change: 1 new identity, 1 identity removed, 2 with wider access, 1 new long-lived key, 1 owner changed\n"),
        "{text}"
    );
    assert!(
        text.contains("  ~ aws_iam_role app (roles.tf:1)\n      + s3:PutObject on arn:aws:s3:::bucket/* (via"),
        "{text}"
    );
    // The job summary opens with the delta as a table.
    let summary = dir.path().join("summary.md");
    let o = nhigate(dir.path())
        .args(["check", ".", "--base", "main", "--head", "feature", "--now", "2025-06-30", "--format", "github"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(o.status.code().is_some());
    // Annotations mark the lines that widen access or add a long-lived key.
    let notices: Vec<String> = stdout(&o).lines().filter(|l| l.starts_with("::notice ")).map(String::from).collect();
    assert_eq!(
        notices,
        vec![
            "::notice file=policy.tf,line=4,title=nhigate%3A identity change::app gains s3:PutObject on arn:aws:s3:::bucket/* (via policy.tf:4)",
            "::notice file=policy.tf,line=10,title=nhigate%3A identity change::ci-bot gets a long-lived access_key",
            "::notice file=rbac.yaml,line=14,title=nhigate%3A identity change::deployer gains role cluster-admin on cluster (via deployer-admin)",
        ],
        "{}",
        stdout(&o)
    );
    let md = std::fs::read_to_string(&summary).unwrap_or_default();
    assert!(md.starts_with("## nhigate\n\n**This pull request:** 1 new identity, 1 identity removed,"), "{md}");
    assert!(
        md.contains("| aws\\_iam\\_user `ci-bot` | new |  |  | + `access_key` (long-lived) | none → `team-b` |"),
        "{md}"
    );
    assert!(md.contains("| gcp\\_service\\_account `old-sa` | removed |"), "{md}");
    // `nhigate diff` prints the delta alone.
    let o = run(dir.path(), &["diff", "--base", "main", "--head", "feature"]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        vec![
            "This change: 1 new identity, 1 identity removed, 2 with wider access, 1 new long-lived key, 1 owner changed",
            "  ~ aws_iam_role app (roles.tf:1)",
            "      + s3:PutObject on arn:aws:s3:::bucket/* (via policy.tf:4)",
            "      owner: team-a -> team-b",
            "  + aws_iam_user ci-bot (policy.tf:6)",
            "      + key access_key, long-lived at policy.tf:10",
            "      owner: none -> team-b",
            "  - gcp_service_account old-sa (gcp.tf:1)",
            "  ~ k8s_service_account deployer (rbac.yaml:2)",
            "      + role cluster-admin on cluster (via deployer-admin)",
        ],
        "{text}"
    );
    let o = run(dir.path(), &["diff", "--base", "main", "--head", "feature", "--format", "json"]);
    let diffed: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(diffed["changes"], doc["changes"]);
    let o = run(dir.path(), &["diff", "--base", "main", "--head", "feature", "--format", "markdown"]);
    assert!(stdout(&o).starts_with("**This pull request:** 1 new identity,"), "{}", stdout(&o));
    // A tree has no base: no changes.
    let (_, doc) = json(dir.path(), &[]);
    assert!(doc.get("changes").is_none(), "{doc:#}");
}

#[test]
fn a_renamed_terraform_resource_that_keeps_its_cloud_name_is_no_leaver_and_joiner() {
    let dir = repo();
    let d = dir.path();
    write(d, "iam.tf", ROLE);
    commit(d, "base", "2025-06-01T00:00:00Z");
    write(d, "iam.tf", &ROLE.replace("\"aws_iam_role\" \"app\"", "\"aws_iam_role\" \"application\""));
    commit(d, "rename", "2025-06-02T00:00:00Z");
    let (_, doc) = json(d, &["--base", "HEAD~1", "--head", "HEAD"]);
    assert!(doc.get("changes").is_none(), "same role, same access: nothing changed\n{doc:#}");
    write(d, "iam.tf", &ROLE.replace("team-a", "team-z"));
    commit(d, "owner", "2025-06-03T00:00:00Z");
    let (_, doc) = json(d, &["--base", "HEAD~1", "--head", "HEAD"]);
    let changes = doc["changes"].as_array().cloned().unwrap_or_default();
    assert_eq!(changes.len(), 1, "{doc:#}");
    assert_eq!(changes[0]["change"], "modified");
    assert_eq!(changes[0]["owner"], serde_json::json!({"before": "team-a", "after": "team-z"}));
}

#[test]
fn a_staged_change_is_compared_with_head() {
    let dir = repo();
    let d = dir.path();
    write(d, "iam.tf", ROLE);
    commit(d, "base", "2025-06-01T00:00:00Z");
    write(d, "policy.tf", POLICY_AND_USER);
    git(d, &["add", "policy.tf"], "2025-06-02T00:00:00Z");
    let (_, doc) = json(d, &["--staged"]);
    let changes: Vec<(&str, &str)> = doc["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| Some((c["change"].as_str()?, c["identity"]["name"].as_str()?)))
        .collect();
    // The new user joins; the role defined in a file the change does not
    // touch gains access from the staged policy: modified, not added.
    assert_eq!(changes, vec![("added", "ci-bot"), ("modified", "app")], "{doc:#}");
    assert_eq!(doc["changes"][1]["grants_added"][0]["action"], "s3:PutObject");
}

/// Rules judge the delta: `on change`.
const CHANGE_PACK: &str = r#"pack "change-gate" {
  version "1.0.0"
}

rule PR-001 "A change may not grant a wildcard action" {
  severity high
  on change
  deny any a in actions_added: a == "*" or a matches /:\*$/
  message "{name} gains a wildcard action"
}

rule PR-002 "A new identity needs an owner" {
  severity medium
  on change
  where change == "added"
  require owner_after exists
  message "{kind} {name} is new and has no owner"
}

rule PR-003 "A new long-lived key needs a waiver" {
  severity medium
  on change
  require long_lived_added == 0
  message "{name} gets {long_lived_added} long-lived key(s)"
}
"#;

#[test]
fn rules_judge_the_delta() {
    let dir = repo();
    let d = dir.path();
    write(d, "iam.tf", ROLE);
    commit(d, "base", "2025-06-01T00:00:00Z");
    write(
        d,
        "admin.tf",
        "resource \"aws_iam_role_policy\" \"all\" {\n  role = \"app\"\n  policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"iam:*\", Resource = \"*\" }] })\n}\nresource \"aws_iam_user\" \"bot\" {\n  name = \"bot\"\n}\nresource \"aws_iam_access_key\" \"bot\" {\n  user = aws_iam_user.bot.name\n}\n",
    );
    commit(d, "head", "2025-06-02T00:00:00Z");
    let packs = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let pack = packs.path().join("change-gate.nhi");
    std::fs::write(&pack, CHANGE_PACK).unwrap_or_else(|e| panic!("{e}"));
    let pack = pack.to_string_lossy();
    let args = ["--base", "HEAD~1", "--head", "HEAD", "--no-builtin", "--rules", &pack];
    let (_, doc) = json(d, &args);
    let mut fired: Vec<(String, String)> = doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| (f["rule_id"].as_str().unwrap_or("").to_string(), f["message"].as_str().unwrap_or("").to_string()))
        .collect();
    fired.sort();
    let expected = [
        ("PR-001", "app gains a wildcard action"),
        ("PR-002", "aws_iam_user bot is new and has no owner"),
        ("PR-003", "bot gets 1 long-lived key(s)"),
    ];
    let expected: Vec<(String, String)> = expected.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(fired, expected, "{doc:#}");
    // A tree has no change to judge.
    let (_, doc) = json(d, &["--no-builtin", "--rules", &pack]);
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(0), "{doc:#}");
}
