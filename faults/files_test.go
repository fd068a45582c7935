package faults

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/h5file"
)

// damageSeed writes the small file whose every byte the damage tests flip:
// groups, attributes, a contiguous dataset and a chunked one with deflate,
// shuffle and fletcher32 (a checksum on raw data even in the old format).
func damageSeed(t *testing.T, path string) {
	t.Helper()
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	g, err := f.CreateGroup("g")
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Attrs().Set("units", "m/s"); err != nil {
		t.Fatal(err)
	}
	if err := g.Attrs().Set("scale", 0.5); err != nil {
		t.Fatal(err)
	}
	x := make([]int32, 20)
	for i := range x {
		x[i] = int32(i * 3)
	}
	if _, err := g.CreateDatasetFrom("x", x); err != nil {
		t.Fatal(err)
	}
	c := make([]float64, 64)
	for i := range c {
		c[i] = float64(i) / 4
	}
	if _, err := f.CreateDatasetFrom("c", c, h5file.WithShape(8, 8), h5file.Chunks(4, 4), h5file.Gzip(4), h5file.Shuffle(), h5file.Fletcher32()); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// h5pySeed writes the same content with h5py (libhdf5's layout of the
// old format) or, with libver 'latest', in the new format (superblock v3,
// checksummed object headers and indexes).
func h5pySeed(t *testing.T, path, libver string) {
	t.Helper()
	out, err := exec.Command("/usr/bin/python3", "-c", `import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'w', libver=sys.argv[2]) as f:
    g = f.create_group('g')
    g.attrs['units'] = 'm/s'
    g.attrs['scale'] = 0.5
    g['x'] = np.arange(20, dtype=np.int32)*3
    f.create_dataset('c', data=(np.arange(64)/4).reshape(8, 8), chunks=(4, 4), compression='gzip', compression_opts=4, shuffle=True, fletcher32=True)
`, path, libver).CombinedOutput()
	if err != nil {
		t.Skipf("h5py: %v\n%s", err, out)
	}
}

// rawRanges are the [start, end) byte ranges of raw data in path: bytes no
// metadata checksum covers (h5py tells where the datasets' are; global heap
// collections, which hold variable-length data, are found by signature).
type rawRange struct {
	Start, End int64
	Checked    bool // a fletcher32 chunk: a flip must be an error
}

func rawRanges(t *testing.T, path string) []rawRange {
	t.Helper()
	out, err := exec.Command("/usr/bin/python3", "-c", `import h5py, json, sys
r = []
with h5py.File(sys.argv[1], 'r') as f:
    x = f['g/x']
    r.append({'Start': x.id.get_offset(), 'End': x.id.get_offset() + x.id.get_storage_size(), 'Checked': False})
    c = f['c']
    for i in range(c.id.get_num_chunks()):
        ci = c.id.get_chunk_info(i)
        r.append({'Start': ci.byte_offset, 'End': ci.byte_offset + ci.size, 'Checked': True})
print(json.dumps(r))
`, path).CombinedOutput()
	if err != nil {
		t.Fatalf("h5py offsets: %v\n%s", err, out)
	}
	var rs []rawRange
	if err := json.Unmarshal(out, &rs); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// Global heap collections hold variable-length data (h5py's string
	// attributes) and carry no checksum in any format version.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+16 <= len(b); i++ {
		if string(b[i:i+4]) == "GCOL" {
			size := int64(binary.LittleEndian.Uint64(b[i+8:]))
			rs = append(rs, rawRange{Start: int64(i), End: int64(i) + size})
		}
	}
	return rs
}

// summary reads everything in the file through h5file: names, attributes
// and data, as text to compare.
func summary(path string) (string, error) {
	f, err := h5file.Open(path, "r")
	if err != nil {
		return "", err
	}
	defer f.Close()
	var b strings.Builder
	err = f.Visit(func(name string, o h5file.Object) error {
		fmt.Fprintf(&b, "%s:", name)
		for _, a := range o.Attrs().Names() {
			at, err := o.Attrs().Get(a)
			if err != nil {
				return err
			}
			v, err := at.Value()
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, " @%s=%v", a, v)
		}
		if d, ok := o.(*h5file.Dataset); ok {
			fmt.Fprintf(&b, " %v %v", d.Shape(), d.Dtype())
			var v any
			var err error
			switch name {
			case "/g/x", "g/x":
				v, err = h5file.ReadAll[int32](d)
			default:
				v, err = h5file.ReadAll[float64](d)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, " %v", v)
		}
		b.WriteString("\n")
		return nil
	})
	return b.String(), err
}

// outcome of opening one damaged file.
type outcome int

const (
	gotError outcome = iota
	gotSame
	gotDifferent
)

// openDamaged reads a damaged file: an error, the original content, or
// different content. A panic or a read that takes over 30 s fails the test.
func openDamaged(t *testing.T, path, want, what string) (outcome, string) {
	t.Helper()
	type res struct {
		s     string
		err   error
		panic string
	}
	ch := make(chan res, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				ch <- res{panic: fmt.Sprintf("%v\n%s", p, debug.Stack())}
			}
		}()
		s, err := summary(path)
		ch <- res{s: s, err: err}
	}()
	select {
	case r := <-ch:
		switch {
		case r.panic != "":
			t.Fatalf("%s: panic: %s", what, r.panic)
		case r.err != nil:
			return gotError, r.err.Error()
		case r.s == want:
			return gotSame, ""
		}
		return gotDifferent, r.s
	case <-time.After(30 * time.Second):
		t.Fatalf("%s: reading the damaged file hangs", what)
	}
	return gotError, ""
}

// TestDamagedFiles flips every metadata byte (and every byte of the
// checksummed chunks) of a small file (ours, and the same
// content from h5py in the old and the latest format) and truncates it at every
// length, and reads everything through h5file each time: an error or the
// right data, never a panic or a hang. Where a checksum covers the byte
// (fletcher32 chunks; all metadata of the latest format) a flip must be an
// error, never different data.
func TestDamagedFiles(t *testing.T) {
	dir := memDir(t)
	for _, format := range []string{"h5file", "earliest", "latest"} {
		t.Run(format, func(t *testing.T) {
			seed := filepath.Join(dir, format+".h5")
			if format == "h5file" {
				damageSeed(t, seed)
			} else {
				h5pySeed(t, seed, format)
			}
			want, err := summary(seed)
			if err != nil {
				t.Skipf("h5file cannot read the undamaged %s file yet: %v", format, err)
			}
			orig, err := os.ReadFile(seed)
			if err != nil {
				t.Fatal(err)
			}
			raw := rawRanges(t, seed)
			inRaw := func(off int64) (bool, bool) {
				for _, r := range raw {
					if off >= r.Start && off < r.End {
						return true, r.Checked
					}
				}
				return false, false
			}
			counts := map[string]int{}
			var silent, bigAlloc []string
			damaged := filepath.Join(dir, format+"-damaged.h5")
			buf := make([]byte, len(orig))
			step := 1
			if testing.Short() {
				step = 7
			}
			flips, truncs := 0, 0
			for off := 0; off < len(orig); off += step {
				// Metadata offsets and checksummed chunks; plain raw data
				// (no checksum can catch a flip there) is not worth the time.
				if isRaw, checked := inRaw(int64(off)); isRaw && !checked {
					continue
				}
				flips++
				copy(buf, orig)
				buf[off] ^= 0xff
				if err := os.WriteFile(damaged, buf, 0o644); err != nil {
					t.Fatal(err)
				}
				what := fmt.Sprintf("%s file, byte %d flipped", format, off)
				before := totalAlloc()
				o, detail := openDamaged(t, damaged, want, what)
				if a := totalAlloc() - before; a > maxDamageAlloc {
					bigAlloc = append(bigAlloc, fmt.Sprintf("%s: reading it allocated %d MiB", what, a>>20))
				}
				isRaw, checked := inRaw(int64(off))
				kind := "metadata"
				if isRaw {
					kind = "raw"
					if checked {
						kind = "checksummed raw"
					}
				}
				counts[fmt.Sprintf("%s/%s", kind, []string{"error", "same", "different"}[o])]++
				if o == gotDifferent && (checked || (format == "latest" && !isRaw)) {
					silent = append(silent, fmt.Sprintf("%s (%s): no error, different content:\n%s", what, kind, detail))
				}
				if o == gotError && checked && !strings.Contains(detail, "checksum") && !strings.Contains(detail, "flate") {
					t.Errorf("%s: unclear error for a bad chunk checksum: %s", what, detail)
				}
			}
			// Every length in the first KiB (superblock, root group), then a
			// stride that still lands in every metadata block.
			for n := 0; n < len(orig); n = next(n) {
				if err := os.WriteFile(damaged, orig[:n], 0o644); err != nil {
					t.Fatal(err)
				}
				o, detail := openDamaged(t, damaged, want, fmt.Sprintf("%s file truncated to %d bytes", format, n))
				truncs++
				counts[fmt.Sprintf("truncated/%s", []string{"error", "same", "different"}[o])]++
				if o == gotDifferent {
					t.Errorf("%s file truncated to %d bytes: no error, different content:\n%s", format, n, detail)
				}
			}
			t.Logf("%s file of %d bytes: %d flips and %d truncations; outcomes %v", format, len(orig), flips, truncs, counts)
			for _, s := range silent {
				t.Error(s)
			}
			t.Logf("%d flips made the reader allocate over %d MiB", len(bigAlloc), maxDamageAlloc>>20)
			t.Run("no large allocation", func(t *testing.T) {
				for _, s := range bigAlloc {
					t.Error(s)
				}
			})
		})
	}
}

// next is the truncation length after n.
func next(n int) int {
	if n < 1024 {
		return n + 1
	}
	return n + 13
}

// memDir is a temporary directory in memory (/dev/shm) when there is one:
// the damage tests write thousands of small files.
func memDir(t *testing.T) string {
	d, err := os.MkdirTemp("/dev/shm", "faults")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// maxDamageAlloc bounds what reading a damaged 10 KiB file may allocate.
const maxDamageAlloc = 64 << 20

func totalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}
