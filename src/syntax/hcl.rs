//! HCL (Terraform) as a small tree of blocks, attributes and expressions,
//! each with its position, through hcl-edit's span-keeping parser.
//!
//! Expressions keep what extractors need: literal strings, lists, objects,
//! function calls with their arguments (`jsonencode({...})`), heredocs, and
//! references as their source text (`aws_iam_user.bot.name`, `var.x`).

use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{BlockLabel, Structure};

use super::{LineIndex, Pos, SyntaxError};

/// Nesting deeper than this is refused before parsing, so that a hostile
/// file cannot exhaust the parser's stack.
const MAX_NESTING: usize = 128;

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Body {
    pub attrs: Vec<Attr>,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub pos: Pos,
    pub body: Body,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Attr {
    pub name: String,
    pub pos: Pos,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Expr {
    pub pos: Pos,
    pub kind: ExprKind,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ExprKind {
    /// A string without interpolation.
    Str(String),
    /// A string with `${…}` or `%{…}`: its source text.
    Template(String),
    /// A heredoc's text (interpolation left as written).
    Heredoc(String),
    Number(String),
    Bool(bool),
    Null,
    List(Vec<Expr>),
    Object(Vec<(String, Pos, Expr)>),
    Call(String, Vec<Expr>),
    /// A reference or any other expression, as its source text.
    Other(String),
}

impl Body {
    pub(crate) fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub(crate) fn blocks_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }
}

impl Expr {
    /// A literal string (or heredoc) value.
    pub(crate) fn str(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Str(s) | ExprKind::Heredoc(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a literal, template or reference.
    pub(crate) fn text(&self) -> String {
        match &self.kind {
            ExprKind::Str(s)
            | ExprKind::Template(s)
            | ExprKind::Heredoc(s)
            | ExprKind::Number(s)
            | ExprKind::Other(s) => s.clone(),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Null => "null".into(),
            ExprKind::Call(name, _) => format!("{name}(…)"),
            ExprKind::List(_) => "[…]".into(),
            ExprKind::Object(_) => "{…}".into(),
        }
    }

    /// An object's value at `key`: for the tests' asserts.
    #[cfg(test)]
    pub fn get(&self, key: &str) -> Option<&Expr> {
        match &self.kind {
            ExprKind::Object(entries) => entries.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }

    pub(crate) fn items(&self) -> &[Expr] {
        match &self.kind {
            ExprKind::List(items) => items,
            _ => &[],
        }
    }
}

pub(crate) fn parse(text: &str) -> Result<Body, SyntaxError> {
    if let Some(at) = too_deep(text) {
        return Err(SyntaxError {
            line: at.line,
            col: at.col,
            message: format!("nested more than {MAX_NESTING} levels deep"),
        });
    }
    let lines = LineIndex::new(text.as_bytes());
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        let loc = e.location();
        SyntaxError {
            line: u32::try_from(loc.line()).unwrap_or(0),
            col: u32::try_from(loc.column()).unwrap_or(0),
            message: e.message().to_string(),
        }
    })?;
    let conv = Converter { text, lines };
    Ok(conv.body(&body))
}

/// A file with a broken top-level block read without it: each block that
/// does not parse on its own is blanked (its lines kept, empty, so every
/// position stays right) and named with its error. `None` when the rest
/// does not parse either.
pub(crate) fn parse_skipping_broken_blocks(text: &str) -> Option<(Body, Vec<SyntaxError>)> {
    let mut kept = String::with_capacity(text.len());
    let mut broken = Vec::new();
    for (first_line, block) in top_level_blocks(text) {
        match parse(block) {
            Ok(_) => kept.push_str(block),
            Err(e) => {
                broken.push(SyntaxError { line: first_line + e.line.saturating_sub(1), ..e });
                kept.extend(block.split_inclusive('\n').map(|l| if l.ends_with('\n') { "\n" } else { "" }));
            }
        }
    }
    if broken.is_empty() {
        return None;
    }
    parse(&kept).ok().map(|body| (body, broken))
}

/// The text cut before each line that starts a top-level block or attribute
/// (a name at column 1), with the line each piece starts on.
fn top_level_blocks(text: &str) -> Vec<(u32, &str)> {
    let mut out = Vec::new();
    let (mut start, mut start_line, mut line) = (0, 1u32, 1u32);
    let mut offset = 0;
    for l in text.split_inclusive('\n') {
        if offset > start && l.starts_with(|c: char| c.is_ascii_alphabetic()) {
            out.push((start_line, &text[start..offset]));
            (start, start_line) = (offset, line);
        }
        offset += l.len();
        line += 1;
    }
    out.push((start_line, &text[start..]));
    out
}

fn too_deep(text: &str) -> Option<Pos> {
    let mut depth = 0usize;
    let lines = LineIndex::new(text.as_bytes());
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(lines.pos(text.as_bytes(), i));
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

struct Converter<'t> {
    text: &'t str,
    lines: LineIndex,
}

impl Converter<'_> {
    fn pos(&self, span: Option<std::ops::Range<usize>>) -> Pos {
        span.map_or(Pos::default(), |s| self.lines.pos(self.text.as_bytes(), s.start))
    }

    fn body(&self, body: &hcl_edit::structure::Body) -> Body {
        let mut out = Body::default();
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => out.attrs.push(Attr {
                    name: a.key.to_string(),
                    pos: self.pos(a.key.span()),
                    value: self.expr(&a.value),
                }),
                Structure::Block(b) => out.blocks.push(Block {
                    kind: b.ident.to_string(),
                    labels: b
                        .labels
                        .iter()
                        .map(|l| match l {
                            BlockLabel::Ident(i) => i.to_string(),
                            BlockLabel::String(s) => s.value().clone(),
                        })
                        .collect(),
                    pos: self.pos(b.ident.span()),
                    body: self.body(&b.body),
                }),
            }
        }
        out
    }

    fn expr(&self, e: &Expression) -> Expr {
        let pos = self.pos(e.span());
        let source = || e.span().and_then(|s| self.text.get(s)).unwrap_or("").trim().to_string();
        let kind = match e {
            Expression::String(s) => ExprKind::Str(s.value().clone()),
            Expression::StringTemplate(_) => {
                let raw = source();
                ExprKind::Template(raw.trim_matches('"').to_string())
            }
            Expression::HeredocTemplate(h) => ExprKind::Heredoc(h.template.to_string()),
            Expression::Number(n) => ExprKind::Number(n.value().to_string()),
            Expression::Bool(b) => ExprKind::Bool(*b.value()),
            Expression::Null(_) => ExprKind::Null,
            Expression::Array(a) => ExprKind::List(a.iter().map(|x| self.expr(x)).collect()),
            Expression::Object(o) => ExprKind::Object(
                o.iter()
                    .map(|(k, v)| {
                        let (name, kpos) = match k {
                            ObjectKey::Ident(i) => (i.to_string(), self.pos(i.span())),
                            ObjectKey::Expression(x) => {
                                let x = self.expr(x);
                                (x.text(), x.pos)
                            }
                        };
                        (name, kpos, self.expr(v.expr()))
                    })
                    .collect(),
            ),
            Expression::FuncCall(f) => {
                ExprKind::Call(f.name.name.to_string(), f.args.iter().map(|a| self.expr(a)).collect())
            }
            Expression::Parenthesis(p) => return self.expr(p.inner()),
            _ => ExprKind::Other(source()),
        };
        Expr { pos, kind }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_attributes_and_positions() {
        let text = "resource \"aws_iam_user\" \"bot\" {\n  name = \"deploy-bot\"\n  tags = { owner = \"team\" }\n}\n";
        let body = parse(text).unwrap_or_else(|e| panic!("{e}"));
        let b = &body.blocks[0];
        assert_eq!(
            (b.kind.as_str(), b.labels.clone()),
            ("resource", vec!["aws_iam_user".to_string(), "bot".to_string()])
        );
        let name = b.body.attr("name").map(|a| (a.pos, a.value.str().map(str::to_string)));
        assert_eq!(name, Some((Pos { line: 2, col: 3 }, Some("deploy-bot".to_string()))));
        let owner = b.body.attr("tags").and_then(|a| a.value.get("owner")).and_then(Expr::str);
        assert_eq!(owner, Some("team"));
    }

    #[test]
    fn calls_references_and_templates() {
        let text = "a = jsonencode({ Action = [\"s3:*\"] })\nb = var.x\nc = \"arn:${var.y}\"\n";
        let body = parse(text).unwrap_or_else(|e| panic!("{e}"));
        match &body.attrs[0].value.kind {
            ExprKind::Call(name, args) => {
                assert_eq!(name, "jsonencode");
                assert_eq!(args[0].get("Action").map(|a| a.items().len()), Some(1));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(body.attrs[1].value.kind, ExprKind::Other("var.x".into()));
        assert!(matches!(body.attrs[2].value.kind, ExprKind::Template(_)));
    }

    #[test]
    fn broken_and_hostile_input_is_an_error() {
        assert!(parse("resource \"x\" {\n  a = \n").is_err());
        assert!(parse(&"[".repeat(1000)).err().is_some_and(|e| e.message.contains("nested")));
    }
}
