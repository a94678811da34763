//! Where the bytes come from: the work tree today (the `ignore` walker,
//! honouring .gitignore and .nhigateignore), git objects for the git modes.
//!
//! A source yields units (a path and its bytes); anything it cannot read is
//! a `Skipped` with the reason, never an abort and never a silent pass.
//! Sources know nothing of rules or facts.

mod content;
pub mod git;
mod walk;

use serde::Serialize;

pub use content::{Content, decode};
pub use walk::{WalkOptions, walk};

/// A file that was not scanned, and why.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// A file found by the walker, to be read by a worker.
#[derive(Clone, Debug)]
pub struct FileEntry {
    /// Path relative to the scanned root, with forward slashes.
    pub path: String,
    pub full: std::path::PathBuf,
    pub size: u64,
}

/// The default cap on the size of one file.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Human-readable byte count for skip reasons.
pub fn human_size(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if n >= MIB { format!("{:.1} MiB", n as f64 / MIB as f64) } else { format!("{n} bytes") }
}
