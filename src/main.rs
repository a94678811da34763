//! The `nhigate` binary: parse the command line, dispatch, exit with its code.

fn main() {
    let code = nhigate::cli::run(std::env::args_os());
    std::process::exit(code as i32);
}
