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
    // Binary, with a token inside: skipped as binary, not silently passed.
    let mut binary = vec![0u8, 159, 146, 150, 0, 0, 1, 2];
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
    assert_eq!(skipped(&o, "blob.bin").as_deref(), Some("binary file"));
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
