//! GitLab CI: variables that hold literal secrets, static cloud keys in
//! variables where `id_tokens` (OIDC) would do, and jobs' `id_tokens`.

use crate::facts::{Credential, FactSet, Identity};
use crate::syntax::tree::Node;

use super::{literal_secret, loc};

/// Keys at the top of a pipeline that are not jobs.
const GLOBAL_KEYS: &[&str] = &[
    "stages",
    "variables",
    "default",
    "include",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

pub(super) struct Pipelines;

impl super::Extractor for Pipelines {
    fn about(&self) -> super::About {
        super::About {
            source: "GitLab CI",
            reads: "literal secrets in variables, static cloud keys, `id_tokens` and the role a job with one logs in as",
            example: "examples/gitlab-ci/.gitlab-ci.yml",
        }
    }

    fn wants(&self, path: &str, _text: &[u8]) -> bool {
        self.owns_path(path)
    }

    fn owns_path(&self, path: &str) -> bool {
        let name = super::file_name(path);
        name == ".gitlab-ci.yml" || name.ends_with(".gitlab-ci.yml") || name == ".gitlab-ci.yaml"
    }

    fn read_document(&self, path: &str, doc: &Node, facts: &mut FactSet) {
        extract(path, doc, facts);
    }
}

fn extract(path: &str, doc: &Node, facts: &mut FactSet) {
    let pipeline = path.to_string();
    let before = facts.credentials.len();
    variables(path, doc.get("variables"), &pipeline, facts);
    // Pipeline-level variables reach every job.
    for c in &mut facts.credentials[before..] {
        c.attrs.insert("level".into(), "pipeline".into());
    }
    for (key, job) in doc.entries() {
        if GLOBAL_KEYS.contains(&key.text.as_str()) || key.text.starts_with('.') && job.get("script").is_none() {
            continue;
        }
        if job.get("script").is_none() && job.get("trigger").is_none() && job.get("extends").is_none() {
            continue;
        }
        let name = format!("{}/{}", path.rsplit('/').next().unwrap_or(path), key.text);
        let mut id = Identity {
            kind: "gitlab_job".into(),
            name: name.clone(),
            provider: Some("gitlab".into()),
            discovered: true,
            location: loc(path, key.pos),
            ..Default::default()
        };
        if let Some((k, tokens)) = job.entry("id_tokens") {
            id.attrs.insert("oidc".into(), "true".into());
            id.scopes = tokens.entries().iter().map(|(t, _)| format!("id_token:{}", t.text)).collect();
            id.at.insert("scopes".into(), loc(path, k.pos));
            // A job with an ID token logs in as the cloud identity its
            // variables name: an AWS role ARN, a GCP service account.
            let vars = job.get("variables").map(Node::entries).unwrap_or_default();
            let mut assumes = Vec::new();
            for (var, value) in vars {
                let Some(v) = value.str().filter(|v| is_cloud_identity(v)) else { continue };
                assumes.push(v.to_string());
                for field in ["attrs.assumes", "assumes"] {
                    id.at.entry(field.into()).or_insert_with(|| loc(path, var.pos));
                }
            }
            if !assumes.is_empty() {
                id.attrs.insert("assumes".into(), assumes.join(","));
            }
        }
        if let Some(env) = job.get("environment") {
            let e = env.str().or_else(|| env.get("name").and_then(Node::str)).unwrap_or("");
            id.env = Some(e.to_ascii_lowercase()).filter(|e| !e.is_empty());
        }
        facts.identities.push(id);
        variables(path, job.get("variables"), &name, facts);
    }
}

/// Variables: a static cloud key (even a `$REFERENCE` to a CI/CD variable
/// is a stored long-lived key), or any literal secret.
/// An AWS role ARN or a GCP service account's email.
fn is_cloud_identity(value: &str) -> bool {
    value.starts_with("arn:aws") && value.contains(":role/") || value.ends_with(".iam.gserviceaccount.com")
}

fn variables(path: &str, vars: Option<&Node>, holder: &str, facts: &mut FactSet) {
    let Some(vars) = vars else { return };
    let mut providers: Vec<&str> = Vec::new();
    for (k, v) in vars.entries() {
        // `NAME: {value: ..., description: ...}` is the long form.
        let value = v.str().or_else(|| v.get("value").and_then(Node::str)).unwrap_or("");
        if let Some((provider, kind)) = super::static_cloud_key(&k.text, false) {
            if !providers.contains(&provider) {
                providers.push(provider);
                let mut c = credential(path, k, kind, provider, holder);
                c.long_lived = Some(true);
                c.attrs.insert("from".into(), if value.starts_with('$') { "variable" } else { "literal" }.into());
                c.embedded = !value.starts_with('$') && literal_secret(&k.text, value);
                if c.embedded {
                    facts.literals.0.push(value.to_string());
                }
                facts.credentials.push(c);
            }
            continue;
        }
        if literal_secret(&k.text, value) {
            facts.literals.0.push(value.to_string());
            let mut c = credential(path, k, "token", "gitlab", holder);
            c.embedded = true;
            c.attrs.insert("from".into(), "literal".into());
            facts.credentials.push(c);
        }
    }
}

fn credential(path: &str, k: &crate::syntax::tree::Key, kind: &str, provider: &str, holder: &str) -> Credential {
    let mut c = Credential {
        kind: kind.into(),
        name: Some(k.text.clone()),
        identity: Some(holder.to_string()),
        provider: Some(provider.into()),
        location: loc(path, k.pos),
        ..Default::default()
    };
    c.attrs.insert("source".into(), "ci".into());
    c.attrs.insert("ci".into(), "gitlab".into());
    c
}
