package dtsmock

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// liveCheckTimeout bounds a whole live check.
const liveCheckTimeout = 2 * time.Minute

// systemSchemas are never migrated as part of a whole instance.
var systemSchemas = []string{"mysql", "information_schema", "performance_schema", "sys"}

// liveTable is one table of the selection.
type liveTable struct{ db, name string }

func (t liveTable) String() string { return t.db + "." + t.name }

func (t liveTable) quoted() string { return quoteTable(t.db, t.name) }

// serverInfo is what the check reads of a server.
type serverInfo struct {
	version      string
	serverID     int64
	logBin       bool
	binlogFormat string
	rowImage     string
}

func readServerInfo(ctx context.Context, db *sql.DB) (serverInfo, error) {
	var si serverInfo
	var logBin int
	err := db.QueryRowContext(ctx, "SELECT VERSION(), @@server_id, @@log_bin, @@binlog_format, @@binlog_row_image").
		Scan(&si.version, &si.serverID, &logBin, &si.binlogFormat, &si.rowImage)
	si.logBin = logBin == 1
	return si, err
}

// liveChecker runs the items of one live check.
type liveChecker struct {
	sp       liveSpec
	src, dst *sql.DB
	srcInfo  serverInfo
	dstInfo  serverInfo
	tables   []liveTable
	dbs      []string
}

func (c *liveChecker) close() {
	for _, db := range []*sql.DB{c.src, c.dst} {
		if db != nil {
			_ = db.Close() //nolint:errcheck // Nothing to do about a failed close.
		}
	}
}

// runCheck is the live check of a job: each item adds the problems it finds, and the check
// passes when there are none.
func (s *Server) runCheck(r *liveRun, sp liveSpec) {
	ctx, cancel := context.WithTimeout(r.ctx, liveCheckTimeout)
	defer cancel()
	c := &liveChecker{sp: sp}
	defer c.close()
	items := []func(context.Context) []string{
		c.checkSource, c.checkDestination, c.checkVersions, c.checkBinlog,
		c.checkSelection, c.checkSourcePrivileges, c.checkDestinationPrivileges, c.checkConflicts,
	}
	s.progress(func() { r.checkStarted, r.checkProgress = true, 1 })
	var problems []string
	for i, item := range items {
		problems = append(problems, item(ctx)...)
		if r.ctx.Err() != nil {
			return
		}
		s.progress(func() { r.checkProgress = (i + 1) * 100 / (len(items) + 1) })
	}
	if ctx.Err() != nil && r.ctx.Err() == nil {
		problems = append(problems, fmt.Sprintf("The check did not finish within %s.", liveCheckTimeout))
	}
	s.withRun(r, func(j *jobState, now time.Time) bool {
		if j.Status != StatusChecking {
			return false
		}
		if len(problems) == 0 {
			s.phases.enter(j, StatusCheckPass, now)
			return true
		}
		j.CheckFail, j.CheckMessage = true, strings.Join(problems, " ")
		s.phases.enter(j, StatusCheckNotPass, now)
		j.ErrorInfo = nil
		for _, p := range problems {
			j.ErrorInfo = append(j.ErrorInfo, ErrorInfo{ErrorLog: p, HelpDoc: "Correct the databases or the job's configuration (ModifyMigrateJob), then run the check again."})
		}
		return true
	})
}

// connectServer opens a pool to the server at addr, proves that it answers and reads its
// settings. A pool that fails is closed, and only the error returned.
func connectServer(ctx context.Context, addr, user, password string) (*sql.DB, serverInfo, error) {
	db, err := openMySQL(addr, user, password)
	if err != nil {
		return nil, serverInfo{}, err
	}
	err = db.PingContext(ctx)
	var info serverInfo
	if err == nil {
		info, err = readServerInfo(ctx, db)
	}
	if err != nil {
		_ = db.Close() //nolint:errcheck // The connection failed already.
		return nil, serverInfo{}, err
	}
	return db, info, nil
}

func (c *liveChecker) checkSource(ctx context.Context) []string {
	db, info, err := connectServer(ctx, c.sp.srcAddr(), c.sp.srcUser, c.sp.srcPassword)
	if err != nil {
		return []string{fmt.Sprintf("Failed to connect to the source database %s as %q: %s.", c.sp.srcAddr(), c.sp.srcUser, serverError(err))}
	}
	c.src, c.srcInfo = db, info
	return nil
}

func (c *liveChecker) checkDestination(ctx context.Context) []string {
	if c.sp.dstAddr == "" {
		return []string{fmt.Sprintf("The target instance %s does not exist in region %s.", c.sp.dstInstance, c.sp.dstRegion)}
	}
	db, info, err := connectServer(ctx, c.sp.dstAddr, c.sp.dstUser, c.sp.dstPassword)
	if err != nil {
		return []string{fmt.Sprintf("Failed to connect to the target instance %s as %q: %s.", c.sp.dstInstance, c.sp.dstUser, serverError(err))}
	}
	c.dst, c.dstInfo = db, info
	return nil
}

var versionRE = regexp.MustCompile(`^(\d+)\.(\d+)`)

// parseVersion returns the flavour ("MariaDB" or "MySQL") and major*100+minor of a VERSION().
func parseVersion(v string) (string, int) {
	flavour := "MySQL"
	if strings.Contains(strings.ToLower(v), "mariadb") {
		flavour = "MariaDB"
	}
	m := versionRE.FindStringSubmatch(v)
	if m == nil {
		return flavour, 0
	}
	major, _ := strconv.Atoi(m[1]) // The pattern holds digits.
	minor, _ := strconv.Atoi(m[2])
	return flavour, major*100 + minor
}

// versionProblem says why data cannot go from a server of version src to one of version dst,
// or "" when it can.
func versionProblem(src, dst string) string {
	sf, sv := parseVersion(src)
	df, dv := parseVersion(dst)
	switch {
	case sv == 0 || dv == 0:
		return fmt.Sprintf("The versions of the source (%s) and the target (%s) cannot be compared.", src, dst)
	case sf == "MariaDB" && df == "MySQL":
		return fmt.Sprintf("The source is MariaDB %s and the target MySQL %s: migrating from MariaDB to MySQL is not supported.", src, dst)
	case sf == df && dv < sv:
		return fmt.Sprintf("The target's version %s is older than the source's %s: the target must be the same version or newer.", dst, src)
	}
	return ""
}

func (c *liveChecker) checkVersions(context.Context) []string {
	if c.src == nil || c.dst == nil {
		return nil
	}
	if p := versionProblem(c.srcInfo.version, c.dstInfo.version); p != "" {
		return []string{p}
	}
	return nil
}

func (c *liveChecker) checkBinlog(context.Context) []string {
	if c.src == nil || !c.sp.incremental() {
		return nil
	}
	var out []string
	if !c.srcInfo.logBin {
		out = append(out, "The binary log of the source database is off (log_bin = OFF): incremental migration needs log_bin on, with binlog_format = ROW.")
	} else {
		if !strings.EqualFold(c.srcInfo.binlogFormat, "ROW") {
			out = append(out, fmt.Sprintf("The binlog_format of the source database is %s: incremental migration needs ROW.", c.srcInfo.binlogFormat))
		}
		if !strings.EqualFold(c.srcInfo.rowImage, "FULL") {
			out = append(out, fmt.Sprintf("The binlog_row_image of the source database is %s: incremental migration needs FULL.", c.srcInfo.rowImage))
		}
	}
	if c.srcInfo.serverID == 0 {
		out = append(out, "The server_id of the source database is 0: incremental migration needs a non-zero server_id.")
	} else if c.dst != nil && c.srcInfo.serverID == c.dstInfo.serverID {
		out = append(out, fmt.Sprintf("The source database and the target instance have the same server_id (%d): incremental migration needs them to differ.", c.srcInfo.serverID))
	}
	return out
}

// resolveSelection lists the tables and databases that the job selects on the source, and
// the problems with the selection (databases or tables that do not exist).
func resolveSelection(ctx context.Context, db *sql.DB, sp liveSpec) (tables []liveTable, dbs []string, problems []string, err error) {
	schemas := map[string]bool{}
	rows, err := db.QueryContext(ctx, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("listing the source's databases: %w", err)
	}
	var all []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			_ = rows.Close() //nolint:errcheck // The scan error is the one to report.
			return nil, nil, nil, err
		}
		schemas[n] = true
		all = append(all, n)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, err
	}
	baseTables := func(schema string) (map[string]bool, []string, error) {
		rows, err := db.QueryContext(ctx, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME", schema)
		if err != nil {
			return nil, nil, fmt.Errorf("listing the tables of %s: %w", schema, err)
		}
		defer rows.Close() //nolint:errcheck // The error of interest is rows.Err.
		set := map[string]bool{}
		var list []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return nil, nil, err
			}
			set[n] = true
			list = append(list, n)
		}
		return set, list, rows.Err()
	}
	addDB := func(schema string) error {
		_, list, err := baseTables(schema)
		if err != nil {
			return err
		}
		dbs = append(dbs, schema)
		for _, t := range list {
			tables = append(tables, liveTable{schema, t})
		}
		return nil
	}
	if sp.migrateObject != 2 {
		for _, n := range all {
			if !containsString(systemSchemas, n) {
				if err := addDB(n); err != nil {
					return nil, nil, nil, err
				}
			}
		}
		return tables, dbs, nil, nil
	}
	for _, e := range sp.entries {
		if !schemas[e.Database] {
			problems = append(problems, fmt.Sprintf("The database %s you selected does not exist in the source database, or the source account has no privilege on it.", e.Database))
			continue
		}
		if len(e.Table) == 0 {
			if err := addDB(e.Database); err != nil {
				return nil, nil, nil, err
			}
			continue
		}
		set, _, err := baseTables(e.Database)
		if err != nil {
			return nil, nil, nil, err
		}
		dbs = append(dbs, e.Database)
		for _, t := range e.Table {
			if !set[t] {
				problems = append(problems, fmt.Sprintf("The table %s.%s you selected does not exist in the source database, or the source account has no privilege on it.", e.Database, t))
				continue
			}
			tables = append(tables, liveTable{e.Database, t})
		}
	}
	return tables, dbs, problems, nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (c *liveChecker) checkSelection(ctx context.Context) []string {
	if c.src == nil {
		return nil
	}
	tables, dbs, problems, err := resolveSelection(ctx, c.src, c.sp)
	if err != nil {
		return []string{"Reading the source's databases failed: " + serverError(err) + "."}
	}
	c.tables, c.dbs = tables, dbs
	return problems
}

// grants is what SHOW GRANTS says an account may do: privileges by object, "*.*" for global,
// "`db`.*" for a database and "`db`.`table`" for a table.
type grants map[string]map[string]bool

var grantRE = regexp.MustCompile(`^GRANT (.+?) ON (\S+) TO `)

func readGrants(ctx context.Context, db *sql.DB) (grants, error) {
	rows, err := db.QueryContext(ctx, "SHOW GRANTS FOR CURRENT_USER()")
	if err != nil {
		return nil, err
	}
	defer rows.Close() //nolint:errcheck // The error of interest is rows.Err.
	g := grants{}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		m := grantRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		obj := strings.ReplaceAll(m[2], "`", "")
		if g[obj] == nil {
			g[obj] = map[string]bool{}
		}
		for _, p := range strings.Split(m[1], ",") {
			p = strings.TrimSpace(p)
			if i := strings.IndexByte(p, '('); i >= 0 {
				continue // a column privilege covers no whole table
			}
			g[obj][strings.ToUpper(p)] = true
		}
	}
	return g, rows.Err()
}

// has reports whether the account holds one of privs on db.table (table "" for the database,
// db "" for the server).
func (g grants) has(db, table string, privs ...string) bool {
	objs := []string{"*.*"}
	if db != "" {
		objs = append(objs, db+".*")
	}
	if table != "" {
		objs = append(objs, db+"."+table)
	}
	for _, o := range objs {
		for _, p := range privs {
			if g[o]["ALL PRIVILEGES"] || g[o][p] {
				return true
			}
		}
	}
	return false
}

func (c *liveChecker) checkSourcePrivileges(ctx context.Context) []string {
	if c.src == nil {
		return nil
	}
	g, err := readGrants(ctx, c.src)
	if err != nil {
		return []string{"Reading the privileges of the source account failed: " + serverError(err) + "."}
	}
	var out, missing []string
	for _, t := range c.tables {
		if !g.has(t.db, t.name, "SELECT") {
			missing = append(missing, t.String())
		}
	}
	if len(missing) > 0 {
		out = append(out, fmt.Sprintf("The source account %q lacks the SELECT privilege on %s.", c.sp.srcUser, strings.Join(missing, ", ")))
	}
	if c.sp.incremental() {
		if !g.has("", "", "REPLICATION SLAVE") {
			out = append(out, fmt.Sprintf("The source account %q lacks the REPLICATION SLAVE privilege, which incremental migration needs.", c.sp.srcUser))
		}
		if !g.has("", "", "REPLICATION CLIENT", "BINLOG MONITOR", "SUPER") {
			out = append(out, fmt.Sprintf("The source account %q lacks the REPLICATION CLIENT (BINLOG MONITOR) privilege, which incremental migration needs.", c.sp.srcUser))
		}
	}
	return out
}

func (c *liveChecker) checkDestinationPrivileges(ctx context.Context) []string {
	if c.dst == nil {
		return nil
	}
	g, err := readGrants(ctx, c.dst)
	if err != nil {
		return []string{"Reading the privileges of the target account failed: " + serverError(err) + "."}
	}
	var out []string
	for _, db := range c.dbs {
		var lacks []string
		for _, p := range []string{"CREATE", "INSERT", "ALTER", "INDEX"} {
			if !g.has(db, "", p) {
				lacks = append(lacks, p)
			}
		}
		if len(lacks) > 0 {
			out = append(out, fmt.Sprintf("The target account %q lacks the %s privileges on database %s.", c.sp.dstUser, strings.Join(lacks, ", "), db))
		}
	}
	if c.sp.incremental() && !g.has("", "", "SUPER", "REPLICATION SLAVE ADMIN", "REPLICATION_SLAVE_ADMIN") {
		out = append(out, fmt.Sprintf("The target account %q lacks the SUPER (or REPLICATION SLAVE ADMIN) privilege, which incremental migration needs to configure replication.", c.sp.dstUser))
	}
	return out
}

func (c *liveChecker) checkConflicts(ctx context.Context) []string {
	if c.dst == nil || c.src == nil {
		return nil
	}
	var out []string
	for _, t := range c.tables {
		var n int
		err := c.dst.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", t.db, t.name).Scan(&n)
		if err == nil && n > 0 && c.sp.migrateType == 1 {
			out = append(out, fmt.Sprintf("The table %s already exists in the target instance: drop it, or leave it out of the selection.", t))
			continue
		}
		if err == nil && n > 0 {
			var one int
			err = c.dst.QueryRowContext(ctx, "SELECT 1 FROM "+t.quoted()+" LIMIT 1").Scan(&one)
			if err == nil {
				out = append(out, fmt.Sprintf("The table %s already exists in the target instance and holds rows: empty or drop it, or leave it out of the selection.", t))
				continue
			}
			if errors.Is(err, sql.ErrNoRows) {
				err = nil
			}
		}
		if err != nil {
			out = append(out, fmt.Sprintf("Reading the table %s in the target instance failed: %s.", t, serverError(err)))
		}
	}
	return out
}
