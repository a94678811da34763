//! A finding: a rule or detector that fired, where, and the fingerprint that
//! identifies it across edits, rebases and squash merges.
//!
//! A fingerprint is a hash of the rule id, the normalized path and the
//! secret's value (for a secret) or the fact's identity (for a policy
//! finding): never the line number or a commit.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::detect::Detector;
use crate::facts::{Credential, Date, FirstSeen, Grant, Identity, Location, Redacted, Secret};
use crate::lang::program::Rule;
use crate::severity::Severity;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    Secret,
    Policy,
}

/// What a policy finding is about: the fact type, and the kind and name of
/// the identity, credential or grant.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Subject {
    pub fact: &'static str,
    pub kind: String,
    pub name: String,
    /// What else tells this fact from another of the same kind and name in
    /// the same file (a workload's name, a statement's resources): part of
    /// the fingerprint, not shown.
    #[serde(skip)]
    pub detail: String,
}

impl Subject {
    pub fn identity(i: &Identity) -> Subject {
        Subject { fact: "identity", kind: i.kind.clone(), name: i.name.clone(), detail: String::new() }
    }

    pub fn credential(c: &Credential) -> Subject {
        let name = c.identity.clone().or_else(|| c.name.clone()).unwrap_or_default();
        // Two workloads on one service account are two credentials.
        let detail = c.name.clone().filter(|n| Some(n) != c.identity.as_ref()).unwrap_or_default();
        Subject { fact: "credential", kind: c.kind.clone(), name, detail }
    }

    pub fn grant(g: &Grant) -> Subject {
        let mut actions = g.actions.clone();
        actions.sort();
        // The same actions in two statements (two policy documents of one
        // file) differ by their resources, conditions or statement id.
        let mut resources = g.resources.clone();
        resources.sort();
        let conditions: Vec<&str> = g.conditions.keys().map(String::as_str).collect();
        let sid = g.attrs.get("sid").map_or("", String::as_str);
        Subject {
            fact: "grant",
            kind: g.effect.clone().unwrap_or_else(|| "allow".into()),
            name: format!("{}:{}", g.identity.as_deref().unwrap_or(""), actions.join(",")),
            detail: format!("{}\u{0}{}\u{0}{sid}", resources.join(","), conditions.join(",")),
        }
    }

    pub fn change(c: &crate::facts::delta::Change) -> Subject {
        let id = &c.identity;
        Subject { fact: "change", kind: id.kind.clone(), name: id.name.clone(), detail: String::new() }
    }

    pub fn secret(s: &Secret) -> Subject {
        Subject {
            fact: "secret",
            kind: s.detector.clone(),
            name: value_key(&s.value_hash).to_string(),
            detail: String::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub rule_id: String,
    pub kind: FindingKind,
    pub severity: Severity,
    pub title: String,
    pub message: String,
    pub location: Location,
    pub fingerprint: String,
    /// What the fingerprint hashes besides the rule and the path, so that it
    /// can be taken again from the repository's root (`rebase`).
    #[serde(skip)]
    pub fingerprint_key: String,
    /// The clause that fired, for a policy finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    /// The list item that made the clause fail (a scope, an action).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// Why it does not fail the check, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
    /// The same finding in copies of the same content elsewhere
    /// (`group_copies`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Location>,
    /// The fingerprint of the secret finding this policy finding repeats
    /// (`link_repeats_of_secrets`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeats: Option<String>,
}

/// What a report may show of a secret. The value is redacted by type.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecretDetails {
    pub value: Redacted,
    pub entropy: f64,
    pub confidence: crate::detect::Confidence,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<FirstSeen>,
    /// Where the credential's other part is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pair: Option<Location>,
}

impl Finding {
    pub fn secret(detector: &Detector, s: &Secret) -> Finding {
        let spec = &detector.spec;
        Finding {
            rule_id: spec.id.clone(),
            kind: FindingKind::Secret,
            severity: spec.severity,
            title: spec.title.clone(),
            message: format!("{} `{}`", spec.title, s.value),
            fingerprint: fingerprint(&spec.id, &s.location.path, value_key(&s.value_hash)),
            fingerprint_key: value_key(&s.value_hash).to_string(),
            location: s.location.clone(),
            clause: None,
            witness: None,
            subject: None,
            secret: Some(SecretDetails {
                value: s.value.clone(),
                entropy: (s.entropy * 100.0).round() / 100.0,
                confidence: s.confidence,
                provider: s.provider.clone(),
                first_seen: s.first_seen.clone(),
                pair: s.pair.clone(),
            }),
            fix: Some(
                "revoke the secret at its provider, remove it from the code, and load it from a secret store".into(),
            ),
            suppression: None,
            also: Vec::new(),
            repeats: None,
        }
    }

    /// A rule's finding on one fact; `witness` is the list item that made a
    /// quantifier clause fail, when one did (each item is its own finding).
    pub fn policy(
        rule: &Rule,
        subject: Subject,
        location: &Location,
        message: String,
        clause: &str,
        witness: Option<String>,
    ) -> Finding {
        let mut key = format!("{}\u{0}{}\u{0}{}", subject.fact, subject.kind, subject.name);
        if !subject.detail.is_empty() {
            key.push('\u{0}');
            key.push_str(&subject.detail);
        }
        if let Some(w) = &witness {
            key.push('\u{0}');
            key.push_str(w);
        }
        Finding {
            rule_id: rule.id.clone(),
            kind: FindingKind::Policy,
            severity: rule.severity,
            title: rule.title.clone(),
            message,
            fingerprint: fingerprint(&rule.id, &location.path, &key),
            fingerprint_key: key,
            location: location.clone(),
            clause: Some(clause.to_string()),
            witness,
            subject: Some(subject),
            secret: None,
            fix: rule.fix.clone(),
            suppression: None,
            also: Vec::new(),
            repeats: None,
        }
    }
}

/// Fingerprints taken from the repository's root rather than the scanned
/// folder (`root` is that folder's path from the repository root, empty
/// for the root itself): a scan of a subfolder, of the whole repository and
/// one on another machine give a finding the same fingerprint. Paths in
/// reports stay as scanned.
pub fn rebase(findings: &mut [Finding], root: &str) {
    let root = root.trim_matches('/');
    if root.is_empty() {
        return;
    }
    for f in findings {
        f.fingerprint = fingerprint(&f.rule_id, &format!("{root}/{}", f.location.path), &f.fingerprint_key);
    }
}

/// What a fingerprint keeps of a secret's value: 20 bits of its SHA-256
/// (the first five hex digits of the value hash).
///
/// A fingerprint is public (baselines are committed, SARIF is uploaded), so
/// it must not let anyone confirm a guessed secret. With 20 bits, each
/// guess matches by chance one time in a million: a dictionary of ten
/// million passwords yields about ten candidates for every fingerprint, and
/// no way to tell which, while two different secrets at the same rule and
/// path still get different fingerprints (a one-in-a-million collision).
/// What it cannot hide is a guess from a handful of candidates; such a
/// value is weak wherever it is written. See README, "Guarantees".
pub fn value_key(value_hash: &str) -> &str {
    value_hash.get(..VALUE_KEY_HEX_DIGITS).unwrap_or(value_hash)
}

/// Five hex digits: 20 bits.
const VALUE_KEY_HEX_DIGITS: usize = 5;

/// The first 128 bits of SHA-256 over the id, the path and the key, in hex.
pub fn fingerprint(rule_id: &str, path: &str, key: &str) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(crate::source::normalize_path(path).as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// One finding for one problem: identical policy findings (same rule,
/// subject, message, item and suppression) on identical content in
/// different files, as generated bundles and vendored copies of manifests
/// make, are kept once, at the first path, with the other places in `also`.
/// `content` identifies the content a finding sits in (a hash of its YAML
/// document, or of its file); what it cannot read is never grouped.
pub fn group_copies(findings: &mut Vec<Finding>, mut content: impl FnMut(&str, u32) -> Option<u64>) {
    let mut key = |f: &Finding| {
        if f.kind != FindingKind::Policy || f.subject.is_none() {
            return None;
        }
        Some((
            content(&f.location.path, f.location.line)?,
            f.rule_id.clone(),
            f.subject.clone(),
            f.message.clone(),
            f.witness.clone(),
            f.suppression.is_some(),
        ))
    };
    let mut first: std::collections::BTreeMap<_, usize> = std::collections::BTreeMap::new();
    let mut copies: Vec<(usize, Location)> = Vec::new();
    let mut keep = vec![true; findings.len()];
    for (i, f) in findings.iter().enumerate() {
        let Some(k) = key(f) else { continue };
        match first.get(&k) {
            Some(&j) if findings[j].location.path != f.location.path => {
                keep[i] = false;
                copies.push((j, f.location.clone()));
            }
            Some(_) => {}
            None => {
                first.insert(k, i);
            }
        }
    }
    for (j, at) in copies {
        findings[j].also.push(at);
    }
    let mut i = 0;
    findings.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// One problem, one finding: a policy finding about a credential (a literal
/// in an MCP config or a pipeline) where a detector reports the secret
/// itself, unsuppressed, at the same line, repeats it. It keeps its place
/// in JSON and SARIF, which tools and labelled sets read, marked with the
/// secret finding's fingerprint; the reports people read show it once,
/// with the secret. The policy rule alone still reports what no detector
/// recognises.
pub fn link_repeats_of_secrets(findings: &mut [Finding]) {
    let secrets: std::collections::HashMap<(String, u32), String> = findings
        .iter()
        .filter(|f| f.kind == FindingKind::Secret && f.suppression.is_none())
        .map(|f| ((f.location.path.clone(), f.location.line), f.fingerprint.clone()))
        .collect();
    for f in findings.iter_mut() {
        if f.subject.as_ref().is_some_and(|s| s.fact == "credential") {
            f.repeats = secrets.get(&(f.location.path.clone(), f.location.line)).cloned();
        }
    }
}

/// Sort by path, line, column, rule id, then the rest, so that output is
/// the same at any thread count.
pub fn sort(findings: &mut [Finding]) {
    // NOTE: unstable is deterministic here: the key ends with the
    // fingerprint and message, so only identical findings tie.
    findings.sort_unstable_by(|a, b| {
        (&a.location.path, a.location.line, a.location.column, &a.rule_id, &a.fingerprint, &a.message).cmp(&(
            &b.location.path,
            b.location.line,
            b.location.column,
            &b.rule_id,
            &b.fingerprint,
            &b.message,
        ))
    });
}

/// Why a finding no longer fails the check (`suppress` decides it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressionKind {
    /// A `nhigate:ignore` comment in the source.
    Inline,
    /// A waiver in nhigate.toml.
    Waiver,
    /// A fingerprint in the baseline file.
    Baseline,
}

#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
    /// Where the suppression is written: `app.py:12`, `nhigate.toml:30`.
    pub source: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_path_spelling_but_not_content() {
        assert_eq!(fingerprint("R", "./a/b.tf", "k"), fingerprint("R", "a/b.tf", "k"));
        assert_eq!(fingerprint("R", "a\\b.tf", "k") == fingerprint("R", "a/b.tf", "k"), cfg!(windows));
        assert_ne!(fingerprint("R", "a/b.tf", "k"), fingerprint("R", "a/c.tf", "k"));
        assert_ne!(fingerprint("R", "a/b.tf", "k"), fingerprint("S", "a/b.tf", "k"));
        assert_eq!(fingerprint("R", "a", "k").len(), 32);
        assert_eq!(value_key("0123456789abcdef"), "01234");
    }
}
