//! Kubernetes manifests: ServiceAccounts, RBAC roles and bindings, workloads'
//! service-account tokens, and service-account-token Secrets.

use crate::facts::{Credential, FactSet, Grant, Identity};
use crate::syntax::tree::Node;

use super::{env_of, loc, owner_of, string_map};

const WORKLOADS: &[&str] =
    &["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"];

pub(super) struct Manifests;

impl super::Extractor for Manifests {
    fn about(&self) -> super::About {
        super::About {
            source: "Kubernetes manifests",
            reads: "ServiceAccounts, Roles/ClusterRoles, bindings (with their namespace, linked to the role they name in any file), workloads' service accounts and token mounting, token Secrets",
            example: "examples/kubernetes/apps/rbac.yaml",
        }
    }

    fn wants(&self, path: &str, text: &[u8]) -> bool {
        super::documents(path) && super::contains(text, b"apiVersion") && super::contains(text, b"kind")
    }

    fn claims(&self, _path: &str, doc: &Node) -> bool {
        is_manifest(doc)
    }

    fn read_document(&self, path: &str, doc: &Node, facts: &mut FactSet) {
        extract(path, doc, facts);
    }
}

fn is_manifest(doc: &Node) -> bool {
    doc.get("apiVersion").and_then(Node::str).is_some() && doc.get("kind").and_then(Node::str).is_some()
}

fn extract(path: &str, doc: &Node, facts: &mut FactSet) {
    let Some(kind) = doc.get("kind").and_then(Node::str) else { return };
    let kind_at = doc.entry("kind").map(|(k, _)| loc(path, k.pos)).unwrap_or_else(|| loc(path, doc.pos));
    let meta = doc.get("metadata");
    let name = meta.and_then(|m| m.get("name")).and_then(Node::str).unwrap_or("").to_string();
    let namespace = meta.and_then(|m| m.get("namespace")).and_then(Node::str).map(str::to_string);
    let mut tags = string_map(meta.and_then(|m| m.get("labels")));
    tags.extend(string_map(meta.and_then(|m| m.get("annotations"))));
    match kind {
        "List" => {
            for item in doc.get("items").map(Node::items).unwrap_or_default() {
                extract(path, item, facts);
            }
        }
        "ServiceAccount" => {
            let mut id = Identity {
                kind: "k8s_service_account".into(),
                name: name.clone(),
                provider: Some("kubernetes".into()),
                owner: owner_of(&tags),
                env: env_of(&tags).or_else(|| namespace.as_deref().and_then(env_of_namespace)),
                discovered: true,
                location: kind_at.clone(),
                ..Default::default()
            };
            if let Some(ns) = &namespace {
                id.attrs.insert("namespace".into(), ns.clone());
            }
            if let Some((k, v)) = doc.entry("automountServiceAccountToken") {
                id.attrs.insert("automount".into(), v.str().unwrap_or("").to_string());
                id.at.insert("attrs.automount".into(), loc(path, k.pos));
            }
            // Workload identity: the cloud identity the account acts as.
            for (k, v) in &tags {
                if k == "iam.gke.io/gcp-service-account"
                    || k == "eks.amazonaws.com/role-arn"
                    || k.starts_with("azure.workload.identity/client-id")
                {
                    id.attrs.insert("cloud_identity".into(), v.clone());
                }
            }
            id.tags = tags;
            facts.identities.push(id);
        }
        "Role" | "ClusterRole" => {
            for rule in doc.get("rules").map(Node::items).unwrap_or_default() {
                let mut g = Grant {
                    effect: Some("allow".into()),
                    provider: Some("kubernetes".into()),
                    scope: Some(if kind == "ClusterRole" { "cluster".into() } else { "namespace".into() }),
                    location: loc(path, rule.pos),
                    ..Default::default()
                };
                if let Some((k, v)) = rule.entry("verbs") {
                    g.actions = v.strings().into_iter().map(str::to_string).collect();
                    g.at.insert("actions".into(), loc(path, k.pos));
                    super::item_locations(&mut g.at, path, "actions", 0, v.string_positions());
                }
                if let Some((k, v)) = rule.entry("resources") {
                    g.resources = v.strings().into_iter().map(str::to_string).collect();
                    g.at.insert("resources".into(), loc(path, k.pos));
                    super::item_locations(&mut g.at, path, "resources", 0, v.string_positions());
                }
                // URLs such as `/healthz` are not API resources: kept, and
                // named as what they are, never as an empty or `*` resource.
                if let Some((k, v)) = rule.entry("nonResourceURLs") {
                    g.resources.extend(v.strings().into_iter().map(|u| format!("nonResourceURL:{u}")));
                    g.at.entry("resources".into()).or_insert_with(|| loc(path, k.pos));
                }
                if let Some(names) = rule.get("resourceNames") {
                    g.attrs.insert("resource_names".into(), names.strings().join(","));
                }
                if let Some(groups) = rule.get("apiGroups") {
                    g.attrs.insert("api_groups".into(), groups.strings().join(","));
                }
                g.attrs.insert("role".into(), name.clone());
                if kind == "Role" {
                    g.attrs.insert("namespace".into(), known_namespace(namespace.as_deref()));
                }
                facts.grants.push(g);
            }
        }
        "RoleBinding" | "ClusterRoleBinding" => {
            let role_ref = doc.entry("roleRef");
            let role = role_ref.and_then(|(_, r)| r.get("name")).and_then(Node::str).unwrap_or("").to_string();
            let role_kind = role_ref.and_then(|(_, r)| r.get("kind")).and_then(Node::str).unwrap_or("ClusterRole");
            for subject in doc.get("subjects").map(Node::items).unwrap_or_default() {
                let subject_kind = subject.get("kind").and_then(Node::str).unwrap_or("");
                let mut g = Grant {
                    identity: subject.get("name").and_then(Node::str).map(str::to_string),
                    effect: Some("allow".into()),
                    provider: Some("kubernetes".into()),
                    actions: vec![role.clone()],
                    scope: Some(if kind == "ClusterRoleBinding" { "cluster".into() } else { "namespace".into() }),
                    location: loc(path, subject.pos),
                    ..Default::default()
                };
                if let Some((k, _)) = role_ref {
                    g.at.insert("actions".into(), loc(path, k.pos));
                }
                g.attrs.insert("binding".into(), name.clone());
                g.attrs.insert("role_kind".into(), role_kind.to_string());
                if kind == "RoleBinding" {
                    g.attrs.insert("namespace".into(), known_namespace(namespace.as_deref()));
                }
                g.attrs.insert("subject_kind".into(), subject_kind.to_string());
                g.attrs.insert("subject".into(), subject.get("name").and_then(Node::str).unwrap_or("").to_string());
                // A subject's namespace, else the binding's; "" when the
                // manifest leaves it to deploy time.
                let subject_namespace = subject.get("namespace").and_then(Node::str).or(namespace.as_deref());
                g.attrs.insert("subject_namespace".into(), known_namespace(subject_namespace));
                facts.grants.push(g);
            }
        }
        "Secret" if doc.get("type").and_then(Node::str) == Some("kubernetes.io/service-account-token") => {
            let sa = meta
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.get("kubernetes.io/service-account.name"))
                .and_then(Node::str)
                .map(str::to_string);
            let mut c = Credential {
                kind: "service_account_token".into(),
                identity: sa,
                provider: Some("kubernetes".into()),
                long_lived: Some(true),
                location: kind_at,
                ..Default::default()
            };
            c.attrs.insert("source".into(), "secret".into());
            facts.credentials.push(c);
        }
        k if WORKLOADS.contains(&k) => workload(path, doc, &name, kind_at, facts),
        _ => {}
    }
}

/// A workload's pod spec: the account it runs as and whether its token is
/// mounted. The pod's setting wins over the account's.
fn workload(path: &str, doc: &Node, name: &str, kind_at: crate::facts::Location, facts: &mut FactSet) {
    let mut spec = doc.get("spec");
    for step in ["jobTemplate", "spec", "template", "spec"] {
        // CronJob: spec.jobTemplate.spec.template.spec; others: spec.template.spec.
        if let Some(next) = spec.and_then(|s| s.get(step)) {
            spec = Some(next);
        }
    }
    let Some(spec) = spec else { return };
    // Every pod has containers: a pod spec without them is a patch (a
    // kustomize overlay's fragment), merged into a workload read elsewhere.
    if spec.get("containers").is_none() && spec.get("initContainers").is_none() {
        return;
    }
    let account = spec
        .get("serviceAccountName")
        .or_else(|| spec.get("serviceAccount"))
        .and_then(Node::str)
        .unwrap_or("default")
        .to_string();
    let mut c = Credential {
        kind: "service_account_token".into(),
        name: Some(name.to_string()),
        identity: Some(account),
        provider: Some("kubernetes".into()),
        location: kind_at,
        ..Default::default()
    };
    c.attrs.insert("source".into(), "workload".into());
    c.attrs.insert("service_account".into(), c.identity.clone().unwrap_or_default());
    c.attrs.insert("workload".into(), doc.get("kind").and_then(Node::str).unwrap_or("").to_string());
    let namespace = doc.get("metadata").and_then(|m| m.get("namespace")).and_then(Node::str);
    c.attrs.insert("namespace".into(), known_namespace(namespace));
    match spec.entry("automountServiceAccountToken") {
        Some((k, v)) => {
            c.attrs.insert("automount".into(), v.str().unwrap_or("").to_string());
            c.at.insert("attrs.automount".into(), loc(path, k.pos));
        }
        None => {
            c.attrs.insert("automount".into(), "unset".into());
        }
    }
    if spec.get("hostNetwork").and_then(Node::as_bool) == Some(true) {
        c.attrs.insert("host_network".into(), "true".into());
    }
    facts.credentials.push(c);
}

/// A namespace as written, or "" when it is decided at deploy time: left
/// out, or a Helm template's action (`<.Release.Namespace>`).
fn known_namespace(ns: Option<&str>) -> String {
    ns.filter(|n| !(n.starts_with('<') && n.ends_with('>'))).unwrap_or("").to_string()
}

/// The environment a namespace names: `prod`, `payments-staging`, `dev-tools`.
fn env_of_namespace(ns: &str) -> Option<String> {
    ns.split(['-', '_']).find_map(super::inventory::environment).map(str::to_string)
}
