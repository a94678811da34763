//! Where the comments of a text are, as far as its format says: through
//! tree-sitter for source code, and a small lexer per line for the other
//! formats that knows their comment openers and quotes (and YAML block
//! scalars, TOML multi-line strings). Text inside a string, a URL or a JSON
//! value is never a comment.
//!
//! Used to tell a real `nhigate:ignore` comment from the same words in data;
//! when in doubt the answer is "not a comment", so that nothing is
//! suppressed by accident.

use super::{Format, code};

/// A comment's byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comment {
    pub start: usize,
    pub end: usize,
}

/// The comments of `text` read as `format`.
pub fn comments(format: Format, text: &str) -> Vec<Comment> {
    match format {
        Format::Code(lang) => code::comments(lang, text).unwrap_or_default(),
        _ => by_lines(format, text),
    }
}

/// How a line-oriented format writes comments.
struct Style {
    /// `#` opens a comment.
    hash: bool,
    /// `#` counts only at the start of a line or after whitespace (YAML, shell).
    hash_after_space: bool,
    /// `//` and `/* */`.
    slashes: bool,
    /// `<!-- -->`.
    angle: bool,
    /// `--`, `;` and `REM` (plain text, where the language is unknown).
    others: bool,
    /// Comments only where a line starts (Dockerfile, properties).
    line_start_only: bool,
    quotes: &'static [u8],
}

fn style(format: Format) -> Style {
    let none = Style {
        hash: false,
        hash_after_space: false,
        slashes: false,
        angle: false,
        others: false,
        line_start_only: false,
        quotes: b"\"'",
    };
    match format {
        Format::Yaml | Format::Env => Style { hash: true, hash_after_space: true, ..none },
        Format::Toml => Style { hash: true, ..none },
        Format::Hcl => Style { hash: true, slashes: true, quotes: b"\"", ..none },
        Format::Json => Style { slashes: true, quotes: b"\"", ..none },
        Format::Properties => Style { hash: true, others: true, line_start_only: true, ..none },
        Format::Dockerfile => Style { hash: true, line_start_only: true, ..none },
        Format::Xml => Style { angle: true, quotes: b"", ..none },
        Format::Text | Format::Code(_) => {
            Style { hash: true, hash_after_space: true, slashes: true, angle: true, others: true, ..none }
        }
    }
}

fn by_lines(format: Format, text: &str) -> Vec<Comment> {
    let style = style(format);
    let mut out = Vec::new();
    let mut offset = 0;
    // YAML: the indentation under which a block scalar's lines are text.
    let mut block_indent: Option<usize> = None;
    // TOML: inside a multi-line string, and its delimiter.
    let mut multiline: Option<&'static str> = None;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start().len();
        if format == Format::Yaml {
            if let Some(min) = block_indent {
                if body.trim().is_empty() || indent >= min {
                    continue;
                }
                block_indent = None;
            }
        }
        if let Some(delim) = multiline {
            match body.find(delim) {
                Some(_) => multiline = None,
                None => continue,
            }
            continue;
        }
        let found = comment_in_line(&style, body);
        if let Some((from, to)) = found {
            out.push(Comment { start: start + from, end: start + to });
        }
        let code = &body[..found.map_or(body.len(), |(from, _)| from)];
        if format == Format::Yaml && opens_block_scalar(code) {
            block_indent = Some(indent + 1);
        }
        if format == Format::Toml {
            for delim in ["\"\"\"", "'''"] {
                if code.matches(delim).count() % 2 == 1 {
                    multiline = Some(delim);
                }
            }
        }
    }
    out
}

/// `key: |`, `- >-`, `key: |2`: the lines after it are the scalar's text.
fn opens_block_scalar(code: &str) -> bool {
    let t = code.trim_end();
    let Some(last) = t.rsplit([' ', '\t']).next() else { return false };
    let indicator = last.trim_start_matches(['|', '>']);
    last.starts_with(['|', '>'])
        && indicator.chars().all(|c| c == '-' || c == '+' || c.is_ascii_digit())
        && (t.len() == last.len() || t[..t.len() - last.len()].trim_end().ends_with([':', '-']))
}

/// The byte range of the comment in one line, if it has one.
fn comment_in_line(style: &Style, line: &str) -> Option<(usize, usize)> {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == b'\\' && q == b'"' {
                i += 2;
                continue;
            }
            if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        let at_start = line[..i].trim().is_empty();
        if style.line_start_only && !at_start {
            return None;
        }
        let after_space = i == 0 || bytes[i - 1].is_ascii_whitespace();
        let rest = &line[i..];
        if style.hash && b == b'#' && (!style.hash_after_space || after_space) {
            return Some((i, line.len()));
        }
        if style.slashes && rest.starts_with("//") && (after_space || !style.others) {
            return Some((i, line.len()));
        }
        if style.slashes && rest.starts_with("/*") {
            return Some((i, rest.find("*/").map_or(line.len(), |e| i + e + 2)));
        }
        if style.angle && rest.starts_with("<!--") {
            return Some((i, rest.find("-->").map_or(line.len(), |e| i + e + 3)));
        }
        if style.others && after_space {
            let opener = rest.starts_with("--")
                || rest.starts_with(';')
                || (style.line_start_only && rest.starts_with('!'))
                || ((rest.starts_with("REM ") || rest.starts_with("rem ")) && at_start);
            if opener {
                return Some((i, line.len()));
            }
        }
        if style.quotes.contains(&b) {
            quote = Some(b);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commented(format: Format, text: &str) -> Vec<&str> {
        comments(format, text).iter().map(|c| &text[c.start..c.end]).collect()
    }

    #[test]
    fn strings_urls_and_json_values_are_not_comments() {
        assert_eq!(commented(Format::Yaml, "a: \"x # no\"\nb: y # yes\nurl: http://h/#frag\n"), vec!["# yes"]);
        assert!(commented(Format::Json, "{\"a\": \"// not\", \"b\": \"/* no */\"}\n").is_empty());
        assert_eq!(commented(Format::Json, "{\n  // yes\n  \"a\": 1\n}\n"), vec!["// yes"]);
        assert_eq!(commented(Format::Env, "A='x # no' # yes\nB=a#b\n"), vec!["# yes"]);
        assert_eq!(commented(Format::Toml, "a = \"# no\" # yes\n"), vec!["# yes"]);
        assert!(commented(Format::Dockerfile, "ENV A=b # not a comment in a Dockerfile\n").is_empty());
        assert_eq!(commented(Format::Dockerfile, "# yes\nFROM x\n"), vec!["# yes"]);
    }

    #[test]
    fn yaml_block_scalars_and_toml_multiline_strings_are_text() {
        let yaml = "script: |\n  echo a # in the scalar\n  echo b\nnext: 1 # yes\n";
        assert_eq!(commented(Format::Yaml, yaml), vec!["# yes"]);
        let toml = "a = \"\"\"\nline # no\n\"\"\"\nb = 1 # yes\n";
        assert_eq!(commented(Format::Toml, toml), vec!["# yes"]);
    }

    #[test]
    fn code_comments_come_from_the_parser() {
        let py = "s = \"# nhigate:ignore x y\"\nt = 1  # real\n";
        assert_eq!(commented(Format::Code(code::Lang::Python), py), vec!["# real"]);
        let js = "const u = \"http://x//y\"; // real\n/* block */\n";
        assert_eq!(commented(Format::Code(code::Lang::JavaScript), js), vec!["// real", "/* block */"]);
    }
}
