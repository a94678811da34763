# The role label.yml logs in as, defined where the infrastructure lives.
resource "aws_iam_role" "ci_labeler" {
  name = "ci-labeler"
  tags = { owner = "team-ci" }
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:acme/site:*" } }
    }]
  })
}

resource "aws_iam_role_policy" "ci_labeler" {
  role = aws_iam_role.ci_labeler.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }]
  })
}
