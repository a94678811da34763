//! The `nhigate` binary: parse the command line, dispatch, exit with its code.

fn main() {
    // Objects are only read, never written: checking each one's hash as it
    // is read costs more than the scan of a small change. A process-wide
    // setting, so the binary's choice, not the library's.
    git2::opts::strict_hash_verification(false);
    let code = nhigate::cli::run(std::env::args_os());
    std::process::exit(code as i32);
}
