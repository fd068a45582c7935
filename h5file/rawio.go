package h5file

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/gorun-hpc/gorun/h5core"
)

// writeRaw puts the packed elements of selection h (buf) into the file.
// Contiguous data and unfiltered chunks are written straight to the file at
// offsets from the layout; nothing passes through the metadata code. Only
// compact data (it lives in the object header), filtered chunks (each
// rewrite allocates new space) and chunks a libhdf5 file never allocated
// change metadata, and those go through apply.
func (d *Dataset) writeRaw(h h5core.Hyperslab, buf []byte) error {
	d.dropChunkCache() // chunk_cache.go
	unlock, err := d.lockSpan(h, true)
	if err != nil {
		return err
	}
	defer unlock()
	shape := d.d.Shape()
	es := uint64(d.d.Type().Size)
	if h.NumElements() == 0 {
		return nil
	}
	switch d.d.Layout() {
	case h5core.LayoutCompact:
		data := append([]byte(nil), d.d.CompactData()...)
		if err := h5core.ContiguousRuns(shape, es, h, func(r h5core.Run) error {
			copy(data[r.Off:r.Off+r.Len], buf[r.MemOff:])
			return nil
		}); err != nil {
			return err
		}
		return d.f.apply(metaOp{name: "WriteCompact", path: d.name, fn: func() error { return d.d.SetCompactData(data) }})
	case h5core.LayoutContiguous:
		addr, err := d.storageAddr()
		if err != nil {
			return err
		}
		walk := func(fn func(h5core.Run) error) error { return h5core.ContiguousRuns(shape, es, h, fn) }
		if done, err := d.writeMapped(addr, walk, buf); done || err != nil { // rawio_map.go
			return err
		}
		w := d.f.vecWriter()
		if err := walk(func(r h5core.Run) error {
			p, off := buf[r.MemOff:r.MemOff+r.Len], int64(addr+r.Off)
			if held, err := d.f.holdWrite(p, off); held || err != nil {
				return err
			}
			if err := d.f.writeHeld(); err != nil {
				return err
			}
			return w.add(p, off)
		}); err != nil {
			return err
		}
		return d.f.doneWriting(w)
	case h5core.LayoutChunked:
		if err := d.f.writeHeld(); err != nil {
			return err
		}
		filtered := len(d.d.Filters()) > 0
		if !filtered {
			if done, err := d.writeMappedChunks(shape, d.d.ChunkShape(), es, h, buf); done || err != nil { // rawio_map.go
				return err
			}
		}
		cb := d.d.ChunkBytes()
		w := d.f.vecWriter()
		if err := h5core.ChunkRuns(shape, d.d.ChunkShape(), es, h, func(coords []uint64, runs []h5core.Run) error {
			rec, ok, err := d.d.Chunk(coords)
			if err != nil {
				return err
			}
			if !filtered && ok {
				for _, r := range runs {
					if err := w.add(buf[r.MemOff:r.MemOff+r.Len], int64(rec.Addr+r.Off)); err != nil {
						return err
					}
				}
				return nil
			}
			if err := w.flush(); err != nil { // in order, before any metadata
				return err
			}
			var chunk []byte
			if covers(runs, cb) {
				chunk = make([]byte, cb)
			} else if chunk, err = d.d.ReadChunk(d.f.os, coords); err != nil {
				return err
			}
			for _, r := range runs {
				copy(chunk[r.Off:r.Off+r.Len], buf[r.MemOff:])
			}
			return d.f.apply(metaOp{name: "WriteChunk", path: d.name, fn: func() error {
				return d.d.WriteChunk(d.f.os, coords, chunk)
			}})
		}); err != nil {
			return err
		}
		return d.f.doneWriting(w)
	}
	return fmt.Errorf("%w: writing a %s dataset", h5core.ErrUnsupported, d.d.Layout())
}

// storageAddr is a contiguous dataset's data address, its storage
// allocated (and filled, for a nonzero fill value) on the first write.
func (d *Dataset) storageAddr() (uint64, error) {
	addr, _ := d.d.DataAddr()
	if addr != h5core.UndefinedAddr {
		return addr, nil
	}
	if err := d.f.apply(metaOp{name: "AllocStorage", path: d.name, fn: d.d.AllocStorage}); err != nil {
		return 0, err
	}
	if err := d.writeFill(nil); err != nil {
		return 0, err
	}
	addr, _ = d.d.DataAddr()
	return addr, nil
}

// covers reports whether runs fill a whole chunk, so its old contents need
// not be read.
func covers(runs []h5core.Run, n uint64) bool {
	var t uint64
	for _, r := range runs {
		t += r.Len
	}
	return t == n
}

// readRaw fills buf with the packed elements of selection h.
// readAllocated reads allocated, unfiltered storage at addr into p (off is
// p's byte offset within the element stream, to align the fill). In a file
// open for writing, storage is allocated before anything is written to it
// and the file grows only as it is written, so the part of p past the end
// of the file was never written: it holds the fill value, as libhdf5 reads
// it. In a file opened read-only that part is missing: the file is
// truncated, and that is an error.
func (d *Dataset) readAllocated(p []byte, addr, off uint64) error {
	n, err := d.f.os.ReadAt(p, int64(addr))
	if err == nil || !errors.Is(err, io.EOF) {
		return err
	}
	if d.f.readOnly {
		return fmt.Errorf("%w: %s: data at byte %d lies past the end of the file (truncated?)", h5core.ErrFormat, d.name, addr+uint64(n))
	}
	fill := d.fillElem()
	if len(fill) == 0 {
		clear(p[n:])
		return nil
	}
	for i := n; i < len(p); i++ {
		p[i] = fill[(off+uint64(i))%uint64(len(fill))]
	}
	return nil
}

func (d *Dataset) readRaw(h h5core.Hyperslab, buf []byte) error {
	if err := d.f.writeHeld(); err != nil {
		return err
	}
	unlock, err := d.lockSpan(h, false)
	if err != nil {
		return err
	}
	defer unlock()
	shape := d.d.Shape()
	es := uint64(d.d.Type().Size)
	if h.NumElements() == 0 {
		return nil
	}
	if ext := d.d.External(); ext != nil {
		return d.readExternal(ext, h, buf) // storage_external.go
	}
	switch d.d.Layout() {
	case h5core.LayoutVirtual:
		return d.readVirtual(h, buf) // storage_virtual.go
	case h5core.LayoutCompact:
		data := d.d.CompactData()
		return h5core.ContiguousRuns(shape, es, h, func(r h5core.Run) error {
			if r.Off+r.Len > uint64(len(data)) {
				return fmt.Errorf("%w: compact data of %d bytes, selection needs %d", h5core.ErrFormat, len(data), r.Off+r.Len)
			}
			copy(buf[r.MemOff:r.MemOff+r.Len], data[r.Off:])
			return nil
		})
	case h5core.LayoutContiguous:
		addr, _ := d.d.DataAddr()
		if addr == h5core.UndefinedAddr {
			fillRepeat(buf, d.fillElem())
			return nil
		}
		sv := &sieve{d: d, base: addr, buf: buf}
		if err := h5core.ContiguousRuns(shape, es, h, sv.add); err != nil {
			return err
		}
		return sv.flush()
	case h5core.LayoutChunked:
		if len(d.d.Filters()) > 0 {
			return d.readFiltered(shape, es, h, buf) // read_chunks.go
		}
		return h5core.ChunkRuns(shape, d.d.ChunkShape(), es, h, func(coords []uint64, runs []h5core.Run) error {
			rec, ok, err := d.d.Chunk(coords)
			if err != nil {
				return err
			}
			if ok {
				sv := &sieve{d: d, base: rec.Addr, buf: buf}
				for _, r := range runs {
					if err := sv.add(r); err != nil {
						return err
					}
				}
				return sv.flush()
			}
			chunk, err := d.d.ReadChunkAt(d.f.os, coords, rec, ok)
			if err != nil {
				return err
			}
			for _, r := range runs {
				copy(buf[r.MemOff:r.MemOff+r.Len], chunk[r.Off:])
			}
			return nil
		})
	}
	return fmt.Errorf("%w: reading a %s dataset", h5core.ErrUnsupported, d.d.Layout())
}

// needsFill reports whether storage just allocated must have the fill
// value written: a nonzero one, or any where the allocation reused freed
// space, which holds old bytes (metadata moves at every flush, so even a
// new file has some); space at the end of the file reads as zeros.
func (d *Dataset) needsFill() bool {
	return !allZero(d.d.Fill().Value) || d.d.StorageReused()
}

func (d *Dataset) fillElem() []byte {
	if v := d.d.Fill().Value; v != nil {
		return v
	}
	return make([]byte, d.d.Type().Size)
}

func fillRepeat(buf, elem []byte) {
	if len(elem) == 0 {
		return
	}
	for i := 0; i+len(elem) <= len(buf); i += len(elem) {
		copy(buf[i:], elem)
	}
}

// writeFill writes the fill value into freshly allocated storage: a
// nonzero one always, a zero one only where the storage reused freed
// space (needsFill). skip lists chunks (by fmt.Sprint of coords) that
// already hold data.
func (d *Dataset) writeFill(skip map[string]bool) error {
	if !d.needsFill() {
		return nil
	}
	fv := d.fillElem()
	switch d.d.Layout() {
	case h5core.LayoutContiguous:
		addr, size := d.d.DataAddr()
		if addr == h5core.UndefinedAddr {
			return nil
		}
		return writeRepeated(d, addr, size, fv)
	case h5core.LayoutChunked:
		if len(d.d.Filters()) > 0 {
			return nil // filtered chunks are written whole, fill included
		}
		recs, err := d.d.Chunks()
		if err != nil {
			return err
		}
		for _, r := range recs {
			if skip[fmt.Sprint(r.Coords)] {
				continue
			}
			if err := writeRepeated(d, r.Addr, d.d.ChunkBytes(), fv); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeRepeated(d *Dataset, addr, size uint64, elem []byte) error {
	if err := d.f.writeHeld(); err != nil {
		return err
	}
	const block = 1 << 20
	n := min(size, block)
	n -= n % uint64(len(elem))
	if n == 0 {
		n = uint64(len(elem))
	}
	b := bytes.Repeat(elem, int(n)/len(elem))
	for off := uint64(0); off < size; off += uint64(len(b)) {
		end := min(size-off, uint64(len(b)))
		if _, err := d.f.os.WriteAt(b[:end], int64(addr+off)); err != nil {
			return err
		}
	}
	return nil
}
