variable "job_id" {
  type        = string
  description = "The migration job whose check to read, such as dts-1a2b3c4d."
}

# The job's latest check, waiting for it to finish if it is still running.
data "dts_migrate_check" "example" {
  job_id = var.job_id
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
