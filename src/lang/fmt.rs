//! Canonical formatting of a pack: two-space indentation, one field a line,
//! one blank line between blocks, operators spaced, parentheses only where
//! precedence needs them. Fields keep the order they were written in, and
//! comments are kept: a comment on its own line stays before the field or
//! block that follows it, a comment at the end of a line stays there.
//!
//! `format(parse(text))` parses back to the same tree; a property test
//! holds the formatter to that.

use super::ast::*;

/// A pack's text in canonical form, or why it does not parse.
pub fn format_source(src: &super::PackSource) -> Result<String, super::CompileErrors> {
    match super::parse(&src.text) {
        Ok(file) => Ok(format(&file, &src.text)),
        Err(errors) => {
            let named = std::sync::Arc::new(miette::NamedSource::new(&src.path, src.text.clone()));
            let diagnostics =
                errors.into_iter().map(|e| super::FileDiagnostic { source: named.clone(), error: e.into() }).collect();
            Err(super::CompileErrors { diagnostics })
        }
    }
}

/// Format a parsed pack. `source` is the text it was parsed from, for its
/// comments; pass "" to format a tree built in code.
pub fn format(file: &PackFile, source: &str) -> String {
    let mut f = Formatter { out: String::new(), comments: comments(source), next_comment: 0 };
    for (i, item) in file.items.iter().enumerate() {
        // Constants stand together; blocks one blank line apart.
        let after_let = i > 0 && matches!(file.items[i - 1], Item::Let(_));
        if i > 0 && !(after_let && matches!(item, Item::Let(_))) {
            f.out.push('\n');
        }
        match item {
            Item::Pack(p) => f.pack(p),
            Item::Let(l) => {
                f.comments_before(l.span.start, "");
                f.out.push_str(&format!("let {} = {}\n", l.name.node, expr(&l.value)));
            }
            Item::Rule(r) => f.rule(r),
            Item::Detector(d) => f.detector(d),
            Item::Test(t) => f.test(t),
        }
    }
    f.rest_of_comments();
    f.out
}

/// A comment: its byte offset, its text (from `#`), and whether code stands
/// before it on its line.
struct Comment {
    at: usize,
    text: String,
    trailing: bool,
    /// A blank line follows it in the source: keep it, so that a file's
    /// heading comment stays apart from the first block.
    blank_after: bool,
}

/// Find comments lexically: `#` outside strings and regex literals. A `/`
/// opens a regex only after `pattern`, `allow` or `matches`, the three places
/// the grammar puts one.
fn comments(source: &str) -> Vec<Comment> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut last_word = String::new();
    let mut line_has_code = false;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => {
                line_has_code = false;
                i += 1;
            }
            b'#' => {
                let end = source[i..].find('\n').map_or(source.len(), |n| i + n);
                let next_line = source.get(end + 1..).unwrap_or("").split('\n').next().unwrap_or("x");
                let blank_after = !line_has_code && end < source.len() && next_line.trim().is_empty();
                out.push(Comment {
                    at: i,
                    text: source[i..end].trim_end().to_string(),
                    trailing: line_has_code,
                    blank_after,
                });
                i = end;
            }
            b'"' => {
                line_has_code = true;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                last_word.clear();
            }
            b'/' if matches!(last_word.as_str(), "pattern" | "allow" | "matches") => {
                line_has_code = true;
                i += 1;
                while i < bytes.len() && bytes[i] != b'/' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                last_word.clear();
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                line_has_code = true;
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                last_word = source[start..i].to_string();
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                line_has_code = true;
                last_word.clear();
                i += 1;
            }
        }
    }
    out
}

struct Formatter {
    out: String,
    comments: Vec<Comment>,
    next_comment: usize,
}

impl Formatter {
    /// Emit the own-line comments that stand before `at`.
    fn comments_before(&mut self, at: usize, indent: &str) {
        while let Some(c) = self.comments.get(self.next_comment) {
            if c.at >= at {
                break;
            }
            if c.trailing && self.out.ends_with('\n') {
                // A trailing comment of the previous line: put it back there.
                self.out.pop();
                self.out.push(' ');
                self.out.push_str(&c.text);
                self.out.push('\n');
            } else {
                self.out.push_str(indent);
                self.out.push_str(&c.text);
                self.out.push('\n');
                if c.blank_after {
                    self.out.push('\n');
                }
            }
            self.next_comment += 1;
        }
    }

    fn rest_of_comments(&mut self) {
        self.comments_before(usize::MAX, "");
    }

    fn open(&mut self, head: String, at: usize) {
        self.comments_before(at, "");
        self.out.push_str(&head);
        self.out.push_str(" {\n");
    }

    fn line(&mut self, at: usize, text: String) {
        self.comments_before(at, "  ");
        self.out.push_str("  ");
        self.out.push_str(&text);
        self.out.push('\n');
    }

    fn close(&mut self, end: usize) {
        // Comments inside the block, after its last field.
        self.comments_before(end.saturating_sub(1), "  ");
        self.out.push_str("}\n");
    }

    fn pack(&mut self, p: &PackDecl) {
        self.open(format!("pack {}", string(&p.name.value)), p.span.start);
        for f in &p.fields {
            let text = match &f.node {
                PackField::Version(v) => format!("version {}", string(&v.value)),
                PackField::Description(d) => format!("description {}", string(&d.value)),
            };
            self.line(f.span.start, text);
        }
        self.close(p.span.end);
    }

    fn rule(&mut self, r: &RuleDecl) {
        self.open(format!("rule {} {}", r.id.node, string(&r.title.value)), r.span.start);
        for f in &r.fields {
            let text = match &f.node {
                RuleField::Severity(s) => format!("severity {}", severity(&s.node)),
                RuleField::Maps(items) if items.is_empty() => "maps []".to_string(),
                RuleField::Maps(items) => format!("maps {}", strings(items)),
                RuleField::Param(name, value) => format!("param {} = {}", name.node, expr(value)),
                RuleField::On(t) => format!("on {}", t.node),
                RuleField::Where(e) => format!("where {}", expr(e)),
                RuleField::Require(e) => format!("require {}", expr(e)),
                RuleField::Deny(e) => format!("deny {}", expr(e)),
                RuleField::Message(s) => format!("message {}", string(&s.value)),
                RuleField::Fix(s) => format!("fix {}", string(&s.value)),
                RuleField::Docs(s) => format!("docs {}", string(&s.value)),
            };
            self.line(f.span.start, text);
        }
        self.close(r.span.end);
    }

    fn detector(&mut self, d: &DetectorDecl) {
        self.open(format!("detector {} {}", d.id.node, string(&d.title.value)), d.span.start);
        for f in &d.fields {
            let text = match &f.node {
                DetectorField::Severity(s) => format!("severity {}", severity(&s.node)),
                DetectorField::Provider(s) => format!("provider {}", string(&s.value)),
                DetectorField::Keywords(items) if items.is_empty() => "keywords []".to_string(),
                DetectorField::Keywords(items) => format!("keywords {}", strings(items)),
                DetectorField::Pattern(re) => format!("pattern {}", regex(re)),
                DetectorField::Assigned(re) => format!("assigned {}", regex(re)),
                DetectorField::Context(items) => format!("context {}", strings(items)),
                DetectorField::Entropy(n) => format!("entropy {}", n.node),
                DetectorField::Checksum(c) => format!("checksum {}", c.node),
                DetectorField::Pair(c) => format!("pair {}", c.node),
                DetectorField::Part => "part".to_string(),
                DetectorField::Allow(re) => format!("allow {}", regex(re)),
                DetectorField::Example(s) => format!("example {}", string(&s.value)),
                DetectorField::Negative(s) => format!("negative {}", string(&s.value)),
                DetectorField::Docs(s) => format!("docs {}", string(&s.value)),
            };
            self.line(f.span.start, text);
        }
        self.close(d.span.end);
    }

    fn test(&mut self, t: &TestDecl) {
        self.open(format!("test {}", string(&t.name.value)), t.span.start);
        for f in &t.fields {
            let text = match &f.node {
                TestField::Fixture(s) => format!("fixture {}", string(&s.value)),
                TestField::Base(s) => format!("base {}", string(&s.value)),
                TestField::Facts(s) => format!("facts {}", string(&s.value)),
                TestField::Now(d) => format!("now {}", d.node),
                TestField::Expect(Expectation::None { rule }) => format!("expect no {}", rule.node),
                TestField::Expect(Expectation::At { rule, file, lines }) => {
                    let lines: Vec<String> = lines.iter().map(|l| l.node.to_string()).collect();
                    match file {
                        Some(file) => {
                            format!("expect {} in {} at {}", rule.node, string(&file.value), lines.join(", "))
                        }
                        None => format!("expect {} at {}", rule.node, lines.join(", ")),
                    }
                }
            };
            self.line(f.span.start, text);
        }
        self.close(t.span.end);
    }
}

/// A severity as written: a bare word, or a string if it is not one.
fn severity(name: &str) -> String {
    let bare = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !super::parse::is_keyword(name);
    if bare { name.to_string() } else { string(name) }
}

fn strings(items: &[StrLit]) -> String {
    items.iter().map(|s| string(&s.value)).collect::<Vec<_>>().join(", ")
}

fn regex(re: &RegexLit) -> String {
    format!("/{}/{}", re.body, re.flags)
}

/// A string literal that parses back to `value`.
pub fn string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() && c != '\n' => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// Precedence, loosest first; an operand printed where a tighter level is
// required gets parentheses.
const QUANT: u8 = 0;
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const CMP: u8 = 4;
const SUM: u8 = 5;
const POSTFIX: u8 = 6;

fn level(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Quantified { quantifier: Quantifier::Count, .. } => POSTFIX,
        ExprKind::Quantified { .. } => QUANT,
        ExprKind::Logic(BoolOp::Or, ..) => OR,
        ExprKind::Logic(BoolOp::And, ..) => AND,
        ExprKind::Not(_) => NOT,
        ExprKind::Compare(..)
        | ExprKind::In { .. }
        | ExprKind::Glob(..)
        | ExprKind::Regex(..)
        | ExprKind::Exists(_)
        | ExprKind::Missing(_) => CMP,
        ExprKind::Arith(..) => SUM,
        _ => POSTFIX,
    }
}

/// Format an expression.
pub fn expr(e: &Expr) -> String {
    at(e, QUANT)
}

fn at(e: &Expr, min: u8) -> String {
    let text = bare(e);
    if level(e) < min { format!("({text})") } else { text }
}

fn bare(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Name(n) => n.clone(),
        ExprKind::Field(base, f) => format!("{}.{}", at(base, POSTFIX), f.node),
        ExprKind::Index(base, i) => format!("{}[{}]", at(base, POSTFIX), expr(i)),
        ExprKind::Call(name, args) => {
            format!("{}({})", name.node, args.iter().map(expr).collect::<Vec<_>>().join(", "))
        }
        ExprKind::Str(s) => string(&s.value),
        ExprKind::Number(n) | ExprKind::Duration(n) | ExprKind::Date(n) => n.clone(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Now => "now".to_string(),
        ExprKind::List(items) => format!("[{}]", items.iter().map(expr).collect::<Vec<_>>().join(", ")),
        ExprKind::Map(entries) => {
            if entries.is_empty() {
                "{}".to_string()
            } else {
                let inner: Vec<String> =
                    entries.iter().map(|(k, v)| format!("{}: {}", string(&k.value), expr(v))).collect();
                format!("{{ {} }}", inner.join(", "))
            }
        }
        ExprKind::Arith(op, l, r) => format!("{} {} {}", at(l, SUM), op.as_str(), at(r, POSTFIX)),
        ExprKind::Compare(op, l, r) => format!("{} {} {}", at(l, SUM), op.as_str(), at(r, SUM)),
        ExprKind::In { negated, item, collection } => {
            format!("{} {}in {}", at(item, SUM), if *negated { "not " } else { "" }, at(collection, SUM))
        }
        ExprKind::Glob(l, p) => format!("{} matches glob {}", at(l, SUM), string(&p.value)),
        ExprKind::Regex(l, re) => format!("{} matches {}", at(l, SUM), regex(re)),
        ExprKind::Exists(l) => format!("{} exists", at(l, SUM)),
        ExprKind::Missing(l) => format!("{} missing", at(l, SUM)),
        ExprKind::Not(inner) => format!("not {}", at(inner, NOT)),
        ExprKind::Logic(op, l, r) => {
            let (word, lvl) = if *op == BoolOp::Or { ("or", OR) } else { ("and", AND) };
            // An `and` inside an `or` keeps its parentheses: without them
            // the compiler warns (`nhigate::mixed_and_or`).
            let side = |e: &Expr, min: u8| {
                if *op == BoolOp::Or && matches!(e.kind, ExprKind::Logic(BoolOp::And, ..)) {
                    format!("({})", bare(e))
                } else {
                    at(e, min)
                }
            };
            format!("{} {word} {}", side(l, lvl), side(r, lvl + 1))
        }
        ExprKind::Quantified { quantifier: Quantifier::Count, var, list, body } => {
            format!("count({} in {}: {})", var.node, at(list, SUM), expr(body))
        }
        ExprKind::Quantified { quantifier, var, list, body } => {
            let q = if *quantifier == Quantifier::Any { "any" } else { "all" };
            format!("{q} {} in {}: {}", var.node, at(list, SUM), expr(body))
        }
    }
}
