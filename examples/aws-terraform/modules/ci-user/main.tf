# A module that makes a CI user: its name, tags and actions are its
# caller's (ci.tf). Findings about what the caller decides point at the call.
variable "name" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "actions" {
  type    = list(string)
  default = ["s3:GetObject"]
}

resource "aws_iam_user" "this" {
  name = var.name
  tags = var.tags
}

resource "aws_iam_access_key" "this" {
  user = aws_iam_user.this.name
}

resource "aws_iam_user_policy" "this" {
  user = aws_iam_user.this.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = var.actions, Resource = "arn:aws:s3:::acme-artifacts/*" }]
  })
}
