//! The fact model (DESIGN.md "The fact model"): identities, credentials,
//! grants and secrets, each with the location it came from.
//!
//! Extractors and detectors produce these; rules see them only through the
//! schema table in `schema`, which names every field a rule may use, its type
//! and how to read it. Facts never hold a whole secret: a secret's value is a
//! `Redacted`, and its fingerprint is computed from the raw value before the
//! raw value is dropped.

mod confidence;
pub mod delta;
pub mod graph;
mod redact;
pub mod schema;
pub mod time;
mod value;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use confidence::Confidence;
pub use redact::Redacted;
pub use time::{Date, Duration};
pub use value::{RecordRef, Value};

/// Where a fact came from. Lines and columns are 1-based.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Location {
    pub path: String,
    pub line: u32,
    pub column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    /// The commit the fact was read from, when scanning history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// What an identity is for, and the scopes and tools that purpose permits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Purpose {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub allowed: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Identity {
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Purpose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegated_by: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
    pub scopes: Vec<String>,
    /// Format-specific facts an extractor records (`automount_token`,
    /// `permissions`, ...), as strings; rules read them as `attrs["key"]`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<String, String>,
    /// Declared in nhi.toml.
    pub declared: bool,
    /// Found in the repository's code (as opposed to only declared).
    pub discovered: bool,
    pub location: Location,
    /// Where individual fields came from (`owner`, `scopes`,
    /// `attrs.automount`): a finding points at the field its clause read.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub at: BTreeMap<String, Location>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Credential {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The name of the identity this credential belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotated: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
    /// How often it is rotated automatically, when that is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub long_lived: Option<bool>,
    /// A literal value is in the repository.
    pub embedded: bool,
    pub declared: bool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<String, String>,
    pub location: Location,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub at: BTreeMap<String, Location>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Grant {
    /// The name of the identity that holds the grant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
    pub actions: Vec<String>,
    /// IAM `NotAction`: everything but these.
    pub not_actions: Vec<String>,
    pub resources: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub conditions: BTreeMap<String, String>,
    /// Where the grant applies: an account, subscription, project, namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<String, String>,
    pub location: Location,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub at: BTreeMap<String, Location>,
}

/// The commit that first introduced a secret.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FirstSeen {
    pub commit: String,
    pub date: Option<Date>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    pub detector: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    pub value: Redacted,
    /// A hash of the raw value: what fingerprints and deduplication use.
    pub value_hash: String,
    #[serde(default)]
    pub entropy: f64,
    /// How sure the detector is; a facts file's secret is taken at its word.
    #[serde(default)]
    pub confidence: Confidence,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<FirstSeen>,
    pub location: Location,
    /// Where the credential's other part is (a key id for its secret),
    /// when the detector found both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pair: Option<Location>,
}

/// The version of the facts format `nhigate facts` writes and `--facts`
/// reads.
pub const FACTS_VERSION: u32 = 1;

/// Every fact of one scan.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FactSet {
    /// The format's version, where a facts file states it.
    #[serde(skip_serializing)]
    pub version: Option<u32>,
    /// The relations `nhigate facts` prints: derived from the facts again on
    /// reading, so a file's own are read past.
    #[serde(skip_serializing)]
    pub relations: Option<serde::de::IgnoredAny>,
    pub identities: Vec<Identity>,
    pub credentials: Vec<Credential>,
    pub grants: Vec<Grant>,
    pub secrets: Vec<Secret>,
    /// Raw values the extractors judged to be literal secrets (an MCP
    /// server's `--api-key`, a pipeline variable): never serialized, held
    /// only so that the redaction step can find them in any other text.
    /// Identity changes against a base (`--base`, `--staged`): derived
    /// from both sides' facts (`delta`), never read from a facts file.
    #[serde(skip)]
    pub changes: Vec<delta::Change>,
    #[serde(skip)]
    pub literals: Literals,
    /// What each Terraform module (a folder of `.tf` files) defines that its
    /// resources refer to: read by the extractors, resolved once every file
    /// of the module is read (`extract::terraform::resolve`).
    #[serde(skip)]
    pub modules: BTreeMap<String, ModuleValues>,
    /// Calls of local Terraform modules, with the inputs they pass: each
    /// makes an instance of the called module's facts.
    #[serde(skip)]
    pub module_calls: Vec<ModuleCall>,
    /// Where facts of Terraform resources with `count` or `for_each` are:
    /// whether such a resource exists depends on values a call may not
    /// decide, so it is judged once, in its module, not per call.
    #[serde(skip)]
    pub conditional: std::collections::BTreeSet<Location>,
}

/// `module "NAME" { source = "./DIR" … }`: the called folder, relative to
/// the scanned root, and each input the call writes as a literal.
#[derive(Clone, Debug, Default)]
pub struct ModuleCall {
    pub name: String,
    pub dir: String,
    pub inputs: BTreeMap<String, ModuleInput>,
    pub location: Location,
}

/// One input of a module call: its strings (a string or a list of them)
/// or, for an object, its entries (tags).
#[derive(Clone, Debug, Default)]
pub struct ModuleInput {
    pub values: Option<Vec<String>>,
    pub entries: BTreeMap<String, String>,
    /// Written as literals throughout (`{ owner = "a" }`), so that an entry
    /// it lacks is known to be missing; `merge(var.tags, {…})` is not.
    pub literal: bool,
    pub at: Location,
}

/// A Terraform module's literal values: variable defaults and locals
/// (`var.x`, `local.x`, each a list of strings), and the owner its AWS
/// provider's `default_tags` give every resource.
#[derive(Clone, Debug, Default)]
pub struct ModuleValues {
    pub values: BTreeMap<String, Vec<String>>,
    pub default_owner: Option<(String, Location)>,
    /// Resource addresses (`aws_iam_user.bot`) and the cloud names they
    /// stand for, so that a reference in another file of the module links.
    pub names: BTreeMap<String, String>,
    /// `aws_iam_policy` labels and the policies' names.
    pub policies: BTreeMap<String, String>,
}

impl ModuleValues {
    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.default_owner.is_none() && self.names.is_empty() && self.policies.is_empty()
    }

    fn extend(&mut self, other: ModuleValues) {
        self.values.extend(other.values);
        self.names.extend(other.names);
        self.policies.extend(other.policies);
        if self.default_owner.is_none() {
            self.default_owner = other.default_owner;
        }
    }
}

/// Raw secret values; their `Debug` shows only how many there are.
#[derive(Clone, Default)]
pub struct Literals(pub Vec<String>);

impl std::fmt::Debug for Literals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Literals({} values)", self.0.len())
    }
}

impl FactSet {
    pub fn extend(&mut self, other: FactSet) {
        self.identities.extend(other.identities);
        self.credentials.extend(other.credentials);
        self.grants.extend(other.grants);
        self.secrets.extend(other.secrets);
        self.literals.0.extend(other.literals.0);
        for (dir, values) in other.modules {
            self.modules.entry(dir).or_default().extend(values);
        }
        self.module_calls.extend(other.module_calls);
        self.conditional.extend(other.conditional);
    }

    pub fn is_empty(&self) -> bool {
        self.identities.is_empty() && self.credentials.is_empty() && self.grants.is_empty() && self.secrets.is_empty()
    }

    /// Put every list in location order, so that evaluation and reports do
    /// not depend on the order workers finished in.
    pub fn sort(&mut self) {
        self.identities.sort_by(|a, b| (&a.location, &a.kind, &a.name).cmp(&(&b.location, &b.kind, &b.name)));
        self.credentials.sort_by(|a, b| (&a.location, &a.kind, &a.identity).cmp(&(&b.location, &b.kind, &b.identity)));
        self.grants.sort_by(|a, b| (&a.location, &a.identity).cmp(&(&b.location, &b.identity)));
        self.secrets
            .sort_by(|a, b| (&a.location, &a.detector, &a.value_hash).cmp(&(&b.location, &b.detector, &b.value_hash)));
    }
}

/// The fact types a rule can be `on`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FactType {
    Identity,
    Credential,
    Grant,
    Secret,
    /// What a change does to an identity (`--base`, `--staged` only).
    Change,
}

impl FactType {
    pub const ALL: [FactType; 5] =
        [FactType::Identity, FactType::Credential, FactType::Grant, FactType::Secret, FactType::Change];

    pub fn name(self) -> &'static str {
        match self {
            FactType::Identity => "identity",
            FactType::Credential => "credential",
            FactType::Grant => "grant",
            FactType::Secret => "secret",
            FactType::Change => "change",
        }
    }

    pub fn from_name(name: &str) -> Option<FactType> {
        FactType::ALL.into_iter().find(|t| t.name() == name)
    }
}
