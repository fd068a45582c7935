package h5file

import (
	"fmt"
	"iter"
	"slices"

	"github.com/gorun-hpc/gorun/h5core"
)

// ChunkInfo is where one chunk of a chunked dataset is stored, as h5py's
// StoreInfo from dset.id.get_chunk_info_by_coord.
type ChunkInfo struct {
	Offset     []uint64 // the chunk's first element, one per dimension
	FilterMask uint32   // bit i set: filter i of the pipeline was skipped for this chunk
	Addr       uint64   // byte offset in the file (h5py's byte_offset)
	Size       uint64   // stored bytes; 0 for a chunk never written
}

// ChunkInfo returns the storage of the chunk holding element offset
// (any element inside the chunk). A chunk never written has Size 0 and
// Addr h5core.UndefinedAddr, as h5py reports it.
func (d *Dataset) ChunkInfo(offset []uint64) (ChunkInfo, error) {
	start, err := d.chunkStart(offset)
	if err != nil {
		return ChunkInfo{}, opErr("chunk info", d.name, err)
	}
	rec, ok, err := d.d.Chunk(start)
	if err != nil {
		return ChunkInfo{}, opErr("chunk info", d.name, err)
	}
	if !ok {
		return ChunkInfo{Offset: start, Addr: h5core.UndefinedAddr}, nil
	}
	return ChunkInfo{Offset: start, FilterMask: rec.FilterMask, Addr: rec.Addr, Size: rec.Size}, nil
}

// ReadDirectChunk returns the stored (still compressed) bytes of the chunk
// holding element offset and its filter mask, as h5py's
// dset.id.read_direct_chunk: for copying chunks between files without
// decoding them, or decoding them elsewhere.
func (d *Dataset) ReadDirectChunk(offset []uint64) ([]byte, uint32, error) {
	info, err := d.ChunkInfo(offset)
	if err != nil {
		return nil, 0, err
	}
	if info.Size == 0 {
		return nil, 0, opErrf("read direct chunk", d.name, "chunk at %v was never written: %w", info.Offset, ErrNotFound)
	}
	if info.Size > 1<<32 {
		return nil, 0, opErrf("read direct chunk", d.name, "chunk at %v claims %d bytes: %w", info.Offset, info.Size, h5core.ErrFormat)
	}
	if err := d.f.writeHeld(); err != nil {
		return nil, 0, err
	}
	b := make([]byte, info.Size)
	_, err = d.f.os.ReadAt(b, int64(info.Addr))
	if d.f.follow != nil {
		if gone := d.f.checkRead(d.d); gone != nil { // follow.go
			return nil, 0, opErr("read direct chunk", d.name, gone)
		}
	}
	if err != nil {
		return nil, 0, opErrf("read direct chunk", d.name, "chunk at %v (%d bytes at %d): %w", info.Offset, info.Size, info.Addr, err)
	}
	return b, info.FilterMask, nil
}

// chunkStart is the first element of the chunk holding element offset.
func (d *Dataset) chunkStart(offset []uint64) ([]uint64, error) {
	chunk, shape := d.d.ChunkShape(), d.d.Shape()
	if chunk == nil {
		return nil, fmt.Errorf("the dataset is %s, not chunked: %w", d.Layout(), ErrShape)
	}
	if len(offset) != len(shape) {
		return nil, fmt.Errorf("offset %v has %d dimensions, the dataset %d: %w", offset, len(offset), len(shape), ErrShape)
	}
	start := make([]uint64, len(offset))
	for i, o := range offset {
		if o >= shape[i] {
			return nil, fmt.Errorf("offset %v lies outside the shape %v: %w", offset, shape, ErrShape)
		}
		start[i] = o - o%chunk[i]
	}
	return start, nil
}

// IterChunks returns the part of sel inside each chunk that sel touches,
// in the chunks' row-major order, as dataset coordinates: h5py's
// dset.iter_chunks(sel) (nil sel: the whole dataset). Reading each part
// with ReadSel reads one chunk at a time. sel must be contiguous in every
// dimension (Range, Index or All; no steps), as in h5py.
func (d *Dataset) IterChunks(sel Selection) (iter.Seq[Slices], error) {
	chunk, shape := d.d.ChunkShape(), d.d.Shape()
	if chunk == nil {
		return nil, opErrf("iter chunks", d.name, "the dataset is %s, not chunked (h5py: chunked dataset required): %w", d.Layout(), ErrShape)
	}
	if sel == nil {
		sel = Slices{}
	}
	h, err := sel.hyperslab(shape)
	if err != nil {
		return nil, opErr("iter chunks", d.name, err)
	}
	rank := len(shape)
	lo, hi := make([]uint64, rank), make([]uint64, rank)
	for i := range rank {
		c, b, st := h.Count[i], uint64(1), uint64(1)
		if h.Block != nil {
			b = h.Block[i]
		}
		if h.Stride != nil {
			st = h.Stride[i]
		}
		if c > 1 && st != b {
			return nil, opErrf("iter chunks", d.name, "dimension %d of the selection has a step: iter_chunks takes contiguous selections (Range, Index, All): %w", i, ErrShape)
		}
		lo[i], hi[i] = h.Start[i], h.Start[i]+c*b
		if hi[i] == lo[i] {
			return func(func(Slices) bool) {}, nil // an empty selection has no chunks
		}
	}
	return func(yield func(Slices) bool) {
		pos := slices.Clone(lo) // first element of the current chunk's part
		for {
			s := make(Slices, rank)
			for i := range rank {
				end := min(hi[i], (pos[i]/chunk[i]+1)*chunk[i])
				s[i] = Range(int64(pos[i]), int64(end))
			}
			if !yield(s) {
				return
			}
			i := rank - 1
			for ; i >= 0; i-- {
				pos[i] = uint64(s[i].Stop)
				if pos[i] < hi[i] {
					break
				}
				pos[i] = lo[i]
			}
			if i < 0 {
				return
			}
		}
	}, nil
}

// WriteDirectChunk stores data, already encoded by the dataset's filter
// pipeline (with the filters of filterMask's set bits skipped), as the
// chunk starting at element offset: h5py's
// dset.id.write_direct_chunk(offset, data, filter_mask), for copying
// chunks between files without decoding them, or encoding them elsewhere
// (on a GPU, in parallel). offset must be a chunk's first element. An
// unfiltered dataset takes exactly the chunk's bytes and mask 0. Serial
// files only: in a parallel file each rank would place the chunk itself.
func (d *Dataset) WriteDirectChunk(offset []uint64, data []byte, filterMask uint32) error {
	if err := d.f.checkWrite(); err != nil {
		return err
	}
	if d.f.isParallel() {
		return opErrf("write direct chunk", d.name, "not supported in a parallel file (WithComm): write the chunk's values with d.Collective().WriteSel, or write chunks directly in a serial file: %w", h5core.ErrUnsupported)
	}
	start, err := d.chunkStart(offset)
	if err != nil {
		return opErr("write direct chunk", d.name, err)
	}
	if !slices.Equal(start, offset) {
		return opErrf("write direct chunk", d.name, "offset %v is not the first element of a chunk (that chunk starts at %v): %w", offset, start, ErrShape)
	}
	filtered := len(d.d.Filters()) > 0
	cb := d.d.ChunkBytes()
	switch {
	case !filtered && (uint64(len(data)) != cb || filterMask != 0):
		return opErrf("write direct chunk", d.name, "the dataset has no filters: a chunk is its %d bytes with mask 0, got %d bytes with mask %#x: %w", cb, len(data), filterMask, ErrShape)
	case len(data) == 0 || uint64(len(data)) > 1<<32-1:
		return opErrf("write direct chunk", d.name, "%d bytes: a stored chunk holds 1 byte to 4 GiB: %w", len(data), ErrShape)
	}
	d.dropChunkCache() // chunk_cache.go
	return d.f.apply(metaOp{name: "WriteDirectChunk", path: d.name, args: fmt.Sprint(offset), fn: func() error {
		var addr uint64
		if filtered {
			a, err := d.d.AllocChunk(start, uint64(len(data)), filterMask)
			if err != nil {
				return err
			}
			addr = a
		} else {
			rec, ok, err := d.d.Chunk(start)
			if err != nil {
				return err
			}
			if addr = rec.Addr; !ok {
				if addr, err = d.d.AllocChunk(start, cb, 0); err != nil {
					return err
				}
			}
		}
		if _, err := d.f.os.WriteAt(data, int64(addr)); err != nil {
			return fmt.Errorf("write chunk at %v (%d bytes at %d): %w", start, len(data), addr, err)
		}
		return nil
	}})
}
