//! The command line end to end: exit codes, streams, formats, determinism,
//! and the `rules`, `test` and `fmt` subcommands.

use std::fs;

use crate::harness::{NOW, code, copy_tree, repo_root, run, stderr, stdout};

const DEMO_TOKEN: &str = "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";

fn demo_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["check", "examples/demo", "--facts", "examples/demo/facts.json", "--now", NOW];
    args.extend_from_slice(extra);
    args
}

#[test]
fn findings_exit_1_and_a_clean_tree_exits_0() {
    let root = repo_root();
    let o = run(&root, &demo_args(&[]));
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let clean = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    fs::write(clean.path().join("main.py"), "print('hello')\n").unwrap_or_else(|e| panic!("{e}"));
    let o = run(clean.path(), &["check", ".", "--now", NOW]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("no findings"));
}

#[test]
fn usage_and_rule_errors_exit_2() {
    let root = repo_root();
    assert_eq!(code(&run(&root, &["check", "no/such/path"])), 2);
    assert_eq!(code(&run(&root, &["check", "--format", "xml", "."])), 2);
    assert_eq!(code(&run(&root, &["check", "--now", "2025-13-01", "."])), 2);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let pack = dir.path().join("bad.nhi");
    fs::write(&pack, "rule X-1 \"x\" {\n  severity high\n  on identity\n  require ownr exists\n}\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let o = run(dir.path(), &["check", ".", "--rules", "bad.nhi"]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("unknown field `ownr` on `identity`"), "{err}");
    assert!(err.contains("bad.nhi:4:11"), "{err}");
    assert!(err.contains("did you mean `owner`?"), "{err}");
}

#[test]
fn the_severity_threshold_decides_the_exit_code() {
    let root = repo_root();
    // The demo has critical and high findings.
    assert_eq!(code(&run(&root, &demo_args(&["--severity", "critical"]))), 1);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // A JWT alone is a medium finding.
    fs::write(dir.path().join("a.txt"), "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4ODkzOSIsIm5hbWUiOiJjaS1ib3QifQ.Ti454ph4TMWfMXz5mILn2yfdxsCUwwtmAuR\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(&run(dir.path(), &["check", ".", "--severity", "high"])), 0);
    assert_eq!(code(&run(dir.path(), &["check", ".", "--severity", "medium"])), 1);
}

#[test]
fn machine_formats_keep_stdout_clean_and_secrets_redacted() {
    let root = repo_root();
    let o = run(&root, &demo_args(&["--format", "json"]));
    let out = stdout(&o);
    let doc: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("stdout is not JSON: {e}\n{out}"));
    assert_eq!(doc["version"], 2);
    assert!(!out.contains(DEMO_TOKEN), "the raw token is in the report");
    assert!(!stderr(&o).contains(DEMO_TOKEN));
    assert!(out.contains("ghp_…ZZ"));
    assert!(stderr(&o).contains("findings"), "the summary goes to stderr");
    let sarif = run(&root, &demo_args(&["--format", "sarif"]));
    let out = stdout(&sarif);
    assert!(!out.contains(DEMO_TOKEN));
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(doc["version"], "2.1.0");
}

#[test]
fn output_goes_to_the_file_and_the_summary_to_stderr() {
    let root = repo_root();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("out.sarif");
    let file_arg = file.to_string_lossy().to_string();
    let o = run(&root, &demo_args(&["--format", "sarif", "--output", &file_arg]));
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).is_empty(), "stdout: {}", stdout(&o));
    assert!(stderr(&o).contains("11 findings"), "{}", stderr(&o));
    let written = fs::read_to_string(&file).unwrap_or_default();
    assert!(written.contains("\"partialFingerprints\""));
}

#[test]
fn json_and_sarif_are_identical_at_any_thread_count() {
    let root = repo_root();
    for format in ["json", "sarif"] {
        let one = stdout(&run(&root, &demo_args(&["--format", format, "-j", "1"])));
        let many = stdout(&run(&root, &demo_args(&["--format", format, "-j", "8"])));
        assert!(!one.is_empty());
        assert_eq!(one, many, "{format} differs between -j1 and -j8");
    }
    // The example repositories and the labelled corpora, whole.
    let mut trees = vec![root.join("examples"), root.join("tests/corpus/repo")];
    let shared = root.join("../shared/corpus/repo");
    if shared.exists() {
        trees.push(shared);
    }
    for tree in trees {
        let path = tree.to_string_lossy().to_string();
        for format in ["json", "sarif"] {
            let args =
                |j: &'static str| ["check", path.as_str(), "--now", NOW, "--format", format, "-j", j].map(String::from);
            let one = run(&root, &args("1").iter().map(String::as_str).collect::<Vec<_>>());
            let many = run(&root, &args("8").iter().map(String::as_str).collect::<Vec<_>>());
            assert!(stdout(&one).len() > 100, "{path}");
            assert!(stdout(&one) == stdout(&many), "{format} of {path} differs between -j1 and -j8");
        }
    }
}

/// The demo, copied out of this repository: its report's fingerprints are
/// then the same wherever the checkout is.
fn demo_outside_the_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    copy_tree(&repo_root().join("examples/demo"), &dir.path().join("examples/demo"));
    dir
}

#[test]
fn the_demo_report_is_stable() {
    let dir = demo_outside_the_repository();
    let o = run(dir.path(), &demo_args(&["--format", "json"]));
    // Digests change with every edit of a pack: their shape is checked.
    let digest = regex::Regex::new(r#""(digest|config_digest)": "[0-9a-f]{64}""#).unwrap_or_else(|e| panic!("{e}"));
    insta::assert_snapshot!(digest.replace_all(&stdout(&o), "\"$1\": \"[sha256]\""));
}

#[test]
fn the_human_report_names_rule_place_and_fix() {
    let dir = demo_outside_the_repository();
    let o = run(dir.path(), &demo_args(&[]));
    insta::assert_snapshot!(stdout(&o));
}

/// `--quiet`: the table by rule and the summary, no finding blocks.
#[test]
fn quiet_prints_the_summary_only() {
    let dir = demo_outside_the_repository();
    let o = run(dir.path(), &demo_args(&["--quiet"]));
    assert_eq!(code(&o), 1);
    assert!(!stdout(&o).contains("-->"), "{}", stdout(&o));
    insta::assert_snapshot!(format!("{}---\n{}", stdout(&o), stderr(&o)));
}

/// Routine skips (binary files) are counted; the others (a file that does
/// not parse) are listed, five of a kind, then counted; `--verbose` lists
/// each and `--quiet` none.
#[test]
fn skipped_files_are_counted_by_reason() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for i in 0..8 {
        fs::write(dir.path().join(format!("blob{i}.bin")), [0u8, 159, 146, 150, 0, 1, 2, 3])
            .unwrap_or_else(|e| panic!("{e}"));
    }
    for i in 0..7 {
        let text = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: x\n  - bad: [\n";
        fs::write(dir.path().join(format!("broken{i}.yaml")), text).unwrap_or_else(|e| panic!("{e}"));
    }
    let lines = |flag: &[&str]| {
        let mut args = vec!["check", ".", "--now", NOW];
        args.extend_from_slice(flag);
        let o = run(dir.path(), &args);
        stderr(&o).lines().filter(|l| l.starts_with("skipped")).map(str::to_string).collect::<Vec<_>>()
    };
    let normal = lines(&[]);
    assert_eq!(normal.len(), 6, "{normal:#?}");
    assert_eq!(normal[5], "skipped 15 files: 8 binary, 7 not valid YAML (`--verbose` lists each)");
    assert_eq!(lines(&["--verbose"]).len(), 15);
    assert_eq!(lines(&["--quiet"]), vec![normal[5].clone()]);
    let o = run(dir.path(), &["check", ".", "--now", NOW]);
    assert!(stderr(&o).ends_with("no findings; 7 files scanned, 15 skipped\n"), "{}", stderr(&o));
}

/// A finding has the same fingerprint whether its repository is scanned
/// whole or by the folder it is in, and wherever the checkout is.
#[test]
fn fingerprints_are_taken_from_the_repository_root() {
    let fingerprints = |repo: &std::path::Path, scanned: &str| -> Vec<String> {
        let o = run(repo, &["check", scanned, "--now", NOW, "--format", "json"]);
        let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
        let mut fps: Vec<String> = doc["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["fingerprint"].as_str().map(str::to_string))
            .collect();
        fps.sort();
        fps
    };
    let make = || {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        fs::create_dir_all(dir.path().join(".git")).unwrap_or_else(|e| panic!("{e}"));
        copy_tree(&repo_root().join("examples/aws-terraform"), &dir.path().join("infra/aws"));
        copy_tree(&repo_root().join("examples/kubernetes/apps"), &dir.path().join("infra/k8s"));
        dir
    };
    let (one, other) = (make(), make());
    let whole = fingerprints(one.path(), ".");
    let k8s = fingerprints(one.path(), "infra/k8s");
    assert!(
        !k8s.is_empty() && k8s.len() < whole.len(),
        "the folder has some of the findings: {} of {}",
        k8s.len(),
        whole.len()
    );
    assert!(k8s.iter().all(|f| whole.contains(f)), "a folder's scan gives the same fingerprints as the whole one");
    assert_eq!(fingerprints(other.path(), "infra/k8s"), k8s, "another checkout gives the same");
}

#[test]
fn rules_list_shows_every_rule_and_detector() {
    let o = run(&repo_root(), &["rules", "list"]);
    assert_eq!(code(&o), 0);
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn rules_explain_redacts_a_secret_pasted_as_a_parameter() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let token = "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";
    let config = dir.path().join("nhigate.toml");
    let text = format!("[rules]\n[rules.NHI-OWN-001]\nexempt_kinds = [\"mcp_server\", \"{token}\"]\n");
    std::fs::write(&config, text).unwrap_or_else(|e| panic!("{e}"));
    let config = config.to_string_lossy();
    let o = run(&repo_root(), &["rules", "explain", "NHI-OWN-001", "--config", &config]);
    let out = stdout(&o);
    assert!(out.contains("exempt_kinds = [\"mcp_server\", \"ghp_"), "{out}");
    assert!(!out.contains(token), "{out}");
    assert!(out.contains("default [\"github_workflow\""), "the defaults are shown whole: {out}");
}

#[test]
fn rules_explain_prints_the_docs_and_the_source() {
    let o = run(&repo_root(), &["rules", "explain", "NHI-OWN-001"]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    assert!(out.contains("Every non-human identity has an accountable owner"));
    assert!(out.contains("owasp-nhi:NHI1"));
    assert!(out.contains("Fix: add an `owner` tag"));
    assert!(out.contains("require owner exists"));
    let o = run(&repo_root(), &["rules", "explain", "NHI-OWN-01"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("did you mean `NHI-OWN-001`?"), "{}", stderr(&o));
}

#[test]
fn rules_compile_reports_counts_and_warnings() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    fs::write(dir.path().join("p.nhi"), "rule X-1 \"x\" {\n  on identity\n  require owner exists\n}\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let o = run(dir.path(), &["rules", "compile", "p.nhi"]);
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("compiled 1 rule and 0 detectors from 1 pack, with 3 warnings"), "{}", stderr(&o));
    assert_eq!(code(&run(dir.path(), &["rules", "compile", "p.nhi", "--deny-warnings"])), 2);
}

#[test]
fn rules_compile_refuses_a_built_in_id_and_sums_up_many_warnings() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let rule = |id: &str| format!("rule {id} \"x\" {{\n  severity low\n  on credential\n  require age <= 30d\n}}\n");
    fs::write(dir.path().join("clash.nhi"), rule("NHI-AGE-001")).unwrap_or_else(|e| panic!("{e}"));
    let o = run(dir.path(), &["rules", "compile", "clash.nhi"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("`NHI-AGE-001` is a built-in, defined in `rules/core.nhi`"), "{}", stderr(&o));
    assert_eq!(code(&run(dir.path(), &["rules", "compile", "clash.nhi", "--no-builtin"])), 0);
    // Forty untested rules, two warnings each: ten frames, then a count.
    let many: String = (0..40).map(|i| rule(&format!("T-{i:03}"))).collect();
    fs::write(dir.path().join("many.nhi"), many).unwrap_or_else(|e| panic!("{e}"));
    let o = run(dir.path(), &["rules", "compile", "many.nhi"]);
    let err = stderr(&o);
    assert_eq!(err.matches("  ⚠ rule `T-").count(), 10, "{err}");
    assert!(err.contains("nhigate::untested_rule: 70 more like these, the first: rule `T-005`"), "{err}");
}

#[test]
fn pack_folders_leave_out_what_ignore_files_do() {
    let dir = crate::git::repo();
    let d = dir.path();
    crate::git::write(
        d,
        "policy/team.nhi",
        "rule T-1 \"t\" {\n  severity low\n  on identity\n  require owner exists\n}\n",
    );
    crate::git::write(d, "policy/drafts/wip.nhi", "rule BROKEN {\n");
    crate::git::write(d, "policy/scratch/old.nhi", "rule ALSO BROKEN {\n");
    crate::git::write(d, "policy/.nhigateignore", "drafts/\n");
    crate::git::write(d, ".gitignore", "policy/scratch/\n");
    let o = run(d, &["rules", "compile", "policy"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("compiled 1 rule and 0 detectors from 1 pack"), "{}", stderr(&o));
    // In a branch check the packs are the base commit's, its .nhigateignore too.
    crate::git::write(d, "nhigate.toml", "rules = [\"policy\"]\n");
    crate::git::commit(d, "base", "2025-06-01T00:00:00Z");
    crate::git::write(d, "app.txt", "hello\n");
    crate::git::commit(d, "head", "2025-06-02T00:00:00Z");
    let o = run(d, &["check", ".", "--base", "HEAD~1", "--now", NOW]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn test_runs_examples_and_fixtures_and_counts() {
    let root = repo_root();
    let o = run(&root, &["test", "rules/", "--deny-warnings"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains(" passed, 0 failed"));

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    fs::write(
        dir.path().join("p.nhi"),
        "detector d \"d\" {\n  severity low\n  keywords \"tok_\"\n  pattern /tok_[a-z]{8}/\n  example \"tok_ABCDEFGH\"\n  negative \"tok_qhxmpwza\"\n}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = run(dir.path(), &["test", "p.nhi"]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains("FAIL detector d: example 1 does not match"), "{out}");
    assert!(out.contains("FAIL detector d: negative 1 matches"), "{out}");
    assert!(out.contains("0 passed, 2 failed"), "{out}");
}

#[test]
fn fmt_rewrites_and_check_reports() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("p.nhi");
    fs::write(&path, "# keep me\nrule X-1 \"x\" {   severity high on identity # trailing\n require owner   exists }\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(&run(dir.path(), &["fmt", "--check", "p.nhi"])), 1);
    assert_eq!(code(&run(dir.path(), &["fmt", "p.nhi"])), 0);
    let formatted = fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        formatted,
        "# keep me\nrule X-1 \"x\" {\n  severity high\n  on identity # trailing\n  require owner exists\n}\n"
    );
    assert_eq!(code(&run(dir.path(), &["fmt", "--check", "p.nhi"])), 0);
}

#[test]
fn the_built_in_packs_are_formatted() {
    let o = run(&repo_root(), &["fmt", "--check", "rules/"]);
    assert_eq!(code(&o), 0, "run `nhigate fmt rules/`: {}", stderr(&o));
}

/// The text of `doc` between `<!-- NAME:begin -->` and `<!-- NAME:end -->`
/// is what `nhigate rules NAME` prints.
fn generated_section_is_current(doc: &str, name: &str) {
    let o = run(&repo_root(), &["rules", name]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = fs::read_to_string(repo_root().join(doc)).unwrap_or_default();
    let inside = text
        .split(&format!("<!-- {name}:begin -->\n"))
        .nth(1)
        .and_then(|s| s.split(&format!("<!-- {name}:end -->")).next())
        .unwrap_or("");
    assert_eq!(inside, stdout(&o), "{doc} is out of date: paste `nhigate rules {name}` between its markers");
}

#[test]
fn docs_facts_md_lists_every_field() {
    generated_section_is_current("docs/facts.md", "fields");
}

#[test]
fn the_readme_lists_every_format_the_registry_reads() {
    generated_section_is_current("README.md", "formats");
}

#[test]
fn identical_files_are_each_reported_at_their_path() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let text = format!("GITHUB_TOKEN={DEMO_TOKEN}\n");
    for p in ["a/.env", "b/.env", "c/notes.txt"] {
        let path = dir.path().join(p);
        fs::create_dir_all(path.parent().unwrap_or(dir.path())).unwrap_or_else(|e| panic!("{e}"));
        fs::write(&path, &text).unwrap_or_else(|e| panic!("{e}"));
    }
    let o = run(dir.path(), &["check", ".", "--format", "json", "--now", NOW]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let paths: Vec<&str> =
        doc["findings"].as_array().map(|a| a.iter().filter_map(|f| f["path"].as_str()).collect()).unwrap_or_default();
    assert_eq!(paths, vec!["a/.env", "b/.env", "c/notes.txt"]);
}

#[test]
fn docs_rules_md_is_generated_from_the_packs() {
    let o = run(&repo_root(), &["rules", "list", "--format", "markdown", "--with", "hardening,changes"]);
    let doc = fs::read_to_string(repo_root().join("docs/rules.md")).unwrap_or_default();
    assert!(stdout(&o).contains("<a id=\"nhi-own-001\"></a>"));
    assert!(
        doc == stdout(&o),
        "docs/rules.md is out of date: run `nhigate rules list --format markdown --with hardening,changes > docs/rules.md`"
    );
}

/// `nhigate facts` prints what rules see, relations included, in the format
/// `--facts` reads: a binding in one file reaches its role's rules in
/// another, and the printed facts fire the same rule from a facts file.
#[test]
fn facts_prints_the_graph_that_check_reads_back() {
    let root = repo_root();
    let o = run(&root, &["facts", "examples/kubernetes"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc["version"], 1);
    let grant = |at: &str| -> serde_json::Value {
        let i: usize = at.trim_start_matches("grants[").trim_end_matches(']').parse().unwrap_or(usize::MAX);
        doc["grants"][i].clone()
    };
    let reaches: Vec<(String, String)> = doc["relations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["kind"] == "reaches")
        .map(|r| {
            let (from, to) = (grant(r["from"].as_str().unwrap_or("")), grant(r["to"].as_str().unwrap_or("")));
            (
                from["attrs"]["binding"].as_str().unwrap_or("").into(),
                to["location"]["path"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert!(
        reaches.contains(&("reporter-secrets".into(), "apps/rbac.yaml".into())),
        "a binding reaches its ClusterRole's rules in another file: {reaches:?}"
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("facts.json");
    fs::write(&file, stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let facts = file.to_string_lossy().to_string();
    let o = run(empty.path(), &["check", ".", "--facts", &facts, "--now", NOW, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let fired = report["findings"].as_array().into_iter().flatten().any(|f| f["rule_id"] == "NHI-K8S-013");
    assert!(fired, "the printed facts fire the binding rule from a facts file");
    let newer = stdout(&run(&root, &["facts", "examples/kubernetes"])).replacen("\"version\": 1", "\"version\": 2", 1);
    fs::write(&file, newer).unwrap_or_else(|e| panic!("{e}"));
    let o = run(empty.path(), &["check", ".", "--facts", &facts]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("is version 2; this nhigate reads version 1"), "{}", stderr(&o));
}

/// On a terminal a long check draws a progress line on stderr; piped, the
/// same check draws none. The terminal is a pseudo-terminal from `script`.
#[test]
fn a_progress_line_is_drawn_on_a_terminal_only() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let scanned = dir.path().join("repo");
    fs::create_dir_all(&scanned).unwrap_or_else(|e| panic!("{e}"));
    // Large enough that the check outlasts the quarter second before the first draw.
    let line = "QmFzZTY0IGxpbmUgb2YgdGV4dCB0aGF0IGlzIG5vdCBhIHNlY3JldCBhdCBhbGwgYnV0IHJlYWQgYW55d2F5\n";
    fs::write(scanned.join("big.txt"), line.repeat(1_000_000)).unwrap_or_else(|e| panic!("{e}"));
    let check = format!("{} check . --max-file-size 200000000 -o /dev/null", env!("CARGO_BIN_EXE_nhigate"));
    let transcript = dir.path().join("transcript.txt");
    let o = std::process::Command::new("script")
        .current_dir(&scanned)
        .env_remove("CI")
        .args(["-qec", &check, &transcript.to_string_lossy()])
        .output()
        .unwrap_or_else(|e| panic!("script: {e}"));
    let seen = fs::read_to_string(&transcript).unwrap_or_default();
    assert!(seen.contains("0/1 files · "), "no progress line on a terminal: {seen:?} {}", stderr(&o));
    let piped = run(&scanned, &["check", ".", "--max-file-size", "200000000", "-o", "/dev/null"]);
    assert!(!stderr(&piped).contains("files · ") && !stderr(&piped).contains('\u{1b}'), "{:?}", stderr(&piped));
    assert!(stderr(&piped).contains("1 file scanned"), "{}", stderr(&piped));
}
