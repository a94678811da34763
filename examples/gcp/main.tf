# Identities of the data platform project.

resource "google_service_account" "etl_runner" {
  account_id   = "etl-runner"
  display_name = "ETL runner"
  project      = var.project_id
}

resource "google_service_account_key" "etl_runner" {
  service_account_id = google_service_account.etl_runner.name
}

resource "google_project_iam_member" "etl_editor" {
  project = var.project_id
  role    = "roles/editor"
  member  = "serviceAccount:${google_service_account.etl_runner.email}"
}

resource "google_project_iam_member" "etl_token_creator" {
  project = var.project_id
  role    = "roles/iam.serviceAccountTokenCreator"
  member  = "serviceAccount:${google_service_account.etl_runner.email}"
}

resource "google_project_iam_binding" "storage_admins" {
  project = var.project_id
  role    = "roles/storage.admin"
  members = [
    "serviceAccount:${google_service_account.etl_runner.email}",
  ]
}

resource "google_project_iam_member" "default_compute" {
  project = var.project_id
  role    = "roles/bigquery.dataViewer"
  member  = "serviceAccount:123456789012-compute@developer.gserviceaccount.com"
}

resource "google_storage_bucket_iam_member" "public_exports" {
  bucket = google_storage_bucket.exports.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_folder_iam_member" "etl_folder_viewer" {
  folder = "folders/123456789"
  role   = "roles/viewer"
  member = "serviceAccount:${google_service_account.etl_runner.email}"
}

resource "google_project_iam_member" "etl_run_agent" {
  project = var.project_id
  role    = "roles/run.serviceAgent"
  member  = "serviceAccount:${google_service_account.etl_runner.email}"
}
