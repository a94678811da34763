//! The work tree: every file under a root that .gitignore, .nhigateignore and
//! the configured excludes let through. Symbolic links are not followed (a
//! link could loop or point outside the root); they are reported as skipped.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

use super::{FileEntry, Skipped};

#[derive(Clone, Debug)]
pub(crate) struct WalkOptions {
    /// Glob patterns (gitignore syntax) of paths not to scan.
    pub excludes: Vec<String>,
}

/// List the files to scan under `root` (or `root` itself, if it is a file).
pub(crate) fn walk(root: &Path, options: &WalkOptions) -> (Vec<FileEntry>, Vec<Skipped>) {
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .follow_links(false)
        // `.ignore` files are ripgrep's convention, not ours: one in a pull
        // request must not hide files from the gate.
        .ignore(false)
        // As ripgrep: .gitignore counts inside a git repository only;
        // .nhigateignore counts everywhere.
        .require_git(true)
        .git_global(false)
        .add_custom_ignore_filename(".nhigateignore");
    // `.git` is git's own data, not content: the repository's own is passed
    // over quietly, any other (a nested repository, a file named `.git`) is
    // listed as skipped.
    let own_git = root.join(".git");
    let other_git = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen_git = other_git.clone();
    builder.filter_entry(move |e| {
        if e.file_name() != ".git" {
            return true;
        }
        if e.path() != own_git
            && let Ok(mut seen) = seen_git.lock()
        {
            seen.push(e.path().to_path_buf());
        }
        false
    });
    if !options.excludes.is_empty() {
        let mut overrides = ignore::overrides::OverrideBuilder::new(root);
        for pattern in &options.excludes {
            // NOTE: an override glob whitelists; `!` turns it into an exclude.
            let _ = overrides.add(&format!("!{pattern}"));
        }
        if let Ok(o) = overrides.build() {
            builder.overrides(o);
        }
    }
    // Walked on as many threads as the scan gets (`-j`): on a large tree the
    // walk is a fifth of the run, and nothing is scanned until it is done.
    let threads = rayon::current_num_threads();
    let whole_file = root.is_file();
    let walked: std::sync::Mutex<(Vec<FileEntry>, Vec<Skipped>)> = std::sync::Mutex::default();
    builder.threads(threads).build_parallel().run(|| {
        Box::new(|result| {
            if let Some(one) = visit(root, whole_file, result) {
                // Nothing that holds the lock can panic; were it poisoned,
                // the lists are still whole.
                let mut walked = walked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                match one {
                    Ok(file) => {
                        // A link's target path is scanned, and the link is
                        // listed as skipped.
                        if file.link {
                            walked.1.push(Skipped { path: file.path.clone(), reason: super::LINK_NOT_FOLLOWED.into() });
                        }
                        walked.0.push(file);
                    }
                    Err(skipped) => walked.1.push(skipped),
                }
            }
            ignore::WalkState::Continue
        })
    });
    let (mut files, mut skipped) = walked.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Ok(seen) = other_git.lock() {
        skipped.extend(seen.iter().map(|p| Skipped {
            path: relative(root, whole_file, p),
            reason: "git's own data (`.git`), not scanned".into(),
        }));
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    // The threads finish in any order; the report must not.
    skipped.sort_by(|a, b| (&a.path, &a.reason).cmp(&(&b.path, &b.reason)));
    (files, skipped)
}

/// A file to scan, or why an entry is skipped; `None` for what is neither
/// (a directory).
fn visit(
    root: &Path,
    whole_file: bool,
    result: Result<ignore::DirEntry, ignore::Error>,
) -> Option<Result<FileEntry, Skipped>> {
    let entry = match result {
        Ok(e) => e,
        Err(err) => {
            let path = error_path(&err).map(|p| relative(root, whole_file, &p)).unwrap_or_default();
            return Some(Err(Skipped { path, reason: describe_walk_error(&err) }));
        }
    };
    let ft = entry.file_type()?;
    let link = ft.is_symlink();
    // NOTE: no stat here; the reader enforces the size cap as it reads.
    (link || ft.is_file())
        .then(|| Ok(FileEntry { path: relative(root, whole_file, entry.path()), full: entry.into_path(), link }))
}

/// `path` as the report names it: relative to `root`, or, when the root is
/// the one file scanned (`whole_file`), its file name.
fn relative(root: &Path, whole_file: bool, path: &Path) -> String {
    let rel = if whole_file {
        path.file_name().map(PathBuf::from).unwrap_or_else(|| path.to_path_buf())
    } else {
        path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
    };
    super::normalize_path(&super::path_text(rel.as_os_str().as_encoded_bytes()))
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn describe_walk_error(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => describe_walk_error(err),
        ignore::Error::Loop { .. } => "symbolic link loop, not followed".into(),
        ignore::Error::Io(e) if e.kind() == std::io::ErrorKind::PermissionDenied => super::PERMISSION_DENIED.into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tree with links and nested repositories at several depths: what a
    /// walk on many threads lists is sorted, and the same on one thread.
    #[cfg(unix)]
    #[test]
    fn a_walk_on_many_threads_lists_what_one_thread_lists_in_order() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        for d in ["a/b/c", "d/e", "f/.git", "a/b/g/.git"] {
            std::fs::create_dir_all(root.join(d))?;
        }
        for (i, d) in ["", "a", "a/b", "a/b/c", "d", "d/e", "f"].iter().enumerate() {
            std::fs::write(root.join(d).join(format!("file{i}.env")), "X=1\n")?;
            std::os::unix::fs::symlink("/nowhere", root.join(d).join(format!("link{i}")))?;
        }
        let options = WalkOptions { excludes: Vec::new() };
        let on = |threads: usize| -> Result<_, rayon::ThreadPoolBuildError> {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
            let (files, skipped) = pool.install(|| walk(root, &options));
            let files: Vec<(String, bool)> = files.into_iter().map(|f| (f.path, f.link)).collect();
            let skipped: Vec<(String, String)> = skipped.into_iter().map(|s| (s.path, s.reason)).collect();
            Ok((files, skipped))
        };
        let (files, skipped) = on(1)?;
        assert_eq!(files.len(), 14);
        assert!(files.windows(2).all(|w| w[0].0 < w[1].0));
        let paths: Vec<&str> = skipped.iter().map(|(p, _)| p.as_str()).collect();
        assert!(paths.windows(2).all(|w| w[0] <= w[1]));
        assert!(paths.contains(&"a/b/g/.git") && paths.contains(&"f/.git") && paths.contains(&"d/e/link5"));
        assert_eq!(skipped.len(), 9);
        for _ in 0..5 {
            assert_eq!(on(4)?, (files.clone(), skipped.clone()));
        }
        Ok(())
    }
}
