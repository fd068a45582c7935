package h5core

import "io"

// ChunkRecord is one allocated chunk of a chunked dataset.
type ChunkRecord struct {
	Coords     []uint64 // element offsets of the chunk's first element, one per dimension
	Addr       uint64   // file address of the stored (filtered) chunk
	Size       uint64   // stored size in bytes
	FilterMask uint32   // bit i set: filter i of the pipeline was skipped
}

// chunkIndex is a decoded chunk index of a dataset read from a file: the
// version 1 B-tree here (btree1.go), and the layout-4 indexes (single
// chunk, implicit, fixed array, extensible array, version 2 B-tree) in
// chunkindex_*.go. Coordinates are element offsets without the datatype
// dimension.
type chunkIndex interface {
	lookup(coords []uint64) (ChunkRecord, bool, error)
	all() ([]ChunkRecord, error)
}

// chunkIndexParams is what a chunk index decoder needs to open an index.
type chunkIndexParams struct {
	r         io.ReaderAt
	size      int64    // file size: every address and length is checked against it
	shape     []uint64 // dataset dimensions
	maxShape  []uint64
	chunk     []uint64 // chunk dimensions in elements (no datatype dimension)
	elemSize  uint32
	filtered  bool   // the dataset has a filter pipeline
	flags     uint8  // layout message v4 flags
	indexType uint8  // ChunkIndex* constant
	indexInfo []byte // layout message v4 index-specific fields, verbatim
	addr      uint64 // index address from the layout message
}
