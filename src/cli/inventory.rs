//! `nhigate inventory`: scan, and print every identity instead of judging.

use std::io::Write;

use super::{Exit, InventoryArgs, fail, packs};
use crate::facts::Date;
use crate::report::inventory;
use crate::scan::{self, ScanOptions};

pub fn run(args: InventoryArgs) -> Exit {
    if !args.path.exists() {
        return fail(&format!("path `{}` does not exist", args.path.display()), None);
    }
    // Detectors are needed for the embedded-secret count.
    let compiled = match packs::load(&args.packs) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let options = ScanOptions {
        threads: args.threads,
        max_file_size: args.max_file_size,
        excludes: args.exclude.clone(),
        ignore_files: None,
    };
    let output = scan::scan_path(&compiled.program, &args.path, &options);
    for s in &output.skipped {
        eprintln!("skipped {}: {}", s.path, s.reason);
    }
    let inv = inventory::build(&output.facts, args.now.unwrap_or_else(Date::today));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match inventory::write(&inv, args.format, &mut out).and_then(|()| out.flush()) {
        Ok(()) => Exit::Clean,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Clean,
        Err(e) => fail(&format!("cannot write the inventory: {e}"), None),
    }
}
