package mariadbtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/opendts/terraform-provider-dts/internal/sqlrow"
)

// Required reports whether live tests must run (DTS_LIVE_REQUIRED=1, as in CI): a missing
// mariadbd then fails them instead of skipping them.
func Required() bool { return os.Getenv("DTS_LIVE_REQUIRED") == "1" }

// Need skips t, or fails it when Required, if MariaDB cannot be started here.
func Need(t testing.TB) {
	t.Helper()
	if err := Available(); err != nil {
		if Required() {
			t.Fatalf("DTS_LIVE_REQUIRED=1 but MariaDB cannot run: %v", err)
		}
		t.Skipf("live test needs MariaDB: %v", err)
	}
}

// T is a server tied to a test, with helpers that fail the test on error.
type T struct {
	*Server
	DB *sql.DB
	t  testing.TB
}

// StartT starts a server for t (see Need) and stops it at t's cleanup.
func StartT(t testing.TB, cfg Config) *T {
	t.Helper()
	Need(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	s, err := Start(ctx, cfg)
	if err != nil {
		t.Fatalf("starting MariaDB: %v", err)
	}
	db, err := s.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = db.Close() //nolint:errcheck // The server goes away next.
		if err := s.Stop(); err != nil {
			t.Errorf("stopping MariaDB: %v", err)
		}
	})
	return &T{Server: s, DB: db, t: t}
}

// Exec runs statements, failing the test on error.
func (m *T) Exec(stmts ...string) {
	m.t.Helper()
	for _, q := range stmts {
		if _, err := m.DB.Exec(q); err != nil {
			m.t.Fatalf("%s: %v", q, err)
		}
	}
}

// Int returns the single integer that q selects (-1 for NULL).
func (m *T) Int(q string) int64 {
	m.t.Helper()
	var v sql.NullInt64
	if err := m.DB.QueryRow(q).Scan(&v); err != nil {
		m.t.Fatalf("%s: %v", q, err)
	}
	if !v.Valid {
		return -1
	}
	return v.Int64
}

// Checksums returns CHECKSUM TABLE of each table ("db.table"), -1 for a missing table.
func (m *T) Checksums(tables ...string) map[string]int64 {
	m.t.Helper()
	out, err := Checksums(m.DB, tables...)
	if err != nil {
		m.t.Fatal(err)
	}
	return out
}

// Checksums returns CHECKSUM TABLE of each table ("db.table"), -1 for a missing table.
func Checksums(db *sql.DB, tables ...string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, tb := range tables {
		var name string
		var sum sql.NullInt64
		if err := db.QueryRow("CHECKSUM TABLE "+quoteQualified(tb)).Scan(&name, &sum); err != nil {
			return nil, fmt.Errorf("CHECKSUM TABLE %s: %w", tb, err)
		}
		out[tb] = -1
		if sum.Valid {
			out[tb] = sum.Int64
		}
	}
	return out, nil
}

// ReplicationConnections lists the names of the replication connections configured on the
// server (SHOW ALL SLAVES STATUS).
func ReplicationConnections(db *sql.DB) ([]string, error) {
	var names []string
	err := sqlrow.Each(context.Background(), db, "SHOW ALL SLAVES STATUS", func(row map[string]string) bool {
		if name, ok := row["Connection_name"]; ok {
			names = append(names, name)
		}
		return true
	})
	return names, err
}

func quoteQualified(name string) string {
	parts := strings.SplitN(name, ".", 2)
	for i, p := range parts {
		parts[i] = "`" + strings.ReplaceAll(p, "`", "``") + "`"
	}
	return strings.Join(parts, ".")
}
