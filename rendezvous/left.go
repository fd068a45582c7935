package rendezvous

import (
	"net"
	"slices"
	"sync"
	"time"
)

// Goodbye notices (TypeLeft). A rank that closes its world communicator
// says goodbye on every stream it dialed and to the server; the server
// tells the other ranks, so that a receive from it on a rank it never sent
// to fails instead of waiting forever. At the end of a job every rank
// leaves, so these notices are the server's largest traffic: each of N
// goodbyes goes to every rank still there, N^2/2 notices. Sent one by one
// they cost a write at the launcher and a wake-up of the rank each, and
// the server's lock held through N writes per goodbye held up the reading
// of the next goodbyes (docs/SCALING.md: at 1024 ranks the job's Close
// took 1.5-5 s and a rank woke ~500 times for notices nobody needed).
//
// So notices are queued and sent in batches: a flush leftDelay after the
// first unsent one writes each rank all that it has not had, in one write
// (which its Conn reads with one system call), from a goroutine per rank so
// a rank that reads nothing holds up no one. A rank never gets the notice
// of a rank that said goodbye on a stream to it (it learns there, in
// order), nor any once it said goodbye itself. A failure or Abort notice
// first flushes the rank's queue, so the order in which a rank learns of
// departures and failures is the order in which the server did.

// leftDelay is how long a goodbye notice may wait to be sent with others:
// the time a receive from a rank that left without a word to the
// receiver may wait longer to fail.
const leftDelay = 50 * time.Millisecond

// noticeWait bounds one write of notices to a rank that does not read
// (stopped, or hung), as it always did: a rank's socket buffer holds
// thousands of notices, so only a rank that stopped reading long ago
// misses them.
const noticeWait = time.Second

// leftNote is one queued notice: the rank that left, the ranks that got
// its goodbye on a stream (sorted), and the encoded message.
type leftNote struct {
	rank int
	skip []int
	b    []byte
}

// outbox is the server's side of one rank's connection for notices.
type outbox struct {
	c    net.Conn
	wmu  sync.Mutex // one write at a time, in the order the notices were taken
	next int        // under Server.mu: the first note not taken for this rank
}

// broadcastLeft queues rank's goodbye notice m for the ranks still there.
func (s *Server) broadcastLeft(rank int, m Msg) {
	b, err := m.Append(nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.left = append(s.left, leftNote{rank: rank, skip: slices.Sorted(slices.Values(m.Ranks)), b: b})
	if !s.flushing && !s.closed {
		s.flushing = true
		time.AfterFunc(leftDelay, s.flushLeft)
	}
}

// takeLeftLocked returns the notices queued for rank k since its last
// batch, appended to buf; the caller holds s.mu and k's outbox wmu.
func (s *Server) takeLeftLocked(k int, o *outbox, buf []byte) []byte {
	if s.saidBye[k] {
		o.next = len(s.left)
		return buf
	}
	for _, n := range s.left[o.next:] {
		if _, skip := slices.BinarySearch(n.skip, k); n.rank != k && !skip {
			buf = append(buf, n.b...)
		}
	}
	o.next = len(s.left)
	return buf
}

// flushLeft sends every rank its queued notices.
func (s *Server) flushLeft() {
	s.mu.Lock()
	s.flushing = false
	if s.closed {
		s.mu.Unlock()
		return
	}
	var due []int
	for k, o := range s.out {
		if o.next < len(s.left) && !s.saidBye[k] {
			due = append(due, k)
		}
	}
	s.mu.Unlock()
	for _, k := range due {
		go s.sendLeft(k)
	}
}

// sendLeft writes rank k's queued notices in one write.
func (s *Server) sendLeft(k int) {
	s.mu.Lock()
	o := s.out[k]
	s.mu.Unlock()
	o.wmu.Lock()
	defer o.wmu.Unlock()
	s.mu.Lock()
	b := s.takeLeftLocked(k, o, nil)
	s.mu.Unlock()
	if len(b) > 0 {
		s.writeOut(o, b, noticeWait)
	}
}

// writeOut writes b to o within d (the caller holds o.wmu). A rank that
// took part of it loses its connection: a part-written message cannot be
// finished, and the rest of the stream would be garbage to it.
func (s *Server) writeOut(o *outbox, b []byte, d time.Duration) {
	_ = o.c.SetWriteDeadline(time.Now().Add(d))
	if n, err := o.c.Write(b); err != nil && n > 0 {
		o.c.Close()
		return
	}
	_ = o.c.SetWriteDeadline(time.Time{})
}

// broadcastExcept sends m to every rank but rank (-1: to all), after the
// goodbye notices queued for it, each write bounded so a rank that reads
// nothing cannot hold the others' notices for long.
func (s *Server) broadcastExcept(rank int, m Msg) {
	mb, err := m.Append(nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	ks := make([]int, 0, len(s.out))
	for k := range s.out {
		if k != rank {
			ks = append(ks, k)
		}
	}
	s.mu.Unlock()
	slices.Sort(ks)
	for _, k := range ks {
		s.mu.Lock()
		o := s.out[k]
		s.mu.Unlock()
		o.wmu.Lock()
		s.mu.Lock()
		b := append(s.takeLeftLocked(k, o, nil), mb...)
		s.mu.Unlock()
		s.writeOut(o, b, noticeWait)
		o.wmu.Unlock()
	}
}
