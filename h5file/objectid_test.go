package h5file

import (
	"path/filepath"
	"testing"
)

// TestObjectIDBeforeFlush: new objects have distinct IDs before their
// first flush (they all were UndefinedAddr, so any two compared equal),
// a hard link shares its object's ID, and after a flush each ID is the
// object's address, kept while the file stays open and after reopening.
func TestObjectIDBeforeFlush(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ids.h5")
	f, err := Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.Root().CreateGroup("a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Root().CreateGroup("b")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Root().HardLink("a2", a); err != nil {
		t.Fatal(err)
	}
	a2, err := f.Root().Group("a2")
	if err != nil {
		t.Fatal(err)
	}
	if a.ObjectID() == b.ObjectID() {
		t.Errorf("two new groups share ObjectID %#x", a.ObjectID())
	}
	if a.ObjectID() != a2.ObjectID() {
		t.Errorf("a hard link's ObjectID %#x differs from its object's %#x", a2.ObjectID(), a.ObjectID())
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	ida, idb := a.ObjectID(), b.ObjectID()
	if ida == idb || ida>>63 != 0 || idb>>63 != 0 {
		t.Errorf("after a flush: IDs %#x and %#x, want two distinct addresses", ida, idb)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ra, err := r.Root().Group("a2")
	if err != nil {
		t.Fatal(err)
	}
	if ra.ObjectID() != ida {
		t.Errorf("reopened: a2's ObjectID %#x, want %#x", ra.ObjectID(), ida)
	}
}
