package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
	"github.com/opendts/terraform-provider-dts/internal/mariadbtest"
)

// The live acceptance tests run the emulator in live mode against two private MariaDB
// servers: the source, and the target that plays the instance liveInstance.
const liveInstance = "cdb-live0001"

type liveEnv struct {
	*accEnv
	src, dst *mariadbtest.T
}

// newLiveEnv starts the servers (srcCfg for the source), seeds the source's shop database,
// and starts a live emulator. Without MariaDB it skips, or fails with DTS_LIVE_REQUIRED=1.
// The tests call t.Parallel first and resource.Test then, so that their servers start only
// once the test runs, never while it waits for its turn.
func newLiveEnv(t *testing.T, srcCfg mariadbtest.Config) *liveEnv {
	t.Helper()
	if realService() {
		t.Skip("live mode is the emulator's")
	}
	mariadbtest.Need(t)
	e := &liveEnv{src: mariadbtest.StartT(t, srcCfg), dst: mariadbtest.StartT(t, mariadbtest.Config{})}
	e.accEnv = newAccEnv(t, dtsmock.WithLive(true), dtsmock.WithInstance(liveInstance, e.dst.Addr()))
	e.src.Exec(
		"CREATE DATABASE shop",
		"CREATE TABLE shop.orders (id INT PRIMARY KEY AUTO_INCREMENT, customer VARCHAR(64) NOT NULL, amount DECIMAL(12,2), note TEXT, raw VARBINARY(16), placed DATETIME(3), KEY (customer))",
		`INSERT INTO shop.orders (customer, amount, note, raw, placed) SELECT CONCAT('c', seq % 97), seq / 7,
		   IF(seq % 5 = 0, NULL, CONCAT('it''s "q" \\ ', seq)), UNHEX(HEX(seq)), '2024-01-01' + INTERVAL seq SECOND
		 FROM shop.seq_1_to_20000`,
		"CREATE TABLE shop.customers (name VARCHAR(64) PRIMARY KEY, since DATE)",
		"INSERT INTO shop.customers SELECT CONCAT('c', seq), '2020-01-01' + INTERVAL seq DAY FROM shop.seq_0_to_96",
		"CREATE TABLE shop.audit (id INT PRIMARY KEY, what VARCHAR(20))",
		"INSERT INTO shop.audit VALUES (1, 'not selected')",
	)
	return e
}

// job is a dts_migrate_job from the source to the target; attrs are extra top-level lines.
func (e *liveEnv) job(password, tables, attrs string) string {
	return e.config(fmt.Sprintf(`
resource "dts_migrate_job" "test" {
  name                = "tf-acc-live"
  migrate_object      = "databases"
  databases           = [{ database = "shop", tables = [%[4]s] }]
  deletion_protection = false
%[5]s
  source = {
    database_type = "mysql"
    access_type   = "extranet"
    ip            = %[1]q
    port          = %[2]d
    user          = "root"
    password      = %[3]q
  }
  destination = {
    database_type = "mysql"
    access_type   = "cdb"
    instance_id   = %[6]q
    region        = "ap-guangzhou"
    user          = "root"
    password      = %[7]q
  }
}
`, e.src.Host, e.src.Port, password, tables, attrs, liveInstance, mariadbtest.RootPassword))
}

const liveTables = `"orders", "customers"`

// test runs steps on the live emulator's provider, and checks after the destroy that no job is
// left. It does not run them in parallel: the tests call t.Parallel themselves, before their
// servers start.
func (e *liveEnv) test(t *testing.T, steps []resource.TestStep) {
	t.Helper()
	resource.Test(t, e.testCase(steps))
}

// sameTables checks that CHECKSUM TABLE agrees on both servers for each table.
func (e *liveEnv) sameTables(tables ...string) error {
	a, err := mariadbtest.Checksums(e.src.DB, tables...)
	if err != nil {
		return err
	}
	b, err := mariadbtest.Checksums(e.dst.DB, tables...)
	if err != nil {
		return err
	}
	for _, tb := range tables {
		if a[tb] != b[tb] || a[tb] == -1 {
			return fmt.Errorf("CHECKSUM TABLE %s: source %d, target %d", tb, a[tb], b[tb])
		}
	}
	return nil
}

// eventually polls check until it passes or within has passed, returning its last error.
func eventually(within time.Duration, check func() error) error {
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		err := check()
		if err == nil {
			return nil
		}
		select {
		case <-deadline.C:
			return fmt.Errorf("after %s: %w", within, err)
		case <-tick.C:
		}
	}
}

// noReplication fails when the target has any replication connection configured.
func (e *liveEnv) noReplication() error {
	names, err := mariadbtest.ReplicationConnections(e.dst.DB)
	if err != nil {
		return err
	}
	if len(names) != 0 {
		return fmt.Errorf("replication connections left on the target: %v", names)
	}
	return nil
}

func (e *liveEnv) tableAbsent(db, table string) error {
	var n int
	err := e.dst.DB.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", db, table).Scan(&n)
	if err == nil && n != 0 {
		err = fmt.Errorf("%s.%s was copied, but it is not selected", db, table)
	}
	return err
}

func TestAccLive_wrongPassword(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t, mariadbtest.Config{})
	e.test(t, []resource.TestStep{{
		Config:      e.job("not-the-password", liveTables, `  migrate_type = "full"`),
		ExpectError: regexpWords(`check did not pass.*Access denied for user 'root'@'127\.0\.0\.1' \(using password: YES\)`),
	}})
}

func TestAccLive_missingTable(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t, mariadbtest.Config{})
	e.test(t, []resource.TestStep{{
		Config:      e.job(mariadbtest.RootPassword, `"orders", "refunds"`, `  migrate_type = "full"`),
		ExpectError: regexpWords(`check did not pass.*table shop\.refunds you selected does not exist`),
	}})
}

func TestAccLive_binlogOff(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t, mariadbtest.Config{NoBinlog: true})
	e.test(t, []resource.TestStep{{
		Config:      e.job(mariadbtest.RootPassword, liveTables, `  migrate_type = "full_and_incremental"`),
		ExpectError: regexpWords(`check did not pass.*binary log of the source database is off`),
	}})
}

func TestAccLive_fullCopiesExactly(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t, mariadbtest.Config{})
	e.test(t, []resource.TestStep{{
		Config: e.job(mariadbtest.RootPassword, liveTables, fullUntilSuccess),
		Check: resource.ComposeTestCheckFunc(
			resource.TestCheckResourceAttr(jobResource, "status", "success"),
			func(*terraform.State) error { return e.sameTables("shop.orders", "shop.customers") },
			func(*terraform.State) error { return e.tableAbsent("shop", "audit") },
		),
	}})
}

// TestAccLive_syncAndComplete: changes made while the job is ready_complete arrive; complete
// stops replication, so a later change does not.
func TestAccLive_syncAndComplete(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t, mariadbtest.Config{})
	incremental := `
  migrate_type = "full_and_incremental"
  wait_for     = "ready_complete"`
	e.test(t, []resource.TestStep{
		{
			Config: e.job(mariadbtest.RootPassword, liveTables, incremental),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(jobResource, "status", "ready_complete"),
				func(*terraform.State) error { return e.sameTables("shop.orders", "shop.customers") },
				func(*terraform.State) error {
					e.src.Exec(
						"INSERT INTO shop.orders (customer, amount) VALUES ('late', 9.99)",
						"UPDATE shop.orders SET amount = amount + 1 WHERE id % 100 = 0",
						"DELETE FROM shop.orders WHERE id BETWEEN 10 AND 19",
						"INSERT INTO shop.customers VALUES ('late', '2025-01-01')",
						"INSERT INTO shop.audit VALUES (2, 'still not selected')",
					)
					return eventually(30*time.Second, func() error { return e.sameTables("shop.orders", "shop.customers") })
				},
				func(*terraform.State) error { return e.tableAbsent("shop", "audit") },
			),
		},
		{
			Config: e.job(mariadbtest.RootPassword, liveTables, incremental+"\n  complete = true"),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(jobResource, "status", "success"),
				func(*terraform.State) error { return e.noReplication() },
				func(*terraform.State) error {
					e.src.Exec("INSERT INTO shop.orders (customer) VALUES ('after-complete')")
					var n int
					if err := e.dst.DB.QueryRow("SELECT COUNT(*) FROM shop.orders WHERE customer = 'after-complete'").Scan(&n); err != nil {
						return err
					}
					if n != 0 {
						return fmt.Errorf("a change made after complete arrived")
					}
					return nil
				},
			),
		},
	})
}

// TestAccLive_destroySyncing: destroying a job that still syncs leaves no replication on the
// target.
func TestAccLive_destroySyncing(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t, mariadbtest.Config{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			checkDestroyed(e.accEnv),
			func(*terraform.State) error { return e.noReplication() },
		),
		Steps: []resource.TestStep{{
			Config: e.job(mariadbtest.RootPassword, liveTables, `
  migrate_type = "full_and_incremental"
  wait_for     = "ready_complete"`),
			Check: func(*terraform.State) error {
				names, err := mariadbtest.ReplicationConnections(e.dst.DB)
				if err == nil && len(names) != 1 {
					err = fmt.Errorf("replication connections %v while syncing, want one", names)
				}
				return err
			},
		}},
	})
}

// TestAccLive_sourceKilledMidCopy kills the source once rows have begun to arrive: the job
// fails, with the error in its errors attribute.
func TestAccLive_sourceKilledMidCopy(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t, mariadbtest.Config{})
	e.src.Exec(
		"CREATE TABLE shop.big (id INT PRIMARY KEY, pad CHAR(200))",
		"INSERT INTO shop.big SELECT seq, REPEAT('x', 200) FROM shop.seq_1_to_150000",
	)
	killed := make(chan error, 1)
	kill := func() {
		go func() {
			killed <- eventually(2*time.Minute, func() error {
				var n int
				if err := e.dst.DB.QueryRow("SELECT COUNT(*) FROM shop.big").Scan(&n); err != nil || n == 0 {
					return fmt.Errorf("no row copied yet (%v)", err)
				}
				e.src.Kill()
				return nil
			})
		}()
	}
	config := e.job(mariadbtest.RootPassword, `"big", "orders"`, fullUntilSuccess)
	e.test(t, []resource.TestStep{
		{
			PreConfig:   kill,
			Config:      config,
			ExpectError: regexpWords(`reached status failed, not success`),
		},
		{
			// The failed job is tainted: the plan after the refresh replaces it.
			RefreshState:       true,
			ExpectNonEmptyPlan: true,
			Check: resource.ComposeTestCheckFunc(
				func(*terraform.State) error { return <-killed },
				resource.TestCheckResourceAttr(jobResource, "status", "failed"),
				resource.TestMatchResourceAttr(jobResource, "errors.0.log",
					regexp.MustCompile(`(?s)failed: .*(source database `+regexp.QuoteMeta(e.src.Addr())+`|connection was lost|invalid connection)`)),
			),
		},
	})
}
