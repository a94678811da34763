//! Speed of the rule language: compile the built-in packs; compile a
//! generated pack of 2,000 rules and 500 detectors; evaluate rules over
//! facts (fact×rule evaluations per second on one core).
//!
//!     cargo bench --bench lang
//!
//! Each figure is the median of several runs, in release mode.

use std::time::{Duration, Instant};

use nhigate::engine;
use nhigate::facts::{Credential, Date, FactSet, Grant, Identity, Location, Purpose, RecordRef};
use nhigate::lang::{self, PackSource, Verify};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time<T>(n: usize, mut f: impl FnMut() -> T) -> Duration {
    // One warm-up run, then the median of `n`.
    std::hint::black_box(f());
    median(
        (0..n)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

fn generated_pack(rules: usize, detectors: usize) -> String {
    let mut s = String::from("pack \"generated\" {\n  version \"1.0.0\"\n}\n\n");
    let conditions = [
        "require owner exists",
        "require age <= 90d",
        "deny any a in actions: a == \"*\" or a matches /^[a-z0-9-]+:\\*$/",
        "require all s in scopes: s in purpose.allowed",
        "deny tags[\"env\"] == \"prod\" and owner missing",
        "require expires - created <= 365d",
    ];
    let facts = ["identity", "credential", "grant", "identity", "identity", "identity"];
    for i in 0..rules {
        let k = i % conditions.len();
        s.push_str(&format!(
            "rule GEN-{i:05} \"generated rule {i}\" {{\n  severity high\n  maps \"owasp-nhi:NHI{}\"\n  on {}\n  where location.line > {}\n  {}\n  message \"rule {i} fired on {{location.path}}\"\n}}\n\n",
            i % 10 + 1, facts[k], i % 7, conditions[k]
        ));
    }
    for i in 0..detectors {
        let prefix = format!("g{i:03}x_");
        s.push_str(&format!(
            "detector gen-{i:04} \"generated detector {i}\" {{\n  severity high\n  provider \"gen\"\n  keywords \"{prefix}\"\n  pattern /\\b({prefix}[A-Za-z0-9]{{32}})\\b/\n  entropy 3.0\n  example \"token = {prefix}Ti454ph4TMWfMXz5mILn2yfdxsCUwwtm\"\n  negative \"token = {prefix}xxxx\"\n}}\n\n"
        ));
    }
    s
}

/// `n` of each fact; every `bad`-th one breaks the rules, the rest comply.
fn facts(n: usize, bad: usize) -> FactSet {
    let loc = |i: usize| Location {
        path: format!("infra/m{}.tf", i % 50),
        line: (i % 500) as u32 + 1,
        column: 1,
        ..Default::default()
    };
    let mut f = FactSet::default();
    for i in 0..n {
        f.identities.push(Identity {
            kind: if i % 3 == 0 { "ai_agent".into() } else { "aws_iam_role".into() },
            name: format!("id-{i}"),
            owner: (i % bad != 0).then(|| "team".into()),
            scopes: vec!["s3:GetObject".into(), "mcp:jira/read".into()],
            purpose: Some(Purpose {
                description: Some("x".into()),
                allowed: if i % bad == 0 { vec![] } else { vec!["mcp:jira/read".into(), "s3:GetObject".into()] },
            }),
            tags: [("env".to_string(), if i % bad == 0 { "prod".to_string() } else { "dev".to_string() })].into(),
            created: Date::parse(if i % bad == 0 { "2024-01-01" } else { "2025-06-01" }).ok(),
            expires: Date::parse("2026-01-01").ok(),
            location: loc(i),
            ..Default::default()
        });
        f.credentials.push(Credential {
            kind: "access_key".into(),
            identity: Some(format!("id-{i}")),
            created: Date::parse(if i % bad == 0 { "2025-01-01" } else { "2025-06-01" }).ok(),
            long_lived: Some(true),
            location: loc(i),
            ..Default::default()
        });
        f.grants.push(Grant {
            identity: Some(format!("id-{i}")),
            effect: Some("allow".into()),
            actions: vec!["s3:GetObject".into(), if i % bad == 0 { "iam:*".into() } else { "sqs:SendMessage".into() }],
            resources: vec!["arn:aws:s3:::b/*".into()],
            location: loc(i),
            ..Default::default()
        });
    }
    f
}

fn main() {
    let builtin = nhigate::builtin::sources(&[]);
    let n_detectors = builtin.iter().map(|s| s.text.matches("\ndetector ").count()).sum::<usize>();
    let t = time(50, || lang::compile(&builtin).map(|c| c.program.rules.len()).unwrap_or(0));
    println!(
        "built-in packs ({} files, {n_detectors} detectors), parse+check+compile: {:.2} ms",
        builtin.len(),
        t.as_secs_f64() * 1e3
    );

    let t =
        time(50, || builtin.iter().map(|s| lang::parse(&s.text).map(|f| f.items.len()).unwrap_or(0)).sum::<usize>());
    println!("  of which parsing: {:.2} ms", t.as_secs_f64() * 1e3);

    let text = generated_pack(2000, 500);
    for (verify, what) in [(Verify::Trusted, "syntax and types"), (Verify::Full, "and every example run")] {
        let src = vec![PackSource { path: "generated.nhi".into(), text: text.clone(), verify }];
        let t = time(7, || match lang::compile(&src) {
            Ok(c) => c.program.rules.len() + c.program.detectors.len(),
            Err(e) => panic!("{}", e.render(false)),
        });
        println!("generated pack, 2,000 rules + 500 detectors ({what}): {:.1} ms", t.as_secs_f64() * 1e3);
    }
    // As `nhigate rules compile` shows them: the rules have no tests, so
    // every rule has two warnings.
    let src = vec![PackSource { path: "generated.nhi".into(), text: generated_pack(2000, 0), verify: Verify::Full }];
    let t = time(7, || match lang::compile(&src) {
        Ok(c) => c.warnings.render_some(false, 10).len(),
        Err(e) => panic!("{}", e.render(false)),
    });
    println!(
        "generated pack, 2,000 rules without tests, compiled with their 4,000 warnings shown: {:.1} ms",
        t.as_secs_f64() * 1e3
    );

    let program = match lang::compile(&[PackSource {
        path: "generated.nhi".into(),
        text: generated_pack(200, 0),
        verify: Verify::Trusted,
    }]) {
        Ok(c) => c.program,
        Err(e) => panic!("{}", e.render(false)),
    };
    let facts = facts(5000, 2);
    let evaluations: usize = program
        .rules
        .iter()
        .map(|r| match r.on {
            nhigate::facts::FactType::Identity => facts.identities.len(),
            nhigate::facts::FactType::Credential => facts.credentials.len(),
            nhigate::facts::FactType::Grant => facts.grants.len(),
            nhigate::facts::FactType::Secret => facts.secrets.len(),
            nhigate::facts::FactType::Change => facts.changes.len(),
        })
        .sum();
    let now = Date::parse("2025-06-30").unwrap_or(Date(0));
    // Decisions alone: does this rule fire on this fact?
    let env = nhigate::facts::schema::Env::new(&facts, now);
    let t = time(5, || {
        let mut fires = 0usize;
        for r in &program.rules {
            let hit = |fact| usize::from(!engine::failing_clauses(r, &env, fact).is_empty());
            fires += match r.on {
                nhigate::facts::FactType::Identity => {
                    facts.identities.iter().map(|f| hit(RecordRef::Identity(f))).sum::<usize>()
                }
                nhigate::facts::FactType::Credential => {
                    facts.credentials.iter().map(|f| hit(RecordRef::Credential(f))).sum()
                }
                nhigate::facts::FactType::Grant => facts.grants.iter().map(|f| hit(RecordRef::Grant(f))).sum(),
                nhigate::facts::FactType::Secret | nhigate::facts::FactType::Change => 0,
            };
        }
        fires
    });
    println!(
        "rule decisions, one core: {evaluations} fact×rule evaluations in {:.1} ms = {:.2} M evaluations/s",
        t.as_secs_f64() * 1e3,
        evaluations as f64 / t.as_secs_f64() / 1e6
    );
    let mut fired = 0;
    let t = time(5, || {
        let f = engine::evaluate(&program, &facts, now);
        fired = f.len();
        f.len()
    });
    println!(
        "full evaluation with findings (messages, fingerprints, sorting), one core: {evaluations} fact×rule evaluations ({fired} findings) in {:.1} ms = {:.2} M evaluations/s",
        t.as_secs_f64() * 1e3,
        evaluations as f64 / t.as_secs_f64() / 1e6
    );
    let realistic = self::facts(5000, 50);
    let t = time(5, || {
        let f = engine::evaluate(&program, &realistic, now);
        fired = f.len();
        f.len()
    });
    println!(
        "full evaluation, one in 50 facts non-compliant, one core: {evaluations} fact×rule evaluations ({fired} findings) in {:.1} ms = {:.2} M evaluations/s",
        t.as_secs_f64() * 1e3,
        evaluations as f64 / t.as_secs_f64() / 1e6
    );
}
