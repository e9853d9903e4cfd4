package dtsmock

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
)

// WithLive switches live mode on: the check and the migration of a job whose source and
// destination are MySQL talk to the real databases instead of following the timers (see the
// package documentation). Jobs of other database types keep the timers.
func WithLive(enabled bool) Option {
	return func(o *options) { o.live.enabled = enabled }
}

// WithInstance maps the destination instance id (DstInfo.InstanceId of a cdb destination) to
// the address "host:port" of the MySQL server that plays it in live mode.
func WithInstance(id, addr string) Option {
	return func(o *options) {
		if o.live.instances == nil {
			o.live.instances = map[string]string{}
		}
		o.live.instances[id] = addr
	}
}

// liveConfig is the live mode's configuration.
type liveConfig struct {
	enabled   bool
	instances map[string]string
}

func (c liveConfig) validate() error {
	for id, addr := range c.instances {
		if id == "" {
			return errors.New("an instance mapping needs an instance id")
		}
		if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
			return fmt.Errorf("the address %q of instance %s is not host:port", addr, id)
		}
	}
	return nil
}

// liveState is the Server's live mode: its configuration and the runs in progress.
type liveState struct {
	cfg  liveConfig
	runs map[*liveRun]struct{} // guarded by Server.mu
	wg   *sync.WaitGroup
}

func newLiveState(cfg liveConfig) liveState {
	return liveState{cfg: cfg, runs: map[*liveRun]struct{}{}, wg: &sync.WaitGroup{}}
}

// liveRun is the live work on one job: a check or a migration, run by one goroutine. Its
// progress fields are guarded by Server.mu and read by the job's views.
type liveRun struct {
	jobID   string
	migrate bool // a migration; otherwise a check
	ctx     context.Context
	cancel  context.CancelFunc
	// complete receives the CompleteMode of a CompleteMigrateJob.
	complete chan string

	// Guarded by Server.mu.
	checkProgress int
	checkStarted  bool
	steps         []liveStep
	stepNow       int     // 1-based; 0 before the first step
	stepFrac      float64 // progress of the current step, 0..1
	behind        int     // seconds behind the source
	distance      int     // MB behind the source
}

type liveStep struct {
	status int // the wire's step status: 1 done, 2 failed, 3 running, 4 not run
	start  time.Time
}

// abandon cancels r's work; nil-safe.
func (r *liveRun) abandon() {
	if r != nil {
		r.cancel()
	}
}

// drives reports whether r, not the timers, moves j out of its status.
func (r *liveRun) drives(j *jobState) bool {
	if r == nil {
		return false
	}
	if !r.migrate {
		return j.Status == StatusChecking
	}
	return statusIn(j.Status, StatusReadyRun, StatusRunning, StatusReadyComplete, StatusStopping, StatusCompleting)
}

// isLiveJob reports whether j is one that live mode runs.
func (s *Server) isLiveJob(j *jobState) bool {
	return s.live.cfg.enabled && j.SrcDatabaseType == "mysql" && j.DstDatabaseType == "mysql"
}

// newRunLocked registers a run for j and starts f in its own goroutine.
func (s *Server) newRunLocked(j *jobState, migrate bool, f func(r *liveRun, spec liveSpec)) {
	j.live.abandon()
	ctx, cancel := context.WithCancel(context.Background())
	r := &liveRun{jobID: j.JobID, migrate: migrate, ctx: ctx, cancel: cancel, complete: make(chan string, 1)}
	j.live = r
	s.live.runs[r] = struct{}{}
	spec := s.specLocked(j)
	s.live.wg.Add(1)
	go func() {
		defer s.live.wg.Done()
		defer func() {
			s.mu.Lock()
			delete(s.live.runs, r)
			s.mu.Unlock()
			cancel()
		}()
		f(r, spec)
	}()
}

// startLiveCheckLocked starts the live check of j, when live mode runs j; it reports whether
// it did.
func (s *Server) startLiveCheckLocked(j *jobState) bool {
	if !s.isLiveJob(j) {
		return false
	}
	s.newRunLocked(j, false, s.runCheck)
	return true
}

// startLiveMigrationLocked starts the live migration of j, when live mode runs j.
func (s *Server) startLiveMigrationLocked(j *jobState) {
	if !s.isLiveJob(j) {
		return
	}
	s.newRunLocked(j, true, s.runMigration)
}

// stopLiveLocked cancels the live migration of j; the run cleans up and fails the job.
func (s *Server) stopLiveLocked(j *jobState) {
	if j.live != nil && j.live.migrate {
		j.live.cancel()
	}
}

// completeLiveLocked passes CompleteMigrateJob's mode to the live migration of j.
func (s *Server) completeLiveLocked(j *jobState, mode string) {
	if j.live != nil && j.live.migrate {
		select {
		case j.live.complete <- mode:
		default:
		}
	}
}

// closeLive cancels every run and waits for them to end.
func (s *Server) closeLive() {
	s.mu.Lock()
	for r := range s.live.runs {
		r.cancel()
	}
	s.mu.Unlock()
	s.live.wg.Wait()
}

// withRun runs f on r's job under the lock, if the job still belongs to r, and reports
// whether it did. A change that f reports is made durable like an action's.
func (s *Server) withRun(r *liveRun, f func(j *jobState, now time.Time) (changed bool)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[r.jobID]
	if !ok || j.live != r {
		return false
	}
	u := s.undoLocked(r.jobID)
	if f(j, s.clock.Now()) {
		s.gen++
		if err := s.commitOrRestoreLocked(u, r.jobID); err != nil {
			s.logger.Printf("persisting the live progress of job %s: %v", r.jobID, err)
		}
	}
	return true
}

// progress updates a run's progress fields under the lock.
func (s *Server) progress(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

// liveSpec is what a run needs of its job, copied when it starts.
type liveSpec struct {
	jobID                      string
	migrateType, migrateObject int
	consistencyType            int
	srcHost                    string
	srcPort                    int
	srcUser, srcPassword       string
	dstInstance, dstRegion     string
	dstAddr                    string // "" when the instance is not mapped
	dstUser, dstPassword       string
	entries                    []databaseEntry
	readyUntil                 time.Time
}

func (s *Server) specLocked(j *jobState) liveSpec {
	sp := liveSpec{
		jobID: j.JobID, migrateType: j.MigrateType, migrateObject: j.MigrateObject, consistencyType: j.ConsistencyType,
		srcHost: j.SrcIP, srcPort: j.SrcPort, srcUser: j.SrcUser, srcPassword: j.SrcPassword,
		dstInstance: j.DstInstanceID, dstRegion: j.DstRegion, dstUser: j.DstUser, dstPassword: j.DstPassword,
		dstAddr: s.live.cfg.instances[j.DstInstanceID],
	}
	if sp.dstUser == "" {
		sp.dstUser = "root"
	}
	if j.MigrateObject == 2 && strings.TrimSpace(j.DatabaseInfo) != "" {
		sp.entries, _ = parseDatabaseInfo(j.DatabaseInfo) // Validated when stored.
	}
	if j.Status == StatusReadyRun {
		sp.readyUntil = s.phases.readyUntil(j)
	}
	return sp
}

func (sp liveSpec) srcAddr() string { return net.JoinHostPort(sp.srcHost, strconv.Itoa(sp.srcPort)) }

// incremental reports whether the job keeps syncing after the full copy.
func (sp liveSpec) incremental() bool { return sp.migrateType == 3 }

// openMySQL opens a pool to addr; nothing is sent until the first use.
func openMySQL(addr, user, password string) (*sql.DB, error) {
	c := mysql.NewConfig()
	c.Net, c.Addr, c.User, c.Passwd = "tcp", addr, user, password
	c.Timeout = 5 * time.Second
	c.InterpolateParams = true
	c.AllowNativePasswords = true
	conn, err := mysql.NewConnector(c)
	if err != nil {
		return nil, fmt.Errorf("configuring the connection to %s: %w", addr, err)
	}
	db := sql.OpenDB(conn)
	db.SetConnMaxIdleTime(time.Minute)
	return db, nil
}

// serverError is the database's own message for err, without the driver's wrapping.
func serverError(err error) string {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Error()
	}
	if errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, context.DeadlineExceeded) {
		return "the connection was lost (" + err.Error() + ")"
	}
	return err.Error()
}

// quoteIdent quotes a MySQL identifier.
func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func quoteTable(db, table string) string { return quoteIdent(db) + "." + quoteIdent(table) }

// quoteString quotes a string literal for MySQL (backslash escapes).
func quoteString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	appendEscaped(&b, []byte(s))
	b.WriteByte('\'')
	return b.String()
}

type byteWriter interface {
	WriteByte(c byte) error
	Write(p []byte) (int, error)
}

// appendEscaped writes v with MySQL's backslash escapes.
func appendEscaped[W byteWriter](b W, v []byte) {
	start := 0
	for i, c := range v {
		var esc byte
		switch c {
		case 0:
			esc = '0'
		case '\n':
			esc = 'n'
		case '\r':
			esc = 'r'
		case '\\', '\'', '"':
			esc = c
		case 0x1a:
			esc = 'Z'
		default:
			continue
		}
		_, _ = b.Write(v[start:i])
		_ = b.WriteByte('\\')
		_ = b.WriteByte(esc)
		start = i + 1
	}
	_, _ = b.Write(v[start:])
}

// liveView renders the live progress of a check (DescribeMigrateCheckJob) still running.
func (r *liveRun) checkView() checkView {
	if !r.checkStarted {
		return checkView{Status: "starting", Progress: "0", CheckFlag: CheckFlagNotChecked}
	}
	return checkView{Status: "running", Progress: strconv.Itoa(max(1, min(99, r.checkProgress))), CheckFlag: CheckFlagNotChecked}
}

// detail renders the live migration's progress for DescribeMigrateJobs.
func (r *liveRun) detail(j *jobState) wireDetail {
	d := wireDetail{Progress: "0", CurrentStepProgress: "0", StepInfo: []wireStep{}}
	names := migrationSteps(j.MigrateType)
	if len(r.steps) != len(names) {
		return d
	}
	d.StepAll = len(names)
	d.StepNow = r.stepNow
	for i, name := range names {
		st := r.steps[i]
		w := wireStep{StepNo: i + 1, StepName: name, StepId: fmt.Sprintf("step-%d", i+1), Status: st.status, StartTime: zeroTime}
		if !st.start.IsZero() {
			w.StartTime = formatTime(st.start)
		}
		d.StepInfo = append(d.StepInfo, w)
	}
	switch {
	case j.Status == StatusSuccess:
		d.Progress, d.CurrentStepProgress = "100", "100"
		d.StepNow = len(names)
	case statusIn(j.Status, StatusReadyComplete, StatusCompleting):
		d.Progress, d.CurrentStepProgress = "99", "100"
		d.SecondsBehindMaster, d.MasterSlaveDistance = r.behind, r.distance
	default:
		frac := max(0, min(0.99, r.stepFrac))
		cur := max(1, r.stepNow)
		d.CurrentStepProgress = strconv.Itoa(int(frac * 100))
		d.Progress = strconv.Itoa(min(99, int((float64(cur-1)+frac)/float64(len(names))*100)))
		if j.MigrateType == 3 && r.stepNow == len(names) {
			d.SecondsBehindMaster, d.MasterSlaveDistance = r.behind, r.distance
		}
	}
	return d
}

// setStep makes step no (1-based) the current one at now, the earlier ones done.
func (r *liveRun) setStep(no int, now time.Time) {
	for i := range r.steps {
		switch {
		case i+1 < no && r.steps[i].status != 1:
			r.steps[i].status = 1
			if r.steps[i].start.IsZero() {
				r.steps[i].start = now
			}
		case i+1 == no:
			r.steps[i].status, r.steps[i].start = 3, now
		}
	}
	r.stepNow, r.stepFrac = no, 0
}
