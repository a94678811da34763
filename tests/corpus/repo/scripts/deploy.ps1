$password = ConvertTo-SecureString "fPOIe1I2C9iJSOfw!" -AsPlainText -Force
$token = $env:GITHUB_TOKEN
