//! Diagnostics of the rule language: one error enum per stage (parse, check),
//! each variant with a labelled span and a help line, and the per-file
//! collection that the command line renders.
//!
//! Messages are lowercase, one line, user input in backticks; explanations go
//! in help.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum ParseError {
    #[error("{message}")]
    #[diagnostic(code(nhigate::syntax))]
    Syntax {
        message: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("unknown {block} field `{field}`")]
    #[diagnostic(code(nhigate::unknown_block_field))]
    UnknownBlockField {
        block: &'static str,
        field: String,
        #[label("not a {block} field")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("unknown escape `\\{escape}` in a string")]
    #[diagnostic(
        code(nhigate::bad_escape),
        help("strings accept `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r`, `\\/` and `\\u{{XXXX}}`")
    )]
    BadEscape {
        escape: String,
        #[label("unknown escape")]
        span: SourceSpan,
    },

    #[error("line number `{text}` is out of range")]
    #[diagnostic(code(nhigate::bad_line_number))]
    BadLineNumber {
        text: String,
        #[label("expected a line number from 1 to 4294967295")]
        span: SourceSpan,
    },
}

#[derive(Debug, Error, Diagnostic)]
pub enum CheckError {
    #[error("unknown field `{field}` on {record}")]
    #[diagnostic(code(nhigate::unknown_field))]
    UnknownField {
        field: String,
        record: String,
        #[label("no such field")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("unknown attribute `{key}`")]
    #[diagnostic(code(nhigate::unknown_attribute))]
    UnknownAttribute {
        key: String,
        field: &'static str,
        #[label("no extractor records this in `{field}`")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("unknown fact type `{name}`")]
    #[diagnostic(code(nhigate::unknown_fact_type))]
    UnknownFactType {
        name: String,
        #[label("not a fact type")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("type mismatch: {message}")]
    #[diagnostic(code(nhigate::type_mismatch))]
    TypeMismatch {
        message: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("invalid regex: {reason}")]
    #[diagnostic(code(nhigate::invalid_regex))]
    InvalidRegex {
        reason: String,
        #[label("{reason}")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("duplicate id `{id}`")]
    #[diagnostic(code(nhigate::duplicate_id))]
    DuplicateId {
        id: String,
        #[label("defined again here")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("unknown severity `{name}`")]
    #[diagnostic(
        code(nhigate::unknown_severity),
        help("severities are `critical`, `high`, `medium`, `low` and `info`{suggestion}")
    )]
    UnknownSeverity {
        name: String,
        suggestion: String,
        #[label("not a severity")]
        span: SourceSpan,
    },

    #[error("bad duration `{text}`")]
    #[diagnostic(
        code(nhigate::bad_duration),
        help("a duration is a number and a unit, or several: `90d`, `12h`, `1d12h`; units are w, d, h, m, s")
    )]
    BadDuration {
        text: String,
        #[label("{reason}")]
        span: SourceSpan,
        reason: String,
    },

    #[error("bad date `{text}`")]
    #[diagnostic(code(nhigate::bad_date), help("dates are written YYYY-MM-DD, e.g. `2026-01-31`"))]
    BadDate {
        text: String,
        #[label("{reason}")]
        span: SourceSpan,
        reason: String,
    },

    #[error("unknown field `{field}` in the message")]
    #[diagnostic(code(nhigate::unknown_placeholder))]
    UnknownPlaceholder {
        field: String,
        #[label("not a field of {record}")]
        span: SourceSpan,
        record: String,
        #[help]
        help: String,
    },

    #[error("unclosed `{{` in the message")]
    #[diagnostic(
        code(nhigate::unclosed_placeholder),
        help("write `{{field}}` to show a field, `{{{{` and `}}}}` for literal braces")
    )]
    UnclosedPlaceholder {
        #[label("this `{{` is never closed")]
        span: SourceSpan,
    },

    #[error("unknown checksum `{name}`")]
    #[diagnostic(code(nhigate::unknown_checksum))]
    UnknownChecksum {
        name: String,
        #[label("not a built-in checksum")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("example does not match detector `{detector}`")]
    #[diagnostic(code(nhigate::example_not_matched))]
    ExampleNotMatched {
        detector: String,
        #[label("{reason}")]
        span: SourceSpan,
        reason: String,
        #[help]
        help: Option<String>,
    },

    #[error("negative example matches detector `{detector}`")]
    #[diagnostic(
        code(nhigate::negative_matched),
        help("tighten the pattern, or add an `allow /regex/` for this shape")
    )]
    NegativeMatched {
        detector: String,
        #[label("matched `{redacted}`")]
        span: SourceSpan,
        redacted: String,
    },

    #[error("{block} `{id}` has no `{field}`")]
    #[diagnostic(code(nhigate::missing_field))]
    MissingField {
        block: &'static str,
        id: String,
        field: &'static str,
        #[label("{block} without `{field}`")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{field}` is given twice")]
    #[diagnostic(code(nhigate::duplicate_field), help("keep one `{field}`"))]
    DuplicateField {
        field: &'static str,
        #[label("given again here")]
        span: SourceSpan,
    },

    #[error("unknown function `{name}`")]
    #[diagnostic(code(nhigate::unknown_function))]
    UnknownFunction {
        name: String,
        #[label("not a function")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{name}` takes {expected} argument(s), not {found}")]
    #[diagnostic(code(nhigate::arity))]
    Arity {
        name: String,
        expected: usize,
        found: usize,
        #[label("here")]
        span: SourceSpan,
    },

    #[error("unknown rule `{id}`")]
    #[diagnostic(code(nhigate::unknown_rule))]
    UnknownRule {
        id: String,
        #[label("no rule or detector has this id")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("{message}")]
    #[diagnostic(code(nhigate::invalid))]
    Invalid {
        message: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },
}

/// Problems that do not stop a pack from compiling, but that a built-in pack
/// may not have: `nhigate test` and `rules compile --deny-warnings` treat
/// them as errors.
#[derive(Debug, Error, Diagnostic)]
pub enum CheckWarning {
    #[error("{block} `{id}` has no `severity`; it counts as `medium`")]
    #[diagnostic(
        severity(Warning),
        code(nhigate::no_severity),
        help("add `severity high` (or critical, medium, low, info)")
    )]
    NoSeverity {
        block: &'static str,
        id: String,
        #[label("no severity")]
        span: SourceSpan,
    },

    #[error("{what} `{name}` is never used")]
    #[diagnostic(severity(Warning), code(nhigate::unused), help("use it in a rule, or remove it"))]
    Unused {
        what: &'static str,
        name: String,
        #[label("not used")]
        span: SourceSpan,
    },

    #[error("detector `{id}` has no `keywords`, so its regex runs on every file")]
    #[diagnostic(
        severity(Warning),
        code(nhigate::no_keywords),
        help("add `keywords \"…\"` with a literal that every match contains, such as its prefix")
    )]
    NoKeywords {
        id: String,
        #[label("no keywords")]
        span: SourceSpan,
    },

    #[error("detector `{id}` has no `{field}` line")]
    #[diagnostic(
        severity(Warning),
        code(nhigate::untested_detector),
        help("every detector needs an `example` it matches and a `negative` it does not")
    )]
    UntestedDetector {
        id: String,
        field: &'static str,
        #[label("not tested")]
        span: SourceSpan,
    },

    #[error("`and` inside `or` without parentheses")]
    #[diagnostic(
        severity(Warning),
        code(nhigate::mixed_and_or),
        help(
            "`and` binds tighter than `or`, so this reads `a or (b and c)`; write the parentheses you mean, e.g. `(a or b) and c`"
        )
    )]
    MixedAndOr {
        #[label("this `and` groups first")]
        span: SourceSpan,
    },

    #[error("rule `{id}` has no test in which it {what}")]
    #[diagnostic(
        severity(Warning),
        code(nhigate::untested_rule),
        help("add a `test` block with `expect {id} at LINE` (fires) and one with `expect no {id}` (does not)")
    )]
    UntestedRule {
        id: String,
        what: &'static str,
        #[label("not tested")]
        span: SourceSpan,
    },
}

/// A problem found in one pack file, by either stage.
#[derive(Debug, Error, Diagnostic)]
pub enum LangError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Check(#[from] CheckError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Warning(#[from] CheckWarning),
}

impl LangError {
    pub fn is_warning(&self) -> bool {
        matches!(self, LangError::Warning(_))
    }
}

/// One error with the file it is in, ready to render.
#[derive(Debug)]
pub struct FileDiagnostic {
    pub source: Arc<NamedSource<String>>,
    pub error: LangError,
}

impl fmt::Display for FileDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for FileDiagnostic {}

impl Diagnostic for FileDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.error.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.error.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.error.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.error.labels()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.source.as_ref())
    }
}

/// Every error found while compiling a set of packs, in file order.
#[derive(Debug, Default)]
pub struct CompileErrors {
    pub diagnostics: Vec<FileDiagnostic>,
}

impl CompileErrors {
    pub fn is_empty(&self) -> bool {
        self.diagnostics.is_empty()
    }

    pub fn len(&self) -> usize {
        self.diagnostics.len()
    }

    /// Render every diagnostic the way miette renders a report, with colour
    /// only when `color` is set.
    pub fn render(&self, color: bool) -> String {
        self.render_some(color, usize::MAX)
    }

    /// Render every error, and the first `full` warnings of each kind in
    /// full and the rest of that kind as one line with their count: 2,000
    /// untested rules are one finding for their author, not 2,000 frames.
    pub fn render_some(&self, color: bool, full: usize) -> String {
        use miette::Diagnostic;
        let theme = if color { miette::GraphicalTheme::unicode() } else { miette::GraphicalTheme::unicode_nocolor() };
        let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100);
        let mut out = String::new();
        let mut shown: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
        let mut more: Vec<(String, usize, String)> = Vec::new();
        for d in &self.diagnostics {
            let code = d.code().map(|c| c.to_string()).unwrap_or_default();
            let n = shown.entry(code.clone()).or_default();
            *n += 1;
            if *n <= full || !d.error.is_warning() {
                // NOTE: writing to a String cannot fail.
                let _ = handler.render_report(&mut out, d);
            } else if let Some(m) = more.iter_mut().find(|(c, _, _)| *c == code) {
                m.1 += 1;
            } else {
                more.push((code, 1, d.error.to_string()));
            }
        }
        for (code, n, first) in more {
            out.push_str(&format!(
                "{code}: {n} more like these, the first: {first} (`nhigate test PACK --deny-warnings` lists each on a line)\n"
            ));
        }
        out
    }
}

impl fmt::Display for CompileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.diagnostics.len();
        write!(f, "{n} error{} in the rule packs", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for CompileErrors {}

/// The nearest known name to `name`, for a "did you mean" help line.
pub fn suggest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::damerau_levenshtein(name, k), k))
        .filter(|(d, k)| *d <= (k.len().max(name.len()) / 3).max(1) + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// A help line: "did you mean `x`?" when one is near, else the list.
pub fn did_you_mean(name: &str, known: &[&str], what: &str) -> String {
    match suggest(name, known.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("{what}: {}", known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")),
    }
}
