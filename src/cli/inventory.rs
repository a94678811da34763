//! `nhigate inventory`: scan, and print every identity instead of judging.

use std::io::Write;

use super::{Exit, InventoryArgs, fail, packs};
use crate::facts::Date;
use crate::report::scrub::Scrubber;
use crate::report::{inventory, one_line, terminal_safe};
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
    let mut output = scan::scan_path(&compiled.program, &args.path, &options);
    // The inventory shows fact fields (names, URLs, purposes): they pass the
    // same redaction step as reports, as rendered, before they are shown.
    let scrub = Scrubber::new(Some(&compiled.program.detectors), std::mem::take(&mut output.secret_values));
    for s in &output.skipped {
        eprintln!("skipped {}: {}", one_line(&scrub.text(&s.path)), one_line(&scrub.text(&s.reason)));
    }
    let mut inv = inventory::build(&output.facts, args.now.unwrap_or_else(Date::today));
    inv.map_text(&|s| scrub.text(s));
    let mut rendered = Vec::new();
    if let Err(e) = inventory::write(&inv, args.format, &mut rendered) {
        return fail(&format!("cannot write the inventory: {e}"), None);
    }
    let shown = terminal_safe(&scrub.text(&String::from_utf8_lossy(&rendered)));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match out.write_all(shown.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Exit::Clean,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Clean,
        Err(e) => fail(&format!("cannot write the inventory: {e}"), None),
    }
}
