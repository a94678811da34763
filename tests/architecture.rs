//! The shape of the code: data flows one way between the top-level modules
//! (sources → facts → evaluation → suppression → reports), so no module
//! depends, through any chain of `crate::` paths, on itself.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::harness::repo_root;

/// Top-level module → the top-level modules its files name as `crate::x`.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for e in std::fs::read_dir(src).into_iter().flatten().flatten() {
        let p = e.path();
        let name = p.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
        if name == "lib" || name == "main" {
            continue;
        }
        let mut paths = Vec::new();
        if p.is_dir() {
            files(&p, &mut paths)
        } else {
            paths.push(p.clone())
        }
        let uses = graph.entry(name.clone()).or_default();
        for f in paths {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            for (at, _) in text.match_indices("crate::") {
                let rest = &text[at + "crate::".len()..];
                let named: Vec<&str> = match rest.strip_prefix('{') {
                    // `crate::{a, b::c}`: the first segment of each.
                    Some(group) => group
                        .split('}')
                        .next()
                        .unwrap_or("")
                        .split(',')
                        .map(|p| p.trim().split("::").next().unwrap_or(""))
                        .collect(),
                    None => vec![rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap_or("")],
                };
                uses.extend(named.into_iter().filter(|n| !n.is_empty() && *n != name).map(str::to_string));
            }
        }
    }
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    graph.values_mut().for_each(|uses| uses.retain(|u| modules.contains(u)));
    graph
}

/// A chain of modules that leads back to its start, if there is one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut found = path[i..].to_vec();
            found.push(m.to_string());
            return Some(found);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for next in graph.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|m| visit(m, graph, &mut Vec::new(), &mut done))
}

#[test]
fn top_level_modules_depend_on_each_other_one_way() {
    let graph = module_graph(&repo_root().join("src"));
    assert!(graph.len() > 10 && graph["engine"].contains("facts"), "the graph was read: {graph:?}");
    if let Some(c) = cycle(&graph) {
        panic!("modules depend on each other in a cycle: {}", c.join(" → "));
    }
}

#[test]
fn a_cycle_is_found_where_there_is_one() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(cycle(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
    graph.entry("c".into()).or_default().clear();
    assert_eq!(cycle(&graph), None);
}

/// The modules `lib.rs` makes public: the library's facade.
fn facade(src: &Path) -> BTreeSet<String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap_or_default();
    let mut public: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_string())
        .collect();
    // `pub use x::Item;` makes an item public, not its module.
    public.extend(lib.lines().filter_map(|l| l.trim().strip_prefix("pub use ")).map(|u| {
        let item = u.trim_end_matches(';').rsplit("::").next().unwrap_or("");
        item.to_string()
    }));
    public
}

#[test]
fn the_command_line_goes_through_the_facade_only() {
    let src = repo_root().join("src");
    let public = facade(&src);
    assert!(public.contains("check") && !public.contains("scan"), "the facade was read: {public:?}");
    let graph = module_graph(&src);
    let private: Vec<&String> = graph["cli"].iter().filter(|m| !public.contains(*m)).collect();
    assert!(private.is_empty(), "the command line reaches past the library's facade into {private:?}");
}
