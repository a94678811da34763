//! The one redaction step every string passes before it reaches a writer
//! or the terminal: rule messages (which interpolate fact fields), ignore
//! and waiver reasons, paths, skip reasons and error messages.
//!
//! It replaces, by `Redacted`: every value a detector found in this run
//! (the raw values are held here and nowhere else), anything a pattern
//! detector would match, and credentials in URLs (userinfo, and query
//! parameters named like `key`, `token`, `secret`, `password`, `sig`).
//! Source frames additionally mask every token-like word (`snippet`).

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;

use crate::detect::DetectorSet;
use crate::engine::Finding;
use crate::facts::Redacted;
use crate::source::Skipped;

pub struct Scrubber<'a> {
    detectors: Option<&'a DetectorSet>,
    known: Option<AhoCorasick>,
    values: Vec<String>,
}

impl std::fmt::Debug for Scrubber<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scrubber({} known values)", self.values.len())
    }
}

/// Values shorter than this are not searched for in other text: they would
/// mask ordinary words, and a detector does not report them.
const MIN_KNOWN: usize = 6;

impl<'a> Scrubber<'a> {
    /// A scrubber for the values found in this run and the program's detectors.
    pub fn new(detectors: Option<&'a DetectorSet>, found: impl IntoIterator<Item = String>) -> Scrubber<'a> {
        let mut values: Vec<String> = found.into_iter().filter(|v| v.len() >= MIN_KNOWN).collect();
        values.sort();
        values.dedup();
        let known = (!values.is_empty())
            .then(|| AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&values).ok())
            .flatten();
        Scrubber { detectors, known, values }
    }

    /// `text` with every secret in it redacted.
    pub fn text(&self, text: &str) -> String {
        let mut out = match &self.known {
            Some(ac) => {
                let mut s = String::with_capacity(text.len());
                ac.replace_all_with(text, &mut s, |_, m, dst| {
                    dst.push_str(Redacted::new(m).as_str());
                    true
                });
                s
            }
            None => text.to_string(),
        };
        if let Some(d) = self.detectors {
            out = replace_matches(&out, d);
        }
        url_credentials(&out)
    }

    /// A file's path, with what a detector's pattern would match and URL
    /// credentials redacted. The values found in this run are not searched
    /// for: a generic find that is itself a path (`client/oauth-clients.md`)
    /// must not hide where the other findings are.
    pub fn path(&self, path: &str) -> String {
        let out = match self.detectors {
            Some(d) => replace_matches(path, d),
            None => path.to_string(),
        };
        url_credentials(&out)
    }

    /// Every string of the findings and skipped entries that a writer shows.
    pub fn findings(&self, findings: &mut [Finding], skipped: &mut [Skipped]) {
        for f in findings {
            f.message = self.text(&f.message);
            f.title = self.text(&f.title);
            f.location.path = self.path(&f.location.path);
            for l in &mut f.also {
                l.path = self.path(&l.path);
            }
            for s in [&mut f.clause, &mut f.fix].into_iter().flatten() {
                *s = self.text(s);
            }
            if let Some(s) = &mut f.subject {
                s.kind = self.text(&s.kind);
                s.name = self.text(&s.name);
            }
            if let Some(s) = &mut f.suppression {
                s.reason = self.text(&s.reason);
                s.source = self.text(&s.source);
            }
        }
        for s in skipped {
            s.path = self.path(&s.path);
            s.reason = self.text(&s.reason);
        }
    }
}

fn replace_matches(text: &str, detectors: &DetectorSet) -> String {
    let matches = detectors.scan(text.as_bytes(), &mut Vec::new());
    if matches.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for m in matches {
        let (Some(before), Some(value)) = (text.get(last..m.start), text.get(m.start..m.end)) else { continue };
        if m.start < last {
            continue;
        }
        out.push_str(before);
        out.push_str(Redacted::new(value).as_str());
        last = m.end;
    }
    out.push_str(text.get(last..).unwrap_or(""));
    out
}

fn userinfo() -> &'static Option<Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?i)\b([a-z][a-z0-9+.\-]*://)([^\s/?#@]+)@").ok())
}

fn query_secret() -> &'static Option<Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)([?&;][a-z0-9_.\-]*(?:key|token|secret|passw(?:or)?d|pwd|auth|sig|signature|credential|session)[a-z0-9_.\-]*=)([^&\s#'`]+)",
        )
        .ok()
    })
}

/// Userinfo and secret-named query parameters of URLs, redacted.
pub(crate) fn url_credentials(text: &str) -> String {
    let mut out = text.to_string();
    if let Some(re) = userinfo() {
        out =
            re.replace_all(&out, |c: &regex::Captures<'_>| format!("{}{}@", &c[1], Redacted::new(&c[2]))).into_owned();
    }
    if let Some(re) = query_secret() {
        out = re.replace_all(&out, |c: &regex::Captures<'_>| format!("{}{}", &c[1], Redacted::new(&c[2]))).into_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(url_credentials("http://admin:hunter2pass@db.internal:5432/x"), "http://admi…ss@db.internal:5432/x");
        assert_eq!(
            url_credentials("https://h/mcp?api_key=sk_abcdefghijklmnop&x=1"),
            "https://h/mcp?api_key=sk_a…op&x=1"
        );
        assert_eq!(url_credentials("see https://example.com/docs?page=2"), "see https://example.com/docs?page=2");
    }

    #[test]
    fn known_values_are_redacted_wherever_they_appear() {
        let s = Scrubber::new(None, ["correct-horse-battery".to_string(), "abc".to_string()]);
        assert_eq!(s.text("password correct-horse-battery in abc"), "password corr…ry in abc");
    }

    #[test]
    fn paths_keep_their_names_and_lose_credentials() {
        let s = Scrubber::new(None, ["client/oauth-clients.md".to_string()]);
        assert_eq!(s.path("docs/client/oauth-clients.md"), "docs/client/oauth-clients.md");
        assert_eq!(s.path("https://u:hunter2pass@h/x"), "https://u:h…s@h/x");
    }
}
