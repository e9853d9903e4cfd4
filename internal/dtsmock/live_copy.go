package dtsmock

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Tuning of the live full copy.
const (
	copyStatementBytes = 1 << 20 // the size a multi-row INSERT grows to before it is sent
	copyWriters        = 2       // connections inserting into the target at once
)

// stepError is a failure of one step of a live migration.
type stepError struct {
	step int
	err  error
}

func (e *stepError) Error() string { return e.err.Error() }

func (e *stepError) Unwrap() error { return e.err }

func failStep(step int, format string, args ...any) error {
	return &stepError{step: step, err: fmt.Errorf(format, args...)}
}

// column is one copied column of a table.
type column struct {
	name string
	kind byte // 'n' number (unquoted), 'x' binary (hex literal), 's' string
}

// copyTable is one table of the copy, with its schema and the rows of the snapshot.
type copyTable struct {
	liveTable
	create string
	cols   []column
	rows   int64
}

// liveMigration is the work of one live migration run.
type liveMigration struct {
	s        *Server
	r        *liveRun
	sp       liveSpec
	src, dst *sql.DB
	snap     *sql.Conn // the source connection holding the consistent snapshot
	tables   []copyTable
	dbs      []string
	binlog   binlogPos
	total    int64
	repl     string // the replication connection configured on the target, "" for none
}

// binlogPos is a position in the source's binary log.
type binlogPos struct {
	file string
	pos  int64
}

func (m *liveMigration) close() {
	if m.snap != nil {
		_ = m.snap.Close() //nolint:errcheck // The snapshot ends with the connection.
	}
	for _, db := range []*sql.DB{m.src, m.dst} {
		if db != nil {
			_ = db.Close() //nolint:errcheck // Nothing to do about a failed close.
		}
	}
}

// runMigration is the live migration of a job, from the end of its ready-run phase to its end.
func (s *Server) runMigration(r *liveRun, sp liveSpec) {
	m := &liveMigration{s: s, r: r, sp: sp}
	defer m.close()
	if err := sleepReal(r.ctx, sp.readyUntil.Sub(s.clock.Now())); err != nil {
		m.end(nil)
		return
	}
	started := s.withRun(r, func(j *jobState, now time.Time) bool {
		if j.Status != StatusReadyRun {
			return false
		}
		s.phases.enter(j, StatusRunning, now)
		r.steps = make([]liveStep, len(migrationSteps(j.MigrateType)))
		for i := range r.steps {
			r.steps[i].status = 4
		}
		r.setStep(1, now)
		return true
	})
	if !started {
		return
	}
	m.end(m.run())
}

func (m *liveMigration) step(no int) {
	m.s.progress(func() { m.r.setStep(no, m.s.clock.Now()) })
}

func (m *liveMigration) frac(f float64) {
	m.s.progress(func() { m.r.stepFrac = f })
}

func (m *liveMigration) run() error {
	ctx := m.r.ctx
	if err := m.initialize(ctx); err != nil {
		return err
	}
	switch m.sp.migrateType {
	case 1:
		m.step(2)
		if err := m.readStructure(ctx); err != nil {
			return failStep(2, "%w", err)
		}
		m.step(3)
		if err := m.createStructure(ctx); err != nil {
			return failStep(3, "%w", err)
		}
		m.step(4)
		return nil
	case 2:
		if err := m.copyAll(ctx); err != nil {
			return err
		}
		m.step(4)
		if err := m.verify(ctx); err != nil {
			return failStep(4, "%w", err)
		}
		m.step(5)
		return nil
	}
	if err := m.copyAll(ctx); err != nil {
		return err
	}
	m.step(4)
	return m.sync(ctx)
}

// initialize connects, opens the snapshot and reads the selection.
func (m *liveMigration) initialize(ctx context.Context) error {
	var err error
	if m.sp.dstAddr == "" {
		return failStep(1, "the target instance %s does not exist in region %s", m.sp.dstInstance, m.sp.dstRegion)
	}
	if m.src, err = openMySQL(m.sp.srcAddr(), m.sp.srcUser, m.sp.srcPassword); err != nil {
		return failStep(1, "%w", err)
	}
	if m.dst, err = openMySQL(m.sp.dstAddr, m.sp.dstUser, m.sp.dstPassword); err != nil {
		return failStep(1, "%w", err)
	}
	m.dst.SetMaxIdleConns(copyWriters + 2)
	if m.snap, err = m.src.Conn(ctx); err != nil {
		return failStep(1, "connecting to the source database %s: %s", m.sp.srcAddr(), serverError(err))
	}
	for _, q := range []string{
		"SET SESSION time_zone = '+00:00', net_write_timeout = 3600, net_read_timeout = 3600",
		"SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
		"START TRANSACTION WITH CONSISTENT SNAPSHOT",
	} {
		if _, err := m.snap.ExecContext(ctx, q); err != nil {
			return failStep(1, "opening a consistent snapshot of the source database: %s", serverError(err))
		}
	}
	if m.sp.incremental() {
		if m.binlog, err = snapshotPos(ctx, m.snap); err != nil {
			return failStep(1, "reading the binlog position of the snapshot: %s", serverError(err))
		}
	}
	tables, dbs, problems, err := resolveSelection(ctx, m.src, m.sp)
	if err != nil {
		return failStep(1, "%s", serverError(err))
	}
	if len(problems) > 0 {
		return failStep(1, "%s", strings.Join(problems, " "))
	}
	m.dbs = dbs
	for _, t := range tables {
		m.tables = append(m.tables, copyTable{liveTable: t})
	}
	if m.sp.migrateType == 1 {
		return nil
	}
	if err := m.readStructure(ctx); err != nil {
		return failStep(1, "%w", err)
	}
	for i := range m.tables {
		t := &m.tables[i]
		if err := m.snap.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t.quoted()).Scan(&t.rows); err != nil {
			return failStep(1, "counting the rows of %s: %s", t, serverError(err))
		}
		m.total += t.rows
	}
	if err := m.createStructure(ctx); err != nil {
		return failStep(1, "%w", err)
	}
	return nil
}

// snapshotPos reads the binlog position that the connection's consistent snapshot matches.
func snapshotPos(ctx context.Context, conn *sql.Conn) (binlogPos, error) {
	var p binlogPos
	rows, err := conn.QueryContext(ctx, "SHOW STATUS LIKE 'binlog_snapshot_%'")
	if err != nil {
		return p, err
	}
	defer rows.Close() //nolint:errcheck // The error of interest is rows.Err.
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return p, err
		}
		switch strings.ToLower(k) {
		case "binlog_snapshot_file":
			p.file = v
		case "binlog_snapshot_position":
			_, err = fmt.Sscan(v, &p.pos)
		}
	}
	if err := rows.Err(); err != nil {
		return p, err
	}
	if err != nil || p.file == "" {
		return p, errors.New("the source reports no binlog position for the snapshot (is log_bin on?)")
	}
	return p, nil
}

// readStructure reads CREATE TABLE and the copied columns of every table.
func (m *liveMigration) readStructure(ctx context.Context) error {
	for i := range m.tables {
		t := &m.tables[i]
		var name string
		if err := m.snap.QueryRowContext(ctx, "SHOW CREATE TABLE "+t.quoted()).Scan(&name, &t.create); err != nil {
			return fmt.Errorf("reading the structure of %s: %s", t, serverError(err))
		}
		rows, err := m.snap.QueryContext(ctx, `SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND EXTRA NOT LIKE '%VIRTUAL GENERATED%' AND EXTRA NOT LIKE '%STORED GENERATED%'
ORDER BY ORDINAL_POSITION`, t.db, t.name)
		if err != nil {
			return fmt.Errorf("reading the columns of %s: %s", t, serverError(err))
		}
		t.cols = t.cols[:0]
		for rows.Next() {
			var c column
			var typ string
			if err := rows.Scan(&c.name, &typ); err != nil {
				_ = rows.Close() //nolint:errcheck // The scan error is the one to report.
				return err
			}
			c.kind = columnKind(typ)
			t.cols = append(t.cols, c)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("reading the columns of %s: %s", t, serverError(err))
		}
		if len(m.tables) > 0 {
			m.frac(float64(i+1) / float64(len(m.tables)))
		}
	}
	return nil
}

func columnKind(dataType string) byte {
	switch strings.ToLower(dataType) {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric", "float", "double", "real":
		return 'n'
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "bit",
		"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection":
		return 'x'
	}
	return 's'
}

// createStructure creates the selected databases and tables on the target.
func (m *liveMigration) createStructure(ctx context.Context) error {
	conn, err := m.dst.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connecting to the target instance %s: %s", m.sp.dstInstance, serverError(err))
	}
	defer conn.Close() //nolint:errcheck // Nothing to do about a failed close.
	if _, err := conn.ExecContext(ctx, "SET SESSION foreign_key_checks = 0, sql_mode = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'"); err != nil {
		return fmt.Errorf("preparing the target session: %s", serverError(err))
	}
	for _, db := range m.dbs {
		var name, create string
		if err := m.snap.QueryRowContext(ctx, "SHOW CREATE DATABASE "+quoteIdent(db)).Scan(&name, &create); err != nil {
			return fmt.Errorf("reading the structure of database %s: %s", db, serverError(err))
		}
		create = strings.Replace(create, "CREATE DATABASE ", "CREATE DATABASE IF NOT EXISTS ", 1)
		create = strings.Replace(create, "IF NOT EXISTS /*!32312 IF NOT EXISTS*/", "IF NOT EXISTS", 1)
		if _, err := conn.ExecContext(ctx, create); err != nil {
			return fmt.Errorf("creating database %s in the target instance: %s", db, serverError(err))
		}
	}
	for i, t := range m.tables {
		if _, err := conn.ExecContext(ctx, "USE "+quoteIdent(t.db)); err != nil {
			return fmt.Errorf("using database %s in the target instance: %s", t.db, serverError(err))
		}
		create := t.create
		if m.sp.migrateType != 1 {
			create = strings.Replace(create, "CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", 1)
		}
		if _, err := conn.ExecContext(ctx, create); err != nil {
			return fmt.Errorf("creating table %s in the target instance: %s", t, serverError(err))
		}
		if m.sp.migrateType == 1 {
			m.frac(float64(i+1) / float64(len(m.tables)))
		}
	}
	return nil
}

// copyAll copies the rows of the snapshot: step 2 reads them (its progress: rows read), step 3
// waits for the last inserts (its progress: rows inserted).
func (m *liveMigration) copyAll(ctx context.Context) error {
	m.step(2)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan copyBatch, copyWriters*2)
	var written atomic.Int64
	var werr error
	var wmu sync.Mutex
	var wg sync.WaitGroup
	setErr := func(err error) {
		wmu.Lock()
		if werr == nil {
			werr = err
		}
		wmu.Unlock()
		cancel()
	}
	for range copyWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := m.dst.Conn(cctx)
			if err != nil {
				setErr(fmt.Errorf("connecting to the target instance %s: %s", m.sp.dstInstance, serverError(err)))
				for range batches { //nolint:revive // Drains the queue so that the reader never blocks.
				}
				return
			}
			defer conn.Close() //nolint:errcheck // Nothing to do about a failed close.
			if _, err := conn.ExecContext(cctx, "SET SESSION foreign_key_checks = 0, unique_checks = 0, time_zone = '+00:00', sql_mode = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'"); err != nil {
				setErr(fmt.Errorf("preparing the target session: %s", serverError(err)))
			}
			for j := range batches {
				if cctx.Err() != nil {
					continue
				}
				if _, err := conn.ExecContext(cctx, j.sql); err != nil {
					setErr(fmt.Errorf("inserting into the target instance %s: %s", m.sp.dstInstance, serverError(err)))
					continue
				}
				written.Add(j.rows)
			}
		}()
	}
	read, rerr := m.readRows(cctx, batches)
	close(batches)
	if rerr == nil {
		m.step(3)
		if m.total > 0 {
			m.frac(float64(written.Load()) / float64(m.total))
		}
	}
	wg.Wait()
	wmu.Lock()
	defer wmu.Unlock()
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case werr != nil:
		return failStep(3, "%w", werr)
	case rerr != nil:
		return failStep(2, "%w", rerr)
	case read != m.total:
		return failStep(2, "the snapshot held %d rows but %d were read", m.total, read)
	}
	return nil
}

// copyBatch is one multi-row INSERT and the number of its rows.
type copyBatch struct {
	sql  string
	rows int64
}

// readRows reads every table of the snapshot and sends multi-row INSERTs to batches;
// it returns the number of rows read.
func (m *liveMigration) readRows(ctx context.Context, batches chan<- copyBatch) (int64, error) {
	var read int64
	var b strings.Builder
	for _, t := range m.tables {
		if len(t.cols) == 0 {
			continue
		}
		names := make([]string, len(t.cols))
		for i, c := range t.cols {
			names[i] = quoteIdent(c.name)
		}
		colList := strings.Join(names, ", ")
		prefix := "INSERT INTO " + t.quoted() + " (" + colList + ") VALUES "
		rows, err := m.snap.QueryContext(ctx, "SELECT "+colList+" FROM "+t.quoted())
		if err != nil {
			return read, fmt.Errorf("reading %s from the source database %s: %s", t, m.sp.srcAddr(), serverError(err))
		}
		vals := make([]sql.RawBytes, len(t.cols))
		ptrs := make([]any, len(t.cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		var inBatch int64
		flush := func() error {
			if inBatch == 0 {
				return nil
			}
			select {
			case batches <- copyBatch{sql: b.String(), rows: inBatch}:
			case <-ctx.Done():
				return ctx.Err()
			}
			read += inBatch
			inBatch = 0
			b.Reset()
			if m.total > 0 {
				m.frac(float64(read) / float64(m.total))
			}
			return nil
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				_ = rows.Close() //nolint:errcheck // The scan error is the one to report.
				return read, fmt.Errorf("reading %s from the source database %s: %s", t, m.sp.srcAddr(), serverError(err))
			}
			if inBatch == 0 {
				b.Grow(copyStatementBytes + copyStatementBytes/8)
				b.WriteString(prefix)
			} else {
				b.WriteByte(',')
			}
			appendRow(&b, t.cols, vals)
			inBatch++
			if b.Len() >= copyStatementBytes {
				if err := flush(); err != nil {
					_ = rows.Close() //nolint:errcheck // The context error is the one to report.
					return read, err
				}
			}
		}
		if err := rows.Err(); err != nil {
			_ = rows.Close() //nolint:errcheck // The read error is the one to report.
			if ctx.Err() != nil {
				return read, ctx.Err()
			}
			return read, fmt.Errorf("reading %s from the source database %s: %s", t, m.sp.srcAddr(), serverError(err))
		}
		if err := rows.Close(); err != nil {
			return read, fmt.Errorf("reading %s from the source database %s: %s", t, m.sp.srcAddr(), serverError(err))
		}
		if err := flush(); err != nil {
			return read, err
		}
	}
	return read, nil
}

var hexDigits = "0123456789abcdef"

// appendRow writes one row as "(v1,v2,...)".
func appendRow(b *strings.Builder, cols []column, vals []sql.RawBytes) {
	b.WriteByte('(')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		switch {
		case v == nil:
			b.WriteString("NULL")
		case cols[i].kind == 'n':
			b.Write(v)
		case cols[i].kind == 'x':
			b.WriteString("X'")
			for _, c := range v {
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0x0f])
			}
			b.WriteByte('\'')
		default:
			b.WriteByte('\'')
			appendEscaped(b, v)
			b.WriteByte('\'')
		}
	}
	b.WriteByte(')')
}

// verify compares the number of rows of each table in the target with the snapshot's.
func (m *liveMigration) verify(ctx context.Context) error {
	for i, t := range m.tables {
		var n int64
		if err := m.dst.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t.quoted()).Scan(&n); err != nil {
			return fmt.Errorf("counting the rows of %s in the target instance: %s", t, serverError(err))
		}
		if n != t.rows {
			return fmt.Errorf("the table %s holds %d rows in the target instance and %d in the source's snapshot", t, n, t.rows)
		}
		m.frac(float64(i+1) / float64(len(m.tables)))
	}
	return nil
}

// end finishes the run: it removes the replication it configured and moves the job to its
// final status: failed with err, failed as canceled (a stop), or left alone (the emulator
// closing, or the job gone).
func (m *liveMigration) end(err error) {
	canceled := m.r.ctx.Err() != nil
	if m.repl != "" {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if cerr := m.removeReplication(cctx); cerr != nil {
			m.s.logger.Printf("job %s: removing replication %s from the target: %v", m.sp.jobID, m.repl, cerr)
		}
		cancel()
	}
	m.s.withRun(m.r, func(j *jobState, now time.Time) bool {
		switch {
		case err == nil && j.Status == StatusCompleting, err == nil && j.Status == StatusRunning && m.sp.migrateType != 3:
			for i := range m.r.steps {
				m.r.steps[i].status = 1
				if m.r.steps[i].start.IsZero() {
					m.r.steps[i].start = now
				}
			}
			m.r.stepNow, m.r.stepFrac = len(m.r.steps), 1
			m.s.phases.enter(j, StatusSuccess, now)
			return true
		case j.Status == StatusStopping:
			m.markFailed()
			m.s.phases.enter(j, StatusFailed, now)
			return true
		case canceled || err == nil:
			return false
		}
		step := m.r.stepNow
		var se *stepError
		if errors.As(err, &se) {
			step = se.step
		}
		if step >= 1 && step <= len(m.r.steps) {
			m.r.stepNow = step
		}
		m.markFailed()
		j.ErrorInfo = append(j.ErrorInfo, ErrorInfo{
			ErrorLog: fmt.Sprintf("Step %d (%s) failed: %s.", step, stepName(j.MigrateType, step), strings.TrimSuffix(err.Error(), ".")),
			HelpDoc:  "Correct the cause in the databases, then modify, check and start the job again.",
		})
		m.s.phases.enter(j, StatusFailed, now)
		return true
	})
}

// markFailed marks the current step failed.
func (m *liveMigration) markFailed() {
	if i := m.r.stepNow - 1; i >= 0 && i < len(m.r.steps) {
		m.r.steps[i].status = 2
	}
}

// isMySQLError reports whether err is a server error with one of the numbers.
func isMySQLError(err error, numbers ...uint16) bool {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return false
	}
	for _, n := range numbers {
		if me.Number == n {
			return true
		}
	}
	return false
}
