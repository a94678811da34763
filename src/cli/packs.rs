//! Reading rule packs from disk (the language never reads files): pack
//! files and folders of them, plus the built-ins.

use std::path::PathBuf;

use super::{Exit, PackArgs, fail, stderr_color};
use crate::lang::{self, Compiled, PackSource, Verify};

/// Every `.nhi` file named, or under a folder named, in a stable order;
/// each bounded in size, and a link loop in a folder is an error.
pub fn read_packs(paths: &[PathBuf], verify: Verify) -> Result<Vec<PackSource>, Exit> {
    let mut sources = Vec::new();
    for p in paths {
        let found =
            crate::settings::disk_packs(p).map_err(|e| fail(&format!("rule pack `{}` {e}", p.display()), None))?;
        sources.extend(found.into_iter().map(|s| PackSource { verify, ..s }));
    }
    sources.sort_by(|a, b| a.path.cmp(&b.path));
    sources.dedup_by(|a, b| a.path == b.path);
    Ok(sources)
}

/// The built-ins (unless turned off) and the packs named with `--rules`,
/// compiled; on error the diagnostics are printed and the exit code returned.
pub fn load(args: &PackArgs) -> Result<Compiled, Exit> {
    let extra = read_packs(&args.rules, Verify::Full)?;
    load_with(&args.with, args.no_builtin, extra)
}

/// The built-ins with the optional packs in `with` (unless `no_builtin`)
/// and `extra`, compiled.
pub fn load_with(with: &[String], no_builtin: bool, extra: Vec<PackSource>) -> Result<Compiled, Exit> {
    if let Some(unknown) = with.iter().find(|w| !crate::builtin::optional().contains(&w.as_str())) {
        let known = crate::builtin::optional().join(", ");
        return Err(fail(&format!("there is no optional pack `{unknown}`"), Some(&format!("optional packs: {known}"))));
    }
    let mut sources = if no_builtin { Vec::new() } else { crate::builtin::sources(with) };
    sources.extend(extra);
    compile(&sources)
}

/// Compile, printing every diagnostic on failure.
pub fn compile(sources: &[PackSource]) -> Result<Compiled, Exit> {
    lang::compile(sources).map_err(|errors| {
        show(&errors);
        let n = errors.diagnostics.iter().filter(|d| !d.error.is_warning()).count();
        eprintln!("error: could not compile the rule packs: {n} error{}", if n == 1 { "" } else { "s" });
        Exit::Error
    })
}

/// Print diagnostics to stderr. Frames quote the packs' source, which may
/// hold a secret or control characters: colour only for sources without
/// the latter, and secrets redacted either way.
pub fn show(diagnostics: &lang::CompileErrors) {
    let controls = diagnostics
        .diagnostics
        .iter()
        .any(|d| d.source.inner().chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t')));
    let color = stderr_color() && !controls;
    let rendered = diagnostics.render(color);
    eprint!("{}", if color { super::scrub_secrets(&rendered) } else { super::scrub_error(&rendered) });
}
