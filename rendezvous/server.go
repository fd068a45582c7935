package rendezvous

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"

	"github.com/gorun-hpc/gorun/internal/jobauth"
)

// Job identifies a job: its id, its secret and its number of ranks.
type Job struct {
	ID     string
	Secret []byte
	Size   int
}

// EventKind says what a rank told the server.
type EventKind int

const (
	EventAbort   EventKind = iota + 1 // a rank called Abort(Code)
	EventGoodbye                      // a rank closed its world communicator
	EventCause                        // a rank fails because rank Code failed first
	// EventDeparted: a rank's control connection ended (its process
	// exited, or it closed); every event of that rank came before it.
	EventDeparted
	// EventPanicked: a rank's Close ran while it was panicking.
	EventPanicked
)

// Event is something a rank told the server, for the launcher.
type Event struct {
	Kind EventKind
	Rank int
	Code int
}

// LostHow is how a self-hosted server (see Server.ReportLoss) describes a
// rank whose control connection ended without a goodbye, with Code
// lostCode in its TypeFailed notice.
const (
	LostHow  = "connection to the rendezvous lost"
	lostCode = -1
)

// Server is the service ranks register with: it hands out the address
// table once every rank has registered, tells ranks about failures, and
// passes their Abort requests, failure causes and goodbyes to the launcher
// as Events.
type Server struct {
	ln     net.Listener
	job    Job
	log    *slog.Logger
	events chan Event

	// ReportLoss makes a control connection lost without a goodbye a
	// failure the server reports itself (set before Serve). Without a
	// launcher (srun: rank 0 serves) nobody else watches the processes.
	ReportLoss bool

	mu    sync.Mutex
	conns map[int]net.Conn
	out   map[int]*outbox // the same connections, for notices (left.go)
	left  []leftNote      // goodbye notices, in the order they came (left.go)
	// flushing: a flush of the queued notices is due (left.go).
	flushing bool
	addrs    []string
	nreg     int
	sent     bool
	closed   bool
	wg       sync.WaitGroup
	gone     int
	allGone  chan struct{}
	saidBye  map[int]bool
	// stats holds each rank's I/O statistics (TypeStats parts joined);
	// statsDone the ranks whose last part came.
	stats     map[int][]byte
	statsDone map[int]bool
}

// MaxStats bounds one rank's statistics: more is dropped (and logged).
const MaxStats = 64 << 20

// NewServer serves job on ln once Serve is called; logger (nil = the
// default) gets connections that fail the job-secret handshake.
func NewServer(ln net.Listener, job Job, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.Default()
	}
	return &Server{ln: ln, job: job, log: logger, events: make(chan Event, 4*job.Size+8),
		conns: map[int]net.Conn{}, out: map[int]*outbox{}, addrs: make([]string, job.Size), allGone: make(chan struct{}), saidBye: map[int]bool{},
		stats: map[int][]byte{}, statsDone: map[int]bool{}}
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Events delivers what ranks tell the launcher. Read it: an event that
// finds the channel full is dropped (and logged), never waited for.
func (s *Server) Events() <-chan Event { return s.events }

// AllGone is closed once every rank has said goodbye or, with ReportLoss,
// was lost: a self-hosted server may stop then.
func (s *Server) AllGone() <-chan struct{} { return s.allGone }

// Serve accepts ranks until ctx ends or Close is called.
func (s *Server) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { s.Close() })
	defer stop()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			s.wg.Wait()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		s.wg.Add(1)
		go s.handle(c)
	}
}

func (s *Server) handle(c net.Conn) {
	defer s.wg.Done()
	defer c.Close()
	rk, err := jobauth.Accept(c, s.job.Secret, s.job.ID)
	if err != nil {
		s.log.Warn("gorun rendezvous: dropped a connection that failed the job-secret handshake", "remote", c.RemoteAddr().String(), "err", err)
		return
	}
	rank := int(rk)
	m, err := Read(c)
	if err != nil || m.Type != TypeRegister || rank >= s.job.Size {
		s.log.Warn("gorun rendezvous: bad registration", "rank", rank, "type", m.Type, "err", err)
		return
	}
	s.mu.Lock()
	if s.closed || s.conns[rank] != nil {
		s.mu.Unlock()
		return
	}
	s.conns[rank] = c
	s.out[rank] = &outbox{c: c, next: len(s.left)}
	s.addrs[rank] = m.Text
	s.nreg++
	if s.nreg == s.job.Size && !s.sent {
		s.sent = true
		// Encoded once: N ranks' table to N ranks (17 KB each at 1024).
		if b, err := (&Msg{Type: TypeTable, Addrs: s.addrs}).Append(nil); err == nil {
			for _, pc := range s.conns {
				_, _ = pc.Write(b)
			}
		} else {
			s.log.Warn("gorun rendezvous: the address table does not fit a message", "ranks", s.job.Size, "err", err)
		}
	}
	s.mu.Unlock()
	defer s.emit(Event{Kind: EventDeparted, Rank: rank})
	left := false // said goodbye or panicked: its end is no loss
	for {
		m, err := Read(c)
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if s.ReportLoss && !left && !closed {
				s.broadcastExcept(-1, Msg{Type: TypeFailed, Rank: rank, Code: lostCode, Text: LostHow})
				s.depart()
			}
			return
		}
		switch m.Type {
		case TypeAbort:
			s.emit(Event{Kind: EventAbort, Rank: rank, Code: m.Code})
			s.broadcastExcept(-1, Msg{Type: TypeAbort, Rank: rank, Code: m.Code})
		case TypeCause:
			if m.Rank >= 0 && m.Rank < s.job.Size && m.Rank != rank {
				s.emit(Event{Kind: EventCause, Rank: rank, Code: m.Rank})
			}
		case TypePanicked:
			if !left {
				left = true
				s.emit(Event{Kind: EventPanicked, Rank: rank})
				s.broadcastExcept(rank, Msg{Type: TypeFailed, Rank: rank, Text: "panicked"})
				s.depart()
			}
		case TypeStats:
			s.addStats(rank, m)
		case TypeGoodbye:
			if left {
				continue
			}
			left = true
			s.mu.Lock()
			s.saidBye[rank] = true
			s.mu.Unlock()
			// The ranks it never sent to have no stream to see its
			// goodbye on: they learn here (a receive from it must fail,
			// not wait forever). Queued before the event goes out, so
			// that a failure notice the launcher sends after it comes
			// after this notice too (TestLeftBatched failed under load).
			s.broadcastLeft(rank, Msg{Type: TypeLeft, Rank: rank, Ranks: m.Ranks, Cause: m.Cause, Text: m.Text})
			s.emit(Event{Kind: EventGoodbye, Rank: rank})
			s.depart()
		}
	}
}

func (s *Server) emit(ev Event) {
	select {
	case s.events <- ev:
	default:
		s.log.Warn("gorun rendezvous: event dropped, nobody reads Events", "rank", ev.Rank)
	}
}

// NotifyFailed tells every connected rank that rank failed and how, so
// their blocked operations return an error naming it.
func (s *Server) NotifyFailed(rank int, how string) {
	s.broadcastExcept(-1, Msg{Type: TypeFailed, Rank: rank, Text: how})
}

// NotifyExited is NotifyFailed for a rank that exited with a plain
// nonzero code (1-127), as a rank does that fails because another rank
// failed first: a rank that notices rank's end waits a moment for a
// notice naming that first rank before it names rank.
func (s *Server) NotifyExited(rank, code int, how string) {
	if code <= 0 || code >= 128 {
		s.NotifyFailed(rank, how)
		return
	}
	s.broadcastExcept(-1, Msg{Type: TypeFailed, Rank: rank, Code: code, Text: how})
}

// Farewell reports whether rank registered (it called comm.Init) and
// whether it has said goodbye (closed its world communicator). A launcher
// asks when the rank exits 0: one that registered and never said goodbye
// left without Close, and ranks waiting for it would wait forever (MPI's
// launchers treat an exit without MPI_Finalize as an error too). Ask after
// EventDeparted: its goodbye, if any, was read before.
func (s *Server) Farewell(rank int) (registered, saidBye bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns[rank] != nil, s.saidBye[rank]
}

// Close stops the service and drops every rank's control connection.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	err := s.ln.Close()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// addStats joins a part of rank's statistics to what came before.
func (s *Server) addStats(rank int, m Msg) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.statsDone[rank] {
		return // one report per rank
	}
	if len(s.stats[rank])+len(m.Text) > MaxStats {
		s.log.Warn("gorun rendezvous: I/O statistics over the limit dropped", "rank", rank, "limit", MaxStats)
		delete(s.stats, rank)
		s.statsDone[rank] = true
		return
	}
	s.stats[rank] = append(s.stats[rank], m.Text...)
	if m.Code == 0 {
		s.statsDone[rank] = true
	}
}

// Stats returns the I/O statistics each rank sent (by rank; complete ones
// only). Every part a rank sent came before its goodbye, so after
// AllGone, or once the ranks have exited, nothing more arrives.
func (s *Server) Stats() map[int][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int][]byte{}
	for r, done := range s.statsDone {
		if done && s.stats[r] != nil {
			out[r] = s.stats[r]
		}
	}
	return out
}

// depart counts a rank that said goodbye, panicked or was lost.
func (s *Server) depart() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone++; s.gone == s.job.Size {
		close(s.allGone)
	}
}
