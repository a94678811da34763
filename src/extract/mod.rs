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
pub(crate) mod inventory;
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
pub(crate) fn resolve_modules(facts: &mut FactSet) {
    let modules = std::mem::take(&mut facts.modules);
    helm::resolve(facts, &modules);
    terraform::resolve(facts, &modules);
}

/// The facts of one unit, and why it could not be read if it could not.
#[derive(Debug, Default)]
pub(crate) struct Extraction {
    pub facts: FactSet,
    pub problem: Option<String>,
}

/// One format the extractors read. Adding a format is one file that
/// implements this and one line in [`REGISTRY`]: the scanner, the fuzz
/// target, the README's table and the example test all go through it.
pub(crate) trait Extractor: Sync {
    /// What the format is, for people and for the tests.
    fn about(&self) -> About;
    /// Whether a unit may be of this format: cheap, by path and a few
    /// literals, so that the scanner does not parse every YAML file.
    fn wants(&self, path: &str, text: &[u8]) -> bool;
    /// A format with a syntax of its own (HCL, TOML, a template named
    /// anything): the unit's facts, or `None` where it is not one.
    fn read_text(&self, _path: &str, _text: &str) -> Option<Extraction> {
        None
    }
    /// A format of YAML or JSON documents: whether the path alone makes
    /// every document of the unit this format (a workflow, a chart's values).
    fn owns_path(&self, _path: &str) -> bool {
        false
    }
    /// Whether one document of a unit no format owns by its path is of
    /// this format.
    fn claims(&self, _path: &str, _doc: &Node) -> bool {
        false
    }
    /// The facts of one document of this format.
    fn read_document(&self, _path: &str, _doc: &Node, _facts: &mut FactSet) {}
}

/// A format, as the README's table and the tests see it.
pub(crate) struct About {
    /// The table's first column.
    pub source: &'static str,
    /// What it reads: the table's second column.
    pub reads: &'static str,
    /// A file under `examples/` that it reads into facts, which a test
    /// checks and the fuzz target reads its input as.
    pub example: &'static str,
}

/// Every format, in the order they claim a YAML or JSON document: the first
/// that claims it reads it, so more specific formats come first.
pub(crate) static REGISTRY: &[&dyn Extractor] = &[
    &terraform::Terraform,
    &cloudformation::CloudFormation,
    &helm::ChartValues,
    &github_actions::Workflows,
    &gitlab_ci::Pipelines,
    &mcp::McpConfigs,
    &policy::PolicyDocuments,
    &agents::AgentManifests,
    &kubernetes::Manifests,
    &inventory::Declared,
];

/// The file name, lower-cased. Every extractor asks of every file: most
/// names have no capital and are not copied.
fn file_name(path: &str) -> std::borrow::Cow<'_, str> {
    let name = syntax::file_name(path);
    match name.bytes().any(|b| b.is_ascii_uppercase()) {
        true => std::borrow::Cow::Owned(name.to_ascii_lowercase()),
        false => std::borrow::Cow::Borrowed(name),
    }
}

/// Whether the unit is read as YAML or JSON documents.
fn documents(path: &str) -> bool {
    matches!(syntax::format_of(path), syntax::Format::Yaml | syntax::Format::Json)
}

/// Whether the extractors read this path at all.
pub(crate) fn wants(path: &str, text: &[u8]) -> bool {
    REGISTRY.iter().any(|e| e.wants(path, text))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// The facts in one unit.
pub(crate) fn extract(path: &str, text: &str) -> Extraction {
    extract_with(REGISTRY, path, text)
}

fn extract_with(formats: &[&dyn Extractor], path: &str, text: &str) -> Extraction {
    if !documents(path) {
        return formats.iter().find_map(|e| e.read_text(path, text)).unwrap_or_default();
    }
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
    match formats.iter().find(|e| e.owns_path(path)) {
        Some(e) => docs.iter().for_each(|d| e.read_document(path, d, &mut facts)),
        None => {
            for d in &docs {
                if let Some(e) = formats.iter().find(|e| e.claims(path, d)) {
                    e.read_document(path, d, &mut facts);
                }
            }
        }
    }
    // A chart's labels and annotations come from its values at install: an
    // owner missing from the template may be set there.
    if skeleton.is_some() {
        for i in facts.identities.iter_mut().filter(|i| i.owner.is_none()) {
            i.attrs.insert("owner_from_input".into(), ".Values".into());
        }
    }
    Extraction { facts, problem: None }
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
