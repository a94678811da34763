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
    let mut files = Vec::new();
    let mut skipped = Vec::new();
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
        if e.path() != own_git {
            if let Ok(mut seen) = seen_git.lock() {
                seen.push(e.path().to_path_buf());
            }
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
    for result in builder.build() {
        let entry = match result {
            Ok(e) => e,
            Err(err) => {
                let path = error_path(&err).map(|p| relative(root, &p)).unwrap_or_default();
                skipped.push(Skipped { path, reason: describe_walk_error(&err) });
                continue;
            }
        };
        let Some(ft) = entry.file_type() else {
            continue;
        };
        let rel = relative(root, entry.path());
        if ft.is_symlink() {
            skipped.push(Skipped { path: rel.clone(), reason: super::LINK_NOT_FOLLOWED.into() });
            files.push(FileEntry { path: rel, full: entry.into_path(), link: true });
            continue;
        }
        if !ft.is_file() {
            continue;
        }
        // NOTE: no stat here; the reader enforces the size cap as it reads.
        files.push(FileEntry { path: rel, full: entry.into_path(), link: false });
    }
    if let Ok(seen) = other_git.lock() {
        skipped.extend(
            seen.iter()
                .map(|p| Skipped { path: relative(root, p), reason: "git's own data (`.git`), not scanned".into() }),
        );
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    (files, skipped)
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = if root.is_file() {
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
