package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/gorun-hpc/gorun/bench/internal/writeback"
	"github.com/gorun-hpc/gorun/h5file"
)

func main() {
	sizeFlag := flag.String("size", "1GiB", "dataset size for the contiguous and deflate cases (KiB, MiB, GiB suffixes)")
	runs := flag.Int("runs", 5, "runs per case; the table shows medians")
	nmeta := flag.Int("datasets", 10000, "small datasets (one attribute each) for the metadata case")
	chunkKiB := flag.Int("chunk", 1024, "chunk size in KiB for the deflate case")
	dir := flag.String("dir", "", "directory for the files (default: a temporary one)")
	py := flag.String("python", "/usr/bin/python3", "interpreter with h5py")
	flag.Parse()
	size, err := parseSize(*sizeFlag)
	if err != nil {
		fail(err)
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "gorun-bench-serial")
		if err != nil {
			fail(err)
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	script, err := scriptPath()
	if err != nil {
		fail(err)
	}
	b := &bench{dir: *dir, n: size / 8, chunk: uint64(*chunkKiB) * 1024 / 8, nmeta: *nmeta, py: *py, script: script}
	b.x = make([]float64, b.n)
	for i := range b.x {
		b.x[i] = float64(i%1000) * 0.5
	}
	fmt.Printf("serial HDF5 benchmarks: %s float64 (%d elements), chunks of %d KiB, %d small datasets, median of %d runs, %s/%s, %d CPUs\n\n",
		*sizeFlag, b.n, *chunkKiB, b.nmeta, *runs, runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	cases := []struct {
		name             string
		mb               float64
		gorun, h5py, raw func() (time.Duration, error)
	}{
		{"contiguous write", float64(size) / 1e6, b.goWrite, b.pyOp("write", "py_contig.h5"), b.rawWrite},
		{"contiguous read", float64(size) / 1e6, b.goRead, b.pyOp("read", "py_contig.h5"), b.rawRead},
		{"strided read (every 128th element)", float64(size) / 128 / 1e6, b.goStrided, b.pyOp("strided_read", "py_contig.h5"), nil},
		{"chunked+deflate(4) write", float64(size) / 1e6, b.goGzipWrite, b.pyOp("gzip_write", "py_gzip.h5"), nil},
		{"chunked+deflate(4) read", float64(size) / 1e6, b.goGzipRead, b.pyOp("gzip_read", "py_gzip.h5"), nil},
		{"chunked+deflate(4) read of h5py's file", float64(size) / 1e6, func() (time.Duration, error) { return b.readInto("py_gzip.h5") }, b.pyOp("gzip_read", "py_gzip.h5"), nil},
		{fmt.Sprintf("%d datasets + attribute", b.nmeta), 0, b.goMeta, b.pyMeta, nil},
	}
	fmt.Println("| case | gorun | h5py | raw pwrite/pread | gorun/h5py speed | gorun/raw speed |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, c := range cases {
		var tg, tp, tr []time.Duration
		for r := 0; r < *runs; r++ {
			for _, m := range []struct {
				fn  func() (time.Duration, error)
				out *[]time.Duration
			}{{c.gorun, &tg}, {c.h5py, &tp}, {c.raw, &tr}} {
				if m.fn == nil {
					continue
				}
				// Write back earlier runs' dirty pages first: otherwise a read
				// right after a write waits on writeback, and whoever runs
				// after a big write pays for it.
				writeback.Sync()
				d, err := m.fn()
				if err != nil {
					fail(fmt.Errorf("%s: %w", c.name, err))
				}
				*m.out = append(*m.out, d)
			}
		}
		g, p, rw := median(tg), median(tp), median(tr)
		cell := func(d time.Duration) string {
			if d == 0 {
				return "-"
			}
			if c.mb > 0 {
				return fmt.Sprintf("%v (%.0f MB/s)", d.Round(time.Millisecond), c.mb/d.Seconds())
			}
			return d.Round(time.Millisecond).String()
		}
		ratio := func(a, b time.Duration) string {
			if a == 0 || b == 0 {
				return "-"
			}
			return fmt.Sprintf("%.2fx", b.Seconds()/a.Seconds())
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s |\n", c.name, cell(g), cell(p), cell(rw), ratio(g, p), ratio(g, rw))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench/serial:", err)
	os.Exit(1)
}

func parseSize(s string) (uint64, error) {
	mult := uint64(1)
	for _, u := range []struct {
		suf string
		m   uint64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if strings.HasSuffix(s, u.suf) {
			s, mult = strings.TrimSuffix(s, u.suf), u.m
			break
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("bad -size %q: use a number with KiB, MiB or GiB", s)
	}
	return n * mult / 8 * 8, nil
}

// scriptPath finds h5py_serial.py beside this source file (go run from the
// repository root or from bench/serial).
func scriptPath() (string, error) {
	for _, p := range []string{"bench/serial/h5py_serial.py", "h5py_serial.py"} {
		if _, err := os.Stat(p); err == nil {
			return filepath.Abs(p)
		}
	}
	return "", fmt.Errorf("h5py_serial.py not found: run from the repository root")
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

type bench struct {
	dir, py, script string
	n, chunk        uint64
	nmeta           int
	x               []float64
}

func (b *bench) path(name string) string { return filepath.Join(b.dir, name) }

func timed(fn func() error) (time.Duration, error) {
	t := time.Now()
	err := fn()
	return time.Since(t), err
}

func (b *bench) goWrite() (time.Duration, error) {
	return timed(func() error {
		f, err := h5file.Create(b.path("go_contig.h5"), "w")
		if err != nil {
			return err
		}
		d, err := h5file.CreateDatasetOf[float64](f, "x", []uint64{b.n})
		if err != nil {
			return err
		}
		if err := d.Write(b.x); err != nil {
			return err
		}
		return f.Close()
	})
}

// timedRead times opening file name and read on its dataset "x".
func (b *bench) timedRead(name string, read func(*h5file.Dataset) error) (time.Duration, error) {
	return timed(func() error {
		f, err := h5file.Open(b.path(name), "r")
		if err != nil {
			return err
		}
		defer f.Close()
		d, err := f.Dataset("x")
		if err != nil {
			return err
		}
		return read(d)
	})
}

func (b *bench) readInto(name string) (time.Duration, error) {
	out := make([]float64, b.n)
	d, err := b.timedRead(name, func(d *h5file.Dataset) error { return d.Read(out) })
	if err == nil && out[b.n-1] != b.x[b.n-1] {
		err = fmt.Errorf("read back %v, want %v", out[b.n-1], b.x[b.n-1])
	}
	return d, err
}

func (b *bench) goRead() (time.Duration, error) { return b.readInto("go_contig.h5") }

// goStrided reads every 128th element, x[5::128]: a column of a row-major
// (n/128, 128) array, many short runs (sieved reads).
func (b *bench) goStrided() (time.Duration, error) {
	var out []float64
	d, err := b.timedRead("go_contig.h5", func(d *h5file.Dataset) (err error) {
		out, err = h5file.ReadSlice[float64](d, h5file.S(h5file.RangeStep(5, h5file.End, 128)))
		return err
	})
	if err == nil && (len(out) == 0 || out[len(out)-1] != b.x[5+128*uint64(len(out)-1)]) {
		err = fmt.Errorf("strided read: %d values, not every 128th of the data", len(out))
	}
	return d, err
}

func (b *bench) goGzipWrite() (time.Duration, error) {
	return timed(func() error {
		f, err := h5file.Create(b.path("go_gzip.h5"), "w")
		if err != nil {
			return err
		}
		d, err := h5file.CreateDatasetOf[float64](f, "x", []uint64{b.n}, h5file.Chunks(min(b.chunk, b.n)), h5file.Gzip(4))
		if err != nil {
			return err
		}
		if err := d.Write(b.x); err != nil {
			return err
		}
		return f.Close()
	})
}

func (b *bench) goGzipRead() (time.Duration, error) { return b.readInto("go_gzip.h5") }

func (b *bench) goMeta() (time.Duration, error) {
	return timed(func() error {
		f, err := h5file.Create(b.path("go_meta.h5"), "w")
		if err != nil {
			return err
		}
		for i := 0; i < b.nmeta; i++ {
			d, err := f.CreateDatasetFrom(fmt.Sprintf("d%05d", i), []int32{0, 1, 2, 3})
			if err != nil {
				return err
			}
			if err := d.Attrs().Set("step", i); err != nil {
				return err
			}
		}
		return f.Close()
	})
}

func (b *bench) bytes() []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&b.x[0])), len(b.x)*8)
}

func (b *bench) rawWrite() (time.Duration, error) {
	return timed(func() error {
		f, err := os.OpenFile(b.path("raw.bin"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		if _, err := f.WriteAt(b.bytes(), 0); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
}

func (b *bench) rawRead() (time.Duration, error) {
	buf := make([]byte, b.n*8)
	return timed(func() error {
		f, err := os.Open(b.path("raw.bin"))
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = f.ReadAt(buf, 0)
		return err
	})
}

func (b *bench) pyOp(op, file string) func() (time.Duration, error) {
	return func() (time.Duration, error) {
		return b.python(op, file, b.n)
	}
}

func (b *bench) pyMeta() (time.Duration, error) {
	return b.python("meta", "py_meta.h5", uint64(b.nmeta))
}

func (b *bench) python(op, file string, n uint64) (time.Duration, error) {
	cmd := exec.Command(b.py, b.script, op, b.path(file), fmt.Sprint(n), fmt.Sprint(min(b.chunk, b.n)))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("h5py %s: %w", op, err)
	}
	s, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		return 0, fmt.Errorf("h5py %s printed %q", op, out)
	}
	return time.Duration(s * float64(time.Second)), nil
}
