package h5file_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/h5file/internal/indeptest"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// buildIndep builds cmd/gorun and h5file/internal/indepprog into a
// temporary directory.
func buildIndep(t *testing.T) (gorun, prog string) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts processes; skipped with -short")
	}
	bin := t.TempDir()
	gorun, prog = filepath.Join(bin, "gorun"), filepath.Join(bin, "indepprog")
	for _, b := range [][2]string{{gorun, "./cmd/gorun"}, {prog, "./h5file/internal/indepprog"}} {
		cmd := exec.Command("go", "build", "-o", b[0], b[1])
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	return gorun, prog
}

// TestIndependentGorun runs indepprog own through the real gorun binary at
// 1, 2, 4 and 16 ranks: each rank creates its own group, datasets of every
// layout (empty ones, strings, fill values, compressed, compact) and
// attributes alone and writes their data before the flush; after it every
// rank reads every rank's objects and uses them collectively (Resize,
// collective and compressed writes). h5dump opens each file and h5py
// checks every value.
func TestIndependentGorun(t *testing.T) {
	gorun, prog := buildIndep(t)
	dir := t.TempDir()
	script := indeptest.H5Py
	for _, n := range []int{1, 2, 4, 16} {
		path := filepath.Join(dir, fmt.Sprintf("own%d.h5", n))
		out, err := exec.Command(gorun, "-n", strconv.Itoa(n), "--timeout", "240s", prog, "own", path).CombinedOutput()
		if err != nil {
			t.Fatalf("gorun -n %d indepprog own: %v\n%s", n, err, out)
		}
		if c := strings.Count(string(out), "ok rank="); c != n {
			t.Fatalf("%d of %d ranks finished:\n%s", c, n, out)
		}
		if dump, code := interop.H5Dump(t, "-H", path); code != 0 {
			t.Fatalf("h5dump -H %s: exit %d\n%s", path, code, dump)
		}
		script += fmt.Sprintf("check(h5py.File(%q, 'r'), %d)\nprint('checked', %d)\n", path, n, n)
	}
	out := interop.H5Py(t, script)
	if strings.Count(out, "checked") != 4 {
		t.Fatalf("h5py: %s", out)
	}
}

// TestIndependentGorunCollision: rank 0 and the last rank create /dup in
// one epoch (2, 4 and 16 ranks). Every rank's Flush fails with the same
// error, matching ErrCollision and naming both ranks and the path; the
// file then opens in h5py as of that flush: the collective change of the
// epoch (epoch = 1) and the earlier epoch's own datasets, none of the
// failed epoch's own creations.
func TestIndependentGorunCollision(t *testing.T) {
	gorun, prog := buildIndep(t)
	dir := t.TempDir()
	script := ""
	for _, n := range []int{2, 4, 16} {
		path := filepath.Join(dir, fmt.Sprintf("dup%d.h5", n))
		out, err := exec.Command(gorun, "-n", strconv.Itoa(n), "--timeout", "240s", prog, "collide", path).CombinedOutput()
		if err != nil {
			t.Fatalf("gorun -n %d indepprog collide: %v\n%s", n, err, out)
		}
		msgs := map[int]string{}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			var r int
			var is bool
			var msg string
			if _, err := fmt.Sscanf(sc.Text(), "FLUSH rank=%d collision=%t msg=%q", &r, &is, &msg); err == nil {
				if !is {
					t.Errorf("rank %d: the error does not match ErrCollision: %s", r, msg)
				}
				msgs[r] = msg
			}
		}
		want := fmt.Sprintf("ranks 0 and %d both created /dup", n-1)
		for r := range n {
			if !strings.Contains(msgs[r], want) {
				t.Errorf("%d ranks: rank %d's error %q does not say %q", n, r, msgs[r], want)
			}
			if msgs[r] != msgs[0] {
				t.Errorf("%d ranks: rank %d's error differs from rank 0's", n, r)
			}
		}
		script += fmt.Sprintf("check(%q, %d)\n", path, n)
	}
	interop.H5Py(t, `
def check(path, n):
    f = h5py.File(path, 'r')
    assert f.attrs['epoch'] == 1
    assert f['base'][()].tolist() == list(range(n))
    want = sorted(['base'] + ['r%02d' % r for r in range(n)])
    assert sorted(f.keys()) == want, (list(f.keys()), want)
    for r in range(n):
        assert f['r%02d' % r][()].tolist() == [r, r + 1, r + 2]
`+script)
}

// killJob runs one indepprog job through gorun and SIGKILLs ranks: kill
// is called with each stdout line and the pids seen so far ("pending r
// pid" and "pid r pid" lines) and returns the pids to kill (then the job
// is waited for). It returns the job's output.
func killJob(t *testing.T, gorun string, args []string, kill func(line string, pids map[int]int) []int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gorun, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	pids := map[int]int{}
	sc := bufio.NewScanner(stdout)
	killed := false
	for sc.Scan() {
		l := sc.Text()
		lines = append(lines, l)
		var r, pid int
		if _, err := fmt.Sscanf(l, "pending %d %d", &r, &pid); err == nil {
			pids[r] = pid
		} else if _, err := fmt.Sscanf(l, "pid %d %d", &r, &pid); err == nil {
			pids[r] = pid
		}
		if killed {
			continue
		}
		if victims := kill(l, pids); len(victims) > 0 {
			for _, pid := range victims {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			killed = true
		}
	}
	werr := cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("gorun %v did not end within its deadline:\n%s\n%s", args, strings.Join(lines, "\n"), stderr.String())
	}
	if !killed {
		t.Fatalf("gorun %v ended (%v) before the kill:\n%s\n%s", args, werr, strings.Join(lines, "\n"), stderr.String())
	}
	if werr == nil {
		t.Fatalf("gorun %v succeeded after a SIGKILL:\n%s", args, strings.Join(lines, "\n"))
	}
	return strings.Join(lines, "\n") + "\n" + stderr.String()
}

// TestIndependentGorunCrash SIGKILLs one rank, or all, after every rank
// created its own group, dataset and attribute and wrote the data, before
// the flush (the victims wait in indepprog until killed; the other ranks
// are in Flush). The file must be exactly as of the flush before: h5py
// finds epoch 0's objects and values and none of the killed epoch's.
func TestIndependentGorunCrash(t *testing.T) {
	gorun, prog := buildIndep(t)
	dir := t.TempDir()
	script := ""
	for _, tc := range []struct {
		n      int
		victim string
	}{{1, "all"}, {4, "2"}, {4, "0"}, {4, "all"}, {16, "7"}} {
		path := filepath.Join(dir, fmt.Sprintf("crash%d_%s.h5", tc.n, tc.victim))
		out := killJob(t, gorun, []string{"-n", strconv.Itoa(tc.n), "--timeout", "100s", prog, "crash", path, tc.victim}, func(l string, pids map[int]int) []int {
			if tc.victim == "all" {
				if len(pids) < tc.n {
					return nil
				}
				var all []int
				for _, p := range pids {
					all = append(all, p)
				}
				return all
			}
			v, _ := strconv.Atoi(tc.victim)
			if p, ok := pids[v]; ok {
				return []int{p}
			}
			return nil
		})
		if strings.Contains(out, "ok rank=") {
			t.Errorf("%d ranks, victim %s: a rank finished after the kill:\n%s", tc.n, tc.victim, out)
		}
		if dump, code := interop.H5Dump(t, path); code != 0 {
			t.Errorf("h5dump %s: exit %d\n%s", path, code, dump)
		}
		script += fmt.Sprintf("check(%q, %d)\n", path, tc.n)
	}
	interop.H5Py(t, `
def check(path, n):
    f = h5py.File(path, 'r')
    assert f.attrs['epoch'] == 0, f.attrs['epoch']
    assert f['base'][()].tolist() == list(range(n))
    want = sorted(['base'] + ['r%02d' % r for r in range(n)])
    assert sorted(f.keys()) == want, (path, list(f.keys()))
    for r in range(n):
        assert f['r%02d' % r][()].tolist() == [r, r + 1, r + 2]
`+script)
}

// TestIndependentGorunKillLoop SIGKILLs one random rank or all ranks at a
// random moment of a loop in which every epoch each of 4 ranks creates and
// writes its own datasets, one of them compressed (inside a new group
// every rank shares), and then flushes. The file must be the state of one completed flush, the last
// one rank 0 printed or the one after it (a kill after its superblock):
// for every epoch up to the file's, every rank's dataset with its values,
// and no later epoch's group.
func TestIndependentGorunKillLoop(t *testing.T) {
	gorun, prog := buildIndep(t)
	dir := t.TempDir()
	const n, epochs = 4, 400
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 17))
	trials := 16
	script := ""
	for trial := range trials {
		path := filepath.Join(dir, fmt.Sprintf("loop%02d.h5", trial))
		all := trial%2 == 1
		victim := rng.IntN(n)
		delay := time.Duration(rng.Int64N(int64(300 * time.Millisecond)))
		started := false
		out := killJob(t, gorun, []string{"-n", strconv.Itoa(n), "--timeout", "100s", prog, "loop", path, strconv.Itoa(epochs)}, func(l string, pids map[int]int) []int {
			started = started || l == "flushed 0"
			if !started || len(pids) < n {
				return nil
			}
			time.Sleep(delay) // the random kill point (not synchronisation)
			if all {
				var ps []int
				for r := range n {
					ps = append(ps, pids[r])
				}
				return ps
			}
			return []int{pids[victim]}
		})
		printed := -1
		for l := range strings.SplitSeq(out, "\n") {
			var k int
			if _, err := fmt.Sscanf(l, "flushed %d", &k); err == nil {
				printed = k
			}
		}
		script += fmt.Sprintf("check(%q, %d, %d)\n", path, n, printed)
	}
	out := interop.H5Py(t, `
def check(path, n, printed):
    f = h5py.File(path, 'r')
    e = int(f.attrs['epoch'])
    assert e in (printed, printed + 1), (path, e, printed)
    for k in range(e + 1):
        for r in range(n):
            want = [k*1000 + r*100 + i for i in range(k % 50 + 1)]
            v = f['e%04d/r%02d' % (k, r)][()].tolist()
            assert v == want, (path, k, r, v)
            z = f['e%04d/z%02d' % (k, r)]
            assert z.compression == 'gzip' and z[()].tolist() == want, (path, k, r, z[()])
    assert 'e%04d' % (e + 1) not in f, (path, e)
    print('epoch', e, 'printed', printed)
`+script)
	t.Logf("files at (epoch, last printed flush): %s", strings.ReplaceAll(strings.TrimSpace(out), "\n", "; "))
}
