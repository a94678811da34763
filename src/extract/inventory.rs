//! nhi.toml, the declared inventory (DESIGN.md): identities and credentials
//! that teams record by hand, merged into the ones found in code.

use crate::facts::{Credential, Date, FactSet, Identity, Purpose};
use crate::syntax::tree::{Key, Node};

use super::{Extraction, loc};

const IDENTITY_KEYS: &[&str] = &[
    "kind",
    "name",
    "provider",
    "owner",
    "env",
    "created",
    "expires",
    "purpose",
    "scopes",
    "delegated_by",
    "tags",
    "description",
];
const CREDENTIAL_KEYS: &[&str] =
    &["kind", "name", "identity", "provider", "created", "rotated", "expires", "long_lived", "rotation", "description"];

pub(super) struct Declared;

impl super::Extractor for Declared {
    fn about(&self) -> super::About {
        super::About {
            source: "`nhi.toml`",
            reads: "the declared inventory (owners, purposes, expiry, credentials), merged into what is found (DESIGN.md)",
            example: "examples/aws-terraform/nhi.toml",
        }
    }

    fn wants(&self, path: &str, _text: &[u8]) -> bool {
        super::file_name(path) == "nhi.toml"
    }

    fn read_text(&self, path: &str, text: &str) -> Option<Extraction> {
        self.wants(path, b"").then(|| extract(path, text))
    }
}

fn extract(path: &str, text: &str) -> Extraction {
    let doc = match crate::syntax::toml::parse(text) {
        Ok(d) => d,
        Err(e) => {
            return Extraction {
                problem: Some(format!("not valid TOML ({e}); the declared inventory was not read")),
                ..Default::default()
            };
        }
    };
    let mut out = Extraction::default();
    let mut problems = Vec::new();
    for (key, _) in doc.entries() {
        if !matches!(key.text.as_str(), "version" | "identity" | "credential") {
            problems.push(format!(
                "line {}: unknown table `{}` (expected `identity` or `credential`)",
                key.pos.line, key.text
            ));
        }
    }
    for entry in doc.get("identity").map(Node::items).unwrap_or_default() {
        check_keys(entry, IDENTITY_KEYS, &mut problems);
        let Some((kind_key, kind)) = required(entry, "kind", &mut problems) else { continue };
        let Some((_, name)) = required(entry, "name", &mut problems) else { continue };
        let mut id = Identity {
            kind,
            name,
            provider: text_of(entry, "provider"),
            owner: text_of(entry, "owner"),
            env: text_of(entry, "env").map(|e| e.to_ascii_lowercase()),
            delegated_by: text_of(entry, "delegated_by"),
            created: date_of(entry, "created", &mut problems),
            expires: date_of(entry, "expires", &mut problems),
            scopes: list_of(entry, "scopes"),
            tags: super::string_map(entry.get("tags")),
            declared: true,
            location: loc(path, kind_key.pos),
            ..Default::default()
        };
        if let Some(p) = entry.get("purpose") {
            id.purpose = Some(Purpose { description: text_of(p, "description"), allowed: list_of(p, "allowed") });
        }
        for field in ["owner", "purpose", "expires"] {
            if let Some((k, _)) = entry.entry(field) {
                id.at.insert(field.into(), loc(path, k.pos));
            }
        }
        out.facts.identities.push(id);
    }
    for entry in doc.get("credential").map(Node::items).unwrap_or_default() {
        check_keys(entry, CREDENTIAL_KEYS, &mut problems);
        let Some((kind_key, kind)) = required(entry, "kind", &mut problems) else { continue };
        let mut c = Credential {
            kind,
            name: text_of(entry, "name"),
            identity: text_of(entry, "identity"),
            provider: text_of(entry, "provider"),
            created: date_of(entry, "created", &mut problems),
            rotated: date_of(entry, "rotated", &mut problems),
            expires: date_of(entry, "expires", &mut problems),
            long_lived: entry.get("long_lived").and_then(Node::as_bool),
            declared: true,
            location: loc(path, kind_key.pos),
            ..Default::default()
        };
        c.attrs.insert("source".into(), "nhi.toml".into());
        for field in ["created", "rotated", "expires"] {
            if let Some((k, _)) = entry.entry(field) {
                c.at.insert(field.into(), loc(path, k.pos));
            }
        }
        // Keys are long-lived unless the declaration says otherwise.
        if c.long_lived.is_none()
            && matches!(
                c.kind.as_str(),
                "access_key" | "service_account_key" | "client_secret" | "token" | "password" | "ssh_key"
            )
        {
            c.long_lived = Some(true);
        }
        out.facts.credentials.push(c);
    }
    if !problems.is_empty() {
        out.problem = Some(format!("declared inventory: {}", problems.join("; ")));
    }
    out
}

fn check_keys(entry: &Node, known: &[&str], problems: &mut Vec<String>) {
    for (k, _) in entry.entries() {
        if !known.contains(&k.text.as_str()) {
            let hint = known
                .iter()
                .find(|c| strsim_close(c, &k.text))
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            problems.push(format!("line {}: unknown key `{}`{hint}", k.pos.line, k.text));
        }
    }
}

/// Two keys one edit or one swap apart.
fn strsim_close(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + usize::from(a[i - 1] != b[j - 1]));
        }
        prev = cur;
    }
    prev[b.len()] <= 2
}

fn required<'a>(entry: &'a Node, key: &str, problems: &mut Vec<String>) -> Option<(&'a Key, String)> {
    match entry.entry(key) {
        Some((k, v)) if v.str().is_some_and(|s| !s.trim().is_empty()) => Some((k, v.str().unwrap_or("").to_string())),
        _ => {
            problems.push(format!("line {}: an entry without `{key}` was not read", entry.pos.line));
            None
        }
    }
}

fn text_of(n: &Node, key: &str) -> Option<String> {
    n.get(key).and_then(Node::str).map(str::to_string).filter(|s| !s.trim().is_empty())
}

fn list_of(n: &Node, key: &str) -> Vec<String> {
    n.get(key).map(|v| v.strings().into_iter().map(str::to_string).collect()).unwrap_or_default()
}

fn date_of(n: &Node, key: &str, problems: &mut Vec<String>) -> Option<Date> {
    let (k, v) = n.entry(key)?;
    match Date::parse(v.str()?) {
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(format!("line {}: `{key}` is not a date ({e})", k.pos.line));
            None
        }
    }
}

/// Fold the declarations into the identities and credentials found in code:
/// an identity matches by kind and name, a credential by kind and identity.
/// Declarations fill what code does not say; what matches nothing stays as
/// declared-only, and what was found but not declared stays as found.
pub(crate) fn merge(facts: &mut FactSet) {
    let (declared, mut found): (Vec<Identity>, Vec<Identity>) =
        std::mem::take(&mut facts.identities).into_iter().partition(|i| i.declared && !i.discovered);
    for d in declared {
        let mut matched = false;
        for f in found.iter_mut().filter(|f| f.discovered && f.kind == d.kind && f.name == d.name) {
            matched = true;
            f.declared = true;
            fill(&mut f.owner, &d.owner);
            fill(&mut f.provider, &d.provider);
            fill(&mut f.env, &d.env);
            fill(&mut f.delegated_by, &d.delegated_by);
            fill(&mut f.created, &d.created);
            fill(&mut f.expires, &d.expires);
            fill(&mut f.purpose, &d.purpose);
            for (k, v) in &d.tags {
                f.tags.entry(k.clone()).or_insert_with(|| v.clone());
            }
            f.attrs.insert("declared_at".into(), format!("{}:{}", d.location.path, d.location.line));
        }
        if !matched {
            found.push(d);
        }
    }
    mark_environments(&mut found);
    facts.identities = found;
    let (declared, mut found): (Vec<Credential>, Vec<Credential>) =
        std::mem::take(&mut facts.credentials).into_iter().partition(|c| c.declared);
    for d in declared {
        let mut matched = false;
        for f in found.iter_mut().filter(|f| f.kind == d.kind && f.identity.is_some() && f.identity == d.identity) {
            matched = true;
            f.declared = true;
            fill(&mut f.created, &d.created);
            fill(&mut f.rotated, &d.rotated);
            fill(&mut f.expires, &d.expires);
            fill(&mut f.long_lived, &d.long_lived);
            for (k, v) in &d.at {
                f.at.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        if !matched {
            found.push(d);
        }
    }
    facts.credentials = found;
}

/// Environments named by a path's folders (`overlays/prod/`, `env/dev/`).
const ENVIRONMENTS: &[(&str, &str)] = &[
    ("prod", "prod"),
    ("production", "prod"),
    ("prd", "prod"),
    ("staging", "staging"),
    ("stage", "staging"),
    ("stg", "staging"),
    ("dev", "dev"),
    ("development", "dev"),
    ("test", "test"),
    ("qa", "test"),
    ("sandbox", "dev"),
];

/// The environment a word names, normalised: `production` → `prod`.
pub(crate) fn environment(word: &str) -> Option<&'static str> {
    ENVIRONMENTS.iter().find(|(name, _)| word.eq_ignore_ascii_case(name)).map(|(_, e)| *e)
}

fn env_of_path(path: &str) -> Option<&'static str> {
    let folders = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    folders.split('/').find_map(environment)
}

/// An identity (same kind and name) defined for production and for another
/// environment: each definition records every environment it serves in
/// `attrs["environments"]`.
fn mark_environments(ids: &mut [Identity]) {
    let mut envs: std::collections::BTreeMap<(String, String), std::collections::BTreeSet<String>> = Default::default();
    for id in ids.iter_mut() {
        if id.env.is_none() {
            id.env = env_of_path(&id.location.path).map(str::to_string);
        }
        if let Some(env) = &id.env {
            let normal = environment(env).unwrap_or(env.as_str());
            envs.entry((id.kind.clone(), id.name.clone())).or_default().insert(normal.to_string());
        }
    }
    for id in ids.iter_mut() {
        if let Some(set) = envs.get(&(id.kind.clone(), id.name.clone())).filter(|s| s.len() > 1) {
            id.attrs.insert("environments".into(), set.iter().cloned().collect::<Vec<_>>().join(","));
        }
    }
}

fn fill<T: Clone>(slot: &mut Option<T>, from: &Option<T>) {
    if slot.is_none() {
        slot.clone_from(from);
    }
}
