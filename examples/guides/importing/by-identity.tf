# Import by identity (Terraform 1.12 or later, OpenTofu 1.12 or later): the import block names
# the job by its identity attributes instead of an ID string, beside the same configuration
# (sync.tf, of the cutting-over guide).
import {
  to = dts_migrate_job.orders
  identity = {
    job_id = "dts-1a2b3c4d"
    region = "ap-guangzhou" # optional for import
  }
}
