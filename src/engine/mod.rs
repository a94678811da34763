//! Evaluation: a compiled program over a fact set gives findings.
//!
//! Every secret fact is a finding of the detector that found it; every rule
//! is run over the facts of its `on` type: a fact passes the `where` filters
//! when each is definitely true, and then fires at the first `require` that
//! is not definitely true or the first `deny` that is. One fact fires a rule
//! at most once. Findings come out sorted, whatever order the facts came in.

mod aws_actions;
mod eval;
mod finding;
pub mod gate;

pub use finding::{Finding, FindingKind, Subject, fingerprint, normalize_path, sort, value_key};

use crate::facts::schema::Env;
use crate::facts::{Date, FactSet, FactType, RecordRef, Value};
use crate::lang::program::{Clause, ClauseKind, Program, Rule, Segment, Template};

use eval::Eval;

/// Evaluate every rule and detector of `program` over `facts` at `now`.
pub fn evaluate(program: &Program, facts: &FactSet, now: Date) -> Vec<Finding> {
    let env = Env::new(facts, now);
    let mut findings = Vec::new();

    for secret in &facts.secrets {
        let Some(index) = program.detector_index(&secret.detector) else {
            continue;
        };
        let Some(detector) = program.detectors.get(index) else {
            continue;
        };
        findings.push(Finding::secret(detector, secret));
    }

    for rule in &program.rules {
        match rule.on {
            FactType::Identity => {
                for f in &facts.identities {
                    fire(rule, &env, RecordRef::Identity(f), Subject::identity(f), &f.location, &mut findings);
                }
            }
            FactType::Credential => {
                for f in &facts.credentials {
                    fire(rule, &env, RecordRef::Credential(f), Subject::credential(f), &f.location, &mut findings);
                }
            }
            FactType::Grant => {
                for f in &facts.grants {
                    fire(rule, &env, RecordRef::Grant(f), Subject::grant(f), &f.location, &mut findings);
                }
            }
            FactType::Secret => {
                for f in &facts.secrets {
                    fire(rule, &env, RecordRef::Secret(f), Subject::secret(f), &f.location, &mut findings);
                }
            }
        }
    }
    finding::sort(&mut findings);
    findings
}

/// Keep one finding per fingerprint: the one whose secret was seen first
/// (or, without history, the first in report order).
pub fn keep_first_per_fingerprint(findings: &mut Vec<Finding>) {
    let first_date = |f: &Finding| f.secret.as_ref().and_then(|s| s.first_seen.as_ref()).and_then(|s| s.date);
    let mut best: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        let keep = best.entry(f.fingerprint.clone()).or_insert(i);
        let current = &findings[*keep];
        let commit_of = |f: &Finding| f.location.commit.is_some();
        // An unsuppressed sighting wins: an ignore written in one blob must
        // not hide the same secret committed in another.
        let rank = |f: &Finding| (f.suppression.is_some(), first_date(f).is_none(), first_date(f), !commit_of(f));
        if rank(f) < rank(current) {
            *keep = i;
        }
    }
    let keep: std::collections::HashSet<usize> = best.into_values().collect();
    let mut i = 0;
    findings.retain(|_| {
        i += 1;
        keep.contains(&(i - 1))
    });
}

/// Whether `rule` fires on one fact, and which clause made it fire.
pub fn check_fact<'a>(rule: &'a Rule, env: &Env<'a>, fact: RecordRef<'a>) -> Option<&'a Clause> {
    let mut eval = Eval::new(env, Value::Record(fact));
    if !rule.filters.iter().all(|f| eval.truth(f) == Some(true)) {
        return None;
    }
    rule.clauses.iter().find(|c| {
        let t = eval.truth(&c.expr);
        match c.kind {
            ClauseKind::Require => t != Some(true),
            ClauseKind::Deny => t == Some(true),
        }
    })
}

fn fire<'a>(
    rule: &'a Rule,
    env: &Env<'a>,
    fact: RecordRef<'a>,
    subject: Subject,
    location: &crate::facts::Location,
    out: &mut Vec<Finding>,
) {
    if let Some(clause) = check_fact(rule, env, fact) {
        let message = match &rule.message {
            Some(t) => render(t, env, fact),
            None => rule.title.clone(),
        };
        // Point at the field the failing clause read, where the fact knows it.
        let at = fact.locations().and_then(|(_, at)| clause.fields.iter().find_map(|f| at.get(f))).unwrap_or(location);
        out.push(Finding::policy(rule, subject, at, message, &clause.text));
    }
}

fn render<'a>(t: &'a Template, env: &Env<'a>, fact: RecordRef<'a>) -> String {
    let mut eval = Eval::new(env, Value::Record(fact));
    let mut out = String::new();
    for s in &t.segments {
        match s {
            Segment::Text(text) => out.push_str(text),
            Segment::Field(e) => out.push_str(&eval.eval(e).to_string()),
        }
    }
    out
}

#[cfg(test)]
mod tests;
