//! Terraform: IAM users, roles, policies and keys (AWS), service accounts,
//! keys and role bindings (GCP), applications, service principals, their
//! passwords and role assignments (Azure AD / azurerm), and Kubernetes
//! resources.
//!
//! Identities are named by what the cloud calls them (`name`, `account_id`,
//! `display_name`), not by Terraform's resource labels; references such as
//! `aws_iam_user.bot.name` are resolved through the labels of the same file.

use std::collections::BTreeMap;

use crate::facts::{Credential, Date, Duration, FactSet, Grant, Identity, Location};
use crate::syntax::hcl::{Attr, Block, Body, Expr, ExprKind};

use super::{env_of, loc, owner_of, policy};

/// Resource types that are identities, with the fact kind, the provider and
/// the attribute that names them.
const IDENTITIES: &[(&str, &str, &str, &str)] = &[
    ("aws_iam_user", "aws_iam_user", "aws", "name"),
    ("aws_iam_role", "aws_iam_role", "aws", "name"),
    ("google_service_account", "gcp_service_account", "gcp", "account_id"),
    ("azuread_application", "azure_application", "azure", "display_name"),
    ("azuread_application_registration", "azure_application", "azure", "display_name"),
    ("azuread_service_principal", "azure_service_principal", "azure", "client_id"),
    ("azurerm_user_assigned_identity", "azure_managed_identity", "azure", "name"),
    ("kubernetes_service_account", "k8s_service_account", "kubernetes", "metadata.name"),
    ("kubernetes_service_account_v1", "k8s_service_account", "kubernetes", "metadata.name"),
];

pub(super) struct Terraform;

impl super::Extractor for Terraform {
    fn about(&self) -> super::About {
        super::About {
            source: "Terraform",
            reads: "AWS IAM users, roles, policies (inline, `jsonencode`, heredoc, `aws_iam_policy_document` with `dynamic` statements), attachments, access keys, login profiles, Secrets Manager rotation; GCP service accounts, keys, IAM members and bindings; Azure AD applications, service principals, passwords (with `end_date`), Graph permissions, role assignments, custom role definitions; Kubernetes service accounts, roles and bindings. A folder is a module: variable defaults, locals and the AWS provider's `default_tags` resolve across its files, and so do references (a policy attached in another file); `this[0]` references link; `for_each` over known keys makes one identity per key; a local `module` call makes an instance with the call's inputs (names, owners and actions it passes, reported at the call), while resources behind `count`/`for_each` stay at module level; trust policies written as `aws_iam_policy_document` are read with their role; names written as expressions are resource addresses (`attrs[\"address\"]` keeps it alongside a cloud name). One broken block costs that block, not the file",
            example: "examples/aws-terraform/legacy.tf",
        }
    }

    fn wants(&self, path: &str, _text: &[u8]) -> bool {
        path.ends_with(".tf")
    }

    fn read_text(&self, path: &str, text: &str) -> Option<super::Extraction> {
        if !path.ends_with(".tf") {
            return None;
        }
        Some(match crate::syntax::hcl::parse(text) {
            Ok(body) => super::Extraction { facts: extract(path, &body), problem: None },
            Err(e) => match crate::syntax::hcl::parse_skipping_broken_blocks(text) {
                Some((body, broken)) => {
                    let skipped: Vec<String> = broken.iter().map(|b| format!("{b}")).collect();
                    super::Extraction {
                        facts: extract(path, &body),
                        problem: Some(format!("not valid HCL ({}); the rest of the file was read", skipped.join("; "))),
                    }
                }
                None => super::Extraction {
                    facts: FactSet::default(),
                    problem: Some(format!("not valid HCL ({e}); no facts read")),
                },
            },
        })
    }
}

fn extract(path: &str, body: &Body) -> FactSet {
    let tf = File::new(path, body);
    let mut facts = FactSet::default();
    let mut module = module_values(path, body);
    module.names.extend(tf.names.iter().map(|(k, v)| (k.clone(), v.clone())));
    for b in tf.resources.iter().filter(|b| b.labels[0] == "aws_iam_policy") {
        module.policies.insert(b.labels[1].clone(), nested_str(&b.body, "name").unwrap_or_else(|| b.labels[1].clone()));
    }
    if !module.is_empty() {
        facts.modules.insert(module_dir(path).to_string(), module);
    }
    for b in &tf.resources {
        let before = Made::of(&facts);
        tf.resource(b, &mut facts);
        before.mark_if_conditional(b, &mut facts);
    }
    facts.module_calls.extend(body.blocks_of("module").filter_map(|m| module_call(path, m)));
    for b in body.blocks_of("data") {
        let before = Made::of(&facts);
        if b.labels.first().map(String::as_str) == Some("aws_iam_policy_document") {
            let label = b.labels.get(1).cloned().unwrap_or_default();
            // A role's trust policy says who may assume it, not what anyone
            // may do: read with the role (`identity`), not as grants.
            if tf.trust_documents.contains(&label) {
                continue;
            }
            let holder = tf.holder_of_document(&label);
            for s in b.body.blocks_of("statement") {
                facts.grants.push(tf.statement_grant(s, holder.as_deref(), &label));
            }
            // `dynamic "statement"`: its content is a statement whose
            // iterator values stay unknown (written as the expression).
            for d in b.body.blocks_of("dynamic").filter(|d| d.labels.first().map(String::as_str) == Some("statement")) {
                for content in d.body.blocks_of("content") {
                    let mut g = tf.statement_grant(content, holder.as_deref(), &label);
                    g.attrs.insert("dynamic".into(), "true".into());
                    facts.grants.push(g);
                }
            }
        }
        if b.labels.first().map(String::as_str) == Some("google_iam_policy") {
            for binding in b.body.blocks_of("binding") {
                facts.grants.extend(tf.gcp_binding(&binding.body, binding.pos, "policy"));
            }
        }
        before.mark_if_conditional(b, &mut facts);
    }
    facts
}

/// How many facts there were before a block was read.
struct Made(usize, usize, usize);

impl Made {
    fn of(facts: &FactSet) -> Made {
        Made(facts.identities.len(), facts.credentials.len(), facts.grants.len())
    }

    /// The facts a block with `count` or `for_each` made are conditional
    /// (`FactSet::conditional`).
    fn mark_if_conditional(self, b: &Block, facts: &mut FactSet) {
        if !["count", "for_each"].iter().any(|k| b.body.attr(k).is_some()) {
            return;
        }
        let made = facts.identities[self.0..].iter().map(|x| &x.location);
        let made = made.chain(facts.credentials[self.1..].iter().map(|x| &x.location));
        let made: Vec<Location> = made.chain(facts.grants[self.2..].iter().map(|x| &x.location)).cloned().collect();
        facts.conditional.extend(made);
    }
}

struct File<'a> {
    path: &'a str,
    resources: Vec<&'a Block>,
    /// `aws_iam_user.bot` → `deploy-bot`.
    names: BTreeMap<String, String>,
    /// Policy label → the identities it is attached to.
    attached: BTreeMap<String, Vec<String>>,
    /// `aws_iam_policy_document` data sources a role's `assume_role_policy` uses.
    trust_documents: std::collections::BTreeSet<String>,
    /// Every `aws_iam_policy_document` of the file, by label.
    documents: BTreeMap<String, &'a Block>,
}

impl<'a> File<'a> {
    fn new(path: &'a str, body: &'a Body) -> File<'a> {
        let resources: Vec<&Block> = body.blocks_of("resource").filter(|b| b.labels.len() == 2).collect();
        let trust_documents = resources
            .iter()
            .filter_map(|b| b.body.attr("assume_role_policy"))
            .filter_map(|a| document_label(&a.value))
            .collect();
        let documents = body
            .blocks_of("data")
            .filter(|b| b.labels.first().map(String::as_str) == Some("aws_iam_policy_document"))
            .filter_map(|b| Some((b.labels.get(1)?.clone(), b)))
            .collect();
        let mut tf =
            File { path, resources, names: BTreeMap::new(), attached: BTreeMap::new(), trust_documents, documents };
        for b in &tf.resources {
            let (ty, label) = (&b.labels[0], &b.labels[1]);
            if let Some(attr) = IDENTITIES.iter().find(|i| i.0 == ty).map(|i| i.3) {
                // A name written as an expression (`var.name`, a condition)
                // is not known here: the resource's address names it.
                let name = literal_str(&b.body, attr).unwrap_or_else(|| format!("{ty}.{label}"));
                tf.names.insert(format!("{ty}.{label}"), name);
            }
            if ty == "azuread_service_principal" {
                // A service principal is best known by its application's name.
                if let Some(app) = ["client_id", "application_id"].iter().find_map(|a| b.body.attr(a)) {
                    let name = tf.reference(&app.value);
                    tf.names.insert(format!("{ty}.{label}"), name);
                }
            }
        }
        for b in &tf.resources {
            let ty = b.labels[0].as_str();
            if ty.starts_with("aws_iam_") && ty.ends_with("policy_attachment") {
                let Some(policy) = b.body.attr("policy_arn").map(|a| a.value.text()) else { continue };
                let Some(label) = policy.strip_prefix("aws_iam_policy.").and_then(|p| p.split('.').next()) else {
                    continue;
                };
                let holders = ["role", "user", "roles", "users"]
                    .iter()
                    .filter_map(|k| b.body.attr(k))
                    .flat_map(|a| match &a.value.kind {
                        ExprKind::List(items) => items.iter().map(|i| tf.reference(i)).collect(),
                        _ => vec![tf.reference(&a.value)],
                    })
                    .collect::<Vec<_>>();
                tf.attached.entry(label.to_string()).or_default().extend(holders);
            }
        }
        tf
    }

    /// The cloud name behind a reference (`aws_iam_user.bot.name`), or the
    /// literal itself.
    fn reference(&self, e: &Expr) -> String {
        let text = e.text();
        if let Some(name) = resource_address(&text).and_then(|a| self.names.get(&a)) {
            return name.clone();
        }
        // `serviceAccount:bot@project.iam.gserviceaccount.com` → `bot`.
        let bare = text.strip_prefix("serviceAccount:").unwrap_or(&text);
        match bare.split_once('@') {
            Some((name, domain)) if domain.ends_with(".gserviceaccount.com") => name.to_string(),
            _ => text.rsplit('/').next().unwrap_or(&text).to_string(),
        }
    }

    fn at(&self, pos: crate::syntax::Pos) -> Location {
        loc(self.path, pos)
    }

    /// A list attribute of a grant's block (`actions`, `resources`): its
    /// values, with where it and each of its items are written.
    fn grant_list(&self, body: &Body, field: &str, at: &mut BTreeMap<String, Location>) -> Option<Vec<String>> {
        let a = body.attr(field)?;
        at.insert(field.into(), self.at(a.pos));
        let items = match &a.value.kind {
            ExprKind::List(items) => items.iter().map(|i| i.pos).collect(),
            _ => vec![a.value.pos],
        };
        super::item_locations(at, self.path, field, 0, items);
        Some(strings(&a.value))
    }

    /// The identity that holds a policy document, where the file says: an
    /// inline role policy or an attached managed policy that embeds it.
    fn holder_of_document(&self, label: &str) -> Option<String> {
        let needle = format!("data.aws_iam_policy_document.{label}.json");
        self.resources.iter().find_map(|b| {
            b.body.attr("policy").filter(|a| a.value.text() == needle)?;
            match b.labels[0].as_str() {
                "aws_iam_policy" => self.attached.get(&b.labels[1]).and_then(|h| h.first().cloned()),
                _ => ["role", "user"].iter().find_map(|k| b.body.attr(k)).map(|a| self.reference(&a.value)),
            }
        })
    }

    fn resource(&self, b: &Block, facts: &mut FactSet) {
        let (ty, label) = (b.labels[0].as_str(), b.labels[1].as_str());
        if let Some(&(_, kind, provider, _)) = IDENTITIES.iter().find(|i| i.0 == ty) {
            facts.identities.push(self.identity(b, kind, provider));
        }
        match ty {
            "aws_iam_role" => {
                for p in b.body.blocks_of("inline_policy") {
                    facts.grants.extend(self.policy_grants(&p.body, Some(self.name_of(b))));
                }
                if let Some(arns) = b.body.attr("managed_policy_arns") {
                    let name = self.name_of(b);
                    for arn in arns.value.items() {
                        facts.grants.extend(self.managed_policy(arn, Some(&name)));
                    }
                }
            }
            "aws_iam_policy" => {
                let holders = self.attached.get(label).cloned().unwrap_or_default();
                let mut grants = self.policy_grants(&b.body, holders.first().cloned());
                for g in &mut grants {
                    // Its attachments say whom it is attached to.
                    g.attrs.insert("holder_kind".into(), "policy".into());
                    if let Some(name) = nested_str(&b.body, "name") {
                        g.attrs.insert("policy".into(), name);
                    }
                    if holders.len() > 1 {
                        g.attrs.insert("attached_to".into(), holders.join(","));
                    }
                }
                facts.grants.extend(grants);
            }
            "aws_iam_role_policy" | "aws_iam_user_policy" | "aws_iam_group_policy" => {
                let holder = ["role", "user"].iter().find_map(|k| b.body.attr(k)).map(|a| self.reference(&a.value));
                let mut grants = self.policy_grants(&b.body, holder);
                let kind = ty.trim_start_matches("aws_iam_").trim_end_matches("_policy");
                grants.iter_mut().for_each(|g| {
                    g.attrs.insert("holder_kind".into(), kind.into());
                });
                if let Some(g) = b.body.attr("group") {
                    grants.iter_mut().for_each(|x| {
                        x.attrs.insert("group".into(), self.reference(&g.value));
                    });
                }
                facts.grants.extend(grants);
            }
            // One grant per holder: what it is given (an AWS managed policy
            // by name, else the policy's ARN or reference) and what kind of
            // holder it is; a customer policy's statements are read where
            // the policy is defined.
            t if t.starts_with("aws_iam_") && t.ends_with("policy_attachment") => {
                let Some(arn) = b.body.attr("policy_arn") else { return };
                for (kind, holder) in self.holders(&b.body) {
                    let mut g = self.managed_policy(&arn.value, Some(&holder)).unwrap_or_else(|| {
                        let mut g = policy::attachment(self.path, arn.pos, Some(&holder));
                        g.attrs.insert("policy".into(), arn.value.text());
                        g
                    });
                    g.attrs.insert("holder_kind".into(), kind.into());
                    facts.grants.push(g);
                }
            }
            "aws_iam_access_key" => {
                let mut c =
                    self.credential(b, "access_key", "aws", b.body.attr("user").map(|a| self.reference(&a.value)));
                c.long_lived = Some(true);
                if let Some(status) = b.body.attr("status").and_then(|a| a.value.str()) {
                    c.attrs.insert("status".into(), status.to_ascii_lowercase());
                }
                facts.credentials.push(c);
            }
            "aws_iam_user_login_profile" => {
                let mut c =
                    self.credential(b, "password", "aws", b.body.attr("user").map(|a| self.reference(&a.value)));
                c.attrs.insert("console".into(), "true".into());
                facts.credentials.push(c);
            }
            "aws_secretsmanager_secret_rotation" => {
                let mut c = self.credential(b, "secret", "aws", None);
                c.name = b.body.attr("secret_id").map(|a| a.value.text());
                for rules in b.body.blocks_of("rotation_rules") {
                    if let Some(days) = rules.body.attr("automatically_after_days") {
                        c.rotation = days.value.text().parse::<i64>().ok().map(|d| Duration(d * 86_400));
                        c.at.insert("rotation".into(), self.at(days.pos));
                    } else if let Some(expr) = rules.body.attr("schedule_expression") {
                        c.attrs.insert("schedule".into(), expr.value.text());
                        c.rotation = rate_days(&expr.value.text()).map(|d| Duration(d * 86_400));
                        c.at.insert("rotation".into(), self.at(expr.pos));
                    }
                }
                facts.credentials.push(c);
            }
            "google_service_account_key" => {
                let holder = b.body.attr("service_account_id").map(|a| self.reference(&a.value));
                let mut c = self.credential(b, "service_account_key", "gcp", holder);
                c.long_lived = Some(true);
                if b.body.attr("public_key_data").is_some() {
                    c.attrs.insert("uploaded".into(), "true".into());
                }
                facts.credentials.push(c);
            }
            "azuread_application_password"
            | "azuread_service_principal_password"
            | "azuread_application_certificate" => {
                let holder = ["application_id", "application_object_id", "service_principal_id"]
                    .iter()
                    .find_map(|k| b.body.attr(k))
                    .map(|a| self.reference(&a.value));
                let kind = if ty.ends_with("certificate") { "certificate" } else { "client_secret" };
                let mut c = self.credential(b, kind, "azure", holder);
                c.long_lived = Some(true);
                if let Some(end) = b.body.attr("end_date") {
                    c.expires = end.value.str().and_then(|s| Date::parse(s).ok());
                    c.at.insert("expires".into(), self.at(end.pos));
                }
                if let Some(rel) = b.body.attr("end_date_relative") {
                    c.attrs.insert("end_date_relative".into(), rel.value.text());
                    if let Some(hours) = rel.value.text().strip_suffix('h').and_then(|h| h.parse::<i64>().ok()) {
                        c.attrs.insert("valid_days".into(), (hours / 24).to_string());
                    }
                }
                facts.credentials.push(c);
            }
            t if t.starts_with("google_") && (t.ends_with("_iam_member") || t.ends_with("_iam_binding")) => {
                let scope = t.trim_start_matches("google_").split("_iam_").next().unwrap_or("").to_string();
                facts.grants.extend(self.gcp_binding(&b.body, b.pos, &scope));
            }
            "azurerm_role_assignment" => facts.grants.push(self.azure_assignment(b)),
            // A custom role: what it allows, wherever it is assigned.
            "azurerm_role_definition" => {
                let role = literal_str(&b.body, "name").unwrap_or_else(|| format!("{ty}.{label}"));
                let scopes = b
                    .body
                    .attr("assignable_scopes")
                    .map(|a| strings(&a.value))
                    .or_else(|| b.body.attr("scope").map(|a| vec![a.value.text()]))
                    .unwrap_or_default();
                for p in b.body.blocks_of("permissions") {
                    let mut g = Grant {
                        provider: Some("azure".into()),
                        effect: Some("allow".into()),
                        resources: scopes.clone(),
                        location: self.at(p.pos),
                        ..Default::default()
                    };
                    if let Some(list) = self.grant_list(&p.body, "actions", &mut g.at) {
                        g.actions = list;
                    }
                    if let Some(list) = self.grant_list(&p.body, "not_actions", &mut g.at) {
                        g.not_actions = list;
                    }
                    g.attrs.insert("role".into(), role.clone());
                    g.scope = Some("role_definition".into());
                    facts.grants.push(g);
                }
            }
            "kubernetes_role" | "kubernetes_role_v1" | "kubernetes_cluster_role" | "kubernetes_cluster_role_v1" => {
                let role = nested_str(&b.body, "metadata.name").unwrap_or_else(|| label.to_string());
                for r in b.body.blocks_of("rule") {
                    let mut g = Grant {
                        provider: Some("kubernetes".into()),
                        effect: Some("allow".into()),
                        location: self.at(r.pos),
                        ..Default::default()
                    };
                    for (attr, field) in [("verbs", "actions"), ("resources", "resources")] {
                        if let Some(a) = r.body.attr(attr) {
                            let list = strings(&a.value);
                            g.at.insert(field.into(), self.at(a.pos));
                            if field == "actions" { g.actions = list } else { g.resources = list }
                        }
                    }
                    if let Some(a) = r.body.attr("resource_names") {
                        g.attrs.insert("resource_names".into(), strings(&a.value).join(","));
                    }
                    if let Some(a) = r.body.attr("api_groups") {
                        g.attrs.insert("api_groups".into(), strings(&a.value).join(","));
                    }
                    g.attrs.insert("role".into(), role.clone());
                    if !ty.contains("cluster") {
                        g.attrs
                            .insert("namespace".into(), nested_str(&b.body, "metadata.namespace").unwrap_or_default());
                    }
                    g.scope = Some(if ty.contains("cluster") { "cluster".into() } else { "namespace".into() });
                    facts.grants.push(g);
                }
            }
            "kubernetes_cluster_role_binding"
            | "kubernetes_cluster_role_binding_v1"
            | "kubernetes_role_binding"
            | "kubernetes_role_binding_v1" => {
                let role = b.body.blocks_of("role_ref").find_map(|r| nested_str(&r.body, "name")).unwrap_or_default();
                let role_at = b.body.blocks_of("role_ref").next().map(|r| self.at(r.pos));
                let role_kind = b.body.blocks_of("role_ref").find_map(|r| nested_str(&r.body, "kind"));
                let binding = nested_str(&b.body, "metadata.name").unwrap_or_else(|| label.to_string());
                let namespace = nested_str(&b.body, "metadata.namespace").unwrap_or_default();
                for s in b.body.blocks_of("subject") {
                    let mut g = Grant {
                        identity: nested_str(&s.body, "name"),
                        provider: Some("kubernetes".into()),
                        effect: Some("allow".into()),
                        actions: vec![role.clone()],
                        location: self.at(b.pos),
                        scope: Some(if ty.contains("cluster") { "cluster".into() } else { "namespace".into() }),
                        ..Default::default()
                    };
                    g.attrs.insert("binding".into(), binding.clone());
                    g.attrs.insert("role_kind".into(), role_kind.clone().unwrap_or_else(|| "ClusterRole".into()));
                    if !ty.contains("cluster") {
                        g.attrs.insert("namespace".into(), namespace.clone());
                    }
                    g.attrs.insert("subject_kind".into(), nested_str(&s.body, "kind").unwrap_or_default());
                    g.attrs.insert("subject".into(), nested_str(&s.body, "name").unwrap_or_default());
                    if let Some(at) = &role_at {
                        g.at.insert("actions".into(), at.clone());
                    }
                    facts.grants.push(g);
                }
            }
            _ => {}
        }
    }

    fn name_of(&self, b: &Block) -> String {
        self.names.get(&format!("{}.{}", b.labels[0], b.labels[1])).cloned().unwrap_or_else(|| b.labels[1].clone())
    }

    fn identity(&self, b: &Block, kind: &str, provider: &str) -> Identity {
        let mut id = Identity {
            kind: kind.into(),
            name: self.name_of(b),
            provider: Some(provider.into()),
            discovered: true,
            location: self.at(b.pos),
            ..Default::default()
        };
        id.attrs.insert("address".into(), format!("{}.{}", b.labels[0], b.labels[1]));
        let tags_attr = ["tags", "labels"].iter().find_map(|k| b.body.attr(k));
        let mut tags = tags_attr.map(|a| object_strings(&a.value)).unwrap_or_default();
        // Kubernetes resources carry labels and annotations in `metadata`.
        for m in b.body.blocks_of("metadata") {
            for k in ["labels", "annotations"] {
                if let Some(a) = m.body.attr(k) {
                    tags.extend(object_strings(&a.value));
                }
            }
        }
        // Azure AD's `tags` is a list of strings; `owners` holds object ids.
        if let Some(list) = tags_attr.filter(|a| matches!(a.value.kind, ExprKind::List(_))) {
            for t in strings(&list.value) {
                if let Some((k, v)) = t.split_once(['=', ':']) {
                    tags.insert(k.trim().into(), v.trim().into());
                }
            }
        }
        id.owner = owner_of(&tags);
        // Azure AD's `owners` lists object ids: an owner, if not a team name.
        if id.owner.is_none()
            && let Some(owners) = b.body.attr("owners")
        {
            id.owner = Some(strings(&owners.value).join(","));
        }
        // Tags a module's caller passes in (`tags = var.tags`, `merge(var.tags,
        // {…})`) may carry the owner: not known from here.
        if id.owner.is_none()
            && let Some(input) = tags_attr.and_then(|a| input_reference(&a.value))
        {
            id.attrs.insert("owner_from_input".into(), input);
        }
        // A name a module's caller passes in (`name = var.name`), or each
        // instance's key (`name = each.value`).
        let name_attr = IDENTITIES.iter().find(|x| x.0 == b.labels[0]).and_then(|x| nested_attr(&b.body, x.3));
        let from_each = name_attr.and_then(|a| match &a.value.kind {
            ExprKind::Other(s) if s == "each.value" || s == "each.key" => Some(s.clone()),
            _ => None,
        });
        if let Some(input) = from_each.or_else(|| name_attr.and_then(|a| input_reference(&a.value))) {
            id.attrs.insert("name_from_input".into(), input);
        }
        if let Some(over) = b.body.attr("for_each").and_then(|a| for_each_keys(&a.value)) {
            id.attrs.insert("for_each".into(), over);
        }
        id.env = env_of(&tags);
        if let Some(a) = tags_attr.filter(|_| id.owner.is_some()) {
            id.at.insert("owner".into(), self.at(a.pos));
        }
        if let Some(d) = b.body.attr("description").and_then(|a| a.value.str()) {
            id.attrs.insert("description".into(), d.into());
        }
        if let Some(trust) = b.body.attr("assume_role_policy") {
            let document = document_label(&trust.value).and_then(|l| self.documents.get(&l)).map(|d| document_node(d));
            if let Some(doc) = policy_doc(&trust.value).or(document) {
                policy::trust_attrs(&doc, &mut id.attrs);
            }
            id.at.insert("attrs.trusted".into(), self.at(trust.pos));
        }
        for access in b.body.blocks_of("required_resource_access") {
            for r in access.body.blocks_of("resource_access") {
                if let Some(id_attr) = r.body.attr("id") {
                    id.scopes.push(graph_permission(&id_attr.value.text()));
                    id.at.entry("scopes".into()).or_insert_with(|| self.at(id_attr.pos));
                }
            }
        }
        if let Some(a) = b.body.attr("automount_service_account_token") {
            id.attrs.insert("automount".into(), a.value.text());
            id.at.insert("attrs.automount".into(), self.at(a.pos));
        }
        id.tags = tags;
        id
    }

    fn credential(&self, b: &Block, kind: &str, provider: &str, identity: Option<String>) -> Credential {
        let mut c = Credential {
            kind: kind.into(),
            identity,
            provider: Some(provider.into()),
            location: self.at(b.pos),
            ..Default::default()
        };
        c.attrs.insert("source".into(), "terraform".into());
        c
    }

    /// The grants of a `policy` attribute: `jsonencode({...})`, a heredoc or
    /// a JSON string.
    fn policy_grants(&self, body: &Body, holder: Option<String>) -> Vec<Grant> {
        let Some(attr) = body.attr("policy") else { return Vec::new() };
        let Some(doc) = policy_doc(&attr.value) else { return Vec::new() };
        policy::grants(self.path, &doc, holder.as_deref(), &BTreeMap::new())
    }

    /// The holders an attachment names (`role`, `users = [...]`, …), each
    /// with its kind: `role`, `user` or `group`.
    fn holders(&self, body: &Body) -> Vec<(&'static str, String)> {
        let attrs = [
            ("role", "role"),
            ("user", "user"),
            ("group", "group"),
            ("roles", "role"),
            ("users", "user"),
            ("groups", "group"),
        ];
        let mut out = Vec::new();
        for (attr, kind) in attrs {
            let Some(a) = body.attr(attr) else { continue };
            match &a.value.kind {
                ExprKind::Null => {}
                ExprKind::List(items) => out.extend(items.iter().map(|i| (kind, self.reference(i)))),
                _ => out.push((kind, self.reference(&a.value))),
            }
        }
        out
    }

    fn managed_policy(&self, arn: &Expr, holder: Option<&str>) -> Option<Grant> {
        policy::managed_policy(self.path, &arn.text(), arn.pos, holder)
    }

    fn statement_grant(&self, s: &Block, holder: Option<&str>, document: &str) -> Grant {
        let mut g = Grant {
            identity: holder.map(str::to_string),
            provider: Some("aws".into()),
            effect: Some(nested_str(&s.body, "effect").unwrap_or_else(|| "Allow".into()).to_ascii_lowercase()),
            location: self.at(s.pos),
            ..Default::default()
        };
        for field in ["actions", "not_actions", "resources"] {
            if let Some(list) = self.grant_list(&s.body, field, &mut g.at) {
                match field {
                    "actions" => g.actions = list,
                    "not_actions" => g.not_actions = list,
                    _ => g.resources = list,
                }
            }
        }
        if let Some(a) = s.body.attr("not_resources") {
            g.attrs.insert("not_resource".into(), strings(&a.value).join(","));
        }
        for c in s.body.blocks_of("condition") {
            let test = nested_str(&c.body, "test").unwrap_or_default();
            let variable = nested_str(&c.body, "variable").unwrap_or_default();
            let values = c.body.attr("values").map(|a| strings(&a.value).join(",")).unwrap_or_default();
            g.conditions.insert(format!("{test}:{variable}"), values);
        }
        g.attrs.insert("policy_document".into(), document.into());
        if let Some(sid) = nested_str(&s.body, "sid") {
            g.attrs.insert("sid".into(), sid);
        }
        g
    }

    fn gcp_binding(&self, body: &Body, pos: crate::syntax::Pos, scope: &str) -> Vec<Grant> {
        let role = body.attr("role");
        let members: Vec<&Expr> = match (body.attr("member"), body.attr("members")) {
            (Some(m), _) => vec![&m.value],
            (None, Some(ms)) => ms.value.items().iter().collect(),
            _ => vec![],
        };
        let target =
            ["project", "folder", "org_id", "bucket", "service_account_id", "secret_id", "topic", "dataset_id"]
                .iter()
                .find_map(|k| body.attr(k))
                .map(|a| a.value.text());
        members
            .into_iter()
            .map(|m| {
                let member = m.text();
                let mut g = Grant {
                    identity: Some(self.reference(m)),
                    provider: Some("gcp".into()),
                    effect: Some("allow".into()),
                    actions: role.map(|r| vec![r.value.text()]).unwrap_or_default(),
                    resources: target.clone().into_iter().collect(),
                    scope: Some(scope.to_string()),
                    location: self.at(pos),
                    ..Default::default()
                };
                if let Some(r) = role {
                    g.at.insert("actions".into(), self.at(r.pos));
                }
                g.attrs.insert("member".into(), member);
                if body.blocks_of("condition").next().is_some() {
                    g.conditions.insert("condition".into(), "true".into());
                }
                g
            })
            .collect()
    }

    fn azure_assignment(&self, b: &Block) -> Grant {
        let role = b.body.attr("role_definition_name").or_else(|| b.body.attr("role_definition_id"));
        let scope_text = b.body.attr("scope").map(|a| a.value.text()).unwrap_or_default();
        let scope = azure_scope(&scope_text);
        let mut g = Grant {
            identity: b.body.attr("principal_id").map(|a| self.reference(&a.value)),
            provider: Some("azure".into()),
            effect: Some("allow".into()),
            actions: role.map(|r| vec![r.value.text()]).unwrap_or_default(),
            resources: vec![scope_text],
            scope: Some(scope.into()),
            location: self.at(b.pos),
            ..Default::default()
        };
        if let Some(r) = role {
            g.at.insert("actions".into(), self.at(r.pos));
        }
        g
    }
}

/// What an Azure scope string names: a subscription, a resource group or a
/// single resource. References to subscriptions count as subscriptions.
fn azure_scope(scope: &str) -> &'static str {
    let s = scope.to_ascii_lowercase();
    if s.contains("/resourcegroups/") && s.contains("/providers/") {
        "resource"
    } else if s.contains("/resourcegroups/") || s.contains("azurerm_resource_group") {
        "resource_group"
    } else if s.contains("subscription") {
        "subscription"
    } else if s.contains("managementgroup") || s.contains("management_group") || s == "/" {
        "management_group"
    } else {
        "resource"
    }
}

/// Microsoft Graph application permissions by id, for the ones that reach
/// the whole tenant (ids from Microsoft's permissions reference).
const GRAPH_PERMISSIONS: &[(&str, &str)] = &[
    ("19dbc75e-c2e2-444c-a770-ec69d8559fc7", "Directory.ReadWrite.All"),
    ("1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9", "Application.ReadWrite.All"),
    ("9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8", "RoleManagement.ReadWrite.Directory"),
    ("06b708a9-e830-4db3-a914-8e69da51d44f", "AppRoleAssignment.ReadWrite.All"),
];

/// A `resource_access` id as a permission name: a known id, or the name in
/// `…app_role_ids["Directory.ReadWrite.All"]`, or the text itself.
fn graph_permission(id: &str) -> String {
    if let Some((_, name)) = GRAPH_PERMISSIONS.iter().find(|(g, _)| id.eq_ignore_ascii_case(g)) {
        return (*name).to_string();
    }
    match id.split_once("[\"").and_then(|(_, rest)| rest.split_once("\"]")) {
        Some((name, _)) => name.to_string(),
        None => id.to_string(),
    }
}

/// `rate(30 days)` → 30.
fn rate_days(expr: &str) -> Option<i64> {
    let inner = expr.trim().strip_prefix("rate(")?.strip_suffix(')')?;
    let (n, unit) = inner.trim().split_once(' ')?;
    let n: i64 = n.parse().ok()?;
    match unit.trim_end_matches('s') {
        "day" => Some(n),
        "hour" => Some(n / 24),
        _ => None,
    }
}

/// `data.aws_iam_policy_document.LABEL.json` → `LABEL`.
fn document_label(e: &Expr) -> Option<String> {
    let text = e.text();
    let rest = text.trim_start_matches("${").strip_prefix("data.aws_iam_policy_document.")?;
    Some(rest.split('.').next()?.to_string())
}

/// An `aws_iam_policy_document` as the policy JSON it renders: statements
/// with `Effect`, `Action`, `Principal` and `Condition`. Values written as
/// expressions are unknown here and left out, so that a condition on a
/// variable is not read as a condition on its name.
fn document_node(d: &Block) -> crate::syntax::tree::Node {
    use crate::syntax::tree::{Key, Kind, Node, Scalar};
    let node = |kind| Node { pos: d.pos, tag: None, kind };
    let key = |text: &str| Key { text: text.to_string(), pos: d.pos };
    let literal = |e: &Expr| -> Vec<Node> {
        let items: Vec<&Expr> = match &e.kind {
            ExprKind::List(items) => items.iter().collect(),
            _ => vec![e],
        };
        items
            .into_iter()
            .filter_map(|i| i.str())
            .map(|t| node(Kind::Scalar(Scalar { text: t.to_string(), quoted: true })))
            .collect()
    };
    let list = |body: &Body, attr: &str| body.attr(attr).map(|a| literal(&a.value)).unwrap_or_default();
    let one = |body: &Body, attr: &str| list(body, attr).into_iter().next();
    let mut statements = Vec::new();
    for s in d.body.blocks_of("statement") {
        let mut entries = vec![(
            key("Effect"),
            one(&s.body, "effect").unwrap_or_else(|| node(Kind::Scalar(Scalar { text: "Allow".into(), quoted: true }))),
        )];
        entries.push((key("Action"), node(Kind::Seq(list(&s.body, "actions")))));
        let principals: Vec<(Key, Node)> = s
            .body
            .blocks_of("principals")
            .filter_map(|p| Some((key(one(&p.body, "type")?.str()?), node(Kind::Seq(list(&p.body, "identifiers"))))))
            .collect();
        if !principals.is_empty() {
            entries.push((key("Principal"), node(Kind::Map(principals))));
        }
        let mut tests: Vec<(Key, Node)> = Vec::new();
        for c in s.body.blocks_of("condition") {
            let (Some(test), Some(variable)) = (one(&c.body, "test"), one(&c.body, "variable")) else { continue };
            let (Some(test), Some(variable)) = (test.str(), variable.str()) else { continue };
            let values = node(Kind::Seq(list(&c.body, "values")));
            tests.push((key(test), node(Kind::Map(vec![(key(variable), values)]))));
        }
        if !tests.is_empty() {
            entries.push((key("Condition"), node(Kind::Map(tests))));
        }
        statements.push(node(Kind::Map(entries)));
    }
    node(Kind::Map(vec![(key("Statement"), node(Kind::Seq(statements)))]))
}

/// A policy expression as a document tree.
fn policy_doc(e: &Expr) -> Option<crate::syntax::tree::Node> {
    match &e.kind {
        ExprKind::Call(name, args) if name == "jsonencode" => args.first().map(policy::from_hcl),
        ExprKind::Heredoc(text) => policy::from_json_text(text, e.pos),
        ExprKind::Str(text) if text.trim_start().starts_with('{') => {
            policy::from_json_text(text, crate::syntax::Pos { line: e.pos.line - 1, col: e.pos.col })
        }
        _ => None,
    }
}

/// A list (or a single value) of strings as written: literals as their
/// value, references and templates as their text.
fn strings(e: &Expr) -> Vec<String> {
    match &e.kind {
        ExprKind::List(items) => items.iter().map(Expr::text).collect(),
        _ => vec![e.text()],
    }
}

/// The input (`var.x`) an expression takes its value from, directly or
/// through `merge(…)`. A local is the module's own: not an input.
fn input_reference(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Other(s) if s.starts_with("var.") => Some(s.clone()),
        ExprKind::Call(name, args) if name == "merge" => args.iter().find_map(input_reference),
        _ => None,
    }
}

/// An object of literal strings: tags, labels, annotations.
fn object_strings(e: &Expr) -> BTreeMap<String, String> {
    match &e.kind {
        ExprKind::Object(entries) => entries
            .iter()
            .filter(|(_, _, v)| !matches!(v.kind, ExprKind::Object(_) | ExprKind::List(_)))
            .map(|(k, _, v)| (k.trim_matches('"').to_string(), v.text()))
            .collect(),
        // `merge(var.tags, { owner = "team-a" })`: the literal objects, later ones winning.
        ExprKind::Call(name, args) if name == "merge" => args.iter().flat_map(object_strings).collect(),
        _ => BTreeMap::new(),
    }
}

/// A string written as a literal at a dotted path of attributes and nested
/// blocks; `None` for an expression.
fn literal_str(body: &Body, path: &str) -> Option<String> {
    nested_attr(body, path).and_then(|a| a.value.str()).map(str::to_string)
}

/// The resource a reference names, as its address: `aws_iam_user.this`
/// for `aws_iam_user.this[0].name`, and for
/// `serviceAccount:${google_service_account.x.email}` the one inside. An
/// instance of a resource is the resource.
fn resource_address(text: &str) -> Option<String> {
    let inner = text.split_once("${").and_then(|(_, rest)| rest.split_once('}')).map(|(r, _)| r.trim());
    let mut parts = inner.unwrap_or(text).split('.');
    let (ty, label) = (parts.next()?, parts.next()?);
    Some(format!("{ty}.{}", label.split('[').next().unwrap_or(label)))
}

/// A string, or a list of strings, written as literals.
fn literal_strings(e: &Expr) -> Option<Vec<String>> {
    match &e.kind {
        ExprKind::Str(s) => Some(vec![s.clone()]),
        ExprKind::List(items) => items.iter().map(|i| i.str().map(str::to_string)).collect(),
        _ => None,
    }
}

/// What the module a `.tf` file is in defines.
fn module_of<'m>(
    path: &str,
    modules: &'m BTreeMap<String, crate::facts::ModuleValues>,
) -> Option<&'m crate::facts::ModuleValues> {
    path.ends_with(".tf").then(|| modules.get(module_dir(path))).flatten()
}

/// The folder of a `.tf` file: its module.
pub(super) fn module_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The literal values one file of a module defines: `variable` defaults and
/// `locals` that are strings or lists of strings, and the owner in an AWS
/// provider's `default_tags`.
fn module_values(path: &str, body: &Body) -> crate::facts::ModuleValues {
    let literal = literal_strings;
    let mut m = crate::facts::ModuleValues::default();
    for v in body.blocks_of("variable") {
        if let (Some(name), Some(default)) = (v.labels.first(), v.body.attr("default"))
            && let Some(values) = literal(&default.value)
        {
            m.values.insert(format!("var.{name}"), values);
        }
    }
    for l in body.blocks_of("locals") {
        for a in &l.body.attrs {
            if let Some(values) = literal(&a.value) {
                m.values.insert(format!("local.{}", a.name), values);
            }
        }
    }
    for p in body.blocks_of("provider").filter(|p| p.labels.first().map(String::as_str) == Some("aws")) {
        for d in p.body.blocks_of("default_tags") {
            if let Some(tags) = d.body.attr("tags")
                && let Some(owner) = owner_of(&object_strings(&tags.value))
            {
                m.default_owner = Some((owner, loc(path, tags.pos)));
            }
        }
    }
    m
}

/// Once every file is read: references to a module's variables and locals
/// in grants' actions and resources become their literal values, and AWS
/// identities without an owner take the one their provider's
/// `default_tags` give.
pub(super) fn resolve(facts: &mut FactSet, modules: &BTreeMap<String, crate::facts::ModuleValues>) {
    link_across_files(facts, modules);
    let calls = std::mem::take(&mut facts.module_calls);
    instantiate(facts, &calls);
    expand_for_each(facts, modules);
    let of = |path: &str| module_of(path, modules);
    for g in &mut facts.grants {
        let Some(m) = of(&g.location.path) else { continue };
        for (field, list) in [("actions", &mut g.actions), ("resources", &mut g.resources)] {
            let resolved: Vec<String> = list
                .iter()
                .flat_map(|v| {
                    let key = v.trim_start_matches("${").trim_end_matches('}');
                    m.values.get(key).cloned().unwrap_or_else(|| vec![v.clone()])
                })
                .collect();
            if resolved != *list {
                // The items no longer stand where they are written.
                g.at.retain(|k, _| !k.starts_with(&format!("{field}[")));
                *list = resolved;
            }
        }
    }
    for i in &mut facts.identities {
        let Some(m) = of(&i.location.path) else { continue };
        if i.owner.is_none()
            && i.provider.as_deref() == Some("aws")
            && let Some((owner, at)) = &m.default_owner
        {
            i.owner = Some(owner.clone());
            i.at.insert("owner".into(), at.clone());
            i.attrs.remove("owner_from_input");
        }
    }
}

/// The attribute at a dotted path of attributes and nested blocks.
fn nested_attr<'b>(body: &'b Body, path: &'b str) -> Option<&'b Attr> {
    match path.split_once('.') {
        None => body.attr(path),
        Some((block, rest)) => body.blocks_of(block).find_map(|b| nested_attr(&b.body, rest)),
    }
}

/// A call of a module in this repository (`source = "./modules/x"`), with
/// the inputs it writes as literals; registry and remote modules are not
/// here to instantiate.
fn module_call(path: &str, m: &Block) -> Option<crate::facts::ModuleCall> {
    // How many instances a repeated call makes is not known here.
    if m.body.attr("count").is_some() || m.body.attr("for_each").is_some() {
        return None;
    }
    let source = m.body.attr("source")?.value.str()?;
    if !(source.starts_with("./") || source.starts_with("../")) {
        return None;
    }
    let mut dir: Vec<&str> = module_dir(path).split('/').filter(|p| !p.is_empty()).collect();
    for part in source.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                dir.pop()?;
            }
            p => dir.push(p),
        }
    }
    let mut call = crate::facts::ModuleCall {
        name: m.labels.first()?.clone(),
        dir: dir.join("/"),
        location: loc(path, m.pos),
        ..Default::default()
    };
    for a in
        m.body.attrs.iter().filter(|a| !matches!(a.name.as_str(), "source" | "version" | "providers" | "depends_on"))
    {
        let values = literal_strings(&a.value);
        let literal = values.is_some()
            || matches!(&a.value.kind, ExprKind::Object(entries) if entries.iter().all(|(_, _, v)| v.str().is_some()));
        let input =
            crate::facts::ModuleInput { values, entries: object_strings(&a.value), literal, at: loc(path, a.pos) };
        call.inputs.insert(format!("var.{}", a.name), input);
    }
    Some(call)
}

/// Each call of a local module makes an instance of the module's facts:
/// names, owners, actions and resources its inputs decide take the call's
/// values (pointing at the call where a finding would be about them), and
/// identities named only by address get the call's (`module.ci.aws_iam_user.this`).
/// A module nobody here calls is left as it is.
fn instantiate(facts: &mut FactSet, calls: &[crate::facts::ModuleCall]) {
    let mut by_dir: BTreeMap<&str, Vec<&crate::facts::ModuleCall>> = BTreeMap::new();
    for c in calls {
        by_dir.entry(c.dir.as_str()).or_default().push(c);
    }
    for (dir, calls) in by_dir {
        // Resources with `count` or `for_each`, and `dynamic` statements,
        // stay as the module has them: a call may not decide whether they
        // exist, and one that does not create them must not be charged
        // with them.
        let conditional = &facts.conditional;
        let inside = |l: &Location| l.path.ends_with(".tf") && module_dir(&l.path) == dir && !conditional.contains(l);
        let identities: Vec<Identity> = take(&mut facts.identities, |i| inside(&i.location));
        let credentials: Vec<Credential> = take(&mut facts.credentials, |c| inside(&c.location));
        let grants: Vec<Grant> = take(&mut facts.grants, |g| inside(&g.location) && !g.attrs.contains_key("dynamic"));
        for call in calls {
            let input = |reference: &str| call.inputs.get(reference.trim_start_matches("${").trim_end_matches('}'));
            let mut names: BTreeMap<String, String> = BTreeMap::new();
            for i in &identities {
                let mut i = i.clone();
                let given = i.attrs.get("name_from_input").and_then(|r| input(r)).and_then(|v| v.values.clone());
                let name = match given.as_deref() {
                    Some([one]) => one.clone(),
                    _ if i.attrs.contains_key("name_from_input") || i.name.starts_with(&format!("{}.", i.kind)) => {
                        format!("module.{}.{}", call.name, i.name)
                    }
                    _ => i.name.clone(),
                };
                if given.is_some() {
                    i.attrs.remove("name_from_input");
                }
                if let Some(values) = i.attrs.get("for_each").and_then(|r| input(r)).and_then(|v| v.values.clone()) {
                    i.attrs.insert("for_each".into(), format!("[{}]", values.join(",")));
                }
                names.insert(i.name.clone(), name.clone());
                i.name = name;
                // The call decides the owner: the tags it passes, or none,
                // which is then missing at the call. Tags the call itself
                // takes from elsewhere (`var.tags`) still decide nothing here.
                if i.owner.is_none()
                    && let Some(reference) = i.attrs.get("owner_from_input").cloned()
                {
                    let tags = input(&reference);
                    let owner = tags.and_then(|t| owner_of(&t.entries));
                    if owner.is_some() || tags.is_none_or(|t| t.literal) {
                        i.owner = owner;
                        i.at.insert("owner".into(), tags.map_or(&call.location, |t| &t.at).clone());
                        i.attrs.remove("owner_from_input");
                    }
                }
                i.attrs.insert("module".into(), format!("module.{}", call.name));
                if let Some(address) = i.attrs.get_mut("address") {
                    *address = format!("module.{}.{address}", call.name);
                }
                facts.identities.push(i);
            }
            let rename = |n: &mut Option<String>| {
                if let Some(new) = n.as_ref().and_then(|old| names.get(old)) {
                    *n = Some(new.clone());
                }
            };
            for c in &credentials {
                let mut c = c.clone();
                rename(&mut c.identity);
                facts.credentials.push(c);
            }
            for g in &grants {
                let mut g = g.clone();
                rename(&mut g.identity);
                for (field, list) in [("actions", &mut g.actions), ("resources", &mut g.resources)] {
                    let Some(given) = list.iter().find_map(|v| input(v)).filter(|i| i.values.is_some()) else {
                        continue;
                    };
                    let at = given.at.clone();
                    *list = list
                        .iter()
                        .flat_map(|v| input(v).and_then(|i| i.values.clone()).unwrap_or_else(|| vec![v.clone()]))
                        .collect();
                    g.at.retain(|k, _| !k.starts_with(&format!("{field}[")));
                    g.at.insert(field.into(), at);
                }
                facts.grants.push(g);
            }
        }
    }
}

/// What a `for_each` repeats over, where it can be known: the keys of a
/// literal list, set or map (`[a,b]`), or a reference to a module value
/// (`local.roles`, `var.names`) resolved once every file is read.
fn for_each_keys(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Call(f, args) if matches!(f.as_str(), "toset" | "distinct" | "sort") && args.len() == 1 => {
            for_each_keys(&args[0])
        }
        ExprKind::List(_) => literal_strings(e).map(|k| format!("[{}]", k.join(","))),
        ExprKind::Object(entries) => {
            Some(format!("[{}]", entries.iter().map(|(k, _, _)| k.trim_matches('"')).collect::<Vec<_>>().join(",")))
        }
        ExprKind::Other(r) if r.starts_with("local.") || r.starts_with("var.") => Some(r.clone()),
        _ => None,
    }
}

/// Identities repeated by a `for_each` whose keys are known: one per key,
/// named by it where the name is `each.key` or `each.value`, else by the
/// instance's address (`aws_iam_role.r["ci"]`); their credentials and
/// grants go with each instance. Unknown keys leave one identity, named
/// by the resource's address.
fn expand_for_each(facts: &mut FactSet, modules: &BTreeMap<String, crate::facts::ModuleValues>) {
    let repeated = take(&mut facts.identities, |i| i.attrs.contains_key("for_each"));
    let mut instances: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for mut i in repeated {
        let over = i.attrs.remove("for_each").unwrap_or_default();
        let dir = module_dir(&i.location.path).to_string();
        let keys: Option<Vec<String>> = match over.strip_prefix('[').and_then(|o| o.strip_suffix(']')) {
            Some(list) => Some(list.split(',').filter(|k| !k.is_empty()).map(str::to_string).collect()),
            None => modules.get(&dir).and_then(|m| m.values.get(&over)).cloned(),
        };
        let Some(keys) = keys else {
            facts.identities.push(i);
            continue;
        };
        let by_key = i.attrs.get("name_from_input").is_some_and(|n| n.starts_with("each."));
        if by_key {
            i.attrs.remove("name_from_input");
        }
        let names: Vec<String> =
            keys.iter().map(|k| if by_key { k.clone() } else { format!("{}[\"{k}\"]", i.name) }).collect();
        for (key, name) in keys.iter().zip(&names) {
            let mut instance = i.clone();
            instance.name = name.clone();
            if let Some(address) = instance.attrs.get_mut("address") {
                address.push_str(&format!("[\"{key}\"]"));
            }
            facts.identities.push(instance);
        }
        instances.insert((dir, i.name), names);
    }
    let of = |path: &str, name: &Option<String>| -> Option<&Vec<String>> {
        instances.get(&(module_dir(path).to_string(), name.clone()?))
    };
    for c in take(&mut facts.credentials, |c| of(&c.location.path, &c.identity).is_some()) {
        for name in of(&c.location.path, &c.identity).into_iter().flatten() {
            facts.credentials.push(Credential { identity: Some(name.clone()), ..c.clone() });
        }
    }
    for g in take(&mut facts.grants, |g| of(&g.location.path, &g.identity).is_some()) {
        for name in of(&g.location.path, &g.identity).into_iter().flatten() {
            facts.grants.push(Grant { identity: Some(name.clone()), ..g.clone() });
        }
    }
}

/// References one file cannot resolve because the resource is in another
/// file of the module: a credential's or grant's holder
/// (`aws_iam_user.bot.name`) becomes its cloud name, and a managed policy's
/// statements go to the holders its attachments, wherever written, name.
fn link_across_files(facts: &mut FactSet, modules: &BTreeMap<String, crate::facts::ModuleValues>) {
    let of = |path: &str| module_of(path, modules);
    let name_of = |reference: &str, m: &crate::facts::ModuleValues| -> Option<String> {
        m.names.get(&resource_address(reference)?).cloned()
    };
    for c in &mut facts.credentials {
        if let Some(m) = of(&c.location.path)
            && let Some(name) = c.identity.as_deref().and_then(|r| name_of(r, m))
        {
            c.identity = Some(name);
        }
    }
    let mut holders: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for g in &mut facts.grants {
        let Some(m) = of(&g.location.path) else { continue };
        if let Some(name) = g.identity.as_deref().and_then(|r| name_of(r, m)) {
            g.identity = Some(name);
        }
        let policy = g.attrs.get("policy").and_then(|p| p.strip_prefix("aws_iam_policy."));
        if let (Some(label), Some(holder)) = (policy.and_then(|p| p.split('.').next()), &g.identity)
            && let Some(name) = m.policies.get(label)
        {
            holders.entry((module_dir(&g.location.path).to_string(), name.clone())).or_default().push(holder.clone());
        }
    }
    for g in facts
        .grants
        .iter_mut()
        .filter(|g| g.identity.is_none() && g.attrs.get("holder_kind").is_some_and(|k| k == "policy"))
    {
        let key = (module_dir(&g.location.path).to_string(), g.attrs.get("policy").cloned().unwrap_or_default());
        if let Some(names) = holders.get(&key) {
            g.identity = names.first().cloned();
            if names.len() > 1 {
                g.attrs.insert("attached_to".into(), names.join(","));
            }
        }
    }
}

/// The items `keep` picks, moved out of `list`.
fn take<T>(list: &mut Vec<T>, keep: impl Fn(&T) -> bool) -> Vec<T> {
    let (taken, rest) = std::mem::take(list).into_iter().partition(|x| keep(x));
    *list = rest;
    taken
}

/// A literal string at a dotted path of attributes and nested blocks:
/// `name`, `metadata.name`.
fn nested_str(body: &Body, path: &str) -> Option<String> {
    nested_attr(body, path).map(|a| a.value.text())
}
