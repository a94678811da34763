//! Rule packs for the command line: the library reads and compiles them
//! (`check::read_packs`, `check::load_packs`); this prints what went wrong.

use std::path::PathBuf;

use super::{Exit, PackArgs, fail, stderr_color};
use crate::check::{self, Error};
use crate::lang::{self, Compiled, PackSource, Verify};

/// A check that could not run, said on stderr: the diagnostics of packs
/// that do not compile, or the message and what would help.
pub(super) fn failed(e: Error) -> Exit {
    match e {
        Error::Failed { message, help } => fail(&message, help.as_deref()),
        Error::Packs(errors) => {
            show(&errors);
            let n = errors.diagnostics.iter().filter(|d| !d.error.is_warning()).count();
            eprintln!("error: could not compile the rule packs: {n} error{}", if n == 1 { "" } else { "s" });
            Exit::Error
        }
    }
}

/// Every `.nhi` file named, or under a folder named, in a stable order.
pub(super) fn read_packs(paths: &[PathBuf], verify: Verify) -> Result<Vec<PackSource>, Exit> {
    check::read_packs(paths, verify).map_err(failed)
}

/// The built-ins (unless turned off) and the packs named with `--rules`,
/// compiled; on error the diagnostics are printed and the exit code returned.
pub(super) fn load(args: &PackArgs) -> Result<Compiled, Exit> {
    let extra = read_packs(&args.rules, Verify::Full)?;
    check::load_packs(&args.with, args.no_builtin, extra).map_err(failed)
}

/// Compile, printing every diagnostic on failure.
pub(super) fn compile(sources: &[PackSource]) -> Result<Compiled, Exit> {
    lang::compile(sources).map_err(|errors| failed(Error::Packs(errors)))
}

/// Diagnostics of one kind shown with their source; the rest are counted.
const SHOWN_IN_FULL: usize = 10;

/// Print diagnostics to stderr. Frames quote the packs' source, which may
/// hold a secret or control characters: colour only for sources without
/// the latter, and secrets redacted either way.
pub(super) fn show(diagnostics: &lang::CompileErrors) {
    let mut sources: Vec<&std::sync::Arc<miette::NamedSource<String>>> =
        diagnostics.diagnostics.iter().map(|d| &d.source).collect();
    sources.dedup_by(|a, b| std::sync::Arc::ptr_eq(a, b));
    let controls = sources.iter().any(|s| s.inner().chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t')));
    let color = stderr_color() && !controls;
    let rendered = diagnostics.render_some(color, SHOWN_IN_FULL);
    eprint!("{}", if color { super::scrub_secrets(&rendered) } else { super::scrub_error(&rendered) });
}
