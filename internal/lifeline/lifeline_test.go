//go:build unix

package lifeline

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as a rank: with LIFELINE_TEST_HELPER set it
// calls Watch, says so, and waits to be killed.
func TestMain(m *testing.M) {
	if os.Getenv("LIFELINE_TEST_HELPER") == "watch" {
		if err := Watch(); err != nil {
			os.Stdout.WriteString("error " + err.Error() + "\n")
			os.Exit(3)
		}
		if _, ok := os.LookupEnv(Env); ok {
			os.Stdout.WriteString("error " + Env + " is still set\n")
			os.Exit(3)
		}
		os.Stdout.WriteString("watching\n")
		time.Sleep(time.Minute)
		os.Exit(4) // not killed: the test sees exit status 4
	}
	os.Exit(m.Run())
}

// TestRankKilledWhenPipeEnds: a process watching its lifeline is killed
// (SIGKILL, as Pdeathsig would) once the launcher's write end closes, as
// it does when the launcher dies however it dies.
func TestRankKilledWhenPipeEnds(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "LIFELINE_TEST_HELPER=watch")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // as the launcher starts a rank
	w, closeRead, err := Give(cmd)
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	closeRead()
	line, err := bufio.NewReader(out).ReadString('\n')
	if line != "watching\n" {
		w.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("helper said %q (%v), want watching", line, err)
	}
	w.Close() // the launcher is gone
	err = cmd.Wait()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("helper ended with %v, want killed by SIGKILL when its lifeline ended", err)
	}
}

// TestGiveNamesTheDescriptor: the rank finds the pipe's read end at the
// descriptor named in its environment, after any files given before it.
func TestGiveNamesTheDescriptor(t *testing.T) {
	extra, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	cmd := exec.Command("/bin/sh", "-c", `echo "$`+Env+`"; exec cat <&"$`+Env+`"`)
	cmd.ExtraFiles = []*os.File{extra}
	w, closeRead, err := Give(cmd)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	closeRead()
	line, _ := bufio.NewReader(out).ReadString('\n')
	w.Close() // cat reads end of file and exits
	if err := cmd.Wait(); err != nil {
		t.Fatalf("cat of the lifeline: %v", err)
	}
	if strings.TrimSpace(line) != "4" {
		t.Fatalf("%s = %q, want 4 (descriptor 3 is the file given first)", Env, line)
	}
}

// TestOpenRejects: a variable that names no inherited pipe is an error that
// says what to do, and nothing is watched.
func TestOpenRejects(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "notapipe")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, v := range []string{"", "x", "1", "-5", "99999", strconv.Itoa(int(f.Fd()))} {
		if _, err := open(v); err == nil || !strings.Contains(err.Error(), Env) {
			t.Errorf("open(%q) = %v, want an error naming %s", v, err, Env)
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	fd, err := syscall.Dup(int(r.Fd()))
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	p, err := open(strconv.Itoa(fd))
	if err != nil {
		t.Fatalf("open of a pipe: %v", err)
	}
	p.Close()
}

// TestWatchCallsDieAtEOF: the watcher calls die when the write end is
// gone, after reading past a stray byte.
func TestWatchCallsDieAtEOF(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	died := make(chan struct{})
	go watch(r, func() { close(died) })
	if _, err := w.Write([]byte{1}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	select {
	case <-died:
	case <-time.After(time.Minute):
		t.Fatal("watch did not see the write end close")
	}
}
