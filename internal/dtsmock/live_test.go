package dtsmock

import (
	"database/sql"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/opendts/terraform-provider-dts/internal/mariadbtest"
)

// waitUntil polls cond until it holds or the deadline passes.
func waitUntil(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("%s: not within %s", what, within)
		case <-tick.C:
		}
	}
}

// liveWorld is two MariaDB servers and a live emulator whose cdb-live0001 is the second.
type liveWorld struct {
	src, dst *mariadbtest.T
	ts       *TestServer
	c        *apiClient
}

func newLiveWorld(t *testing.T, srcCfg mariadbtest.Config) *liveWorld {
	t.Helper()
	w := &liveWorld{src: mariadbtest.StartT(t, srcCfg), dst: mariadbtest.StartT(t, mariadbtest.Config{})}
	w.ts = StartTest(t, WithLive(true), WithInstance("cdb-live0001", w.dst.Addr()), WithPhase(100*time.Millisecond), WithRateLimit(false))
	w.c = newClient(t, w.ts, realClock{})
	w.src.Exec(
		"CREATE DATABASE shop",
		"CREATE TABLE shop.orders (id INT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(100), amount DECIMAL(10,2), raw BLOB, at DATETIME, total INT AS (id * 2) VIRTUAL)",
		"INSERT INTO shop.orders (note, amount, raw, at) VALUES ('it''s', 1.50, X'00ff27', '2024-01-02 03:04:05'), (NULL, NULL, NULL, NULL), ('back\\\\slash \"q\"\\n', -2, '', NOW())",
		"INSERT INTO shop.orders (note, amount) SELECT CONCAT('n', seq), seq FROM shop.seq_1_to_3000",
		"CREATE TABLE shop.skipped (id INT PRIMARY KEY)",
		"INSERT INTO shop.skipped VALUES (1), (2)",
	)
	return w
}

// job is a job as root with the right password.
func (w *liveWorld) job(migrateType int, info string) map[string]any {
	return w.jobAs(migrateType, "root", mariadbtest.RootPassword, info)
}

func (w *liveWorld) jobAs(migrateType int, user, password string, info string) map[string]any {
	b := baseCreate("live")
	mo := obj(b["MigrateOption"])
	mo["MigrateType"], mo["MigrateObject"] = migrateType, 2
	b["DatabaseInfo"] = info
	b["SrcInfo"] = map[string]any{"Ip": w.src.Host, "Port": w.src.Port, "User": user, "Password": password}
	b["DstInfo"] = map[string]any{"InstanceId": "cdb-live0001", "Region": "ap-shanghai", "User": "root", "Password": mariadbtest.RootPassword}
	return b
}

// checkJob runs the check of a new job and returns its result once finished.
func (w *liveWorld) checkJob(t *testing.T, body map[string]any) (string, map[string]any) {
	t.Helper()
	id := w.c.create(body)
	waitUntil(t, 10*time.Second, "created", func() bool { return w.c.status(id) == StatusCreated })
	w.c.mustOK("CreateMigrateCheckJob", jobID(id))
	var r map[string]any
	waitUntil(t, 60*time.Second, "check finished", func() bool {
		r = w.c.mustOK("DescribeMigrateCheckJob", jobID(id))
		return str(r["Status"]) == "finished"
	})
	return id, r
}

const shopOrders = `[{"Database":"shop","Table":["orders"]}]`

func TestLiveCheckReportsServerErrors(t *testing.T) {
	w := newLiveWorld(t, mariadbtest.Config{NoBinlog: true})
	w.src.Exec("CREATE USER 'reader'@'%' IDENTIFIED BY 'reader-pw'", "GRANT SELECT ON shop.orders TO 'reader'@'%'")
	w.dst.Exec("CREATE DATABASE shop", "CREATE TABLE shop.skipped (id INT PRIMARY KEY)", "INSERT INTO shop.skipped VALUES (7)")
	cases := []struct {
		name, user, password, info string
		typ                        int
		want                       []string
	}{
		{"wrong password", "root", "wrong", shopOrders, 2, []string{"Access denied for user 'root'"}},
		{"missing table", "root", mariadbtest.RootPassword, `[{"Database":"shop","Table":["orders","nope"]}]`, 2, []string{"shop.nope"}},
		{"missing database", "root", mariadbtest.RootPassword, `[{"Database":"gone"}]`, 2, []string{"database gone"}},
		{"binlog off", "root", mariadbtest.RootPassword, shopOrders, 3, []string{"log_bin = OFF"}},
		{"privileges", "reader", "reader-pw", `[{"Database":"shop","Table":["orders","skipped"]}]`, 3,
			[]string{"table shop.skipped you selected does not exist in the source database, or the source account has no privilege on it", "lacks the REPLICATION SLAVE privilege", "REPLICATION CLIENT"}},
		{"conflicting table", "root", mariadbtest.RootPassword, `[{"Database":"shop","Table":["skipped"]}]`, 2,
			[]string{"shop.skipped already exists in the target instance and holds rows"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id, r := w.checkJob(t, w.jobAs(tc.typ, tc.user, tc.password, tc.info))
			if num(r["CheckFlag"]) != CheckFlagFailed {
				t.Fatalf("check %v, want failed", r)
			}
			msg := str(r["ErrorMessage"])
			for _, s := range tc.want {
				if !strings.Contains(msg, s) {
					t.Errorf("message %q lacks %q", msg, s)
				}
			}
			if errs := arr(w.c.describe(id)["ErrorInfo"]); len(errs) == 0 {
				t.Error("no ErrorInfo on the failed check")
			}
		})
	}
	t.Run("unmapped instance", func(t *testing.T) {
		b := w.job(2, shopOrders)
		obj(b["DstInfo"])["InstanceId"] = "cdb-nothere1"
		_, r := w.checkJob(t, b)
		if msg := str(r["ErrorMessage"]); num(r["CheckFlag"]) != CheckFlagFailed || !strings.Contains(msg, "cdb-nothere1 does not exist") {
			t.Fatalf("check %v", r)
		}
	})
	t.Run("passes", func(t *testing.T) {
		_, r := w.checkJob(t, w.job(2, shopOrders))
		if num(r["CheckFlag"]) != CheckFlagPassed {
			t.Fatalf("check %v, want passed", r)
		}
	})
}

func TestLiveFullAndIncremental(t *testing.T) {
	w := newLiveWorld(t, mariadbtest.Config{})
	id, r := w.checkJob(t, w.job(3, shopOrders))
	if num(r["CheckFlag"]) != CheckFlagPassed {
		t.Fatalf("check %v", r)
	}
	w.c.mustOK("StartMigrateJob", jobID(id))
	waitUntil(t, 60*time.Second, "ready_complete", func() bool {
		st := w.c.status(id)
		if st == StatusFailed {
			t.Fatalf("failed: %v", w.c.describe(id)["ErrorInfo"])
		}
		return st == StatusReadyComplete
	})
	sums := func() (map[string]int64, map[string]int64) {
		return w.src.Checksums("shop.orders"), w.dst.Checksums("shop.orders")
	}
	if a, b := sums(); a["shop.orders"] != b["shop.orders"] {
		t.Fatalf("checksums after the copy: source %v, target %v", a, b)
	}
	if n := w.dst.Int("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'shop' AND TABLE_NAME = 'skipped'"); n != 0 {
		t.Error("the unselected table was copied")
	}
	w.src.Exec("INSERT INTO shop.orders (note) VALUES ('late')", "UPDATE shop.orders SET note = 'changed' WHERE id = 1", "DELETE FROM shop.orders WHERE id = 2", "INSERT INTO shop.skipped VALUES (3)")
	waitUntil(t, 30*time.Second, "changes arrive", func() bool {
		a, b := sums()
		return a["shop.orders"] == b["shop.orders"]
	})
	if names, err := mariadbtest.ReplicationConnections(w.dst.DB); err != nil || len(names) != 1 {
		t.Fatalf("replication connections %v, %v; want one", names, err)
	}
	w.c.mustOK("CompleteMigrateJob", jobID(id))
	waitUntil(t, 30*time.Second, "success", func() bool { return w.c.status(id) == StatusSuccess })
	if names, err := mariadbtest.ReplicationConnections(w.dst.DB); err != nil || len(names) != 0 {
		t.Fatalf("replication connections %v, %v after complete; want none", names, err)
	}
	d := obj(w.c.describe(id)["Detail"])
	if str(d["Progress"]) != "100" || num(d["StepNow"]) != 4 {
		t.Errorf("detail after success %v", d)
	}
	w.src.Exec("INSERT INTO shop.orders (note) VALUES ('after')")
	var n int64
	if err := w.dst.DB.QueryRow("SELECT COUNT(*) FROM shop.orders WHERE note = 'after'").Scan(&n); err != nil || n != 0 {
		t.Errorf("a change after complete arrived (%d, %v)", n, err)
	}
}

func TestLiveStopRemovesReplication(t *testing.T) {
	w := newLiveWorld(t, mariadbtest.Config{})
	id, _ := w.checkJob(t, w.job(3, `[{"Database":"shop"}]`))
	w.c.mustOK("StartMigrateJob", jobID(id))
	waitUntil(t, 60*time.Second, "ready_complete", func() bool { return w.c.status(id) == StatusReadyComplete })
	w.c.mustOK("StopMigrateJob", jobID(id))
	waitUntil(t, 30*time.Second, "failed", func() bool { return w.c.status(id) == StatusFailed })
	if names, err := mariadbtest.ReplicationConnections(w.dst.DB); err != nil || len(names) != 0 {
		t.Fatalf("replication connections %v, %v after stop; want none", names, err)
	}
	w.c.mustOK("DeleteMigrateJob", jobID(id))
}

func TestLiveUnits(t *testing.T) {
	for _, tc := range []struct{ src, dst, want string }{
		{"10.11.19-MariaDB-0+deb12u1-log", "10.11.5-MariaDB", ""},
		{"10.11.19-MariaDB", "10.6.1-MariaDB", "older"},
		{"8.0.36", "10.11.5-MariaDB", ""},
		{"10.11.5-MariaDB", "8.0.36", "MariaDB to MySQL"},
		{"5.7.44-log", "8.0.36", ""},
	} {
		if got := versionProblem(tc.src, tc.dst); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("versionProblem(%q, %q) = %q, want %q", tc.src, tc.dst, got, tc.want)
		}
	}
	if got := wildPattern(`a_b%c\d`); got != `a\_b\%c\\d` {
		t.Errorf("wildPattern = %q", got)
	}
	var b strings.Builder
	appendRow(&b, []column{{kind: 'n'}, {kind: 's'}, {kind: 'x'}, {kind: 's'}}, []sql.RawBytes{[]byte("-1.5"), []byte("a'b\\c\x00\n\"\x1a"), {0, 0xff}, nil})
	if want := `(-1.5,'a\'b\\c\0\n\"\Z',X'00ff',NULL)`; b.String() != want {
		t.Errorf("appendRow = %s, want %s", b.String(), want)
	}
	g := grants{"*.*": {"REPLICATION SLAVE": true}, "shop.*": {"SELECT": true}, "crm.deals": {"SELECT": true}}
	if !g.has("shop", "orders", "SELECT") || !g.has("crm", "deals", "SELECT") || g.has("crm", "leads", "SELECT") || !g.has("", "", "REPLICATION SLAVE") {
		t.Error("grants.has is wrong")
	}
	if got := replicationName("dts-ab12cd34"); got != "dts_ab12cd34" {
		t.Errorf("replicationName = %q", got)
	}
}

func TestRunRefusesBadInstanceFlags(t *testing.T) {
	for _, tc := range []struct{ arg, want string }{
		{"cdb-abc", "not ID=HOST:PORT"},
		{"=127.0.0.1:3306", "not ID=HOST:PORT"},
		{"cdb-abc=127.0.0.1", "is not HOST:PORT"},
	} {
		var stderr strings.Builder
		err := Run(t.Context(), []string{"-addr", "127.0.0.1:0", "-live", "-instance", tc.arg}, io.Discard, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("-instance %s: %v, want an error saying %q", tc.arg, err, tc.want)
		}
	}
	var stderr strings.Builder
	err := Run(t.Context(), []string{"-addr", "127.0.0.1:0", "-instance", "cdb-a=127.0.0.1:1", "-instance", "cdb-a=127.0.0.1:2"}, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "mapped twice") {
		t.Errorf("a repeated instance: %v", err)
	}
}

// TestLiveReplicationErrorFailsJob makes replication fail (a row written into the target
// collides with one the source then inserts): the job fails with the server's error, and no
// replication is left.
func TestLiveReplicationErrorFailsJob(t *testing.T) {
	w := newLiveWorld(t, mariadbtest.Config{})
	id, _ := w.checkJob(t, w.job(3, shopOrders))
	w.c.mustOK("StartMigrateJob", jobID(id))
	waitUntil(t, 60*time.Second, "ready_complete", func() bool { return w.c.status(id) == StatusReadyComplete })
	w.dst.Exec("INSERT INTO shop.orders (id, note) VALUES (100000, 'in the way')")
	w.src.Exec("INSERT INTO shop.orders (id, note) VALUES (100000, 'collides')")
	waitUntil(t, 30*time.Second, "failed", func() bool { return w.c.status(id) == StatusFailed })
	errs := arr(w.c.describe(id)["ErrorInfo"])
	if len(errs) == 0 || !strings.Contains(str(obj(errs[0])["ErrorLog"]), "Error 1062") {
		t.Errorf("ErrorInfo %v, want the replica's duplicate-key error", errs)
	}
	if names, err := mariadbtest.ReplicationConnections(w.dst.DB); err != nil || len(names) != 0 {
		t.Fatalf("replication connections %v, %v after the failure; want none", names, err)
	}
}
