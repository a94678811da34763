//! The formatter against the parser: for any syntax tree, formatting it and
//! parsing the result gives the same tree (spans aside).

use nhigate::lang::ast::*;
use proptest::prelude::*;

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "matches", "glob", "exists", "missing", "any", "all", "true", "false", "now", "where",
    "require", "deny", "message", "fix", "docs", "severity", "maps", "on",
];

fn sp() -> Span {
    Span::default()
}

fn name() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,6}".prop_filter("not a keyword", |n| !KEYWORDS.contains(&n.as_str()))
}

fn spanned_name() -> impl Strategy<Value = Spanned<String>> {
    name().prop_map(|n| Spanned::new(n, sp()))
}

fn id() -> impl Strategy<Value = Spanned<String>> {
    "[A-Z][A-Z0-9-]{0,8}".prop_map(|n| Spanned::new(n, sp()))
}

fn strlit() -> impl Strategy<Value = StrLit> {
    "[a-zA-Z0-9 _\"\\\\{}#/é\n\t\u{1}-]{0,12}".prop_map(|v| StrLit { value: v, raw: String::new(), span: sp() })
}

fn regexlit() -> impl Strategy<Value = RegexLit> {
    ("[a-zA-Z0-9^$.*+?|()\\[\\]#{} ]{1,10}", "(i|m|s|x|im|){1}").prop_map(|(body, flags)| RegexLit {
        body,
        flags,
        span: sp(),
    })
}

fn e(kind: ExprKind) -> Expr {
    Expr { kind, span: sp() }
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        name().prop_map(|n| e(ExprKind::Name(n))),
        strlit().prop_map(|s| e(ExprKind::Str(s))),
        "[0-9]{1,4}(\\.[0-9]{1,2})?".prop_map(|n| e(ExprKind::Number(n))),
        any::<bool>().prop_map(|b| e(ExprKind::Bool(b))),
        "[0-9]{1,3}[dhmsw]([0-9]{1,2}h)?".prop_map(|d| e(ExprKind::Duration(d))),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}".prop_map(|d| e(ExprKind::Date(d))),
        Just(e(ExprKind::Now)),
    ]
}

fn b(x: Expr) -> Box<Expr> {
    Box::new(x)
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 40, 4, |inner| {
        let cmp = prop_oneof![
            Just(CmpOp::Eq),
            Just(CmpOp::Ne),
            Just(CmpOp::Lt),
            Just(CmpOp::Le),
            Just(CmpOp::Gt),
            Just(CmpOp::Ge)
        ];
        prop_oneof![
            (inner.clone(), spanned_name()).prop_map(|(x, f)| e(ExprKind::Field(b(x), f))),
            (inner.clone(), inner.clone()).prop_map(|(x, i)| e(ExprKind::Index(b(x), b(i)))),
            (spanned_name(), prop::collection::vec(inner.clone(), 0..3)).prop_map(|(n, a)| e(ExprKind::Call(n, a))),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| e(ExprKind::List(v))),
            prop::collection::vec((strlit(), inner.clone()), 0..3).prop_map(|v| e(ExprKind::Map(v))),
            (any::<bool>(), inner.clone(), inner.clone()).prop_map(|(add, l, r)| e(ExprKind::Arith(
                if add { ArithOp::Add } else { ArithOp::Sub },
                b(l),
                b(r)
            ))),
            (cmp, inner.clone(), inner.clone()).prop_map(|(op, l, r)| e(ExprKind::Compare(op, b(l), b(r)))),
            (any::<bool>(), inner.clone(), inner.clone()).prop_map(|(negated, l, r)| e(ExprKind::In {
                negated,
                item: b(l),
                collection: b(r)
            })),
            (inner.clone(), strlit()).prop_map(|(l, g)| e(ExprKind::Glob(b(l), g))),
            (inner.clone(), regexlit()).prop_map(|(l, r)| e(ExprKind::Regex(b(l), r))),
            inner.clone().prop_map(|x| e(ExprKind::Exists(b(x)))),
            inner.clone().prop_map(|x| e(ExprKind::Missing(b(x)))),
            inner.clone().prop_map(|x| e(ExprKind::Not(b(x)))),
            (any::<bool>(), inner.clone(), inner.clone()).prop_map(|(and, l, r)| e(ExprKind::Logic(
                if and { BoolOp::And } else { BoolOp::Or },
                b(l),
                b(r)
            ))),
            (any::<bool>(), spanned_name(), inner.clone(), inner).prop_map(|(any, var, list, body)| e(
                ExprKind::Quantified {
                    quantifier: if any { Quantifier::Any } else { Quantifier::All },
                    var,
                    list: b(list),
                    body: b(body)
                }
            )),
        ]
    })
}

fn s<T>(node: T) -> Spanned<T> {
    Spanned::new(node, sp())
}

fn rule_field() -> impl Strategy<Value = Spanned<RuleField>> {
    prop_oneof![
        spanned_name().prop_map(|n| s(RuleField::Severity(n))),
        prop::collection::vec(strlit(), 0..3).prop_map(|v| s(RuleField::Maps(v))),
        spanned_name().prop_map(|n| s(RuleField::On(n))),
        expr().prop_map(|x| s(RuleField::Where(x))),
        expr().prop_map(|x| s(RuleField::Require(x))),
        expr().prop_map(|x| s(RuleField::Deny(x))),
        strlit().prop_map(|x| s(RuleField::Message(x))),
        strlit().prop_map(|x| s(RuleField::Fix(x))),
        strlit().prop_map(|x| s(RuleField::Docs(x))),
    ]
}

fn detector_field() -> impl Strategy<Value = Spanned<DetectorField>> {
    prop_oneof![
        spanned_name().prop_map(|n| s(DetectorField::Severity(n))),
        strlit().prop_map(|x| s(DetectorField::Provider(x))),
        prop::collection::vec(strlit(), 0..3).prop_map(|v| s(DetectorField::Keywords(v))),
        regexlit().prop_map(|r| s(DetectorField::Pattern(r))),
        "[0-9](\\.[0-9])?".prop_map(|n| s(DetectorField::Entropy(Spanned::new(n, sp())))),
        "[a-z][a-z0-9-]{0,8}".prop_map(|n| s(DetectorField::Checksum(Spanned::new(n, sp())))),
        regexlit().prop_map(|r| s(DetectorField::Allow(r))),
        Just(s(DetectorField::Part)),
        strlit().prop_map(|x| s(DetectorField::Example(x))),
        strlit().prop_map(|x| s(DetectorField::Negative(x))),
    ]
}

fn test_field() -> impl Strategy<Value = Spanned<TestField>> {
    prop_oneof![
        strlit().prop_map(|x| s(TestField::Fixture(x))),
        strlit().prop_map(|x| s(TestField::Facts(x))),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}".prop_map(|d| s(TestField::Now(Spanned::new(d, sp())))),
        id().prop_map(|rule| s(TestField::Expect(Expectation::None { rule }))),
        (id(), prop::option::of(strlit()), prop::collection::vec(1u32..5000, 1..4)).prop_map(|(rule, file, lines)| s(
            TestField::Expect(Expectation::At {
                rule,
                file,
                lines: lines.into_iter().map(|l| Spanned::new(l, sp())).collect()
            })
        )),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        (
            strlit(),
            prop::collection::vec(
                prop_oneof![
                    strlit().prop_map(|v| s(PackField::Version(v))),
                    strlit().prop_map(|v| s(PackField::Description(v)))
                ],
                0..3
            )
        )
            .prop_map(|(name, fields)| Item::Pack(PackDecl { name, fields, span: sp() })),
        (id(), strlit(), prop::collection::vec(rule_field(), 0..6))
            .prop_map(|(id, title, fields)| Item::Rule(RuleDecl { id, title, fields, span: sp() })),
        (id(), strlit(), prop::collection::vec(detector_field(), 0..6))
            .prop_map(|(id, title, fields)| Item::Detector(DetectorDecl { id, title, fields, span: sp() })),
        (strlit(), prop::collection::vec(test_field(), 0..5)).prop_map(|(name, fields)| Item::Test(TestDecl {
            name,
            fields,
            span: sp()
        })),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn format_then_parse_gives_the_same_tree(items in prop::collection::vec(item(), 0..4)) {
        let file = PackFile { items };
        let text = nhigate::lang::fmt::format(&file, "");
        let parsed = nhigate::lang::parse(&text);
        prop_assert!(parsed.is_ok(), "does not parse:\n{text}");
        prop_assert_eq!(parsed.unwrap_or_default(), file, "text:\n{}", text);
    }

    #[test]
    fn formatting_is_idempotent(items in prop::collection::vec(item(), 0..3)) {
        let file = PackFile { items };
        let once = nhigate::lang::fmt::format(&file, "");
        let reparsed = nhigate::lang::parse(&once).unwrap_or_default();
        let twice = nhigate::lang::fmt::format(&reparsed, &once);
        prop_assert_eq!(once, twice);
    }
}

#[test]
fn the_built_in_packs_round_trip() {
    for (path, text, _) in nhigate::builtin::BUILTIN_PACKS {
        let file = nhigate::lang::parse(text).unwrap_or_else(|_| panic!("{path} does not parse"));
        let formatted = nhigate::lang::fmt::format(&file, text);
        assert_eq!(nhigate::lang::parse(&formatted).ok(), Some(file), "{path}");
    }
}

/// build.rs parses the built-in packs with the same parser: the tree it
/// stored is the one a parse now gives, spans included (the Debug form
/// shows them; equality ignores them).
#[test]
fn the_stored_trees_of_the_built_in_packs_are_a_fresh_parse() {
    for (path, text, tree) in nhigate::builtin::BUILTIN_PACKS {
        assert!(tree.is_some(), "{path}: build.rs stored no tree");
        let stored = nhigate::lang::embedded::tree(path, text)
            .unwrap_or_else(|| panic!("{path}: the stored tree does not load"));
        let fresh = nhigate::lang::parse(text).unwrap_or_else(|_| panic!("{path} does not parse"));
        assert_eq!(format!("{stored:?}"), format!("{fresh:?}"), "{path}");
    }
    assert!(
        nhigate::lang::embedded::tree("rules/core.nhi", "pack \"other\" {}").is_none(),
        "another text gets no stored tree"
    );
}
