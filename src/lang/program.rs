//! The compiled form of a set of packs: what the evaluator runs and the
//! command line lists. Expressions here are typed and resolved: field names
//! are schema entries, globs are compiled and regexes checked (and built on
//! first use), literals are values.

use std::sync::Arc;

use globset::GlobMatcher;
use regex::Regex;
use std::sync::OnceLock;

use crate::detect::DetectorSet;
use crate::facts::schema::{FieldDef, Type};
use crate::facts::{Date, FactType, Value};
use crate::severity::Severity;

pub use super::ast::{ArithOp, CmpOp};

/// A rule's `matches /…/`, checked when the pack is compiled and built
/// when a rule first needs it: building takes a millisecond or so for a
/// Unicode-aware pattern, and a pre-commit check of one file needs few of
/// the rules' patterns, if any.
#[derive(Debug)]
pub struct RuleRegex {
    builder: regex::RegexBuilder,
    built: OnceLock<Option<Regex>>,
}

impl RuleRegex {
    /// Settings as the checker gave them; the pattern's syntax was checked.
    pub(crate) fn new(builder: regex::RegexBuilder) -> RuleRegex {
        RuleRegex { builder, built: OnceLock::new() }
    }

    /// The regex. `None` only if it cannot be built after all (the checker
    /// compiled its NFA within the size limit); the rule then reads null.
    pub fn get(&self) -> Option<&Regex> {
        self.built.get_or_init(|| self.builder.build().ok()).as_ref()
    }
}

#[derive(Debug)]
pub struct Program {
    pub packs: Vec<Pack>,
    pub rules: Vec<Rule>,
    pub detectors: DetectorSet,
    /// Where each detector was declared, by detector index.
    pub detector_origins: Vec<Origin>,
    pub tests: Vec<TestCase>,
}

#[derive(Debug)]
pub struct Pack {
    pub name: String,
    pub version: Option<String>,
    pub description: Option<String>,
    /// Where the pack was read from, as the user named it (or `builtin:…`).
    pub path: String,
    pub source: Arc<str>,
}

#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub maps: Vec<String>,
    pub on: FactType,
    /// Thresholds and allowlists a config may set (`param max_age = 90d`).
    pub params: Vec<Param>,
    pub filters: Vec<Expr>,
    pub clauses: Vec<Clause>,
    pub message: Option<Template>,
    pub fix: Option<String>,
    pub docs: Option<String>,
    pub origin: Origin,
}

/// A rule's parameter: its default, which gives its type, and the value in
/// force (the default unless nhigate.toml sets it).
#[derive(Debug)]
pub struct Param {
    pub name: String,
    pub ty: Type,
    pub default: Value<'static>,
    pub value: Value<'static>,
}

/// A config's value for a parameter of type `ty`, or why it does not fit.
/// The reason names the type found, never the value: a config may be
/// pasted with a secret in the wrong place.
pub fn param_value(ty: Type, value: &toml::Value) -> Result<Value<'static>, String> {
    use crate::facts::Duration;
    use crate::facts::schema::Elem;
    let wrong = |want: &str| Err(format!("expected {want}, found {}", describe_toml(value)));
    match (ty, value) {
        (Type::Str, toml::Value::String(s)) => Ok(Value::Str(s.clone().into())),
        (Type::Num, toml::Value::Integer(n)) => Ok(Value::Num(*n as f64)),
        (Type::Num, toml::Value::Float(n)) => Ok(Value::Num(*n)),
        (Type::Bool, toml::Value::Boolean(b)) => Ok(Value::Bool(*b)),
        (Type::Duration, toml::Value::String(s)) => {
            Duration::parse(s).map(Value::Duration).map_err(|why| format!("expected a duration like \"30d\": {why}"))
        }
        (Type::Date, toml::Value::String(_) | toml::Value::Datetime(_)) => {
            let text = match value {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Date::parse(&text).map(Value::Date).map_err(|why| format!("expected a date like 2026-01-31: {why}"))
        }
        (Type::List(elem), toml::Value::Array(items)) => {
            let item_ty = if elem == Elem::Any { Type::Str } else { Type::of_elem(elem) };
            items
                .iter()
                .map(|i| param_value(item_ty, i))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::List)
                .map_err(|why| format!("a list item: {why}"))
        }
        (Type::Duration, _) => wrong("a duration like \"30d\""),
        (Type::Date, _) => wrong("a date like 2026-01-31"),
        (t, _) => wrong(&t.describe()),
    }
}

fn describe_toml(value: &toml::Value) -> String {
    match value {
        toml::Value::String(_) => "a string".into(),
        toml::Value::Integer(_) | toml::Value::Float(_) => "a number".into(),
        toml::Value::Boolean(_) => "a boolean".into(),
        toml::Value::Datetime(_) => "a date".into(),
        toml::Value::Array(_) => "a list".into(),
        toml::Value::Table(_) => "a table".into(),
    }
}

/// Where a block was declared: its pack and byte range in the pack's source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub pack: usize,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug)]
pub struct Clause {
    pub kind: ClauseKind,
    pub expr: Expr,
    /// The clause as written, for reports: `require age <= 90d`.
    pub text: String,
    /// The fact's fields the clause reads, first first (`scopes`,
    /// `attrs.automount`): a finding points at the first one the fact
    /// records a location for.
    pub fields: Vec<String>,
    /// The rule's parameters the clause reads, by index: a report shows
    /// their values in force beside the clause.
    pub params: Vec<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClauseKind {
    /// Fires unless the condition is true.
    Require,
    /// Fires when the condition is true.
    Deny,
}

/// A message with `{field}` placeholders.
#[derive(Debug)]
pub struct Template {
    pub segments: Vec<Segment>,
}

#[derive(Debug)]
pub enum Segment {
    Text(String),
    Field(Expr),
    /// `{witness}`: the list item that made a quantifier clause fail.
    Witness,
}

/// A test block, with paths still relative to the pack file.
#[derive(Debug)]
pub struct TestCase {
    pub name: String,
    pub pack: usize,
    pub fixture: Option<String>,
    /// The state before the change the fixture makes (`on change` rules).
    pub base: Option<String>,
    pub facts: Option<String>,
    pub now: Option<Date>,
    pub expectations: Vec<Expectation>,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Expectation {
    pub rule: String,
    /// For a folder fixture: the file, relative to the fixture.
    pub file: Option<String>,
    /// Empty: the rule must not fire at all (in `file`, or anywhere).
    pub lines: Vec<u32>,
}

/// A typed, resolved expression.
#[derive(Debug)]
pub enum Expr {
    Const(Value<'static>),
    Now,
    /// A variable: 0 is the fact, then each enclosing quantifier's variable.
    Var(usize),
    /// The rule's parameter at this index.
    Param(usize),
    Field(Box<Expr>, &'static FieldDef),
    Index(Box<Expr>, Box<Expr>),
    Call(Function, Vec<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    In(Box<Expr>, Box<Expr>),
    Glob(Box<Expr>, Box<GlobMatcher>),
    Regex(Box<Expr>, Box<RuleRegex>),
    Exists(Box<Expr>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Any(Box<Expr>, Box<Expr>),
    All(Box<Expr>, Box<Expr>),
    Count(Box<Expr>, Box<Expr>),
    List(Vec<Expr>),
    Map(Vec<(String, Expr)>),
}

impl Expr {
    /// The expressions directly inside this one, in order.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Const(_) | Expr::Now | Expr::Var(_) | Expr::Param(_) => Vec::new(),
            Expr::Field(a, _) | Expr::Exists(a) | Expr::Not(a) | Expr::Glob(a, _) | Expr::Regex(a, _) => vec![a],
            Expr::Index(a, b)
            | Expr::Arith(_, a, b)
            | Expr::Compare(_, a, b)
            | Expr::In(a, b)
            | Expr::And(a, b)
            | Expr::Or(a, b)
            | Expr::Any(a, b)
            | Expr::All(a, b)
            | Expr::Count(a, b) => vec![a, b],
            Expr::Call(_, items) | Expr::List(items) => items.iter().collect(),
            Expr::Map(entries) => entries.iter().map(|(_, v)| v).collect(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    Len,
    Lower,
    Upper,
    /// An AWS action (or pattern) accepts a resource other than `*`.
    ResourceScoped,
    /// Every AWS action a pattern matches only reads.
    ReadOnly,
    /// An IAM statement's conditions narrow it to some resources.
    ScopingCondition,
    /// An action is a wide wildcard.
    Wide,
    StartsWith,
    EndsWith,
    /// A string holds a substring, or a list an item.
    Contains,
    Split,
    Trim,
    /// A map's keys, as a list.
    Keys,
    /// A map's values, as a list.
    Values,
}

impl Function {
    pub const NAMES: [&'static str; 14] = [
        "len",
        "lower",
        "upper",
        "trim",
        "starts_with",
        "ends_with",
        "contains",
        "split",
        "keys",
        "values",
        "resource_scoped",
        "read_only",
        "scoping_condition",
        "wide",
    ];

    pub fn from_name(name: &str) -> Option<Function> {
        match name {
            "len" => Some(Function::Len),
            "lower" => Some(Function::Lower),
            "upper" => Some(Function::Upper),
            "trim" => Some(Function::Trim),
            "starts_with" => Some(Function::StartsWith),
            "ends_with" => Some(Function::EndsWith),
            "contains" => Some(Function::Contains),
            "split" => Some(Function::Split),
            "keys" => Some(Function::Keys),
            "values" => Some(Function::Values),
            "resource_scoped" => Some(Function::ResourceScoped),
            "read_only" => Some(Function::ReadOnly),
            "scoping_condition" => Some(Function::ScopingCondition),
            "wide" => Some(Function::Wide),
            _ => None,
        }
    }
}

impl Program {
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn detector_index(&self, id: &str) -> Option<usize> {
        self.detectors.iter().position(|d| d.spec.id == id)
    }

    /// The source text of a block, as written.
    pub fn block_source(&self, origin: Origin) -> &str {
        self.packs.get(origin.pack).and_then(|p| p.source.get(origin.start..origin.end)).unwrap_or("")
    }
}
