package h5file

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLockingPolicy: HDF5_USE_FILE_LOCKING as libhdf5 reads it.
func TestLockingPolicy(t *testing.T) {
	for _, c := range []struct {
		env  string
		want lockPolicy
	}{
		{"", lockOn}, {"TRUE", lockOn}, {"1", lockOn}, {"yes", lockOn},
		{"FALSE", lockOff}, {"false", lockOff}, {"0", lockOff}, {" FALSE ", lockOff},
		{"BEST_EFFORT", lockBestEffort}, {"best_effort", lockBestEffort},
	} {
		t.Setenv("HDF5_USE_FILE_LOCKING", c.env)
		if got := lockingPolicy(); got != c.want {
			t.Errorf("HDF5_USE_FILE_LOCKING=%q: policy %d, want %d", c.env, got, c.want)
		}
	}
}

// TestLockedErr: the error names who holds the file and what to do.
func TestLockedErr(t *testing.T) {
	t.Setenv("GORUN_JOBID", "j1")
	t.Setenv("GORUN_RANK", "0")
	t.Setenv("GORUN_SIZE", "4")
	t.Setenv("GORUN_SECRET", "00") // a job environment is complete (rendezvous.ParseEnv)
	for _, c := range []struct {
		name string
		h    holder
		want []string
	}{
		{"same process", holder{pid: 10, thisProcess: true}, []string{"this process has it open already"}},
		{"rank of this job", holder{pid: 11, job: "j1", rank: "3"}, []string{"rank 3 of this gorun job", "h5file.WithComm(c)"}},
		{"h5py writing", holder{pid: 12, name: "python3", exclusive: true}, []string{"process 12 (python3) has it open for writing", "HDF5_USE_FILE_LOCKING=FALSE"}},
		{"another job's rank", holder{pid: 13, name: "sim", job: "j2", rank: "1"}, []string{"process 13 (sim) has it open for reading"}},
		{"unknown, in a job", holder{}, []string{"another process has it open", "h5file.WithComm(c)", "HDF5_USE_FILE_LOCKING=FALSE"}},
	} {
		msg := lockedErr(c.h, true).Error()
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q lacks %q", c.name, msg, w)
			}
		}
	}
}

// TestCreateTruncatesOnlyNonEmpty checks that Create "w" truncates a file
// with bytes in it and leaves an empty one alone: truncating an empty file
// makes ext4 flush every byte written afterwards when the file is closed
// (a 320 MiB VPIC-IO file's Close took 100 ms instead of 0.3 ms). A
// truncate, even to the same size, sets the file's mtime, so an old mtime
// that survives Create proves no truncate was made.
func TestCreateTruncatesOnlyNonEmpty(t *testing.T) {
	dir := t.TempDir()
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		content  []byte
		wantOld  bool // the mtime stays old: no truncate
		wantSize int64
	}{
		{"empty", nil, true, 0},
		{"full", []byte("not an HDF5 file, to be replaced"), false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, tc.content, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(path, old, old); err != nil {
				t.Fatal(err)
			}
			osf, err := openLocked(path, "w", os.O_RDWR|os.O_CREATE|os.O_TRUNC, true, true)
			if err != nil {
				t.Fatal(err)
			}
			fi, err := osf.Stat()
			osf.Close()
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size() != tc.wantSize {
				t.Errorf("size after create = %d, want %d", fi.Size(), tc.wantSize)
			}
			if got := fi.ModTime().Equal(old); got != tc.wantOld {
				t.Errorf("mtime %v after create; untouched = %v, want %v", fi.ModTime(), got, tc.wantOld)
			}
		})
	}
}
