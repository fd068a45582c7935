package collectives

import (
	"context"
	"sync"
	"time"

	"github.com/gorun-hpc/gorun/comm"
)

// Some mismatches leave every involved rank waiting to receive, so no data
// message ever shows the difference: rank 0 in Gather(root=0) waits for rank
// 1, rank 1 in Gather(root=1) waits for rank 0. A call that has waited
// probeAfter therefore starts a watchdog that sends its header, marked as a
// probe, to the peer it waits for, and listens for probes from others. A
// rank that receives a probe for its own sequence number compares it with
// its call; a prober that is behind gets a reply from a rank that is ahead.
// In a deadlock some waiting rank waits for a rank in a different call (if
// all agreed, the algorithm would not deadlock), so one of them sees the
// difference, reports it and revokes the communicator, which wakes everyone.
//
// The timings are not synchronisation: a probe between ranks in the same
// call is ignored, so a slow but correct run only costs a few small messages.
const (
	// probeAfter is long enough that normal calls (even 16 ranks on 2
	// busy cores) never start a watchdog, short enough that a mismatch is
	// reported while a person still watches.
	probeAfter = 500 * time.Millisecond
	// probeMaxInterval caps the back-off between probes of a long wait.
	probeMaxInterval = 4 * time.Second
	// aheadConfirmTicks: when a reply shows the awaited peer already past
	// this call, the data might still be in flight; the watchdog only
	// reports if the same receive is still waiting this many probes later.
	aheadConfirmTicks = 2
	// maxProbesPerPeer bounds the probes one call sends to one peer: a
	// probe that is not read at once waits in the peer's queue and still
	// does its work when the peer gets stuck, so resending only guards
	// against a probe drained by a call that did not get stuck, and a rank
	// that waits for hours must not flood the one it waits for.
	maxProbesPerPeer = 4
)

type prober struct {
	cl     *call
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

// startProber runs in its own goroutine, started by the watchlist
// (watchlist.go) once the call has waited probeAfter, and owns the
// watchdog until finish stops it.
func (cl *call) startProber() {
	cl.mu.Lock()
	if cl.finished {
		cl.mu.Unlock()
		return
	}
	ctx, cancel := context.WithCancel(cl.ctx)
	p := &prober{cl: cl, ctx: ctx, cancel: cancel, done: make(chan struct{})}
	cl.prober = p
	cl.mu.Unlock()
	p.run()
}

func (p *prober) stop() {
	p.cancel()
	<-p.done
}

type probeMsg struct {
	h   header
	src int
}

func (p *prober) run() {
	defer close(p.done)
	cl := p.cl
	msgs := make(chan probeMsg)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // receives probes and replies until the call ends
		defer wg.Done()
		for {
			var hb [hdrSize]byte
			st, err := cl.c.Recvv(p.ctx, comm.AnySource, tagProbe, hb[:])
			if err != nil {
				if p.ctx.Err() != nil || !isTruncate(err) {
					return
				}
				continue
			}
			h, herr := decodeHeader(hb[:min(st.Count, hdrSize)])
			if herr != nil || h.commID != cl.user.ID() {
				continue
			}
			select {
			case msgs <- probeMsg{h, st.Source}:
			case <-p.ctx.Done():
				return
			}
		}
	}()
	defer wg.Wait()

	probe := header{desc: cl.d, flags: flagProbe, sender: int32(cl.rank), commID: cl.user.ID(), seq: cl.seq}
	var probeBytes [hdrSize]byte
	probe.encode(&probeBytes)
	reply := probe
	reply.flags = flagReply
	var replyBytes [hdrSize]byte
	reply.encode(&replyBytes)

	var suspect struct {
		on    uint64 // waiting value when a reply showed the peer ahead
		ticks int
		h     header
		src   int
	}
	sent := map[int]int{}
	interval := probeAfter
	tick := time.NewTimer(0)
	defer tick.Stop()
	for {
		select {
		case <-p.ctx.Done():
			p.cancel()
			return
		case <-tick.C:
			w := cl.waiting.Load()
			if src := int(uint32(w)) - 1; w != 0 && sent[src] < maxProbesPerPeer {
				sent[src]++
				// Best effort: a failed probe changes nothing the
				// call's own receive would not also report.
				// BestEffort: the peer may have finished and exited
				// while its data is still on the way; that is no failure.
				_ = cl.c.Send(comm.BestEffort(p.ctx), src, tagProbe, probeBytes[:])
			}
			if suspect.on != 0 {
				if suspect.on == w {
					suspect.ticks++
					if suspect.ticks >= aheadConfirmTicks {
						cl.mismatch(suspect.src, suspect.h, "it finished that call without sending what this rank waits for")
						p.cancel()
						return
					}
				} else {
					suspect.on = 0
				}
			}
			interval = min(2*interval, probeMaxInterval)
			tick.Reset(interval)
		case m := <-msgs:
			h := m.h
			switch act, other := cl.classify(h); act {
			case actCheck:
				cl.check(m.src, h)
				p.cancel()
				return
			case actCheckOther:
				other.check(m.src, h)
			case actReply:
				// The prober waits for this rank in a call this rank
				// has finished: tell it where this rank is.
				reply.answer = uint16(h.seq)
				reply.encode(&replyBytes)
				_ = cl.c.Send(comm.BestEffort(p.ctx), m.src, tagProbe, replyBytes[:])
			case actSuspect:
				w := cl.waiting.Load()
				if w != 0 && int(uint32(w))-1 == m.src && suspect.on != w {
					suspect.on, suspect.ticks, suspect.h, suspect.src = w, 0, h, m.src
				}
			}
		}
	}
}

// probeAction is what a call's watchdog does with a probe or a reply.
type probeAction uint8

const (
	actIgnore     probeAction = iota
	actCheck                  // another call at this call's sequence number: compare
	actCheckOther             // a probe for a nonblocking call of this rank still running, with another description
	actReply                  // a probe for a call this rank has finished: say where this rank is
	actSuspect                // a reply: the awaited peer may be past this call
)

// classify decides what the watchdog of cl does with h (a probe or reply
// from a peer). A rank may run several calls on one communicator at once
// (nonblocking ones, then a blocking one), each with its own watchdog, and
// any of them may receive a probe meant for another: so a probe for a call
// of this rank that is still running is judged by that call (never
// answered as finished), and a reply counts only for the call it answers.
func (cl *call) classify(h header) (probeAction, *call) {
	probe, reply := h.flags&flagProbe != 0, h.flags&flagReply != 0
	switch {
	case h.seq == cl.seq && h.desc == cl.d:
		// Same call; the peer waits for someone else.
		return actIgnore, nil
	case h.seq == cl.seq:
		return actCheck, nil
	case probe:
		if other := cl.lookup(h.seq); other != nil {
			if other.d != h.desc {
				return actCheckOther, other
			}
			return actIgnore, nil
		}
		if h.seq < cl.seq {
			return actReply, nil
		}
	case reply && h.seq > cl.seq && h.answer == uint16(cl.seq):
		return actSuspect, nil
	}
	return actIgnore, nil
}
