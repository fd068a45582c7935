// Command iotest is the program iostats' tests run under gorun --iostats:
// every rank writes and reads datasets of io.h5 in each way h5file has
// (independent, collective direct, collective two-phase, compressed),
// each element exactly once, so the report's bytes can be checked against
// the file's sizes. -buffer makes the two-phase writes take several
// rounds (h5file.WithCollectiveBuffer).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// Sizes of the datasets, per rank.
const (
	indepPerRank = 1000 // int32
	rows         = 64   // /blocks: rows x (cols per rank) float64, split by columns
	colsPerRank  = 32
	chunkPerRank = 4096 // /chunked: one chunk of int64 per rank
	gzPerRank    = 2048 // /gz: float32, chunks of 512, deflate
)

func main() {
	path := flag.String("o", "io.h5", "the file to write")
	buffer := flag.Uint64("buffer", 0, "two-phase buffer (h5file.WithCollectiveBuffer); 0: the default")
	flag.Parse()
	ctx := context.Background()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "iotest:", err)
		os.Exit(1)
	}
	defer c.Close()
	if err := run(ctx, c, *path, *buffer); err != nil {
		fmt.Fprintf(os.Stderr, "iotest: rank %d: %v\n", c.Rank(), err)
		c.Abort(1)
	}
}

func run(ctx context.Context, c *comm.Comm, path string, buffer uint64) error {
	n, me := uint64(c.Size()), uint64(c.Rank())
	opts := []h5file.Option{h5file.WithComm(c), h5file.WithContext(ctx)}
	if buffer > 0 {
		opts = append(opts, h5file.WithCollectiveBuffer(buffer))
	}
	f, err := h5file.Create(path, "w", opts...)
	if err != nil {
		return err
	}
	// Independent: each rank its own slice.
	indep, err := h5file.CreateDatasetOf[int32](f, "indep", []uint64{n * indepPerRank})
	if err != nil {
		return err
	}
	vals := make([]int32, indepPerRank)
	for i := range vals {
		vals[i] = int32(me*indepPerRank) + int32(i)
	}
	if err := indep.WriteSel(h5file.S(h5file.Range(int64(me*indepPerRank), int64((me+1)*indepPerRank))), vals); err != nil {
		return err
	}
	// Collective, a column block per rank: short runs, two phases.
	blocks, err := h5file.CreateDatasetOf[float64](f, "blocks", []uint64{rows, n * colsPerRank})
	if err != nil {
		return err
	}
	block := make([]float64, rows*colsPerRank)
	for i := range block {
		block[i] = float64(me) + float64(i)/1e6
	}
	colSel := h5file.S(h5file.Range(0, rows), h5file.Range(int64(me*colsPerRank), int64((me+1)*colsPerRank)))
	if err := blocks.Collective().WriteSel(colSel, block); err != nil {
		return err
	}
	// Collective, one whole chunk per rank: long runs, direct.
	chunked, err := h5file.CreateDatasetOf[int64](f, "chunked", []uint64{n * chunkPerRank}, h5file.Chunks(chunkPerRank))
	if err != nil {
		return err
	}
	big := make([]int64, chunkPerRank)
	for i := range big {
		big[i] = int64(me)<<32 | int64(i)
	}
	if err := chunked.Collective().WriteSel(h5file.S(h5file.Range(int64(me*chunkPerRank), int64((me+1)*chunkPerRank))), big); err != nil {
		return err
	}
	// Compressed, collective.
	gz, err := h5file.CreateDatasetOf[float32](f, "group/gz", []uint64{n * gzPerRank}, h5file.Chunks(512), h5file.Gzip(4))
	if err != nil {
		return err
	}
	small := make([]float32, gzPerRank)
	for i := range small {
		small[i] = float32(i % 17)
	}
	if err := gz.Collective().WriteSel(h5file.S(h5file.Range(int64(me*gzPerRank), int64((me+1)*gzPerRank))), small); err != nil {
		return err
	}
	if err := f.Flush(); err != nil {
		return err
	}
	// Reads: all of /indep independently, the column block collectively
	// (two phases), this rank's part of /gz collectively.
	all, err := h5file.ReadAll[int32](indep)
	if err != nil {
		return err
	}
	for i, v := range all {
		if v != int32(i) {
			return fmt.Errorf("/indep[%d] = %d", i, v)
		}
	}
	back := make([]float64, len(block))
	if err := blocks.Collective().ReadSel(colSel, back); err != nil {
		return err
	}
	for i := range back {
		if back[i] != block[i] {
			return fmt.Errorf("/blocks: element %d of rank %d's block is %v, want %v", i, me, back[i], block[i])
		}
	}
	smallBack := make([]float32, gzPerRank)
	if err := gz.Collective().ReadSel(h5file.S(h5file.Range(int64(me*gzPerRank), int64((me+1)*gzPerRank))), smallBack); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	// The program's own collectives, on the world.
	sum := []int64{int64(me)}
	return collectives.Allreduce(ctx, c, sum, sum, collectives.Sum[int64]())
}
