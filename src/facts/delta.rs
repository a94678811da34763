//! Identity changes between two sets of facts (a base and a head): the
//! identities a change adds, removes or modifies, and for each the
//! effective access it gains or loses (a grant's actions on its resources;
//! for a Kubernetes binding, the role and the rules of it the binding
//! reaches), its credentials, its owner and who may assume it.
//!
//! Identities are matched by kind, provider and name (the cloud name, or
//! the resource address where no name is written), never by file or block
//! label: a moved file or a renamed Terraform resource that keeps its name
//! is a modification. Access is compared by what it allows, not by the
//! policy or file that grants it. An identity that only a grant names (a
//! role defined in a file the change does not touch, given a policy in one
//! it does) is modified, not added.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::schema::Env;
use super::{Date, FactSet, Grant, Location};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Modified,
}

/// The identity a change is about, as the side that has it shows it (the
/// head's where both do).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentityRef {
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    pub location: Location,
}

/// One effective permission: an action, or a role, on a resource, and the
/// policy or binding that gives it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Access {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub resource: String,
    pub via: String,
    pub location: Location,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CredentialRef {
    pub kind: String,
    pub long_lived: bool,
    pub location: Location,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnerChange {
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What happened to one identity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub change: ChangeKind,
    pub identity: IdentityRef,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants_added: Vec<Access>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants_removed: Vec<Access>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credentials_added: Vec<CredentialRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credentials_removed: Vec<CredentialRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<OwnerChange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trust_added: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trust_removed: Vec<String>,
}

impl Change {
    /// Nothing gained, lost or changed.
    fn is_empty(&self) -> bool {
        self.grants_added.is_empty()
            && self.grants_removed.is_empty()
            && self.credentials_added.is_empty()
            && self.credentials_removed.is_empty()
            && self.owner.is_none()
            && self.trust_added.is_empty()
            && self.trust_removed.is_empty()
    }

    /// Every text of the change through `f` (the redaction step).
    pub fn map_text(&mut self, f: &dyn Fn(&str) -> String) {
        let id = &mut self.identity;
        id.name = f(&id.name);
        id.location.path = f(&id.location.path);
        for a in self.grants_added.iter_mut().chain(&mut self.grants_removed) {
            for s in [&mut a.resource, &mut a.via, &mut a.location.path]
                .into_iter()
                .chain(a.action.as_mut())
                .chain(a.role.as_mut())
            {
                *s = f(s);
            }
        }
        for c in self.credentials_added.iter_mut().chain(&mut self.credentials_removed) {
            c.location.path = f(&c.location.path);
        }
        if let Some(o) = &mut self.owner {
            for s in o.before.iter_mut().chain(o.after.as_mut()) {
                *s = f(s);
            }
        }
        for s in self.trust_added.iter_mut().chain(&mut self.trust_removed) {
            *s = f(s);
        }
    }
}

/// One line for a reviewer: "1 new identity, 2 with wider access, 1 new
/// long-lived key".
pub fn summary(changes: &[Change]) -> String {
    let count = |f: &dyn Fn(&Change) -> bool| changes.iter().filter(|c| f(c)).count();
    let long_lived: usize = changes.iter().map(|c| c.credentials_added.iter().filter(|k| k.long_lived).count()).sum();
    let parts = [
        (count(&|c| c.change == ChangeKind::Added), "new identity", "new identities"),
        (count(&|c| c.change == ChangeKind::Removed), "identity removed", "identities removed"),
        (
            count(&|c| c.change == ChangeKind::Modified && !c.grants_added.is_empty()),
            "with wider access",
            "with wider access",
        ),
        (
            count(&|c| c.change == ChangeKind::Modified && !c.grants_removed.is_empty()),
            "with narrower access",
            "with narrower access",
        ),
        (long_lived, "new long-lived key", "new long-lived keys"),
        (count(&|c| c.owner.as_ref().is_some_and(|o| o.before.is_some())), "owner changed", "owners changed"),
    ];
    let said: Vec<String> = parts
        .iter()
        .filter(|(n, ..)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
        .collect();
    if said.is_empty() { "no identity changes".into() } else { said.join(", ") }
}

impl Access {
    /// `s3:PutObject on arn:… (via policy)`, `role edit on ns (via binding)`.
    pub fn describe(&self) -> String {
        let what = match (&self.action, &self.role) {
            (Some(a), _) => a.clone(),
            (None, Some(r)) => format!("role {r}"),
            (None, None) => "access".into(),
        };
        format!("{what} on {} (via {})", self.resource, self.via)
    }
}

/// How identities are matched across the two sides.
type Key = (String, Option<String>, String);

/// One side's view of an identity.
struct Side {
    identity: IdentityRef,
    /// Defined on this side (not only named by a grant or a credential).
    defined: bool,
    owner: Option<String>,
    access: Vec<Access>,
    credentials: Vec<CredentialRef>,
    trust: BTreeSet<String>,
}

/// Every identity change from `before` to `after`, in order of kind and
/// name.
pub fn between(before: &FactSet, after: &FactSet) -> Vec<Change> {
    let (old, new) = (sides(before), sides(after));
    let keys: BTreeSet<&Key> = old.keys().chain(new.keys()).collect();
    let mut out = Vec::new();
    for key in keys {
        let change = match (old.get(key), new.get(key)) {
            (None, Some(n)) => added_or_removed(n, ChangeKind::Added),
            (Some(o), None) => added_or_removed(o, ChangeKind::Removed),
            (Some(o), Some(n)) => modified(o, n),
            (None, None) => None,
        };
        out.extend(change);
    }
    out
}

fn empty(kind: ChangeKind, identity: IdentityRef) -> Change {
    Change {
        change: kind,
        identity,
        grants_added: Vec::new(),
        grants_removed: Vec::new(),
        credentials_added: Vec::new(),
        credentials_removed: Vec::new(),
        owner: None,
        trust_added: Vec::new(),
        trust_removed: Vec::new(),
    }
}

/// An identity on one side only: a joiner or a leaver when it is defined
/// there; one only named by a grant or a key is modified.
fn added_or_removed(side: &Side, kind: ChangeKind) -> Option<Change> {
    let mut c = empty(if side.defined { kind } else { ChangeKind::Modified }, side.identity.clone());
    let trust: Vec<String> = side.trust.iter().cloned().collect();
    if kind == ChangeKind::Added {
        c.grants_added = side.access.clone();
        c.credentials_added = side.credentials.clone();
        c.trust_added = trust;
        c.owner = side.owner.clone().map(|o| OwnerChange { before: None, after: Some(o) }).filter(|_| side.defined);
    } else {
        c.grants_removed = side.access.clone();
        c.credentials_removed = side.credentials.clone();
        c.trust_removed = trust;
    }
    (side.defined || !c.is_empty()).then_some(c)
}

fn modified(old: &Side, new: &Side) -> Option<Change> {
    let mut c = empty(ChangeKind::Modified, new.identity.clone());
    let allows = |a: &Access| (a.action.clone(), a.role.clone(), a.resource.clone());
    let old_access: BTreeSet<_> = old.access.iter().map(allows).collect();
    let new_access: BTreeSet<_> = new.access.iter().map(allows).collect();
    c.grants_added = new.access.iter().filter(|a| !old_access.contains(&allows(a))).cloned().collect();
    c.grants_removed = old.access.iter().filter(|a| !new_access.contains(&allows(a))).cloned().collect();
    c.credentials_added = unmatched(&new.credentials, &old.credentials);
    c.credentials_removed = unmatched(&old.credentials, &new.credentials);
    if old.defined && new.defined && old.owner != new.owner {
        c.owner = Some(OwnerChange { before: old.owner.clone(), after: new.owner.clone() });
    }
    c.trust_added = new.trust.difference(&old.trust).cloned().collect();
    c.trust_removed = old.trust.difference(&new.trust).cloned().collect();
    (!c.is_empty()).then_some(c)
}

/// The credentials of `from` that `other` has no counterpart for.
/// Credentials have no stable name across a rename: they pair up by kind
/// and lifetime, each used once, and the ones left over are the change.
fn unmatched(from: &[CredentialRef], other: &[CredentialRef]) -> Vec<CredentialRef> {
    let mut left: Vec<&CredentialRef> = other.iter().collect();
    from.iter()
        .filter(|c| match left.iter().position(|o| o.kind == c.kind && o.long_lived == c.long_lived) {
            Some(i) => {
                left.remove(i);
                false
            }
            None => true,
        })
        .cloned()
        .collect()
}

/// Each identity of one side, with its effective access and credentials.
fn sides(facts: &FactSet) -> BTreeMap<Key, Side> {
    let env = Env::new(facts, Date(0));
    let mut out: BTreeMap<Key, Side> = BTreeMap::new();
    for i in facts.identities.iter().filter(|i| i.discovered || !i.declared) {
        let key = (i.kind.clone(), i.provider.clone(), i.name.clone());
        let trust = ["trusted", "trust_subjects"]
            .iter()
            .flat_map(|k| i.attrs.get(*k).map(|v| v.split(',').map(str::to_string).collect::<Vec<_>>()))
            .flatten()
            .filter(|s| !s.is_empty())
            .collect();
        out.entry(key).or_insert_with(|| Side {
            identity: IdentityRef {
                kind: i.kind.clone(),
                name: i.name.clone(),
                provider: i.provider.clone(),
                location: i.location.clone(),
            },
            defined: true,
            owner: i.owner.clone(),
            access: access(&env, &i.name),
            credentials: credentials(facts, &i.name),
            trust,
        });
    }
    // Names a grant or a credential gives that no identity here defines.
    let defined: BTreeSet<&str> = facts.identities.iter().map(|i| i.name.as_str()).collect();
    let named = facts
        .grants
        .iter()
        .map(|g| (g.identity.as_deref(), g.provider.clone(), &g.location))
        .chain(facts.credentials.iter().map(|c| (c.identity.as_deref(), c.provider.clone(), &c.location)));
    for (name, provider, location) in named {
        let Some(name) = name.filter(|n| !defined.contains(n)) else { continue };
        let key = ("identity".to_string(), provider.clone(), name.to_string());
        out.entry(key).or_insert_with(|| Side {
            identity: IdentityRef { kind: "identity".into(), name: name.into(), provider, location: location.clone() },
            defined: false,
            owner: None,
            access: access(&env, name),
            credentials: credentials(facts, name),
            trust: BTreeSet::new(),
        });
    }
    out
}

fn credentials(facts: &FactSet, name: &str) -> Vec<CredentialRef> {
    facts
        .credentials
        .iter()
        .filter(|c| c.identity.as_deref() == Some(name))
        .map(|c| CredentialRef {
            kind: c.kind.clone(),
            long_lived: c.long_lived.unwrap_or(false),
            location: c.location.clone(),
        })
        .collect()
}

/// What an identity's grants allow: each action on each resource; a
/// Kubernetes binding gives its role, and each verb on each resource of the
/// rules it reaches. Deny statements allow nothing.
fn access(env: &Env<'_>, name: &str) -> Vec<Access> {
    let mut out = Vec::new();
    for g in env.grants_of(name) {
        if g.effect.as_deref().is_some_and(|e| e.eq_ignore_ascii_case("deny")) {
            continue;
        }
        let via = via(g);
        if g.attrs.contains_key("binding") {
            let resource = g.attrs.get("namespace").cloned().or_else(|| g.scope.clone()).unwrap_or_else(|| "*".into());
            let role = g.actions.first().cloned();
            out.push(Access { action: None, role, resource, via: via.clone(), location: g.location.clone() });
            for rule in env.rules_bound_by(g) {
                out.extend(each(rule, &via, &g.location));
            }
        } else {
            out.extend(each(g, &via, &g.location));
        }
    }
    out
}

fn each(g: &Grant, via: &str, location: &Location) -> Vec<Access> {
    let resources: Vec<String> =
        if g.resources.is_empty() { vec![g.scope.clone().unwrap_or_else(|| "*".into())] } else { g.resources.clone() };
    g.actions
        .iter()
        .flat_map(|a| {
            resources.iter().map(move |r| Access {
                action: Some(a.clone()),
                role: None,
                resource: r.clone(),
                via: via.to_string(),
                location: location.clone(),
            })
        })
        .collect()
}

/// The policy, attachment or binding that gives a grant, as its facts name
/// it; else where it is written.
fn via(g: &Grant) -> String {
    ["binding", "policy", "attachment", "policy_name"]
        .iter()
        .find_map(|k| g.attrs.get(*k).filter(|v| !v.is_empty()).cloned())
        .unwrap_or_else(|| format!("{}:{}", g.location.path, g.location.line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Credential, Identity};

    fn at(path: &str, line: u32) -> Location {
        Location { path: path.into(), line, ..Default::default() }
    }

    fn role(name: &str, path: &str, owner: Option<&str>) -> Identity {
        Identity {
            kind: "iam_role".into(),
            name: name.into(),
            provider: Some("aws".into()),
            owner: owner.map(String::from),
            discovered: true,
            location: at(path, 1),
            ..Default::default()
        }
    }

    fn grant(identity: &str, actions: &[&str], path: &str) -> Grant {
        Grant {
            identity: Some(identity.into()),
            provider: Some("aws".into()),
            actions: actions.iter().map(|a| a.to_string()).collect(),
            resources: vec!["*".into()],
            location: at(path, 5),
            ..Default::default()
        }
    }

    #[test]
    fn joiners_leavers_movers_and_a_rename_that_keeps_the_name() {
        let before = FactSet {
            identities: vec![role("app", "iam.tf", Some("team-a")), role("old", "old.tf", None)],
            grants: vec![grant("app", &["s3:GetObject"], "iam.tf")],
            ..Default::default()
        };
        let mut new_role = role("ci", "ci.tf", Some("team-b"));
        new_role.kind = "iam_user".into();
        let after = FactSet {
            // `app` moved to another file and changed owner; `old` is gone;
            // `ci` is new, with a long-lived key.
            identities: vec![role("app", "roles/app.tf", Some("team-c")), new_role],
            grants: vec![grant("app", &["s3:GetObject"], "policy.tf"), grant("app", &["s3:PutObject"], "policy.tf")],
            credentials: vec![Credential {
                kind: "access_key".into(),
                identity: Some("ci".into()),
                long_lived: Some(true),
                location: at("ci.tf", 9),
                ..Default::default()
            }],
            ..Default::default()
        };
        let changes = between(&before, &after);
        let summary: Vec<(ChangeKind, &str)> = changes.iter().map(|c| (c.change, c.identity.name.as_str())).collect();
        assert_eq!(
            summary,
            vec![(ChangeKind::Modified, "app"), (ChangeKind::Removed, "old"), (ChangeKind::Added, "ci")],
            "{changes:#?}"
        );
        let app = &changes[0];
        let added: Vec<_> = app.grants_added.iter().map(|a| a.action.as_deref().unwrap_or("")).collect();
        assert_eq!(added, vec!["s3:PutObject"], "moving s3:GetObject to another file is no change");
        assert!(app.grants_removed.is_empty());
        assert_eq!(app.owner, Some(OwnerChange { before: Some("team-a".into()), after: Some("team-c".into()) }));
        let ci = &changes[2];
        assert_eq!(ci.credentials_added.len(), 1);
        assert!(ci.credentials_added[0].long_lived);
        assert!(between(&after, &after).is_empty(), "a side compared with itself has no changes");
    }

    #[test]
    fn a_policy_given_to_a_role_defined_elsewhere_modifies_it() {
        let before = FactSet::default();
        let after = FactSet { grants: vec![grant("app", &["iam:*"], "attach.tf")], ..Default::default() };
        let changes = between(&before, &after);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].change, ChangeKind::Modified);
        assert_eq!(changes[0].grants_added[0].action.as_deref(), Some("iam:*"));
    }
}
