package iostats_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/iostats"
)

// builds builds the gorun binary and the programs the tests run, once.
func builds(t *testing.T, pkgs ...string) map[string]string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and starts processes; skipped with -short")
	}
	dir := t.TempDir()
	out := map[string]string{}
	for _, pkg := range pkgs {
		bin := filepath.Join(dir, filepath.Base(pkg))
		cmd := exec.Command("go", "build", "-o", bin, pkg)
		cmd.Dir = ".."
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, b)
		}
		out[pkg] = bin
	}
	return out
}

// run runs a command in dir with a deadline that only a hang reaches.
func run(t *testing.T, dir string, env []string, name string, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\nstdout:\n%s\nstderr:\n%s", name, args, err, o.String(), e.String())
	}
	return o.String(), e.String()
}

func readReport(t *testing.T, path string) iostats.Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep iostats.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rep
}

// svgRows parses an SVG file with encoding/xml and counts its rank rows.
func svgRows(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	rows, root := 0, ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s is not XML: %v", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			for _, a := range se.Attr {
				if se.Name.Local == "g" && a.Name.Local == "class" && a.Value == "rank" {
					rows++
				}
			}
		}
	}
	if root != "svg" {
		t.Errorf("%s: root element %q", path, root)
	}
	return rows
}

// stored opens an HDF5 file with h5core and returns each named dataset's
// allocated bytes (contiguous: its storage; chunked: its chunks' stored
// sizes) and its logical size (elements times element size).
func stored(t *testing.T, path string, names ...string) (alloc, logical map[string]int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	m, err := h5core.Open(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	alloc, logical = map[string]int64{}, map[string]int64{}
	for _, name := range names {
		o, err := m.Root().Lookup(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		d := o.(*h5core.Dataset)
		n := int64(d.Type().Size)
		for _, x := range d.Shape() {
			n *= int64(x)
		}
		logical[name] = n
		if d.Layout() == h5core.LayoutChunked {
			recs, err := d.Chunks()
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				alloc[name] += int64(r.Size)
			}
		} else {
			_, size := d.DataAddr()
			alloc[name] = int64(size)
		}
	}
	return alloc, logical
}

func dataset(f iostats.FileReport, name string) iostats.DatasetReport {
	for _, d := range f.Datasets {
		if d.Name == name {
			return d
		}
	}
	return iostats.DatasetReport{Name: name + " (not in the report)"}
}

// TestGorunSeed: `gorun -n 4 --iostats ./examples/parallel_test` prints
// the file's line with the 16 bytes the example writes (4 ranks, one
// int32 each), which is the dataset's allocated storage on disk; the JSON
// and the SVG (a row per rank) are written where asked. Without
// --iostats nothing is reported.
func TestGorunSeed(t *testing.T) {
	bin := builds(t, "./cmd/gorun", "./examples/parallel_test")
	dir := t.TempDir()
	js, svg := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.svg")
	_, stderr := run(t, dir, nil, bin["./cmd/gorun"], "-n", "4", "--iostats", "--iostats-json", js, "--iostats-svg", svg, bin["./examples/parallel_test"])
	alloc, _ := stored(t, filepath.Join(dir, "parallel_test.hdf5"), "test")
	if alloc["test"] != 16 {
		t.Fatalf("the example's dataset has %d bytes of storage, want 16", alloc["test"])
	}
	if !strings.Contains(stderr, "\nparallel_test.hdf5: 16 bytes written, 0 bytes read by 4 ranks\n") {
		t.Errorf("stderr has no line with the file's 16 bytes:\n%s", stderr)
	}
	rep := readReport(t, js)
	if len(rep.Files) != 1 || rep.Files[0].Total.BytesWritten != alloc["test"] || len(rep.Missing) > 0 {
		t.Fatalf("JSON report: %+v", rep)
	}
	d := dataset(rep.Files[0], "/test")
	if d.Total.DirectWrites != 4 || d.Total.Writes != 4 {
		t.Errorf("/test: %+v", d.Total)
	}
	for r, c := range d.Ranks {
		if c.BytesWritten != 4 {
			t.Errorf("rank %d wrote %d bytes of /test, want 4", r, c.BytesWritten)
		}
	}
	if rows := svgRows(t, svg); rows != 4 {
		t.Errorf("SVG has %d rank rows, want 4", rows)
	}
	_, stderr = run(t, dir, nil, bin["./cmd/gorun"], "-n", "2", bin["./examples/parallel_test"])
	if strings.Contains(stderr, "iostats") {
		t.Errorf("a job without --iostats reported:\n%s", stderr)
	}
}

// TestGorunEveryPath: a program writing and reading in every way h5file
// has, at 3 ranks; each dataset's bytes in the report equal its storage
// on disk (the logical size for the compressed one, whose storage is
// compressed), split by rank as the program split them, with the
// two-phase calls and their rounds counted.
func TestGorunEveryPath(t *testing.T) {
	bin := builds(t, "./cmd/gorun", "./iostats/internal/iotest")
	dir := t.TempDir()
	js, svg := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.svg")
	const n = 3
	_, stderr := run(t, dir, nil, bin["./cmd/gorun"], "-n", fmt.Sprint(n), "--iostats-json", js, "--iostats-svg", svg,
		bin["./iostats/internal/iotest"], "-buffer", "4096")
	names := []string{"indep", "blocks", "chunked", "group/gz"}
	alloc, logical := stored(t, filepath.Join(dir, "io.h5"), names...)
	rep := readReport(t, js)
	if len(rep.Files) != 1 {
		t.Fatalf("%d files in the report", len(rep.Files))
	}
	f := rep.Files[0]
	var total int64
	for _, name := range names {
		d := dataset(f, "/"+name)
		want := alloc[name]
		if name == "group/gz" {
			want = logical[name]
		}
		total += want
		if d.Total.BytesWritten != want || want == 0 {
			t.Errorf("/%s: %d bytes written in the report, %d in the file", name, d.Total.BytesWritten, want)
		}
		for r, c := range d.Ranks {
			if c.BytesWritten != want/n || c.Writes != 1 {
				t.Errorf("/%s: rank %d wrote %d bytes in %d calls, want %d in 1", name, r, c.BytesWritten, c.Writes, want/n)
			}
		}
	}
	if line := fmt.Sprintf("\nio.h5: %d bytes written, ", total); !strings.Contains(stderr, line) {
		t.Errorf("stderr has no %q:\n%s", line[1:], stderr)
	}
	blocks := dataset(f, "/blocks").Total
	if blocks.TwoPhaseWrites != n || blocks.WriteRounds < 2*n || blocks.AggBytesWritten != alloc["blocks"] {
		t.Errorf("/blocks: %d two-phase writes in %d rounds, %d bytes written by aggregators; want %d writes in more than one round each, %d bytes",
			blocks.TwoPhaseWrites, blocks.WriteRounds, blocks.AggBytesWritten, n, alloc["blocks"])
	}
	if blocks.TwoPhaseReads != n || blocks.BytesRead != alloc["blocks"] {
		t.Errorf("/blocks: %d two-phase reads of %d bytes, want %d of %d", blocks.TwoPhaseReads, blocks.BytesRead, n, alloc["blocks"])
	}
	if c := dataset(f, "/chunked").Total; c.DirectWrites != n || c.TwoPhaseWrites != 0 {
		t.Errorf("/chunked: %+v, want %d direct writes", c, n)
	}
	if c := dataset(f, "/indep").Total; c.BytesRead != n*alloc["indep"] || c.Reads != n {
		t.Errorf("/indep: %d bytes read in %d calls, want %d in %d", c.BytesRead, c.Reads, n*alloc["indep"], n)
	}
	if c := dataset(f, "/group/gz").Total; c.FilterNs <= 0 {
		t.Errorf("/group/gz: no time in filters: %+v", c)
	}
	if f.Total.MetaCalls == 0 || f.Slowest == nil {
		t.Errorf("no metadata steps or no slowest rank: %+v %+v", f.Total, f.Slowest)
	}
	labels := map[string]int64{}
	for _, c := range rep.Comms {
		labels[c.Label] = c.Total.Calls
	}
	if labels["world"] != n || labels["file "+"io.h5"] == 0 {
		t.Errorf("communicators: %v; want the world's %d Allreduce calls and the file's", labels, n)
	}
	if rows := svgRows(t, svg); rows != n {
		t.Errorf("SVG has %d rank rows, want %d", rows, n)
	}
}

// TestAloneWritesItsReport: a program run without gorun, with
// GORUN_IOSTATS=FILE, writes the report itself (as rank 0 does under
// srun): text on stderr, JSON in FILE, the SVG beside it.
func TestAloneWritesItsReport(t *testing.T) {
	bin := builds(t, "./examples/parallel_test")
	dir := t.TempDir()
	js := filepath.Join(dir, "alone.json")
	_, stderr := run(t, dir, []string{"GORUN_IOSTATS=" + js}, bin["./examples/parallel_test"])
	if !strings.Contains(stderr, "parallel_test.hdf5: 4 bytes written") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if rep := readReport(t, js); rep.Ranks != 1 || len(rep.Files) != 1 || rep.Files[0].Total.BytesWritten != 4 {
		t.Errorf("report: %+v", rep)
	}
	if rows := svgRows(t, iostats.SVGPath(js)); rows != 1 {
		t.Errorf("SVG has %d rank rows, want 1", rows)
	}
}
