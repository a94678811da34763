//! YAML and JSON (a subset of YAML 1.2) as one tree of maps, sequences and
//! scalars, each node with the line and column it starts at.
//!
//! Built from saphyr-parser's event stream without recursion, so that a
//! deeply nested document cannot overflow the stack: past `MAX_DEPTH` levels
//! the document is refused with a reason. Aliases are kept as aliases, never
//! expanded, so an alias bomb costs nothing.

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::{Pos, SyntaxError};

/// Deeper than this, a document is refused rather than walked.
pub(crate) const MAX_DEPTH: usize = 256;

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub pos: Pos,
    /// A YAML tag such as CloudFormation's `!Sub` (without the `!`).
    pub tag: Option<String>,
    pub kind: Kind,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    Map(Vec<(Key, Node)>),
    Seq(Vec<Node>),
    Scalar(Scalar),
    /// `*anchor`: a reference to a node elsewhere, not expanded.
    Alias,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Key {
    pub text: String,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Scalar {
    pub text: String,
    /// Written in quotes (a string for sure) rather than plain.
    pub quoted: bool,
}

impl Node {
    /// The value under `key`, if this is a map that has it.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|(k, _)| k.text == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The entry (key and value) under `key`.
    pub(crate) fn entry(&self, key: &str) -> Option<(&Key, &Node)> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|(k, _)| k.text == key).map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    pub(crate) fn entries(&self) -> &[(Key, Node)] {
        match &self.kind {
            Kind::Map(entries) => entries,
            _ => &[],
        }
    }

    pub(crate) fn items(&self) -> &[Node] {
        match &self.kind {
            Kind::Seq(items) => items,
            _ => &[],
        }
    }

    /// The text of a scalar (a null scalar has none).
    pub(crate) fn str(&self) -> Option<&str> {
        match &self.kind {
            // A plain empty or `null` scalar is no value; a quoted one is text.
            Kind::Scalar(s) if s.quoted || !(s.text.is_empty() || is_null(&s.text)) => Some(&s.text),
            _ => None,
        }
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self.str()? {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        }
    }

    /// A scalar or a sequence of scalars, as a list of strings.
    pub(crate) fn strings(&self) -> Vec<&str> {
        match &self.kind {
            Kind::Seq(items) => items.iter().filter_map(Node::str).collect(),
            _ => self.str().into_iter().collect(),
        }
    }

    /// Where each of `strings()` is written, in the same order.
    pub(crate) fn string_positions(&self) -> Vec<Pos> {
        match &self.kind {
            Kind::Seq(items) => items.iter().filter(|i| i.str().is_some()).map(|i| i.pos).collect(),
            _ => self.str().map(|_| self.pos).into_iter().collect(),
        }
    }
}

fn is_null(s: &str) -> bool {
    matches!(s, "~" | "null" | "Null" | "NULL")
}

/// A node being built: its children so far.
enum Open {
    Map { pos: Pos, tag: Option<String>, entries: Vec<(Key, Node)>, key: Option<Key> },
    Seq { pos: Pos, tag: Option<String>, items: Vec<Node> },
}

/// Parse every document of a YAML stream (a JSON file is one document).
/// A file read as `format`: JSON may be JSONC, with `//` and `/* */`
/// comments as VS Code's settings and `.vscode/mcp.json` allow. The comments
/// become spaces, so every position stays where it is written.
///
/// Comments are stripped before parsing, not after a failure: the YAML
/// parser that reads JSON takes `// text` for a plain scalar and would
/// misread the document without an error.
pub(crate) fn parse_as(format: super::Format, text: &str) -> Result<Vec<Node>, SyntaxError> {
    if format != super::Format::Json || !(text.contains("//") || text.contains("/*")) {
        return parse(text);
    }
    let mut stripped = String::with_capacity(text.len());
    let mut reader = json_comments::CommentSettings::c_style().strip_comments(text.as_bytes());
    match std::io::Read::read_to_string(&mut reader, &mut stripped) {
        Ok(_) => parse(&stripped),
        // An unterminated comment or string: parse as written, and say why.
        Err(_) => parse(text),
    }
}

pub(crate) fn parse(text: &str) -> Result<Vec<Node>, SyntaxError> {
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Ok(e)) => e,
            Some(Err(e)) => {
                let m = e.marker();
                return Err(SyntaxError {
                    line: m.line() as u32,
                    col: m.col() as u32 + 1,
                    message: e.info().to_string(),
                });
            }
        };
        let pos = Pos { line: span.start.line() as u32, col: span.start.col() as u32 + 1 };
        let done: Option<Node> = match event {
            Event::StreamEnd => break,
            Event::MappingStart(_, tag) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(too_deep(pos));
                }
                stack.push(Open::Map { pos, tag: tag_name(tag.as_deref()), entries: Vec::new(), key: None });
                None
            }
            Event::SequenceStart(_, tag) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(too_deep(pos));
                }
                stack.push(Open::Seq { pos, tag: tag_name(tag.as_deref()), items: Vec::new() });
                None
            }
            Event::MappingEnd => match stack.pop() {
                Some(Open::Map { pos, tag, entries, .. }) => Some(Node { pos, tag, kind: Kind::Map(entries) }),
                _ => None,
            },
            Event::SequenceEnd => match stack.pop() {
                Some(Open::Seq { pos, tag, items }) => Some(Node { pos, tag, kind: Kind::Seq(items) }),
                _ => None,
            },
            Event::Scalar(text, style, _, tag) => Some(Node {
                pos,
                tag: tag_name(tag.as_deref()),
                kind: Kind::Scalar(Scalar { text: text.into_owned(), quoted: !matches!(style, ScalarStyle::Plain) }),
            }),
            Event::Alias(_) => Some(Node { pos, tag: None, kind: Kind::Alias }),
            _ => None,
        };
        let Some(node) = done else { continue };
        match stack.last_mut() {
            None => docs.push(node),
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map { entries, key, .. }) => match key.take() {
                None => {
                    // A complex key (a map or list as a key) reads as its text, if any.
                    let text = match &node.kind {
                        Kind::Scalar(s) => s.text.clone(),
                        _ => String::new(),
                    };
                    *key = Some(Key { text, pos: node.pos });
                }
                Some(k) => entries.push((k, node)),
            },
        }
    }
    Ok(docs)
}

fn tag_name(tag: Option<&saphyr_parser::Tag>) -> Option<String> {
    tag.map(|t| if t.handle == "!" { t.suffix.clone() } else { format!("{}{}", t.handle, t.suffix) })
}

fn too_deep(pos: Pos) -> SyntaxError {
    SyntaxError { line: pos.line, col: pos.col, message: format!("nested more than {MAX_DEPTH} levels deep") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_sequences_and_positions() {
        let docs = parse("a: 1\nb:\n  - x\n  - 'y'\n---\nc: {d: e}\n").unwrap_or_default();
        assert_eq!(docs.len(), 2);
        let b = docs[0].get("b").map(Node::strings).unwrap_or_default();
        assert_eq!(b, vec!["x", "y"]);
        assert_eq!(docs[0].entry("b").map(|(k, _)| k.pos), Some(Pos { line: 2, col: 1 }));
        assert_eq!(docs[1].get("c").and_then(|c| c.get("d")).and_then(Node::str), Some("e"));
    }

    #[test]
    fn json_parses_as_yaml() {
        let docs = parse("{\n\t\"k\": \"v\\u00e9\",\n\t\"n\": [1, {\"m\": null}]\n}").unwrap_or_default();
        assert_eq!(docs[0].get("k").and_then(Node::str), Some("vé"));
        assert_eq!(docs[0].get("k").map(|n| n.pos), Some(Pos { line: 2, col: 7 }));
    }

    #[test]
    fn jsonc_comments_are_read_as_space() {
        let text = "{\n  // the servers\n  \"servers\": { /* none */ \"a\": \"http://x//y\" }\n}\n";
        let docs = parse_as(super::super::Format::Json, text).unwrap_or_default();
        let a = docs[0].get("servers").and_then(|s| s.get("a"));
        assert_eq!(a.and_then(Node::str), Some("http://x//y"));
        assert_eq!(a.map(|n| n.pos.line), Some(3));
        assert!(parse_as(super::super::Format::Yaml, "a: [\n// x\n").is_err());
    }

    #[test]
    fn tags_are_kept_and_aliases_not_expanded() {
        let docs = parse("a: !Sub 'x-${AWS::Region}'\nb: &r [1]\nc: *r\n").unwrap_or_default();
        assert_eq!(docs[0].get("a").and_then(|n| n.tag.clone()), Some("Sub".to_string()));
        assert!(matches!(docs[0].get("c").map(|n| &n.kind), Some(Kind::Alias)));
    }

    #[test]
    fn errors_and_depth_are_reported_with_a_position() {
        let e = parse("a: [\n").err().map(|e| e.line);
        assert_eq!(e, Some(2));
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        // The parser's own recursion limit answers before ours.
        assert!(parse(&deep).is_err());
    }
}
