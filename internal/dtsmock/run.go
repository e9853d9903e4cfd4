package dtsmock

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

const shutdownTimeout = 5 * time.Second

// Run is the standalone emulator: it parses args (without the program name), listens, prints
// exactly one line "dtsmock listening on http://HOST:PORT" to stdout, logs to stderr, and
// shuts down gracefully when ctx is done.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dtsmock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8088", "listen address; port 0 picks a free port")
	secretID := fs.String("secret-id", DefaultSecretID, "accepted SecretId (env DTSMOCK_SECRET_ID)")
	secretKey := fs.String("secret-key", DefaultSecretKey, "accepted SecretKey (env DTSMOCK_SECRET_KEY)")
	phase := fs.Duration("phase", DefaultPhase, "base duration of each simulated phase")
	state := fs.String("state", "", "file to persist jobs in")
	journal := fs.String("journal", "", "file to append one JSON line per request to")
	rateLimit := fs.Bool("rate-limit", true, "throttle requests per SecretId and action")
	maxIdle := fs.Int("max-idle-jobs", DefaultMaxIdleJobs, "quota of idle jobs (status 1, 2, 4, 5)")
	faults := fs.String("faults", "", "file with a JSON array of fault rules")
	maxConns := fs.Int("max-conns", 0, "cap on open connections (0: the open-file limit minus a reserve, at most 4096)")
	live := fs.Bool("live", false, "check and migrate MySQL jobs against the real databases")
	var instances instanceFlag
	fs.Var(&instances, "instance", "map a destination instance to a MySQL server, ID=HOST:PORT (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if v, ok := os.LookupEnv("DTSMOCK_SECRET_ID"); ok && v != "" && !set["secret-id"] {
		*secretID = v
	}
	if v, ok := os.LookupEnv("DTSMOCK_SECRET_KEY"); ok && v != "" && !set["secret-key"] {
		*secretKey = v
	}
	logger := log.New(stderr, "dtsmock: ", log.LstdFlags)
	opts := []Option{
		WithCredentials(Credential{SecretID: *secretID, SecretKey: *secretKey}),
		WithPhase(*phase),
		WithRateLimit(*rateLimit),
		WithMaxIdleJobs(*maxIdle),
		WithLogger(logger),
		WithConnLimits(ConnLimits{MaxConns: *maxConns}),
		WithLive(*live),
		// Nothing reads the journal of a standalone emulator from memory: -journal writes it.
		WithJournalInMemory(false),
	}
	for _, m := range instances {
		opts = append(opts, WithInstance(m.id, m.addr))
	}
	if *maxConns < 0 {
		return fmt.Errorf("-max-conns must not be negative (got %d)", *maxConns)
	}
	if *state != "" {
		opts = append(opts, WithStateFile(*state))
	}
	if *faults != "" {
		b, err := os.ReadFile(*faults)
		if err != nil {
			return fmt.Errorf("reading fault rules: %w", err)
		}
		rules, err := ParseFaults(b)
		if err != nil {
			return err
		}
		opts = append(opts, WithFaults(rules...))
	}
	var journalFile *os.File
	if *journal != "" {
		f, err := os.OpenFile(*journal, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("opening journal: %w", err)
		}
		journalFile = f
		opts = append(opts, WithJournal(f))
	}
	err := serve(ctx, *addr, opts, stdout, logger)
	if journalFile != nil {
		if cerr := journalFile.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("closing journal: %w", cerr))
		}
	}
	return err
}

func serve(ctx context.Context, addr string, opts []Option, stdout io.Writer, logger *log.Logger) (err error) {
	srv, err := New(opts...)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := srv.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}()
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	host, port, err := net.SplitHostPort(ln.Addr().String())
	if err != nil {
		return errors.Join(fmt.Errorf("reading the listening address: %w", err), ln.Close())
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	hs := &http.Server{ErrorLog: logger}
	srv.configure(hs)
	errc := make(chan error, 1)
	limited := srv.Listen(ln)
	go func() { errc <- hs.Serve(limited) }()
	if _, err := fmt.Fprintf(stdout, "dtsmock listening on http://%s\n", net.JoinHostPort(host, port)); err != nil {
		return errors.Join(fmt.Errorf("printing the listening line: %w", err), hs.Close())
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	logger.Printf("shutting down")
	// Shutdown waits for active connections; those still sending a request (or idle) have
	// nothing to wait for, and a flood of them would hold the exit for the body timeout.
	if l, ok := limited.(*connLimiter); ok {
		hs.SetKeepAlivesEnabled(false)
		if err := l.closeWaiting(); err != nil {
			logger.Printf("closing waiting connections: %v", err)
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	return nil
}

// instanceFlag collects -instance ID=HOST:PORT mappings.
type instanceFlag []struct{ id, addr string }

func (f *instanceFlag) String() string {
	parts := make([]string, 0, len(*f))
	for _, m := range *f {
		parts = append(parts, m.id+"="+m.addr)
	}
	return strings.Join(parts, ",")
}

func (f *instanceFlag) Set(v string) error {
	id, addr, ok := strings.Cut(v, "=")
	if !ok || id == "" || addr == "" {
		return fmt.Errorf("%q is not ID=HOST:PORT", v)
	}
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return fmt.Errorf("%q: the address %q is not HOST:PORT", v, addr)
	}
	for _, m := range *f {
		if m.id == id {
			return fmt.Errorf("instance %s is mapped twice", id)
		}
	}
	*f = append(*f, struct{ id, addr string }{id, addr})
	return nil
}
