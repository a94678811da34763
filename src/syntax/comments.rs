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
pub(crate) struct Comment {
    pub start: usize,
    pub end: usize,
}

/// The comments of `text` read as `format`.
pub(crate) fn comments(format: Format, text: &str) -> Vec<Comment> {
    match format {
        Format::Code(lang) => code::comments(lang, text).unwrap_or_default(),
        _ => by_lines(format, text),
    }
}

/// How a line-oriented format writes comments and strings.
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
    /// Quote characters; a string left open at the end of a line goes on
    /// on the next one.
    quotes: &'static [u8],
    /// Quotes that only count within one line (an apostrophe in prose).
    line_quotes: &'static [u8],
    /// Triple-quoted strings (TOML).
    triple: bool,
    /// `<<EOF` heredocs (shell, HCL, unknown languages).
    heredocs: bool,
    /// A backslash at the end of a line continues it (properties, shell).
    continuation: bool,
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
        line_quotes: b"",
        triple: false,
        heredocs: false,
        continuation: false,
    };
    match format {
        Format::Yaml => Style { hash: true, hash_after_space: true, ..none },
        Format::Env => {
            Style { hash: true, hash_after_space: true, quotes: b"\"'`", heredocs: true, continuation: true, ..none }
        }
        Format::Toml => Style { hash: true, triple: true, ..none },
        Format::Hcl => Style { hash: true, slashes: true, quotes: b"\"", heredocs: true, ..none },
        Format::Json => Style { slashes: true, ..none },
        Format::Properties => Style { hash: true, others: true, line_start_only: true, continuation: true, ..none },
        Format::Dockerfile => Style { hash: true, line_start_only: true, continuation: true, ..none },
        Format::Xml => Style { angle: true, quotes: b"", ..none },
        Format::Text | Format::Code(_) => Style {
            hash: true,
            hash_after_space: true,
            slashes: true,
            angle: true,
            others: true,
            quotes: b"\"`",
            line_quotes: b"'",
            heredocs: true,
            ..none
        },
    }
}

/// What is open at the end of a line.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Open {
    Quote(u8),
    Triple(&'static str),
}

fn by_lines(format: Format, text: &str) -> Vec<Comment> {
    // Lines ended by a lone CR cannot be told apart here: no comments.
    if text.as_bytes().windows(2).any(|w| w[0] == b'\r' && w[1] != b'\n') || text.ends_with('\r') {
        return Vec::new();
    }
    let style = style(format);
    let mut out = Vec::new();
    let mut offset = 0;
    // YAML: the indentation under which a block scalar's lines are text.
    let mut block_indent: Option<usize> = None;
    let mut open: Option<Open> = None;
    let mut heredoc: Option<String> = None;
    let mut continued = false;
    let mut cdata = false;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start().len();
        let was_continued = std::mem::replace(&mut continued, style.continuation && body.ends_with('\\'));
        if let Some(end) = &heredoc {
            if body.trim() == end {
                heredoc = None;
            }
            continue;
        }
        if format == Format::Yaml
            && let Some(min) = block_indent
        {
            if body.trim().is_empty() || indent >= min {
                continue;
            }
            block_indent = None;
        }
        if format == Format::Xml {
            // CDATA is text, whatever it spells.
            let was_cdata = cdata;
            cdata = xml_cdata_open(body, cdata);
            if was_cdata || body.contains("<![CDATA[") {
                continue;
            }
        }
        let found = scan_line(&style, body, &mut open);
        if let (Some((from, to)), false) = (found, was_continued) {
            out.push(Comment { start: start + from, end: start + to });
        }
        let code = &body[..found.map_or(body.len(), |(from, _)| from)];
        if format == Format::Yaml && open.is_none() && opens_block_scalar(code) {
            block_indent = Some(indent + 1);
        }
        if style.heredocs && open.is_none() {
            heredoc = heredoc_terminator(code);
        }
    }
    out
}

/// Whether a CDATA section is open at the end of this line.
fn xml_cdata_open(line: &str, mut open: bool) -> bool {
    let mut rest = line;
    loop {
        let (marker, after) = if open { ("]]>", false) } else { ("<![CDATA[", true) };
        match rest.find(marker) {
            Some(i) => {
                rest = &rest[i + marker.len()..];
                open = after;
            }
            None => return open,
        }
    }
}

/// `<<EOF`, `<<-EOF`, `<<'EOF'`, `<<~EOT`: the word that ends the heredoc.
fn heredoc_terminator(code: &str) -> Option<String> {
    let at = code.find("<<")?;
    let rest = code[at + 2..].trim_start_matches(['-', '~', '<']).trim_start();
    let rest = rest.trim_start_matches(['\'', '"']);
    let word: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    (!word.is_empty() && word.chars().next().is_some_and(|c| !c.is_ascii_digit())).then_some(word)
}

/// `key: |`, `- >-`, `key: !!str |2`, `key: &a |`: the lines after it are
/// the scalar's text.
fn opens_block_scalar(code: &str) -> bool {
    let tokens: Vec<&str> = code.split_whitespace().collect();
    let Some((last, before)) = tokens.split_last() else { return false };
    let indicator = last.trim_start_matches(['|', '>']);
    if !last.starts_with(['|', '>']) || !indicator.chars().all(|c| c == '-' || c == '+' || c.is_ascii_digit()) {
        return false;
    }
    let mut rest = before;
    while let Some((t, earlier)) = rest.split_last() {
        if t.starts_with(['!', '&']) {
            rest = earlier;
        } else {
            break;
        }
    }
    rest.last().is_none_or(|t| t.ends_with(':') || *t == "-" || *t == "---" || *t == "?")
}

/// The byte range of the comment in one line, if it has one; `open` is the
/// string open at the start of the line and, after, at its end.
fn scan_line(style: &Style, line: &str, open: &mut Option<Open>) -> Option<(usize, usize)> {
    let bytes = line.as_bytes();
    let mut line_quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        // Quotes and comment markers are ASCII: the rest of a multi-byte
        // character is stepped over, so that `i` always slices the line.
        if !line.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let b = bytes[i];
        match (*open, line_quote) {
            (Some(Open::Triple(t)), _) => {
                match line[i..].find(t) {
                    Some(e) => {
                        i += e + t.len();
                        *open = None;
                    }
                    None => return None,
                }
                continue;
            }
            (Some(Open::Quote(q)), _) | (None, Some(q)) => {
                if b == b'\\' && q != b'\'' {
                    i += 2;
                    continue;
                }
                if b == q {
                    *open = None;
                    line_quote = None;
                }
                i += 1;
                continue;
            }
            (None, None) => {}
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
        if style.triple
            && let Some(t) = ["\"\"\"", "'''"].into_iter().find(|t| rest.starts_with(t))
        {
            *open = Some(Open::Triple(t));
            i += 3;
            continue;
        }
        if style.quotes.contains(&b) {
            *open = Some(Open::Quote(b));
        } else if style.line_quotes.contains(&b) {
            line_quote = Some(b);
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
    fn multi_byte_characters_before_and_inside_comments_and_strings() {
        let md = "Other events (`dispatch`, `schedule`…) <!-- a note … -->\n";
        assert_eq!(commented(Format::Text, md), vec!["<!-- a note … -->"]);
        assert_eq!(commented(Format::Env, "A=\"quoted \\… text\" # after …\nB=é # é\n"), vec!["# after …", "# é"]);
        for format in [Format::Text, Format::Yaml, Format::Toml, Format::Xml, Format::Properties] {
            comments(format, "…#…\n\"…\\…\" // … <!-- … -->\n");
        }
    }

    #[test]
    fn yaml_block_scalars_and_toml_multiline_strings_are_text() {
        let yaml = "script: |\n  echo a # in the scalar\n  echo b\nnext: 1 # yes\n";
        assert_eq!(commented(Format::Yaml, yaml), vec!["# yes"]);
        let toml = "a = \"\"\"\nline # no\n\"\"\"\nb = 1 # yes\n";
        assert_eq!(commented(Format::Toml, toml), vec!["# yes"]);
    }

    #[test]
    fn strings_heredocs_and_continuations_that_span_lines_are_text() {
        let forged = "# nhigate:ignore github-pat forged";
        for (format, text) in [
            (Format::Env, format!("cat > cfg <<EOF\n{forged}\ntoken=x\nEOF\n")),
            (Format::Env, format!("A=\"x\n{forged}\ny\"\n")),
            (Format::Hcl, format!("data = <<-EOT\n  {forged}\n  EOT\n")),
            (Format::Yaml, format!("x: !!str |\n  {forged}\n  v\n")),
            (Format::Yaml, format!("x: &a >-\n  {forged}\n")),
            (Format::Yaml, format!("x: \"start\n  {forged}\n  end\"\n")),
            (Format::Yaml, format!("x: |\r  {forged}\r  v\r")),
            (Format::Toml, format!("a = \"\"\" '''\n'''\n{forged}\n\"\"\"\n")),
            (Format::Properties, format!("key=value \\\n  {forged}\n")),
            (Format::Xml, "<v><![CDATA[<!-- nhigate:ignore github-pat f -->x]]></v>\n".to_string()),
            (Format::Xml, "<v><![CDATA[\n<!-- nhigate:ignore github-pat f -->\n]]></v>\n".to_string()),
            (Format::Json, "{a: '// nhigate:ignore github-pat f', b: 'x'}\n".to_string()),
        ] {
            assert!(commented(format, &text).is_empty(), "{format:?}: {text:?} -> {:?}", commented(format, &text));
        }
        // After the string or heredoc closes, comments count again.
        assert_eq!(commented(Format::Env, "cat <<EOF\n# no\nEOF\n# yes\n"), vec!["# yes"]);
        assert_eq!(commented(Format::Yaml, "a: \"x\n y\" # yes\n"), vec!["# yes"]);
        assert_eq!(commented(Format::Text, "don't\n# yes\n"), vec!["# yes"]);
    }

    #[test]
    fn code_comments_come_from_the_parser() {
        let py = "s = \"# nhigate:ignore x y\"\nt = 1  # real\n";
        assert_eq!(commented(Format::Code(code::Lang::Python), py), vec!["# real"]);
        let js = "const u = \"http://x//y\"; // real\n/* block */\n";
        assert_eq!(commented(Format::Code(code::Lang::JavaScript), js), vec!["// real", "/* block */"]);
    }
}
