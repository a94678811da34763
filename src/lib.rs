//! nhigate: a policy-as-code compiler and pre-merge checker for non-human
//! identities.
//!
//! Data flows one way: `source` yields units → `detect` and `extract` make
//! `facts` → `engine` evaluates the `lang` program → `report` renders the
//! findings. `scan` wires the stages together; `cli` is the command line.

pub mod builtin;
pub mod check;
pub mod cli;
pub mod config;
pub mod detect;
pub mod engine;
pub mod extract;
pub mod facts;
#[doc(hidden)]
pub mod fuzzing;
pub mod lang;
pub mod report;
pub mod scan;
pub mod settings;
pub mod severity;
pub mod source;
pub mod suppress;
pub mod syntax;
