# Import by identity (Terraform 1.12 or later, OpenTofu 1.12 or later): the import block names
# the job by its identity attributes instead of an ID string.
import {
  to = dts_migrate_job.orders
  identity = {
    job_id = "dts-1a2b3c4d"
    region = "ap-guangzhou" # optional for import
  }
}

variable "source_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "destination_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "dts_migrate_job" "orders" {
  name         = "orders-to-cdb"
  migrate_type = "full_and_incremental"

  source = {
    database_type       = "mysql"
    access_type         = "extranet"
    ip                  = "10.0.0.5"
    port                = 3306
    user                = "migrator"
    password_wo         = var.source_password
    password_wo_version = 1
  }

  destination = {
    database_type       = "mysql"
    access_type         = "cdb"
    instance_id         = "cdb-a1b2c3d4"
    region              = "ap-guangzhou"
    user                = "root"
    password_wo         = var.destination_password
    password_wo_version = 1
  }

  wait_for = "ready_complete"
}
