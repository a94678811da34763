//! Where the bytes come from: the work tree today (the `ignore` walker,
//! honouring .gitignore and .nhigateignore), git objects for the git modes.
//!
//! A source yields units (a path and its bytes); anything it cannot read is
//! a `Skipped` with the reason, never an abort and never a silent pass.
//! Sources know nothing of rules or facts.

mod content;
pub(crate) mod exclude;
pub(crate) mod git;
mod walk;

use serde::Serialize;

pub(crate) use content::{Content, also_raw, decode, lossy};
pub(crate) use walk::{WalkOptions, walk};

/// A file that was not scanned, and why.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// A file found by the walker, to be read by a worker.
#[derive(Clone, Debug)]
pub(crate) struct FileEntry {
    /// Path relative to the scanned root, with forward slashes.
    pub path: String,
    pub full: std::path::PathBuf,
    /// A symbolic link: what is scanned is where it points, never through it.
    pub link: bool,
}

/// Read a file into `buf` (reused across files, so that a worker does not
/// fault in fresh pages for every file), refusing one over `max_size`.
pub(crate) fn read_file(path: &std::path::Path, max_size: u64, buf: &mut Vec<u8>) -> Result<(), String> {
    use std::io::Read;
    buf.clear();
    let file = std::fs::File::open(path).map_err(|e| read_error(&e))?;
    let read = file.take(max_size.saturating_add(1)).read_to_end(buf).map_err(|e| read_error(&e))?;
    if read as u64 > max_size {
        let size = std::fs::metadata(path).map_or(read as u64, |m| m.len());
        buf.clear();
        return Err(over_cap(size, max_size));
    }
    Ok(())
}

pub(crate) fn over_cap(size: u64, max_size: u64) -> String {
    format!("{} is over the {} size cap (--max-file-size)", human_size(size), human_size(max_size))
}

fn read_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => PERMISSION_DENIED.into(),
        std::io::ErrorKind::InvalidData => "not readable as a file".into(),
        _ if e.raw_os_error() == Some(21) => "a directory, not a file".into(),
        _ => format!("cannot read: {e}"),
    }
}

/// A path's bytes as text. Valid UTF-8 is kept as it is; each byte that is
/// not is written `//xNN`. A walked or tracked path never holds `//` (it
/// has no empty components), so an escaped name can never equal another
/// file's: an ignore, waiver or baseline entry of one cannot reach the other.
pub(crate) fn path_text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("//x{b:02x}"));
        }
    }
    out
}

/// What a symbolic link is to the scan.
pub(crate) const LINK_NOT_FOLLOWED: &str = "a symbolic link: not followed; its target path was scanned as text";

/// Why a file or folder could not be read, when access was refused.
pub(crate) const PERMISSION_DENIED: &str = "permission denied";

/// The default cap on the size of one file.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Human-readable byte count for skip reasons.
pub(crate) fn human_size(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if n >= MIB { format!("{:.1} MiB", n as f64 / MIB as f64) } else { format!("{n} bytes") }
}

/// Where a scanned folder sits in its repository: its path from the
/// nearest folder above (or at) it that holds `.git`, with forward slashes;
/// empty at the root, or outside any repository.
pub(crate) fn path_in_repository(scanned: &std::path::Path) -> String {
    let Ok(full) = scanned.canonicalize() else { return String::new() };
    let dir = if full.is_file() { full.parent().map(std::path::Path::to_path_buf).unwrap_or_default() } else { full };
    let Some(root) = dir.ancestors().find(|a| a.join(".git").exists()) else { return String::new() };
    let rel = dir.strip_prefix(root).unwrap_or(std::path::Path::new(""));
    rel.components().map(|c| c.as_os_str().to_string_lossy().to_string()).collect::<Vec<_>>().join("/")
}

/// Paths compare without a leading `./`, and with forward slashes on
/// Windows only: elsewhere a backslash is part of a file's name, and
/// `src\app.py` is not `src/app.py`.
pub(crate) fn normalize_path(path: &str) -> String {
    let p = if cfg!(windows) { path.replace('\\', "/") } else { path.to_string() };
    let mut p = p.as_str();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_are_not_utf8_stay_apart() {
        assert_eq!(path_text(b"src/app.py"), "src/app.py");
        assert_eq!(path_text(b"c\xff.env"), "c//xff.env");
        assert_ne!(path_text(b"c\xff.env"), path_text(b"c\xfe.env"));
        assert_ne!(path_text(b"c\xff.env"), "c\\xff.env");
    }
}
