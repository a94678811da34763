//! Every built-in governance rule has a fixture beside the packs, in
//! rules/fixtures/: a file or a folder named by the rule's id. A comment
//! `fires: ID` marks each line where the rule must fire, and `passes: ID`
//! a compliant twin where it must not; the rule's findings there are also
//! kept as a snapshot. A failure names the rule. (Detectors keep their
//! examples and negatives inside their packs.) A rule that judges a change
//! has a folder with `base/` and `head/`: they are committed in turn and
//! checked as a branch (`--base HEAD~1 --head HEAD`), marks in `head/`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use nhigate::check::{self, Mode, Request};
use nhigate::facts::Date;

use crate::harness::{NOW, files, repo_root};

type Lines = BTreeSet<(String, u32)>;

/// The fixture of rule `id`: `ID/` or `ID.ext`.
fn fixture(dir: &Path, id: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir).ok()?.flatten().map(|e| e.path()).find(|p| {
        let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        name == id || name.strip_prefix(id).is_some_and(|rest| rest.starts_with('.'))
    })
}

/// Every file of a fixture, with its path as a scan of the fixture names it.
fn fixture_files(fixture: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if fixture.is_dir() {
        files(fixture, fixture, &mut out);
    } else if let Ok(data) = std::fs::read(fixture) {
        let name = fixture.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        out.push((name, data));
    }
    out.into_iter().map(|(path, data)| (path, String::from_utf8_lossy(&data).into_owned())).collect()
}

/// The lines a comment marks `fires: ID` and `passes: ID`.
fn marked(fixture: &Path, id: &str) -> (Lines, Lines) {
    let (mut fires, mut passes) = (Lines::new(), Lines::new());
    for (path, text) in fixture_files(fixture) {
        for (i, line) in text.lines().enumerate() {
            let comment = line.find(" #").or_else(|| line.find("//")).or(line.starts_with('#').then_some(0));
            let Some(comment) = comment.map(|c| &line[c..]) else { continue };
            let at = (path.clone(), i as u32 + 1);
            if comment.contains(&format!("fires: {id}")) {
                fires.insert(at.clone());
            }
            if comment.contains(&format!("passes: {id}")) {
                passes.insert(at);
            }
        }
    }
    (fires, passes)
}

/// A fixture of a change: its base and head, committed in turn to a
/// repository of their own.
struct Change {
    head: PathBuf,
    repo: tempfile::TempDir,
}

impl Change {
    fn of(fixture: &Path) -> Option<Change> {
        let (base, head) = (fixture.join("base"), fixture.join("head"));
        if !base.is_dir() || !head.is_dir() {
            return None;
        }
        let repo = crate::git::repo();
        crate::harness::copy_tree(&base, repo.path());
        crate::git::commit(repo.path(), "base", "2025-06-01T00:00:00Z");
        crate::git::git(repo.path(), &["rm", "-rq", "."], "2025-06-02T00:00:00Z");
        crate::harness::copy_tree(&head, repo.path());
        crate::git::commit(repo.path(), "head", "2025-06-02T00:00:00Z");
        Some(Change { head, repo })
    }

    fn request(&self) -> Request {
        Request::new(self.repo.path(), Mode::Range { base: "HEAD~1".into(), head: "HEAD".into() })
    }
}

fn list(lines: &Lines) -> String {
    let all: Vec<String> = lines.iter().map(|(p, l)| format!("{p}:{l}")).collect();
    if all.is_empty() { "nowhere".into() } else { all.join(", ") }
}

#[test]
fn every_rule_fires_where_its_fixture_says_and_nowhere_else() {
    let dir = repo_root().join("rules/fixtures");
    let optional: Vec<String> = nhigate::builtin::optional().iter().map(|s| s.to_string()).collect();
    let program = nhigate::lang::compile(&nhigate::builtin::sources(&optional))
        .unwrap_or_else(|e| panic!("{}", e.render(false)))
        .program;
    assert!(program.rules.len() > 50, "the built-in rules were read: {}", program.rules.len());
    let now = Date::parse(NOW).unwrap_or_else(|e| panic!("{e}"));
    let mut problems = Vec::new();
    let mut snapshots = Vec::new();
    for rule in &program.rules {
        let id = rule.id.as_str();
        let Some(fixture) = fixture(&dir, id) else {
            problems.push(format!("{id}: no fixture (rules/fixtures/{id}.EXT or rules/fixtures/{id}/)"));
            continue;
        };
        let change = Change::of(&fixture);
        let marks = change.as_ref().map_or(fixture.clone(), |c| c.head.clone());
        let (fires, passes) = marked(&marks, id);
        if fires.is_empty() || passes.is_empty() {
            problems.push(format!("{id}: the fixture must mark a line `fires: {id}` and a line `passes: {id}`"));
        }
        let mut r = match &change {
            Some(c) => c.request(),
            None => Request::new(&fixture, Mode::Tree),
        };
        r.now = now;
        r.with.clone_from(&optional);
        let run = match check::run(&r) {
            Ok(run) => run,
            Err(e) => {
                problems.push(format!("{id}: {e}"));
                continue;
            }
        };
        let of_rule: Vec<_> = run.findings.iter().filter(|f| f.rule_id == id).collect();
        let fired: Lines = of_rule.iter().map(|f| (f.location.path.clone(), f.location.line)).collect();
        if fired != fires {
            problems.push(format!("{id}: marked to fire at {}, fired at {}", list(&fires), list(&fired)));
        }
        let mut shown: Vec<String> =
            of_rule.iter().map(|f| format!("{}:{} {}", f.location.path, f.location.line, f.message)).collect();
        shown.sort();
        snapshots.push((id.to_string(), shown.join("\n")));
    }
    assert!(problems.is_empty(), "rule fixtures fail:\n{}", problems.join("\n"));
    for (id, shown) in snapshots {
        insta::assert_snapshot!(format!("rule_{id}"), shown);
    }
}
