package mariadbtest

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// TestStartAndStop starts two servers, checks that each has its own port, server_id and binlog
// setting and takes root's password but not another, and that Stop removes the directory.
func TestStartAndStop(t *testing.T) {
	a := StartT(t, Config{})
	b := StartT(t, Config{NoBinlog: true})
	if a.Port == b.Port || a.ServerID == b.ServerID {
		t.Fatalf("two servers share port %d/%d or server_id %d/%d", a.Port, b.Port, a.ServerID, b.ServerID)
	}
	if got := a.Int("SELECT @@log_bin"); got != 1 {
		t.Errorf("log_bin %d on the server with a binlog", got)
	}
	if got := b.Int("SELECT @@log_bin"); got != 0 {
		t.Errorf("log_bin %d on the server without one", got)
	}
	if got := a.Int("SELECT @@server_id"); got != int64(a.ServerID) {
		t.Errorf("server_id %d, want %d", got, a.ServerID)
	}
	bad, err := sql.Open("mysql", a.DSN("root", "wrong", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close() //nolint:errcheck // A test pool.
	var me *mysql.MySQLError
	if err := bad.Ping(); !errors.As(err, &me) || me.Number != 1045 {
		t.Errorf("a wrong password gave %v, want error 1045", err)
	}
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.Exited():
	default:
		t.Error("the server still runs after Stop")
	}
}

// TestStartManyAtOnce: servers installed and started at the same time, as parallel tests do,
// do not trip over each other's files.
func TestStartManyAtOnce(t *testing.T) {
	Need(t)
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
			defer cancel()
			s, err := Start(ctx, Config{})
			if err == nil {
				err = s.Stop()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("server %d of %d started together: %v", i+1, n, err)
		}
	}
}
