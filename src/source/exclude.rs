//! What not to scan, the same in every mode: `.nhigateignore` files (each
//! governs its folder, the deepest deciding first, gitignore syntax) and the
//! `exclude` globs of nhigate.toml and the command line.
//!
//! The work-tree walker applies the same rules through the `ignore` crate;
//! this matcher serves the git modes and the tracked files the walker's
//! .gitignore handling passes over.

use std::path::Path;

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// An ignore file: the folder it governs (relative to the root) and its text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct IgnoreFile {
    pub dir: String,
    pub text: String,
    /// Why it is not applied (a symbolic link, too large), when it is not.
    pub unusual: Option<String>,
}

pub(crate) const IGNORE_FILE: &str = ".nhigateignore";

pub(crate) struct Excluder {
    /// Ignore files by folder, deepest first.
    files: Vec<(String, Gitignore)>,
    excludes: Option<Gitignore>,
}

impl Excluder {
    /// Bad lines in an ignore file are skipped, as git does.
    pub(crate) fn new(excludes: &[String], ignore_files: &[IgnoreFile]) -> Excluder {
        let mut files: Vec<(String, Gitignore)> = ignore_files
            .iter()
            .filter(|f| f.unusual.is_none())
            .map(|f| {
                let mut b = GitignoreBuilder::new(Path::new(&f.dir));
                for line in f.text.lines() {
                    let _ = b.add_line(None, line);
                }
                (f.dir.clone(), b.build().unwrap_or_else(|_| Gitignore::empty()))
            })
            .collect();
        files.sort_by_key(|(dir, _)| std::cmp::Reverse(dir.matches('/').count() + usize::from(!dir.is_empty())));
        let excludes = (!excludes.is_empty()).then(|| {
            let mut b = GitignoreBuilder::new("");
            for e in excludes {
                let _ = b.add_line(None, e);
            }
            b.build().unwrap_or_else(|_| Gitignore::empty())
        });
        Excluder { files, excludes }
    }

    /// Whether a file (a '/'-separated path relative to the root) is excluded.
    pub(crate) fn excludes(&self, path: &str) -> bool {
        if let Some(g) = &self.excludes
            && g.matched_path_or_any_parents(path, false).is_ignore()
        {
            return true;
        }
        for (dir, g) in &self.files {
            let Some(rel) = under(dir, path) else { continue };
            match g.matched_path_or_any_parents(rel, false) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        false
    }
}

fn under<'p>(dir: &str, path: &'p str) -> Option<&'p str> {
    if dir.is_empty() {
        return Some(path);
    }
    path.strip_prefix(dir)?.strip_prefix('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &str, text: &str) -> IgnoreFile {
        IgnoreFile { dir: dir.into(), text: text.into(), unusual: None }
    }

    #[test]
    fn nested_files_govern_their_folders_and_excludes_apply_everywhere() {
        let e = Excluder::new(
            &["vendor/**".to_string()],
            &[file("", "*.log\nbuild/\n"), file("app", "secrets.env\n!keep.log\n")],
        );
        assert!(e.excludes("x.log"));
        assert!(e.excludes("build/out/a.txt"));
        assert!(e.excludes("app/secrets.env"));
        assert!(!e.excludes("secrets.env"), "app/.nhigateignore governs app/ only");
        assert!(!e.excludes("app/keep.log"), "the deeper file's whitelist wins");
        assert!(e.excludes("vendor/lib/x.py"));
        assert!(!e.excludes("src/main.py"));
    }
}
