package h5core

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestH5pyModifiesOurFile lets libhdf5 (through h5py, mode r+) change a
// file h5core wrote: insertions that split our symbol table nodes and
// grow our local heaps, attributes added to our object headers, resize
// of our chunked dataset. Then h5dump and our reader read the result.
func TestH5pyModifiesOurFile(t *testing.T) {
	t.Run("earliest", func(t *testing.T) { h5pyModifiesOurFile(t, LibverEarliest) })
	t.Run("latest", func(t *testing.T) { h5pyModifiesOurFile(t, LibverLatest) })
}

func h5pyModifiesOurFile(t *testing.T, v Libver) {
	needH5py(t)
	path := filepath.Join(t.TempDir(), "ours.h5")
	w, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f := buildFeatures(t, w, WithLibver(v))
	g, _ := f.Root().CreateGroup("nine")
	for i := 0; i < 9; i++ {
		g.CreateGroup(fmt.Sprintf("m%d", i))
	}
	if err := f.Flush(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	out, err := exec.Command("/usr/bin/python3", "-c", `
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'r+') as f:
    for i in range(40):
        f['nine'].create_group('x%02d' % i)
    f['types'].create_dataset('more', data=np.arange(5))
    f['types/i4'].attrs['extra'] = np.arange(100)
    f.attrs['added'] = 'by h5py'
    f['grow'].resize((6, 3))
    f['grow'][5] = [7, 8, 9]
    del f['rank3']
with h5py.File(sys.argv[1], 'r') as f:
    print(len(f['nine']), list(f['grow'][5]), f['types/i4'].attrs['units'], f['types/vlen'][0], list(f['chunked'][4]))
`, path).CombinedOutput()
	if err != nil {
		t.Fatalf("h5py r+: %v\n%s", err, out)
	}
	if want := "49 [7, 8, 9] m b'one' [28, 29, 30, 31, 32, 33, 34]"; strings.TrimSpace(string(out)) != want {
		t.Fatalf("h5py read back %q, want %q", out, want)
	}
	needH5dump(t)
	h5dump(t, path)
	f2, _ := openPath(t, path)
	o, err := f2.Root().Lookup("nine")
	if err != nil || len(o.(*Group).Members()) != 49 {
		t.Fatalf("our reader: %v", err)
	}
	walkAll(f2)
	if f2.SuperblockVersion() != f.SuperblockVersion() {
		t.Errorf("superblock %d after h5py, was %d", f2.SuperblockVersion(), f.SuperblockVersion())
	}
}
