//! GitHub Actions workflows: the workflow's token permissions (and their
//! absence), OIDC, cloud credentials passed from secrets, risky triggers,
//! `secrets: inherit`, and secrets handed to actions not pinned by SHA.

use crate::facts::{Credential, FactSet, Identity};
use crate::syntax::tree::{Key, Node};

use super::loc;

pub(super) struct Workflows;

impl super::Extractor for Workflows {
    fn about(&self) -> super::About {
        super::About {
            source: "GitHub Actions",
            reads: "workflow and job `permissions`, OIDC, the cloud role a workflow logs in as (linked to the role when it is defined here), cloud keys from secrets, `pull_request_target` checkouts, `secrets: inherit`, secrets handed to unpinned actions",
            example: "examples/github-actions/.github/workflows/release.yml",
        }
    }

    fn wants(&self, path: &str, _text: &[u8]) -> bool {
        self.owns_path(path)
    }

    fn owns_path(&self, path: &str) -> bool {
        path.contains(".github/workflows/") && matches!(crate::syntax::format_of(path), crate::syntax::Format::Yaml)
    }

    fn read_document(&self, path: &str, doc: &Node, facts: &mut FactSet) {
        extract(path, doc, facts);
    }
}

fn extract(path: &str, doc: &Node, facts: &mut FactSet) {
    let Some(jobs) = doc.get("jobs") else { return };
    let stem = path.rsplit('/').next().unwrap_or(path);
    let name = doc.get("name").and_then(Node::str).unwrap_or(stem).to_string();
    let first = doc.entries().first().map(|(k, _)| loc(path, k.pos)).unwrap_or_else(|| loc(path, doc.pos));
    let mut wf = Identity {
        kind: "github_workflow".into(),
        name: stem.to_string(),
        provider: Some("github".into()),
        discovered: true,
        location: first,
        ..Default::default()
    };
    wf.attrs.insert("title".into(), name);
    let triggers = triggers(doc.get("on").or_else(|| doc.get("true")));
    wf.attrs.insert("on".into(), triggers.join(","));
    let top = doc.entry("permissions");
    match top {
        Some((k, v)) => {
            wf.scopes = permissions(v);
            wf.at.insert("scopes".into(), loc(path, k.pos));
            super::item_locations(&mut wf.at, path, "scopes", 0, permission_positions(v));
            wf.attrs.insert("permissions".into(), "set".into());
        }
        None => {
            // Without a top-level block, every job needs its own.
            let all_jobs = jobs.entries().iter().all(|(_, j)| j.get("permissions").is_some());
            wf.attrs.insert("permissions".into(), if all_jobs { "per-job" } else { "unset" }.into());
        }
    }
    static_keys(path, doc.get("env"), &wf.name, facts);
    let mut oidc = wf.scopes.iter().any(|s| s == "id-token:write" || s == "write-all");
    // Triggers that run in the base repository's context for anyone's pull request.
    let for_others = triggers.iter().any(|t| t == "pull_request_target" || t == "workflow_run");
    let mut runs_pr_code = false;
    let mut assumes: Vec<String> = Vec::new();
    for (job_key, job) in jobs.entries() {
        let job_name = format!("{stem}/{}", job_key.text);
        if let Some((k, v)) = job.entry("permissions") {
            let mut j = Identity {
                kind: "github_job".into(),
                name: job_name.clone(),
                provider: Some("github".into()),
                discovered: true,
                scopes: permissions(v),
                location: loc(path, job_key.pos),
                ..Default::default()
            };
            j.at.insert("scopes".into(), loc(path, k.pos));
            super::item_locations(&mut j.at, path, "scopes", 0, permission_positions(v));
            oidc |= j.scopes.iter().any(|s| s == "id-token:write" || s == "write-all");
            facts.identities.push(j);
        }
        if let Some((k, v)) = job.entry("secrets")
            && v.str() == Some("inherit")
        {
            wf.attrs.insert("secrets_inherit".into(), job.get("uses").and_then(Node::str).unwrap_or("").to_string());
            wf.at.insert("attrs.secrets_inherit".into(), loc(path, k.pos));
        }
        static_keys(path, job.get("env"), &wf.name, facts);
        for step in job.get("steps").map(Node::items).unwrap_or_default() {
            static_keys(path, step.get("env"), &wf.name, facts);
            let uses = step.get("uses").and_then(Node::str).unwrap_or("");
            static_keys(path, step.get("with").filter(|_| !uses.is_empty()), &wf.name, facts);
            if uses.starts_with("actions/checkout")
                && for_others
                && let Some((k, r)) = step.get("with").and_then(|w| w.entry("ref"))
                && r.str().is_some_and(|r| {
                    r.contains("github.event.pull_request.head")
                        || r.contains("github.event.workflow_run.head")
                        || r.contains("head_ref")
                        || r.contains("refs/pull/")
                })
            {
                wf.attrs.insert("untrusted_checkout".into(), r.str().unwrap_or("").to_string());
                wf.at.insert("attrs.untrusted_checkout".into(), loc(path, k.pos));
                runs_pr_code = true;
            }
            // A workflow_run that downloads the triggering run's artifacts
            // handles what the pull request built.
            runs_pr_code |=
                uses.starts_with("actions/download-artifact") && triggers.iter().any(|t| t == "workflow_run");
            if let Some((k, role)) = cloud_login(step, uses) {
                assumes.push(role.to_string());
                // Both the attribute and the relation that follows it.
                for field in ["attrs.assumes", "assumes"] {
                    wf.at.entry(field.into()).or_insert_with(|| loc(path, k.pos));
                }
            }
            if let Some(c) = secrets_to_unpinned_action(path, step, uses, &wf.name) {
                facts.credentials.push(c);
            }
        }
    }
    if oidc {
        wf.attrs.insert("oidc".into(), "true".into());
    }
    if !assumes.is_empty() {
        wf.attrs.insert("assumes".into(), assumes.join(","));
    }
    if for_others {
        wf.attrs.insert("runs_pr_code".into(), runs_pr_code.to_string());
    }
    facts.identities.push(wf);
}

/// The cloud identity a login step takes on: an AWS role, a GCP service
/// account (or the workload identity provider, when no account is named), an
/// Azure client id; with the key it is written at.
fn cloud_login<'n>(step: &'n Node, uses: &str) -> Option<(&'n crate::syntax::tree::Key, &'n str)> {
    let keys: &[&str] = if uses.starts_with("aws-actions/configure-aws-credentials") {
        &["role-to-assume"]
    } else if uses.starts_with("google-github-actions/auth") {
        &["service_account", "workload_identity_provider"]
    } else if uses.starts_with("azure/login") || uses.starts_with("Azure/login") {
        &["client-id"]
    } else {
        return None;
    };
    let with = step.get("with")?;
    keys.iter().find_map(|k| with.entry(k)).and_then(|(k, v)| Some((k, v.str()?)))
}

/// Event names a workflow runs on.
fn triggers(on: Option<&Node>) -> Vec<String> {
    match on {
        Some(n) if n.str().is_some() => vec![n.str().unwrap_or("").to_string()],
        Some(n) if !n.items().is_empty() => n.strings().into_iter().map(str::to_string).collect(),
        Some(n) => n.entries().iter().map(|(k, _)| k.text.clone()).collect(),
        None => Vec::new(),
    }
}

/// A `permissions` value as scopes: `contents:write`, or `write-all`.
fn permissions(v: &Node) -> Vec<String> {
    match v.str() {
        Some(s) => vec![s.to_string()],
        None => v.entries().iter().map(|(k, v)| format!("{}:{}", k.text, v.str().unwrap_or(""))).collect(),
    }
}

/// Where each of `permissions(v)` is written.
fn permission_positions(v: &Node) -> Vec<crate::syntax::Pos> {
    match v.str() {
        Some(_) => vec![v.pos],
        None => v.entries().iter().map(|(k, _)| k.pos).collect(),
    }
}

/// Static cloud keys in an `env` or `with` map that come from secrets: one
/// credential per provider, at the first key's line.
fn static_keys(path: &str, map: Option<&Node>, workflow: &str, facts: &mut FactSet) {
    let Some(map) = map else { return };
    let mut seen: Vec<&str> = Vec::new();
    for (k, v) in map.entries() {
        let Some((provider, kind)) = super::static_cloud_key(&k.text, true) else { continue };
        let Some(value) = v.str() else { continue };
        if seen.contains(&provider) || !value.contains("secrets.") {
            continue;
        }
        seen.push(provider);
        facts.credentials.push(ci_key(path, k, kind, provider, workflow));
    }
}

fn ci_key(path: &str, k: &Key, kind: &str, provider: &str, workflow: &str) -> Credential {
    let mut c = Credential {
        kind: kind.into(),
        name: Some(k.text.clone()),
        identity: Some(workflow.to_string()),
        provider: Some(provider.into()),
        long_lived: Some(true),
        location: loc(path, k.pos),
        ..Default::default()
    };
    c.attrs.insert("source".into(), "ci".into());
    c.attrs.insert("ci".into(), "github".into());
    c.attrs.insert("from".into(), "secret".into());
    c
}

/// A step that hands secrets to a third-party action referenced by a tag
/// or branch rather than a commit SHA: whoever moves the tag gets them.
fn secrets_to_unpinned_action(path: &str, step: &Node, uses: &str, workflow: &str) -> Option<Credential> {
    let (action, version) = uses.split_once('@')?;
    let owner = action.split('/').next().unwrap_or("");
    if uses.starts_with("./") || uses.starts_with("docker://") || matches!(owner, "actions" | "github") {
        return None;
    }
    let pinned = version.len() == 40 && version.chars().all(|c| c.is_ascii_hexdigit());
    let with = step.get("with").map(Node::entries).unwrap_or_default();
    let env = step.get("env").map(Node::entries).unwrap_or_default();
    let (k, _) = with.iter().chain(env).find(|(_, v)| v.str().is_some_and(|s| s.contains("secrets.")))?;
    let mut c = Credential {
        kind: "token".into(),
        name: Some(k.text.clone()),
        identity: Some(workflow.to_string()),
        provider: Some("github".into()),
        location: loc(path, k.pos),
        ..Default::default()
    };
    c.attrs.insert("source".into(), "ci".into());
    c.attrs.insert("ci".into(), "github".into());
    c.attrs.insert("from".into(), "secret".into());
    c.attrs.insert("passed_to".into(), action.to_string());
    c.attrs.insert("action_pinned".into(), pinned.to_string());
    let uses_at = step.entry("uses").map(|(k, _)| loc(path, k.pos)).unwrap_or_default();
    c.at.insert("attrs.action_pinned".into(), uses_at);
    Some(c)
}
