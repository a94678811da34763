//! From pack source text to the syntax tree (`ast`), with the pest grammar in
//! `grammar/nhi.pest`.
//!
//! A file that does not parse is split at its top-level items (lines that
//! start with `pack`, `rule`, `detector` or `test`) and each item is parsed on
//! its own, so that one file reports every broken item, not only the first.
//! Pest's errors are translated into words a rule author knows; the remaining
//! input is never dumped.

use pest::Parser;
use pest::iterators::Pair;

use super::ast::*;
use super::error::{ParseError, did_you_mean};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/nhi.pest"]
struct NhiParser;

/// Parse one pack file. On failure, every syntax error found is returned.
pub fn parse(source: &str) -> Result<PackFile, Vec<ParseError>> {
    let (file, errors) = parse_recovering(source);
    if errors.is_empty() { Ok(file) } else { Err(errors) }
}

/// Parse one pack file, and on a syntax error keep the items that parse on
/// their own, so that the checker can report their problems too.
pub(super) fn parse_recovering(source: &str) -> (PackFile, Vec<ParseError>) {
    match NhiParser::parse(Rule::pack_file, source) {
        Ok(mut pairs) => {
            let mut b = Builder { base: 0, errors: Vec::new() };
            let file = pairs.next().map(|p| b.pack_file(p)).unwrap_or_default();
            (file, b.errors)
        }
        Err(_) => parse_items_apart(source),
    }
}

/// Parse one expression, e.g. a message placeholder; `at` is its byte offset
/// in the file, so that spans point into the file.
pub(super) fn parse_expr(text: &str, at: usize) -> Option<Expr> {
    let mut pairs = NhiParser::parse(Rule::standalone_expr, text).ok()?;
    let pair = pairs.next()?.into_inner().next()?;
    let mut b = Builder { base: at, errors: Vec::new() };
    let e = b.expr(pair);
    b.errors.is_empty().then_some(e)
}

/// Resolve escapes in text whose string was already parsed (and its bad
/// escapes reported): a bad escape is dropped.
pub(super) fn unescape_lossy(raw: &str) -> String {
    let mut b = Builder { base: 0, errors: Vec::new() };
    b.unescape(raw, 0)
}

/// Recovery: parse each top-level item on its own, keep the ones that
/// parse, and collect every error.
fn parse_items_apart(source: &str) -> (PackFile, Vec<ParseError>) {
    let mut starts: Vec<usize> = vec![0];
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let word = line.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or("");
        if offset > 0 && matches!(word, "pack" | "let" | "rule" | "detector" | "test") {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts.push(source.len());
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for w in starts.windows(2) {
        let (start, end) = (w[0], w[1]);
        let chunk = &source[start..end];
        match NhiParser::parse(Rule::pack_file, chunk) {
            Ok(mut pairs) => {
                let mut b = Builder { base: start, errors: Vec::new() };
                if let Some(p) = pairs.next() {
                    items.extend(b.pack_file(p).items);
                }
                errors.extend(b.errors);
            }
            Err(e) => errors.push(translate(chunk, start, &e)),
        }
    }
    (PackFile { items }, errors)
}

const RULE_FIELDS: &[&str] = &["severity", "maps", "param", "on", "where", "require", "deny", "message", "fix", "docs"];
const DETECTOR_FIELDS: &[&str] = &[
    "severity", "provider", "keywords", "pattern", "assigned", "context", "entropy", "checksum", "pair", "part",
    "allow", "example", "negative", "docs",
];
const TEST_FIELDS: &[&str] = &["fixture", "base", "facts", "now", "expect"];
const PACK_FIELDS: &[&str] = &["version", "description"];
const ITEMS: &[&str] = &["pack", "let", "rule", "detector", "test"];

/// Turn a pest error into a diagnostic: what was expected, in words.
fn translate(chunk: &str, base: usize, err: &pest::error::Error<Rule>) -> ParseError {
    let (mut pos, (mut positives, mut negatives)) = (
        error_position(err),
        match &err.variant {
            pest::error::ErrorVariant::ParsingError { positives, negatives } => (positives.clone(), negatives.clone()),
            pest::error::ErrorVariant::CustomError { .. } => (vec![], vec![]),
        },
    );
    // pest names the rules it tried, not the literals: a block's missing
    // `{` is reported at the block's keyword. Point past what does parse.
    if positives.iter().any(|r| matches!(r, Rule::pack_file | Rule::EOI)) {
        let viable = furthest_viable(chunk, pos);
        if viable > pos {
            (pos, positives, negatives) = (viable, vec![], vec![]);
        }
    }
    if let Some(e) = habit(chunk, pos, base) {
        return e;
    }
    let tokens = expected_literals(chunk, pos);
    let found_word: String = chunk[pos..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    let found = describe_found(&chunk[pos..]);
    let at = base + pos;
    let word_span = (at, found_word.len().max(1)).into();

    // A word where a block's field was expected: an unknown field.
    let block_of = |kw: Rule| positives.contains(&kw);
    if !found_word.is_empty() {
        let block = if block_of(Rule::kw_require) {
            Some(("rule", RULE_FIELDS))
        } else if block_of(Rule::kw_pattern) {
            Some(("detector", DETECTOR_FIELDS))
        } else if block_of(Rule::kw_expect) {
            Some(("test", TEST_FIELDS))
        } else if block_of(Rule::kw_version) {
            Some(("pack", PACK_FIELDS))
        } else if block_of(Rule::kw_rule) && !found_word.chars().all(|c| c.is_ascii_digit()) {
            Some(("top-level", ITEMS))
        } else {
            None
        };
        if let Some((block, known)) = block {
            let what = format!("{block} fields are");
            let help = if block == "top-level" {
                did_you_mean(&found_word, known, "a pack holds `pack`, `rule`, `detector` and `test` blocks")
            } else {
                did_you_mean(&found_word, known, &what)
            };
            return ParseError::UnknownBlockField {
                block: if block == "top-level" { "top-level" } else { block },
                field: found_word,
                span: word_span,
                help,
            };
        }
    }

    let mut expected: Vec<String> = Vec::new();
    for r in &positives {
        if let Some(w) = rule_words(*r)
            && !expected.iter().any(|e| e == w)
        {
            expected.push(w.to_string());
        }
    }
    // Punctuation that only opens something already named (a string, a
    // name, an expression) adds nothing to the message.
    let wants_expr = expected.iter().any(|e| e == "an expression");
    for t in tokens {
        let implied = matches!(t.as_str(), "\"" | "_") || (wants_expr && matches!(t.as_str(), "(" | "[" | "{"));
        let t = format!("`{t}`");
        if !implied && !expected.contains(&t) {
            expected.push(t);
        }
    }
    let label =
        if expected.is_empty() { "unexpected here".to_string() } else { format!("expected {}", join_or(&expected)) };
    let help = if negatives.contains(&Rule::keyword) || positives.contains(&Rule::name) && is_keyword(&found_word) {
        Some(format!("`{found_word}` is a keyword of the language and cannot be used as a name"))
    } else if chunk[pos..].starts_with('\'') {
        Some("strings are written in double quotes".to_string())
    } else {
        None
    };
    ParseError::Syntax {
        message: format!("unexpected {found}"),
        span: (at, found_len(&chunk[pos..])).into(),
        label,
        help,
    }
}

/// The habits of other languages, each with a one-line "did you mean":
/// `&&`, `||`, `!`, `=`, `===`, `<>`, `where` inside a quantifier, a
/// trailing comma, a placeholder's unescaped quotes.
fn habit(chunk: &str, pos: usize, base: usize) -> Option<ParseError> {
    let (before, text) = chunk.split_at(pos);
    let syntax = |start: usize, len: usize, message: &str, label: &str, help: String| ParseError::Syntax {
        message: message.to_string(),
        span: (base + start, len).into(),
        label: label.to_string(),
        help: Some(help),
    };
    let prev = before.trim_end();
    for (op, word) in [("&&", "and"), ("||", "or")] {
        if text.starts_with(op) {
            let help = format!("did you mean `{word}`? Logic is written in words: `and`, `or`, `not`");
            return Some(syntax(pos, 2, &format!("unexpected `{op}`"), "not an operator here", help));
        }
    }
    if text.starts_with('!') && !text.starts_with("!=") {
        let help = "did you mean `not`? Logic is written in words: `and`, `or`, `not`".to_string();
        return Some(syntax(pos, 1, "unexpected `!`", "not an operator here", help));
    }
    if text.starts_with('>') && before.ends_with('<') {
        let help = "did you mean `!=`?".to_string();
        return Some(syntax(pos - 1, 2, "unexpected `<>`", "not an operator here", help));
    }
    if text.starts_with('=') && !text.starts_with("==") {
        let (start, len, op) = if prev.ends_with("==") { (pos - 2, 3, "===") } else { (pos, 1, "=") };
        if op == "===" || !prev.ends_with(['!', '<', '>', '=']) {
            let help = "did you mean `==`? Rules compare, they do not assign".to_string();
            return Some(syntax(start, len, &format!("unexpected `{op}`"), "not an operator here", help));
        }
    }
    let word: String = text.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    if word == "where" {
        // The clause so far: from the last line that starts a field.
        let clause = before
            .rsplit('\n')
            .find(|l| {
                let l = l.trim_start();
                ["require ", "deny ", "where "].iter().any(|k| l.starts_with(k))
            })
            .unwrap_or("");
        let quantified = clause.split_whitespace().collect::<Vec<_>>().windows(3).any(|w| {
            matches!(w[0], "any" | "all" | "require" | "deny") && w[2] == "in" || matches!(w[0], "any" | "all")
        });
        if quantified && (clause.contains("any ") || clause.contains("all ")) {
            let help = "a quantifier's condition follows a colon: `any s in scopes: s == \"x\"`; `where` starts a clause of its own".to_string();
            return Some(syntax(pos, 5, "unexpected `where` inside a quantifier", "not a clause here", help));
        }
    }
    if prev.ends_with(',') {
        let comma = prev.len() - 1;
        let help = "remove the comma after the last item".to_string();
        return Some(syntax(comma, 1, "a trailing comma", "nothing follows this comma", help));
    }
    // `message "{tags["env"]}"`: the quote ends the string.
    if !word.is_empty() && before.ends_with("[\"") {
        let line = before.rsplit('\n').next().unwrap_or("");
        if line.rfind('{').is_some_and(|open| !line[open..].contains('}')) {
            let help = format!("inside a string, a placeholder's quotes are escaped: `[\\\"{word}\\\"]`");
            return Some(syntax(
                pos - 1,
                1,
                "a double quote inside `{…}` ends the string",
                "the string ends here",
                help,
            ));
        }
    }
    None
}

/// The grammar's punctuation, in the order a message lists it.
const PUNCTUATION: &[&str] =
    &["{", "}", "(", ")", "[", "]", ",", ":", ".", "==", "!=", "<=", ">=", "<", ">", "+", "-", "/", "\"", "_"];

/// Which punctuation (`{`, `:`, `==`...) the grammar takes at `pos`: each
/// is tried there, and is taken if the parse then gets past it. (pest can
/// list them itself, but only behind a switch that holds for the whole
/// process.)
fn expected_literals(chunk: &str, pos: usize) -> Vec<String> {
    PUNCTUATION.iter().filter(|t| takes(&chunk[..pos], t)).map(|t| t.to_string()).collect()
}

/// Whether the grammar reads `text` right after `prefix`.
fn takes(prefix: &str, text: &str) -> bool {
    let probe = format!("{prefix}{text}");
    match NhiParser::parse(Rule::pack_file, &probe) {
        Ok(_) => true,
        Err(e) => error_position(&e) >= probe.len(),
    }
}

/// The furthest end of a word after `from` up to which the text parses
/// as far as it goes (a word or punctuation could follow: nothing is wrong
/// yet), then past the blanks after it: where a missing literal belongs.
fn furthest_viable(chunk: &str, from: usize) -> usize {
    let ends = chunk[from..]
        .char_indices()
        .filter(|&(i, c)| c.is_whitespace() && i > 0 && !chunk[from..][..i].ends_with(char::is_whitespace))
        .map(|(i, _)| from + i)
        .take(64);
    let viable = ends
        .filter(|&end| {
            let prefix = &chunk[..end];
            takes(prefix, "") || PUNCTUATION.iter().any(|t| takes(prefix, &format!(" {t}")))
        })
        .max()
        .unwrap_or(from);
    viable + chunk[viable..].len() - chunk[viable..].trim_start().len()
}

fn error_position(err: &pest::error::Error<Rule>) -> usize {
    match err.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    }
}

pub(super) fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "and"
            | "or"
            | "not"
            | "in"
            | "matches"
            | "glob"
            | "exists"
            | "missing"
            | "any"
            | "all"
            | "true"
            | "false"
            | "now"
            | "where"
            | "require"
            | "deny"
            | "message"
            | "fix"
            | "docs"
            | "severity"
            | "maps"
            | "on"
    )
}

fn rule_words(which: Rule) -> Option<&'static str> {
    Some(match which {
        Rule::string | Rule::string_inner => "a string",
        Rule::regex | Rule::regex_body => "a regex `/…/`",
        Rule::regex_flags => "regex flags",
        Rule::name | Rule::binding => "a name",
        Rule::item_id => "an id",
        Rule::number | Rule::line_number => "a number",
        Rule::date => "a date",
        Rule::duration => "a duration",
        Rule::expr
        | Rule::disjunction
        | Rule::conjunction
        | Rule::negation
        | Rule::comparison
        | Rule::sum
        | Rule::postfix
        | Rule::call
        | Rule::list
        | Rule::map
        | Rule::boolean
        | Rule::now
        | Rule::quantified
        | Rule::count => "an expression",
        Rule::cmp_op | Rule::compare => "an operator",
        Rule::add_op => "an operator",
        Rule::kw_and | Rule::kw_or => "`and` or `or`",
        Rule::kw_in => "`in`",
        Rule::kw_at => "`at`",
        Rule::kw_matches => "`matches`",
        Rule::kw_exists | Rule::kw_missing => "`exists` or `missing`",
        Rule::kw_severity
        | Rule::kw_maps
        | Rule::kw_param
        | Rule::kw_on
        | Rule::kw_where
        | Rule::kw_require
        | Rule::kw_deny
        | Rule::kw_message
        | Rule::kw_fix
        | Rule::kw_docs => "a rule field",
        Rule::kw_provider
        | Rule::kw_keywords
        | Rule::kw_pattern
        | Rule::kw_entropy
        | Rule::kw_checksum
        | Rule::kw_pair
        | Rule::kw_allow
        | Rule::kw_example
        | Rule::kw_negative
        | Rule::kw_assigned
        | Rule::kw_context => "a detector field",
        Rule::kw_fixture | Rule::kw_base | Rule::kw_facts | Rule::kw_expect => "a test field",
        Rule::kw_version | Rule::kw_description => "a pack field",
        Rule::kw_pack | Rule::kw_let | Rule::kw_rule | Rule::kw_detector | Rule::kw_test => {
            "a `pack`, `let`, `rule`, `detector` or `test` block"
        }
        Rule::kw_any | Rule::kw_all => "`any` or `all`",
        Rule::kw_not => "`not`",
        Rule::kw_no => "`no`",
        Rule::EOI => "the end of the file",
        _ => return None,
    })
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// A short description of what stands at the error: a word, a symbol or the end.
fn describe_found(rest: &str) -> String {
    let Some(c) = rest.chars().next() else {
        return "end of file".to_string();
    };
    if c.is_ascii_alphanumeric() || c == '_' {
        let w: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').take(40).collect();
        format!("`{w}`")
    } else if c == '"' {
        "string".to_string()
    } else if c.is_whitespace() {
        "whitespace".to_string()
    } else {
        format!("`{c}`")
    }
}

fn found_len(rest: &str) -> usize {
    let Some(c) = rest.chars().next() else {
        return 0;
    };
    if c.is_ascii_alphanumeric() || c == '_' {
        rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').count()
    } else {
        c.len_utf8()
    }
}

/// Builds AST nodes from pest pairs; `base` shifts spans when an item was
/// parsed apart from its file.
struct Builder {
    base: usize,
    errors: Vec<ParseError>,
}

/// The next inner pair. INVARIANT: the grammar guarantees it exists for every
/// call below; a missing pair would be a grammar/builder mismatch, which the
/// tests cover, so it degrades to an empty node instead of panicking.
fn next<'i>(it: &mut pest::iterators::Pairs<'i, Rule>) -> Option<Pair<'i, Rule>> {
    it.next()
}

impl Builder {
    fn span(&self, p: &Pair<'_, Rule>) -> Span {
        let s = p.as_span();
        Span::new(self.base + s.start(), self.base + s.end())
    }

    fn pack_file(&mut self, pair: Pair<'_, Rule>) -> PackFile {
        let mut items = Vec::new();
        for p in pair.into_inner() {
            let span = self.span(&p);
            match p.as_rule() {
                Rule::pack => items.push(Item::Pack(self.pack(p, span))),
                Rule::constant => {
                    let (name, value) = self.binding(p);
                    items.push(Item::Let(LetDecl { name, value, span }));
                }
                Rule::rule => items.push(Item::Rule(self.rule(p, span))),
                Rule::detector => items.push(Item::Detector(self.detector(p, span))),
                Rule::test => items.push(Item::Test(self.test(p, span))),
                _ => {}
            }
        }
        PackFile { items }
    }

    /// Skip the leading keyword token of a block or field.
    fn fields<'i>(&self, pair: Pair<'i, Rule>) -> pest::iterators::Pairs<'i, Rule> {
        let mut inner = pair.into_inner();
        inner.next();
        inner
    }

    fn pack(&mut self, pair: Pair<'_, Rule>, span: Span) -> PackDecl {
        let mut inner = self.fields(pair);
        let name = next(&mut inner).map(|p| self.string(p)).unwrap_or_else(empty_str);
        let mut fields = Vec::new();
        for f in inner {
            let which = f.as_rule();
            let fspan = self.span(&f);
            let value = self.fields(f).next().map(|p| self.string(p)).unwrap_or_else(empty_str);
            let field = match which {
                Rule::pack_version => PackField::Version(value),
                _ => PackField::Description(value),
            };
            fields.push(Spanned::new(field, fspan));
        }
        PackDecl { name, fields, span }
    }

    /// `NAME = EXPR` of a `let` or a `param`.
    fn binding(&mut self, pair: Pair<'_, Rule>) -> (Spanned<String>, Expr) {
        let span = self.span(&pair);
        let mut inner = self.fields(pair);
        let name = next(&mut inner).map(|p| self.ident(&p)).unwrap_or_else(|| Spanned::new(String::new(), span));
        let value = next(&mut inner).map(|p| self.expr(p)).unwrap_or(Expr { kind: ExprKind::Bool(false), span });
        (name, value)
    }

    fn header(&mut self, inner: &mut pest::iterators::Pairs<'_, Rule>) -> (Spanned<String>, StrLit) {
        let id = next(inner).map(|p| self.ident(&p)).unwrap_or_else(|| Spanned::new(String::new(), Span::default()));
        let title = next(inner).map(|p| self.string(p)).unwrap_or_else(empty_str);
        (id, title)
    }

    fn rule(&mut self, pair: Pair<'_, Rule>, span: Span) -> RuleDecl {
        let mut inner = self.fields(pair);
        let (id, title) = self.header(&mut inner);
        let mut fields = Vec::new();
        for f in inner {
            let which = f.as_rule();
            let fspan = self.span(&f);
            if which == Rule::param {
                let (name, value) = self.binding(f);
                fields.push(Spanned::new(RuleField::Param(name, value), fspan));
                continue;
            }
            let mut v = self.fields(f);
            let Some(value) = next(&mut v) else {
                // `maps []`: an empty list.
                if which == Rule::maps {
                    fields.push(Spanned::new(RuleField::Maps(vec![]), fspan));
                }
                continue;
            };
            let field = match which {
                Rule::severity => RuleField::Severity(self.severity(value)),
                Rule::maps => {
                    let mut items = vec![self.string(value)];
                    items.extend(v.map(|p| self.string(p)));
                    RuleField::Maps(items)
                }
                Rule::on => RuleField::On(self.ident(&value)),
                Rule::where_clause => RuleField::Where(self.expr(value)),
                Rule::require => RuleField::Require(self.expr(value)),
                Rule::deny => RuleField::Deny(self.expr(value)),
                Rule::message => RuleField::Message(self.string(value)),
                Rule::fix => RuleField::Fix(self.string(value)),
                _ => RuleField::Docs(self.string(value)),
            };
            fields.push(Spanned::new(field, fspan));
        }
        RuleDecl { id, title, fields, span }
    }

    fn severity(&mut self, value: Pair<'_, Rule>) -> Spanned<String> {
        if value.as_rule() == Rule::string {
            let s = self.string(value);
            Spanned::new(s.value, s.span)
        } else {
            self.ident(&value)
        }
    }

    fn detector(&mut self, pair: Pair<'_, Rule>, span: Span) -> DetectorDecl {
        let mut inner = self.fields(pair);
        let (id, title) = self.header(&mut inner);
        let mut fields = Vec::new();
        for f in inner {
            let which = f.as_rule();
            let fspan = self.span(&f);
            let mut v = self.fields(f);
            if which == Rule::part {
                fields.push(Spanned::new(DetectorField::Part, fspan));
                continue;
            }
            let Some(value) = next(&mut v) else {
                // `keywords []`: an empty list.
                if which == Rule::keywords {
                    fields.push(Spanned::new(DetectorField::Keywords(vec![]), fspan));
                }
                continue;
            };
            let field = match which {
                Rule::severity => DetectorField::Severity(self.severity(value)),
                Rule::provider => DetectorField::Provider(self.string(value)),
                Rule::keywords => {
                    let mut items = vec![self.string(value)];
                    items.extend(v.map(|p| self.string(p)));
                    DetectorField::Keywords(items)
                }
                Rule::pattern => DetectorField::Pattern(self.regex(value)),
                Rule::assigned => DetectorField::Assigned(self.regex(value)),
                Rule::context => {
                    let mut items = vec![self.string(value)];
                    items.extend(v.map(|p| self.string(p)));
                    DetectorField::Context(items)
                }
                Rule::entropy => DetectorField::Entropy(self.ident(&value)),
                Rule::checksum => DetectorField::Checksum(self.ident(&value)),
                Rule::pair => DetectorField::Pair(self.ident(&value)),
                Rule::allow => DetectorField::Allow(self.regex(value)),
                Rule::example => DetectorField::Example(self.string(value)),
                Rule::negative => DetectorField::Negative(self.string(value)),
                _ => DetectorField::Docs(self.string(value)),
            };
            fields.push(Spanned::new(field, fspan));
        }
        DetectorDecl { id, title, fields, span }
    }

    fn test(&mut self, pair: Pair<'_, Rule>, span: Span) -> TestDecl {
        let mut inner = self.fields(pair);
        let name = next(&mut inner).map(|p| self.string(p)).unwrap_or_else(empty_str);
        let mut fields = Vec::new();
        for f in inner {
            let which = f.as_rule();
            let fspan = self.span(&f);
            let mut v = self.fields(f);
            let Some(value) = next(&mut v) else { continue };
            let field = match which {
                Rule::fixture => TestField::Fixture(self.string(value)),
                Rule::test_base => TestField::Base(self.string(value)),
                Rule::facts => TestField::Facts(self.string(value)),
                Rule::test_now => TestField::Now(self.ident(&value)),
                _ => TestField::Expect(self.expectation(value)),
            };
            fields.push(Spanned::new(field, fspan));
        }
        TestDecl { name, fields, span }
    }

    fn expectation(&mut self, pair: Pair<'_, Rule>) -> Expectation {
        let kind = pair.as_rule();
        let mut inner = pair.into_inner();
        if kind == Rule::expect_none {
            inner.next(); // `no`
            let rule = next(&mut inner)
                .map(|p| self.ident(&p))
                .unwrap_or_else(|| Spanned::new(String::new(), Span::default()));
            return Expectation::None { rule };
        }
        let rule =
            next(&mut inner).map(|p| self.ident(&p)).unwrap_or_else(|| Spanned::new(String::new(), Span::default()));
        let mut file = None;
        let mut lines = Vec::new();
        for p in inner {
            match p.as_rule() {
                Rule::string => file = Some(self.string(p)),
                Rule::line_number => {
                    let span = self.span(&p);
                    match p.as_str().parse::<u32>() {
                        Ok(n) if n > 0 => lines.push(Spanned::new(n, span)),
                        _ => self
                            .errors
                            .push(ParseError::BadLineNumber { text: p.as_str().to_string(), span: span.into() }),
                    }
                }
                _ => {}
            }
        }
        Expectation::At { rule, file, lines }
    }

    fn ident(&self, p: &Pair<'_, Rule>) -> Spanned<String> {
        Spanned::new(p.as_str().to_string(), self.span(p))
    }

    fn string(&mut self, p: Pair<'_, Rule>) -> StrLit {
        let span = self.span(&p);
        let raw = p.as_str();
        let raw = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("").to_string();
        let value = self.unescape(&raw, span.start + 1);
        StrLit { value, raw, span }
    }

    /// Resolve escapes; `at` is the byte offset of `raw` in the file.
    fn unescape(&mut self, raw: &str, at: usize) -> String {
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some((_, e)) = chars.next() else { break };
            match e {
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                '/' => out.push('/'),
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'u' => {
                    let rest = &raw[i + 2..];
                    let decoded = rest.strip_prefix('{').and_then(|r| r.split_once('}')).and_then(|(hex, _)| {
                        u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).map(|c| (c, hex.len() + 2))
                    });
                    match decoded {
                        Some((c, len)) => {
                            out.push(c);
                            for _ in 0..len {
                                chars.next();
                            }
                        }
                        None => self
                            .errors
                            .push(ParseError::BadEscape { escape: "u".to_string(), span: (at + i, 2).into() }),
                    }
                }
                other => self.errors.push(ParseError::BadEscape {
                    escape: other.to_string(),
                    span: (at + i, 1 + other.len_utf8()).into(),
                }),
            }
        }
        out
    }

    fn regex(&self, p: Pair<'_, Rule>) -> RegexLit {
        let mut inner = p.into_inner();
        let (body, span) = match inner.next() {
            Some(b) => (b.as_str().to_string(), self.span(&b)),
            None => (String::new(), Span::default()),
        };
        let flags = inner.next().map(|f| f.as_str().to_string()).unwrap_or_default();
        RegexLit { body, flags, span }
    }

    // ------------------------------------------------------------ expressions

    fn expr(&mut self, p: Pair<'_, Rule>) -> Expr {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::expr => {
                let mut inner = p.into_inner();
                match inner.next() {
                    Some(first) => self.expr(first),
                    None => Expr { kind: ExprKind::Bool(false), span },
                }
            }
            Rule::quantified | Rule::count => {
                let counts = p.as_rule() == Rule::count;
                let mut inner = p.into_inner();
                let quantifier = match inner.next().map(|q| (q.as_rule(), q.into_inner().next().map(|k| k.as_rule()))) {
                    _ if counts => Quantifier::Count,
                    Some((_, Some(Rule::kw_all))) => Quantifier::All,
                    _ => Quantifier::Any,
                };
                let var = inner
                    .next()
                    .and_then(|b| b.into_inner().next())
                    .map(|n| self.ident(&n))
                    .unwrap_or_else(|| Spanned::new(String::new(), span));
                inner.next(); // `in`
                let list = inner.next().map(|l| self.expr(l));
                let body = inner.next().map(|b| self.expr(b));
                let (Some(list), Some(body)) = (list, body) else {
                    return Expr { kind: ExprKind::Bool(false), span };
                };
                Expr {
                    kind: ExprKind::Quantified { quantifier, var, list: Box::new(list), body: Box::new(body) },
                    span,
                }
            }
            Rule::disjunction | Rule::conjunction => {
                let op = if p.as_rule() == Rule::disjunction { BoolOp::Or } else { BoolOp::And };
                let mut operands = p.into_inner().filter(|q| !matches!(q.as_rule(), Rule::kw_or | Rule::kw_and));
                let Some(first) = operands.next() else {
                    return Expr { kind: ExprKind::Bool(false), span };
                };
                let mut acc = self.expr(first);
                for q in operands {
                    let rhs = self.expr(q);
                    let span = acc.span.join(rhs.span);
                    acc = Expr { kind: ExprKind::Logic(op, Box::new(acc), Box::new(rhs)), span };
                }
                acc
            }
            Rule::negation => {
                let mut inner = p.into_inner();
                let Some(first) = inner.next() else {
                    return Expr { kind: ExprKind::Bool(false), span };
                };
                if first.as_rule() == Rule::not_op {
                    let operand =
                        inner.next().map(|q| self.expr(q)).unwrap_or(Expr { kind: ExprKind::Bool(false), span });
                    Expr { kind: ExprKind::Not(Box::new(operand)), span }
                } else {
                    self.expr(first)
                }
            }
            Rule::comparison => self.comparison(p, span),
            Rule::sum => {
                let mut inner = p.into_inner();
                let Some(first) = inner.next() else {
                    return Expr { kind: ExprKind::Bool(false), span };
                };
                let mut acc = self.expr(first);
                while let (Some(op), Some(rhs)) = (inner.next(), inner.next()) {
                    let op = if op.as_str() == "+" { ArithOp::Add } else { ArithOp::Sub };
                    let rhs = self.expr(rhs);
                    let span = acc.span.join(rhs.span);
                    acc = Expr { kind: ExprKind::Arith(op, Box::new(acc), Box::new(rhs)), span };
                }
                acc
            }
            Rule::postfix => {
                let mut inner = p.into_inner();
                let Some(first) = inner.next() else {
                    return Expr { kind: ExprKind::Bool(false), span };
                };
                let mut acc = self.expr(first);
                for access in inner {
                    let aspan = self.span(&access);
                    let span = acc.span.join(aspan);
                    let which = access.as_rule();
                    let Some(arg) = access.into_inner().next() else {
                        continue;
                    };
                    acc = if which == Rule::field_access {
                        Expr { kind: ExprKind::Field(Box::new(acc), self.ident(&arg)), span }
                    } else {
                        let index = self.expr(arg);
                        Expr { kind: ExprKind::Index(Box::new(acc), Box::new(index)), span }
                    };
                }
                acc
            }
            Rule::call => {
                let mut inner = p.into_inner();
                let name = inner.next().map(|n| self.ident(&n)).unwrap_or_else(|| Spanned::new(String::new(), span));
                let args = inner.map(|a| self.expr(a)).collect();
                Expr { kind: ExprKind::Call(name, args), span }
            }
            Rule::list => {
                let items = p.into_inner().map(|a| self.expr(a)).collect();
                Expr { kind: ExprKind::List(items), span }
            }
            Rule::map => {
                let mut entries = Vec::new();
                for entry in p.into_inner() {
                    let mut kv = entry.into_inner();
                    if let (Some(k), Some(v)) = (kv.next(), kv.next()) {
                        let key = self.string(k);
                        entries.push((key, self.expr(v)));
                    }
                }
                Expr { kind: ExprKind::Map(entries), span }
            }
            Rule::name => Expr { kind: ExprKind::Name(p.as_str().to_string()), span },
            Rule::string => Expr { kind: ExprKind::Str(self.string(p)), span },
            Rule::number => Expr { kind: ExprKind::Number(p.as_str().to_string()), span },
            Rule::duration => Expr { kind: ExprKind::Duration(p.as_str().to_string()), span },
            Rule::date => Expr { kind: ExprKind::Date(p.as_str().to_string()), span },
            Rule::boolean => {
                let value = p.into_inner().next().is_some_and(|k| k.as_rule() == Rule::kw_true);
                Expr { kind: ExprKind::Bool(value), span }
            }
            Rule::now => Expr { kind: ExprKind::Now, span },
            _ => Expr { kind: ExprKind::Bool(false), span },
        }
    }

    fn comparison(&mut self, p: Pair<'_, Rule>, span: Span) -> Expr {
        let mut inner = p.into_inner();
        let Some(lhs) = inner.next() else {
            return Expr { kind: ExprKind::Bool(false), span };
        };
        let lhs = self.expr(lhs);
        let Some(tail) = inner.next() else { return lhs };
        let which = tail.as_rule();
        let mut parts = tail.into_inner().filter(|q| {
            !matches!(
                q.as_rule(),
                Rule::kw_not | Rule::kw_in | Rule::kw_matches | Rule::kw_glob | Rule::kw_exists | Rule::kw_missing
            )
        });
        let lhs = Box::new(lhs);
        let kind = match which {
            Rule::compare => {
                let op = match parts.next().map(|o| o.as_str()) {
                    Some("==") => CmpOp::Eq,
                    Some("!=") => CmpOp::Ne,
                    Some("<=") => CmpOp::Le,
                    Some(">=") => CmpOp::Ge,
                    Some("<") => CmpOp::Lt,
                    _ => CmpOp::Gt,
                };
                let Some(rhs) = parts.next() else { return *lhs };
                ExprKind::Compare(op, lhs, Box::new(self.expr(rhs)))
            }
            Rule::not_in | Rule::in_list => {
                let Some(rhs) = parts.next() else { return *lhs };
                ExprKind::In { negated: which == Rule::not_in, item: lhs, collection: Box::new(self.expr(rhs)) }
            }
            Rule::glob_match => {
                let Some(pat) = parts.next() else { return *lhs };
                ExprKind::Glob(lhs, self.string(pat))
            }
            Rule::regex_match => {
                let Some(pat) = parts.next() else { return *lhs };
                ExprKind::Regex(lhs, self.regex(pat))
            }
            Rule::exists => ExprKind::Exists(lhs),
            _ => ExprKind::Missing(lhs),
        };
        Expr { kind, span }
    }
}

fn empty_str() -> StrLit {
    StrLit { value: String::new(), raw: String::new(), span: Span::default() }
}
