//! Packs' own tests (`nhigate test`): every detector's examples and
//! negatives, and every test block, whose fixture is scanned and judged
//! against its expectations.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::check;
use crate::engine::Finding;
use crate::facts::Date;
use crate::lang::Compiled;
use crate::lang::program::{Program, TestCase};
use crate::scan::{self, ScanOptions};

/// What a run of the tests came to: one line per failure.
#[derive(Debug, Default)]
pub struct Outcome {
    pub passed: usize,
    pub failures: Vec<String>,
}

/// Run the tests of compiled packs; with `deny_warnings` each compiler
/// warning is a failure too.
pub fn run(compiled: &Compiled, deny_warnings: bool) -> Outcome {
    check::in_pool(0, || {
        let program = &compiled.program;
        let mut passed = 0usize;
        let mut failures: Vec<String> = Vec::new();
        if deny_warnings {
            failures.extend(
                compiled.warnings.diagnostics.iter().map(|d| format!("warning treated as an error: {}", d.error)),
            );
        }
        for d in program.detectors.iter() {
            for (i, example) in d.spec.examples.iter().enumerate() {
                match d.check_text(example) {
                    Ok(_) => passed += 1,
                    Err(why) => failures.push(format!(
                        "detector {}: example {} does not match: {}",
                        d.spec.id,
                        i + 1,
                        why.first().map(ToString::to_string).unwrap_or_default()
                    )),
                }
            }
            for (i, negative) in d.spec.negatives.iter().enumerate() {
                match d.check_text(negative) {
                    Err(_) => passed += 1,
                    Ok(found) => {
                        let shown = found
                            .first()
                            .and_then(|m| negative.as_bytes().get(m.start..m.end))
                            .map(|b| crate::facts::Redacted::new(&String::from_utf8_lossy(b)).to_string())
                            .unwrap_or_default();
                        failures.push(format!("detector {}: negative {} matches `{shown}`", d.spec.id, i + 1));
                    }
                }
            }
        }

        for case in &program.tests {
            let pack_path = program.packs.get(case.pack).map(|p| p.path.as_str()).unwrap_or("");
            match run_case(program, case, pack_path) {
                Ok(()) => passed += 1,
                Err(problems) => {
                    for p in problems {
                        failures.push(format!("test \"{}\" ({pack_path}:{}): {p}", case.name, case.line));
                    }
                }
            }
        }

        Outcome { passed, failures }
    })
}

/// Scan the fixture (and facts), evaluate, and compare with the expectations.
fn run_case(program: &Program, case: &TestCase, pack_path: &str) -> Result<(), Vec<String>> {
    let base = Path::new(pack_path).parent().map(Path::to_path_buf).unwrap_or_default();
    let mut output = scan::ScanOutput::default();
    let mut fixture_is_dir = false;
    if let Some(fixture) = &case.fixture {
        let path: PathBuf = base.join(fixture);
        if !path.exists() {
            return Err(vec![format!(
                "fixture `{}` not found (paths are relative to the pack's folder)",
                path.display()
            )]);
        }
        fixture_is_dir = path.is_dir();
        output = scan::scan_path(program, &path, &ScanOptions::default());
    }
    if let Some(facts) = &case.facts {
        match check::load_facts(&base.join(facts)) {
            Ok(f) => output.facts.extend(f),
            Err(e) => return Err(vec![e]),
        }
    }
    output.facts.sort();
    let before = match &case.base {
        Some(dir) => {
            let path = base.join(dir);
            if !path.exists() {
                return Err(vec![format!(
                    "base `{}` not found (paths are relative to the pack's folder)",
                    path.display()
                )]);
            }
            let mut facts = scan::scan_path(program, &path, &ScanOptions::default()).facts;
            facts.sort();
            Some(facts)
        }
        None => None,
    };
    let now = case.now.unwrap_or_else(Date::today);
    let findings = check::judge(program, &mut output.facts, before.as_ref(), now);
    compare(case, &findings, fixture_is_dir)
}

fn compare(case: &TestCase, findings: &[Finding], fixture_is_dir: bool) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    let named: BTreeSet<&str> = case.expectations.iter().map(|e| e.rule.as_str()).collect();
    // Every finding of a named rule must be expected somewhere.
    let mut accounted: BTreeSet<(&str, &str, u32)> = BTreeSet::new();
    for e in &case.expectations {
        let of_rule = findings.iter().filter(|f| f.rule_id == e.rule);
        if e.lines.is_empty() {
            let fired: Vec<String> = of_rule.map(|f| format!("{}:{}", f.location.path, f.location.line)).collect();
            if !fired.is_empty() {
                problems.push(format!("{} was expected not to fire, but fired at {}", e.rule, fired.join(", ")));
            }
            continue;
        }
        if fixture_is_dir && e.file.is_none() {
            problems.push(format!("the fixture is a folder: say which file, `expect {} in \"FILE\" at …`", e.rule));
            continue;
        }
        let in_file: Vec<&Finding> = of_rule
            .filter(|f| e.file.as_ref().is_none_or(|file| crate::source::normalize_path(file) == f.location.path))
            .collect();
        let got: BTreeSet<u32> = in_file.iter().map(|f| f.location.line).collect();
        let want: BTreeSet<u32> = e.lines.iter().copied().collect();
        for f in &in_file {
            accounted.insert((f.rule_id.as_str(), f.location.path.as_str(), f.location.line));
        }
        if got != want {
            let place = e.file.as_deref().map(|f| format!(" in {f}")).unwrap_or_default();
            problems.push(format!("{}{place}: expected at {}, fired at {}", e.rule, list(&want), list(&got)));
        }
    }
    for f in findings {
        let expected_somewhere = case.expectations.iter().any(|e| e.rule == f.rule_id && !e.lines.is_empty());
        if named.contains(f.rule_id.as_str())
            && expected_somewhere
            && !accounted.contains(&(f.rule_id.as_str(), f.location.path.as_str(), f.location.line))
        {
            problems.push(format!(
                "{} also fired at {}:{}, which no expectation names",
                f.rule_id, f.location.path, f.location.line
            ));
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

fn list(lines: &BTreeSet<u32>) -> String {
    if lines.is_empty() {
        "no line".to_string()
    } else {
        lines.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `find_near` is `find` for every built-in detector, on its own
    /// examples and negatives and on every example of every detector run
    /// together (keywords of one inside another's window).
    #[test]
    fn the_search_near_keywords_finds_what_the_whole_search_finds() {
        let optional: Vec<String> = crate::builtin::optional().iter().map(|s| s.to_string()).collect();
        let set = check::load_packs(&optional, false, Vec::new()).unwrap_or_else(|e| panic!("{e}")).program.detectors;
        let all: Vec<&str> =
            set.iter().flat_map(|d| d.spec.examples.iter().chain(&d.spec.negatives)).map(|s| s.as_str()).collect();
        let together = [all.join("\n"), all.join(" "), all.join(""), all.concat().replace(['"', '\''], "")];
        let (mut windowed, mut patterns) = (0, 0);
        for (d, detector) in set.iter().enumerate().filter(|(_, d)| !d.is_assignment()) {
            patterns += 1;
            if detector.searches_near_keywords() {
                windowed += 1;
            }
            let own = detector.spec.examples.iter().chain(&detector.spec.negatives).map(String::as_str);
            for text in own.chain(together.iter().map(String::as_str)) {
                let hits: Vec<usize> =
                    set.prefilter(text.as_bytes()).pattern_hits.iter().filter(|h| h.0 == d).map(|h| h.1).collect();
                let (mut whole, mut near) = (Vec::new(), Vec::new());
                let searched = detector
                    .find(d, text.as_bytes(), &mut whole)
                    .and_then(|()| detector.find_near(d, text.as_bytes(), &hits, &mut near));
                assert!(searched.is_ok(), "{}: {searched:?}", detector.spec.id);
                if hits.is_empty() && !detector.spec.keywords.is_empty() {
                    continue;
                }
                assert_eq!(whole, near, "{} on {text:?}", detector.spec.id);
            }
        }
        assert!(windowed * 10 >= patterns * 8, "{windowed} of {patterns} pattern detectors search near keywords");
    }
}
