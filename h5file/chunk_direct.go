package h5file

import (
	"fmt"

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
	if _, err := d.f.os.ReadAt(b, int64(info.Addr)); err != nil {
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
