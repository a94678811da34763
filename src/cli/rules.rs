//! `nhigate rules list | explain ID | compile PACK…`.

use std::io::Write;

use super::{Exit, ListFormat, RulesCommand, fail, packs, stderr_color};
use crate::engine::FindingKind;
use crate::lang::{Verify, error::did_you_mean};
use crate::report::RuleInfo;

pub fn run(command: RulesCommand) -> Exit {
    match command {
        RulesCommand::List { packs, format } => {
            let compiled = match packs::load(&packs) {
                Ok(c) => c,
                Err(code) => return code,
            };
            let rules = RuleInfo::all(&compiled.program);
            let mut out = std::io::stdout().lock();
            let written = match format {
                ListFormat::Json => serde_json::to_writer_pretty(&mut out, &rules)
                    .map_err(std::io::Error::from)
                    .and_then(|()| writeln!(out)),
                ListFormat::Table => write_table(&mut out, &rules),
            };
            if written.is_err() {
                return Exit::Error;
            }
            Exit::Clean
        }
        RulesCommand::Explain { id, packs } => {
            let compiled = match packs::load(&packs) {
                Ok(c) => c,
                Err(code) => return code,
            };
            explain(&compiled.program, &id)
        }
        RulesCommand::Fields => {
            print!("{}", fields_markdown());
            Exit::Clean
        }
        RulesCommand::Compile { packs, deny_warnings } => {
            let sources = match packs::read_packs(&packs, Verify::Full) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let compiled = match packs::compile(&sources) {
                Ok(c) => c,
                Err(code) => return code,
            };
            if !compiled.warnings.is_empty() {
                eprint!("{}", compiled.warnings.render(stderr_color()));
            }
            let p = &compiled.program;
            eprintln!(
                "compiled {} rule{} and {} detector{} from {} pack{}{}",
                p.rules.len(),
                plural(p.rules.len()),
                p.detectors.len(),
                plural(p.detectors.len()),
                p.packs.len(),
                plural(p.packs.len()),
                if compiled.warnings.is_empty() {
                    String::new()
                } else {
                    format!(", with {} warning{}", compiled.warnings.len(), plural(compiled.warnings.len()))
                }
            );
            if deny_warnings && !compiled.warnings.is_empty() { Exit::Error } else { Exit::Clean }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn write_table(out: &mut dyn Write, rules: &[RuleInfo]) -> std::io::Result<()> {
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(2).max(2);
    writeln!(out, "{:width$}  {:8}  {:8}  {:12}  TITLE", "ID", "KIND", "SEVERITY", "PACK")?;
    for r in rules {
        let kind = match r.kind {
            FindingKind::Secret => "detector",
            FindingKind::Policy => "rule",
        };
        writeln!(out, "{:width$}  {kind:8}  {:8}  {:12}  {}", r.id, r.severity.name(), r.pack, r.title)?;
    }
    Ok(())
}

fn explain(program: &crate::lang::Program, id: &str) -> Exit {
    let rules = RuleInfo::all(program);
    let Some(info) = rules.iter().find(|r| r.id.eq_ignore_ascii_case(id)) else {
        let known: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        let help = did_you_mean(id, &known, "list them with `nhigate rules list`; ids include");
        let help = if help.len() > 200 { "list them with `nhigate rules list`".to_string() } else { help };
        return fail(&format!("no rule or detector `{id}`"), Some(&help));
    };
    let origin = match info.kind {
        FindingKind::Policy => program.rule(&info.id).map(|r| r.origin),
        FindingKind::Secret => program.detector_index(&info.id).and_then(|i| program.detector_origins.get(i).copied()),
    };
    let mut out = String::new();
    out.push_str(&format!("{} — {}\n\n", info.id, info.title));
    out.push_str(&format!(
        "  kind:      {}\n",
        if info.kind == FindingKind::Secret { "secret detector" } else { "governance rule" }
    ));
    out.push_str(&format!("  severity:  {}\n", info.severity));
    out.push_str(&format!("  pack:      {}\n", info.pack));
    if !info.maps.is_empty() {
        out.push_str(&format!("  maps to:   {}\n", info.maps.join(", ")));
    }
    if let Some(docs) = &info.docs {
        out.push_str(&format!("\n{}\n", docs.trim()));
    }
    if let Some(fix) = &info.fix {
        out.push_str(&format!("\nFix: {fix}\n"));
    }
    if let Some(o) = origin {
        let path = program.packs.get(o.pack).map(|p| p.path.as_str()).unwrap_or("");
        out.push_str(&format!("\nDefined in {path}:\n\n{}\n", program.block_source(o).trim_end()));
    }
    print!("{out}");
    Exit::Clean
}

/// The schema table as Markdown: what docs/facts.md embeds.
pub fn fields_markdown() -> String {
    let mut out = String::new();
    for record in crate::facts::schema::RECORDS {
        out.push_str(&format!("### `{}`\n\n| field | type | meaning |\n| --- | --- | --- |\n", record.name));
        for f in record.fields {
            out.push_str(&format!("| `{}` | {} | {} |\n", f.name, f.ty.describe(), f.doc));
        }
        out.push('\n');
    }
    out
}
