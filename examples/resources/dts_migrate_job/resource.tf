# A one-off full migration of two MySQL databases into a cloud database instance. Apply
# returns once the data has been copied.
resource "dts_migrate_job" "example" {
  name           = "orders-to-cdb"
  migrate_type   = "full"
  migrate_object = "databases"
  databases = [
    { database = "orders" },
    { database = "billing", tables = ["invoices", "payments"] },
  ]

  source = {
    database_type       = "mysql"
    access_type         = "extranet"
    ip                  = "10.0.0.5"
    port                = 3306
    user                = "migrator"
    password_wo         = var.source_password
    password_wo_version = 1
    engine_version      = "5.7"
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

  tags = {
    team = "data-platform"
  }

  wait_for = "success"

  timeouts {
    create = "3h"
  }
}

output "job_id" {
  value = dts_migrate_job.example.id
}

output "status" {
  value = dts_migrate_job.example.status
}
