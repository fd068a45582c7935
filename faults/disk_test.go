package faults

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// needRoot skips a test that needs root (mount, setpriv) outside CI; under
// CI a missing privilege is a failure, so the test never silently stops
// running there.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal("this test needs root (mount -t tmpfs) and CI is set")
	}
	t.Skip("needs root to mount a tmpfs")
}

// smallDisk mounts a tmpfs of size bytes and returns its directory.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	needRoot(t)
	dir, err := os.MkdirTemp("", "faults-disk")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0777", "tmpfs", dir).CombinedOutput(); err != nil {
		os.Remove(dir)
		t.Fatalf("mount tmpfs: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", dir, err, out)
		}
		os.Remove(dir)
	})
	return dir
}

// TestDiskFull runs the flushing write loop on a 2 MiB tmpfs until the
// disk is full: every rank gets an error (one says "no space left"), gorun
// exits nonzero, and the file is intact as of its last completed flush
// (h5file, h5dump and h5py read it). The ranks close the file after the
// error (faultprog defers Close); when they all fail alike that Close is a
// flush, which may record the dataset of the failed step.
func TestDiskFull(t *testing.T) {
	_, prog := build(t)
	// per values per rank and step (twice: dataset s<k> and a row of
	// /data): the disk fills within a few to a hundred steps, so the
	// ENOSPC lands in raw data writes and in metadata flushes.
	for _, tc := range []struct{ n, per int }{{2, 2048}, {3, 2048}, {4, 2048}, {2, 333}, {3, 5000}, {4, 97}} {
		n, per := tc.n, tc.per
		t.Run(fmt.Sprintf("n=%d,per=%d", n, per), func(t *testing.T) {
			dir := smallDisk(t, "2m")
			path := filepath.Join(dir, "full.h5")
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			r := start(t, ctx, "-n", strconv.Itoa(n), prog, "crash", path, "5000", strconv.Itoa(per))
			if r.wait(t, 50*time.Second) {
				t.Fatalf("the job did not end on a full disk:\n%s", r.text())
			}
			if r.err == nil {
				t.Fatalf("the loop finished on a full disk (make the data larger):\n%s", r.text())
			}
			errs := r.stderr.String()
			for rk := range n {
				if !strings.Contains(errs, fmt.Sprintf("faultprog: rank %d: ", rk)) {
					t.Errorf("rank %d reported no error:\n%s", rk, r.text())
				}
			}
			if !strings.Contains(errs, "no space left on device") {
				t.Errorf("no rank says the disk is full:\n%s", errs)
			}
			printed := lastFlushed(r.out)
			// Reading the file needs room for nothing, but h5dump and h5py
			// read it where it is.
			step, err := checkCrashFile(path, n, per, true)
			if err != nil {
				t.Fatalf("file after a full disk (last printed flush %d): %v\n%s", printed, err, r.text())
			}
			if step != printed && step != printed+1 {
				t.Fatalf("file holds step %d, last printed flush %d", step, printed)
			}
			readers(t, path, step, n, per, true)
			t.Logf("n=%d per=%d: disk full after flush %d; file intact at step %d; errors:\n%s", n, per, printed, step, errs)
		})
	}
}

// TestPermissionDenied opens files the ranks may not write, as an
// unprivileged user (setpriv; root ignores permission bits): a new file in
// a read-only directory, and mode "w" over an existing read-only file.
// Every rank gets an error saying permission denied, and the existing
// file is untouched.
func TestPermissionDenied(t *testing.T) {
	needRoot(t)
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("no setpriv to drop privileges")
	}
	gorun, prog := build(t)
	// The unprivileged ranks need to reach the binaries and the files.
	if err := os.Chmod(filepath.Dir(gorun), 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "faults-perm")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	// An existing file with a flushed state, made by root.
	existing := filepath.Join(dir, "existing.h5")
	{
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		r := start(t, ctx, "-n", "2", prog, "crash", existing, "3", "4")
		hung := r.wait(t, 50*time.Second)
		cancel()
		if hung || r.err != nil {
			t.Fatalf("writing the existing file: %v\n%s", r.err, r.text())
		}
	}
	if err := os.Chmod(existing, 0o444); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(existing)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path string }{
		{"new file in a read-only directory", filepath.Join(dir, "new.h5")},
		{"mode w over a read-only file", existing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 3
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
				gorun, "-n", strconv.Itoa(n), prog, "crash", tc.path, "3", "4")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			if ctx.Err() != nil {
				t.Fatalf("the job hung:\n%s", out.String())
			}
			if err == nil {
				t.Fatalf("gorun exited 0:\n%s", out.String())
			}
			for rk := range n {
				if !strings.Contains(out.String(), fmt.Sprintf("faultprog: rank %d: ", rk)) {
					t.Errorf("rank %d reported no error:\n%s", rk, out.String())
				}
			}
			if !strings.Contains(out.String(), "permission denied") {
				t.Errorf("no rank says permission denied:\n%s", out.String())
			}
		})
	}
	after, err := os.ReadFile(existing)
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("the read-only file changed (%v)", err)
	}
	if _, err := checkCrashFile(existing, 2, 4, false); err != nil {
		t.Errorf("the read-only file: %v", err)
	}
}

// lastFlushed is the last k of the "flushed k" lines, -2 if none.
func lastFlushed(out []string) int64 {
	printed := int64(-2)
	for _, l := range out {
		var k int64
		if _, err := fmt.Sscanf(l, "flushed %d", &k); err == nil {
			printed = k
		}
	}
	return printed
}

// readers opens a loop's file with h5dump and h5py and checks its step.
func readers(t *testing.T, path string, step int64, n, per int, closedAfterError bool) {
	t.Helper()
	if out, err := exec.Command("h5dump", "-H", path).CombinedOutput(); err != nil {
		t.Errorf("h5dump: %v\n%.2000s", err, out)
	}
	script := fmt.Sprintf(`import h5py, numpy as np
with h5py.File(%q, 'r') as f:
    step = %d
    assert f.attrs['step'] == step, f.attrs['step']
    for k in range(step + 1):
        want = k*1000000 + np.arange(%d)
        assert (f['s%%04d' %% k][()] == want).all(), k
        assert (f['data'][k] == want).all(), k
        assert (f['ext'][k] == want).all(), k
    assert 's%%04d' %% (step + 1 + %d) not in f
`, path, step, n*per, btoi(closedAfterError))
	if out, err := exec.Command("/usr/bin/python3", "-c", script).CombinedOutput(); err != nil {
		t.Errorf("h5py: %v\n%s", err, out)
	}
}
