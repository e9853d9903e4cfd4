// Package dtsmock emulates the Tencent Cloud DTS migration-job API, version 2018-03-30.
//
// The emulator is strict where the real service is strict: it verifies TC3-HMAC-SHA256 and
// v1 (HmacSHA1, HmacSHA256) signatures over POST and GET, rejects unknown parameters, values of
// the wrong type and out-of-range values, and enforces the job state machine of the API notes
// (../shared/reference/API-NOTES.md, section 4). Every processed request is answered with
// HTTP 200 and the API's JSON envelope carrying a fresh RequestId.
//
// Time drives the jobs: each phase (creating, checking, ready-run, migrating, stopping,
// completing) lasts its configured duration on the injected Clock, and a job's status is
// derived from its timestamps whenever it is read, so no goroutine runs per job. A scheduled
// job (RunMode 2) waits in ReadyRun until its ExpectTime, read in UTC+8.
//
// # Deterministic triggers
//
// Tests and demos can provoke failures through the job's own configuration:
//
//   - A source Ip in 192.0.2.0/24 (TEST-NET-1) makes the check fail with a connection error:
//     CheckFlag 0, ErrorCode -1, an ErrorMessage sentence and an ErrorInfo entry on the job.
//   - A selected database (DatabaseInfo) whose name starts with "missing" makes the check fail
//     with "table does not exist".
//   - A source Ip in 198.51.100.0/24 (TEST-NET-2) makes the migration fail at its second step:
//     status 10 (Failed), an ErrorInfo entry, and step 2 marked failed in Detail.StepInfo.
//
// The Go test controls (Server.FailNextCheck, Server.FailMigrationAtStep, Server.Vanish,
// Server.SetJobStatus) provoke the same outcomes without touching the configuration.
//
// # Faults
//
// Fault rules (FaultRule) are applied after authentication: they answer with an error code,
// answer HTTP 502/503 with a non-JSON body, add latency, drop the connection, or perform the
// action and then drop the connection without an answer (drop_after_commit), the case that
// makes clients create duplicates.
//
// # Secrets
//
// Passwords and AccessKey are stored but never returned by DescribeMigrateJobs and never
// written to the journal. The state file (WithStateFile) is the emulator's own storage: it
// holds them, and it is written with mode 0600.
package dtsmock
