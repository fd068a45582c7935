package h5file

import (
	"container/list"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/gorun-hpc/gorun/comm"
)

// Metadata of a parallel file opened lazily (ARCHITECTURE.md decision 35).
// h5core reads an object when a rank first touches it, and ranks touch
// different objects at different times (a lookup is rank-local), so the
// sharing cannot be a collective. Rank 0 runs a metadata server: a
// goroutine on a communicator of its own (a Dup of the file's) that
// answers byte-range requests. Every rank's h5core reads through a
// metaReader: rank 0's reads the file, once per byte range, and keeps what
// it read; the others ask rank 0 for what they do not have yet. So N ranks
// cost one read of each piece of metadata that any of them touched, and
// nothing is read that no rank touched.
//
// What is kept describes the file as of the last flush: a flush rewrites
// headers in place and reuses freed space, so every rank drops its copy
// when a flush has written (invalidate), and rank 0 reads the file again
// for the next request.

// Tags of the metadata server's communicator (its own context: they meet
// no other message).
const (
	tagMetaReq  = 1
	tagMetaResp = 2
	// maxMetaRequest bounds one request: h5core reads structures whose
	// lengths it checked against the file's size, far below this.
	maxMetaRequest = 1 << 30
	// readAhead bounds the ranges sent with an answer (spanCache.after).
	readAhead = 64 << 10
)

// WithMetadataCache bounds the metadata a rank of a parallel file keeps
// as bytes read from the file (rank 0, which serves every rank) or
// received from rank 0 (the others): at most bytes (bookkeeping
// included), the ranges used least recently dropped first (default 4
// MiB; 0 keeps nothing). What h5core decoded from them (objects, links,
// chunk indexes) stays loaded regardless; a range dropped is only read or
// asked again if a rank touches something not loaded on it yet. Serial
// files ignore it.
func WithMetadataCache(bytes int64) Option {
	return func(o *options) { b := max(bytes, 0); o.metaLimit = &b }
}

// spanCache keeps byte ranges read from the file, by offset: a read at an
// offset already read with at least as many bytes is served from it. It
// also keeps the order offsets were first read in (rank 0): a rank asking
// for one is likely walking the path another rank walked first, so rank
// 0 sends the ranges read after it with its answer (after).
//
// The bytes kept are bounded (WithMetadataCache; decision 42): at most
// limit, each range counted with its bookkeeping (spanOverhead), the
// ranges used least recently dropped first. A range dropped is read again
// (by rank 0 from the file, by the others from rank 0) if asked again;
// h5core keeps what it decoded, so that is rare. A range larger than
// limit is not kept. The order of first reads outlives the bytes (an
// offset and a length each, up to maxOrder ranges between flushes): read-
// ahead of a range dropped reads it from the file again, so a rank that
// trails the others by more than the bound still asks rank 0 once per
// 64 KiB, not once per range (measured: 44k requests against 73-220 for
// a rank listing 100k members, when dropping a range also dropped its
// place in the order).
type spanCache struct {
	mu      sync.Mutex
	limit   int64 // bytes; 0: keep nothing
	ordered bool  // keep the order of first reads (rank 0, for read-ahead)
	size    int64 // bytes kept
	m       map[int64]*spanEntry
	lru     list.List     // of *spanEntry, most recently used first
	order   []spanRef     // ranges in the order first put
	pos     map[int64]int // offset -> index in order
}

type spanEntry struct {
	off int64
	b   []byte
	e   *list.Element
}

// spanRef is a range in the order of first reads.
type spanRef struct {
	off int64
	n   int
}

// maxOrder bounds the order of first reads kept between flushes (16
// bytes and a map slot each): past it, read-ahead covers the ranges
// first read before.
const maxOrder = 1 << 20

// defaultMetadataCache is each rank's bound on kept metadata ranges.
// h5core keeps what it decoded, so a kept range serves only a rank that
// reads it again, a rank asking for what another asked (rank 0), and
// read-ahead not read yet (the others): measured in bench/open (decision
// 42), 32 MiB (libhdf5's metadata cache maximum) made the peak memory of
// a rank listing 100k members 1.2x h5py mpio's, as much again as the
// model itself.
const defaultMetadataCache = 4 << 20

// spanOverhead is what one kept range costs beyond its bytes (its entry,
// list element, map slot): most metadata reads are a few dozen bytes, so
// a bound on bytes alone would not bound memory.
const spanOverhead = 160

func (c *spanCache) get(p []byte, off int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if en, ok := c.m[off]; ok && len(en.b) >= len(p) {
		copy(p, en.b)
		c.lru.MoveToFront(en.e)
		return true
	}
	return false
}

// ref returns the kept bytes at off, at least n of them, without a copy
// (kept slices are never written to), or nil.
func (c *spanCache) ref(off int64, n int) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if en, ok := c.m[off]; ok && len(en.b) >= n {
		c.lru.MoveToFront(en.e)
		return en.b[:n:n]
	}
	return nil
}

func (c *spanCache) put(off int64, p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pos == nil {
		c.m, c.pos = map[int64]*spanEntry{}, map[int64]int{}
	}
	if i, ok := c.pos[off]; ok {
		c.order[i].n = max(c.order[i].n, len(p))
	} else if c.ordered && len(c.order) < maxOrder {
		c.pos[off] = len(c.order)
		c.order = append(c.order, spanRef{off, len(p)})
	}
	if int64(len(p))+spanOverhead > c.limit {
		return
	}
	en, ok := c.m[off]
	switch {
	case !ok:
		en = &spanEntry{off: off, b: append([]byte(nil), p...)}
		en.e = c.lru.PushFront(en)
		c.m[off] = en
		c.size += int64(len(p)) + spanOverhead
	case len(en.b) < len(p):
		c.size += int64(len(p) - len(en.b))
		en.b = append([]byte(nil), p...)
		c.lru.MoveToFront(en.e)
	default:
		c.lru.MoveToFront(en.e)
	}
	for c.size > c.limit {
		en := c.lru.Back().Value.(*spanEntry)
		c.lru.Remove(en.e)
		delete(c.m, en.off)
		c.size -= int64(len(en.b)) + spanOverhead
	}
}

// after returns the ranges first read after the one at off, in that
// order, up to budget bytes. A range no longer kept is read with reread
// (rank 0: from the file) if reread is not nil, else skipped.
func (c *spanCache) after(off int64, budget int, reread func(off int64, n int) []byte) []span {
	c.mu.Lock()
	i, ok := c.pos[off]
	if !ok {
		c.mu.Unlock()
		return nil
	}
	var out []span
	var missing []int // indexes in out to read again, outside the lock
	var refs []spanRef
	for _, r := range c.order[i+1:] {
		if r.n > budget {
			break
		}
		budget -= r.n
		if en, ok := c.m[r.off]; ok && len(en.b) >= r.n {
			out = append(out, span{Off: r.off, Data: en.b[:r.n:r.n]})
			continue
		}
		if reread != nil {
			missing = append(missing, len(out))
			refs = append(refs, r)
			out = append(out, span{Off: r.off})
		}
	}
	c.mu.Unlock()
	for k, j := range missing {
		out[j].Data = reread(refs[k].off, refs[k].n)
	}
	kept := out[:0]
	for _, s := range out {
		if s.Data != nil {
			kept = append(kept, s)
		}
	}
	return kept
}

// kept is the number of bytes kept (tests).
func (c *spanCache) kept() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

func (c *spanCache) reset() {
	c.mu.Lock()
	c.m, c.order, c.pos, c.size = nil, nil, nil, 0
	c.lru.Init()
	c.mu.Unlock()
}

// metaReader is the io.ReaderAt a parallel file's h5core reads through.
// On rank 0 it reads the file (fetch nil); elsewhere it asks rank 0.
type metaReader struct {
	cache spanCache
	file  io.ReaderAt
	fetch func(p []byte, off int64) ([]span, error) // ranks > 0: ask rank 0; also returns read-ahead ranges
	// Counters (tests, benchmarks): reads of the file and their bytes
	// (rank 0), requests to rank 0 and their bytes (the others), and
	// fallback reads of the file by ranks > 0 (MetadataReads; none since
	// rank 0 serves every request, kept for the counter's promise).
	fileReads, fileBytes atomic.Int64
	requests, reqBytes   atomic.Int64
	misses               atomic.Int64
}

func (r *metaReader) ReadAt(p []byte, off int64) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if r.cache.get(p, off) {
		return len(p), nil
	}
	if r.fetch != nil {
		r.requests.Add(1)
		r.reqBytes.Add(int64(len(p)))
		more, err := r.fetch(p, off)
		if err != nil {
			return 0, err
		}
		r.cache.put(off, p)
		for _, s := range more {
			r.cache.put(s.Off, s.Data)
		}
		return len(p), nil
	}
	r.fileReads.Add(1)
	n, err := r.file.ReadAt(p, off)
	r.fileBytes.Add(int64(n))
	if n == len(p) {
		r.cache.put(off, p)
		return n, nil
	}
	return n, err
}

// reread reads n bytes at off from the file for read-ahead (rank 0), nil
// if it cannot: a range first read earlier and dropped since.
func (r *metaReader) reread(off int64, n int) []byte {
	b := make([]byte, n)
	r.fileReads.Add(1)
	if k, _ := r.file.ReadAt(b, off); k != n {
		return nil
	}
	r.fileBytes.Add(int64(n))
	return b
}

// invalidate drops what was kept: the file changed (a flush wrote).
func (r *metaReader) invalidate() { r.cache.reset() }

// metaServer is rank 0's answering goroutine.
type metaServer struct {
	c      *comm.Comm
	r      *metaReader
	cancel context.CancelFunc
	done   chan struct{}
}

// startMetaServer starts rank 0's server on c, reading through r.
func startMetaServer(ctx context.Context, c *comm.Comm, r *metaReader) *metaServer {
	ctx, cancel := context.WithCancel(ctx)
	s := &metaServer{c: c, r: r, cancel: cancel, done: make(chan struct{})}
	go s.run(ctx)
	return s
}

// run answers requests until ctx ends (Close) or the communicator breaks.
// A request is 16 bytes (offset, length); the answer is a status byte (0:
// the bytes follow, then read-ahead ranges, each offset and length (8
// bytes each) and bytes; 1: an error text follows).
func (s *metaServer) run(ctx context.Context) {
	defer close(s.done)
	for {
		req, st, err := s.c.RecvBytes(ctx, comm.AnySource, tagMetaReq)
		if err != nil {
			return
		}
		var data []byte
		var more []span
		var rerr error
		if len(req) != 16 {
			rerr = fmt.Errorf("a metadata request of %d bytes, want 16", len(req))
		} else {
			off, n := int64(binary.LittleEndian.Uint64(req)), int64(binary.LittleEndian.Uint64(req[8:]))
			if off < 0 || n <= 0 || n > maxMetaRequest {
				rerr = fmt.Errorf("a metadata request for %d bytes at %d is out of range", n, off)
			} else {
				// Kept bytes are sent as they are: rank 0 serving every
				// rank would otherwise copy each range once per rank.
				if data = s.r.cache.ref(off, int(n)); data == nil {
					data = make([]byte, n)
					if _, err := s.r.ReadAt(data, off); err != nil {
						rerr = err
					}
				}
				// No more than a quarter of what a rank keeps: read-ahead
				// a rank drops before it reads it is asked for again.
				more = s.r.cache.after(off, int(min(readAhead, s.r.cache.limit/4)), s.r.reread)
			}
		}
		if rerr != nil {
			err = s.c.Sendv(ctx, st.Source, tagMetaResp, []byte{1}, []byte(rerr.Error()))
		} else {
			bufs := [][]byte{{0}, data}
			for _, m := range more {
				var h [16]byte
				binary.LittleEndian.PutUint64(h[:], uint64(m.Off))
				binary.LittleEndian.PutUint64(h[8:], uint64(len(m.Data)))
				bufs = append(bufs, h[:], m.Data)
			}
			err = s.c.Sendv(ctx, st.Source, tagMetaResp, bufs...)
		}
		if err != nil && ctx.Err() != nil {
			return
		}
	}
}

// stop ends the server and waits for it.
func (s *metaServer) stop() {
	s.cancel()
	<-s.done
}

// metaClient returns the fetch function of a rank > 0: one request to
// rank 0 and its answer, bounded by ctx.
func metaClient(ctx context.Context, c *comm.Comm) func(p []byte, off int64) ([]span, error) {
	return func(p []byte, off int64) ([]span, error) {
		var req [16]byte
		binary.LittleEndian.PutUint64(req[:], uint64(off))
		binary.LittleEndian.PutUint64(req[8:], uint64(len(p)))
		if err := c.Send(ctx, 0, tagMetaReq, req[:]); err != nil {
			return nil, fmt.Errorf("asking rank 0 for metadata at %d: %w", off, err)
		}
		resp, _, err := c.RecvBytes(ctx, 0, tagMetaResp)
		if err != nil {
			return nil, fmt.Errorf("waiting for rank 0's metadata at %d: %w", off, err)
		}
		switch {
		case len(resp) == 0:
			return nil, errors.New("an empty answer from rank 0's metadata server")
		case resp[0] != 0:
			return nil, fmt.Errorf("rank 0 could not read metadata at %d: %s", off, resp[1:])
		case len(resp)-1 < len(p):
			return nil, fmt.Errorf("rank 0 answered %d bytes of metadata at %d, want %d", len(resp)-1, off, len(p))
		}
		copy(p, resp[1:])
		more, err := decodeReadAhead(resp[1+len(p):])
		if err != nil {
			return nil, fmt.Errorf("rank 0's answer for metadata at %d: %w", off, err)
		}
		return more, nil
	}
}

// decodeReadAhead decodes the ranges after an answer's bytes (run), each
// length checked against what is left before it is used.
func decodeReadAhead(b []byte) ([]span, error) {
	var out []span
	for len(b) > 0 {
		if len(b) < 16 {
			return nil, fmt.Errorf("a read-ahead range header of %d bytes, want 16", len(b))
		}
		off, n := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
		b = b[16:]
		if off > 1<<62 || n > uint64(len(b)) {
			return nil, fmt.Errorf("a read-ahead range of %d bytes at %d with %d bytes left", n, off, len(b))
		}
		out = append(out, span{Off: int64(off), Data: b[:n:n]})
		b = b[n:]
	}
	return out, nil
}
