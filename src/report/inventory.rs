//! The inventory: every identity with its owner, purpose, scopes and
//! credentials (with their age), declared or found, and where it is; as a
//! table for people, JSON for tools, CSV for spreadsheets.
//!
//! Built from facts, not findings: it is what the repository holds, judged
//! by nobody. Secret values never reach it: credentials are listed by kind,
//! name and place.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::facts::schema::Env;
use crate::facts::{Credential, Date, FactSet, Grant, Identity, Location};

pub const INVENTORY_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InventoryFormat {
    Table,
    Json,
    Csv,
}

impl InventoryFormat {
    pub const ALL: &[InventoryFormat] = &[InventoryFormat::Table, InventoryFormat::Json, InventoryFormat::Csv];

    /// Its name (on the command line), and what it is.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            InventoryFormat::Table => ("table", "one identity a line, for people"),
            InventoryFormat::Json => ("json", "for tools"),
            InventoryFormat::Csv => ("csv", "for spreadsheets"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub version: u32,
    pub now: String,
    pub summary: Summary,
    pub identities: Vec<Entry>,
    /// Credentials whose identity is not among the identities.
    pub unattached_credentials: Vec<CredentialEntry>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub identities: usize,
    pub orphans: usize,
    pub declared: usize,
    pub declared_not_found: usize,
    pub found_not_declared: usize,
    pub credentials: usize,
    pub long_lived_credentials: usize,
    pub embedded_secrets: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub kind: String,
    pub name: String,
    pub provider: Option<String>,
    /// `None` is an orphan, unless the owner comes from a module's caller.
    pub owner: Option<String>,
    /// The input the owner's tags come from (`var.tags`), when the caller
    /// of a Terraform module decides it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_from_input: Option<String>,
    pub purpose: Option<String>,
    pub env: Option<String>,
    pub scopes: Vec<String>,
    pub declared: bool,
    pub discovered: bool,
    pub location: String,
    /// The same identity defined again elsewhere (a generated bundle, an
    /// overlay that repeats it): one entry, every place.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_at: Vec<String>,
    pub credentials: Vec<CredentialEntry>,
    /// What the identity can do, and what gives it: each grant it holds,
    /// and through a Kubernetes binding each rule of the bound role.
    pub grants: Vec<GrantEntry>,
    /// The workloads and pipelines that run as it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub used_by: Vec<String>,
}

/// One effective grant: actions (or a role, or a managed policy) on
/// resources, the binding, attachment or policy that gives it, and where
/// that grant is written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrantEntry {
    pub effect: String,
    pub actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    pub via: String,
    pub location: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CredentialEntry {
    pub kind: String,
    pub name: Option<String>,
    pub identity: Option<String>,
    pub created: Option<String>,
    pub expires: Option<String>,
    /// Days since created or last rotated, where a date is known.
    pub age_days: Option<i64>,
    pub long_lived: bool,
    pub embedded: bool,
    pub declared: bool,
    pub location: String,
}

impl Summary {
    /// The counts of `entries`, with the credential and secret counts the
    /// caller has.
    pub fn of(
        entries: &[Entry],
        credentials: usize,
        long_lived_credentials: usize,
        embedded_secrets: usize,
    ) -> Summary {
        Summary {
            identities: entries.len(),
            orphans: entries.iter().filter(|e| is_orphan(e)).count(),
            declared: entries.iter().filter(|e| e.declared).count(),
            declared_not_found: entries.iter().filter(|e| e.declared && !e.discovered).count(),
            found_not_declared: entries.iter().filter(|e| e.discovered && !e.declared).count(),
            credentials,
            long_lived_credentials,
            embedded_secrets,
        }
    }
}

impl Inventory {
    /// Every text field passed through `f` (the redaction step), before any
    /// rendering cuts a cell and with it a secret out of `f`'s sight.
    pub fn map_text(&mut self, f: &dyn Fn(&str) -> String) {
        let opt = |o: &mut Option<String>| {
            if let Some(s) = o {
                *s = f(s);
            }
        };
        let cred = |c: &mut CredentialEntry| {
            c.kind = f(&c.kind);
            opt(&mut c.name);
            opt(&mut c.identity);
            c.location = f(&c.location);
        };
        for e in &mut self.identities {
            e.kind = f(&e.kind);
            e.name = f(&e.name);
            for o in [&mut e.provider, &mut e.owner, &mut e.purpose, &mut e.env] {
                opt(o);
            }
            for s in &mut e.scopes {
                *s = f(s);
            }
            e.location = f(&e.location);
            for l in e.also_at.iter_mut().chain(&mut e.used_by) {
                *l = f(l);
            }
            for g in &mut e.grants {
                for t in g.actions.iter_mut().chain(&mut g.resources) {
                    *t = f(t);
                }
                g.via = f(&g.via);
                g.location = f(&g.location);
            }
            e.credentials.iter_mut().for_each(cred);
        }
        self.unattached_credentials.iter_mut().for_each(cred);
    }
}

fn place(l: &Location) -> String {
    if l.path.is_empty() { "-".into() } else { format!("{}:{}", l.path, l.line) }
}

fn credential_entry(c: &Credential, now: Date) -> CredentialEntry {
    let since = c.created.max(c.rotated);
    CredentialEntry {
        kind: c.kind.clone(),
        name: c.name.clone(),
        identity: c.identity.clone(),
        created: c.created.map(|d| d.to_string()),
        expires: c.expires.map(|d| d.to_string()),
        age_days: since.map(|d| (now.0 - d.0).div_euclid(86_400)),
        long_lived: c.long_lived == Some(true),
        embedded: c.embedded,
        declared: c.declared,
        location: place(&c.location),
    }
}

fn identity_entry(i: &Identity, credentials: Vec<CredentialEntry>) -> Entry {
    Entry {
        kind: i.kind.clone(),
        name: i.name.clone(),
        provider: i.provider.clone(),
        owner: i.owner.clone(),
        owner_from_input: i.attrs.get("owner_from_input").cloned(),
        purpose: i.purpose.as_ref().and_then(|p| p.description.clone().or_else(|| Some(p.allowed.join(", ")))),
        env: i.env.clone(),
        scopes: i.scopes.clone(),
        declared: i.declared,
        discovered: i.discovered,
        location: place(&i.location),
        also_at: Vec::new(),
        credentials,
        grants: Vec::new(),
        used_by: Vec::new(),
    }
}

/// What gives a grant: the binding, the managed policy, the policy and
/// statement it is written in.
fn via(g: &Grant) -> String {
    let a = |k: &str| g.attrs.get(k).map(String::as_str);
    match (a("binding"), a("managed_policy"), a("policy").or(a("policy_document")), a("sid")) {
        (Some(binding), ..) => format!("binding `{binding}`"),
        (_, Some(managed), ..) => format!("managed policy `{managed}`"),
        (_, _, Some(policy), Some(sid)) => format!("policy `{policy}`, statement `{sid}`"),
        (_, _, Some(policy), None) => format!("policy `{policy}`"),
        _ => "inline policy".into(),
    }
}

/// An identity's effective grants: each grant it holds, with a Kubernetes
/// binding replaced by the rules of the role it references (where the role
/// is defined here).
fn effective_grants(i: &Identity, env: &Env) -> Vec<GrantEntry> {
    let mut out = Vec::new();
    for g in env.grants_of(&i.name) {
        let entry = |r: &Grant, via: String| GrantEntry {
            effect: r.effect.clone().unwrap_or_else(|| "allow".into()),
            actions: r.actions.iter().cloned().chain(r.attrs.get("managed_policy").cloned()).collect(),
            resources: r.resources.clone(),
            via,
            location: place(&r.location),
        };
        let rules = env.rules_bound_by(g);
        if rules.is_empty() {
            out.push(entry(g, via(g)));
        }
        for r in rules {
            let role = r.attrs.get("role").map_or("", String::as_str);
            out.push(entry(r, format!("{} → role `{role}` ({})", via(g), place(&g.location))));
        }
    }
    out
}

/// The workloads (a pod spec that mounts its token) and pipelines (a
/// workflow that logs in as it) that run as an identity.
fn used_by(i: &Identity, facts: &FactSet, env: &Env) -> Vec<String> {
    let workloads = facts.credentials.iter().filter(|c| {
        c.identity.as_deref() == Some(i.name.as_str()) && c.attrs.get("source").is_some_and(|s| s == "workload")
    });
    let mut out: Vec<String> = workloads
        .map(|c| {
            let kind = c.attrs.get("workload").map_or("workload", String::as_str);
            match &c.name {
                Some(name) => format!("{kind} `{name}` ({})", place(&c.location)),
                None => format!("{kind} ({})", place(&c.location)),
            }
        })
        .collect();
    out.extend(env.assumers(i).into_iter().map(|w| format!("{} `{}` ({})", w.kind, w.name, place(&w.location))));
    out
}

/// What makes two Kubernetes service accounts one: kind, namespace and
/// name. Identities elsewhere are kept apart, since an account or
/// subscription is rarely known here.
fn same_identity_key(i: &Identity) -> Option<(&str, &str, &str)> {
    (i.provider.as_deref() == Some("kubernetes"))
        .then(|| (i.kind.as_str(), i.attrs.get("namespace").map_or("", String::as_str), i.name.as_str()))
}

/// The inventory of a scan's facts, in a stable order (kind, name, place).
pub fn build(facts: &FactSet, now: Date) -> Inventory {
    let env = Env::new(facts, now);
    let mut identities: Vec<&Identity> = facts.identities.iter().collect();
    identities.sort_by(|a, b| (&a.kind, &a.name, &a.location).cmp(&(&b.kind, &b.name, &b.location)));
    let names: std::collections::HashSet<&str> = identities.iter().map(|i| i.name.as_str()).collect();
    let mut credentials: Vec<&Credential> = facts.credentials.iter().collect();
    credentials.sort_by(|a, b| (&a.identity, &a.kind, &a.location).cmp(&(&b.identity, &b.kind, &b.location)));
    let entry_of = |i: &Identity| {
        let own = credentials
            .iter()
            .filter(|c| c.identity.as_deref() == Some(i.name.as_str()))
            .map(|c| credential_entry(c, now))
            .collect();
        let mut entry = identity_entry(i, own);
        entry.grants = effective_grants(i, &env);
        entry.used_by = used_by(i, facts, &env);
        // What it holds through grants: actions, roles, managed policies.
        for g in env.grants_of(&i.name) {
            let held = g.actions.iter().cloned().chain(g.attrs.get("managed_policy").cloned());
            for a in held {
                if !entry.scopes.contains(&a) {
                    entry.scopes.push(a);
                }
            }
        }
        entry
    };
    let mut seen: std::collections::HashMap<(&str, &str, &str), usize> = std::collections::HashMap::new();
    let mut entries: Vec<Entry> = Vec::new();
    for i in &identities {
        let key = same_identity_key(i);
        if let Some(e) = key.and_then(|k| seen.get(&k)).and_then(|&first| entries.get_mut(first)) {
            e.also_at.push(place(&i.location));
            e.declared |= i.declared;
            e.discovered |= i.discovered;
            if e.owner.is_none() {
                e.owner = i.owner.clone();
            }
            // Deployed to several environments: all of them.
            if let Some(env) = &i.env
                && e.env.as_deref().is_some_and(|have| !have.split(", ").any(|x| x == env))
            {
                e.env = e.env.take().map(|have| format!("{have}, {env}"));
            }
            continue;
        }
        if let Some(k) = key {
            seen.insert(k, entries.len());
        }
        entries.push(entry_of(i));
    }
    let unattached: Vec<CredentialEntry> = credentials
        .iter()
        .filter(|c| c.identity.as_deref().is_none_or(|n| !names.contains(n)))
        .map(|c| credential_entry(c, now))
        .collect();
    let summary = Summary::of(
        &entries,
        facts.credentials.len(),
        facts.credentials.iter().filter(|c| c.long_lived == Some(true)).count(),
        facts.secrets.len(),
    );
    Inventory {
        version: INVENTORY_VERSION,
        now: now.to_string(),
        summary,
        identities: entries,
        unattached_credentials: unattached,
    }
}

/// Kinds that need an owner of their own (CI jobs and MCP servers are owned
/// through the repository), as NHI-OWN-001 has it.
fn owned(kind: &str) -> bool {
    !matches!(kind, "github_workflow" | "github_job" | "gitlab_job" | "mcp_server")
}

fn is_orphan(e: &Entry) -> bool {
    e.owner.is_none() && e.owner_from_input.is_none() && owned(&e.kind)
}

fn owner_cell(e: &Entry) -> String {
    match (&e.owner, &e.owner_from_input) {
        (Some(o), _) => o.clone(),
        (None, Some(input)) => format!("(from {input})"),
        (None, None) if owned(&e.kind) => "ORPHAN".into(),
        (None, None) => "-".into(),
    }
}

fn credentials_cell(creds: &[CredentialEntry]) -> String {
    if creds.is_empty() {
        return "-".into();
    }
    creds
        .iter()
        .map(|c| {
            let age = c.age_days.map_or_else(|| "age unknown".to_string(), |d| format!("{d}d"));
            let embedded = if c.embedded { ", in repo" } else { "" };
            format!("{} ({age}{embedded})", c.kind)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn declared_cell(e: &Entry) -> &'static str {
    match (e.declared, e.discovered) {
        (true, true) => "yes",
        (true, false) => "declared, not found",
        (false, _) => "no",
    }
}

const COLUMNS: [&str; 10] =
    ["KIND", "NAME", "PROVIDER", "OWNER", "PURPOSE", "ENV", "SCOPES", "CREDENTIALS", "DECLARED", "LOCATION"];

/// One row; every cell on one line (a name with a newline could otherwise
/// start a line of its own in a log, such as a workflow command).
fn row(e: &Entry) -> [String; 10] {
    row_cells(e).map(|c| super::one_line(&c))
}

fn row_cells(e: &Entry) -> [String; 10] {
    [
        e.kind.clone(),
        e.name.clone(),
        e.provider.clone().unwrap_or_else(|| "-".into()),
        owner_cell(e),
        e.purpose.clone().unwrap_or_else(|| "-".into()),
        e.env.clone().unwrap_or_else(|| "-".into()),
        if e.scopes.is_empty() { "-".into() } else { e.scopes.join(", ") },
        credentials_cell(&e.credentials),
        declared_cell(e).into(),
        match e.also_at.len() {
            0 => e.location.clone(),
            n => format!("{} (+{n})", e.location),
        },
    ]
}

pub fn write(inv: &Inventory, format: InventoryFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        InventoryFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, inv)?;
            writeln!(out)
        }
        InventoryFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(COLUMNS).map_err(io::Error::other)?;
            for e in &inv.identities {
                w.write_record(row(e).map(|c| spreadsheet_safe(&c))).map_err(io::Error::other)?;
            }
            w.flush()
        }
        InventoryFormat::Table => table(inv, out),
    }
}

/// A cell a spreadsheet will not run as a formula: one that starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`.
fn spreadsheet_safe(cell: &str) -> String {
    if cell != "-" && cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// Long cells (scopes, purposes) are cut so that a row stays one line.
const MAX_CELL: usize = 48;

fn table(inv: &Inventory, out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<[String; 10]> = inv.identities.iter().map(|e| row(e).map(|c| cut(&c))).collect();
    let mut widths = COLUMNS.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let padded: Vec<String> = cells.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        padded.join("  ").trim_end().to_string()
    };
    writeln!(out, "{}", line(&COLUMNS.map(String::from)))?;
    for r in &rows {
        writeln!(out, "{}", line(r))?;
    }
    let s = &inv.summary;
    let count = super::human::count;
    writeln!(
        out,
        "\n{} ({}, {} declared, {} declared but not found, {} found but not declared); {} ({} long-lived), {}",
        count(s.identities, "identity", "identities"),
        count(s.orphans, "orphan", "orphans"),
        s.declared,
        s.declared_not_found,
        s.found_not_declared,
        count(s.credentials, "credential", "credentials"),
        s.long_lived_credentials,
        count(s.embedded_secrets, "embedded secret", "embedded secrets")
    )?;
    if !inv.unattached_credentials.is_empty() {
        writeln!(out, "\ncredentials of identities not defined here:")?;
        for c in &inv.unattached_credentials {
            let age = c.age_days.map_or_else(|| "age unknown".to_string(), |d| format!("{d}d"));
            writeln!(
                out,
                "  {} {} of {} ({age}) at {}",
                super::one_line(&c.kind),
                super::one_line(c.name.as_deref().unwrap_or("-")),
                super::one_line(c.identity.as_deref().unwrap_or("?")),
                super::one_line(&c.location)
            )?;
        }
    }
    Ok(())
}

fn cut(s: &str) -> String {
    if s.chars().count() <= MAX_CELL {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX_CELL - 1).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_lists_what_its_binding_gives_it_and_who_runs_as_it() {
        let mut facts = FactSet::default();
        let files = [
            (
                "role.yaml",
                "kind: ClusterRole\napiVersion: rbac.authorization.k8s.io/v1\nmetadata:\n  name: reader\nrules:\n  - resources: [\"secrets\"]\n    verbs: [\"get\"]\n",
            ),
            (
                "bind.yaml",
                "kind: ClusterRoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata:\n  name: api-reads\nsubjects:\n  - kind: ServiceAccount\n    name: api\nroleRef:\n  kind: ClusterRole\n  name: reader\n---\nkind: ServiceAccount\napiVersion: v1\nmetadata:\n  name: api\n---\nkind: Deployment\napiVersion: apps/v1\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      serviceAccountName: api\n      containers: [{name: a, image: a}]\n",
            ),
        ];
        for (path, text) in files {
            facts.extend(crate::extract::extract(path, text).facts);
        }
        let inv = build(&facts, Date(0));
        let api = inv.identities.iter().find(|e| e.name == "api").map(|e| (&e.grants, &e.used_by));
        let Some((grants, used_by)) = api else { panic!("no entry for api") };
        let got: Vec<(&[String], &[String], &str, &str)> = grants
            .iter()
            .map(|g| (g.actions.as_slice(), g.resources.as_slice(), g.via.as_str(), g.location.as_str()))
            .collect();
        assert_eq!(
            got,
            [(
                &["get".to_string()][..],
                &["secrets".to_string()][..],
                "binding `api-reads` → role `reader` (bind.yaml:6)",
                "role.yaml:6"
            )]
        );
        assert_eq!(used_by, &["Deployment `api` (bind.yaml:17)".to_string()]);
    }
}
