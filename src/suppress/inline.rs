//! `nhigate:ignore RULE-ID reason` in a comment, on the finding's line or
//! the line above. The marker must follow a comment opener of one of the
//! syntaxes we scan (`#`, `//`, `/*`, `<!--`, `--`, `;`, `%`, `'`, `REM`),
//! so that the words in a string or in prose do not suppress anything.

use serde::Serialize;

const MARKER: &str = "nhigate:ignore";
const COMMENT_OPENERS: &[&str] = &["#", "//", "/*", "<!--", "--", ";", "%", "'", "REM ", "rem "];

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Ignore {
    pub path: String,
    pub line: u32,
    pub rule: String,
    pub reason: String,
}

/// The ignore comments of one file, and a problem for each that cannot be
/// applied (no rule id or no reason).
pub fn find(path: &str, text: &[u8]) -> (Vec<Ignore>, Vec<String>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    if memchr::memmem::find(text, MARKER.as_bytes()).is_none() {
        return (found, problems);
    }
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        let Some(at) = memchr::memmem::find(line, MARKER.as_bytes()) else { continue };
        let before = String::from_utf8_lossy(&line[..at]);
        if !COMMENT_OPENERS.iter().any(|c| before.contains(c)) {
            continue;
        }
        let rest = String::from_utf8_lossy(&line[at + MARKER.len()..]);
        let rest = rest.trim().trim_end_matches("*/").trim_end_matches("-->").trim();
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let (rule, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        if rule.is_empty() || reason.trim().is_empty() {
            problems.push(format!(
                "line {line_no}: `nhigate:ignore` needs a rule id and a reason (`nhigate:ignore RULE-ID why`); not applied"
            ));
            continue;
        }
        found.push(Ignore {
            path: path.to_string(),
            line: line_no,
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
        let (found, problems) = find("f", text);
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
        let (found, problems) = find("f", b"x = 1 # nhigate:ignore NHI-OWN-001\n");
        assert!(found.is_empty());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("line 1:"), "{problems:?}");
    }
}
