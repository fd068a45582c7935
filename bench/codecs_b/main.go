package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorun-hpc/gorun/bench/internal/writeback"
	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/h5file"
)

type benchCase struct {
	name string
	opts []h5file.DatasetOption
	h5py bool // h5py has the same filter to compare with
}

var cases = []benchCase{
	{"gzip", []h5file.DatasetOption{h5file.Gzip(4)}, true},
	{"lz4", []h5file.DatasetOption{h5file.LZ4()}, true},
	{"bitshuffle_lz4", []h5file.DatasetOption{h5file.Bitshuffle("lz4")}, true},
	{"bitshuffle_zstd", []h5file.DatasetOption{h5file.Bitshuffle("zstd")}, false},
	{"scaleoffset_float_d2", []h5file.DatasetOption{h5file.ScaleOffset(2)}, true},
	{"scaleoffset_int", []h5file.DatasetOption{h5file.ScaleOffset(0)}, true},
	{"nbit_12", []h5file.DatasetOption{h5file.WithDtype(uint12()), h5file.Nbit()}, true},
}

func uint12() *h5file.Datatype {
	t := h5core.IntType(2, false, h5core.LittleEndian)
	t.Precision = 12
	return t
}

// data is the same as h5py_codecs_b.py's: a float32 field for most
// cases, its values x100 as int32 for scale-offset on integers, 12-bit
// counts for N-bit.
func data(c string, size uint64) any {
	if strings.HasPrefix(c, "nbit") {
		x := make([]uint16, size/2)
		for i := range x {
			x[i] = uint16(i * 7 % 4096)
		}
		return x
	}
	field := func(i int) float64 { return math.Sin(float64(i)/1000)*100 + float64(i%17)*0.01 }
	if c == "scaleoffset_int" {
		x := make([]int32, size/4)
		for i := range x {
			x[i] = int32(math.RoundToEven(field(i) * 100))
		}
		return x
	}
	x := make([]float32, size/4)
	for i := range x {
		x[i] = float32(field(i))
	}
	return x
}

func main() {
	sizeFlag := flag.String("size", "64MiB", "dataset size (MiB)")
	runs := flag.Int("runs", 3, "runs per case; the table shows medians")
	chunkKiB := flag.Int("chunk", 1024, "chunk size in KiB")
	py := flag.String("python", "/usr/bin/python3", "interpreter with h5py and hdf5plugin")
	only := flag.String("only", "", "run only the cases whose names contain this")
	flag.Parse()
	mib, err := strconv.Atoi(strings.TrimSuffix(*sizeFlag, "MiB"))
	if err != nil {
		fail(fmt.Errorf("-size %q: want NMiB", *sizeFlag))
	}
	size := uint64(mib) << 20
	dir, err := os.MkdirTemp("", "gorun-bench-codecs-b")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	_, self, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(self), "h5py_codecs_b.py")
	fmt.Printf("serial codec benchmarks: %s per dataset, chunks of %d KiB, median of %d runs, %d CPUs\n\n", *sizeFlag, *chunkKiB, *runs, runtime.NumCPU())
	fmt.Println("| codec | ratio gorun / h5py | write gorun | write h5py | speed-up | read gorun | read h5py | speed-up |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, c := range cases {
		if !strings.Contains(c.name, *only) {
			continue
		}
		x := data(c.name, size)
		es := map[bool]uint64{true: 2, false: 4}[strings.HasPrefix(c.name, "nbit")]
		n, chunk := size/es, uint64(*chunkKiB)*1024/es
		goPath, pyPath := filepath.Join(dir, "go_"+c.name+".h5"), filepath.Join(dir, "py_"+c.name+".h5")
		var gw, gr, pw, pr []time.Duration
		must := func(d time.Duration, err error) time.Duration {
			if err != nil {
				fail(fmt.Errorf("%s: %w", c.name, err))
			}
			return d
		}
		for i := 0; i < *runs; i++ {
			writeback.Sync()
			gw = append(gw, must(goWrite(goPath, x, chunk, c.opts)))
			writeback.Sync()
			gr = append(gr, must(goRead(goPath, x)))
			if c.h5py {
				writeback.Sync()
				pw = append(pw, must(pyOp(*py, script, "write", c.name, pyPath, n, chunk)))
				writeback.Sync()
				pr = append(pr, must(pyOp(*py, script, "read", c.name, pyPath, n, chunk)))
			}
		}
		ratio := fmt.Sprintf("%.2f", float64(size)/float64(fileSize(goPath)))
		if c.h5py {
			ratio += fmt.Sprintf(" / %.2f", float64(size)/float64(fileSize(pyPath)))
		} else {
			ratio += " / -"
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", c.name, ratio,
			ms(median(gw)), ms(median(pw)), speedup(median(pw), median(gw)),
			ms(median(gr)), ms(median(pr)), speedup(median(pr), median(gr)))
	}
}

func goWrite(path string, x any, chunk uint64, opts []h5file.DatasetOption) (time.Duration, error) {
	t := time.Now()
	f, err := h5file.Create(path, "w")
	if err != nil {
		return 0, err
	}
	if _, err := f.CreateDatasetFrom("x", x, append([]h5file.DatasetOption{h5file.Chunks(chunk)}, opts...)...); err != nil {
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	return time.Since(t), nil
}

func goRead(path string, want any) (time.Duration, error) {
	t := time.Now()
	f, err := h5file.Open(path, "r")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	d, err := f.Dataset("x")
	if err != nil {
		return 0, err
	}
	var n int
	switch w := want.(type) {
	case []float32:
		var v []float32
		err = d.Read(&v)
		n = len(v)
		if err == nil && len(w) > 0 && math.Abs(float64(v[len(v)-1]-w[len(w)-1])) > 0.01 {
			err = fmt.Errorf("last value %v, want %v", v[len(v)-1], w[len(w)-1])
		}
	case []int32:
		var v []int32
		err = d.Read(&v)
		n = len(v)
		if err == nil && v[len(v)-1] != w[len(w)-1] {
			err = fmt.Errorf("last value %v, want %v", v[len(v)-1], w[len(w)-1])
		}
	case []uint16:
		var v []uint16
		err = d.Read(&v)
		n = len(v)
		if err == nil && v[len(v)-1] != w[len(w)-1] {
			err = fmt.Errorf("last value %v, want %v", v[len(v)-1], w[len(w)-1])
		}
	}
	if err == nil && n == 0 {
		err = fmt.Errorf("read nothing")
	}
	return time.Since(t), err
}

func pyOp(py, script, op, c, path string, n, chunk uint64) (time.Duration, error) {
	out, err := exec.Command(py, script, op, c, path, fmt.Sprint(n), fmt.Sprint(chunk)).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("h5py %s: %v\n%s", op, err, out)
	}
	s, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		return 0, fmt.Errorf("h5py %s printed %q", op, out)
	}
	return time.Duration(s * float64(time.Second)), nil
}

func fileSize(p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		return 1
	}
	return st.Size()
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f ms", float64(d)/1e6)
}

func speedup(base, ours time.Duration) string {
	if base == 0 || ours == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", float64(base)/float64(ours))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "codecs_b:", err)
	os.Exit(1)
}
