output "full_migration" {
  description = "The full migration: its job ID, status and progress."
  value = {
    id       = dts_migrate_job.full.id
    status   = dts_migrate_job.full.status
    check    = dts_migrate_job.full.check.status
    progress = dts_migrate_job.full.detail.progress
    steps    = "${dts_migrate_job.full.detail.step_now}/${dts_migrate_job.full.detail.step_all}"
  }
}

output "incremental_migration" {
  description = "The incremental migration: its job ID, status, progress and replication lag."
  value = {
    id                       = dts_migrate_job.incremental.id
    status                   = dts_migrate_job.incremental.status
    check                    = dts_migrate_job.incremental.check.status
    progress                 = dts_migrate_job.incremental.detail.progress
    steps                    = "${dts_migrate_job.incremental.detail.step_now}/${dts_migrate_job.incremental.detail.step_all}"
    seconds_behind_master    = dts_migrate_job.incremental.detail.seconds_behind_master
    master_slave_distance_mb = dts_migrate_job.incremental.detail.master_slave_distance_mb
  }
}
