//! Living with findings: inline `nhigate:ignore` comments, waivers from
//! nhigate.toml and a baseline of known fingerprints. A suppressed finding
//! is kept, marked with why, so that SARIF can list it as a suppression;
//! it no longer fails the check. A waiver past its expiry suppresses
//! nothing and becomes a finding itself.

pub(crate) mod baseline;
pub(crate) mod inline;

use crate::config::Waiver;
use crate::engine::{Finding, gate};
pub(crate) use crate::engine::{Suppression, SuppressionKind};
use crate::facts::Date;

pub(crate) use inline::Ignore;

/// The ways to suppress, gathered from the scan, the config and the baseline.
#[derive(Default)]
pub(crate) struct Suppressions<'a> {
    pub inline: &'a [Ignore],
    pub waivers: &'a [Waiver],
    pub baseline: Option<&'a baseline::Baseline>,
}

/// The rule id of the finding an expired waiver becomes.
pub(crate) const EXPIRED_WAIVER: &str = gate::WAIVER_EXPIRED.id;

/// Mark what is suppressed (the first that applies: inline, waiver,
/// baseline), and add a finding for each expired waiver.
pub(crate) fn apply(findings: &mut Vec<Finding>, s: &Suppressions<'_>, now: Date) {
    for f in findings.iter_mut() {
        f.suppression = inline_for(f, s.inline)
            .or_else(|| waiver_for(f, s.waivers, now))
            .or_else(|| s.baseline.and_then(|b| b.suppression(&f.fingerprint)));
    }
    findings.extend(s.waivers.iter().filter(|w| w.expires <= now).map(expired));
    crate::engine::sort(findings);
}

fn inline_for(f: &Finding, ignores: &[Ignore]) -> Option<Suppression> {
    // A comment in the changed settings file must not hide the change.
    if f.rule_id == gate::GATE_CONFIG_CHANGED.id {
        return None;
    }
    ignores
        .iter()
        .find(|i| {
            i.covers(&f.location.path, f.location.commit.as_deref(), f.location.line)
                && i.rule.eq_ignore_ascii_case(&f.rule_id)
        })
        .map(|i| Suppression {
            kind: SuppressionKind::Inline,
            reason: i.reason.clone(),
            owner: None,
            expires: None,
            source: format!("{}:{}", i.path, i.line),
        })
}

fn waiver_for(f: &Finding, waivers: &[Waiver], now: Date) -> Option<Suppression> {
    waivers.iter().filter(|w| w.expires > now).find(|w| w.matches(f)).map(|w| Suppression {
        kind: SuppressionKind::Waiver,
        reason: w.reason.clone(),
        owner: Some(w.owner.clone()),
        expires: Some(w.expires),
        source: format!("{}:{}", w.location.path, w.location.line),
    })
}

fn expired(w: &Waiver) -> Finding {
    let what = match (&w.fingerprint, &w.rule, &w.path) {
        (Some(fp), _, _) => format!("fingerprint {fp}"),
        (None, Some(rule), Some(path)) => format!("{rule} in `{path}`"),
        (None, Some(rule), None) => rule.clone(),
        _ => "findings".into(),
    };
    let message = format!("the waiver for {what} (owner {}) expired on {}: {}", w.owner, w.expires, w.reason);
    gate::finding(&gate::WAIVER_EXPIRED, w.location.clone(), message, &format!("{what}\u{0}{}", w.expires))
}
