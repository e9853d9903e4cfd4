# Both migrations, read the same way; the incremental one's replication lag apart, since it
# moves from second to second.
locals {
  migrations = {
    full        = dts_migrate_job.full
    incremental = dts_migrate_job.incremental
  }
}

output "migrations" {
  description = "Each migration: its job ID, status, check status and progress."
  value = {
    for name, job in local.migrations : name => {
      id       = job.id
      status   = job.status
      check    = job.check.status
      progress = job.detail.progress
      steps    = "${job.detail.step_now}/${job.detail.step_all}"
    }
  }
}

output "replication_lag" {
  description = "How far the incremental migration's destination is behind its source."
  value = {
    seconds_behind_master    = dts_migrate_job.incremental.detail.seconds_behind_master
    master_slave_distance_mb = dts_migrate_job.incremental.detail.master_slave_distance_mb
  }
}
