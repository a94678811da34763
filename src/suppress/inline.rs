//! `nhigate:ignore RULE-ID reason` in a real comment of the file's
//! language (the syntax layer says where comments are: never inside a
//! string, a URL or a JSON value). It covers the comment's own line, and
//! the line directly below when the comment stands alone on its line; it
//! applies to the file, and the blob, it is written in.

use serde::Serialize;

use crate::detect::IGNORE_MARKER as MARKER;
use crate::syntax::{self, comments};

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Ignore {
    pub path: String,
    /// The commit of the blob it is written in (git modes), so that an
    /// ignore added later does not cover a secret committed earlier.
    pub commit: Option<String>,
    /// The line of the marker.
    pub line: u32,
    /// The lines it covers: the comment's own, and the one below a comment
    /// that stands alone.
    pub first_line: u32,
    pub last_line: u32,
    pub rule: String,
    pub reason: String,
}

impl Ignore {
    pub fn covers(&self, path: &str, commit: Option<&str>, line: u32) -> bool {
        self.path == path && self.commit.as_deref() == commit && (self.first_line..=self.last_line).contains(&line)
    }
}

/// The ignore comments of one file, and a problem for each that cannot be
/// applied (no rule id or no reason). The scan calls it only for a file
/// its keyword pass found the marker in (`Candidates::ignore_marker`).
pub(crate) fn find(path: &str, text: &[u8], commit: Option<&str>) -> (Vec<Ignore>, Vec<String>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let text = String::from_utf8_lossy(text);
    let comments = comments::comments(syntax::format_of(path), &text);
    let lines = syntax::LineIndex::new(text.as_bytes());
    let line_of = |offset: usize| lines.pos(b"", offset).line;
    for at in memchr::memmem::find_iter(text.as_bytes(), MARKER.as_bytes()) {
        // Comments come in source order: the last one starting at or before the marker.
        let i = comments.partition_point(|c| c.start <= at);
        let Some(c) = i.checked_sub(1).and_then(|i| comments.get(i)).filter(|c| at < c.end) else { continue };
        let line_no = line_of(at);
        let rest = &text[at + MARKER.len()..c.end];
        let rest = rest.lines().next().unwrap_or("");
        let rest = rest.trim().trim_end_matches("*/").trim_end_matches("-->").trim();
        let (rule, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        if rule.is_empty() || reason.trim().is_empty() {
            problems.push(format!(
                "line {line_no}: `nhigate:ignore` needs a rule id and a reason (`nhigate:ignore RULE-ID why`); not applied"
            ));
            continue;
        }
        let line_start = text[..c.start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[c.end..].find('\n').map_or(text.len(), |i| c.end + i);
        let alone = text[line_start..c.start].trim().is_empty() && text[c.end..line_end].trim().is_empty();
        let last = line_of(c.end.saturating_sub(1).max(c.start));
        found.push(Ignore {
            path: path.to_string(),
            commit: commit.map(String::from),
            line: line_no,
            first_line: line_of(c.start),
            last_line: if alone { last.saturating_add(1) } else { last },
            rule: rule.to_string(),
            reason: reason.trim().to_string(),
        });
    }
    (found, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_in_each_syntax_and_not_in_strings() {
        let text = b"a = 1  # nhigate:ignore NHI-OWN-001 owned by the vendor\n\
            b = 2 // nhigate:ignore github-pat test fixture\n\
            <!-- nhigate:ignore jwt sample token -->\n\
            s = \"nhigate:ignore jwt in a string\"\n\
            -- nhigate:ignore generic-password seed data\n";
        let (found, problems) = find("f", text, None);
        let got: Vec<(u32, &str, &str)> = found.iter().map(|i| (i.line, i.rule.as_str(), i.reason.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (1, "NHI-OWN-001", "owned by the vendor"),
                (2, "github-pat", "test fixture"),
                (3, "jwt", "sample token"),
                (5, "generic-password", "seed data"),
            ]
        );
        assert!(problems.is_empty());
    }

    #[test]
    fn an_ignore_without_a_reason_is_reported_and_not_applied() {
        let (found, problems) = find("f", b"x = 1 # nhigate:ignore NHI-OWN-001\n", None);
        assert!(found.is_empty());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("line 1:"), "{problems:?}");
    }

    #[test]
    fn a_trailing_ignore_covers_its_line_and_a_lone_one_the_line_below() {
        let text = b"a = 1  # nhigate:ignore jwt sample\nb = 2\n# nhigate:ignore jwt sample\nc = 3\nd = 4\n";
        let (found, _) = find("app.env", text, None);
        let covered: Vec<u32> = (1..=5).filter(|&l| found.iter().any(|i| i.covers("app.env", None, l))).collect();
        assert_eq!(covered, vec![1, 3, 4]);
    }

    #[test]
    fn the_marker_in_strings_urls_and_json_values_is_not_an_ignore() {
        for (path, text) in [
            ("app.py", "k = \"ghp_x\"; s = \"# nhigate:ignore github-pat forged\"\n"),
            ("a.json", "{\"note\": \"// nhigate:ignore github-pat forged\", \"k\": \"ghp_x\"}\n"),
            ("a.yaml", "url: https://x.test/#nhigate:ignore github-pat forged\n"),
            ("a.yaml", "run: |\n  echo # nhigate:ignore github-pat forged\n"),
        ] {
            let (found, _) = find(path, text.as_bytes(), None);
            assert!(found.is_empty(), "{path}: {found:?}");
        }
    }

    #[test]
    fn an_ignore_covers_its_own_file_and_blob_only() {
        let (found, _) = find("src\\app.py", b"# nhigate:ignore github-pat fixture\nk = 1\n", Some("c2"));
        assert!(found[0].covers("src\\app.py", Some("c2"), 2));
        assert!(!found[0].covers("src/app.py", Some("c2"), 2));
        assert!(!found[0].covers("src\\app.py", Some("c1"), 2));
    }
}
