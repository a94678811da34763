//! The evaluator's semantics, operator by operator, through the language:
//! each case compiles a condition and reads its three-valued truth.

use crate::facts::{Date, FactSet};
use crate::lang::{self, PackSource, Verify};

#[derive(Debug, PartialEq)]
enum Truth {
    True,
    False,
    Unknown,
}

/// The truth of `cond` on the first identity of `facts`: `deny cond` fires
/// only when it is true, `deny not (cond)` only when it is false.
fn truth_on(cond: &str, facts: &str) -> Truth {
    let src = format!(
        "rule T \"t\" {{\n severity low\n on identity\n deny {cond}\n}}\nrule F \"f\" {{\n severity low\n on identity\n deny not ({cond})\n}}\n"
    );
    let compiled = lang::compile(&[PackSource { path: "t.nhi".into(), text: src, verify: Verify::Full }]);
    let program = match compiled {
        Ok(c) => c.program,
        Err(e) => panic!("`{cond}` does not compile:\n{}", e.render(false)),
    };
    let facts: FactSet = serde_json::from_str(facts).unwrap_or_else(|e| panic!("bad facts: {e}"));
    let now = Date::parse("2025-06-30").unwrap_or(Date(0));
    let findings = super::evaluate(&program, &facts, now);
    let t = findings.iter().any(|f| f.rule_id == "T");
    let f = findings.iter().any(|f| f.rule_id == "F");
    match (t, f) {
        (true, false) => Truth::True,
        (false, true) => Truth::False,
        (false, false) => Truth::Unknown,
        (true, true) => panic!("`{cond}` is both true and false"),
    }
}

const AGENT: &str = r#"{"identities": [{
    "kind": "ai_agent", "name": "Router", "owner": "team-a",
    "tags": {"env": "prod", "team": "a"},
    "scopes": ["mcp:jira/read", "mcp:slack/post"],
    "created": "2025-01-01", "expires": "2025-12-31",
    "purpose": {"description": "route tickets", "allowed": ["mcp:jira/read"]}
}]}"#;

const BARE: &str = r#"{"identities": [{"kind": "aws_iam_user", "name": "bot"}]}"#;

fn t(cond: &str) -> Truth {
    truth_on(cond, AGENT)
}

#[test]
fn equality_and_order() {
    assert_eq!(t(r#"kind == "ai_agent""#), Truth::True);
    assert_eq!(t(r#"kind != "ai_agent""#), Truth::False);
    assert_eq!(t(r#"name < "S""#), Truth::True);
    assert_eq!(t("len(scopes) >= 2"), Truth::True);
    assert_eq!(t("len(scopes) > 2"), Truth::False);
    assert_eq!(t("created <= 2025-01-01"), Truth::True);
    assert_eq!(t(r#"scopes == ["mcp:jira/read", "mcp:slack/post"]"#), Truth::True);
}

#[test]
fn dates_and_durations() {
    // now is 2025-06-30 in these tests.
    assert_eq!(t("created < now - 90d"), Truth::True);
    assert_eq!(t("expires <= now + 365d"), Truth::True);
    assert_eq!(t("expires - created == 364d"), Truth::True);
    assert_eq!(t("expires - created > 1w"), Truth::True);
    assert_eq!(t("now - created >= 180d"), Truth::True);
    assert_eq!(t("12h + 12h == 1d"), Truth::True);
}

#[test]
fn membership_in_lists_maps_and_strings() {
    assert_eq!(t(r#""mcp:jira/read" in scopes"#), Truth::True);
    assert_eq!(t(r#""mcp:x" in scopes"#), Truth::False);
    assert_eq!(t(r#""mcp:x" not in scopes"#), Truth::True);
    assert_eq!(t(r#""env" in tags"#), Truth::True);
    assert_eq!(t(r#""out" in name"#), Truth::True);
    assert_eq!(t(r#"tags["env"] == "prod""#), Truth::True);
    assert_eq!(t(r#"scopes[1] == "mcp:slack/post""#), Truth::True);
}

#[test]
fn matching() {
    assert_eq!(t(r#"name matches /^R[a-z]+$/"#), Truth::True);
    assert_eq!(t(r#"name matches /^r/i"#), Truth::True);
    assert_eq!(t(r#"name matches /^x/"#), Truth::False);
    assert_eq!(t(r#"kind matches glob "ai_*""#), Truth::True);
    assert_eq!(t(r#"kind matches glob "aws_*""#), Truth::False);
    assert_eq!(t(r#"any s in scopes: s matches glob "mcp:slack/*""#), Truth::True);
}

#[test]
fn functions() {
    assert_eq!(t(r#"lower(name) == "router""#), Truth::True);
    assert_eq!(t(r#"upper(name) == "ROUTER""#), Truth::True);
    assert_eq!(t("len(name) == 6"), Truth::True);
    assert_eq!(t("len(tags) == 2"), Truth::True);
    assert_eq!(t(r#"trim(" a ") == "a""#), Truth::True);
}

#[test]
fn string_and_list_functions() {
    assert_eq!(t(r#"starts_with(name, "Rou")"#), Truth::True);
    assert_eq!(t(r#"starts_with(name, "rou")"#), Truth::False);
    assert_eq!(t(r#"ends_with(purpose.description, "tickets")"#), Truth::True);
    assert_eq!(t(r#"contains(name, "out")"#), Truth::True);
    assert_eq!(t(r#"contains(scopes, "mcp:slack/post")"#), Truth::True);
    assert_eq!(t(r#"contains(scopes, "mcp:slack")"#), Truth::False);
    assert_eq!(t(r#"split("a,b,c", ",") == ["a", "b", "c"]"#), Truth::True);
    assert_eq!(t(r#"any p in split(scopes[0], "/"): p == "read""#), Truth::True);
    assert_eq!(t(r#"keys(tags) == ["env", "team"]"#), Truth::True);
    assert_eq!(t(r#"any v in values(tags): v == "prod""#), Truth::True);
    assert_eq!(t(r#"all v in values(tags): v == "prod""#), Truth::False);
    // An absent argument leaves the call unknown.
    assert_eq!(truth_on(r#"starts_with(owner, "team")"#, BARE), Truth::Unknown);
}

#[test]
fn count_counts_definite_matches() {
    assert_eq!(t(r#"count(s in scopes: starts_with(s, "mcp:")) == 2"#), Truth::True);
    assert_eq!(t(r#"count(s in scopes: s in purpose.allowed) == 1"#), Truth::True);
    assert_eq!(t(r#"count(k in tags: k == "env") == 1"#), Truth::True);
    assert_eq!(t(r#"count(s in []: s == "x") == 0"#), Truth::True);
    // Undecided items are not counted; an absent list leaves it unknown.
    assert_eq!(t(r#"count(s in scopes: s == tags["missing"]) == 0"#), Truth::True);
    assert_eq!(truth_on(r#"count(s in split(owner, ","): s == "x") == 0"#, BARE), Truth::Unknown);
}

#[test]
fn constants_and_parameters_stand_for_their_values() {
    let src = "let TEAMS = [\"team-a\", \"team-b\"]\nlet LIMIT = 2\nrule P \"p\" {\n severity low\n param prefix = \"Rou\"\n on identity\n where owner in TEAMS\n deny starts_with(name, prefix) and len(scopes) >= LIMIT\n message \"{name} starts with {prefix}\"\n}\n";
    let mut program =
        match lang::compile(&[PackSource { path: "p.nhi".into(), text: src.into(), verify: Verify::Full }]) {
            Ok(c) => c.program,
            Err(e) => panic!("{}", e.render(false)),
        };
    let facts: FactSet = serde_json::from_str(AGENT).unwrap_or_default();
    let findings = super::evaluate(&program, &facts, Date(0));
    assert_eq!(findings.iter().map(|f| f.message.as_str()).collect::<Vec<_>>(), ["Router starts with Rou"]);
    // The value in force, as a config sets it.
    program.rules[0].params[0].value = crate::facts::Value::Str("Xyz".into());
    assert!(super::evaluate(&program, &facts, Date(0)).is_empty());
}

#[test]
fn quantifiers() {
    assert_eq!(t("all s in scopes: s in purpose.allowed"), Truth::False);
    assert_eq!(t("any s in scopes: s in purpose.allowed"), Truth::True);
    assert_eq!(t(r#"all s in []: s == "x""#), Truth::True);
    assert_eq!(t(r#"any s in []: s == "x""#), Truth::False);
    assert_eq!(t(r#"any k in tags: k == "team""#), Truth::True);
    // A nested quantifier sees both variables.
    assert_eq!(t(r#"any s in scopes: any a in purpose.allowed: s == a"#), Truth::True);
}

#[test]
fn boolean_connectives() {
    assert_eq!(t(r#"kind == "ai_agent" and owner == "team-a""#), Truth::True);
    assert_eq!(t(r#"kind == "x" or owner == "team-a""#), Truth::True);
    assert_eq!(t(r#"not (kind == "x")"#), Truth::True);
    assert_eq!(t(r#"kind == "x" and owner == "team-a""#), Truth::False);
}

#[test]
fn exists_and_missing() {
    assert_eq!(t("owner exists"), Truth::True);
    assert_eq!(t("delegated_by missing"), Truth::True);
    assert_eq!(t("purpose.description exists"), Truth::True);
    assert_eq!(truth_on("purpose.description exists", BARE), Truth::False);
    assert_eq!(truth_on("owner missing", BARE), Truth::True);
}

#[test]
fn a_missing_field_is_never_silently_true() {
    // Comparisons, `in` and `matches` with an absent side are unknown...
    assert_eq!(truth_on(r#"owner == "x""#, BARE), Truth::Unknown);
    assert_eq!(truth_on(r#"owner != "x""#, BARE), Truth::Unknown);
    assert_eq!(truth_on(r#"owner in ["x"]"#, BARE), Truth::Unknown);
    assert_eq!(truth_on(r#"owner matches /x/"#, BARE), Truth::Unknown);
    assert_eq!(truth_on(r#"owner matches glob "*""#, BARE), Truth::Unknown);
    assert_eq!(truth_on("created < now", BARE), Truth::Unknown);
    assert_eq!(truth_on("len(owner) > 0", BARE), Truth::Unknown);
    // ...and negation keeps them unknown rather than true.
    assert_eq!(truth_on(r#"not (owner == "x")"#, BARE), Truth::Unknown);
    assert_eq!(truth_on(r#"owner not in ["x"]"#, BARE), Truth::Unknown);
    // Kleene: a definite side decides when it can.
    assert_eq!(truth_on(r#"owner == "x" or kind == "aws_iam_user""#, BARE), Truth::True);
    assert_eq!(truth_on(r#"owner == "x" and kind == "nope""#, BARE), Truth::False);
    assert_eq!(truth_on(r#"owner == "x" and kind == "aws_iam_user""#, BARE), Truth::Unknown);
    assert_eq!(truth_on(r#"all s in purpose.allowed: s == "x""#, BARE), Truth::Unknown);
}

/// Whether the rule fires on the first identity of `facts`.
fn fires(body: &str, facts: &str) -> bool {
    let src = format!("rule R \"r\" {{\n severity low\n on identity\n {body}\n}}\n");
    let program = match lang::compile(&[PackSource { path: "r.nhi".into(), text: src, verify: Verify::Full }]) {
        Ok(c) => c.program,
        Err(e) => panic!("does not compile:\n{}", e.render(false)),
    };
    let facts: FactSet = serde_json::from_str(facts).unwrap_or_else(|e| panic!("bad facts: {e}"));
    !super::evaluate(&program, &facts, Date(0)).is_empty()
}

#[test]
fn require_fires_on_a_null_side_and_deny_does_not() {
    assert!(fires(r#"require owner == "a""#, BARE));
    assert!(!fires(r#"deny owner == "a""#, BARE));
    assert!(!fires(r#"require owner == "a""#, r#"{"identities": [{"kind": "k", "name": "n", "owner": "a"}]}"#));
}

#[test]
fn where_filters_need_a_definite_true() {
    assert!(!fires("where owner == \"a\"\n require false", BARE));
    assert!(fires("where kind == \"aws_iam_user\"\n require false", BARE));
    assert!(!fires("where owner != \"a\"\n require false", BARE));
}

#[test]
fn messages_interpolate_fields() {
    let src = "rule M \"m\" {\n severity low\n on identity\n require false\n message \"{kind} `{name}` owned by {owner}, {{literal}}, {tags[\\\"env\\\"]}\"\n}\n";
    let program = match lang::compile(&[PackSource { path: "m.nhi".into(), text: src.into(), verify: Verify::Full }]) {
        Ok(c) => c.program,
        Err(e) => panic!("{}", e.render(false)),
    };
    let facts: FactSet = serde_json::from_str(AGENT).unwrap_or_default();
    let findings = super::evaluate(&program, &facts, Date(0));
    assert_eq!(findings[0].message, "ai_agent `Router` owned by team-a, {literal}, prod");
}
