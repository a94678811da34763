//! The syntax tree of a pack file, as written: every node keeps the byte span
//! it came from, and equality ignores spans so that tests compare structure.
//!
//! Literals keep their source text (`90d`, `2026-01-31`, `3.5`); the checker
//! gives them meaning and reports the malformed ones. Fields keep the order
//! they were written in, so that the formatter can reproduce it.

use std::fmt;

/// A byte range in one source file.
#[derive(Clone, Copy, Default, Eq, PartialEq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// A span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        (span.start, span.len()).into()
    }
}

/// A value with the span it was written at. Equality ignores the span.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

/// A string literal: its value with escapes resolved, and its raw text
/// between the quotes (messages parse `{field}` placeholders from the raw
/// text so that errors can point into it).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct StrLit {
    pub value: String,
    pub raw: String,
    pub span: Span,
}

impl PartialEq for StrLit {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

/// A regex literal `/body/flags`. The body is the pattern as written; `span`
/// covers the body alone so that regex errors point into it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct RegexLit {
    pub body: String,
    pub flags: String,
    pub span: Span,
}

impl PartialEq for RegexLit {
    fn eq(&self, other: &Self) -> bool {
        self.body == other.body && self.flags == other.flags
    }
}

#[derive(Clone, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct PackFile {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Item {
    Pack(PackDecl),
    Let(LetDecl),
    Rule(RuleDecl),
    Detector(DetectorDecl),
    Test(TestDecl),
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PackDecl {
    pub name: StrLit,
    pub fields: Vec<Spanned<PackField>>,
    pub span: Span,
}

impl PartialEq for PackDecl {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.fields == other.fields
    }
}

/// `let NAME = VALUE`: a constant of the pack file.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct LetDecl {
    pub name: Spanned<String>,
    pub value: Expr,
    pub span: Span,
}

impl PartialEq for LetDecl {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.value == other.value
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum PackField {
    Version(StrLit),
    Description(StrLit),
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct RuleDecl {
    pub id: Spanned<String>,
    pub title: StrLit,
    pub fields: Vec<Spanned<RuleField>>,
    pub span: Span,
}

impl PartialEq for RuleDecl {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.title == other.title && self.fields == other.fields
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum RuleField {
    Severity(Spanned<String>),
    Maps(Vec<StrLit>),
    /// `param NAME = DEFAULT`.
    Param(Spanned<String>, Expr),
    On(Spanned<String>),
    Where(Expr),
    Require(Expr),
    Deny(Expr),
    Message(StrLit),
    Fix(StrLit),
    Docs(StrLit),
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct DetectorDecl {
    pub id: Spanned<String>,
    pub title: StrLit,
    pub fields: Vec<Spanned<DetectorField>>,
    pub span: Span,
}

impl PartialEq for DetectorDecl {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.title == other.title && self.fields == other.fields
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum DetectorField {
    Severity(Spanned<String>),
    Provider(StrLit),
    Keywords(Vec<StrLit>),
    Pattern(RegexLit),
    Assigned(RegexLit),
    Context(Vec<StrLit>),
    /// Source text of the number, e.g. `3.5`.
    Entropy(Spanned<String>),
    Checksum(Spanned<String>),
    /// The id of a detector that finds the credential's other part.
    Pair(Spanned<String>),
    /// The detector finds only the other part of a credential.
    Part,
    Allow(RegexLit),
    Example(StrLit),
    Negative(StrLit),
    Docs(StrLit),
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TestDecl {
    pub name: StrLit,
    pub fields: Vec<Spanned<TestField>>,
    pub span: Span,
}

impl PartialEq for TestDecl {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.fields == other.fields
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum TestField {
    Fixture(StrLit),
    Base(StrLit),
    Facts(StrLit),
    Now(Spanned<String>),
    Expect(Expectation),
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Expectation {
    /// `expect ID [in "file"] at 3, 7`: the rule fires on exactly these lines
    /// of that file.
    At { rule: Spanned<String>, file: Option<StrLit>, lines: Vec<Spanned<u32>> },
    /// `expect no ID`: the rule fires nowhere in the fixture.
    None { rule: Spanned<String> },
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ArithOp {
    Add,
    Sub,
}

impl ArithOp {
    pub fn as_str(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Quantifier {
    Any,
    All,
    /// `count(v in L: C)`: a number, how many items C holds for.
    Count,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BoolOp {
    And,
    Or,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ExprKind {
    /// A bare name: a field of the fact, or a quantifier's variable.
    Name(String),
    Field(Box<Expr>, Spanned<String>),
    Index(Box<Expr>, Box<Expr>),
    Call(Spanned<String>, Vec<Expr>),
    Str(StrLit),
    /// Source text of a number.
    Number(String),
    Bool(bool),
    /// Source text of a duration, e.g. `90d`.
    Duration(String),
    /// Source text of a date, e.g. `2026-01-31`.
    Date(String),
    Now,
    List(Vec<Expr>),
    Map(Vec<(StrLit, Expr)>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    In {
        negated: bool,
        item: Box<Expr>,
        collection: Box<Expr>,
    },
    Glob(Box<Expr>, StrLit),
    Regex(Box<Expr>, RegexLit),
    Exists(Box<Expr>),
    Missing(Box<Expr>),
    Not(Box<Expr>),
    Logic(BoolOp, Box<Expr>, Box<Expr>),
    Quantified {
        quantifier: Quantifier,
        var: Spanned<String>,
        list: Box<Expr>,
        body: Box<Expr>,
    },
}
