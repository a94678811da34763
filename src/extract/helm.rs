//! Helm charts: a chart's `values.yaml`, whose plain values stand in for
//! the `<.Values.x.y>` actions the templates' skeletons keep
//! (`syntax::helm`), once every file of the chart is read.

use std::collections::BTreeMap;

use crate::facts::{FactSet, ModuleValues};
use crate::syntax::tree::{Kind, Node};

pub(super) struct ChartValues;

impl super::Extractor for ChartValues {
    fn about(&self) -> super::About {
        super::About {
            source: "Helm charts",
            reads: "a chart's templates are read as Kubernetes manifests (their YAML skeleton); `values.yaml` stands in for plain `.Values` lookups, and an owner left to the values is noted",
            example: "examples/kubernetes/compliant/charts/catalog-sync/values.yaml",
        }
    }

    fn wants(&self, path: &str, _text: &[u8]) -> bool {
        is_values(path)
    }

    fn owns_path(&self, path: &str) -> bool {
        is_values(path)
    }

    fn read_document(&self, path: &str, doc: &Node, facts: &mut FactSet) {
        values(path, doc, facts);
    }
}

/// A chart's values file.
fn is_values(path: &str) -> bool {
    matches!(&*super::file_name(path), "values.yaml" | "values.yml")
}

/// The chart a path belongs to: the folder of its `values.yaml`, or the
/// folder above a template's `templates/`.
fn chart_of(path: &str) -> Option<&str> {
    if is_values(path) {
        return Some(path.rsplit_once('/').map_or("", |(dir, _)| dir));
    }
    match path.find("/templates/") {
        Some(i) => Some(&path[..i]),
        None => path.starts_with("templates/").then_some(""),
    }
}

/// Every scalar of a values document, as `.Values.a.b`.
fn values(path: &str, doc: &Node, facts: &mut FactSet) {
    let Some(chart) = chart_of(path) else { return };
    let mut m = ModuleValues::default();
    flatten(doc, ".Values", &mut m.values);
    facts.modules.entry(chart.to_string()).or_default().values.extend(m.values);
}

fn flatten(node: &Node, prefix: &str, out: &mut BTreeMap<String, Vec<String>>) {
    match &node.kind {
        Kind::Map(entries) => {
            for (k, v) in entries {
                flatten(v, &format!("{prefix}.{}", k.text), out);
            }
        }
        Kind::Scalar(s) => {
            out.insert(prefix.to_string(), vec![s.text.clone()]);
        }
        Kind::Seq(_) | Kind::Alias => {}
    }
}

/// The `<.Values.x>` placeholders of a chart's facts, replaced by the
/// chart's values where they are plain ones.
pub(super) fn resolve(facts: &mut FactSet, modules: &BTreeMap<String, ModuleValues>) {
    let of = |path: &str| chart_of(path).filter(|_| !is_values(path)).and_then(|c| modules.get(c));
    for i in &mut facts.identities {
        if let Some(m) = of(&i.location.path) {
            substitute(&mut i.name, m);
            i.owner.iter_mut().chain(i.scopes.iter_mut()).for_each(|v| substitute(v, m));
            i.tags.values_mut().chain(i.attrs.values_mut()).for_each(|v| substitute(v, m));
        }
    }
    for c in &mut facts.credentials {
        if let Some(m) = of(&c.location.path) {
            c.identity.iter_mut().chain(c.name.iter_mut()).for_each(|v| substitute(v, m));
            c.attrs.values_mut().for_each(|v| substitute(v, m));
        }
    }
    for g in &mut facts.grants {
        if let Some(m) = of(&g.location.path) {
            g.identity.iter_mut().for_each(|v| substitute(v, m));
            g.actions.iter_mut().chain(g.resources.iter_mut()).for_each(|v| substitute(v, m));
            g.attrs.values_mut().for_each(|v| substitute(v, m));
        }
    }
}

/// Each `<.Values.x>` in `text` that the values hold, written as its value.
fn substitute(text: &mut String, m: &ModuleValues) {
    if !text.contains("<.Values.") {
        return;
    }
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("<.Values.") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else { break };
        let key = &rest[start + 1..start + end];
        match m.values.get(key).and_then(|v| v.first()) {
            Some(value) => out.push_str(value),
            None => out.push_str(&rest[start..=start + end]),
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    *text = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_take_the_chart_s_plain_values() {
        let mut m = ModuleValues::default();
        m.values.insert(".Values.serviceAccount.automount".into(), vec!["false".into()]);
        let mut s = "<.Values.serviceAccount.automount>".to_string();
        substitute(&mut s, &m);
        assert_eq!(s, "false");
        let mut s = "<.Values.unknown> and <include x>".to_string();
        substitute(&mut s, &m);
        assert_eq!(s, "<.Values.unknown> and <include x>");
        assert_eq!(chart_of("charts/a/templates/sa.yaml"), Some("charts/a"));
        assert_eq!(chart_of("charts/a/values.yaml"), Some("charts/a"));
        assert_eq!(chart_of("k8s/sa.yaml"), None);
    }
}
