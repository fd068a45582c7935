package comm

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"time"
)

// Agree is ULFM's MPIX_Comm_agree: a fault-tolerant agreement among the
// live members of c. Every member calls it (collective); every member that
// returns without error returns the same failed (the ranks of c known to
// have died or left, sorted) and the same all (the AND of the flags of
// the ranks not in failed). That holds even when ranks die during the
// call, as long as one member survives; c itself may be broken by those
// deaths, Agree needs none of its other traffic.
//
// The algorithm (a rotating coordinator over the failure detector comm
// has: connections that end, the launcher's verdicts) and its assumptions
// are ARCHITECTURE.md's decision 19. A world that does not recover
// (Config.Recover, gorun --enable-recovery) ends at the first death, and
// then Agree returns that error. Errors are those of ctx, of a closed
// world or an aborted job, and ErrRankFailed for a rank the others
// counted as dead while it ran (a host cut off for a while).
func (c *Comm) Agree(ctx context.Context, flag bool) (all bool, failed []int, err error) {
	d, _, err := c.agree(ctx, flag)
	if err != nil {
		return false, nil, fmt.Errorf("comm: Agree: %w", err)
	}
	return d.flag, d.failed, nil
}

// Agreement messages, on a context of each call's own. Payload: one byte
// (the flag), then the ranks of c the sender counts as failed, u32 each.
const (
	agreePropose = 1 // a member's contribution, to the coordinator
	agreeDecide  = 2 // the decision, from its coordinator or relayed
)

// agreed is a proposal or a decision.
type agreed struct {
	flag   bool
	failed []int // ranks of c, sorted
}

func (a agreed) encode() []byte {
	b := []byte{0}
	if a.flag {
		b[0] = 1
	}
	for _, r := range a.failed {
		b = binary.LittleEndian.AppendUint32(b, uint32(r))
	}
	return b
}

// decodeAgreed reads a payload from a peer; ranks outside [0,n) are
// dropped, so a garbled message can only lose information.
func decodeAgreed(b []byte, n int) (agreed, bool) {
	if len(b) < 1 || (len(b)-1)%4 != 0 || b[0] > 1 {
		return agreed{}, false
	}
	a := agreed{flag: b[0] == 1}
	for i := 1; i < len(b); i += 4 {
		if r := int(binary.LittleEndian.Uint32(b[i:])); r < n && !slices.Contains(a.failed, r) {
			a.failed = append(a.failed, r)
		}
	}
	sort.Ints(a.failed)
	return a, true
}

// agreement is one rank's state in one Agree call.
type agreement struct {
	c     *Comm
	id    uint64         // the call's context
	flag  bool           // this rank's contribution
	lost  map[int]bool   // ranks of c counted as failed so far
	props map[int]agreed // proposals received, by rank of c
}

// agree runs one agreement; it also returns the call's number on c (the
// same on every member), from which Shrink derives the new context.
//
// Every member sends its flag to the coordinator, the lowest rank it does
// not count as lost (dead or left). The coordinator waits until it holds
// the flag of every rank it does not count as lost, and has read every
// frame the lost ones sent it; then it decides (the AND of those flags,
// the lost ranks), sends the decision to every other rank in rank order,
// and returns. A member that receives a decision, from anyone, first
// relays it to the ranks above it, in order, and then returns. A member
// whose coordinator is lost sends its flag to the next one.
func (c *Comm) agree(ctx context.Context, flag bool) (agreed, uint64, error) {
	n := c.agrees.Add(1)
	if c.Size() == 1 {
		return agreed{flag: flag}, n, nil
	}
	a := &agreement{c: c, id: deriveID(c.id, n, "agree"), flag: flag, lost: map[int]bool{}, props: map[int]agreed{}}
	sentTo := -1
	for {
		if err := ctx.Err(); err != nil {
			return agreed{}, n, err
		}
		if err := c.w.eng.failure(); err != nil {
			return agreed{}, n, err // closed, aborted, or a death in a world that does not recover
		}
		deaths := c.w.eng.deathWait() // before looking: a death after the look closes it
		lost, drained, recheck := c.w.eng.agreeLost(c.members)
		for wr := range lost {
			a.lost[c.localRank(wr)] = true
		}
		// What the lost sent is queued (all of it once drained, failed.go):
		// a decision they relayed wins over this rank deciding without them.
		for {
			m, ok := a.tryRecv()
			if !ok {
				break
			}
			if d, done, err := a.handle(ctx, m); done || err != nil {
				return d, n, err
			}
		}
		coord := a.coordinator()
		if coord == c.rank {
			if drained && a.complete() {
				d := a.decide()
				a.broadcast(ctx, d, 0)
				return d, n, nil
			}
		} else if coord != sentTo {
			// A failed send is a death the engine records (or the end of
			// the world, seen above): the loop looks again.
			sentTo = coord
			_ = a.send(ctx, coord, agreePropose, agreed{flag: flag})
			if h := c.agreeHook; h != nil {
				h("proposed", coord)
			}
			continue
		}
		m, err := a.recv(ctx, deaths, recheck)
		if err != nil {
			if ctx.Err() != nil {
				return agreed{}, n, ctx.Err()
			}
			continue // a death or a leaving: look again
		}
		if d, done, err := a.handle(ctx, m); done || err != nil {
			return d, n, err
		}
	}
}

// handle takes one agreement message in; done says it was a decision,
// relayed now and to be returned.
func (a *agreement) handle(ctx context.Context, m message) (agreed, bool, error) {
	c := a.c
	src := c.localRank(m.src)
	msg, ok := decodeAgreed(m.data, c.Size())
	if src < 0 || !ok {
		return agreed{}, false, nil
	}
	switch m.tag {
	case agreePropose:
		a.props[src] = msg
		if h := c.agreeHook; h != nil {
			h("propose", src)
		}
	case agreeDecide:
		if slices.Contains(msg.failed, c.rank) {
			return agreed{}, false, fmt.Errorf("rank %d of the communicator was declared failed by the others while it runs: %w", c.rank, ErrRankFailed)
		}
		a.broadcast(ctx, msg, c.rank+1)
		return msg, true, nil
	}
	return agreed{}, false, nil
}

// coordinator is the lowest rank of c not counted as lost.
func (a *agreement) coordinator() int {
	for r := range a.c.Size() {
		if !a.lost[r] {
			return r
		}
	}
	return a.c.rank // unreachable: this rank is not lost to itself
}

// complete reports whether the coordinator holds every live rank's proposal.
func (a *agreement) complete() bool {
	for r := range a.c.Size() {
		if r == a.c.rank || a.lost[r] {
			continue
		}
		if _, ok := a.props[r]; !ok {
			return false
		}
	}
	return true
}

func (a *agreement) decide() agreed {
	d := agreed{flag: a.flag}
	for r, p := range a.props {
		if !a.lost[r] { // the flags of the ranks that are not in failed
			d.flag = d.flag && p.flag
		}
	}
	d.failed = a.lostList()
	return d
}

func (a *agreement) lostList() []int {
	out := make([]int, 0, len(a.lost))
	for r := range a.lost {
		out = append(out, r)
	}
	sort.Ints(out)
	return out
}

// broadcast sends decision d to every member from rank first up, but
// this rank, in rank order: the coordinator that decided sends it to
// everyone, a member that received it relays it to the ranks above it
// (ARCHITECTURE.md, decision 19, says why that is enough). A rank counted
// as failed but still connected learns that it was (send skips the
// surely dead).
func (a *agreement) broadcast(ctx context.Context, d agreed, first int) {
	for r := first; r < a.c.Size(); r++ {
		if r != a.c.rank {
			_ = a.send(ctx, r, agreeDecide, d)
			if h := a.c.agreeHook; h != nil {
				h("decide", r)
			}
		}
	}
}

// send sends one agreement message to rank r of c, unless r is dead and
// its streams have ended (a dial to it would only wait for the verdict
// again).
func (a *agreement) send(ctx context.Context, r, tag int, m agreed) error {
	wr := a.c.members[r]
	if re := a.c.w.eng.surelyDead(wr); re != nil {
		return re
	}
	return a.c.w.send(ctx, wr, frameHdr{kind: frameData, tag: int32(tag), ctx: a.id}, [][]byte{m.encode()})
}

// tryRecv takes a queued agreement message, if there is one, without
// waiting (a receive whose context has ended still takes what is queued).
func (a *agreement) tryRecv() (message, bool) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m, err := a.c.w.eng.recv(ctx, a.id, nil, AnySource, AnyTag, false, nil, -1)
	return m, err == nil
}

// recv waits for the next agreement message, or for deaths to close (a
// rank died or left, a stream ended: the caller looks again), or until
// (if set: a dead rank's stream is given up then). Its receive is not one of
// c's: the deaths that break c do not break it.
func (a *agreement) recv(ctx context.Context, deaths <-chan struct{}, until time.Time) (message, error) {
	rctx, cancel := context.WithCancel(ctx)
	if !until.IsZero() {
		rctx, cancel = context.WithDeadline(ctx, until)
	}
	defer cancel()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-deaths:
			cancel()
		case <-stop:
		}
	}()
	return a.c.w.eng.recv(rctx, a.id, nil, AnySource, AnyTag, false, nil, -1)
}
