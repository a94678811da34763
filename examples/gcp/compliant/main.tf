# Workload identity for the catalog service: no keys, narrow roles.

resource "google_service_account" "catalog" {
  account_id   = "catalog-api"
  display_name = "Catalog API"
  description  = "owner: team-catalog"
  project      = var.project_id
}

resource "google_project_iam_member" "catalog_pubsub" {
  project = var.project_id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.catalog.email}"
}

resource "google_service_account_iam_member" "catalog_wi" {
  service_account_id = google_service_account.catalog.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:acme-prod.svc.id.goog[catalog/catalog-api]"
}

# Google's own Cloud Run agent gets its agent role.
resource "google_project_iam_member" "run_agent" {
  project = var.project_id
  role    = "roles/run.serviceAgent"
  member  = "serviceAccount:service-123456789012@serverless-robot-prod.iam.gserviceaccount.com"
}
