package launch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// agentRun runs Agent in this process for one rank running helperMain(mode)
// and returns the control stream's writer (the launcher's end of the ssh
// session) and a channel with the agent's exit status.
func agentRun(t *testing.T, mode string, stdin bool, stdout io.Writer) (*io.PipeWriter, <-chan int) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	spec := agentSpec{Rank: 0, Host: "test", Path: exe, Dir: t.TempDir(), CPUs: -1, Local: 1,
		Env: []string{"LAUNCH_TEST_HELPER=" + mode}, Rendezvous: "127.0.0.1:1", Stdin: stdin}
	line, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() { done <- Agent(pr, stdout, &stderr) }()
	if _, err := pw.Write(append(line, '\n')); err != nil {
		t.Fatal(err)
	}
	return pw, done
}

// waitAgent waits for the agent's exit status; the deadline is for a hang.
func waitAgent(t *testing.T, done <-chan int) int {
	t.Helper()
	select {
	case code := <-done:
		return code
	case <-time.After(time.Minute):
		t.Fatal("agent did not end within a minute")
		return -1
	}
}

func TestAgentStdinRecords(t *testing.T) {
	var out bytes.Buffer
	pw, done := agentRun(t, "stdin", true, &out)
	for _, rec := range []string{"stdin 6\nhello\n", "stdin 7\nworld!\n", "stdin-eof\n"} {
		if _, err := io.WriteString(pw, rec); err != nil {
			t.Fatal(err)
		}
	}
	if code := waitAgent(t, done); code != 0 {
		t.Fatalf("agent exit status %d, want 0", code)
	}
	if out.String() != "hello\nworld!\n" {
		t.Errorf("rank's stdout %q, want its stdin echoed", out.String())
	}
}

// A rank that never reads its stdin must not hold up the launcher's
// signals, which follow its stdin on the same session.
func TestAgentSignalAfterUnreadStdin(t *testing.T) {
	pw, done := agentRun(t, "sleep", true, io.Discard)
	chunk := bytes.Repeat([]byte{'x'}, stdinChunk)
	for range 32 { // 1 MiB, far more than a pipe holds
		if _, err := fmt.Fprintf(pw, "stdin %d\n%s", len(chunk), chunk); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := io.WriteString(pw, "signal 15\n"); err != nil {
		t.Fatal(err)
	}
	if code := waitAgent(t, done); code != 128+15 {
		t.Fatalf("agent exit status %d, want 143 (SIGTERM forwarded)", code)
	}
}

// Through the launcher: rank 0 on a "remote" host gets the job's stdin, the
// other remote rank reads /dev/null. The ssh program is this test binary
// running Agent, so no sshd is needed.
func TestRemoteRankZeroStdin(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("LAUNCH_TEST_HELPER", "fakessh") // the "ssh" process's mode
	var data bytes.Buffer
	for i := 0; data.Len() < 200<<10; i++ {
		fmt.Fprintf(&data, "line %d of rank 0's stdin\n", i)
	}
	var out, stderr bytes.Buffer
	job := Job{Size: 2, Path: exe, Extra: []string{"LAUNCH_TEST_HELPER=stdin"},
		Hosts: []Host{{Name: "127.0.0.2", Slots: 2}}, Bind: "127.0.0.1",
		Remote: Remote{SSH: []string{exe}, Agent: "gorun"},
		Stdin:  bytes.NewReader(data.Bytes()), Stdout: &out, Stderr: &stderr,
		Grace: 500 * time.Millisecond, Timeout: 2 * time.Minute}
	if err := Run(context.Background(), job); err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, stderr.String())
	}
	if !bytes.Equal(out.Bytes(), data.Bytes()) {
		t.Errorf("stdout is %d bytes, want rank 0's %d bytes of stdin echoed", out.Len(), data.Len())
	}
	for r, n := range []int{data.Len(), 0} {
		if want := fmt.Sprintf("rank %d read %d bytes, err <nil>", r, n); !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}
