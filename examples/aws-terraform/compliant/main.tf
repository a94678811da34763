# The billing service's identities, governed: owners, scoped policies,
# roles instead of keys, secrets rotated monthly.

resource "aws_iam_role" "billing_worker" {
  name = "billing-worker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
  tags = {
    owner = "team-billing"
    env   = "prod"
  }
}

resource "aws_iam_policy" "billing_queue" {
  name = "billing-queue"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage"]
        Resource = "arn:aws:sqs:eu-west-1:123456789012:billing"
      },
      {
        # PassRole limited to the one role the worker hands to its tasks.
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "arn:aws:iam::123456789012:role/billing-task"
      },
      {
        # Service-linked roles only: AWS manages their policies.
        Effect   = "Allow"
        Action   = "iam:AttachRolePolicy"
        Resource = "arn:aws:iam::123456789012:role/aws-service-role/*"
      },
      {
        # Decrypt only through Secrets Manager, for the billing stack's tags.
        Effect    = "Allow"
        Action    = ["kms:Decrypt", "sts:AssumeRole"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:ResourceTag/stack" = "billing" } }
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "billing_queue" {
  role       = aws_iam_role.billing_worker.name
  policy_arn = aws_iam_policy.billing_queue.arn
}

resource "aws_iam_role_policy_attachment" "billing_read" {
  role       = aws_iam_role.billing_worker.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
}

data "aws_iam_policy_document" "billing_secrets" {
  statement {
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:billing/*"]
  }
}

resource "aws_iam_role_policy" "billing_secrets" {
  role   = aws_iam_role.billing_worker.id
  policy = data.aws_iam_policy_document.billing_secrets.json
}

resource "aws_secretsmanager_secret_rotation" "billing_db" {
  secret_id           = aws_secretsmanager_secret.billing_db.id
  rotation_lambda_arn = aws_lambda_function.rotator.arn
  rotation_rules {
    automatically_after_days = 30
  }
}

resource "aws_iam_role" "gha_billing" {
  name = "gha-billing-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = "repo:acme/billing:ref:refs/heads/main" }
      }
    }]
  })
  tags = {
    owner = "team-billing"
  }
}

resource "aws_iam_role" "vendor_billing_export" {
  name = "vendor-billing-export"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::999988887777:role/billing-exporter" }
      Condition = { StringEquals = { "sts:ExternalId" = "acme-billing-7f3a" } }
    }]
  })
  tags = {
    owner = "team-billing"
  }
}

# A reusable module's role: the caller passes the owner in its tags.
resource "aws_iam_role" "module_worker" {
  name = "module-worker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
  tags = merge(var.tags, { Name = "module-worker" })
}

# People change their own password; nobody else's.
resource "aws_iam_group_policy" "self_service" {
  group = "engineers"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:ChangePassword", "iam:UpdateLoginProfile"]
      Resource = "arn:aws:iam::*:user/$${aws:username}"
    }]
  })
}
