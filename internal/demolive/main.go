// Command demolive is `make demo-live`: it starts two private MariaDB servers, seeds the source,
// starts the emulator in live mode with the second server as the target instance, and runs
// examples/demo-live: apply (full copy, then sync until ready_complete), changes in the source
// that arrive in the target, the cut-over (complete = true), CHECKSUM TABLE on both sides, and
// destroy. -tf runs OpenTofu (or another terraform) instead of the terraform on PATH.
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/opendts/terraform-provider-dts/internal/devenv"
	"github.com/opendts/terraform-provider-dts/internal/mariadbtest"
)

const (
	phase          = time.Second
	instanceID     = "cdb-live0001"
	migratorSecret = "demo-migrator-secret"
)

// tables are the migrated tables, compared with CHECKSUM TABLE at the end.
var tables = []string{"shop.products", "shop.orders", "shop.order_items", "crm.customers", "crm.deals"}

func main() {
	os.Exit(devenv.Main("demo-live", "The live demo", false, func(ctx context.Context, s *devenv.Session) error {
		d := &demo{Session: s}
		return d.run(ctx)
	}))
}

// demo is the live demo's session and what it adds: the two servers.
type demo struct {
	*devenv.Session
	src, dst     *mariadbtest.Server
	srcDB, dstDB *sql.DB
	destroyed    bool
}

func (d *demo) run(ctx context.Context) error {
	if err := mariadbtest.Available(); err != nil {
		return err
	}

	d.Header("Building the provider and the emulator; starting two MariaDB servers")
	if err := d.Build(ctx, "dts-demo-live-", "demo-live"); err != nil {
		return err
	}
	if err := d.startServers(ctx); err != nil {
		return err
	}
	fmt.Fprintf(d.Out, "Source: MariaDB on %s (server_id %d). Target: MariaDB on %s (server_id %d), playing instance %s.\n",
		d.src.Addr(), d.src.ServerID, d.dst.Addr(), d.dst.ServerID, instanceID)

	d.Header("Seeding the source")
	seedStart := time.Now()
	if err := d.seed(ctx); err != nil {
		return err
	}
	if err := d.showCounts(ctx, "source", d.srcDB); err != nil {
		return err
	}
	fmt.Fprintf(d.Out, "Seeded in %s.\n", time.Since(seedStart).Round(10*time.Millisecond))

	d.Header("Starting the DTS emulator in live mode")
	if err := d.StartEmulator(ctx, devenv.EmulatorConfig{
		Phase: phase,
		Args:  []string{"-live", "-instance", instanceID + "=" + d.dst.Addr()},
	}); err != nil {
		return err
	}
	fmt.Fprintf(d.Out, "The emulator listens on %s with -live -instance %s=%s.\n", d.Emu.Endpoint, instanceID, d.dst.Addr())
	d.Defer(func() error {
		if !d.destroyed {
			// A failed demo still removes its job, so that no replication outlives it.
			_ = d.terraform(context.Background(), "destroy") //nolint:errcheck // Best effort after a failure.
		}
		return nil
	})

	d.Header(d.CLI + " apply: check for real, copy the rows from one snapshot, sync until caught up")
	if err := d.apply(ctx, false); err != nil {
		return err
	}
	if err := d.showCounts(ctx, "target", d.dstDB); err != nil {
		return err
	}

	d.Header("Changing the source while the job syncs")
	if err := d.changeAndWatch(ctx); err != nil {
		return err
	}

	d.Header(d.CLI + " apply -var complete=true: cut over (the job waits for sync, then stops replicating)")
	if err := d.apply(ctx, true); err != nil {
		return err
	}

	d.Header("CHECKSUM TABLE on both sides")
	if err := d.compare(); err != nil {
		return err
	}

	d.Header(d.CLI + " destroy")
	if err := d.terraform(ctx, "destroy"); err != nil {
		return err
	}
	d.destroyed = true
	names, err := mariadbtest.ReplicationConnections(d.dstDB)
	if err != nil {
		return err
	}
	if len(names) != 0 {
		return fmt.Errorf("replication connections left on the target: %v", names)
	}
	fmt.Fprintln(d.Out, "No replication is left configured on the target.")
	return nil
}

// startServers starts the source and the target; the session stops them when it ends, after
// the emulator.
func (d *demo) startServers(ctx context.Context) error {
	d.Defer(d.stopServers)
	sctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	var err error
	if d.src, err = mariadbtest.Start(sctx, mariadbtest.Config{}); err != nil {
		return fmt.Errorf("starting the source: %w", err)
	}
	if d.dst, err = mariadbtest.Start(sctx, mariadbtest.Config{}); err != nil {
		return fmt.Errorf("starting the target: %w", err)
	}
	if d.srcDB, err = d.src.Open(); err != nil {
		return err
	}
	d.dstDB, err = d.dst.Open()
	return err
}

func execAll(ctx context.Context, db *sql.DB, stmts ...string) error {
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", strings.Fields(q)[0]+" "+firstLine(q), err)
		}
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 70 {
		s = s[:70] + "…"
	}
	return s
}

// seed creates the sample databases: 150,000 rows in five tables, made by the server itself
// (INSERT … SELECT from the sequence engine), and the migrator account the job uses.
func (d *demo) seed(ctx context.Context) error {
	return execAll(ctx, d.srcDB,
		"CREATE DATABASE shop",
		"CREATE DATABASE crm",
		"CREATE TABLE shop.products (id INT PRIMARY KEY, name VARCHAR(80) NOT NULL, price DECIMAL(10,2) NOT NULL)",
		"CREATE TABLE shop.orders (id INT PRIMARY KEY AUTO_INCREMENT, customer_id INT NOT NULL, placed DATETIME NOT NULL, status ENUM('new','paid','shipped') NOT NULL, note TEXT, KEY (customer_id))",
		"CREATE TABLE shop.order_items (order_id INT NOT NULL, line INT NOT NULL, product_id INT NOT NULL, qty INT NOT NULL, PRIMARY KEY (order_id, line))",
		"CREATE TABLE crm.customers (id INT PRIMARY KEY, name VARCHAR(80) NOT NULL, email VARCHAR(120))",
		"CREATE TABLE crm.deals (id INT PRIMARY KEY, customer_id INT NOT NULL, amount DECIMAL(12,2))",
		"CREATE TABLE crm.notes (id INT PRIMARY KEY, body TEXT)",
		"INSERT INTO shop.products SELECT seq, CONCAT('product ', seq), 1 + seq % 250 FROM shop.seq_1_to_1000",
		"INSERT INTO shop.orders (customer_id, placed, status, note) SELECT 1 + seq % 5000, '2025-01-01' + INTERVAL seq MINUTE, ELT(1 + seq % 3, 'new', 'paid', 'shipped'), IF(seq % 4 = 0, NULL, CONCAT('order ', seq, ': it''s \"fragile\"')) FROM shop.seq_1_to_100000",
		"INSERT INTO shop.order_items SELECT 1 + seq DIV 2, seq % 2, 1 + seq % 1000, 1 + seq % 5 FROM shop.seq_0_to_39999",
		"INSERT INTO crm.customers SELECT seq, CONCAT('customer ', seq), CONCAT('c', seq, '@example.com') FROM shop.seq_1_to_5000",
		"INSERT INTO crm.deals SELECT seq, 1 + seq % 5000, seq * 3.5 FROM shop.seq_1_to_4000",
		"INSERT INTO crm.notes SELECT seq, 'not selected: stays behind' FROM shop.seq_1_to_10",
		"CREATE USER 'migrator'@'%' IDENTIFIED BY '"+migratorSecret+"'",
		"GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'migrator'@'%'",
	)
}

func (d *demo) showCounts(ctx context.Context, side string, db *sql.DB) error {
	var parts []string
	for _, t := range tables {
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t).Scan(&n); err != nil {
			return fmt.Errorf("counting %s on the %s: %w", t, side, err)
		}
		parts = append(parts, fmt.Sprintf("%s %d", t, n))
	}
	fmt.Fprintf(d.Out, "Rows on the %s: %s.\n", side, strings.Join(parts, ", "))
	return nil
}

func (d *demo) apply(ctx context.Context, complete bool) error {
	return d.terraform(ctx, "apply", "-var", "complete="+strconv.FormatBool(complete))
}

func (d *demo) terraform(ctx context.Context, cmd string, extra ...string) error {
	args := append([]string{cmd, "-auto-approve", "-input=false",
		"-var", "source_ip=" + d.src.Host, "-var", "source_port=" + strconv.Itoa(d.src.Port),
		"-var", "source_password=" + migratorSecret, "-var", "destination_password=" + mariadbtest.RootPassword}, extra...)
	if cmd == "destroy" {
		args = append(args, "-var", "complete=true")
	}
	_, err := d.TF.Run(ctx, d.Workspace.Work, args...)
	return err
}

// changeAndWatch inserts, updates and deletes rows in the source and waits until the target
// shows each change.
func (d *demo) changeAndWatch(ctx context.Context) error {
	changes := []struct {
		what, sql, probe string
		want             int64
	}{
		{"insert 500 orders", "INSERT INTO shop.orders (customer_id, placed, status) SELECT 42, NOW(), 'new' FROM shop.seq_1_to_500",
			"SELECT COUNT(*) FROM shop.orders WHERE customer_id = 42 AND status = 'new' AND placed > '2026-01-01'", 500},
		{"mark 1,000 orders shipped", "UPDATE shop.orders SET status = 'shipped', note = 'shipped live' WHERE id BETWEEN 1 AND 1000",
			"SELECT COUNT(*) FROM shop.orders WHERE note = 'shipped live'", 1000},
		{"delete the deals of customer 7", "DELETE FROM crm.deals WHERE customer_id = 7",
			"SELECT COUNT(*) FROM crm.deals WHERE customer_id = 7", 0},
		{"raise every product's price", "UPDATE shop.products SET price = price + 1",
			"SELECT COUNT(*) FROM shop.products WHERE price > 250", 1000 / 250},
	}
	for _, c := range changes {
		begin := time.Now()
		if err := execAll(ctx, d.srcDB, c.sql); err != nil {
			return err
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			var n int64
			if err := d.dstDB.QueryRowContext(ctx, c.probe).Scan(&n); err != nil {
				return fmt.Errorf("watching the target: %w", err)
			}
			if n == c.want {
				fmt.Fprintf(d.Out, "source: %-32s → target shows it after %s\n", c.what, time.Since(begin).Round(time.Millisecond))
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("the change %q did not arrive in the target within 30 s (%d rows, want %d)", c.what, n, c.want)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	return nil
}

func (d *demo) compare() error {
	a, err := mariadbtest.Checksums(d.srcDB, tables...)
	if err != nil {
		return err
	}
	b, err := mariadbtest.Checksums(d.dstDB, tables...)
	if err != nil {
		return err
	}
	var bad []string
	fmt.Fprintf(d.Out, "%-20s %14s %14s\n", "table", "source", "target")
	for _, t := range tables {
		mark := ""
		if a[t] != b[t] {
			mark = "  DIFFERENT"
			bad = append(bad, t)
		}
		fmt.Fprintf(d.Out, "%-20s %14d %14d%s\n", t, a[t], b[t], mark)
	}
	var notes int
	err = d.dstDB.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'crm' AND TABLE_NAME = 'notes'").Scan(&notes)
	if err != nil {
		return err
	}
	if notes != 0 {
		bad = append(bad, "crm.notes (not selected, but copied)")
	} else {
		fmt.Fprintln(d.Out, "crm.notes, which the job does not select, is not in the target.")
	}
	if len(bad) > 0 {
		return fmt.Errorf("the target differs from the source: %s", strings.Join(bad, ", "))
	}
	return nil
}

// stopServers closes the connections to the servers and stops them.
func (d *demo) stopServers() error {
	for _, db := range []*sql.DB{d.srcDB, d.dstDB} {
		if db != nil {
			_ = db.Close() //nolint:errcheck // The servers go next.
		}
	}
	var err error
	for _, s := range []*mariadbtest.Server{d.src, d.dst} {
		if s != nil {
			err = errors.Join(err, s.Stop())
		}
	}
	return err
}
