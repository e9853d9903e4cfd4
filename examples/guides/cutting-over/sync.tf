# Stage 1 of a cut-over: a full copy, then incremental synchronisation. Apply returns once the
# destination has caught up (ready_complete); the job keeps syncing until you cut over.
resource "dts_migrate_job" "orders" {
  name           = "orders-to-cdb"
  migrate_type   = "full_and_incremental"
  migrate_object = "databases"
  databases      = [{ database = "orders" }]

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

  wait_for = "ready_complete" # apply returns once the destination has caught up
  complete = false            # the cut-over sets this to true

  timeouts {
    create = "6h" # the full copy of a large database takes hours
    update = "2h"
  }
}

# Outputs that change only when the job moves on, so a pipeline that fails on a non-empty
# plan (terraform plan -detailed-exitcode) stays quiet while the job syncs.
output "status" {
  value = dts_migrate_job.orders.status
}

output "in_sync" {
  value = dts_migrate_job.orders.status == "ready_complete"
}

# The lag changes with every refresh: watch it in a check block, which warns without
# changing the plan, rather than in an output, which would change every plan.
check "replication_lag" {
  assert {
    condition     = try(dts_migrate_job.orders.detail.seconds_behind_master < 300, true)
    error_message = "The destination is more than 5 minutes behind the source: do not cut over yet."
  }
}
