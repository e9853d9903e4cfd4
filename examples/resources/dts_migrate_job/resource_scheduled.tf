# A whole-instance migration that starts at night. Apply checks and starts the job, then
# returns at once: the job waits in ready_run until expect_time.
resource "dts_migrate_job" "scheduled" {
  name         = "crm-night-move"
  migrate_type = "full"
  run_mode     = "scheduled"
  expect_time  = "2030-06-01T02:00:00+08:00"

  # A scheduled job waiting for its start time counts as moving data: the guard keeps a
  # destroy from deleting it. The example is destroyed before it runs, so it lifts the guard.
  deletion_protection = false

  source = {
    database_type       = "mysql"
    access_type         = "dcg"
    uniq_dcg_id         = "dcg-7xk2m4pq"
    vpc_id              = "vpc-2b4c6d8e"
    subnet_id           = "subnet-1a3c5e7g"
    ip                  = "10.20.0.8"
    port                = 3306
    user                = "migrator"
    password_wo         = var.source_password
    password_wo_version = 1
  }

  destination = {
    database_type       = "mysql"
    access_type         = "cdb"
    instance_id         = "cdb-9h8g7f6e"
    region              = "ap-shanghai"
    password_wo         = var.destination_password
    password_wo_version = 1
  }
}
