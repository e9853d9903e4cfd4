// Package mariadbtest starts private MariaDB servers for tests, benchmarks and demos: each runs
// as its own mariadbd process on a free loopback port, with a temporary data directory and a
// unix socket inside it, and is stopped and removed when it is no longer needed. It never uses
// the system's service or a fixed port.
//
// Start and Server.Stop are the plain API; StartT ties a server to a test, and reports a
// missing mariadbd as a skip, or as a failure when DTS_LIVE_REQUIRED=1 (as in CI).
package mariadbtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
)

// RootPassword is the password of root@'%' on every server started here.
const RootPassword = "root-secret"

// Config is how a server is started. The zero value is a server with a ROW binlog.
type Config struct {
	// NoBinlog starts the server without a binary log.
	NoBinlog bool
	// BinlogFormat is the binlog_format (default ROW).
	BinlogFormat string
	// ServerID is the server_id (default: a number unique in this process).
	ServerID int
	// Dir is where the server's temporary directory is made (default: os.TempDir()).
	Dir string
	// StartTimeout bounds the wait for the server to accept connections (default 60 s).
	StartTimeout time.Duration
}

// Server is a running mariadbd.
type Server struct {
	// Host and Port are where it listens (Host is always 127.0.0.1).
	Host string
	Port int
	// Dir is its temporary directory, the data directory inside it; removed by Stop.
	Dir string
	// ServerID is its server_id.
	ServerID int

	cmd      *exec.Cmd
	exited   chan struct{}
	exitErr  error
	stopOnce sync.Once
	stopErr  error
	logPath  string
}

var nextServerID atomic.Int64

func init() { nextServerID.Store(int64(os.Getpid()%10000) * 100) }

// Binaries returns the paths of mariadbd and mariadb-install-db, or an error saying which is
// missing.
func Binaries() (mariadbd, installDB string, err error) {
	find := func(name string) (string, error) {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
		for _, dir := range []string{"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"} {
			p := filepath.Join(dir, name)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p, nil
			}
		}
		return "", fmt.Errorf("%s not found on PATH or in /usr/sbin: install the mariadb-server package", name)
	}
	if mariadbd, err = find("mariadbd"); err != nil {
		return "", "", err
	}
	if installDB, err = find("mariadb-install-db"); err != nil {
		return "", "", err
	}
	return mariadbd, installDB, nil
}

// Available reports whether MariaDB can be started here, and why not.
func Available() error {
	_, _, err := Binaries()
	return err
}

// Start initialises a data directory and starts a server on a free loopback port, returning
// once it accepts connections as root with RootPassword.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	mariadbd, installDB, err := Binaries()
	if err != nil {
		return nil, err
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = 60 * time.Second
	}
	if cfg.ServerID == 0 {
		cfg.ServerID = int(nextServerID.Add(1))
	}
	if cfg.BinlogFormat == "" {
		cfg.BinlogFormat = "ROW"
	}
	dir, err := os.MkdirTemp(cfg.Dir, "mariadb-")
	if err != nil {
		return nil, fmt.Errorf("making the server's directory: %w", err)
	}
	data := filepath.Join(dir, "data")
	// A temporary directory of the server's own: servers installed at once in the shared /tmp
	// trip over each other's temporary tables ("Unknown table 'mysql.tmp_user_sys'").
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return nil, errors.Join(fmt.Errorf("making the server's temporary directory: %w", err), os.RemoveAll(dir))
	}
	install := exec.CommandContext(ctx, installDB, "--no-defaults", "--auth-root-authentication-method=normal",
		"--datadir="+data, "--tmpdir="+tmp, "--skip-test-db", "--user="+currentUser())
	if out, err := install.CombinedOutput(); err != nil {
		return nil, errors.Join(fmt.Errorf("mariadb-install-db: %w: %s", err, lastLines(string(out), 5)), os.RemoveAll(dir))
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, errors.Join(err, os.RemoveAll(dir))
		}
		s := &Server{Host: "127.0.0.1", Port: port, Dir: dir, ServerID: cfg.ServerID, exited: make(chan struct{}),
			logPath: filepath.Join(dir, fmt.Sprintf("error-%d.log", attempt))}
		err = s.launch(ctx, mariadbd, data, cfg)
		if err == nil {
			return s, nil
		}
		lastErr = err
		if !strings.Contains(err.Error(), "Address already in use") && !strings.Contains(err.Error(), "Can't start server: Bind") {
			break
		}
	}
	return nil, errors.Join(lastErr, os.RemoveAll(dir))
}

func currentUser() string {
	if os.Geteuid() == 0 {
		return "root"
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return strconv.Itoa(os.Geteuid())
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port //nolint:forcetypeassert // A TCP listener has a TCP address.
	return port, ln.Close()
}

func (s *Server) launch(ctx context.Context, mariadbd, data string, cfg Config) error {
	args := []string{"--no-defaults", "--user=" + currentUser(), "--datadir=" + data, "--tmpdir=" + filepath.Join(s.Dir, "tmp"),
		"--socket=" + filepath.Join(s.Dir, "mysqld.sock"), "--pid-file=" + filepath.Join(s.Dir, "mysqld.pid"),
		"--port=" + strconv.Itoa(s.Port), "--bind-address=127.0.0.1", "--skip-name-resolve",
		"--server-id=" + strconv.Itoa(cfg.ServerID), "--log-error=" + s.logPath,
		"--innodb-buffer-pool-size=64M", "--innodb-log-file-size=64M", "--innodb-flush-log-at-trx-commit=2",
		"--sync-binlog=0", "--max-connections=200", "--skip-log-warnings",
	}
	if !cfg.NoBinlog {
		args = append(args, "--log-bin="+filepath.Join(data, "binlog"), "--binlog-format="+cfg.BinlogFormat,
			"--log-slave-updates=0")
	} else {
		args = append(args, "--skip-log-bin")
	}
	s.cmd = exec.Command(mariadbd, args...) //nolint:gosec // The binary is mariadbd, the arguments ours.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("starting mariadbd: %w", err)
	}
	go func() {
		s.exitErr = s.cmd.Wait()
		close(s.exited)
	}()
	wctx, cancel := context.WithTimeout(ctx, cfg.StartTimeout)
	defer cancel()
	// The fresh data directory lets root in without a password, over the socket.
	sock := filepath.Join(s.Dir, "mysqld.sock")
	for {
		err := setRootPassword(wctx, sock)
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			log, _ := os.ReadFile(s.logPath)
			return fmt.Errorf("mariadbd exited before accepting connections (%v): %s", s.exitErr, lastLines(string(log), 8))
		case <-wctx.Done():
			s.kill()
			log, _ := os.ReadFile(s.logPath)
			return fmt.Errorf("mariadbd did not accept connections within %s: %v; log: %s", cfg.StartTimeout, err, lastLines(string(log), 8))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func setRootPassword(ctx context.Context, sock string) error {
	c := mysql.NewConfig()
	c.Net, c.Addr, c.User = "unix", sock, "root"
	c.Timeout = 2 * time.Second
	conn, err := mysql.NewConnector(c)
	if err != nil {
		return err
	}
	db := sql.OpenDB(conn)
	defer db.Close() //nolint:errcheck // Nothing to do about a failed close of a probe.
	if err := db.PingContext(ctx); err != nil {
		return err
	}
	// mariadb-install-db makes root accounts for several hosts; the most specific one wins, so
	// every one but root@localhost goes, and root@'%' takes the password.
	rows, err := db.QueryContext(ctx, "SELECT User, Host FROM mysql.user WHERE User IN ('root', '') AND NOT (User = 'root' AND Host IN ('localhost', '%'))")
	if err != nil {
		return err
	}
	var drops []string
	for rows.Next() {
		var u, h string
		if err := rows.Scan(&u, &h); err != nil {
			return errors.Join(err, rows.Close())
		}
		drops = append(drops, "DROP USER '"+u+"'@'"+h+"'")
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, q := range append(drops,
		"CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '"+RootPassword+"'",
		"GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION",
		"ALTER USER 'root'@'localhost' IDENTIFIED BY '"+RootPassword+"'",
	) {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// Addr is "127.0.0.1:PORT".
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// DSN is a go-sql-driver DSN for user with password, on database db ("" for none).
func (s *Server) DSN(user, password, db string) string {
	c := mysql.NewConfig()
	c.Net, c.Addr, c.User, c.Passwd, c.DBName = "tcp", s.Addr(), user, password, db
	c.MultiStatements = true
	c.InterpolateParams = true
	return c.FormatDSN()
}

// Open opens a pool connected as root.
func (s *Server) Open() (*sql.DB, error) {
	return sql.Open("mysql", s.DSN("root", RootPassword, ""))
}

// Exited is closed when the server process has ended.
func (s *Server) Exited() <-chan struct{} { return s.exited }

// Kill ends the server at once with SIGKILL, as a crash would; Stop still removes its
// directory.
func (s *Server) Kill() { s.kill() }

func (s *Server) kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL) //nolint:errcheck // It may have exited already.
	}
	<-s.exited
}

// Stop shuts the server down (SIGTERM, then SIGKILL after 20 s) and removes its directory.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		select {
		case <-s.exited:
		default:
			_ = s.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // It may have exited already.
			select {
			case <-s.exited:
			case <-time.After(20 * time.Second):
				s.kill()
			}
		}
		s.stopErr = os.RemoveAll(s.Dir)
	})
	return s.stopErr
}
