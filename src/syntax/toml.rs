//! TOML as the same tree as YAML and JSON (`tree::Node`), with positions,
//! through toml_edit's span-keeping parser.

use toml_edit::{Document, Item, Table, Value};

use super::tree::{Key, Kind, Node, Scalar};
use super::{LineIndex, Pos, SyntaxError};

pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    let lines = LineIndex::new(text.as_bytes());
    let pos = |span: Option<std::ops::Range<usize>>| {
        span.map_or(Pos { line: 1, col: 1 }, |s| lines.pos(text.as_bytes(), s.start))
    };
    let doc = Document::parse(text).map_err(|e| {
        let p = pos(e.span());
        SyntaxError { line: p.line, col: p.col, message: e.message().to_string() }
    })?;
    Ok(table(doc.as_table(), &pos))
}

fn table(t: &Table, pos: &dyn Fn(Option<std::ops::Range<usize>>) -> Pos) -> Node {
    let entries = t
        .iter()
        .filter_map(|(k, item)| {
            let key_pos = t.key(k).map_or(Pos::default(), |key| pos(key.span()));
            let node = self::item(item, pos)?;
            Some((Key { text: k.to_string(), pos: key_pos }, node))
        })
        .collect();
    Node { pos: pos(t.span()), tag: None, kind: Kind::Map(entries) }
}

fn item(item: &Item, pos: &dyn Fn(Option<std::ops::Range<usize>>) -> Pos) -> Option<Node> {
    match item {
        Item::None => None,
        Item::Value(v) => Some(value(v, pos)),
        Item::Table(t) => Some(table(t, pos)),
        Item::ArrayOfTables(a) => {
            Some(Node { pos: pos(a.span()), tag: None, kind: Kind::Seq(a.iter().map(|t| table(t, pos)).collect()) })
        }
    }
}

fn value(v: &Value, pos: &dyn Fn(Option<std::ops::Range<usize>>) -> Pos) -> Node {
    let at = pos(v.span());
    let kind = match v {
        Value::String(s) => Kind::Scalar(Scalar { text: s.value().clone(), quoted: true }),
        Value::Array(a) => Kind::Seq(a.iter().map(|x| value(x, pos)).collect()),
        Value::InlineTable(t) => Kind::Map(
            t.iter()
                .map(|(k, x)| {
                    let key_pos = t.key(k).map_or(at, |key| pos(key.span()));
                    (Key { text: k.to_string(), pos: key_pos }, value(x, pos))
                })
                .collect(),
        ),
        other => Kind::Scalar(Scalar { text: other.to_string().trim().to_string(), quoted: false }),
    };
    Node { pos: at, tag: None, kind }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_keys_and_positions() {
        let doc =
            parse("version = 1\n\n[[identity]]\nname = \"bot\"\nowner = \"team\"\n").unwrap_or_else(|e| panic!("{e}"));
        let ids = doc.get("identity").map(Node::items).unwrap_or_default();
        assert_eq!(ids.len(), 1);
        assert_eq!(ids[0].get("name").and_then(Node::str), Some("bot"));
        assert_eq!(ids[0].get("name").map(|n| n.pos), Some(Pos { line: 4, col: 8 }));
        assert_eq!(doc.get("version").and_then(Node::str), Some("1"));
    }

    #[test]
    fn errors_have_a_position() {
        let e = parse("a = \n").err();
        assert_eq!(e.map(|e| e.line), Some(1));
    }
}
