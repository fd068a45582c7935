package collectives

import (
	"sync/atomic"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/iostats"
)

// callStats is what one collective call records for the job's I/O report
// (package iostats; on with gorun --iostats): its time, the payload bytes
// it sent and received, and how long it was blocked waiting for a peer's
// message. comm is nil when statistics are off: every hook tests it first
// and does nothing else.
type callStats struct {
	rec    *iostats.Recorder
	comm   *iostats.Comm
	start  int64
	waitNs int64        // receives run on the caller's goroutine
	bytes  atomic.Int64 // a large sendrecv sends from a helper goroutine
}

func (cl *call) startStats(rec *iostats.Recorder, c *comm.Comm) {
	cl.stats.rec = rec
	cl.stats.comm = rec.Comm(c.ID(), c.Size())
	cl.stats.start = rec.Now()
}

func (cl *call) endStats() {
	s := &cl.stats
	s.comm.CallOp(uint8(cl.d.op), cl.d.op.String(), s.start, s.bytes.Load(), s.waitNs)
}

// waitStart and waitEnd time one blocking receive of n payload bytes.
func (cl *call) waitStart() int64 {
	if cl.stats.comm == nil {
		return 0
	}
	return cl.stats.rec.Now()
}

func (cl *call) waitEnd(t int64, n int) {
	if cl.stats.comm != nil {
		cl.recordWait(t, n)
	}
}

func (cl *call) recordWait(t int64, n int) {
	cl.stats.waitNs += cl.stats.rec.Now() - t
	if n > 0 {
		cl.stats.bytes.Add(int64(n))
	}
}
