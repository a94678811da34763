//! Replays the fuzz targets' seeds and every input that once crashed one
//! (fuzz/regressions/TARGET/), through the same entry points the fuzz
//! targets call, so that a fixed crash stays fixed without a nightly
//! toolchain.

use std::path::Path;

use nhigate::fuzzing;

use crate::harness::repo_root;

/// The target's name, and what it does with one input.
fn target(name: &str) -> Option<fn(&[u8])> {
    Some(match name {
        "rule_pack" => fuzzing::rule_pack,
        "detectors" => fuzzing::detectors,
        "terraform" => |d| fuzzing::extract_as("main.tf", d),
        "kubernetes" => |d| fuzzing::extract_as("k8s/app.yaml", d),
        "cloudformation" => |d| fuzzing::extract_as("stack.json", d),
        "github_actions" => |d| fuzzing::extract_as(".github/workflows/ci.yml", d),
        "gitlab_ci" => |d| fuzzing::extract_as(".gitlab-ci.yml", d),
        "mcp" => |d| fuzzing::extract_as(".mcp.json", d),
        "agent" => |d| fuzzing::extract_as("bot.agent.yaml", d),
        "nhi_toml" => |d| fuzzing::extract_as("nhi.toml", d),
        _ => return None,
    })
}

fn replay(folder: &Path) -> usize {
    let mut n = 0;
    let Ok(targets) = std::fs::read_dir(folder) else { return 0 };
    for t in targets.flatten() {
        let name = t.file_name().to_string_lossy().to_string();
        let run = target(&name).unwrap_or_else(|| panic!("{}: no fuzz target `{name}`", folder.display()));
        for input in std::fs::read_dir(t.path()).into_iter().flatten().flatten() {
            let data = std::fs::read(input.path()).unwrap_or_default();
            run(&data);
            n += 1;
        }
    }
    n
}

#[test]
fn fuzz_seeds_and_regressions_replay_without_a_panic() {
    let root = repo_root().join("fuzz");
    let seeds = replay(&root.join("seeds"));
    assert!(seeds >= 10, "the seed corpus is missing ({seeds} inputs)");
    replay(&root.join("regressions"));
}
