package h5core

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// corpusCheck is the Python program that checks a changed corpus file
// against the JSON the corpus generator wrote (testdata/gen).
const corpusCheck = "../testdata/gen/check_corpus.py"

// TestLibhdf5FilesRewritten opens every file of the libhdf5 corpus (both
// format families) for writing, touches every object header (an attribute
// on each group and dataset: each header is rewritten in place, some into
// continuation chunks), adds groups and datasets, flushes, and has h5py
// (libhdf5) check every old value and the new ones; h5dump must read the
// whole file.
func TestLibhdf5FilesRewritten(t *testing.T) {
	needH5py(t)
	needH5dump(t)
	// The user block files: every address written after the block.
	for _, name := range []string{"earliest", "latest", "small_latest", "features/userblock_512", "features/userblock_4096"} {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join("..", "testdata", "libhdf5", name+".h5")
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), filepath.Base(name)+".h5")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			f, r := openPath(t, path)
			defer r.Close() // objects load through r when first touched
			var extra []string
			i := 0
			touch := func(p string, o Object) error {
				i++
				extra = append(extra, fmt.Sprintf("/%s|gorun|%d", p, i))
				return o.SetAttr(&Attribute{Name: "gorun", Type: Int32LE, Data: int32s(int32(i))})
			}
			if err := touch("", f.Root()); err != nil {
				t.Fatal(err)
			}
			if err := f.Root().Visit(touch); err != nil {
				t.Fatal(err)
			}
			d, err := f.Root().CreateDataset("gorun_new/d", DatasetSpec{Type: Int32LE, Shape: []uint64{3}})
			if err != nil {
				t.Fatal(err)
			}
			d.SetAttr(&Attribute{Name: "gorun", Type: Int32LE, Data: int32s(-1)})
			extra = append(extra, "/gorun_new/d|gorun|-1")
			w, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			addr, _ := d.DataAddr()
			w.WriteAt(int32s(4, 5, 6), int64(addr))
			if err := f.Flush(w); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			w.Close()
			args := append([]string{corpusCheck, path, strings.TrimSuffix(src, ".h5") + ".json"}, extra...)
			out, err := exec.Command("/usr/bin/python3", args...).CombinedOutput()
			if err != nil {
				t.Fatalf("h5py check after %d headers rewritten: %v\n%s", i, err, out)
			}
			t.Logf("%s: %d headers rewritten; h5py: %s", name, i, strings.TrimSpace(string(out)))
			h5dump(t, path)
			f2, r2 := openPath(t, path)
			defer r2.Close()
			if f2.SuperblockVersion() != f.SuperblockVersion() {
				t.Errorf("superblock version %d, was %d: the file must keep its family", f2.SuperblockVersion(), f.SuperblockVersion())
			}
			walkAll(f2)
		})
	}
}
