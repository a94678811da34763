//! `nhigate diff`: the identity delta of a branch, without the findings.

use std::io::{self, Write};

use super::{DiffArgs, DiffFormat, Exit, fail, packs, stdout_color};
use crate::check::{Mode, Request};
use crate::report::{self, ChangesFormat};

pub(super) fn run(args: &DiffArgs) -> Exit {
    let mut r = Request::new(&args.path, Mode::Range { base: args.base.clone(), head: args.head.clone() });
    r.rules.clone_from(&args.packs.rules);
    r.with.clone_from(&args.packs.with);
    r.no_builtin = args.packs.no_builtin;
    r.threads = args.threads;
    let run = match crate::check::run(&r) {
        Ok(run) => run,
        Err(e) => return packs::failed(e),
    };
    let format = match args.format {
        DiffFormat::Human => ChangesFormat::Human,
        DiffFormat::Json => ChangesFormat::Json,
        DiffFormat::Markdown => ChangesFormat::Markdown,
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let color = format == ChangesFormat::Human && stdout_color();
    if let Err(e) = report::write_changes(&run.changes, format, &mut out, color).and_then(|()| out.flush()) {
        return fail(&format!("cannot write the changes: {e}"), None);
    }
    Exit::Clean
}
