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
pub(crate) mod gate;

pub use finding::{
    Finding, FindingKind, SecretDetails, Subject, Suppression, SuppressionKind, fingerprint, group_copies,
    link_repeats_of_secrets, rebase, sort, value_key,
};

use crate::facts::schema::Env;
use crate::facts::{Date, FactSet, FactType, RecordRef, Value};
use crate::lang::program::{Clause, ClauseKind, Expr, Program, Rule, Segment};

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
            FactType::Change => {
                for c in &facts.changes {
                    let at = &c.identity.location;
                    fire(rule, &env, RecordRef::Change(c), Subject::change(c), at, &mut findings);
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

fn fire<'a>(
    rule: &'a Rule,
    env: &Env<'a>,
    fact: RecordRef<'a>,
    subject: Subject,
    location: &crate::facts::Location,
    out: &mut Vec<Finding>,
) {
    let at = fact.locations().map(|(_, at)| at);
    for clause in failing_clauses(rule, env, fact) {
        // Point at the field the failing clause read, where the fact knows it.
        let field_at = at.and_then(|at| clause.fields.iter().find_map(|f| at.get(f))).unwrap_or(location);
        let witnesses = deciding(rule, clause, env, fact);
        // Items that are records (a binding's role rules, an identity's
        // credentials) may be in other files: one finding for the clause, at
        // the fact, naming the first record that decided.
        if let Some((_, first)) = witnesses.iter().find(|(_, v)| matches!(v, Value::Record(_))) {
            let message = render(rule, env, fact, Some(first));
            let witness = Some(first.to_string());
            out.push(Finding::policy(rule, subject.clone(), field_at, message, &shown(rule, clause), witness));
            continue;
        }
        if witnesses.is_empty() || witnesses.iter().any(|(_, v)| matches!(v, Value::List(_) | Value::Map(_))) {
            let message = render(rule, env, fact, None);
            out.push(Finding::policy(rule, subject.clone(), field_at, message, &shown(rule, clause), None));
            continue;
        }
        let field = quantified_field(clause);
        for (i, item) in witnesses {
            // Each offending item at its own line, where the fact knows it.
            let item_at = field.and_then(|f| at?.get(&format!("{f}[{i}]"))).unwrap_or(field_at);
            let message = render(rule, env, fact, Some(&item));
            out.push(Finding::policy(
                rule,
                subject.clone(),
                item_at,
                message,
                &shown(rule, clause),
                Some(item.to_string()),
            ));
        }
    }
}

/// A clause as a report shows it: as written, with the values in force of
/// the single-valued parameters it reads (`require age <= max_age
/// (max_age = 30d)`); lists are long, and `rules explain` shows them.
fn shown(rule: &Rule, clause: &Clause) -> String {
    let values: Vec<String> = clause
        .params
        .iter()
        .filter_map(|&i| rule.params.get(i))
        .filter(|p| !matches!(p.value, Value::List(_) | Value::Map(_)))
        .map(|p| format!("{} = {}", p.name, p.value))
        .collect();
    if values.is_empty() { clause.text.clone() } else { format!("{} ({})", clause.text, values.join(", ")) }
}

/// The clauses that make `rule` fire on one fact: the first that is not
/// satisfied (a `require` that is not definitely true, a `deny` that is
/// true), then every later one that definitely fails, so that one fact
/// reports each of its problems once, and an absent field only once.
pub fn failing_clauses<'a>(rule: &'a Rule, env: &Env<'a>, fact: RecordRef<'a>) -> Vec<&'a Clause> {
    let mut eval = Eval::new(env, &rule.params, Value::Record(fact));
    if !rule.filters.iter().all(|f| eval.truth(f) == Some(true)) {
        return Vec::new();
    }
    let mut out: Vec<&Clause> = Vec::new();
    for c in &rule.clauses {
        let t = eval.truth(&c.expr);
        let fails = match c.kind {
            ClauseKind::Require if out.is_empty() => t != Some(true),
            ClauseKind::Require => t == Some(false),
            ClauseKind::Deny => t == Some(true),
        };
        if fails {
            out.push(c);
        }
    }
    out
}

/// The items that made a quantifier clause fail: each item of a
/// `deny any x in L: …` the body holds for, each of a `require all x in L:
/// …` it does not.
fn deciding<'a>(rule: &'a Rule, clause: &'a Clause, env: &Env<'a>, fact: RecordRef<'a>) -> Vec<(usize, Value<'a>)> {
    let mut eval = Eval::new(env, &rule.params, Value::Record(fact));
    match (clause.kind, &clause.expr) {
        (ClauseKind::Deny, Expr::Any(list, body)) => eval.deciding(list, body, true),
        (ClauseKind::Require, Expr::All(list, body)) => eval.deciding(list, body, false),
        _ => Vec::new(),
    }
}

/// The fact's own field a quantifier clause ranges over (`scopes` in
/// `require all s in scopes: …`).
fn quantified_field(clause: &Clause) -> Option<&'static str> {
    match &clause.expr {
        Expr::Any(list, _) | Expr::All(list, _) => match list.as_ref() {
            Expr::Field(base, def) if matches!(base.as_ref(), Expr::Var(0)) => Some(def.name),
            _ => None,
        },
        _ => None,
    }
}

fn render<'a>(rule: &'a Rule, env: &Env<'a>, fact: RecordRef<'a>, witness: Option<&Value<'a>>) -> String {
    let Some(t) = &rule.message else { return rule.title.clone() };
    let mut eval = Eval::new(env, &rule.params, Value::Record(fact));
    let mut out = String::new();
    for s in &t.segments {
        match s {
            Segment::Text(text) => out.push_str(text),
            Segment::Field(e) => out.push_str(&eval.eval(e).to_string()),
            Segment::Witness => out.push_str(&witness.map(Value::to_string).unwrap_or_default()),
        }
    }
    out
}

#[cfg(test)]
mod tests;
