//go:build linux

package comm

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
)

// TestHostSegmentAuth: a host segment is created 0600 by its creator,
// mapped by a member of the job, and refused to everyone else: a file
// under its name that others could read (mode 0644) is not opened, a
// user other than the job's cannot open it (when the test runs as root
// and can become nobody), another job names it differently (the job
// secret), and it is gone once unlinked.
func TestHostSegmentAuth(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("host segments need Linux")
	}
	cs := local(t, 2)
	nonce := []byte("nonce-of-a-test")
	const size = 8192
	mem, err := cs[0].CreateHostSegment(nonce, size)
	if err != nil {
		t.Fatal(err)
	}
	defer UnmapHostSegment(mem)
	path := cs[0].HostSegmentPath(0, nonce)
	if cs[1].HostSegmentPath(0, nonce) != path {
		t.Fatal("members name the segment differently")
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 || int(st.Sys().(*syscall.Stat_t).Uid) != os.Getuid() {
		t.Errorf("segment mode %v uid %d, want 0600 and this user", st.Mode(), st.Sys().(*syscall.Stat_t).Uid)
	}
	mem[100] = 42
	peer, err := cs[1].OpenHostSegment(0, nonce, size)
	if err != nil {
		t.Fatalf("member cannot open: %v", err)
	}
	if peer[100] != 42 {
		t.Error("the member's mapping does not show the creator's write")
	}
	UnmapHostSegment(peer)
	if _, err := cs[1].OpenHostSegment(0, nonce, size+4096); err == nil {
		t.Error("a segment of another size was opened")
	}

	asNobody := func() error {
		cmd := exec.Command("/bin/dd", "if="+path, "of=/dev/null", "count=1")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		return cmd.Run()
	}
	root := os.Getuid() == 0
	if root {
		if err := asNobody(); err == nil {
			t.Error("user nobody read the segment")
		}
	}

	other := local(t, 2)
	if other[1].HostSegmentPath(0, nonce) == path {
		t.Error("another job names the segment alike")
	}

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if root {
		if err := asNobody(); err != nil { // the control: the harness can read what nobody may
			t.Errorf("user nobody cannot read a 0644 file either (%v): the check above proves nothing", err)
		}
	}
	if m, err := cs[1].OpenHostSegment(0, nonce, size); err == nil {
		UnmapHostSegment(m)
		t.Error("a segment others may read was opened")
	}

	cs[0].UnlinkHostSegment(0, nonce)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after unlink: %v", err)
	}
}
