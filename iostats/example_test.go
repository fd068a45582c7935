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
		var d iostats.Dataset // h5file keeps one in each dataset object
		op := f.Begin(&d, "/test", true)
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

// A rank's statistics travel as a snapshot's wire form (JSON), which the
// receiver checks before it merges them.
func ExampleDecodeSnapshot() {
	r := iostats.New(2, 4)
	f := r.File("out.h5")
	var d iostats.Dataset
	f.Direct(&d, "/x", true, iostats.KindWrite, r.Now(), 1024)
	snap := r.Snapshot()
	wire, _ := snap.Encode()
	back, err := iostats.DecodeSnapshot(wire)
	fmt.Println(back.Rank, back.Files[0].Datasets[0].BytesWritten, err)
	_, err = iostats.DecodeSnapshot([]byte(`{"rank":9,"size":4,"heat":{"bin_ns":1}}`))
	fmt.Println(err)
	// Output:
	// 2 1024 <nil>
	// iostats: malformed statistics: rank 9 of 4, end 0, bin 1 ns
}

// Collectives record each call on the communicator's record; a file's
// own communicator's waits are the file's.
func ExampleComm_Call() {
	var snaps []iostats.Snapshot
	for rank := range 2 {
		r := iostats.New(rank, 2)
		r.LabelComm(7, 2, "world")
		c := r.Comm(7, 2)
		c.Call("Allreduce", r.Now(), 16, 0)
		c.Call("Barrier", r.Now(), 0, 0)
		snaps = append(snaps, r.Snapshot())
	}
	rep, _ := iostats.Merge(2, snaps)
	for _, c := range rep.Comms {
		fmt.Println(c.Label, c.Total.Calls, c.Total.Bytes)
		for _, o := range c.Ops {
			fmt.Println(" ", o.Op, o.Calls)
		}
	}
	// Output:
	// world 4 32
	//   Allreduce 2
	//   Barrier 2
}

func ExampleBytes() {
	fmt.Println(iostats.Bytes(16), iostats.Bytes(3<<20), iostats.Duration(1500000))
	// Output: 16 B 3.0 MiB 1.5 ms
}
