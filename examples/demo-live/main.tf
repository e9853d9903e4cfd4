# The live demo: one full + incremental migration that the emulator, in live mode, really runs
# between two MariaDB servers. `make demo-live` starts the servers and the emulator, and passes
# the source's address and the passwords as variables. The provider reads its credentials,
# region and endpoint from the TENCENTCLOUD_* environment variables that the demo sets.

terraform {
  required_version = ">= 1.11"

  required_providers {
    dts = {
      source = "opendts/dts"
    }
  }
}

provider "dts" {}

variable "source_ip" {
  description = "Address of the source MySQL server."
  type        = string
  default     = "127.0.0.1"
}

variable "source_port" {
  description = "Port of the source MySQL server."
  type        = number
}

variable "source_password" {
  description = "Password of the source's migrator account; write-only, never stored in state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "destination_password" {
  description = "Password of the target's root account; write-only, never stored in state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "complete" {
  description = "Cut over: complete the migration once the target has caught up."
  type        = bool
  default     = false
}

# The whole "shop" database and two tables of "crm": the check verifies the accounts, the
# binlog, the privileges and the selection; the migration copies the rows from one snapshot
# and then keeps the target in sync until it is completed.
resource "dts_migrate_job" "live" {
  name           = "demo-live-shop"
  migrate_type   = "full_and_incremental"
  migrate_object = "databases"
  databases = [
    { database = "shop" },
    { database = "crm", tables = ["customers", "deals"] },
  ]
  wait_for = "ready_complete"
  complete = var.complete

  deletion_protection = false

  source = {
    database_type       = "mysql"
    access_type         = "extranet"
    ip                  = var.source_ip
    port                = var.source_port
    user                = "migrator"
    password_wo         = var.source_password
    password_wo_version = 1
  }

  destination = {
    database_type       = "mysql"
    access_type         = "cdb"
    instance_id         = "cdb-live0001"
    region              = "ap-guangzhou"
    user                = "root"
    password_wo         = var.destination_password
    password_wo_version = 1
  }
}

output "job_id" {
  value = dts_migrate_job.live.id
}

output "status" {
  value = dts_migrate_job.live.status
}

output "seconds_behind_master" {
  value = dts_migrate_job.live.detail.seconds_behind_master
}
