module "catalog" {
  source = "./modules/app-role"
  name   = "catalog-task"
  tags   = { owner = "team-catalog", env = "prod" }
}
