//! Secret detection: one keyword prefilter (Aho-Corasick) shared by every
//! detector, then, for the detectors whose keywords occur, either their regex
//! (built on first use) or, for assignment detectors, the values the file's
//! syntax assigns to matching names. A match must also pass the detector's
//! minimum entropy, its checksum and its allow-list.
//!
//! This module knows nothing of reports or facts: it takes a unit's text and
//! returns positioned finds with their raw values, which the scanner turns
//! into redacted secret facts at once.

pub(crate) mod assign;
pub(crate) mod checksum;
pub(crate) mod confidence;
mod decode;
mod streams;

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::{Regex, RegexBuilder};

pub(crate) use assign::Context;
pub(crate) use checksum::Checksum;
pub(crate) use confidence::{Confidence, Place};

use crate::syntax::{self, LineIndex, Pos, SyntaxError};

use crate::severity::Severity;

/// Memory limits for one compiled pattern, so that a user's rule cannot make
/// the scanner use unbounded memory. The regex crate's matching is linear in
/// the input whatever the pattern.
const REGEX_SIZE_LIMIT: usize = 4 << 20;
// The lazy DFA's cache, per regex and thread: most patterns need little,
// and 250 detectors on two threads must stay well under 100 MiB together.
const REGEX_DFA_LIMIT: usize = 256 << 10;

/// Providers of key material anyone generates: private keys, SSH and age
/// keys, JWTs. A test suite makes its own; a provider-issued token in a
/// test is another matter.
const SELF_MADE: [&str; 4] = ["pki", "ssh", "jwt", "age"];

/// A detector as the language declares it.
#[derive(Clone, Debug, PartialEq)]
pub struct DetectorSpec {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub provider: Option<String>,
    pub keywords: Vec<String>,
    pub matcher: Matcher,
    /// Where an assignment detector looks; empty: everywhere.
    pub contexts: Vec<Context>,
    pub entropy: Option<f64>,
    pub checksum: Option<Checksum>,
    /// The detectors of the credential's other part (a key id for its
    /// secret): found near each other, the two are one finding.
    pub pair: Vec<String>,
    /// Finds only the other part of some detector's credential (a
    /// username): never reported on its own.
    pub part: bool,
    pub allow: Vec<Pattern>,
    pub examples: Vec<String>,
    pub negatives: Vec<String>,
    pub docs: Option<String>,
    /// Shipped with nhigate, not declared by a pack of the user's: where
    /// two detectors find the same value, the user's wins.
    pub builtin: bool,
}

/// How a detector finds candidates.
#[derive(Clone, Debug, PartialEq)]
pub enum Matcher {
    /// A regex over the text.
    Pattern(Pattern),
    /// Values assigned to names matching the regex (names are compared in
    /// snake case: `rabbitmqPassword` reads as `rabbitmq_password`).
    Assigned(Pattern),
}

/// A regex with the flags written after it (`i`, `m`, `s`, `x`).
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    pub body: String,
    pub flags: String,
}

impl Pattern {
    /// Patterns match bytes, with ASCII classes: `\w`, `\d`, `\s` and `(?i)`
    /// are ASCII. Tokens are ASCII, and Unicode classes cost ~15 times the
    /// memory (the built-in detectors: 100 MB against 6.5 MB compiled).
    pub fn build(&self) -> Result<Regex, regex::Error> {
        let syntax = self.syntax();
        RegexBuilder::new(&self.body)
            .unicode(syntax.get_unicode())
            .case_insensitive(syntax.get_case_insensitive())
            .multi_line(syntax.get_multi_line())
            .dot_matches_new_line(syntax.get_dot_matches_new_line())
            .ignore_whitespace(syntax.get_ignore_whitespace())
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_DFA_LIMIT)
            .build()
    }

    /// The parser settings `build` compiles with, for the analyses that
    /// read the pattern's syntax tree (`near`).
    fn syntax(&self) -> regex_automata::util::syntax::Config {
        regex_automata::util::syntax::Config::new()
            .unicode(false)
            .utf8(false)
            .case_insensitive(self.flags.contains('i'))
            .multi_line(self.flags.contains('m'))
            .dot_matches_new_line(self.flags.contains('s'))
            .ignore_whitespace(self.flags.contains('x'))
    }
}

/// How a pattern's matches lie around its keywords (`Near`), when that can
/// be known from the pattern: no match is empty, and every literal a match
/// can start with (the regex crate's own prefix analysis: a finite set means
/// every match starts with one of them) holds one of the keywords, compared
/// as the prefilter compares it.
fn near(pattern: &Pattern, keywords: &[String], ignore_case: bool) -> Option<Near> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let syntax = pattern.syntax();
    let hir = regex_automata::util::syntax::parse_with(&pattern.body, &syntax).ok()?;
    if hir.properties().minimum_len()? == 0 {
        return None;
    }
    // Case-insensitive keywords spell out every case of a prefix: room for
    // `(?i)` over a dozen letters before the set is cut short.
    let prefixes = Extractor::new().kind(ExtractKind::Prefix).limit_total(8192).extract(&hir);
    let mut before = 0;
    for literal in prefixes.literals()? {
        let bytes = literal.as_bytes();
        let offset = keywords
            .iter()
            .filter(|k| !k.is_empty())
            .filter_map(|k| keyword_at(bytes, k.as_bytes(), ignore_case))
            .min()?;
        before = before.max(offset);
    }
    let regex = regex_automata::meta::Regex::builder()
        .syntax(syntax)
        .configure(
            regex_automata::meta::Config::new()
                .utf8_empty(false)
                .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                .hybrid_cache_capacity(REGEX_DFA_LIMIT),
        )
        .build_from_hir(&hir)
        .ok()?;
    Some(Near { before, regex, lead: Lead::of(&hir) })
}

/// Whether `at` lies in the base64 payload of a `data:` URI
/// (`url("data:font/ttf;base64,…")`): an embedded font or image, whose long
/// runs of letters and digits take the shape of tokens. The run is followed
/// back at most 256 KiB.
fn in_data_uri(haystack: &[u8], at: usize) -> bool {
    let from = at.saturating_sub(256 << 10);
    let before = &haystack[from..at.min(haystack.len())];
    let base64 = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
    before.iter().rposition(|b| !base64(b)).is_some_and(|i| before[..=i].ends_with(b";base64,"))
}

/// Where `keyword` first occurs in `haystack`, compared as the prefilter
/// compares it.
fn keyword_at(haystack: &[u8], keyword: &[u8], ignore_case: bool) -> Option<usize> {
    haystack
        .windows(keyword.len())
        .position(|w| if ignore_case { w.eq_ignore_ascii_case(keyword) } else { w == keyword })
}

/// A detector with its regexes, compiled on first use.
#[derive(Debug)]
pub struct Detector {
    pub spec: DetectorSpec,
    regex: OnceLock<Result<Compiled, String>>,
    /// When every match starts with one of the detector's keywords: the
    /// search that tries the regex only at the starts the keywords allow.
    /// Built on first use: a scan of a handful of files does not use it.
    near: OnceLock<Option<Near>>,
}

#[derive(Debug)]
struct Compiled {
    /// The pattern, or the name regex of an assignment detector.
    regex: Regex,
    allow: Vec<Regex>,
    /// Index of the capture group that holds the secret.
    group: usize,
}

/// Every match of a pattern starts with a literal that holds one of the
/// detector's keywords at most `before` bytes in: so a match that holds a
/// keyword occurrence `h` starts in `h - before ..= h`. `regex` is the
/// pattern again, for anchored searches: tried at a given start only, with
/// the text around it in view for `\b` and the like.
#[derive(Debug)]
struct Near {
    before: usize,
    regex: regex_automata::meta::Regex,
    /// The bytes every match has at its first offsets (`Lead`).
    lead: Lead,
}

/// For each of a pattern's first offsets, the set of bytes any match has
/// there: tested before an anchored search, it turns most keyword hits
/// away for a few loads (`pat` of Airtable's tokens is in every `path`, and
/// a regex search costs a hundred times as much, once per hit).
#[derive(Debug, Default)]
struct Lead(Vec<[u64; 4]>);

impl Lead {
    /// The most offsets kept: enough to pass a keyword and the first bytes
    /// of what follows it.
    const MAX: usize = 24;

    fn of(hir: &regex_syntax::hir::Hir) -> Lead {
        let mut lead = Lead::default();
        lead.push(hir);
        lead
    }

    /// Appends the sets `hir` fixes at the offsets after those already
    /// known; false where the offsets after it are not fixed (a choice, a
    /// repetition of variable length), so that the caller stops there.
    fn push(&mut self, hir: &regex_syntax::hir::Hir) -> bool {
        use regex_syntax::hir::{Class, HirKind};
        if self.0.len() >= Self::MAX {
            return false;
        }
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => true,
            HirKind::Literal(literal) => literal.0.iter().all(|&b| self.push_set(&[(b, b)])),
            HirKind::Class(Class::Bytes(class)) => {
                let ranges: Vec<(u8, u8)> = class.ranges().iter().map(|r| (r.start(), r.end())).collect();
                self.push_set(&ranges)
            }
            HirKind::Class(Class::Unicode(class)) => {
                let ascii = class.ranges().iter().all(|r| r.end().is_ascii());
                let ranges: Vec<(u8, u8)> = class.ranges().iter().map(|r| (r.start() as u8, r.end() as u8)).collect();
                ascii && self.push_set(&ranges)
            }
            HirKind::Capture(capture) => self.push(&capture.sub),
            HirKind::Concat(parts) => parts.iter().all(|p| self.push(p)),
            HirKind::Repetition(rep) => {
                let one_byte =
                    rep.sub.properties().maximum_len() == Some(1) && rep.sub.properties().minimum_len() == Some(1);
                if !one_byte {
                    return false;
                }
                let all = (0..rep.min).all(|_| self.push(&rep.sub));
                all && rep.max == Some(rep.min)
            }
            HirKind::Alternation(_) => false,
        }
    }

    fn push_set(&mut self, ranges: &[(u8, u8)]) -> bool {
        if self.0.len() >= Self::MAX {
            return false;
        }
        let mut set = [0u64; 4];
        for &(start, end) in ranges {
            for b in start..=end {
                set[usize::from(b >> 6)] |= 1 << (b & 63);
            }
        }
        self.0.push(set);
        true
    }

    /// Whether the bytes from `at` on can begin a match.
    fn admits(&self, haystack: &[u8], at: usize) -> bool {
        let rest = haystack.get(at..).unwrap_or_default();
        rest.len() >= self.0.len()
            && self.0.iter().zip(rest).all(|(set, &b)| set[usize::from(b >> 6)] & (1 << (b & 63)) != 0)
    }
}

/// A secret found in a unit: where its value starts and ends, and the raw
/// value, which the caller redacts and hashes before keeping anything.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    pub detector: usize,
    pub start: Pos,
    pub end: Pos,
    pub value: String,
    pub entropy: f64,
    pub confidence: Confidence,
    /// Where the credential's other part is (a key id for its secret).
    pub pair: Option<(Pos, Pos)>,
}

/// One secret found: the byte range of the value inside the haystack, and of
/// the whole match (which may include a key name or surrounding context).
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub detector: usize,
    pub start: usize,
    pub end: usize,
    pub match_start: usize,
    pub match_end: usize,
    pub entropy: f64,
}

/// Why a candidate was dropped, for `nhigate test` to explain a failed example.
#[derive(Clone, Debug, PartialEq)]
pub enum Rejection {
    NoKeyword,
    NoMatch,
    LowEntropy { value: String, entropy: f64, minimum: f64 },
    Checksum { value: String },
    Allowed { value: String },
    Implausible { value: String, why: &'static str },
    Broken(String),
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::NoKeyword => f.write_str("none of the detector's keywords occur in it"),
            Rejection::NoMatch => f.write_str("the pattern does not match it"),
            Rejection::LowEntropy { value, entropy, minimum } => {
                write!(f, "`{value}` has entropy {entropy:.2}, below the minimum {minimum}")
            }
            Rejection::Checksum { value } => write!(f, "`{value}` fails the checksum"),
            Rejection::Allowed { value } => write!(f, "`{value}` is dropped by an `allow` pattern"),
            Rejection::Broken(e) => write!(f, "the detector cannot be compiled: {e}"),
            Rejection::Implausible { value, why } => write!(f, "`{value}` is {why}"),
        }
    }
}

impl Detector {
    pub fn new(spec: DetectorSpec) -> Detector {
        Detector { spec, regex: OnceLock::new(), near: OnceLock::new() }
    }

    fn compiled(&self) -> &Result<Compiled, String> {
        self.regex.get_or_init(|| {
            let pattern = match &self.spec.matcher {
                Matcher::Pattern(p) | Matcher::Assigned(p) => p,
            };
            let regex = pattern.build().map_err(|e| e.to_string())?;
            let allow =
                self.spec.allow.iter().map(|p| p.build().map_err(|e| e.to_string())).collect::<Result<_, _>>()?;
            let group = regex
                .capture_names()
                .position(|n| n == Some("secret"))
                .unwrap_or(if regex.captures_len() > 1 { 1 } else { 0 });
            Ok(Compiled { regex, allow, group })
        })
    }

    pub fn is_assignment(&self) -> bool {
        matches!(self.spec.matcher, Matcher::Assigned(_))
    }

    /// Key material anyone generates (`SELF_MADE` providers).
    pub fn is_self_made(&self) -> bool {
        self.spec.provider.as_deref().is_some_and(|p| SELF_MADE.contains(&p))
    }

    /// How its finds are judged, for `rules explain`.
    pub fn confidence_model(&self) -> &'static str {
        confidence::describe(self.is_generic(), self.is_self_made())
    }

    /// A detector that knows no provider's format: it reads values assigned
    /// to names, or its provider is `generic` (a URL's password).
    pub fn is_generic(&self) -> bool {
        self.is_assignment() || self.spec.provider.as_deref() == Some("generic")
    }

    fn looks_in(&self, context: Context) -> bool {
        self.spec.contexts.is_empty() || self.spec.contexts.contains(&context)
    }

    /// Whether an assignment is a secret by this assignment detector: the
    /// name matches, the value is plausible and passes entropy and allow.
    fn accepts(&self, a: &assign::Assignment, rejected: &mut Vec<Rejection>) -> Result<Option<f64>, String> {
        let compiled = self.compiled().as_ref().map_err(Clone::clone)?;
        if !self.looks_in(a.context) || !compiled.regex.is_match(assign::normalize_name(&a.name).as_bytes()) {
            return Ok(None);
        }
        let shown = || crate::facts::Redacted::new(&a.value).to_string();
        if self.spec.part {
            // The other part is a name (a username, a client id), not a
            // secret: it need only be a literal.
            return Ok(match assign::not_an_identifier(&a.value) {
                Some(why) => {
                    rejected.push(Rejection::Implausible { value: shown(), why });
                    None
                }
                None => Some(shannon_entropy(a.value.as_bytes())),
            });
        }
        if let Some(why) = assign::implausible(&a.value, a.context)
            .or_else(|| assign::names_itself(&a.name, &a.value))
            .or_else(|| assign::names_a_hash(&a.name))
            .or_else(|| assign::not_a_credential(a))
            .or_else(|| confidence::not_a_secret(&a.value))
        {
            rejected.push(Rejection::Implausible { value: shown(), why });
            return Ok(None);
        }
        let entropy = shannon_entropy(a.value.as_bytes());
        if let Some(min) = self.spec.entropy
            && entropy < min
        {
            rejected.push(Rejection::LowEntropy { value: shown(), entropy, minimum: min });
            return Ok(None);
        }
        if compiled.allow.iter().any(|r| r.is_match(a.value.as_bytes())) {
            rejected.push(Rejection::Allowed { value: shown() });
            return Ok(None);
        }
        Ok(Some(entropy))
    }

    /// Compile now; the error is the regex crate's reason.
    pub fn compile(&self) -> Result<(), String> {
        self.compiled().as_ref().map(|_| ()).map_err(Clone::clone)
    }

    /// Whether one of the detector's keywords occurs (case-insensitively
    /// when the detector matches case-insensitively). A detector without
    /// keywords always runs.
    pub fn has_keyword(&self, haystack: &[u8]) -> bool {
        let ignore_case = self.keywords_ignore_case();
        self.spec.keywords.is_empty()
            || self
                .spec
                .keywords
                .iter()
                .any(|k| !k.is_empty() && keyword_at(haystack, k.as_bytes(), ignore_case).is_some())
    }

    /// Every match of this detector's regex in `haystack`, after the entropy,
    /// checksum and allow-list filters. Keywords are the caller's business.
    pub fn find(&self, index: usize, haystack: &[u8], out: &mut Vec<Match>) -> Result<(), String> {
        self.find_explained(index, haystack, out, &mut Vec::new())
    }

    /// As `find`, also recording why candidates were dropped.
    pub fn find_explained(
        &self,
        index: usize,
        haystack: &[u8],
        out: &mut Vec<Match>,
        rejected: &mut Vec<Rejection>,
    ) -> Result<(), String> {
        let compiled = self.compiled().as_ref().map_err(Clone::clone)?;
        if self.is_assignment() {
            return Ok(());
        }
        for caps in compiled.regex.captures_iter(haystack) {
            let Some(whole) = caps.get(0) else { continue };
            let value = caps.get(compiled.group).unwrap_or(whole);
            self.judge(index, haystack, (whole.range(), value.range()), out, rejected);
        }
        Ok(())
    }

    /// As `find`, given every occurrence of the detector's keywords in
    /// `haystack` (ascending): when every match starts with a keyword, the
    /// regex is tried only at the starts the keywords allow, anchored, and
    /// finds what `find` finds, in the same order. Matches do not overlap,
    /// as in `find`: the next start is where the last match ended.
    pub fn find_near(&self, index: usize, haystack: &[u8], hits: &[usize], out: &mut Vec<Match>) -> Result<(), String> {
        use regex_automata::{Anchored, Input};
        let compiled = self.compiled().as_ref().map_err(Clone::clone)?;
        let Some(near) = self.near() else { return self.find(index, haystack, out) };
        let mut caps = near.regex.create_captures();
        let mut from = 0;
        for &hit in hits {
            let mut start = from.max(hit.saturating_sub(near.before));
            while start <= hit {
                if !near.lead.admits(haystack, start) {
                    start += 1;
                    continue;
                }
                near.regex.search_captures(&Input::new(haystack).range(start..).anchored(Anchored::Yes), &mut caps);
                let Some(whole) = caps.get_match() else {
                    start += 1;
                    continue;
                };
                let value = caps.get_group(compiled.group).unwrap_or(whole.span());
                self.judge(index, haystack, (whole.range(), value.range()), out, &mut Vec::new());
                // A match is never empty (`near` asks for one byte).
                from = whole.end();
                start = from;
            }
        }
        Ok(())
    }

    /// Whether `find_near` searches only around keywords (`Near`).
    #[cfg(test)]
    pub(crate) fn searches_near_keywords(&self) -> bool {
        self.near().is_some()
    }

    fn near(&self) -> Option<&Near> {
        self.near
            .get_or_init(|| match &self.spec.matcher {
                Matcher::Pattern(p) => near(p, &self.spec.keywords, self.keywords_ignore_case()),
                Matcher::Assigned(_) => None,
            })
            .as_ref()
    }

    /// One regex match, through the entropy, checksum, allow-list and
    /// plausibility filters.
    fn judge(
        &self,
        index: usize,
        haystack: &[u8],
        (whole, value): (std::ops::Range<usize>, std::ops::Range<usize>),
        out: &mut Vec<Match>,
        rejected: &mut Vec<Rejection>,
    ) {
        let Ok(compiled) = self.compiled() else { return };
        let bytes = &haystack[value.clone()];
        if bytes.is_empty() {
            return;
        }
        let shown = || crate::facts::Redacted::new(&String::from_utf8_lossy(bytes)).to_string();
        let entropy = shannon_entropy(bytes);
        if let Some(min) = self.spec.entropy
            && entropy < min
        {
            rejected.push(Rejection::LowEntropy { value: shown(), entropy, minimum: min });
            return;
        }
        if let Some(c) = self.spec.checksum
            && !c.verify(bytes)
        {
            rejected.push(Rejection::Checksum { value: shown() });
            return;
        }
        if compiled.allow.iter().any(|a| a.is_match(bytes)) {
            rejected.push(Rejection::Allowed { value: shown() });
            return;
        }
        if in_data_uri(haystack, whole.start) {
            rejected.push(Rejection::Implausible { value: shown(), why: "inside the base64 payload of a data: URI" });
            return;
        }
        let text = String::from_utf8_lossy(bytes);
        let why = confidence::not_a_secret(&text)
            .or_else(|| assign::is_call(&text).then_some("a call that returns the value (`click.prompt(…)`)"))
            .or_else(|| confidence::example_credentials(&String::from_utf8_lossy(&haystack[whole.clone()]), &text));
        if let Some(why) = why {
            rejected.push(Rejection::Implausible { value: shown(), why });
            return;
        }
        out.push(Match {
            detector: index,
            start: value.start,
            end: value.end,
            match_start: whole.start,
            match_end: whole.end,
            entropy,
        });
    }

    /// Run this detector alone over a text, keywords included: what an
    /// `example` or `negative` line is checked with. An assignment detector
    /// reads the text as YAML, JSON, `.env` lines and quoted assignments.
    pub fn check_text(&self, text: &str) -> Result<Vec<Match>, Vec<Rejection>> {
        if !self.has_keyword(text.as_bytes()) {
            return Err(vec![Rejection::NoKeyword]);
        }
        let mut out = Vec::new();
        let mut rejected = Vec::new();
        if self.is_assignment() {
            let mut seen: Vec<(String, String, Context)> = Vec::new();
            for as_file in ["example.yaml", "example.json", "example.env", "example.txt"] {
                for a in assign::assignments(as_file, text, None, assign::Code::Parse).0 {
                    let key = (a.name.clone(), a.value.clone(), a.context);
                    if seen.contains(&key) {
                        continue;
                    }
                    seen.push(key);
                    match self.accepts(&a, &mut rejected) {
                        Err(e) => return Err(vec![Rejection::Broken(e)]),
                        Ok(Some(entropy)) => {
                            let start = offset_of(text, a.pos);
                            let end = start + a.value.len();
                            out.push(Match { detector: 0, start, end, match_start: start, match_end: end, entropy });
                        }
                        Ok(None) => {}
                    }
                }
            }
        } else if let Err(e) = self.find_explained(0, text.as_bytes(), &mut out, &mut rejected) {
            return Err(vec![Rejection::Broken(e)]);
        }
        if out.is_empty() {
            if rejected.is_empty() {
                rejected.push(Rejection::NoMatch);
            }
            Err(rejected)
        } else {
            Ok(out)
        }
    }
}

/// Shannon entropy in bits per byte.
pub(crate) fn shannon_entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// What else a unit's detection met: detectors that could not run, and a
/// parse error in its syntax (the text was then read line by line).
#[derive(Debug, Default)]
pub struct Report {
    pub failures: Vec<DetectorFailure>,
    pub parse_error: Option<SyntaxError>,
}

/// Kubernetes Secrets and docker configs keep base64 values worth decoding
/// even when no assignment detector's keyword occurs.
fn may_hold_encoded_secrets(path: &str, text: &[u8]) -> bool {
    let yaml_or_json =
        matches!(crate::syntax::format_of(path), crate::syntax::Format::Yaml | crate::syntax::Format::Json);
    yaml_or_json
        && (memmem(text, b"kind: Secret") || memmem(text, b"\"kind\": \"Secret\"") || memmem(text, b"\"auths\""))
}

/// Where a parsed value was written in its file: a value is searched for
/// from its position on, over as many bytes as its escaped spelling can take
/// (an escape spells a character in up to ten bytes), so that a file of many
/// values costs about a pass, not a pass per value.
struct Written<'t> {
    text: &'t [u8],
    lines: LineIndex,
    /// Per line, whether it is ASCII (columns count characters: on an ASCII
    /// line a column is a byte offset).
    ascii: Vec<std::cell::OnceCell<bool>>,
}

impl<'t> Written<'t> {
    fn new(text: &'t [u8]) -> Written<'t> {
        let lines = LineIndex::new(text);
        let ascii = (0..lines.count()).map(|_| std::cell::OnceCell::new()).collect();
        Written { text, lines, ascii }
    }

    /// Whether `value` stands as it is where it was written, at `pos`.
    fn verbatim(&self, value: &str, pos: Pos) -> bool {
        let Some(line) = self.lines.line_span(self.text, pos.line) else { return false };
        let ascii = pos
            .line
            .checked_sub(1)
            .and_then(|i| self.ascii.get(usize::try_from(i).ok()?))
            .is_some_and(|a| *a.get_or_init(|| self.text[line.clone()].is_ascii()));
        let column = usize::try_from(pos.col.saturating_sub(1)).unwrap_or(0);
        // A column counts characters: a byte offset on an ASCII line, a lower bound on another.
        let from = (line.start + column).min(self.text.len());
        let reach = value.len().saturating_mul(10).saturating_add(256);
        let to = if ascii { from.saturating_add(reach) } else { line.end.saturating_add(reach) }.min(self.text.len());
        memchr::memmem::find(&self.text[from..to], value.as_bytes()).is_some()
    }
}

/// String values (and keys) whose text does not stand in the file as it
/// is where they are written: written with escapes.
fn collect_decoded(node: &crate::syntax::tree::Node, written: &Written, out: &mut Vec<(Pos, String)>) {
    use crate::syntax::tree::Kind;
    let differs = |s: &str, pos: Pos| s.len() >= 8 && !written.verbatim(s, pos);
    match &node.kind {
        Kind::Scalar(s) if differs(&s.text, node.pos) => out.push((node.pos, s.text.clone())),
        Kind::Map(entries) => {
            for (k, v) in entries {
                if differs(&k.text, k.pos) {
                    out.push((k.pos, k.text.clone()));
                }
                collect_decoded(v, written, out);
            }
        }
        Kind::Seq(items) => items.iter().for_each(|i| collect_decoded(i, written, out)),
        _ => {}
    }
}

fn memmem(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// The byte offset of a position; only used on short example strings.
fn offset_of(text: &str, pos: Pos) -> usize {
    let mut line = 1u32;
    let mut col = 1u32;
    for (i, c) in text.char_indices() {
        if line == pos.line && col == pos.col {
            return i;
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    text.len()
}

/// A detector that could not be compiled while scanning (only possible for a
/// pack that skipped the full check); reported, never silently skipped.
#[derive(Clone, Debug, PartialEq)]
pub struct DetectorFailure {
    pub detector: String,
    pub reason: String,
}

/// The inline-ignore marker (`suppress::inline`). The keyword pass looks
/// for it too: searched on its own, it was a second pass over every file
/// (2% of a tree scan).
pub const IGNORE_MARKER: &str = "nhigate:ignore";

/// Every detector of a program, behind one keyword prefilter.
#[derive(Debug)]
pub struct DetectorSet {
    detectors: Vec<Detector>,
    /// Built on the first scan, so that commands that only list or check
    /// rules do not pay for it: the DFA for a scan of any size, the NFA
    /// for a handful of files (`prepare`).
    prefilter: OnceLock<Option<KeywordSearch>>,
    quick_prefilter: OnceLock<Option<KeywordSearch>>,
    keywords: Vec<String>,
    /// For each prefilter pattern, the detectors that own that keyword.
    owners: Vec<Vec<Owner>>,
    /// The prefilter pattern of `IGNORE_MARKER`.
    marker: usize,
    /// Detectors without keywords: they run on every input.
    always: Vec<usize>,
    /// For each detector, the detectors of its credential's other part.
    pair_of: Vec<Vec<usize>>,
    /// For each detector, the detectors that name it as their pair.
    partners: Vec<Vec<usize>>,
    /// The detectors that are `part`s.
    parts: Vec<usize>,
}

/// Two parts of one credential are a pair when they are this many lines
/// apart or fewer: the same block of a config, an `.env` or a key file.
const PAIR_LINES: u32 = 5;

/// The keyword automaton: a DFA, searched as four interleaved streams
/// (`streams`), for a scan of any size; an NFA, quick to build, for a
/// handful of files.
#[derive(Debug)]
enum KeywordSearch {
    Dfa(Box<streams::KeywordTable>),
    Nfa(AhoCorasick),
}

#[derive(Debug)]
struct Owner {
    detector: usize,
    /// The keyword as written, when it must match case-sensitively.
    exact: Option<Box<[u8]>>,
    /// What a hit is to the detector, known when the set is built: the
    /// prefilter meets millions of hits in a large tree, and reading it
    /// from the detector's spec at each one was a cache miss.
    role: Role,
}

/// What a keyword hit is to the detector that owns the keyword.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Role {
    /// A pattern detector's: the regex runs near the hit.
    Pattern,
    /// An assignment detector's: the hit's line is read for assignments.
    Assignment,
    /// A `part`'s: read only where a partner may find its secret.
    Part,
}

/// What the keyword prefilter found in one input.
pub struct Candidates {
    /// Detectors whose keywords occur, in pack order.
    pub detectors: Vec<usize>,
    /// Where keywords of assignment detectors occur (byte offsets).
    pub assignment_hits: Vec<usize>,
    /// Where each pattern detector's keywords occur: (detector, byte
    /// offset), sorted; in a scan big enough for the DFA only.
    pub pattern_hits: Vec<(usize, usize)>,
    /// Whether `IGNORE_MARKER` occurs.
    pub ignore_marker: bool,
}

impl Candidates {
    /// No detector can match and there is nothing encoded to decode.
    pub fn nothing_to_do(&self, path: &str, text: &[u8]) -> bool {
        self.detectors.is_empty() && !may_hold_encoded_secrets(path, text)
    }
}

impl Detector {
    /// Keywords match case-insensitively when the detector's own matching
    /// is case-insensitive: an assignment detector (names come in any case)
    /// or a pattern with the `i` flag; otherwise exactly, since a literal
    /// every match contains has one case. `ghp_` never needs to find `GHP_`.
    fn keywords_ignore_case(&self) -> bool {
        match &self.spec.matcher {
            Matcher::Assigned(_) => true,
            Matcher::Pattern(p) => p.flags.contains('i') || p.body.contains("(?i"),
        }
    }
}

impl DetectorSet {
    pub fn new(specs: Vec<DetectorSpec>) -> DetectorSet {
        let detectors: Vec<Detector> = specs.into_iter().map(Detector::new).collect();
        let mut keywords: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<Owner>> = Vec::new();
        let mut always = Vec::new();
        for (i, d) in detectors.iter().enumerate() {
            if d.spec.keywords.is_empty() {
                always.push(i);
            }
            let ignore_case = d.keywords_ignore_case();
            let role = match (d.is_assignment(), d.spec.part) {
                (false, _) => Role::Pattern,
                (true, false) => Role::Assignment,
                (true, true) => Role::Part,
            };
            for k in &d.spec.keywords {
                let owner = Owner { detector: i, exact: (!ignore_case).then(|| k.as_bytes().into()), role };
                let lower = k.to_ascii_lowercase();
                match keywords.iter().position(|x| *x == lower) {
                    Some(p) => owners[p].push(owner),
                    None => {
                        keywords.push(lower);
                        owners.push(vec![owner]);
                    }
                }
            }
        }
        let marker = keywords.iter().position(|k| k == IGNORE_MARKER).unwrap_or_else(|| {
            keywords.push(IGNORE_MARKER.to_string());
            owners.push(Vec::new());
            keywords.len() - 1
        });
        let id_of = |id: &str| detectors.iter().position(|d| d.spec.id == id);
        let pair_of: Vec<Vec<usize>> =
            detectors.iter().map(|d| d.spec.pair.iter().filter_map(|p| id_of(p)).collect()).collect();
        let mut partners = vec![Vec::new(); detectors.len()];
        for (d, others) in pair_of.iter().enumerate() {
            others.iter().for_each(|&o| partners[o].push(d));
        }
        let parts = (0..detectors.len()).filter(|&d| detectors[d].spec.part).collect();
        DetectorSet {
            parts,
            detectors,
            prefilter: OnceLock::new(),
            quick_prefilter: OnceLock::new(),
            keywords,
            owners,
            marker,
            always,
            pair_of,
            partners,
        }
    }

    pub fn len(&self) -> usize {
        self.detectors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.detectors.is_empty()
    }

    pub fn get(&self, index: usize) -> Option<&Detector> {
        self.detectors.get(index)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Detector> {
        self.detectors.iter()
    }

    /// The detectors whose keywords occur in `haystack`, in pack order.
    pub fn candidates(&self, haystack: &[u8]) -> Vec<usize> {
        self.prefilter(haystack).detectors
    }

    /// One case-insensitive automaton over every keyword: one pass over the
    /// input finds them all; case-sensitive ones are checked at the hit.
    /// The quick-to-build NFA when only that one was prepared.
    fn automaton(&self) -> Option<&KeywordSearch> {
        match (self.prefilter.get(), self.quick_prefilter.get()) {
            (None, Some(quick)) => quick.as_ref(),
            _ => self.prefilter.get_or_init(|| self.build_automaton(true)).as_ref(),
        }
    }

    fn build_automaton(&self, dfa: bool) -> Option<KeywordSearch> {
        let built = dfa.then(|| {
            aho_corasick::dfa::Builder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&self.keywords)
        });
        match built {
            Some(Ok(dfa)) => match streams::KeywordTable::new(&dfa, &self.keywords) {
                Some(table) => Some(KeywordSearch::Dfa(Box::new(table))),
                None => self.build_automaton(false),
            },
            _ => AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
                .build(&self.keywords)
                .or_else(|_| AhoCorasickBuilder::new().ascii_case_insensitive(true).build(&self.keywords))
                .ok()
                .map(KeywordSearch::Nfa),
        }
    }

    /// Prepare for a scan of about `bytes` bytes: a DFA scans three times
    /// faster than an NFA but takes a millisecond or two to build, which a
    /// pre-commit hook scanning one small file should not pay.
    pub fn prepare(&self, bytes: u64) {
        if bytes > 4 << 20 {
            self.prefilter.get_or_init(|| self.build_automaton(true));
        } else {
            self.quick_prefilter.get_or_init(|| self.build_automaton(false));
        }
    }

    /// One pass of the keyword automaton over `haystack`.
    pub fn prefilter(&self, haystack: &[u8]) -> Candidates {
        let mut hit = vec![false; self.detectors.len()];
        // The detectors hit, as they are first hit: most files hit a few of
        // hundreds, and a pass over all of them per file is a cost a tree notices.
        let mut listed = self.always.clone();
        let mut assignment_hits = Vec::new();
        let mut pattern_hits = Vec::new();
        let mut part_hits = Vec::new();
        let mut ignore_marker = false;
        for &i in &self.always {
            hit[i] = true;
        }
        let automaton = self.automaton();
        // A scan big enough for the DFA searches near keywords; one of a
        // handful of files does not pay for a second regex per detector.
        let near = matches!(automaton, Some(KeywordSearch::Dfa(_)));
        // Overlapping: a keyword inside or across another counts too.
        let on_hit = |pattern: usize, start: usize, len: usize| {
            let found = &haystack[start..start + len];
            ignore_marker |= pattern == self.marker && found == IGNORE_MARKER.as_bytes();
            for o in &self.owners[pattern] {
                if o.exact.as_deref().is_some_and(|k| k != found) {
                    continue;
                }
                if !hit[o.detector] {
                    hit[o.detector] = true;
                    listed.push(o.detector);
                }
                match o.role {
                    Role::Pattern if near => pattern_hits.push((o.detector, start)),
                    Role::Pattern => {}
                    _ if o.exact.is_some() => {}
                    Role::Assignment => assignment_hits.push(start),
                    Role::Part => part_hits.push((o.detector, start)),
                }
            }
        };
        match automaton {
            Some(KeywordSearch::Dfa(table)) => table.overlapping(haystack, on_hit),
            Some(KeywordSearch::Nfa(ac)) => {
                let mut on_hit = on_hit;
                ac.find_overlapping_iter(haystack).for_each(|m| on_hit(m.pattern().as_usize(), m.start(), m.len()));
            }
            None => {}
        }
        // A part is looked for only where a detector that pairs with it may
        // find its secret: `user` alone is everywhere.
        for &d in &self.parts {
            if hit[d] {
                hit[d] = self.partners[d].iter().any(|&c| hit[c]);
            }
        }
        assignment_hits.extend(part_hits.into_iter().filter(|&(d, _)| hit[d]).map(|(_, at)| at));
        assignment_hits.sort_unstable();
        assignment_hits.dedup();
        pattern_hits.sort_unstable();
        pattern_hits.dedup();
        listed.retain(|&d| hit[d]);
        listed.sort_unstable();
        Candidates { detectors: listed, assignment_hits, pattern_hits, ignore_marker }
    }

    /// Every regex match of the given detectors in `haystack`.
    /// With `hits` (the prefilter's `pattern_hits`), a detector whose
    /// keywords occur runs only around them (`Detector::find_near`).
    fn scan_patterns(
        &self,
        haystack: &[u8],
        detectors: &[usize],
        hits: Option<&[(usize, usize)]>,
        failures: &mut Vec<DetectorFailure>,
    ) -> Vec<Match> {
        let mut out = Vec::new();
        let mut near = Vec::new();
        for &d in detectors {
            let detector = &self.detectors[d];
            let hits = hits.unwrap_or_default();
            let first = hits.partition_point(|&(h, _)| h < d);
            near.clear();
            near.extend(hits[first..].iter().take_while(|&&(h, _)| h == d).map(|&(_, at)| at));
            let found = match near.is_empty() {
                true => detector.find(d, haystack, &mut out),
                false => detector.find_near(d, haystack, &near, &mut out),
            };
            if let Err(reason) = found {
                failures.push(DetectorFailure { detector: detector.spec.id.clone(), reason });
            }
        }
        out
    }

    /// Every match of every pattern detector in `haystack`, in order of
    /// position; where matches overlap, only the one that takes precedence.
    pub fn scan(&self, haystack: &[u8], failures: &mut Vec<DetectorFailure>) -> Vec<Match> {
        let candidates = self.candidates(haystack);
        let matches = self.scan_patterns(haystack, &candidates, None, failures);
        self.most_specific(matches)
    }

    /// Which of two detectors that find the same value is reported: a
    /// pack's own over a built-in, a provider's over a generic one, one that
    /// validates a checksum over one that cannot (docs/language.md).
    fn precedence(&self, d: usize) -> (bool, bool, bool) {
        let det = &self.detectors[d];
        (!det.spec.builtin, !det.is_generic(), det.spec.checksum.is_some())
    }

    /// Overlapping matches, one value found by several detectors or a
    /// token inside a generic match, keep only the one that takes
    /// precedence; then the longer; then the first declared. In order of
    /// position.
    fn most_specific(&self, mut matches: Vec<Match>) -> Vec<Match> {
        if matches.len() < 2 {
            return matches;
        }
        matches.sort_by(|a, b| {
            self.precedence(b.detector)
                .cmp(&self.precedence(a.detector))
                .then((b.end - b.start).cmp(&(a.end - a.start)))
                .then(a.detector.cmp(&b.detector))
                .then(a.start.cmp(&b.start))
        });
        // Kept ranges by start; they never overlap one another.
        let mut kept: std::collections::BTreeMap<usize, Match> = std::collections::BTreeMap::new();
        for m in matches {
            let before = kept.range(..=m.start).next_back().is_some_and(|(_, k)| k.end > m.start);
            let after = kept.range(m.start..).next().is_some_and(|(&s, _)| s < m.end.max(m.start + 1));
            if !before && !after {
                kept.insert(m.start, m);
            }
        }
        kept.into_values().collect()
    }

    /// Whether a value has the shape of a provider's token, checksum and
    /// entropy aside: a generic detector leaves such a value to the
    /// provider's detector, which knows a made-up token from a real one.
    fn has_known_shape(&self, value: &[u8]) -> bool {
        self.candidates(value).into_iter().any(|d| {
            let det = &self.detectors[d];
            !det.is_assignment() && det.compiled().as_ref().is_ok_and(|c| c.regex.is_match(value))
        })
    }

    /// How sure detector `d`'s find of `value` is, at `place`.
    fn confidence(&self, d: usize, value: &str, place: Place) -> Confidence {
        let detector = self.detectors.get(d);
        let generic = detector.is_some_and(Detector::is_generic);
        let self_made = detector.is_some_and(Detector::is_self_made);
        confidence::judge(&confidence::Evidence { generic, self_made, value, place })
    }

    /// Everything the detectors find in one unit. `path` selects how its
    /// syntax is read for assignment detectors and decoded secret stores.
    pub fn detect(&self, path: &str, text: &[u8], report: &mut Report) -> Vec<Found> {
        let candidates = self.prefilter(text);
        if candidates.nothing_to_do(path, text) {
            return Vec::new();
        }
        self.detect_with(path, text, candidates, report)
    }

    /// Tokens in JSON and YAML string values that the file spells with
    /// escapes (`\u0067`, `\x67`, a backslash-newline), found in the
    /// decoded values. Files without such escapes cost one search.
    pub fn escaped(&self, path: &str, text: &[u8]) -> Vec<Found> {
        let yaml_or_json =
            matches!(crate::syntax::format_of(path), crate::syntax::Format::Yaml | crate::syntax::Format::Json);
        let has_escapes =
            || memchr::memchr_iter(b'\\', text).any(|i| matches!(text.get(i + 1), Some(b'u' | b'x' | b'U' | b'\n')));
        if !yaml_or_json || !has_escapes() {
            return Vec::new();
        }
        let lossy = crate::source::lossy(text);
        let Ok(docs) = crate::syntax::tree::parse(&lossy) else { return Vec::new() };
        let mut values = Vec::new();
        let written = Written::new(text);
        for d in &docs {
            collect_decoded(d, &written, &mut values);
        }
        let mut out = Vec::new();
        for (pos, value) in values {
            for m in self.scan(value.as_bytes(), &mut Vec::new()) {
                if let Some(v) = value.get(m.start..m.end) {
                    out.push(Found {
                        detector: m.detector,
                        start: pos,
                        end: pos,
                        value: v.to_string(),
                        entropy: m.entropy,
                        confidence: self.confidence(m.detector, v, Place::of(path)),
                        pair: None,
                    });
                }
            }
        }
        out
    }

    /// Secrets in text the unit holds encoded: percent-escaped runs in any
    /// file, and base64 config blobs in configuration formats (in code and
    /// prose a long base64 run is data). The decoded text is read as an
    /// `.env` file, and what it holds encoded in turn, to `MAX_DEPTH`.
    /// Finds are placed at the start of the encoded run.
    pub fn encoded(&self, path: &str, text: &[u8]) -> Vec<Found> {
        use crate::syntax::Format;
        let config = !matches!(crate::syntax::format_of(path), Format::Code(_) | Format::Text);
        let mut out = Vec::new();
        let mut budget = decode::MAX_DECODED;
        self.decode_into(path, text, config, 0, None, &mut budget, &mut out);
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn decode_into(
        &self,
        path: &str,
        text: &[u8],
        config: bool,
        depth: usize,
        at: Option<Pos>,
        budget: &mut usize,
        out: &mut Vec<Found>,
    ) {
        let mut runs = decode::percent_runs(text);
        if config {
            runs.extend(decode::base64_blobs(text));
        }
        let lines = std::cell::OnceCell::new();
        for run in runs {
            let Some(left) = budget.checked_sub(run.text.len()) else { return };
            *budget = left;
            let pos = at.unwrap_or_else(|| lines.get_or_init(|| LineIndex::new(text)).pos(text, run.offset));
            for f in self.detect("decoded.env", &run.text, &mut Report::default()) {
                let confidence = self.confidence(f.detector, &f.value, Place::of(path));
                out.push(Found { start: pos, end: pos, confidence, pair: None, ..f });
            }
            if depth + 1 < decode::MAX_DEPTH {
                self.decode_into(path, &run.text, true, depth + 1, Some(pos), budget, out);
            }
        }
    }

    /// `detect` after the prefilter has run.
    pub fn detect_with(&self, path: &str, text: &[u8], candidates: Candidates, report: &mut Report) -> Vec<Found> {
        let Candidates { detectors: candidates, assignment_hits, pattern_hits, .. } = candidates;
        // Where the file is, read from its path only for a file that holds a find.
        let place_of = std::cell::OnceCell::new();
        let place = || *place_of.get_or_init(|| Place::of(path));
        let lines = std::cell::OnceCell::new();
        let pos = |offset: usize| lines.get_or_init(|| LineIndex::new(text)).pos(text, offset);
        let patterns: Vec<usize> = candidates.iter().copied().filter(|&d| !self.detectors[d].is_assignment()).collect();
        let matches =
            self.most_specific(self.scan_patterns(text, &patterns, Some(&pattern_hits), &mut report.failures));
        let mut found: Vec<Found> = matches
            .iter()
            .filter_map(|m| {
                let value = String::from_utf8_lossy(text.get(m.start..m.end)?).into_owned();
                Some(Found {
                    detector: m.detector,
                    start: pos(m.start),
                    end: pos(m.end),
                    confidence: self.confidence(m.detector, &value, place()),
                    pair: None,
                    value,
                    entropy: m.entropy,
                })
            })
            .collect();
        // A lock file's keys are package names (`@inquirer/password`), not
        // names a value is given under: its pattern detectors run, no
        // assignment detector does.
        let assigners: Vec<usize> = match syntax::is_lockfile(path) {
            true => Vec::new(),
            false => candidates.iter().copied().filter(|&d| self.detectors[d].is_assignment()).collect(),
        };
        // A YAML or JSON file is parsed whole, but only when a keyword sits
        // where a name is written: elsewhere (a schema's `description`, a list
        // of words) no assignment can be named by one, and the parse was a
        // twentieth of a Linux tree scan (its devicetree bindings). A
        // detector without keywords reads every name, hit or not.
        let structured = matches!(syntax::format_of(path), syntax::Format::Yaml | syntax::Format::Json);
        let unnamed = structured
            && assigners.iter().all(|&d| !self.detectors[d].spec.keywords.is_empty())
            && !assign::names_at(text, &assignment_hits);
        if (assigners.is_empty() || unnamed) && !may_hold_encoded_secrets(path, text) {
            self.join_pairs(&mut found);
            return found;
        }
        // One byte that is not UTF-8 (a Latin-1 comment) must not turn the
        // assignment detectors off: read the text lossily. Lines stay where
        // they are, and columns count an invalid byte as one character, as
        // positions do everywhere.
        let lossy = crate::source::lossy(text);
        let as_str: &str = &lossy;
        // Line-oriented formats are read only on the lines where an
        // assignment keyword occurs; structured ones are parsed whole.
        let read = |code| assign::assignments(path, as_str, Some(&assignment_hits), code);
        let (mut assignments, mut parse_error) = read(assign::Code::Lines);
        // Parsing source code is most of a history scan's cost: it is parsed
        // only when a keyword's line assigns a value some detector would take.
        if matches!(syntax::format_of(path), syntax::Format::Code(_)) {
            let wanted = assignments.iter().any(|a| {
                assigners.iter().filter(|&&d| !self.detectors[d].spec.part).any(|&d| {
                    matches!(self.detectors[d].accepts(a, &mut Vec::new()), Ok(Some(_)))
                        && (!self.detectors[d].spec.builtin || !self.has_known_shape(a.value.as_bytes()))
                })
            });
            (assignments, parse_error) = if wanted { read(assign::Code::Parse) } else { (Vec::new(), None) };
        }
        report.parse_error = parse_error;
        let mut extra: Vec<Found> = Vec::new();
        for a in &assignments {
            // A decoded value is scanned like any text, at the encoded place.
            if a.context.decoded() {
                let value = a.value.as_bytes();
                for m in self.scan(value, &mut report.failures) {
                    if let Some(v) = value.get(m.start..m.end) {
                        let v = String::from_utf8_lossy(v).into_owned();
                        extra.push(Found {
                            detector: m.detector,
                            start: a.pos,
                            end: a.pos,
                            confidence: self.confidence(m.detector, &v, place()),
                            pair: None,
                            value: v,
                            entropy: m.entropy,
                        });
                    }
                }
            }
            for &d in &assigners {
                match self.detectors[d].accepts(a, &mut Vec::new()) {
                    Err(reason) => {
                        report.failures.push(DetectorFailure { detector: self.detectors[d].spec.id.clone(), reason })
                    }
                    // A built-in generic detector leaves a provider-shaped
                    // value to the provider's; a pack's own takes precedence.
                    Ok(Some(entropy))
                        if !self.detectors[d].spec.builtin || !self.has_known_shape(a.value.as_bytes()) =>
                    {
                        // A multi-line value (a YAML block scalar) is re-indented by
                        // its parser: its end is known by line only.
                        let newlines = u32::try_from(a.value.matches('\n').count()).unwrap_or(0);
                        let end = if newlines == 0 {
                            Pos {
                                line: a.pos.line,
                                col: a.pos.col + u32::try_from(a.value.chars().count()).unwrap_or(0),
                            }
                        } else {
                            Pos { line: a.pos.line.saturating_add(newlines), col: u32::MAX }
                        };
                        let near = |line: u32| lines.get_or_init(|| LineIndex::new(text)).line(text, line);
                        let asked = confidence::asks_for_a_value(near(a.pos.line))
                            || confidence::asks_for_a_value(near(a.pos.line.saturating_sub(1)));
                        let confidence = if asked { Confidence::Low } else { self.confidence(d, &a.value, place()) };
                        extra.push(Found {
                            detector: d,
                            start: a.pos,
                            end,
                            value: a.value.clone(),
                            entropy,
                            confidence,
                            pair: None,
                        });
                        // A part does not take the assignment from a secret's detector.
                        if !self.detectors[d].spec.part {
                            break;
                        }
                    }
                    Ok(_) => {}
                }
            }
        }
        // One secret per place: a pattern's find wins over an assignment's,
        // unless the assignment's detector takes precedence (a pack's own).
        // Compared per line only, so that a file of many short lines stays linear.
        let mut by_line: std::collections::HashMap<u32, Vec<usize>> = std::collections::HashMap::new();
        for (i, g) in found.iter().enumerate() {
            by_line.entry(g.start.line).or_default().push(i);
        }
        for f in extra {
            // A part (a username) is not a secret: it never stands in for one.
            if self.detectors[f.detector].spec.part {
                found.push(f);
                continue;
            }
            let same_place = by_line.get(&f.start.line).and_then(|on_line| {
                on_line.iter().copied().find(|&i| {
                    let g = &found[i];
                    g.value == f.value || g.start == f.start || g.value.contains(&f.value) || f.value.contains(&g.value)
                })
            });
            match same_place {
                Some(i) if self.precedence(f.detector) > self.precedence(found[i].detector) => found[i] = f,
                Some(_) => {}
                None => {
                    by_line.entry(f.start.line).or_default().push(found.len());
                    found.push(f);
                }
            }
        }
        found.sort_by_key(|a| (a.start, a.detector));
        self.join_pairs(&mut found);
        found
    }

    /// Multi-part credentials: a find whose detector names a `pair` takes
    /// the nearest unclaimed find of one of those detectors within
    /// `PAIR_LINES` as its other part, and the two are one find at the
    /// first one's confidence. A part found without the other is one step
    /// less sure. Where the other part is a `part` (a username beside a
    /// password), it is never reported alone, the secret alone stays as
    /// sure as it was, and the pair is one step surer, except where the
    /// place already made it unsure (a test file's stays low).
    /// `found` is in order of position.
    fn join_pairs(&self, found: &mut Vec<Found>) {
        if self.partners.iter().all(Vec::is_empty) {
            return;
        }
        let is_part = |d: usize| self.detectors[d].spec.part;
        let mut claimed = vec![false; found.len()];
        for i in 0..found.len() {
            let others = &self.pair_of[found[i].detector];
            if others.is_empty() {
                continue;
            }
            let line = found[i].start.line;
            let from = found.partition_point(|g| g.start.line + PAIR_LINES < line);
            let to = found.partition_point(|g| g.start.line <= line + PAIR_LINES);
            let nearest = (from..to)
                .filter(|&j| j != i && !claimed[j] && others.contains(&found[j].detector))
                .min_by_key(|&j| found[j].start.line.abs_diff(line));
            match nearest {
                Some(j) => {
                    claimed[j] = true;
                    found[i].pair = Some((found[j].start, found[j].end));
                    if is_part(found[j].detector) && found[i].confidence == Confidence::Medium {
                        found[i].confidence = Confidence::High;
                    }
                }
                None if others.iter().all(|&o| is_part(o)) => {}
                None => found[i].confidence = found[i].confidence.lowered(),
            }
        }
        for (f, &claimed) in found.iter_mut().zip(&claimed) {
            if !self.partners[f.detector].is_empty() && !claimed {
                f.confidence = f.confidence.lowered();
            }
        }
        let mut claimed = claimed.into_iter();
        found.retain(|f| !claimed.next().unwrap_or(false) && !is_part(f.detector));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(id: &str, keywords: &[&str], pattern: &str) -> DetectorSpec {
        DetectorSpec {
            id: id.into(),
            title: id.into(),
            severity: Severity::High,
            provider: None,
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            matcher: Matcher::Pattern(Pattern { body: pattern.into(), flags: String::new() }),
            contexts: vec![],
            entropy: None,
            checksum: None,
            pair: Vec::new(),
            part: false,
            allow: vec![],
            examples: vec![],
            negatives: vec![],
            docs: None,
            builtin: true,
        }
    }

    #[test]
    fn the_lead_of_a_pattern_is_its_fixed_first_bytes() {
        let lead = |pattern: &str| {
            let syntax = Pattern { body: pattern.into(), flags: String::new() }.syntax();
            Lead::of(&regex_automata::util::syntax::parse_with(pattern, &syntax).unwrap_or_else(|e| panic!("{e}")))
        };
        let airtable = lead(r"\b(pat[A-Za-z0-9]{14}\.[a-f0-9]{64})\b");
        assert_eq!(airtable.0.len(), Lead::MAX);
        assert!(airtable.admits(b"x patxsj2En5srtegxR.f6b3035e86f3fc08b09f", 2));
        for turned_away in [&b"path_to"[..], b"pathnames are long", b"patxsj2En5srtegx_", b"pat"] {
            assert!(!airtable.admits(turned_away, 0), "{}", String::from_utf8_lossy(turned_away));
        }
        // A repetition of variable length ends what is fixed; case is folded.
        let segment = lead(r"(?i)segment[\w.-]{0,20}(?:write_?key|token)");
        assert_eq!(segment.0.len(), 7);
        assert!(segment.admits(b"SEGMENT", 0) && segment.admits(b"segment_write_key", 0));
        assert!(!segment.admits(b"segmen", 0));
        // A choice at the start fixes nothing.
        assert!(lead(r"(?:xoxb|xoxp-1)-[0-9]{9}").0.is_empty());
    }

    #[test]
    fn entropy_of_uniform_and_constant_input() {
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
    }

    #[test]
    fn the_prefilter_notes_the_ignore_marker_in_its_own_case_only() {
        let set = DetectorSet::new(vec![spec("a", &["AKIA"], "AKIA[A-Z0-9]{16}")]);
        for big in [false, true] {
            set.prepare(if big { u64::MAX } else { 0 });
            assert!(set.prefilter(b"k = 1 # nhigate:ignore NHI-001 test key").ignore_marker);
            assert!(!set.prefilter(b"k = 1 # NHIGATE:IGNORE NHI-001 test key").ignore_marker);
            assert!(!set.prefilter(b"k = 1 # nhigate ignore").ignore_marker);
        }
        let none = DetectorSet::new(vec![]);
        assert!(none.prefilter(b"# nhigate:ignore X y").ignore_marker, "with no detectors at all");
    }

    #[test]
    fn the_prefilter_selects_only_detectors_whose_keywords_occur() {
        let set = DetectorSet::new(vec![spec("a", &["AKIA"], "AKIA[A-Z0-9]{16}"), spec("b", &["ghp_"], "ghp_[a-z]+")]);
        assert_eq!(set.candidates(b"x = AKIAXXXX"), vec![0]);
        assert_eq!(set.candidates(b"x = akiaXXXX"), Vec::<usize>::new(), "a case-sensitive pattern needs its case");
        assert_eq!(set.candidates(b"nothing here"), Vec::<usize>::new());
    }

    #[test]
    fn overlapping_and_nested_keywords_are_all_found() {
        let set = DetectorSet::new(vec![
            spec("a", &["abc"], "abc"),
            spec("b", &["bcd"], "bcd"),
            spec("c", &["c"], "c"),
            spec("d", &["xabcx"], "xabcx"),
        ]);
        assert_eq!(set.candidates(b"abcd"), vec![0, 1, 2]);
        assert_eq!(set.candidates(b"..xabcx.."), vec![0, 2, 3]);
        assert_eq!(set.candidates(b"bcd"), vec![1, 2]);
    }

    #[test]
    fn case_sensitive_keywords_need_their_case() {
        let set = DetectorSet::new(vec![spec("s", &["ghp_"], "ghp_[a-z]+"), spec("i", &["token"], "(?i)token")]);
        assert_eq!(set.candidates(b"GHP_ and TOKEN"), vec![1]);
        assert_eq!(set.candidates(b"ghp_ and token"), vec![0, 1]);
    }

    #[test]
    fn the_captured_group_is_the_value() {
        let set = DetectorSet::new(vec![spec("k", &["key"], r#"key\s*=\s*"([a-z0-9]{8})""#)]);
        let hay = br#"key = "abcd1234""#;
        let m = set.scan(hay, &mut Vec::new());
        assert_eq!(m.len(), 1);
        assert_eq!(&hay[m[0].start..m[0].end], b"abcd1234");
    }

    #[test]
    fn entropy_checksum_and_allow_filter_matches() {
        let mut s = spec("e", &["tok"], r"tok_([a-z0-9]{8})");
        s.entropy = Some(2.5);
        s.allow = vec![Pattern { body: "^example".into(), flags: String::new() }];
        let d = Detector::new(s);
        assert!(d.check_text("tok_aaaaaaaa").is_err());
        assert!(d.check_text("tok_a1b2c3d4").is_ok());
        assert!(d.check_text("tok_example1").is_err());
    }

    #[test]
    fn a_part_is_looked_for_only_beside_its_partner_and_never_reported_alone() {
        let secret =
            DetectorSpec { pair: vec!["user".into()], ..spec("pw", &["pass"], r"(?m)^pass=([A-Za-z0-9]{12})$") };
        let user = DetectorSpec {
            part: true,
            matcher: Matcher::Assigned(Pattern { body: "^user$".into(), flags: String::new() }),
            ..spec("user", &["user"], "")
        };
        let set = DetectorSet::new(vec![secret, user]);
        // `user` alone: not even a candidate.
        assert_eq!(set.candidates(b"user=ops\n"), Vec::<usize>::new());
        assert_eq!(set.candidates(b"user=ops\npass=Zq8XvB2nLk5m\n"), vec![0, 1]);
        let ids = |text: &[u8]| -> Vec<(usize, u32, Option<u32>)> {
            let found = set.detect("app.env", text, &mut Report::default());
            found.iter().map(|f| (f.detector, f.start.line, f.pair.map(|(p, _)| p.line))).collect()
        };
        assert_eq!(ids(b"user=ops\npass=Zq8XvB2nLk5m\n"), vec![(0, 2, Some(1))]);
        assert_eq!(ids(b"pass=Zq8XvB2nLk5m\n"), vec![(0, 1, None)]);
        assert_eq!(ids(b"user=ops\n\n\n\n\n\n\n\npass=Zq8XvB2nLk5m\n"), vec![(0, 9, None)], "too far apart");
    }

    #[test]
    fn the_same_value_from_two_detectors_is_reported_once() {
        let set = DetectorSet::new(vec![spec("first", &["ab"], "ab[0-9]+"), spec("second", &["ab"], "ab[0-9]+")]);
        let m = set.scan(b"ab123", &mut Vec::new());
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].detector, 0);
    }

    #[test]
    fn overlapping_finds_keep_the_detector_that_takes_precedence() {
        let generic =
            DetectorSpec { provider: Some("generic".into()), ..spec("url", &["://"], "[a-z]+://[a-z0-9_:@.]+") };
        let provider = spec("acme", &["acme_"], "acme_[a-z0-9]+");
        let own = DetectorSpec { builtin: false, ..spec("own", &["acme_"], "acme_[a-z0-9]+") };
        let text = b"x = https://user:acme_k3y9@host.example";
        // A provider's token inside a generic match: the provider's.
        let set = DetectorSet::new(vec![generic.clone(), provider.clone()]);
        let ids: Vec<usize> = set.scan(text, &mut Vec::new()).iter().map(|m| m.detector).collect();
        assert_eq!(ids, vec![1]);
        // The same value from a built-in and a pack's own: the pack's own,
        // though declared last.
        let set = DetectorSet::new(vec![generic, provider, own]);
        let ids: Vec<usize> = set.scan(text, &mut Vec::new()).iter().map(|m| m.detector).collect();
        assert_eq!(ids, vec![2]);
        // Finds apart from each other are all kept.
        let set = DetectorSet::new(vec![spec("acme", &["acme_"], "acme_[a-z0-9]+")]);
        assert_eq!(set.scan(b"acme_a1 acme_b2", &mut Vec::new()).len(), 2);
    }
}
