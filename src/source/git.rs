//! Git as a source (git2): the staged index, the commits a branch adds, and
//! the whole history, as blobs to scan. Each blob is listed once, with the
//! path it was found at and the commit that introduced it.
//!
//! Listing is sequential and cheap (tree diffs skip unchanged subtrees);
//! reading blobs happens in the workers, each with its own repository handle.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use git2::{Delta, DiffOptions, Oid, Repository, Sort, Tree};

use crate::facts::Date;

/// A blob to scan.
#[derive(Clone, Debug)]
pub struct Blob {
    pub path: String,
    pub oid: Oid,
    /// The commit that introduced this blob at this path; none for the index.
    pub commit: Option<Commit>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Commit {
    pub id: String,
    pub date: Date,
}

/// A git problem, with what the user can do about it.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("`{path}` is not in a git repository")]
    NotARepository { path: String },
    #[error("cannot resolve `{rev}`: {reason}")]
    BadRevision { rev: String, reason: String },
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

pub fn open(path: &Path) -> Result<Repository, GitError> {
    // Objects are only read, never written: checking each one's hash as it
    // is read costs more than the scan of a small change.
    git2::opts::strict_hash_verification(false);
    Repository::discover(path).map_err(|_| GitError::NotARepository { path: path.display().to_string() })
}

fn commit_info(c: &git2::Commit<'_>) -> Commit {
    Commit { id: c.id().to_string(), date: Date::from_unix(c.time().seconds()) }
}

fn added_or_modified(delta: &git2::DiffDelta<'_>) -> Option<(String, Oid)> {
    if !matches!(delta.status(), Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange) {
        return None;
    }
    let file = delta.new_file();
    // Submodules and symlinks are not content.
    if file.mode() == git2::FileMode::Commit || file.mode() == git2::FileMode::Link {
        return None;
    }
    let path = file.path()?.to_string_lossy().replace('\\', "/");
    Some((path, file.id()))
}

/// What the index holds that HEAD does not: the pre-commit hook's view.
/// Returns the staged blobs and, for each, the blob at HEAD (if the path
/// existed there) to compare findings against.
pub fn staged(repo: &Repository, index: &git2::Index) -> Result<Vec<(Blob, Option<Oid>)>, GitError> {
    let head_tree = match repo.head() {
        Ok(h) => Some(h.peel_to_tree()?),
        Err(_) => None, // no commit yet: everything staged is new
    };
    let mut opts = DiffOptions::new();
    opts.include_typechange(true);
    let diff = repo.diff_tree_to_index(head_tree.as_ref(), Some(index), Some(&mut opts))?;
    let mut out = Vec::new();
    for delta in diff.deltas() {
        if let Some((path, oid)) = added_or_modified(&delta) {
            let before = matches!(delta.status(), Delta::Modified | Delta::Typechange).then(|| delta.old_file().id());
            out.push((Blob { path, oid, commit: None }, before));
        }
    }
    Ok(out)
}

/// The declared inventory (nhi.toml at the root) as the index holds it and
/// as HEAD holds it: a partial scan needs it to know owners and purposes.
pub fn inventory_in_index(repo: &Repository, index: &git2::Index) -> (Option<Oid>, Option<Oid>) {
    let staged = index.get_path(std::path::Path::new(INVENTORY), 0).map(|e| e.id);
    let head = repo.head().ok().and_then(|h| h.peel_to_commit().ok()).and_then(|c| blob_at(&c, INVENTORY));
    (staged, head)
}

/// Where the declared inventory lives.
pub const INVENTORY: &str = "nhi.toml";

pub fn resolve<'r>(repo: &'r Repository, rev: &str) -> Result<git2::Commit<'r>, GitError> {
    repo.revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| GitError::BadRevision { rev: rev.to_string(), reason: e.message().to_string() })
}

/// The blobs each commit of `base..head` adds or changes, oldest commit
/// first, each blob once.
pub fn range(repo: &Repository, base: &str, head: &str) -> Result<Vec<Blob>, GitError> {
    let base = resolve(repo, base)?;
    let head = resolve(repo, head)?;
    let mut walk = repo.revwalk()?;
    walk.push(head.id())?;
    walk.hide(base.id())?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for oid in walk {
        let commit = repo.find_commit(oid?)?;
        changed_blobs(repo, &commit, &mut seen, &mut out)?;
    }
    Ok(out)
}

/// Every blob reachable from every ref, each once, with the first commit
/// (oldest first) that introduced it.
pub fn history(repo: &Repository) -> Result<Vec<Blob>, GitError> {
    let mut walk = repo.revwalk()?;
    walk.push_glob("*")?;
    if let Ok(head) = repo.head() {
        if let Some(oid) = head.target() {
            walk.push(oid)?;
        }
    }
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE | Sort::TIME)?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for oid in walk {
        let commit = repo.find_commit(oid?)?;
        changed_blobs(repo, &commit, &mut seen, &mut out)?;
    }
    Ok(out)
}

/// The blobs a commit adds against its first parent (or all of its tree,
/// for a root commit), skipping blobs already listed.
fn changed_blobs(
    repo: &Repository,
    commit: &git2::Commit<'_>,
    seen: &mut HashSet<Oid>,
    out: &mut Vec<Blob>,
) -> Result<(), GitError> {
    let tree = commit.tree()?;
    let parent_tree: Option<Tree<'_>> = commit.parents().next().map(|p| p.tree()).transpose()?;
    let diff = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)?;
    let info = commit_info(commit);
    for delta in diff.deltas() {
        if let Some((path, oid)) = added_or_modified(&delta) {
            if seen.insert(oid) {
                out.push(Blob { path, oid, commit: Some(info.clone()) });
            }
        }
    }
    Ok(())
}

/// The blob at `path` in a commit's tree, if there is one.
pub fn blob_at(commit: &git2::Commit<'_>, path: &str) -> Option<Oid> {
    let entry = commit.tree().ok()?.get_path(Path::new(path)).ok()?;
    (entry.kind() == Some(git2::ObjectType::Blob)).then(|| entry.id())
}

thread_local! {
    static HANDLES: RefCell<HashMap<PathBuf, Repository>> = RefCell::new(HashMap::new());
}

/// Read a blob through this thread's handle on the repository at `git_dir`.
pub fn read_blob(git_dir: &Path, oid: Oid, max_size: u64) -> Result<Vec<u8>, String> {
    HANDLES.with(|handles| {
        let mut handles = handles.borrow_mut();
        if !handles.contains_key(git_dir) {
            let repo = Repository::open(git_dir).map_err(|e| format!("cannot open the repository: {}", e.message()))?;
            handles.insert(git_dir.to_path_buf(), repo);
        }
        let repo = handles.get(git_dir).ok_or_else(|| "no repository handle".to_string())?;
        let odb = repo.odb().map_err(|e| e.message().to_string())?;
        let (size, _) = odb.read_header(oid).map_err(|e| format!("cannot read blob {oid}: {}", e.message()))?;
        if size as u64 > max_size {
            return Err(super::over_cap(size as u64, max_size));
        }
        let blob = repo.find_blob(oid).map_err(|e| format!("cannot read blob {oid}: {}", e.message()))?;
        Ok(blob.content().to_vec())
    })
}
