//! How sure a secret finding is, from the evidence the detector had: the
//! shape of the value (a provider's format, a checksum, or only a name it
//! was assigned to), the value itself, and where the file sits (code, or
//! tests, documentation and examples, where sample values live).
//!
//! | evidence | confidence |
//! | --- | --- |
//! | a provider's format, or a verified checksum | high |
//! | the same in tests, documentation or examples | medium |
//! | key material anyone can make (private keys, JWTs) in tests, documentation or examples | low |
//! | a generic find (an assigned value, a URL's password) with a strong value in code or configuration | medium |
//! | a generic find with a weak value: short, low entropy, one class of characters, made of words | low |
//! | a generic find in tests, documentation or examples | low |
//!
//! Values that are not secrets at all (placeholders, sequences, published
//! samples) are dropped before this: see [`not_a_secret`].

use super::shannon_entropy;
pub(crate) use crate::facts::Confidence;

/// Where a file sits, as far as sample values go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Place {
    /// Code and configuration that runs.
    Live,
    /// Tests, fixtures and test data.
    Test,
    /// Documentation: `docs/`, Markdown, reStructuredText, AsciiDoc; and
    /// translations (`lang/`, `locales/`, `i18n/`).
    Docs,
    /// Examples, samples and demos.
    Example,
}

impl Place {
    pub(crate) fn of(path: &str) -> Place {
        let lower = path.to_ascii_lowercase();
        let mut parts: Vec<&str> = lower.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
        let file = parts.pop().unwrap_or("");
        let in_folder = |names: &[&str]| parts.iter().any(|p| names.contains(p));
        const TEST_FOLDERS: &[&str] = &[
            "test",
            "tests",
            "testdata",
            "test-data",
            "test_data",
            "testing",
            "testutil",
            "testutils",
            "__tests__",
            "__mocks__",
            "__fixtures__",
            "fixtures",
            "fixture",
            "mocks",
            "spec",
            "specs",
            "e2e",
            "integration-tests",
            "integration_tests",
            "it",
            "unittests",
            "test-fixtures",
        ];
        if in_folder(TEST_FOLDERS) || is_test_file(file) {
            return Place::Test;
        }
        let docs_file =
            [".md", ".mdx", ".markdown", ".rst", ".adoc", ".asciidoc", ".ipynb"].iter().any(|e| file.ends_with(e));
        // Translations are text for people too: a label under a `password`
        // key (`'users_password' => 'Benutzerpasswort'`) is not one.
        let translations = ["lang", "langs", "locale", "locales", "i18n", "l10n", "translations"];
        if docs_file || in_folder(&["docs", "doc", "documentation", "website"]) || in_folder(&translations) {
            return Place::Docs;
        }
        let example_file = [".example", ".sample", ".dist", ".template", ".tmpl"].iter().any(|e| file.ends_with(e))
            || file.contains(".example.")
            || file.contains(".sample.");
        if example_file || in_folder(&["example", "examples", "sample", "samples", "demo", "demos", "quickstart"]) {
            return Place::Example;
        }
        Place::Live
    }
}

/// Test files by their naming conventions: Go, Python, JavaScript and
/// TypeScript, Java and Kotlin, Ruby, Rust, C#.
fn is_test_file(file: &str) -> bool {
    let stem = file.split('.').next().unwrap_or(file);
    let ext_is = |exts: &[&str]| exts.iter().any(|e| file.ends_with(e));
    stem.ends_with("_test")
        || stem.starts_with("test_")
        || stem.ends_with("_spec")
        || stem == "conftest"
        || ((stem.ends_with("test") || stem.ends_with("tests")) && ext_is(&[".java", ".kt", ".cs", ".scala"]))
        || file.contains(".test.")
        || file.contains(".spec.")
        || file.contains("_test.")
        || file.contains(".e2e.")
}

/// What a detector knew about one value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Evidence<'a> {
    /// A generic detector: an assignment detector, or one whose provider is
    /// `generic` (a URL's password, a .netrc entry).
    pub generic: bool,
    /// Key material anyone generates (a private key, a JWT), not a
    /// credential a provider issued: test suites make their own.
    pub self_made: bool,
    pub value: &'a str,
    pub place: Place,
}

/// How a detector's finds are judged, for `rules explain`.
pub(crate) fn describe(generic: bool, self_made: bool) -> &'static str {
    match (generic, self_made) {
        (true, _) => {
            "medium for a strong value in code or configuration; low for a weak value (short, low entropy, \
             made of words) and in tests, documentation and examples (docs/confidence.md)"
        }
        (false, true) => {
            "high; low in tests, documentation and examples, where suites make their own (docs/confidence.md)"
        }
        (false, false) => {
            "high (a provider's format); medium in tests, documentation and examples (docs/confidence.md)"
        }
    }
}

/// The confidence the evidence supports.
pub(crate) fn judge(e: &Evidence<'_>) -> Confidence {
    let sample_place = e.place != Place::Live;
    if !e.generic {
        return match (sample_place, e.self_made) {
            (false, _) => Confidence::High,
            (true, false) => Confidence::Medium,
            (true, true) => Confidence::Low,
        };
    }
    if sample_place || weak(e.value) { Confidence::Low } else { Confidence::Medium }
}

/// A value a person could have typed or read aloud: short, low in entropy,
/// of one class of characters, or made of dictionary words.
pub(crate) fn weak(value: &str) -> bool {
    let classes = [
        value.chars().any(|c| c.is_ascii_lowercase()),
        value.chars().any(|c| c.is_ascii_uppercase()),
        value.chars().any(|c| c.is_ascii_digit()),
        value.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    value.chars().count() < 10
        || shannon_entropy(value.as_bytes()) < 3.0
        || classes < 2
        || mostly_words(value)
        || typed_by_a_person(value)
}

/// The shape of a password a person made up: a word, a few digits, maybe
/// one symbol (`sCaleio123`, `Summer2024!`).
fn typed_by_a_person(value: &str) -> bool {
    let letters = value.chars().take_while(char::is_ascii_alphabetic).count();
    let rest = &value[letters..];
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    let tail = &rest[digits..];
    (3..=12).contains(&letters)
        && digits <= 4
        && tail.chars().count() <= 1
        && tail.chars().all(|c| !c.is_ascii_alphanumeric())
}

/// A placeholder spelled in words, with at most a few digits:
/// `test_password_3`, `MySuperSecretPassword1`, `your-api-token-here`.
pub(crate) fn made_of_words(value: &str) -> bool {
    let runs = letter_runs(value);
    let digits = value.chars().filter(char::is_ascii_digit).count();
    !runs.is_empty() && digits <= 4 && runs.iter().all(|r| splits_into_words(r))
}

/// A comment near a value that asks the reader to put their own in
/// (`# replace with your access key`): the value is a sample.
pub(crate) fn asks_for_a_value(line: &[u8]) -> bool {
    const HINTS: [&str; 8] = [
        "replace with your",
        "replace this",
        "change this",
        "your own",
        "insert your",
        "put your",
        "fill in",
        "use your",
    ];
    let lower = String::from_utf8_lossy(line).to_ascii_lowercase();
    HINTS.iter().any(|h| lower.contains(h))
}

/// Why a value any detector found is not a secret, if it is not: a run of
/// sequential characters (`0123456789`, `abcdefgh`), a repeated pattern,
/// or a sample a provider or a well-known site publishes.
pub(crate) fn not_a_secret(value: &str) -> Option<&'static str> {
    if PUBLISHED_SAMPLES.contains(&value) {
        return Some("a published sample value");
    }
    if sequential(value) {
        return Some("sequential characters");
    }
    if repeated(value) {
        return Some("a repeated pattern");
    }
    if marked_as_sample(value) {
        return Some("marked as a sample (`EXAMPLE`, `fake-`, `VERYLONGSECRET`)");
    }
    if empty_structure(value) {
        return Some("an encoded structure with no value in it (a pagination cursor)");
    }
    None
}

/// Words documentation writes into a sample so that no reader takes it
/// for a real one: AWS's `…EXAMPLE` keys and session tokens (in a JWT, in
/// its claims), `VERYLONGSECRET…`, `…DIFFERENTACCESSTOKEN`, and a first
/// word such as `fake-` or `dummy_`. In upper case inside a random value a
/// seven-letter word occurs about once in 10¹¹ values. `SECRET` and
/// `TOKEN` on their own are parts of real formats (`AGE-SECRET-KEY-1…`):
/// only inside a longer run of capitals do they mark a sample.
fn marked_as_sample(value: &str) -> bool {
    const FIRST_WORDS: [&str; 7] = ["fake", "dummy", "mock", "sample", "example", "placeholder", "your"];
    let marked = |text: &str| {
        text.split(|c: char| !c.is_ascii_uppercase()).any(|run| {
            run.contains("EXAMPLE")
                || run.len() >= 10 && ["SECRET", "TOKEN", "PASSWORD"].iter().any(|w| run.contains(w))
        })
    };
    let first = value.split(['-', '_', '.']).next().unwrap_or("").to_ascii_lowercase();
    marked(value)
        || value.len() > first.len() && FIRST_WORDS.contains(&first.as_str())
        || jwt_claims(value).is_some_and(|c| marked(&c) || names_a_documentation_host(&c))
}

/// Claims that name a domain reserved for documentation (RFC 2606): a
/// token made for a sample request or a preview, not one an issuer handed out.
fn names_a_documentation_host(claims: &str) -> bool {
    let lower = claims.to_ascii_lowercase();
    ["example.com", "example.org", "example.net"].iter().any(|host| lower.contains(host))
}

/// The claims of a JSON Web Token, decoded.
fn jwt_claims(value: &str) -> Option<String> {
    use base64::Engine;
    let mut parts = value.split('.');
    let (header, claims) = (parts.next()?, parts.next()?);
    if !header.starts_with("eyJ") {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims.trim_end_matches('=')).ok()?;
    String::from_utf8(bytes).ok()
}

/// `eyJlbmNyeXB0ZWREYXRhIjpbXX0=`: base64 of JSON that holds no string or
/// number long enough to be a secret (`{"encryptedData":[]}`), as APIs hand
/// out pagination cursors.
fn empty_structure(value: &str) -> bool {
    let Some(text) = super::assign::decode_base64(value) else { return false };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else { return false };
    fn longest(v: &serde_json::Value) -> usize {
        match v {
            serde_json::Value::String(s) => s.len(),
            serde_json::Value::Number(n) => n.to_string().len(),
            serde_json::Value::Array(a) => a.iter().map(longest).max().unwrap_or(0),
            serde_json::Value::Object(o) => o.values().map(longest).max().unwrap_or(0),
            _ => 0,
        }
    }
    json.is_object() && longest(&json) < 8
}

/// A URL's password that is weak, for a host that cannot be real:
/// `https://user:pass123@example.com`, `postgres://app:app-password@localhost`.
/// `matched` is the whole match, URL included.
pub(crate) fn example_credentials(matched: &str, value: &str) -> Option<&'static str> {
    let host = matched.rsplit_once('@')?.1;
    let host = host.split([':', '/', '?', '#', '"', '\'', ' ']).next().unwrap_or("").to_ascii_lowercase();
    let example = ["example.com", "example.org", "example.net", "localhost", "127.0.0.1", "0.0.0.0"]
        .iter()
        .any(|h| host == *h || host.ends_with(&format!(".{h}")))
        || [".example", ".test", ".invalid", ".local", ".localhost"].iter().any(|t| host.ends_with(t));
    // `p%40ss%23word` is `p@ss#word` to the server, and to the reader.
    let decoded = match value.contains('%') {
        true => String::from_utf8_lossy(&super::decode::percent_decode(value.as_bytes())).into_owned(),
        false => value.to_string(),
    };
    // A password written as a phrase (`password!with@+ symbols`) describes itself.
    let phrase = decoded.contains(' ') || made_of_words(&decoded);
    (example && (weak(&decoded) || phrase)).then_some("placeholder credentials for an example host")
}

/// Values published as samples in documentation, which copy-pasted
/// examples spread everywhere.
const PUBLISHED_SAMPLES: [&str; 4] = [
    // jwt.io's debugger token (HS256, "John Doe").
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    // The same, from jwt.io's RS256 and "admin": true variant.
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWUsImlhdCI6MTUxNjIzOTAyMn0.KMUFsIDTnFmyG3nMiGM6H9FNFUROf3wh7SmqJp-QV30",
    // Stripe's documentation test key.
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    // The key of Azurite and the Azure Storage Emulator's `devstoreaccount1`,
    // the same for every installation.
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
];

/// Runs of at least five characters that step by one (`12345`, `abcde`,
/// `98765`) make up half the letters and digits, or one run is eight long
/// (`1234567890`), which a random value practically never holds.
fn sequential(value: &str) -> bool {
    let chars: Vec<u8> = value.bytes().filter(u8::is_ascii_alphanumeric).map(|b| b.to_ascii_lowercase()).collect();
    if chars.len() < 8 {
        return false;
    }
    let mut in_runs = 0;
    let mut longest = 0;
    let mut i = 0;
    while i < chars.len() {
        let mut j = i + 1;
        let step = chars.get(j).map(|&b| i16::from(b) - i16::from(chars[i]));
        if matches!(step, Some(1 | -1)) {
            while j < chars.len() && i16::from(chars[j]) - i16::from(chars[j - 1]) == step.unwrap_or(0) {
                j += 1;
            }
        }
        if j - i >= 5 {
            in_runs += j - i;
        }
        longest = longest.max(j - i);
        i = j;
    }
    in_runs * 2 >= chars.len() || longest >= 8
}

/// The value is one short unit written three or more times over
/// (`abcabcabc`, `1a2b1a2b1a2b`), allowing a partial unit at the end.
fn repeated(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() >= 8 && (1..=b.len() / 3).any(|unit| b.iter().enumerate().all(|(i, c)| *c == b[i % unit]))
}

/// Whether the value's letters are mostly dictionary words
/// (`test_password_3`, `MySuperSecret`, `hello-world-token`): at least
/// two thirds of its letters and digits, with the words found by splitting
/// at case changes, digits and separators and then into known words.
fn mostly_words(value: &str) -> bool {
    let alnum = value.chars().filter(char::is_ascii_alphanumeric).count();
    if alnum == 0 {
        return false;
    }
    let mut covered = 0;
    for run in letter_runs(value) {
        if run.len() >= 3 && splits_into_words(&run) {
            covered += run.len();
        }
    }
    covered * 3 >= alnum * 2
}

/// Maximal runs of letters, split where lower case turns to upper
/// (`mySuperSecret` → `my`, `super`, `secret`), lower-cased.
fn letter_runs(value: &str) -> Vec<String> {
    let mut runs: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in value.chars() {
        if c.is_ascii_alphabetic() {
            if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
                runs.push(std::mem::take(&mut current));
            }
            current.push(c.to_ascii_lowercase());
            prev_lower = c.is_ascii_lowercase();
        } else {
            if !current.is_empty() {
                runs.push(std::mem::take(&mut current));
            }
            prev_lower = false;
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// Whether `run` is a concatenation of known words (dynamic programming
/// over the prefixes).
fn splits_into_words(run: &str) -> bool {
    let n = run.len();
    let mut ok = vec![false; n + 1];
    ok[0] = true;
    for end in 1..=n {
        ok[end] = (end.saturating_sub(MAX_WORD)..end).any(|start| ok[start] && WORDS.contains(&&run[start..end]));
    }
    ok[n]
}

const MAX_WORD: usize = 12;

/// Words that placeholder, test and default values are made of.
const WORDS: &[&str] = &[
    "my",
    "the",
    "a",
    "an",
    "your",
    "our",
    "some",
    "any",
    "new",
    "old",
    "no",
    "not",
    "is",
    "to",
    "of",
    "for",
    "and",
    "test",
    "tests",
    "testing",
    "example",
    "sample",
    "demo",
    "dummy",
    "fake",
    "mock",
    "stub",
    "fixture",
    "foo",
    "bar",
    "baz",
    "qux",
    "hello",
    "world",
    "password",
    "passwd",
    "pass",
    "pwd",
    "secret",
    "secrets",
    "token",
    "tokens",
    "key",
    "keys",
    "api",
    "access",
    "auth",
    "login",
    "user",
    "username",
    "users",
    "admin",
    "administrator",
    "root",
    "guest",
    "default",
    "super",
    "master",
    "private",
    "public",
    "client",
    "server",
    "service",
    "account",
    "app",
    "application",
    "value",
    "string",
    "random",
    "change",
    "me",
    "it",
    "this",
    "that",
    "here",
    "there",
    "insert",
    "put",
    "replace",
    "enter",
    "set",
    "get",
    "local",
    "localhost",
    "dev",
    "development",
    "prod",
    "production",
    "stage",
    "staging",
    "qa",
    "db",
    "database",
    "mysql",
    "postgres",
    "redis",
    "mongo",
    "kafka",
    "rabbit",
    "cache",
    "data",
    "bot",
    "web",
    "site",
    "mail",
    "email",
    "org",
    "team",
    "project",
    "name",
    "id",
    "code",
    "word",
    "letmein",
    "welcome",
    "qwerty",
    "abc",
    "xyz",
    "one",
    "two",
    "three",
    "first",
    "second",
    "valid",
    "invalid",
    "wrong",
    "bad",
    "good",
    "real",
    "live",
    "temp",
    "tmp",
    "shared",
    "signing",
    "session",
    "cookie",
    "jwt",
    "hmac",
    "webhook",
    "bearer",
    "oauth",
    "credential",
    "credentials",
    "do",
    "use",
    "only",
    "in",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_follow_the_conventions_of_tests_docs_and_examples() {
        for (path, place) in [
            ("pkg/auth/token_test.go", Place::Test),
            ("tests/unit/test_client.py", Place::Test),
            ("src/api.spec.ts", Place::Test),
            ("src/__tests__/api.js", Place::Test),
            ("internal/testdata/config.yaml", Place::Test),
            ("src/test/java/com/acme/ClientTest.java", Place::Test),
            ("docs/setup.yaml", Place::Docs),
            ("README.md", Place::Docs),
            ("guide/install.rst", Place::Docs),
            ("examples/basic/main.tf", Place::Example),
            (".env.example", Place::Example),
            ("config/settings.sample.yaml", Place::Example),
            ("src/app/config.py", Place::Live),
            ("scripts/smoke-test.sh", Place::Live),
            ("services/latest/main.go", Place::Live),
        ] {
            assert_eq!(Place::of(path), place, "{path}");
        }
    }

    #[test]
    fn the_model_table() {
        let e = |generic, value, place| Evidence { generic, self_made: false, value, place };
        assert_eq!(judge(&e(false, "ghp_x", Place::Live)), Confidence::High);
        assert_eq!(judge(&e(false, "ghp_x", Place::Test)), Confidence::Medium);
        let key = Evidence { self_made: true, ..e(false, "MIIEv…", Place::Test) };
        assert_eq!(judge(&key), Confidence::Low);
        assert_eq!(judge(&Evidence { place: Place::Live, ..key }), Confidence::High);
        assert_eq!(judge(&e(true, "h.pQFE8CZtY#OY2nGXXw*B", Place::Live)), Confidence::Medium);
        assert_eq!(judge(&e(true, "h.pQFE8CZtY#OY2nGXXw*B", Place::Docs)), Confidence::Low);
        assert_eq!(judge(&e(true, "hunter2hunter", Place::Live)), Confidence::Low);
    }

    #[test]
    fn weak_values() {
        for v in [
            "MySuperSecretPassword1",
            "test_password_3",
            "hello-world-token",
            "abcdefgh",
            "Password!",
            "sCaleio123",
            "Summer2024!",
        ] {
            assert!(weak(v), "{v}");
        }
        for v in [
            "52e3e9c81d03e75a7ffb79b1b5d2243a",
            "8_IvApvldhjuHV!UjZn",
            "=UuJF8PU!p*.ZUYQu-",
            "tk_9fQ2mX7vLp3RzK8wN4bY6cH1",
        ] {
            assert!(!weak(v), "{v}");
        }
    }

    #[test]
    fn weak_passwords_of_example_hosts_are_placeholders() {
        assert!(example_credentials("https://user:pass1234@example.com/x", "pass1234").is_some());
        assert!(example_credentials("postgres://app:app-password@localhost:5432/db", "app-password").is_some());
        assert!(example_credentials("https://ci:changeit99@build.test/", "changeit99").is_some());
        assert!(example_credentials("postgresql://app:p%40ss%23word@localhost:5432/app", "p%40ss%23word").is_some());
        let described = "password!with%40%2B%20symbols";
        assert!(example_credentials(&format!("mongodb://user:{described}@localhost:1234/parse"), described).is_some());
        let strong = "aVezGGS7DpzXqLAecKCB";
        assert_eq!(example_credentials("https://deploy:aVezGGS7DpzXqLAecKCB@git.internal.example/a", strong), None);
        assert_eq!(example_credentials("https://user:pass1234@git.acme.io/x", "pass1234"), None);
    }

    #[test]
    fn sequences_repeats_and_published_samples_are_not_secrets() {
        for v in [
            "0123456789abcdef0123456789abcdef",
            "xoxb-1234567890-1234567890-abcdefghijklmnopqrstuvwx",
            "abcabcabcabc",
            "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
            "9876543210fedcba",
            "AKIAIOSFODNN7EXAMPLE",
            "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfp",
            "VERYLONGSECRETeyJraWQiOiJrZXktMTU2NDAyODA5OSIsImFsZyI6IkhTMzg0In0",
            "fake-snowflake-password",
            "dummy_token_value_xyz",
            // Claims: {"sts:identity_context":"EXAMPLEIDENTITYCONTEXT"}
            "eyJhbGciOiJIUzI1NiJ9.eyJzdHM6aWRlbnRpdHlfY29udGV4dCI6IkVYQU1QTEVJREVOVElUWUNPTlRFWFQifQ.c2lnbmF0dXJlLXZhbHVlLXh5eg",
            "eyJlbmNyeXB0ZWREYXRhIjpbXX0=",
            // Claims: {"iss":"https://auth.example.com","sub":"john",…}, a documentation host.
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZS5jb20iLCJzdWIiOiJqb2huIiwiZXhwIjoxNzAwMDAwMDAwfQ.Zq8vT2pL9wXa1b2C3d4E5f6GhJkLmNoP",
        ] {
            assert!(not_a_secret(v).is_some(), "{v}");
        }
        for v in [
            "52e3e9c81d03e75a7ffb79b1b5d2243a",
            "xoxb-2947561038-8817263541-Zq8vT2pL9wXa1b2C3d4E5f6G",
            "AKIAYI6GIR5MDJBGEJMN",
            "fakevalueKx9vQ2mZ7pL4",
            // The same token issued by a real host.
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2F1dGguYWNtZS5pbyIsInN1YiI6InN2Yy1kZXBsb3kiLCJleHAiOjE3MDAwMDAwMDB9.Zq8vT2pL9wXa1b2C3d4E5f6GhJkLmNoP",
            // {"k":"Zq8vT2pL9wXa1b2C"}: base64 JSON with a value in it.
            "eyJrIjoiWnE4dlQycEw5d1hhMWIyQyJ9",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdmMtZGVwbG95In0.c2lnbmF0dXJlLXZhbHVlLXh5eg",
        ] {
            assert_eq!(not_a_secret(v), None, "{v}");
        }
    }
}
