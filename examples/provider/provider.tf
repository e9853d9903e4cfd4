terraform {
  required_providers {
    dts = {
      source = "opendts/dts"
    }
  }
}

# Every argument may instead come from the environment, which keeps keys out of the
# configuration:
#   TENCENTCLOUD_SECRET_ID         secret_id
#   TENCENTCLOUD_SECRET_KEY        secret_key
#   TENCENTCLOUD_SECURITY_TOKEN    security_token (temporary credentials only)
#   TENCENTCLOUD_REGION            region
#   TENCENTCLOUD_DTS_ENDPOINT      endpoint
#   TENCENTCLOUD_SIGNATURE_METHOD  signature_method
provider "dts" {
  region = "ap-guangzhou"

  # Optional tuning; these are the defaults.
  max_retries     = 10
  request_timeout = "60s"
  rate_limit      = 20
}
