//! Reading rule packs from disk (the language never reads files): pack
//! files and folders of them, plus the built-ins.

use std::path::{Path, PathBuf};

use super::{Exit, PackArgs, fail, stderr_color};
use crate::lang::{self, Compiled, PackSource, Verify};

/// Every `.nhi` file named, or under a folder named, in a stable order.
pub fn read_packs(paths: &[PathBuf], verify: Verify) -> Result<Vec<PackSource>, Exit> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            collect(p, &mut files);
        } else if p.exists() {
            files.push(p.clone());
        } else {
            return Err(fail(&format!("rule pack `{}` does not exist", p.display()), None));
        }
    }
    files.sort();
    files.dedup();
    let mut sources = Vec::new();
    for f in files {
        match std::fs::read_to_string(&f) {
            Ok(text) => sources.push(PackSource { path: display(&f), text, verify }),
            Err(e) => {
                return Err(fail(&format!("cannot read rule pack `{}`: {e}", f.display()), None));
            }
        }
    }
    Ok(sources)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "nhi") {
            out.push(p);
        }
    }
}

fn display(p: &Path) -> String {
    crate::engine::normalize_path(&p.to_string_lossy())
}

/// The built-ins (unless turned off) and the packs named with `--rules`,
/// compiled; on error the diagnostics are printed and the exit code returned.
pub fn load(args: &PackArgs) -> Result<Compiled, Exit> {
    if let Some(unknown) = args.with.iter().find(|w| !crate::builtin::optional().contains(&w.as_str())) {
        let known = crate::builtin::optional().join(", ");
        return Err(fail(&format!("there is no optional pack `{unknown}`"), Some(&format!("optional packs: {known}"))));
    }
    let mut sources = if args.no_builtin { Vec::new() } else { crate::builtin::sources(&args.with) };
    sources.extend(read_packs(&args.rules, Verify::Full)?);
    compile(&sources)
}

/// Compile, printing every diagnostic on failure.
pub fn compile(sources: &[PackSource]) -> Result<Compiled, Exit> {
    lang::compile(sources).map_err(|errors| {
        eprint!("{}", errors.render(stderr_color()));
        let n = errors.diagnostics.iter().filter(|d| !d.error.is_warning()).count();
        eprintln!("error: could not compile the rule packs: {n} error{}", if n == 1 { "" } else { "s" });
        Exit::Error
    })
}
