module "builder" {
  source  = "./modules/ci-user"
  name    = "build-bot"
  tags    = { owner = "team-build" }
  actions = ["s3:*"]
}

module "docs" {
  source = "./modules/ci-user"
  name   = "docs-bot"
}
