package faults

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// bins holds gorun and faultprog, built once for every test of the package.
var bins struct {
	gorun, prog string
	err         error
	once        sync.Once
	dir         string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bins.dir != "" {
		os.RemoveAll(bins.dir)
	}
	os.Exit(code)
}

// build compiles cmd/gorun and faults/internal/faultprog (once).
func build(t *testing.T) (gorun, prog string) {
	t.Helper()
	bins.once.Do(func() {
		dir, err := os.MkdirTemp("", "faults-bin")
		if err != nil {
			bins.err = err
			return
		}
		bins.dir = dir
		bins.gorun, bins.prog = filepath.Join(dir, "gorun"), filepath.Join(dir, "faultprog")
		for _, b := range [][2]string{{bins.gorun, "../cmd/gorun"}, {bins.prog, "./internal/faultprog"}} {
			cmd := exec.Command("go", "build", "-o", b[0], b[1])
			if out, err := cmd.CombinedOutput(); err != nil {
				bins.err = fmt.Errorf("go build %s: %v\n%s", b[1], err, out)
				return
			}
		}
	})
	if bins.err != nil {
		t.Fatal(bins.err)
	}
	return bins.gorun, bins.prog
}

// run is one gorun job whose standard output the test reads line by line
// while it runs.
type run struct {
	cmd    *exec.Cmd
	lines  chan string // stdout, closed at its end
	stderr bytes.Buffer
	out    []string // every stdout line read so far (by next)
	done   chan struct{}
	err    error // gorun's exit, valid after done
}

// start runs gorun with args; the job is killed if the test's deadline
// (a failure path only) passes.
func start(t *testing.T, ctx context.Context, args ...string) *run {
	t.Helper()
	gorun, _ := build(t)
	r := &run{lines: make(chan string, 1024), done: make(chan struct{})}
	r.cmd = exec.CommandContext(ctx, gorun, args...)
	r.cmd.Stderr = &r.stderr
	stdout, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
		close(r.lines)
		r.err = r.cmd.Wait()
		close(r.done)
	}()
	return r
}

// until reads lines until one satisfies ok; false if the output ended.
func (r *run) until(ok func(string) bool) bool {
	for l := range r.lines {
		r.out = append(r.out, l)
		if ok(l) {
			return true
		}
	}
	return false
}

// wait drains the output and waits for gorun, at most limit (then the
// job is reported as hung and killed).
func (r *run) wait(t *testing.T, limit time.Duration) (hung bool) {
	t.Helper()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	for {
		select {
		case l, ok := <-r.lines:
			if ok {
				r.out = append(r.out, l)
				continue
			}
			select {
			case <-r.done:
				return false
			case <-timer.C:
			}
		case <-timer.C:
		}
		_ = r.cmd.Process.Kill()
		<-r.done
		return true
	}
}

func (r *run) text() string {
	return strings.Join(r.out, "\n") + "\n--- stderr ---\n" + r.stderr.String()
}
