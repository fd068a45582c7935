package h5file_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

func needLocks(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("files are locked on Linux only")
	}
	t.Setenv("HDF5_USE_FILE_LOCKING", "") // the default: locking on
}

// holdWithH5py opens path in h5py with mode and keeps it open until the
// returned function is called. It returns once h5py has the file open.
func holdWithH5py(t *testing.T, path, mode string) (release func()) {
	t.Helper()
	interop.H5Py(t, "pass") // fails under CI, skips elsewhere, without h5py
	cmd := exec.Command(interop.Python, "-c", fmt.Sprintf(`import h5py, sys
f = h5py.File(%q, %q)
if %q != 'r':
    f['held'] = [1, 2, 3]
    f.flush()
print('ready', flush=True)
sys.stdin.read()
f.close()
`, path, mode, mode))
	cmd.Env = append(os.Environ(), "HDF5_USE_FILE_LOCKING=TRUE")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if line != "ready\n" {
		stdin.Close()
		cmd.Wait()
		t.Fatalf("h5py did not open %s (mode %s): %q %v\n%s", path, mode, line, err, stderr.String())
	}
	done := false
	release = func() {
		if done {
			return
		}
		done = true
		stdin.Close()
		go io.Copy(io.Discard, stdout)
		if err := cmd.Wait(); err != nil {
			t.Errorf("h5py holding %s: %v\n%s", path, err, stderr.String())
		}
	}
	t.Cleanup(release)
	return release
}

// TestLockH5pyHolds: while h5py has a file open for writing, our opens
// fail with ErrLocked naming the process, and Create does not truncate
// it; after h5py closes it, they work.
func TestLockH5pyHolds(t *testing.T) {
	needLocks(t)
	path := filepath.Join(t.TempDir(), "held.h5")
	release := holdWithH5py(t, path, "w")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"r", "r+", "a", "w"} {
		f, err := h5file.Open(path, mode)
		if err == nil {
			f.Close()
			t.Fatalf("Open(%q) of a file h5py writes succeeded", mode)
		}
		if !errors.Is(err, h5file.ErrLocked) || !strings.Contains(err.Error(), "python") || !strings.Contains(err.Error(), "HDF5_USE_FILE_LOCKING=FALSE") {
			t.Errorf("Open(%q): %v; want ErrLocked naming the python process and the way out", mode, err)
		}
	}
	if st2, err := os.Stat(path); err != nil || st2.Size() != st.Size() {
		t.Errorf("a refused Create changed the file: %d bytes, was %d (%v)", st2.Size(), st.Size(), err)
	}
	// HDF5_USE_FILE_LOCKING=FALSE opens it anyway, as with libhdf5.
	t.Setenv("HDF5_USE_FILE_LOCKING", "FALSE")
	f, err := h5file.Open(path, "r")
	if err != nil {
		t.Fatalf("Open with HDF5_USE_FILE_LOCKING=FALSE: %v", err)
	}
	if !f.Contains("held") {
		t.Errorf("h5py's flushed dataset is not in the file")
	}
	f.Close()
	t.Setenv("HDF5_USE_FILE_LOCKING", "")
	release()
	f, err = h5file.Open(path, "r+")
	if err != nil {
		t.Fatalf("Open after h5py closed the file: %v", err)
	}
	f.Close()
}

// TestLockWeHold: while we have a file open for writing, h5py cannot
// open it (its libhdf5 says it cannot lock the file); a reader of ours
// and one of h5py's share a file opened read-only.
func TestLockWeHold(t *testing.T) {
	needLocks(t)
	path := filepath.Join(t.TempDir(), "ours.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.CreateDatasetFrom("x", []int32{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf(`try:
    with h5py.File(%q, 'r') as f:
        print(list(f['x'][()]))
except OSError as e:
    print('locked' if 'lock' in str(e) else repr(e))
`, path)
	if out := interop.H5Py(t, script); out != "locked\n" {
		t.Errorf("h5py opened a file we write: %q", out)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if out := interop.H5Py(t, script); out != "[1, 2, 3]\n" {
		t.Errorf("h5py after Close: %q", out)
	}
	// Readers share.
	r, err := h5file.Open(path, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if out := interop.H5Py(t, script); out != "[1, 2, 3]\n" {
		t.Errorf("h5py beside our reader: %q", out)
	}
	release := holdWithH5py(t, path, "r")
	r2, err := h5file.Open(path, "r")
	if err != nil {
		t.Fatalf("a second reader beside h5py's: %v", err)
	}
	r2.Close()
	if _, err := h5file.Open(path, "r+"); !errors.Is(err, h5file.ErrLocked) {
		t.Errorf("Open r+ beside readers: %v, want ErrLocked", err)
	}
	release()
}

// TestLockSameProcess: a second File on a file this process writes is
// refused with an error saying so (libhdf5 would share its open file;
// two Files of one file would overwrite each other's metadata).
func TestLockSameProcess(t *testing.T) {
	needLocks(t)
	path := filepath.Join(t.TempDir(), "twice.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = h5file.Create(path, "w")
	if !errors.Is(err, h5file.ErrLocked) || !strings.Contains(err.Error(), "this process has it open already") {
		t.Fatalf("second Create: %v; want ErrLocked saying this process has it open", err)
	}
	var oe *h5file.OpError
	if !errors.As(err, &oe) || oe.Op != "create" || oe.Path != path {
		t.Errorf("second Create: %#v, want an OpError of create %s", err, path)
	}
}

// TestLockGorunJobCreator: a serial Create "w" in a gorun job of several
// ranks refuses a file another rank of the same job created, even after
// that rank closed it (locks only catch ranks that overlap in time); the
// same rank, or another job, may recreate it.
func TestLockGorunJobCreator(t *testing.T) {
	needLocks(t)
	path := filepath.Join(t.TempDir(), "job.h5")
	as := func(job, rank string) {
		t.Setenv("GORUN_JOBID", job)
		t.Setenv("GORUN_RANK", rank)
		t.Setenv("GORUN_SIZE", "4")
		t.Setenv("GORUN_SECRET", "00") // a job environment is complete (rendezvous.ParseEnv)
	}
	create := func() error {
		f, err := h5file.Create(path, "w")
		if err != nil {
			return err
		}
		return f.Close()
	}
	as("job1", "0")
	if err := create(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	as("job1", "2")
	err := create()
	if !errors.Is(err, h5file.ErrLocked) || !strings.Contains(err.Error(), "rank 0 of this gorun job created it already") || !strings.Contains(err.Error(), "h5file.WithComm(c)") {
		t.Fatalf("rank 2 recreating rank 0's file: %v; want an error saying to pass WithComm", err)
	}
	// Opening it without truncating is not refused: ranks may append in turn.
	f, err := h5file.Open(path, "r+")
	if err != nil {
		t.Fatalf("rank 2 opening rank 0's file r+: %v", err)
	}
	f.Close()
	as("job1", "0")
	if err := create(); err != nil {
		t.Errorf("rank 0 recreating its own file: %v", err)
	}
	as("job2", "3")
	if err := create(); err != nil {
		t.Errorf("another job recreating the file: %v", err)
	}
}

// TestLockParallel: the ranks of a parallel file open it together (rank 0
// locks for the job), and while h5py writes the file every rank's open
// fails with ErrLocked.
func TestLockParallel(t *testing.T) {
	needLocks(t)
	path := filepath.Join(t.TempDir(), "par.h5")
	for _, mode := range []string{"w", "r+", "r", "a"} {
		errs := h5file.RunRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
			f, err := h5file.Open(path, mode, h5file.WithComm(c), h5file.WithContext(ctx))
			if err != nil {
				return err
			}
			return f.Close()
		})
		noErrors(t, errs)
	}
	holdWithH5py(t, path, "r+")
	errs := h5file.RunRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Open(path, "r+", h5file.WithComm(c), h5file.WithContext(ctx))
		if err == nil {
			f.Close()
		}
		return err
	})
	for r, err := range errs {
		if !errors.Is(err, h5file.ErrLocked) {
			t.Errorf("rank %d: %v, want ErrLocked", r, err)
		}
	}
}
