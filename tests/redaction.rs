//! Redaction by construction, checked from outside: secrets planted in
//! every kind of file never appear whole in any output — stdout, stderr,
//! report files, the job summary, the inventory, the baseline, or error
//! messages.

use std::fs;
use std::path::Path;

use proptest::prelude::*;

use crate::harness::{NOW, nhigate};

/// A secret of a shape a built-in detector reports.
fn secret() -> impl Strategy<Value = String> {
    prop_oneof![
        "AKIA[A-Z2-7]{16}",
        "sk_live_[A-Za-z0-9]{32}",
        "xoxb-[0-9]{12}-[0-9]{13}-[A-Za-z0-9]{24}",
        "SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}",
        "whsec_[A-Za-z0-9]{40}",
    ]
    .prop_filter("random enough to pass the detectors' entropy filters", |s| entropy(s) >= 4.2)
}

/// Shannon entropy in bits per character.
fn entropy(s: &str) -> f64 {
    let mut counts = std::collections::BTreeMap::new();
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let n = s.chars().count() as f64;
    counts.values().map(|&k| k as f64 / n).map(|p| -p * p.log2()).sum()
}

/// A file that carries the secret, in one of the formats we read.
fn placed(secret: &str, context: usize) -> (&'static str, String) {
    match context % 6 {
        0 => (".env", format!("API_KEY={secret}\n")),
        1 => ("config/app.yaml", format!("service:\n  token: \"{secret}\"\n")),
        2 => ("src/client.py", format!("import os\n\nTOKEN = \"{secret}\"\n")),
        3 => ("infra/main.tf", format!("variable \"key\" {{\n  default = \"{secret}\"\n}}\n")),
        4 => (
            ".mcp.json",
            format!(
                "{{\"mcpServers\": {{\"x\": {{\"command\": \"x\", \"env\": {{\"API_TOKEN\": \"{secret}\"}}}}}}}}\n"
            ),
        ),
        _ => (".gitlab-ci.yml", format!("variables:\n  DEPLOY_TOKEN: \"{secret}\"\njob:\n  script: [make]\n")),
    }
}

fn output(dir: &Path, args: &[&str], envs: &[(&str, &Path)]) -> String {
    let mut cmd = nhigate(dir);
    cmd.args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap_or_else(|e| panic!("{e}"));
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, max_shrink_iters: 16, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_output_carries_a_planted_secret(secret in secret(), context in 0usize..6) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let d = dir.path();
        let (path, text) = placed(&secret, context);
        let full = d.join(path);
        fs::create_dir_all(full.parent().unwrap_or(d)).unwrap_or_else(|e| panic!("{e}"));
        fs::write(&full, text).unwrap_or_else(|e| panic!("{e}"));
        // A config whose bad value is the secret: the error must not echo it.
        let bad_config = d.join("bad.toml");
        fs::write(&bad_config, format!("fail_on = \"{secret}\"\n")).unwrap_or_else(|e| panic!("{e}"));
        let out = d.join("out");
        fs::create_dir(&out).unwrap_or_else(|e| panic!("{e}"));
        let summary = out.join("summary.md");
        let report = |name: &str| out.join(name).to_string_lossy().to_string();

        let json = output(d, &["check", ".", "--now", NOW, "--format", "json"], &[]);
        prop_assert!(json.contains(&format!("\"path\": \"{path}\"")), "not detected in {path}: {json}");
        let mut everything = vec![json];
        for format in ["human", "sarif", "github"] {
            everything.push(output(d, &["check", ".", "--now", NOW, "--format", format], &[("GITHUB_STEP_SUMMARY", &summary)]));
            everything.push(output(d, &["check", ".", "--now", NOW, "--format", format, "--output", &report(format)], &[]));
        }
        for format in ["table", "json", "csv"] {
            everything.push(output(d, &["inventory", ".", "--now", NOW, "--format", format], &[]));
        }
        everything.push(output(d, &["baseline", ".", "--now", NOW, "-o", &report("baseline.json")], &[]));
        everything.push(output(d, &["check", ".", "--now", NOW, "--config", &bad_config.to_string_lossy()], &[]));
        everything.push(output(d, &["check", ".", "--now", NOW, "--severity", &secret], &[]));
        for entry in fs::read_dir(&out).unwrap_or_else(|e| panic!("{e}")).flatten() {
            everything.push(fs::read_to_string(entry.path()).unwrap_or_default());
        }
        for (i, text) in everything.iter().enumerate() {
            prop_assert!(!text.contains(&secret), "output {i} carries the secret whole:\n{text}");
        }
    }
}

/// Everything a run prints or writes, in every format, for these arguments.
fn every_output(dir: &Path, args: &[&str]) -> Vec<String> {
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let summary = out.path().join("summary.md");
    let mut all = Vec::new();
    for format in ["human", "json", "sarif", "github"] {
        let mut a = vec!["check", ".", "--now", NOW, "--format", format];
        a.extend_from_slice(args);
        all.push(output(dir, &a, &[("GITHUB_STEP_SUMMARY", &summary)]));
    }
    all.push(fs::read_to_string(&summary).unwrap_or_default());
    for format in ["table", "json", "csv"] {
        all.push(output(dir, &["inventory", ".", "--now", NOW, "--format", format], &[]));
    }
    all
}

fn write(dir: &Path, path: &str, text: &str) {
    let full = dir.join(path);
    fs::create_dir_all(full.parent().unwrap_or(dir)).unwrap_or_else(|e| panic!("{e}"));
    fs::write(full, text).unwrap_or_else(|e| panic!("{e}"));
}

const PAT: &str = "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";

#[test]
fn values_that_reach_messages_reasons_and_frames_are_redacted() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    // A plain-http MCP server whose URL carries credentials: rule messages interpolate it.
    write(
        d,
        ".mcp.json",
        "{\"mcpServers\": {\"db\": {\"url\": \"http://admin:Tr0ub4dor-and-3@mcp.internal:8080/sse?api_key=kq81Zr6PwX0Lm3Vt\"}}}\n",
    );
    // An ignore whose reason carries a key.
    write(d, "a.js", &format!("/* nhigate:ignore github-pat rotated, was {PAT} */ const k = \"{PAT}\";\n"));
    // Multibyte characters before the value: a character column is not a byte offset.
    write(d, "b.py", "# ééééééééé\nNAME = \"ééééééé\"; PASSWORD = \"Zq8!vR2#pL9@wX4$\"\n");
    // A YAML block scalar.
    write(d, "c.yaml", "config:\n  private_key: |\n    Zq8vR2pL9wX4mN7bQ1kT\n    Yh6jU3nB5vC8xZ1aQ2wE\n");
    // UTF-16 with a BOM.
    let mut utf16 = vec![0xFF, 0xFE];
    for u in format!("API_TOKEN={PAT}\n").encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    fs::write(d.join("d.env"), utf16).unwrap_or_else(|e| panic!("{e}"));
    // A credential only an extractor knows (an MCP server's `--api-key`),
    // repeated in a plain-http URL that another rule's message quotes.
    write(
        d,
        "mcp.json",
        "{\"mcpServers\": {\"srv\": {\"url\": \"http://evil.example/Qx7vR2mZ9pL4kT8wY1nBd3Fh\", \"args\": [\"--api-key\", \"Qx7vR2mZ9pL4kT8wY1nBd3Fh\"]}}}\n",
    );
    // An identity named with a token: policy findings name their subject.
    write(
        d,
        "iam.tf",
        &format!(
            "resource \"aws_iam_user\" \"u1\" {{\n  name = \"{PAT}\"\n}}\nresource \"aws_iam_access_key\" \"k\" {{\n  user = aws_iam_user.u1.name\n}}\n"
        ),
    );
    for (i, text) in every_output(d, &[]).iter().enumerate() {
        for secret in [
            "Qx7vR2mZ9pL4kT8wY1nBd3Fh",
            "Tr0ub4dor-and-3",
            "kq81Zr6PwX0Lm3Vt",
            PAT,
            "Zq8!vR2#pL9@wX4$",
            "Zq8vR2pL9wX4mN7bQ1kT",
            "Yh6jU3nB5vC8xZ1aQ2wE",
        ] {
            assert!(!text.contains(secret), "output {i} carries `{secret}` whole:\n{text}");
        }
    }
}

#[test]
fn errors_never_repeat_a_pasted_secret() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    write(d, "typed.toml", &format!("disable = \"{PAT}\"\n"));
    for args in [
        vec!["check", ".", "--config", "typed.toml"],
        vec!["check", ".", "--with", PAT],
        vec!["check", ".", "--rules", PAT],
        vec!["check", ".", "--base", PAT],
        vec!["check", PAT],
        vec!["check", ".", "--unknown-flag", PAT, "extra", PAT],
    ] {
        let text = output(d, &args, &[]);
        assert!(!text.contains(PAT), "{args:?}:\n{text}");
        assert!(text.contains("error"), "{args:?}:\n{text}");
    }
}

#[cfg(unix)]
#[test]
fn file_names_cannot_drive_the_terminal_or_forge_workflow_commands() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    write(d, "a\n::error file=README.md,line=1::forged.env", &format!("API_TOKEN={PAT}\n"));
    write(d, "\u{1b}]0;title\u{7}\u{1b}[31mred.env", &format!("API_TOKEN={PAT}\n"));
    fs::write(d.join("bin\n::warning::forged"), b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0")
        .unwrap_or_else(|e| panic!("{e}"));
    // Names from file content, in the inventory too.
    write(d, "main.tf", "resource \"aws_iam_user\" \"u\" {\n  name = \"x\\n::error::inj\"\n}\n");
    write(d, ".cursor/mcp.json", "{\"mcpServers\": {\"s\\n::error::m\": {\"command\": \"x\"}}}\n");
    for (i, text) in every_output(d, &[]).iter().enumerate() {
        assert!(!text.lines().any(|l| l.starts_with("::error::")), "output {i} forged a command:\n{text}");
        assert!(!text.contains('\u{1b}'), "output {i} carries an escape sequence:\n{text}");
        assert!(!text.lines().any(|l| l.starts_with("::error file=README.md")), "output {i} forged a command:\n{text}");
        assert!(!text.lines().any(|l| l.starts_with("::warning::forged")), "output {i} forged a command:\n{text}");
    }
}

#[test]
fn csv_cells_are_not_formulas() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    write(d, "main.tf", "resource \"aws_iam_user\" \"u\" {\n  name = \"=HYPERLINK(\\\"http://x.test\\\")\"\n}\n");
    let csv = output(d, &["inventory", ".", "--now", NOW, "--format", "csv"], &[]);
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(!csv.lines().any(|l| l.starts_with("aws_iam_user,=") || l.contains(",=HYPERLINK")), "{csv}");
}

#[test]
fn a_baseline_keeps_too_few_bits_of_a_value_to_confirm_a_guess() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    write(d, "app.env", "DB_PASSWORD=Winter2024Pass\n");
    let baseline = d.join("baseline.json");
    output(d, &["baseline", ".", "--now", NOW, "-o", &baseline.to_string_lossy()], &[]);
    let b: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&baseline).unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    let entry = &b["findings"][0];
    let (rule, path) = (entry["rule"].as_str().unwrap_or(""), entry["path"].as_str().unwrap_or(""));
    assert_eq!(b["version"], 2);
    // Rebuilt from the published construction: 20 bits of the value's hash.
    let key = |value: &str| {
        use sha2::Digest;
        hex::encode(&sha2::Sha256::digest(value.as_bytes())[..16])[..5].to_string()
    };
    assert_eq!(
        entry["fingerprint"].as_str(),
        Some(nhigate::engine::fingerprint(rule, path, &key("Winter2024Pass")).as_str())
    );
    // The old construction (the value's full hash) no longer matches.
    let full = {
        use sha2::Digest;
        hex::encode(&sha2::Sha256::digest(b"Winter2024Pass")[..16])
    };
    assert_ne!(entry["fingerprint"].as_str(), Some(nhigate::engine::fingerprint(rule, path, &full).as_str()));
    // With 20 bits, about one in a million wrong guesses matches too: among
    // 3 million candidates several do, so a match confirms nothing.
    let target = key("Winter2024Pass");
    let collisions = (0..3_000_000u32).filter(|n| key(&format!("guess{n}")) == target).count();
    assert!(collisions >= 1, "{collisions}");
}

#[test]
fn inventory_cells_and_pack_diagnostics_are_redacted_before_they_are_cut_or_framed() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    write(
        d,
        "nhi.toml",
        &format!("version = 1\n\n[[identity]]\nkind = \"service-account\"\nname = \"svc-deploy-{PAT}\"\n"),
    );
    let table = output(d, &["inventory", ".", "--now", NOW, "--format", "table"], &[]);
    // The 30 random characters of the token are never shown together.
    assert!(!table.contains(&PAT[4..34]), "{table}");
    write(
        d,
        "p/e.nhi",
        &format!(
            "detector x \"x\" {{\n  provider \"{PAT}\"\n  severity bogus\n  keywords \"\u{1b}]0;t\u{7}\u{1b}[2J\"\n}}\n"
        ),
    );
    let err = output(d, &["rules", "compile", "p"], &[]);
    assert!(err.contains("bogus"), "{err}");
    assert!(!err.contains(PAT) && !err.contains('\u{1b}') && !err.contains('\u{7}'), "{err}");
}
