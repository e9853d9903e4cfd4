package main

// memory.go: the provider's peak resident memory while terraform runs, read from /proc.

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rssPoll is how often the watcher looks at the provider's processes. VmHWM only grows, so the
// last look before a process exits sees its peak but for what it allocated in its last moments.
const rssPoll = 20 * time.Millisecond

// rssWatcher follows every running process of one executable and keeps the highest VmHWM
// (peak resident set) any of them reported.
type rssWatcher struct {
	exe  string
	stop chan struct{}
	done chan struct{}

	mu    sync.Mutex
	peak  int64 // KiB
	procs map[int]bool
}

// watchRSS starts watching the processes that run exe (an absolute path).
func watchRSS(exe string) *rssWatcher {
	w := &rssWatcher{exe: exe, stop: make(chan struct{}), done: make(chan struct{}), procs: map[int]bool{}}
	go w.loop()
	return w
}

func (w *rssWatcher) loop() {
	defer close(w.done)
	t := time.NewTicker(rssPoll)
	defer t.Stop()
	for {
		w.look()
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
	}
}

// look reads VmHWM of every process whose executable is w.exe.
func (w *rssWatcher) look() {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", d.Name(), "exe"))
		if err != nil || strings.TrimSuffix(exe, " (deleted)") != w.exe {
			continue
		}
		if kib, ok := vmHWM(pid); ok {
			w.mu.Lock()
			w.peak = max(w.peak, kib)
			w.procs[pid] = true
			w.mu.Unlock()
		}
	}
}

// Stop ends the watch and returns the peak in KiB and how many processes it saw.
func (w *rssWatcher) Stop() (int64, int) {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.peak, len(w.procs)
}

// vmHWM reads the VmHWM line of /proc/<pid>/status, in KiB.
func vmHWM(pid int) (int64, bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, false
	}
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0, false
			}
			n, err := strconv.ParseInt(f[0], 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

func mib(kib int64) string {
	return strconv.FormatFloat(float64(kib)/1024, 'f', 1, 64) + " MiB"
}
