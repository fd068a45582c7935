//go:build unix

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestSigtermEndsJob sends SIGTERM to gorun once every rank is running and
// checks that gorun exits 143 and no rank survives.
func TestSigtermEndsJob(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), failGuard)
	defer cancel()
	const n = 4
	cmd := exec.CommandContext(ctx, gorunBin, "-n", fmt.Sprint(n), "-x", helperEnv+"=ready", selfBin)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pids []int
	sc := bufio.NewScanner(stdout)
	for len(pids) < n && sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "ready" {
			pid, _ := strconv.Atoi(f[1])
			pids = append(pids, pid)
		}
	}
	if len(pids) < n {
		t.Fatalf("only %d ranks said ready", len(pids))
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() {
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 128+15 {
		t.Errorf("gorun after SIGTERM: %v, want exit status 143", err)
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("rank pid %d still exists after gorun ended (kill 0: %v)", pid, err)
		}
	}
}
