//! The git modes on real temporary repositories built with the git CLI:
//! `--staged`, `--base/--head` and `--history`.

use std::path::Path;
use std::process::Command;

use crate::harness::{code, run, stderr, stdout};

// Synthetic tokens of valid shape (the github-crc32 checksum verifies).
const TOKEN_A: &str = "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";
const TOKEN_B: &str = "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";
const TOKEN_C: &str = "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";

pub fn git(dir: &Path, args: &[&str], date: &str) {
    let out = git_output(dir, args, date);
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// `git` with a fixed author and date, whatever its outcome.
fn git_output(dir: &Path, args: &[&str], date: &str) -> std::process::Output {
    Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap_or_else(|e| panic!("git: {e}"))
}

pub fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(p, text).unwrap_or_else(|e| panic!("{e}"));
}

pub fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    git(dir.path(), &["init", "-q", "-b", "main"], "2024-01-01T00:00:00Z");
    dir
}

pub fn commit(dir: &Path, message: &str, date: &str) {
    git(dir, &["add", "-A"], date);
    git(dir, &["commit", "-q", "-m", message], date);
}

pub fn json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["check", "."];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json", "--now", "2025-06-30"]);
    let o = run(dir, &all);
    let doc = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&o), stderr(&o)));
    (code(&o), doc)
}

fn rule_paths(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| (f["rule_id"].as_str().unwrap_or("").into(), f["path"].as_str().unwrap_or("").into()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn staged_reports_what_the_index_adds_and_nothing_else() {
    let r = repo();
    let d = r.path();
    write(d, "app.py", &format!("OLD = \"{TOKEN_C}\"\n"));
    commit(d, "init", "2024-01-01T00:00:00Z");
    // Staged: a new secret in a new file, and an edit to a file whose old
    // secret was already committed.
    write(d, "config.env", &format!("GITHUB_TOKEN={TOKEN_A}\n"));
    write(d, "app.py", &format!("OLD = \"{TOKEN_C}\"\nprint('hi')\n"));
    git(d, &["add", "config.env", "app.py"], "2024-01-02T00:00:00Z");
    // Not staged: must not be reported.
    write(d, "notes.txt", &format!("token {TOKEN_B}\n"));
    let (exit, doc) = json(d, &["--staged"]);
    assert_eq!(exit, 1);
    assert_eq!(rule_paths(&doc), vec![("github-pat".to_string(), "config.env".to_string())]);
    assert_eq!(doc["findings"][0]["line"], 1);

    // A clean staged change passes.
    git(d, &["commit", "-q", "-m", "add"], "2024-01-02T00:00:00Z");
    write(d, "README.md", "# hello\n");
    git(d, &["add", "README.md"], "2024-01-03T00:00:00Z");
    let (exit, doc) = json(d, &["--staged"]);
    assert_eq!(exit, 0, "{doc}");
}

/// `git commit -a` and `git commit <path>` stage into a temporary index
/// and run the pre-commit hook with `GIT_INDEX_FILE` naming it; the
/// repository's own index is not yet updated. The hook must read the one
/// git names, or such commits pass unscanned.
#[test]
fn a_commit_of_tracked_changes_is_checked_by_the_hook() {
    let r = repo();
    let d = r.path();
    write(d, "app.py", "x = 1\n");
    write(d, "other.py", "y = 2\n");
    commit(d, "init", "2024-01-01T00:00:00Z");
    let hook = d.join(".git/hooks/pre-commit");
    write(
        d,
        ".git/hooks/pre-commit",
        &format!("#!/bin/sh\nexec '{}' check --staged --now 2025-06-30\n", env!("CARGO_BIN_EXE_nhigate")),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap_or_else(|e| panic!("{e}"));
    }
    write(d, "app.py", &format!("x = 1\ntoken = \"{TOKEN_A}\"\n"));
    for args in [&["commit", "-q", "-a", "-m", "all"][..], &["commit", "-q", "-m", "one path", "app.py"]] {
        let out = git_output(d, args, "2024-01-02T00:00:00Z");
        assert!(!out.status.success(), "{args:?} passed the hook: {}", String::from_utf8_lossy(&out.stdout));
        // Git sends a hook's output to its standard error.
        assert!(String::from_utf8_lossy(&out.stderr).contains("github-pat"), "{args:?}");
    }
    // A clean change of a tracked file still commits.
    write(d, "app.py", "x = 2\n");
    git(d, &["commit", "-q", "-a", "-m", "clean"], "2024-01-02T00:00:00Z");
}

/// A split index is neither read by us nor by libgit2: the check fails
/// (a hook blocks the commit) and says how to make the index plain again.
#[test]
fn an_index_that_cannot_be_read_fails_the_check_with_a_way_out() {
    let r = repo();
    let d = r.path();
    write(d, "a.txt", "a\n");
    commit(d, "init", "2024-01-01T00:00:00Z");
    git(d, &["update-index", "--split-index"], "2024-01-02T00:00:00Z");
    write(d, "b.py", &format!("token = \"{TOKEN_A}\"\n"));
    git(d, &["add", "b.py"], "2024-01-02T00:00:00Z");
    let o = run(d, &["check", ".", "--staged", "--now", "2025-06-30"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot read the index") && stderr(&o).contains("--no-split-index"), "{}", stderr(&o));
    git(d, &["update-index", "--no-split-index"], "2024-01-02T00:00:00Z");
    let o = run(d, &["check", ".", "--staged", "--now", "2025-06-30"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
}

#[test]
fn base_reports_what_the_branch_introduces_even_if_removed_again() {
    let r = repo();
    let d = r.path();
    write(d, "existing.env", &format!("TOKEN={TOKEN_C}\n"));
    commit(d, "base", "2024-01-01T00:00:00Z");
    git(d, &["checkout", "-q", "-b", "feature"], "2024-01-01T00:00:00Z");
    write(d, "leak.py", &format!("token = \"{TOKEN_A}\"\n"));
    commit(d, "add a secret", "2024-02-01T00:00:00Z");
    std::fs::remove_file(d.join("leak.py")).unwrap_or_else(|e| panic!("{e}"));
    commit(d, "remove it", "2024-02-02T00:00:00Z");
    write(d, ".npmrc", &format!("//registry.npmjs.org/:_authToken={TOKEN_B}\n"));
    write(d, "existing.env", &format!("TOKEN={TOKEN_C}\nOTHER=1\n"));
    commit(d, "npm", "2024-02-03T00:00:00Z");
    let (exit, doc) = json(d, &["--base", "main", "--head", "feature"]);
    assert_eq!(exit, 1);
    let mut got = rule_paths(&doc);
    got.sort();
    assert_eq!(
        got,
        vec![("github-pat".to_string(), "leak.py".to_string()), ("npm-token".to_string(), ".npmrc".to_string())],
        "the secret already on main is not new; the removed one still counts"
    );
    let leak =
        doc["findings"].as_array().and_then(|a| a.iter().find(|f| f["path"] == "leak.py")).cloned().unwrap_or_default();
    assert_eq!(leak["secret"]["first_seen"]["date"], "2024-02-01");
    assert!(leak["commit"].as_str().is_some_and(|c| c.len() == 40));
    // Nothing new on main itself.
    let (exit, _) = json(d, &["--base", "main", "--head", "main"]);
    assert_eq!(exit, 0);
}

#[test]
fn history_scans_every_ref_once_and_dates_secrets() {
    let r = repo();
    let d = r.path();
    write(d, "a.env", &format!("GITHUB_TOKEN={TOKEN_A}\n"));
    commit(d, "first", "2024-03-01T00:00:00Z");
    write(d, "a.env", &format!("GITHUB_TOKEN={TOKEN_A}\nDEBUG=1\n"));
    commit(d, "second", "2024-04-01T00:00:00Z");
    git(d, &["checkout", "-q", "-b", "side"], "2024-04-01T00:00:00Z");
    write(d, "b.npmrc", &format!("//registry.npmjs.org/:_authToken={TOKEN_B}\n"));
    commit(d, "side branch", "2024-05-01T00:00:00Z");
    git(d, &["checkout", "-q", "main"], "2024-05-01T00:00:00Z");
    let (exit, doc) = json(d, &["--history"]);
    assert_eq!(exit, 1);
    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    assert_eq!(findings.len(), 2, "one finding per secret, across commits: {findings:#?}");
    let a = findings.iter().find(|f| f["path"] == "a.env").cloned().unwrap_or_default();
    assert_eq!(a["secret"]["first_seen"]["date"], "2024-03-01", "first seen in the first commit");
    assert!(findings.iter().any(|f| f["path"] == "b.npmrc"), "a branch that is not checked out is scanned");

    // Rules see the age that history gives a secret.
    std::fs::write(
        d.join("age.nhi"),
        "rule SEC-AGE \"old secrets\" {\n  severity high\n  on secret\n  require age <= 100d\n  message \"{detector} first seen {age} ago\"\n}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (_, doc) = json(d, &["--history", "--rules", "age.nhi"]);
    let aged: Vec<&str> = doc["findings"]
        .as_array()
        .map(|a| a.iter().filter(|f| f["rule_id"] == "SEC-AGE").filter_map(|f| f["message"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(aged.len(), 2, "{doc}");
    assert!(aged.contains(&"github-pat first seen 486d ago"), "{aged:?}");
}

#[test]
fn git_modes_outside_a_repository_are_usage_errors() {
    let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let o = run(d.path(), &["check", ".", "--staged"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not in a git repository"), "{}", stderr(&o));
    let r = repo();
    write(r.path(), "x.txt", "x\n");
    commit(r.path(), "x", "2024-01-01T00:00:00Z");
    let o = run(r.path(), &["check", ".", "--base", "nope"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cannot resolve `nope`"), "{}", stderr(&o));
}

#[test]
fn a_staged_change_sees_owners_declared_in_the_committed_inventory() {
    let dir = repo();
    let d = dir.path();
    write(
        d,
        "nhi.toml",
        "version = 1\n[[identity]]\nkind = \"gcp_service_account\"\nname = \"bot\"\nowner = \"team-a\"\n",
    );
    write(d, "README.md", "infra\n");
    commit(d, "inventory", "2025-01-01T00:00:00Z");
    write(
        d,
        "main.tf",
        "resource \"google_service_account\" \"b\" {\n  account_id = \"bot\"\n}\nresource \"google_service_account\" \"c\" {\n  account_id = \"orphan\"\n}\n",
    );
    git(d, &["add", "main.tf"], "2025-01-02T00:00:00Z");
    let (_, doc) = json(d, &["--staged"]);
    let owners: Vec<(String, String)> =
        rule_paths(&doc).into_iter().filter(|(rule, _)| rule == "NHI-OWN-001").collect();
    // `bot` is declared with an owner in nhi.toml (not staged); `orphan` is not.
    assert_eq!(owners, vec![("NHI-OWN-001".to_string(), "main.tf".to_string())]);
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["message"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        messages.iter().any(|m| m.contains("`orphan`")) && !messages.iter().any(|m| m.contains("`bot`")),
        "{messages:?}"
    );
}

#[test]
fn a_blob_missing_from_a_partial_clone_is_skipped_not_an_error() {
    let r = repo();
    let d = r.path();
    write(d, "a.env", &format!("GITHUB_TOKEN={TOKEN_A}\n"));
    write(d, "notes.txt", "fetched later\n");
    commit(d, "first", "2024-03-01T00:00:00Z");
    let out = Command::new("git").current_dir(d).args(["rev-parse", "HEAD:notes.txt"]).output();
    let oid = out.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default();
    assert_eq!(oid.len(), 40, "{oid}");
    std::fs::remove_file(d.join(".git/objects").join(&oid[..2]).join(&oid[2..])).unwrap_or_else(|e| panic!("{e}"));
    let (exit, doc) = json(d, &["--history"]);
    assert_eq!(exit, 1, "findings, not an error: {doc}");
    assert!(rule_paths(&doc).contains(&("github-pat".into(), "a.env".into())), "the rest is scanned: {doc}");
    let skipped = doc["skipped"].as_array().cloned().unwrap_or_default();
    let missing = skipped.iter().find(|s| s["path"] == "notes.txt").and_then(|s| s["reason"].as_str()).unwrap_or("");
    assert!(missing.contains("cannot read blob"), "{doc}");
}
