//! The interpreter for compiled expressions.
//!
//! Conditions are three-valued: true, false, or unknown (`Value::Null`). A
//! comparison, `in` or `matches` with an absent side is unknown; `not`
//! unknown is unknown; `and`/`or` follow Kleene's tables. At the top, a
//! `where` or `deny` needs a definite true and a `require` fires unless it
//! gets one, so an absent field never makes a rule silently pass or fire on
//! its own: `require x == "a"` fires when x is absent, `deny x == "a"` does
//! not, and `deny not (x == "a")` does not either.

use std::borrow::Cow;

use crate::facts::schema::Env;
use crate::facts::{Date, Duration, Value};
use crate::lang::program::{ArithOp, CmpOp, Expr, Function, Param};

pub(super) struct Eval<'a, 'e> {
    env: &'e Env<'a>,
    /// The rule's parameters, at the values in force.
    params: &'a [Param],
    vars: Vec<Value<'a>>,
}

impl<'a, 'e> Eval<'a, 'e> {
    pub(super) fn new(env: &'e Env<'a>, params: &'a [Param], fact: Value<'a>) -> Self {
        Eval { env, params, vars: vec![fact] }
    }

    /// A condition's truth: `Some(true)`, `Some(false)` or `None` (unknown).
    pub(super) fn truth(&mut self, e: &'a Expr) -> Option<bool> {
        match self.eval(e) {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub(super) fn eval(&mut self, e: &'a Expr) -> Value<'a> {
        match e {
            Expr::Const(v) => v.reborrow(),
            Expr::Now => Value::Date(self.env.now),
            Expr::Var(i) => self.vars.get(*i).cloned().unwrap_or(Value::Null),
            Expr::Param(i) => self.params.get(*i).map_or(Value::Null, |p| p.value.reborrow()),
            Expr::Field(base, def) => match self.eval(base) {
                Value::Record(r) => (def.get)(r, self.env),
                _ => Value::Null,
            },
            Expr::Index(base, index) => {
                let b = self.eval(base);
                let i = self.eval(index);
                match (b, i) {
                    (Value::Map(entries), Value::Str(k)) => {
                        entries.into_iter().find(|(key, _)| *key == k).map_or(Value::Null, |(_, v)| v)
                    }
                    (Value::List(items), Value::Num(n)) if n >= 0.0 && n.fract() == 0.0 => {
                        items.into_iter().nth(n as usize).unwrap_or(Value::Null)
                    }
                    _ => Value::Null,
                }
            }
            Expr::Call(f, args) => {
                let values: Vec<Value<'a>> = args.iter().map(|a| self.eval(a)).collect();
                call(*f, values)
            }
            Expr::Arith(op, l, r) => arith(*op, self.eval(l), self.eval(r)),
            Expr::Compare(op, l, r) => {
                let a = self.eval(l);
                let b = self.eval(r);
                compare(*op, &a, &b).map_or(Value::Null, Value::Bool)
            }
            Expr::In(item, collection) => {
                let a = self.eval(item);
                let b = self.eval(collection);
                contains(&b, &a).map_or(Value::Null, Value::Bool)
            }
            Expr::Glob(l, glob) => match self.eval(l) {
                Value::Str(s) => Value::Bool(glob.is_match(s.as_ref())),
                _ => Value::Null,
            },
            Expr::Regex(l, re) => match (self.eval(l), re.get()) {
                (Value::Str(s), Some(re)) => Value::Bool(re.is_match(&s)),
                _ => Value::Null,
            },
            Expr::Exists(inner) => Value::Bool(!self.eval(inner).is_null()),
            Expr::Not(inner) => match self.eval(inner) {
                Value::Bool(b) => Value::Bool(!b),
                _ => Value::Null,
            },
            Expr::And(l, r) => match self.truth(l) {
                Some(false) => Value::Bool(false),
                left => match (left, self.truth(r)) {
                    (_, Some(false)) => Value::Bool(false),
                    (Some(true), Some(true)) => Value::Bool(true),
                    _ => Value::Null,
                },
            },
            Expr::Or(l, r) => match self.truth(l) {
                Some(true) => Value::Bool(true),
                left => match (left, self.truth(r)) {
                    (_, Some(true)) => Value::Bool(true),
                    (Some(false), Some(false)) => Value::Bool(false),
                    _ => Value::Null,
                },
            },
            Expr::Any(list, body) => self.quantify(list, body, true),
            Expr::All(list, body) => self.quantify(list, body, false),
            Expr::Count(list, body) => self.count(list, body),
            Expr::List(items) => Value::List(items.iter().map(|i| self.eval(i)).collect()),
            Expr::Map(entries) => {
                Value::Map(entries.iter().map(|(k, v)| (Cow::Borrowed(k.as_str()), self.eval(v))).collect())
            }
        }
    }

    /// The items of `list` that decide a quantifier: for `any`, each item
    /// the body holds for; for `all`, each it does not definitely hold for.
    pub(super) fn deciding(&mut self, list: &'a Expr, body: &'a Expr, any: bool) -> Vec<(usize, Value<'a>)> {
        let items = match self.eval(list) {
            Value::List(items) => items,
            Value::Map(entries) => entries.into_iter().map(|(k, _)| Value::Str(k)).collect(),
            _ => return Vec::new(),
        };
        let mut out = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            self.vars.push(item);
            let t = self.truth(body);
            let item = self.vars.pop().unwrap_or(Value::Null);
            if (any && t == Some(true)) || (!any && t != Some(true)) {
                out.push((i, item));
            }
        }
        out
    }

    /// `any` stops at the first true, `all` at the first false; otherwise an
    /// unknown body makes the whole unknown. `all` over an empty list is true.
    /// The items a quantifier ranges over: a list's items, a map's keys.
    fn items(&mut self, list: &'a Expr) -> Option<Vec<Value<'a>>> {
        match self.eval(list) {
            Value::List(items) => Some(items),
            Value::Map(entries) => Some(entries.into_iter().map(|(k, _)| Value::Str(k)).collect()),
            _ => None,
        }
    }

    /// How many items the body definitely holds for: an item an absent
    /// field leaves undecided is not counted, so `count(…) > 2` never fires
    /// on what the facts do not say.
    fn count(&mut self, list: &'a Expr, body: &'a Expr) -> Value<'a> {
        let Some(items) = self.items(list) else { return Value::Null };
        let mut n = 0usize;
        for item in items {
            self.vars.push(item);
            if self.truth(body) == Some(true) {
                n += 1;
            }
            self.vars.pop();
        }
        Value::Num(n as f64)
    }

    fn quantify(&mut self, list: &'a Expr, body: &'a Expr, any: bool) -> Value<'a> {
        let Some(items) = self.items(list) else { return Value::Null };
        let mut unknown = false;
        for item in items {
            self.vars.push(item);
            let t = self.truth(body);
            self.vars.pop();
            match t {
                Some(b) if b == any => return Value::Bool(any),
                Some(_) => {}
                None => unknown = true,
            }
        }
        if unknown { Value::Null } else { Value::Bool(!any) }
    }
}

fn call<'a>(f: Function, mut args: Vec<Value<'a>>) -> Value<'a> {
    if args.iter().any(Value::is_null) {
        return Value::Null;
    }
    let second = if args.len() > 1 { args.pop() } else { None };
    let Some(first) = args.pop() else { return Value::Null };
    match (f, first, second) {
        (Function::Len, Value::Str(s), _) => Value::Num(s.chars().count() as f64),
        (Function::Len, Value::List(items), _) => Value::Num(items.len() as f64),
        (Function::Len, Value::Map(entries), _) => Value::Num(entries.len() as f64),
        (Function::Lower, Value::Str(s), _) => Value::Str(Cow::Owned(s.to_lowercase())),
        (Function::Upper, Value::Str(s), _) => Value::Str(Cow::Owned(s.to_uppercase())),
        (Function::Trim, Value::Str(s), _) => Value::Str(Cow::Owned(s.trim().to_string())),
        (Function::StartsWith, Value::Str(s), Some(Value::Str(p))) => Value::Bool(s.starts_with(p.as_ref())),
        (Function::EndsWith, Value::Str(s), Some(Value::Str(p))) => Value::Bool(s.ends_with(p.as_ref())),
        (Function::Contains, Value::Str(s), Some(Value::Str(p))) => Value::Bool(s.contains(p.as_ref())),
        (Function::Contains, list @ Value::List(_), Some(item)) => {
            contains(&list, &item).map_or(Value::Null, Value::Bool)
        }
        (Function::Split, Value::Str(s), Some(Value::Str(sep))) if !sep.is_empty() => {
            Value::List(s.split(sep.as_ref()).map(|p| Value::Str(Cow::Owned(p.to_string()))).collect())
        }
        (Function::Keys, Value::Map(entries), _) => {
            Value::List(entries.into_iter().map(|(k, _)| Value::Str(k)).collect())
        }
        (Function::Values, Value::Map(entries), _) => Value::List(entries.into_iter().map(|(_, v)| v).collect()),
        (Function::ResourceScoped, Value::Str(s), _) => {
            super::aws_actions::resource_scoped(&s).map_or(Value::Null, Value::Bool)
        }
        (Function::ReadOnly, Value::Str(s), _) => super::aws_actions::read_only(&s).map_or(Value::Null, Value::Bool),
        (Function::Wide, Value::Str(s), _) => super::aws_actions::wide(&s).map_or(Value::Null, Value::Bool),
        (Function::ScopingCondition, Value::Map(entries), _) => {
            Value::Bool(entries.iter().any(|(k, _)| super::aws_actions::scoping_condition(k)))
        }
        _ => Value::Null,
    }
}

fn arith<'a>(op: ArithOp, a: Value<'a>, b: Value<'a>) -> Value<'a> {
    let sign: i32 = if op == ArithOp::Add { 1 } else { -1 };
    match (a, b) {
        (Value::Date(x), Value::Date(y)) if op == ArithOp::Sub => Value::Duration(Duration(x.0 - y.0)),
        (Value::Date(x), Value::Duration(d)) => Value::Date(Date(x.0 + i64::from(sign) * d.0)),
        (Value::Duration(d), Value::Date(x)) if op == ArithOp::Add => Value::Date(Date(x.0 + d.0)),
        (Value::Duration(x), Value::Duration(y)) => Value::Duration(Duration(x.0 + i64::from(sign) * y.0)),
        (Value::Num(x), Value::Num(y)) => Value::Num(x + f64::from(sign) * y),
        (Value::Str(x), Value::Str(y)) if op == ArithOp::Add => Value::Str(Cow::Owned(format!("{x}{y}"))),
        _ => Value::Null,
    }
}

/// Equality of two values; unknown when either is absent.
fn equal(a: &Value<'_>, b: &Value<'_>) -> Option<bool> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut result = Some(true);
            for (p, q) in x.iter().zip(y) {
                match equal(p, q) {
                    Some(false) => return Some(false),
                    None => result = None,
                    Some(true) => {}
                }
            }
            result
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut result = Some(true);
            for (k, v) in x {
                match y.iter().find(|(k2, _)| k2 == k) {
                    None => return Some(false),
                    Some((_, w)) => match equal(v, w) {
                        Some(false) => return Some(false),
                        None => result = None,
                        Some(true) => {}
                    },
                }
            }
            result
        }
        _ => Some(a == b),
    }
}

fn compare(op: CmpOp, a: &Value<'_>, b: &Value<'_>) -> Option<bool> {
    use std::cmp::Ordering;
    if matches!(op, CmpOp::Eq | CmpOp::Ne) {
        return equal(a, b).map(|e| if op == CmpOp::Eq { e } else { !e });
    }
    let ord: Ordering = match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.partial_cmp(y)?,
        (Value::Duration(x), Value::Duration(y)) => x.cmp(y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        _ => return None,
    };
    Some(match op {
        CmpOp::Lt => ord.is_lt(),
        CmpOp::Le => ord.is_le(),
        CmpOp::Gt => ord.is_gt(),
        CmpOp::Ge => ord.is_ge(),
        CmpOp::Eq => ord.is_eq(),
        CmpOp::Ne => ord.is_ne(),
    })
}

/// `item in collection`: list membership, map key, or substring.
fn contains(collection: &Value<'_>, item: &Value<'_>) -> Option<bool> {
    if item.is_null() {
        return None;
    }
    match collection {
        Value::List(items) => {
            let mut unknown = false;
            for i in items {
                match equal(i, item) {
                    Some(true) => return Some(true),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            if unknown { None } else { Some(false) }
        }
        Value::Map(entries) => match item {
            Value::Str(k) => Some(entries.iter().any(|(key, _)| key == k)),
            _ => None,
        },
        Value::Str(s) => match item {
            Value::Str(sub) => Some(s.contains(sub.as_ref())),
            _ => None,
        },
        _ => None,
    }
}
