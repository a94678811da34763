//! Speed of the keyword prefilter, the pass that reads every byte of a
//! scan: the built-in detectors' keywords over a body of text, one core.
//!
//!     cargo bench --bench keywords                          # this repository's sources
//!     KEYWORDS_CORPUS=/tmp/nhigate-bench/linux-source-6.1/fs cargo bench --bench keywords
//!
//! The files under the corpus folder are read into one buffer (up to
//! 256 MiB) and searched as one input; the figure is the median of seven
//! passes, in MB/s.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.is_file() {
            out.push(p);
        }
    }
}

fn main() {
    let root = std::env::var_os("KEYWORDS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src"));
    let mut paths = Vec::new();
    files(&root, &mut paths);
    let mut corpus = Vec::new();
    for p in paths {
        if corpus.len() > 256 << 20 {
            break;
        }
        if let Ok(bytes) = std::fs::read(&p) {
            corpus.extend_from_slice(&bytes);
        }
    }
    let builtin = nhigate::builtin::sources(&[]);
    let program = match nhigate::lang::compile(&builtin) {
        Ok(c) => c.program,
        Err(e) => panic!("the built-in packs do not compile: {e:?}"),
    };
    program.detectors.prepare(u64::MAX);
    let mut runs: Vec<Duration> = (0..7)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(program.detectors.prefilter(&corpus).detectors.len());
            t.elapsed()
        })
        .collect();
    runs.sort();
    let median = runs[runs.len() / 2].as_secs_f64();
    println!(
        "keyword prefilter over {} ({:.1} MB): {:.0} MB/s (median of 7; best {:.0} MB/s)",
        root.display(),
        corpus.len() as f64 / 1e6,
        corpus.len() as f64 / 1e6 / median,
        corpus.len() as f64 / 1e6 / runs[0].as_secs_f64()
    );
}
