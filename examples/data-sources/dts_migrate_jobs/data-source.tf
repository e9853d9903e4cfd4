# The finished jobs tagged env = staging or env = prod, newest first.
data "dts_migrate_jobs" "staging" {
  tag_filters = {
    env = ["staging", "prod"]
  }
  statuses = ["success"]
  order_by = "create_time"
  order    = "desc"
}

output "staging_job_ids" {
  value = data.dts_migrate_jobs.staging.ids
}

output "staging_job_statuses" {
  value = { for job in data.dts_migrate_jobs.staging.jobs : job.id => job.status }
}
