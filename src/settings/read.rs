//! Reading the gate's own files — nhigate.toml, packs, baselines and
//! .nhigateignore — from the disk or from a commit, bounded and kept inside
//! the repository.
//!
//! A repository's files may be hostile: a path in nhigate.toml could name
//! `/proc/self/environ`, `../../secrets`, a symbolic link out of the tree,
//! `/dev/zero` or a FIFO. Each of these is an error that names the key and
//! never shows what the target holds.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::source::exclude::{Excluder, IGNORE_FILE};
use git2::{ObjectType, Oid, Repository};

/// The most a config file may hold.
pub(crate) const CONFIG_LIMIT: u64 = 1 << 20;
/// The most one rule pack may hold.
pub(crate) const PACK_LIMIT: u64 = 8 << 20;
/// The most a baseline or an ignore file may hold.
pub(crate) const BASELINE_LIMIT: u64 = 64 << 20;

/// Where the repository's settings files are read from.
pub(crate) enum Origin<'r> {
    /// The files as they are on disk.
    Disk,
    /// The files as a commit holds them (`--base`: the base commit, so that
    /// a pull request cannot change how it is judged).
    Commit { repo: &'r Repository, tree: git2::Tree<'r>, name: String },
}

impl Origin<'_> {
    /// What to call the origin in messages: "" on disk, "at the base commit 1a2b3c4d5e6f".
    pub(crate) fn describe(&self) -> String {
        match self {
            Origin::Disk => String::new(),
            Origin::Commit { name, .. } => format!(" at {name}"),
        }
    }
}

/// The repository a check runs in: its root (the git work tree, else the
/// scanned folder) and where its settings come from.
pub(crate) struct Repo<'r> {
    pub root: PathBuf,
    pub origin: Origin<'r>,
}

/// A file inside the repository, by its path relative to the root ('/'-separated).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RepoPath(pub String);

impl RepoPath {
    pub fn join(&self, rel: &str) -> RepoPath {
        if self.0.is_empty() { RepoPath(rel.to_string()) } else { RepoPath(format!("{}/{rel}", self.0)) }
    }

    pub fn parent(&self) -> RepoPath {
        RepoPath(self.0.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default())
    }
}

impl std::fmt::Display for RepoPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Repo<'_> {
    /// A path written in a repository file (relative to `dir`), as a
    /// repository path; an absolute path or one that climbs out is refused.
    pub(crate) fn contained(&self, dir: &RepoPath, written: &Path) -> Result<RepoPath, String> {
        if written.is_absolute() || written.has_root() {
            return Err("is an absolute path; paths in nhigate.toml stay inside the repository".into());
        }
        let mut parts: Vec<String> = dir.0.split('/').filter(|s| !s.is_empty()).map(String::from).collect();
        for c in written.components() {
            match c {
                Component::Normal(s) => parts.push(s.to_string_lossy().to_string()),
                Component::CurDir => {}
                Component::ParentDir => {
                    if parts.pop().is_none() {
                        return Err("climbs out of the repository (`..`); paths in nhigate.toml stay inside it".into());
                    }
                }
                Component::RootDir | Component::Prefix(_) => {
                    return Err("is an absolute path; paths in nhigate.toml stay inside the repository".into());
                }
            }
        }
        let rel = RepoPath(parts.join("/"));
        if let Origin::Disk = self.origin {
            // A symbolic link inside the tree may still lead out of it.
            let full = self.root.join(&rel.0);
            if let (Ok(real), Ok(root)) = (full.canonicalize(), self.root.canonicalize())
                && !real.starts_with(&root)
            {
                return Err("leads out of the repository through a symbolic link".into());
            }
        }
        Ok(rel)
    }

    /// The repository path of a path given on the command line, when it
    /// lies inside the repository.
    pub(crate) fn inside(&self, given: &Path) -> Option<RepoPath> {
        let abs = std::path::absolute(given).ok()?;
        let abs = lexical(&abs);
        let root = lexical(&std::path::absolute(&self.root).ok()?);
        let rel = abs.strip_prefix(&root).ok()?;
        let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().to_string()).collect();
        Some(RepoPath(parts.join("/")))
    }

    /// A repository file's bytes, or None when it is not there.
    pub(crate) fn read(&self, path: &RepoPath, limit: u64) -> Result<Option<Vec<u8>>, String> {
        match &self.origin {
            Origin::Disk => {
                let full = self.root.join(&path.0);
                if std::fs::symlink_metadata(&full).is_err() {
                    return Ok(None);
                }
                read_bounded(&full, limit).map(Some)
            }
            Origin::Commit { repo, tree, .. } => blob_in(repo, tree, &path.0, limit),
        }
    }

    /// Whether a repository path is a folder.
    pub(crate) fn is_dir(&self, path: &RepoPath) -> bool {
        match &self.origin {
            Origin::Disk => self.root.join(&path.0).is_dir(),
            Origin::Commit { tree, .. } => {
                path.0.is_empty() || tree.get_path(Path::new(&path.0)).is_ok_and(|e| e.kind() == Some(ObjectType::Tree))
            }
        }
    }

    /// Every file under a repository folder whose name passes `keep`, sorted.
    pub(crate) fn files_under(&self, dir: &RepoPath, keep: impl Fn(&str) -> bool) -> Result<Vec<RepoPath>, String> {
        let mut out = Vec::new();
        match &self.origin {
            Origin::Disk => {
                for full in walk_files(&self.root.join(&dir.0), &keep)? {
                    let rel = full.strip_prefix(&self.root).map_err(|e| e.to_string())?;
                    let rel = RepoPath(crate::source::normalize_path(&rel.to_string_lossy()));
                    // Followed links must not lead out of the tree.
                    self.contained(&RepoPath(String::new()), Path::new(&rel.0))?;
                    out.push(rel);
                }
            }
            Origin::Commit { repo, tree, .. } => {
                let sub = if dir.0.is_empty() {
                    tree.clone()
                } else {
                    let entry = tree.get_path(Path::new(&dir.0)).map_err(|e| e.message().to_string())?;
                    repo.find_tree(entry.id()).map_err(|e| e.message().to_string())?
                };
                // A commit's files are tracked, so .gitignore has no say;
                // the folder's .nhigateignore files do, as on disk.
                let mut found = Vec::new();
                sub.walk(git2::TreeWalkMode::PreOrder, |prefix, entry| {
                    let name = entry.name().unwrap_or("");
                    if entry.kind() == Some(ObjectType::Blob) && keep(name) {
                        found.push(format!("{prefix}{name}"));
                    }
                    git2::TreeWalkResult::Ok
                })
                .map_err(|e| e.message().to_string())?;
                let ignored = Excluder::new(&[], &crate::source::git::ignore_files_in_tree(repo, &sub));
                out.extend(found.iter().filter(|f| !ignored.excludes(f)).map(|f| dir.join(f)));
            }
        }
        out.sort();
        Ok(out)
    }
}

/// Every file under `dir` whose name passes `keep`, following links, and
/// leaving out what .gitignore (in a git repository) and .nhigateignore
/// files leave out, as a scan does; a link loop is an error, not an
/// endless walk.
pub(crate) fn walk_files(dir: &Path, keep: &impl Fn(&str) -> bool) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let walk = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .git_ignore(true)
        .git_exclude(true)
        .parents(true)
        .require_git(true)
        .add_custom_ignore_filename(IGNORE_FILE)
        .follow_links(true)
        .build();
    for entry in walk {
        let entry = entry.map_err(|e| describe_walk_error(&e))?;
        if entry.file_type().is_some_and(|t| t.is_file()) && keep(&entry.file_name().to_string_lossy()) {
            out.push(entry.into_path());
        }
    }
    out.sort();
    Ok(out)
}

fn describe_walk_error(e: &ignore::Error) -> String {
    match e {
        ignore::Error::Loop { child, .. } => format!("a symbolic link loop at `{}`", child.display()),
        ignore::Error::WithPath { path, err } => format!("`{}`: {}", path.display(), describe_walk_error(err)),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => describe_walk_error(err),
        other => other.to_string(),
    }
}

/// `.` and `..` resolved without touching the disk.
fn lexical(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A blob at `path` in `tree`, bounded; a link or a folder is an error.
fn blob_in(repo: &Repository, tree: &git2::Tree<'_>, path: &str, limit: u64) -> Result<Option<Vec<u8>>, String> {
    let Ok(entry) = tree.get_path(Path::new(path)) else { return Ok(None) };
    if entry.filemode() == i32::from(git2::FileMode::Link) {
        return Err("is a symbolic link in the commit; settings files are read as plain files".into());
    }
    if entry.kind() != Some(ObjectType::Blob) {
        return Err("is not a file".into());
    }
    read_blob_bounded(repo, entry.id(), limit).map(Some)
}

fn read_blob_bounded(repo: &Repository, oid: Oid, limit: u64) -> Result<Vec<u8>, String> {
    let odb = repo.odb().map_err(|e| e.message().to_string())?;
    let (size, _) = odb.read_header(oid).map_err(|e| e.message().to_string())?;
    if size as u64 > limit {
        return Err(too_large(limit));
    }
    repo.find_blob(oid).map(|b| b.content().to_vec()).map_err(|e| e.message().to_string())
}

fn too_large(limit: u64) -> String {
    format!("is larger than the {} limit for settings files", crate::source::human_size(limit))
}

/// A regular file's bytes, refusing devices, FIFOs, folders and anything
/// over `limit`, so that `/dev/zero` or a pipe cannot exhaust memory or hang.
pub(crate) fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| io_reason(&e))?;
    if !meta.is_file() {
        return Err(if meta.is_dir() { "is a folder, not a file".into() } else { "is not a regular file".into() });
    }
    if meta.len() > limit {
        return Err(too_large(limit));
    }
    let file = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    let mut buf = Vec::new();
    file.take(limit + 1).read_to_end(&mut buf).map_err(|e| io_reason(&e))?;
    if buf.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(buf)
}

/// The kind of an I/O error only: its text may quote a path, never content.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "does not exist".into(),
        std::io::ErrorKind::PermissionDenied => "cannot be read: permission denied".into(),
        _ => format!("cannot be read: {}", e.kind()),
    }
}

/// Bytes as text, refusing what is not UTF-8 (without quoting it).
pub(crate) fn text(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|_| "is not UTF-8 text".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disk(root: &Path) -> Repo<'static> {
        Repo { root: root.to_path_buf(), origin: Origin::Disk }
    }

    #[test]
    fn written_paths_stay_inside() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let repo = disk(dir.path());
        let top = RepoPath(String::new());
        assert_eq!(repo.contained(&RepoPath("a".into()), Path::new("../b/c.nhi")), Ok(RepoPath("b/c.nhi".into())));
        assert!(repo.contained(&top, Path::new("/proc/self/environ")).is_err());
        assert!(repo.contained(&top, Path::new("../outside")).is_err());
        assert!(repo.contained(&RepoPath("a".into()), Path::new("../../x")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_fifos_are_refused() {
        assert_eq!(read_bounded(Path::new("/dev/zero"), 10), Err("is not a regular file".to_string()));
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; 100]).unwrap_or_else(|e| panic!("{e}"));
        assert!(read_bounded(&big, 10).is_err_and(|e| e.contains("limit")));
        assert_eq!(read_bounded(&big, 100).map(|b| b.len()), Ok(100));
    }
}
