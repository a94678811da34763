//! nhigate.toml: what a repository sets for its checks — packs to add,
//! rules to turn off (everywhere or under some paths), severity overrides,
//! paths to skip, the failing threshold, the baseline, and waivers.
//!
//! ```toml
//! rules = ["policy/extra.nhi"]       # packs, relative to this file
//! with = ["hardening"]               # optional built-in packs
//! disable = ["NHI-GHA-002"]
//! exclude = ["vendor/**"]
//! fail_on = "high"
//! confidence = "low"                 # report low-confidence secrets too
//! baseline = ".nhigate-baseline.json"
//!
//! [severity]
//! NHI-K8S-001 = "high"
//!
//! # With rules' parameters, the packs move into the table:
//! # [rules]
//! # packs = ["policy/extra.nhi"]
//! [rules.NHI-AGE-001]
//! max_age = "30d"
//!
//! [[paths]]
//! glob = "tests/**"
//! disable = ["generic-password"]
//!
//! [[waiver]]
//! rule = "NHI-OWN-001"               # or fingerprint = "…"
//! path = "legacy/**"
//! reason = "being decommissioned in Q3"
//! owner = "team-platform"
//! expires = 2026-09-30
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use serde::Deserialize;

use crate::detect::Confidence;
use crate::engine::Finding;
use crate::facts::{Date, Location};
use crate::severity::Severity;

pub(crate) const FILE_NAME: &str = "nhigate.toml";

#[derive(Debug, Default)]
pub struct Config {
    /// Where it was read from ("" when there is none).
    pub path: String,
    /// Packs, as written (relative to the config's folder).
    pub rules: Vec<PathBuf>,
    pub with: Vec<String>,
    pub disable: Vec<String>,
    pub exclude: Vec<String>,
    pub fail_on: Option<Severity>,
    /// The least confidence of a secret finding that is reported.
    pub confidence: Option<Confidence>,
    /// The baseline, as written (relative to the config's folder).
    pub baseline: Option<PathBuf>,
    pub severity: BTreeMap<String, Severity>,
    /// Rules' parameters: rule id → parameter → value, as written.
    pub params: BTreeMap<String, BTreeMap<String, toml::Value>>,
    pub paths: Vec<PathSettings>,
    pub waivers: Vec<Waiver>,
}

#[derive(Debug)]
pub struct PathSettings {
    pub glob: GlobMatcher,
    pub disable: Vec<String>,
}

#[derive(Debug)]
pub struct Waiver {
    pub fingerprint: Option<String>,
    pub rule: Option<String>,
    pub path: Option<String>,
    path_glob: Option<GlobMatcher>,
    pub reason: String,
    pub owner: String,
    pub expires: Date,
    /// The waiver's place in nhigate.toml.
    pub location: Location,
}

impl Waiver {
    pub fn matches(&self, f: &Finding) -> bool {
        match &self.fingerprint {
            Some(fp) => *fp == f.fingerprint,
            None => {
                self.rule.as_ref().is_none_or(|r| r.eq_ignore_ascii_case(&f.rule_id))
                    && self.path_glob.as_ref().is_none_or(|g| g.is_match(&f.location.path))
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    with: Vec<String>,
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    fail_on: Option<String>,
    confidence: Option<String>,
    baseline: Option<PathBuf>,
    #[serde(default)]
    severity: BTreeMap<String, String>,
    #[serde(default)]
    paths: Vec<RawPaths>,
    #[serde(default)]
    waiver: Vec<toml::Spanned<RawWaiver>>,
}

/// `rules = ["pack.nhi"]`, or a table: `packs` and `[rules.ID]` parameters.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawRules {
    Packs(Vec<PathBuf>),
    Table(BTreeMap<String, toml::Value>),
}

impl Default for RawRules {
    fn default() -> Self {
        RawRules::Packs(Vec::new())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPaths {
    glob: String,
    #[serde(default)]
    disable: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    fingerprint: Option<String>,
    rule: Option<String>,
    path: Option<String>,
    reason: Option<String>,
    owner: Option<String>,
    expires: Option<toml::value::Datetime>,
}

pub(crate) fn parse(path: &str, text: &str) -> Result<Config, String> {
    // The message and place only: toml's own rendering quotes the source
    // line, which may hold a secret.
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let at = e.span().map(|s| text.get(..s.start).unwrap_or("")).unwrap_or("");
        let line = at.matches('\n').count() + 1;
        let col = at.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{path}:{line}:{col}: {}", e.message().trim_end())
    })?;
    let severity_of = |s: &str, what: &str| {
        Severity::from_name(s).ok_or_else(|| {
            // A typo is shown; anything else might be a pasted secret.
            let shown = if s.len() <= 12 && s.chars().all(|c| c.is_ascii_alphabetic()) {
                s.to_string()
            } else {
                crate::facts::Redacted::new(s).to_string()
            };
            format!("{path}: {what}: unknown severity `{shown}` (one of {})", Severity::NAMES.join(", "))
        })
    };
    let glob = |g: &str| Glob::new(g).map(|g| g.compile_matcher()).map_err(|e| format!("{path}: bad glob `{g}`: {e}"));
    let (packs, params) = rules_table(path, raw.rules)?;
    let mut config = Config {
        path: path.to_string(),
        rules: packs,
        params,
        with: raw.with,
        disable: raw.disable,
        exclude: raw.exclude,
        fail_on: raw.fail_on.as_deref().map(|s| severity_of(s, "fail_on")).transpose()?,
        confidence: raw
            .confidence
            .as_deref()
            .map(|s| s.parse::<Confidence>().map_err(|e| format!("{path}: confidence: {e}")))
            .transpose()?,
        baseline: raw.baseline,
        ..Default::default()
    };
    for (rule, s) in &raw.severity {
        config.severity.insert(rule.clone(), severity_of(s, &format!("severity of {rule}"))?);
    }
    for p in &raw.paths {
        config.paths.push(PathSettings { glob: glob(&p.glob)?, disable: p.disable.clone() });
    }
    for w in &raw.waiver {
        let line = 1 + text.get(..w.span().start).map_or(0, |t| t.matches('\n').count());
        let at = |what: &str| format!("{path}:{line}: the waiver {what}");
        let w = w.get_ref();
        let need = |v: &Option<String>, field: &str| {
            v.clone()
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| at(&format!("needs `{field}` (every waiver has a reason, an owner and an expiry date)")))
        };
        let reason = need(&w.reason, "reason")?;
        let owner = need(&w.owner, "owner")?;
        let expires = w
            .expires
            .as_ref()
            .ok_or_else(|| at("needs `expires` (every waiver has a reason, an owner and an expiry date)"))
            .and_then(|d| Date::parse(&d.to_string()).map_err(|e| at(&format!("has a bad `expires`: {e}"))))?;
        if w.fingerprint.is_none() && w.rule.is_none() {
            return Err(at("names neither a `fingerprint` nor a `rule` (with an optional `path` glob)"));
        }
        config.waivers.push(Waiver {
            fingerprint: w.fingerprint.clone(),
            rule: w.rule.clone(),
            path: w.path.clone(),
            path_glob: w.path.as_deref().map(glob).transpose()?,
            reason,
            owner,
            expires,
            location: Location {
                path: display_name(path),
                line: u32::try_from(line).unwrap_or(0),
                column: 1,
                ..Default::default()
            },
        });
    }
    Ok(config)
}

/// The `rules` key: a list of packs, or a table of `packs` and per-rule
/// parameter tables.
#[allow(clippy::type_complexity)]
fn rules_table(
    path: &str,
    raw: RawRules,
) -> Result<(Vec<PathBuf>, BTreeMap<String, BTreeMap<String, toml::Value>>), String> {
    let table = match raw {
        RawRules::Packs(packs) => return Ok((packs, BTreeMap::new())),
        RawRules::Table(table) => table,
    };
    let mut packs = Vec::new();
    let mut params = BTreeMap::new();
    for (key, value) in table {
        match (key.as_str(), value) {
            ("packs", toml::Value::Array(items)) => {
                for item in items {
                    match item {
                        toml::Value::String(s) => packs.push(PathBuf::from(s)),
                        other => {
                            return Err(format!(
                                "{path}: rules.packs: a pack path is a string, not {}",
                                other.type_str()
                            ));
                        }
                    }
                }
            }
            (_, toml::Value::Table(t)) => {
                params.insert(key, t.into_iter().collect());
            }
            (_, other) => {
                return Err(format!(
                    "{path}: rules.{key}: expected a table of the rule's parameters (`[rules.{key}]`), found {}",
                    other.type_str()
                ));
            }
        }
    }
    Ok((packs, params))
}

/// The config's name as findings show it: the file name, relative to the root.
fn display_name(path: &str) -> String {
    Path::new(path).file_name().map_or_else(|| path.to_string(), |n| n.to_string_lossy().to_string())
}

impl Config {
    /// Every rule id the config names must exist: a typo would turn off or
    /// waive nothing and leave the author believing otherwise.
    pub fn check_rule_ids(&self, known: &[&str]) -> Result<(), String> {
        let mut named: Vec<(&str, &str)> = self.disable.iter().map(|r| (r.as_str(), "disable")).collect();
        named.extend(self.severity.keys().map(|r| (r.as_str(), "severity")));
        named.extend(self.params.keys().map(|r| (r.as_str(), "rules")));
        named.extend(self.paths.iter().flat_map(|p| p.disable.iter().map(|r| (r.as_str(), "paths.disable"))));
        named.extend(self.waivers.iter().filter_map(|w| w.rule.as_deref().map(|r| (r, "waiver.rule"))));
        for (id, key) in named {
            if !known.iter().any(|k| k.eq_ignore_ascii_case(id)) {
                let hint = crate::lang::error::suggest(id, known.iter().copied())
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                return Err(format!("{}: `{key}` names the rule `{id}`, which does not exist{hint}", self.path));
            }
        }
        Ok(())
    }

    /// Set the rules' parameters the config names: each must be declared by
    /// its rule (a typo gets the nearest name) and have the declared type.
    pub fn set_params(&self, program: &mut crate::lang::Program) -> Result<(), String> {
        for (id, values) in &self.params {
            let Some(rule) = program.rules.iter_mut().find(|r| r.id.eq_ignore_ascii_case(id)) else {
                continue; // check_rule_ids reports it
            };
            for (name, value) in values {
                let Some(param) = rule.params.iter_mut().find(|p| p.name == *name) else {
                    let names: Vec<&str> = rule.params.iter().map(|p| p.name.as_str()).collect();
                    let hint = match crate::lang::error::suggest(name, names.iter().copied()) {
                        Some(n) => format!("; did you mean `{n}`?"),
                        None if names.is_empty() => format!("; `{}` has no parameters", rule.id),
                        None => format!(
                            "; its parameters are {}",
                            names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                        ),
                    };
                    return Err(format!("{}: [rules.{id}]: the rule has no parameter `{name}`{hint}", self.path));
                };
                param.value = crate::lang::program::param_value(param.ty, value)
                    .map_err(|why| format!("{}: [rules.{id}] {name}: {why}", self.path))?;
            }
        }
        Ok(())
    }

    /// Drop disabled rules (everywhere, or under a path) and apply severity overrides.
    pub fn adjust(&self, findings: &mut Vec<Finding>) {
        findings.retain(|f| {
            let off = |list: &[String]| list.iter().any(|r| r.eq_ignore_ascii_case(&f.rule_id));
            !off(&self.disable) && !self.paths.iter().any(|p| p.glob.is_match(&f.location.path) && off(&p.disable))
        });
        for f in findings.iter_mut() {
            if let Some(s) = self.severity.get(&f.rule_id) {
                f.severity = *s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_config_reads() {
        let c = parse(
            "repo/nhigate.toml",
            "rules = [\"p.nhi\"]\ndisable = [\"X\"]\nfail_on = \"high\"\n[severity]\nNHI-K8S-001 = \"critical\"\n[[paths]]\nglob = \"tests/**\"\ndisable = [\"Y\"]\n\n[[waiver]]\nrule = \"NHI-OWN-001\"\npath = \"legacy/**\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2026-01-31\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.rules, vec![PathBuf::from("p.nhi")]);
        assert_eq!(c.fail_on, Some(Severity::High));
        assert_eq!(c.severity.get("NHI-K8S-001"), Some(&Severity::Critical));
        assert_eq!((c.waivers[0].location.line, c.waivers[0].expires.to_string()), (10, "2026-01-31".to_string()));
    }

    #[test]
    fn waivers_need_reason_owner_and_expiry() {
        let e = parse("nhigate.toml", "[[waiver]]\nrule = \"X\"\nowner = \"o\"\nexpires = 2026-01-01\n").err();
        assert_eq!(
            e.as_deref(),
            Some("nhigate.toml:1: the waiver needs `reason` (every waiver has a reason, an owner and an expiry date)")
        );
        let e = parse("nhigate.toml", "[[waiver]]\nrule = \"X\"\nowner = \"o\"\nreason = \"r\"\n")
            .err()
            .unwrap_or_default();
        assert!(e.contains("needs `expires`"), "{e}");
    }

    #[test]
    fn rule_parameters_are_checked_against_the_rules_declarations() {
        let src = "rule P \"p\" {\n severity low\n param prefix = \"Rou\"\n param max_age = 90d\n on credential\n deny starts_with(name, prefix)\n require age <= max_age\n}\n";
        let sources =
            [crate::lang::PackSource { path: "p.nhi".into(), text: src.into(), verify: crate::lang::Verify::Full }];
        let mut program = crate::lang::compile(&sources).unwrap_or_else(|e| panic!("{}", e.render(false))).program;
        let set = |toml: &str, program: &mut crate::lang::Program| {
            let config = parse("nhigate.toml", toml).unwrap_or_else(|e| panic!("{e}"));
            config.set_params(program)
        };
        assert_eq!(set("[rules.P]\nprefix = \"Xyz\"\nmax_age = \"30d\"\n", &mut program), Ok(()));
        let values: Vec<String> = program.rules[0].params.iter().map(|p| p.value.to_string()).collect();
        assert_eq!(values, ["Xyz", "30d"]);
        let typo = set("[rules.P]\nprefx = \"Xyz\"\n", &mut program).err().unwrap_or_default();
        assert!(typo.ends_with("the rule has no parameter `prefx`; did you mean `prefix`?"), "{typo}");
        let wrong = set("[rules.P]\nmax_age = 30\n", &mut program).err().unwrap_or_default();
        assert!(wrong.ends_with("max_age: expected a duration like \"30d\", found a number"), "{wrong}");
        // The packs move into the table beside the parameters.
        let c = parse("nhigate.toml", "[rules]\npacks = [\"p.nhi\"]\n[rules.P]\nprefix = \"a\"\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.rules, vec![PathBuf::from("p.nhi")]);
        assert_eq!(
            c.check_rule_ids(&["NHI-AGE-001"]).err().unwrap_or_default(),
            "nhigate.toml: `rules` names the rule `P`, which does not exist"
        );
    }

    #[test]
    fn unknown_keys_and_severities_are_errors_with_the_place() {
        let e = parse("nhigate.toml", "fail-on = \"high\"\n").err().unwrap_or_default();
        assert!(e.starts_with("nhigate.toml:1:1: ") && e.contains("fail-on"), "{e}");
        let e = parse("nhigate.toml", "fail_on = \"severe\"\n").err().unwrap_or_default();
        assert!(e.contains("unknown severity `severe`"), "{e}");
    }
}
