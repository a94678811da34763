//! What `nhigate init` writes for a repository: a survey of what it holds
//! (by the extractors' own cheap test of each file), then the files that
//! fit it: a commented `nhigate.toml`, a pre-commit entry merged into
//! `.pre-commit-config.yaml`, and a CI job for GitHub Actions or GitLab CI.
//! Nothing here writes: the command line shows or writes the plan.

use std::collections::BTreeSet;
use std::path::Path;

use crate::extract::REGISTRY;
use crate::source::{WalkOptions, walk};

/// Files a survey reads before it stops: enough to know a repository's
/// formats, bounded for a monorepo.
const SURVEYED_FILES: usize = 20_000;
/// Bytes of each file its format is judged by.
const SURVEYED_BYTES: usize = 64 << 10;

/// Where the repository's pull requests run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host {
    GitHub,
    GitLab,
}

/// What a repository holds.
#[derive(Debug, Default)]
pub struct Survey {
    /// Where the files go: the repository's root (a folder inside a git
    /// repository is not where CI or pre-commit look), else the folder.
    pub root: std::path::PathBuf,
    /// The formats found, by the README's names (`Terraform`, `GitHub Actions`).
    pub formats: BTreeSet<&'static str>,
    /// Whether it is a git repository (pull requests and the pre-commit hook need one).
    pub git: bool,
    pub host: Option<Host>,
    /// The branch pushes are checked on.
    pub default_branch: String,
}

impl Survey {
    pub fn has(&self, format: &str) -> bool {
        self.formats.contains(format)
    }
}

/// The formats of the files of the repository `path` is in (or of `path`,
/// outside git), and its git remote.
pub fn survey(path: &Path) -> Survey {
    let repo = git2::Repository::discover(path).ok();
    let root = repo.as_ref().and_then(|r| r.workdir()).map_or_else(|| path.to_path_buf(), Path::to_path_buf);
    let mut survey = Survey { root: root.clone(), default_branch: "main".into(), ..Default::default() };
    let (files, _) = walk(&root, &WalkOptions { excludes: Vec::new() });
    let mut buf = Vec::new();
    // Identities live in configuration, not in code or prose.
    let configuration = |path: &str| {
        use crate::syntax::Format;
        matches!(crate::syntax::format_of(path), Format::Yaml | Format::Json | Format::Toml | Format::Hcl)
            || path.ends_with(".template")
    };
    for f in files.iter().filter(|f| !f.link && configuration(&f.path)).take(SURVEYED_FILES) {
        use std::io::Read;
        buf.clear();
        let Ok(file) = std::fs::File::open(&f.full) else { continue };
        if file.take(SURVEYED_BYTES as u64).read_to_end(&mut buf).is_err() {
            continue;
        }
        for e in REGISTRY.iter().filter(|e| e.wants(&f.path, &buf)) {
            survey.formats.insert(short_name(e.about().source));
        }
    }
    if let Some(repo) = repo {
        survey.git = true;
        let url = repo.find_remote("origin").ok().and_then(|r| r.url().map(str::to_string)).unwrap_or_default();
        survey.host = if url.contains("github.com") {
            Some(Host::GitHub)
        } else if url.contains("gitlab") {
            Some(Host::GitLab)
        } else {
            None
        };
        let head = repo
            .find_reference("refs/remotes/origin/HEAD")
            .ok()
            .and_then(|r| r.symbolic_target().and_then(|t| t.strip_prefix("refs/remotes/origin/")).map(str::to_string));
        let current = repo.head().ok().and_then(|h| h.shorthand().map(str::to_string));
        if let Some(branch) = head.or(current).filter(|b| b != "HEAD") {
            survey.default_branch = branch;
        }
    }
    if survey.host.is_none() {
        survey.host = if survey.has("GitLab CI") && !survey.has("GitHub Actions") {
            Some(Host::GitLab)
        } else {
            Some(Host::GitHub)
        };
    }
    survey
}

/// `MCP configs (JSON or JSONC: …)` → `MCP configs`.
fn short_name(source: &'static str) -> &'static str {
    source.split(" (").next().unwrap_or(source)
}

/// What `init` does with one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    /// An existing file rewritten (`--force`).
    Replace,
    /// An entry added to an existing file, the rest kept as it was.
    Merge,
    /// It already has what `init` would add.
    Keep,
}

/// One file of the plan, relative to the repository.
#[derive(Debug)]
pub struct Planned {
    pub path: String,
    pub text: String,
    pub action: Action,
    /// What the file is for, in a few words.
    pub about: String,
}

/// The files `init` writes for `survey`, relative to its root, or the files
/// it would overwrite (without `force`).
pub fn plan(survey: &Survey, force: bool) -> Result<Vec<Planned>, Vec<String>> {
    let root = survey.root.as_path();
    let mut out = Vec::new();
    let mut refused = Vec::new();
    let whole = |path: &str, text: String, about: String, out: &mut Vec<Planned>, refused: &mut Vec<String>| {
        let exists = root.join(path).exists();
        if exists && !force {
            refused.push(path.to_string());
        }
        let action = if exists { Action::Replace } else { Action::Create };
        out.push(Planned { path: path.to_string(), text, action, about });
    };
    let (config, packs) = config(survey);
    let about = if packs.is_empty() {
        "settings".to_string()
    } else {
        format!("settings; optional packs: {}", packs.join(", "))
    };
    whole(crate::config::FILE_NAME, config, about, &mut out, &mut refused);
    if survey.git {
        let path = ".pre-commit-config.yaml";
        let about = "the pre-commit hook (`nhigate check --staged`)".to_string();
        match std::fs::read_to_string(root.join(path)) {
            Err(_) => out.push(Planned { path: path.into(), text: precommit_file(), action: Action::Create, about }),
            Ok(existing) if has_hook(&existing) => {
                out.push(Planned { path: path.into(), text: existing, action: Action::Keep, about })
            }
            Ok(existing) => match merge_precommit(&existing) {
                Some(text) => out.push(Planned { path: path.into(), text, action: Action::Merge, about }),
                None => refused.push(format!(
                    "{path} (its `repos:` list could not be extended safely; add the entry by hand, see the README)"
                )),
            },
        }
    }
    match survey.host {
        Some(Host::GitLab) if root.join(".gitlab-ci.yml").exists() => {
            let about =
                "the merge request job; include it from .gitlab-ci.yml: `include: [{ local: .gitlab/nhigate.yml }]`";
            whole(".gitlab/nhigate.yml", gitlab_job(), about.to_string(), &mut out, &mut refused);
        }
        Some(Host::GitLab) => {
            whole(".gitlab-ci.yml", gitlab_job(), "the merge request job".to_string(), &mut out, &mut refused);
        }
        _ => {
            let about = "the pull request and push check".to_string();
            whole(
                ".github/workflows/nhigate.yml",
                github_workflow(&survey.default_branch),
                about,
                &mut out,
                &mut refused,
            );
        }
    }
    if refused.is_empty() { Ok(out) } else { Err(refused) }
}

/// A commented nhigate.toml, and the optional packs it turns on.
fn config(survey: &Survey) -> (String, Vec<&'static str>) {
    let mut packs = Vec::new();
    let mut why = Vec::new();
    if survey.git {
        packs.push("changes");
        why.push("#   changes: what a pull request does to identities (a wildcard grant, a new\n#     identity without an owner, a new long-lived key), in `check --base`");
    }
    if survey.has("GitHub Actions") || survey.has("MCP configs") || survey.has("GitLab CI") {
        packs.push("hardening");
        why.push("#   hardening: secrets only to SHA-pinned actions, pinned MCP server\n#     packages, ID tokens for production jobs, and more (`nhigate rules list`)");
    }
    let found = if survey.formats.is_empty() {
        "no identity formats yet (secrets are still checked in every file)".to_string()
    } else {
        survey.formats.iter().copied().collect::<Vec<_>>().join(", ")
    };
    let mut t = String::new();
    t.push_str("# nhigate's settings, written by `nhigate init`. Every key is optional;\n");
    t.push_str("# the README's configuration section lists them all.\n");
    t.push_str(&format!("#\n# Found here: {found}.\n\n"));
    t.push_str("# Findings at this severity or above fail the check (critical, high,\n");
    t.push_str("# medium, low, info). Start at high; lower it as the backlog clears.\n");
    t.push_str("fail_on = \"high\"\n\n");
    if packs.is_empty() {
        t.push_str("# Optional built-in packs: `changes` (pull requests), `hardening`.\n# with = []\n\n");
    } else {
        t.push_str("# Optional built-in packs that fit this repository:\n");
        for w in &why {
            t.push_str(w);
            t.push('\n');
        }
        let list: Vec<String> = packs.iter().map(|p| format!("\"{p}\"")).collect();
        t.push_str(&format!("with = [{}]\n\n", list.join(", ")));
    }
    t.push_str("# Paths not to check (gitignore syntax), besides .gitignore and .nhigateignore.\n");
    t.push_str("# exclude = [\"vendor/**\"]\n\n");
    t.push_str("# A rule's thresholds are parameters: `nhigate rules explain ID` lists them.\n");
    t.push_str("# [rules.NHI-AGE-001]\n# max_age = \"90d\"\n\n");
    t.push_str("# A waiver names a rule (and a path) or a finding's fingerprint, with a\n");
    t.push_str("# reason, an owner and an expiry date; after that date it is reported.\n");
    t.push_str("# [[waiver]]\n# rule = \"NHI-OWN-001\"\n# path = \"legacy/**\"\n# reason = \"decommissioned in Q3\"\n");
    t.push_str("# owner = \"team-platform\"\n# expires = 2027-01-31\n");
    (t, packs)
}

const HOOK_ID: &str = "nhigate";

fn hook_entry(indent: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    format!(
        "{indent}- repo: https://github.com/nhigate/nhigate\n{indent}  rev: v{version}\n{indent}  hooks:\n{indent}    - id: {HOOK_ID}   # `nhigate check --staged`; `nhigate-binary` downloads a verified release instead of building\n"
    )
}

fn precommit_file() -> String {
    format!("# pre-commit hooks: `pre-commit install` runs them on every commit.\nrepos:\n{}", hook_entry("  "))
}

/// Whether a pre-commit config already runs one of nhigate's hooks.
fn has_hook(text: &str) -> bool {
    let Ok(docs) = crate::syntax::tree::parse(text) else { return false };
    docs.iter().filter_map(|d| d.get("repos")).flat_map(|repos| repos.items()).any(|r| {
        let hooks = r.get("hooks").map(|h| h.items()).unwrap_or_default();
        hooks.iter().any(|h| h.get("id").and_then(|id| id.str()).is_some_and(|id| id.starts_with(HOOK_ID)))
    })
}

/// The config with nhigate's entry at the end of its `repos:` list, the
/// rest byte for byte as it was; `None` when the list cannot be found or
/// the result would not read back with the entry in it.
fn merge_precommit(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let start = lines.iter().position(|l| l.trim_end() == "repos:")?;
    // The list runs until the next top-level key.
    let end = lines
        .iter()
        .enumerate()
        .skip(start + 1)
        .find(|(_, l)| {
            let t = l.trim_end();
            !t.is_empty() && !l.starts_with([' ', '\t', '#', '-'])
        })
        .map_or(lines.len(), |(i, _)| i);
    let indent: String = lines[start + 1..end]
        .iter()
        .find(|l| l.trim_start().starts_with("- "))
        .map_or("  ".to_string(), |l| l[..l.len() - l.trim_start().len()].to_string());
    // After the list's last item, before trailing blank lines and comments.
    let last = (start + 1..end).rev().find(|&i| {
        let t = lines[i].trim();
        !t.is_empty() && !t.starts_with('#')
    });
    let at = last.map_or(start + 1, |i| i + 1);
    let mut out = String::new();
    for l in &lines[..at] {
        out.push_str(l);
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&hook_entry(&indent));
    for l in &lines[at..] {
        out.push_str(l);
    }
    has_hook(&out).then_some(out)
}

/// The nhigate action's reference: the release's commit when this binary
/// was built by the release workflow (which sets NHIGATE_RELEASE_COMMIT),
/// else its tag.
fn action_ref() -> String {
    let version = env!("CARGO_PKG_VERSION");
    match option_env!("NHIGATE_RELEASE_COMMIT").filter(|c| c.len() == 40) {
        Some(commit) => format!("nhigate/nhigate@{commit} # v{version}"),
        None => format!("nhigate/nhigate@v{version} # pin to the release's commit SHA"),
    }
}

fn github_workflow(branch: &str) -> String {
    format!(
        r#"# nhigate: secrets and machine-identity rules, checked on what each pull
# request and push adds. Written by `nhigate init`.
name: nhigate

on:
  pull_request:
  push:
    branches: [{branch}]

permissions:
  contents: read
  security-events: write # SARIF upload to code scanning

jobs:
  nhigate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          fetch-depth: 0 # pull requests and pushes are checked commit by commit
          persist-credentials: false
      - uses: {action}
"#,
        action = action_ref()
    )
}

fn gitlab_job() -> String {
    let version = env!("CARGO_PKG_VERSION");
    format!(
        r#"# nhigate: secrets and machine-identity rules, checked on what each merge
# request adds. Written by `nhigate init`.
nhigate:
  stage: test
  image: rust:1
  variables:
    GIT_DEPTH: "0"
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - cargo install --locked --git https://github.com/nhigate/nhigate --tag v{version} nhigate
    - git fetch origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    - nhigate check --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" --format sarif -o nhigate.sarif
  artifacts:
    when: always
    paths: [nhigate.sarif]
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hook_joins_an_existing_list_and_keeps_the_rest() {
        let existing = "# mine\nrepos:\n- repo: https://github.com/pre-commit/pre-commit-hooks\n  rev: v4.6.0\n  hooks:\n  - id: trailing-whitespace\n\n# the end\ndefault_stages: [pre-commit]\n";
        let merged = merge_precommit(existing).unwrap_or_default();
        assert!(merged.starts_with("# mine\nrepos:\n- repo: https://github.com/pre-commit/pre-commit-hooks\n"));
        assert!(
            merged.contains("  - id: trailing-whitespace\n- repo: https://github.com/nhigate/nhigate\n"),
            "{merged}"
        );
        assert!(merged.ends_with("\n# the end\ndefault_stages: [pre-commit]\n"), "{merged}");
        assert!(has_hook(&merged) && !has_hook(existing));
        // An indented list keeps its indentation.
        let indented = "repos:\n  - repo: local\n    hooks:\n      - id: x\n        name: x\n        entry: x\n        language: system\n";
        let merged = merge_precommit(indented).unwrap_or_default();
        assert!(
            merged.contains("        language: system\n  - repo: https://github.com/nhigate/nhigate\n    rev: v"),
            "{merged}"
        );
        assert!(has_hook(&merged));
        // No list to extend: no merge.
        assert_eq!(merge_precommit("default_stages: [pre-commit]\n"), None);
    }
}
