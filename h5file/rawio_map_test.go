package h5file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/internal/interop"
)

func TestPlanMap(t *testing.T) {
	const page = 4096
	for _, tc := range []struct {
		name  string
		addr  uint64
		runs  []h5core.Run // Off, Len
		ok    bool
		nruns int
		pages uint64
		end   uint64
		spans []pageSpan
	}{
		{"none", 0, nil, true, 0, 0, 0, nil},
		{"one run inside a page", 100, []h5core.Run{{Off: 0, Len: 8}}, true, 1, 1, 108, []pageSpan{{0, 4096}}},
		{"rows sharing pages merge", 4096, []h5core.Run{{Off: 0, Len: 1000}, {Off: 2000, Len: 1000}, {Off: 4000, Len: 1000}}, true, 3, 2, 9096, []pageSpan{{4096, 12288}}},
		{"a gap of a page splits", 0, []h5core.Run{{Off: 0, Len: 10}, {Off: 8192, Len: 10}}, true, 2, 2, 8202, []pageSpan{{0, 4096}, {8192, 12288}}},
		{"adjacent pages merge", 0, []h5core.Run{{Off: 4000, Len: 10}, {Off: 4096, Len: 10}}, true, 2, 2, 4106, []pageSpan{{0, 8192}}},
		{"a run over many pages", 1, []h5core.Run{{Off: 0, Len: 3 * page}}, true, 1, 4, 3*page + 1, []pageSpan{{0, 4 * page}}},
		{"backwards", 0, []h5core.Run{{Off: 100, Len: 10}, {Off: 0, Len: 10}}, false, 0, 0, 0, nil},
		{"overlapping", 0, []h5core.Run{{Off: 0, Len: 10}, {Off: 5, Len: 10}}, false, 0, 0, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := planMap(tc.addr, page, func(fn func(h5core.Run) error) error {
				for _, r := range tc.runs {
					if err := fn(r); err != nil {
						return err
					}
				}
				return nil
			})
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			if p.runs != tc.nruns || p.pages != tc.pages || p.end != tc.end || !slices.Equal(p.spans, tc.spans) {
				t.Errorf("plan = %+v, want runs %d pages %d end %d spans %v", p, tc.nruns, tc.pages, tc.end, tc.spans)
			}
		})
	}
}

func TestMapWorth(t *testing.T) {
	for _, tc := range []struct {
		runs  int
		pages uint64
		spans int
		want  bool
	}{
		{0, 0, 0, false},
		{63, 1, 1, false},            // too few runs: the pwrites are cheap
		{64, 1, 1, true},             // many runs in few pages
		{64, 128, 1, true},           // 2 pages per run
		{64, 129, 1, false},          // more: long or scattered runs
		{64, 64, 8, true},            // 8 runs per group of pages
		{64, 64, 9, false},           // fewer: a fallocate and a madvise per group cost what the pwrites do
		{103684, 65536, 1, true},     // the tiles case at 2 ranks (rows of 1.3 KiB)
		{25921, 16261, 161, true},    // the tiles case at 8 ranks: a group per plane
		{40, 40 * 1024, 40, false},   // VPIC-IO: few runs of 4 MiB
		{10000, 10000, 10000, false}, // a column: each element on its own page
	} {
		if got := mapWorth(tc.runs, tc.pages, tc.spans); got != tc.want {
			t.Errorf("mapWorth(%d runs, %d pages, %d spans) = %v, want %v", tc.runs, tc.pages, tc.spans, got, tc.want)
		}
	}
}

// cubeBlock is block (lo, hi) of an n^3 cube whose element (i, j, k)
// holds its linear index.
func cubeBlock(n int64, lo, hi [3]int64) []float64 {
	var x []float64
	for i := lo[0]; i < hi[0]; i++ {
		for j := lo[1]; j < hi[1]; j++ {
			for k := lo[2]; k < hi[2]; k++ {
				x = append(x, float64((i*n+j)*n+k))
			}
		}
	}
	return x
}

// writeTilesFile writes an n^3 float64 cube at path from 4 in-process
// ranks, each its 1x2x2 block with one independent WriteSel, and returns
// each rank's mapped-write and write-call counts.
func writeTilesFile(t *testing.T, path string, n int64, opts ...Option) (mapped, calls [4]int) {
	t.Helper()
	errs := runRanks(t, 4, func(ctx context.Context, c *comm.Comm) error {
		f, err := Create(path, "w", append([]Option{WithComm(c), WithContext(ctx)}, opts...)...)
		if err != nil {
			return err
		}
		d, err := CreateDatasetOf[float64](f, "x", []uint64{uint64(n), uint64(n), uint64(n)})
		if err != nil {
			f.Close()
			return err
		}
		r := int64(c.Rank())
		lo := [3]int64{0, r / 2 * n / 2, r % 2 * n / 2}
		hi := [3]int64{n, lo[1] + n/2, lo[2] + n/2}
		sel := S(Range(lo[0], hi[0]), Range(lo[1], hi[1]), Range(lo[2], hi[2]))
		if err := d.WriteSel(sel, cubeBlock(n, lo, hi)); err != nil {
			f.Close()
			return err
		}
		mapped[r], calls[r] = f.mappedWrites, f.rawWriteCalls
		return f.Close()
	})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	return mapped, calls
}

// TestMappedWriteTiles: 4 ranks each write their 3-D block of a
// contiguous cube independently, 48*24 runs of 192 bytes per rank, none
// adjacent in the file. Each rank's write goes through a mapping, with no
// write call at all (without the mapped path: one pwrite per run, 1152);
// the file is byte for byte the one the pwrite path makes, and h5py reads
// every element.
func TestMappedWriteTiles(t *testing.T) {
	const n = 48
	dir := t.TempDir()
	mappedPath, plainPath := filepath.Join(dir, "mapped.h5"), filepath.Join(dir, "pwrite.h5")
	mapped, calls := writeTilesFile(t, mappedPath, n)
	for r := range 4 {
		if mapped[r] != 1 || calls[r] != 0 {
			t.Errorf("rank %d: %d mapped writes and %d write calls, want 1 and 0 (one pwrite per run: %d)", r, mapped[r], calls[r], n*n/2)
		}
	}
	mapped, calls = writeTilesFile(t, plainPath, n, WithMappedWrites(false))
	for r := range 4 {
		if mapped[r] != 0 || calls[r] != n*n/2 {
			t.Errorf("WithMappedWrites(false): rank %d: %d mapped writes and %d write calls, want 0 and %d", r, mapped[r], calls[r], n*n/2)
		}
	}
	a, err := os.ReadFile(mappedPath)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(plainPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("the mapped write's file (%d bytes) differs from the pwrite one's (%d bytes)", len(a), len(b))
	}
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, "r")
x = f["x"][...]
print(x.shape, bool((x == np.arange(%d**3, dtype="f8").reshape(x.shape)).all()))`, mappedPath, n))
	if want := fmt.Sprintf("(%d, %d, %d) True", n, n, n); strings.TrimSpace(out) != want {
		t.Errorf("h5py reads %q, want %q", out, want)
	}
}

// TestMappedWriteChunks: a block rewritten into allocated unfiltered
// chunks (2048 runs of 64 bytes in 8 chunks of 32 KiB) goes through a
// mapping in file order; the file is the pwrite path's, byte for byte,
// and h5py reads it.
func TestMappedWriteChunks(t *testing.T) {
	const n = 32
	dir := t.TempDir()
	write := func(name string, opts ...Option) (string, int, int) {
		path := filepath.Join(dir, name)
		f, err := Create(path, "w", opts...)
		if err != nil {
			t.Fatal(err)
		}
		d, err := CreateDatasetOf[float64](f, "x", []uint64{n, n, n}, Chunks(16, 16, 16))
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := [3]int64{0, 0, 8}, [3]int64{n, n, 24}
		sel := S(Range(lo[0], hi[0]), Range(lo[1], hi[1]), Range(lo[2], hi[2]))
		block := cubeBlock(n, lo, hi)
		if err := d.WriteSel(sel, block); err != nil {
			t.Fatal(err)
		}
		first := f.mappedWrites
		for i := range block {
			block[i] = -block[i]
		}
		if err := d.WriteSel(sel, block); err != nil {
			t.Fatal(err)
		}
		mapped := f.mappedWrites - first
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		return path, first, mapped
	}
	mappedPath, first, mapped := write("mapped.h5")
	if first != 1 || mapped != 1 {
		t.Errorf("first write: %d mapped writes, rewrite: %d; want 1 and 1", first, mapped)
	}
	plainPath, first, mapped := write("pwrite.h5", WithMappedWrites(false))
	if first != 0 || mapped != 0 {
		t.Errorf("WithMappedWrites(false): %d and %d mapped writes", first, mapped)
	}
	a, err := os.ReadFile(mappedPath)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(plainPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("the mapped rewrite's file differs from the pwrite one's")
	}
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, "r")
x = f["x"][...]
want = np.zeros_like(x)
want[:, :, 8:24] = -np.arange(%d**3, dtype="f8").reshape(x.shape)[:, :, 8:24]
print(bool((x == want).all()))`, mappedPath, n))
	if strings.TrimSpace(out) != "True" {
		t.Errorf("h5py reads other values than written (%s)", out)
	}
}

// mappedSerial makes a serial file with a contiguous n^3 float64 dataset
// (fill value -1) and returns it with the dataset's storage address after
// the first write (of the block lo..hi).
func mappedSerial(t *testing.T, path string, n int64, lo, hi [3]int64) (*File, *Dataset, error) {
	t.Helper()
	f, err := Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	d, err := CreateDatasetOf[float64](f, "x", []uint64{uint64(n), uint64(n), uint64(n)}, FillValue(-1.0))
	if err != nil {
		t.Fatal(err)
	}
	return f, d, d.WriteSel(S(Range(lo[0], hi[0]), Range(lo[1], hi[1]), Range(lo[2], hi[2])), cubeBlock(n, lo, hi))
}

// TestMappedWriteVisible: a mapped write is in the page cache when the
// call returns: another process reads the bytes from the file before
// Close, as it would after a pwrite. Elements the block does not cover
// keep the fill value written at allocation.
func TestMappedWriteVisible(t *testing.T) {
	const n = 32
	path := filepath.Join(t.TempDir(), "v.h5")
	lo, hi := [3]int64{0, 0, 16}, [3]int64{n, n, n} // 1024 runs of 128 bytes
	f, d, err := mappedSerial(t, path, n, lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.mappedWrites != 1 {
		t.Fatalf("%d mapped writes, want 1", f.mappedWrites)
	}
	addr, _ := d.d.DataAddr()
	// Row (3, 5): elements 16..31 written, 0..15 the fill value.
	row := (3*n + 5) * n * 8
	script := fmt.Sprintf(`import struct
b = open(%q, "rb")
b.seek(%d)
print(" ".join(str(v) for v in struct.unpack("<32d", b.read(256))))`, path, addr+uint64(row))
	out, err := exec.Command(interop.Python, "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	var want []string
	for k := range int64(n) {
		v := -1.0
		if k >= 16 {
			v = float64((3*n+5)*n + k)
		}
		want = append(want, strconv.FormatFloat(v, 'f', 1, 64))
	}
	if got := strings.TrimSpace(string(out)); got != strings.Join(want, " ") {
		t.Errorf("another process reads row (3, 5) before Close as\n%s\nwant\n%s", got, strings.Join(want, " "))
	}
}

// TestMappedWriteWindows: a mapped write in windows of 3 pages (the
// touched pages split across windows at every place a window can end:
// inside a group of touched pages, between groups, inside a run) writes
// what one window writes.
func TestMappedWriteWindows(t *testing.T) {
	const n = 32
	for _, tc := range []struct {
		name   string
		lo, hi [3]int64
	}{
		{"half rows", [3]int64{0, 0, 16}, [3]int64{n, n, n}},                // runs of 128 bytes, every page touched
		{"quarter planes", [3]int64{0, 8, 0}, [3]int64{n, 16, 16}},          // runs of 128 bytes, one page of 2 per plane
		{"columns", [3]int64{2, 0, 5}, [3]int64{30, n, 7}},                  // runs of 16 bytes
		{"a window inside a run", [3]int64{0, 0, 0}, [3]int64{n / 2, n, n}}, // one run of 128 KiB
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "w.h5")
			f, err := Create(path, "w")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			d, err := CreateDatasetOf[float64](f, "x", []uint64{n, n, n})
			if err != nil {
				t.Fatal(err)
			}
			f.testMapWindow = 3 * uint64(os.Getpagesize())
			windows := 0
			f.testHookMapped = func() { windows++ }
			block := cubeBlock(n, tc.lo, tc.hi)
			sel := S(Range(tc.lo[0], tc.hi[0]), Range(tc.lo[1], tc.hi[1]), Range(tc.lo[2], tc.hi[2]))
			if err := d.WriteSel(sel, block); err != nil {
				t.Fatal(err)
			}
			if tc.name == "a window inside a run" {
				// One run is one pwrite: no mapping.
				if f.mappedWrites != 0 {
					t.Errorf("a single run went through a mapping")
				}
			} else if f.mappedWrites != 1 || windows < 2 {
				t.Errorf("%d mapped writes in %d windows, want 1 in several", f.mappedWrites, windows)
			}
			got, err := ReadSlice[float64](d, sel)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, block) {
				t.Error("the block reads back different")
			}
			all, err := ReadAll[float64](d)
			if err != nil {
				t.Fatal(err)
			}
			written := 0
			for _, v := range all {
				if v != 0 {
					written++
				}
			}
			if want := len(block) - 1; written < want { // element 0 holds 0
				t.Errorf("%d nonzero elements in the dataset, want %d or %d", written, want, want+1)
			}
		})
	}
}

// TestMappedWriteFault: the file shrinks under a mapped write after the
// window is mapped (as an I/O error or a truncation by another process
// would make a page unreachable): the copy's SIGBUS becomes the write's
// error, and the process goes on.
func TestMappedWriteFault(t *testing.T) {
	const n = 32
	path := filepath.Join(t.TempDir(), "fault.h5")
	f, err := Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := CreateDatasetOf[float64](f, "x", []uint64{n, n, n})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.WriteSel(S(Range(0, 1), Range(0, 1), Range(0, 1)), []float64{1}); err != nil { // allocates
		t.Fatal(err)
	}
	addr, _ := d.d.DataAddr()
	f.testHookMapped = func() {
		if err := os.Truncate(path, int64(addr)); err != nil {
			t.Error(err)
		}
	}
	err = d.WriteSel(S(Range(0, n), Range(0, n), Range(16, n)), cubeBlock(n, [3]int64{0, 0, 16}, [3]int64{n, n, n}))
	if err == nil {
		t.Fatal("a write into a file truncated under its mapping succeeded")
	}
	if !errors.Is(err, errMapFault) || !strings.Contains(err.Error(), "through a mapping") {
		t.Errorf("error %q, want a mapped-write fault", err)
	}
	t.Log(err)
}

// TestMappedWriteNoSpace: on a full file system the mapped write's
// fallocate fails before anything is copied: an ENOSPC error, no SIGBUS.
func TestMappedWriteNoSpace(t *testing.T) {
	dir := mountTest(t, "tmpfs", "size=1m")
	const n = 64 // 1 MiB of data on a 1 MiB disk, metadata besides
	f, err := Create(filepath.Join(dir, "full.h5"), "w")
	if err != nil {
		t.Fatal(err)
	}
	d, err := CreateDatasetOf[float64](f, "x", []uint64{n, n, n})
	if err != nil {
		t.Fatal(err)
	}
	err = d.WriteSel(S(Range(0, n), Range(0, n), Range(32, n)), cubeBlock(n, [3]int64{0, 0, 32}, [3]int64{n, n, n}))
	f.Close() // fails too (the disk is full); it releases the file
	if err == nil {
		t.Fatal("writing 1 MiB of tiles on a full 1 MiB tmpfs succeeded")
	}
	if !strings.Contains(err.Error(), "fallocate") || !strings.Contains(err.Error(), "no space left on device") {
		t.Errorf("error %q, want fallocate's ENOSPC", err)
	}
	t.Log(err)
}

// TestMappedWriteRefused: on a file system without fallocate (ramfs) the
// first mapped write falls back to pwrite before copying anything, the
// path stays off for the file, and the data is all there.
func TestMappedWriteRefused(t *testing.T) {
	dir := mountTest(t, "ramfs", "")
	const n = 32
	f, d, err := mappedSerial(t, filepath.Join(dir, "r.h5"), n, [3]int64{0, 0, 16}, [3]int64{n, n, n})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.mappedWrites != 0 || f.mapState != mapOff || f.rawWriteCalls < n*n {
		t.Errorf("ramfs: %d mapped writes, state %d, %d write calls; want 0, off (%d), %d or more", f.mappedWrites, f.mapState, f.rawWriteCalls, mapOff, n*n)
	}
	got, err := ReadAll[float64](d)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		want := -1.0 // the fill value
		if i%n >= 16 {
			want = float64(i)
		}
		if v != want {
			t.Fatalf("element %d reads %v, want %v", i, v, want)
		}
	}
}

// mountTest mounts a file system of type typ (options opts) on a new
// directory for the test; it needs root.
func mountTest(t *testing.T, typ, opts string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("this test needs root (mount) and CI is set")
		}
		t.Skip("needs root to mount a file system")
	}
	dir := t.TempDir()
	args := []string{"-t", typ}
	if opts != "" {
		args = append(args, "-o", opts)
	}
	if out, err := exec.Command("mount", append(args, typ, dir)...).CombinedOutput(); err != nil {
		t.Fatalf("mount %s: %v\n%s", typ, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", dir, err, out)
		}
	})
	return dir
}

// TestMappedWriteSyscalls counts the write system calls of a tiles write
// with strace: the test binary writes half of every row of a 64^3 cube
// (4096 runs of 256 bytes) in a child process under strace -f -c. The
// mapped path makes no pwrite for them (a handful for the metadata at
// Close); without it, one per run.
func TestMappedWriteSyscalls(t *testing.T) {
	if path := os.Getenv("H5FILE_MAPPED_CHILD"); path != "" {
		f, _, err := mappedSerial(t, path, 64, [3]int64{0, 0, 32}, [3]int64{64, 64, 64})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		return
	}
	strace, err := exec.LookPath("strace")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("strace is missing and CI is set (.ci/run installs it)")
		}
		t.Skip("strace is not installed")
	}
	out := filepath.Join(t.TempDir(), "strace.txt")
	cmd := exec.Command(strace, "-f", "-c", "-o", out, "-e", "trace=pwrite64,pwritev,fallocate,mmap,madvise,munmap",
		os.Args[0], "-test.run=^TestMappedWriteSyscalls$", "-test.count=1")
	cmd.Env = append(os.Environ(), "H5FILE_MAPPED_CHILD="+filepath.Join(t.TempDir(), "child.h5"))
	if b, err := cmd.CombinedOutput(); err != nil {
		if bytes.Contains(b, []byte("PTRACE")) || bytes.Contains(b, []byte("ptrace")) {
			t.Skipf("this environment forbids tracing: %s", b) // a sandbox, not a missing tool
		}
		t.Fatalf("child: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	count := func(name string) int {
		m := regexp.MustCompile(`(?m)^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?` + name + `$`).FindSubmatch(b)
		if m == nil {
			return 0
		}
		c, _ := strconv.Atoi(string(m[1]))
		return c
	}
	if w := count("pwrite64") + count("pwritev"); w > 64 {
		t.Errorf("%d pwrite64/pwritev calls for 4096 runs, want a few (metadata)\n%s", w, b)
	}
	if count("fallocate") == 0 || count("madvise") == 0 {
		t.Errorf("no fallocate or madvise: the write did not take the mapped path\n%s", b)
	}
	t.Logf("\n%s", b)
}
