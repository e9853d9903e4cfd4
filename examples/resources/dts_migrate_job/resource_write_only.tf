# Passwords as write-only arguments (Terraform 1.11 or later): they reach the API but never the
# plan or the state. Raise the *_version number whenever a password changes, so that the new
# one is sent.
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

resource "dts_migrate_job" "write_only" {
  name         = "ledger-to-cdb"
  migrate_type = "full"

  # A syncing job is protected from destroy and replacement by default. This example is
  # destroyed while it still syncs, so it lifts the guard; keep the default for a real migration.
  deletion_protection = false

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
}
