//! MCP client configs (mcp.json, .mcp.json, .cursor/mcp.json,
//! .vscode/mcp.json, claude_desktop_config.json): each server an identity,
//! with the package it runs, its transport, and literal credentials in its
//! env, args or headers.

use crate::facts::{Credential, FactSet, Identity};
use crate::syntax::tree::{Key, Node};

use super::{literal_secret, loc};

pub(super) struct McpConfigs;

impl super::Extractor for McpConfigs {
    fn about(&self) -> super::About {
        super::About {
            source: "MCP configs (JSON or JSONC: `.mcp.json`, Cursor, VS Code, Claude Desktop, or any `mcpServers`)",
            reads: "servers with literal tokens in env, args or headers, plain-http remotes, unpinned packages",
            example: "examples/mcp-agents/.cursor/mcp.json",
        }
    }

    fn wants(&self, path: &str, text: &[u8]) -> bool {
        self.owns_path(path) || super::documents(path) && super::contains(text, b"mcpServers")
    }

    fn owns_path(&self, path: &str) -> bool {
        let name = super::file_name(path);
        matches!(&*name, "mcp.json" | ".mcp.json" | "claude_desktop_config.json" | "mcp_config.json")
            || path.ends_with(".cursor/mcp.json")
            || path.ends_with(".vscode/mcp.json")
    }

    fn claims(&self, _path: &str, doc: &Node) -> bool {
        doc.get("mcpServers").is_some()
    }

    fn read_document(&self, path: &str, doc: &Node, facts: &mut FactSet) {
        extract(path, doc, facts);
    }
}

fn extract(path: &str, doc: &Node, facts: &mut FactSet) {
    let servers =
        doc.get("mcpServers").or_else(|| doc.get("servers")).or_else(|| doc.get("mcp").and_then(|m| m.get("servers")));
    for (key, server) in servers.map(Node::entries).unwrap_or_default() {
        server_facts(path, key, server, facts);
    }
}

fn server_facts(path: &str, key: &Key, server: &Node, facts: &mut FactSet) {
    let mut id = Identity {
        kind: "mcp_server".into(),
        name: key.text.clone(),
        provider: Some("mcp".into()),
        discovered: true,
        location: loc(path, key.pos),
        ..Default::default()
    };
    let command = server.get("command").and_then(Node::str).unwrap_or("");
    let args: Vec<&Node> = server.get("args").map(|a| a.items().iter().collect()).unwrap_or_default();
    let arg_text: Vec<&str> = args.iter().filter_map(|a| a.str()).collect();
    if !command.is_empty() {
        id.attrs.insert("command".into(), command.to_string());
        id.attrs.insert("transport".into(), "stdio".into());
    }
    // `npx -y pkg`, `uvx pkg`, `bunx pkg`: the package runs as published today.
    let runner = command.rsplit('/').next().unwrap_or(command);
    if (matches!(runner, "npx" | "uvx" | "bunx" | "pnpx") || runner == "pnpm" && arg_text.first() == Some(&"dlx"))
        && let Some((i, pkg)) = arg_text.iter().enumerate().find(|(_, a)| !a.starts_with('-') && **a != "dlx")
    {
        id.attrs.insert("package".into(), pkg.to_string());
        id.attrs.insert("package_pinned".into(), pinned(runner, pkg).to_string());
        if let Some(node) = args.iter().filter(|a| a.str().is_some()).nth(i) {
            id.at.insert("attrs.package_pinned".into(), loc(path, node.pos));
        }
    }
    if let Some((k, url)) = server.entry("url").or_else(|| server.entry("serverUrl")) {
        let url = url.str().unwrap_or("");
        id.attrs.insert("url".into(), url.to_string());
        id.attrs.insert("transport".into(), server.get("type").and_then(Node::str).unwrap_or("http").to_string());
        let lower = url.to_ascii_lowercase();
        let local = ["http://localhost", "http://127.0.0.1", "http://[::1]", "http://0.0.0.0"]
            .iter()
            .any(|p| lower.starts_with(p));
        id.attrs.insert("plain_http".into(), (lower.starts_with("http://") && !local).to_string());
        id.at.insert("attrs.plain_http".into(), loc(path, k.pos));
    }
    for (k, v) in server.get("env").map(Node::entries).unwrap_or_default() {
        if let Some(s) = v.str().filter(|s| literal_secret(&k.text, s)) {
            facts.credentials.push(embedded(path, k.pos, &k.text, &id.name, "env"));
            facts.literals.0.push(s.to_string());
        }
    }
    for (k, v) in server.get("headers").map(Node::entries).unwrap_or_default() {
        let value = v.str().unwrap_or("");
        let bare = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).unwrap_or(value);
        if literal_secret(&k.text, bare)
            || k.text.eq_ignore_ascii_case("authorization") && literal_secret("token", bare)
        {
            facts.credentials.push(embedded(path, k.pos, &k.text, &id.name, "header"));
            facts.literals.0.push(bare.to_string());
        }
    }
    // `--api-key sk-...` or `--token=...` in args.
    for (i, a) in args.iter().enumerate() {
        let Some(text) = a.str() else { continue };
        let (flag, value) = match text.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ if text.starts_with("--") => (text, args.get(i + 1).and_then(|n| n.str())),
            _ => continue,
        };
        if let Some(value) = value
            && literal_secret(flag.trim_start_matches('-'), value)
        {
            facts.credentials.push(embedded(path, a.pos, flag, &id.name, "args"));
            facts.literals.0.push(value.to_string());
        }
    }
    facts.identities.push(id);
}

fn embedded(path: &str, pos: crate::syntax::Pos, name: &str, server: &str, place: &str) -> Credential {
    let mut c = Credential {
        kind: "token".into(),
        name: Some(name.to_string()),
        identity: Some(server.to_string()),
        provider: Some("mcp".into()),
        embedded: true,
        location: loc(path, pos),
        ..Default::default()
    };
    c.attrs.insert("source".into(), "mcp".into());
    c.attrs.insert("in".into(), place.into());
    c
}

/// A package spec names an exact version: `pkg@1.2.3`, `@scope/pkg@1.2.3`,
/// `pkg==1.2.3` (uvx).
fn pinned(runner: &str, pkg: &str) -> bool {
    if runner == "uvx" {
        return pkg.contains("==");
    }
    let version = pkg.trim_start_matches('@').split_once('@').map(|(_, v)| v);
    version.is_some_and(|v| v.chars().next().is_some_and(|c| c.is_ascii_digit()) && v != "latest")
}
