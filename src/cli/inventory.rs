//! `nhigate inventory` and `nhigate facts`: scan, and print what was found
//! (every identity, or every fact and relation) instead of judging.

use std::io::Write;

use super::{Exit, InventoryArgs, TreeArgs, fail, packs};
use crate::check::{Mode, Request};
use crate::facts::{Date, FactSet, graph};
use crate::lang::Program;
use crate::report::scrub::Scrubber;
use crate::report::{inventory, one_line, terminal_safe};

/// The facts of a tree, and the redaction step for what is shown of them;
/// skipped files are said on stderr.
fn scan_facts<'p>(args: &TreeArgs, program: &'p Program) -> (FactSet, Scrubber<'p>) {
    let mut r = Request::new(&args.path, Mode::Tree);
    r.threads = args.threads;
    r.max_file_size = args.max_file_size;
    r.exclude.clone_from(&args.exclude);
    let found = crate::check::find(&r, program);
    for s in &found.skipped {
        eprintln!("skipped {}: {}", one_line(&found.scrub.text(&s.path)), one_line(&found.scrub.text(&s.reason)));
    }
    (found.facts, found.scrub)
}

/// The packs, for their detectors (the embedded secrets), once the path is
/// known to exist.
fn load(args: &TreeArgs) -> Result<Program, Exit> {
    if !args.path.exists() {
        return Err(fail(&format!("path `{}` does not exist", args.path.display()), None));
    }
    packs::load(&args.packs).map(|c| c.program)
}

fn print(shown: &str, what: &str) -> Exit {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match out.write_all(shown.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Exit::Clean,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Clean,
        Err(e) => fail(&format!("cannot write the {what}: {e}"), None),
    }
}

pub(super) fn run(args: InventoryArgs) -> Exit {
    let program = match load(&args.tree) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let (facts, scrub) = scan_facts(&args.tree, &program);
    let mut inv = inventory::build(&facts, args.now.unwrap_or_else(Date::today));
    inv.map_text(&|s| scrub.text(s));
    let mut rendered = Vec::new();
    if let Err(e) = inventory::write(&inv, args.format, &mut rendered) {
        return fail(&format!("cannot write the inventory: {e}"), None);
    }
    print(&terminal_safe(&scrub.text(&String::from_utf8_lossy(&rendered))), "inventory")
}

pub(super) fn facts(args: &TreeArgs) -> Exit {
    let program = match load(args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let (facts, scrub) = scan_facts(args, &program);
    match serde_json::to_string_pretty(&graph::Document::of(&facts)) {
        Ok(json) => print(&(scrub.text(&json) + "\n"), "facts"),
        Err(e) => fail(&format!("cannot write the facts: {e}"), None),
    }
}
