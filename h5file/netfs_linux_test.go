package h5file

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSharedFSLocal: a test's temporary directory is on a local file
// system here, where Close must not sync; the multihost tests mount sshfs
// for the other side (multihost/sharedfs_test.go).
func TestSharedFSLocal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "x"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	name, shared := sharedFSMagic[int64(st.Type)]
	if got := sharedFS(f); got != shared {
		t.Fatalf("sharedFS = %v for file system type %#x (%s)", got, st.Type, name)
	}
	if shared {
		t.Logf("the temporary directory is on %s: nothing local to test", name)
	} else if sharedFS(f) {
		t.Fatalf("a local file system (type %#x) counts as shared", st.Type)
	}
}
