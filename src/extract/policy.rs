//! AWS IAM policy documents (the JSON grammar shared by Terraform's
//! `jsonencode`, heredoc policies and CloudFormation): statements to grants,
//! each pointing at its `Action` and `Resource` keys.

use std::collections::BTreeMap;

use crate::facts::Grant;
use crate::syntax::tree::{Key, Kind, Node, Scalar};
use crate::syntax::{Pos, hcl};

use super::loc;

/// Standalone IAM policy files: `Version` 2012-10-17 and a `Statement`.
pub(super) struct PolicyDocuments;

impl super::Extractor for PolicyDocuments {
    fn about(&self) -> super::About {
        super::About {
            source: "IAM policy documents (JSON or YAML, by content)",
            reads: "each statement as a grant of the policy named by the file, with its effect, actions, resources and conditions",
            example: "examples/aws-terraform/compliant/policies/artifacts-read.json",
        }
    }

    fn wants(&self, path: &str, text: &[u8]) -> bool {
        super::documents(path) && super::contains(text, b"Statement") && super::contains(text, b"Version")
    }

    fn claims(&self, _path: &str, doc: &Node) -> bool {
        doc.get("Statement").is_some() && doc.get("Version").and_then(Node::str).is_some_and(|v| v.starts_with("20"))
    }

    fn read_document(&self, path: &str, doc: &Node, facts: &mut crate::facts::FactSet) {
        let name = path.rsplit('/').next().unwrap_or(path);
        let attrs = BTreeMap::from([("policy".to_string(), name.to_string())]);
        facts.grants.extend(grants(path, doc, None, &attrs));
    }
}

/// The grants of a policy document (its `Statement`, one or many), held by
/// `identity`. Deny statements are kept: rules decide what they mean.
pub(super) fn grants(path: &str, doc: &Node, identity: Option<&str>, attrs: &BTreeMap<String, String>) -> Vec<Grant> {
    statements(doc).into_iter().map(|s| grant(path, s, identity, attrs)).collect()
}

/// A policy document's `Statement`: a list, or one statement alone.
fn statements(doc: &Node) -> Vec<&Node> {
    match doc.get("Statement") {
        Some(Node { kind: Kind::Seq(items), .. }) => items.iter().collect(),
        Some(one @ Node { kind: Kind::Map(_), .. }) => vec![one],
        _ => vec![],
    }
}

/// Each condition of a document's statements: the operator's key, the
/// condition key's, and the values.
fn conditions(doc: &Node) -> impl Iterator<Item = (&Key, &Key, &Node)> {
    statements(doc).into_iter().flat_map(|s| {
        s.get("Condition")
            .map(Node::entries)
            .unwrap_or_default()
            .iter()
            .flat_map(|(op, tests)| tests.entries().iter().map(move |(key, values)| (op, key, values)))
    })
}

fn grant(path: &str, s: &Node, identity: Option<&str>, attrs: &BTreeMap<String, String>) -> Grant {
    let mut at = BTreeMap::new();
    let mut list = |key: &str, field: &str| -> Vec<String> {
        match s.entry(key) {
            Some((k, v)) => {
                at.insert(field.to_string(), loc(path, k.pos));
                let items: Vec<&Node> = match &v.kind {
                    Kind::Seq(items) => items.iter().collect(),
                    _ => vec![v],
                };
                let values: Vec<(Pos, String)> =
                    items.into_iter().filter_map(|i| intrinsic_text(i).map(|t| (i.pos, t))).collect();
                super::item_locations(&mut at, path, field, 0, values.iter().map(|(p, _)| *p));
                values.into_iter().map(|(_, t)| t).collect()
            }
            None => Vec::new(),
        }
    };
    let actions = list("Action", "actions");
    let not_actions = list("NotAction", "not_actions");
    let resources = list("Resource", "resources");
    let mut conditions = BTreeMap::new();
    for (op, tests) in s.get("Condition").map(Node::entries).unwrap_or_default() {
        for (key, values) in tests.entries() {
            conditions.insert(format!("{}:{}", op.text, key.text), values.strings().join(","));
        }
    }
    let mut attrs = attrs.clone();
    if let Some(sid) = s.get("Sid").and_then(Node::str) {
        attrs.insert("sid".into(), sid.into());
    }
    if s.get("NotResource").is_some() {
        attrs.insert("not_resource".into(), s.get("NotResource").map(|n| n.strings().join(",")).unwrap_or_default());
    }
    Grant {
        identity: identity.map(str::to_string),
        provider: Some("aws".into()),
        effect: Some(s.get("Effect").and_then(Node::str).unwrap_or("Allow").to_ascii_lowercase()),
        actions,
        not_actions,
        resources,
        conditions,
        scope: None,
        attrs,
        location: loc(path, s.pos),
        at,
    }
}

/// A value as text, CloudFormation's functions written out the way `Sub`
/// spells them: `!Sub "arn:…:${Bucket}/*"` and its list form, `Ref` and
/// `GetAtt` as `${X}`, `Join` of its parts. `None` for what has no text.
fn intrinsic_text(n: &Node) -> Option<String> {
    if let Some(s) = n.str() {
        return Some(match n.tag.as_deref() {
            Some("Ref") => format!("${{{s}}}"),
            Some("GetAtt") => format!("${{{s}}}"),
            _ => s.to_string(),
        });
    }
    let function = |name: &str, tag: &str| n.get(name).or_else(|| (n.tag.as_deref() == Some(tag)).then_some(n));
    if let Some(sub) = function("Fn::Sub", "Sub") {
        return sub.str().map(str::to_string).or_else(|| sub.items().first().and_then(Node::str).map(str::to_string));
    }
    if let Some(r) = n.get("Ref").and_then(Node::str) {
        return Some(format!("${{{r}}}"));
    }
    if let Some(g) = n.get("Fn::GetAtt") {
        return Some(format!("${{{}}}", g.strings().join(".")));
    }
    if let Some(join) = function("Fn::Join", "Join") {
        let parts = join.items();
        let sep = parts.first().and_then(Node::str).unwrap_or("");
        let pieces: Option<Vec<String>> = parts.get(1).map(|p| p.items().iter().filter_map(intrinsic_text).collect());
        return pieces.map(|p| p.join(sep));
    }
    None
}

/// An AWS managed policy attached to `holder` (`arn:aws:iam::aws:policy/NAME`),
/// as a grant naming the policy; other ARNs are customer policies, read
/// from their documents instead.
pub(super) fn managed_policy(path: &str, arn: &str, at: Pos, holder: Option<&str>) -> Option<Grant> {
    let name = arn.strip_prefix("arn:aws:iam::aws:policy/")?;
    let name = name.rsplit('/').next().unwrap_or(name);
    let mut g = attachment(path, at, holder);
    g.attrs.insert("managed_policy".into(), name.to_string());
    Some(g)
}

/// A policy attached to `holder`, before saying which.
pub(super) fn attachment(path: &str, at: Pos, holder: Option<&str>) -> Grant {
    Grant {
        identity: holder.map(str::to_string),
        provider: Some("aws".into()),
        effect: Some("allow".into()),
        location: loc(path, at),
        ..Default::default()
    }
}

/// The principals a trust policy (`assume_role_policy`) lets in, as
/// `Service:ecs-tasks.amazonaws.com`, `AWS:*`, `Federated:…`.
fn trusted_principals(doc: &Node) -> Vec<String> {
    let mut out = Vec::new();
    let statements: Vec<&Node> = match doc.get("Statement") {
        Some(Node { kind: Kind::Seq(items), .. }) => items.iter().collect(),
        Some(one) => vec![one],
        None => vec![],
    };
    for s in statements {
        match s.get("Principal") {
            Some(p) if p.str().is_some() => out.push(format!("AWS:{}", p.str().unwrap_or(""))),
            Some(p) => {
                for (kind, who) in p.entries() {
                    // A bare account id is that account's root.
                    out.extend(who.strings().into_iter().map(|w| match kind.text.as_str() {
                        "AWS" if w.len() == 12 && w.bytes().all(|b| b.is_ascii_digit()) => {
                            format!("AWS:arn:aws:iam::{w}:root")
                        }
                        k => format!("{k}:{w}"),
                    }));
                }
            }
            None => {}
        }
    }
    out
}

/// The condition keys a trust policy tests, as `StringLike:token.actions.githubusercontent.com:sub`.
fn trust_conditions(doc: &Node) -> Vec<String> {
    conditions(doc).map(|(op, key, _)| format!("{}:{}", op.text, key.text)).collect()
}

/// The values a trust policy's conditions on GitHub's OIDC tokens accept
/// for one claim (`sub`, `aud`).
fn github_claim(doc: &Node, claim: &str) -> Vec<String> {
    let key = format!("githubusercontent.com:{claim}");
    conditions(doc)
        .filter(|(_, k, _)| k.text.ends_with(&key))
        .flat_map(|(_, _, values)| values.strings().into_iter().map(str::to_string))
        .collect()
}

/// What a role's trust policy says, as the role's attributes: who may
/// assume it, the condition keys it tests, and the subjects and audiences
/// it accepts from GitHub's OIDC tokens.
pub(super) fn trust_attrs(doc: &Node, attrs: &mut BTreeMap<String, String>) {
    attrs.insert("trusted".into(), trusted_principals(doc).join(","));
    attrs.insert("trust_conditions".into(), trust_conditions(doc).join(","));
    attrs.insert("trust_subjects".into(), github_claim(doc, "sub").join(","));
    attrs.insert("trust_audiences".into(), github_claim(doc, "aud").join(","));
}

/// An HCL expression (a `jsonencode` argument) as the common tree.
pub(super) fn from_hcl(e: &hcl::Expr) -> Node {
    let kind = match &e.kind {
        hcl::ExprKind::Object(entries) => Kind::Map(
            entries
                .iter()
                .map(|(k, p, v)| (Key { text: k.trim_matches('"').to_string(), pos: *p }, from_hcl(v)))
                .collect(),
        ),
        hcl::ExprKind::List(items) => Kind::Seq(items.iter().map(from_hcl).collect()),
        hcl::ExprKind::Str(s) | hcl::ExprKind::Heredoc(s) => Kind::Scalar(Scalar { text: s.clone(), quoted: true }),
        other => Kind::Scalar(Scalar {
            text: match other {
                hcl::ExprKind::Template(t) | hcl::ExprKind::Number(t) | hcl::ExprKind::Other(t) => t.clone(),
                hcl::ExprKind::Bool(b) => b.to_string(),
                _ => String::new(),
            },
            quoted: false,
        }),
    };
    Node { pos: e.pos, tag: None, kind }
}

/// A policy written as JSON text (a heredoc or a quoted string) that starts
/// at `at`: parsed, with positions moved to the file's.
pub(super) fn from_json_text(text: &str, at: Pos) -> Option<Node> {
    let doc = crate::syntax::tree::parse(text).ok()?.into_iter().next()?;
    Some(shift(doc, at))
}

fn shift(mut n: Node, at: Pos) -> Node {
    // A heredoc's text starts on the line after its `<<EOF`.
    n.pos = Pos { line: at.line + n.pos.line, col: n.pos.col };
    n.kind = match n.kind {
        Kind::Map(entries) => Kind::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    (Key { text: k.text, pos: Pos { line: at.line + k.pos.line, col: k.pos.col } }, shift(v, at))
                })
                .collect(),
        ),
        Kind::Seq(items) => Kind::Seq(items.into_iter().map(|i| shift(i, at)).collect()),
        other => other,
    };
    n
}
