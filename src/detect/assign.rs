//! Assignments: a name given a literal value, read from the file's syntax
//! (YAML, JSON, TOML and HCL structure; tree-sitter for source code; lines
//! for env, properties, Dockerfiles and other text). Values kept in secret
//! stores are decoded on the way: a Kubernetes Secret's base64 `data`, a
//! docker config's `auth`.
//!
//! `plausible` is the generic detector's filter: what a secret value cannot
//! be (a reference, a placeholder, a UUID, a path, a word).

use base64::Engine;

use crate::syntax::tree::{Kind, Node};
use crate::syntax::{self, Format, Pos, SyntaxError, code, hcl, lines};

/// Where an assignment was found; a detector may look in some only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// Source code, read with tree-sitter.
    Code,
    /// Structured configuration: YAML, JSON, TOML, HCL, properties, XML.
    Config,
    /// `.env` files, shell scripts, Dockerfiles.
    Env,
    /// Any other text: quoted values only.
    Text,
    /// The decoded `data` (or `stringData`) of a Kubernetes Secret.
    KubernetesSecret,
    /// The decoded password of a docker config's `auth`.
    DockerAuth,
}

impl Context {
    pub const NAMES: [&'static str; 6] = ["code", "config", "env", "text", "kubernetes-secret", "docker-auth"];
    const ALL: [Context; 6] =
        [Context::Code, Context::Config, Context::Env, Context::Text, Context::KubernetesSecret, Context::DockerAuth];

    pub fn from_name(name: &str) -> Option<Context> {
        Context::NAMES.iter().position(|n| *n == name).map(|i| Context::ALL[i])
    }

    pub fn name(self) -> &'static str {
        Context::ALL.iter().position(|c| *c == self).map_or("", |i| Context::NAMES[i])
    }

    /// Decoded from a secret store: the place says it is a secret.
    pub fn decoded(self) -> bool {
        matches!(self, Context::KubernetesSecret | Context::DockerAuth)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Assignment {
    pub name: String,
    /// The raw value. It lives only while the unit is scanned.
    pub value: String,
    /// Where the value (the encoded one, for a decoded value) starts.
    pub pos: Pos,
    pub context: Context,
}

/// The largest YAML or JSON unit parsed whole for its assignments.
const MAX_PARSED: usize = 512 << 10;

/// How source code is read for assignments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Code {
    /// Parsed, so that only real assignments of literals count.
    Parse,
    /// Read as quoted assignments line by line: cheap, to learn whether
    /// parsing could find anything.
    Lines,
}

/// The assignments in a unit's text, and the parse error if its format's
/// parser refused it (the text is then read line by line instead). With
/// `at` (ascending byte offsets), line-oriented formats are read only on the
/// lines that hold them.
pub(crate) fn assignments(
    path: &str,
    text: &str,
    at: Option<&[usize]>,
    code: Code,
) -> (Vec<Assignment>, Option<SyntaxError>) {
    let format = syntax::format_of(path);
    let pairs = |f: Format| match at {
        Some(offsets) => lines::pairs_at(f, text, offsets),
        None => lines::pairs(f, text),
    };
    let mut out = Vec::new();
    let parsed: Result<(), SyntaxError> = match format {
        // A parse holds a token per scalar: a data file of megabytes (test
        // output, a lock file) is read line by line instead, in bounded memory.
        Format::Yaml | Format::Json if text.len() > MAX_PARSED => {
            out.extend(pairs(Format::Text).into_iter().map(|p| from_pair(p, Context::Config)));
            Ok(())
        }
        Format::Yaml | Format::Json => {
            // A Helm template is read as its YAML skeleton: an action's value is
            // written `<…>`, which no detector takes for a secret.
            let skeleton = syntax::helm::is_template(path, text).then(|| syntax::helm::skeleton(text));
            syntax::tree::parse_as(format, skeleton.as_deref().unwrap_or(text)).map(|docs| {
                for doc in &docs {
                    walk_document(doc, &mut out);
                    decode_stores(doc, &mut out);
                }
            })
        }
        Format::Toml => syntax::toml::parse(text).map(|doc| walk_tree(&doc, &mut out)),
        Format::Hcl => hcl::parse(text).map(|body| walk_hcl(&body, &mut out)),
        Format::Code(lang) if code == Code::Parse => {
            match code::pairs(lang, text) {
                Some(pairs) => out.extend(pairs.into_iter().map(|p| from_pair(p, Context::Code))),
                None => out.extend(pairs(Format::Text).into_iter().map(|p| from_pair(p, Context::Text))),
            }
            Ok(())
        }
        Format::Code(_) => {
            out.extend(pairs(Format::Text).into_iter().map(|p| from_pair(p, Context::Code)));
            Ok(())
        }
        Format::Env | Format::Dockerfile => {
            out.extend(pairs(format).into_iter().map(|p| from_pair(p, Context::Env)));
            Ok(())
        }
        Format::Properties | Format::Xml => {
            out.extend(pairs(format).into_iter().map(|p| from_pair(p, Context::Config)));
            Ok(())
        }
        Format::Text => {
            out.extend(pairs(Format::Text).into_iter().map(|p| from_pair(p, Context::Text)));
            Ok(())
        }
    };
    match parsed {
        Ok(()) => (out, None),
        Err(e) => {
            // Still look for quoted assignments in what could not be parsed.
            let fallback = pairs(Format::Text).into_iter().map(|p| from_pair(p, Context::Text)).collect();
            (fallback, Some(e))
        }
    }
}

/// Whether a keyword hit (ascending offsets) sits where a YAML or JSON
/// file writes a name: before a `:` or `=` on its line (`password: …`,
/// `"apiKey": …`, `- DB_PASSWORD=…`), or after a key `name` (`- name:
/// DB_PASSWORD` beside its `value`; not `"EventName": "…_CREDITS"`). Each line is looked at once, from its first hit to
/// its end and from its start to its last hit, so that a minified file of
/// many hits stays linear.
pub(crate) fn names_at(text: &[u8], hits: &[usize]) -> bool {
    let mut i = 0;
    while let Some(&first) = hits.get(i) {
        let at = first.min(text.len());
        let start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |p| p + 1);
        let end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |p| at + p);
        let on_line = hits[i..].partition_point(|&h| h < end).max(1);
        let last = hits[i + on_line - 1].clamp(at, end);
        if memchr::memchr2(b':', b'=', &text[at..end]).is_some() || holds_key_name(&text[start..last]) {
            return true;
        }
        i += on_line;
    }
    false
}

/// Whether `line` writes the key `name`: the word, then `:` or `=` after
/// any quotes and blanks.
fn holds_key_name(line: &[u8]) -> bool {
    line.windows(4).enumerate().any(|(i, w)| {
        w.eq_ignore_ascii_case(b"name")
            && !line[..i].last().is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
            && line[i + 4..]
                .iter()
                .find(|b| !matches!(b, b'"' | b'\'' | b' ' | b'\t'))
                .is_some_and(|b| matches!(b, b':' | b'='))
    })
}

fn from_pair(p: lines::Pair, context: Context) -> Assignment {
    Assignment { name: p.name, value: p.value, pos: p.pos, context }
}

/// Keys whose values are encrypted at rest (SealedSecret, SOPS): safe to
/// commit by design, so not read.
const ENCRYPTED_KEYS: [&str; 3] = ["encryptedData", "encrypted_data", "sops"];

/// A document's assignments. A Kubernetes Secret's `data` is base64:
/// read decoded (`decode_stores`), never as the encoded text.
fn walk_document(doc: &Node, out: &mut Vec<Assignment>) {
    if doc.get("kind").and_then(Node::str) != Some("Secret") {
        return walk_tree(doc, out);
    }
    for (k, v) in doc.entries() {
        if k.text != "data" {
            walk_tree(&Node { pos: doc.pos, tag: None, kind: Kind::Map(vec![(k.clone(), v.clone())]) }, out);
        }
    }
}

/// Every scalar under a key, `{name: X, value: Y}` entries (Kubernetes and
/// CI `env` lists) and `X=Y` list items (docker-compose `environment`) as
/// `X = Y`.
fn walk_tree(node: &Node, out: &mut Vec<Assignment>) {
    match &node.kind {
        Kind::Map(entries) => {
            if let (Some(name), Some(value)) = (node.get("name").and_then(Node::str), node.get("value"))
                && let Some(v) = value.str()
            {
                out.push(Assignment {
                    name: name.to_string(),
                    value: v.to_string(),
                    pos: value.pos,
                    context: Context::Config,
                });
            }
            for (k, v) in entries {
                if ENCRYPTED_KEYS.contains(&k.text.as_str()) {
                    continue;
                }
                match &v.kind {
                    // A local tag is a CloudFormation function (`!Ref`,
                    // `!GetAtt`, `!ImportValue`, `!Sub`): a reference.
                    Kind::Scalar(_) if is_function_tag(v) => {}
                    Kind::Scalar(s) if !s.text.is_empty() && k.text != "value" => out.push(Assignment {
                        name: k.text.clone(),
                        value: s.text.clone(),
                        pos: v.pos,
                        context: Context::Config,
                    }),
                    _ => walk_tree(v, out),
                }
            }
        }
        Kind::Seq(items) => {
            for item in items {
                match item.str().and_then(|s| s.split_once('=')) {
                    Some((name, value)) if is_env_name(name) && !value.is_empty() => {
                        let col = item.pos.col + u32::try_from(name.chars().count() + 1).unwrap_or(0);
                        out.push(Assignment {
                            name: name.to_string(),
                            value: value.to_string(),
                            pos: Pos { line: item.pos.line, col },
                            context: Context::Config,
                        });
                    }
                    _ => walk_tree(item, out),
                }
            }
        }
        Kind::Scalar(_) | Kind::Alias => {}
    }
}

fn is_function_tag(node: &Node) -> bool {
    node.tag.as_deref().is_some_and(|t| !t.starts_with("!!") && !t.starts_with("tag:"))
}

fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Values of secret stores, decoded: a Kubernetes Secret's `data` (base64)
/// and `stringData`; a docker config's `auths.*.auth` (base64 `user:pass`).
fn decode_stores(doc: &Node, out: &mut Vec<Assignment>) {
    if doc.get("kind").and_then(Node::str) == Some("Secret") {
        for (field, encoded) in [("data", true), ("stringData", false)] {
            for (k, v) in doc.get(field).map(Node::entries).unwrap_or_default() {
                let Some(text) = v.str() else { continue };
                let value = if encoded { decode_base64(text) } else { Some(text.to_string()) };
                if let Some(value) = value {
                    out.push(Assignment {
                        name: k.text.clone(),
                        value,
                        pos: v.pos,
                        context: Context::KubernetesSecret,
                    });
                }
            }
        }
    }
    for (registry, entry) in doc.get("auths").map(Node::entries).unwrap_or_default() {
        let Some(auth) = entry.get("auth") else { continue };
        let decoded = auth.str().and_then(decode_base64);
        if let Some((_, password)) = decoded.as_deref().and_then(|d| d.split_once(':')) {
            out.push(Assignment {
                name: format!("{}_password", registry.text),
                value: password.to_string(),
                pos: auth.pos,
                context: Context::DockerAuth,
            });
        }
    }
}

pub(crate) fn decode_base64(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(&compact))
        .ok()?;
    String::from_utf8(bytes).ok().filter(|s| !s.is_empty())
}

/// HCL attributes with literal values, and `variable "x" { default = … }`
/// as `x = …`.
fn walk_hcl(body: &hcl::Body, out: &mut Vec<Assignment>) {
    for a in &body.attrs {
        walk_hcl_expr(&a.name, &a.value, out);
    }
    for b in &body.blocks {
        if b.kind == "variable"
            && let (Some(name), Some(default)) = (b.labels.first(), b.body.attr("default"))
        {
            walk_hcl_expr(name, &default.value, out);
            continue;
        }
        walk_hcl(&b.body, out);
    }
}

fn walk_hcl_expr(name: &str, e: &hcl::Expr, out: &mut Vec<Assignment>) {
    match &e.kind {
        hcl::ExprKind::Str(s) => {
            out.push(Assignment { name: name.to_string(), value: s.clone(), pos: e.pos, context: Context::Config })
        }
        hcl::ExprKind::Object(entries) => entries.iter().for_each(|(k, _, v)| walk_hcl_expr(k, v, out)),
        hcl::ExprKind::List(items) => items.iter().for_each(|v| walk_hcl_expr(name, v, out)),
        hcl::ExprKind::Call(_, args) => args.iter().for_each(|v| walk_hcl_expr(name, v, out)),
        _ => {}
    }
}

/// A name in snake case, lower: `rabbitmqPassword` → `rabbitmq_password`,
/// `APIKey` → `api_key`, `client-secret` → `client_secret`.
pub(crate) fn normalize_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
            let next = chars.get(i + 1).copied();
            let boundary = c.is_ascii_uppercase()
                && prev.is_some_and(|p| {
                    p.is_ascii_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
                });
            if boundary && !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// Why a key of a Kubernetes Secret does not hold a credential, if it
/// does not: a Secret keeps usernames, hosts, URLs and certificates beside
/// its passwords. Judged by the key's name and by the decoded value: a URL
/// without a password, a timestamp, a boolean, an address.
pub(crate) fn not_a_credential(a: &Assignment) -> Option<&'static str> {
    if a.context != Context::KubernetesSecret {
        return None;
    }
    const NAMES: [&str; 30] = [
        "username",
        "user",
        "user_name",
        "login",
        "email",
        "host",
        "hostname",
        "port",
        "url",
        "uri",
        "endpoint",
        "address",
        "server",
        "database",
        "db",
        "db_name",
        "dbname",
        "name",
        "namespace",
        "region",
        "project",
        "project_id",
        "account",
        "account_id",
        "bucket",
        "cluster",
        "ca_crt",
        "tls_crt",
        "ca_bundle",
        "service",
    ];
    let name = normalize_name(&a.name);
    let v = a.value.trim();
    let lower = v.to_ascii_lowercase();
    let url_without_password =
        lower.contains("://") && !v.rsplit_once('@').is_some_and(|(userinfo, _)| userinfo.contains(':'));
    if NAMES.contains(&name.as_str()) && !v.contains("://") || url_without_password {
        return Some("a Secret's key that holds no credential");
    }
    let timestamp = v.len() >= 8 && v.chars().all(|c| c.is_ascii_digit() || "-:TZ.+ ".contains(c));
    let boolean = ["true", "false", "yes", "no", "on", "off", "enabled", "disabled"].contains(&lower.as_str());
    let address = v.split(':').next().is_some_and(|h| h.parse::<std::net::IpAddr>().is_ok());
    (timestamp || boolean || address).then_some("a Secret's key that holds no credential")
}

/// Why a value cannot be a secret, if it cannot.
/// A value that spells its own name (`SSHPrivateKey: "SSHPrivateKey"`,
/// `PrivateToken = "PRIVATE-TOKEN"`, `api_key = "x-api-key"`) is a label
/// or a header name, not a secret: compared with case, `-`, `_`, `.` and
/// spaces ignored: equal, a part of the name, or the name as an `X-` header;
/// also after a namespace (`SET_CREDENTIALS = "@canvas/SET_CREDENTIALS"`,
/// as Redux names its actions).
pub(crate) fn names_itself(name: &str, value: &str) -> Option<&'static str> {
    let fold =
        |s: &str| s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect::<String>();
    let n = fold(name.rsplit(['.', '/']).next().unwrap_or(name));
    let spells = |value: &str| {
        let v = fold(value);
        let long_enough = n.len() >= 6 && v.len() >= 6;
        // Only values made of name characters: a real key has no reason to look like `x-api-key`.
        let wordy = value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '));
        // Equal, a part of the name, or the name as an `X-` header.
        long_enough && wordy && (v == n || n.contains(&v) || v.strip_prefix('x') == Some(n.as_str()))
    };
    let namespaced = value.rsplit_once(['/', ':']).is_some_and(|(namespace, last)| {
        namespace.chars().all(|c| c.is_ascii_alphanumeric() || "@._-/:".contains(c)) && spells(last)
    });
    (spells(value) || namespaced).then_some("the value spells its own name")
}

pub(crate) fn implausible(value: &str, context: Context) -> Option<&'static str> {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    let min_len = if context.decoded() { 6 } else { 8 };
    if v.chars().count() < min_len {
        return Some("too short");
    }
    if v.len() > 1024 {
        return Some("too long");
    }
    if is_reference(v, &lower) {
        return Some("a reference to a value kept elsewhere");
    }
    // `user:changethis`, `neo4j/password`: credentials whose password is a
    // placeholder; also in base64, as HTTP basic auth sends them
    // (`bWlmb3M6cGFzc3dvcmQ=` is `mifos:password`).
    let password = v.rsplit_once([':', '/']).map_or(v, |(_, p)| p);
    let placeholder_password = |p: &str| is_placeholder(&p.to_ascii_lowercase()) || super::confidence::made_of_words(p);
    if is_placeholder(&lower)
        || super::confidence::made_of_words(v)
        || super::confidence::made_of_words(password)
        || basic_auth(v).as_deref().is_some_and(placeholder_password)
    {
        return Some("a placeholder");
    }
    if v.starts_with("ENC[") || v.starts_with("$ANSIBLE_VAULT") || lower.starts_with("vault:v1:") {
        return Some("encrypted (SOPS, Ansible Vault, Vault transit)");
    }
    // Password hashes: bcrypt, argon2, scrypt, crypt(3), PBKDF2.
    if ["$2a$", "$2b$", "$2y$", "$argon2", "$scrypt$", "$6$", "$5$", "$1$", "pbkdf2_sha256$", "pbkdf2:"]
        .iter()
        .any(|p| v.starts_with(p))
    {
        return Some("a password hash");
    }
    if is_uuid(v) {
        return Some("a UUID");
    }
    if v.contains(char::is_whitespace) && !context.decoded() {
        return Some("prose, not a secret");
    }
    if v.contains("...") || v.contains('…') {
        return Some("a masked or shortened value (`sk-lf-...5678`)");
    }
    if is_call(v) {
        return Some("a call that returns the value (`result.get(\"api_key\")`)");
    }
    // Keys their providers publish in web pages and apps by design.
    if ["phc_", "pk_live_", "pk_test_", "pk.ey"].iter().any(|p| v.starts_with(p)) {
        return Some("a publishable key (PostHog project, Stripe and Clerk publishable, Mapbox public)");
    }
    if lower.starts_with("http://")
        || lower.starts_with("https://")
        || v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("../")
        || relative_file_path(v)
    {
        return Some("a URL or path");
    }
    // PEM other than a private key (certificates, public keys): public material.
    let pem = lower.contains("-----begin ") && !lower.contains("private key");
    let ssh_public = ["ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-"].iter().any(|p| lower.starts_with(p));
    if pem || ssh_public || ["sha512-", "sha384-", "sha256-", "sha1-"].iter().any(|p| lower.starts_with(p)) {
        return Some("public material or an integrity hash");
    }
    if v.contains('@')
        && v.contains('.')
        && !v.contains(':')
        && v.split('@').count() == 2
        && !v.contains(['!', '#', '$', '%', '^', '&', '*'])
    {
        return Some("an email address");
    }
    if v.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == ':') || versioned(v) {
        return Some("a number, date or version");
    }
    // An identifier-like word (`OPENAI_API_KEY`, `my-service-account`,
    // `argocd-k8s-auth`, `githubManualWebhookSecret`, a highlighter's
    // `keyword.$0`) is a name, not a secret; so is a word of prose
    // (`Contraseña`) and a list of rules (`required|string|max:255`).
    let named = without_captures(v);
    if !context.decoded() && v.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        || named.chars().all(|c| c.is_ascii_lowercase() || matches!(c, '_' | '-' | '.' | ':'))
        || numbered_name(v)
        || module_path(v)
        || member_access(v)
        || kebab_identifier(v)
        || camel_identifier(v)
        || one_word(v)
        || rule_list(v)
    {
        return Some("a word or an identifier");
    }
    let first = v.chars().next();
    if v.chars().all(|c| Some(c) == first) {
        return Some("one repeated character");
    }
    None
}

/// `result.get("api_key")`, `qdrant_api_key(args)`: a dotted or snake-case
/// name called with arguments, as code and scripts assign a value they read
/// at run time. Names are written as code writes them (lower-case first,
/// snake or camel case, a digit or two); a bare word before parentheses
/// (`Summer(2024)`) or a random one (`Kx9_vQ2(…)`) may be a password.
pub(crate) fn is_call(v: &str) -> bool {
    let Some((callee, rest)) = v.split_once('(') else { return false };
    let segment = |s: &str| {
        s.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && s.chars().filter(char::is_ascii_digit).count() <= 2
    };
    // A pattern's value stops at a quote: `click.prompt("Password:")` is read as `click.prompt(`.
    (rest.is_empty() || rest.ends_with(')'))
        && (callee.contains('.') || callee.contains('_'))
        && callee.split('.').all(segment)
}

/// The password of `user:password` in base64, as an HTTP basic-auth header
/// carries it.
fn basic_auth(v: &str) -> Option<String> {
    let text = decode_base64(v)?;
    let (user, password) = text.split_once(':')?;
    let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_graphic());
    (plain(user) && plain(password)).then(|| password.to_string())
}

/// `feast.permissions.auth_model.NoAuthConfig`: a module path, lower-case
/// names joined by two dots or more, the last one maybe a class's name.
/// A version and what qualifies it: `4.0.23(@types/node@22.10.1)`, a
/// package manager's pin of a package called `password`; `1.2.3-rc.1+b5`.
fn versioned(v: &str) -> bool {
    let end = v.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(v.len());
    let (version, rest) = v.split_at(end);
    version.split('.').count() >= 3
        && version.split('.').all(|n| !n.is_empty())
        && (rest.is_empty() || rest.starts_with(['(', '-', '+', '_']))
}

/// `tab.isSecret`, `form.values.apiKey`: an expression that reads a field
/// (a Vue binding `:secret="tab.isSecret"`, a JSX prop), with a capital
/// inside a segment, which a word-made password seldom has. Letters only,
/// so that a value with digits or symbols is judged as a value.
fn member_access(v: &str) -> bool {
    let segments: Vec<&str> = v.split('.').collect();
    let identifier = |s: &str| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
            && s.chars().all(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
    };
    let camel = |s: &str| {
        s.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && s.contains(|c: char| c.is_ascii_uppercase())
    };
    segments.len() >= 2
        && segments[0].starts_with(|c: char| c.is_ascii_lowercase() || c == '$' || c == '_')
        && segments.iter().all(|s| identifier(s))
        && segments.iter().any(|s| camel(s))
}

fn module_path(v: &str) -> bool {
    let Some((modules, last)) = v.rsplit_once('.') else { return false };
    let snake = |s: &str| {
        s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && s.chars().filter(char::is_ascii_digit).count() <= 2
    };
    let class = |s: &str| {
        s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && s.chars().all(|c| c.is_ascii_alphanumeric())
            && s.chars().filter(char::is_ascii_digit).count() <= 2
    };
    modules.contains('.') && modules.split('.').all(snake) && (snake(last) || class(last))
}

/// `hashed_secret`, `password_hash`, `secret_sha256`: a name that says its
/// value is a hash of the secret (a detect-secrets baseline holds hundreds).
/// `hash_key` and `hash_salt` are secrets used for hashing: only `hash` as
/// the last word counts.
pub(crate) fn names_a_hash(name: &str) -> Option<&'static str> {
    const HASHED: [&str; 7] = ["hashed", "digest", "md5", "sha1", "sha256", "sha512", "checksum"];
    let name = normalize_name(name);
    let words: Vec<&str> = name.split('_').collect();
    (words.iter().any(|w| HASHED.contains(w)) || words.last() == Some(&"hash"))
        .then_some("a hash of a secret, by its name (`hashed_secret`)")
}

/// `chatkit_token_123`, `test-secret-1`: a name of two or more lower-case
/// words numbered from 0 or 1, as samples number their values. A password
/// with digits of its own (`rabbit_pass_47`) is not one of these.
fn numbered_name(v: &str) -> bool {
    let stem = v.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = &v[stem.len()..];
    let Some(words) = stem.strip_suffix(['_', '-']) else { return false };
    digits.starts_with(['0', '1'])
        && "0123456789".contains(digits)
        && words.contains(['_', '-'])
        && words.split(['_', '-']).all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()))
}

/// `keyword.$0` → `keyword.`: a value with its regex capture references
/// (`$1`, `$S2`) taken out, as syntax highlighters' token names hold them.
fn without_captures(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|n| n.is_ascii_digit() || *n == 'S') {
            chars.next_if_eq(&'S');
            while chars.next_if(char::is_ascii_digit).is_some() {}
            continue;
        }
        out.push(c);
    }
    out
}

/// `githubManualWebhookSecret`, `ScimFeatureSupport`: a lower-case word
/// and capitalised words of three letters or more (three of them at least
/// when the name starts with a capital), nothing else. A type or field
/// name that ends in what it names (`IntrospectionToken`,
/// `tradeInTokenType`) may have two words and two-letter ones, four letters
/// a word on average; a password of two words (`SummerTime`) ends in no
/// such word.
fn camel_identifier(v: &str) -> bool {
    const NAMES: [&str; 8] = ["Token", "Type", "Key", "Secret", "Password", "Id", "Name", "Value"];
    // Split at the capitals: the first piece, then each capital's word without it.
    let humps: Vec<&str> = v.split(|c: char| c.is_ascii_uppercase()).collect();
    let capitalised = humps.len() - 1;
    let words = humps.len() - usize::from(humps[0].is_empty());
    let names_a_thing = NAMES.iter().any(|n| v.ends_with(n)) && v.len() >= 4 * words;
    let short = if names_a_thing { 1 } else { 2 };
    v.chars().all(|c| c.is_ascii_alphabetic())
        && match (humps[0].is_empty(), names_a_thing) {
            (true, false) => capitalised >= 3,
            (true, true) => capitalised >= 2,
            (false, _) => humps[0].len() >= 2 && capitalised >= 1,
        }
        && humps[1..].iter().all(|h| h.len() >= short)
}

/// `Contraseña`: one word of letters in any script, capitalised at most.
fn one_word(v: &str) -> bool {
    let mut chars = v.chars();
    chars.next().is_some_and(char::is_alphabetic)
        && chars.all(|c| c.is_alphabetic() && !c.is_uppercase())
        && !v.is_ascii()
}

/// `required|string|max:255`: validation rules, lower-case names joined by
/// `|`, each with an optional `:parameter`.
fn rule_list(v: &str) -> bool {
    let rules: Vec<&str> = v.split('|').collect();
    rules.len() >= 2
        && rules.iter().all(|r| {
            let name = r.split_once(':').map_or(*r, |(n, _)| n);
            !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        })
}

/// `client/oauth-clients.md`, `certs/tls.crt`: folders and a file name
/// with an extension, each a plain name.
fn relative_file_path(v: &str) -> bool {
    let parts: Vec<&str> = v.split('/').collect();
    let plain = |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    let extension = parts.last().and_then(|f| f.rsplit_once('.')).is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && (1..=5).contains(&ext.len())
            && ext.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    });
    parts.len() >= 2 && parts.iter().all(plain) && extension
}

/// `argocd-k8s-auth`, `svc.v2.internal`, `Access-Control-Allow-Credentials`:
/// lower-case words joined by separators, each with at most two digits (a
/// hex or random segment has more), or capitalised words of letters only;
/// a translated label may lead with an acronym (`SMTP-Authentifizierung`).
fn kebab_identifier(v: &str) -> bool {
    let segments: Vec<&str> = v.split(['-', '_', '.']).collect();
    let lower = |s: &&str| {
        let digits = s.chars().filter(char::is_ascii_digit).count();
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && digits <= 2
            && s.chars().any(|c| c.is_ascii_lowercase())
    };
    let capitalised = |s: &&str| {
        let mut chars = s.chars();
        s.len() >= 3 && chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_lowercase())
    };
    let acronym = |s: &&str| (2..=5).contains(&s.len()) && s.chars().all(|c| c.is_ascii_uppercase());
    let label = |s: &&str| s.len() >= 4 && s.chars().all(|c| c.is_ascii_lowercase());
    segments.len() >= 2
        && (segments.iter().all(lower)
            || segments.iter().all(capitalised)
            || acronym(&segments[0]) && segments[1..].iter().all(|s| capitalised(s) || label(s)))
}

/// Why a value is not the name half of a credential (a username, a client
/// id): a reference or a placeholder is not, nor is prose.
pub(crate) fn not_an_identifier(value: &str) -> Option<&'static str> {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    if v.chars().count() < 2 {
        Some("too short")
    } else if v.len() > 256 {
        Some("too long")
    } else if is_reference(v, &lower) {
        Some("a reference to a value kept elsewhere")
    } else if is_placeholder(&lower) {
        Some("a placeholder")
    } else if v.contains(char::is_whitespace) {
        Some("prose, not a name")
    } else {
        None
    }
}

fn is_reference(v: &str, lower: &str) -> bool {
    const MARKERS: [&str; 15] = [
        "${",
        "{$",
        "{{",
        "$(",
        "#{",
        "%(",
        "<%",
        "process.env",
        "os.environ",
        "os.getenv",
        "system.getenv",
        "env(",
        "env[",
        "secrets.",
        "vault:",
    ];
    MARKERS.iter().any(|m| lower.contains(m))
        || (v.starts_with('$') && v[1..].chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_'))
        || v.starts_with('%') && v.ends_with('%')
        || lower.starts_with("arn:aws:secretsmanager")
        || lower.starts_with("projects/") && lower.contains("/secrets/")
        || lower.starts_with("ref+")
        // An OpenAPI or JSON Schema `$ref`: `#/components/schemas/…`.
        || v.starts_with("#/")
        || ["!ref", "!getatt", "!importvalue", "!sub", "!join", "!findinmap", "!select"].iter().any(|f| lower.starts_with(f))
        // An ARN names a resource (a Lambda's `ServiceToken`, a secret), and
        // Terraform's `var.`, `local.`, `data.`, `module.` are expressions.
        || lower.starts_with("arn:")
        || ["var.", "local.", "data.", "module.", "each.", "self."].iter().any(|p| {
            lower.starts_with(p) && lower[p.len()..].chars().all(|c| c.is_ascii_alphanumeric() || "_.-[]\"*".contains(c))
        })
}

fn is_placeholder(lower: &str) -> bool {
    const WORDS: [&str; 23] = [
        "xxxx",
        "****",
        "....",
        "<",
        ">",
        "your",
        "example",
        "changeme",
        "change_me",
        "change-me",
        "replace",
        "placeholder",
        "dummy",
        "sample",
        "redacted",
        "masked",
        "todo",
        "fixme",
        "insert",
        "not_a_real",
        "notreal",
        "fake",
        "secret_here",
    ];
    WORDS.iter().any(|w| lower.contains(w)) || lower.starts_with("test") && lower.len() < 12
}

fn is_uuid(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 36
        && b.iter()
            .enumerate()
            .all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_that_spells_its_own_name_is_not_a_secret() {
        for (name, value) in [
            ("SSHPrivateKey", "SSHPrivateKey"),
            ("PrivateToken", "PRIVATE-TOKEN"),
            ("api_key", "x-api-key"),
            ("config.auth_token", "AUTH_TOKEN"),
            ("SET_COMPONENT_CREDENTIALS", "@canvas/SET_COMPONENT_CREDENTIALS"),
        ] {
            assert!(names_itself(name, value).is_some(), "{name} = {value}");
        }
        for (name, value) in [
            ("api_key", "x9Kq2LmP4vR8tW1z"),
            ("private_token", "glpat-Xz8qL2vN5mK9pR4tY7wB"),
            ("password", "hunter2hunter2"),
            ("api_token", "svc/Kx9vQ2mZ7pL4wQ"),
            ("password", "password123"),
        ] {
            assert_eq!(names_itself(name, value), None, "{name} = {value}");
        }
    }

    #[test]
    fn names_that_say_hashed_hold_no_secret() {
        for name in ["hashed_secret", "password_hash", "secretSha256", "CLIENT_SECRET_DIGEST"] {
            assert!(names_a_hash(name).is_some(), "{name}");
        }
        for name in ["hash_key", "hash_salt", "secret", "HASH_SECRET", "hashids_secret"] {
            assert_eq!(names_a_hash(name), None, "{name}");
        }
    }

    #[test]
    fn a_structured_file_is_parsed_where_a_keyword_is_a_name() {
        let at = |text: &str, word: &str| -> Vec<usize> { text.match_indices(word).map(|(i, _)| i).collect() };
        for (text, word) in [
            ("db:\n  password: x\n", "password"),
            ("{\"apiKey\": \"x\"}", "apiKey"),
            ("env:\n  - name: DB_PASSWORD\n    value: x\n", "PASSWORD"),
            ("[{\"Name\" : \"DB_PASSWORD\", \"value\": \"x\"}]", "PASSWORD"),
            ("environment:\n  - DB_PASSWORD=x\n", "PASSWORD"),
            ("secret:\n  key: |\n    x\n", "key"),
        ] {
            assert!(names_at(text.as_bytes(), &at(text, word)), "{text}");
        }
        for (text, word) in [
            ("description: the key of a keymap\n", "key"),
            ("items:\n  - a token bucket\n  - another token\n", "token"),
            ("  {\n    \"EventName\": \"UNC_C_RxR_IPQ_RETRY.QPI_CREDITS\",\n", "CREDITS"),
            ("- name_of_the_key\n", "key"),
        ] {
            assert!(!names_at(text.as_bytes(), &at(text, word)), "{text}");
        }
    }

    #[test]
    fn names_become_snake_case() {
        assert_eq!(normalize_name("rabbitmqPassword"), "rabbitmq_password");
        assert_eq!(normalize_name("APIKey"), "api_key");
        assert_eq!(normalize_name("github.githubAccessToken"), "github_github_access_token");
        assert_eq!(normalize_name("client-secret"), "client_secret");
        assert_eq!(normalize_name("SESSION_SECRET"), "session_secret");
        assert_eq!(normalize_name("\"api_key\""), "api_key");
    }

    #[test]
    fn what_a_secret_cannot_be() {
        let c = Context::Config;
        for v in [
            "${DB_PASSWORD}",
            "${{ secrets.X }}",
            "$PASSWORD",
            "<your-api-key>",
            "REPLACE_ME",
            "changeme123",
            "574bdb3e-8674-42b7-9410-fafae581d960",
            "https://example.com/x",
            "OPENAI_API_KEY",
            "short",
            "xxxxxxxxxxxx",
            "my-service-name",
            "argocd-k8s-auth",
            "client/oauth-clients.md",
            "sha512-UnQ5/1NZ+llTz4z3em0bAZjql3KA",
            "2025-01-01",
            "Enter your password",
            "result.get(\"api_key\")",
            "qdrant_api_key(args)",
            "phc_hgJkUVJFYtmaJqrvf6CYN67TIQ8yhXAkWzUn9",
            "pk_live_51H8xYzAbCdEfGhIjKlMnOpQr",
            "string|nullable",
            "sometimes|nullable|string|max:255",
            "githubManualWebhookSecret",
            "keyword.tag-$0",
            "constant.reserved.$0",
            "Contraseña",
            "neo4j/password",
            "{$encodedPass}",
            "sk-lf-...5678",
            "ScimFeatureSupport",
            "Access-Control-Allow-Credentials",
            "chatkit_token_123",
            "#/components/schemas/updateLoginFlowWithPasswordMethod",
            "apikeys:import",
            "bWlmb3M6cGFzc3dvcmQ=",
            "feast.permissions.auth_model.NoAuthConfig",
            "click.prompt(",
            "IntrospectionToken",
            "tradeInTokenType",
            "SMTP-Authentifizierung",
            "SMTP-authenticatietype",
            "test-client-secret-1",
            "tab.isSecret",
            "4.0.23(@types/node@22.10.1)",
            "form.values.apiKey",
            "$store.state.authToken",
            "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ4dLwTP0wF1b2H2H4pOa0rW2C6cw\n-----END CERTIFICATE-----",
        ] {
            assert!(implausible(v, c).is_some(), "{v} passed");
        }
        for v in [
            "h.pQFE8CZtY#OY2nGXXw*B",
            "WC+K5uPrh^8X4WQJ3zguYZABI",
            "52e3e9c81d03e75a7ffb79b1b5d2243a",
            "=UuJF8PU!p*.ZUYQu-",
            "Summer(2024)x!",
            "Kx9_vQ2(mZ7pL4)",
            "aB3$0xQ9zLm",
            "hunter2|Zq8!",
            "wQ7rTz/9kLmN4pXs",
            "SummerTime",
            "Kx7-Rq92-Zt4m",
            "xkq_vzt_47",
            // deploy:Kx9vQ2mZ7pL4wQ8r, basic auth with a real password.
            "ZGVwbG95Okt4OXZRMm1aN3BMNHdROHI=",
            "ab.Kx9vQ2mZ.7pL4wQ",
            "SummerTime",
            "QwErTyKey",
            "AB-Kx9qZ",
        ] {
            assert_eq!(implausible(v, c), None, "{v} rejected");
        }
    }

    #[test]
    fn kubernetes_secret_data_is_decoded() {
        let yaml = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  client-secret: ISU9aHNuRCFLS3d6dVMyS2h4MmFxVFF5ag==\nstringData:\n  token: plain-value-1\n";
        let (a, err) = assignments("k8s/secret.yaml", yaml, None, Code::Parse);
        assert!(err.is_none());
        let decoded: Vec<(&str, &str, u32)> = a
            .iter()
            .filter(|x| x.context == Context::KubernetesSecret)
            .map(|x| (x.name.as_str(), x.value.as_str(), x.pos.line))
            .collect();
        assert_eq!(decoded, vec![("client-secret", "!%=hsnD!KKwzuS2Khx2aqTQyj", 6), ("token", "plain-value-1", 8)]);
    }

    #[test]
    fn docker_auth_is_decoded() {
        let json = "{\"auths\": {\"registry.example.com\": {\"auth\": \"Ym90OlM0bXBsZVBhc3N3MHJkIQ==\"}}}";
        let (a, _) = assignments("config.json", json, None, Code::Parse);
        let d: Vec<&str> = a.iter().filter(|x| x.context == Context::DockerAuth).map(|x| x.value.as_str()).collect();
        assert_eq!(d, vec!["S4mplePassw0rd!"]);
    }

    #[test]
    fn terraform_variable_defaults_and_env_lists() {
        let (a, _) = assignments(
            "variables.tf",
            "variable \"db_password\" {\n  default = \"=UuJF8PU!p*\"\n}\n",
            None,
            Code::Parse,
        );
        assert_eq!(a[0].name, "db_password");
        assert_eq!(a[0].pos.line, 2);
        let (a, _) = assignments("deploy.yaml", "env:\n  - name: API_TOKEN\n    value: abc123XYZ\n", None, Code::Parse);
        assert!(a.iter().any(|x| x.name == "API_TOKEN" && x.value == "abc123XYZ"));
    }

    #[test]
    fn compose_environment_lists_and_encrypted_data() {
        let (a, _) = assignments(
            "docker-compose.yml",
            "services:\n  db:\n    environment:\n      - POSTGRES_PASSWORD=Zx9!kLm2Qp\n",
            None,
            Code::Parse,
        );
        assert!(
            a.iter()
                .any(|x| x.name == "POSTGRES_PASSWORD" && x.value == "Zx9!kLm2Qp" && x.pos == Pos { line: 4, col: 27 })
        );
        let (a, _) = assignments(
            "s.yaml",
            "kind: SealedSecret\nspec:\n  encryptedData:\n    password: AgBy3i4OJSWK\n",
            None,
            Code::Parse,
        );
        assert!(a.iter().all(|x| x.name != "password"));
    }

    #[test]
    fn broken_files_fall_back_to_lines() {
        let (a, err) = assignments("x.yaml", "a: [\npassword = \"h.pQFE8CZtY\"\n", None, Code::Parse);
        assert!(err.is_some());
        assert!(a.iter().any(|x| x.name == "password"));
    }
}
