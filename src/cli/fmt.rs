//! `nhigate fmt`: rewrite packs in canonical form, or `--check` that they are.

use super::{Exit, FmtArgs, fail, packs};
use crate::lang::{Verify, fmt};

pub(crate) fn run(args: FmtArgs) -> Exit {
    let sources = match packs::read_packs(&args.paths, Verify::Trusted) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut unformatted = 0;
    for src in &sources {
        let formatted = match fmt::format_source(src) {
            Ok(f) => f,
            Err(errors) => {
                packs::show(&errors);
                return fail(&format!("cannot format `{}`: it does not parse", src.path), None);
            }
        };
        if formatted == src.text {
            continue;
        }
        unformatted += 1;
        if args.check {
            eprintln!("would reformat {}", src.path);
        } else if let Err(e) = std::fs::write(&src.path, formatted) {
            return fail(&format!("cannot write `{}`: {e}", src.path), None);
        } else {
            eprintln!("formatted {}", src.path);
        }
    }
    if args.check && unformatted > 0 { Exit::Findings } else { Exit::Clean }
}
