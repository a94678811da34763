//! CloudFormation templates (YAML or JSON): IAM users, roles, policies,
//! access keys and login profiles, and Secrets Manager rotation. Intrinsic
//! functions are read where they name a resource (`!Ref`, `Fn::GetAtt`) and
//! kept as text elsewhere.

use std::collections::BTreeMap;

use crate::facts::{Credential, Duration, FactSet, Identity};
use crate::syntax::{
    self,
    tree::{Key, Node},
};

use super::{env_of, loc, owner_of, policy};

pub(super) struct CloudFormation;

impl super::Extractor for CloudFormation {
    fn about(&self) -> super::About {
        super::About {
            source: "CloudFormation (YAML, JSON, `.template`, by content)",
            reads: "`AWS::IAM::*` users, roles, groups, policies, access keys, login profiles; SAM functions' `Policies`; Secrets Manager rotation; `!Ref`/`!Sub`/`Join` and long forms",
            example: "examples/aws-terraform/cloudformation/ci-user.yaml",
        }
    }

    fn wants(&self, path: &str, text: &[u8]) -> bool {
        const DECLARES: [&[u8]; 4] =
            [b"AWSTemplateFormatVersion", b"AWS::IAM::", b"AWS::Serverless::", b"AWS::SecretsManager::"];
        match syntax::format_of(path) {
            syntax::Format::Yaml | syntax::Format::Json => DECLARES.iter().any(|d| super::contains(text, d)),
            syntax::Format::Text => is_template_text(path, text),
            _ => false,
        }
    }

    /// A template named `.template` (or anything else): known by what it
    /// declares, read as the YAML or JSON it is.
    fn read_text(&self, path: &str, text: &str) -> Option<super::Extraction> {
        if syntax::format_of(path) != syntax::Format::Text || !is_template_text(path, text.as_bytes()) {
            return None;
        }
        Some(match syntax::tree::parse(text) {
            Ok(docs) => {
                let mut facts = FactSet::default();
                for d in docs.iter().filter(|d| is_template(d)) {
                    extract(path, d, &mut facts);
                }
                super::Extraction { facts, problem: None }
            }
            Err(e) => super::Extraction {
                facts: FactSet::default(),
                problem: Some(format!("a CloudFormation template that is not valid YAML or JSON ({e}); no facts read")),
            },
        })
    }

    fn claims(&self, _path: &str, doc: &Node) -> bool {
        is_template(doc)
    }

    fn read_document(&self, path: &str, doc: &Node, facts: &mut FactSet) {
        extract(path, doc, facts);
    }
}

/// Names that are never a template, whatever the file quotes: prose, and
/// source code in languages without a reader of their own (C, C++,
/// assembly, Rust…), which a Linux-sized tree is mostly made of.
const NOT_TEMPLATES: [&str; 26] = [
    "md", "markdown", "rst", "adoc", "txt", "html", "htm", "c", "h", "cc", "cpp", "cxx", "hh", "hpp", "hxx", "s",
    "asm", "rs", "cs", "swift", "kt", "scala", "php", "pl", "dts", "dtsi",
];

/// Text that is a template whatever its name: a JSON object that declares
/// one, or YAML with the template's keys at the top level (documentation
/// that quotes a template is not).
fn is_template_text(path: &str, text: &[u8]) -> bool {
    let never = syntax::extension(syntax::file_name(path))
        .is_some_and(|ext| NOT_TEMPLATES.iter().any(|e| ext.eq_ignore_ascii_case(e)));
    // Every template names a resource type: one search rules out most files.
    // Built once: every text file of a tree is searched.
    static RESOURCE_TYPE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("AWS::"));
    if never || RESOURCE_TYPE.find(text).is_none() {
        return false;
    }
    let json = text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
        && (super::contains(text, b"\"AWSTemplateFormatVersion\"") || super::contains(text, b"\"AWS::"));
    let yaml = text
        .split(|&b| b == b'\n')
        .any(|l| l.starts_with(b"AWSTemplateFormatVersion:") || l.starts_with(b"Resources:"))
        && super::contains(text, b"AWS::");
    json || yaml
}

fn is_template(doc: &Node) -> bool {
    doc.get("AWSTemplateFormatVersion").is_some()
        || doc.get("Resources").is_some_and(|r| {
            r.entries().iter().any(|(_, v)| v.get("Type").and_then(Node::str).is_some_and(|t| t.starts_with("AWS::")))
        })
}

fn extract(path: &str, doc: &Node, facts: &mut FactSet) {
    let Some(resources) = doc.get("Resources") else { return };
    let names: BTreeMap<&str, String> = resources
        .entries()
        .iter()
        .map(|(k, r)| {
            let props = r.get("Properties");
            let name = ["UserName", "RoleName", "GroupName"]
                .iter()
                .find_map(|p| props.and_then(|x| x.get(p)).and_then(Node::str))
                .unwrap_or(&k.text);
            (k.text.as_str(), name.to_string())
        })
        .collect();
    let resolve = |n: &Node| -> String {
        let target = match (n.tag.as_deref(), n.str()) {
            (Some("Ref" | "GetAtt"), Some(s)) => s.split('.').next().unwrap_or(s).to_string(),
            _ => match n.get("Ref").or_else(|| n.get("Fn::GetAtt")) {
                Some(r) => {
                    r.strings().first().map(|s| s.split('.').next().unwrap_or(s).to_string()).unwrap_or_default()
                }
                None => n.str().unwrap_or("").to_string(),
            },
        };
        names.get(target.as_str()).cloned().unwrap_or(target)
    };
    for (key, r) in resources.entries() {
        let ty = r.get("Type").and_then(Node::str).unwrap_or("");
        let props = r.get("Properties");
        let prop = |p: &str| props.and_then(|x| x.get(p));
        let name = names.get(key.text.as_str()).cloned().unwrap_or_default();
        match ty {
            "AWS::IAM::User" | "AWS::IAM::Role" | "AWS::IAM::Group" => {
                // A group is people's: its policies are read, it is no identity.
                let holder_kind = match ty {
                    "AWS::IAM::User" => "user",
                    "AWS::IAM::Role" => "role",
                    _ => "group",
                };
                if holder_kind != "group" {
                    facts.identities.push(identity(path, key, r, &format!("aws_iam_{holder_kind}"), &name));
                }
                let mut attrs = BTreeMap::new();
                attrs.insert("holder_kind".to_string(), holder_kind.to_string());
                for p in prop("Policies").map(Node::items).unwrap_or_default() {
                    if let Some(doc) = p.get("PolicyDocument") {
                        facts.grants.extend(policy::grants(path, doc, Some(&name), &attrs));
                    }
                }
                for arn in prop("ManagedPolicyArns").map(Node::items).unwrap_or_default() {
                    let grant = arn.str().and_then(|a| policy::managed_policy(path, a, arn.pos, Some(&name)));
                    facts.grants.extend(grant.map(|mut g| {
                        g.attrs.extend(attrs.clone());
                        g
                    }));
                }
                if let Some(lp) = props.and_then(|x| x.entry("LoginProfile")) {
                    let mut c = credential(path, lp.0, "password", Some(name.clone()));
                    c.attrs.insert("console".into(), "true".into());
                    facts.credentials.push(c);
                }
            }
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" | "AWS::IAM::RolePolicy" | "AWS::IAM::UserPolicy" => {
                let mut holders: Vec<String> = Vec::new();
                let mut kinds: Vec<&str> = Vec::new();
                for (k, kind) in [
                    ("Roles", "role"),
                    ("Users", "user"),
                    ("Groups", "group"),
                    ("RoleName", "role"),
                    ("UserName", "user"),
                    ("GroupName", "group"),
                ] {
                    let Some(v) = prop(k) else { continue };
                    let named: Vec<String> =
                        if v.items().is_empty() { vec![resolve(v)] } else { v.items().iter().map(resolve).collect() };
                    if !named.is_empty() && !kinds.contains(&kind) {
                        kinds.push(kind);
                    }
                    holders.extend(named);
                }
                if let Some(doc) = prop("PolicyDocument") {
                    let mut attrs = BTreeMap::new();
                    attrs.insert("policy".to_string(), key.text.clone());
                    if !kinds.is_empty() {
                        attrs.insert("holder_kind".to_string(), kinds.join(","));
                    }
                    if holders.len() > 1 {
                        attrs.insert("attached_to".to_string(), holders.join(","));
                    }
                    facts.grants.extend(policy::grants(path, doc, holders.first().map(String::as_str), &attrs));
                }
            }
            // SAM: the function's execution role gets each of `Policies`:
            // an AWS managed policy by name or ARN, or a policy document.
            // SAM's policy templates (`S3ReadPolicy: …`) are not expanded.
            "AWS::Serverless::Function" => {
                let role = format!("{}Role", key.text);
                let policies = prop("Policies");
                let items: Vec<&Node> = match policies {
                    Some(p) if p.items().is_empty() => vec![p],
                    Some(p) => p.items().iter().collect(),
                    None => Vec::new(),
                };
                for item in items {
                    if let Some(name) = item.str() {
                        let arn = if name.starts_with("arn:") {
                            name.to_string()
                        } else {
                            format!("arn:aws:iam::aws:policy/{name}")
                        };
                        facts.grants.extend(policy::managed_policy(path, &arn, item.pos, Some(&role)));
                    } else if item.get("Statement").is_some() {
                        let mut attrs = BTreeMap::new();
                        attrs.insert("function".to_string(), key.text.clone());
                        facts.grants.extend(policy::grants(path, item, Some(&role), &attrs));
                    }
                }
            }
            "AWS::IAM::AccessKey" => {
                let mut c = credential(path, key, "access_key", prop("UserName").map(resolve));
                c.long_lived = Some(true);
                if let Some(s) = prop("Status").and_then(Node::str) {
                    c.attrs.insert("status".into(), s.to_ascii_lowercase());
                }
                facts.credentials.push(c);
            }
            "AWS::SecretsManager::RotationSchedule" => {
                let mut c = credential(path, key, "secret", None);
                c.name = prop("SecretId").map(resolve);
                if let Some((k, days)) = prop("RotationRules").and_then(|r| r.entry("AutomaticallyAfterDays")) {
                    c.rotation = days.str().and_then(|d| d.parse::<i64>().ok()).map(|d| Duration(d * 86_400));
                    c.at.insert("rotation".into(), loc(path, k.pos));
                }
                facts.credentials.push(c);
            }
            _ => {}
        }
    }
}

fn identity(path: &str, key: &Key, r: &Node, kind: &str, name: &str) -> Identity {
    let props = r.get("Properties");
    let mut tags = BTreeMap::new();
    for t in props.and_then(|p| p.get("Tags")).map(Node::items).unwrap_or_default() {
        if let (Some(k), Some(v)) = (t.get("Key").and_then(Node::str), t.get("Value").and_then(Node::str)) {
            tags.insert(k.to_string(), v.to_string());
        }
    }
    let mut id = Identity {
        kind: kind.into(),
        name: name.to_string(),
        provider: Some("aws".into()),
        owner: owner_of(&tags),
        env: env_of(&tags),
        discovered: true,
        location: loc(path, key.pos),
        ..Default::default()
    };
    if let Some((k, _)) = props.and_then(|p| p.entry("Tags")).filter(|_| id.owner.is_some()) {
        id.at.insert("owner".into(), loc(path, k.pos));
    }
    if let Some((k, doc)) = props.and_then(|p| p.entry("AssumeRolePolicyDocument")) {
        // The document may be written as JSON text in a YAML string.
        let parsed = doc.str().and_then(|text| syntax::tree::parse_as(syntax::Format::Json, text).ok());
        let doc = parsed.as_ref().and_then(|docs| docs.first()).unwrap_or(doc);
        policy::trust_attrs(doc, &mut id.attrs);
        id.at.insert("attrs.trusted".into(), loc(path, k.pos));
    }
    id.tags = tags;
    id
}

fn credential(path: &str, key: &Key, kind: &str, identity: Option<String>) -> Credential {
    let mut c = Credential {
        kind: kind.into(),
        identity,
        provider: Some("aws".into()),
        location: loc(path, key.pos),
        ..Default::default()
    };
    c.attrs.insert("source".into(), "cloudformation".into());
    c
}
