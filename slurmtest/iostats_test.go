package slurmtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/iostats"
)

// TestSrunIOStats: under srun there is no gorun to merge the ranks'
// statistics; with GORUN_IOSTATS=FILE rank 0, which serves the
// rendezvous, gathers every task's and writes the report: the file's line
// with the seed example's 16 bytes (4 tasks, one int32 each), the JSON in
// FILE with every rank present, the SVG beside it.
func TestSrunIOStats(t *testing.T) {
	needSlurm(t)
	prog := build(t, "./examples/parallel_test")
	dir := t.TempDir()
	js := filepath.Join(dir, "io.json")
	out, err := srun(t, dir, []string{"GORUN_IOSTATS=" + js}, "-n", "4", prog)
	if err != nil {
		t.Fatalf("srun: %v\n%s", err, out)
	}
	if !strings.Contains(out, "parallel_test.hdf5: 16 bytes written, 0 bytes read by 4 ranks") {
		t.Errorf("srun's output has no line with the file's 16 bytes:\n%s", out)
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var rep iostats.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Ranks != 4 || len(rep.Missing) != 0 || len(rep.Files) != 1 || rep.Files[0].Total.BytesWritten != 16 {
		t.Errorf("report: %d ranks, missing %v, files %+v", rep.Ranks, rep.Missing, rep.Files)
	}
	svg, err := os.ReadFile(iostats.SVGPath(js))
	if err != nil || strings.Count(string(svg), `<g class="rank"`) != 4 {
		t.Errorf("SVG: %v, %d rank rows", err, strings.Count(string(svg), `<g class="rank"`))
	}
}
