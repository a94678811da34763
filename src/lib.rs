//! nhigate: a policy-as-code compiler and pre-merge checker for non-human
//! identities.
//!
//! Data flows one way: `source` yields units → `detect` and `extract` make
//! `facts` → `engine` evaluates the `lang` program → `suppress` marks what
//! is waived → `report` renders a finished run. Only the facade is public:
//!
//! - [`check`]: one check as a call. A [`check::Request`] (a path, a mode,
//!   packs, config, threads, the clock) → [`check::run`] → a [`check::Run`]
//!   with findings, inventory, stats and provenance; [`check::find`] for the
//!   facts alone, [`check::baseline`] for a baseline. Each call runs on a
//!   thread pool of its own and sets nothing for the rest of the process.
//! - [`lang`]: the rule language: [`lang::parse`], [`lang::compile`],
//!   [`lang::fmt`]; [`builtin`] holds the built-in packs, and [`testing`]
//!   runs packs' own tests.
//! - [`facts`] and [`engine`]: the fact model, and judging facts read from
//!   elsewhere ([`engine::evaluate`]).
//! - [`report`]: writers for a run ([`report::write`]), the JSON report read
//!   back ([`report::json::read`]) and reports merged ([`report::merge`]).
//! - [`setup`]: what `nhigate init` writes for a repository.
//! - [`cli`]: the command line, which is flags → a request → a writer.
//!
//! ```
//! use nhigate::check::{Mode, Request};
//!
//! let dir = std::env::temp_dir().join("nhigate-doc-lib");
//! std::fs::create_dir_all(&dir).unwrap();
//! std::fs::write(dir.join(".mcp.json"), r#"{"mcpServers": {"db": {"url": "http://db.internal/mcp"}}}"#).unwrap();
//! let run = nhigate::check::run(&Request::new(&dir, Mode::Tree)).map_err(|e| e.to_string()).unwrap();
//! for f in &run.findings {
//!     println!("{} {}:{} {}", f.rule_id, f.location.path, f.location.line, f.message);
//! }
//! assert!(run.report().failing() > 0);
//! ```

pub mod builtin;
pub mod check;
pub mod cli;
mod config;
mod detect;
pub mod engine;
mod extract;
pub mod facts;
#[doc(hidden)]
pub mod fuzzing;
pub mod lang;
pub mod report;
mod scan;
mod settings;
pub mod setup;
mod severity;
mod source;
mod suppress;
mod syntax;
pub mod testing;

pub use severity::Severity;
