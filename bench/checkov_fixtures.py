#!/usr/bin/env python3
"""How many of the resources Checkov's own tests expect to FAIL does nhigate flag?

    python3 bench/checkov_fixtures.py CHECKOV_CHECKOUT NHIGATE_BIN [--with-hardening] [-v]

Checkov is not needed: its tests say which resources must fail. For the NHI
checks (the set in bench/checkov_compare.py, less CKV2_GHA_1, plus the
Kubernetes RBAC graph checks CKV2_K8S_1..5) this script

1. finds each check's tests and reads the expected failing resources:
   - `failing_resources = {...}` in a runner test (test_<Check>.py),
   - `fail:` in expected.yaml of a graph check (tests/*/graph/checks/resources/<Check>/),
   - inline `hcl2.loads(...)` unit tests asserting FAILED: each snippet is
     written to a temporary folder (one sub-folder per test method),
   - `resource_conf = {...}` unit tests asserting FAILED: rendered as a Terraform
     resource (policy documents as heredoc JSON) in a temporary folder,
   - tests that assert only counts: the EXPLICIT table below;
2. runs `nhigate check DIR --now 2025-06-30 --format json` on each fixture folder;
3. locates each expected resource (Terraform `resource`/`data` block up to its
   closing brace, CloudFormation logical resource, Kubernetes YAML document) and
   counts it flagged when an nhigate policy finding lies in the file within that
   range. For the Kubernetes graph checks, which fail the *binding*, it also
   reports whether the Role/ClusterRole the binding references is flagged
   ("via role"): nhigate judges roles and does not relate bindings to them;
4. prints per check: expected, flagged (any rule), flagged by a rule meant for
   the same thing (SEMANTICS, plus the binary's rules whose `maps` name the
   check, less WRONG_MAPS), the missed resources, and the totals over the
   checks whose semantics agree (also less RESOURCE_DIFFERS, the resources
   nhigate deliberately does not report).

Only the temporary folder is written; nothing in the Checkov checkout.
"""
import argparse
import ast
import collections
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap

NOW = "2025-06-30"

# NHI_CHECKS of bench/checkov_compare.py without CKV2_GHA_1 (not IAM), and the
# Kubernetes RBAC graph checks.
SCOPE = {
    "CKV_AWS_1", "CKV_AWS_40", "CKV_AWS_60", "CKV_AWS_61", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_107",
    "CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_110", "CKV_AWS_111", "CKV_AWS_273", "CKV_AWS_274", "CKV_AWS_286",
    "CKV_AWS_287", "CKV_AWS_288", "CKV_AWS_289", "CKV_AWS_290", "CKV_AWS_304", "CKV_AWS_355", "CKV_AWS_356",
    "CKV_AWS_393", "CKV2_AWS_22", "CKV2_AWS_40", "CKV2_AWS_56",
    "CKV_GCP_28", "CKV_GCP_41", "CKV_GCP_42", "CKV_GCP_44", "CKV_GCP_45", "CKV_GCP_46", "CKV_GCP_49",
    "CKV_GCP_113", "CKV_GCP_116", "CKV_GCP_117",
    "CKV_K8S_38", "CKV_K8S_41", "CKV_K8S_42", "CKV_K8S_49", "CKV_K8S_155", "CKV_K8S_156", "CKV_K8S_157",
    "CKV_K8S_158",
    "CKV2_K8S_1", "CKV2_K8S_2", "CKV2_K8S_3", "CKV2_K8S_4", "CKV2_K8S_5",
}

# check -> (nhigate rules meant to catch the same thing, note). No rules: the
# semantics differ, and the note says why; such checks are left out of the total.
SEMANTICS = {
    # Kubernetes graph checks: binding of a ServiceAccount/Node to a role with ...
    "CKV2_K8S_1": (["NHI-K8S-004", "NHI-K8S-011"], "bind verb / write (cluster)rolebindings"),
    "CKV2_K8S_2": (["NHI-K8S-006", "NHI-K8S-010"], "pods/exec, nodes/proxy"),
    "CKV2_K8S_3": (["NHI-K8S-004"], "impersonate"),
    "CKV2_K8S_4": ([], "no rule: update/patch on services/status (CVE-2020-8554) is not an NHI credential or RBAC-escalation path nhigate judges"),
    "CKV2_K8S_5": (["NHI-K8S-003"], "read secrets cluster-wide"),
    # Kubernetes single-resource checks
    "CKV_K8S_38": (["NHI-K8S-001"], "workload mounts its SA token"),
    "CKV_K8S_41": ([], "no rule: nhigate judges the workload that mounts the token (NHI-K8S-001, NHI-H-003), not the `default` ServiceAccount object"),
    "CKV_K8S_42": (["NHI-K8S-008"], "binding to the default SA"),
    "CKV_K8S_49": (["NHI-SCOPE-001", "NHI-SCOPE-002"], "wildcard verbs/resources"),
    "CKV_K8S_155": ([], "no rule: write access to (mutating|validating)webhookconfigurations"),
    "CKV_K8S_156": ([], "no rule: update certificatesigningrequests/approval + approve signers"),
    "CKV_K8S_157": (["NHI-K8S-004", "NHI-K8S-011"], "bind verb / write role bindings"),
    "CKV_K8S_158": (["NHI-K8S-004", "NHI-K8S-011"], "escalate verb / write roles"),
    # AWS
    "CKV_AWS_1": (["NHI-AWS-010"], "`*` on `*` (data aws_iam_policy_document)"),
    "CKV_AWS_40": (["NHI-AWS-011"], "policy attached directly to a user"),
    "CKV_AWS_60": (["NHI-AWS-003"], "trust policy Principal AWS:*"),
    "CKV_AWS_61": (["NHI-AWS-015"], "trust of an account root (nhigate: without ExternalId)"),
    "CKV_AWS_62": (["NHI-AWS-010"], "`*` on `*`"),
    "CKV_AWS_63": (["NHI-SCOPE-001", "NHI-AWS-010"], "Action `*`"),
    "CKV_AWS_107": (["NHI-AWS-014"], "credentials exposure (data)"),
    "CKV_AWS_108": (["NHI-AWS-008"], "data exfiltration (data)"),
    "CKV_AWS_109": (["NHI-AWS-006", "NHI-AWS-007", "NHI-AWS-010", "NHI-SCOPE-001", "NHI-SCOPE-002"], "permissions management without constraint (data)"),
    "CKV_AWS_110": (["NHI-AWS-006", "NHI-AWS-007"], "privilege escalation (data)"),
    "CKV_AWS_111": (["NHI-SCOPE-001", "NHI-SCOPE-002", "NHI-AWS-010"], "write access without constraint (data)"),
    "CKV_AWS_273": ([], "no rule: Checkov fails every aws_iam_user (use SSO); nhigate judges users by their keys (NHI-AWS-001, NHI-AGE-001) and mixed human use (NHI-AWS-002)"),
    "CKV_AWS_274": (["NHI-AWS-004"], "AdministratorAccess attached"),
    "CKV_AWS_286": (["NHI-AWS-006", "NHI-AWS-007"], "privilege escalation"),
    "CKV_AWS_287": (["NHI-AWS-014"], "credentials exposure"),
    "CKV_AWS_288": (["NHI-AWS-008"], "data exfiltration"),
    "CKV_AWS_289": (["NHI-AWS-006", "NHI-AWS-007", "NHI-AWS-010", "NHI-SCOPE-001", "NHI-SCOPE-002"], "permissions management without constraint"),
    "CKV_AWS_290": (["NHI-SCOPE-001", "NHI-SCOPE-002", "NHI-AWS-010"], "write access without constraint"),
    "CKV_AWS_304": (["NHI-AWS-012"], "secret rotation <= 90 days"),
    # Reads on `*` (`ec2:Describe*`) are the optional hardening pack's (NHI-H-006/007).
    "CKV_AWS_355": (["NHI-SCOPE-002", "NHI-AWS-010", "NHI-H-006", "NHI-H-007"], "`*` resource for restrictable actions"),
    "CKV_AWS_356": (["NHI-SCOPE-002", "NHI-AWS-010", "NHI-H-006", "NHI-H-007"], "`*` resource for restrictable actions (data)"),
    "CKV_AWS_393": (["NHI-AWS-013"], "GitHub OIDC trust without a repository"),
    "CKV2_AWS_22": ([], "no rule: an IAM user with a console login profile and no keys is a person; nhigate reports a password only on a user that also has access keys (NHI-AWS-002)"),
    "CKV2_AWS_40": (["NHI-SCOPE-001", "NHI-AWS-010", "NHI-AWS-006"], "iam:* (full IAM access)"),
    "CKV2_AWS_56": (["NHI-AWS-004"], "IAMFullAccess attached"),
    # GCP
    "CKV_GCP_28": (["NHI-GCP-006"], "allUsers/allAuthenticatedUsers on a bucket"),
    "CKV_GCP_41": (["NHI-GCP-004"], "serviceAccountUser/TokenCreator on a project"),
    "CKV_GCP_42": (["NHI-GCP-002", "NHI-GCP-003"], "SA with admin/owner/editor on a project"),
    "CKV_GCP_44": (["NHI-GCP-004", "NHI-GCP-002", "NHI-GCP-007"], "impersonation roles on a folder"),
    "CKV_GCP_45": (["NHI-GCP-004", "NHI-GCP-002", "NHI-GCP-007"], "impersonation roles on an organization"),
    "CKV_GCP_46": (["NHI-GCP-005"], "default compute SA granted a role"),
    "CKV_GCP_49": (["NHI-GCP-004", "NHI-GCP-002"], "impersonation roles on a project"),
    "CKV_GCP_113": (["NHI-GCP-006"], "allUsers in google_iam_policy"),
    "CKV_GCP_116": (["NHI-GCP-002"], "basic roles on a folder (nhigate: owner/editor, not viewer)"),
    "CKV_GCP_117": (["NHI-GCP-002"], "basic roles on a project (nhigate: owner/editor, not viewer)"),
}

# Rules whose `maps "checkov:…"` names a check count as meant for it too (so a
# newer binary's rules are picked up), except these maps, which name a check
# about something else: reported, not used.
WRONG_MAPS = {
    ("NHI-K8S-004", "CKV_K8S_155"): "CKV_K8S_155 is write access to admission webhooks, not bind/escalate/impersonate",
    ("NHI-K8S-004", "CKV_K8S_156"): "CKV_K8S_156 is approving CSRs, not bind/escalate/impersonate",
    ("NHI-K8S-005", "CKV_K8S_158"): "CKV_K8S_158 is the `escalate` verb on roles, not minting SA tokens",
}


def binary_maps(binary):
    """check -> rules of the binary (with the hardening pack) that map to it."""
    o = subprocess.run([binary, "rules", "list", "--format", "json", "--with", "hardening"],
                       capture_output=True, text=True)
    out = collections.defaultdict(set)
    try:
        rules = json.loads(o.stdout)
    except ValueError:
        return out
    for r in rules:
        for m in r.get("maps") or []:
            if m.startswith("checkov:"):
                out[m.split(":", 1)[1]].add(r["id"])
    return out


# Expected failing resources of agreeing checks that nhigate deliberately does
# not report: counted apart ("deliberate") and left out of the adjusted total.
RESOURCE_DIFFERS = {
    ("CKV_GCP_116", "google_folder_iam_member.viewer"): "roles/viewer is read-only: NHI-GCP-002 judges owner/editor",
    ("CKV_GCP_116", "google_folder_iam_binding.viewer"): "roles/viewer is read-only: NHI-GCP-002 judges owner/editor",
    ("CKV_GCP_117", "google_project_iam_member.viewer"): "roles/viewer is read-only: NHI-GCP-002 judges owner/editor",
    ("CKV_GCP_117", "google_project_iam_binding.viewer"): "roles/viewer is read-only: NHI-GCP-002 judges owner/editor",
    ("CKV2_AWS_56", "aws_iam_policy.name_fail1"): "a `data \"aws_iam_policy\"` lookup grants nothing; the attachments are reported",
    ("CKV2_AWS_56", "aws_iam_policy.arn_fail2"): "a `data \"aws_iam_policy\"` lookup grants nothing; the attachments are reported",
    # Reads on `*` (`ec2:Describe*`) moved to the hardening pack (NHI-H-006/007)
    # after the field trial (docs/field.md): reported there, not by default.
    ("CKV_AWS_355", "aws_iam_policy.fail"): "read-only actions on `*`: the hardening pack's NHI-H-006/007",
    ("CKV_AWS_355", "aws_iam_role_policy.fail"): "read-only actions on `*`: the hardening pack's NHI-H-006/007",
    ("CKV_AWS_355", "aws_iam_user_policy.fail"): "read-only actions on `*`: the hardening pack's NHI-H-006/007",
    ("CKV_AWS_355", "aws_iam_group_policy.fail"): "read-only actions on `*`: the hardening pack's NHI-H-006/007",
    ("CKV_AWS_356", "aws_iam_policy_document.fail"): "read-only actions on `*`: the hardening pack's NHI-H-006/007",
}

# Resource types whose access is people's, not a machine identity's: IAM
# Identity Center permission sets are assigned to workforce users and groups.
TYPE_DIFFERS = {
    "aws_ssoadmin_permission_set_inline_policy": "IAM Identity Center permission sets are people's access, not a machine identity's",
    "aws_ssoadmin_managed_policy_attachment": "IAM Identity Center permission sets are people's access, not a machine identity's",
}

# Tests that assert only counts (`summary['failed'] == N`): the failing
# resources, as (file under the fixture folder, Checkov resource id). Derived
# once by running Checkov 3.3.13 (this checkout) with --check on the folder;
# each list's length equals the test's asserted count.
EXPLICIT = {
    "tests/kubernetes/checks/test_DefaultServiceAccount.py": ("example_DefaultServiceAccount", [
        ("DefaultServiceAccount-FAILED.yaml", "ServiceAccount.awesomeness.default"),
        ("DefaultServiceAccount-FAILED2.yaml", "ServiceAccount.awesomeness.default")]),
    "tests/kubernetes/checks/test_DefaultServiceAccountBinding.py": ("example_DefaultServiceAccountBinding", [
        ("DefaultServiceAccountBinding-FAILED.yaml", "RoleBinding.whoa.read-pods"),
        ("DefaultServiceAccountBinding-FAILED.yaml", "ClusterRoleBinding.default.destroy-k8s")]),
    "tests/kubernetes/checks/test_ServiceAccountTokens.py": ("example_ServiceAccountTokens", [
        ("ServiceAccountTokensFAILED.yaml", "Pod.default.pod1"),
        ("ServiceAccountTokensFAILED.yaml", "Pod.default.pod2")]),
    "tests/cloudformation/checks/resource/aws/test_CloudsplainingIAMCredentialsExposure.py": ("Cloudsplaining_IAMCredentialsExposure", [
        ("FAILED.yml", "AWS::IAM::Policy.IAMUpdateAccessKeyPolicy")]),
    "tests/cloudformation/checks/resource/aws/test_CloudsplainingIAMGroup.py": ("Cloudsplaining_IAMGroup", [
        ("FAILED.yml", "AWS::IAM::Group.PolicyOnePassPolicyTwoFailAdmin"),
        ("FAILED.yml", "AWS::IAM::Group.PolicyOneFailPolicyTwoFailPermissionsWildcard")]),
    "tests/cloudformation/checks/resource/aws/test_CloudsplainingIAMRole.py": ("Cloudsplaining_IAMRole", [
        ("FAILED.yml", "AWS::IAM::Role.PolicyOnePassPolicyTwoFailAdmin"),
        ("FAILED.yml", "AWS::IAM::Role.PolicyOneFailPolicyTwoFailPermissionsWildcard")]),
    "tests/cloudformation/checks/resource/aws/test_CloudsplainingIAMUser.py": ("Cloudsplaining_IAMUser", [
        ("FAILED.yml", "AWS::IAM::User.PolicyOnePassPolicyTwoFailAdmin"),
        ("FAILED.yml", "AWS::IAM::User.PolicyOneFailPolicyTwoFailPermissionsWildcard")]),
    "tests/cloudformation/checks/resource/aws/test_CloudsplainingManagedPolicy.py": ("Cloudsplaining_ManagedPolicy", [
        ("FAILED.yml", "AWS::IAM::ManagedPolicy.AdminAllow"),
        ("FAILED.yml", "AWS::IAM::ManagedPolicy.PermissionsWildcard0"),
        ("FAILED.yml", "AWS::IAM::ManagedPolicy.PermissionsWildcard1")]),
    "tests/cloudformation/checks/resource/aws/test_IAMAdminPolicyDocument.py": ("example_IAMAdminPolicyDocument", [
        ("iam_group.fail.json", "AWS::IAM::Group.mygroup"),
        ("iam_user.fail.json", "AWS::IAM::User.CFNUser"),
        ("iam_policy.fail.json", "AWS::IAM::Policy.NEWPolicy"),
        ("iam_role.fail.json", "AWS::IAM::Role.RootRole")]),
    "tests/cloudformation/checks/resource/aws/test_IAMPermissionsManagement.py": ("Cloudsplaining_IAMPermissionsManagement", [
        ("FAILED.yml", "AWS::IAM::Policy.AdminAllow"),
        ("FAILED.yml", "AWS::IAM::Policy.PermissionsWildcard0"),
        ("FAILED.yml", "AWS::IAM::Policy.PermissionsWildcard1")]),
    "tests/cloudformation/checks/resource/aws/test_IAMPolicyAttachedToGroupOrRoles.py": ("example_IAMPolicyAttachedToGroupOrRoles", [
        ("IAMPolicyAttachedToGroupOrRoles-FAILED.yml", "AWS::IAM::Policy.ExamplePolicy")]),
    "tests/cloudformation/checks/resource/aws/test_IAMRoleAllowAssumeFromAccount.py": ("example_IAMRoleAllowAssumeFromAccount", [
        ("example_IAMRoleAllowAssumeFromAccount-FAILED.yml", "AWS::IAM::Role.ExecutionRole")]),
    "tests/cloudformation/checks/resource/aws/test_IAMStarActionPolicyDocument.py": ("example_IAMStarActionPolicyDocument", [
        ("iam_group.fail.json", "AWS::IAM::Group.mygroup"),
        ("iam_user.fail.json", "AWS::IAM::User.CFNUser"),
        ("iam_policy.fail.json", "AWS::IAM::Policy.NEWPolicy"),
        ("iam_role.fail.json", "AWS::IAM::Role.RootRole")]),
    "tests/cloudformation/checks/resource/aws/test_IAMWriteAccess.py": ("Cloudsplaining_IAMWriteAccess", [
        ("FAILED.yml", "AWS::IAM::Policy.AdminAllow"),
        ("FAILED.yml", "AWS::IAM::Policy.WriteWildcard0"),
        ("FAILED.yml", "AWS::IAM::Policy.WriteWildcard1")]),
}

TEST_ROOTS = [
    "tests/kubernetes/checks",
    "tests/terraform/checks/resource/aws", "tests/terraform/checks/resource/gcp",
    "tests/terraform/checks/resource/kubernetes",
    "tests/terraform/checks/data/aws", "tests/terraform/checks/data/gcp",
    "tests/cloudformation/checks/resource/aws",
]
GRAPH_ROOTS = [  # (expected.yaml folders, graph check definitions)
    ("tests/kubernetes/graph/checks/resources", "checkov/kubernetes/checks/graph_checks"),
    ("tests/terraform/graph/checks/resources", "checkov/terraform/checks/graph_checks"),
]

Case = collections.namedtuple("Case", "check source fixture expected how")
# expected: list of (relative file or None, resource id)


# ---------------------------------------------------------------- discovery

def check_id_of_module(ckv, module):
    path = os.path.join(ckv, *module.split(".")) + ".py"
    if not os.path.exists(path):
        return None
    m = re.search(r'\bid\s*=\s*["\'](CKV2?_[A-Z0-9]+_\d+)["\']', open(path, encoding="utf-8").read())
    return m.group(1) if m else None


def literal_strings(node):
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def asserts_failed(func):
    for n in ast.walk(func):
        if isinstance(n, ast.Attribute) and n.attr == "FAILED" and getattr(n.value, "id", "") == "CheckResult":
            return True
    return False


def hcl_address(func):
    """`hcl_res['resource'][0]['TYPE']['NAME']` -> TYPE.NAME"""
    for n in ast.walk(func):
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "resource_conf":
            keys, v = [], n.value
            while isinstance(v, ast.Subscript):
                s = v.slice
                if isinstance(s, ast.Constant) and isinstance(s.value, str):
                    keys.append(s.value)
                v = v.value
            keys.reverse()
            if len(keys) >= 3:
                return f"{keys[-2]}.{keys[-1]}"
    return None


def hcl_value(v, indent="  "):
    if isinstance(v, list) and len(v) == 1:
        v = v[0]
    if isinstance(v, dict) or (isinstance(v, str) and v.lstrip().startswith("{")):
        body = json.dumps(v, indent=2) if isinstance(v, dict) else v
        return "<<POLICY\n" + body + "\nPOLICY"
    if isinstance(v, list):
        return "[" + ", ".join(json.dumps(x) for x in v) + "]"
    return json.dumps(v)


def discover(ckv, tmp):
    cases = []
    for root in TEST_ROOTS:
        for f in sorted(glob.glob(os.path.join(ckv, root, "test_*.py"))):
            src = open(f, encoding="utf-8").read()
            m = re.search(r"from (checkov\.[\w.]+) import check\b", src)
            if not m:
                continue
            cid = check_id_of_module(ckv, m.group(1))
            if cid not in SCOPE:
                continue
            rel = os.path.relpath(f, ckv)
            here = os.path.dirname(f)
            tree = ast.parse(src)
            funcs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]
            if rel in EXPLICIT:
                d, exp = EXPLICIT[rel]
                cases.append(Case(cid, rel, os.path.join(here, d), list(exp), "count-only test: explicit table"))
                continue
            done = False
            for fn in funcs:
                names = None
                for n in ast.walk(fn):
                    if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") in ("failing_resources", "failed_resources"):
                        names = [s for s in literal_strings(n.value)]
                if names is None:
                    continue
                dirs = [s.strip("/") for s in literal_strings(fn) if re.fullmatch(r"/?(example_|Cloudsplaining_)\w+", s)]
                if not dirs:
                    continue
                cases.append(Case(cid, f"{rel}::{fn.name}", os.path.join(here, dirs[0]),
                                  [(None, n) for n in names], "failing_resources"))
                done = True
            if done:
                continue
            # unit tests on inline HCL or on a conf dict
            out = os.path.join(tmp, cid + "__" + os.path.basename(f)[:-3])
            exp = []
            for fn in funcs:
                if not asserts_failed(fn):
                    continue
                hcl = [n for n in ast.walk(fn) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "loads"]
                text, addr = None, None
                if hcl and hcl[0].args and isinstance(hcl[0].args[0], ast.Constant):
                    text = textwrap.dedent(hcl[0].args[0].value).strip() + "\n"
                    addr = hcl_address(fn)
                else:
                    conf, etype = None, None
                    for n in ast.walk(fn):
                        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "resource_conf":
                            try:
                                conf = ast.literal_eval(n.value)
                            except ValueError:
                                conf = None
                        if isinstance(n, ast.keyword) and n.arg == "entity_type" and isinstance(n.value, ast.Constant):
                            etype = n.value.value
                    if isinstance(conf, dict) and etype:
                        addr = f"{etype}.{fn.name}"
                        text = f'resource "{etype}" "{fn.name}" {{\n' + "".join(
                            f"  {k} = {hcl_value(v)}\n" for k, v in conf.items()) + "}\n"
                if not text or not addr:
                    continue
                os.makedirs(os.path.join(out, fn.name), exist_ok=True)
                with open(os.path.join(out, fn.name, "main.tf"), "w", encoding="utf-8") as w:
                    w.write(text)
                exp.append((f"{fn.name}/main.tf", addr))
            if exp:
                how = "inline hcl2.loads snippets" if "hcl2.loads" in src else "conf dicts rendered as HCL"
                cases.append(Case(cid, rel, out, exp, how))
    for res_root, def_root in GRAPH_ROOTS:
        for exp_file in sorted(glob.glob(os.path.join(ckv, res_root, "*", "expected.yaml"))):
            name = os.path.basename(os.path.dirname(exp_file))
            defs = glob.glob(os.path.join(ckv, def_root, "**", name + ".yaml"), recursive=True)
            if not defs:
                continue
            m = re.search(r'^\s*id:\s*"?(CKV2?_[A-Z0-9]+_\d+)', open(defs[0], encoding="utf-8").read(), re.M)
            if not m or m.group(1) not in SCOPE:
                continue
            fails, section = [], None
            for line in open(exp_file, encoding="utf-8"):
                k = re.match(r"^(\w+):", line)
                if k:
                    section = k.group(1)
                    continue
                v = re.match(r'^\s*-\s*["\']?([^"\'#]+?)["\']?\s*$', line)
                if v and section == "fail":
                    fails.append((None, v.group(1)))
            cases.append(Case(m.group(1), os.path.relpath(exp_file, ckv), os.path.dirname(exp_file), fails, "expected.yaml"))
    return cases


# ---------------------------------------------------------------- locating

def tf_block_end(lines, start):
    """Index of the line closing the block opened on lines[start]."""
    depth, i, heredoc = 0, start, None
    while i < len(lines):
        line = lines[i]
        if heredoc:
            if line.strip() == heredoc:
                heredoc = None
            i += 1
            continue
        j, instr, interp = 0, False, 0
        while j < len(line):
            c = line[j]
            if instr:
                if c == "\\":
                    j += 2
                    continue
                if c == '"' and interp == 0:
                    instr = False
                elif line.startswith("${", j):
                    interp += 1
                    j += 1
                elif c == "}" and interp:
                    interp -= 1
            else:
                if c == "#" or line.startswith("//", j):
                    break
                if c == '"':
                    instr = True
                elif line.startswith("<<", j):
                    m = re.match(r"<<-?\s*\"?(\w+)\"?", line[j:])
                    if m:
                        heredoc = m.group(1)
                        break
                elif c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                    if depth == 0:
                        return i
            j += 1
        i += 1
    return len(lines) - 1


def files_under(d, exts):
    out = []
    for r, _, fs in os.walk(d):
        for f in fs:
            if f.lower().endswith(exts):
                out.append(os.path.relpath(os.path.join(r, f), d))
    return sorted(out)


def locate_tf(d, rid, relfile):
    typ, name = rid.split(".", 1)
    pat = re.compile(r'^\s*(resource|data)\s+"%s"\s+"%s"\s*\{' % (re.escape(typ), re.escape(name)))
    hits = []
    for f in ([relfile] if relfile else files_under(d, (".tf",))):
        lines = open(os.path.join(d, f), encoding="utf-8", errors="replace").read().split("\n")
        for i, line in enumerate(lines):
            if pat.match(line):
                hits.append((f, i + 1, tf_block_end(lines, i) + 1, None))
    return hits


def locate_cfn(d, rid, relfile):
    logical = rid.split(".", 1)[1]
    hits = []
    for f in ([relfile] if relfile else files_under(d, (".yaml", ".yml", ".json", ".template"))):
        lines = open(os.path.join(d, f), encoding="utf-8", errors="replace").read().split("\n")
        if f.endswith(".json"):
            for i, line in enumerate(lines):
                if re.match(r'^\s*"%s"\s*:\s*\{' % re.escape(logical), line):
                    depth, end = 0, i
                    for k in range(i, len(lines)):
                        depth += lines[k].count("{") - lines[k].count("}")
                        if depth <= 0:
                            end = k
                            break
                    hits.append((f, i + 1, end + 1, None))
        else:
            in_res = False
            for i, line in enumerate(lines):
                if re.match(r"^Resources\s*:", line):
                    in_res = True
                    continue
                if in_res and re.match(r"^\S", line) and not line.startswith("#"):
                    in_res = False
                m = re.match(r"^(\s+)%s\s*:\s*$" % re.escape(logical), line)
                if in_res and m:
                    ind, end = len(m.group(1)), i
                    for k in range(i + 1, len(lines)):
                        s = lines[k]
                        if s.strip() and not s.strip().startswith("#") and len(s) - len(s.lstrip()) <= ind:
                            break
                        if s.strip():
                            end = k
                    hits.append((f, i + 1, end + 1, None))
    return hits


def k8s_docs(path):
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    docs, cur, start = [], [], 0
    for i, line in enumerate(lines + ["---"]):
        if re.match(r"^---\s*$", line):
            if any(l.strip() and not l.lstrip().startswith("#") for l in cur):
                docs.append((start, cur))
            cur, start = [], i + 1
        else:
            cur.append(line)
    out = []
    for start, body in docs:
        info = {"roleRef": {}}
        block = None
        for line in body:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m = re.match(r"^(\w+):\s*(.*?)\s*(#.*)?$", line)
            if m:
                block = m.group(1)
                if m.group(2):
                    info[block] = m.group(2).strip("\"'")
                continue
            m = re.match(r"^\s+(\w+):\s*(.*?)\s*(#.*)?$", line)
            if m and block in ("metadata", "roleRef") and len(line) - len(line.lstrip()) <= 2:
                (info.setdefault(block, {}) if block == "metadata" else info["roleRef"])[m.group(1)] = m.group(2).strip("\"'")
        content = [k for k, l in enumerate(body) if l.strip() and not l.lstrip().startswith("#")]
        meta = info.get("metadata") if isinstance(info.get("metadata"), dict) else {}
        out.append({"kind": info.get("kind", ""), "name": meta.get("name", ""),
                    "namespace": meta.get("namespace", "default"), "roleRef": info["roleRef"],
                    "lo": start + content[0] + 1, "hi": start + content[-1] + 1})
    return out


def locate_k8s(d, rid, relfile):
    kind, ns, name = rid.split(".", 2)
    hits = []
    for f in ([relfile] if relfile else files_under(d, (".yaml", ".yml"))):
        docs = k8s_docs(os.path.join(d, f))
        for doc in docs:
            if doc["kind"] == kind and doc["name"] == name and doc["namespace"] == ns:
                role = None
                if kind in ("RoleBinding", "ClusterRoleBinding") and doc["roleRef"].get("name"):
                    role = (doc["roleRef"].get("kind", ""), doc["roleRef"]["name"], ns)
                hits.append((f, doc["lo"], doc["hi"], role))
    return hits


def locate_role(d, role):
    kind, name, ns = role
    for f in files_under(d, (".yaml", ".yml")):
        for doc in k8s_docs(os.path.join(d, f)):
            if doc["kind"] == kind and doc["name"] == name and (kind == "ClusterRole" or doc["namespace"] == ns):
                return (f, doc["lo"], doc["hi"])
    return None


def locate(case, relfile, rid):
    if rid.startswith("AWS::"):
        return locate_cfn(case.fixture, rid, relfile)
    if re.match(r"^[A-Z]\w*\.", rid):
        return locate_k8s(case.fixture, rid, relfile)
    return locate_tf(case.fixture, rid, relfile)


# ---------------------------------------------------------------- nhigate

_cache = {}


def nhigate(binary, d, extra):
    """Policy findings as (rule, path, line), and {path: why skipped}."""
    if d not in _cache:
        o = subprocess.run([binary, "check", d, "--now", NOW, "--format", "json"] + extra,
                           capture_output=True, text=True)
        try:
            report = json.loads(o.stdout)
        except ValueError:
            sys.exit(f"nhigate failed on {d}: {o.stderr.strip()[:400]}")
        _cache[d] = ([(f["rule_id"], f["path"], f["line"]) for f in report["findings"] if f["kind"] == "policy"],
                     {s["path"]: s.get("reason", "") for s in report.get("skipped", [])})
    return _cache[d]


def in_range(findings, f, lo, hi):
    return sorted({r for r, p, line in findings if p == f and lo <= line <= hi})


def check_order(check):
    m = re.match(r"CKV(2?)_([A-Z0-9]+)_(\d+)", check)
    return ({"AWS": 0, "GCP": 1, "K8S": 2}.get(m.group(2), 3), m.group(1), int(m.group(3)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkov", help="Checkov checkout (its tests/ and checkov/ folders)")
    ap.add_argument("nhigate", help="nhigate binary")
    ap.add_argument("--with-hardening", action="store_true", help="also load the optional hardening pack")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every expected resource")
    a = ap.parse_args()
    ckv = os.path.abspath(a.checkov)
    binary = os.path.abspath(a.nhigate)
    extra = ["--with", "hardening"] if a.with_hardening else []
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    ckv_version = re.search(r"version\s*=\s*['\"]([^'\"]+)", open(os.path.join(ckv, "checkov", "version.py")).read())
    maps = binary_maps(binary)
    sem = {}
    for check in SCOPE:
        rules, note = SEMANTICS.get(check, ([], "?"))
        mapped = {r for r in maps.get(check, ()) if (r, check) not in WRONG_MAPS}
        sem[check] = (list(rules) + sorted(mapped - set(rules)), note if not (mapped - set(rules)) or rules
                      else "agree through the binary's maps")
    print(f"{version} vs Checkov {ckv_version.group(1) if ckv_version else '?'} test fixtures"
          f"{' (with hardening)' if extra else ''}\n")
    with tempfile.TemporaryDirectory(prefix="ckv-fixtures-") as tmp:
        cases = discover(ckv, tmp)
        per = collections.OrderedDict()
        for case in sorted(cases, key=lambda c: (check_order(c.check), c.source)):
            findings, skipped = nhigate(binary, case.fixture, extra)
            agree = set(sem[case.check][0])
            row = per.setdefault(case.check, {"exp": 0, "any": 0, "same": 0, "role_same": 0, "deliberate": 0,
                                              "missed": [], "lines": [], "k8s_graph": False})
            for relfile, rid in case.expected:
                hits = locate(case, relfile, rid)
                row["exp"] += 1
                if not hits:
                    row["missed"].append(f"{rid} (not located)")
                    row["lines"].append(f"    ?? {rid}: not located in {case.fixture}")
                    continue
                rules, via = set(), set()
                for f, lo, hi, role in hits:
                    rules.update(in_range(findings, f, lo, hi))
                    if role and case.check.startswith("CKV2_K8S"):
                        row["k8s_graph"] = True
                        r = locate_role(case.fixture, role)
                        if r:
                            via.update(in_range(findings, *r))
                f0, lo0, hi0 = hits[0][:3]
                shown = case.source + ":" + f0 if case.fixture.startswith(tmp) else os.path.relpath(os.path.join(case.fixture, f0), ckv)
                deliberate = RESOURCE_DIFFERS.get((case.check, rid)) or TYPE_DIFFERS.get(rid.split(".")[0])
                row["any"] += bool(rules)
                row["same"] += bool(rules & agree)
                row["role_same"] += bool((rules | via) & agree)
                if deliberate and not rules & agree:
                    row["deliberate"] += 1
                mark = "ok" if rules & agree else ("~~" if rules else "--")
                if not rules & agree:
                    row["missed"].append(rid + (" (deliberate)" if deliberate else ""))
                note = f"  via role: {','.join(sorted(via)) or '-'}" if row["k8s_graph"] else ""
                if f0 in skipped:
                    note += f"  [nhigate skipped the file: {skipped[f0]}]"
                if deliberate:
                    note += f"  [deliberate: {deliberate}]"
                row["lines"].append(f"    {mark} {rid:50} {shown}:{lo0}-{hi0}  [{','.join(sorted(rules)) or '-'}]{note}")
            row["lines"].append(f"       ({case.how}: {case.source})")

        print(f"{'check':12} {'exp':>4} {'any':>4} {'same':>4} {'+role':>5}  semantics / missed (no same-intent finding)")
        tot = collections.Counter()
        for check, row in per.items():
            rules, note = sem[check]
            if rules:
                for k in ("exp", "any", "same", "role_same", "deliberate"):
                    tot[k] += row[k]
            tot["all_exp"] += row["exp"]
            tot["all_any"] += row["any"]
            role = str(row["role_same"]) if row["k8s_graph"] else ""
            what = ("agree: " + ",".join(rules)) if rules else ("DIFFER: " + note)
            print(f"{check:12} {row['exp']:4} {row['any']:4} {row['same']:4} {role:>5}  {what}")
            if rules and row["missed"]:
                print(f"{'':12} missed: {', '.join(row['missed'])}")
            if a.verbose:
                print("\n".join(row["lines"]))

        def pct(n, d):
            return f"{n}/{d} = {100.0 * n / d:.1f}%" if d else "n/a"
        adj = tot["exp"] - tot["deliberate"]
        print()
        print(f"all {len(per)} checks in scope: {tot['all_any']}/{tot['all_exp']} expected-failing resources carry some nhigate finding")
        print(f"where semantics agree ({sum(1 for c in per if sem[c][0])} checks, {tot['exp']} resources):")
        print(f"  flagged by any rule:                          {pct(tot['any'], tot['exp'])}")
        print(f"  flagged by a same-intent rule:                {pct(tot['same'], tot['exp'])}")
        print(f"  same, counting a K8s binding whose role is:   {pct(tot['role_same'], tot['exp'])}")
        print(f"  same-intent, less {tot['deliberate']} deliberate differences:  {pct(tot['same'], adj)}")
        print(f"  + bindings via role, less deliberate:         {pct(tot['role_same'], adj)}")
        wrong = [(r, c, why) for (r, c), why in sorted(WRONG_MAPS.items()) if r in maps.get(c, ())]
        missing = sorted((c, r) for c in per for r in SEMANTICS.get(c, ([], ""))[0] if r not in maps.get(c, ()))
        if wrong:
            print("maps that name a different check: " + "; ".join(f"{r} -> {c} ({why})" for r, c, why in wrong))
        if missing and a.verbose:
            print("same-intent rules without a `maps` to the check: " + ", ".join(f"{r}->{c}" for c, r in missing))
        print("columns: exp = expected failing; any = some nhigate policy finding in the resource's lines; "
              "same = a finding of a rule in SEMANTICS; +role = same, or the bound role flagged by one (K8s graph checks)")


if __name__ == "__main__":
    sys.exit(main())
