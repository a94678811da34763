//! `nhigate test PACK…`: run every detector's examples and negatives and
//! every test block, print the failures and `N passed, M failed`.

use super::{Exit, TestArgs, packs};
use crate::lang::Verify;

pub(crate) fn run(args: TestArgs) -> Exit {
    // Examples are checked here, as test cases, not as compile errors.
    let sources = if args.packs.is_empty() {
        crate::builtin::sources(&crate::builtin::optional().iter().map(|s| s.to_string()).collect::<Vec<_>>())
    } else {
        match packs::read_packs(&args.packs, Verify::Trusted) {
            Ok(s) => s,
            Err(code) => return code,
        }
    };
    let compiled = match packs::compile(&sources) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if !compiled.warnings.is_empty() {
        packs::show(&compiled.warnings);
    }
    let outcome = crate::testing::run(&compiled, args.deny_warnings);
    for f in &outcome.failures {
        println!("FAIL {f}");
    }
    let failed = outcome.failures.len();
    println!("{} passed, {failed} failed", outcome.passed);
    if failed > 0 { Exit::Findings } else { Exit::Clean }
}
