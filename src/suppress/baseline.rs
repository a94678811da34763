//! The baseline: the fingerprints of findings a team has accepted for now,
//! so that only new ones fail. Sorted, with rule and path for review but no
//! line numbers or timestamps, so that it does not churn in merges.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Suppression, SuppressionKind};
use crate::engine::Finding;

/// Version 2: a secret's fingerprint keeps 20 bits of its value's hash
/// (version 1 kept 128, enough to confirm a guessed password).
pub(crate) const BASELINE_VERSION: u32 = 2;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
    /// Where the baseline was read from, for suppressions' `source`.
    #[serde(skip)]
    pub path: String,
    #[serde(skip)]
    by_fingerprint: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub path: String,
}

impl Baseline {
    /// The baseline of these findings (each fingerprint once).
    pub fn of(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<Entry> = findings
            .iter()
            .map(|f| Entry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule_id.clone(),
                path: f.location.path.clone(),
            })
            .collect();
        entries.sort();
        entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline { version: BASELINE_VERSION, findings: entries, ..Default::default() }
    }

    pub fn parse(path: &str, text: &str) -> Result<Baseline, String> {
        let mut b: Baseline =
            serde_json::from_str(text).map_err(|e| format!("baseline `{path}` is not a baseline file: {e}"))?;
        if b.version != BASELINE_VERSION {
            return Err(format!(
                "baseline `{path}` has version {}; this nhigate reads version {BASELINE_VERSION} (fingerprints of secrets changed: regenerate it with `nhigate baseline`, and delete the old one from the history if it was public)",
                b.version
            ));
        }
        b.path = path.to_string();
        b.by_fingerprint = b.findings.iter().enumerate().map(|(i, e)| (e.fingerprint.clone(), i)).collect();
        Ok(b)
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    pub fn suppression(&self, fingerprint: &str) -> Option<Suppression> {
        self.by_fingerprint.get(fingerprint).map(|_| Suppression {
            kind: SuppressionKind::Baseline,
            reason: "in the baseline".into(),
            owner: None,
            expires: None,
            source: self.path.clone(),
        })
    }
}
