//! Line-oriented assignments: `.env` files and shell scripts (`KEY=value`,
//! `export KEY="value"`), properties and INI (`key = value`, `key: value`),
//! Dockerfiles (`ENV KEY=value`, `ARG KEY=value`), XML attributes and
//! elements, and, for any other text, quoted values assigned to a name
//! (`name = "value"`, `"name": "value"`, `name => 'value'`).

use std::sync::LazyLock;

use regex::Regex;

use super::{Format, Pos};

/// A name given a literal value on one line.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pair {
    pub name: String,
    pub value: String,
    /// Where the value starts.
    pub pos: Pos,
}

macro_rules! re {
    ($name:ident, $pattern:expr) => {
        static $name: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new($pattern).ok());
    };
}

// `export KEY="value"`, `KEY=value`, `set KEY=value`.
re!(
    ENV,
    r#"^\s*(?:export\s+|set\s+|declare\s+(?:-x\s+)?)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s#'"]\S*))"#
);
// `key = value`, `key: value` (properties, INI).
re!(PROPERTIES, r#"^\s*([A-Za-z0-9_.\-/:@]+?)\s*[=:]\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S.*?))\s*$"#);
// `ENV KEY=value` / `ENV KEY value` / `ARG KEY=value`.
re!(DOCKER, r#"(?i)^\s*(?:ENV|ARG)\s+([A-Za-z_][A-Za-z0-9_]*)(?:\s*=\s*|\s+)(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+))"#);
// `<add key="Name" value="v"/>` (.NET), `<env name="Name" value="v"/>`
// (PHPUnit; also `server`, `ini`, `const`, `var`), `<property name=…
// value=…>` (Ant, Maven), and `<name>v</name>`.
re!(
    XML_ADD,
    r#"(?i)<(?:add|env|server|ini|const|var|property)\s+(?:key|name)\s*=\s*"([^"]+)"\s+value\s*=\s*"([^"]*)""#
);
re!(XML_ELEMENT, r#"<([A-Za-z_][A-Za-z0-9_.:-]*)>([^<>\s][^<>]*)</[A-Za-z_][A-Za-z0-9_.:-]*>"#);
re!(XML_ATTR, r#"\b([A-Za-z_][A-Za-z0-9_.:-]*)\s*=\s*"([^"]*)""#);
// PHP `define('NAME', 'value')`, PowerShell `$x = ConvertTo-SecureString "v"`,
// SQL `PASSWORD 'v'` / `IDENTIFIED BY 'v'`.
re!(DEFINE, r#"(?i)\bdefine\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*,\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')"#);
re!(
    SECURE_STRING,
    r#"(?i)\$([A-Za-z_][A-Za-z0-9_]*)\s*=\s*ConvertTo-SecureString\s+(?:-String\s+)?(?:"([^"]*)"|'([^']*)')"#
);
re!(SQL_PASSWORD, r#"(?i)\b(password|identified\s+by)\s+(?:'([^']*)'|"([^"]*)")"#);
// Any text: a name, an assignment operator, a quoted value.
re!(
    QUOTED,
    r#"(?:^|[^A-Za-z0-9_.])\$?["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*(?::=|=>|=|:)\s*(?:new\s+String\()?(?:[rRbBuUfF]{0,2})(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`([^`$\n]*)`)"#
);

/// Every pair on every line of a line-oriented file.
pub(crate) fn pairs(format: Format, text: &str) -> Vec<Pair> {
    read(format, text, &|_| true)
}

/// A line longer than this (minified JSON, a bundle) is read only around
/// the offsets on it, `WINDOW` bytes each side.
const LONG_LINE: usize = 4096;
const WINDOW: usize = 512;

/// The pairs on the lines that hold the given byte offsets (ascending).
pub(crate) fn pairs_at(format: Format, text: &str, offsets: &[usize]) -> Vec<Pair> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    // Lines are counted only up to a line that holds a pair: most lines a
    // keyword is on hold none (a line of code without a quote), and
    // counting to each was a pass over most of every file.
    let (mut counted_to, mut line_no) = (0usize, 1u32);
    let mut number = |start: usize, found: &mut [Pair]| {
        if found.is_empty() {
            return;
        }
        line_no += u32::try_from(memchr::memchr_iter(b'\n', &bytes[counted_to..start]).count()).unwrap_or(0);
        counted_to = start;
        found.iter_mut().for_each(|p| p.pos.line = line_no);
    };
    // Only what lies between one offset and the next is searched, so that
    // many offsets on one long line stay linear.
    let (mut scanned_to, mut start, mut end) = (0usize, 0usize, None);
    // On a long line: how far its windows were read, and how many
    // characters precede a byte of it (for columns).
    let (mut read_to, mut counted) = (0usize, (0usize, 0usize));
    for &at in offsets {
        let at = at.clamp(scanned_to, bytes.len());
        let between = &bytes[scanned_to..at];
        if let Some(i) = memchr::memrchr(b'\n', between) {
            (start, end) = (scanned_to + i + 1, None);
        }
        scanned_to = at;
        let fresh = end.is_none();
        let line_end =
            *end.get_or_insert_with(|| memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i));
        let line = text.get(start..line_end).unwrap_or("").trim_end_matches('\r');
        if line.len() <= LONG_LINE {
            if fresh {
                let first = out.len();
                read_line(format, line, 0, &mut out);
                number(start, &mut out[first..]);
            }
            continue;
        }
        if fresh {
            (read_to, counted) = (0, (0, 0));
        }
        let rel = at - start;
        let from = floor_boundary(line, rel.saturating_sub(WINDOW).max(read_to));
        let to = floor_boundary(line, (rel + WINDOW).min(line.len()));
        if from >= to {
            continue;
        }
        counted = (from, counted.1 + line[counted.0..from].chars().count());
        read_to = to;
        let first = out.len();
        read_line(format, &line[from..to], 0, &mut out);
        number(start, &mut out[first..]);
        let shift = u32::try_from(counted.1).unwrap_or(u32::MAX);
        out[first..].iter_mut().for_each(|p| p.pos.col = p.pos.col.saturating_add(shift));
    }
    out
}

/// The largest char boundary of `s` at or before `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn read(format: Format, text: &str, wanted: &dyn Fn(u32) -> bool) -> Vec<Pair> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if wanted(n) {
            read_line(format, line, n, &mut out);
        }
    }
    out.dedup_by(|b, a| a.pos == b.pos && a.name == b.name);
    out
}

fn read_line(format: Format, line: &str, n: u32, out: &mut Vec<Pair>) {
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') && format != Format::Text || trimmed.starts_with(';') && format == Format::Properties {
        return;
    }
    match format {
        Format::Env => capture(&ENV, line, n, out),
        Format::Properties => capture(&PROPERTIES, line, n, out),
        Format::Dockerfile => {
            capture(&DOCKER, line, n, out);
            // `RUN export X=…`, `ENV A=1 B=2`: quoted values anywhere.
            capture_all(&QUOTED, line, n, out);
        }
        Format::Xml => {
            let named = out.len();
            capture_all(&XML_ADD, line, n, out);
            let named = out.len() > named;
            capture_all(&XML_ELEMENT, line, n, out);
            if !named {
                capture_all(&XML_ATTR, line, n, out);
            }
        }
        // Each of these reads a quoted value: a line without a quote has
        // none, and most lines a keyword is on in code have none.
        _ if memchr::memchr3(b'"', b'\'', b'`', line.as_bytes()).is_none() => {}
        _ => {
            if memchr::memchr2(b'=', b':', line.as_bytes()).is_some() {
                capture_all(&QUOTED, line, n, out);
            }
            capture_all(&DEFINE, line, n, out);
            capture_all(&SECURE_STRING, line, n, out);
            capture_all(&SQL_PASSWORD, line, n, out);
        }
    }
}

fn value_of<'t>(caps: &regex::Captures<'t>) -> Option<regex::Match<'t>> {
    (2..caps.len()).find_map(|i| caps.get(i))
}

fn pair(caps: &regex::Captures<'_>, line: &str, n: u32) -> Option<Pair> {
    let name = caps.get(1)?.as_str().to_string();
    let value = value_of(caps)?;
    let col = line.get(..value.start()).map_or(0, |s| s.chars().count()) + 1;
    Some(Pair {
        name,
        value: value.as_str().to_string(),
        pos: Pos { line: n, col: u32::try_from(col).unwrap_or(u32::MAX) },
    })
}

fn capture(re: &LazyLock<Option<Regex>>, line: &str, n: u32, out: &mut Vec<Pair>) {
    if let Some(p) = re.as_ref().and_then(|re| re.captures(line)).and_then(|c| pair(&c, line, n)) {
        out.push(p);
    }
}

fn capture_all(re: &LazyLock<Option<Regex>>, line: &str, n: u32, out: &mut Vec<Pair>) {
    if let Some(re) = re.as_ref() {
        out.extend(re.captures_iter(line).filter_map(|c| pair(&c, line, n)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_values(format: Format, text: &str) -> Vec<(String, String)> {
        pairs(format, text).into_iter().map(|p| (p.name, p.value)).collect()
    }

    fn nv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn env_and_shell() {
        let got = names_values(Format::Env, "# c\nexport REDIS_PASSWORD=\"WC+K5u\"\nSESSION_SECRET=8_IvAp\nX='a b'\n");
        assert_eq!(got, nv(&[("REDIS_PASSWORD", "WC+K5u"), ("SESSION_SECRET", "8_IvAp"), ("X", "a b")]));
    }

    #[test]
    fn properties_and_docker() {
        let got = names_values(Format::Properties, "github.token=ghp_x\nkey: value here\n; comment\n");
        assert_eq!(got, nv(&[("github.token", "ghp_x"), ("key", "value here")]));
        let got = names_values(Format::Dockerfile, "ENV SLACK_TOKEN=\"xoxb-1\"\nARG KEY abc\n");
        assert_eq!(got, nv(&[("SLACK_TOKEN", "xoxb-1"), ("KEY", "abc")]));
    }

    #[test]
    fn quoted_values_in_any_text() {
        let got =
            names_values(Format::Text, "  rabbitmqPassword = \".e9iX!\"\n\"gh_token\": \"ghp_1\",\nconst k = 'v';\n");
        assert_eq!(got, nv(&[("rabbitmqPassword", ".e9iX!"), ("gh_token", "ghp_1"), ("k", "v")]));
    }

    #[test]
    fn php_powershell_and_sql() {
        let got = names_values(
            Format::Text,
            "define('DB_PASSWORD', 'pw1');\n$password = ConvertTo-SecureString \"pw2\" -AsPlainText\nCREATE USER r WITH PASSWORD 'pw3';\n$token = 'pw4';\n",
        );
        assert_eq!(got, nv(&[("DB_PASSWORD", "pw1"), ("password", "pw2"), ("PASSWORD", "pw3"), ("token", "pw4")]));
    }

    #[test]
    fn only_the_lines_holding_the_offsets_are_read() {
        let text = "a = \"one1\"\nb = \"two2\"\nc = \"three\"\n";
        let got: Vec<(String, u32)> =
            pairs_at(Format::Text, text, &[2, 5, 26]).into_iter().map(|p| (p.name, p.pos.line)).collect();
        assert_eq!(got, vec![("a".to_string(), 1), ("c".to_string(), 3)]);
    }

    #[test]
    fn a_long_line_is_read_around_the_offsets_with_true_columns() {
        let filler = "{\"k\":\"é\"},".repeat(1000);
        let text = format!("first\n[{filler}{{\"token\":\"s3cr3t-value\"}}]\n");
        let at = text.find("token").unwrap_or(0);
        let got = pairs_at(Format::Text, &text, &[at]);
        let col = text
            .lines()
            .nth(1)
            .and_then(|l| l.find("s3cr3t"))
            .map(|b| text.lines().nth(1).unwrap_or("")[..b].chars().count() + 1);
        assert!(got.len() < 100, "only a window of the line is read: {} pairs", got.len());
        let token: Vec<&Pair> = got.iter().filter(|p| p.name == "token").collect();
        assert_eq!(token.iter().map(|p| p.value.as_str()).collect::<Vec<_>>(), vec!["s3cr3t-value"]);
        assert_eq!((token[0].pos.line, Some(token[0].pos.col as usize)), (2, col));
    }

    #[test]
    fn xml_settings() {
        let got = names_values(
            Format::Xml,
            "<add key=\"ApiPassword\" value=\"s3cr3t!x\" />\n<password>hunter22</password>\n\
             <env name=\"APP_SECRET\" value=\"5a79a1c866efef9ca1800f971d689f3e\"/>\n",
        );
        assert_eq!(
            got,
            nv(&[
                ("ApiPassword", "s3cr3t!x"),
                ("password", "hunter22"),
                ("APP_SECRET", "5a79a1c866efef9ca1800f971d689f3e")
            ])
        );
    }
}
