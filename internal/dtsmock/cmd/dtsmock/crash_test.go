package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

var crashCred = dtsmock.Credential{SecretID: "AKIDcrash", SecretKey: "crashKey"}

// call sends one signed request and decodes the Response object.
func call(ctx context.Context, client *http.Client, url, action string, body any) (map[string]any, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := dtsmock.NewSignedRequest(ctx, url, action, b, crashCred, time.Now())
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(resp.Body)
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	var env struct{ Response map[string]any }
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", data, err)
	}
	if e, ok := env.Response["Error"].(map[string]any); ok {
		return nil, fmt.Errorf("%s answered %v", action, e)
	}
	return env.Response, nil
}

var crashJob = map[string]any{
	"JobName":         "crash",
	"MigrateOption":   map[string]any{"RunMode": 1, "MigrateType": 2},
	"SrcDatabaseType": "mysql", "SrcAccessType": "extranet",
	"SrcInfo":         map[string]any{"Ip": "10.0.0.1", "Port": 3306, "User": "root", "Password": "pw"},
	"DstDatabaseType": "mysql", "DstAccessType": "cdb",
	"DstInfo": map[string]any{"InstanceId": "cdb-abc12345", "Region": "ap-shanghai"},
}

// TestKillNineLosesNothing creates jobs from four clients, kills the emulator with SIGKILL in
// the middle, and checks after a restart that every acknowledged job is there and that the
// crash left no other file beside the state file.
func TestKillNineLosesNothing(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	args := []string{"-addr", "127.0.0.1:0", "-phase", "1h", "-state", state, "-rate-limit=false", "-max-idle-jobs", "100000",
		"-secret-id", crashCred.SecretID, "-secret-key", crashCred.SecretKey}
	c := startCommand(t, args...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const clients, killAfter = 4, 120
	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
	)
	killed := make(chan struct{})
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{}
			for ctx.Err() == nil {
				r, err := call(ctx, client, c.url, "CreateMigrateJob", crashJob)
				if err != nil {
					// Requests in flight when the emulator dies fail; nothing was acknowledged.
					return
				}
				id, _ := r["JobId"].(string)
				mu.Lock()
				acked = append(acked, id)
				if len(acked) == killAfter {
					close(killed)
				}
				mu.Unlock()
			}
		}()
	}
	select {
	case <-killed:
	case <-time.After(60 * time.Second):
		t.Fatalf("fewer than %d creates in 60 s; stderr: %s", killAfter, c.stderr())
	}
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := c.wait(t); err == nil {
		t.Fatal("the killed emulator exited with status 0")
	}
	cancel()
	wg.Wait()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "state.json" {
		t.Errorf("the crash left %v in the state directory", entries)
	}

	c2 := startCommand(t, args...)
	stored := map[string]bool{}
	client := &http.Client{}
	for offset := 0; ; offset += 100 {
		r, err := call(context.Background(), client, c2.url, "DescribeMigrateJobs", map[string]any{"Offset": offset, "Limit": 100})
		if err != nil {
			t.Fatal(err)
		}
		list, _ := r["JobList"].([]any)
		for _, j := range list {
			m, _ := j.(map[string]any)
			id, _ := m["JobId"].(string)
			stored[id] = true
		}
		if len(list) < 100 {
			break
		}
	}
	mu.Lock()
	defer mu.Unlock()
	lost := 0
	for _, id := range acked {
		if !stored[id] {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d acknowledged jobs lost after kill -9 (%d stored)", lost, len(acked), len(stored))
	}
	t.Logf("%d acknowledged, %d stored after kill -9", len(acked), len(stored))
	if err := c2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := c2.wait(t); err != nil {
		t.Fatalf("exit: %v; stderr: %s", err, c2.stderr())
	}
}
