package h5file_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/followload"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// followH5py opens the file again and again, back to back, until the
// stop file exists, with
// libhdf5's default file locking, and checks each view as followload.Check
// does. A failed open is counted apart when it is libhdf5's "unable to
// lock file": the writer holds the exclusive lock only while it
// publishes a flush (decision 28).
const followH5py = `
import h5py, numpy as np, json, sys, os, time
path, stop, W = sys.argv[1], sys.argv[2], int(sys.argv[3])
done = attempts = lock_failures = 0
steps, torn, errors = set(), [], []
t0 = time.time()
while not os.path.exists(stop) and time.time() - t0 < 240:
    attempts += 1
    try:
        f = h5py.File(path, 'r')
    except OSError as e:
        if 'unable to lock file' in str(e):
            lock_failures += 1
        else:
            errors.append('open: ' + str(e))
        if len(errors) > 10:
            break
        continue
    try:
        k = int(f.attrs['step']) if 'step' in f.attrs else -1
        s, z = f['steps'], f['z']
        if s.shape != (k + 1, W) or z.shape != (k + 1,):
            torn.append('step %d: shapes %s %s' % (k, s.shape, z.shape))
        elif k >= 0:
            want = np.arange(k + 1)[:, None] * 1000 + np.arange(W)[None, :]
            if not (s[()] == want).all():
                torn.append('step %d: /steps values' % k)
            if not (z[()] == np.arange(k + 1) ** 2).all():
                torn.append('step %d: /z values' % k)
        steps.add(k)
    except Exception as e:
        errors.append('read: ' + repr(e))
    finally:
        f.close()
    done += 1
print(json.dumps({'opens': done, 'attempts': attempts, 'lock_failures': lock_failures,
                  'steps': len(steps), 'torn': torn, 'errors': errors}))
`

type h5pyFollow struct {
	Opens        int      `json:"opens"`
	Attempts     int      `json:"attempts"`
	LockFailures int      `json:"lock_failures"`
	Steps        int      `json:"steps"`
	Torn         []string `json:"torn"`
	Errors       []string `json:"errors"`
}

// TestFollowGorunJob is issue 17's proof of a live reader: a 4-rank job
// (the real gorun binary) flushes continually while this test polls it
// 1000 times through Follow (every view checked whole: attribute, shapes
// and every value of one flush), h5py opens it back to back meanwhile
// with libhdf5's own locking and checks each view the same way, and h5ls --follow lists
// 5 flushes. Then the job is told to stop and its file checked. In both
// format families.
func TestFollowGorunJob(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped with -short")
	}
	interop.H5Py(t, "pass") // h5py is there (CI: must be)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	bin := t.TempDir()
	gorun, job, h5ls := filepath.Join(bin, "gorun"), filepath.Join(bin, "followjob"), filepath.Join(bin, "h5ls")
	for _, b := range [][2]string{{gorun, "./cmd/gorun"}, {job, "./h5file/internal/followjob"}, {h5ls, "./cmd/h5ls"}} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", b[0], b[1])
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	t.Run("classic", func(t *testing.T) { followGorunJob(ctx, t, gorun, job, h5ls) })
	t.Run("latest", func(t *testing.T) { followGorunJob(ctx, t, gorun, job, h5ls, "-latest") })
}

func followGorunJob(ctx context.Context, t *testing.T, gorun, job, h5ls string, jobArgs ...string) {
	const ranks = 4
	dir := t.TempDir()
	path, stop, pyStop := filepath.Join(dir, "live.h5"), filepath.Join(dir, "stop"), filepath.Join(dir, "pystop")
	var jobOut bytes.Buffer
	args := append([]string{"-n", strconv.Itoa(ranks), "--timeout", "300s", job, "-timing", "-stop", stop}, jobArgs...)
	jobCmd := exec.CommandContext(ctx, gorun, append(args, path)...)
	jobCmd.Stdout, jobCmd.Stderr = &jobOut, &jobOut
	if err := jobCmd.Start(); err != nil {
		t.Fatal(err)
	}
	jobDone := make(chan struct{})
	var jobErr error
	go func() { jobErr = jobCmd.Wait(); close(jobDone) }()
	stopJob := func() error {
		if err := os.WriteFile(stop, nil, 0o644); err != nil {
			t.Error(err)
		}
		<-jobDone
		return jobErr
	}
	defer stopJob()

	// The file exists, with a snapshot, once rank 0 has created it: wait
	// for that (polling is the only way to see another process's file).
	var f *h5file.File
	for deadline := time.Now().Add(2 * time.Minute); ; {
		var err error
		if f, err = h5file.Open(path, "r", h5file.Follow()); err == nil {
			break
		}
		select {
		case <-jobDone:
			t.Fatalf("job ended before the file could be followed: %v\n%s", jobErr, jobOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot to follow after 2 minutes: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	defer f.Close()

	// h5py and h5ls --follow run beside the polls.
	type result struct {
		out string
		err error
	}
	pyDone, lsDone := make(chan result, 1), make(chan result, 1)
	go func() {
		cmd := exec.CommandContext(ctx, interop.Python, "-c", followH5py, path, pyStop, strconv.Itoa(followload.Cols*ranks))
		cmd.Env = withoutLockingOverride(os.Environ())
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			err = fmt.Errorf("%v: %s", err, stderr.String())
		}
		pyDone <- result{string(out), err}
	}()
	go func() {
		out, err := exec.CommandContext(ctx, h5ls, "--follow", "-count", "5", "-d", path).CombinedOutput()
		lsDone <- result{string(out), err}
	}()

	// Each poll waits for the next flush (Next), then checks the view.
	seen, gone := map[int64]bool{}, 0
	last := int64(-2)
	const polls = 1000
	for i := range polls {
		pctx, pcancel := context.WithTimeout(ctx, time.Minute)
		err := f.Next(pctx)
		pcancel()
		if err != nil {
			t.Fatalf("poll %d: %v", i, err)
		}
		k, err := followload.Check(f, ranks)
		switch {
		case errors.Is(err, h5file.ErrSnapshotGone):
			gone++ // read after the writer's next flush completed: refused, not torn
			continue
		case err != nil:
			t.Fatalf("poll %d (flush %d): %v", i, f.Generation(), err)
		case k <= last:
			t.Fatalf("poll %d: step %d after step %d", i, k, last)
		}
		last = k
		seen[k] = true
	}
	select {
	case <-jobDone:
		t.Fatalf("the job ended during the polls (they must run while it writes): %v\n%s", jobErr, jobOut.String())
	default:
	}
	if err := os.WriteFile(pyStop, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	py := <-pyDone
	ls := <-lsDone
	err := stopJob()
	if err != nil {
		t.Fatalf("job: %v\n%s", err, jobOut.String())
	}
	t.Logf("job: %s", strings.TrimSpace(jobOut.String()))
	t.Logf("Go follower: %d polls (each a new flush), 0 torn, %d checked whole, %d reads refused as superseded", polls, len(seen), gone)
	if len(seen) < polls/2 {
		t.Errorf("only %d of %d views could be checked before the writer superseded them", len(seen), polls)
	}

	if py.err != nil {
		t.Fatalf("h5py: %v", py.err)
	}
	var hp h5pyFollow
	if err := json.Unmarshal([]byte(py.out), &hp); err != nil {
		t.Fatalf("h5py output: %v\n%s", err, py.out)
	}
	t.Logf("h5py: %d opens (%d attempts, %d refused by the writer's lock while it published), %d distinct flushes", hp.Opens, hp.Attempts, hp.LockFailures, hp.Steps)
	if len(hp.Torn) > 0 || len(hp.Errors) > 0 || hp.Opens < 100 {
		t.Errorf("h5py mid-job: %d opens, torn %q, errors %q", hp.Opens, hp.Torn, hp.Errors)
	}
	if hp.Steps < 10 {
		t.Errorf("h5py saw %d distinct flushes: it did not read through the job", hp.Steps)
	}

	if ls.err != nil {
		t.Fatalf("h5ls --follow: %v\n%s", ls.err, ls.out)
	}
	checkH5lsFollow(t, ls.out, 5, ranks)

	// The finished file: every step, read by h5py.
	m := regexp.MustCompile(`steps (\d+)`).FindStringSubmatch(jobOut.String())
	if m == nil {
		t.Fatalf("job output has no step count:\n%s", jobOut.String())
	}
	out := interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
k = int(f.attrs['step'])
assert f['steps'].shape == (k + 1, %d) and (f['steps'][()] == np.arange(k + 1)[:, None] * 1000 + np.arange(%d)[None, :]).all()
assert (f['z'][()] == np.arange(k + 1) ** 2).all()
print(k + 1)
`, path, followload.Cols*ranks, followload.Cols*ranks))
	if strings.TrimSpace(out) != m[1] {
		t.Errorf("final file has %s steps, the job wrote %s", strings.TrimSpace(out), m[1])
	}
}

// checkH5lsFollow checks h5ls --follow's output: count listings of
// increasing flushes, each whole (the summary's step matches the shapes
// listed).
func checkH5lsFollow(t *testing.T, out string, count, ranks int) {
	t.Helper()
	// The first flushes may be the job's Create (no datasets yet) and its
	// datasets' creation (no step yet).
	head := regexp.MustCompile(`(?m)^flush (\d+): 0 groups, (\d) datasets, (\d+) elements(; step=(-?\d+))?$`)
	heads := head.FindAllStringSubmatch(out, -1)
	if len(heads) != count {
		t.Fatalf("h5ls --follow -count %d printed %d flushes:\n%s", count, len(heads), out)
	}
	prev := -1
	for _, h := range heads {
		g, _ := strconv.Atoi(h[1])
		n, _ := strconv.Atoi(h[3])
		if g <= prev {
			t.Errorf("flush %d after flush %d", g, prev)
		}
		prev = g
		if h[4] == "" {
			if n != 0 {
				t.Errorf("flush %d: %d elements before the first step", g, n)
			}
			continue
		}
		k, _ := strconv.Atoi(h[5])
		if want := (k + 1) * (followload.Cols*ranks + 1); n != want {
			t.Errorf("flush %d: %d elements at step %d, want %d", g, n, k, want)
		}
		if !strings.Contains(out, fmt.Sprintf("/steps                   Dataset {%d/Inf, %d}", k+1, followload.Cols*ranks)) {
			t.Errorf("flush %d: no /steps of %d rows listed:\n%s", g, k+1, out)
		}
	}
}

// withoutLockingOverride drops HDF5_USE_FILE_LOCKING: h5py must lock as
// libhdf5 does by default.
func withoutLockingOverride(env []string) []string {
	var out []string
	for _, e := range env {
		if !strings.HasPrefix(e, "HDF5_USE_FILE_LOCKING=") {
			out = append(out, e)
		}
	}
	return out
}
