//! What AWS publishes about its IAM actions (the Service Authorization
//! Reference, as generated into data/aws-iam-actions.txt): each action's
//! access level, and whether it accepts resource-level permissions or only
//! `Resource: "*"`. Rules ask through `resource_scoped(a)` and
//! `read_only(a)`; an action pattern (`s3:Get*`) stands for every action it
//! matches.

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../../data/aws-iam-actions.txt");

struct Action {
    /// Lower case, for matching: IAM action names are case-insensitive.
    name: String,
    read_only: bool,
    /// Changes permissions (the Permissions management access level).
    permissions: bool,
    /// Takes no resource type: only `Resource: "*"` applies.
    star_only: bool,
}

fn services() -> &'static HashMap<&'static str, Vec<Action>> {
    static SERVICES: OnceLock<HashMap<&'static str, Vec<Action>>> = OnceLock::new();
    SERVICES.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|line| {
                let mut cells = line.split(' ');
                let service = cells.next()?;
                let actions = cells
                    .filter_map(|c| {
                        let (name, flags) = c.split_once('=')?;
                        Some(Action {
                            name: name.to_ascii_lowercase(),
                            read_only: flags.starts_with('L') || flags.starts_with('R'),
                            permissions: flags.starts_with('P'),
                            star_only: flags.ends_with('*'),
                        })
                    })
                    .collect();
                Some((service, actions))
            })
            .collect()
    })
}

/// The known actions an action or pattern names; `None` when its service is
/// not AWS's (or not known), or it is not `service:action`.
fn matching(action: &str) -> Option<Vec<&'static Action>> {
    let (service, name) = action.split_once(':')?;
    let actions = services().get(service.to_ascii_lowercase().as_str())?;
    let name = name.to_ascii_lowercase();
    Some(actions.iter().filter(|a| glob_match(&name, &a.name)).collect())
}

/// IAM's wildcards: `*` any run of characters, `?` one character.
fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Whether the action accepts a resource other than `*`; for a pattern,
/// whether at least half the actions it matches do (`ec2:Describe*`
/// matches 194 actions, 17 of which accept one: it is a `*` grant by
/// nature). Actions of services AWS does not list are taken to accept one,
/// so a wildcard resource on them is still reported.
pub(super) fn resource_scoped(action: &str) -> Option<bool> {
    is_action(action).then(|| match matching(action) {
        Some(found) if !found.is_empty() => 2 * found.iter().filter(|a| !a.star_only).count() >= found.len(),
        // A name the service does not have (`s3:HeadBucket`) grants nothing.
        Some(_) => false,
        None => true,
    })
}

/// Whether an action is a wide wildcard: `*`, a whole service (`s3:*`), or
/// a pattern that matches more than five actions or one that changes
/// permissions (`s3:Put*`, `iam:*Policy`). A narrow pattern AWS's own
/// policies use (`kms:ReEncrypt*`, `kms:GenerateDataKey*`) is not; a
/// pattern of a service AWS does not list is.
pub(super) fn wide(action: &str) -> Option<bool> {
    is_action(action).then(|| {
        if action == "*" || action.ends_with(":*") {
            return true;
        }
        if !action.contains(['*', '?']) {
            return false;
        }
        match matching(action) {
            Some(found) => found.len() > 5 || found.iter().any(|a| a.permissions),
            None => true,
        }
    })
}

/// Written as a value (`s3:Get*`, `*`, a Kubernetes verb), not as an
/// expression Terraform fills in later (`${statement.value}:List*`,
/// `each.value`, `var.actions`).
fn is_action(action: &str) -> bool {
    !(action.contains("${")
        || action.contains(".value")
        || ["each.", "var.", "local.", "data.", "module."].iter().any(|p| action.starts_with(p)))
}

/// Whether every action the pattern matches only reads (List and Read
/// access levels), or a Kubernetes read verb. Unknown actions are not
/// read-only.
pub(super) fn read_only(action: &str) -> Option<bool> {
    // Azure spells reads as the last segment: `Microsoft.Storage/*/read`;
    // Kubernetes has three read verbs.
    if action.ends_with("/read") || matches!(action, "get" | "list" | "watch") {
        return Some(true);
    }
    is_action(action).then(|| match matching(action) {
        Some(found) if !found.is_empty() => found.iter().all(|a| a.read_only),
        _ => false,
    })
}

/// Whether a condition (`StringEquals:aws:ResourceTag/team`, the operator
/// first) narrows a grant to some resources or callers: resource and
/// request tags, the source or account of the request, the service it
/// comes through or goes to.
pub(super) fn scoping_condition(condition: &str) -> bool {
    let key = condition.split_once(':').map_or(condition, |(_, k)| k).to_ascii_lowercase();
    let (_, name) = key.split_once(':').unwrap_or(("", &key));
    const KEYS: [&str; 20] = [
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:resourceaccount",
        "aws:resourceorgid",
        "aws:resourceorgpaths",
        "aws:viaawsservice",
        "aws:calledvia",
        "aws:calledviafirst",
        "aws:calledvialast",
        "iam:awsservicename",
        "iam:passedtoservice",
        "iam:policyarn",
        "iam:permissionsboundary",
        "kms:viaservice",
        "kms:requestalias",
        "kms:calleraccount",
        "kms:encryptioncontextkeys",
        "s3:prefix",
    ];
    name.starts_with("resourcetag/")
        || name.starts_with("requesttag/")
        || name.starts_with("encryptioncontext:")
        || name == "resourcetag"
        || KEYS.contains(&key.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_that_only_take_a_star_resource() {
        assert_eq!(resource_scoped("s3:ListAllMyBuckets"), Some(false));
        assert_eq!(resource_scoped("ec2:DescribeInstances"), Some(false));
        assert_eq!(resource_scoped("sts:GetCallerIdentity"), Some(false));
        assert_eq!(resource_scoped("s3:GetObject"), Some(true));
        assert_eq!(resource_scoped("S3:getobject"), Some(true), "names are case-insensitive");
        assert_eq!(resource_scoped("s3:*"), Some(true));
        assert_eq!(resource_scoped("ec2:Describe*"), Some(false));
        assert_eq!(resource_scoped("acme:DoThing"), Some(true), "unknown services keep the finding");
        assert_eq!(resource_scoped("s3:HeadBucket"), Some(false), "not an IAM action: it grants nothing");
        assert_eq!(resource_scoped("*"), Some(true));
        assert_eq!(resource_scoped("${statement.value}:List*"), None, "an expression is not known here");
        assert_eq!(read_only("each.value"), None);
        assert_eq!(resource_scoped("get"), Some(true), "a Kubernetes verb is not an expression");
    }

    #[test]
    fn wide_wildcards() {
        for a in ["*", "s3:*", "s3:Put*", "iam:*Policy", "acme:Do*"] {
            assert_eq!(wide(a), Some(true), "{a}");
        }
        for a in ["kms:ReEncrypt*", "kms:GenerateDataKey*", "s3:GetObject", "get"] {
            assert_eq!(wide(a), Some(false), "{a}");
        }
        assert_eq!(wide("${statement.value}:*"), None);
    }

    #[test]
    fn read_only_patterns() {
        assert_eq!(read_only("ec2:Describe*"), Some(true));
        assert_eq!(read_only("s3:Get*"), Some(true));
        assert_eq!(read_only("s3:List*"), Some(true));
        assert_eq!(read_only("s3:*"), Some(false));
        assert_eq!(read_only("iam:*"), Some(false));
        assert_eq!(read_only("*"), Some(false));
        assert_eq!(read_only("s3:Put*"), Some(false));
        assert_eq!(read_only("acme:Get*"), Some(false));
        assert_eq!((read_only("list"), read_only("patch")), (Some(true), Some(false)), "Kubernetes verbs");
    }

    #[test]
    fn conditions_that_scope_a_grant() {
        for c in [
            "StringEquals:aws:ResourceTag/team",
            "Null:aws:RequestTag/elbv2.k8s.aws/cluster",
            "StringEquals:ec2:ResourceTag/owner",
            "StringLike:iam:AWSServiceName",
            "Bool:aws:ViaAWSService",
            "StringEquals:kms:RequestAlias",
            "ArnLike:aws:SourceArn",
        ] {
            assert!(scoping_condition(c), "{c}");
        }
        for c in ["StringEquals:aws:RequestedRegion", "Bool:aws:SecureTransport", "IpAddress:aws:SourceIp"] {
            assert!(!scoping_condition(c), "{c}");
        }
    }

    #[test]
    fn iam_globs() {
        assert!(glob_match("get*", "getobject"));
        assert!(glob_match("*object", "getobject"));
        assert!(glob_match("get?bject", "getobject"));
        assert!(!glob_match("put*", "getobject"));
        assert!(glob_match("*", "anything"));
    }
}
