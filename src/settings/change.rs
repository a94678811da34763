//! A branch that changes the gate's own settings is reported: what the
//! change weakens (rules turned off, severities lowered, the threshold
//! raised, waivers and baseline entries added, paths excluded, packs
//! changed) as a high finding, so that a reviewer sees it in the
//! annotations; a change that only strengthens the gate as info.
//!
//! The check itself runs with the base's settings (see `settings`); this
//! finding is how the reviewer learns what the branch would change.

use std::collections::{BTreeMap, BTreeSet};

use super::{IgnoreFile, Settings};
use crate::engine::{Finding, gate};
use crate::facts::Location;
use crate::severity::Severity;

/// What one settings file's change does.
#[derive(Debug, Default, PartialEq)]
struct Change {
    weakens: Vec<String>,
    strengthens: Vec<String>,
    line: u32,
}

impl Change {
    fn is_empty(&self) -> bool {
        self.weakens.is_empty() && self.strengthens.is_empty()
    }
}

/// The gate-config-changed findings for a branch whose head settings are
/// `head` (or could not be loaded, with the reason); `default_severity`
/// gives a rule's own severity, to judge an override against.
pub(crate) fn compare(
    base: &Settings,
    head: Result<&Settings, &str>,
    default_severity: &dyn Fn(&str) -> Option<Severity>,
) -> Vec<Finding> {
    let config_path = |s: &Settings| (!s.config.path.is_empty()).then(|| s.config.path.clone());
    let head = match head {
        Ok(h) => h,
        Err(reason) => {
            let path = config_path(base).unwrap_or_else(|| crate::config::FILE_NAME.to_string());
            let change = Change {
                weakens: vec![format!(
                    "the branch's settings do not load ({reason}); merged, the gate would stop with an error"
                )],
                ..Default::default()
            };
            return vec![finding(&path, change)];
        }
    };
    let mut changes: BTreeMap<String, Change> = BTreeMap::new();
    let path = config_path(head).or_else(|| config_path(base)).unwrap_or_else(|| crate::config::FILE_NAME.to_string());
    let c = config_change(base, head, default_severity);
    if !c.is_empty() {
        changes.insert(path, c);
    }
    if let Some(c) = baseline_change(base, head) {
        let path = head.baseline_path.as_ref().or(base.baseline_path.as_ref()).map(|p| p.0.clone()).unwrap_or_default();
        changes.entry(path).or_default().merge(c);
    }
    for (path, c) in pack_changes(base, head) {
        changes.entry(path).or_default().merge(c);
    }
    let none = Vec::new();
    for (path, c) in
        ignore_changes(base.ignore_files.as_ref().unwrap_or(&none), head.ignore_files.as_ref().unwrap_or(&none))
    {
        changes.entry(path).or_default().merge(c);
    }
    changes.into_iter().filter(|(_, c)| !c.is_empty()).map(|(p, c)| finding(&p, c)).collect()
}

impl Change {
    fn merge(&mut self, other: Change) {
        if self.line == 0 {
            self.line = other.line;
        }
        self.weakens.extend(other.weakens);
        self.strengthens.extend(other.strengthens);
    }
}

fn finding(path: &str, c: Change) -> Finding {
    let (severity, message) = if c.weakens.is_empty() {
        (
            Severity::Info,
            format!("`{path}` changes the gate's settings and strengthens it: {}", c.strengthens.join("; ")),
        )
    } else {
        let mut m = format!("`{path}` changes the gate's settings and weakens it: {}", c.weakens.join("; "));
        if !c.strengthens.is_empty() {
            m.push_str(&format!(" (it also {})", c.strengthens.join("; ")));
        }
        (Severity::High, m)
    };
    let location = Location { path: path.to_string(), line: c.line.max(1), column: 1, ..Default::default() };
    let key = format!("{}\u{0}{}", c.weakens.join("\u{0}"), c.strengthens.join("\u{0}"));
    let mut f = gate::finding(&gate::GATE_CONFIG_CHANGED, location, message, &key);
    f.severity = severity;
    f
}

fn added<'a, T: Ord>(base: &'a BTreeSet<T>, head: &'a BTreeSet<T>) -> impl Iterator<Item = &'a T> {
    head.difference(base)
}

fn config_change(base: &Settings, head: &Settings, default_severity: &dyn Fn(&str) -> Option<Severity>) -> Change {
    let (b, h) = (&base.config, &head.config);
    let mut c = Change::default();
    let set = |v: &[String]| v.iter().map(|s| s.to_ascii_lowercase()).collect::<BTreeSet<_>>();
    let (bd, hd) = (set(&b.disable), set(&h.disable));
    c.weakens.extend(added(&bd, &hd).map(|r| format!("turns off `{r}`")));
    c.strengthens.extend(added(&hd, &bd).map(|r| format!("turns `{r}` back on")));
    let (bx, hx) = (set(&b.exclude), set(&h.exclude));
    c.weakens.extend(added(&bx, &hx).map(|p| format!("excludes `{p}` from the scan")));
    c.strengthens.extend(added(&hx, &bx).map(|p| format!("scans `{p}` again")));
    let per_path = |s: &crate::config::Config| {
        s.paths
            .iter()
            .flat_map(|p| p.disable.iter().map(move |r| (p.glob.glob().glob().to_string(), r.to_ascii_lowercase())))
            .collect::<BTreeSet<_>>()
    };
    let (bp, hp) = (per_path(b), per_path(h));
    c.weakens.extend(added(&bp, &hp).map(|(g, r)| format!("turns off `{r}` under `{g}`")));
    c.strengthens.extend(added(&hp, &bp).map(|(g, r)| format!("turns `{r}` back on under `{g}`")));
    let effective =
        |cfg: &crate::config::Config, rule: &str| cfg.severity.get(rule).copied().or_else(|| default_severity(rule));
    let rules: BTreeSet<&String> = b.severity.keys().chain(h.severity.keys()).collect();
    for rule in rules {
        match (effective(b, rule), effective(h, rule)) {
            (Some(was), Some(now)) if now < was => c.weakens.push(format!("lowers `{rule}` from {was} to {now}")),
            (Some(was), Some(now)) if now > was => c.strengthens.push(format!("raises `{rule}` from {was} to {now}")),
            _ => {}
        }
    }
    let threshold = |cfg: &crate::config::Config| cfg.fail_on.unwrap_or(Severity::Low);
    match (threshold(b), threshold(h)) {
        (was, now) if now > was => c.weakens.push(format!("raises `fail_on` from {was} to {now}")),
        (was, now) if now < was => c.strengthens.push(format!("lowers `fail_on` from {was} to {now}")),
        _ => {}
    }
    let bar = |cfg: &crate::config::Config| cfg.confidence.unwrap_or(crate::detect::Confidence::Medium);
    match (bar(b), bar(h)) {
        (was, now) if now > was => c.weakens.push(format!("raises `confidence` from {was} to {now}")),
        (was, now) if now < was => c.strengthens.push(format!("lowers `confidence` from {was} to {now}")),
        _ => {}
    }
    let waiver = |w: &crate::config::Waiver| {
        let what = match (&w.fingerprint, &w.rule, &w.path) {
            (Some(fp), _, _) => format!("fingerprint {fp}"),
            (None, Some(r), Some(p)) => format!("`{r}` under `{p}`"),
            (None, Some(r), None) => format!("`{r}` everywhere"),
            (None, None, _) => "findings".to_string(),
        };
        format!("{what} until {}", w.expires)
    };
    let (bw, hw): (BTreeSet<String>, BTreeSet<String>) =
        (b.waivers.iter().map(waiver).collect(), h.waivers.iter().map(waiver).collect());
    c.weakens.extend(added(&bw, &hw).map(|w| format!("adds a waiver for {w}")));
    c.strengthens.extend(added(&hw, &bw).map(|w| format!("removes the waiver for {w}")));
    let (bo, ho) = (set(&b.with), set(&h.with));
    c.weakens.extend(added(&ho, &bo).map(|p| format!("turns off the optional pack `{p}`")));
    c.strengthens.extend(added(&bo, &ho).map(|p| format!("turns on the optional pack `{p}`")));
    let paths = |v: &[std::path::PathBuf]| v.iter().map(|p| p.to_string_lossy().into_owned()).collect::<BTreeSet<_>>();
    let (br, hr) = (paths(&b.rules), paths(&h.rules));
    c.weakens.extend(added(&hr, &br).map(|p| format!("drops the rule pack `{p}`")));
    c.strengthens.extend(added(&br, &hr).map(|p| format!("adds the rule pack `{p}`")));
    // A parameter's direction is the rule's business (a longer `max_age`
    // weakens, a longer allowlist too, a longer `min_…` strengthens), so
    // every change is put to the reviewer as one that may weaken the gate.
    let params = |cfg: &crate::config::Config| -> BTreeMap<(String, String), String> {
        cfg.params
            .iter()
            .flat_map(|(id, values)| values.iter().map(move |(n, v)| ((id.clone(), n.clone()), shown(v))))
            .collect()
    };
    let (bp, hp) = (params(b), params(h));
    for key in bp.keys().chain(hp.keys()).collect::<BTreeSet<_>>() {
        let (id, name) = key;
        let value = |v: Option<&String>| v.map_or("its default".to_string(), |v| format!("`{v}`"));
        let (was, now) = (bp.get(key), hp.get(key));
        if was != now {
            c.weakens.push(format!("sets the parameter `{name}` of `{id}` from {} to {}", value(was), value(now)));
        }
    }
    if b.baseline != h.baseline {
        let name =
            |p: &Option<std::path::PathBuf>| p.as_ref().map_or("none".to_string(), |p| format!("`{}`", p.display()));
        c.weakens.push(format!("changes the baseline from {} to {}", name(&b.baseline), name(&h.baseline)));
    }
    c
}

/// A parameter's value as the report shows it: numbers, dates and short
/// strings whole, longer strings redacted, item by item in a list (a config
/// may hold a pasted secret in the wrong place).
fn shown(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) if s.chars().count() > 12 => format!("\"{}\"", crate::facts::Redacted::new(s)),
        toml::Value::Array(items) => format!("[{}]", items.iter().map(shown).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

fn baseline_change(base: &Settings, head: &Settings) -> Option<Change> {
    let entries = |s: &Settings| {
        s.baseline
            .as_ref()
            .map(|b| b.findings.iter().map(|e| (e.rule.clone(), e.path.clone(), e.fingerprint.clone())).collect())
            .unwrap_or_default()
    };
    let (b, h) = (entries(base), entries(head));
    let mut c = Change::default();
    let new: Vec<_> = added(&b, &h).collect();
    if !new.is_empty() {
        let shown: Vec<String> = new.iter().take(5).map(|(r, p, _)| format!("`{r}` in `{p}`")).collect();
        let more = if new.len() > 5 { format!(" and {} more", new.len() - 5) } else { String::new() };
        c.weakens.push(format!("adds {} finding(s) to the baseline: {}{more}", new.len(), shown.join(", ")));
    }
    let gone = added(&h, &b).count();
    if gone > 0 {
        c.strengthens.push(format!("removes {gone} finding(s) from the baseline"));
    }
    (!c.is_empty()).then_some(c)
}

fn pack_changes(base: &Settings, head: &Settings) -> Vec<(String, Change)> {
    let texts = |s: &Settings| s.packs.iter().map(|p| (p.path.clone(), p.text.clone())).collect::<BTreeMap<_, _>>();
    let (b, h) = (texts(base), texts(head));
    let mut out = Vec::new();
    for (path, text) in &b {
        match h.get(path) {
            Some(t) if t != text => out.push((
                path.clone(),
                Change {
                    weakens: vec![format!("changes the rule pack `{path}` (its rules may no longer fire)")],
                    line: first_difference(text, t),
                    ..Default::default()
                },
            )),
            _ => {}
        }
    }
    out
}

/// The first line at which two texts differ (1-based).
fn first_difference(a: &str, b: &str) -> u32 {
    let n = a.lines().zip(b.lines()).take_while(|(x, y)| x == y).count();
    u32::try_from(n + 1).unwrap_or(1)
}

fn ignore_changes(base: &[IgnoreFile], head: &[IgnoreFile]) -> Vec<(String, Change)> {
    let patterns = |files: &[IgnoreFile]| {
        let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for f in files {
            let path = if f.dir.is_empty() {
                super::IGNORE_FILE.to_string()
            } else {
                format!("{}/{}", f.dir, super::IGNORE_FILE)
            };
            let lines = f.text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
            m.entry(path).or_default().extend(lines.map(String::from));
        }
        m
    };
    let (b, h) = (patterns(base), patterns(head));
    let mut out = Vec::new();
    // A file git holds as a link or over the limit is not applied here, but
    // a reader of the work tree might apply it after the merge.
    for f in head.iter().filter(|f| f.unusual.is_some()) {
        let was = base.iter().any(|g| g.dir == f.dir && g.unusual == f.unusual);
        if !was {
            let path = if f.dir.is_empty() {
                super::IGNORE_FILE.to_string()
            } else {
                format!("{}/{}", f.dir, super::IGNORE_FILE)
            };
            let why = f.unusual.as_deref().unwrap_or("");
            out.push((
                path.clone(),
                Change {
                    weakens: vec![format!("adds `{path}`, which {why}: what it excludes cannot be reviewed here")],
                    ..Default::default()
                },
            ));
        }
    }
    let empty = BTreeSet::new();
    let paths: BTreeSet<&String> = b.keys().chain(h.keys()).collect();
    for path in paths {
        let (bp, hp) = (b.get(path).unwrap_or(&empty), h.get(path).unwrap_or(&empty));
        let mut c = Change::default();
        c.weakens.extend(added(bp, hp).map(|p| format!("excludes `{p}` from the scan")));
        c.strengthens.extend(added(hp, bp).map(|p| format!("scans `{p}` again")));
        if let Some(first) = hp.difference(bp).next() {
            let text = head
                .iter()
                .find(|f| {
                    path.ends_with(&format!("{}/{}", f.dir, super::IGNORE_FILE))
                        || (f.dir.is_empty() && path == super::IGNORE_FILE)
                })
                .map(|f| f.text.as_str())
                .unwrap_or("");
            c.line = text.lines().position(|l| l.trim() == first).map_or(1, |i| u32::try_from(i + 1).unwrap_or(1));
        }
        if !c.is_empty() {
            out.push((path.clone(), c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parameter_value_that_may_be_a_secret_is_redacted() {
        let v: toml::Table = toml::from_str("a = \"30d\"\nb = \"sk_live_4eC39HqLyjWDarjtT1zdp7dc\"\nc = [\"prod\", \"ghp_abcdefghijklmnopqrstuvwxyz\"]\nd = 3\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(shown(&v["a"]), "\"30d\"");
        assert_eq!(shown(&v["b"]), "\"sk_l…dc\"");
        assert_eq!(shown(&v["c"]), "[\"prod\", \"ghp_…yz\"]");
        assert_eq!(shown(&v["d"]), "3");
    }

    fn settings(toml: &str) -> Settings {
        Settings {
            config: crate::config::parse("nhigate.toml", toml).unwrap_or_else(|e| panic!("{e}")),
            ..Default::default()
        }
    }

    fn defaults(id: &str) -> Option<Severity> {
        (id == "github-pat").then_some(Severity::Critical)
    }

    #[test]
    fn weakening_changes_are_listed_and_high() {
        let base = settings("");
        let head = settings(
            "disable = [\"NHI-OWN-001\"]\nexclude = [\"secrets/**\"]\nfail_on = \"critical\"\nconfidence = \"high\"\n[severity]\ngithub-pat = \"info\"\n[[paths]]\nglob = \"src/**\"\ndisable = [\"jwt\"]\n[[waiver]]\nrule = \"github-pat\"\nreason = \"r\"\nowner = \"o\"\nexpires = 9999-12-31\n",
        );
        let found = compare(&base, Ok(&head), &defaults);
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(
            (f.rule_id.as_str(), f.severity, f.location.path.as_str()),
            ("gate-config-changed", Severity::High, "nhigate.toml")
        );
        for part in [
            "turns off `nhi-own-001`",
            "excludes `secrets/**`",
            "raises `fail_on` from low to critical",
            "raises `confidence` from medium to high",
            "lowers `github-pat` from critical to info",
            "turns off `jwt` under `src/**`",
            "adds a waiver for `github-pat` everywhere until 9999-12-31",
        ] {
            assert!(f.message.contains(part), "{part} not in {}", f.message);
        }
    }

    #[test]
    fn strengthening_changes_are_info_and_no_change_is_silent() {
        let base = settings("disable = [\"jwt\"]\nfail_on = \"high\"\n");
        let head = settings("fail_on = \"medium\"\n");
        let found = compare(&base, Ok(&head), &defaults);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Info);
        assert!(found[0].message.contains("turns `jwt` back on"), "{}", found[0].message);
        assert!(compare(&base, Ok(&settings("disable = [\"jwt\"]\nfail_on = \"high\"\n")), &defaults).is_empty());
    }

    #[test]
    fn added_ignore_patterns_weaken_at_their_line() {
        let base = Settings {
            ignore_files: Some(vec![IgnoreFile { dir: String::new(), text: "vendor/\n".into(), unusual: None }]),
            ..Default::default()
        };
        let head = Settings {
            ignore_files: Some(vec![IgnoreFile { dir: String::new(), text: "vendor/\n*.env\n".into(), unusual: None }]),
            ..Default::default()
        };
        let found = compare(&base, Ok(&head), &defaults);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].location.path.as_str(), found[0].location.line), (".nhigateignore", 2));
        assert!(found[0].message.contains("excludes `*.env`"));
    }

    #[test]
    fn settings_that_do_not_load_at_head_are_reported() {
        let found = compare(&settings(""), Err("`rules` entry `/etc/x` is an absolute path"), &defaults);
        assert_eq!(found[0].severity, Severity::High);
        assert!(found[0].message.contains("do not load"));
    }
}
