//! The command line: flags are defined here once, with their help; each
//! subcommand lives in its own file and returns an exit code.

mod check;
mod diff;
mod fmt;
mod init;
mod inventory;
mod merge;
mod packs;
mod progress;
mod rules;
mod test;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::Severity;
use crate::facts::Date;
use crate::report::Format;

/// The report writers' formats as command-line values: the library names
/// and describes them; clap stays on this side.
macro_rules! value_enum {
    ($t:ty) => {
        impl clap::ValueEnum for $t {
            fn value_variants<'a>() -> &'a [Self] {
                <$t>::ALL
            }

            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                let (name, help) = self.describe();
                Some(clap::builder::PossibleValue::new(name).help(help))
            }
        }
    };
}
value_enum!(Format);
value_enum!(crate::report::inventory::InventoryFormat);

/// The process exit code: 0 clean, 1 findings at or above the threshold (or
/// failed tests), 2 a usage, config or rule error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Clean = 0,
    Findings = 1,
    Error = 2,
}

#[derive(Parser, Debug)]
#[command(
    name = "nhigate",
    version,
    about = "Govern non-human identities before code merges: find embedded secrets and policy violations",
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write a config, a pre-commit hook and a CI workflow that fit this repository
    Init(InitArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff), e.g. `nhigate man > nhigate.1`
    Man,
    /// Scan a path for secrets and policy violations
    Check(CheckArgs),
    /// Run the packs' examples, negatives and test blocks
    Test(TestArgs),
    /// List, explain and compile rules
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Format pack files canonically
    Fmt(FmtArgs),
    /// List every non-human identity with its owner, scopes and credentials
    Inventory(InventoryArgs),
    /// Record today's findings, so that only new ones fail
    Baseline(BaselineArgs),
    /// Print the facts and relations rules can match, as JSON (the format `--facts` reads)
    Facts(TreeArgs),
    /// Combine JSON reports of many repositories, or of shards of one
    Merge(MergeArgs),
    /// The identities a branch adds, removes or changes, with the access
    /// they gain and lose
    Diff(DiffArgs),
}

#[derive(Subcommand, Debug)]
enum RulesCommand {
    /// List every rule and detector
    List {
        #[command(flatten)]
        packs: PackArgs,
        /// Output as a table or JSON
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Explain a rule or detector: what it checks, why, and how to fix it
    Explain {
        /// The rule or detector id
        id: String,
        #[command(flatten)]
        packs: PackArgs,
        /// The config whose parameters are shown in force (default: ./nhigate.toml, if there is one)
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Print the fields rules can use, per fact type, as Markdown
    Fields,
    /// Print the formats facts are read from, as Markdown
    Formats,
    /// Compile packs and report every diagnostic
    Compile {
        /// Pack files or folders of packs
        #[arg(required = true)]
        packs: Vec<PathBuf>,
        /// Do not check the packs' ids against the built-in packs'
        #[arg(long)]
        no_builtin: bool,
        /// Treat warnings as errors
        #[arg(long)]
        deny_warnings: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ListFormat {
    Table,
    Json,
    /// The rule reference (docs/rules.md)
    Markdown,
}

/// Which rule packs to load.
#[derive(Args, Debug, Clone)]
struct PackArgs {
    /// Add rule packs (files or folders of .nhi files)
    #[arg(long = "rules", value_name = "PACK", num_args = 1..)]
    rules: Vec<PathBuf>,
    /// Do not load the built-in packs
    #[arg(long)]
    no_builtin: bool,
    /// Turn on optional built-in packs (`hardening`, `changes`; repeat or separate with commas)
    #[arg(long = "with", value_name = "PACK", value_delimiter = ',')]
    with: Vec<String>,
}

#[derive(Args, Debug)]
struct InitArgs {
    /// The repository (default: the current folder)
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Rewrite files that exist
    #[arg(long)]
    force: bool,
    /// Print what would be written, and write nothing
    #[arg(long)]
    dry_run: bool,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// The file or folder to scan
    #[arg(default_value = ".")]
    path: PathBuf,
    #[command(flatten)]
    packs: PackArgs,
    /// Load facts from a JSON facts file (see docs/facts.md), besides the scan
    #[arg(long, value_name = "FILE")]
    facts: Vec<PathBuf>,
    /// Report format
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Write the report to a file; the summary still goes to stderr
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write a SARIF report to this file, from the same run
    #[arg(long, value_name = "FILE")]
    sarif: Option<PathBuf>,
    /// Fail on findings at or above this severity (default: `fail_on` in
    /// nhigate.toml, else low)
    #[arg(long, value_name = "LEVEL")]
    severity: Option<Severity>,
    /// Report secret findings of at least this confidence: high, medium or
    /// low (default: `confidence` in nhigate.toml, else medium)
    #[arg(long, value_name = "LEVEL")]
    confidence: Option<crate::check::Confidence>,
    /// The config file (default: nhigate.toml at the scanned root, if any)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Report only findings not in this baseline (see `nhigate baseline`)
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Fix the clock for reproducible runs (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    now: Option<Date>,
    /// Worker threads (default: one per core)
    #[arg(short = 'j', long = "threads", value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Scan what is staged (the index against HEAD): the pre-commit hook
    #[arg(long, conflicts_with_all = ["base", "history"])]
    staged: bool,
    /// Scan what the branch adds since REV: every commit of REV..--head
    #[arg(long, value_name = "REV", conflicts_with = "history")]
    base: Option<String>,
    /// The end of the range for --base
    #[arg(long, value_name = "REV", default_value = "HEAD", requires = "base")]
    head: String,
    /// Scan every blob of every commit reachable from any ref, once
    #[arg(long)]
    history: bool,
    /// Skip files larger than this many bytes
    #[arg(long, value_name = "BYTES", default_value_t = crate::check::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
    /// Print the summary only: no findings, no progress
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    quiet: bool,
    /// List every skipped file, binary files and links included
    #[arg(long, short = 'v')]
    verbose: bool,
    /// Do not scan paths matching this glob (gitignore syntax)
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
}

#[derive(Args, Debug)]
struct BaselineArgs {
    /// The file or folder to scan
    #[arg(default_value = ".")]
    path: PathBuf,
    #[command(flatten)]
    packs: PackArgs,
    /// The config file (default: nhigate.toml at the scanned root, if any)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where to write the baseline
    #[arg(long, short = 'o', value_name = "FILE", default_value = ".nhigate-baseline.json")]
    output: PathBuf,
    /// Fix the clock (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    now: Option<Date>,
    /// Worker threads (default: one per core)
    #[arg(short = 'j', long = "threads", value_name = "N", default_value_t = 0)]
    threads: usize,
}

#[derive(Args, Debug)]
struct MergeArgs {
    /// JSON reports (`nhigate check --format json`)
    #[arg(required = true)]
    reports: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "json")]
    format: MergeFormat,
    /// Write the merged inventory (JSON) instead of the report
    #[arg(long)]
    inventory: bool,
    /// Write to this file instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    packs: PackArgs,
}

#[derive(Args, Debug)]
struct DiffArgs {
    /// The repository (or a folder in it)
    #[arg(default_value = ".")]
    path: PathBuf,
    /// The revision the change is compared with
    #[arg(long, value_name = "REV")]
    base: String,
    /// The revision with the change
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    head: String,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    format: DiffFormat,
    #[command(flatten)]
    packs: PackArgs,
    /// Worker threads (default: one per core)
    #[arg(short = 'j', long = "threads", value_name = "N", default_value_t = 0)]
    threads: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum MergeFormat {
    Json,
    Sarif,
    Human,
}

/// What `inventory` and `facts` scan: a tree, with the packs' detectors.
#[derive(Args, Debug)]
struct TreeArgs {
    /// The file or folder to scan
    #[arg(default_value = ".")]
    path: PathBuf,
    #[command(flatten)]
    packs: PackArgs,
    /// Worker threads (default: one per core)
    #[arg(short = 'j', long = "threads", value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Skip files larger than this many bytes
    #[arg(long, value_name = "BYTES", default_value_t = crate::check::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
    /// Do not scan paths matching this glob (gitignore syntax)
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
}

#[derive(Args, Debug)]
struct InventoryArgs {
    #[command(flatten)]
    tree: TreeArgs,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    format: crate::report::inventory::InventoryFormat,
    /// Fix the clock for credential ages (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    now: Option<Date>,
}

#[derive(Args, Debug)]
struct TestArgs {
    /// Pack files or folders (default: the built-in packs)
    packs: Vec<PathBuf>,
    /// Treat warnings (untested rules, detectors without examples) as failures
    #[arg(long)]
    deny_warnings: bool,
}

#[derive(Args, Debug)]
struct FmtArgs {
    /// Pack files or folders
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Report files that are not formatted, and change nothing
    #[arg(long)]
    check: bool,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).map_err(|e| format!("not a date: {e}"))
}

/// Whether to colour output on stderr/stdout: a terminal, and no NO_COLOR.
fn color_for(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn stderr_color() -> bool {
    color_for(std::io::stderr().is_terminal())
}

fn stdout_color() -> bool {
    color_for(std::io::stdout().is_terminal())
}

/// Clap's errors, except that a bad value is not echoed back: it may be a
/// secret pasted in the wrong place, and no output carries one whole.
/// An error message as it may be shown: a value the user gave (a path, a
/// revision, a config value) may be a pasted secret, so it passes the same
/// redaction step as reports, with the built-in detectors, and control
/// characters are neutralised.
fn scrub_error(message: &str) -> String {
    crate::report::terminal_safe(&scrub_secrets(message))
}

/// Text with every secret the built-in detectors know redacted.
fn scrub_secrets(text: &str) -> String {
    static BUILTIN: std::sync::OnceLock<Option<crate::lang::Program>> = std::sync::OnceLock::new();
    let program = BUILTIN.get_or_init(|| crate::lang::compile(&crate::builtin::sources(&[])).ok().map(|c| c.program));
    crate::report::scrub::Scrubber::new(program.as_ref().map(|p| &p.detectors), []).text(text)
}

fn usage_error(e: &clap::Error) -> Exit {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if !matches!(e.kind(), ErrorKind::InvalidValue | ErrorKind::ValueValidation) {
        if !e.use_stderr() {
            let _ = e.print();
            return Exit::Clean;
        }
        // clap quotes the arguments it did not expect, and one may be a secret.
        eprint!("{}", scrub_error(&e.render().to_string()));
        return Exit::Error;
    }
    let arg = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(a)) => a.clone(),
        _ => "an argument".to_string(),
    };
    let why = match (e.get(ContextKind::ValidValue), std::error::Error::source(e)) {
        (Some(ContextValue::Strings(valid)), _) => format!("use one of {}", valid.join(", ")),
        (_, Some(source)) => source.to_string(),
        _ => "see --help".to_string(),
    };
    fail(&format!("invalid value for `{arg}`: {why}"), None)
}

/// Print a one-line error and its help to stderr.
fn fail(message: &str, help: Option<&str>) -> Exit {
    eprintln!("error: {}", scrub_error(message));
    if let Some(h) = help {
        eprintln!("  help: {h}");
    }
    Exit::Error
}

pub fn run(args: impl IntoIterator<Item = OsString>) -> Exit {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => return usage_error(&e),
    };
    match cli.command {
        Command::Init(args) => init::run(&args),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "nhigate",
                &mut std::io::stdout(),
            );
            Exit::Clean
        }
        Command::Man => {
            let man = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command());
            match man.render(&mut std::io::stdout()) {
                Ok(()) => Exit::Clean,
                Err(e) => fail(&format!("cannot write the manual page: {e}"), None),
            }
        }
        Command::Check(args) => check::run(args),
        Command::Test(args) => test::run(args),
        Command::Rules { command } => rules::run(command),
        Command::Fmt(args) => fmt::run(args),
        Command::Inventory(args) => inventory::run(args),
        Command::Baseline(args) => check::baseline(args),
        Command::Facts(args) => inventory::facts(&args),
        Command::Merge(args) => merge::run(&args),
        Command::Diff(args) => diff::run(&args),
    }
}
