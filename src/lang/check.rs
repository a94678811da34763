//! The checker: types every expression against the schema table and lowers
//! it to the program's resolved form in the same walk, so that what is
//! checked is exactly what runs. Every error in a block is reported; an
//! expression with an error gets the type `Error`, which fits anything, so
//! that one mistake is reported once.

use crate::detect::{Checksum, Context, Detector, DetectorSpec, Matcher, Pattern, Rejection};
use crate::facts::schema::{self, Elem, RecordKind, Type};
use crate::facts::{Date, Duration, FactType, Redacted, Value};
use crate::severity::Severity;

use super::ast::{self, ExprKind, Span, StrLit};
use super::error::{CheckError, CheckWarning, LangError, did_you_mean, suggest};
use super::program::{self, Clause, ClauseKind, Expr, Function, Origin, RuleRegex, Segment, Template};

/// How much of a pack to verify. Built-in packs are verified by the test
/// suite, so loading them skips the costly part (compiling every regex to run
/// the examples); a user's pack is verified in full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verify {
    Full,
    Trusted,
}

pub(super) struct Checker<'s> {
    pub pack: usize,
    source: &'s str,
    verify: Verify,
    pub errors: Vec<LangError>,
    /// The file's `let` constants.
    constants: Vec<Binding>,
    /// The parameters of the rule being checked.
    params: Vec<Binding>,
}

/// A named constant value: a pack's `let` or a rule's `param`.
struct Binding {
    name: String,
    ty: Type,
    value: Value<'static>,
    span: Span,
    used: bool,
}

/// The rule ids a test names, each with whether it expects it to fire.
pub(super) type NamedInTest = Vec<(ast::Spanned<String>, bool)>;

struct Scope {
    root: RecordKind,
    vars: Vec<(String, Type)>,
}

struct Typed {
    ty: Type,
    ir: Expr,
}

impl Typed {
    fn error() -> Typed {
        Typed { ty: Type::Error, ir: Expr::Const(Value::Null) }
    }
}

fn fits(a: Type, b: Type) -> bool {
    match (a, b) {
        (Type::Error, _) | (_, Type::Error) => true,
        (Type::List(x), Type::List(y)) | (Type::Map(x), Type::Map(y)) => x == y || x == Elem::Any || y == Elem::Any,
        _ => a == b,
    }
}

impl<'s> Checker<'s> {
    pub(super) fn new(pack: usize, source: &'s str, verify: Verify) -> Checker<'s> {
        Checker { pack, source, verify, errors: Vec::new(), constants: Vec::new(), params: Vec::new() }
    }

    fn err(&mut self, e: CheckError) {
        self.errors.push(LangError::Check(e));
    }

    /// Whether the source wraps `span` in its own parentheses.
    fn parenthesized(&self, span: ast::Span) -> bool {
        let before = self.source.get(..span.start).map(|t| t.trim_end().ends_with('('));
        let after = self.source.get(span.end..).map(|t| t.trim_start().starts_with(')'));
        before == Some(true) && after == Some(true)
    }

    fn warn(&mut self, w: CheckWarning) {
        self.errors.push(LangError::Warning(w));
    }

    fn text(&self, span: Span) -> &'s str {
        self.source.get(span.start..span.end).unwrap_or("")
    }

    fn origin(&self, span: Span) -> Origin {
        Origin { pack: self.pack, start: span.start, end: span.end }
    }

    /// Report a field given twice.
    fn once<T>(&mut self, slot: &mut Option<T>, value: T, field: &'static str, span: Span) {
        if slot.is_some() {
            self.err(CheckError::DuplicateField { field, span: span.into() });
        } else {
            *slot = Some(value);
        }
    }

    fn severity(&mut self, s: &ast::Spanned<String>) -> Severity {
        match Severity::from_name(&s.node) {
            Some(sev) => sev,
            None => {
                let suggestion = suggest(&s.node.to_ascii_lowercase(), Severity::NAMES)
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                self.err(CheckError::UnknownSeverity { name: s.node.clone(), suggestion, span: s.span.into() });
                Severity::Medium
            }
        }
    }

    // ------------------------------------------------------------ rules

    pub(super) fn rule(&mut self, decl: &ast::RuleDecl) -> Option<program::Rule> {
        let before = self.error_count();
        self.params.clear();
        let mut severity = None;
        let mut on = None;
        let mut message = None;
        let mut fix = None;
        let mut docs = None;
        let mut maps = Vec::new();
        for f in &decl.fields {
            match &f.node {
                ast::RuleField::Severity(s) => {
                    let sev = self.severity(s);
                    self.once(&mut severity, sev, "severity", s.span);
                }
                ast::RuleField::On(name) => {
                    let t = self.fact_type(name);
                    self.once(&mut on, (t, name.span), "on", name.span);
                }
                ast::RuleField::Maps(items) => maps.extend(items.iter().map(|s| s.value.clone())),
                ast::RuleField::Param(..) => {}
                ast::RuleField::Message(s) => self.once(&mut message, s, "message", s.span),
                ast::RuleField::Fix(s) => self.once(&mut fix, s.value.clone(), "fix", s.span),
                ast::RuleField::Docs(s) => self.once(&mut docs, s.value.clone(), "docs", s.span),
                ast::RuleField::Where(_) | ast::RuleField::Require(_) | ast::RuleField::Deny(_) => {}
            }
        }
        let Some((on, _)) = on else {
            self.err(CheckError::MissingField {
                block: "rule",
                id: decl.id.node.clone(),
                field: "on",
                span: decl.id.span.into(),
                help: "say which facts the rule looks at: `on identity`, `on credential`, `on grant` or `on secret`"
                    .into(),
            });
            return None;
        };
        let on = on?;
        if severity.is_none() {
            self.warn(CheckWarning::NoSeverity { block: "rule", id: decl.id.node.clone(), span: decl.id.span.into() });
        }
        for f in &decl.fields {
            if let ast::RuleField::Param(name, value) = &f.node
                && let Some(b) = self.binding(name, value, "parameter", on.into())
            {
                self.params.push(b);
            }
        }
        let mut filters = Vec::new();
        let mut clauses = Vec::new();
        for f in &decl.fields {
            let (kind, e) = match &f.node {
                ast::RuleField::Where(e) => (None, e),
                ast::RuleField::Require(e) => (Some(ClauseKind::Require), e),
                ast::RuleField::Deny(e) => (Some(ClauseKind::Deny), e),
                _ => continue,
            };
            let mut scope = Scope { root: on.into(), vars: Vec::new() };
            let typed = self.condition(e, &mut scope);
            match kind {
                None => filters.push(typed),
                Some(kind) => {
                    let keyword = if kind == ClauseKind::Require { "require" } else { "deny" };
                    let text = format!("{keyword} {}", collapse_ws(self.text(e.span)));
                    let mut fields = Vec::new();
                    field_paths(&typed, &mut fields);
                    let mut params = Vec::new();
                    params_read(&typed, &mut params);
                    clauses.push(Clause { kind, expr: typed, text, fields, params });
                }
            }
        }
        if clauses.is_empty() {
            self.err(CheckError::MissingField {
                block: "rule",
                id: decl.id.node.clone(),
                field: "require",
                span: decl.id.span.into(),
                help: "a rule needs at least one `require` (fires when false) or `deny` (fires when true)".into(),
            });
        }
        let message = message.map(|m| self.template(m, on.into()));
        let params = std::mem::take(&mut self.params);
        self.warn_unused(&params, "parameter");
        if self.error_count() > before {
            return None;
        }
        let params = params
            .into_iter()
            .map(|b| program::Param { name: b.name, ty: b.ty, default: b.value.clone(), value: b.value })
            .collect();
        Some(program::Rule {
            id: decl.id.node.clone(),
            title: decl.title.value.clone(),
            severity: severity.unwrap_or(Severity::Medium),
            maps,
            on,
            params,
            filters,
            clauses,
            message,
            fix,
            docs,
            origin: self.origin(decl.span),
        })
    }

    /// A pack's `let NAME = VALUE`, visible to the rules of its file.
    pub(super) fn constant(&mut self, decl: &ast::LetDecl) {
        if let Some(b) = self.binding(&decl.name, &decl.value, "constant", RecordKind::Identity) {
            self.constants.push(b);
        }
    }

    /// The constants no rule reads, as warnings.
    pub(super) fn unused_constants(&mut self) {
        let constants = std::mem::take(&mut self.constants);
        self.warn_unused(&constants, "constant");
    }

    fn warn_unused(&mut self, bindings: &[Binding], what: &'static str) {
        for b in bindings.iter().filter(|b| !b.used) {
            self.warn(CheckWarning::Unused { what, name: b.name.clone(), span: b.span.into() });
        }
    }

    /// `NAME = VALUE` of a constant or parameter: the value must be a
    /// literal (a string, number, duration, date, boolean, or a list or map
    /// of them), and the name must not hide a fact's field or another name.
    fn binding(
        &mut self,
        name: &ast::Spanned<String>,
        value: &ast::Expr,
        what: &str,
        root: RecordKind,
    ) -> Option<Binding> {
        let taken = self.params.iter().chain(&self.constants).any(|b| b.name == name.node);
        let field = FactType::ALL.iter().any(|t| schema::record((*t).into()).field(&name.node).is_some());
        if taken || field {
            let label = if taken { "already defined".to_string() } else { "the name of a fact field".to_string() };
            self.err(CheckError::Invalid {
                message: format!("{what} `{}` cannot have this name", name.node),
                span: name.span.into(),
                label,
                help: Some(format!(
                    "choose another name; constants and parameters read well in capitals or snake case: `{}`",
                    name.node.to_ascii_uppercase()
                )),
            });
            return None;
        }
        let mut scope = Scope { root, vars: Vec::new() };
        let before = self.error_count();
        let typed = self.expr(value, &mut scope);
        if self.error_count() > before {
            return None;
        }
        let Some(folded) = fold(&typed.ir) else {
            self.err(CheckError::Invalid {
                message: format!("the value of {what} `{}` is not a literal", name.node),
                span: value.span.into(),
                label: "computed from the fact".into(),
                help: Some("give a string, number, duration, date, boolean, or a list or map of them".into()),
            });
            return None;
        };
        Some(Binding { name: name.node.clone(), ty: typed.ty, value: folded, span: name.span, used: false })
    }

    fn error_count(&self) -> usize {
        self.errors.iter().filter(|e| !e.is_warning()).count()
    }

    fn fact_type(&mut self, name: &ast::Spanned<String>) -> Option<FactType> {
        let t = FactType::from_name(&name.node);
        if t.is_none() {
            let known: Vec<&str> = FactType::ALL.iter().map(|t| t.name()).collect();
            self.err(CheckError::UnknownFactType {
                name: name.node.clone(),
                span: name.span.into(),
                help: did_you_mean(&name.node, &known, "the fact types are"),
            });
        }
        t
    }

    fn condition(&mut self, e: &ast::Expr, scope: &mut Scope) -> Expr {
        let t = self.expr(e, scope);
        if !fits(t.ty, Type::Bool) {
            self.err(CheckError::TypeMismatch {
                message: format!("a condition must be a boolean, this is {}", t.ty.describe()),
                span: e.span.into(),
                label: t.ty.describe(),
                help: Some("compare it (`x == \"a\"`), or test whether it is there (`x exists`)".into()),
            });
        }
        t.ir
    }

    /// A message: literal text and `{field}` placeholders, typed in the
    /// rule's scope. Placeholders are parsed from the raw text so that an
    /// error points at the placeholder in the file.
    fn template(&mut self, s: &StrLit, root: RecordKind) -> Template {
        let raw = &s.raw;
        let base = s.span.start + 1;
        let mut segments = Vec::new();
        let mut text = String::new();
        let mut i = 0;
        let bytes = raw.as_bytes();
        while i < bytes.len() {
            match bytes[i] {
                b'{' if bytes.get(i + 1) == Some(&b'{') => {
                    text.push('{');
                    i += 2;
                }
                b'}' if bytes.get(i + 1) == Some(&b'}') => {
                    text.push('}');
                    i += 2;
                }
                b'{' => {
                    let Some(close) = raw[i..].find('}') else {
                        self.err(CheckError::UnclosedPlaceholder { span: (base + i, 1).into() });
                        break;
                    };
                    if !text.is_empty() {
                        segments.push(Segment::Text(super::parse::unescape_lossy(&std::mem::take(&mut text))));
                    }
                    let inner = &raw[i + 1..i + close];
                    let at = base + i + 1;
                    segments.push(if inner.trim() == "witness" {
                        Segment::Witness
                    } else {
                        Segment::Field(self.placeholder(inner, at, root))
                    });
                    i += close + 1;
                }
                _ => {
                    let ch_len = raw[i..].chars().next().map_or(1, char::len_utf8);
                    text.push_str(&raw[i..i + ch_len]);
                    i += ch_len;
                }
            }
        }
        if !text.is_empty() {
            segments.push(Segment::Text(super::parse::unescape_lossy(&text)));
        }
        Template { segments }
    }

    fn placeholder(&mut self, inner: &str, at: usize, root: RecordKind) -> Expr {
        // Inside a string a placeholder's own quotes are escaped: `{tags[\"x\"]}`.
        let unescaped = super::parse::unescape_lossy(inner);
        let trimmed = unescaped.trim();
        let lead = inner.len() - inner.trim_start().len();
        let record = schema::record(root).name.to_string();
        match super::parse::parse_expr(trimmed, at + lead) {
            Some(e) => {
                let before = self.errors.len();
                let mut scope = Scope { root, vars: Vec::new() };
                let t = self.expr(&e, &mut scope);
                // An unknown name in a message reads better as its own error.
                for err in &mut self.errors[before..] {
                    if let LangError::Check(CheckError::UnknownField { field, span, help, record }) = err {
                        *err = LangError::Check(CheckError::UnknownPlaceholder {
                            field: field.clone(),
                            span: *span,
                            record: record.clone(),
                            help: help.clone(),
                        });
                    }
                }
                t.ir
            }
            None => {
                let known = schema::record(root).field_names();
                self.err(CheckError::UnknownPlaceholder {
                    field: trimmed.to_string(),
                    span: (at, inner.len().max(1)).into(),
                    record: format!("`{record}`"),
                    help: did_you_mean(trimmed, &known, "placeholders name a field, such as"),
                });
                Expr::Const(Value::Null)
            }
        }
    }

    // ------------------------------------------------------------ expressions

    fn expr(&mut self, e: &ast::Expr, scope: &mut Scope) -> Typed {
        match &e.kind {
            ExprKind::Name(name) => self.name(name, e.span, scope),
            ExprKind::Field(base, field) => {
                let b = self.expr(base, scope);
                self.field(b, field)
            }
            ExprKind::Index(base, index) => {
                let b = self.expr(base, scope);
                let i = self.expr(index, scope);
                self.declared_key(&b.ir, index);
                let ty = match (b.ty, i.ty) {
                    (Type::Error, _) => Type::Error,
                    (Type::Map(elem), k) if fits(k, Type::Str) => Type::of_elem(elem),
                    (Type::List(elem), k) if fits(k, Type::Num) => Type::of_elem(elem),
                    (Type::Map(_), k) => {
                        self.mismatch(index.span, format!("a map key must be a string, not {}", k.describe()), None)
                    }
                    (Type::List(_), k) => {
                        self.mismatch(index.span, format!("a list index must be a number, not {}", k.describe()), None)
                    }
                    (t, _) => self.mismatch(
                        base.span,
                        format!("only maps and lists can be indexed, not {}", t.describe()),
                        None,
                    ),
                };
                Typed { ty, ir: Expr::Index(Box::new(b.ir), Box::new(i.ir)) }
            }
            ExprKind::Call(name, args) => self.call(name, args, e.span, scope),
            ExprKind::Str(s) => Typed { ty: Type::Str, ir: Expr::Const(Value::Str(s.value.clone().into())) },
            ExprKind::Number(text) => match text.parse::<f64>() {
                Ok(n) => Typed { ty: Type::Num, ir: Expr::Const(Value::Num(n)) },
                Err(_) => {
                    self.err(CheckError::Invalid {
                        message: format!("bad number `{text}`"),
                        span: e.span.into(),
                        label: "not a number".into(),
                        help: None,
                    });
                    Typed::error()
                }
            },
            ExprKind::Bool(b) => Typed { ty: Type::Bool, ir: Expr::Const(Value::Bool(*b)) },
            ExprKind::Duration(text) => match Duration::parse(text) {
                Ok(d) => Typed { ty: Type::Duration, ir: Expr::Const(Value::Duration(d)) },
                Err(reason) => {
                    self.err(CheckError::BadDuration { text: text.clone(), span: e.span.into(), reason });
                    Typed::error()
                }
            },
            ExprKind::Date(text) => match Date::parse(text) {
                Ok(d) => Typed { ty: Type::Date, ir: Expr::Const(Value::Date(d)) },
                Err(reason) => {
                    self.err(CheckError::BadDate { text: text.clone(), span: e.span.into(), reason });
                    Typed::error()
                }
            },
            ExprKind::Now => Typed { ty: Type::Date, ir: Expr::Now },
            ExprKind::List(items) => {
                let mut elem = Elem::Any;
                let mut irs = Vec::new();
                for item in items {
                    let t = self.expr(item, scope);
                    match t.ty.as_elem() {
                        None => {
                            self.mismatch(item.span, "lists cannot hold lists or maps".into(), None);
                        }
                        Some(Elem::Any) => {}
                        Some(el) if elem == Elem::Any => elem = el,
                        Some(el) if el != elem => {
                            self.mismatch(
                                item.span,
                                format!(
                                    "a list holds one type: this is {}, the first item is {}",
                                    Type::of_elem(el).describe(),
                                    Type::of_elem(elem).describe()
                                ),
                                None,
                            );
                        }
                        Some(_) => {}
                    }
                    irs.push(t.ir);
                }
                Typed { ty: Type::List(elem), ir: Expr::List(irs) }
            }
            ExprKind::Map(entries) => {
                let mut elem = Elem::Any;
                let mut irs = Vec::new();
                for (k, v) in entries {
                    let t = self.expr(v, scope);
                    match t.ty.as_elem() {
                        None => {
                            self.mismatch(v.span, "map values cannot be lists or maps".into(), None);
                        }
                        Some(Elem::Any) => {}
                        Some(el) if elem == Elem::Any => elem = el,
                        Some(el) if el != elem => {
                            self.mismatch(v.span, "a map's values have one type".into(), None);
                        }
                        Some(_) => {}
                    }
                    irs.push((k.value.clone(), t.ir));
                }
                Typed { ty: Type::Map(elem), ir: Expr::Map(irs) }
            }
            ExprKind::Arith(op, l, r) => {
                let a = self.expr(l, scope);
                let b = self.expr(r, scope);
                use ast::ArithOp::*;
                let ty = match (op, a.ty, b.ty) {
                    (_, Type::Error, _) | (_, _, Type::Error) => Type::Error,
                    (Sub, Type::Date, Type::Date) => Type::Duration,
                    (_, Type::Date, Type::Duration) => Type::Date,
                    (Add, Type::Duration, Type::Date) => Type::Date,
                    (_, Type::Duration, Type::Duration) => Type::Duration,
                    (_, Type::Num, Type::Num) => Type::Num,
                    (Add, Type::Str, Type::Str) => Type::Str,
                    (_, x, y) => {
                        let help = if matches!((x, y), (Type::Date, Type::Num) | (Type::Duration, Type::Num)) {
                            Some("write the number with a unit, e.g. `90d`".to_string())
                        } else {
                            Some("dates and durations combine as `date - date`, `date ± duration`, `duration ± duration`".to_string())
                        };
                        self.mismatch(
                            e.span,
                            format!(
                                "cannot {} {} and {}",
                                if *op == Add { "add" } else { "subtract" },
                                x.describe(),
                                y.describe()
                            ),
                            help,
                        )
                    }
                };
                Typed { ty, ir: Expr::Arith(*op, Box::new(a.ir), Box::new(b.ir)) }
            }
            ExprKind::Compare(op, l, r) => {
                let a = self.expr(l, scope);
                let b = self.expr(r, scope);
                let ordered = !matches!(op, ast::CmpOp::Eq | ast::CmpOp::Ne);
                if !fits(a.ty, b.ty) {
                    let help = match (a.ty, b.ty) {
                        (Type::Duration, Type::Str | Type::Num) | (Type::Str | Type::Num, Type::Duration) => {
                            Some("write a duration like `90d` or `12h`, without quotes".to_string())
                        }
                        (Type::Date, Type::Str) | (Type::Str, Type::Date) => {
                            Some("write a date like `2026-01-31`, without quotes".to_string())
                        }
                        _ => None,
                    };
                    self.err(CheckError::TypeMismatch {
                        message: format!("cannot compare {} with {}", a.ty.describe(), b.ty.describe()),
                        span: r.span.into(),
                        label: format!("this is {}", b.ty.describe()),
                        help,
                    });
                } else if ordered && !matches!(a.ty, Type::Num | Type::Duration | Type::Date | Type::Str | Type::Error)
                {
                    self.mismatch(e.span, format!("`{}` does not order {}", op.as_str(), a.ty.describe()), None);
                }
                Typed { ty: Type::Bool, ir: Expr::Compare(*op, Box::new(a.ir), Box::new(b.ir)) }
            }
            ExprKind::In { negated, item, collection } => {
                let a = self.expr(item, scope);
                let b = self.expr(collection, scope);
                match b.ty {
                    Type::Error => {}
                    Type::List(elem) => {
                        if !fits(a.ty, Type::of_elem(elem)) {
                            self.mismatch(
                                item.span,
                                format!("{} is never in {}", a.ty.describe(), b.ty.describe()),
                                None,
                            );
                        }
                    }
                    Type::Map(_) | Type::Str => {
                        if !fits(a.ty, Type::Str) {
                            self.mismatch(
                                item.span,
                                format!("`in` {} takes a string, not {}", b.ty.describe(), a.ty.describe()),
                                None,
                            );
                        }
                    }
                    other => {
                        self.mismatch(
                            collection.span,
                            format!("`in` needs a list, a map or a string, not {}", other.describe()),
                            None,
                        );
                    }
                }
                let ir = Expr::In(Box::new(a.ir), Box::new(b.ir));
                let ir = if *negated { Expr::Not(Box::new(ir)) } else { ir };
                Typed { ty: Type::Bool, ir }
            }
            ExprKind::Glob(l, pattern) => {
                let a = self.expr(l, scope);
                self.expect_str(&a, l.span, "matches glob");
                match globset::GlobBuilder::new(&pattern.value).literal_separator(false).backslash_escape(true).build()
                {
                    Ok(g) => Typed { ty: Type::Bool, ir: Expr::Glob(Box::new(a.ir), Box::new(g.compile_matcher())) },
                    Err(err) => {
                        self.err(CheckError::Invalid {
                            message: format!("invalid glob `{}`", pattern.value),
                            span: pattern.span.into(),
                            label: err.kind().to_string(),
                            help: Some("globs use `*` (any text), `?` (one character) and `[abc]`".into()),
                        });
                        Typed::error()
                    }
                }
            }
            ExprKind::Regex(l, re) => {
                let a = self.expr(l, scope);
                self.expect_str(&a, l.span, "matches");
                match self.regex(re, true) {
                    Some(p) => match check_rule_regex(&p.body, &p.flags) {
                        Ok(r) => Typed { ty: Type::Bool, ir: Expr::Regex(Box::new(a.ir), Box::new(r)) },
                        Err(err) => {
                            self.err(CheckError::InvalidRegex {
                                reason: first_line(&err.to_string()),
                                span: re.span.into(),
                                help: None,
                            });
                            Typed::error()
                        }
                    },
                    None => Typed::error(),
                }
            }
            ExprKind::Exists(inner) => {
                let a = self.expr(inner, scope);
                Typed { ty: Type::Bool, ir: Expr::Exists(Box::new(a.ir)) }
            }
            ExprKind::Missing(inner) => {
                let a = self.expr(inner, scope);
                Typed { ty: Type::Bool, ir: Expr::Not(Box::new(Expr::Exists(Box::new(a.ir)))) }
            }
            ExprKind::Not(inner) => {
                let a = self.expr(inner, scope);
                self.expect_bool(&a, inner.span, "not");
                Typed { ty: Type::Bool, ir: Expr::Not(Box::new(a.ir)) }
            }
            ExprKind::Logic(op, l, r) => {
                if *op == ast::BoolOp::Or {
                    for side in [l, r] {
                        if matches!(side.kind, ExprKind::Logic(ast::BoolOp::And, ..)) && !self.parenthesized(side.span)
                        {
                            let text = self.source.get(side.span.start..side.span.end).unwrap_or("");
                            let span = ast::Span::new(side.span.start, side.span.start + text.trim_end().len());
                            self.warn(CheckWarning::MixedAndOr { span: span.into() });
                        }
                    }
                }
                let a = self.expr(l, scope);
                let b = self.expr(r, scope);
                let word = if *op == ast::BoolOp::And { "and" } else { "or" };
                self.expect_bool(&a, l.span, word);
                self.expect_bool(&b, r.span, word);
                let ir = match op {
                    ast::BoolOp::And => Expr::And(Box::new(a.ir), Box::new(b.ir)),
                    ast::BoolOp::Or => Expr::Or(Box::new(a.ir), Box::new(b.ir)),
                };
                Typed { ty: Type::Bool, ir }
            }
            ExprKind::Quantified { quantifier, var, list, body } => {
                let l = self.expr(list, scope);
                let word = match quantifier {
                    ast::Quantifier::Any => "any",
                    ast::Quantifier::All => "all",
                    ast::Quantifier::Count => "count",
                };
                let elem = match l.ty {
                    Type::List(e) => Type::of_elem(e),
                    Type::Map(_) => Type::Str,
                    Type::Error => Type::Error,
                    other => self.mismatch(
                        list.span,
                        format!("`{word}` ranges over a list, not {}", other.describe()),
                        Some("`any k in m:` ranges over a map's keys; `values(m)` gives its values".into()),
                    ),
                };
                scope.vars.push((var.node.clone(), elem));
                let b = self.expr(body, scope);
                scope.vars.pop();
                self.expect_bool(&b, body.span, "the quantifier's body");
                match quantifier {
                    ast::Quantifier::Any => Typed { ty: Type::Bool, ir: Expr::Any(Box::new(l.ir), Box::new(b.ir)) },
                    ast::Quantifier::All => Typed { ty: Type::Bool, ir: Expr::All(Box::new(l.ir), Box::new(b.ir)) },
                    ast::Quantifier::Count => Typed { ty: Type::Num, ir: Expr::Count(Box::new(l.ir), Box::new(b.ir)) },
                }
            }
        }
    }

    fn mismatch(&mut self, span: Span, message: String, help: Option<String>) -> Type {
        self.err(CheckError::TypeMismatch { label: "here".into(), message, span: span.into(), help });
        Type::Error
    }

    fn expect_bool(&mut self, t: &Typed, span: Span, what: &str) {
        if !fits(t.ty, Type::Bool) {
            self.mismatch(span, format!("{what} takes a boolean, not {}", t.ty.describe()), None);
        }
    }

    fn expect_str(&mut self, t: &Typed, span: Span, what: &str) {
        if !fits(t.ty, Type::Str) {
            self.mismatch(
                span,
                format!("`{what}` tests a string, not {}", t.ty.describe()),
                Some("use `any x in list: x matches …` for a list".into()),
            );
        }
    }

    fn name(&mut self, name: &str, span: Span, scope: &Scope) -> Typed {
        // Innermost variable first: `any s in scopes: s …`.
        if let Some(depth) = scope.vars.iter().rposition(|(n, _)| n == name) {
            return Typed { ty: scope.vars[depth].1, ir: Expr::Var(depth + 1) };
        }
        if let Some(i) = self.params.iter().position(|p| p.name == name) {
            self.params[i].used = true;
            return Typed { ty: self.params[i].ty, ir: Expr::Param(i) };
        }
        if let Some(c) = self.constants.iter_mut().find(|c| c.name == name) {
            c.used = true;
            return Typed { ty: c.ty, ir: Expr::Const(c.value.clone()) };
        }
        let record = schema::record(scope.root);
        match record.field(name) {
            Some(f) => Typed { ty: f.ty, ir: Expr::Field(Box::new(Expr::Var(0)), f) },
            None => {
                let names: Vec<&str> =
                    record.field_names().into_iter().chain(scope.vars.iter().map(|(n, _)| n.as_str())).collect();
                self.err(CheckError::UnknownField {
                    field: name.to_string(),
                    record: format!("`{}`", record.name),
                    span: span.into(),
                    help: did_you_mean(name, &names, &format!("the fields of {} are", record.name)),
                });
                Typed::error()
            }
        }
    }

    /// `attrs["typo"]` would never match: a literal key of a fixed map must
    /// be one the extractors write.
    fn declared_key(&mut self, base: &Expr, index: &ast::Expr) {
        let (Expr::Field(_, f), ExprKind::Str(key)) = (base, &index.kind) else { return };
        let Some(keys) = f.keys else { return };
        if f.allows_key(&key.value) {
            return;
        }
        let known: Vec<&str> = keys.iter().map(|a| a.key).collect();
        let help = match suggest(&key.value, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? (`nhigate rules fields` lists every attribute)"),
            None => format!(
                "`nhigate rules fields` lists the attributes extractors record; a facts file's own attributes start with `{}`",
                schema::CUSTOM_ATTR_PREFIX
            ),
        };
        self.err(CheckError::UnknownAttribute { key: key.value.clone(), field: f.name, span: index.span.into(), help });
    }

    fn field(&mut self, base: Typed, field: &ast::Spanned<String>) -> Typed {
        match base.ty {
            Type::Error => Typed::error(),
            Type::Record(kind) => {
                let record = schema::record(kind);
                match record.field(&field.node) {
                    Some(f) => Typed { ty: f.ty, ir: Expr::Field(Box::new(base.ir), f) },
                    None => {
                        let known = record.field_names();
                        self.err(CheckError::UnknownField {
                            field: field.node.clone(),
                            record: format!("`{}`", record.name),
                            span: field.span.into(),
                            help: did_you_mean(&field.node, &known, &format!("the fields of {} are", record.name)),
                        });
                        Typed::error()
                    }
                }
            }
            Type::Map(_) => {
                self.err(CheckError::UnknownField {
                    field: field.node.clone(),
                    record: "a map".into(),
                    span: field.span.into(),
                    help: format!("read a map's entries by key: `[\"{}\"]`", field.node),
                });
                Typed::error()
            }
            other => {
                self.err(CheckError::UnknownField {
                    field: field.node.clone(),
                    record: other.describe(),
                    span: field.span.into(),
                    help: "only records (identity, purpose, location, …) have fields".into(),
                });
                Typed::error()
            }
        }
    }

    fn call(&mut self, name: &ast::Spanned<String>, args: &[ast::Expr], span: Span, scope: &mut Scope) -> Typed {
        let Some(function) = Function::from_name(&name.node) else {
            let help = if name.node == "count" {
                "`count` ranges over a list with a condition: `count(k in credentials: k.long_lived)`".to_string()
            } else {
                did_you_mean(&name.node, &Function::NAMES, "the functions are")
            };
            self.err(CheckError::UnknownFunction { name: name.node.clone(), span: name.span.into(), help });
            return Typed::error();
        };
        let arity = match function {
            Function::StartsWith | Function::EndsWith | Function::Contains | Function::Split => 2,
            _ => 1,
        };
        if args.len() != arity {
            self.err(CheckError::Arity {
                name: name.node.clone(),
                expected: arity,
                found: args.len(),
                span: span.into(),
            });
            return Typed::error();
        }
        let typed: Vec<Typed> = args.iter().map(|a| self.expr(a, scope)).collect();
        let tys: Vec<Type> = typed.iter().map(|t| t.ty).collect();
        let ty = self.signature(function, &name.node, &tys, args);
        Typed { ty, ir: Expr::Call(function, typed.into_iter().map(|t| t.ir).collect()) }
    }

    /// The type a function returns for these argument types; a mismatch is
    /// reported at the argument.
    fn signature(&mut self, function: Function, name: &str, tys: &[Type], args: &[ast::Expr]) -> Type {
        use Function::*;
        let result = match function {
            Len => Type::Num,
            Lower | Upper | Trim => Type::Str,
            ResourceScoped | ReadOnly | Wide | ScopingCondition | StartsWith | EndsWith | Contains => Type::Bool,
            Split | Keys => Type::List(Elem::Str),
            Values => match tys[0] {
                Type::Map(e) => Type::List(e),
                _ => Type::List(Elem::Any),
            },
        };
        let wants = |what: &str, at: usize, me: &mut Self| {
            let message = format!("`{name}` takes {what}, not {}", tys[at].describe());
            me.mismatch(args[at].span, message, None);
        };
        let is = |t: Type, want: Type| fits(t, want);
        match function {
            Len if !matches!(tys[0], Type::Str | Type::List(_) | Type::Map(_) | Type::Error) => {
                wants("a string, list or map", 0, self)
            }
            ScopingCondition | Keys | Values if !matches!(tys[0], Type::Map(_) | Type::Error) => {
                wants("a map", 0, self)
            }
            Lower | Upper | Trim | ResourceScoped | ReadOnly | Wide if !is(tys[0], Type::Str) => {
                wants("a string", 0, self)
            }
            StartsWith | EndsWith | Split => {
                for (i, what) in ["a string", "a string as its second argument"].into_iter().enumerate() {
                    if !is(tys[i], Type::Str) {
                        wants(what, i, self);
                    }
                }
            }
            Contains => match tys[0] {
                Type::Error => {}
                Type::Str if !is(tys[1], Type::Str) => wants("a string to look for in a string", 1, self),
                Type::List(e) if !is(tys[1], Type::of_elem(e)) => {
                    let message = format!("{} is never in {}", tys[1].describe(), tys[0].describe());
                    self.mismatch(args[1].span, message, None);
                }
                Type::Str | Type::List(_) => {}
                _ => wants("a string or a list", 0, self),
            },
            _ => {}
        }
        result
    }

    /// Validate a regex literal with the regex crate's own parser, pointing
    /// an error at the offending part of the pattern. Detector patterns match
    /// bytes with ASCII classes; rule expressions match strings with Unicode.
    fn regex(&mut self, re: &ast::RegexLit, unicode: bool) -> Option<Pattern> {
        if self.verify == Verify::Trusted {
            // Built-in packs are compiled in full by the test suite.
            return Some(Pattern { body: re.body.clone(), flags: re.flags.clone() });
        }
        let mut parser = regex_syntax::ParserBuilder::new()
            .unicode(unicode)
            .case_insensitive(re.flags.contains('i'))
            .multi_line(re.flags.contains('m'))
            .dot_matches_new_line(re.flags.contains('s'))
            .ignore_whitespace(re.flags.contains('x'))
            .utf8(false)
            .build();
        let parsed = parser.parse(&re.body);
        if let Ok(hir) = &parsed {
            let count = repetition_product(hir);
            if count > MAX_REPETITION {
                self.err(CheckError::InvalidRegex {
                    reason: format!("counted repetitions multiply to {count}, over the limit of {MAX_REPETITION}"),
                    span: (re.span.start, re.body.len().max(1)).into(),
                    help: Some("a pattern this wide is slow to compile and to scan with; use a shorter count, or `+` and check the length with a group".to_string()),
                });
                return None;
            }
        }
        if let Err(e) = parsed {
            let (kind, span) = match &e {
                regex_syntax::Error::Parse(p) => (p.kind().to_string(), *p.span()),
                regex_syntax::Error::Translate(t) => (t.kind().to_string(), *t.span()),
                _ => (e.to_string(), regex_syntax::ast::Span::splat(regex_syntax::ast::Position::new(0, 1, 1))),
            };
            let start = re.span.start + span.start.offset;
            let len = (span.end.offset - span.start.offset).max(1);
            let help = (kind.contains("look-around") || kind.contains("backreference"))
                .then(|| "patterns run in linear time, so a rule cannot hang the scanner; match the context with a group instead".to_string());
            self.err(CheckError::InvalidRegex { reason: kind, span: (start, len).into(), help });
            return None;
        }
        Some(Pattern { body: re.body.clone(), flags: re.flags.clone() })
    }

    // ------------------------------------------------------------ detectors

    pub(super) fn detector(&mut self, decl: &ast::DetectorDecl) -> Option<DetectorSpec> {
        let before = self.error_count();
        let mut severity = None;
        let mut provider = None;
        let mut matcher: Option<Matcher> = None;
        let mut pattern_span = decl.id.span;
        let mut contexts: Vec<Context> = Vec::new();
        let mut entropy = None;
        let mut checksum = None;
        let mut pair = Vec::new();
        let mut part = None;
        let mut docs = None;
        let mut keywords = Vec::new();
        let mut keywords_given = false;
        let mut allow = Vec::new();
        let mut examples: Vec<&StrLit> = Vec::new();
        let mut negatives: Vec<&StrLit> = Vec::new();
        for f in &decl.fields {
            match &f.node {
                ast::DetectorField::Severity(s) => {
                    let sev = self.severity(s);
                    self.once(&mut severity, sev, "severity", s.span);
                }
                ast::DetectorField::Provider(s) => self.once(&mut provider, s.value.clone(), "provider", s.span),
                ast::DetectorField::Keywords(items) => {
                    keywords_given = true;
                    for k in items {
                        if k.value.is_empty() {
                            self.err(CheckError::Invalid {
                                message: "empty keyword".into(),
                                span: k.span.into(),
                                label: "matches everywhere".into(),
                                help: Some("a keyword is a literal that every match contains".into()),
                            });
                        } else {
                            keywords.push(k.value.clone());
                        }
                    }
                }
                ast::DetectorField::Pattern(re) | ast::DetectorField::Assigned(re) => {
                    if let Some(p) = self.regex(re, false) {
                        pattern_span = re.span;
                        let m = match &f.node {
                            ast::DetectorField::Assigned(_) => Matcher::Assigned(p),
                            _ => Matcher::Pattern(p),
                        };
                        self.once(&mut matcher, m, "pattern", re.span);
                    }
                }
                ast::DetectorField::Context(items) => {
                    for item in items {
                        match Context::from_name(&item.value) {
                            Some(c) => contexts.push(c),
                            None => self.err(CheckError::Invalid {
                                message: format!("unknown context `{}`", item.value),
                                span: item.span.into(),
                                label: "not a context".into(),
                                help: Some(did_you_mean(&item.value, &Context::NAMES, "the contexts are")),
                            }),
                        }
                    }
                }
                ast::DetectorField::Entropy(n) => match n.node.parse::<f64>() {
                    Ok(v) if (0.0..=8.0).contains(&v) => self.once(&mut entropy, v, "entropy", n.span),
                    _ => self.err(CheckError::Invalid {
                        message: format!("bad entropy `{}`", n.node),
                        span: n.span.into(),
                        label: "expected bits per character, from 0 to 8".into(),
                        help: Some("random base64 has about 6 bits per character, hex about 4".into()),
                    }),
                },
                ast::DetectorField::Checksum(name) => match Checksum::from_name(&name.node) {
                    Some(c) => self.once(&mut checksum, c, "checksum", name.span),
                    None => self.err(CheckError::UnknownChecksum {
                        name: name.node.clone(),
                        span: name.span.into(),
                        help: did_you_mean(&name.node, &Checksum::NAMES, "the built-in checksums are"),
                    }),
                },
                ast::DetectorField::Pair(other) => pair.push(other.node.clone()),
                ast::DetectorField::Part => self.once(&mut part, true, "part", f.span),
                ast::DetectorField::Allow(re) => {
                    if let Some(p) = self.regex(re, false) {
                        allow.push(p);
                    }
                }
                ast::DetectorField::Example(s) => examples.push(s),
                ast::DetectorField::Negative(s) => negatives.push(s),
                ast::DetectorField::Docs(s) => self.once(&mut docs, s.value.clone(), "docs", s.span),
            }
        }
        let id = decl.id.node.clone();
        if severity.is_none() {
            self.warn(CheckWarning::NoSeverity { block: "detector", id: id.clone(), span: decl.id.span.into() });
        }
        if !keywords_given {
            self.warn(CheckWarning::NoKeywords { id: id.clone(), span: decl.id.span.into() });
        }
        if examples.is_empty() {
            self.warn(CheckWarning::UntestedDetector { id: id.clone(), field: "example", span: decl.id.span.into() });
        }
        if negatives.is_empty() {
            self.warn(CheckWarning::UntestedDetector { id: id.clone(), field: "negative", span: decl.id.span.into() });
        }
        let Some(matcher) = matcher else {
            if self.error_count() == before {
                self.err(CheckError::MissingField {
                    block: "detector",
                    id,
                    field: "pattern",
                    span: decl.id.span.into(),
                    help: "add `pattern /regex/` (a capture group marks the secret inside the match), or `assigned /name regex/` for values assigned to such names".into(),
                });
            }
            return None;
        };
        if !contexts.is_empty() && matches!(matcher, Matcher::Pattern(_)) {
            self.err(CheckError::Invalid {
                message: "`context` needs `assigned`".into(),
                span: pattern_span.into(),
                label: "a pattern runs over the whole text".into(),
                help: Some("`context` limits where an `assigned` detector looks for values".into()),
            });
            return None;
        }
        if self.error_count() > before {
            return None;
        }
        let spec = DetectorSpec {
            id: id.clone(),
            title: decl.title.value.clone(),
            severity: severity.unwrap_or(Severity::Medium),
            provider,
            keywords,
            matcher,
            contexts,
            entropy,
            checksum,
            pair,
            part: part.unwrap_or(false),
            allow,
            examples: examples.iter().map(|s| s.value.clone()).collect(),
            negatives: negatives.iter().map(|s| s.value.clone()).collect(),
            docs,
            builtin: self.verify == Verify::Trusted,
        };
        if self.verify == Verify::Full {
            let detector = Detector::new(spec);
            if let Err(reason) = detector.compile() {
                self.err(CheckError::InvalidRegex {
                    reason: first_line(&reason),
                    span: pattern_span.into(),
                    help: None,
                });
                return None;
            }
            for ex in &examples {
                if let Err(rejections) = detector.check_text(&ex.value) {
                    let (reason, help) = explain_rejection(&rejections, &detector.spec);
                    self.err(CheckError::ExampleNotMatched {
                        detector: id.clone(),
                        span: ex.span.into(),
                        reason,
                        help,
                    });
                }
            }
            for neg in &negatives {
                if let Ok(found) = detector.check_text(&neg.value) {
                    let shown = found
                        .first()
                        .and_then(|m| neg.value.as_bytes().get(m.start..m.end))
                        .map(|b| Redacted::new(&String::from_utf8_lossy(b)).to_string())
                        .unwrap_or_default();
                    self.err(CheckError::NegativeMatched {
                        detector: id.clone(),
                        span: neg.span.into(),
                        redacted: shown,
                    });
                }
            }
            return Some(detector.spec);
        }
        Some(spec)
    }

    // ------------------------------------------------------------ tests

    /// A test block; the rule ids it names are checked once every pack is in.
    pub(super) fn test(&mut self, decl: &ast::TestDecl) -> Option<(program::TestCase, NamedInTest)> {
        let before = self.error_count();
        let mut fixture = None;
        let mut base = None;
        let mut facts = None;
        let mut now = None;
        let mut expectations = Vec::new();
        let mut named = Vec::new();
        for f in &decl.fields {
            match &f.node {
                ast::TestField::Fixture(s) => self.once(&mut fixture, s.value.clone(), "fixture", s.span),
                ast::TestField::Base(s) => self.once(&mut base, s.value.clone(), "base", s.span),
                ast::TestField::Facts(s) => self.once(&mut facts, s.value.clone(), "facts", s.span),
                ast::TestField::Now(d) => match Date::parse(&d.node) {
                    Ok(date) => self.once(&mut now, date, "now", d.span),
                    Err(reason) => self.err(CheckError::BadDate { text: d.node.clone(), span: d.span.into(), reason }),
                },
                ast::TestField::Expect(ast::Expectation::At { rule, file, lines }) => {
                    named.push((rule.clone(), true));
                    expectations.push(program::Expectation {
                        rule: rule.node.clone(),
                        file: file.as_ref().map(|f| f.value.clone()),
                        lines: lines.iter().map(|l| l.node).collect(),
                    });
                }
                ast::TestField::Expect(ast::Expectation::None { rule }) => {
                    named.push((rule.clone(), false));
                    expectations.push(program::Expectation { rule: rule.node.clone(), file: None, lines: vec![] });
                }
            }
        }
        if fixture.is_none() && (facts.is_none() || base.is_some()) {
            let help = if base.is_some() {
                "`base` is the state before a change: name the state after it with `fixture \"…\"`"
            } else {
                "point the test at a file or folder (`fixture \"…\"`) or a facts file (`facts \"…\"`)"
            };
            self.err(CheckError::MissingField {
                block: "test",
                id: decl.name.value.clone(),
                field: "fixture",
                span: decl.name.span.into(),
                help: help.into(),
            });
        }
        if expectations.is_empty() {
            self.err(CheckError::MissingField {
                block: "test",
                id: decl.name.value.clone(),
                field: "expect",
                span: decl.name.span.into(),
                help: "say what should fire (`expect ID at 3`) or not (`expect no ID`)".into(),
            });
        }
        if self.error_count() > before {
            return None;
        }
        let line = self.source[..decl.span.start.min(self.source.len())].matches('\n').count() + 1;
        Some((
            program::TestCase {
                name: decl.name.value.clone(),
                pack: self.pack,
                fixture,
                base,
                facts,
                now,
                expectations,
                line,
            },
            named,
        ))
    }
}

/// The value of a literal expression: constants, and lists and maps of them.
fn fold(ir: &Expr) -> Option<Value<'static>> {
    match ir {
        Expr::Const(v) => Some(v.clone()),
        Expr::List(items) => items.iter().map(fold).collect::<Option<Vec<_>>>().map(Value::List),
        Expr::Map(entries) => entries
            .iter()
            .map(|(k, v)| Some((std::borrow::Cow::Owned(k.clone()), fold(v)?)))
            .collect::<Option<Vec<_>>>()
            .map(Value::Map),
        _ => None,
    }
}

fn explain_rejection(rejections: &[Rejection], spec: &DetectorSpec) -> (String, Option<String>) {
    let Some(first) = rejections.first() else {
        return (Rejection::NoMatch.to_string(), None);
    };
    let help = match first {
        Rejection::NoKeyword => Some(format!(
            "the keywords are {}",
            spec.keywords.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        )),
        Rejection::LowEntropy { .. } => Some("use a more random example, or lower `entropy`".into()),
        Rejection::Checksum { .. } => {
            Some("examples must be valid tokens of the format, with a correct checksum".into())
        }
        _ => None,
    };
    (first.to_string(), help)
}

/// A rule's regex, checked as the regex crate would build it: parsed and
/// compiled to its NFA within the same size limit (which is what fails),
/// without the search structures a build adds (`RuleRegex`). The regex
/// crate's own message where it fails.
fn check_rule_regex(body: &str, flags: &str) -> Result<RuleRegex, regex::Error> {
    use regex_automata::nfa::thompson;
    const SIZE_LIMIT: usize = 4 << 20;
    let flag = |c| flags.contains(c);
    let mut builder = regex::RegexBuilder::new(body);
    builder
        .case_insensitive(flag('i'))
        .multi_line(flag('m'))
        .dot_matches_new_line(flag('s'))
        .ignore_whitespace(flag('x'))
        .size_limit(SIZE_LIMIT);
    // The regex crate's defaults (Unicode, UTF-8) with the same flags.
    let syntax = regex_automata::util::syntax::Config::new()
        .case_insensitive(flag('i'))
        .multi_line(flag('m'))
        .dot_matches_new_line(flag('s'))
        .ignore_whitespace(flag('x'));
    let nfa = thompson::Compiler::new()
        .syntax(syntax)
        .configure(thompson::Config::new().nfa_size_limit(Some(SIZE_LIMIT)))
        .build(body);
    if nfa.is_err() {
        builder.build()?;
    }
    Ok(RuleRegex::new(builder))
}

fn first_line(s: &str) -> String {
    // The regex crate's messages show the pattern over several lines; keep
    // the last line, which states the problem.
    s.lines().rfind(|l| !l.trim().is_empty()).unwrap_or(s).trim().trim_start_matches("error: ").to_string()
}

/// The rule's parameters an expression reads, in order.
fn params_read(e: &Expr, out: &mut Vec<usize>) {
    if let Expr::Param(i) = e
        && !out.contains(i)
    {
        out.push(*i);
    }
    e.children().into_iter().for_each(|c| params_read(c, out));
}

/// The fact's fields an expression reads, in order: `scopes`, `purpose.allowed`,
/// `attrs.automount` (a map read with a literal key).
fn field_paths(e: &Expr, out: &mut Vec<String>) {
    let mut push = |p: String| {
        if !out.contains(&p) {
            out.push(p);
        }
    };
    match e {
        Expr::Field(base, def) => {
            if let Some(prefix) = root_path(base) {
                push(if prefix.is_empty() { def.name.to_string() } else { format!("{prefix}.{}", def.name) });
            }
        }
        Expr::Index(base, key) => {
            if let (Some(p), Expr::Const(Value::Str(k))) = (root_path(base).and(path_of(base)), key.as_ref()) {
                push(format!("{p}.{k}"));
            }
        }
        _ => {}
    }
    e.children().into_iter().for_each(|c| field_paths(c, out));
}

/// The dotted path of a field read from the fact itself, if `e` is one.
fn path_of(e: &Expr) -> Option<String> {
    match e {
        Expr::Field(base, def) => {
            let prefix = root_path(base)?;
            Some(if prefix.is_empty() { def.name.to_string() } else { format!("{prefix}.{}", def.name) })
        }
        _ => None,
    }
}

/// `Some("")` for the fact itself, `Some("purpose")` for a field of it.
fn root_path(e: &Expr) -> Option<String> {
    match e {
        Expr::Var(0) => Some(String::new()),
        Expr::Field(..) => path_of(e),
        _ => None,
    }
}

fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The widest counted repetition a pattern may have (after nesting:
/// `(a{100}){100}` counts as 10,000).
const MAX_REPETITION: u64 = 1000;

/// The largest product of counted repetition bounds along any nesting path.
fn repetition_product(hir: &regex_syntax::hir::Hir) -> u64 {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Repetition(r) => {
            let count = u64::from(r.max.unwrap_or(r.min).max(1));
            count.saturating_mul(repetition_product(&r.sub))
        }
        HirKind::Capture(c) => repetition_product(&c.sub),
        HirKind::Concat(hs) | HirKind::Alternation(hs) => hs.iter().map(repetition_product).max().unwrap_or(1),
        _ => 1,
    }
}
