package h5file

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/iostats"
)

// Rule 4 of a parallel file: filtered chunks are written collectively. A
// chunk's owner is the lowest rank writing into it; the others send it
// their pieces, it merges them (in rank order) over the chunk's previous
// contents or fill value, filters the chunk, and the owners' chunk sizes
// are allgathered so that every rank allocates the same space, in the
// same (row-major chunk) order, with no further messages; each owner then
// writes its chunks. In atomic mode the owners write under exclusive
// locks and a last exchange makes every rank wait for their writes, so
// the data is visible to any rank's read when the call returns.

// piece is part of one chunk: bytes at an offset of the decoded chunk.
type piece struct {
	Off  uint64
	Data []byte
}

// chunkPieces are one rank's pieces of one chunk.
type chunkPieces struct {
	Coords []uint64
	Pieces []piece
}

// chunkOut is an owner's filtered chunk, as every rank needs to know it.
type chunkOut struct {
	Coords []uint64
	Size   uint64
	Mask   uint32
}

// ownerReport is what each rank says after merging and filtering.
type ownerReport struct {
	Err    string
	Chunks []chunkOut
}

func chunkKey(coords []uint64) string {
	b := make([]byte, 0, 8*len(coords))
	for _, c := range coords {
		b = binary.BigEndian.AppendUint64(b, c) // big endian: key order = row-major order
	}
	return string(b)
}

// writeFilteredCollective writes each rank's selection h (packed elements
// buf) into a filtered chunked dataset. localErr is this rank's error in
// preparing them: it still takes part, and every rank fails.
func (d *Dataset) writeFilteredCollective(h h5core.Hyperslab, buf []byte, localErr error) error {
	f := d.f
	call := fmt.Sprintf("WriteCollective(%q)", d.name)
	if localErr != nil {
		call += " -> error"
	}
	if err := f.agree(f.ctx, call); err != nil {
		if localErr != nil {
			return opErr("write", d.name, localErr)
		}
		return err
	}
	me, n := f.comm.Rank(), f.comm.Size()
	shape, cshape := d.d.Shape(), d.d.ChunkShape()
	es := uint64(d.d.Type().Size)
	cb := d.d.ChunkBytes()

	// My pieces, by chunk.
	mine := map[string]*chunkPieces{}
	var touched [][]uint64
	if h.NumElements() > 0 {
		err := h5core.ChunkRuns(shape, cshape, es, h, func(coords []uint64, runs []h5core.Run) error {
			cp := &chunkPieces{Coords: slices.Clone(coords)}
			for _, r := range runs {
				cp.Pieces = append(cp.Pieces, piece{Off: r.Off, Data: buf[r.MemOff : r.MemOff+r.Len]})
			}
			mine[chunkKey(coords)] = cp
			touched = append(touched, cp.Coords)
			return nil
		})
		if err != nil {
			return f.fail(opErr("write", d.name, err))
		}
	}
	// Who touches what: the owner of a chunk is the lowest rank touching it.
	all, err := collectives.AllgatherValue(f.ctx, f.comm, touched)
	if err != nil {
		return f.fail(opErrf("write", d.name, "exchanging the chunks each rank writes: %w", err))
	}
	owner := map[string]int{}
	for r := n - 1; r >= 0; r-- {
		for _, c := range all[r] {
			owner[chunkKey(c)] = r
		}
	}
	// Send every piece to its chunk's owner.
	out := make([][]chunkPieces, n)
	for _, c := range touched {
		k := chunkKey(c)
		if o := owner[k]; o != me {
			out[o] = append(out[o], *mine[k])
		}
	}
	in, err := collectives.AlltoallValue(f.ctx, f.comm, out)
	if err != nil {
		return f.fail(opErrf("write", d.name, "sending chunk pieces to their owners: %w", err))
	}
	// Merge, in rank order, and filter the chunks this rank owns.
	byChunk := map[string][][]piece{} // per owned chunk, pieces per rank
	var owned [][]uint64
	for _, c := range touched {
		if k := chunkKey(c); owner[k] == me {
			byChunk[k] = make([][]piece, n)
			byChunk[k][me] = mine[k].Pieces
			owned = append(owned, c)
		}
	}
	var report ownerReport
	for r, cps := range in {
		for _, cp := range cps {
			k := chunkKey(cp.Coords)
			if byChunk[k] == nil {
				report.Err = fmt.Sprintf("rank %d sent pieces of chunk %v, which rank %d does not own", r, cp.Coords, me)
				continue
			}
			byChunk[k][r] = cp.Pieces
		}
	}
	encoded := map[string][]byte{}
	for _, c := range owned {
		if report.Err != "" {
			break
		}
		k := chunkKey(c)
		t0 := f.statsNow() // iostats
		enc, mask, err := d.mergeChunk(c, byChunk[k], cb)
		f.statsSpan(iostats.KindFilter, t0, 0, false)
		if err != nil {
			report.Err = err.Error()
			break
		}
		encoded[k] = enc
		report.Chunks = append(report.Chunks, chunkOut{Coords: c, Size: uint64(len(enc)), Mask: mask})
	}
	reports, err := collectives.AllgatherValue(f.ctx, f.comm, report)
	if err != nil {
		return f.fail(opErrf("write", d.name, "exchanging chunk sizes: %w", err))
	}
	var chunks []chunkOut
	for r, rep := range reports {
		if rep.Err != "" {
			// Nothing allocated yet: the models still agree; the file is usable.
			return opErrf("write", d.name, "rank %d could not assemble its chunks (nothing was written): %s", r, rep.Err)
		}
		chunks = append(chunks, rep.Chunks...)
	}
	sort.Slice(chunks, func(i, j int) bool { return chunkKey(chunks[i].Coords) < chunkKey(chunks[j].Coords) })
	addrs := map[string]uint64{}
	err = f.apply(metaOp{name: "AllocChunks", path: d.name, args: fmt.Sprint(len(chunks)), fn: func() error {
		for _, c := range chunks {
			addr, err := d.d.AllocChunk(c.Coords, c.Size, c.Mask)
			if err != nil {
				return err
			}
			addrs[chunkKey(c.Coords)] = addr
		}
		return nil
	}})
	if err != nil {
		return opErr("write", d.name, err)
	}
	var werr error
	for _, c := range owned {
		k := chunkKey(c)
		if werr = d.writeChunkAt(encoded[k], addrs[k]); werr != nil {
			werr = opErrf("write", d.name, "chunk %v: %w", c, werr)
			break
		}
	}
	if f.atomic {
		// Atomic mode: the write is visible to every rank's read when it
		// returns, so no rank returns before every owner has written.
		return d.ownersWritten(werr)
	}
	return werr
}

// writeChunkAt writes a filtered chunk at addr, under an exclusive lock
// over its bytes in atomic mode.
func (d *Dataset) writeChunkAt(enc []byte, addr uint64) error {
	if d.f.atomic && len(enc) > 0 {
		unlock, err := lockRange(d.f.os, int64(addr), int64(len(enc)), true)
		if err != nil {
			return err
		}
		defer unlock()
	}
	t0 := d.f.statsNow() // iostats
	_, err := d.f.os.WriteAt(enc, int64(addr))
	d.f.statsSpan(iostats.KindWrite, t0, uint64(len(enc)), false)
	return err
}

// ownersWritten is the check point ending a filtered collective write in
// atomic mode: every rank waits for every owner's writes, and every rank
// fails if an owner could not write.
func (d *Dataset) ownersWritten(werr error) error {
	f := d.f
	msg := ""
	if werr != nil {
		msg = werr.Error()
	}
	all, err := collectives.AllgatherValue(f.ctx, f.comm, msg)
	if err != nil {
		return f.fail(opErrf("write", d.name, "waiting for the chunk owners' writes (atomic mode): %w", err))
	}
	if werr != nil {
		return werr
	}
	for r, m := range all {
		if m != "" {
			return opErrf("write", d.name, "rank %d could not write the chunks it owns: %s", r, m)
		}
	}
	return nil
}

// mergeChunk lays the pieces (per rank, applied in rank order) over the
// chunk's previous contents, unless they cover it, and filters it.
func (d *Dataset) mergeChunk(coords []uint64, perRank [][]piece, cb uint64) ([]byte, uint32, error) {
	var spans [][2]uint64
	for _, ps := range perRank {
		for _, p := range ps {
			if p.Off > cb || uint64(len(p.Data)) > cb-p.Off {
				return nil, 0, fmt.Errorf("piece of %d bytes at %d in a chunk of %d", len(p.Data), p.Off, cb)
			}
			spans = append(spans, [2]uint64{p.Off, p.Off + uint64(len(p.Data))})
		}
	}
	if len(spans) == 1 && spans[0] == [2]uint64{0, cb} {
		for _, ps := range perRank {
			if len(ps) == 1 {
				// One piece is the whole chunk (a rank's aligned slab): filter
				// it in place; EncodeChunk does not modify its input.
				return h5core.EncodeChunk(d.d.Filters(), ps[0].Data)
			}
		}
	}
	var chunk []byte
	if covered(spans, cb) {
		chunk = make([]byte, cb)
	} else {
		unlock, err := d.lockChunk(coords, false)
		if err != nil {
			return nil, 0, err
		}
		chunk, err = d.d.ReadChunk(d.f.os, coords)
		unlock()
		if err != nil {
			return nil, 0, err
		}
	}
	for _, ps := range perRank {
		for _, p := range ps {
			copy(chunk[p.Off:], p.Data)
		}
	}
	return h5core.EncodeChunk(d.d.Filters(), chunk)
}

// covered reports whether the spans [a, b) cover [0, n).
func covered(spans [][2]uint64, n uint64) bool {
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	end := uint64(0)
	for _, s := range spans {
		if s[0] > end {
			return false
		}
		end = max(end, s[1])
	}
	return end >= n
}
