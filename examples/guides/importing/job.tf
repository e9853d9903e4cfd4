# The configuration that terraform plan -generate-config-out wrote for the imported job, edited
# by hand: the passwords (which the API never returns) and the lifecycle arguments set to what
# you want. It goes beside one of the import blocks, by-id.tf or by-identity.tf.
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
    database_type = "mysql"
    access_type   = "extranet"
    ip            = "10.0.0.5"
    port          = 3306
    user          = "migrator"
    # Hand edit: the generated password = null. The password the job already has is not sent
    # on import; the first apply only records the version.
    password_wo         = var.source_password
    password_wo_version = 1
  }

  destination = {
    database_type       = "mysql"
    access_type         = "cdb"
    instance_id         = "cdb-a1b2c3d4"
    region              = "ap-guangzhou"
    user                = "root"
    password_wo         = var.destination_password # hand edit, as above
    password_wo_version = 1
  }

  # Hand edit: import infers start and complete from the job's status and sets wait_for to
  # "running"; say how far later applies should wait.
  wait_for = "ready_complete"
}
