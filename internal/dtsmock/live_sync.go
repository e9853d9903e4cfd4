package dtsmock

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opendts/terraform-provider-dts/internal/sqlrow"
)

// Timing of the live incremental sync.
const (
	syncPoll = 100 * time.Millisecond
	// ioGrace is how long the replica may fail to reach the source before the job fails.
	ioGrace = 5 * time.Second
)

// replicationName is the name of the target's replication connection for a job.
func replicationName(jobID string) string {
	return "dts_" + strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return '_'
	}, strings.TrimPrefix(jobID, "dts-"))
}

// wildPattern escapes the wildcards of a replicate_wild_do_table name part.
func wildPattern(s string) string {
	return strings.NewReplacer(`\`, `\\`, `_`, `\_`, `%`, `\%`).Replace(s)
}

// replicationFilters is the replicate_wild_do_table (do) or replicate_wild_ignore_table
// (ignore) value that keeps the replica to the job's selection.
func (m *liveMigration) replicationFilters() (variable, value string) {
	if m.sp.migrateObject != 2 {
		var parts []string
		for _, db := range systemSchemas {
			parts = append(parts, wildPattern(db)+".%")
		}
		return "replicate_wild_ignore_table", strings.Join(parts, ",")
	}
	var parts []string
	for _, e := range m.sp.entries {
		if len(e.Table) == 0 {
			parts = append(parts, wildPattern(e.Database)+".%")
			continue
		}
		for _, t := range e.Table {
			parts = append(parts, wildPattern(e.Database)+"."+wildPattern(t))
		}
	}
	return "replicate_wild_do_table", strings.Join(parts, ",")
}

// sync keeps the target in sync from the snapshot's binlog position with the target's own
// replication, until the job is completed or stopped or replication fails.
func (m *liveMigration) sync(ctx context.Context) error {
	// The snapshot is no longer needed: the replica starts where it was taken.
	if _, err := m.snap.ExecContext(ctx, "COMMIT"); err != nil {
		return failStep(4, "ending the snapshot: %s", serverError(err))
	}
	name := replicationName(m.sp.jobID)
	// A connection of that name left behind by an earlier run of the job goes first.
	_, _ = m.dst.ExecContext(ctx, "STOP SLAVE '"+name+"'")      //nolint:errcheck // It may not exist.
	_, _ = m.dst.ExecContext(ctx, "RESET SLAVE '"+name+"' ALL") //nolint:errcheck // It may not exist.
	m.repl = name
	change := fmt.Sprintf("CHANGE MASTER '%s' TO MASTER_HOST = %s, MASTER_PORT = %d, MASTER_USER = %s, MASTER_PASSWORD = %s, "+
		"MASTER_LOG_FILE = %s, MASTER_LOG_POS = %d, MASTER_USE_GTID = no, MASTER_CONNECT_RETRY = 1",
		name, quoteString(m.sp.srcHost), m.sp.srcPort, quoteString(m.sp.srcUser), quoteString(m.sp.srcPassword),
		quoteString(m.binlog.file), m.binlog.pos)
	if _, err := m.dst.ExecContext(ctx, change); err != nil {
		return failStep(4, "configuring replication on the target instance: %s", serverError(err))
	}
	variable, value := m.replicationFilters()
	if _, err := m.dst.ExecContext(ctx, fmt.Sprintf("SET GLOBAL %s.%s = %s", name, variable, quoteString(value))); err != nil {
		return failStep(4, "filtering replication to the selection: %s", serverError(err))
	}
	if _, err := m.dst.ExecContext(ctx, "START SLAVE '"+name+"'"); err != nil {
		return failStep(4, "starting replication on the target instance: %s", serverError(err))
	}
	var ioDownSince time.Time
	var target *binlogPos // the source's position that a waitForSync completion waits for
	completing := false
	for {
		st, err := m.replicaStatus(ctx, name)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return failStep(4, "reading the replication status of the target instance: %s", serverError(err))
		}
		if st["Slave_SQL_Running"] != "Yes" && st["Last_SQL_Errno"] != "0" && st["Last_SQL_Errno"] != "" {
			return failStep(4, "replication of incremental data stopped: Error %s: %s", st["Last_SQL_Errno"], st["Last_SQL_Error"])
		}
		if st["Slave_IO_Running"] != "Yes" {
			if ioDownSince.IsZero() {
				ioDownSince = time.Now()
			} else if time.Since(ioDownSince) > ioGrace {
				msg := st["Last_IO_Error"]
				if msg == "" {
					msg = "the replica is not connected (Slave_IO_Running " + st["Slave_IO_Running"] + ")"
				}
				return failStep(4, "replication of incremental data lost the source database %s: Error %s: %s", m.sp.srcAddr(), st["Last_IO_Errno"], msg)
			}
		} else {
			ioDownSince = time.Time{}
		}
		src, err := masterPos(ctx, m.src)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return failStep(4, "reading the binlog position of the source database %s: %s", m.sp.srcAddr(), serverError(err))
		}
		exec := binlogPos{file: st["Relay_Master_Log_File"], pos: atoi64(st["Exec_Master_Log_Pos"])}
		caughtUp := st["Slave_SQL_Running"] == "Yes" && st["Slave_IO_Running"] == "Yes" && !exec.before(src)
		behind := int(atoi64(st["Seconds_Behind_Master"]))
		if caughtUp {
			behind = 0
		}
		distance := 0
		if exec.file == src.file && src.pos > exec.pos {
			distance = int((src.pos - exec.pos) >> 20)
		}
		m.s.withRun(m.r, func(j *jobState, now time.Time) bool {
			m.r.behind, m.r.distance = behind, distance
			if j.Status == StatusRunning && caughtUp {
				m.r.stepFrac = 1
				m.s.phases.enter(j, StatusReadyComplete, now)
				return true
			}
			return false
		})
		if !completing {
			select {
			case mode := <-m.r.complete:
				completing = true
				if mode != "immediately" {
					target = &src
				}
			default:
			}
		}
		if completing && (target == nil || (caughtUp && !exec.before(*target))) {
			return m.removeReplication(ctx)
		}
		if err := sleepReal(ctx, syncPoll); err != nil {
			return err
		}
	}
}

// before reports whether p is earlier in the binlog than q.
func (p binlogPos) before(q binlogPos) bool {
	if p.file != q.file {
		return p.file < q.file
	}
	return p.pos < q.pos
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64) // An empty or NULL field counts as 0.
	return n
}

// replicaStatus is SHOW SLAVE 'name' STATUS as column → value.
func (m *liveMigration) replicaStatus(ctx context.Context, name string) (map[string]string, error) {
	return sqlrow.First(ctx, m.dst, "SHOW SLAVE '"+name+"' STATUS")
}

// masterPos is the source's current binlog position.
func masterPos(ctx context.Context, db *sql.DB) (binlogPos, error) {
	row, err := sqlrow.First(ctx, db, "SHOW MASTER STATUS")
	return binlogPos{file: row["File"], pos: atoi64(row["Position"])}, err
}

// removeReplication stops and removes the target's replication connection of the job.
func (m *liveMigration) removeReplication(ctx context.Context) error {
	if m.repl == "" {
		return nil
	}
	if _, err := m.dst.ExecContext(ctx, "STOP SLAVE '"+m.repl+"'"); err != nil && !isMySQLError(err, 1617) {
		return fmt.Errorf("stopping replication on the target instance: %s", serverError(err))
	}
	if _, err := m.dst.ExecContext(ctx, "RESET SLAVE '"+m.repl+"' ALL"); err != nil && !isMySQLError(err, 1617) {
		return fmt.Errorf("removing replication from the target instance: %s", serverError(err))
	}
	m.repl = ""
	return nil
}
