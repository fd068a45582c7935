//go:build unix

package iostats

import (
	"fmt"
	"runtime"
	"testing"
)

// TestRecordsOffHeap: a file's dataset records take no room on the
// garbage-collected heap (records.go says why): 4000 datasets' records,
// ~700 KiB on the heap, leave the heap as it was.
func TestRecordsOffHeap(t *testing.T) {
	r := New(0, 1)
	f := r.File("a.h5")
	names := make([]string, 4000)
	for i := range names {
		names[i] = fmt.Sprintf("/group%d/dataset%d", i%10, i)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, name := range names {
		var d Dataset
		f.Direct(&d, name, true, KindWrite, r.Now(), 4)
	}
	f.Closed()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 64<<10 {
		t.Errorf("the heap grew by %d bytes for %d datasets' records", grew, len(names))
	}
	s := r.Snapshot()
	if ds := s.Files[0].Datasets; len(ds) != len(names) || ds[3999].Name != names[3999] || ds[3999].BytesWritten != 4 {
		t.Fatalf("%d datasets, last %+v", len(ds), ds[len(ds)-1])
	}
	runtime.KeepAlive(names)
}
