# A Redis migration with tuned replication buffers.
#
# This is the one example with a plain `password`, to show the lesser choice: its value is
# stored in the state and in saved plan files, masked on screen but readable by anyone who can
# read those. Use `password_wo` and `password_wo_version`, as every other example does, unless
# your Terraform or OpenTofu is older than 1.11 and has no write-only arguments.
variable "source_password" {
  type      = string
  sensitive = true
}

resource "dts_migrate_job" "redis" {
  name         = "session-cache-move"
  migrate_type = "full_and_incremental"

  source = {
    database_type = "redis"
    access_type   = "extranet"
    ip            = "10.0.2.30"
    port          = 6379
    password      = var.source_password # stored in state: prefer password_wo
  }

  destination = {
    database_type = "redis"
    access_type   = "cdb"
    instance_id   = "crs-5t4r3e2w"
    region        = "ap-guangzhou"
  }

  redis_params = {
    client_output_buffer_hard_limit   = 512
    client_output_buffer_soft_limit   = 256
    client_output_buffer_persist_time = 60
    repl_backlog_size                 = 64
    repl_timeout                      = 120
  }

  wait_for = "ready_complete"

  # A syncing job is protected from destroy and replacement by default. This example is
  # destroyed while it still syncs, so it lifts the guard; keep the default for a real migration.
  deletion_protection = false
}
