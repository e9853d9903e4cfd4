// Package dtsmock emulates the Tencent Cloud DTS migration-job API, version 2018-03-30.
//
// The emulator is strict where the real service is strict: it verifies TC3-HMAC-SHA256 and
// v1 (HmacSHA1, HmacSHA256) signatures over POST and GET, rejects unknown parameters, values of
// the wrong type and out-of-range values, and enforces the job state machine of the API notes
// (../shared/reference/API-NOTES.md, section 4). Every processed request is answered with
// HTTP 200 and the API's JSON envelope carrying a fresh RequestId.
//
// Time drives the jobs (except in live mode, below): each phase (creating, checking, ready-run, migrating, stopping,
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
// # Live mode
//
// WithLive (the command's -live) makes the emulator do the work of jobs whose source and
// destination are both MySQL, instead of the timers and triggers: the check connects to the
// source (SrcInfo Ip, Port, User, Password) and to the destination, a cdb instance found by
// DstInfo.InstanceId in the WithInstance map (-instance ID=HOST:PORT; an unmapped instance fails
// the check as an unknown instance), and reports each problem as an ErrorInfo entry and in the
// check's ErrorMessage: connection and access errors with the server's own message, versions,
// binlog on, ROW and FULL and distinct server_ids (incremental only), the privileges needed,
// the selected databases and tables, and conflicting tables in the destination. The migration
// creates the selection's base tables (SHOW CREATE), copies the rows of one consistent snapshot
// in multi-row INSERTs (full), and for full + incremental configures a named replication
// connection on the destination from the snapshot's binlog position, filtered to the selection;
// the lag in Detail comes from its SHOW SLAVE STATUS, ready_complete means caught up, and
// Complete (waitForSync or immediately), Stop and a failure remove it. The step and progress
// fields follow the work. Live mode covers MySQL and MariaDB only; other engines keep the
// timers, and live runs are not kept in the state file.
//
// # Faults
//
// Fault rules (FaultRule) are applied after authentication: they answer with an error code,
// answer HTTP 502/503 with a non-JSON body, add latency, drop the connection, or perform the
// action and then drop the connection without an answer (drop_after_commit), the case that
// makes clients create duplicates.
//
// Rules combine: a request can get at most one latency rule and at most one answering rule
// (error, http_status, drop_connection, drop_after_commit). Rules are tried in the order given;
// every rule whose action and job match counts the request (for Every), and the first latency
// rule and the first answering rule that fire are applied: the latency first, then the
// answer. Once a rule of one class has fired, later rules of that class are not tried for that
// request, so their Count and their random draw are left for later requests. Fault files
// (ParseFaults) refuse unknown fields, kinds and actions, fields that do not apply to the
// rule's kind, and out-of-range values, naming the rule's index and the field. The journal
// records the rules that fired on the request's entry (JournalEntry.Faults, e.g.
// "latency:250ms error:InternalError"), so a chaos run can be audited from the journal alone.
//
// drop_after_commit works for every mutating action (CreateMigrateJob, ModifyMigrateJob,
// CreateMigrateCheckJob, StartMigrateJob, StopMigrateJob, CompleteMigrateJob,
// DeleteMigrateJob): the change is made and stored, and the answer is lost.
//
// # Connections
//
// The standalone command and StartTest bound what a client can hold (ConnLimits): the headers
// must arrive within 10 s, the body within 10 s of them, the whole request within 30 s, and an
// idle keep-alive connection is closed after 60 s. Open connections are capped below the
// open-file limit (at most 4,096; -max-conns); at the cap, the connection that has waited
// longest without a complete request (idle, or still dribbling its request) is closed to make
// room, so a flood of slow clients cannot starve well-behaved ones. A body that does not
// arrive in time gets no answer and is journaled as Client.BodyNotRead.
//
// # What the emulator accepts on purpose
//
// As far as we know the real service's scheme accepts them too, so the emulator does: a signed
// request replayed unchanged within the 300-second timestamp window (the official SDKs resend
// the identical request when they retry, so nonces are not deduplicated), and an X-TC-Action
// header that the client did not include in SignedHeaders (the SDKs sign only content-type
// and host).
//
// # Clock
//
// WithClock drives everything time-dependent: the timestamp window of signatures, CreateTime,
// StartTime and EndTime, the phases and throttling. A clock offset from real time (see
// NewOffsetClock) lets a test check a client's tolerance of clock skew.
//
// # Secrets
//
// Passwords and AccessKey are stored but never returned by DescribeMigrateJobs and never
// written to the journal. The state file (WithStateFile) is the emulator's own storage: it
// holds them, and it is written with mode 0600.
//
// # State file
//
// The state file is a JSON snapshot of the jobs (version 2) followed by one change record a
// line. An acknowledged change appends its record and syncs it before the answer, so nothing
// acknowledged is lost when the process is killed, and the cost of a change does not grow with
// the number of jobs. When the records outnumber twice the jobs (and at least 1,024), the file
// is compacted: a new snapshot is written to "<state file>.compact", synced and renamed over
// the state file; a crash during a compaction can leave that one file, which the next start
// removes. A record cut short by a crash was never acknowledged and is dropped. Version 1 files
// (a snapshot alone, the original format) are read and rewritten as version 2.
//
// A change that cannot be stored is answered with InternalError.DatabaseError and taken back:
// the emulator is left exactly as before the request. The file is read and checked whole at
// start-up; a file with an unknown version, an unknown field, a job with an invalid ID, an
// unknown status code, check flag, migrate type or run mode, or two jobs with one ID is refused
// with a message naming the job and the problem, and is never rewritten. A state file whose
// directory does not exist or cannot be written is refused at start-up.
//
// Only one emulator may use a state file at a time.
package dtsmock
