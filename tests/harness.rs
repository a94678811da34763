//! Shared helpers: run the `nhigate` binary with a scrubbed environment and a
//! fixed clock, compile packs in-process, and read diagnostics.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use miette::Diagnostic;
use nhigate::lang::{self, CompileErrors, PackSource, Verify};

pub const NOW: &str = "2025-06-30";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, run from `dir`, with CI and colour variables removed.
pub fn nhigate(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nhigate"));
    cmd.current_dir(dir);
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().to_string();
        if k == "CI"
            || k.starts_with("GITHUB_")
            || k == "NO_COLOR"
            || k == "CLICOLOR_FORCE"
            || k.starts_with("RUST_LOG")
        {
            cmd.env_remove(&k);
        }
    }
    cmd
}

/// A copy of `from` at `to`: for a report whose fingerprints must not
/// depend on where the checkout sits (they are taken from the repository's
/// root, and a temporary folder is in no repository).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir(from).into_iter().flatten().flatten() {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

pub fn run(dir: &Path, args: &[&str]) -> Output {
    nhigate(dir).args(args).output().unwrap_or_else(|e| panic!("cannot run nhigate: {e}"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Compile packs given as (path, text), expecting failure.
pub fn compile_err(files: &[(&str, &str)]) -> CompileErrors {
    let sources: Vec<PackSource> = files
        .iter()
        .map(|(p, t)| PackSource { path: p.to_string(), text: t.to_string(), verify: Verify::Full })
        .collect();
    match lang::compile(&sources) {
        Ok(_) => panic!("expected the packs not to compile"),
        Err(e) => e,
    }
}

/// What a diagnostic says: message, help, and the source text under its
/// first label (not offsets, which are brittle).
#[derive(Debug, PartialEq)]
pub struct Said {
    pub message: String,
    pub help: Option<String>,
    pub underlined: String,
}

pub fn said(errors: &CompileErrors) -> Vec<Said> {
    errors
        .diagnostics
        .iter()
        .filter(|d| !d.error.is_warning())
        .map(|d| {
            let text = d.source.inner();
            let underlined = d
                .labels()
                .and_then(|mut l| l.next())
                .map(|l| text.get(l.offset()..l.offset() + l.len()).unwrap_or("").to_string())
                .unwrap_or_default();
            Said { message: d.to_string(), help: d.help().map(|h| h.to_string()), underlined }
        })
        .collect()
}

/// Every file under `dir`, with its path relative to `root`.
pub fn files(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(root, &p, out);
        } else if let (Ok(rel), Ok(data)) = (p.strip_prefix(root), std::fs::read(&p)) {
            out.push((rel.to_string_lossy().replace('\\', "/"), data));
        }
    }
}
