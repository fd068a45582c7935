package h5file

import (
	"container/list"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/gorun-hpc/gorun/h5core"
)

// Defaults of the chunk cache, libhdf5's (and so h5py's) H5Pset_chunk_cache
// defaults.
const (
	DefaultChunkCacheBytes = 1 << 20 // rdcc_nbytes
	DefaultChunkCacheSlots = 521     // rdcc_nslots
	DefaultChunkCacheW0    = 0.75    // rdcc_w0
)

// chunkCacheConfig is WithChunkCache's knobs.
type chunkCacheConfig struct {
	nbytes, nslots int
	w0             float64
}

var defaultChunkCache = chunkCacheConfig{DefaultChunkCacheBytes, DefaultChunkCacheSlots, DefaultChunkCacheW0}

// WithChunkCache sizes the cache of decoded chunks every compressed
// (filtered) dataset of the file keeps: h5py's
// File(path, rdcc_nbytes=, rdcc_nslots=, rdcc_w0=). Each dataset holds up
// to nbytes of decoded chunks (0 turns the cache off); nslots is the
// number of hash slots (a chunk evicts the chunk in its slot, as in
// libhdf5, so a prime well above the number of chunks that fit avoids
// collisions); w0 in [0, 1] is libhdf5's preference for evicting chunks
// read whole. Defaults: libhdf5's, 1 MiB, 521 slots, 0.75.
//
// The cache serves reads of part of a chunk: many small reads of one
// compressed chunk decode it once. A chunk read whole is decoded straight
// into the caller's buffer and not cached (w0's "evict chunks read whole
// first", taken to its end: they are never kept), so w0 changes nothing
// today; it is accepted so code written for h5py carries over. Writes
// drop a dataset's cached chunks. A parallel file (WithComm) has no
// chunk cache: other ranks' writes would make it stale.
//
// Bad values (negative sizes, zero slots with a nonzero size, w0 outside
// [0, 1]) make Open and Create fail, as h5py's File raises ValueError.
func WithChunkCache(nbytes, nslots int, w0 float64) Option {
	return func(o *options) { o.chunkCache = &chunkCacheConfig{nbytes, nslots, w0} }
}

func (c chunkCacheConfig) check() error {
	if c.nbytes < 0 || c.nslots < 0 || (c.nbytes > 0 && c.nslots == 0) || !(c.w0 >= 0 && c.w0 <= 1) {
		return fmt.Errorf("chunk cache of %d bytes, %d slots, w0 %v: sizes must be >= 0, slots > 0 for a nonzero size, and w0 in [0, 1] (libhdf5's defaults are %d, %d, %v)",
			c.nbytes, c.nslots, c.w0, DefaultChunkCacheBytes, DefaultChunkCacheSlots, DefaultChunkCacheW0)
	}
	return nil
}

// chunkCache holds decoded chunks of one dataset, least recently used
// first out, bounded by bytes and by slot (libhdf5's H5D_rdcc_t). The
// readers of one Dataset.Read use it from several goroutines.
type chunkCache struct {
	cfg   chunkCacheConfig
	mu    sync.Mutex
	slots []*cacheEntry
	lru   list.List // of *cacheEntry, most recent at the front
	bytes int
}

type cacheEntry struct {
	coords []uint64
	rec    h5core.ChunkRecord
	data   []byte
	slot   int
	elem   *list.Element
}

// chunkCacheOf returns d's chunk cache, made on first use, or nil where
// there is none (turned off, a parallel file, chunks larger than it).
func (d *Dataset) chunkCacheOf() *chunkCache {
	f := d.f
	if f.isParallel() || f.chunkCache.nbytes == 0 || d.d.ChunkBytes() > uint64(f.chunkCache.nbytes) {
		return nil
	}
	if c := f.chunkCaches[d.d]; c != nil {
		return c
	}
	if f.chunkCaches == nil {
		f.chunkCaches = make(map[*h5core.Dataset]*chunkCache)
	}
	c := &chunkCache{cfg: f.chunkCache, slots: make([]*cacheEntry, f.chunkCache.nslots)}
	f.chunkCaches[d.d] = c
	return c
}

// dropChunkCache forgets d's cached chunks: called before anything
// changes them (writes, Resize, WriteDirectChunk).
func (d *Dataset) dropChunkCache() {
	delete(d.f.chunkCaches, d.d)
}

// slotOf is libhdf5's slot choice: the chunk's linear index (in chunks,
// row-major over the dataset's current extent) modulo the slot count.
func slotOf(coords, chunk, shape []uint64, nslots int) int {
	var idx uint64
	for i := range coords {
		n := (shape[i] + chunk[i] - 1) / chunk[i]
		idx = idx*max(n, 1) + coords[i]/chunk[i]
	}
	return int(idx % uint64(nslots))
}

// readChunk copies the decoded chunk at coords into dst (ChunkBytes long)
// from the cache, or reads and decodes it and keeps it.
func (c *chunkCache) readChunk(d *Dataset, r io.ReaderAt, coords []uint64, rec h5core.ChunkRecord, ok bool, dst []byte) error {
	slot := slotOf(coords, d.d.ChunkShape(), d.d.Shape(), len(c.slots))
	c.mu.Lock()
	if e := c.slots[slot]; e != nil && e.rec.Addr == rec.Addr && e.rec.Size == rec.Size && e.rec.FilterMask == rec.FilterMask && slices.Equal(e.coords, coords) {
		c.lru.MoveToFront(e.elem)
		copy(dst, e.data)
		c.mu.Unlock()
		return nil
	}
	c.mu.Unlock()
	if err := d.d.ReadChunkInto(r, coords, rec, ok, dst); err != nil {
		return err
	}
	if !ok {
		return nil // the fill value: nothing to decode
	}
	e := &cacheEntry{coords: slices.Clone(coords), rec: rec, data: slices.Clone(dst), slot: slot}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.slots[slot]; old != nil {
		c.remove(old)
	}
	for c.bytes+len(e.data) > c.cfg.nbytes && c.lru.Len() > 0 {
		c.remove(c.lru.Back().Value.(*cacheEntry))
	}
	e.elem = c.lru.PushFront(e)
	c.slots[slot] = e
	c.bytes += len(e.data)
	return nil
}

func (c *chunkCache) remove(e *cacheEntry) {
	c.lru.Remove(e.elem)
	c.slots[e.slot] = nil
	c.bytes -= len(e.data)
}
