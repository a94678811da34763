//! The one schema table: every record a rule can see, every field of it, its
//! type, what it means, and how to read it from a fact.
//!
//! The checker types expressions against this table and the evaluator reads
//! fields through it, so a field exists for both or for neither.

use std::collections::HashMap;

use super::delta::ChangeKind;
use super::time::Date;
use super::value::{RecordRef, Value};
use super::{Credential, FactSet, Grant, Identity};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Identity,
    Credential,
    Grant,
    Secret,
    Purpose,
    Location,
    FirstSeen,
    Change,
}

/// The element of a list or map. Lists of lists do not occur in facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elem {
    Str,
    Num,
    Bool,
    Duration,
    Date,
    Record(RecordKind),
    /// The element type of `[]`: fits any list.
    Any,
}

/// The type of an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Str,
    Num,
    Bool,
    Duration,
    Date,
    List(Elem),
    Map(Elem),
    Record(RecordKind),
    /// After an error: fits anything, so one mistake is reported once.
    Error,
}

impl Type {
    pub fn of_elem(e: Elem) -> Type {
        match e {
            Elem::Str => Type::Str,
            Elem::Num => Type::Num,
            Elem::Bool => Type::Bool,
            Elem::Duration => Type::Duration,
            Elem::Date => Type::Date,
            Elem::Record(r) => Type::Record(r),
            Elem::Any => Type::Error,
        }
    }

    /// The element form of a scalar or record type, if it can be in a list.
    pub fn as_elem(self) -> Option<Elem> {
        Some(match self {
            Type::Str => Elem::Str,
            Type::Num => Elem::Num,
            Type::Bool => Elem::Bool,
            Type::Duration => Elem::Duration,
            Type::Date => Elem::Date,
            Type::Record(r) => Elem::Record(r),
            Type::Error => Elem::Any,
            Type::List(_) | Type::Map(_) => return None,
        })
    }

    /// How the type is named in messages.
    pub fn describe(self) -> String {
        match self {
            Type::Str => "a string".into(),
            Type::Num => "a number".into(),
            Type::Bool => "a boolean".into(),
            Type::Duration => "a duration".into(),
            Type::Date => "a date".into(),
            Type::List(e) => format!("a list of {}", elem_plural(e)),
            Type::Map(e) => format!("a map of {}", elem_plural(e)),
            Type::Record(r) => {
                let name = record(r).name;
                let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
                format!("{article} {name} record")
            }
            Type::Error => "an unknown type".into(),
        }
    }
}

fn elem_plural(e: Elem) -> String {
    match e {
        Elem::Str => "strings".into(),
        Elem::Num => "numbers".into(),
        Elem::Bool => "booleans".into(),
        Elem::Duration => "durations".into(),
        Elem::Date => "dates".into(),
        Elem::Record(r) => format!("{} records", record(r).name),
        Elem::Any => "anything".into(),
    }
}

/// What field readers may consult besides the record: the clock, and the
/// other facts (to follow a credential to its identity).
pub struct Env<'a> {
    pub now: Date,
    identities: HashMap<&'a str, &'a Identity>,
    credentials: HashMap<&'a str, Vec<&'a Credential>>,
    grants: HashMap<&'a str, Vec<&'a Grant>>,
    /// Kubernetes role rules by the role they belong to, and the bindings
    /// that reference each role: the edges binding → role → rules.
    role_rules: HashMap<RoleKey<'a>, Vec<&'a Grant>>,
    bindings: HashMap<RoleKey<'a>, Vec<&'a Grant>>,
    /// CI workflows by the cloud identity (its name here) they log in as.
    assumed_by: HashMap<&'a str, Vec<&'a Identity>>,
    /// MCP servers by name.
    servers: HashMap<&'a str, &'a Identity>,
}

/// The names a cloud identity a CI step logs in as may have here: an AWS
/// role ARN's last path segment, a GCP service account email's account id,
/// or the value itself. A value computed at run time (`${{ secrets.X }}`)
/// names nothing.
fn login_names(value: &str) -> Vec<&str> {
    if value.contains("${{") {
        return Vec::new();
    }
    let mut names = vec![value];
    if value.starts_with("arn:") && value.contains(":role/") {
        names.extend(value.rsplit('/').next());
    }
    if let Some((account, domain)) = value.split_once('@')
        && domain.ends_with(".gserviceaccount.com")
    {
        names.push(account);
    }
    names
}

/// The values of a comma-separated attribute.
fn attr_list<'a>(attrs: &'a std::collections::BTreeMap<String, String>, key: &str) -> Vec<&'a str> {
    attrs.get(key).map_or_else(Vec::new, |v| v.split(',').filter(|s| !s.is_empty()).collect())
}

/// A Kubernetes role as bindings name it: its name, and whether it is a
/// ClusterRole.
type RoleKey<'a> = (&'a str, bool);

fn is_kubernetes(g: &Grant) -> bool {
    g.provider.as_deref() == Some("kubernetes")
}

/// The role a Kubernetes role rule belongs to.
fn role_of(g: &Grant) -> Option<RoleKey<'_>> {
    // A name left out (or templated away) links nothing.
    let role = g.attrs.get("role").filter(|r| is_kubernetes(g) && !r.is_empty())?;
    Some((role.as_str(), g.scope.as_deref() == Some("cluster")))
}

/// The role a Kubernetes binding references.
fn role_bound_by(g: &Grant) -> Option<RoleKey<'_>> {
    g.attrs.get("binding").filter(|_| is_kubernetes(g))?;
    let role = g.actions.first().filter(|r| !r.is_empty())?;
    Some((role.as_str(), g.attrs.get("role_kind").is_none_or(|k| k != "Role")))
}

/// A RoleBinding reaches a Role in its own namespace; a namespace left to
/// deploy time could be any.
fn same_namespace(rule: &Grant, binding: &Grant, cluster: bool) -> bool {
    fn ns(g: &Grant) -> &str {
        g.attrs.get("namespace").map_or("", String::as_str)
    }
    cluster || ns(rule).is_empty() || ns(binding).is_empty() || ns(rule) == ns(binding)
}

impl<'a> Env<'a> {
    pub fn new(facts: &'a FactSet, now: Date) -> Env<'a> {
        let mut identities = HashMap::new();
        for i in &facts.identities {
            identities.entry(i.name.as_str()).or_insert(i);
        }
        let mut credentials: HashMap<&str, Vec<&Credential>> = HashMap::new();
        for c in &facts.credentials {
            if let Some(name) = &c.identity {
                credentials.entry(name.as_str()).or_default().push(c);
            }
        }
        let mut grants: HashMap<&str, Vec<&Grant>> = HashMap::new();
        for g in &facts.grants {
            if let Some(name) = &g.identity {
                grants.entry(name.as_str()).or_default().push(g);
            }
        }
        let mut role_rules: HashMap<RoleKey, Vec<&Grant>> = HashMap::new();
        let mut bindings: HashMap<RoleKey, Vec<&Grant>> = HashMap::new();
        for g in &facts.grants {
            if let Some(key) = role_of(g) {
                role_rules.entry(key).or_default().push(g);
            }
            if let Some(key) = role_bound_by(g) {
                bindings.entry(key).or_default().push(g);
            }
        }
        let mut assumed_by: HashMap<&str, Vec<&Identity>> = HashMap::new();
        for i in &facts.identities {
            for value in attr_list(&i.attrs, "assumes") {
                for name in login_names(value) {
                    if identities.contains_key(name) {
                        assumed_by.entry(name).or_default().push(i);
                    }
                }
            }
        }
        let mut servers = HashMap::new();
        for i in facts.identities.iter().filter(|i| i.kind == "mcp_server") {
            servers.entry(i.name.as_str()).or_insert(i);
        }
        Env { now, identities, credentials, grants, role_rules, bindings, assumed_by, servers }
    }

    /// The MCP servers defined here that an agent may call.
    pub fn servers_of(&self, agent: &Identity) -> Vec<&'a Identity> {
        attr_list(&agent.attrs, "mcp_servers").into_iter().filter_map(|n| self.servers.get(n).copied()).collect()
    }

    /// The identities here a CI workflow logs in as.
    pub fn assumed(&self, workflow: &'a Identity) -> Vec<&'a Identity> {
        let mut out: Vec<&Identity> = attr_list(&workflow.attrs, "assumes")
            .into_iter()
            .flat_map(login_names)
            .filter_map(|n| self.identities.get(n).copied())
            .collect();
        out.dedup_by(|a, b| std::ptr::eq(*a, *b));
        out
    }

    /// The CI workflows that log in as an identity.
    pub fn assumers(&self, identity: &Identity) -> Vec<&'a Identity> {
        self.assumed_by.get(identity.name.as_str()).cloned().unwrap_or_default()
    }

    /// The grants held by the identity of this name.
    pub fn grants_of(&self, name: &str) -> &[&'a Grant] {
        self.grants.get(name).map_or(&[], Vec::as_slice)
    }

    /// The rules of the role a binding references, in whichever file.
    pub fn rules_bound_by(&self, binding: &Grant) -> Vec<&'a Grant> {
        let Some(key) = role_bound_by(binding) else { return Vec::new() };
        let rules = self.role_rules.get(&key).map_or(&[][..], Vec::as_slice);
        rules.iter().copied().filter(|r| same_namespace(r, binding, key.1)).collect()
    }

    /// The bindings that reference a role rule's role.
    pub fn bindings_of(&self, rule: &Grant) -> Vec<&'a Grant> {
        let Some(key) = role_of(rule) else { return Vec::new() };
        let bindings = self.bindings.get(&key).map_or(&[][..], Vec::as_slice);
        bindings.iter().copied().filter(|b| same_namespace(rule, b, key.1)).collect()
    }

    fn identity(&self, name: &'a Option<String>) -> Value<'a> {
        match name {
            None => Value::Null,
            Some(n) => match self.identities.get(n.as_str()) {
                Some(i) => Value::Record(RecordRef::Identity(i)),
                None => Value::Record(RecordRef::NamedIdentity(n)),
            },
        }
    }

    fn age(&self, since: Option<Date>) -> Value<'a> {
        since.map_or(Value::Null, |d| Value::Duration(super::Duration(self.now.0 - d.0)))
    }
}

pub type Getter = for<'a> fn(RecordRef<'a>, &Env<'a>) -> Value<'a>;

pub struct FieldDef {
    pub name: &'static str,
    pub ty: Type,
    pub doc: &'static str,
    pub get: Getter,
    /// The keys a map field may hold, where they are fixed (`attrs`): the
    /// checker rejects any other key. `None` for free maps (`tags`).
    pub keys: Option<&'static [AttrDef]>,
}

/// One attribute an extractor records, and what it means.
#[derive(Debug)]
pub struct AttrDef {
    pub key: &'static str,
    pub doc: &'static str,
}

/// Attributes a facts file adds for its own rules start with this: they are
/// outside the declared table, so the checker lets them through.
pub const CUSTOM_ATTR_PREFIX: &str = "x-";

impl FieldDef {
    /// Whether `key` may be read from this map field: any key of a free map,
    /// a declared key or a custom (`x-`) one of a fixed one.
    pub fn allows_key(&self, key: &str) -> bool {
        self.keys.is_none_or(|keys| key.starts_with(CUSTOM_ATTR_PREFIX) || keys.iter().any(|a| a.key == key))
    }
}

impl std::fmt::Debug for FieldDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FieldDef({})", self.name)
    }
}

pub struct RecordDef {
    pub kind: RecordKind,
    pub name: &'static str,
    pub fields: &'static [FieldDef],
}

impl RecordDef {
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn field_names(&self) -> Vec<&'static str> {
        self.fields.iter().map(|f| f.name).collect()
    }
}

/// A field reader for one record variant; other variants read as null.
macro_rules! get {
    ($variant:ident, |$x:ident, $env:ident| $body:expr) => {{
        #[allow(unused_variables)]
        fn get<'a>(r: RecordRef<'a>, $env: &Env<'a>) -> Value<'a> {
            match r {
                RecordRef::$variant($x) => $body,
                _ => Value::Null,
            }
        }
        get
    }};
}

macro_rules! field {
    ($name:literal, $ty:expr, $doc:literal, $get:expr) => {
        FieldDef { name: $name, ty: $ty, doc: $doc, get: $get, keys: None }
    };
    ($name:literal, $ty:expr, $doc:literal, $get:expr, keys = $keys:expr) => {
        FieldDef { name: $name, ty: $ty, doc: $doc, get: $get, keys: Some($keys) }
    };
}

macro_rules! attrs {
    ($($key:literal: $doc:literal,)*) => {
        &[$(AttrDef { key: $key, doc: $doc },)*]
    };
}

static IDENTITY_ATTRS: &[AttrDef] = attrs! {
    "address": "Terraform: the resource's address, with its module call and key (`module.ci.aws_iam_user.this[\"a\"]`)",
    "assumes": "CI: the cloud identities a workflow logs in as (AWS `role-to-assume`, GCP service account or workload identity provider, Azure client id), comma-separated",
    "automount": "Kubernetes: the ServiceAccount's `automountServiceAccountToken` (`true`, `false`)",
    "cloud_identity": "Kubernetes: the cloud identity a workload-identity annotation maps the account to",
    "command": "MCP: the command that starts a stdio server",
    "declared_at": "nhi.toml: `path:line` of the declaration this found identity matched",
    "description": "the identity's own description",
    "environments": "nhi.toml: the environments a declared identity is used in, comma-separated",
    "for_each": "Terraform: what a resource is repeated over, where its keys are not known here (`var.names`)",
    "mcp_servers": "agent: the MCP servers the agent may call, comma-separated",
    "model": "agent: the model it runs on",
    "module": "Terraform: the module call an instance of a module's identity comes from (`module.ci`)",
    "name_from_input": "Terraform: the module input the name is taken from (`var.name`, `each.value`), when nothing here decides it",
    "namespace": "Kubernetes: the namespace (`\"\"` when left to deploy time)",
    "oidc": "CI: `true` when the workflow or job requests an OIDC token",
    "on": "GitHub Actions: the workflow's triggers, comma-separated",
    "owner_from_input": "where the owner is decided at install: a Terraform module's input (`var.tags`), a Helm chart's values (`.Values`)",
    "package": "MCP: the package a stdio server runs (`npx pkg@1.2`)",
    "package_pinned": "MCP: `true` when that package names an exact version",
    "permissions": "GitHub Actions: `set` (workflow level), `per-job` (every job) or `unset`",
    "plain_http": "MCP: `true` for a remote server reached over `http://`",
    "runs_pr_code": "GitHub Actions: `true` when a privileged trigger checks out and runs the pull request's code",
    "secrets_inherit": "GitHub Actions: the reusable workflow a job passes every secret to",
    "title": "GitHub Actions: the workflow's `name`",
    "transport": "MCP: `stdio`, `http` or `sse`",
    "trust_audiences": "AWS: the `aud` values the trust policy accepts from GitHub's OIDC tokens, comma-separated",
    "trust_conditions": "AWS: the condition keys of the role's trust policy, comma-separated",
    "trust_subjects": "AWS: the OIDC `sub` values the trust policy accepts, comma-separated",
    "trusted": "AWS: the principals the role's trust policy lets assume it, comma-separated",
    "untrusted_checkout": "GitHub Actions: the ref a privileged workflow checks out from the pull request",
    "url": "MCP: a remote server's URL",
};

static CREDENTIAL_ATTRS: &[AttrDef] = attrs! {
    "action_pinned": "GitHub Actions: `true` when the action a secret is passed to is pinned by commit",
    "automount": "Kubernetes: the pod's `automountServiceAccountToken`, or `unset`",
    "ci": "CI: `github` or `gitlab`",
    "console": "AWS: `true` for a login profile (a console password)",
    "end_date_relative": "Azure: the relative lifetime written for a secret (`8760h`)",
    "from": "CI: where a value comes from: `secret`, `variable` or `literal`",
    "host_network": "Kubernetes: `true` when the pod shares the node's network",
    "in": "MCP: where in the server's entry a credential is passed (`env`, `args`, `headers`)",
    "level": "GitLab CI: `pipeline` for a variable every job receives",
    "namespace": "Kubernetes: the workload's namespace (`\"\"` when left to deploy time)",
    "passed_to": "GitHub Actions: the action a secret is passed to",
    "schedule": "AWS: the rotation schedule written for a secret",
    "service_account": "Kubernetes: the service account a workload runs as",
    "source": "what the credential was read from: `terraform`, `cloudformation`, `workload`, `secret`, `ci`, `mcp`, `nhi.toml`",
    "status": "AWS: an access key's status (`active`, `inactive`)",
    "uploaded": "GCP: `true` for a service account key whose public half was uploaded",
    "valid_days": "certificates: the validity written, in days",
    "workload": "Kubernetes: the kind of workload that mounts the token (Deployment, Pod, …)",
};

static GRANT_ATTRS: &[AttrDef] = attrs! {
    "api_groups": "Kubernetes: a role rule's API groups, comma-separated",
    "attached_to": "AWS: the identities a managed policy is attached to, comma-separated",
    "binding": "Kubernetes and Terraform bindings: the binding's name (present only on bindings)",
    "dynamic": "Terraform: `true` for a statement written in a `dynamic` block",
    "function": "SAM: the function a `Policies` entry belongs to",
    "group": "AWS: the group an inline policy belongs to",
    "holder_kind": "AWS: what a policy is attached to or written on: `user`, `role` or `group` (comma-separated when several), or `policy` for a managed policy's statement (its attachments name the holders)",
    "managed_policy": "AWS: the managed policy a grant attaches",
    "member": "GCP and Azure: the member or principal a role is given to",
    "not_resource": "AWS: the statement's NotResource, comma-separated",
    "namespace": "Kubernetes: the namespace of a Role's rule or a RoleBinding (`\"\"` when left to deploy time)",
    "policy": "AWS: the policy the statement is part of",
    "policy_document": "Terraform: the `aws_iam_policy_document` the statement comes from",
    "resource_names": "Kubernetes: the only objects a role rule applies to (`resourceNames`), comma-separated",
    "role": "Kubernetes: the Role or ClusterRole a rule belongs to (present only on role rules)",
    "role_kind": "Kubernetes: the kind of role a binding references (`Role` or `ClusterRole`)",
    "sid": "AWS: the statement's Sid",
    "subject": "Kubernetes: the name of a binding's subject",
    "subject_kind": "Kubernetes: `ServiceAccount`, `User` or `Group`",
    "subject_namespace": "Kubernetes: the subject's namespace (`\"\"` when left to deploy time)",
};

fn identity_name<'a>(r: RecordRef<'a>, _env: &Env<'a>) -> Value<'a> {
    match r {
        RecordRef::Identity(i) => Value::str(&i.name),
        RecordRef::NamedIdentity(n) => Value::str(n),
        _ => Value::Null,
    }
}

/// Grants by the identity's name: also for an identity only named (a
/// workload's service account that no manifest here declares).
fn identity_grants<'a>(r: RecordRef<'a>, env: &Env<'a>) -> Value<'a> {
    let name = match r {
        RecordRef::Identity(i) => i.name.as_str(),
        RecordRef::NamedIdentity(n) => n,
        _ => return Value::Null,
    };
    grant_list(env.grants_of(name).to_vec())
}

fn identity_list(identities: Vec<&Identity>) -> Value<'_> {
    Value::List(identities.into_iter().map(|i| Value::Record(RecordRef::Identity(i))).collect())
}

fn grant_list(grants: Vec<&Grant>) -> Value<'_> {
    Value::List(grants.into_iter().map(|g| Value::Record(RecordRef::Grant(g))).collect())
}

static IDENTITY: &[FieldDef] = &[
    field!(
        "kind",
        Type::Str,
        "aws_iam_user, aws_iam_role, gcp_service_account, k8s_service_account, ai_agent, …",
        get!(Identity, |i, e| Value::str(&i.kind))
    ),
    field!("name", Type::Str, "the identity's name", identity_name),
    field!(
        "provider",
        Type::Str,
        "aws, gcp, azure, kubernetes, github, gitlab, mcp, …",
        get!(Identity, |i, e| Value::opt_str(&i.provider))
    ),
    field!(
        "owner",
        Type::Str,
        "the accountable owner, from an `owner` tag, label or declaration",
        get!(Identity, |i, e| Value::opt_str(&i.owner))
    ),
    field!(
        "purpose",
        Type::Record(RecordKind::Purpose),
        "what the identity is for, and the scopes that purpose allows",
        get!(Identity, |i, e| i.purpose.as_ref().map_or(Value::Null, |p| Value::Record(RecordRef::Purpose(p))))
    ),
    field!(
        "delegated_by",
        Type::Str,
        "the human an agent acts for",
        get!(Identity, |i, e| Value::opt_str(&i.delegated_by))
    ),
    field!(
        "tags",
        Type::Map(Elem::Str),
        "tags, labels and annotations",
        get!(Identity, |i, e| Value::str_map(&i.tags))
    ),
    field!("env", Type::Str, "the environment: prod, staging, dev, …", get!(Identity, |i, e| Value::opt_str(&i.env))),
    field!("created", Type::Date, "when the identity was created", get!(Identity, |i, e| Value::opt_date(i.created))),
    field!("expires", Type::Date, "when the identity expires", get!(Identity, |i, e| Value::opt_date(i.expires))),
    field!(
        "scopes",
        Type::List(Elem::Str),
        "actions, roles, permissions and tools the identity holds",
        get!(Identity, |i, e| Value::str_list(&i.scopes))
    ),
    field!(
        "attrs",
        Type::Map(Elem::Str),
        "format-specific facts recorded by the extractor",
        get!(Identity, |i, e| Value::str_map(&i.attrs)),
        keys = IDENTITY_ATTRS
    ),
    field!("declared", Type::Bool, "declared in nhi.toml", get!(Identity, |i, e| Value::Bool(i.declared))),
    field!(
        "discovered",
        Type::Bool,
        "found in the repository's code",
        get!(Identity, |i, e| Value::Bool(i.discovered))
    ),
    field!(
        "credentials",
        Type::List(Elem::Record(RecordKind::Credential)),
        "the credentials that belong to this identity",
        get!(Identity, |i, e| Value::List(
            e.credentials
                .get(i.name.as_str())
                .map_or_else(Vec::new, |cs| cs.iter().map(|c| Value::Record(RecordRef::Credential(c))).collect())
        ))
    ),
    field!("grants", Type::List(Elem::Record(RecordKind::Grant)), "the grants this identity holds", identity_grants),
    field!(
        "assumes",
        Type::List(Elem::Record(RecordKind::Identity)),
        "for a CI workflow: the cloud identities defined here that it logs in as (`attrs[\"assumes\"]` has every one named)",
        get!(Identity, |i, e| identity_list(e.assumed(i)))
    ),
    field!(
        "servers",
        Type::List(Elem::Record(RecordKind::Identity)),
        "for an AI agent: the MCP servers defined here that it may call (`attrs[\"mcp_servers\"]` names every one)",
        get!(Identity, |i, e| identity_list(e.servers_of(i)))
    ),
    field!(
        "assumed_by",
        Type::List(Elem::Record(RecordKind::Identity)),
        "for a cloud identity: the CI workflows here that log in as it",
        get!(Identity, |i, e| identity_list(e.assumers(i)))
    ),
    field!(
        "location",
        Type::Record(RecordKind::Location),
        "where the identity is defined",
        get!(Identity, |i, e| Value::Record(RecordRef::Location(&i.location)))
    ),
];

static CREDENTIAL: &[FieldDef] = &[
    field!(
        "kind",
        Type::Str,
        "access_key, service_account_key, client_secret, token, ssh_key, certificate, password, webhook",
        get!(Credential, |c, e| Value::str(&c.kind))
    ),
    field!(
        "name",
        Type::Str,
        "the credential's own name, where it has one",
        get!(Credential, |c, e| Value::opt_str(&c.name))
    ),
    field!(
        "identity",
        Type::Record(RecordKind::Identity),
        "the identity the credential belongs to",
        get!(Credential, |c, e| e.identity(&c.identity))
    ),
    field!("provider", Type::Str, "aws, gcp, azure, github, …", get!(Credential, |c, e| Value::opt_str(&c.provider))),
    field!(
        "created",
        Type::Date,
        "when the credential was created",
        get!(Credential, |c, e| Value::opt_date(c.created))
    ),
    field!(
        "rotated",
        Type::Date,
        "when the credential was last rotated",
        get!(Credential, |c, e| Value::opt_date(c.rotated))
    ),
    field!("expires", Type::Date, "when the credential expires", get!(Credential, |c, e| Value::opt_date(c.expires))),
    field!(
        "rotation",
        Type::Duration,
        "the automatic rotation interval, where one is configured",
        get!(Credential, |c, e| c.rotation.map_or(Value::Null, Value::Duration))
    ),
    field!(
        "long_lived",
        Type::Bool,
        "valid until revoked or for a long time, where a short-lived form exists",
        get!(Credential, |c, e| c.long_lived.map_or(Value::Null, Value::Bool))
    ),
    field!(
        "age",
        Type::Duration,
        "time since it was created or last rotated, whichever is later",
        get!(Credential, |c, e| e.age(c.created.max(c.rotated)))
    ),
    field!(
        "embedded",
        Type::Bool,
        "a literal value is in the repository",
        get!(Credential, |c, e| Value::Bool(c.embedded))
    ),
    field!("declared", Type::Bool, "declared in nhi.toml", get!(Credential, |c, e| Value::Bool(c.declared))),
    field!(
        "attrs",
        Type::Map(Elem::Str),
        "format-specific facts recorded by the extractor",
        get!(Credential, |c, e| Value::str_map(&c.attrs)),
        keys = CREDENTIAL_ATTRS
    ),
    field!(
        "location",
        Type::Record(RecordKind::Location),
        "where the credential is defined",
        get!(Credential, |c, e| Value::Record(RecordRef::Location(&c.location)))
    ),
];

static GRANT: &[FieldDef] = &[
    field!(
        "identity",
        Type::Record(RecordKind::Identity),
        "the identity that holds the grant",
        get!(Grant, |g, e| e.identity(&g.identity))
    ),
    field!("provider", Type::Str, "aws, gcp, azure, kubernetes, …", get!(Grant, |g, e| Value::opt_str(&g.provider))),
    field!("effect", Type::Str, "allow or deny", get!(Grant, |g, e| Value::opt_str(&g.effect))),
    field!(
        "actions",
        Type::List(Elem::Str),
        "actions, verbs or roles granted",
        get!(Grant, |g, e| Value::str_list(&g.actions))
    ),
    field!(
        "not_actions",
        Type::List(Elem::Str),
        "IAM NotAction: everything except these is granted",
        get!(Grant, |g, e| Value::str_list(&g.not_actions))
    ),
    field!(
        "resources",
        Type::List(Elem::Str),
        "resources the actions apply to",
        get!(Grant, |g, e| Value::str_list(&g.resources))
    ),
    field!(
        "conditions",
        Type::Map(Elem::Str),
        "conditions that limit the grant",
        get!(Grant, |g, e| Value::str_map(&g.conditions))
    ),
    field!(
        "role_rules",
        Type::List(Elem::Record(RecordKind::Grant)),
        "for a Kubernetes binding: the rules of the Role or ClusterRole it references, wherever that is defined",
        get!(Grant, |g, e| grant_list(e.rules_bound_by(g)))
    ),
    field!(
        "bindings",
        Type::List(Elem::Record(RecordKind::Grant)),
        "for a Kubernetes role rule: the bindings that give its role to someone",
        get!(Grant, |g, e| grant_list(e.bindings_of(g)))
    ),
    field!(
        "scope",
        Type::Str,
        "where the grant applies: account, subscription, project, namespace, cluster",
        get!(Grant, |g, e| Value::opt_str(&g.scope))
    ),
    field!(
        "attrs",
        Type::Map(Elem::Str),
        "format-specific facts recorded by the extractor",
        get!(Grant, |g, e| Value::str_map(&g.attrs)),
        keys = GRANT_ATTRS
    ),
    field!(
        "location",
        Type::Record(RecordKind::Location),
        "where the grant is defined",
        get!(Grant, |g, e| Value::Record(RecordRef::Location(&g.location)))
    ),
];

static SECRET: &[FieldDef] = &[
    field!("detector", Type::Str, "the id of the detector that found it", get!(Secret, |s, e| Value::str(&s.detector))),
    field!(
        "provider",
        Type::Str,
        "the service the secret belongs to",
        get!(Secret, |s, e| Value::opt_str(&s.provider))
    ),
    field!(
        "value",
        Type::Str,
        "the redacted value: at most the first 4 and last 2 characters",
        get!(Secret, |s, e| Value::str(s.value.as_str()))
    ),
    field!(
        "entropy",
        Type::Num,
        "Shannon entropy of the value, in bits per character",
        get!(Secret, |s, e| Value::Num(s.entropy))
    ),
    field!(
        "first_seen",
        Type::Record(RecordKind::FirstSeen),
        "the commit that first added it, where history is known",
        get!(Secret, |s, e| s.first_seen.as_ref().map_or(Value::Null, |f| Value::Record(RecordRef::FirstSeen(f))))
    ),
    field!(
        "age",
        Type::Duration,
        "time since the commit that first added it",
        get!(Secret, |s, e| e.age(s.first_seen.as_ref().and_then(|f| f.date)))
    ),
    field!(
        "location",
        Type::Record(RecordKind::Location),
        "where the secret is",
        get!(Secret, |s, e| Value::Record(RecordRef::Location(&s.location)))
    ),
];

static PURPOSE: &[FieldDef] = &[
    field!("description", Type::Str, "what the identity is for", get!(Purpose, |p, e| Value::opt_str(&p.description))),
    field!(
        "allowed",
        Type::List(Elem::Str),
        "the scopes and tools the purpose permits",
        get!(Purpose, |p, e| Value::str_list(&p.allowed))
    ),
];

static LOCATION: &[FieldDef] = &[
    field!("path", Type::Str, "the file, relative to the scanned root", get!(Location, |l, e| Value::str(&l.path))),
    field!("line", Type::Num, "the line, from 1", get!(Location, |l, e| Value::Num(f64::from(l.line)))),
    field!("column", Type::Num, "the column, from 1", get!(Location, |l, e| Value::Num(f64::from(l.column)))),
    field!("commit", Type::Str, "the commit, when scanning history", get!(Location, |l, e| Value::opt_str(&l.commit))),
];

static FIRST_SEEN: &[FieldDef] = &[
    field!("commit", Type::Str, "the commit id", get!(FirstSeen, |f, e| Value::str(&f.commit))),
    field!("date", Type::Date, "the commit's date", get!(FirstSeen, |f, e| Value::opt_date(f.date))),
];

static CHANGE: &[FieldDef] = &[
    field!(
        "change",
        Type::Str,
        "`added`, `removed` or `modified`",
        get!(Change, |c, e| Value::str(match c.change {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Modified => "modified",
        }))
    ),
    field!("kind", Type::Str, "the identity's kind", get!(Change, |c, e| Value::str(&c.identity.kind))),
    field!("name", Type::Str, "the identity's name", get!(Change, |c, e| Value::str(&c.identity.name))),
    field!("provider", Type::Str, "the identity's provider", get!(Change, |c, e| Value::opt_str(&c.identity.provider))),
    field!(
        "actions_added",
        Type::List(Elem::Str),
        "actions the identity gains (`s3:PutObject`, a Kubernetes verb)",
        get!(Change, |c, e| Value::List(
            c.grants_added.iter().filter_map(|a| a.action.as_deref()).map(Value::str).collect()
        ))
    ),
    field!(
        "actions_removed",
        Type::List(Elem::Str),
        "actions the identity loses",
        get!(Change, |c, e| Value::List(
            c.grants_removed.iter().filter_map(|a| a.action.as_deref()).map(Value::str).collect()
        ))
    ),
    field!(
        "roles_added",
        Type::List(Elem::Str),
        "roles a binding gives the identity (`cluster-admin`)",
        get!(Change, |c, e| Value::List(
            c.grants_added.iter().filter_map(|a| a.role.as_deref()).map(Value::str).collect()
        ))
    ),
    field!(
        "credentials_added",
        Type::List(Elem::Str),
        "the kinds of the keys the change gives the identity",
        get!(Change, |c, e| Value::List(c.credentials_added.iter().map(|k| Value::str(&k.kind)).collect()))
    ),
    field!(
        "long_lived_added",
        Type::Num,
        "how many of those keys are long-lived",
        get!(Change, |c, e| Value::Num(c.credentials_added.iter().filter(|k| k.long_lived).count() as f64))
    ),
    field!(
        "owner_before",
        Type::Str,
        "the owner at the base, when the change sets or changes it",
        get!(Change, |c, e| c.owner.as_ref().map_or(Value::Null, |o| Value::opt_str(&o.before)))
    ),
    field!(
        "owner_after",
        Type::Str,
        "the owner after the change (absent: none, or unchanged)",
        get!(Change, |c, e| c.owner.as_ref().map_or(Value::Null, |o| Value::opt_str(&o.after)))
    ),
    field!(
        "trust_added",
        Type::List(Elem::Str),
        "principals and OIDC subjects that may newly assume the identity",
        get!(Change, |c, e| Value::str_list(&c.trust_added))
    ),
    field!(
        "location",
        Type::Record(RecordKind::Location),
        "where the identity is defined (or, named only by a grant, the grant)",
        get!(Change, |c, e| Value::Record(RecordRef::Location(&c.identity.location)))
    ),
];

pub static RECORDS: &[RecordDef] = &[
    RecordDef { kind: RecordKind::Identity, name: "identity", fields: IDENTITY },
    RecordDef { kind: RecordKind::Credential, name: "credential", fields: CREDENTIAL },
    RecordDef { kind: RecordKind::Grant, name: "grant", fields: GRANT },
    RecordDef { kind: RecordKind::Secret, name: "secret", fields: SECRET },
    RecordDef { kind: RecordKind::Purpose, name: "purpose", fields: PURPOSE },
    RecordDef { kind: RecordKind::Location, name: "location", fields: LOCATION },
    RecordDef { kind: RecordKind::FirstSeen, name: "first_seen", fields: FIRST_SEEN },
    RecordDef { kind: RecordKind::Change, name: "change", fields: CHANGE },
];

pub fn record(kind: RecordKind) -> &'static RecordDef {
    // INVARIANT: RECORDS has one entry per RecordKind, in declaration order.
    &RECORDS[kind as usize]
}

impl From<super::FactType> for RecordKind {
    fn from(t: super::FactType) -> RecordKind {
        match t {
            super::FactType::Identity => RecordKind::Identity,
            super::FactType::Credential => RecordKind::Credential,
            super::FactType::Grant => RecordKind::Grant,
            super::FactType::Secret => RecordKind::Secret,
            super::FactType::Change => RecordKind::Change,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_indexed_by_kind() {
        for (i, r) in RECORDS.iter().enumerate() {
            assert_eq!(r.kind as usize, i, "{} out of order", r.name);
        }
    }

    #[test]
    fn field_names_are_unique_per_record() {
        for r in RECORDS {
            let mut names = r.field_names();
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(before, names.len(), "duplicate field in {}", r.name);
        }
    }

    fn k8s_grant(attrs: &[(&str, &str)], scope: &str, actions: &[&str]) -> Grant {
        Grant {
            provider: Some("kubernetes".into()),
            scope: Some(scope.into()),
            actions: actions.iter().map(|a| a.to_string()).collect(),
            attrs: attrs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_binding_reaches_the_rules_of_its_role_in_its_namespace_only() {
        let facts = FactSet {
            grants: vec![
                k8s_grant(&[("role", "reader"), ("namespace", "shop")], "namespace", &["get"]),
                k8s_grant(&[("role", "reader")], "cluster", &["list"]),
                k8s_grant(&[("binding", "a"), ("role_kind", "Role"), ("namespace", "shop")], "namespace", &["reader"]),
                k8s_grant(&[("binding", "b"), ("role_kind", "Role"), ("namespace", "web")], "namespace", &["reader"]),
                k8s_grant(
                    &[("binding", "c"), ("role_kind", "ClusterRole"), ("namespace", "web")],
                    "namespace",
                    &["reader"],
                ),
                k8s_grant(&[("binding", "d"), ("role_kind", "Role"), ("namespace", "")], "namespace", &["reader"]),
            ],
            ..Default::default()
        };
        let env = Env::new(&facts, Date(0));
        let actions = |b: usize| -> Vec<String> {
            env.rules_bound_by(&facts.grants[b]).iter().flat_map(|r| r.actions.clone()).collect()
        };
        assert_eq!(actions(2), ["get"], "a RoleBinding reaches the Role of its namespace, not the ClusterRole");
        assert!(actions(3).is_empty(), "nor a Role of another namespace");
        assert_eq!(actions(4), ["list"], "a RoleBinding may name a ClusterRole");
        assert_eq!(actions(5), ["get"], "a namespace left to deploy time could be any");
        let bound: Vec<&str> = env.bindings_of(&facts.grants[0]).iter().map(|b| b.attrs["binding"].as_str()).collect();
        assert_eq!(bound, ["a", "d"]);
    }

    #[test]
    fn a_workflow_reaches_the_cloud_identities_it_logs_in_as() {
        let identity = |kind: &str, name: &str, assumes: Option<&str>| Identity {
            kind: kind.into(),
            name: name.into(),
            attrs: assumes.map(|a| ("assumes".to_string(), a.to_string())).into_iter().collect(),
            ..Default::default()
        };
        let facts = FactSet {
            identities: vec![
                identity(
                    "github_workflow",
                    "deploy.yml",
                    Some("arn:aws:iam::123456789012:role/ci/deployer,builder@proj.iam.gserviceaccount.com"),
                ),
                identity("github_workflow", "other.yml", Some("${{ secrets.ROLE_ARN }}")),
                identity("aws_iam_role", "deployer", None),
                identity("gcp_service_account", "builder", None),
            ],
            ..Default::default()
        };
        let env = Env::new(&facts, Date(0));
        let names = |ids: Vec<&Identity>| ids.iter().map(|i| i.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(env.assumed(&facts.identities[0])), ["deployer", "builder"]);
        assert!(env.assumed(&facts.identities[1]).is_empty(), "a role chosen at run time names nothing");
        assert_eq!(names(env.assumers(&facts.identities[2])), ["deploy.yml"]);
    }

    #[test]
    fn credential_age_counts_from_the_later_of_created_and_rotated() {
        let mut facts = FactSet::default();
        facts.credentials.push(Credential {
            kind: "access_key".into(),
            created: Date::parse("2025-01-01").ok(),
            rotated: Date::parse("2025-03-01").ok(),
            ..Default::default()
        });
        let now = Date::parse("2025-03-11").unwrap_or(Date(0));
        let env = Env::new(&facts, now);
        let age = record(RecordKind::Credential)
            .field("age")
            .map(|f| (f.get)(RecordRef::Credential(&facts.credentials[0]), &env));
        assert_eq!(age, Some(Value::Duration(super::super::Duration(10 * 86_400))));
    }
}
