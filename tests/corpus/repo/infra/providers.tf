provider "github" {
  token = "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"
}
provider "vault" {
  token = var.vault_token
}
resource "aws_db_instance" "ledger" {
  password = data.aws_secretsmanager_secret_version.db.secret_string
  manage_master_user_password = true
}
