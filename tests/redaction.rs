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
