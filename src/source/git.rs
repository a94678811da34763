//! Git as a source (git2): the staged index, the commits a branch adds, and
//! the whole history, as blobs to scan. Each blob is listed once, with the
//! path it was found at and the commit that introduced it.
//!
//! Tree diffs (which skip unchanged subtrees) and blob reads both happen in
//! the workers, each with its own repository handle.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use git2::{Delta, DiffOptions, Oid, Repository, Sort, Tree};
use rayon::prelude::*;

use crate::facts::Date;

mod index;

/// A blob to scan.
#[derive(Clone, Debug)]
pub(crate) struct Blob {
    pub path: String,
    pub oid: Oid,
    /// The commit that introduced this blob at this path; none for the index.
    pub commit: Option<Commit>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Commit {
    pub id: String,
    pub date: Date,
}

/// A git problem, with what the user can do about it.
#[derive(Debug, thiserror::Error)]
pub(crate) enum GitError {
    #[error("`{path}` is not in a git repository")]
    NotARepository { path: String },
    #[error("cannot resolve `{rev}`: {reason}")]
    BadRevision { rev: String, reason: String },
    #[error(
        "the clone is shallow: its history stops at commit {commit}, before the base, so the commits in between cannot be checked; fetch the whole history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)"
    )]
    Shallow { commit: String },
    #[error("cannot read the index `{path}`: {reason}")]
    Index { path: String, reason: String },
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

/// What to do about a repository or revision that is not there.
pub(crate) const GIT_HELP: &str = "run it inside a git repository, with revisions that exist there";

impl GitError {
    /// What the user can do about it.
    pub(crate) fn help(&self) -> &'static str {
        match self {
            GitError::Index { .. } => {
                "a split or sparse index is left to libgit2, which may not read it: `git update-index --no-split-index` or `git sparse-checkout disable` writes it back as one plain file"
            }
            _ => GIT_HELP,
        }
    }
}

pub(crate) fn open(path: &Path) -> Result<Repository, GitError> {
    Repository::discover(path).map_err(|_| GitError::NotARepository { path: path.display().to_string() })
}

/// The repository a path is in: its `origin` remote's URL, without any
/// user or password written into it, and the commit checked out.
pub(crate) fn origin_and_head(path: &Path) -> (Option<String>, Option<String>) {
    let Ok(repo) = Repository::discover(path) else { return (None, None) };
    let url = repo.find_remote("origin").ok().and_then(|r| r.url().map(without_credentials));
    let head = repo.head().ok().and_then(|h| h.peel_to_commit().ok()).map(|c| c.id().to_string());
    (url, head)
}

/// `https://user:token@host/x` → `https://host/x`.
fn without_credentials(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            if path.is_empty() { format!("{scheme}://{host}") } else { format!("{scheme}://{host}/{path}") }
        }
        None => url.to_string(),
    }
}

fn commit_info(c: &git2::Commit<'_>) -> Commit {
    Commit { id: c.id().to_string(), date: Date::from_unix(c.time().seconds()) }
}

/// What a changed path in a diff is to the scan.
enum Changed {
    Content(String, Oid),
    /// A symbolic link: not followed, but its target (the blob) is text
    /// that could hold a secret, so it is scanned too.
    Link(String, Oid),
    NotContent(super::Skipped),
}

fn added_or_modified(delta: &git2::DiffDelta<'_>) -> Option<Changed> {
    if !matches!(delta.status(), Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange) {
        return None;
    }
    let file = delta.new_file();
    Some(changed(file.path_bytes()?, u32::from(file.mode()), file.id()))
}

/// What a path with this mode and object is to the scan.
fn changed(path: &[u8], mode: u32, oid: Oid) -> Changed {
    // Paths are git's, '/'-separated; a backslash is part of a name.
    let path = super::path_text(path);
    // Submodules and symlinks are not content; say so rather than pass them by.
    match mode {
        0o160000 => Changed::NotContent(super::Skipped {
            path,
            reason: "a submodule: its content lives in another repository and is not scanned here".into(),
        }),
        0o120000 => Changed::Link(path, oid),
        _ => Changed::Content(path, oid),
    }
}

fn link_note(path: &str) -> super::Skipped {
    super::Skipped { path: path.to_string(), reason: super::LINK_NOT_FOLLOWED.into() }
}

/// The index the pre-commit view reads: the one git names in
/// `GIT_INDEX_FILE` (`git commit -a` and `git commit <path>` stage into a
/// temporary index and run the hook with it), else the repository's. Read
/// by `index` where it knows the format, by libgit2 otherwise.
pub(crate) enum StagedIndex {
    Read(index::Index),
    Libgit2(git2::Index),
}

impl StagedIndex {
    pub(crate) fn open(repo: &Repository) -> Result<StagedIndex, GitError> {
        let path = match std::env::var_os("GIT_INDEX_FILE").filter(|p| !p.is_empty()) {
            Some(p) => std::env::current_dir().map(|d| d.join(&p)).unwrap_or_else(|_| PathBuf::from(p)),
            None => repo.path().join("index"),
        };
        if let Some(read) = index::Index::read(&path) {
            return Ok(StagedIndex::Read(read));
        }
        let unread =
            |e: git2::Error| GitError::Index { path: path.display().to_string(), reason: e.message().to_string() };
        match path.exists() {
            true => Ok(StagedIndex::Libgit2(git2::Index::open(&path).map_err(unread)?)),
            // Nothing staged yet in a new repository.
            false => Ok(StagedIndex::Libgit2(git2::Index::new()?)),
        }
    }

    /// The mode and blob at `path`, stage 0.
    fn get(&self, path: &str) -> Option<(u32, Oid)> {
        match self {
            StagedIndex::Read(index) => index.get(path.as_bytes()).map(|e| (e.mode, e.oid)),
            StagedIndex::Libgit2(index) => index.get_path(Path::new(path), 0).map(|e| (e.mode, e.id)),
        }
    }

    /// Each path the index adds or changes against HEAD, with the blob it
    /// had at HEAD when it was modified.
    fn changes(&self, repo: &Repository) -> Result<Vec<(Changed, Option<Oid>)>, GitError> {
        let head_tree = match repo.head() {
            Ok(h) => Some(h.peel_to_tree()?),
            Err(_) => None, // no commit yet: everything staged is new
        };
        match self {
            StagedIndex::Read(index) => Ok(index
                .changes(repo, head_tree.as_ref())?
                .into_iter()
                .map(|c| (changed(&c.path, c.mode, c.oid), c.before))
                .collect()),
            StagedIndex::Libgit2(index) => {
                let mut opts = DiffOptions::new();
                opts.include_typechange(true);
                let diff = repo.diff_tree_to_index(head_tree.as_ref(), Some(index), Some(&mut opts))?;
                Ok(diff
                    .deltas()
                    .filter_map(|delta| {
                        let before = matches!(delta.status(), Delta::Modified | Delta::Typechange)
                            .then(|| delta.old_file().id());
                        Some((added_or_modified(&delta)?, before))
                    })
                    .collect())
            }
        }
    }
}

/// What the index holds that HEAD does not: the pre-commit hook's view.
/// Returns the staged blobs and, for each, the blob at HEAD (if the path
/// existed there) to compare findings against.
pub(crate) fn staged(repo: &Repository, index: &StagedIndex) -> Result<Listing<(Blob, Option<Oid>)>, GitError> {
    let mut out = Listing::default();
    for (change, before) in index.changes(repo)? {
        match change {
            Changed::Content(path, oid) => out.blobs.push((Blob { path, oid, commit: None }, before)),
            Changed::Link(path, oid) => {
                out.skipped.push(link_note(&path));
                out.blobs.push((Blob { path, oid, commit: None }, None));
            }
            Changed::NotContent(s) => out.skipped.push(s),
        }
    }
    Ok(out)
}

/// What a git listing gives: blobs to scan, and paths that are not content.
#[derive(Debug)]
pub(crate) struct Listing<T> {
    pub blobs: Vec<T>,
    pub skipped: Vec<super::Skipped>,
    /// The commits the blobs were listed from.
    pub commits: usize,
}

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Listing { blobs: Vec::new(), skipped: Vec::new(), commits: 0 }
    }
}

/// The declared inventory (nhi.toml at the root) as the index holds it and
/// as HEAD holds it: a partial scan needs it to know owners and purposes.
pub(crate) fn inventory_in_index(repo: &Repository, index: &StagedIndex) -> (Option<Oid>, Option<Oid>) {
    let staged = index.get(INVENTORY).map(|(_, oid)| oid);
    let head = repo.head().ok().and_then(|h| h.peel_to_commit().ok()).and_then(|c| blob_at(&c, INVENTORY));
    (staged, head)
}

/// Where the declared inventory lives.
pub(crate) const INVENTORY: &str = "nhi.toml";

pub(crate) fn resolve<'r>(repo: &'r Repository, rev: &str) -> Result<git2::Commit<'r>, GitError> {
    repo.revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| GitError::BadRevision { rev: rev.to_string(), reason: e.message().to_string() })
}

/// The blobs each commit of `base..head` adds or changes, oldest commit
/// first, each blob once per path. A shallow clone whose history stops
/// before the base is an error: the commits in between cannot be checked.
pub(crate) fn range(repo: &Repository, base: &str, head: &str) -> Result<Listing<Blob>, GitError> {
    let base = resolve(repo, base)?;
    let head = resolve(repo, head)?;
    let shallow = shallow_commits(repo);
    let mut walk = repo.revwalk()?;
    walk.push(head.id())?;
    walk.hide(base.id())?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    let commits = walk.collect::<Result<Vec<Oid>, _>>()?;
    if let Some(cut) = commits.iter().find(|c| shallow.contains(c)) {
        return Err(GitError::Shallow { commit: cut.to_string() });
    }
    changed_blobs(repo, &commits)
}

/// The commits a shallow clone has without their parents.
fn shallow_commits(repo: &Repository) -> HashSet<Oid> {
    if !repo.is_shallow() {
        return HashSet::new();
    }
    let text = std::fs::read_to_string(repo.path().join("shallow")).unwrap_or_default();
    text.lines().filter_map(|l| Oid::from_str(l.trim()).ok()).collect()
}

/// Every blob reachable from every ref, each once per path, with the first
/// commit (oldest first) that introduced it there.
pub(crate) fn history(repo: &Repository) -> Result<Listing<Blob>, GitError> {
    let mut walk = repo.revwalk()?;
    walk.push_glob("*")?;
    if let Ok(head) = repo.head()
        && let Some(oid) = head.target()
    {
        walk.push(oid)?;
    }
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE | Sort::TIME)?;
    let commits = walk.collect::<Result<Vec<Oid>, _>>()?;
    changed_blobs(repo, &commits)
}

/// The blobs `commits` (oldest first) add, each once per path, with the
/// first commit that added it there: a blob that appears at several paths
/// is judged at each of them.
fn changed_blobs(repo: &Repository, commits: &[Oid]) -> Result<Listing<Blob>, GitError> {
    // Each commit's diff against its first parent stands alone: the workers
    // compute them, and they are merged in commit order, so that a blob is
    // listed with the commit that introduced it. The handles (and the trees
    // their caches hold) are dropped once the listing is done.
    let git_dir = repo.path().to_path_buf();
    let changes: Vec<Result<(Commit, Vec<Changed>), GitError>> = commits
        .par_iter()
        .map_init(
            || Repository::open(&git_dir),
            |handle, &oid| match handle {
                Ok(repo) => commit_changes(repo, oid),
                Err(e) => Err(git2::Error::new(e.code(), e.class(), e.message()).into()),
            },
        )
        .collect();
    let mut seen = HashSet::new();
    let mut out = Listing { commits: commits.len(), ..Listing::default() };
    for change in changes {
        let (info, changed) = change?;
        for c in changed {
            match c {
                Changed::Content(path, oid) if seen.insert((oid, path.clone())) => {
                    out.blobs.push(Blob { path, oid, commit: Some(info.clone()) });
                }
                Changed::Link(path, oid) if seen.insert((oid, path.clone())) => {
                    out.skipped.push(link_note(&path));
                    out.blobs.push(Blob { path, oid, commit: Some(info.clone()) });
                }
                Changed::NotContent(s) => out.skipped.push(s),
                _ => {}
            }
        }
    }
    Ok(out)
}

/// Every path that differs between two commits' trees, on either side: a
/// deleted or renamed file is read at the base too.
pub(crate) fn paths_changed(
    repo: &Repository,
    base: &git2::Commit<'_>,
    head: &git2::Commit<'_>,
) -> Result<Vec<String>, GitError> {
    let diff = repo.diff_tree_to_tree(Some(&base.tree()?), Some(&head.tree()?), None)?;
    let mut paths: Vec<String> = diff
        .deltas()
        .flat_map(|d| [d.old_file().path(), d.new_file().path()])
        .flatten()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    paths.sort();
    paths.dedup();
    Ok(paths)
}

/// What a commit adds against its first parent (or all of its tree, for a
/// root commit).
fn commit_changes(repo: &Repository, oid: Oid) -> Result<(Commit, Vec<Changed>), GitError> {
    let commit = repo.find_commit(oid)?;
    let tree = commit.tree()?;
    let parent_tree: Option<Tree<'_>> = commit.parents().next().map(|p| p.tree()).transpose()?;
    let diff = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)?;
    let changed = diff.deltas().filter_map(|d| added_or_modified(&d)).collect();
    Ok((commit_info(&commit), changed))
}

/// The files the index tracks (not links or submodules), as paths relative
/// to the work tree.
pub(crate) fn tracked_files(index: &git2::Index) -> Vec<String> {
    index.iter().filter(|e| e.mode & 0o170000 == 0o100000).map(|e| super::path_text(&e.path)).collect()
}

/// The most an ignore file may hold.
const IGNORE_FILE_LIMIT: u64 = 1 << 20;

/// Every .nhigateignore in a commit's tree.
pub(crate) fn ignore_files_in_tree(repo: &Repository, tree: &Tree<'_>) -> Vec<super::exclude::IgnoreFile> {
    let name = super::exclude::IGNORE_FILE;
    let mut out = Vec::new();
    let _ = tree.walk(git2::TreeWalkMode::PreOrder, |prefix, entry| {
        if entry.name() == Some(name) && entry.kind() == Some(git2::ObjectType::Blob) {
            let dir = prefix.trim_end_matches('/').to_string();
            out.push(ignore_file(repo, dir, entry.id(), entry.filemode()));
        }
        git2::TreeWalkResult::Ok
    });
    out
}

/// One ignore file as git holds it. Only a plain file (executable or not)
/// up to the size limit is applied; any other is kept with the reason, so
/// that a branch that adds one is reported rather than trusted later by a
/// reader that follows links or reads without a limit.
fn ignore_file(repo: &Repository, dir: String, oid: Oid, mode: i32) -> super::exclude::IgnoreFile {
    let plain = mode == i32::from(git2::FileMode::Blob) || mode == i32::from(git2::FileMode::BlobExecutable);
    let blob = repo.find_blob(oid).ok();
    let size = blob.as_ref().map_or(0, |b| b.size() as u64);
    let unusual = if !plain {
        Some("is a symbolic link, not a file".to_string())
    } else if size > IGNORE_FILE_LIMIT {
        Some(format!("is over the {} limit for ignore files", super::human_size(IGNORE_FILE_LIMIT)))
    } else {
        None
    };
    let text = match (&unusual, blob) {
        (None, Some(b)) => String::from_utf8_lossy(b.content()).into_owned(),
        _ => String::new(),
    };
    super::exclude::IgnoreFile { dir, text, unusual }
}

/// The .nhigateignore files in the index that govern `paths` (those in
/// their folders and above): looked up, not listed, so that a pre-commit
/// check does not walk a large index.
pub(crate) fn ignore_files_in_index<'p>(
    repo: &Repository,
    index: &StagedIndex,
    paths: impl Iterator<Item = &'p str>,
) -> Vec<super::exclude::IgnoreFile> {
    let name = super::exclude::IGNORE_FILE;
    let mut dirs: HashSet<String> = HashSet::new();
    for p in paths {
        let mut dir = p;
        while let Some((parent, _)) = dir.rsplit_once('/') {
            dirs.insert(parent.to_string());
            dir = parent;
        }
        dirs.insert(String::new());
    }
    let mut dirs: Vec<String> = dirs.into_iter().collect();
    dirs.sort();
    dirs.into_iter()
        .filter_map(|dir| {
            let path = if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };
            let (mode, oid) = index.get(&path)?;
            Some(ignore_file(repo, dir, oid, i32::try_from(mode).unwrap_or(0)))
        })
        .collect()
}

/// The blob at `path` in a commit's tree, if there is one.
pub(crate) fn blob_at(commit: &git2::Commit<'_>, path: &str) -> Option<Oid> {
    let entry = commit.tree().ok()?.get_path(Path::new(path)).ok()?;
    (entry.kind() == Some(git2::ObjectType::Blob)).then(|| entry.id())
}

thread_local! {
    static HANDLES: RefCell<HashMap<PathBuf, Repository>> = RefCell::new(HashMap::new());
}

/// Run `f` with this thread's handle on the repository at `git_dir`.
fn with_handle<T>(git_dir: &Path, f: impl FnOnce(&Repository) -> T) -> Result<T, git2::Error> {
    HANDLES.with(|handles| {
        let mut handles = handles.borrow_mut();
        if !handles.contains_key(git_dir) {
            handles.insert(git_dir.to_path_buf(), Repository::open(git_dir)?);
        }
        handles.get(git_dir).map(f).ok_or_else(|| git2::Error::from_str("no repository handle"))
    })
}

/// Read a blob through this thread's handle on the repository at `git_dir`.
pub(crate) fn read_blob(git_dir: &Path, oid: Oid, max_size: u64) -> Result<Vec<u8>, String> {
    with_handle(git_dir, |repo| {
        let odb = repo.odb().map_err(|e| e.message().to_string())?;
        let (size, _) = odb.read_header(oid).map_err(|e| format!("cannot read blob {oid}: {}", e.message()))?;
        if size as u64 > max_size {
            return Err(super::over_cap(size as u64, max_size));
        }
        let blob = repo.find_blob(oid).map_err(|e| format!("cannot read blob {oid}: {}", e.message()))?;
        Ok(blob.content().to_vec())
    })
    .map_err(|e| format!("cannot open the repository: {}", e.message()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let out = std::process::Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "core.hooksPath=/dev/null"])
            .args(args)
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .output();
        assert!(out.as_ref().is_ok_and(|o| o.status.success()), "git {args:?}: {out:?}");
    }

    fn write(dir: &Path, path: &str, text: &str) {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap_or(dir)).ok();
        std::fs::write(p, text).ok();
    }

    /// What each reader of the index lists as staged, as (path, blob,
    /// blob at HEAD, what it is), sorted.
    fn both_views(dir: &Path) -> (bool, Vec<String>, Vec<String>) {
        let Ok(repo) = Repository::open(dir) else { panic!("a repository") };
        let view = |index: StagedIndex| -> Vec<String> {
            let Ok(changes) = index.changes(&repo) else { panic!("a diff") };
            let mut out: Vec<String> = changes
                .into_iter()
                .map(|(c, before)| match c {
                    Changed::Content(p, oid) => format!("{p} {oid} {before:?}"),
                    Changed::Link(p, oid) => format!("{p} {oid} {before:?} link"),
                    Changed::NotContent(s) => format!("{} {before:?} not content", s.path),
                })
                .collect();
            out.sort();
            out
        };
        let read = index::Index::read(&repo.path().join("index"));
        let ours_taken = read.is_some();
        let ours = read.map(|i| view(StagedIndex::Read(i))).unwrap_or_default();
        let Ok(theirs) = git2::Index::open(&repo.path().join("index")) else { panic!("libgit2 reads it") };
        (ours_taken, ours, view(StagedIndex::Libgit2(theirs)))
    }

    /// Every kind of staged change, in every index version git writes, and
    /// after a merge that left a conflict: the reader lists what libgit2's
    /// diff lists, and takes the cached trees' shortcut (the root's tree is
    /// cached after a commit) without losing a change.
    #[test]
    fn the_index_reader_lists_what_libgit2_lists() {
        let Ok(tmp) = tempfile::tempdir() else { panic!("a temporary directory") };
        let d = tmp.path();
        git(d, &["init", "-q", "-b", "main"]);
        for p in ["a/b/c.txt", "a/b/d.txt", "a/e.txt", "a.c", "a0", "f.sh", "g/h.txt", "g/i/j.txt", "k.txt", "z/y.txt"]
        {
            write(d, p, &format!("{p}\n"));
        }
        git(d, &["add", "-A"]);
        git(d, &["commit", "-qm", "one"]);
        let (taken, ours, theirs) = both_views(d);
        assert!(taken && ours.is_empty() && theirs.is_empty(), "{ours:?} {theirs:?}");

        write(d, "a/b/c.txt", "changed\n");
        write(d, "a/new/n.txt", "new\n");
        write(d, "a-b", "sorts between a and a/\n");
        write(d, "a/b.txt", "sorts after a/b/\n");
        std::fs::remove_file(d.join("g/i/j.txt")).ok();
        git(d, &["add", "-A"]);
        std::fs::remove_file(d.join("k.txt")).ok();
        write(d, "k.txt/inside.txt", "a file became a directory\n");
        std::fs::remove_file(d.join("z/y.txt")).ok();
        #[cfg(unix)]
        let _ = std::os::unix::fs::symlink("../a.c", d.join("z/y.txt"));
        git(d, &["add", "-A"]);
        git(d, &["update-index", "--chmod=+x", "f.sh"]);
        // The last round with every directory's tree cached as staged, not
        // as at HEAD (`git write-tree`).
        for version in ["2", "3", "4", "2", "write-tree"] {
            match version {
                "write-tree" => git(d, &["write-tree"]),
                _ => git(d, &["update-index", "--index-version", version]),
            }
            if version == "3" {
                git(d, &["update-index", "--skip-worktree", "a0"]);
            }
            let (taken, ours, theirs) = both_views(d);
            assert!(taken, "index version {version} is read");
            assert!(ours.len() >= 7, "version {version}: {ours:?}");
            assert_eq!(ours, theirs, "index version {version}");
        }

        git(d, &["commit", "-qm", "two"]);
        git(d, &["reset", "-q", "--hard"]);
        git(d, &["checkout", "-q", "-b", "side", "HEAD~1"]);
        write(d, "a/e.txt", "side\n");
        git(d, &["commit", "-qam", "side"]);
        git(d, &["checkout", "-q", "main"]);
        write(d, "a/e.txt", "main\n");
        write(d, "m.txt", "staged beside a conflict\n");
        git(d, &["add", "-A"]);
        git(d, &["commit", "-qm", "three"]);
        let merge = std::process::Command::new("git").current_dir(d).args(["merge", "-q", "side"]).output();
        assert!(merge.is_ok_and(|o| !o.status.success()), "the merge stops at a conflict");
        let (taken, ours, theirs) = both_views(d);
        assert!(taken);
        assert_eq!(ours, theirs, "after a conflicted merge");
        assert!(!ours.iter().any(|c| c.starts_with("a/e.txt")), "{ours:?}");
    }

    #[test]
    fn a_remote_url_loses_its_credentials() {
        assert_eq!(
            without_credentials("https://x-access-token:ghs_abc@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(without_credentials("git@github.com:o/r.git"), "git@github.com:o/r.git");
        assert_eq!(without_credentials("https://host"), "https://host");
    }
}
