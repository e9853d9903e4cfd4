# Letting the migration go: prevent_destroy removed and deletion_protection = false. Applying
# this first is an in-place update that calls nothing; destroying the job (or replacing it)
# afterwards stops and deletes it.
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
  name         = "orders-live-sync"
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

  deletion_protection = false # applied before the destroy: a destroy reads the value in state
}
