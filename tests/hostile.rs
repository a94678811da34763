//! Hostile input: each case is built in a temporary folder and checked.
//! It must be scanned or reported as skipped with a reason — never a
//! panic, a hang, unbounded memory or a silent pass — within a loose time
//! bound (minutes, not seconds, so that a loaded machine does not fail it).

use std::fs;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::{NOW, nhigate};

const TOKEN: &str = "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";

struct Outcome {
    code: i32,
    report: serde_json::Value,
    stderr: String,
}

/// `nhigate ARGS --format json` in `dir`, killed and failed past `limit`.
fn check_within(dir: &Path, args: &[&str], limit: Duration) -> Outcome {
    let out = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("{e}"));
    let mut child = nhigate(dir)
        .args(args)
        .args(["--now", NOW, "--format", "json", "--output"])
        .arg(out.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap_or_else(|e| panic!("{e}")) {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("nhigate {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    let code = status.code().unwrap_or(-1);
    assert!(matches!(code, 0 | 1), "exit {code} (a crash or an error): {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report = serde_json::from_str(&fs::read_to_string(out.path()).unwrap_or_default())
        .unwrap_or_else(|e| panic!("report: {e}; {stderr}"));
    Outcome { code, report, stderr }
}

fn skipped(o: &Outcome, path: &str) -> Option<String> {
    o.report["skipped"]
        .as_array()?
        .iter()
        .find(|s| s["path"] == path)
        .and_then(|s| s["reason"].as_str().map(String::from))
}

fn found(o: &Outcome, path: &str, rule: &str) -> bool {
    o.report["findings"].as_array().is_some_and(|a| a.iter().any(|f| f["path"] == path && f["rule_id"] == rule))
}

fn minutes(n: u64) -> Duration {
    Duration::from_secs(60 * n)
}

#[test]
fn hostile_files_are_scanned_or_skipped_with_a_reason() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    let put = |p: &str, bytes: &[u8]| fs::write(d.join(p), bytes).unwrap_or_else(|e| panic!("{p}: {e}"));
    // Binary, with a token inside: read as binary, searched for token shapes.
    let mut binary = [0u8, 159, 146, 150, 0, 0, 1, 2].repeat(8);
    binary.extend_from_slice(TOKEN.as_bytes());
    put("blob.bin", &binary);
    // A 2 GB sparse file: over the size cap, never read whole.
    let sparse = fs::File::create(d.join("huge.log")).unwrap_or_else(|e| panic!("{e}"));
    sparse.set_len(2 << 30).unwrap_or_else(|e| panic!("{e}"));
    // 50 MB of minified JSON on one line, with a token at the end.
    let mut minified = String::with_capacity(50 << 20);
    minified.push('[');
    while minified.len() < 50 << 20 {
        minified.push_str("{\"k\":\"v\",\"n\":12345},");
    }
    minified.push_str(&format!("{{\"token\":\"{TOKEN}\"}}]"));
    put("bundle.min.json", minified.as_bytes());
    // Invalid UTF-8 around a token: scanned.
    put("latin1.py", &[b"NAME = \"caf\xe9\"\nT = \"", TOKEN.as_bytes(), b"\"\n"].concat());
    // UTF-16LE with a BOM: decoded and scanned, not skipped.
    let utf16: Vec<u8> = std::iter::once(0xFEFFu16)
        .chain(format!("token = \"{TOKEN}\"\r\n").encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    put("utf16.txt", &utf16);
    // A YAML alias bomb (billion laughs).
    let mut bomb = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"].iter().zip(["b", "c", "d", "e", "f", "g", "h", "i"]) {
        bomb.push_str(&format!(
            "{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
    }
    bomb.push_str("kind: ServiceAccount\napiVersion: v1\n");
    put("bomb.yaml", bomb.as_bytes());
    // JSON nested 100,000 deep, in a file the extractors read.
    put("deep.json", format!("{}\"{TOKEN}\"{}", "[".repeat(100_000), "]".repeat(100_000)).as_bytes());
    put(
        "mcp.json",
        format!("{{\"mcpServers\": {}{}}}", "{\"a\":".repeat(100_000), "1".to_string() + &"}".repeat(100_000))
            .as_bytes(),
    );
    // Broken HCL beside a good file: the good one is still checked.
    put("broken.tf", b"resource \"aws_iam_user\" \"x\" {\n  name = \n");
    put("good.tf", b"resource \"aws_iam_user\" \"y\" {\n  name = \"y\"\n}\n");

    let o = check_within(d, &["check", "."], minutes(3));
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_eq!(skipped(&o, "blob.bin").as_deref(), Some("binary file (searched for token shapes only)"));
    assert!(found(&o, "blob.bin", "github-pat"), "a token in a binary file is still found");
    assert!(skipped(&o, "huge.log").is_some_and(|r| r.contains("size cap")), "{:?}", skipped(&o, "huge.log"));
    assert!(skipped(&o, "bundle.min.json").is_some_and(|r| r.contains("size cap")));
    assert!(found(&o, "latin1.py", "github-pat"), "invalid UTF-8 is scanned");
    assert!(found(&o, "utf16.txt", "github-pat"), "UTF-16 is decoded and scanned");
    assert!(found(&o, "deep.json", "github-pat"), "deep nesting is scanned as text: {:?}", skipped(&o, "deep.json"));
    let deep = skipped(&o, "mcp.json");
    assert!(deep.as_deref().is_some_and(|r| r.contains("recursion limit") || r.contains("deep")), "{deep:?}");
    assert!(skipped(&o, "broken.tf").is_some_and(|r| r.contains("not valid HCL")), "{:?}", skipped(&o, "broken.tf"));
    assert!(found(&o, "good.tf", "NHI-OWN-001"), "the rest of the tree is still checked");

    // The same 50 MB file under a cap that admits it: scanned, in bounded time.
    let o = check_within(d, &["check", "bundle.min.json", "--max-file-size", "60000000"], minutes(3));
    assert!(found(&o, "bundle.min.json", "github-pat"), "{}", o.stderr);
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed_and_unreadable_files_are_reported() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let outside = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    fs::write(outside.path().join("secret.py"), format!("T = \"{TOKEN}\"\n")).unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    fs::create_dir(d.join("loop")).unwrap_or_else(|e| panic!("{e}"));
    symlink(d.join("loop"), d.join("loop/again")).unwrap_or_else(|e| panic!("{e}"));
    symlink(outside.path(), d.join("elsewhere")).unwrap_or_else(|e| panic!("{e}"));
    symlink(outside.path().join("secret.py"), d.join("linked.py")).unwrap_or_else(|e| panic!("{e}"));
    fs::write(d.join("locked.py"), format!("T = \"{TOKEN}\"\n")).unwrap_or_else(|e| panic!("{e}"));
    fs::set_permissions(d.join("locked.py"), fs::Permissions::from_mode(0o000)).unwrap_or_else(|e| panic!("{e}"));
    let o = check_within(d, &["check", "."], minutes(2));
    let paths: Vec<&str> =
        o.report["findings"].as_array().into_iter().flatten().filter_map(|f| f["path"].as_str()).collect();
    assert!(!paths.iter().any(|p| p.contains("elsewhere") || p.contains("linked")), "followed a symlink: {paths:?}");
    // Root reads any file; anyone else gets "permission denied", reported.
    let readable = fs::read(d.join("locked.py")).is_ok();
    if readable {
        assert!(found(&o, "locked.py", "github-pat"));
    } else {
        assert_eq!(skipped(&o, "locked.py").as_deref(), Some("permission denied"));
    }
}

#[test]
fn a_pack_of_10000_rules_and_a_catastrophic_regex_stay_bounded() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    let mut pack = String::from("pack \"big\" {\n  version \"1\"\n}\n");
    for i in 0..10_000 {
        pack.push_str(&format!(
            "rule BIG-{i} \"r{i}\" {{\n  severity low\n  on identity\n  where name == \"n{i}\"\n  require owner exists\n}}\n"
        ));
    }
    // A backtracking engine takes exponential time on `(a+)+$` against
    // "aaaa…!"; ours is linear.
    pack.push_str(
        "detector evil \"catastrophic\" {\n  severity low\n  keywords \"aaaa\"\n  pattern /(a+)+$/\n  example \"aaaa\"\n  negative \"b\"\n}\n",
    );
    fs::write(d.join("big.nhi"), pack).unwrap_or_else(|e| panic!("{e}"));
    fs::write(d.join("input.txt"), format!("{}!\n", "a".repeat(100_000))).unwrap_or_else(|e| panic!("{e}"));
    let o = check_within(d, &["check", "input.txt", "--rules", "big.nhi"], minutes(2));
    assert!(matches!(o.code, 0 | 1));
}

#[test]
fn a_tree_of_200000_files_is_scanned() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    for a in 0..200 {
        let sub = d.join(format!("d{a}"));
        fs::create_dir(&sub).unwrap_or_else(|e| panic!("{e}"));
        for b in 0..1000 {
            fs::write(sub.join(format!("f{b}.txt")), b"x = 1\n").unwrap_or_else(|e| panic!("{e}"));
        }
    }
    fs::write(d.join("d7/f7.txt"), format!("T = \"{TOKEN}\"\n")).unwrap_or_else(|e| panic!("{e}"));
    let o = check_within(d, &["check", "."], minutes(5));
    assert_eq!(o.report["stats"]["files_scanned"], 200_000);
    assert!(found(&o, "d7/f7.txt", "github-pat"));
}

// ------------------------------------------------------------------
// A pull request as an attacker writes it: nothing in the branch decides
// how the branch is judged.

mod pull_request {
    use crate::git::{commit, git, json, repo, write};
    use crate::harness::{code, run, stderr, stdout};

    use super::TOKEN;

    const DAY1: &str = "2025-01-01T00:00:00Z";
    const DAY2: &str = "2025-01-02T00:00:00Z";

    fn findings(doc: &serde_json::Value, rule: &str) -> Vec<serde_json::Value> {
        doc["findings"]
            .as_array()
            .map(|a| a.iter().filter(|f| f["rule_id"] == rule).cloned().collect())
            .unwrap_or_default()
    }

    fn unsuppressed(doc: &serde_json::Value, rule: &str) -> usize {
        findings(doc, rule).iter().filter(|f| f.get("suppression").is_none()).count()
    }

    /// A repository with one base commit of `files` on `main`, checked out
    /// on a new branch `feature`.
    fn feature_branch(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = repo();
        let d = dir.path();
        for (path, text) in files {
            write(d, path, text);
        }
        commit(d, "base", DAY1);
        git(d, &["checkout", "-q", "-b", "feature"], DAY1);
        dir
    }

    /// A base with an empty config, and a branch that adds a token and `files`.
    fn branch(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = feature_branch(&[("README.md", "base\n"), ("nhigate.toml", "# the gate's settings\n")]);
        let d = dir.path();
        write(d, "src/settings.py", &format!("TOKEN = \"{TOKEN}\"\n"));
        for (path, text) in files {
            write(d, path, text);
        }
        commit(d, "feature", DAY2);
        dir
    }

    /// A rule's parameter set by the branch is not in force for its own
    /// check, and the reviewer is told what it would change.
    #[test]
    fn a_branch_that_tunes_a_rule_is_reported_and_judged_by_the_base() {
        let dir = branch(&[("nhigate.toml", "[rules.NHI-AGE-001]\nmax_age = \"3650d\"\n".to_string().as_str())]);
        let (exit, doc) = json(dir.path(), &["--base", "main", "--head", "feature"]);
        assert_eq!(exit, 1, "{doc}");
        let changed = findings(&doc, "gate-config-changed");
        assert_eq!(changed.len(), 1, "{doc}");
        assert_eq!(changed[0]["severity"], "high");
        let message = changed[0]["message"].as_str().unwrap_or("");
        assert!(
            message.contains("sets the parameter `max_age` of `NHI-AGE-001` from its default to `\"3650d\"`"),
            "{message}"
        );
    }

    #[test]
    fn a_branch_cannot_weaken_the_settings_it_is_judged_by() {
        let waiver = "[[waiver]]\nrule = \"github-pat\"\nreason = \"r\"\nowner = \"o\"\nexpires = 9999-12-31\n";
        // (case, files the branch adds, what the finding must say)
        type Case<'a> = (&'a str, Vec<(&'a str, String)>, &'a str);
        let cases: Vec<Case<'_>> = vec![
            ("severity", vec![("nhigate.toml", "[severity]\ngithub-pat = \"info\"\n".into())], "lowers `github-pat`"),
            ("disable", vec![("nhigate.toml", "disable = [\"github-pat\"]\n".into())], "turns off `github-pat`"),
            (
                "paths",
                vec![("nhigate.toml", "[[paths]]\nglob = \"src/**\"\ndisable = [\"github-pat\"]\n".into())],
                "under `src/**`",
            ),
            ("waiver", vec![("nhigate.toml", waiver.into())], "adds a waiver"),
            (
                "fail_on",
                vec![("nhigate.toml", "fail_on = \"critical\"\n[severity]\ngithub-pat = \"high\"\n".into())],
                "raises `fail_on`",
            ),
            ("exclude", vec![("nhigate.toml", "exclude = [\"src/**\"]\n".into())], "excludes `src/**`"),
            ("nhigateignore", vec![(".nhigateignore", "src/\n".into())], "excludes `src/`"),
            ("nested nhigateignore", vec![("src/.nhigateignore", "*.py\n".into())], "excludes `*.py`"),
        ];
        for (name, files, said) in cases {
            let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
            let dir = branch(&files);
            let (exit, doc) = json(dir.path(), &["--base", "main", "--head", "feature"]);
            assert_eq!(exit, 1, "{name}: {doc}");
            assert_eq!(unsuppressed(&doc, "github-pat"), 1, "{name}: the token must still fail: {doc}");
            let changed = findings(&doc, "gate-config-changed");
            assert_eq!(changed.len(), 1, "{name}: {doc}");
            assert_eq!(changed[0]["severity"], "high", "{name}");
            assert!(changed[0]["message"].as_str().unwrap_or("").contains(said), "{name}: {}", changed[0]["message"]);
            // The same settings in the work tree do apply: they are the repository's own.
            let (tree_exit, tree) = json(dir.path(), &[]);
            assert_eq!(tree_exit, 0, "{name}: the work tree's settings apply to a tree check: {tree}");
        }
    }

    #[test]
    fn a_change_that_only_strengthens_the_gate_is_info_and_an_ignore_cannot_hide_it() {
        let dir = branch(&[(
            "nhigate.toml",
            "# nhigate:ignore gate-config-changed nothing to see\nfail_on = \"low\"\nwith = [\"hardening\"]\n",
        )]);
        let (_, doc) = json(dir.path(), &["--base", "main", "--head", "feature"]);
        let changed = findings(&doc, "gate-config-changed");
        assert_eq!(changed.len(), 1, "{doc}");
        assert_eq!(changed[0]["severity"], "info");
        assert!(changed[0].get("suppression").is_none());
    }

    #[test]
    fn paths_in_a_repository_config_stay_inside_it_and_their_targets_are_never_shown() {
        let outside = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let secret_pack = outside.path().join("leak.nhi");
        std::fs::write(&secret_pack, "SENTINEL-CONTENT-7f3a\n").unwrap_or_else(|e| panic!("{e}"));
        let leak = secret_pack.to_string_lossy().to_string();
        for (config, key) in [
            ("rules = [\"/proc/self/environ\"]\n".to_string(), "`rules`"),
            (format!("rules = [\"{leak}\"]\n"), "`rules`"),
            ("rules = [\"../../../../../../etc/passwd\"]\n".to_string(), "`rules`"),
            ("rules = [\"link.nhi\"]\n".to_string(), "`rules`"),
            ("baseline = \"/dev/zero\"\n".to_string(), "`baseline`"),
        ] {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let d = dir.path();
            std::fs::write(d.join("nhigate.toml"), &config).unwrap_or_else(|e| panic!("{e}"));
            #[cfg(unix)]
            std::os::unix::fs::symlink(&secret_pack, d.join("link.nhi")).unwrap_or_else(|e| panic!("{e}"));
            let o = crate::harness::nhigate(d)
                .args(["check", ".", "--now", "2025-06-30"])
                .env("NHIGATE_TEST_SENTINEL", "SENTINEL-ENV-91bc")
                .output()
                .unwrap_or_else(|e| panic!("{e}"));
            let all = format!("{}{}", stdout(&o), stderr(&o));
            assert_eq!(code(&o), 2, "{config}: {all}");
            assert!(all.contains(key), "{config}: the error names the key: {all}");
            assert!(!all.contains("SENTINEL"), "{config}: the target's content was shown: {all}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn devices_fifos_and_link_loops_in_packs_are_errors_not_hangs() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let d = dir.path();
        std::fs::create_dir(d.join("packs")).unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink(d.join("packs"), d.join("packs/loop")).unwrap_or_else(|e| panic!("{e}"));
        let fifo = d.join("pipe.nhi");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
        let mut cases = vec![vec!["--rules", "packs"], vec!["--rules", "/dev/zero"], vec!["--baseline", "/dev/zero"]];
        if made {
            cases.push(vec!["--rules", "pipe.nhi"]);
        }
        for extra in cases {
            let mut args = vec!["check", ".", "--now", "2025-06-30"];
            args.extend(extra.iter().copied());
            let start = std::time::Instant::now();
            let o = run(d, &args);
            assert_eq!(code(&o), 2, "{extra:?}: {}", stderr(&o));
            assert!(start.elapsed() < std::time::Duration::from_secs(60), "{extra:?}");
        }
    }

    #[test]
    fn an_ignore_added_later_does_not_cover_a_secret_committed_earlier() {
        let dir = feature_branch(&[("README.md", "base\n")]);
        let d = dir.path();
        write(d, "app.env", &format!("API_TOKEN={TOKEN}\n"));
        commit(d, "add a token", DAY1);
        write(d, "app.env", &format!("API_TOKEN={TOKEN} # nhigate:ignore github-pat test fixture\n"));
        commit(d, "hide it", DAY2);
        let (exit, doc) = json(d, &["--base", "main", "--head", "feature"]);
        assert_eq!(exit, 1, "{doc}");
        assert_eq!(unsuppressed(&doc, "github-pat"), 1, "{doc}");
    }

    #[test]
    fn a_blob_at_several_paths_is_judged_at_each() {
        let dir =
            feature_branch(&[("nhigate.toml", "[[paths]]\nglob = \"fixtures/**\"\ndisable = [\"github-pat\"]\n")]);
        let d = dir.path();
        let text = format!("API_TOKEN={TOKEN}\n");
        write(d, "fixtures/a.env", &text);
        write(d, "deploy/prod.env", &text);
        commit(d, "same content twice", DAY2);
        let (exit, doc) = json(d, &["--base", "main", "--head", "feature"]);
        assert_eq!(exit, 1, "{doc}");
        let paths: Vec<String> =
            findings(&doc, "github-pat").iter().map(|f| f["path"].as_str().unwrap_or("").to_string()).collect();
        assert_eq!(paths, vec!["deploy/prod.env"], "{doc}");
    }

    #[test]
    fn a_shallow_clone_that_does_not_reach_the_base_is_an_error() {
        let dir = feature_branch(&[("README.md", "base\n")]);
        let d = dir.path();
        write(d, "app.env", &format!("API_TOKEN={TOKEN}\n"));
        commit(d, "add", DAY1);
        std::fs::remove_file(d.join("app.env")).unwrap_or_else(|e| panic!("{e}"));
        commit(d, "remove", DAY2);
        let clone = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let url = format!("file://{}", d.display());
        git(clone.path(), &["clone", "-q", "--depth", "1", "--no-single-branch", &url, "c"], DAY2);
        let c = clone.path().join("c");
        git(&c, &["checkout", "-q", "feature"], DAY2);
        let o = run(&c, &["check", ".", "--base", "origin/main", "--head", "feature", "--now", "2025-06-30"]);
        assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
        assert!(stderr(&o).contains("fetch-depth: 0"), "{}", stderr(&o));
    }

    #[test]
    fn tracked_files_are_scanned_even_when_gitignored_and_nhigateignore_holds_in_every_mode() {
        let dir = repo();
        let d = dir.path();
        write(d, ".gitignore", "*.env\n");
        write(d, ".nhigateignore", "vendor/\n");
        write(d, "prod.env", &format!("API_TOKEN={TOKEN}\n"));
        write(d, "vendor/lib.env", &format!("API_TOKEN={TOKEN}\n"));
        git(d, &["add", "-f", "prod.env", "vendor/lib.env", ".gitignore", ".nhigateignore"], DAY1);
        let (_, staged) = json(d, &["--staged"]);
        git(d, &["commit", "-q", "-m", "force-added"], DAY1);
        let (exit, tree) = json(d, &[]);
        assert_eq!(exit, 1, "{tree}");
        let (_, history) = json(d, &["--history"]);
        for (mode, doc) in [("tree", &tree), ("staged", &staged), ("history", &history)] {
            let found = findings(doc, "github-pat");
            let paths: Vec<&str> = found.iter().filter_map(|f| f["path"].as_str()).collect();
            assert_eq!(paths, vec!["prod.env"], "{mode}: {doc}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_and_lfs_pointers_in_git_modes_are_listed_as_skipped() {
        let dir = repo();
        let d = dir.path();
        write(d, "README.md", "x\n");
        let oid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
        write(d, "model.bin", &format!("version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 12345\n"));
        // Shaped like a pointer, but carrying more: content, scanned.
        write(d, "fake.bin", &format!("version https://git-lfs.github.com/spec/v1\ntoken={TOKEN}\n"));
        std::os::unix::fs::symlink("README.md", d.join("link.md")).unwrap_or_else(|e| panic!("{e}"));
        // A link whose target is a secret: the target is text, and scanned.
        std::os::unix::fs::symlink(TOKEN, d.join("sneaky")).unwrap_or_else(|e| panic!("{e}"));
        commit(d, "all", DAY1);
        for args in [vec!["--history"], vec![]] {
            let (exit, doc) = json(d, &args);
            let reason = |path: &str| {
                doc["skipped"]
                    .as_array()
                    .and_then(|a| a.iter().find(|s| s["path"] == path))
                    .map(|s| s["reason"].to_string())
            };
            if !args.is_empty() {
                assert!(reason("model.bin").is_some_and(|r| r.contains("LFS")), "{doc}");
            }
            assert!(reason("link.md").is_some_and(|r| r.contains("symbolic link")), "{doc}");
            let found = findings(&doc, "github-pat");
            let mut paths: Vec<&str> = found.iter().filter_map(|f| f["path"].as_str()).collect();
            paths.sort_unstable();
            assert_eq!((exit, paths), (1, vec!["fake.bin", "sneaky"]), "{args:?}: {doc}");
        }
    }

    #[test]
    fn settings_the_base_lacks_are_not_read_from_the_branch() {
        for (file, text, flag) in [
            ("nhigate.toml", "exclude = [\"**\"]\n".to_string(), "--config"),
            (".nhigate-baseline.json", String::new(), "--baseline"),
        ] {
            let dir = repo();
            let d = dir.path();
            write(d, "README.md", "base\n");
            commit(d, "base", DAY1);
            git(d, &["checkout", "-q", "-b", "feature"], DAY1);
            write(d, "creds.env", &format!("API_TOKEN={TOKEN}\n"));
            let text = if text.is_empty() {
                // The branch's own baseline of its own secret.
                let o = run(d, &["baseline", ".", "--now", "2025-06-30", "-o", file]);
                assert_eq!(code(&o), 0, "{}", stderr(&o));
                std::fs::read_to_string(d.join(file)).unwrap_or_default()
            } else {
                text
            };
            write(d, file, &text);
            commit(d, "feature", DAY2);
            let (exit, doc) = json(d, &["--base", "main", "--head", "feature", flag, file]);
            assert_eq!(exit, 1, "{flag}: {doc}");
            assert_eq!(unsuppressed(&doc, "github-pat"), 1, "{flag}: {doc}");
            let changed = findings(&doc, "gate-config-changed");
            assert!(changed.iter().any(|f| f["severity"] == "high"), "{flag}: {doc}");
        }
    }

    #[test]
    fn a_byte_order_mark_or_a_utf16_prefix_does_not_hide_plain_text() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let d = dir.path();
        let mut bom = vec![0xFF, 0xFE];
        bom.extend(format!("token={TOKEN}\n").as_bytes());
        std::fs::write(d.join("bom.txt"), bom).unwrap_or_else(|e| panic!("{e}"));
        let mut prefix = b"a\0".repeat(4000);
        prefix.extend(format!("\ntoken={TOKEN}\n").as_bytes());
        std::fs::write(d.join("prefix.txt"), prefix).unwrap_or_else(|e| panic!("{e}"));
        let (exit, doc) = json(d, &[]);
        let found = findings(&doc, "github-pat");
        let paths: Vec<&str> = found.iter().filter_map(|f| f["path"].as_str()).collect();
        assert_eq!((exit, paths), (1, vec!["bom.txt", "prefix.txt"]), "{doc}");
    }

    #[test]
    fn padding_a_file_with_control_bytes_or_a_latin1_byte_does_not_hide_a_secret() {
        let dir = feature_branch(&[("README.md", "base\n")]);
        let d = dir.path();
        let pad = "\u{1}".repeat(14);
        write(d, "d.sh", &format!("#!/bin/sh\n# {pad}\nexport T={TOKEN}\n"));
        std::fs::write(d.join("b.py"), format!("# \0\0\0\nT = \"{TOKEN}\"\n")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(d.join("bad.env"), b"# caf\xe9\nDB_PASSWORD=h.pQFE8CZtY#OY2nGXXw*Bq\n")
            .unwrap_or_else(|e| panic!("{e}"));
        commit(d, "feature", DAY2);
        for args in [vec![], vec!["--base", "main", "--head", "feature"]] {
            let (exit, doc) = json(d, &args);
            let mut paths: Vec<String> = doc["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|f| f["kind"] == "secret")
                .filter_map(|f| f["path"].as_str().map(String::from))
                .collect();
            paths.sort();
            paths.dedup();
            assert_eq!(
                (exit, paths),
                (1, vec!["b.py".to_string(), "bad.env".into(), "d.sh".into()]),
                "{args:?}: {doc}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn file_names_that_are_not_utf8_do_not_share_ignores() {
        use std::os::unix::ffi::OsStrExt;
        let dir = feature_branch(&[("README.md", "base\n")]);
        let d = dir.path();
        let name = |b: &[u8]| d.join(std::ffi::OsStr::from_bytes(b));
        std::fs::write(name(b"c\xff.env"), "# nhigate:ignore github-pat test fixture\n")
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(name(b"c\xfe.env"), format!("TOKEN={TOKEN}\n")).unwrap_or_else(|e| panic!("{e}"));
        commit(d, "feature", DAY2);
        for args in [vec![], vec!["--base", "main", "--head", "feature"]] {
            let (exit, doc) = json(d, &args);
            assert_eq!((exit, unsuppressed(&doc, "github-pat")), (1, 1), "{args:?}: {doc}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn an_ignore_file_git_holds_as_a_link_an_executable_or_too_large_is_reported() {
        use std::os::unix::fs::PermissionsExt;
        for how in ["executable", "link", "large"] {
            let dir = feature_branch(&[("README.md", "base\n")]);
            let d = dir.path();
            match how {
                "executable" => {
                    write(d, ".nhigateignore", "*.py\n");
                    let exec = std::fs::Permissions::from_mode(0o755);
                    std::fs::set_permissions(d.join(".nhigateignore"), exec).unwrap_or_else(|e| panic!("{e}"));
                }
                "link" => {
                    write(d, "patterns.txt", "*\n");
                    std::os::unix::fs::symlink("patterns.txt", d.join(".nhigateignore"))
                        .unwrap_or_else(|e| panic!("{e}"));
                }
                _ => write(d, ".nhigateignore", &format!("*\n#{}\n", "x".repeat(1_100_000))),
            }
            write(d, "a.py", &format!("T = \"{TOKEN}\"\n"));
            commit(d, "feature", DAY2);
            let (exit, doc) = json(d, &["--base", "main", "--head", "feature"]);
            assert_eq!((exit, unsuppressed(&doc, "github-pat")), (1, 1), "{how}: {doc}");
            let changed = findings(&doc, "gate-config-changed");
            assert!(changed.iter().any(|f| f["severity"] == "high"), "{how}: {doc}");
        }
    }

    #[test]
    fn tokens_spelled_with_escapes_are_found_in_decoded_values() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let d = dir.path();
        let t = &TOKEN[4..];
        write(d, "c.json", &format!("{{\"x\": \"gh\\u0070_{t}\"}}\n"));
        write(d, "c.yaml", &format!("x: \"\\x67hp_{t}\"\n"));
        // One long line, far along it; and a line with characters of several bytes before the value.
        let fields: String = (0..300).map(|i| format!("\"k{i}\":\"value number {i} of many\",")).collect();
        write(d, "min.json", &format!("{{{fields}\"x\":\"gh\\u0070_{t}\"}}"));
        write(d, "wide.yaml", &format!("{{é: \"ünïcödé välüé\", x: \"\\x67hp_{t}\"}}\n"));
        let (exit, doc) = json(d, &[]);
        let found = findings(&doc, "github-pat");
        let paths: Vec<&str> = found.iter().filter_map(|f| f["path"].as_str()).collect();
        assert_eq!((exit, paths), (1, vec!["c.json", "c.yaml", "min.json", "wide.yaml"]), "{doc}");
    }

    /// A lock file's keys are package names: a package called `password`
    /// is not a password; a token in a lock file is still a token.
    #[test]
    fn a_lock_file_holds_package_names_not_assignments() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let d = dir.path();
        let entry = "  '@inquirer/password': 4.0.23(@types/node@22.10.1)\n  db_password: Kx9vQ2mZ7pL4wQ8rT3y\n";
        write(d, "pnpm-lock.yaml", &format!("lockfileVersion: '9.0'\npackages:\n{entry}  tok: ghp_{}\n", &TOKEN[4..]));
        write(d, "config.yaml", &format!("settings:\n{entry}"));
        let (_, doc) = json(d, &[]);
        let paths = |rule: &str| -> Vec<String> {
            findings(&doc, rule).iter().filter_map(|f| f["path"].as_str().map(String::from)).collect()
        };
        assert_eq!(paths("generic-password"), vec!["config.yaml"], "{doc}");
        assert_eq!(paths("github-pat"), vec!["pnpm-lock.yaml"], "{doc}");
    }

    #[test]
    fn tokens_in_percent_escapes_and_base64_config_blobs_are_found() {
        use base64::Engine;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let d = dir.path();
        let t = &TOKEN[4..];
        let env = format!("GITHUB_TOKEN=ghp_{t}\nREGION=eu-west-1\n");
        let blob = base64::engine::general_purpose::STANDARD.encode(&env);
        // `base64` wraps at 76 columns; a CI variable holds it on one line.
        let wrapped: Vec<String> =
            blob.as_bytes().chunks(76).map(|c| format!("    {}", String::from_utf8_lossy(c))).collect();
        write(d, "cm.yaml", &format!("kind: ConfigMap\ndata:\n  env: |\n{}\n", wrapped.join("\n")));
        write(d, "ci.env", &format!("ENV_B64={blob}\n"));
        write(d, "hook.txt", &format!("callback: https://x.test/cb?token=ghp%5F{t}&x=1\n"));
        // Base64 in code is data, not a config blob; a printf format escapes nothing.
        write(d, "main.c", &format!("const char *b = \"{blob}\";\nprintf(\"%02x%s\", v);\n"));
        let (exit, doc) = json(d, &[]);
        let found = findings(&doc, "github-pat");
        let mut at: Vec<(&str, u64)> =
            found.iter().map(|f| (f["path"].as_str().unwrap_or(""), f["line"].as_u64().unwrap_or(0))).collect();
        at.sort();
        assert_eq!((exit, at), (1, vec![("ci.env", 1), ("cm.yaml", 4), ("hook.txt", 1)]), "{doc}");
        let text = doc.to_string();
        assert!(!text.contains(&format!("ghp_{t}")) && !text.contains(&blob), "nothing printed whole: {doc}");
    }

    #[test]
    fn a_huge_thread_count_is_capped_and_nested_git_folders_are_listed() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let d = dir.path();
        write(d, "sub/.git/config", &format!("[remote]\n  token = {TOKEN}\n"));
        write(d, "app.env", "A=1\n");
        let start = std::time::Instant::now();
        let (exit, doc) = json(d, &["-j", "100000"]);
        assert!(start.elapsed() < std::time::Duration::from_secs(60));
        assert_eq!(exit, 0, "{doc}");
        let skipped = doc["skipped"].as_array().map(|a| a.iter().any(|s| s["path"] == "sub/.git")).unwrap_or(false);
        assert!(skipped, "{doc}");
    }

    #[test]
    fn many_ignore_markers_stay_linear() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let d = dir.path();
        write(d, "a.yaml", &"# nhigate:ignore github-pat fixture\n".repeat(100_000));
        let start = std::time::Instant::now();
        let (exit, _) = json(d, &[]);
        assert_eq!(exit, 0);
        assert!(start.elapsed() < std::time::Duration::from_secs(120), "{:?}", start.elapsed());
    }

    #[test]
    fn an_unknown_rule_id_is_a_warning_in_an_ignore_and_an_error_in_the_config() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let d = dir.path();
        write(d, "app.env", &format!("API_TOKEN={TOKEN} # nhigate:ignore github-pta fixture\n"));
        let o = run(d, &["check", ".", "--now", "2025-06-30"]);
        assert_eq!(code(&o), 1);
        assert!(stderr(&o).contains("did you mean `github-pat`?"), "{}", stderr(&o));
        write(d, "nhigate.toml", "disable = [\"github-pta\"]\n");
        let o = run(d, &["check", ".", "--now", "2025-06-30"]);
        assert_eq!(code(&o), 2);
        assert!(stderr(&o).contains("did you mean `github-pat`?"), "{}", stderr(&o));
    }

    #[test]
    fn forged_ignores_do_not_suppress() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let d = dir.path();
        // In a string, in a JSON value, in a URL; a trailing ignore on the line above.
        write(d, "a.py", &format!("s = \"# nhigate:ignore github-pat forged\"; k = \"{TOKEN}\"\n"));
        write(d, "b.json", &format!("{{\"note\": \"// nhigate:ignore github-pat forged\", \"k\": \"{TOKEN}\"}}\n"));
        write(d, "c.yaml", &format!("url: https://x.test/#nhigate:ignore github-pat forged\nk: {TOKEN}\n"));
        write(d, "d.env", &format!("A=1 # nhigate:ignore github-pat trailing\nK={TOKEN}\n"));
        // A file whose name spells another's path with a backslash.
        write(d, "src\\app.py", "# nhigate:ignore github-pat not this file\n");
        write(d, "src/app.py", &format!("\nK = \"{TOKEN}\"\n"));
        let (exit, doc) = json(d, &[]);
        assert_eq!(exit, 1);
        let mut paths: Vec<String> = findings(&doc, "github-pat")
            .iter()
            .filter(|f| f.get("suppression").is_none())
            .map(|f| f["path"].as_str().unwrap_or("").to_string())
            .collect();
        paths.sort();
        assert_eq!(paths, vec!["a.py", "b.json", "c.yaml", "d.env", "src/app.py"], "{doc}");
    }

    #[test]
    fn text_the_scanner_cannot_read_whole_is_reported_not_passed() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let d = dir.path();
        let mut utf16 = Vec::new();
        for u in format!("API_TOKEN={TOKEN}\n").encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        std::fs::write(d.join("no-bom.env"), utf16).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(d.join("nul.env"), format!("X=1\0\nAPI_TOKEN={TOKEN}\n")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(d.join("big.env"), "A=b\n".repeat(3000)).unwrap_or_else(|e| panic!("{e}"));
        let (exit, doc) = json(d, &["--max-file-size", "10000"]);
        assert_eq!(exit, 1);
        let found = findings(&doc, "github-pat");
        let paths: Vec<&str> = found.iter().filter_map(|f| f["path"].as_str()).collect();
        assert_eq!(paths, vec!["no-bom.env", "nul.env"], "{doc}");
        let unscanned = findings(&doc, "file-not-scanned");
        assert_eq!(unscanned.len(), 1, "{doc}");
        assert_eq!(
            (unscanned[0]["path"].as_str(), unscanned[0]["severity"].as_str()),
            (Some("big.env"), Some("medium"))
        );
    }
}

#[test]
fn many_secrets_stay_linear_and_frames_stay_bounded() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    // 2 MiB of short assignment lines, each a finding: merging them was quadratic.
    let mut env = String::new();
    let mut i: u64 = 0;
    while env.len() < 2 << 20 {
        i += 1;
        let v: String = format!("{:x}", i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).chars().rev().collect();
        env.push_str(&format!("DB_PASSWORD=Qz!{v}#x\n"));
    }
    fs::write(d.join("many.env"), env).unwrap_or_else(|e| panic!("{e}"));
    let o = check_within(d, &["check", ".", "--max-file-size", "8000000"], minutes(3));
    assert!(o.report["findings"].as_array().map_or(0, Vec::len) > 50_000, "{}", o.stderr);
    fs::remove_file(d.join("many.env")).unwrap_or_else(|e| panic!("{e}"));
    // 200 findings on one 4 MiB line: each frame's caret is bounded.
    let mut line = String::new();
    for _ in 0..200 {
        line.push_str(&" ".repeat(20_000));
        line.push_str(TOKEN);
    }
    fs::write(d.join("one-line.txt"), format!("{line}\n")).unwrap_or_else(|e| panic!("{e}"));
    let human = nhigate(d).args(["check", ".", "--now", NOW]).output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(human.status.code(), Some(1));
    assert!(human.stdout.len() < 1 << 20, "{} bytes of human report", human.stdout.len());
}

#[test]
fn a_user_regex_too_wide_to_scan_is_refused_at_compile_time() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let pack = "detector wide \"w\" {\n  severity low\n  keywords \"x\"\n  pattern /x\\w{5000}/\n}\n";
    fs::write(dir.path().join("p.nhi"), pack).unwrap_or_else(|e| panic!("{e}"));
    let o = nhigate(dir.path()).args(["rules", "compile", "p.nhi"]).output().unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("over the limit of 1000"), "{err}");
}
