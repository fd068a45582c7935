package multihost_test

import (
	"syscall"
	"testing"
)

// raiseNoFile lifts the open-file limit this test and its children (gorun,
// then its ranks) start with: gorun holds about 5 descriptors per local
// rank, over 5,000 at 1024 ranks, above many machines' default hard limit
// of 4,096. As root the hard limit can be raised; elsewhere the soft one
// goes up to the hard one.
func raiseNoFile(t *testing.T, want uint64) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		t.Logf("getrlimit: %v", err)
		return
	}
	n := r
	n.Max = max(r.Max, want)
	n.Cur = max(r.Cur, min(n.Max, want))
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &n); err != nil {
		n.Max = r.Max
		n.Cur = max(r.Cur, min(r.Max, want))
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &n); err != nil {
			t.Logf("setrlimit: %v", err)
			return
		}
	}
	t.Logf("open files: soft %d, hard %d (were %d, %d)", n.Cur, n.Max, r.Cur, r.Max)
}
