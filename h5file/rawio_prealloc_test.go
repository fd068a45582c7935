//go:build linux

package h5file

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/internal/interop"
	"golang.org/x/sys/unix"
)

// ext4Dir is a directory on ext4 for the test: the temporary directory
// when it is on ext4, else a loop-mounted ext4 image (root only).
func ext4Dir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	if st.Type == ext4Magic {
		return dir
	}
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("the temporary directory is not on ext4 and mounting one needs root; CI is set")
		}
		t.Skip("the temporary directory is not on ext4 and mounting one needs root")
	}
	img := filepath.Join(dir, "ext4.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 128<<20); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mkfs.ext4", "-q", "-F", img).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v\n%s", err, out)
	}
	mnt := filepath.Join(dir, "mnt")
	if err := os.Mkdir(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-o", "loop", img, mnt).CombinedOutput(); err != nil {
		t.Fatalf("mount ext4 image: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", mnt, err, out)
		}
	})
	return mnt
}

// FIEMAP (linux/fiemap.h): the kernel's map of a file's extents,
// including those the page cache holds without blocks yet (delalloc).
const (
	fsIocFiemap         = 0xc020660b // _IOWR('f', 11, struct fiemap)
	fiemapExtentLast    = 0x1
	fiemapExtentDelaloc = 0x4
	fiemapExtentUnwrit  = 0x800
)

type fiemapExtent struct {
	Logical, Physical, Length uint64
	_                         [2]uint64
	Flags                     uint32
	_                         [3]uint32
}

type fiemapHead struct {
	Start, Length           uint64
	Flags, Mapped, Count, _ uint32
}

// extentFlags returns, for each extent of path overlapping [lo, hi), its
// FIEMAP flags, without syncing (FIEMAP_FLAG_SYNC unset: dirty pages
// stay as the page cache holds them).
func extentFlags(t *testing.T, path string, lo, hi uint64) []uint32 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const max = 256
	buf := make([]byte, int(unsafe.Sizeof(fiemapHead{}))+max*int(unsafe.Sizeof(fiemapExtent{})))
	h := (*fiemapHead)(unsafe.Pointer(&buf[0]))
	h.Start, h.Length, h.Count = lo, hi-lo, max
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, f.Fd(), fsIocFiemap, uintptr(unsafe.Pointer(&buf[0]))); e != 0 {
		t.Fatalf("FIEMAP %s: %v", path, e)
	}
	exts := unsafe.Slice((*fiemapExtent)(unsafe.Pointer(&buf[unsafe.Sizeof(fiemapHead{})])), h.Mapped)
	var flags []uint32
	for _, e := range exts {
		flags = append(flags, e.Flags)
	}
	return flags
}

// preallocated reports whether every extent of [lo, hi) has blocks
// (unwritten: fallocated, not yet written back) and none waits for
// delayed allocation; delayed reports whether all of them wait.
func preallocated(flags []uint32) (allUnwritten, allDelayed bool) {
	allUnwritten, allDelayed = len(flags) > 0, len(flags) > 0
	for _, fl := range flags {
		allUnwritten = allUnwritten && fl&fiemapExtentUnwrit != 0 && fl&fiemapExtentDelaloc == 0
		allDelayed = allDelayed && fl&fiemapExtentDelaloc != 0
	}
	return allUnwritten, allDelayed
}

// TestPreallocLongRuns: on ext4 a write of a long run into new storage
// fallocates it first, so the page cache finds blocks there (unwritten
// extents) instead of reserving them one by one (delayed allocation); a
// short run and WithPreallocation(false) keep delayed allocation. The
// values are the same either way, in gorun and in h5py.
func TestPreallocLongRuns(t *testing.T) {
	dir := ext4Dir(t)
	const n = 1 << 20 // float64: 8 MiB
	for _, on := range []bool{true, false} {
		t.Run(fmt.Sprint("prealloc=", on), func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprint(on, ".h5"))
			f, err := Create(path, "w", WithPreallocation(on))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			d, err := CreateDatasetOf[float64](f, "x", []uint64{n})
			if err != nil {
				t.Fatal(err)
			}
			long := make([]float64, n/2) // 4 MiB: one run
			for i := range long {
				long[i] = float64(i)
			}
			if err := d.WriteSel(S(Range(0, n/2)), long); err != nil {
				t.Fatal(err)
			}
			short := []float64{1, 2, 3, 4, 5, 6, 7, 8} // 64 bytes
			if err := d.WriteSel(S(Range(n-1024, n-1016)), short); err != nil {
				t.Fatal(err)
			}
			addr, _ := d.d.DataAddr()
			// The long run's whole pages (its first and last page may
			// share blocks with metadata or the next run).
			lo, hi := (addr+4095)/4096*4096, (addr+n/2*8)/4096*4096
			allUnwritten, allDelayed := preallocated(extentFlags(t, path, lo, hi))
			if on && (!allUnwritten || f.preallocs != 1) {
				t.Errorf("with preallocation: the 4 MiB run's extents %#x, %d fallocate calls; want all unwritten, 1 call", extentFlags(t, path, lo, hi), f.preallocs)
			}
			if !on && (!allDelayed || f.preallocs != 0) {
				t.Errorf("without preallocation: the 4 MiB run's extents %#x, %d fallocate calls; want all delayed, 0 calls", extentFlags(t, path, lo, hi), f.preallocs)
			}
			so := addr + (n-1024)*8
			if _, delayed := preallocated(extentFlags(t, path, so/4096*4096, so/4096*4096+4096)); !delayed {
				t.Errorf("the 64-byte run's page %#x, want delayed allocation (no fallocate for short runs)", extentFlags(t, path, so/4096*4096, so/4096*4096+4096))
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			script := fmt.Sprintf(`import h5py, numpy as np
x = h5py.File(%q, 'r')['x'][:]
want = np.zeros(%d)
want[:%d] = np.arange(%d)
want[%d:%d] = np.arange(1, 9)
print('ok' if (x == want).all() else 'differs at %%s' %% np.nonzero(x != want)[0][:5])`, path, n, n/2, n/2, n-1024, n-1016)
			if out := interop.H5Py(t, script); out != "ok\n" {
				t.Fatalf("h5py: %q", out)
			}
		})
	}
}

// TestPreallocVPIC: VPIC-IO's step written by 4 ranks with one
// WriteMulti (each rank one 512 KiB run of each of 8 variables) and, in
// a second file, with Collective().WriteSel of rows split between the
// ranks (two-phase: short runs, aggregated into long spans): every long
// run or span is fallocated by the rank that writes it, and no byte of
// the data waits for delayed allocation.
func TestPreallocVPIC(t *testing.T) {
	dir := ext4Dir(t)
	const ranks, per = 4, 1 << 17 // float32: 512 KiB per rank and variable
	path := filepath.Join(dir, "vpic.h5")
	var preallocs atomic.Int64
	var spans [8][2]uint64
	errs := runRanks(t, ranks, func(ctx context.Context, c *comm.Comm) error {
		f, err := Create(path, "w", WithComm(c), WithContext(ctx))
		if err != nil {
			return err
		}
		data := make([]float32, per)
		for i := range data {
			data[i] = float32(c.Rank()*per + i)
		}
		var parts []MultiWrite
		for v := range 8 {
			d, err := CreateDatasetOf[float32](f, fmt.Sprint("v", v), []uint64{ranks * per})
			if err != nil {
				f.Close()
				return err
			}
			if c.Rank() == 0 {
				addr, size := d.d.DataAddr()
				spans[v] = [2]uint64{addr, addr + size}
			}
			parts = append(parts, MultiWrite{D: d, Sel: S(Range(int64(c.Rank()*per), int64(c.Rank()+1)*per)), Data: data})
		}
		if err := f.WriteMulti(parts...); err != nil {
			f.Close()
			return err
		}
		preallocs.Add(int64(f.preallocs))
		return f.Close()
	})
	rankErrors(t, errs)
	if got := preallocs.Load(); got != 8*ranks {
		t.Errorf("%d fallocate calls, want %d (one per rank and variable)", got, 8*ranks)
	}
	for v, s := range spans {
		lo, hi := (s[0]+4095)/4096*4096, s[1]/4096*4096
		if all, _ := preallocated(extentFlags(t, path, lo, hi)); !all {
			t.Errorf("variable %d: extents %#x, want all unwritten (fallocated, not written back)", v, extentFlags(t, path, lo, hi))
		}
	}
	if out := interop.H5Py(t, fmt.Sprintf(`import h5py, numpy as np
f = h5py.File(%q, 'r')
want = np.concatenate([np.arange(%d) + r*%d for r in range(%d)]).astype('f4')
print('ok' if all((f['v%%d' %% v][:] == want).all() for v in range(8)) else 'differs')`, path, per, per, ranks)); out != "ok\n" {
		t.Fatalf("h5py: %q", out)
	}

	// Two phases: 2 ranks write alternate halves of each 512-byte row of
	// a 4096 x 128 float64 matrix (runs of 256 bytes); the aggregators
	// write the merged rows in spans of MiBs.
	path = filepath.Join(dir, "twophase.h5")
	var aggPrealloc, twoPhase atomic.Int64
	var span [2]uint64
	errs = runRanks(t, 2, func(ctx context.Context, c *comm.Comm) error {
		f, err := Create(path, "w", WithComm(c), WithContext(ctx))
		if err != nil {
			return err
		}
		d, err := CreateDatasetOf[float64](f, "m", []uint64{4096, 64})
		if err != nil {
			f.Close()
			return err
		}
		if c.Rank() == 0 {
			addr, size := d.d.DataAddr()
			span = [2]uint64{addr, addr + size}
		}
		lo := int64(32 * c.Rank())
		v := make([]float64, 4096*32)
		for i := range v {
			v[i] = float64(i/32*64 + int(lo) + i%32)
		}
		if err := d.Collective().WriteSel(S(Range(0, 4096), Range(lo, lo+32)), v); err != nil {
			f.Close()
			return err
		}
		aggPrealloc.Add(int64(f.preallocs))
		twoPhase.Add(int64(f.twoPhaseWrites))
		return f.Close()
	})
	rankErrors(t, errs)
	if twoPhase.Load() != 2 || aggPrealloc.Load() == 0 {
		t.Errorf("%d ranks wrote in two phases with %d fallocate calls; want 2 and at least 1 (the aggregators' spans)", twoPhase.Load(), aggPrealloc.Load())
	}
	lo, hi := (span[0]+4095)/4096*4096, span[1]/4096*4096
	if all, _ := preallocated(extentFlags(t, path, lo, hi)); !all {
		t.Errorf("two-phase matrix: extents %#x, want all unwritten", extentFlags(t, path, lo, hi))
	}
	if out := interop.H5Py(t, fmt.Sprintf(`import h5py, numpy as np
m = h5py.File(%q, 'r')['m'][:]
print('ok' if (m == np.arange(4096*64).reshape(4096, 64)).all() else 'differs')`, path)); out != "ok\n" {
		t.Fatalf("h5py: %q", out)
	}
}
