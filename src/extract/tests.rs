//! Each extractor on small inputs: what it reads, where it points, and what
//! it does with files it cannot read.

use super::*;

fn facts(path: &str, text: &str) -> FactSet {
    let e = extract(path, text);
    assert_eq!(e.problem, None, "{path}");
    e.facts
}

#[test]
fn terraform_names_identities_by_cloud_name_and_resolves_references() {
    let f = facts(
        "iam.tf",
        r#"resource "aws_iam_user" "bot" {
  name = "deploy-bot"
  tags = { Owner = "team-a", env = "prod" }
}
resource "aws_iam_access_key" "bot" {
  user = aws_iam_user.bot.name
}
"#,
    );
    let id = &f.identities[0];
    assert_eq!((id.kind.as_str(), id.name.as_str()), ("aws_iam_user", "deploy-bot"));
    assert_eq!((id.owner.as_deref(), id.env.as_deref()), (Some("team-a"), Some("prod")));
    assert_eq!((id.location.line, id.at["owner"].line), (1, 3));
    let key = &f.credentials[0];
    assert_eq!(
        (key.kind.as_str(), key.identity.as_deref(), key.long_lived),
        ("access_key", Some("deploy-bot"), Some(true))
    );
    assert_eq!(key.location.line, 5);
}

#[test]
fn terraform_reads_jsonencode_heredoc_and_policy_documents_with_their_lines() {
    let f = facts(
        "p.tf",
        r#"resource "aws_iam_role_policy" "a" {
  role = "svc"
  policy = jsonencode({
    Statement = [{
      Effect = "Allow"
      Action = ["s3:*"]
      Resource = "*"
    }]
  })
}
resource "aws_iam_user_policy" "b" {
  user = "u"
  policy = <<EOF
{"Statement": {"Effect": "Deny",
  "Action": "iam:*", "Resource": "*"}}
EOF
}
data "aws_iam_policy_document" "c" {
  statement {
    not_actions = ["iam:*"]
    resources   = ["*"]
  }
}
"#,
    );
    let g = &f.grants;
    assert_eq!(g.len(), 3);
    assert_eq!(
        (g[0].identity.as_deref(), g[0].actions.clone(), g[0].at["actions"].line),
        (Some("svc"), vec!["s3:*".to_string()], 6)
    );
    assert_eq!((g[1].effect.as_deref(), g[1].at["actions"].line), (Some("deny"), 15));
    assert_eq!((g[2].not_actions.clone(), g[2].at["not_actions"].line), (vec!["iam:*".to_string()], 20));
}

#[test]
fn terraform_gcp_members_and_azure_scopes() {
    let f = facts(
        "g.tf",
        r#"resource "google_service_account" "sa" { account_id = "etl" }
resource "google_project_iam_member" "m" {
  project = "p"
  role    = "roles/editor"
  member  = "serviceAccount:${google_service_account.sa.email}"
}
resource "azurerm_role_assignment" "r" {
  scope                = data.azurerm_subscription.primary.id
  role_definition_name = "Owner"
  principal_id         = "x"
}
"#,
    );
    assert_eq!((f.grants[0].identity.as_deref(), f.grants[0].scope.as_deref()), (Some("etl"), Some("project")));
    assert_eq!(
        (f.grants[1].scope.as_deref(), f.grants[1].actions.clone()),
        (Some("subscription"), vec!["Owner".to_string()])
    );
}

#[test]
fn broken_files_are_reported_not_skipped_silently() {
    let tf = extract("main.tf", "resource \"aws_iam_user\" \"x\" {\n  name = \n");
    assert!(tf.problem.as_deref().is_some_and(|p| p.contains("not valid HCL")), "{:?}", tf.problem);
    let yaml = extract("k8s/sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: [\n");
    assert!(yaml.problem.as_deref().is_some_and(|p| p.contains("not valid YAML")), "{:?}", yaml.problem);
    assert!(tf.facts.is_empty() && yaml.facts.is_empty());
}

#[test]
fn cloudformation_short_form_tags_and_refs() {
    let f = facts(
        "stack.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  U:\n    Type: AWS::IAM::User\n    Properties:\n      UserName: !Sub 'ci-${Env}'\n  K:\n    Type: AWS::IAM::AccessKey\n    Properties:\n      UserName: !Ref U\n",
    );
    assert_eq!(f.identities[0].name, "ci-${Env}");
    assert_eq!((f.credentials[0].identity.as_deref(), f.credentials[0].location.line), (Some("ci-${Env}"), 7));
}

#[test]
fn kubernetes_non_resource_urls_are_named_as_such() {
    let f = facts(
        "rbac.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: probes\nrules:\n  - nonResourceURLs: [\"/healthz\", \"*\"]\n    verbs: [get]\n",
    );
    let g = &f.grants[0];
    assert_eq!(g.resources, vec!["nonResourceURL:/healthz".to_string(), "nonResourceURL:*".to_string()]);
    assert_eq!(g.at["resources"].line, 6);
}

#[test]
fn kubernetes_multi_document_workloads_and_tokens() {
    let f = facts(
        "app.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  annotations:\n    acme.io/owner: team-x\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      serviceAccountName: api\n      automountServiceAccountToken: true\n      containers: []\n",
    );
    assert_eq!((f.identities[0].owner.as_deref(), f.identities[0].location.line), (Some("team-x"), 2));
    let token = &f.credentials[0];
    assert_eq!((token.identity.as_deref(), token.attrs["automount"].as_str()), (Some("api"), "true"));
    assert_eq!(token.at["attrs.automount"].line, 16);
}

#[test]
fn github_actions_permissions_oidc_and_static_keys() {
    let f = facts(
        ".github/workflows/ci.yml",
        "on: [push]\njobs:\n  a:\n    runs-on: x\n    permissions:\n      id-token: write\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          aws-access-key-id: ${{ secrets.KEY }}\n          aws-secret-access-key: ${{ secrets.SECRET }}\n",
    );
    let wf = f.identities.iter().find(|i| i.kind == "github_workflow").unwrap_or_else(|| panic!("no workflow"));
    assert_eq!((wf.attrs["permissions"].as_str(), wf.attrs.get("oidc").map(String::as_str)), ("per-job", Some("true")));
    let keys: Vec<_> = f.credentials.iter().filter(|c| c.kind == "access_key").collect();
    assert_eq!(keys.len(), 1, "one credential per key pair");
    assert_eq!(keys[0].location.line, 10);
}

#[test]
fn gitlab_literal_secrets_but_not_references() {
    let f = facts(
        ".gitlab-ci.yml",
        "variables:\n  API_TOKEN: \"h7Kq2LmN9pXr4TvW8yZb3CdF\"\n  OTHER_TOKEN: $OTHER_TOKEN\n  REGION: eu-west-1\njob:\n  script: [make]\n",
    );
    let embedded: Vec<_> = f.credentials.iter().filter(|c| c.embedded).map(|c| c.location.line).collect();
    assert_eq!(embedded, vec![2]);
}

#[test]
fn mcp_servers_literal_env_plain_http_and_pins() {
    let f = facts(
        ".vscode/mcp.json",
        r#"{"servers": {
  "a": {"command": "npx", "args": ["-y", "pkg@1.2.3"], "env": {"API_KEY": "${input:key}"}},
  "b": {"url": "http://example.com/mcp", "headers": {"Authorization": "Bearer Zk3pQ8vN2rT6wY1xL9mB4cF7"}}
}}"#,
    );
    let a = &f.identities[0];
    assert_eq!(a.attrs["package_pinned"], "true");
    let b = &f.identities[1];
    assert_eq!(b.attrs["plain_http"], "true");
    let creds: Vec<_> = f.credentials.iter().map(|c| (c.identity.clone(), c.location.line)).collect();
    assert_eq!(creds, vec![(Some("b".to_string()), 3)]);
}

#[test]
fn agents_full_and_flat_forms() {
    let full = facts(
        "a.agent.yaml",
        "kind: Agent\nmetadata:\n  name: x\n  owner: t\nspec:\n  purpose:\n    description: ''\n  scopes: [a]\n  tools: [b]\n",
    );
    let x = &full.identities[0];
    assert_eq!(
        (x.name.as_str(), x.purpose.is_none(), x.scopes.clone()),
        ("x", true, vec!["a".to_string(), "b".to_string()])
    );
    let flat = facts(
        "b.agent.json",
        r#"{"name": "y", "purpose": {"description": "d", "allowed": ["a"]}, "delegated_by": "h"}"#,
    );
    let y = &flat.identities[0];
    assert_eq!(
        (y.delegated_by.as_deref(), y.purpose.as_ref().map(|p| p.allowed.clone())),
        (Some("h"), Some(vec!["a".to_string()]))
    );
}

#[test]
fn nhi_toml_declarations_merge_into_found_identities() {
    let declared = facts(
        "nhi.toml",
        "version = 1\n[[identity]]\nkind = \"gcp_service_account\"\nname = \"bot\"\nowner = \"team\"\n[[credential]]\nkind = \"service_account_key\"\nidentity = \"bot\"\ncreated = 2025-01-10\n",
    );
    let mut all = facts(
        "main.tf",
        "resource \"google_service_account\" \"b\" { account_id = \"bot\" }\nresource \"google_service_account_key\" \"k\" { service_account_id = google_service_account.b.name }\n",
    );
    all.extend(declared);
    inventory::merge(&mut all);
    assert_eq!(all.identities.len(), 1);
    assert_eq!((all.identities[0].owner.as_deref(), all.identities[0].declared), (Some("team"), true));
    assert_eq!(all.credentials.len(), 1);
    assert_eq!(all.credentials[0].created.map(|d| d.to_string()), Some("2025-01-10".to_string()));
}

#[test]
fn nhi_toml_typos_are_named_with_their_line() {
    let e = extract("nhi.toml", "version = 1\n[[identity]]\nkind = \"aws_iam_role\"\nname = \"r\"\nonwer = \"x\"\n");
    let problem = e.problem.unwrap_or_default();
    assert!(problem.contains("line 5: unknown key `onwer` (did you mean `owner`?)"), "{problem}");
    assert_eq!(e.facts.identities.len(), 1, "the rest of the entry is still read");
}

#[test]
fn terraform_tags_from_a_module_input_leave_the_owner_to_the_caller() {
    let f = facts(
        "main.tf",
        r#"resource "aws_iam_role" "a" {
  name = "a"
  tags = merge(var.tags, { Name = "a" })
}
resource "aws_iam_role" "b" {
  name = "b"
  tags = local.tags
}
resource "aws_iam_role" "c" {
  name = "c"
  tags = merge(var.tags, { owner = "team-c" })
}
"#,
    );
    let input = |name: &str| {
        f.identities.iter().find(|i| i.name == name).and_then(|i| i.attrs.get("owner_from_input")).cloned()
    };
    assert_eq!(input("a").as_deref(), Some("var.tags"));
    assert_eq!(input("b"), None, "a local is the module's own");
    assert_eq!(input("c"), None, "the owner is written here");
}

#[test]
fn kubernetes_bindings_and_workloads_record_their_namespace() {
    let f = facts(
        "k.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: r\n  namespace: shop\nsubjects:\n  - kind: ServiceAccount\n    name: default\nroleRef:\n  kind: Role\n  name: reader\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\nspec:\n  template:\n    spec:\n      containers: []\n",
    );
    assert_eq!(f.grants[0].attrs["subject_namespace"], "shop", "a subject's namespace defaults to the binding's");
    assert_eq!(f.credentials[0].attrs["namespace"], "", "left to deploy time");
}

#[test]
fn terraform_instances_link_and_expressions_name_by_address() {
    let f = facts(
        "main.tf",
        r#"resource "aws_iam_user" "this" {
  count = var.create ? 1 : 0
  name  = var.name
}
resource "aws_iam_access_key" "this" {
  count = var.create ? 1 : 0
  user  = aws_iam_user.this[0].name
}
data "aws_iam_policy_document" "p" {
  dynamic "statement" {
    for_each = var.statements
    content {
      actions   = ["iam:*"]
      resources = ["*"]
    }
  }
}
"#,
    );
    assert_eq!(f.identities[0].name, "aws_iam_user.this", "an expression is not a name");
    assert_eq!(f.credentials[0].identity.as_deref(), Some("aws_iam_user.this"), "an instance is the resource");
    let g = &f.grants[0];
    assert_eq!(
        (g.actions.as_slice(), g.attrs.get("dynamic").map(String::as_str)),
        (&["iam:*".to_string()][..], Some("true"))
    );
}

#[test]
fn vscode_mcp_configs_with_comments_are_read() {
    let f = facts(
        ".vscode/mcp.json",
        "{\n  // Servers for this workspace\n  \"servers\": {\n    \"github\": {\n      \"command\": \"npx\",\n      /* the token is pasted here */\n      \"env\": { \"GITHUB_TOKEN\": \"Zk3pQ8vN2rT6wY1xL9mB4cF7hJ0sD5gA\" }\n    }\n  }\n}\n",
    );
    let c = f.credentials.iter().find(|c| c.name.as_deref() == Some("GITHUB_TOKEN"));
    assert_eq!(c.map(|c| (c.embedded, c.location.line)), Some((true, 7)), "{f:?}");
}

#[test]
fn cloudformation_templates_by_content_sam_policies_and_sub_lists() {
    let json = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Deployer": {
      "Type": "AWS::IAM::Policy",
      "Properties": {
        "Roles": ["ci"],
        "PolicyDocument": {
          "Statement": [{
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": {"Fn::Sub": ["arn:aws:s3:::${Bucket}/*", {"Bucket": "site"}]}
          }]
        }
      }
    }
  }
}
"#;
    let f = facts("stacks/pipeline.template", json);
    assert_eq!(f.grants.len(), 1, "a .template file is read by its content");
    for quoted in ["src/aws_stack.c", "include/AWS.H", "docs/pipeline.md"] {
        assert!(facts(quoted, json).grants.is_empty(), "{quoted} is source or prose, not a template");
    }
    assert_eq!(f.grants[0].resources, vec!["arn:aws:s3:::${Bucket}/*".to_string()], "Fn::Sub's list form");
    let sam = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Resize:\n    Type: AWS::Serverless::Function\n    Properties:\n      Policies:\n        - AmazonS3ReadOnlyAccess\n        - S3CrudPolicy:\n            BucketName: photos\n        - Statement:\n            - Effect: Allow\n              Action: dynamodb:*\n              Resource: '*'\n";
    let f = facts("template.yaml", sam);
    let held: Vec<(&str, Vec<String>)> = f
        .grants
        .iter()
        .map(|g| {
            (
                g.identity.as_deref().unwrap_or(""),
                g.actions.iter().chain(g.attrs.get("managed_policy")).cloned().collect(),
            )
        })
        .collect();
    assert_eq!(held.len(), 2, "{held:?}");
    assert!(held.iter().all(|(who, _)| *who == "ResizeRole"), "{held:?}");
    assert!(held.iter().any(|(_, a)| a.contains(&"dynamodb:*".to_string())), "{held:?}");
}

#[test]
fn a_namespace_a_helm_template_fills_in_is_decided_at_deploy_time() {
    let f = facts(
        "chart/templates/rbac.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: r\n  namespace: {{ .Release.Namespace }}\nsubjects:\n  - kind: ServiceAccount\n    name: app\nroleRef:\n  kind: Role\n  name: reader\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\n  namespace: {{ include \"chart.namespace\" . }}\nspec:\n  template:\n    spec:\n      serviceAccountName: app\n      containers: []\n",
    );
    assert_eq!(f.grants[0].attrs["subject_namespace"], "");
    assert_eq!(f.credentials[0].attrs["namespace"], "");
}

#[test]
fn azure_custom_role_definitions_are_grants() {
    let f = facts(
        "roles.tf",
        r#"resource "azurerm_role_definition" "ops" {
  name  = "ops-everything"
  scope = data.azurerm_subscription.primary.id
  permissions {
    actions     = ["*"]
    not_actions = []
  }
}
"#,
    );
    let g = &f.grants[0];
    assert_eq!(
        (g.actions.as_slice(), g.attrs["role"].as_str(), g.at["actions[0]"].line),
        (&["*".to_string()][..], "ops-everything", 5)
    );
}

#[test]
fn a_kustomize_patch_is_not_a_workload() {
    let f = facts(
        "overlays/prod/patch.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      serviceAccountName: api-prod\n",
    );
    assert!(f.credentials.is_empty(), "{f:?}");
}

/// Every attribute the extractors write on the bundled examples and fixtures
/// is in the schema's table, so a rule can read it and `rules fields` lists it.
#[test]
fn every_recorded_attribute_is_declared() {
    use crate::facts::schema::{RecordKind, record};
    fn walk(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() { walk(&path, files) } else { files.push(path) }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["examples", "tests/fixtures", "tests/corpus"] {
        walk(&root.join(dir), &mut files);
    }
    let declared = |kind: RecordKind, key: &str| record(kind).field("attrs").is_some_and(|f| f.allows_key(key));
    let mut undeclared = std::collections::BTreeSet::new();
    let mut seen = 0;
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        let path = file.strip_prefix(root).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        if !wants(&path, text.as_bytes()) {
            continue;
        }
        let f = extract(&path, &text).facts;
        let keys = f.identities.iter().flat_map(|i| i.attrs.keys().map(|k| (RecordKind::Identity, k)));
        let keys = keys.chain(f.credentials.iter().flat_map(|c| c.attrs.keys().map(|k| (RecordKind::Credential, k))));
        let keys = keys.chain(f.grants.iter().flat_map(|g| g.attrs.keys().map(|k| (RecordKind::Grant, k))));
        for (kind, key) in keys {
            seen += 1;
            if !declared(kind, key) {
                undeclared.insert(format!("{} attrs[\"{key}\"] in {path}", record(kind).name));
            }
        }
    }
    assert!(seen > 100, "the examples record attributes ({seen} seen)");
    assert!(undeclared.is_empty(), "undeclared attributes:\n{}", undeclared.into_iter().collect::<Vec<_>>().join("\n"));
}

#[test]
fn aws_attachments_name_each_holder_and_its_kind() {
    let f = facts(
        "iam.tf",
        r#"resource "aws_iam_role" "app" {
  name = "app"
}
resource "aws_iam_policy_attachment" "many" {
  name       = "x"
  policy_arn = "arn:aws:iam::123456789012:policy/deploy"
  users      = ["alice-bot"]
  roles      = [aws_iam_role.app.name]
  groups     = null
}
resource "aws_iam_user_policy_attachment" "one" {
  user       = "reports-bot"
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
"#,
    );
    let got: Vec<(&str, &str, &str)> = f
        .grants
        .iter()
        .map(|g| {
            let policy = g.attrs.get("managed_policy").or(g.attrs.get("policy")).map_or("", String::as_str);
            (g.identity.as_deref().unwrap_or(""), g.attrs["holder_kind"].as_str(), policy)
        })
        .collect();
    assert_eq!(
        got,
        [
            ("app", "role", "arn:aws:iam::123456789012:policy/deploy"),
            ("alice-bot", "user", "arn:aws:iam::123456789012:policy/deploy"),
            ("reports-bot", "user", "ReadOnlyAccess"),
        ]
    );
}

#[test]
fn cloudformation_reads_group_policies_and_trust_written_as_json_text() {
    let f = facts(
        "t.yaml",
        r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Ops:
    Type: AWS::IAM::Group
    Properties:
      Policies:
        - PolicyName: all
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: "*"
                Resource: "*"
  Partner:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: |
        {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "210987654321"}, "Action": "sts:AssumeRole"}]}
"#,
    );
    assert!(f.identities.iter().all(|i| i.kind != "aws_iam_group"), "a group is people's, not an identity");
    assert_eq!(
        (f.grants[0].actions.as_slice(), f.grants[0].attrs["holder_kind"].as_str()),
        (&["*".to_string()][..], "group")
    );
    let partner = f.identities.iter().find(|i| i.kind == "aws_iam_role").map(|i| i.attrs["trusted"].as_str());
    assert_eq!(partner, Some("AWS:arn:aws:iam::210987654321:root"), "a bare account id is its root");
}

#[test]
fn a_broken_terraform_block_costs_that_block_not_the_file() {
    let text = "resource \"aws_iam_user\" \"bot\" {\n  name = \"bot\"\n}\n\ndata \"aws_iam_policy_document\" \"x\" {\n  statement = [{\n    principals {\n      type = \"AWS\"\n    }\n  }]\n}\n\nresource \"aws_iam_access_key\" \"k\" {\n  user = aws_iam_user.bot.name\n}\n";
    let e = extract("main.tf", text);
    let problem = e.problem.unwrap_or_default();
    assert!(problem.starts_with("not valid HCL (line 7,"), "{problem}");
    assert!(problem.ends_with("the rest of the file was read"), "{problem}");
    let key = &e.facts.credentials[0];
    assert_eq!(
        (key.identity.as_deref(), key.location.line),
        (Some("bot"), 13),
        "later blocks keep their lines and links"
    );
}

#[test]
fn a_local_module_call_makes_an_instance_with_the_callers_inputs() {
    let module = r#"variable "name" {}
variable "tags" {
  default = {}
}
variable "actions" {
  default = ["s3:GetObject"]
}
resource "aws_iam_user" "this" {
  name = var.name
  tags = var.tags
}
resource "aws_iam_user_policy" "this" {
  user = aws_iam_user.this.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }] })
}
resource "aws_iam_role" "helper" {
  name = "${var.name}-helper"
}
"#;
    let caller = r#"module "a" {
  source  = "../modules/bot"
  name    = "deploy-bot"
  tags    = { owner = "team-a" }
  actions = ["iam:*"]
}
module "b" {
  source = "../modules/bot"
  name   = "reports-bot"
}
"#;
    let mut f = facts("modules/bot/main.tf", module);
    f.extend(facts("live/main.tf", caller));
    resolve_modules(&mut f);
    let users: Vec<(&str, Option<&str>, String)> = f
        .identities
        .iter()
        .filter(|i| i.kind == "aws_iam_user")
        .map(|i| (i.name.as_str(), i.owner.as_deref(), format!("{}:{}", i.at["owner"].path, i.at["owner"].line)))
        .collect();
    assert_eq!(
        users,
        [("deploy-bot", Some("team-a"), "live/main.tf:4".into()), ("reports-bot", None, "live/main.tf:7".into())],
        "the owner is decided, and missing, at the call"
    );
    let grants: Vec<(&str, &[String], u32)> = f
        .grants
        .iter()
        .map(|g| (g.identity.as_deref().unwrap_or(""), g.actions.as_slice(), g.at["actions"].line))
        .collect();
    assert_eq!(
        grants,
        [("deploy-bot", &["iam:*".to_string()][..], 5), ("reports-bot", &["s3:GetObject".to_string()][..], 14)],
        "the caller's actions, at the caller; the default, in the module"
    );
    let roles: Vec<&str> = f.identities.iter().filter(|i| i.kind == "aws_iam_role").map(|i| i.name.as_str()).collect();
    assert_eq!(
        roles,
        ["module.a.aws_iam_role.helper", "module.b.aws_iam_role.helper"],
        "a name no input decides is the instance's address"
    );
    let deploy = f.identities.iter().find(|i| i.name == "deploy-bot").map(|i| i.attrs["address"].as_str());
    assert_eq!(deploy, Some("module.a.aws_iam_user.this"), "and a named one keeps its address alongside");
}

#[test]
fn for_each_over_known_keys_makes_one_identity_per_key() {
    let main = r#"resource "aws_iam_role" "ci" {
  for_each = toset(local.roles)
  name     = each.value
}
resource "aws_iam_role_policy" "ci" {
  for_each = toset(local.roles)
  role     = aws_iam_role.ci[each.key].name
  policy   = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
}
resource "google_service_account" "sa" {
  for_each   = { reader = "r", writer = "w" }
  account_id = "sa-${each.key}"
}
resource "aws_iam_user" "u" {
  for_each = var.unknown
  name     = each.value
}
"#;
    let mut f = facts("infra/main.tf", main);
    f.extend(facts("infra/locals.tf", "locals {\n  roles = [\"deployer\", \"auditor\"]\n}\n"));
    resolve_modules(&mut f);
    let mut names: Vec<&str> = f.identities.iter().map(|i| i.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "auditor",
            "aws_iam_user.u",
            "deployer",
            "google_service_account.sa[\"reader\"]",
            "google_service_account.sa[\"writer\"]"
        ],
        "a local's keys (in another file) and a literal map's; unknown keys leave the address"
    );
    let deployer = f.identities.iter().find(|i| i.name == "deployer").map(|i| i.attrs["address"].as_str());
    assert_eq!(deployer, Some("aws_iam_role.ci[\"deployer\"]"));
    let mut holders: Vec<&str> = f.grants.iter().filter_map(|g| g.identity.as_deref()).collect();
    holders.sort_unstable();
    assert_eq!(holders, ["auditor", "deployer"], "each instance's grants");
}

#[test]
fn references_link_across_the_files_of_a_module() {
    let files = [
        (
            "iam/users.tf",
            "resource \"aws_iam_user\" \"bot\" {\n  name = \"deploy-bot\"\n}\nresource \"google_service_account\" \"etl\" {\n  account_id = \"etl-runner\"\n}\n",
        ),
        (
            "iam/policy.tf",
            "resource \"aws_iam_policy\" \"admin\" {\n  name   = \"admin\"\n  policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }] })\n}\n",
        ),
        (
            "iam/attach.tf",
            "resource \"aws_iam_user_policy_attachment\" \"bot\" {\n  user       = aws_iam_user.bot.name\n  policy_arn = aws_iam_policy.admin.arn\n}\nresource \"aws_iam_access_key\" \"bot\" {\n  user = aws_iam_user.bot.name\n}\nresource \"google_project_iam_member\" \"etl\" {\n  project = \"p\"\n  role    = \"roles/editor\"\n  member  = \"serviceAccount:${google_service_account.etl.email}\"\n}\n",
        ),
        // Another module: its `aws_iam_user.bot` is not this one.
        ("other/attach.tf", "resource \"aws_iam_access_key\" \"bot\" {\n  user = aws_iam_user.bot.name\n}\n"),
    ];
    let mut f = FactSet::default();
    for (path, text) in files {
        f.extend(facts(path, text));
    }
    resolve_modules(&mut f);
    let holders: Vec<(&str, &str)> =
        f.grants.iter().map(|g| (g.location.path.as_str(), g.identity.as_deref().unwrap_or(""))).collect();
    assert!(
        holders.contains(&("iam/policy.tf", "deploy-bot")),
        "the policy's statements go to the user it is attached to: {holders:?}"
    );
    assert!(holders.contains(&("iam/attach.tf", "etl-runner")), "a member's service account links: {holders:?}");
    let keys: Vec<(&str, &str)> =
        f.credentials.iter().map(|c| (c.location.path.as_str(), c.identity.as_deref().unwrap_or(""))).collect();
    assert_eq!(keys, [("iam/attach.tf", "deploy-bot"), ("other/attach.tf", "aws_iam_user.bot.name")]);
}

#[test]
fn a_trust_policy_document_is_read_with_its_role_not_as_a_grant() {
    let f = facts(
        "oidc.tf",
        r#"data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:acme/site:*", var.extra_subject]
    }
  }
}
resource "aws_iam_role" "gha" {
  name               = "gha"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"#,
    );
    assert!(f.grants.is_empty(), "who may assume a role is not what it may do: {:?}", f.grants);
    let role = &f.identities[0];
    assert_eq!(
        (role.attrs["trusted"].as_str(), role.attrs["trust_subjects"].as_str()),
        ("Federated:arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", "repo:acme/site:*"),
        "a value written as an expression is unknown, not its name"
    );
}

#[test]
fn a_call_does_not_decide_what_count_or_its_own_inputs_leave_open() {
    let module = r#"variable "create_key" {
  default = false
}
variable "tags" {
  default = {}
}
resource "aws_iam_user" "this" {
  name = "ci-bot"
  tags = var.tags
}
resource "aws_iam_access_key" "this" {
  count = var.create_key ? 1 : 0
  user  = aws_iam_user.this.name
}
"#;
    let caller = r#"variable "tags" {}
module "a" {
  source = "./modules/user"
  tags   = merge(var.tags, { team = "x" })
}
module "many" {
  for_each = toset(["p", "q"])
  source   = "./modules/user"
}
"#;
    let mut f = facts("modules/user/main.tf", module);
    f.extend(facts("main.tf", caller));
    resolve_modules(&mut f);
    assert_eq!(f.credentials.len(), 1, "a key behind `count` is judged once, in the module: {:?}", f.credentials);
    let users: Vec<(&str, Option<&str>)> = f
        .identities
        .iter()
        .map(|i| {
            (i.attrs.get("module").map_or("", String::as_str), i.attrs.get("owner_from_input").map(String::as_str))
        })
        .collect();
    assert_eq!(
        users,
        [("module.a", Some("var.tags"))],
        "tags the call takes from its own input leave the owner open; a repeated call makes no instance here"
    );
}

#[test]
fn a_gitlab_job_with_an_id_token_logs_in_as_the_role_its_variables_name() {
    let f = facts(
        ".gitlab-ci.yml",
        "deploy:\n  id_tokens:\n    AWS_TOKEN:\n      aud: sts.amazonaws.com\n  variables:\n    ROLE_ARN: arn:aws:iam::123456789012:role/gitlab-deploy\n    REGION: eu-west-1\n  script: [./deploy.sh]\nbuild:\n  variables:\n    ROLE_ARN: arn:aws:iam::123456789012:role/unused\n  script: [make]\n",
    );
    let assumes: Vec<(&str, Option<&str>)> =
        f.identities.iter().map(|i| (i.name.as_str(), i.attrs.get("assumes").map(String::as_str))).collect();
    assert_eq!(
        assumes,
        [
            (".gitlab-ci.yml/deploy", Some("arn:aws:iam::123456789012:role/gitlab-deploy")),
            (".gitlab-ci.yml/build", None)
        ],
        "only a job that requests an ID token logs in with it"
    );
}

#[test]
fn every_format_reads_its_example_as_the_whole_registry_would() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for e in REGISTRY {
        let about = e.about();
        let text =
            std::fs::read_to_string(root.join(about.example)).unwrap_or_else(|err| panic!("{}: {err}", about.example));
        assert!(
            e.wants(about.example, text.as_bytes()),
            "`{}` does not want its example {}",
            about.source,
            about.example
        );
        let alone = extract_with(&[*e], about.example, &text);
        assert_eq!(alone.problem, None, "`{}` on {}", about.source, about.example);
        assert!(
            !alone.facts.is_empty() || !alone.facts.modules.is_empty(),
            "`{}` read no facts from {}",
            about.source,
            about.example
        );
        // No format earlier in the registry takes the example from it.
        let all = extract(about.example, &text);
        assert_eq!(format!("{:?}", all.facts), format!("{:?}", alone.facts), "`{}` on {}", about.source, about.example);
    }
}
