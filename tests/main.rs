//! The one integration test binary. Each module opens with what belongs in it.

mod accuracy;
mod architecture;
mod changes;
mod cli;
mod diagnostics;
mod examples;
mod fuzz;
mod gate;
mod git;
mod harness;
mod hostile;
mod integrations;
mod packs;
mod redaction;
mod reports;
mod roundtrip;
mod rules;
mod setup;
