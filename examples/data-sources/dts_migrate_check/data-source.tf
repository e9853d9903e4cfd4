variable "source_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

# A job that is created and checked, but not started.
resource "dts_migrate_job" "example" {
  name         = "inventory-dry-run"
  migrate_type = "full"
  start        = false

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
    database_type = "mysql"
    access_type   = "cdb"
    instance_id   = "cdb-a1b2c3d4"
    region        = "ap-guangzhou"
  }
}

# The job's latest check, waiting for it to finish if it is still running.
data "dts_migrate_check" "example" {
  job_id = dts_migrate_job.example.id
  wait   = true

  timeouts {
    read = "10m"
  }
}

output "check_passed" {
  value = data.dts_migrate_check.example.passed
}

output "check_message" {
  value = data.dts_migrate_check.example.error_message
}
