# Identities from before the platform team: keys, wildcards, no owners.

resource "aws_iam_user" "reports_bot" {
  name = "reports-bot"
  tags = {
    Name = "reports-bot"
  }
}

resource "aws_iam_access_key" "reports_bot" {
  user = aws_iam_user.reports_bot.name
}

resource "aws_iam_user_login_profile" "reports_bot" {
  user = aws_iam_user.reports_bot.name
}

resource "aws_iam_user_policy" "reports_bot" {
  name = "reports"
  user = aws_iam_user.reports_bot.name
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject"],
      "Resource": "arn:aws:s3:::acme-reports/*"
    }
  ]
}
EOF
}

resource "aws_iam_role" "ops_admin" {
  name = "ops-admin"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
    }]
  })
  tags = {
    owner = "team-sre"
  }
}

resource "aws_iam_role_policy_attachment" "ops_admin" {
  role       = aws_iam_role.ops_admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role_policy" "ops_admin" {
  role = aws_iam_role.ops_admin.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "*"
        Resource = "*"
      },
      {
        Effect    = "Allow"
        NotAction = ["iam:*"]
        Resource  = "arn:aws:s3:::acme-ops/*"
      },
      {
        Effect   = "Allow"
        Action   = ["iam:PassRole", "iam:CreatePolicyVersion"]
        Resource = "*"
      },
      {
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue", "kms:Decrypt"]
        Resource = "*"
      },
      {
        Effect   = "Allow"
        Action   = "sts:AssumeRole"
        Resource = "*"
      },      {
        Effect   = "Allow"
        Action   = ["ec2:Describe*", "s3:ListAllMyBuckets"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_secretsmanager_secret_rotation" "legacy_db" {
  secret_id           = aws_secretsmanager_secret.legacy_db.id
  rotation_lambda_arn = aws_lambda_function.rotator.arn
  rotation_rules {
    automatically_after_days = 180
  }
}

resource "aws_iam_role" "gha_deploy" {
  name = "gha-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
      }
    }]
  })
  tags = {
    owner = "team-platform"
  }
}

resource "aws_iam_role" "vendor_audit" {
  name = "vendor-audit"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::999988887777:root" }
    }]
  })
  tags = {
    owner = "team-security"
  }
}

resource "aws_iam_user_policy" "reports_bot_keys" {
  user = aws_iam_user.reports_bot.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:CreateAccessKey", "iam:ListAccessKeys"]
      Resource = "arn:aws:iam::123456789012:user/system/*"
    }]
  })
}

resource "aws_iam_role" "gha_org" {
  name = "gha-org"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringLike = { "token.actions.githubusercontent.com:sub" = "repo:acme/*" }
      }
    }]
  })
  tags = {
    owner = "team-platform"
  }
}

resource "aws_iam_role" "gha_branch" {
  name = "gha-branch"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:sub" = "ref:refs/heads/main" }
      }
    }]
  })
  tags = {
    owner = "team-platform"
  }
}

resource "aws_iam_role" "partner_sync" {
  name = "partner-sync"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "210987654321" }
    }]
  })
  tags = {
    owner = "team-partners"
  }
}
