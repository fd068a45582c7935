package launch

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// TestJobObjectKill (Windows): a kill ends the rank's job object with exit
// status 137, the code the launcher's reports take for a kill everywhere.
// (Compiled on Linux by internal/crossbuild; run only on Windows.)
func TestJobObjectKill(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "LAUNCH_TEST_HELPER=sleep")
	g, err := newProcGroup(cmd, groupOptions{lifeline: true})
	if err != nil {
		t.Fatal(err)
	}
	defer g.release()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := g.started(cmd.Process); err != nil {
		_ = cmd.Wait()
		t.Fatal(err)
	}
	if err := g.signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != killedCode {
		t.Fatalf("exit code %d after a kill, want %d", code, killedCode)
	}
}
