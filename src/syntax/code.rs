//! Source code through tree-sitter: a name given a string literal, in the
//! shapes each language writes it (assignments, constants, fields, object
//! and dict entries, keyword arguments). Only literals count: a value read
//! from the environment, a call or an interpolated string is not a literal.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use streaming_iterator::StreamingIterator;
use tree_sitter::{Language, Node, Parser, Query, QueryCursor};

use super::Pos;
use super::lines::Pair;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Lang {
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Go,
    Java,
    Ruby,
}

impl Lang {
    pub(crate) fn of(name: &str, ext: &str) -> Option<Lang> {
        Some(match ext {
            "py" | "pyw" => Lang::Python,
            "js" | "mjs" | "cjs" | "jsx" => Lang::JavaScript,
            "ts" | "mts" | "cts" => Lang::TypeScript,
            "tsx" => Lang::Tsx,
            "go" => Lang::Go,
            "java" => Lang::Java,
            "rb" | "rake" | "gemspec" => Lang::Ruby,
            _ => match name {
                "gemfile" | "rakefile" => Lang::Ruby,
                _ => return None,
            },
        })
    }

    fn language(self) -> Language {
        match self {
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Lang::Go => tree_sitter_go::LANGUAGE.into(),
            Lang::Java => tree_sitter_java::LANGUAGE.into(),
            Lang::Ruby => tree_sitter_ruby::LANGUAGE.into(),
        }
    }

    /// Patterns with a `@name` and a `@value` capture. Values are checked to
    /// be plain string literals in code, which keeps the queries short.
    fn query(self) -> &'static str {
        match self {
            Lang::Python => {
                r#"
                (assignment left: (identifier) @name right: (_) @value)
                (assignment left: (attribute attribute: (identifier) @name) right: (_) @value)
                (pair key: (string) @name value: (_) @value)
                (keyword_argument name: (identifier) @name value: (_) @value)
                (default_parameter name: (identifier) @name value: (_) @value)
                (typed_default_parameter name: (identifier) @name value: (_) @value)
                "#
            }
            Lang::JavaScript => {
                r#"
                (variable_declarator name: (identifier) @name value: (_) @value)
                (pair key: (_) @name value: (_) @value)
                (assignment_expression left: (identifier) @name right: (_) @value)
                (assignment_expression left: (member_expression property: (property_identifier) @name) right: (_) @value)
                (field_definition property: (property_identifier) @name value: (_) @value)
                "#
            }
            Lang::TypeScript | Lang::Tsx => {
                r#"
                (variable_declarator name: (identifier) @name value: (_) @value)
                (pair key: (_) @name value: (_) @value)
                (assignment_expression left: (identifier) @name right: (_) @value)
                (assignment_expression left: (member_expression property: (property_identifier) @name) right: (_) @value)
                (public_field_definition name: (property_identifier) @name value: (_) @value)
                "#
            }
            Lang::Go => {
                r#"
                (const_spec name: (identifier) @name value: (expression_list . (_) @value))
                (var_spec name: (identifier) @name value: (expression_list . (_) @value))
                (short_var_declaration left: (expression_list . (identifier) @name) right: (expression_list . (_) @value))
                (assignment_statement left: (expression_list . (identifier) @name) right: (expression_list . (_) @value))
                (keyed_element . (literal_element (identifier) @name) . (literal_element (_) @value))
                (keyed_element . (literal_element (interpreted_string_literal) @name) . (literal_element (_) @value))
                "#
            }
            Lang::Java => {
                r#"
                (variable_declarator name: (identifier) @name value: (_) @value)
                (assignment_expression left: (identifier) @name right: (_) @value)
                (assignment_expression left: (field_access field: (identifier) @name) right: (_) @value)
                "#
            }
            Lang::Ruby => {
                r#"
                (assignment left: (_) @name right: (_) @value)
                (pair key: (_) @name value: (_) @value)
                "#
            }
        }
    }

    /// Node kinds of a string literal without interpolation.
    fn is_literal(self, node: Node<'_>) -> bool {
        let kind = node.kind();
        let literal = match self {
            Lang::Python => kind == "string",
            Lang::JavaScript | Lang::TypeScript | Lang::Tsx => kind == "string" || kind == "template_string",
            Lang::Go => kind == "interpreted_string_literal" || kind == "raw_string_literal",
            Lang::Java => kind == "string_literal",
            Lang::Ruby => kind == "string",
        };
        literal && !has_interpolation(node)
    }
}

fn has_interpolation(node: Node<'_>) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .any(|c| matches!(c.kind(), "interpolation" | "template_substitution" | "escape_sequence_interpolation"))
}

const LANGS: [Lang; 7] =
    [Lang::Python, Lang::JavaScript, Lang::TypeScript, Lang::Tsx, Lang::Go, Lang::Java, Lang::Ruby];

/// Queries are compiled the first time a file of their language is read:
/// compiling all of them costs tens of milliseconds that a pre-commit hook
/// on one Go file should not pay.
static QUERIES: [OnceLock<Option<Query>>; 7] = [const { OnceLock::new() }; 7];

fn query(lang: Lang) -> Option<&'static Query> {
    let i = LANGS.iter().position(|l| *l == lang)?;
    QUERIES[i].get_or_init(|| Query::new(&lang.language(), lang.query()).ok()).as_ref()
}

thread_local! {
    static PARSERS: RefCell<HashMap<Lang, Parser>> = RefCell::new(HashMap::new());
}

fn parse(lang: Lang, text: &str) -> Option<tree_sitter::Tree> {
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let parser = match parsers.entry(lang) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                let mut p = Parser::new();
                p.set_language(&lang.language()).ok()?;
                v.insert(p)
            }
        };
        parser.parse(text, None)
    })
}

/// The byte ranges of a source file's comments.
pub(crate) fn comments(lang: Lang, text: &str) -> Option<Vec<super::comments::Comment>> {
    let tree = parse(lang, text)?;
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    // Depth first, in source order, without recursion.
    'walk: loop {
        let node = cursor.node();
        if node.kind().contains("comment") {
            out.push(super::comments::Comment { start: node.start_byte(), end: node.end_byte() });
        } else if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    Some(out)
}

/// The name-to-literal pairs in a source file. `None` when the language's
/// parser or query is unavailable (a build problem, reported by the caller).
pub(crate) fn pairs(lang: Lang, text: &str) -> Option<Vec<Pair>> {
    let query = query(lang)?;
    let tree = parse(lang, text)?;
    let name_ix = query.capture_index_for_name("name")?;
    let value_ix = query.capture_index_for_name("value")?;
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(query, tree.root_node(), text.as_bytes());
    let mut out = Vec::new();
    while let Some(m) = matches.next() {
        let name = m.captures.iter().find(|c| c.index == name_ix).map(|c| c.node);
        let value = m.captures.iter().find(|c| c.index == value_ix).map(|c| c.node);
        let (Some(name), Some(value)) = (name, value) else { continue };
        if !lang.is_literal(value) {
            continue;
        }
        let Some(name_text) = text.get(name.byte_range()).map(unquote) else { continue };
        let Some(raw) = text.get(value.byte_range()) else { continue };
        let p = value.start_position();
        out.push(Pair {
            name: name_text.trim_start_matches([':', '@', '$']).to_string(),
            value: unquote(raw).to_string(),
            pos: Pos {
                line: u32::try_from(p.row + 1).unwrap_or(u32::MAX),
                col: u32::try_from(
                    text.get(value.start_byte() - p.column..value.start_byte()).map_or(p.column, |s| s.chars().count())
                        + 1,
                )
                .unwrap_or(u32::MAX),
            },
        });
    }
    out.sort_by_key(|p| p.pos);
    out.dedup_by(|b, a| a.pos == b.pos);
    Some(out)
}

/// A literal's contents: without a prefix (`r`, `b`, `f`, `u`), its quotes
/// (single, double, triple, backtick) or a Ruby symbol's colon.
fn unquote(raw: &str) -> &str {
    let s = raw.trim_start_matches(|c: char| {
        c.is_ascii_alphabetic() && c != '"' && c != '\'' && raw.len() > 1 && "rRbBuUfF".contains(c)
    });
    for q in ["\"\"\"", "'''", "\"", "'", "`"] {
        if let Some(inner) = s.strip_prefix(q).and_then(|x| x.strip_suffix(q)) {
            return inner;
        }
    }
    raw
}

#[cfg(test)]
mod tests {
    use super::*;

    fn got(lang: Lang, text: &str) -> Vec<(String, String, u32)> {
        pairs(lang, text).unwrap_or_default().into_iter().map(|p| (p.name, p.value, p.pos.line)).collect()
    }

    fn want(items: &[(&str, &str, u32)]) -> Vec<(String, String, u32)> {
        items.iter().map(|(a, b, l)| (a.to_string(), b.to_string(), *l)).collect()
    }

    #[test]
    fn every_language_has_a_working_query() {
        for lang in LANGS {
            assert!(query(lang).is_some(), "{lang:?}: {:?}", Query::new(&lang.language(), lang.query()).err());
        }
    }

    #[test]
    fn python() {
        let src = "import os\nPASSWORD = \"h.pQFE8CZtY\"\nconf = {\"api_key\": 'abc123', \"env\": os.environ[\"X\"]}\nconnect(password=r'pw1')\nf = f\"x{y}\"\n";
        assert_eq!(
            got(Lang::Python, src),
            want(&[("PASSWORD", "h.pQFE8CZtY", 2), ("api_key", "abc123", 3), ("password", "pw1", 4)])
        );
    }

    #[test]
    fn javascript_and_typescript() {
        let src = "const apiKey = 'k1';\nconst o = { secret: \"s1\", token: process.env.T };\nthis.pw = `p1`;\nconst t = `a${b}`;\n";
        assert_eq!(got(Lang::JavaScript, src), want(&[("apiKey", "k1", 1), ("secret", "s1", 2), ("pw", "p1", 3)]));
        let ts = "const token: string = \"t1\";\nclass A { private secret = 's2'; }\n";
        assert_eq!(got(Lang::TypeScript, ts), want(&[("token", "t1", 1), ("secret", "s2", 2)]));
    }

    #[test]
    fn go() {
        let src = "package main\nconst (\n\trabbitmqPassword = \".e9iX2c\"\n)\nfunc f() {\n\ttoken := `raw`\n\tc := Config{Secret: \"s\"}\n}\n";
        assert_eq!(
            got(Lang::Go, src),
            want(&[("rabbitmqPassword", ".e9iX2c", 3), ("token", "raw", 6), ("Secret", "s", 7)])
        );
    }

    #[test]
    fn java_and_ruby() {
        let java =
            "class A {\n  private static final String DB_PASSWORD = \"pw\";\n  void f() { this.token = \"t\"; }\n}\n";
        assert_eq!(got(Lang::Java, java), want(&[("DB_PASSWORD", "pw", 2), ("token", "t", 3)]));
        let ruby = "API_KEY = 'k'\nconfig = { secret: \"s\", 'token' => 't' }\nx = \"#{y}\"\n";
        assert_eq!(got(Lang::Ruby, ruby), want(&[("API_KEY", "k", 1), ("secret", "s", 2), ("token", "t", 2)]));
    }
}
