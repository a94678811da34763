//! `nhigate init`: the library's plan for a repository, shown or written.

use super::{Exit, InitArgs, fail};
use crate::setup::{self, Action, Host};

pub(super) fn run(args: &InitArgs) -> Exit {
    if !args.path.is_dir() {
        return fail(&format!("`{}` is not a folder", args.path.display()), None);
    }
    let survey = setup::survey(&args.path);
    let root = &survey.root;
    let plan = match setup::plan(&survey, args.force) {
        Ok(p) => p,
        Err(existing) => {
            let list = existing.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ");
            return fail(&format!("not overwriting {list}"), Some("`nhigate init --force` rewrites them"));
        }
    };
    let found = if survey.formats.is_empty() {
        "no identity formats".to_string()
    } else {
        survey.formats.iter().copied().collect::<Vec<_>>().join(", ")
    };
    let host = match survey.host {
        Some(Host::GitLab) => "GitLab",
        _ => "GitHub",
    };
    let place = if survey.git { format!("a git repository ({host})") } else { "a folder outside git".to_string() };
    eprintln!("nhigate init: found {found} in {place} at `{}`", root.display());
    for p in &plan {
        let what = match (p.action, args.dry_run) {
            (Action::Create, false) => "created",
            (Action::Create, true) => "would create",
            (Action::Replace, false) => "rewrote",
            (Action::Replace, true) => "would rewrite",
            (Action::Merge, false) => "added to",
            (Action::Merge, true) => "would add to",
            (Action::Keep, _) => "kept",
        };
        eprintln!("  {what:13} {}: {}", p.path, p.about);
        if p.action == Action::Keep {
            continue;
        }
        if args.dry_run {
            println!("--- {} ---\n{}", p.path, p.text);
            continue;
        }
        let path = root.join(&p.path);
        let written =
            path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(&path, &p.text));
        if let Err(e) = written {
            return fail(&format!("cannot write `{}`: {e}", path.display()), None);
        }
    }
    if !args.dry_run {
        let hook = if survey.git { ", `pre-commit install` for the hook," } else { "" };
        eprintln!(
            "\nNext: `nhigate check` shows today's findings{hook} and a commit of these files turns the gate on."
        );
    }
    Exit::Clean
}
