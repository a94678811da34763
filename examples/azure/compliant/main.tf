# The invoicing app: owners recorded, secrets expire within six months,
# roles at resource-group scope.

resource "azuread_application" "invoicing" {
  display_name = "invoicing-api"
  owners       = [data.azuread_client_config.current.object_id]
  tags         = ["owner=team-invoicing", "env=prod"]
}

resource "azuread_service_principal" "invoicing" {
  client_id = azuread_application.invoicing.client_id
  owners    = [data.azuread_client_config.current.object_id]
}

resource "azuread_application_password" "invoicing" {
  application_id = azuread_application.invoicing.id
  end_date       = "2025-12-01T00:00:00Z"
}

resource "azurerm_role_assignment" "invoicing_storage" {
  scope                = azurerm_resource_group.invoicing.id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azuread_service_principal.invoicing.object_id
}
