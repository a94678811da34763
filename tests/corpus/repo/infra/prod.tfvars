datadog_api_key = "9072914ffa9da65202d22b88d917225a"
db_password     = "0FMT70KEqTbbH2hY2g!"
db_username     = "ledger"
kms_key_id      = "arn:aws:kms:eu-west-1:123456789012:key/3194050b-3223-bd7c-94a1-55dc8d0e7bf5"
