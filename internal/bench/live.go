package main

// P10: rows per second of the emulator's live full copy against `mariadb-dump | mariadb` of the
// same selection between the same two MariaDB servers, in one run; goal >= 0.8x of the pipe.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
	"github.com/opendts/terraform-provider-dts/internal/mariadbtest"
)

const (
	p10Runs     = 2 // each method's best of p10Runs
	p10Goal     = 0.8
	p10Instance = "cdb-bench010"
)

// p10Tables are the copied tables: 300,000 rows, about 45 MB, seeded by the server itself.
var p10Tables = []struct{ create, fill string }{
	{"CREATE TABLE p10.orders (id INT PRIMARY KEY, customer INT NOT NULL, placed DATETIME NOT NULL, amount DECIMAL(12,2), status VARCHAR(16), note VARCHAR(120), KEY (customer))",
		"INSERT INTO p10.orders SELECT seq, seq % 7919, '2025-01-01' + INTERVAL seq SECOND, seq / 3, ELT(1 + seq % 3, 'new', 'paid', 'shipped'), CONCAT('order ', seq, ' it''s \"fragile\"') FROM p10.seq_1_to_200000"},
	{"CREATE TABLE p10.events (id BIGINT PRIMARY KEY, kind TINYINT NOT NULL, payload TEXT, raw VARBINARY(32))",
		"INSERT INTO p10.events SELECT seq, seq % 10, REPEAT(CONCAT('e', seq), 12), UNHEX(SHA1(seq)) FROM p10.seq_1_to_100000"},
}

func (b *bench) p10(ctx context.Context) error {
	b.section(fmt.Sprintf("P10: rows/s of the live full copy against mariadb-dump | mariadb, best of %d each", p10Runs))
	figure := "P10 live full copy rows/s, against mariadb-dump | mariadb"
	if err := mariadbtest.Available(); err != nil {
		fmt.Fprintf(b.out, "not measured: %v\n", err)
		b.rows = append(b.rows, row{figure: figure, value: "not measured (no MariaDB)", goal: "≥ 0.8×", result: "n/a"})
		return nil
	}
	dump, err1 := exec.LookPath("mariadb-dump")
	client, err2 := exec.LookPath("mariadb")
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("P10 needs the mariadb client package: %w", err)
	}
	sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	src, err := mariadbtest.Start(sctx, mariadbtest.Config{Dir: b.tmp})
	if err != nil {
		return fmt.Errorf("P10: %w", err)
	}
	defer src.Stop() //nolint:errcheck // The benchmark's temporary folder goes too.
	dst, err := mariadbtest.Start(sctx, mariadbtest.Config{Dir: b.tmp})
	if err != nil {
		return fmt.Errorf("P10: %w", err)
	}
	defer dst.Stop() //nolint:errcheck // The benchmark's temporary folder goes too.
	srcDB, err := src.Open()
	if err != nil {
		return err
	}
	defer srcDB.Close() //nolint:errcheck // Read only.
	dstDB, err := dst.Open()
	if err != nil {
		return err
	}
	defer dstDB.Close() //nolint:errcheck // The server goes next.
	if _, err := srcDB.ExecContext(ctx, "CREATE DATABASE p10"); err != nil {
		return err
	}
	var rows int64
	for _, t := range p10Tables {
		if _, err := srcDB.ExecContext(ctx, t.create); err != nil {
			return fmt.Errorf("P10 seeding: %w", err)
		}
		res, err := srcDB.ExecContext(ctx, t.fill)
		if err != nil {
			return fmt.Errorf("P10 seeding: %w", err)
		}
		n, _ := res.RowsAffected() // The driver always knows it.
		rows += n
	}
	fmt.Fprintf(b.out, "source %s and target %s, %d rows in p10.orders and p10.events\n", src.Addr(), dst.Addr(), rows)

	dropTarget := func() error {
		_, err := dstDB.ExecContext(ctx, "DROP DATABASE IF EXISTS p10")
		return err
	}
	var pipeBest, liveBest time.Duration
	args := emulatorArgs("-live", "-phase", "10ms", "-instance", p10Instance+"="+dst.Addr())
	err = b.withBareEmulator(ctx, "p10", args, func(url string) error {
		for i := range p10Runs {
			if err := dropTarget(); err != nil {
				return err
			}
			d, err := dumpAndLoad(ctx, dump, client, src, dst)
			if err != nil {
				return err
			}
			pipeBest = bestOf(pipeBest, d)
			if err := checkCopy(srcDB, dstDB); err != nil {
				return fmt.Errorf("after mariadb-dump | mariadb: %w", err)
			}
			if err := dropTarget(); err != nil {
				return err
			}
			l, err := liveCopy(ctx, url, src)
			if err != nil {
				return err
			}
			liveBest = bestOf(liveBest, l)
			if err := checkCopy(srcDB, dstDB); err != nil {
				return fmt.Errorf("after the live copy: %w", err)
			}
			fmt.Fprintf(b.out, "run %d: mariadb-dump | mariadb %s (%.0f rows/s), live full copy %s (%.0f rows/s)\n",
				i+1, secs(d), float64(rows)/d.Seconds(), secs(l), float64(rows)/l.Seconds())
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("P10: %w", err)
	}
	pipeRate, liveRate := float64(rows)/pipeBest.Seconds(), float64(rows)/liveBest.Seconds()
	ratio := liveRate / pipeRate
	b.rows = append(b.rows, row{
		figure: figure,
		value:  fmt.Sprintf("%.0f/s against %.0f/s: %.2f×", liveRate, pipeRate, ratio),
		goal:   fmt.Sprintf("≥ %.1f×", p10Goal),
		result: passFail(ratio >= p10Goal),
	})
	return nil
}

func bestOf(best, d time.Duration) time.Duration {
	if best == 0 || d < best {
		return d
	}
	return best
}

// checkCopy compares CHECKSUM TABLE of the copied tables on both servers.
func checkCopy(src, dst *sql.DB) error {
	names := []string{"p10.orders", "p10.events"}
	a, err := mariadbtest.Checksums(src, names...)
	if err != nil {
		return err
	}
	c, err := mariadbtest.Checksums(dst, names...)
	if err != nil {
		return err
	}
	for _, n := range names {
		if a[n] != c[n] {
			return fmt.Errorf("CHECKSUM TABLE %s: source %d, target %d", n, a[n], c[n])
		}
	}
	return nil
}

// dumpAndLoad times `mariadb-dump --single-transaction p10 | mariadb p10` between the servers.
func dumpAndLoad(ctx context.Context, dump, client string, src, dst *mariadbtest.Server) (time.Duration, error) {
	conn := func(s *mariadbtest.Server) []string {
		return []string{"--no-defaults", "--protocol=tcp", "-h", s.Host, "-P", strconv.Itoa(s.Port), "-uroot"}
	}
	script := fmt.Sprintf(`"$DUMP" %s --single-transaction --databases p10 | "$CLIENT" %s`,
		strings.Join(conn(src), " "), strings.Join(conn(dst), " "))
	cmd := exec.CommandContext(ctx, "bash", "-o", "pipefail", "-c", script)
	cmd.Env = append(os.Environ(), "DUMP="+dump, "CLIENT="+client, "MYSQL_PWD="+mariadbtest.RootPassword)
	began := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("mariadb-dump | mariadb: %w: %s", err, out)
	}
	return time.Since(began), nil
}

// liveCopy times a live full migration of p10 by the emulator, from StartMigrateJob to
// success.
func liveCopy(ctx context.Context, url string, src *mariadbtest.Server) (time.Duration, error) {
	hc := &http.Client{}
	body := fmt.Sprintf(`{"JobName":"bench-p10","MigrateOption":{"RunMode":1,"MigrateType":2,"MigrateObject":2},`+
		`"SrcDatabaseType":"mysql","SrcAccessType":"extranet","SrcInfo":{"Ip":%q,"Port":%d,"User":"root","Password":%q},`+
		`"DstDatabaseType":"mysql","DstAccessType":"cdb","DstInfo":{"InstanceId":%q,"Region":"ap-guangzhou","User":"root","Password":%q},`+
		`"DatabaseInfo":"[{\"Database\":\"p10\"}]"}`, src.Host, src.Port, mariadbtest.RootPassword, p10Instance, mariadbtest.RootPassword)
	r, err := callJSON(ctx, hc, url, "CreateMigrateJob", body)
	if err != nil {
		return 0, err
	}
	id, _ := r["JobId"].(string)
	jid := fmt.Sprintf(`{"JobId":%q}`, id)
	status := func() (int, string, error) {
		r, err := callJSON(ctx, hc, url, "DescribeMigrateJobs", jid)
		if err != nil {
			return 0, "", err
		}
		list, _ := r["JobList"].([]any)
		if len(list) != 1 {
			return 0, "", fmt.Errorf("job %s not listed", id)
		}
		j, _ := list[0].(map[string]any)
		st, _ := j["Status"].(float64)
		info, _ := json.Marshal(j["ErrorInfo"])
		return int(st), string(info), nil
	}
	waitFor := func(want ...int) error {
		deadline := time.Now().Add(5 * time.Minute)
		for time.Now().Before(deadline) {
			st, info, err := status()
			if err != nil {
				return err
			}
			for _, w := range want {
				if st == w {
					return nil
				}
			}
			if st == dtsmock.StatusFailed || st == dtsmock.StatusCheckNotPass {
				return fmt.Errorf("job %s reached status %d: %s", id, st, info)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
		}
		return fmt.Errorf("job %s: not in status %v within 5 minutes", id, want)
	}
	if err := waitFor(dtsmock.StatusCreated); err != nil {
		return 0, err
	}
	if _, err := callJSON(ctx, hc, url, "CreateMigrateCheckJob", jid); err != nil {
		return 0, err
	}
	if err := waitFor(dtsmock.StatusCheckPass); err != nil {
		return 0, err
	}
	began := time.Now()
	if _, err := callJSON(ctx, hc, url, "StartMigrateJob", jid); err != nil {
		return 0, err
	}
	if err := waitFor(dtsmock.StatusSuccess); err != nil {
		return 0, err
	}
	d := time.Since(began)
	_, err = callJSON(ctx, hc, url, "DeleteMigrateJob", jid)
	return d, err
}

// callJSON sends one signed request and returns its Response, failing on an error answer.
func callJSON(ctx context.Context, hc *http.Client, url, action, body string) (map[string]any, error) {
	req, err := dtsmock.NewSignedRequest(ctx, url, action, []byte(body), benchCred, time.Now())
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("sending %s: %w", action, err)
	}
	data, err := io.ReadAll(resp.Body)
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	var env struct {
		Response map[string]any
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("decoding the answer to %s: %w", action, err)
	}
	if e, ok := env.Response["Error"].(map[string]any); ok {
		return nil, fmt.Errorf("%s answered %v: %v", action, e["Code"], e["Message"])
	}
	return env.Response, nil
}
