package h5core

import (
	"fmt"
	"io"
)

// ReadChunk returns the decoded contents of the chunk at coords (element
// offsets), ChunkBytes long. A chunk never written reads as the fill
// value, as libhdf5 reads it. A chunk shape or record only a damaged file
// holds (chunk larger than a fixed dimension, stored bytes past the end of
// the file, an unfiltered chunk of the wrong size) is a *FormatError before
// anything of that size is allocated.
func (d *Dataset) ReadChunk(r io.ReaderAt, coords []uint64) ([]byte, error) {
	if err := d.checkChunkCoords(coords); err != nil {
		return nil, err
	}
	rec, ok, err := d.Chunk(coords)
	if err != nil {
		return nil, err
	}
	return d.ReadChunkAt(r, coords, rec, ok)
}

// ReadChunkAt is ReadChunk for a chunk whose record the caller looked up
// with Chunk (ok false: never written). It reads only the file and the
// dataset's fixed properties, never the chunk index, so many goroutines
// may call it at once on one Dataset (while nothing changes the model):
// h5file decodes the chunks of a large read in parallel that way.
func (d *Dataset) ReadChunkAt(r io.ReaderAt, coords []uint64, rec ChunkRecord, ok bool) ([]byte, error) {
	// Every buffer is bounded before it is made: the decoded size by the
	// chunk shape (checked against the dataset's extent, and under the
	// format's 4 GiB), the stored size by the end of the file.
	if err := d.checkChunkShape(); err != nil {
		return nil, err
	}
	out := make([]byte, d.ChunkBytes())
	if err := d.ReadChunkInto(r, coords, rec, ok, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ReadChunkInto is ReadChunkAt decoding into dst, which must be exactly
// ChunkBytes long: a caller reading a chunk whole into its own buffer
// passes that part of it, and the chunk is never held anywhere else. The
// stored bytes go through a pooled buffer. Safe for concurrent use as
// ReadChunkAt is.
func (d *Dataset) ReadChunkInto(r io.ReaderAt, coords []uint64, rec ChunkRecord, ok bool, dst []byte) error {
	if err := d.checkChunkShape(); err != nil {
		return err
	}
	want := d.ChunkBytes()
	if uint64(len(dst)) != want {
		return fmt.Errorf("h5core: read chunk %v into %d bytes, the chunk has %d", coords, len(dst), want)
	}
	if !ok {
		d.fillInto(dst)
		return nil
	}
	if end := d.f.base + d.f.eof; rec.Size > 1<<32 || rec.Addr > end || rec.Size > end-rec.Addr {
		return formatErr(int64(min(rec.Addr, 1<<62)), fmt.Sprintf("chunk %v of %d stored bytes lies beyond the end of the file (%d bytes)", coords, rec.Size, d.f.eof), nil)
	}
	if len(d.filters) == 0 {
		if rec.Size != want {
			return formatErr(int64(rec.Addr), fmt.Sprintf("unfiltered chunk %v stored in %d bytes, its shape %v of %d-byte elements needs %d", coords, rec.Size, d.chunk, d.dtype.Size, want), nil)
		}
		if _, err := r.ReadAt(dst, int64(rec.Addr)); err != nil {
			return fmt.Errorf("h5core: read chunk %v at %d: %w", coords, rec.Addr, err)
		}
		return nil
	}
	raw := GetChunkBuf(int(rec.Size))
	defer PutChunkBuf(raw)
	if _, err := r.ReadAt(raw, int64(rec.Addr)); err != nil {
		return fmt.Errorf("h5core: read chunk %v at %d: %w", coords, rec.Addr, err)
	}
	if err := DecodeChunkInto(d.filters, rec.FilterMask, raw, dst); err != nil {
		return fmt.Errorf("chunk %v at %d: %w", coords, rec.Addr, err)
	}
	return nil
}

// WriteChunk stores a whole decoded chunk (ChunkBytes long) at coords:
// unfiltered chunks in place, filtered ones encoded and placed anew with
// AllocChunk. In a parallel job every rank must make the same AllocChunk
// calls; use EncodeChunk and AllocChunk directly there.
func (d *Dataset) WriteChunk(w io.WriterAt, coords []uint64, data []byte) error {
	if err := d.checkChunkCoords(coords); err != nil {
		return err
	}
	if uint64(len(data)) != d.ChunkBytes() {
		return fmt.Errorf("h5core: chunk data of %d bytes, want %d", len(data), d.ChunkBytes())
	}
	buf := data
	var addr uint64
	if len(d.filters) > 0 {
		enc, mask, err := EncodeChunk(d.filters, data)
		if err != nil {
			return err
		}
		if addr, err = d.AllocChunk(coords, uint64(len(enc)), mask); err != nil {
			return err
		}
		buf = enc
	} else {
		rec, ok, err := d.Chunk(coords)
		if err != nil {
			return err
		}
		if !ok {
			if rec.Addr, err = d.AllocChunk(coords, d.ChunkBytes(), 0); err != nil {
				return err
			}
		}
		addr = rec.Addr
	}
	if _, err := w.WriteAt(buf, int64(addr)); err != nil {
		return fmt.Errorf("h5core: write chunk %v at %d: %w", coords, addr, err)
	}
	return nil
}

// fillInto sets b to the fill value repeated (zeros by default).
func (d *Dataset) fillInto(b []byte) {
	v := d.fill.Value
	if len(v) == 0 || d.dtype.HasVlen() {
		clear(b)
		return
	}
	for i := 0; i+len(v) <= len(b); i += len(v) {
		copy(b[i:], v)
	}
}
