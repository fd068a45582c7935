package launch

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

// lifelineLauncher is a launcher process for TestRanksDieWithKilledLauncher:
// a job of two commsleep ranks, with Linux's Pdeathsig turned off so that
// only the lifeline pipe (macOS's way, internal/lifeline) or, on Windows,
// the job object can end them when this process is killed.
func lifelineLauncher() int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	job := Job{Size: 2, Path: exe, Env: append(os.Environ(), "LAUNCH_TEST_HELPER=commsleep"), noPdeathsig: true}
	if err := Run(context.Background(), job); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return ExitCode(err)
	}
	return 0
}

// commSleep is a rank that has called comm.Init (and so watches its
// lifeline), starts a child in its process group, says "ready PID CHILD",
// and then only waits.
func commSleep() int {
	ctx := context.Background()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := collectives.Barrier(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	child := exec.Command(exe)
	child.Env = append(os.Environ(), "LAUNCH_TEST_HELPER=sleep")
	if err := child.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Printf("ready %d %d\n", os.Getpid(), child.Process.Pid)
	time.Sleep(time.Hour)
	return 0
}

// TestRanksDieWithKilledLauncher kills a launcher (SIGKILL: it runs no
// code of its own at its end) whose ranks have no parent-death signal, as
// on macOS: the ranks see their lifeline end and kill themselves and what
// they started (on Windows, the job object ends both).
func TestRanksDieWithKilledLauncher(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	launcher := exec.Command(exe)
	launcher.Env = append(os.Environ(), "LAUNCH_TEST_HELPER=launcher")
	launcher.Stderr = os.Stderr
	out, err := launcher.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := launcher.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = launcher.Process.Kill(); _ = launcher.Wait() }()
	var pids []int
	br := bufio.NewReader(out)
	for ready := 0; ready < 2; {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("launcher's output ended before both ranks were ready: %v", err)
		}
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != "ready" {
			continue
		}
		for _, v := range f[1:] {
			if pid, err := strconv.Atoi(v); err == nil {
				pids = append(pids, pid)
			}
		}
		ready++
	}
	defer func() { // on failure, leave nothing behind
		for _, pid := range pids {
			if p, err := os.FindProcess(pid); err == nil && processAlive(pid) {
				_ = p.Kill()
			}
		}
	}()
	t.Logf("ranks and their children %v ready; killing the launcher", pids)
	if err := launcher.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = launcher.Wait()
	// Poll: nothing tells this process when a process that is not its
	// child ends.
	deadline := time.Now().Add(time.Minute)
	for _, pid := range pids {
		for processAlive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("process %d (a rank or its child) outlived its killed launcher by a minute", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
