# The reporting integration, created by hand in 2023 and imported.

resource "azuread_application" "reporting" {
  display_name = "reporting-sync"

  required_resource_access {
    resource_app_id = "00000003-0000-0000-c000-000000000000" # Microsoft Graph
    resource_access {
      id   = "19dbc75e-c2e2-444c-a770-ec69d8559fc7"
      type = "Role"
    }
  }
}

resource "azuread_service_principal" "reporting" {
  client_id = azuread_application.reporting.client_id
}

resource "azuread_application_password" "reporting" {
  application_id = azuread_application.reporting.id
}

resource "azuread_service_principal_password" "reporting_legacy" {
  service_principal_id = azuread_service_principal.reporting.id
  end_date             = "2027-06-30T00:00:00Z"
}

resource "azurerm_role_assignment" "reporting_owner" {
  scope                = data.azurerm_subscription.primary.id
  role_definition_name = "Owner"
  principal_id         = azuread_service_principal.reporting.object_id
}

resource "azurerm_role_assignment" "reporting_contributor" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_name = "Contributor"
  principal_id         = azuread_service_principal.reporting.object_id
}

resource "azurerm_role_assignment" "reporting_rg_uaa" {
  scope                = azurerm_resource_group.reporting.id
  role_definition_name = "User Access Administrator"
  principal_id         = azuread_service_principal.reporting.object_id
}
