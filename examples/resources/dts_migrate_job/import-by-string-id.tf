import {
  to = dts_migrate_job.example
  id = "dts-1a2b3c4d"
}
