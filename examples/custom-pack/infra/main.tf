# Acme's deploy user: owned by a team, two access keys. Under the built-in
# defaults it passes; nhigate.toml allows one key and 30 days.
resource "aws_iam_user" "deploy" {
  name = "deploy-prod"
  tags = { env = "prod", owner = "team-platform" }
}

resource "aws_iam_access_key" "deploy_a" {
  user = aws_iam_user.deploy.name
}

resource "aws_iam_access_key" "deploy_b" {
  user = aws_iam_user.deploy.name
}
