//! Extractors: from one unit's text to located identity, credential and grant
//! facts. One file per format; each reads the format's own structure (the
//! `syntax` trees keep positions), never a line search.
//!
//! Extractors never see rules, and they do not judge: they record what the
//! files say (a permission, a key, a missing setting) and leave the verdict
//! to the packs. A file that does not parse yields no facts and a problem
//! with the reason; the rest of the scan goes on.

mod agents;
mod cloudformation;
mod github_actions;
mod gitlab_ci;
mod helm;
pub mod inventory;
mod kubernetes;
mod mcp;
mod policy;
mod terraform;

use std::collections::BTreeMap;

use crate::facts::{FactSet, Location};
use crate::syntax::tree::Node;
use crate::syntax::{self, Pos};

/// What needs every file of a Terraform module read first: variable
/// defaults, locals and provider default tags, applied to the module's facts.
pub fn resolve_modules(facts: &mut FactSet) {
    let modules = std::mem::take(&mut facts.modules);
    helm::resolve(facts, &modules);
    terraform::resolve(facts, &modules);
}

/// The facts of one unit, and why it could not be read if it could not.
#[derive(Debug, Default)]
pub struct Extraction {
    pub facts: FactSet,
    pub problem: Option<String>,
}

/// What a unit is, for the extractors: decided by its path, and for YAML and
/// JSON also by what each document declares.
fn is_workflow(path: &str) -> bool {
    path.contains(".github/workflows/") && matches!(syntax::format_of(path), syntax::Format::Yaml)
}

fn file_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase()
}

fn is_gitlab_ci(path: &str) -> bool {
    let name = file_name(path);
    name == ".gitlab-ci.yml" || name.ends_with(".gitlab-ci.yml") || name == ".gitlab-ci.yaml"
}

fn is_mcp_config(path: &str) -> bool {
    let name = file_name(path);
    matches!(name.as_str(), "mcp.json" | ".mcp.json" | "claude_desktop_config.json" | "mcp_config.json")
        || path.ends_with(".cursor/mcp.json")
        || path.ends_with(".vscode/mcp.json")
}

fn is_agent_manifest(path: &str) -> bool {
    let name = file_name(path);
    name.ends_with(".agent.yaml") || name.ends_with(".agent.yml") || name.ends_with(".agent.json")
}

/// Text that is a CloudFormation template whatever its name: a JSON object
/// that declares one, or YAML with the template's keys at the top level
/// (documentation that quotes a template is not).
fn is_cloudformation_text(path: &str, text: &[u8]) -> bool {
    let prose = [".md", ".markdown", ".rst", ".adoc", ".txt", ".html", ".htm"].iter().any(|e| path.ends_with(e));
    if prose {
        return false;
    }
    let json = text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
        && (contains(text, b"\"AWSTemplateFormatVersion\"") || contains(text, b"\"AWS::"));
    let yaml = text
        .split(|&b| b == b'\n')
        .any(|l| l.starts_with(b"AWSTemplateFormatVersion:") || l.starts_with(b"Resources:"))
        && contains(text, b"AWS::");
    json || yaml
}

/// Whether the extractors read this path at all: cheap, by name and a few
/// literals, so that the scanner does not parse every YAML file.
pub fn wants(path: &str, text: &[u8]) -> bool {
    match syntax::format_of(path) {
        syntax::Format::Hcl => path.ends_with(".tf"),
        syntax::Format::Toml => file_name(path) == "nhi.toml",
        syntax::Format::Yaml | syntax::Format::Json => {
            is_workflow(path)
                || is_gitlab_ci(path)
                || helm::is_values(path)
                || is_mcp_config(path)
                || is_agent_manifest(path)
                || contains(text, b"apiVersion") && contains(text, b"kind")
                || contains(text, b"AWSTemplateFormatVersion")
                || contains(text, b"AWS::IAM::")
                || contains(text, b"AWS::Serverless::")
                || contains(text, b"AWS::SecretsManager::")
                || contains(text, b"mcpServers")
                || contains(text, b"\"Statement\"") && contains(text, b"\"Version\"")
        }
        syntax::Format::Text => is_cloudformation_text(path, text),
        _ => false,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The facts in one unit.
pub fn extract(path: &str, text: &str) -> Extraction {
    match syntax::format_of(path) {
        syntax::Format::Hcl if path.ends_with(".tf") => match syntax::hcl::parse(text) {
            Ok(body) => Extraction { facts: terraform::extract(path, &body, text), problem: None },
            // One broken block costs that block, not the file.
            Err(e) => match syntax::hcl::parse_skipping_broken_blocks(text) {
                Some((body, broken)) => {
                    let skipped: Vec<String> = broken.iter().map(|b| format!("{b}")).collect();
                    Extraction {
                        facts: terraform::extract(path, &body, text),
                        problem: Some(format!("not valid HCL ({}); the rest of the file was read", skipped.join("; "))),
                    }
                }
                None => Extraction {
                    facts: FactSet::default(),
                    problem: Some(format!("not valid HCL ({e}); no facts read")),
                },
            },
        },
        syntax::Format::Toml if file_name(path) == "nhi.toml" => inventory::extract(path, text),
        syntax::Format::Yaml | syntax::Format::Json => {
            // A Helm template is read as its YAML skeleton.
            let skeleton = syntax::helm::is_template(path, text).then(|| syntax::helm::skeleton(text));
            let text = skeleton.as_deref().unwrap_or(text);
            let docs = match syntax::tree::parse_as(syntax::format_of(path), text) {
                Ok(d) => d,
                Err(e) => {
                    let what = if syntax::format_of(path) == syntax::Format::Json { "JSON" } else { "YAML" };
                    return Extraction {
                        facts: FactSet::default(),
                        problem: Some(format!("not valid {what} ({e}); no facts read")),
                    };
                }
            };
            let mut facts = FactSet::default();
            extract_documents(path, &docs, &mut facts);
            // A chart's labels and annotations come from its values at
            // install: an owner missing from the template may be set there.
            if skeleton.is_some() {
                for i in facts.identities.iter_mut().filter(|i| i.owner.is_none()) {
                    i.attrs.insert("owner_from_input".into(), ".Values".into());
                }
            }
            Extraction { facts, problem: None }
        }
        // A CloudFormation template named `.template` (or anything else):
        // known by what it declares, read as the YAML or JSON it is.
        syntax::Format::Text if is_cloudformation_text(path, text.as_bytes()) => match syntax::tree::parse(text) {
            Ok(docs) => {
                let mut facts = FactSet::default();
                for d in docs.iter().filter(|d| cloudformation::is_template(d)) {
                    cloudformation::extract(path, d, &mut facts);
                }
                Extraction { facts, problem: None }
            }
            Err(e) => Extraction {
                facts: FactSet::default(),
                problem: Some(format!("a CloudFormation template that is not valid YAML or JSON ({e}); no facts read")),
            },
        },
        _ => Extraction::default(),
    }
}

/// The facts in a YAML or JSON unit's documents, by what the path and each
/// document say they are.
fn extract_documents(path: &str, docs: &[Node], facts: &mut FactSet) {
    if helm::is_values(path) {
        docs.iter().for_each(|d| helm::values(path, d, facts));
    } else if is_workflow(path) {
        docs.iter().for_each(|d| github_actions::extract(path, d, facts));
    } else if is_gitlab_ci(path) {
        docs.iter().for_each(|d| gitlab_ci::extract(path, d, facts));
    } else if is_mcp_config(path) {
        docs.iter().for_each(|d| mcp::extract(path, d, facts));
    } else {
        for d in docs {
            if d.get("mcpServers").is_some() {
                mcp::extract(path, d, facts);
            } else if policy::is_document(d) {
                let name = path.rsplit('/').next().unwrap_or(path);
                let mut attrs = BTreeMap::new();
                attrs.insert("policy".to_string(), name.to_string());
                facts.grants.extend(policy::grants(path, d, None, &attrs));
            } else if agents::is_agent(path, d) {
                agents::extract(path, d, facts);
            } else if cloudformation::is_template(d) {
                cloudformation::extract(path, d, facts);
            } else if kubernetes::is_manifest(d) {
                kubernetes::extract(path, d, facts);
            }
        }
    }
}

pub(crate) fn loc(path: &str, pos: Pos) -> Location {
    Location { path: path.to_string(), line: pos.line.max(1), column: pos.col.max(1), ..Default::default() }
}

/// Record where each item of a list field is written, as `field[i]` from
/// index `first`: a finding about one item (a scope, an action) points at it.
pub(crate) fn item_locations(
    at: &mut std::collections::BTreeMap<String, Location>,
    path: &str,
    field: &str,
    first: usize,
    positions: impl IntoIterator<Item = Pos>,
) {
    for (i, pos) in positions.into_iter().enumerate() {
        at.insert(format!("{field}[{}]", first + i), loc(path, pos));
    }
}

/// Where the owner of something is recorded: an `owner` key (any case), or
/// an annotation whose name ends in `/owner`.
pub(crate) fn owner_of(tags: &BTreeMap<String, String>) -> Option<String> {
    tags.iter()
        .find(|(k, v)| {
            let k = k.to_ascii_lowercase();
            (k == "owner" || k.ends_with("/owner") || k == "owner-team" || k == "team-owner") && !v.trim().is_empty()
        })
        .map(|(_, v)| v.trim().to_string())
}

/// The environment a tag names: `env`, `environment`, `stage`.
pub(crate) fn env_of(tags: &BTreeMap<String, String>) -> Option<String> {
    tags.iter()
        .find(|(k, _)| matches!(k.to_ascii_lowercase().as_str(), "env" | "environment" | "stage" | "tier"))
        .map(|(_, v)| v.to_ascii_lowercase())
}

/// A YAML/JSON map of scalars as a string map (tags, labels, annotations).
pub(crate) fn string_map(node: Option<&Node>) -> BTreeMap<String, String> {
    node.map(|n| n.entries().iter().filter_map(|(k, v)| v.str().map(|s| (k.text.clone(), s.to_string()))).collect())
        .unwrap_or_default()
}

/// Environment variables (upper case) and GitHub action inputs (lower case)
/// that carry a static cloud key, with the provider and the credential kind.
const STATIC_CLOUD_KEYS: &[(&str, &str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "aws", "access_key"),
    ("aws-access-key-id", "aws", "access_key"),
    ("AWS_SECRET_ACCESS_KEY", "aws", "access_key"),
    ("aws-secret-access-key", "aws", "access_key"),
    ("GOOGLE_CREDENTIALS", "gcp", "service_account_key"),
    ("GOOGLE_APPLICATION_CREDENTIALS_JSON", "gcp", "service_account_key"),
    ("GCP_SA_KEY", "gcp", "service_account_key"),
    ("credentials_json", "gcp", "service_account_key"),
    ("ARM_CLIENT_SECRET", "azure", "client_secret"),
    ("AZURE_CLIENT_SECRET", "azure", "client_secret"),
    ("creds", "azure", "client_secret"),
];

pub(crate) fn static_cloud_key(name: &str, action_inputs: bool) -> Option<(&'static str, &'static str)> {
    STATIC_CLOUD_KEYS
        .iter()
        .filter(|(n, _, _)| action_inputs || !n.contains(|c: char| c.is_ascii_lowercase()))
        .find(|(n, _, _)| *n == name)
        .map(|&(_, provider, kind)| (provider, kind))
}

/// A value under a secret-like name (`token`, `api_key`, `password`) that
/// is a literal credential, not a reference, placeholder or identifier.
pub(crate) fn literal_secret(name: &str, value: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('-', "_");
    let secret_name = [
        "token",
        "secret",
        "password",
        "passwd",
        "api_key",
        "apikey",
        "access_key",
        "private_key",
        "credential",
        "auth",
    ]
    .iter()
    .any(|w| n.contains(w))
        || n.ends_with("_key")
        || n == "key";
    secret_name && crate::detect::assign::implausible(value, crate::detect::assign::Context::Config).is_none()
}

#[cfg(test)]
mod tests;
