# Bringing a job made outside Terraform under management: an import block by job ID, beside the
# job's configuration (sync.tf, of the cutting-over guide).
import {
  to = dts_migrate_job.orders
  id = "dts-1a2b3c4d"
}
