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
	"github.com/gorun-hpc/gorun/h5file"
)

// pluginDir is where Debian's libhdf5 filter plugins live.
const pluginDir = "/usr/lib/x86_64-linux-gnu/hdf5/serial/plugins"

type codecCase struct {
	name string // also the h5py script's case name
	opts []h5file.DatasetOption
	h5py bool // a libhdf5 plugin exists for h5py to compare with
}

func cases() []codecCase {
	cs := []codecCase{
		{"gzip", []h5file.DatasetOption{h5file.Gzip(4)}, true},
		{"gzip_shuffle", []h5file.DatasetOption{h5file.Shuffle(), h5file.Gzip(4)}, true},
		{"lzf", []h5file.DatasetOption{h5file.LZF()}, true},
		{"lzf_shuffle", []h5file.DatasetOption{h5file.Shuffle(), h5file.LZF()}, true},
		{"lz4", []h5file.DatasetOption{h5file.LZ4()}, true},
		{"lz4_shuffle", []h5file.DatasetOption{h5file.Shuffle(), h5file.LZ4()}, true},
		{"zstd", []h5file.DatasetOption{h5file.Zstd(3)}, false},
		{"bzip2", []h5file.DatasetOption{h5file.Bzip2(9)}, true},
	}
	for _, b := range []struct {
		cname, shuffle string
		s              h5file.BloscShuffle
	}{
		{"blosclz", "shuffle", h5file.BloscByteShuffle},
		{"lz4", "shuffle", h5file.BloscByteShuffle},
		{"lz4", "bitshuffle", h5file.BloscBitShuffle},
		{"lz4hc", "shuffle", h5file.BloscByteShuffle},
		{"zlib", "shuffle", h5file.BloscByteShuffle},
		{"zstd", "shuffle", h5file.BloscByteShuffle},
		{"zstd", "bitshuffle", h5file.BloscBitShuffle},
	} {
		cs = append(cs, codecCase{fmt.Sprintf("blosc_%s_%s_5", b.cname, b.shuffle), []h5file.DatasetOption{h5file.Blosc(b.cname, 5, b.s)}, true})
	}
	return cs
}

// result is one case's medians; zero durations were not measured.
type result struct {
	name               string
	goW, goR, pyW, pyR time.Duration
	goRatio, pyRatio   float64
}

func main() {
	sizeFlag := flag.String("size", "64MiB", "dataset size (KiB, MiB, GiB suffixes)")
	runs := flag.Int("runs", 3, "runs per case; the table shows medians")
	chunkKiB := flag.Int("chunk", 1024, "chunk size in KiB")
	only := flag.String("only", "", "run only the cases whose names contain this")
	dir := flag.String("dir", "", "directory for the files (default: a temporary one)")
	py := flag.String("python", "/usr/bin/python3", "interpreter with h5py and hdf5plugin")
	svg := flag.String("svg", "", "write a plot of write time against compression ratio here")
	replot := flag.String("replot", "", "only redraw -svg from this file's markdown table (a RESULTS.md)")
	flag.Parse()
	if *replot != "" {
		b, err := os.ReadFile(*replot)
		if err != nil {
			fail(err)
		}
		if err := os.WriteFile(*svg, plot(parseTable(string(b)), *sizeFlag), 0o644); err != nil {
			fail(err)
		}
		return
	}
	size, err := parseSize(*sizeFlag)
	if err != nil {
		fail(err)
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "gorun-bench-codecs")
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
	n := size / 4
	chunk := uint64(*chunkKiB) * 1024 / 4
	x := data(n)
	fmt.Printf("serial codec benchmarks: %s float32 (%d elements), chunks of %d KiB, median of %d runs, %s/%s, %d CPUs\n\n",
		*sizeFlag, n, *chunkKiB, *runs, runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Println("| codec | ratio (gorun / h5py) | write gorun | write h5py | write speed-up | read gorun | read h5py | read speed-up |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	var results []result
	for _, c := range cases() {
		if !strings.Contains(c.name, *only) {
			continue
		}
		r := result{name: c.name}
		goPath, pyPath := filepath.Join(*dir, "go_"+c.name+".h5"), filepath.Join(*dir, "py_"+c.name+".h5")
		var gw, gr, pw, pr []time.Duration
		for i := 0; i < *runs; i++ {
			writeback.Sync()
			d, err := goWrite(goPath, x, chunk, c.opts)
			check(c.name, "gorun write", err)
			gw = append(gw, d)
			writeback.Sync()
			d, err = goRead(goPath, x)
			check(c.name, "gorun read", err)
			gr = append(gr, d)
			if c.h5py {
				writeback.Sync()
				d, err = pyOp(*py, script, "write", c.name, pyPath, n, chunk)
				check(c.name, "h5py write", err)
				pw = append(pw, d)
				writeback.Sync()
				d, err = pyOp(*py, script, "read", c.name, pyPath, n, chunk)
				check(c.name, "h5py read", err)
				pr = append(pr, d)
			}
		}
		r.goW, r.goR, r.pyW, r.pyR = median(gw), median(gr), median(pw), median(pr)
		r.goRatio = ratio(goPath, size)
		if c.h5py {
			r.pyRatio = ratio(pyPath, size)
		}
		results = append(results, r)
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", c.name, ratios(r), ms(r.goW), ms(r.pyW), speedup(r.pyW, r.goW), ms(r.goR), ms(r.pyR), speedup(r.pyR, r.goR))
	}
	if *svg != "" {
		if err := os.WriteFile(*svg, plot(results, *sizeFlag), 0o644); err != nil {
			fail(err)
		}
	}
}

// data is the same float32 field as h5py_codecs.py's.
func data(n uint64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(math.Sin(float64(i)/1000)*100 + float64(i%17)*0.01)
	}
	return x
}

func goWrite(path string, x []float32, chunk uint64, opts []h5file.DatasetOption) (time.Duration, error) {
	t := time.Now()
	f, err := h5file.Create(path, "w")
	if err != nil {
		return 0, err
	}
	d, err := h5file.CreateDatasetOf[float32](f, "x", []uint64{uint64(len(x))}, append(opts, h5file.Chunks(chunk))...)
	if err != nil {
		return 0, err
	}
	if err := d.Write(x); err != nil {
		return 0, err
	}
	err = f.Close()
	return time.Since(t), err
}

func goRead(path string, x []float32) (time.Duration, error) {
	t := time.Now()
	f, err := h5file.Open(path, "r")
	if err != nil {
		return 0, err
	}
	d, err := f.Dataset("x")
	if err != nil {
		return 0, err
	}
	got := make([]float32, d.Size())
	if err := d.Read(got); err != nil {
		return 0, err
	}
	el := time.Since(t)
	f.Close()
	if got[len(got)-1] != x[len(x)-1] || got[len(got)/3] != x[len(x)/3] {
		return 0, fmt.Errorf("read back wrong values")
	}
	return el, nil
}

func pyOp(py, script, op, name, path string, n, chunk uint64) (time.Duration, error) {
	cmd := exec.Command(py, script, op, name, path, fmt.Sprint(n), fmt.Sprint(chunk))
	cmd.Env = append(os.Environ(), "HDF5_PLUGIN_PATH="+pluginDir)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, err
	}
	s, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	return time.Duration(s * float64(time.Second)), err
}

func ratio(path string, size uint64) float64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return float64(size) / float64(st.Size())
}

func ratios(r result) string {
	if r.pyRatio == 0 {
		return fmt.Sprintf("%.2f / -", r.goRatio)
	}
	return fmt.Sprintf("%.2f / %.2f", r.goRatio, r.pyRatio)
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f ms", d.Seconds()*1000)
}

func speedup(h5py, gorun time.Duration) string {
	if h5py == 0 || gorun == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", h5py.Seconds()/gorun.Seconds())
}

func check(name, what string, err error) {
	if err != nil {
		fail(fmt.Errorf("%s: %s: %w", name, what, err))
	}
}

func parseSize(s string) (uint64, error) {
	mult := uint64(1)
	for _, u := range []struct {
		suffix string
		m      uint64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.m
			break
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: want a number with an optional KiB, MiB or GiB suffix", s)
	}
	return v * mult, nil
}

// scriptPath finds h5py_codecs.py beside this source file (go run) or in
// the working directory.
func scriptPath() (string, error) {
	_, file, _, _ := runtime.Caller(0)
	for _, p := range []string{filepath.Join(filepath.Dir(file), "h5py_codecs.py"), "h5py_codecs.py", "bench/codecs/h5py_codecs.py"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("h5py_codecs.py not found (run from the repository root)")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "codecs:", err)
	os.Exit(1)
}
