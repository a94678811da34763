//! Replays every input that once crashed a fuzz target
//! (fuzz/regressions/TARGET/), and the targets' seeds (the files of
//! examples/ and the packs of rules/), through the same entry points the
//! fuzz targets call, so that a fixed crash stays fixed without a nightly
//! toolchain.

use std::path::Path;

use nhigate::fuzzing;

use crate::harness::{files, repo_root};

/// The target's name, and what it does with one input.
fn target(name: &str) -> Option<fn(&[u8])> {
    Some(match name {
        "rule_pack" => fuzzing::rule_pack,
        "detectors" => fuzzing::detectors,
        "extractors" => |d| fuzzing::extractors("chart/templates/fuzz.yaml", d),
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
    let root = repo_root();
    let mut seeds = Vec::new();
    files(&root.join("examples"), &root.join("examples"), &mut seeds);
    assert!(seeds.len() >= 20, "the examples are the extractors' seeds ({} files)", seeds.len());
    for (path, data) in &seeds {
        fuzzing::extractors(path, data);
        fuzzing::detectors(data);
    }
    let mut packs = Vec::new();
    files(&root.join("rules"), &root.join("rules"), &mut packs);
    packs.iter().for_each(|(_, data)| fuzzing::rule_pack(data));
    replay(&root.join("fuzz/regressions"));
}
