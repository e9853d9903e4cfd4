# The demo: two migration jobs on the DTS emulator, run by `make demo`. The provider reads its
# credentials, region and endpoint from the TENCENTCLOUD_* environment variables that the demo
# sets, so the provider block is empty.

terraform {
  required_version = ">= 1.11"

  required_providers {
    dts = {
      source = "opendts/dts"
    }
  }
}

provider "dts" {}

variable "source_password" {
  description = "Password of the source MySQL user; write-only, so it is never stored in state."
  type        = string
  default     = "demo-source-password"
  sensitive   = true
  ephemeral   = true
}

variable "destination_password" {
  description = "Password of the destination MySQL user; write-only, so it is never stored in state."
  type        = string
  default     = "demo-destination-password"
  sensitive   = true
  ephemeral   = true
}

# A full migration of two databases (all of "shop", three tables of "crm"), from a self-built
# MySQL reached over the internet to a cloud MySQL instance. Apply waits until the data is copied.
resource "dts_migrate_job" "full" {
  name           = "demo-full-shop-crm"
  migrate_type   = "full"
  migrate_object = "databases"
  databases = [
    { database = "shop" },
    { database = "crm", tables = ["customers", "contacts", "deals"] },
  ]
  wait_for = "success"

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
    instance_id         = "cdb-demo0001"
    region              = "ap-guangzhou"
    user                = "root"
    password_wo         = var.destination_password
    password_wo_version = 1
  }

  tags = {
    purpose = "demo"
  }
}

# A full migration followed by incremental synchronisation of a whole instance. Apply waits until
# the incremental sync has caught up (ready_complete); the job then keeps replicating until it is
# completed (complete = true) or destroyed.
resource "dts_migrate_job" "incremental" {
  name         = "demo-incremental-orders"
  migrate_type = "full_and_incremental"
  wait_for     = "ready_complete"

  # The demo destroys this job while it still syncs, so it lifts the deletion guard that
  # protects a syncing job by default.
  deletion_protection = false

  source = {
    database_type       = "mysql"
    access_type         = "extranet"
    ip                  = "10.0.0.6"
    port                = 3306
    user                = "replicator"
    password_wo         = var.source_password
    password_wo_version = 1
  }

  destination = {
    database_type       = "mysql"
    access_type         = "cdb"
    instance_id         = "cdb-demo0002"
    region              = "ap-guangzhou"
    user                = "root"
    password_wo         = var.destination_password
    password_wo_version = 1
  }

  tags = {
    purpose = "demo"
  }
}
