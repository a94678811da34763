//! The identity graph as edges between facts: what `nhigate facts` prints
//! next to the facts, so that rule authors see which relations a rule can
//! follow. The edges are the ones the schema's relation fields follow
//! (`credential.identity`, `grant.identity`, `grant.role_rules`,
//! `identity.assumes`, `identity.servers`), derived from the facts and never stored with them.

use std::collections::HashMap;

use serde::Serialize;

use super::schema::Env;
use super::{Date, FactSet};

/// One edge: `from` and `to` name facts by list and index, as
/// `credentials[2]` and `identities[0]`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Relation {
    pub kind: &'static str,
    pub from: String,
    pub to: String,
}

/// What each kind of edge means, for the docs.
pub const KINDS: &[(&str, &str)] = &[
    ("belongs_to", "a credential → the identity it belongs to"),
    ("held_by", "a grant → the identity that holds it"),
    ("reaches", "a Kubernetes binding → each rule of the role it references"),
    ("assumes", "a CI workflow or job → a cloud identity it logs in as"),
    ("calls", "an AI agent → an MCP server it may call"),
];

/// The facts file `nhigate facts` writes and `--facts` reads: the facts,
/// with the format's version and the relations between them.
#[derive(Serialize)]
pub struct Document<'a> {
    version: u32,
    #[serde(flatten)]
    facts: &'a FactSet,
    relations: Vec<Relation>,
}

impl Document<'_> {
    pub fn of(facts: &FactSet) -> Document<'_> {
        Document { version: super::FACTS_VERSION, facts, relations: relations(facts) }
    }
}

pub fn relations(facts: &FactSet) -> Vec<Relation> {
    fn index<T>(items: &[T]) -> HashMap<*const T, usize> {
        items.iter().enumerate().map(|(i, x)| (x as *const T, i)).collect()
    }
    let env = Env::new(facts, Date(0));
    let identities = index(&facts.identities);
    let grants = index(&facts.grants);
    let named: HashMap<&str, usize> =
        facts.identities.iter().enumerate().rev().map(|(i, x)| (x.name.as_str(), i)).collect();
    let edge = |kind, from: String, to: String| Relation { kind, from, to };
    let mut out = Vec::new();
    for (i, c) in facts.credentials.iter().enumerate() {
        if let Some(&to) = c.identity.as_deref().and_then(|n| named.get(n)) {
            out.push(edge("belongs_to", format!("credentials[{i}]"), format!("identities[{to}]")));
        }
    }
    for (i, g) in facts.grants.iter().enumerate() {
        if let Some(&to) = g.identity.as_deref().and_then(|n| named.get(n)) {
            out.push(edge("held_by", format!("grants[{i}]"), format!("identities[{to}]")));
        }
        for rule in env.rules_bound_by(g) {
            if let Some(to) = grants.get(&(rule as *const _)) {
                out.push(edge("reaches", format!("grants[{i}]"), format!("grants[{to}]")));
            }
        }
    }
    for (i, w) in facts.identities.iter().enumerate() {
        let targets = env.assumed(w).into_iter().map(|t| ("assumes", t));
        for (kind, target) in targets.chain(env.servers_of(w).into_iter().map(|t| ("calls", t))) {
            if let Some(to) = identities.get(&(target as *const _)) {
                out.push(edge(kind, format!("identities[{i}]"), format!("identities[{to}]")));
            }
        }
    }
    out
}
