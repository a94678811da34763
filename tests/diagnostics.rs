//! Rule-language diagnostics: one test per kind, each checking the message,
//! the help and the underlined source text, plus a snapshot of the rendering.

use crate::harness::{compile_err, said};

fn rule(body: &str) -> String {
    format!("rule T-001 \"test\" {{\n  severity high\n{body}\n}}\n")
}

fn render(files: &[(&str, &str)]) -> String {
    compile_err(files).render(false)
}

#[test]
fn unknown_field_suggests_the_nearest() {
    let src = rule("  on identity\n  require ownr exists");
    let s = said(&compile_err(&[("p.nhi", &src)]));
    assert_eq!(s[0].message, "unknown field `ownr` on `identity`");
    assert_eq!(s[0].help.as_deref(), Some("did you mean `owner`?"));
    assert_eq!(s[0].underlined, "ownr");
    insta::assert_snapshot!(render(&[("p.nhi", &src)]));
}

#[test]
fn unknown_field_of_a_nested_record() {
    let src = rule("  on credential\n  require identity.onwer exists");
    let s = said(&compile_err(&[("p.nhi", &src)]));
    assert_eq!(s[0].message, "unknown field `onwer` on `identity`");
    assert_eq!(s[0].help.as_deref(), Some("did you mean `owner`?"));
    assert_eq!(s[0].underlined, "onwer");
}

#[test]
fn an_attribute_no_extractor_records() {
    let src = rule("  on credential\n  deny identity.attrs[\"automaunt\"] == \"true\" or attrs[\"x-team\"] == \"a\"");
    let s = said(&compile_err(&[("p.nhi", &src)]));
    assert_eq!(s.len(), 1, "a custom `x-` attribute is allowed");
    assert_eq!(s[0].message, "unknown attribute `automaunt`");
    assert_eq!(s[0].help.as_deref(), Some("did you mean `automount`? (`nhigate rules fields` lists every attribute)"));
    assert_eq!(s[0].underlined, "\"automaunt\"");
    insta::assert_snapshot!(render(&[("p.nhi", &src)]));
}

#[test]
fn unknown_fact_type() {
    let src = rule("  on identiy\n  require owner exists");
    let s = said(&compile_err(&[("p.nhi", &src)]));
    assert_eq!(s[0].message, "unknown fact type `identiy`");
    assert_eq!(s[0].help.as_deref(), Some("did you mean `identity`?"));
    assert_eq!(s[0].underlined, "identiy");
    insta::assert_snapshot!(render(&[("p.nhi", &src)]));
}

#[test]
fn type_mismatch_duration_against_string() {
    let src = rule("  on credential\n  require age <= \"x\"");
    let s = said(&compile_err(&[("p.nhi", &src)]));
    assert_eq!(s[0].message, "type mismatch: cannot compare a duration with a string");
    assert_eq!(s[0].help.as_deref(), Some("write a duration like `90d` or `12h`, without quotes"));
    assert_eq!(s[0].underlined, "\"x\"");
    insta::assert_snapshot!(render(&[("p.nhi", &src)]));
}

#[test]
fn a_condition_must_be_boolean() {
    let src = rule("  on identity\n  require owner");
    let s = said(&compile_err(&[("p.nhi", &src)]));
    assert_eq!(s[0].message, "type mismatch: a condition must be a boolean, this is a string");
    assert_eq!(s[0].underlined, "owner");
}

#[test]
fn invalid_regex_points_into_the_pattern() {
    let src = rule("  on identity\n  require name matches /^svc-(a|b$/");
    let s = said(&compile_err(&[("p.nhi", &src)]));
    assert_eq!(s[0].message, "invalid regex: unclosed group");
    assert_eq!(s[0].underlined, "(");
    insta::assert_snapshot!(render(&[("p.nhi", &src)]));
}

/// A rule's regex is built when a rule first needs it; one too big to
/// build is still refused when the pack is compiled.
#[test]
fn a_rule_regex_too_big_to_build_is_refused() {
    let src = rule("  on identity\n  require name matches /\\w{500}\\w{500}\\w{500}/");
    let s = said(&compile_err(&[("p.nhi", &src)]));
    assert!(s[0].message.contains("size limit"), "{}", s[0].message);
}

#[test]
fn look_around_is_refused_with_a_reason() {
    let src = "detector d \"d\" {\n  severity low\n  keywords \"x\"\n  pattern /x(?=y)/\n}\n";
    let s = said(&compile_err(&[("p.nhi", src)]));
    assert!(s[0].message.starts_with("invalid regex: look-around"), "{}", s[0].message);
    assert!(s[0].help.as_deref().is_some_and(|h| h.contains("linear time")));
}

#[test]
fn duplicate_rule_id_across_packs() {
    let a = rule("  on identity\n  require owner exists");
    let b = format!("pack \"b\" {{ }}\n\n{a}");
    let errors = compile_err(&[("a.nhi", &a), ("b.nhi", &b)]);
    let s = said(&errors);
    assert_eq!(s[0].message, "duplicate id `T-001`");
    assert_eq!(
        s[0].help.as_deref(),
        Some("`T-001` is first defined in `a.nhi` at line 1; ids are unique across all packs")
    );
    assert_eq!(s[0].underlined, "T-001");
    insta::assert_snapshot!(errors.render(false));
}

#[test]
fn unknown_severity() {
    let src = "rule T-002 \"t\" {\n  severity hgih\n  on identity\n  require owner exists\n}\n";
    let s = said(&compile_err(&[("p.nhi", src)]));
    assert_eq!(s[0].message, "unknown severity `hgih`");
    assert_eq!(
        s[0].help.as_deref(),
        Some("severities are `critical`, `high`, `medium`, `low` and `info`; did you mean `high`?")
    );
    assert_eq!(s[0].underlined, "hgih");
    insta::assert_snapshot!(render(&[("p.nhi", src)]));
}

#[test]
fn bad_duration_literal() {
    let src = rule("  on credential\n  require age <= 90x");
    let s = said(&compile_err(&[("p.nhi", &src)]));
    assert_eq!(s[0].message, "bad duration `90x`");
    assert_eq!(s[0].underlined, "90x");
    assert!(s[0].help.as_deref().is_some_and(|h| h.contains("units are w, d, h, m, s")));
    insta::assert_snapshot!(render(&[("p.nhi", &src)]));
}

#[test]
fn bad_date_literal() {
    let src = rule("  on identity\n  require expires < 2026-02-30");
    let s = said(&compile_err(&[("p.nhi", &src)]));
    assert_eq!(s[0].message, "bad date `2026-02-30`");
    assert_eq!(s[0].underlined, "2026-02-30");
    insta::assert_snapshot!(render(&[("p.nhi", &src)]));
}

#[test]
fn unknown_placeholder_in_a_message() {
    let src = rule("  on credential\n  require age <= 90d\n  message \"{kind} of {identity.nmae} is {agee} old\"");
    let s = said(&compile_err(&[("p.nhi", &src)]));
    assert_eq!(s.len(), 2, "both placeholders are reported: {s:?}");
    assert_eq!(s[0].message, "unknown field `nmae` in the message");
    assert_eq!(s[0].help.as_deref(), Some("did you mean `name`?"));
    assert_eq!(s[0].underlined, "nmae");
    assert_eq!(s[1].message, "unknown field `agee` in the message");
    assert_eq!(s[1].underlined, "agee");
    insta::assert_snapshot!(render(&[("p.nhi", &src)]));
}

#[test]
fn unknown_checksum() {
    let src =
        "detector d \"d\" {\n  severity low\n  keywords \"ghp_\"\n  pattern /ghp_[a-z]+/\n  checksum github-crc\n}\n";
    let s = said(&compile_err(&[("p.nhi", src)]));
    assert_eq!(s[0].message, "unknown checksum `github-crc`");
    assert_eq!(s[0].help.as_deref(), Some("did you mean `github-crc32`?"));
    assert_eq!(s[0].underlined, "github-crc");
    insta::assert_snapshot!(render(&[("p.nhi", src)]));
}

#[test]
fn an_example_the_detector_does_not_match() {
    let src = "detector d \"d\" {\n  severity low\n  keywords \"tok_\"\n  pattern /tok_[a-z]{8}/\n  example \"tok_ABC\"\n  negative \"nothing\"\n}\n";
    let s = said(&compile_err(&[("p.nhi", src)]));
    assert_eq!(s[0].message, "example does not match detector `d`");
    assert_eq!(s[0].underlined, "\"tok_ABC\"");
    insta::assert_snapshot!(render(&[("p.nhi", src)]));
}

#[test]
fn an_example_without_a_keyword_says_so() {
    let src = "detector d \"d\" {\n  severity low\n  keywords \"tok_\"\n  pattern /[a-z]{8}/\n  example \"abcdefgh\"\n  negative \"x\"\n}\n";
    let s = said(&compile_err(&[("p.nhi", src)]));
    assert_eq!(s[0].message, "example does not match detector `d`");
    assert_eq!(s[0].help.as_deref(), Some("the keywords are `tok_`"));
}

#[test]
fn a_negative_the_detector_matches() {
    let src = "detector d \"d\" {\n  severity low\n  keywords \"tok_\"\n  pattern /tok_[a-z]{8}/\n  example \"tok_qhxmpwza\"\n  negative \"tok_kdrvnelu\"\n}\n";
    let s = said(&compile_err(&[("p.nhi", src)]));
    assert_eq!(s[0].message, "negative example matches detector `d`");
    assert_eq!(s[0].underlined, "\"tok_kdrvnelu\"");
    insta::assert_snapshot!(render(&[("p.nhi", src)]));
}

#[test]
fn a_syntax_error_names_what_was_expected() {
    let src = "rule T-003 \"t\" {\n  severity high\n  on identity\n  require owner ==\n}\n";
    let s = said(&compile_err(&[("p.nhi", src)]));
    assert_eq!(s[0].message, "unexpected `}`");
    assert_eq!(s[0].underlined, "}");
    insta::assert_snapshot!(render(&[("p.nhi", src)]));
}

#[test]
fn a_missing_brace_is_reported_where_it_belongs() {
    let src = "rule T-010 \"t\" severity high\n  on identity\n}\n";
    let errors = compile_err(&[("p.nhi", src)]);
    let s = said(&errors);
    assert_eq!((s[0].message.as_str(), s[0].underlined.as_str()), ("unexpected `severity`", "severity"));
    assert!(errors.render(false).contains("expected `{`"), "{}", errors.render(false));
}

#[test]
fn an_unknown_rule_field_is_named_with_a_suggestion() {
    let src = "rule T-004 \"t\" {\n  severty high\n  on identity\n  require owner exists\n}\n";
    let s = said(&compile_err(&[("p.nhi", src)]));
    assert_eq!(s[0].message, "unknown rule field `severty`");
    assert_eq!(s[0].help.as_deref(), Some("did you mean `severity`?"));
    assert_eq!(s[0].underlined, "severty");
    insta::assert_snapshot!(render(&[("p.nhi", src)]));
}

#[test]
fn a_keyword_used_as_a_name_is_explained() {
    let src = rule("  on identity\n  require any in scopes: true");
    let s = said(&compile_err(&[("p.nhi", &src)]));
    assert_eq!(s.len(), 1, "{s:?}");
    assert!(s[0].help.as_deref().is_some_and(|h| h.contains("keyword")), "{s:?}");
}

#[test]
fn every_error_in_a_file_is_reported() {
    let src = "rule A-1 \"a\" {\n  severity hgih\n  on identity\n  require ownr exists\n}\n\n\
               rule A-2 \"b\" {\n  severity high\n  on credential\n  require age <= \"x\"\n}\n\n\
               rule A-3 \"c\" {\n  severity high\n  on identity\n  require owner ==\n}\n\n\
               rule A-4 \"d\" {\n  severity high\n  on grant\n  deny any a in actions: a matches /(/\n}\n";
    let errors = compile_err(&[("many.nhi", src)]);
    let messages: Vec<String> = said(&errors).into_iter().map(|s| s.message).collect();
    // A syntax error in one rule stops nothing: the others are still checked.
    assert_eq!(
        messages,
        vec![
            "unknown severity `hgih`",
            "unknown field `ownr` on `identity`",
            "type mismatch: cannot compare a duration with a string",
            "unexpected `}`",
            "invalid regex: unclosed group",
        ]
    );
    insta::assert_snapshot!(errors.render(false));
}

#[test]
fn syntax_errors_in_several_items_are_all_reported() {
    let src = "rule A-1 \"a\" {\n  severity high\n  on identity\n  require owner ==\n}\n\n\
               rule A-2 \"b\" {\n  severity high\n  on identity\n  require owner exists\n}\n\n\
               rule A-3 \"c\" {\n  severty high\n  on identity\n  require owner exists\n}\n";
    let s = said(&compile_err(&[("p.nhi", src)]));
    let messages: Vec<&str> = s.iter().map(|s| s.message.as_str()).collect();
    assert_eq!(messages, vec!["unexpected `}`", "unknown rule field `severty`"]);
}

#[test]
fn a_rule_needs_on_and_a_condition() {
    let src = "rule T-005 \"t\" {\n  severity high\n  require owner exists\n}\n\nrule T-006 \"t\" {\n  severity high\n  on identity\n}\n";
    let s = said(&compile_err(&[("p.nhi", src)]));
    assert_eq!(s[0].message, "rule `T-005` has no `on`");
    assert_eq!(s[1].message, "rule `T-006` has no `require`");
}

#[test]
fn a_test_naming_an_unknown_rule() {
    let src = format!(
        "{}\ntest \"t\" {{\n  facts \"f.json\"\n  expect T-01 at 3\n}}\n",
        rule("  on identity\n  require owner exists")
    );
    let s = said(&compile_err(&[("p.nhi", &src)]));
    assert_eq!(s[0].message, "unknown rule `T-01`");
    assert_eq!(s[0].help.as_deref(), Some("did you mean `T-001`?"));
}

#[test]
fn a_test_with_a_base_needs_a_fixture() {
    let src = format!(
        "{}\ntest \"t\" {{\n  base \"before\"\n  expect T-001 at 1\n}}\n",
        rule("  on change\n  require long_lived_added == 0")
    );
    let errors = compile_err(&[("p.nhi", &src)]);
    let s = said(&errors);
    assert_eq!(s.len(), 1, "{s:?}");
    assert!(s[0].message.contains("fixture"), "{}", s[0].message);
    assert_eq!(s[0].underlined, "\"t\"");
    insta::assert_snapshot!(errors.render(false));
}

#[test]
fn an_unknown_function() {
    let src = rule("  on identity\n  require lenght(scopes) > 0");
    let s = said(&compile_err(&[("p.nhi", &src)]));
    assert_eq!(s[0].message, "unknown function `lenght`");
    assert_eq!(s[0].help.as_deref(), Some("did you mean `len`?"));
}

#[test]
fn a_bad_escape_in_a_string() {
    let src = rule("  on identity\n  require owner == \"a\\qb\"");
    let s = said(&compile_err(&[("p.nhi", &src)]));
    assert_eq!(s[0].message, "unknown escape `\\q` in a string");
    assert_eq!(s[0].underlined, "\\q");
}

/// The warnings of packs that compile.
fn warnings(src: &str) -> Vec<(String, String)> {
    let sources = [nhigate::lang::PackSource {
        path: "p.nhi".into(),
        text: src.to_string(),
        verify: nhigate::lang::Verify::Full,
    }];
    let compiled = nhigate::lang::compile(&sources).unwrap_or_else(|e| panic!("{}", e.render(false)));
    compiled
        .warnings
        .diagnostics
        .iter()
        .filter(|d| d.error.to_string().contains("`and` inside `or`"))
        .map(|d| {
            use miette::Diagnostic;
            let label = d.labels().and_then(|mut l| l.next()).map(|l| l.offset()..l.offset() + l.len());
            (d.error.to_string(), label.and_then(|r| src.get(r)).unwrap_or("").to_string())
        })
        .collect()
}

#[test]
fn and_inside_or_without_parentheses_is_a_warning() {
    let mixed = rule("  on grant\n  deny any a in actions: a == \"x\" or a == \"y\" and len(resources) > 0");
    assert_eq!(
        warnings(&mixed),
        vec![("`and` inside `or` without parentheses".to_string(), "a == \"y\" and len(resources) > 0".to_string())]
    );
    let grouped = rule("  on grant\n  deny any a in actions: (a == \"x\" or a == \"y\") and len(resources) > 0");
    assert!(warnings(&grouped).is_empty());
    let explicit = rule("  on grant\n  deny any a in actions: a == \"x\" or (a == \"y\" and len(resources) > 0)");
    assert!(warnings(&explicit).is_empty());
}

#[test]
fn a_pair_must_name_another_detector() {
    let detector = |id: &str, pair: &str| {
        format!(
            "detector {id} \"t\" {{\n  severity high\n  keywords \"tok_\"\n  pattern /tok_[a-z0-9]{{8}}/\n  pair {pair}\n  example \"tok_a1b2c3d4\"\n  negative \"tok_\"\n}}\n"
        )
    };
    let src = detector("acme-secret", "acme-key-idd") + &detector("acme-key-id", "acme-secret");
    let s = said(&compile_err(&[("p.nhi", &src)]));
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].message, "`pair acme-key-idd` in detector `acme-secret`");
    assert_eq!(s[0].underlined, "acme-key-idd");
    assert!(s[0].help.as_deref().unwrap_or("").contains("acme-key-id"), "{s:?}");
    let s = said(&compile_err(&[("p.nhi", &detector("acme-secret", "acme-secret"))]));
    assert_eq!(s[0].underlined, "acme-secret");
}

/// The habits of other languages get a one-line "did you mean", at the
/// token, with a snapshot of each rendering.
#[test]
fn habits_of_other_languages_get_a_did_you_mean() {
    let cases = [
        ("and_and", "  on identity\n  require kind == \"a\" && owner exists", "`&&`", "did you mean `and`?"),
        ("or_or", "  on identity\n  require kind == \"a\" || owner exists", "`||`", "did you mean `or`?"),
        ("bang", "  on identity\n  require !(owner exists)", "`!`", "did you mean `not`?"),
        ("assign", "  on identity\n  require kind = \"a\"", "`=`", "did you mean `==`?"),
        ("triple_equals", "  on identity\n  require kind === \"a\"", "`===`", "did you mean `==`?"),
        ("angle_not_equal", "  on identity\n  require kind <> \"a\"", "`<>`", "did you mean `!=`?"),
        ("where_in_quantifier", "  on identity\n  deny any s in scopes where s == \"x\"", "where", "follows a colon"),
        (
            "trailing_comma",
            "  maps \"a\", \"b\",\n  on identity\n  require owner exists",
            "trailing comma",
            "remove the comma",
        ),
        (
            "quotes_in_placeholder",
            "  on identity\n  require owner exists\n  message \"{tags[\"env\"]} has no owner\"",
            "double quote",
            "`[\\\"env\\\"]`",
        ),
    ];
    for (name, body, message, help) in cases {
        let errors = compile_err(&[("p.nhi", &rule(body))]);
        let s = said(&errors);
        assert!(s[0].message.contains(message), "{name}: {}", s[0].message);
        let got = s[0].help.clone().unwrap_or_default();
        assert!(got.contains(help), "{name}: {got}");
        insta::assert_snapshot!(format!("habit_{name}"), errors.render(false));
    }
}

#[test]
fn constants_and_parameters_are_literals_with_names_of_their_own() {
    let field = compile_err(&[("p.nhi", &rule("  param owner = \"a\"\n  on identity\n  require owner exists"))]);
    let s = said(&field);
    assert_eq!(s[0].message, "parameter `owner` cannot have this name");
    assert_eq!(s[0].underlined, "owner");
    let computed =
        compile_err(&[("p.nhi", &rule("  param limit = len(name)\n  on identity\n  require len(scopes) < limit"))]);
    let s = said(&computed);
    assert_eq!(s[0].message, "the value of parameter `limit` is not a literal");
    assert_eq!(s[0].underlined, "len(name)");
    insta::assert_snapshot!(computed.render(false));
    let twice = compile_err(&[(
        "p.nhi",
        &format!("let A = 1\nlet A = 2\n{}", rule("  on identity\n  require len(scopes) < A")),
    )]);
    assert_eq!(said(&twice)[0].message, "constant `A` cannot have this name");
}

#[test]
fn unused_constants_and_parameters_are_warnings() {
    let src = format!("let UNUSED = [\"a\"]\n{}", rule("  param spare = 3\n  on identity\n  require owner exists"));
    let sources = [nhigate::lang::PackSource { path: "p.nhi".into(), text: src, verify: nhigate::lang::Verify::Full }];
    let compiled = nhigate::lang::compile(&sources).unwrap_or_else(|e| panic!("{}", e.render(false)));
    let unused: Vec<String> = compiled
        .warnings
        .diagnostics
        .iter()
        .map(|d| d.error.to_string())
        .filter(|m| m.contains("never used"))
        .collect();
    assert_eq!(unused, ["constant `UNUSED` is never used", "parameter `spare` is never used"]);
}

#[test]
fn functions_check_their_arguments() {
    let s = said(&compile_err(&[("p.nhi", &rule("  on identity\n  require starts_with(name)"))]));
    assert!(s[0].message.contains("takes 2 argument"), "{}", s[0].message);
    let s = said(&compile_err(&[("p.nhi", &rule("  on identity\n  require contains(scopes, 3)"))]));
    assert_eq!(s[0].message, "type mismatch: a number is never in a list of strings");
    assert_eq!(s[0].underlined, "3");
    let s = said(&compile_err(&[("p.nhi", &rule("  on identity\n  require count(scopes) > 1"))]));
    assert_eq!(
        s[0].help.as_deref(),
        Some("`count` ranges over a list with a condition: `count(k in credentials: k.long_lived)`")
    );
}
