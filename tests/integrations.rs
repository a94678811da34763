//! The two integrations, driven as their hosts drive them: the GitHub
//! Action's shell steps with a runner's GITHUB_* environment, and the
//! pre-commit hook through the real pre-commit framework.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::harness::{repo_root, stderr, stdout};

const TOKEN: &str = "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";

fn sh(dir: &Path, program: &str, args: &[&str], env: &[(&str, String)]) -> Output {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir).args(args);
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().to_string();
        if k.starts_with("GITHUB_") || k.starts_with("NHIGATE_") || k == "CI" || k.starts_with("GIT_") {
            cmd.env_remove(&k);
        }
    }
    cmd.env("GIT_AUTHOR_NAME", "t").env("GIT_AUTHOR_EMAIL", "t@example.com");
    cmd.env("GIT_COMMITTER_NAME", "t").env("GIT_COMMITTER_EMAIL", "t@example.com");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap_or_else(|e| panic!("{program}: {e}"))
}

fn git(dir: &Path, args: &[&str]) -> String {
    let o = sh(dir, "git", args, &[]);
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
    stdout(&o).trim().to_string()
}

fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    fs::write(p, text).unwrap_or_else(|e| panic!("{e}"));
}

/// PATH with the nhigate under test first.
fn path_with_nhigate() -> String {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_nhigate"));
    let dir = bin.parent().map(Path::to_path_buf).unwrap_or_default();
    format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default())
}

/// A runner's environment for the action's scripts: the workspace `repo`,
/// the runner's files in `runner`, the inputs at their defaults, and a
/// proxy that refuses, so a step that would reach the internet fails here.
fn runner_env(repo: &Path, runner: &Path) -> Vec<(&'static str, String)> {
    let file = |name: &str| runner.join(name).to_string_lossy().to_string();
    let refuse = "http://127.0.0.1:9".to_string();
    vec![
        ("PATH", path_with_nhigate()),
        ("GITHUB_ACTIONS", "true".to_string()),
        ("GITHUB_WORKSPACE", repo.to_string_lossy().to_string()),
        ("GITHUB_OUTPUT", file("output")),
        ("GITHUB_STEP_SUMMARY", file("summary.md")),
        ("GITHUB_PATH", file("path")),
        ("RUNNER_TEMP", runner.to_string_lossy().to_string()),
        ("RUNNER_OS", "Linux".to_string()),
        ("RUNNER_ARCH", "X64".to_string()),
        ("NHIGATE_PATH", ".".to_string()),
        ("NHIGATE_RULES", String::new()),
        ("NHIGATE_SEVERITY", String::new()),
        ("NHIGATE_CONFIG", String::new()),
        ("NHIGATE_VERSION", String::new()),
        ("NHIGATE_ALLOW_PULL_REQUEST_TARGET", "false".to_string()),
        ("NHIGATE_SOURCE", repo_root().to_string_lossy().to_string()),
        ("http_proxy", refuse.clone()),
        ("https_proxy", refuse.clone()),
        ("HTTPS_PROXY", refuse.clone()),
        ("ALL_PROXY", refuse),
        ("NO_PROXY", String::new()),
        ("no_proxy", String::new()),
    ]
}

/// Run one of the action's scripts (`install.sh`, `run.sh`) in `dir`.
fn step(dir: &Path, script: &str, env: &[(&str, String)]) -> Output {
    sh(dir, "bash", &[&repo_root().join("action").join(script).to_string_lossy()], env)
}

fn with(env: &[(&'static str, String)], more: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut env = env.to_vec();
    env.extend(more.iter().map(|(k, v)| (*k, v.to_string())));
    env
}

/// A repository with an orphan IAM user on `main` (a finding of the tree)
/// and a `feature` branch adding a secret; returns (base, head).
fn pull_request_repo(r: &Path) -> (String, String) {
    git(r, &["init", "-q", "-b", "main"]);
    write(r, "old.tf", "resource \"aws_iam_user\" \"legacy\" {\n  name = \"legacy\"\n}\n");
    git(r, &["add", "-A"]);
    git(r, &["commit", "-q", "-m", "base"]);
    let base = git(r, &["rev-parse", "HEAD"]);
    git(r, &["checkout", "-q", "-b", "feature"]);
    write(r, "app.py", &format!("TOKEN = \"{TOKEN}\"\n"));
    git(r, &["add", "-A"]);
    git(r, &["commit", "-q", "-m", "feature"]);
    let head = git(r, &["rev-parse", "HEAD"]);
    (base, head)
}

/// A repository whose push adds a secret in one commit and removes it in
/// the next, over a base with an orphan IAM user; returns (before, after).
fn push_repo(r: &Path) -> (String, String) {
    git(r, &["init", "-q", "-b", "main"]);
    write(r, "old.tf", "resource \"aws_iam_user\" \"legacy\" {\n  name = \"legacy\"\n}\n");
    git(r, &["add", "-A"]);
    git(r, &["commit", "-q", "-m", "base"]);
    let before = git(r, &["rev-parse", "HEAD"]);
    write(r, "app.py", &format!("TOKEN = \"{TOKEN}\"\n"));
    git(r, &["add", "-A"]);
    git(r, &["commit", "-q", "-m", "add a token"]);
    write(r, "app.py", "import os\nTOKEN = os.environ[\"TOKEN\"]\n");
    git(r, &["add", "-A"]);
    git(r, &["commit", "-q", "-m", "read the token from the environment"]);
    let after = git(r, &["rev-parse", "HEAD"]);
    (before, after)
}

fn sarif_output(runner: &Path, output: &str) -> Option<String> {
    let outputs = fs::read_to_string(runner.join(output)).unwrap_or_default();
    outputs.lines().find_map(|l| l.strip_prefix("sarif=")).map(str::to_string)
}

#[test]
fn the_action_checks_what_a_pull_request_adds_and_other_events_the_tree() {
    let repo = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let r = repo.path();
    let (base, head) = pull_request_repo(r);
    let runner = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let t = runner.path();
    let env = runner_env(r, t);

    // The install step keeps the nhigate already on PATH.
    let install = step(r, "install.sh", &env);
    assert!(install.status.success(), "{}", stderr(&install));
    assert!(stdout(&install).contains("already installed"), "{}", stdout(&install));

    // pull_request: only what the branch adds (the secret), not the old orphan.
    let pr =
        with(&env, &[("GITHUB_EVENT_NAME", "pull_request"), ("NHIGATE_BASE_SHA", &base), ("NHIGATE_HEAD_SHA", &head)]);
    let o = step(r, "run.sh", &pr);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let annotations = stdout(&o);
    assert!(annotations.contains("::error file=app.py,line=1,"), "{annotations}");
    assert!(!annotations.contains("old.tf"), "the base's findings are not the branch's: {annotations}");
    assert!(!annotations.contains(TOKEN), "redacted");
    let sarif_path = sarif_output(t, "output").unwrap_or_default();
    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&sarif_path).unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "github-pat");
    let summary = fs::read_to_string(t.join("summary.md")).unwrap_or_default();
    assert!(summary.contains("`github-pat`") && summary.contains("`app.py:1`"), "{summary}");

    // Other events (workflow_dispatch, schedule): the whole tree, the old orphan included.
    for event in ["workflow_dispatch", "schedule"] {
        let o = step(r, "run.sh", &with(&env, &[("GITHUB_EVENT_NAME", event)]));
        assert_eq!(o.status.code(), Some(1), "{event}: {}", stderr(&o));
        assert!(stdout(&o).contains("file=old.tf"), "{event}: {}", stdout(&o));
    }

    // A usage error is exit 2, and no SARIF is announced.
    let output2 = t.join("output2").to_string_lossy().to_string();
    let bad =
        with(&env, &[("GITHUB_EVENT_NAME", "push"), ("NHIGATE_CONFIG", "missing.toml"), ("GITHUB_OUTPUT", &output2)]);
    let o = step(r, "run.sh", &bad);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(sarif_output(t, "output2").is_none(), "no SARIF announced on an error");
}

/// A push is checked commit by commit from the event's `before`: a secret
/// added and removed again within the push is reported, though the final
/// tree no longer has it; also from a shallow checkout, which lacks
/// `before` and the commits in between until the script fetches them.
#[test]
fn a_push_checks_the_pushed_commits_since_before() {
    let repo = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let r = repo.path();
    let (before, after) = push_repo(r);
    let runner = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let t = runner.path();
    let env = runner_env(r, t);
    let push =
        with(&env, &[("GITHUB_EVENT_NAME", "push"), ("NHIGATE_PUSH_BEFORE", &before), ("NHIGATE_PUSH_AFTER", &after)]);

    let o = step(r, "run.sh", &push);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.contains("::error file=app.py,line=1,") && out.contains("github-pat"), "{out}");
    assert!(!out.contains("old.tf"), "what was there before the push is not the push's: {out}");
    assert!(!out.contains("whole tree"), "{out}");
    assert!(!out.contains(TOKEN), "redacted");
    let sarif = fs::read_to_string(sarif_output(t, "output").unwrap_or_default()).unwrap_or_default();
    assert!(sarif.contains("\"github-pat\""), "{sarif}");

    // The final tree alone misses the secret.
    let o = step(r, "run.sh", &with(&env, &[("GITHUB_EVENT_NAME", "workflow_dispatch")]));
    assert!(stdout(&o).contains("file=old.tf") && !stdout(&o).contains("app.py"), "{}", stdout(&o));

    // actions/checkout's default: one commit deep, without `before`.
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let url = format!("file://{}", r.to_string_lossy());
    git(work.path(), &["clone", "-q", "--depth", "1", &url, "ws"]);
    let ws = work.path().join("ws");
    assert_eq!(git(&ws, &["rev-parse", "--is-shallow-repository"]), "true");
    let runner2 = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let shallow = with(
        &runner_env(&ws, runner2.path()),
        &[("GITHUB_EVENT_NAME", "push"), ("NHIGATE_PUSH_BEFORE", &before), ("NHIGATE_PUSH_AFTER", &after)],
    );
    let o = step(&ws, "run.sh", &shallow);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.contains("::error file=app.py,line=1,"), "the commits between were fetched: {out}");
    assert!(!out.contains("old.tf") && !out.contains("whole tree"), "{out}");
}

/// A new branch (`before` is all zeros) has no earlier commit to start
/// from, nor has a push whose `before` is gone and cannot be fetched: the
/// whole tree is checked, and a notice says so.
#[test]
fn a_push_of_a_new_branch_checks_the_tree_with_a_notice() {
    let repo = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let r = repo.path();
    let (_, after) = push_repo(r);
    let runner = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let env = runner_env(r, runner.path());
    let zeros = "0".repeat(40);
    let gone = "1234567890abcdef1234567890abcdef12345678";
    for (before, why) in [(zeros.as_str(), "new branch"), ("", "new branch"), (gone, "cannot be fetched")] {
        let push = with(
            &env,
            &[("GITHUB_EVENT_NAME", "push"), ("NHIGATE_PUSH_BEFORE", before), ("NHIGATE_PUSH_AFTER", &after)],
        );
        let o = step(r, "run.sh", &push);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(1), "before={before:?}: {out}{}", stderr(&o));
        let notice = out.lines().find(|l| l.starts_with("::notice")).unwrap_or_default();
        assert!(notice.contains(why) && notice.contains("checking the whole tree"), "before={before:?}: {out}");
        assert!(out.contains("file=old.tf"), "the tree, with what was there before: {out}");
    }
}

/// A pull request's runner environment for `event` in `r`, with a
/// `nhigate` first on PATH that logs each call to `log`.
fn counted_pull_request(r: &Path, t: &Path, log: &Path, event: &str) -> Vec<(&'static str, String)> {
    let (base, head) = pull_request_repo(r);
    with(
        &runner_env(r, t),
        &[
            ("PATH", &counting_nhigate(t, log)),
            ("GITHUB_EVENT_NAME", event),
            ("NHIGATE_BASE_SHA", &base),
            ("NHIGATE_HEAD_SHA", &head),
        ],
    )
}

/// pull_request_target runs with the base repository's secrets and write
/// token: refused (exit 2, with why) unless the workflow opts in.
#[test]
fn pull_request_target_is_refused_unless_opted_in() {
    let (repo, runner) =
        (tempfile::tempdir().unwrap_or_else(|e| panic!("{e}")), tempfile::tempdir().unwrap_or_else(|e| panic!("{e}")));
    let (r, t) = (repo.path(), runner.path());
    let log = t.join("calls.log");
    let env = counted_pull_request(r, t, &log, "pull_request_target");

    for refused in [env.clone(), with(&env, &[("NHIGATE_ALLOW_PULL_REQUEST_TARGET", "")])] {
        let o = step(r, "run.sh", &refused);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(2), "{out}{}", stderr(&o));
        let error = out.lines().find(|l| l.starts_with("::error")).unwrap_or_default();
        for why in
            ["pull_request_target", "secrets", "write token", "persist-credentials: false", "allow-pull-request-target"]
        {
            assert!(error.contains(why), "the refusal says {why:?}: {out}");
        }
        assert!(fs::read_to_string(&log).unwrap_or_default().is_empty(), "nothing is checked when refused");
        assert!(sarif_output(t, "output").is_none());
    }

    let o = step(r, "run.sh", &with(&env, &[("NHIGATE_ALLOW_PULL_REQUEST_TARGET", "true")]));
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.contains("::error file=app.py,line=1,") && !out.contains("old.tf"), "what the branch adds: {out}");
    assert!(sarif_output(t, "output").is_some());
}

/// A directory holding an `nhigate` that logs each call to `log` and runs
/// the real one; returns a PATH with it first.
fn counting_nhigate(dir: &Path, log: &Path) -> String {
    let bin = dir.join("counting-bin");
    fs::create_dir_all(&bin).unwrap_or_else(|e| panic!("{e}"));
    let script = format!(
        "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
        log.to_string_lossy(),
        env!("CARGO_BIN_EXE_nhigate")
    );
    write(&bin, "nhigate", &script);
    sh(&bin, "chmod", &["+x", "nhigate"], &[]);
    format!("{}:{}", bin.to_string_lossy(), std::env::var("PATH").unwrap_or_default())
}

/// One nhigate run gives the annotations, the job summary and the SARIF
/// file; an error (exit 2) is one run too, and announces no SARIF.
#[test]
fn the_action_runs_the_check_once() {
    let (repo, runner) =
        (tempfile::tempdir().unwrap_or_else(|e| panic!("{e}")), tempfile::tempdir().unwrap_or_else(|e| panic!("{e}")));
    let (r, t) = (repo.path(), runner.path());
    let log = t.join("calls.log");
    let env = counted_pull_request(r, t, &log, "pull_request");

    let o = step(r, "run.sh", &env);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let calls = fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(calls.lines().count(), 1, "one run: {calls}");
    assert!(calls.contains("--format github") && calls.contains("--sarif"), "{calls}");
    assert_eq!(stdout(&o).matches("::error file=app.py,line=1,").count(), 1, "{}", stdout(&o));
    let summary = fs::read_to_string(t.join("summary.md")).unwrap_or_default();
    assert_eq!(summary.matches("`app.py:1`").count(), 1, "one summary: {summary}");
    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(sarif_output(t, "output").unwrap_or_default()).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "github-pat");

    fs::remove_file(&log).unwrap_or_else(|e| panic!("{e}"));
    let output2 = t.join("output2").to_string_lossy().to_string();
    let o = step(r, "run.sh", &with(&env, &[("NHIGATE_CONFIG", "missing.toml"), ("GITHUB_OUTPUT", &output2)]));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&log).unwrap_or_default().lines().count(), 1);
    assert!(sarif_output(t, "output2").is_none(), "no SARIF announced on an error");
}

const TARGET: &str = "x86_64-unknown-linux-gnu";

/// A release folder (served as file://) with `nhigate-<target>.tar.gz`
/// holding an `nhigate` that prints `version_line`, and the given checksum
/// file text (None: no checksum file); returns the checksum of the tarball.
fn release(dir: &Path, version_line: &str, checksum: Option<&dyn Fn(&str) -> String>) -> String {
    let stage = dir.join("stage");
    write(&stage, "nhigate", &format!("#!/bin/sh\necho '{version_line}'\n"));
    sh(&stage, "chmod", &["+x", "nhigate"], &[]);
    let asset = format!("nhigate-{TARGET}.tar.gz");
    let out = dir.join("release");
    fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
    let o = sh(&out, "tar", &["-czf", &asset, "-C", &stage.to_string_lossy(), "nhigate"], &[]);
    assert!(o.status.success(), "tar: {}", stderr(&o));
    let o = sh(&out, "sha256sum", &[&asset], &[]);
    assert!(o.status.success(), "sha256sum: {}", stderr(&o));
    let sum = stdout(&o).split_whitespace().next().unwrap_or_default().to_string();
    if let Some(text) = checksum {
        write(&out, &format!("{asset}.sha256"), &text(&sum));
    }
    sum
}

/// A PATH whose `cargo` only logs that it was asked to build.
fn fake_cargo(dir: &Path, log: &Path) -> String {
    let bin = dir.join("fake-bin");
    let script = format!(
        "#!/bin/sh\necho \"$*\" >> '{}'\nroot=$(echo \"$*\" | sed -n 's/.*--root \\([^ ]*\\).*/\\1/p')\n\
         mkdir -p \"$root/bin\" && printf '#!/bin/sh\\necho nhigate built\\n' > \"$root/bin/nhigate\" && chmod +x \"$root/bin/nhigate\"\n",
        log.to_string_lossy()
    );
    write(&bin, "cargo", &script);
    sh(&bin, "chmod", &["+x", "cargo"], &[]);
    format!("{}:{}", bin.to_string_lossy(), std::env::var("PATH").unwrap_or_default())
}

/// Every `nhigate` file under `dir`.
fn installed(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(installed(&p));
        } else if p.file_name().is_some_and(|n| n == "nhigate") {
            out.push(p);
        }
    }
    out
}

/// install.sh installs a release binary only when it matches the release's
/// SHA-256 checksum; a wrong or missing checksum is an error that installs
/// nothing (and builds nothing in its place). The release is a file://
/// folder; a proxy that refuses keeps the test off the internet.
#[test]
fn install_verifies_the_release_checksum() {
    let good = |sum: &str| format!("{sum}  nhigate-{TARGET}.tar.gz\n");
    let tampered = |_: &str| format!("{}  nhigate-{TARGET}.tar.gz\n", "ab".repeat(32));
    let other_file = |sum: &str| format!("{sum}  nhigate-aarch64-apple-darwin.tar.gz\n");
    type Case<'a> = (&'a str, Option<&'a dyn Fn(&str) -> String>);
    let cases: [Case<'_>; 4] =
        [("good", Some(&good)), ("tampered", Some(&tampered)), ("other file", Some(&other_file)), ("missing", None)];
    for (case, checksum) in cases {
        let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let w = work.path();
        let sum = release(w, "nhigate 9.9.9", checksum);
        let runner = w.join("runner");
        fs::create_dir_all(&runner).unwrap_or_else(|e| panic!("{e}"));
        let cargo_log = w.join("cargo.log");
        let url = format!("file://{}", w.join("release").to_string_lossy());
        let env = with(
            &runner_env(w, &runner),
            &[("PATH", &fake_cargo(w, &cargo_log)), ("NHIGATE_VERSION", "9.9.9"), ("NHIGATE_RELEASE_URL", &url)],
        );
        let o = step(w, "install.sh", &env);
        let (out, err) = (stdout(&o), stderr(&o));
        let path_file = fs::read_to_string(runner.join("path")).unwrap_or_default();
        assert!(!cargo_log.exists(), "{case}: nothing is built in place of a release binary: {out}{err}");
        if case == "good" {
            assert!(o.status.success(), "{case}: {out}{err}");
            assert!(out.contains(&format!("SHA-256 {sum} verified")), "{out}");
            let dir = PathBuf::from(path_file.trim());
            let v = sh(w, &dir.join("nhigate").to_string_lossy(), &["--version"], &[]);
            assert_eq!(stdout(&v).trim(), "nhigate 9.9.9", "{case}: the release binary is on the PATH");
        } else {
            assert!(!o.status.success(), "{case}: {out}{err}");
            let error = out.lines().find(|l| l.starts_with("::error::")).unwrap_or_default();
            assert!(
                error.contains(&format!("nhigate-{TARGET}.tar.gz")) && error.contains("not installing"),
                "{case}: {out}"
            );
            if case == "tampered" {
                assert!(error.contains("checksum mismatch"), "{out}");
            }
            assert!(path_file.is_empty(), "{case}: nothing added to the PATH: {path_file}");
            assert!(installed(&runner).is_empty(), "{case}: nothing installed: {:?}", installed(&runner));
        }
    }
}

/// A release without a binary for the runner: install.sh builds the
/// action's own source with `cargo install --locked`.
#[test]
fn install_builds_from_source_when_the_release_has_no_binary_for_the_runner() {
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let w = work.path();
    let runner = w.join("runner");
    fs::create_dir_all(w.join("release")).unwrap_or_else(|e| panic!("{e}"));
    fs::create_dir_all(&runner).unwrap_or_else(|e| panic!("{e}"));
    let cargo_log = w.join("cargo.log");
    let url = format!("file://{}", w.join("release").to_string_lossy());
    let env = with(
        &runner_env(w, &runner),
        &[("PATH", &fake_cargo(w, &cargo_log)), ("NHIGATE_VERSION", "9.9.9"), ("NHIGATE_RELEASE_URL", &url)],
    );
    let o = step(w, "install.sh", &env);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let calls = fs::read_to_string(&cargo_log).unwrap_or_default();
    let source = repo_root().to_string_lossy().to_string();
    assert!(calls.contains("install --locked --path") && calls.contains(&source), "{calls}");
    let dir = PathBuf::from(fs::read_to_string(runner.join("path")).unwrap_or_default().trim());
    assert!(dir.join("nhigate").exists(), "{}", dir.display());
}

#[test]
fn action_yml_runs_the_scripts_and_pins_upload_sarif_by_sha() {
    let text = fs::read_to_string(repo_root().join("action.yml")).unwrap_or_default();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("action.yml: {e}"));
    let action = &docs[0];
    let steps = action["runs"]["steps"].as_vec().cloned().unwrap_or_default();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(runs.iter().any(|r| r.contains("action/install.sh")) && runs.iter().any(|r| r.contains("action/run.sh")));
    let upload = steps.iter().filter_map(|s| s["uses"].as_str()).find(|u| u.contains("upload-sarif"));
    let sha = upload.and_then(|u| u.split_once('@')).map(|(_, v)| v).unwrap_or("");
    assert!(sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()), "upload-sarif pinned by SHA: {upload:?}");
    for input in ["path", "rules", "severity", "config", "sarif-upload", "version", "allow-pull-request-target"] {
        assert!(!action["inputs"][input].is_badvalue(), "input {input}");
    }
    let opt_in = &action["inputs"]["allow-pull-request-target"]["default"];
    assert_eq!(opt_in.as_str(), Some("false"), "pull_request_target is opt-in");

    // Inputs and event fields reach the scripts through env only: a branch
    // name or an input could hold shell metacharacters.
    for run in &runs {
        let mut rest = *run;
        while let Some(at) = rest.find("${{") {
            let end = rest[at..].find("}}").map_or(rest.len(), |e| at + e + 2);
            assert_eq!(rest[at..end].replace(' ', ""), "${{github.action_path}}", "interpolated into run: {run}");
            rest = &rest[end..];
        }
    }
    let check = steps.iter().find(|s| s["id"].as_str() == Some("check"));
    let env = |name: &str| check.and_then(|s| s["env"][name].as_str());
    assert_eq!(env("NHIGATE_PUSH_BEFORE"), Some("${{ github.event.before }}"));
    assert!(env("NHIGATE_PUSH_AFTER").is_some_and(|v| v.contains("github.event.after")));
    assert_eq!(env("NHIGATE_ALLOW_PULL_REQUEST_TARGET"), Some("${{ inputs.allow-pull-request-target }}"));
}

/// The pre-commit framework, installed from PyPI into a virtualenv, runs
/// this repository's hook (`language: rust` builds it with cargo) on a
/// commit with a secret and on a clean one. It needs the network and a
/// committed HEAD, so `.ci/run` runs it with `--ignored`.
#[test]
#[ignore = "installs pre-commit from PyPI and builds the hook; run by .ci/run"]
fn pre_commit_blocks_a_secret_and_passes_a_clean_commit() {
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let w = work.path();
    let venv = w.join("venv");
    let o = sh(w, "python3", &["-m", "venv", &venv.to_string_lossy()], &[]);
    assert!(o.status.success(), "venv: {}", stderr(&o));
    let pip = venv.join("bin/pip");
    let o = sh(w, &pip.to_string_lossy(), &["install", "--quiet", "pre-commit"], &[]);
    assert!(o.status.success(), "pip install pre-commit: {}", stderr(&o));
    let pre_commit = venv.join("bin/pre-commit").to_string_lossy().to_string();

    let rev = git(&repo_root(), &["rev-parse", "HEAD"]);
    let user = w.join("project");
    fs::create_dir_all(&user).unwrap_or_else(|e| panic!("{e}"));
    git(&user, &["init", "-q", "-b", "main"]);
    write(
        &user,
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: nhigate\n",
            repo_root().to_string_lossy()
        ),
    );
    let env = vec![
        ("PRE_COMMIT_HOME", w.join("cache").to_string_lossy().to_string()),
        // A target folder of its own, kept between runs: sharing this
        // checkout's would let the clone's build script outputs (its packs)
        // stand in for this checkout's.
        ("CARGO_TARGET_DIR", repo_root().join("target").join("hook-install").to_string_lossy().to_string()),
        ("PATH", std::env::var("PATH").unwrap_or_default()),
    ];
    let o = sh(&user, &pre_commit, &["install"], &env);
    assert!(o.status.success(), "pre-commit install: {}", stderr(&o));

    write(&user, "settings.py", &format!("GITHUB_TOKEN = \"{TOKEN}\"\n"));
    git(&user, &["add", "-A"]);
    let blocked = sh(&user, "git", &["commit", "-q", "-m", "add settings"], &env);
    let text = format!("{}{}", stdout(&blocked), stderr(&blocked));
    assert!(!blocked.status.success(), "the secret was committed:\n{text}");
    assert!(text.contains("github-pat") && text.contains("settings.py:1"), "readable message:\n{text}");
    assert!(!text.contains(TOKEN), "redacted:\n{text}");

    write(&user, "settings.py", "import os\nGITHUB_TOKEN = os.environ[\"GITHUB_TOKEN\"]\n");
    git(&user, &["add", "-A"]);
    let clean = sh(&user, "git", &["commit", "-q", "-m", "read the token from the environment"], &env);
    assert!(clean.status.success(), "a clean commit is blocked:\n{}{}", stdout(&clean), stderr(&clean));
}

/// The `nhigate-binary` hook's script installs this version's release
/// binary (verified) into its cache once, and runs `check --staged` with it.
#[test]
fn the_binary_hook_installs_a_verified_release_and_checks_what_is_staged() {
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let w = work.path();
    // A release folder for this machine's target, holding this build.
    let target = match std::env::consts::ARCH {
        "aarch64" => "aarch64-unknown-linux-musl",
        _ => "x86_64-unknown-linux-musl",
    };
    let stage = w.join("stage");
    fs::create_dir_all(&stage).unwrap_or_else(|e| panic!("{e}"));
    fs::copy(env!("CARGO_BIN_EXE_nhigate"), stage.join("nhigate")).unwrap_or_else(|e| panic!("{e}"));
    let release = w.join("release");
    fs::create_dir_all(&release).unwrap_or_else(|e| panic!("{e}"));
    let asset = format!("nhigate-{target}.tar.gz");
    let o = sh(&release, "tar", &["-czf", &asset, "-C", &stage.to_string_lossy(), "nhigate"], &[]);
    assert!(o.status.success(), "tar: {}", stderr(&o));
    let o = sh(&release, "sha256sum", &[&asset], &[]);
    write(&release, &format!("{asset}.sha256"), &stdout(&o));

    let user = w.join("project");
    fs::create_dir_all(&user).unwrap_or_else(|e| panic!("{e}"));
    git(&user, &["init", "-q", "-b", "main"]);
    write(&user, "app.py", &format!("TOKEN = \"{TOKEN}\"\n"));
    git(&user, &["add", "app.py"]);
    let cache = w.join("cache");
    let env = vec![
        ("NHIGATE_RELEASE_URL", format!("file://{}", release.to_string_lossy())),
        ("NHIGATE_CACHE", cache.to_string_lossy().to_string()),
        ("PATH", std::env::var("PATH").unwrap_or_default()),
    ];
    let hook = repo_root().join("scripts/pre-commit-binary.sh").to_string_lossy().to_string();
    let o = sh(&user, "sh", &[&hook], &env);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("SHA-256") && stdout(&o).contains("github-pat"), "{}{}", stdout(&o), stderr(&o));
    let version = env!("CARGO_PKG_VERSION");
    assert!(cache.join(version).join("nhigate").is_file());
    // A second run uses the cached binary: the release may be gone.
    fs::remove_dir_all(&release).unwrap_or_else(|e| panic!("{e}"));
    let o = sh(&user, "sh", &[&hook], &env);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
}

/// A release as the workflow makes it: scripts/package.sh packs a build
/// with its completions and manual page and writes its checksum, and
/// scripts/install.sh installs it from there, verified.
#[test]
fn a_packaged_release_installs_verified() {
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let w = work.path();
    let dist = w.join("dist");
    let target = "x86_64-unknown-linux-gnu";
    let env = vec![
        ("BIN", env!("CARGO_BIN_EXE_nhigate").to_string()),
        ("DIST", dist.to_string_lossy().to_string()),
        ("PATH", std::env::var("PATH").unwrap_or_default()),
    ];
    let o = sh(&repo_root(), "bash", &["scripts/package.sh", target], &env);
    assert!(o.status.success(), "package.sh: {}{}", stdout(&o), stderr(&o));
    let asset = format!("nhigate-{target}.tar.gz");
    let listing = sh(&dist, "tar", &["-tzf", &asset], &[]);
    for member in ["./nhigate", "./nhigate.1", "./completions/nhigate.bash", "./completions/nhigate.zsh", "./README.md"]
    {
        assert!(stdout(&listing).lines().any(|l| l == member), "{member} not in {}", stdout(&listing));
    }
    let to = w.join("bin");
    let url = format!("file://{}", dist.to_string_lossy());
    let env = vec![("NHIGATE_RELEASE_URL", url), ("PATH", std::env::var("PATH").unwrap_or_default())];
    let install = repo_root().join("scripts/install.sh").to_string_lossy().to_string();
    let o = sh(w, "sh", &[&install, "--target", target, "--to", &to.to_string_lossy()], &env);
    assert!(o.status.success(), "install.sh: {}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("verified"), "{}", stdout(&o));
    let v = sh(w, &to.join("nhigate").to_string_lossy(), &["--version"], &[]);
    assert_eq!(stdout(&v).trim(), format!("nhigate {}", env!("CARGO_PKG_VERSION")));
    // A release without this target: status 3, nothing installed.
    let o = sh(
        w,
        "sh",
        &[&install, "--target", "riscv64gc-unknown-linux-gnu", "--to", &w.join("none").to_string_lossy()],
        &env,
    );
    assert_eq!(o.status.code(), Some(3), "{}{}", stdout(&o), stderr(&o));
    assert!(!w.join("none").exists());
}

/// The release workflow builds every target the issue lists, pins each
/// action by commit SHA, and lets only the publishing job write.
#[test]
fn the_release_workflow_builds_every_target_with_pinned_actions() {
    let text = fs::read_to_string(repo_root().join(".github/workflows/release.yml")).unwrap_or_default();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("release.yml: {e}"));
    let wf = &docs[0];
    let targets: Vec<&str> = wf["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_vec()
        .into_iter()
        .flatten()
        .filter_map(|m| m["target"].as_str())
        .collect();
    for t in [
        "x86_64-unknown-linux-gnu",
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-gnu",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(targets.contains(&t), "{t} is not built: {targets:?}");
    }
    let uses: Vec<&str> =
        text.lines().filter_map(|l| l.trim().trim_start_matches("- ").strip_prefix("uses: ")).collect();
    assert!(uses.len() >= 4, "{uses:?}");
    for u in uses {
        let sha = u.split_once('@').map(|(_, v)| v.split_whitespace().next().unwrap_or("")).unwrap_or("");
        assert!(sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()), "{u} is not pinned by SHA");
    }
    assert_eq!(wf["permissions"]["contents"].as_str(), Some("read"));
    assert_eq!(wf["jobs"]["publish"]["permissions"]["contents"].as_str(), Some("write"));
    assert!(wf["jobs"]["build"]["permissions"].is_badvalue(), "the build jobs write nothing");
}
