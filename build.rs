//! Embed the built-in rule packs: list every `rules/**/*.nhi` with a rerun
//! trigger on each file and folder, so that a new or edited pack rebuilds.
//! Each pack is embedded with its syntax tree, parsed here by the crate's
//! own parser (the modules are compiled into this script too) and stored
//! with postcard: a check starts without parsing 300 KB of built-in packs.

use std::fs;
use std::path::{Path, PathBuf};

#[allow(dead_code, unused_imports)]
#[path = "src/lang"]
mod lang {
    pub mod ast;
    pub mod error;
    pub mod parse;

    /// The text of a pack that parses without errors, with its tree; a pack
    /// with errors is parsed again at run time, where its diagnostics are
    /// reported.
    pub fn tree(text: &str) -> Option<Vec<u8>> {
        let (file, errors) = parse::parse_recovering(text);
        if errors.is_empty() { postcard::to_stdvec(&(text, &file)).ok() } else { None }
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "nhi") {
            println!("cargo:rerun-if-changed={}", p.display());
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let mut packs = Vec::new();
    collect(&root.join("rules"), &mut packs);
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    let mut code = String::from("pub static BUILTIN_PACKS: &[(&str, &str, Option<&[u8]>)] = &[\n");
    for p in &packs {
        let rel = p.strip_prefix(&root).unwrap_or(p).to_string_lossy().replace('\\', "/");
        let text = fs::read_to_string(p).unwrap_or_default();
        let tree = lang::tree(&text).and_then(|bytes| {
            let file = out_dir.join(format!("tree_{}.bin", rel.replace(['/', '.'], "_")));
            fs::write(&file, bytes).ok().map(|()| format!("Some(include_bytes!({:?}))", file.display().to_string()))
        });
        let tree = tree.unwrap_or_else(|| "None".to_string());
        code.push_str(&format!("    ({rel:?}, include_str!({:?}), {tree}),\n", p.display().to_string()));
    }
    code.push_str("];\n");
    let out = out_dir.join("builtin_packs.rs");
    if let Err(e) = fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
    }
    for f in ["grammar/nhi.pest", "src/lang/ast.rs", "src/lang/error.rs", "src/lang/parse.rs"] {
        println!("cargo:rerun-if-changed={f}");
    }
}
