//! `nhigate merge`: JSON reports of many repositories, or of shards of one,
//! combined into one report and one inventory.
//!
//! Paths become the repository's (each input's scanned root in front) and,
//! when the inputs come from more than one repository, are prefixed with the
//! repository's name. A finding seen by several inputs (shards that
//! overlap) is kept once, by repository and fingerprint. Identities are
//! merged by kind, provider and name, every place kept.

use std::collections::BTreeMap;

use super::inventory::{Entry, Inventory, Summary as InventorySummary};
use super::json::{Document, FORMAT_VERSION, JsonFinding, Place, Summary, Tool};
use crate::severity::Severity;

/// What names a repository in merged paths: `owner/name` from its URL, or
/// the input's position when it has none.
fn repository_name(url: Option<&str>, input: usize) -> String {
    let Some(url) = url else { return format!("input-{}", input + 1) };
    let path = url.trim_end_matches('/').trim_end_matches(".git");
    let parts: Vec<&str> = path.rsplit(['/', ':']).take(2).collect();
    match parts.as_slice() {
        [name, owner] => format!("{owner}/{name}"),
        _ => path.to_string(),
    }
}

fn joined(prefix: &str, path: &str) -> String {
    let prefix = prefix.trim_matches('/');
    if prefix.is_empty() { path.to_string() } else { format!("{prefix}/{path}") }
}

/// The inputs as one report; the threshold is the strictest of theirs.
pub fn merge(inputs: &[Document]) -> Document {
    let repositories: Vec<Option<&str>> =
        inputs.iter().map(|d| d.provenance.first().and_then(|p| p.repository.as_deref())).collect();
    let many = repositories.iter().collect::<std::collections::BTreeSet<_>>().len() > 1;
    let mut findings: BTreeMap<(String, String), JsonFinding> = BTreeMap::new();
    let mut skipped = Vec::new();
    let mut stats = super::Stats::default();
    let mut provenance = Vec::new();
    let mut changes = Vec::new();
    let mut inventories = Vec::new();
    let mut threshold = Severity::Critical;
    for (i, doc) in inputs.iter().enumerate() {
        let repository = repository_name(repositories[i], i);
        let root = doc.provenance.first().map_or("", |p| p.root.as_str());
        let place = place_fn(root, many.then(|| repository.clone()));
        threshold = threshold.min(doc.summary.threshold);
        for f in &doc.findings {
            let mut f = f.clone();
            f.path = place(&f.path);
            f.also_in = f.also_in.iter().map(|p| Place { path: place(&p.path), line: p.line }).collect();
            findings.entry((repository.clone(), f.fingerprint.clone())).or_insert(f);
        }
        skipped.extend(
            doc.skipped.iter().map(|s| crate::source::Skipped { path: place(&s.path), reason: s.reason.clone() }),
        );
        stats.files_scanned += doc.stats.files_scanned;
        stats.bytes_scanned += doc.stats.bytes_scanned;
        stats.files_skipped += doc.stats.files_skipped;
        stats.secrets_below_confidence += doc.stats.secrets_below_confidence;
        provenance.extend(doc.provenance.iter().cloned());
        changes.extend(doc.changes.iter().cloned());
        if let Some(inv) = &doc.inventory {
            inventories.push((inv, place));
        }
    }
    let mut findings: Vec<JsonFinding> = findings.into_values().collect();
    findings.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.rule_id, &a.fingerprint).cmp(&(
            &b.path,
            b.line,
            b.column,
            &b.rule_id,
            &b.fingerprint,
        ))
    });
    skipped.sort();
    skipped.dedup();
    let inventory = (!inventories.is_empty()).then(|| merge_inventories(&inventories));
    Document {
        version: FORMAT_VERSION,
        tool: Tool { name: "nhigate".into(), version: env!("CARGO_PKG_VERSION").into() },
        provenance,
        summary: Summary::of(&findings, threshold),
        findings,
        skipped,
        stats,
        inventory,
        changes,
    }
}

type Placer = Box<dyn Fn(&str) -> String>;

/// Where an input's paths (and an inventory's `path:line` places) go in the
/// merged report: from the repository's root, and under the repository's
/// name when there are several.
fn place_fn(root: &str, repository: Option<String>) -> Placer {
    let root = root.to_string();
    Box::new(move |place: &str| {
        if place == "-" {
            return place.to_string();
        }
        let path = joined(&root, place);
        match &repository {
            Some(r) => joined(r, &path),
            None => path,
        }
    })
}

/// Identities merged by kind, provider and name: the first place is the
/// entry's, the others are kept in `also_at`.
fn merge_inventories(inputs: &[(&Inventory, Placer)]) -> Inventory {
    let mut entries: BTreeMap<(String, Option<String>, String), Entry> = BTreeMap::new();
    let mut unattached = Vec::new();
    let mut embedded_secrets = 0;
    for (inv, place) in inputs {
        embedded_secrets += inv.summary.embedded_secrets;
        for e in &inv.identities {
            let mut e = e.clone();
            e.location = place(&e.location);
            e.also_at = e.also_at.iter().map(|l| place(l)).collect();
            e.credentials.iter_mut().for_each(|c| c.location = place(&c.location));
            e.grants.iter_mut().for_each(|g| g.location = place(&g.location));
            match entries.entry((e.kind.clone(), e.provider.clone(), e.name.clone())) {
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(e);
                }
                std::collections::btree_map::Entry::Occupied(mut o) => {
                    let have = o.get_mut();
                    let places = std::iter::once(e.location.clone()).chain(e.also_at.iter().cloned());
                    for p in places {
                        if p != have.location && !have.also_at.contains(&p) {
                            have.also_at.push(p);
                        }
                    }
                    have.owner = have.owner.take().or(e.owner);
                    have.declared |= e.declared;
                    have.discovered |= e.discovered;
                    for s in e.scopes {
                        if !have.scopes.contains(&s) {
                            have.scopes.push(s);
                        }
                    }
                    have.credentials.extend(e.credentials);
                    have.grants.extend(e.grants);
                    have.used_by.extend(e.used_by);
                }
            }
        }
        unattached.extend(inv.unattached_credentials.iter().cloned().map(|mut c| {
            c.location = place(&c.location);
            c
        }));
    }
    // In the order one scan lists them: kind, name, place.
    let mut identities: Vec<Entry> = entries.into_values().collect();
    identities.sort_by(|a, b| (&a.kind, &a.name, &a.location).cmp(&(&b.kind, &b.name, &b.location)));
    let credentials = identities.iter().map(|e| e.credentials.len()).sum::<usize>() + unattached.len();
    let long_lived = identities.iter().flat_map(|e| &e.credentials).chain(&unattached).filter(|c| c.long_lived).count();
    let summary = InventorySummary::of(&identities, credentials, long_lived, embedded_secrets);
    Inventory {
        version: super::inventory::INVENTORY_VERSION,
        now: inputs.first().map_or_else(String::new, |(i, _)| i.now.clone()),
        summary,
        identities,
        unattached_credentials: unattached,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_are_named_by_owner_and_name() {
        assert_eq!(repository_name(Some("https://github.com/acme/infra.git"), 0), "acme/infra");
        assert_eq!(repository_name(Some("git@github.com:acme/infra.git"), 0), "acme/infra");
        assert_eq!(repository_name(None, 2), "input-3");
    }
}
