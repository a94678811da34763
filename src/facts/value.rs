//! Runtime values: what a field read or an expression gives while a rule is
//! evaluated. Values borrow from the facts and the compiled program, so a
//! read allocates only when it builds a list or a map.

use std::borrow::Cow;
use std::fmt;

use super::time::{Date, Duration};
use super::{Credential, FirstSeen, Grant, Identity, Location, Purpose, Secret};

#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// An absent field.
    Null,
    Bool(bool),
    Num(f64),
    Str(Cow<'a, str>),
    Duration(Duration),
    Date(Date),
    List(Vec<Value<'a>>),
    Map(Vec<(Cow<'a, str>, Value<'a>)>),
    Record(RecordRef<'a>),
}

/// A borrowed record: a fact or one of the records inside a fact.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RecordRef<'a> {
    Identity(&'a Identity),
    Credential(&'a Credential),
    Grant(&'a Grant),
    Secret(&'a Secret),
    Purpose(&'a Purpose),
    Location(&'a Location),
    FirstSeen(&'a FirstSeen),
    Change(&'a super::delta::Change),
    /// An identity named by a credential or grant but not found among the
    /// facts: only its name is known.
    NamedIdentity(&'a str),
}

impl<'a> RecordRef<'a> {
    /// The fact's own location, and where its fields came from.
    pub fn locations(self) -> Option<(&'a super::Location, &'a std::collections::BTreeMap<String, super::Location>)> {
        match self {
            RecordRef::Identity(i) => Some((&i.location, &i.at)),
            RecordRef::Credential(c) => Some((&c.location, &c.at)),
            RecordRef::Grant(g) => Some((&g.location, &g.at)),
            _ => None,
        }
    }
}

impl<'a> Value<'a> {
    pub fn str(s: &'a str) -> Value<'a> {
        Value::Str(Cow::Borrowed(s))
    }

    pub fn opt_str(s: &'a Option<String>) -> Value<'a> {
        s.as_deref().map_or(Value::Null, Value::str)
    }

    pub fn opt_date(d: Option<Date>) -> Value<'a> {
        d.map_or(Value::Null, Value::Date)
    }

    pub fn str_list(items: &'a [String]) -> Value<'a> {
        Value::List(items.iter().map(|s| Value::str(s)).collect())
    }

    pub fn str_map(map: &'a std::collections::BTreeMap<String, String>) -> Value<'a> {
        Value::Map(map.iter().map(|(k, v)| (Cow::Borrowed(k.as_str()), Value::str(v))).collect())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Borrow a value that lives at least as long as `'a` (a constant of the
    /// compiled program) without copying its strings.
    pub fn reborrow<'b>(&'b self) -> Value<'b> {
        match self {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(*b),
            Value::Num(n) => Value::Num(*n),
            Value::Str(s) => Value::Str(Cow::Borrowed(s.as_ref())),
            Value::Duration(d) => Value::Duration(*d),
            Value::Date(d) => Value::Date(*d),
            Value::List(items) => Value::List(items.iter().map(Value::reborrow).collect()),
            Value::Map(entries) => {
                Value::Map(entries.iter().map(|(k, v)| (Cow::Borrowed(k.as_ref()), v.reborrow())).collect())
            }
            Value::Record(r) => Value::Record(*r),
        }
    }
}

/// How a value reads inside a message.
impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("(none)"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Num(n) => write!(f, "{n}"),
            Value::Str(s) => f.write_str(s),
            Value::Duration(d) => write!(f, "{d}"),
            Value::Date(d) => write!(f, "{d}"),
            Value::List(items) => {
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                Ok(())
            }
            Value::Map(entries) => {
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}={v}")?;
                }
                Ok(())
            }
            Value::Record(r) => match r {
                RecordRef::Identity(i) => write!(f, "{} `{}`", i.kind, i.name),
                RecordRef::NamedIdentity(name) => f.write_str(name),
                RecordRef::Credential(c) => f.write_str(&c.kind),
                // A role's rule is shown as what it grants.
                RecordRef::Grant(g) => match g.attrs.get("role") {
                    Some(role) => {
                        write!(f, "`{}` on `{}` in role `{role}`", g.actions.join(", "), g.resources.join(", "))
                    }
                    None => f.write_str(g.identity.as_deref().unwrap_or("grant")),
                },
                RecordRef::Secret(s) => f.write_str(&s.detector),
                RecordRef::Purpose(p) => f.write_str(p.description.as_deref().unwrap_or("")),
                RecordRef::Location(l) => write!(f, "{}:{}", l.path, l.line),
                RecordRef::FirstSeen(s) => f.write_str(&s.commit),
                RecordRef::Change(c) => write!(f, "{} `{}`", c.identity.kind, c.identity.name),
            },
        }
    }
}
