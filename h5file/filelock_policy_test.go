package h5file

import (
	"strings"
	"testing"
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
