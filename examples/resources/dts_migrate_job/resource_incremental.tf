# A full migration followed by incremental synchronisation. Apply waits until the destination
# has caught up with the source; set complete = true on the day of the cut-over to finish the
# migration.
resource "dts_migrate_job" "incremental" {
  name         = "shop-live-sync"
  migrate_type = "full_and_incremental"

  consistency_type = "sampling"
  consistency_sampling = {
    select_rows_per_table = 10
    tables_select_all     = 20
    tables_select_count   = 100
  }

  source = {
    database_type       = "mysql"
    access_type         = "cvm"
    cvm_instance_id     = "ins-6fq2xq1r"
    ip                  = "10.0.1.12"
    port                = 3306
    user                = "migrator"
    password_wo         = var.source_password
    password_wo_version = 1
    region              = "ap-guangzhou"
  }

  destination = {
    database_type       = "mysql"
    access_type         = "cdb"
    instance_id         = "cdb-k3m9p2q7"
    region              = "ap-guangzhou"
    user                = "root"
    password_wo         = var.destination_password
    password_wo_version = 1
  }

  wait_for      = "ready_complete"
  complete      = false
  complete_mode = "wait_for_sync"

  # A syncing job is protected from destroy and replacement by default. This example is
  # destroyed while it still syncs, so it lifts the guard; keep the default for a real migration.
  deletion_protection = false
}

# detail.seconds_behind_master and detail.master_slave_distance_mb report the lag; they change
# with every refresh, so they make poor outputs.
output "job_id" {
  value = dts_migrate_job.incremental.id
}

output "status" {
  value = dts_migrate_job.incremental.status
}
