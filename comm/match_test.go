package comm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The match engine decides which receive a message goes to; these tables
// drive it directly, with no sockets and no goroutines: messages are
// delivered as a reader would, receives are tried with a context that has
// already ended (a receive that finds nothing queued returns at once), and
// posted receives are waiters put in place as recv would.

// msg is a message of context ctx from src with tag; its payload is id.
func msg(ctx uint64, src, tag int, id string) message {
	return message{ctx: ctx, src: src, tag: tag, n: len(id), data: []byte(id)}
}

// try is a receive (or, with peek, a Probe) that does not wait.
type try struct {
	ctx      uint64
	src, tag int
	peek     bool
	want     string // the payload received; "" = nothing queued matches
}

func ended() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func (tr try) run(e *engine) (string, error) {
	m, err := e.recv(ended(), tr.ctx, nil, tr.src, tr.tag, tr.peek, nil, -1)
	if errors.Is(err, context.Canceled) {
		return "", nil
	}
	return string(m.data), err
}

// TestMatchQueued: which queued message a receive takes. Messages of one
// sender match in arrival order (MPI's non-overtaking rule); wildcards
// take the first that fits; another context never matches; Probe leaves
// the message for the receive after it.
func TestMatchQueued(t *testing.T) {
	queued := []message{
		msg(1, 0, 5, "a"), msg(1, 1, 5, "b"), msg(1, 0, 6, "c"), msg(2, 0, 5, "d"), msg(1, 0, 5, "e"),
	}
	for _, tc := range []struct {
		name  string
		tries []try
	}{
		{"exact, in arrival order", []try{{1, 0, 5, false, "a"}, {1, 0, 5, false, "e"}, {1, 0, 5, false, ""}}},
		{"any source", []try{{1, AnySource, 5, false, "a"}, {1, AnySource, 5, false, "b"}, {1, AnySource, 5, false, "e"}}},
		{"any tag", []try{{1, 0, AnyTag, false, "a"}, {1, 0, AnyTag, false, "c"}, {1, 0, AnyTag, false, "e"}, {1, 0, AnyTag, false, ""}}},
		{"both wildcards", []try{{1, AnySource, AnyTag, false, "a"}, {1, AnySource, AnyTag, false, "b"}, {1, AnySource, AnyTag, false, "c"}}},
		{"contexts apart", []try{{2, AnySource, AnyTag, false, "d"}, {2, AnySource, AnyTag, false, ""}, {3, 0, 5, false, ""}}},
		{"probe then receive", []try{{1, 0, 6, true, "c"}, {1, 0, 6, true, "c"}, {1, 0, 6, false, "c"}, {1, 0, 6, true, ""}}},
		{"no match", []try{{1, 2, 5, false, ""}, {1, 1, 6, false, ""}}},
		{"a wildcard after a taken message", []try{{1, 0, 5, false, "a"}, {1, AnySource, AnyTag, false, "b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine()
			for _, m := range queued {
				e.deliver(m)
			}
			for i, tr := range tc.tries {
				got, err := tr.run(e)
				if err != nil || got != tr.want {
					t.Fatalf("try %d %+v: got %q, %v; want %q", i, tr, got, err, tr.want)
				}
			}
		})
	}
}

// post puts a receive in place as recv does when nothing queued matches.
func (e *engine) post(ctx uint64, src, tag int, peek bool) *waiter {
	w := &waiter{ctx: ctx, src: src, tag: tag, peek: peek, elem: -1, ch: make(chan result, 1)}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.waiters = append(e.waiters, w)
	return w
}

// got is what a posted receive was given: its payload, its error's text,
// or "" while it still waits.
func got(w *waiter) string {
	select {
	case r := <-w.ch:
		if r.err != nil {
			return "error: " + r.err.Error()
		}
		return string(r.m.data)
	default:
		return ""
	}
}

// TestMatchPosted: a message that arrives goes to the first posted receive
// it matches, in posting order; a Probe sees it and leaves it for the next
// matching receive or the queue.
func TestMatchPosted(t *testing.T) {
	type recvSpec struct {
		ctx      uint64
		src, tag int
		peek     bool
	}
	for _, tc := range []struct {
		name     string
		posted   []recvSpec
		arrive   message
		want     []string // what each posted receive got
		queuedTo string   // "" = not queued; else the payload a later receive finds
	}{
		{"first of two matching", []recvSpec{{1, 0, 5, false}, {1, AnySource, AnyTag, false}}, msg(1, 0, 5, "x"), []string{"x", ""}, ""},
		{"the one that matches", []recvSpec{{1, 1, 5, false}, {1, 0, AnyTag, false}}, msg(1, 0, 5, "x"), []string{"", "x"}, ""},
		{"none matches: queued", []recvSpec{{1, 1, 5, false}, {2, 0, 5, false}}, msg(1, 0, 5, "x"), []string{"", ""}, "x"},
		{"probe, then the receive", []recvSpec{{1, 0, 5, true}, {1, 0, 5, false}}, msg(1, 0, 5, "x"), []string{"x", "x"}, ""},
		{"probe only: still queued", []recvSpec{{1, AnySource, AnyTag, true}}, msg(1, 0, 5, "x"), []string{"x"}, "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine()
			var ws []*waiter
			for _, p := range tc.posted {
				ws = append(ws, e.post(p.ctx, p.src, p.tag, p.peek))
			}
			e.deliver(tc.arrive)
			for i, w := range ws {
				if g := got(w); g != tc.want[i] {
					t.Errorf("posted receive %d got %q, want %q", i, g, tc.want[i])
				}
			}
			later, err := try{tc.arrive.ctx, tc.arrive.src, tc.arrive.tag, false, ""}.run(e)
			if err != nil || later != tc.queuedTo {
				t.Errorf("a later receive found %q, %v; want %q", later, err, tc.queuedTo)
			}
		})
	}
}

// TestMatchBreaks: what a revoke, a failure and a peer's goodbye do to
// posted receives and to later ones.
func TestMatchBreaks(t *testing.T) {
	revoked := &revokedError{by: 2, msg: "mismatch"}
	failed := &RankError{Rank: 3, How: "killed by signal 9"}
	for _, tc := range []struct {
		name  string
		queue []message
		act   func(e *engine)
		// posted receives (ctx, src) and what each gets: "" = still
		// waiting, else a word its error holds.
		posted [][2]int
		want   []string
		// later receives (ctx, src, any tag) and a word of their error, or
		// the payload they take.
		later   [][2]int
		wantLtr []string
	}{
		{"revoke breaks one context",
			nil, func(e *engine) { e.revoke(1, revoked) },
			[][2]int{{1, 0}, {2, 0}}, []string{"revoked", ""},
			[][2]int{{1, 0}, {2, 0}}, []string{"revoked", ""}},
		{"failure breaks every context",
			nil, func(e *engine) { e.fail(failed) },
			[][2]int{{1, 0}, {2, AnySource}}, []string{"rank 3 failed", "rank 3 failed"},
			[][2]int{{1, 0}, {5, 1}}, []string{"rank 3 failed", "rank 3 failed"}},
		{"a failure wins over a later revoke",
			nil, func(e *engine) { e.fail(failed); e.revoke(1, revoked) },
			nil, nil,
			[][2]int{{1, 0}}, []string{"rank 3 failed"}},
		{"a goodbye fails receives from that rank only",
			nil, func(e *engine) { e.leave(1, nil) },
			[][2]int{{1, 1}, {1, 0}, {1, AnySource}}, []string{"closed its communicator", "", ""},
			[][2]int{{1, 1}, {2, 1}, {1, 0}}, []string{"closed its communicator", "closed its communicator", ""}},
		{"what it sent before its goodbye is still received",
			[]message{msg(1, 1, 5, "last words")}, func(e *engine) { e.leave(1, nil) },
			nil, nil,
			[][2]int{{1, 1}, {1, 1}}, []string{"last words", "closed its communicator"}},
		{"a goodbye that names the rank it failed because of",
			nil, func(e *engine) { e.leave(1, &RankError{Rank: 2, How: "exited with code 3"}) },
			[][2]int{{1, 1}}, []string{"rank 2 failed (exited with code 3; rank 1 " + followerNote},
			nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine()
			for _, m := range tc.queue {
				e.deliver(m)
			}
			var ws []*waiter
			for _, p := range tc.posted {
				ws = append(ws, e.post(uint64(p[0]), p[1], AnyTag, false))
			}
			tc.act(e)
			for i, w := range ws {
				g := got(w)
				if tc.want[i] == "" && g != "" || !strings.Contains(g, tc.want[i]) {
					t.Errorf("posted receive %v got %q, want %q", tc.posted[i], g, tc.want[i])
				}
			}
			for i, l := range tc.later {
				g, err := try{uint64(l[0]), l[1], AnyTag, false, ""}.run(e)
				if err != nil {
					g = "error: " + err.Error()
				}
				if tc.wantLtr[i] == "" && g != "" || !strings.Contains(g, tc.wantLtr[i]) {
					t.Errorf("later receive %v got %q, want %q", l, g, tc.wantLtr[i])
				}
			}
		})
	}
}

// TestMatchArrive: where an arriving frame's payload goes (engine.arrive):
// straight into a posted receive's buffers when it fits, left in the
// socket (lazy) when large and nobody waits behind it, else read into
// memory.
func TestMatchArrive(t *testing.T) {
	type recvSpec struct {
		src, tag, room, elem int
		peek                 bool
	}
	for _, tc := range []struct {
		name   string
		posted []recvSpec
		m      message
		lazy   bool
		want   string // "waiter N", "pending", "memory"
	}{
		{"fits a posted receive", []recvSpec{{0, 5, 100, -1, false}}, message{ctx: 1, src: 0, tag: 5, n: 100}, true, "waiter 0"},
		{"too large for its buffers", []recvSpec{{0, 5, 99, -1, false}}, message{ctx: 1, src: 0, tag: 5, n: 100}, true, "memory"},
		{"another element kind", []recvSpec{{0, 5, 100, 3, false}}, message{ctx: 1, src: 0, tag: 5, n: 100, elem: 4}, true, "memory"},
		{"the same element kind", []recvSpec{{0, 5, 100, 4, false}}, message{ctx: 1, src: 0, tag: 5, n: 100, elem: 4}, true, "waiter 0"},
		{"a probe reads nothing", []recvSpec{{0, 5, 100, -1, true}}, message{ctx: 1, src: 0, tag: 5, n: 100}, true, "memory"},
		{"the first match decides", []recvSpec{{1, 5, 100, -1, false}, {0, AnyTag, 10, -1, false}, {0, 5, 100, -1, false}}, message{ctx: 1, src: 0, tag: 5, n: 100}, true, "memory"},
		{"large, nobody waits", nil, message{ctx: 1, src: 0, tag: 5, n: 100}, true, "pending"},
		{"small, nobody waits", nil, message{ctx: 1, src: 0, tag: 5, n: 100}, false, "memory"},
		{"a receive from that rank waits behind it", []recvSpec{{0, 9, 100, -1, false}}, message{ctx: 1, src: 0, tag: 5, n: 100}, true, "memory"},
		{"a receive from any rank waits behind it", []recvSpec{{AnySource, 9, 100, -1, false}}, message{ctx: 1, src: 0, tag: 5, n: 100}, true, "memory"},
		{"a receive from another rank does not", []recvSpec{{1, 9, 100, -1, false}}, message{ctx: 1, src: 0, tag: 5, n: 100}, true, "pending"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine()
			var ws []*waiter
			for _, p := range tc.posted {
				w := e.post(1, p.src, p.tag, p.peek)
				if !p.peek {
					w.bufs, w.room = [][]byte{make([]byte, p.room)}, p.room
				}
				w.elem = p.elem
				ws = append(ws, w)
			}
			w, pr := e.arrive(tc.m, tc.lazy)
			g := "memory"
			switch {
			case w != nil:
				g = fmt.Sprintf("waiter %d", slices.Index(ws, w))
			case pr != nil:
				g = "pending"
			}
			if g != tc.want {
				t.Errorf("arrive: %s, want %s", g, tc.want)
			}
		})
	}
}
