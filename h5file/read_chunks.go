package h5file

import (
	"runtime"
	"sync"

	"github.com/gorun-hpc/gorun/h5core"
)

// readFiltered fills buf with the packed elements of selection h of a
// filtered chunked dataset. The chunk index is consulted first, in order
// (h5core's model is not safe for concurrent use); then the chunks are read
// and decoded by up to GOMAXPROCS goroutines at once (decompression, not
// the disk, is what a compressed read waits on) and each copies its runs
// into buf, where no two chunks' runs overlap. A small read, or one on a
// single core, decodes in the calling goroutine.
func (d *Dataset) readFiltered(shape []uint64, es uint64, h h5core.Hyperslab, buf []byte) error {
	type job struct {
		coords []uint64
		runs   []h5core.Run
		rec    h5core.ChunkRecord
		ok     bool
	}
	var jobs []job
	err := h5core.ChunkRuns(shape, d.d.ChunkShape(), es, h, func(coords []uint64, runs []h5core.Run) error {
		rec, ok, err := d.d.Chunk(coords)
		if err != nil {
			return err
		}
		jobs = append(jobs, job{append([]uint64(nil), coords...), append([]h5core.Run(nil), runs...), rec, ok})
		return nil
	})
	if err != nil {
		return err
	}
	do := func(j job) error {
		chunk, err := d.d.ReadChunkAt(d.f.os, j.coords, j.rec, j.ok)
		if err != nil {
			return err
		}
		for _, r := range j.runs {
			copy(buf[r.MemOff:r.MemOff+r.Len], chunk[r.Off:])
		}
		return nil
	}
	workers := min(runtime.GOMAXPROCS(0), len(jobs))
	if workers <= 1 {
		for _, j := range jobs {
			if err := do(j); err != nil {
				return err
			}
		}
		return nil
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  int
	)
	// take hands out the next job, or none once one has failed.
	take := func() (job, bool) {
		mu.Lock()
		defer mu.Unlock()
		if first != nil || next == len(jobs) {
			return job{}, false
		}
		next++
		return jobs[next-1], true
	}
	for range workers {
		wg.Go(func() {
			for j, ok := take(); ok; j, ok = take() {
				if err := do(j); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return first
}
