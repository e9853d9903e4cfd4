# A full migration that apply follows to the end. timeouts bound each apply, not the
# migration: when one runs out the job goes on, and the next apply picks up where it stopped.
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

resource "dts_migrate_job" "archive" {
  name         = "archive-to-cdb"
  migrate_type = "full"

  source = {
    database_type       = "mysql"
    access_type         = "extranet"
    ip                  = "10.0.0.7"
    port                = 3306
    user                = "migrator"
    password_wo         = var.source_password
    password_wo_version = 1
  }

  destination = {
    database_type       = "mysql"
    access_type         = "cdb"
    instance_id         = "cdb-e5f6g7h8"
    region              = "ap-guangzhou"
    user                = "root"
    password_wo         = var.destination_password
    password_wo_version = 1
  }

  wait_for = "success"

  # deletion_protection is left at its default, true: a timed-out create is tainted, and the
  # guard keeps the replacement Terraform then plans from deleting the running job.

  timeouts {
    create = "6h"
    update = "6h"
  }
}
