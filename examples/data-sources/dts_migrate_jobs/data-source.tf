variable "source_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "dts_migrate_job" "example" {
  name         = "reports-to-cdb"
  migrate_type = "full"

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

  tags = {
    env = "staging"
  }

  wait_for = "success"
}

# The finished jobs tagged env = staging or env = prod, newest first.
data "dts_migrate_jobs" "staging" {
  tag_filters = {
    env = ["staging", "prod"]
  }
  statuses = ["success"]
  order_by = "create_time"
  order    = "desc"

  depends_on = [dts_migrate_job.example]
}

output "staging_job_ids" {
  value = data.dts_migrate_jobs.staging.ids
}

output "staging_job_statuses" {
  value = { for job in data.dts_migrate_jobs.staging.jobs : job.id => job.status }
}
