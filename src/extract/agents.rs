//! Agent manifests (`*.agent.yaml`, `*.agent.json`, DESIGN.md): an AI agent
//! with its owner, the human it acts for, its purpose, and the scopes and
//! tools it holds.

use crate::facts::{FactSet, Identity, Purpose};
use crate::syntax::tree::Node;

use super::loc;

pub(super) struct AgentManifests;

impl super::Extractor for AgentManifests {
    fn about(&self) -> super::About {
        super::About {
            source: "Agent manifests (`*.agent.yaml`, `*.agent.json`)",
            reads: "agents' owner, purpose, the human they act for, delegation, scopes, tools and MCP servers",
            example: "examples/mcp-agents/agents/release-notes.agent.json",
        }
    }

    fn wants(&self, path: &str, _text: &[u8]) -> bool {
        is_manifest(path)
    }

    fn claims(&self, path: &str, doc: &Node) -> bool {
        is_manifest(path) && (doc.get("kind").and_then(Node::str) == Some("Agent") || doc.get("name").is_some())
    }

    fn read_document(&self, path: &str, doc: &Node, facts: &mut FactSet) {
        extract(path, doc, facts);
    }
}

fn is_manifest(path: &str) -> bool {
    let name = super::file_name(path);
    super::documents(path) && [".agent.yaml", ".agent.yml", ".agent.json"].iter().any(|e| name.ends_with(e))
}

fn extract(path: &str, doc: &Node, facts: &mut FactSet) {
    // The full form keeps name and owner in `metadata` and the rest in
    // `spec`; the flat form has everything at the top.
    let (meta, spec) = match (doc.get("metadata"), doc.get("spec")) {
        (Some(m), Some(s)) => (m, s),
        _ => (doc, doc),
    };
    let at = doc
        .entry("kind")
        .or_else(|| doc.entry("name"))
        .map(|(k, _)| loc(path, k.pos))
        .unwrap_or_else(|| loc(path, doc.pos));
    let stem = path.rsplit('/').next().unwrap_or(path).split('.').next().unwrap_or(path);
    let mut id = Identity {
        kind: "ai_agent".into(),
        name: meta.get("name").and_then(Node::str).unwrap_or(stem).to_string(),
        provider: Some("agent".into()),
        owner: meta.get("owner").or_else(|| spec.get("owner")).and_then(Node::str).map(str::to_string),
        delegated_by: spec
            .get("delegated_by")
            .or_else(|| spec.get("delegatedBy"))
            .and_then(Node::str)
            .map(str::to_string),
        discovered: true,
        location: at,
        ..Default::default()
    };
    let mut tags = super::string_map(meta.get("labels"));
    tags.extend(super::string_map(meta.get("annotations")));
    if id.owner.is_none() {
        id.owner = super::owner_of(&tags);
    }
    id.env = spec.get("env").and_then(Node::str).map(str::to_ascii_lowercase).or_else(|| super::env_of(&tags));
    id.tags = tags;
    for (key, field) in [("owner", "owner"), ("delegated_by", "delegated_by"), ("purpose", "purpose")] {
        if let Some((k, _)) = meta.entry(key).or_else(|| spec.entry(key)) {
            id.at.insert(field.into(), loc(path, k.pos));
        }
    }
    if let Some(p) = spec.get("purpose") {
        let purpose = match p.str() {
            Some(text) => Purpose { description: Some(text.to_string()), allowed: Vec::new() },
            None => Purpose {
                description: p.get("description").and_then(Node::str).map(str::to_string),
                allowed: p
                    .get("allowed")
                    .map(|a| a.strings().into_iter().map(str::to_string).collect())
                    .unwrap_or_default(),
            },
        };
        // An empty purpose is no purpose.
        let empty = purpose.description.as_deref().is_none_or(|d| d.trim().is_empty()) && purpose.allowed.is_empty();
        id.purpose = (!empty).then_some(purpose);
    }
    for (key, field) in [("scopes", "scopes"), ("tools", "scopes")] {
        if let Some((k, v)) = spec.entry(key) {
            super::item_locations(&mut id.at, path, field, id.scopes.len(), v.string_positions());
            id.scopes.extend(v.strings().into_iter().map(str::to_string));
            id.at.entry(field.into()).or_insert_with(|| loc(path, k.pos));
        }
    }
    if let Some(model) = spec.get("model").and_then(Node::str) {
        id.attrs.insert("model".into(), model.to_string());
    }
    if let Some((k, servers)) = spec.entry("mcpServers") {
        id.attrs.insert("mcp_servers".into(), servers.strings().join(","));
        for field in ["attrs.mcp_servers", "servers"] {
            id.at.insert(field.into(), loc(path, k.pos));
        }
    }
    facts.identities.push(id);
}
