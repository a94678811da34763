//! The gate's settings as one trusted bundle: nhigate.toml, the packs it
//! and the command line name, the baseline, and the .nhigateignore files.
//!
//! Where they are read from decides who controls the gate. A check of a
//! branch (`--base`) reads them from the base commit, never from the head:
//! nothing in a pull request decides how the pull request is judged. Paths
//! written in a repository's nhigate.toml stay inside the repository; paths
//! given on the command line may point anywhere (inside the repository they
//! too are read from the base commit when it has them).

pub(crate) mod change;
pub(crate) mod read;

use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::lang::{PackSource, Verify};
use crate::suppress::baseline::Baseline;

pub(crate) use read::{Origin, Repo, RepoPath};

pub(crate) use crate::source::exclude::{IGNORE_FILE, IgnoreFile};

/// Everything a check takes from the repository and the command line
/// before it scans.
#[derive(Debug, Default)]
pub struct Settings {
    pub config: Config,
    /// The packs named by nhigate.toml and by `--rules`, read.
    pub packs: Vec<PackSource>,
    pub baseline: Option<Baseline>,
    /// Repository path of the baseline file, when it is one.
    pub baseline_path: Option<RepoPath>,
    /// The ignore files, when they are read with the settings (from a
    /// commit); on disk the walker finds them itself.
    pub ignore_files: Option<Vec<IgnoreFile>>,
}

/// What the command line asks for.
pub(crate) struct Wanted<'a> {
    /// The scanned folder (nhigate.toml is looked for in it).
    pub scan_root: &'a Path,
    pub config: Option<&'a Path>,
    pub packs: &'a [PathBuf],
    pub baseline: Option<&'a Path>,
    /// Whether the baseline nhigate.toml names is read (not when writing one).
    pub read_baseline: bool,
}

/// Read the settings from `repo`'s origin. Every error names the file or
/// the key, never the content of what a path points at.
pub(crate) fn load(repo: &Repo<'_>, wanted: &Wanted<'_>) -> Result<Settings, String> {
    let at = repo.origin.describe();
    let (config_text, config_place) = match wanted.config {
        Some(given) => match given_file(repo, given, read::CONFIG_LIMIT)? {
            Given::Found(bytes, place) => (bytes, place),
            // Not at the base: the base had no settings, whatever the head has.
            Given::NotAtOrigin(rel) => (Vec::new(), Place::Repo(rel)),
            Given::Missing => return Err(format!("the config `{}` does not exist{at}", given.display())),
        },
        None => {
            let dir = repo.inside(wanted.scan_root).unwrap_or(RepoPath(String::new()));
            let path = dir.join(config::FILE_NAME);
            match repo.read(&path, read::CONFIG_LIMIT).map_err(|e| format!("`{path}`{at} {e}"))? {
                Some(bytes) => (bytes, Place::Repo(path)),
                None => (Vec::new(), Place::Nowhere),
            }
        }
    };
    let shown = place_name(&config_place);
    let config = match config_place {
        Place::Nowhere => Config::default(),
        _ => {
            let text = read::text(config_text).map_err(|e| format!("`{shown}`{at} {e}"))?;
            config::parse(&shown, &text)?
        }
    };
    let mut packs = Vec::new();
    for written in &config.rules {
        let files = match &config_place {
            Place::Repo(p) => {
                let rel = repo
                    .contained(&p.parent(), written)
                    .map_err(|e| format!("{shown}: `rules` entry `{}` {e}", written.display()))?;
                repo_packs(repo, &rel).map_err(|e| format!("{shown}: `rules` entry `{}`{at} {e}", written.display()))?
            }
            Place::Disk(p) => disk_packs(&p.parent().unwrap_or(Path::new(".")).join(written))
                .map_err(|e| format!("{shown}: `rules` entry `{}` {e}", written.display()))?,
            Place::Nowhere => Vec::new(),
        };
        packs.extend(files);
    }
    for given in wanted.packs {
        let files = match repo.inside(given).filter(|_| matches!(repo.origin, Origin::Commit { .. })) {
            Some(rel) if repo.is_dir(&rel) || repo.read(&rel, read::PACK_LIMIT).ok().flatten().is_some() => {
                repo_packs(repo, &rel).map_err(|e| format!("rule pack `{}`{at} {e}", given.display()))?
            }
            _ => disk_packs(given).map_err(|e| format!("rule pack `{}` {e}", given.display()))?,
        };
        packs.extend(files);
    }
    packs.sort_by(|a, b| a.path.cmp(&b.path));
    packs.dedup_by(|a, b| a.path == b.path);
    let (baseline, baseline_path) = match (wanted.baseline, &config.baseline, &config_place) {
        (Some(given), _, _) => match given_file(repo, given, read::BASELINE_LIMIT)? {
            Given::Found(bytes, place) => (Some(parse_baseline(&place_name(&place), bytes)?), repo_path(&place)),
            Given::NotAtOrigin(rel) => (None, Some(rel)),
            Given::Missing => return Err(format!("the baseline `{}` does not exist{at}", given.display())),
        },
        (None, Some(_), _) if !wanted.read_baseline => (None, None),
        (None, Some(written), Place::Repo(p)) => {
            let rel = repo
                .contained(&p.parent(), written)
                .map_err(|e| format!("{shown}: `baseline` `{}` {e}", written.display()))?;
            let bytes = repo
                .read(&rel, read::BASELINE_LIMIT)
                .map_err(|e| format!("{shown}: `baseline` `{}`{at} {e}", written.display()))?
                .ok_or_else(|| format!("{shown}: the baseline `{}` does not exist{at}", written.display()))?;
            (Some(parse_baseline(&rel.0, bytes)?), Some(rel))
        }
        (None, Some(written), Place::Disk(p)) => {
            let full = p.parent().unwrap_or(Path::new(".")).join(written);
            let bytes = read::read_bounded(&full, read::BASELINE_LIMIT)
                .map_err(|e| format!("{shown}: `baseline` `{}` {e}", written.display()))?;
            (Some(parse_baseline(&full.to_string_lossy(), bytes)?), None)
        }
        _ => (None, None),
    };
    let ignore_files = match &repo.origin {
        Origin::Commit { repo, tree, .. } => Some(crate::source::git::ignore_files_in_tree(repo, tree)),
        Origin::Disk => None,
    };
    Ok(Settings { config, packs, baseline, baseline_path, ignore_files })
}

/// Where a settings file was found.
enum Place {
    Repo(RepoPath),
    Disk(PathBuf),
    Nowhere,
}

fn place_name(p: &Place) -> String {
    match p {
        Place::Repo(r) => r.0.clone(),
        Place::Disk(d) => d.to_string_lossy().into_owned(),
        Place::Nowhere => String::new(),
    }
}

fn repo_path(p: &Place) -> Option<RepoPath> {
    match p {
        Place::Repo(r) => Some(r.clone()),
        _ => None,
    }
}

/// What became of a file named on the command line.
enum Given {
    Found(Vec<u8>, Place),
    /// Inside the repository, and not in the commit settings are read from:
    /// the working tree is the branch's, so it is not read instead.
    NotAtOrigin(RepoPath),
    Missing,
}

/// A file named on the command line: from the repository's origin when it
/// lies inside the repository, else from the disk.
fn given_file(repo: &Repo<'_>, given: &Path, limit: u64) -> Result<Given, String> {
    let at = repo.origin.describe();
    if let Some(rel) = repo.inside(given) {
        return Ok(match repo.read(&rel, limit).map_err(|e| format!("`{}`{at} {e}", given.display()))? {
            Some(bytes) => Given::Found(bytes, Place::Repo(rel)),
            // The branch has it and the base does not: a new settings file.
            None if matches!(repo.origin, Origin::Commit { .. }) && std::fs::symlink_metadata(given).is_ok() => {
                Given::NotAtOrigin(rel)
            }
            None => Given::Missing,
        });
    }
    if std::fs::symlink_metadata(given).is_err() {
        return Ok(Given::Missing);
    }
    let bytes = read::read_bounded(given, limit).map_err(|e| format!("`{}` {e}", given.display()))?;
    Ok(Given::Found(bytes, Place::Disk(given.to_path_buf())))
}

fn is_pack(name: &str) -> bool {
    name.ends_with(".nhi")
}

fn pack(path: String, bytes: Vec<u8>) -> Result<PackSource, String> {
    let text = read::text(bytes)?;
    Ok(PackSource { path, text, verify: Verify::Full })
}

/// A pack file, or the packs under a folder, inside the repository.
fn repo_packs(repo: &Repo<'_>, rel: &RepoPath) -> Result<Vec<PackSource>, String> {
    let files = if repo.is_dir(rel) { repo.files_under(rel, is_pack)? } else { vec![rel.clone()] };
    let mut out = Vec::new();
    for f in files {
        let bytes = repo.read(&f, read::PACK_LIMIT)?.ok_or_else(|| "does not exist".to_string())?;
        out.push(pack(f.0.clone(), bytes).map_err(|e| format!("(`{f}`) {e}"))?);
    }
    Ok(out)
}

/// A pack file, or the packs under a folder, on disk.
pub(crate) fn disk_packs(path: &Path) -> Result<Vec<PackSource>, String> {
    let meta = std::fs::metadata(path).map_err(|_| "does not exist".to_string())?;
    let files = if meta.is_dir() { read::walk_files(path, &is_pack)? } else { vec![path.to_path_buf()] };
    let mut out = Vec::new();
    for f in files {
        let bytes = read::read_bounded(&f, read::PACK_LIMIT).map_err(|e| format!("(`{}`) {e}", f.display()))?;
        out.push(pack(crate::source::normalize_path(&f.to_string_lossy()), bytes)?);
    }
    Ok(out)
}

fn parse_baseline(name: &str, bytes: Vec<u8>) -> Result<Baseline, String> {
    let text = read::text(bytes).map_err(|e| format!("the baseline `{name}` {e}"))?;
    Baseline::parse(name, &text)
}
