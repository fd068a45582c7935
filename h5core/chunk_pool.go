package h5core

import "sync"

// chunkBufs holds byte buffers for the stored bytes of chunks and the
// intermediate stages of their pipelines: a compressed read of a thousand
// chunks otherwise allocates (and the runtime clears) two or three
// chunk-sized buffers per chunk.
var chunkBufs sync.Pool

// GetChunkBuf returns a buffer of n bytes (contents undefined) from a
// pool; give it back with PutChunkBuf when done with it.
func GetChunkBuf(n int) []byte {
	if p, ok := chunkBufs.Get().(*[]byte); ok {
		if cap(*p) >= n {
			return (*p)[:n]
		}
		chunkBufs.Put(p)
	}
	return make([]byte, n)
}

// PutChunkBuf gives b back to the pool GetChunkBuf takes from. b must not
// be used afterwards.
func PutChunkBuf(b []byte) {
	if cap(b) == 0 {
		return
	}
	b = b[:0]
	chunkBufs.Put(&b)
}
