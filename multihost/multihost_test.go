package multihost_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/internal/netns"
)

// skipUnlessPossible skips without root locally; under CI the tests must
// run, so a missing tool fails them there.
func skipUnlessPossible(t *testing.T) {
	t.Helper()
	if why := netns.Available(); why != "" && os.Getenv("CI") != "true" {
		t.Skip("multihost: " + why)
	}
}

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// binaries builds gorun and the test programs once, into a directory on
// the "shared filesystem" (every namespace host sees it).
func binaries(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "gorun-multihost-bin-")
		if buildErr != nil {
			return
		}
		for _, pkg := range []string{"../cmd/gorun", "../examples/parallel_test", "./internal/ringprog", "./internal/scaleprog", "./internal/flushprog"} {
			out, err := exec.Command("go", "build", "-o", binDir+"/", pkg).CombinedOutput()
			if err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// gorun prepares gorun -H ... over the cluster's ssh.
func gorun(ctx context.Context, bin string, c *netns.Cluster, args ...string) *exec.Cmd {
	all := append([]string{"--ssh", strings.Join(c.SSH, " ")}, args...)
	return exec.CommandContext(ctx, filepath.Join(bin, "gorun"), all...)
}

// TestSharedFile: a job over 3 hosts writes one HDF5 file in a shared
// directory; h5py reads what every rank wrote.
func TestSharedFile(t *testing.T) {
	skipUnlessPossible(t)
	bin := binaries(t)
	c := netns.New(t, 3)
	shared := t.TempDir()
	file := filepath.Join(shared, "parallel_test.hdf5")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	t0 := time.Now()
	cmd := gorun(ctx, bin, c, "-H", "h1:2,h2:2,h3:2", "-l", filepath.Join(bin, "parallel_test"), file)
	out, err := cmd.CombinedOutput()
	t.Logf("gorun -H h1:2,h2:2,h3:2 parallel_test: %v\n%s", time.Since(t0).Round(time.Millisecond), out)
	if err != nil {
		t.Fatalf("gorun: %v", err)
	}
	py := `import h5py,sys; print(list(h5py.File(sys.argv[1],'r')['test'][:]))`
	got, err := exec.Command("/usr/bin/python3", "-c", py, file).CombinedOutput()
	if err != nil {
		t.Fatalf("h5py: %v: %s", err, got)
	}
	if want := "[0, 1, 2, 3, 4, 5]"; strings.TrimSpace(string(got)) != want {
		t.Fatalf("h5py reads %s, want %s", got, want)
	}
}

// TestHostfileAndExitCode: --hostfile places ranks; ranks report their
// host; a clean job exits 0.
func TestHostfileAndExitCode(t *testing.T) {
	skipUnlessPossible(t)
	bin := binaries(t)
	c := netns.New(t, 2)
	hf := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(hf, []byte("# two hosts\nh1 slots=1\n\nh2 slots=2 max_slots=4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := gorun(ctx, bin, c, "-v", "--hostfile", hf, filepath.Join(bin, "ringprog"), "-rounds", "20").CombinedOutput()
	t.Logf("gorun --hostfile: %v\n%s", err, out)
	if err != nil {
		t.Fatalf("gorun --hostfile: %v", err)
	}
	for _, want := range []string{"rank 0 of 3 on h1", "rank 1 of 3 on h2", "rank 2 of 3 on h2", "round 20"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestHostDropsOff: one host's link goes down mid-job; the job fails within
// 10 s and the survivors' errors name that host's ranks.
func TestHostDropsOff(t *testing.T) {
	skipUnlessPossible(t)
	bin := binaries(t)
	c := netns.New(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := gorun(ctx, bin, c, "-H", "h1:2,h2:2,h3:2", filepath.Join(bin, "ringprog"))
	errBuf := startRunning(t, cmd)
	if err := c.LinkDown(2); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	err := cmd.Wait()
	took := time.Since(t0)
	t.Logf("job ended %v after h3's link went down: %v\n%s", took.Round(time.Millisecond), err, errBuf.String())
	if err == nil {
		t.Fatal("the job succeeded although h3 dropped off")
	}
	if took > 10*time.Second {
		t.Errorf("took %v to fail, want under 10s", took)
	}
	if s := errBuf.String(); !strings.Contains(s, "host h3") || !strings.Contains(s, "ranks 4,5") {
		t.Errorf("no error names host h3 and its ranks 4,5:\n%s", s)
	}
}

// startRunning starts a ringprog job and returns once rank 0 has printed
// "round 20" (every rank is up and passing the token); the rest of stdout
// is discarded, stderr collects in the returned buffer.
func startRunning(t *testing.T, cmd *exec.Cmd) *bytes.Buffer {
	t.Helper()
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "round 20") {
			go io.Copy(io.Discard, stdout)
			return &errBuf
		}
	}
	_ = cmd.Wait()
	t.Fatalf("the job never got going:\n%s", errBuf.String())
	return nil
}

// TestExitCodeAndSignal: a remote rank's exit code is gorun's, naming the
// rank; a remote rank's Abort(code) ends the job with code; SIGTERM to gorun reaches the remote ranks (through their agents)
// and gorun exits 128+15.
func TestExitCodeAndSignal(t *testing.T) {
	skipUnlessPossible(t)
	bin := binaries(t)
	c := netns.New(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	t.Run("exit code", func(t *testing.T) {
		out, err := gorun(ctx, bin, c, "-H", "h1:2,h2:2", filepath.Join(bin, "ringprog"), "-exit-rank", "3", "-exit-code", "7").CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		if !ok || !bytes.Contains(out, []byte("rank 3")) {
			t.Fatalf("gorun: %v, want a failure naming rank 3:\n%s", err, out)
		}
		// A follower (a peer that saw rank 3's connection close and exited
		// 1) may be reaped first; its own report to the rendezvous names
		// rank 3, so gorun still reports rank 3 and its code.
		if ee.ExitCode() != 7 || !bytes.Contains(out, []byte("gorun: rank 3 exited with code 7")) {
			t.Errorf("gorun exit %d, want 7 and \"gorun: rank 3 exited with code 7\":\n%s", ee.ExitCode(), out)
		}
	})
	t.Run("abort", func(t *testing.T) {
		// A remote rank's Abort ends the job with its code and every rank's
		// output so far reaches gorun's stdout: rank 0 printed "round 10"
		// before rank 2 aborts in round 20 ("round 20" races with the
		// abort: rank 3 may hear of it before it passes the token on).
		t0 := time.Now()
		out, err := gorun(ctx, bin, c, "-H", "h1:2,h2:2", filepath.Join(bin, "ringprog"), "-abort-rank", "2", "-exit-code", "9").CombinedOutput()
		t.Logf("abort: %v after %v\n%s", err, time.Since(t0), out)
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 9 || !bytes.Contains(out, []byte("rank 2 called Abort(9)")) || !bytes.Contains(out, []byte("round 10")) {
			t.Fatalf("gorun: %v, want exit 9, \"rank 2 called Abort(9)\" and \"round 10\":\n%s", err, out)
		}
	})
	t.Run("SIGTERM", func(t *testing.T) {
		cmd := gorun(ctx, bin, c, "-H", "h1:2,h2:2", filepath.Join(bin, "ringprog"))
		errBuf := startRunning(t, cmd)
		t0 := time.Now()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		err := cmd.Wait()
		took := time.Since(t0)
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 128+15 {
			t.Fatalf("gorun after SIGTERM: %v, want exit 143:\n%s", err, errBuf.String())
		}
		if took > 5*time.Second {
			t.Errorf("SIGTERM took %v to end the job (grace is 2s)", took)
		}
		t.Logf("SIGTERM ended the job in %v", took.Round(time.Millisecond))
	})
}

// TestRemoteStdin: gorun's stdin reaches rank 0 on another host (through
// its ssh session and agent), whole and in order; rank 1 reads /dev/null.
func TestRemoteStdin(t *testing.T) {
	skipUnlessPossible(t)
	bin := binaries(t)
	c := netns.New(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var data bytes.Buffer
	for i := 0; data.Len() < 300<<10; i++ {
		fmt.Fprintf(&data, "line %d for rank 0\n", i)
	}
	cmd := gorun(ctx, bin, c, "-H", "h1:1,h2:1", "/bin/cat")
	cmd.Stdin = bytes.NewReader(data.Bytes())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("gorun -H h1:1,h2:1 /bin/cat: %v\n%s", err, stderr.String())
	}
	if !bytes.Equal(stdout.Bytes(), data.Bytes()) {
		t.Errorf("stdout is %d bytes, want the %d bytes given to gorun's stdin\nstderr:\n%s", stdout.Len(), data.Len(), stderr.String())
	}
}
