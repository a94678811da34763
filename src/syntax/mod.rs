//! Parsed views of a unit's text that keep positions: YAML and JSON as one
//! tree (`tree`), TOML (`toml`), HCL (`hcl`), source code through
//! tree-sitter (`code`), and line-oriented formats (`lines`).
//!
//! Extractors read identities from these trees; the generic secret detector
//! reads assignments (a name given a literal value) from them. Nothing here
//! knows about rules or facts.

pub(crate) mod code;
pub(crate) mod comments;
pub(crate) mod hcl;
pub(crate) mod helm;
pub(crate) mod lines;
pub(crate) mod toml;
pub(crate) mod tree;

use std::fmt;

/// A 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// Why a file could not be parsed, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.col, self.message)
    }
}

/// Byte offsets of line starts, to turn a byte offset into a position.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &[u8]) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
        LineIndex { starts }
    }

    /// How many lines the text has.
    pub(crate) fn count(&self) -> usize {
        self.starts.len()
    }

    /// The bytes of a 1-based line, its newline included.
    pub(crate) fn line_span(&self, text: &[u8], line: u32) -> Option<std::ops::Range<usize>> {
        let i = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.starts.get(i)?;
        Some(start..self.starts.get(i + 1).copied().unwrap_or(text.len()))
    }

    /// The text of a 1-based line, without its newline.
    pub(crate) fn line<'t>(&self, text: &'t [u8], line: u32) -> &'t [u8] {
        let Some(&start) = usize::try_from(line).ok().and_then(|l| self.starts.get(l.checked_sub(1)?)) else {
            return &[];
        };
        let end = text[start..].iter().position(|&b| b == b'\n').map_or(text.len(), |e| start + e);
        &text[start..end]
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub(crate) fn pos(&self, text: &[u8], offset: usize) -> Pos {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = text.get(start..offset).map_or(0, |s| String::from_utf8_lossy(s).chars().count()) + 1;
        Pos { line: u32::try_from(line).unwrap_or(u32::MAX), col: u32::try_from(col).unwrap_or(u32::MAX) }
    }
}

/// The part of a file that holds `line` as one unit of content: in YAML,
/// the document (between `---` lines) around it; elsewhere the whole text.
pub(crate) fn unit_around<'t>(path: &str, text: &'t [u8], line: u32) -> &'t [u8] {
    if format_of(path) != Format::Yaml {
        return text;
    }
    let mut start = 0;
    let mut offset = 0;
    for (i, l) in text.split_inclusive(|&b| b == b'\n').enumerate() {
        let at = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if l.starts_with(b"---") {
            if at > line {
                return &text[start..offset];
            }
            start = offset + l.len();
        }
        offset += l.len();
    }
    &text[start..]
}

/// What a file is, by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Format {
    Yaml,
    Json,
    Toml,
    Hcl,
    /// `.env` files and shell scripts: `KEY=value`, `export KEY=value`.
    Env,
    /// `.properties`, `.ini`, `.cfg`, `.conf`: `key = value`, `key: value`.
    Properties,
    Dockerfile,
    Xml,
    Code(code::Lang),
    /// Anything else that is text.
    Text,
}

/// The format of a file, from its path.
/// The last component of a `/`-separated path. Searched byte by byte:
/// names are short, and this is asked several times of every file.
pub(crate) fn file_name(path: &str) -> &str {
    path.as_bytes().iter().rposition(|&b| b == b'/').map_or(path, |i| &path[i + 1..])
}

/// What follows a file name's last `.`, if it has one.
pub(crate) fn extension(name: &str) -> Option<&str> {
    name.as_bytes().iter().rposition(|&b| b == b'.').map(|i| &name[i + 1..])
}

/// A package manager's lock file: package names for keys, versions and
/// integrity hashes for values (`'@inquirer/password': 4.0.23`), written by
/// a tool, never by hand.
pub(crate) fn is_lockfile(path: &str) -> bool {
    const LOCKFILES: [&str; 16] = [
        "package-lock.json",
        "npm-shrinkwrap.json",
        "pnpm-lock.yaml",
        "yarn.lock",
        "bun.lock",
        "composer.lock",
        "gemfile.lock",
        "cargo.lock",
        "poetry.lock",
        "pipfile.lock",
        "uv.lock",
        "pdm.lock",
        "go.sum",
        "packages.lock.json",
        "pubspec.lock",
        "podfile.lock",
    ];
    let name = file_name(path);
    LOCKFILES.iter().any(|l| name.eq_ignore_ascii_case(l))
}

pub(crate) fn format_of(path: &str) -> Format {
    // Every reader of a file asks, a dozen times a file, and the answer
    // takes dozens of name comparisons: each thread keeps its last one.
    thread_local!(static LAST: std::cell::RefCell<(String, Format)> = const {
        std::cell::RefCell::new((String::new(), Format::Text))
    });
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if last.0 != path {
            last.1 = format_by_name(path);
            last.0.clear();
            last.0.push_str(path);
        }
        last.1
    })
}

fn format_by_name(path: &str) -> Format {
    // `phpunit.xml.dist`, `parameters.yml.dist`: the file a project ships
    // for each install to copy, in the format of its name without `.dist`.
    let name = file_name(path);
    let dist = name.len() > 5 && name.as_bytes()[name.len() - 5..].eq_ignore_ascii_case(b".dist");
    if let Some(stem) = dist.then(|| &name[..name.len() - 5]).filter(|s| s.contains('.')) {
        return format_by_name(stem);
    }
    // Several readers ask per file: most names have no capital to lower,
    // and a short one that has is lower-cased on the stack.
    let mut buf = [0u8; 64];
    let long;
    let lower: &str = match buf.get_mut(..name.len()) {
        _ if !name.bytes().any(|b| b.is_ascii_uppercase()) => name,
        Some(short) => {
            short.copy_from_slice(name.as_bytes());
            short.make_ascii_lowercase();
            std::str::from_utf8(short).unwrap_or(name)
        }
        None => {
            long = name.to_ascii_lowercase();
            &long
        }
    };
    let ext = extension(lower).unwrap_or("");
    if lower == ".env" || lower.starts_with(".env.") || lower.ends_with(".env") {
        return Format::Env;
    }
    if lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower == "containerfile"
    {
        return Format::Dockerfile;
    }
    if let Some(lang) = code::Lang::of(lower, ext) {
        return Format::Code(lang);
    }
    match ext {
        "yaml" | "yml" => Format::Yaml,
        "json" | "jsonc" | "json5" | "tfstate" => Format::Json,
        "toml" => Format::Toml,
        "tf" | "hcl" | "tfvars" => Format::Hcl,
        "sh" | "bash" | "zsh" | "ksh" | "envrc" => Format::Env,
        "properties" | "ini" | "cfg" | "conf" | "cnf" | "npmrc" | "pypirc" | "netrc" => Format::Properties,
        "xml" | "config" | "csproj" | "pom" => Format::Xml,
        _ => match lower {
            ".npmrc" | ".pypirc" | ".netrc" | ".pgpass" | ".git-credentials" => Format::Properties,
            "makefile" | ".bashrc" | ".zshrc" | ".profile" | ".envrc" => Format::Env,
            _ => Format::Text,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_yaml_unit_is_the_document_around_a_line() {
        let text = b"a: 1\n---\nb: 2\nc: 3\n---\nd: 4\n";
        assert_eq!(unit_around("x.yaml", text, 3), b"b: 2\nc: 3\n");
        assert_eq!(unit_around("x.yaml", text, 1), b"a: 1\n");
        assert_eq!(unit_around("x.yaml", text, 6), b"d: 4\n");
        assert_eq!(unit_around("x.json", text, 3), &text[..]);
    }

    #[test]
    fn line_index_gives_one_based_positions() {
        let text = b"ab\ncd\n\nx";
        let idx = LineIndex::new(text);
        assert_eq!(idx.pos(text, 0), Pos { line: 1, col: 1 });
        assert_eq!(idx.pos(text, 4), Pos { line: 2, col: 2 });
        assert_eq!(idx.pos(text, 7), Pos { line: 4, col: 1 });
    }

    #[test]
    fn formats_by_name() {
        assert_eq!(format_of("services/web/.env.staging"), Format::Env);
        assert_eq!(format_of("phpunit.xml.dist"), Format::Xml);
        assert_eq!(format_of("app/config/parameters.YML.DIST"), Format::Yaml);
        assert_eq!(format_of(".env.dist"), Format::Env);
        assert_eq!(format_of("notes.dist"), Format::Text);
        assert_eq!(format_of("a.c"), Format::Text);
        assert_eq!(format_of("a/Dockerfile.ci"), Format::Dockerfile);
        assert_eq!(format_of("k8s/secret.yaml"), Format::Yaml);
        assert_eq!(format_of("main.tf"), Format::Hcl);
        assert_eq!(format_of("src/app.py"), Format::Code(code::Lang::Python));
        assert_eq!(format_of("Jobs/App.config"), Format::Xml);
        assert_eq!(format_of("notes.txt"), Format::Text);
    }
}
