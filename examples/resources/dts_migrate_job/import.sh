# A migration job is imported by its job ID.
terraform import dts_migrate_job.example dts-1a2b3c4d
