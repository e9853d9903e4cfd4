# For the emulator only: a source address in 192.0.2.0/24 makes its check fail, so that you
# can see, without a cloud account, what a failed check looks like. Apply fails with the
# check's message; the job stays in state, tainted, and a destroy deletes it.
variable "source_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "dts_migrate_job" "unreachable" {
  name         = "unreachable-source"
  migrate_type = "full"

  source = {
    database_type       = "mysql"
    access_type         = "extranet"
    ip                  = "192.0.2.10" # the emulator cannot "reach" this address
    port                = 3306
    user                = "migrator"
    password_wo         = var.source_password
    password_wo_version = 1
  }

  destination = {
    database_type = "mysql"
    access_type   = "cdb"
    instance_id   = "cdb-a1b2c3d4"
    region        = "ap-guangzhou"
  }
}
