//! The gate's own rules: findings about the check itself rather than about
//! the code — a waiver that expired, a branch that changes the gate's
//! settings, a file that could not be scanned. They are not written in the
//! rule language (they read no facts), but they are reported, configured
//! (`[severity]`, `disable`) and documented like every other rule.

use super::{Finding, FindingKind, fingerprint};
use crate::facts::Location;
use crate::severity::Severity;

pub(crate) struct GateRule {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub fix: &'static str,
    pub docs: &'static str,
}

pub(crate) const WAIVER_EXPIRED: GateRule = GateRule {
    id: "waiver-expired",
    title: "Waivers are renewed or removed when they expire",
    severity: Severity::Medium,
    fix: "fix what the waiver covered, or renew the waiver with a new expiry date and reason",
    docs: "A waiver in nhigate.toml suppresses findings until its expiry date; after it, the findings fail again and the stale waiver is reported so that its owner renews or removes it.",
};

pub(crate) const GATE_CONFIG_CHANGED: GateRule = GateRule {
    id: "gate-config-changed",
    title: "A change to the gate's own settings is reviewed",
    severity: Severity::High,
    fix: "have the owners of the gate review the change to its settings; the branch is checked with the base commit's settings until it merges",
    docs: "`check --base` reads nhigate.toml, .nhigateignore, the baseline and the packs they name from the base commit, so a branch cannot change how it is judged. A branch that changes them is reported with what the change would weaken (rules turned off, severities lowered, the threshold raised, waivers, baseline entries or excluded paths added, packs changed) at high severity, or at info when it only strengthens the gate. Inline ignores do not suppress it.",
};

pub(crate) const FILE_NOT_SCANNED: GateRule = GateRule {
    id: "file-not-scanned",
    title: "Every file is scanned",
    severity: Severity::Medium,
    fix: "raise --max-file-size, split the file, or exclude it in .nhigateignore after reviewing it",
    docs: "A text file that could not be read or is over the size cap was not scanned, so a secret in it would pass unseen; it is reported instead of passing silently. Binary files are listed as skipped, not reported.",
};

/// Every gate rule, in id order.
pub(crate) const ALL: &[&GateRule] = &[&FILE_NOT_SCANNED, &GATE_CONFIG_CHANGED, &WAIVER_EXPIRED];

/// A finding of a gate rule at `location`; `key` tells one finding of the
/// rule at that path from another.
pub(crate) fn finding(rule: &GateRule, location: Location, message: String, key: &str) -> Finding {
    Finding {
        rule_id: rule.id.into(),
        kind: FindingKind::Policy,
        severity: rule.severity,
        title: rule.title.into(),
        message,
        fingerprint: fingerprint(rule.id, &location.path, key),
        fingerprint_key: key.to_string(),
        location,
        clause: None,
        witness: None,
        subject: None,
        secret: None,
        fix: Some(rule.fix.into()),
        suppression: None,
        also: Vec::new(),
        repeats: None,
    }
}
