package rendezvous

import "time"

// broadcastLeft tells the ranks still in the job that rank left (m is its
// TypeLeft notice). At the end of a job every rank leaves, so these
// notices are the server's largest cost: N goodbyes to N ranks. Ranks
// that said goodbye themselves read no more notices and are skipped,
// which halves the count when ranks leave together (docs/SCALING.md:
// 1024 ranks, 3-4 s less CPU), and m is encoded once, not per rank.
func (s *Server) broadcastLeft(rank int, m Msg) {
	b, err := m.Append(nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, c := range s.conns {
		if k != rank && !s.saidBye[k] {
			_ = c.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = c.Write(b)
			_ = c.SetWriteDeadline(time.Time{})
		}
	}
}
