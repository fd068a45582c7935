// Command compare runs bench/parallel's Go side under gorun and its h5py
// side under Open MPI's mpiexec, alternating, and prints a markdown table
// of medians with ratios; -svg writes a plot of write throughput against
// ranks.
//
//	go run ./bench/parallel/cmd/compare -runs 7 -svg bench/parallel/throughput.svg
//
// Run it from the repository root (it builds ./cmd/gorun and
// ./bench/parallel/gopar and runs bench/parallel/h5py_par.py).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gorun-hpc/gorun/bench/parallel"
)

// row is one configuration; sides are gorun, h5py, raw pwrite.
type row struct {
	kase        string
	bytes       int64
	ranks       int
	coll, flush bool
	secs        [3][]float64
	errs        [3]string
	vpic        [3][]*parallel.VPICTimes // VPIC-IO runs' h5bench figures
	load        [2]string                // 1-minute load average when the row started and ended
}

const (
	sideGo = iota
	sidePy
	sideRaw
)

func main() {
	runs := flag.Int("runs", 7, "runs per configuration (medians are reported)")
	quick := flag.Bool("quick", false, "tiny sizes, 1 and 2 ranks, for a smoke test")
	ranksFlag := flag.String("ranks", "1,2,4,8", "rank counts for the write cases")
	sizesFlag := flag.String("sizes", "256MiB,1GiB", "total sizes for the write cases")
	cases := flag.String("cases", "write,meta,meta-batch,vpic,gzip,tiles", "cases to run (also: tilesread, meta-latest)")
	modes := flag.String("modes", "indep,indep+flush,coll,coll+flush", "write modes to run (indep, coll, each optionally +flush)")
	md := flag.String("md", "", "also rewrite the table to this file after every configuration (partial results survive an interrupted run)")
	svg := flag.String("svg", "", "write an SVG plot of write throughput to this file")
	dir := flag.String("dir", os.TempDir(), "directory for the benchmark files")
	warmup := flag.Int("warmup", 1, "untimed whole runs in the same processes before each timed run (both sides)")
	reps := flag.Int("reps", 1, "timed runs in the same processes after the warm-up (both sides); a run's figure is their median")
	flag.Parse()
	if err := run(*runs, *quick, *ranksFlag, *sizesFlag, *cases, *modes, *md, *svg, *dir, *warmup, *reps); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func run(runs int, quick bool, ranksFlag, sizesFlag, casesFlag, modesFlag, md, svg, dir string, warmup, reps int) error {
	bin, err := os.MkdirTemp("", "gorun-pbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bin)
	gorun, gopar := filepath.Join(bin, "gorun"), filepath.Join(bin, "gopar")
	for pkg, out := range map[string]string{"./cmd/gorun": gorun, "./bench/parallel/gopar": gopar} {
		if b, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s (run from the repo root): %v\n%s", pkg, err, b)
		}
	}
	ranks, err := ints(ranksFlag)
	if err != nil {
		return err
	}
	var sizes []int64
	for _, s := range strings.Split(sizesFlag, ",") {
		n, err := parseSize(s)
		if err != nil {
			return err
		}
		sizes = append(sizes, n)
	}
	metaRanks := []int{2, 4, 8}
	particles := "1048576"
	if quick {
		runs, ranks, sizes, metaRanks, particles = 1, []int{1, 2}, []int64{16 << 20}, []int{2}, "65536"
	}
	want := map[string]bool{}
	for _, c := range strings.Split(casesFlag, ",") {
		want[strings.TrimSpace(c)] = true
	}
	var rows []*row
	if want["write"] {
		for _, size := range sizes {
			for _, n := range ranks {
				for _, coll := range []bool{false, true} {
					for _, flush := range []bool{false, true} {
						mode := map[bool]string{false: "indep", true: "coll"}[coll] + map[bool]string{false: "", true: "+flush"}[flush]
						if !slices.Contains(strings.Split(modesFlag, ","), mode) {
							continue
						}
						rows = append(rows, &row{kase: "write", bytes: size, ranks: n, coll: coll, flush: flush})
					}
				}
			}
		}
	}
	for _, k := range []string{"meta", "meta-batch", "meta-latest", "vpic", "vpic-multi", "vpic-prealloc", "gzip"} {
		if !want[k] {
			continue
		}
		for _, n := range metaRanks {
			if !slices.Contains(ranks, n) { // -ranks 2 runs only the 2-rank rows
				continue
			}
			size := int64(256 << 20)
			if quick {
				size = 16 << 20
			}
			rows = append(rows, &row{kase: k, bytes: size, ranks: n, coll: k == "gzip"})
		}
	}
	if want["tiles"] {
		for _, n := range metaRanks {
			if !slices.Contains(ranks, n) {
				continue
			}
			size := int64(256 << 20)
			if quick {
				size = 16 << 20
			}
			for _, coll := range []bool{false, true} {
				if !slices.Contains(strings.Split(modesFlag, ","), map[bool]string{false: "indep", true: "coll"}[coll]) {
					continue
				}
				rows = append(rows, &row{kase: "tiles", bytes: size, ranks: n, coll: coll})
			}
		}
	}
	if want["tilesread"] {
		for _, n := range metaRanks {
			size := int64(256 << 20)
			if quick {
				size = 16 << 20
			}
			rows = append(rows, &row{kase: "tilesread", bytes: size, ranks: n, coll: true})
		}
	}
	env := append(os.Environ(), "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
	for i, rw := range rows {
		kase := rw.kase
		if kase == "meta-batch" || kase == "meta-latest" { // gorun with WithSmallWriteBatching; h5py as in meta
			kase = "meta"
		}
		if kase == "vpic-multi" || kase == "vpic-prealloc" { // gorun with File.WriteMulti per step; h5py as in vpic (h5py has no multi-dataset write)
			kase = "vpic"
		}
		args := []string{"-case", kase, "-bytes", strconv.FormatInt(rw.bytes, 10), "-dir", dir, "-particles", particles, "-warmup", strconv.Itoa(warmup), "-reps", strconv.Itoa(reps)}
		if rw.flush {
			args = append(args, "-flush")
		}
		if rw.kase == "meta-latest" { // both sides: libver='latest'
			args = append(args, "-libver", "latest")
		}
		if rw.coll && (rw.kase == "write" || rw.kase == "tiles" || rw.kase == "tilesread") {
			args = append(args, "-coll")
		}
		ns := strconv.Itoa(rw.ranks)
		goArgs := slices.Clone(args)
		if rw.kase == "meta-batch" {
			goArgs = append(goArgs, "-batch")
		}
		if rw.kase == "vpic-multi" || rw.kase == "vpic-prealloc" {
			goArgs = append(goArgs, "-multi")
		}
		sides := [3][]string{
			sideGo: append([]string{gorun, "-n", ns, gopar}, goArgs...),
			sidePy: append([]string{"mpiexec", "--oversubscribe", "-n", ns, "/usr/bin/python3", "bench/parallel/h5py_par.py"}, args...),
		}
		if rw.kase == "vpic-multi" { // the third side: gorun's 8 writes per step, alternating in the same run
			sides[sideRaw] = append([]string{gorun, "-n", ns, gopar}, args...)
		}
		if rw.kase == "vpic-prealloc" { // the third side: gorun's WriteMulti without preallocation (decision 49), alternating
			sides[sideRaw] = append([]string{gorun, "-n", ns, gopar}, append(slices.Clone(goArgs), "-noprealloc")...)
		}
		if rw.kase == "tiles" && !rw.coll { // the third side: gorun with one pwrite per run (no mapped writes), alternating
			sides[sideRaw] = append([]string{gorun, "-n", ns, gopar}, append(slices.Clone(goArgs), "-nomap")...)
		}
		if rw.kase == "write" && !rw.coll {
			raw := slices.Clone(args)
			raw[1] = "raw"
			sides[sideRaw] = append([]string{gorun, "-n", ns, gopar}, raw...)
		}
		fmt.Fprintf(os.Stderr, "[%d/%d] %s %s ranks=%d coll=%v flush=%v\n", i+1, len(rows), rw.kase, human(rw.bytes), rw.ranks, rw.coll, rw.flush)
		rw.load[0] = loadavg()
		for run := range runs {
			// The sides take turns going first (run 0: gorun, h5py,
			// third; run 1: h5py, third, gorun; ...), so none always
			// follows the same one (each side's files are removed when it
			// ends, but the page cache it freed and the host's reclaim of
			// it are the next side's conditions).
			for k := range len(sides) {
				s := (run + k) % len(sides)
				argv := sides[s]
				if argv == nil {
					continue
				}
				res, err := runSide(argv, env)
				if err != nil || res.Err != "" {
					if res.Err == "" {
						res.Err = err.Error()
					}
					rw.errs[s] = res.Err
					continue
				}
				rw.secs[s] = append(rw.secs[s], res.Seconds)
				line := fmt.Sprintf("  run %d, %s: %.1f ms", run, []string{"gorun", "h5py", "third"}[s], 1e3*res.Seconds)
				if v := res.VPIC; v != nil {
					rw.vpic[s] = append(rw.vpic[s], v)
					line += fmt.Sprintf(" (raw write %.1f, metadata %.1f, create %.1f, close %.1f ms)", 1e3*v.RawSeconds, 1e3*v.MetaSeconds, 1e3*v.CreateSeconds, 1e3*v.CloseSeconds)
				}
				fmt.Fprintln(os.Stderr, line)
			}
		}
		rw.load[1] = loadavg()
		if md != "" {
			var b bytes.Buffer
			printTable(&b, rows[:i+1], runs, particles)
			if err := os.WriteFile(md, b.Bytes(), 0o644); err != nil {
				return err
			}
			if svg != "" {
				if err := os.WriteFile(svg, plot(rows[:i+1]), 0o644); err != nil {
					return err
				}
			}
		}
	}
	printTable(os.Stdout, rows, runs, particles)
	if svg != "" {
		return os.WriteFile(svg, plot(rows), 0o644)
	}
	return nil
}

// loadavg is the 1-minute load average ("?" where /proc is missing).
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

func runSide(argv, env []string) (parallel.Result, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var res parallel.Result
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if json.Unmarshal(sc.Bytes(), &res) == nil && res.Case != "" {
			return res, nil
		}
	}
	if err == nil {
		err = fmt.Errorf("no result line")
	}
	msg := strings.TrimSpace(stderr.String())
	if i := strings.IndexByte(msg, '\n'); i > 0 {
		msg = msg[:i]
	}
	return res, fmt.Errorf("%s: %v: %s", filepath.Base(argv[0]), err, msg)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (rw *row) cell(side int) string {
	if m := median(rw.secs[side]); m > 0 {
		if rw.kase == "write" || rw.kase == "gzip" {
			return fmt.Sprintf("%.0f ms (%.2f GB/s)", m*1e3, float64(rw.bytes)/m/1e9)
		}
		return fmt.Sprintf("%.0f ms", m*1e3)
	}
	if rw.errs[side] != "" {
		return "n/a¹"
	}
	return "—"
}

func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2fx", b/a)
}

func printTable(w io.Writer, rows []*row, runs int, particles string) {
	fmt.Fprintf(w, "Medians of %d runs (the sides alternating, each going first in turn); times are the slowest rank's, from a barrier before open to after close. Speed ratios: >1 means gorun is faster.\n\n", runs)
	fmt.Fprintln(w, "| case | size | ranks | mode | gorun | h5py (mpio) | raw pwrite | gorun vs h5py | gorun vs raw | load (1 min) |")
	fmt.Fprintln(w, "|---|---:|---:|---|---:|---:|---:|---:|---:|---|")
	var notes []string
	for _, rw := range rows {
		mode := "independent"
		if rw.coll {
			mode = "collective"
		}
		if rw.flush {
			mode += ", flush"
		}
		if rw.kase == "tiles" {
			mode = "3-D blocks (1x1x2, 1x2x2, 2x2x2 ranks), " + mode
			if !rw.coll {
				mode += " (raw column: gorun WithMappedWrites(false), a pwrite per run, alternating in the same run)"
			}
		} else if rw.kase == "tilesread" {
			mode = "read of the tiles cube's 3-D blocks, " + mode
		} else if rw.kase != "write" {
			mode = map[string]string{"meta": "1000 datasets (16,) i4 in 10 groups", "meta-batch": "as meta, gorun WithSmallWriteBatching", "meta-latest": "as meta, libver='latest' on both sides", "vpic": "VPIC-IO, 5 steps, " + particles + " particles/rank", "vpic-multi": "VPIC-IO as vpic, gorun: one WriteMulti per step (raw column: gorun's 8 writes per step, alternating in the same run)", "vpic-prealloc": "VPIC-IO as vpic-multi (raw column: gorun's WriteMulti with WithPreallocation(false), alternating in the same run)", "gzip": "chunked 1 MiB + deflate(4), collective"}[rw.kase]
		}
		g, p, r := median(rw.secs[sideGo]), median(rw.secs[sidePy]), median(rw.secs[sideRaw])
		size := human(rw.bytes)
		if rw.kase != "write" && rw.kase != "gzip" && rw.kase != "tiles" && rw.kase != "tilesread" { // their size is their own (mode says it)
			size = "—"
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s → %s |\n", rw.kase, size, rw.ranks, mode,
			rw.cell(sideGo), rw.cell(sidePy), rw.cell(sideRaw), ratio(g, p), ratio(g, r), rw.load[0], rw.load[1])
		for s, e := range rw.errs {
			if e != "" && len(rw.secs[s]) == 0 {
				notes = append(notes, fmt.Sprintf("%s %s ranks=%d %s, %s: %s", rw.kase, human(rw.bytes), rw.ranks, mode, []string{"gorun", "h5py", "raw"}[s], e))
			}
		}
	}
	printVPIC(w, rows)
	if len(notes) > 0 {
		fmt.Fprintln(w, "\n¹ not measured:")
		for _, n := range slices.Compact(notes) {
			fmt.Fprintln(w, "- "+n)
		}
	}
}

// printVPIC prints the VPIC-IO rows in h5bench's terms: medians over the
// runs of the per-step time, raw write time and rate, metadata time, file
// create and close, and the observed rate (all bytes over the whole time).
func printVPIC(w io.Writer, rows []*row) {
	var vr []*row
	for _, rw := range rows {
		if strings.HasPrefix(rw.kase, "vpic") && (len(rw.vpic[sideGo]) > 0 || len(rw.vpic[sidePy]) > 0) {
			vr = append(vr, rw)
		}
	}
	if len(vr) == 0 {
		return
	}
	fmt.Fprintln(w, "\nVPIC-IO in h5bench's terms (medians; each figure the slowest rank's): per-step time, raw write time and SYNC raw write rate, metadata time, H5Fcreate and H5Fclose time, observed completion time and SYNC observed write rate; and the fastest run's observed time.")
	fmt.Fprintln(w, "\n| case | ranks | side | total write size | per-step time | raw write time | raw write rate | metadata time | create | close | observed time | observed rate | fastest observed |")
	fmt.Fprintln(w, "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, rw := range vr {
		for _, s := range []int{sideGo, sidePy, sideRaw} {
			vs := rw.vpic[s]
			if len(vs) == 0 {
				continue
			}
			pick := func(f func(*parallel.VPICTimes) float64) float64 {
				xs := make([]float64, len(vs))
				for i, v := range vs {
					xs[i] = f(v)
				}
				return median(xs)
			}
			var steps []float64
			for _, v := range vs {
				steps = append(steps, v.StepSeconds...)
			}
			size := vs[0].TotalBytes
			raw, obs := pick(func(v *parallel.VPICTimes) float64 { return v.RawSeconds }), median(rw.secs[s])
			fmt.Fprintf(w, "| %s | %d | %s | %s | %.1f ms | %.1f ms | %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %s | %.1f ms |\n",
				rw.kase, rw.ranks, sideName(rw.kase, s), human(size), 1e3*median(steps), 1e3*raw, rate(size, raw),
				1e3*pick(func(v *parallel.VPICTimes) float64 { return v.MetaSeconds }), 1e3*pick(func(v *parallel.VPICTimes) float64 { return v.CreateSeconds }),
				1e3*pick(func(v *parallel.VPICTimes) float64 { return v.CloseSeconds }), 1e3*obs, rate(size, obs), 1e3*slices.Min(rw.secs[s]))
		}
	}
}

// sideName names a VPIC-IO row's side; the third is a gorun variant.
func sideName(kase string, side int) string {
	switch {
	case side == sideGo:
		return "gorun"
	case side == sidePy:
		return "h5py"
	case kase == "vpic-multi":
		return "gorun, 8 writes per step"
	case kase == "vpic-prealloc":
		return "gorun, WithPreallocation(false)"
	}
	return "third"
}

func rate(bytes int64, secs float64) string {
	if secs <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f GB/s", float64(bytes)/secs/1e9)
}

// plot draws GB/s against ranks for the largest independent write
// without flush: gorun, h5py, raw pwrite.
func plot(rows []*row) []byte {
	var big int64
	for _, rw := range rows {
		if rw.kase == "write" {
			big = max(big, rw.bytes)
		}
	}
	type pt struct{ ranks, gbs float64 }
	var series [3][]pt
	maxR, maxG := 1.0, 0.1
	for _, rw := range rows {
		if rw.kase != "write" || rw.bytes != big || rw.coll || rw.flush {
			continue
		}
		for s := range 3 {
			if m := median(rw.secs[s]); m > 0 {
				g := float64(rw.bytes) / m / 1e9
				series[s] = append(series[s], pt{float64(rw.ranks), g})
				maxR, maxG = max(maxR, float64(rw.ranks)), max(maxG, g)
			}
		}
	}
	const W, H, L, B, T, R = 560.0, 360.0, 60.0, 40.0, 30.0, 130.0
	x := func(r float64) float64 { return L + (r-1)/max(maxR-1, 1)*(W-L-R) }
	y := func(g float64) float64 { return H - B - g/(maxG*1.1)*(H-B-T) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="12">`+"\n", W, H)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/><text x="%.0f" y="18">Aggregate write, %s shared float64 dataset, independent, no flush</text>`+"\n", L, human(big))
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="black"/><line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="black"/>`+"\n", L, H-B, W-R, H-B, L, H-B, L, T)
	for i := 0; i <= 4; i++ {
		g := maxG * 1.1 * float64(i) / 4
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="end">%.1f</text>`+"\n", L-6, y(g)+4, g)
	}
	for _, r := range []float64{1, 2, 4, 8, 16} {
		if r <= maxR {
			fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle">%.0f</text>`+"\n", x(r), H-B+16, r)
		}
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle">ranks</text><text x="14" y="%.0f" transform="rotate(-90 14 %.0f)" text-anchor="middle">GB/s</text>`+"\n", (L+W-R)/2, H-6, (T+H-B)/2, (T+H-B)/2)
	colors := []string{"#1f77b4", "#d62728", "#7f7f7f"}
	names := []string{"gorun", "h5py mpio", "raw pwrite"}
	for s, pts := range series {
		var path []string
		for _, p := range pts {
			path = append(path, fmt.Sprintf("%.1f,%.1f", x(p.ranks), y(p.gbs)))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`+"\n", x(p.ranks), y(p.gbs), colors[s])
		}
		if len(path) > 1 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.Join(path, " "), colors[s])
		}
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="%s">%s</text>`+"\n", W-R+10, T+20+float64(s)*18, colors[s], names[s])
	}
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("%q: %w", s, err)
		}
		out = append(out, n)
	}
	return out, nil
}

func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if strings.HasSuffix(s, u.suf) {
			s, mult = strings.TrimSuffix(s, u.suf), u.m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: give bytes or a KiB/MiB/GiB suffix", s)
	}
	return n * mult, nil
}

func human(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d B", n)
}
