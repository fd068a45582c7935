package iostats_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/gorun-hpc/gorun/iostats"
)

// Each rank records into its Recorder (h5file and collectives do it when
// gorun --iostats is on); the snapshots are merged into the job's report.
func ExampleMerge() {
	var snaps []iostats.Snapshot
	for rank := range 4 {
		r := iostats.New(rank, 4)
		f := r.File("parallel_test.hdf5")
		op := f.Begin(f.Dataset("/test"), true)
		f.Span(iostats.KindWrite, r.Now(), 4, false)
		f.End(op, 4) // each rank wrote one int32
		snaps = append(snaps, r.Snapshot())
	}
	rep, err := iostats.Merge(4, snaps)
	if err != nil {
		panic(err)
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	fmt.Println(strings.Split(text.String(), "\n")[1])
	fmt.Println(rep.Files[0].Datasets[0].Name, rep.Files[0].Total.DirectWrites)
	// Output:
	// parallel_test.hdf5: 16 bytes written, 0 bytes read by 4 ranks
	// /test 4
}

// A report is also JSON for tools and an SVG timeline, a row per rank.
func ExampleReport_WriteSVG() {
	r := iostats.New(0, 1)
	rep, _ := iostats.Merge(1, []iostats.Snapshot{r.Snapshot()})
	var svg bytes.Buffer
	rep.WriteSVG(&svg)
	fmt.Println(strings.Count(svg.String(), `<g class="rank"`))
	// Output:
	// 1
}
