package comm

import (
	"slices"
	"time"
)

// Failed ranks in a world that recovers (Config.Recover, gorun
// --enable-recovery): a rank's death breaks the communicators it is a
// member of, on every rank as it learns of it, and nothing else. Their
// pending and later operations get the dead rank's *RankError, so no
// survivor waits for it in a collective; communicators without it (the
// one Shrink returns) go on. Without recovery a death ends the world, as
// before (engine.fail).
//
// What Agree needs of the failure detector (ARCHITECTURE.md, decision
// 18): a rank is declared dead only when it is (on one host the kernel
// ends its connections and the launcher reaps it), every survivor hears
// of every death, and a dead rank counts as gone for an agreement only
// once every frame it sent this rank has been read: its stream ended (the
// kernel closes a dead process's sockets after the data it wrote) and no
// connection is still in its handshake. A stream that does not end (a
// host that hangs) is given up after streamEndWait.

// streamEndWait bounds the wait for a dead rank's stream to end.
const streamEndWait = 5 * time.Second

// streamEnds is what the engine knows of the streams this rank reads.
type streamEnds struct {
	open       map[int]int       // open streams from each rank
	handshakes int               // accepted connections not yet authenticated
	diedAt     map[int]time.Time // when each dead rank was declared dead
	wait       time.Duration     // streamEndWait, or a test's
}

// handshake counts an accepted connection whose handshake has not ended.
func (e *engine) handshake(n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ends.handshakes += n
}

// streamFrom ends a handshake; ok: it opened a stream from src.
func (e *engine) streamFrom(src int, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ends.handshakes--
	if ok {
		if e.ends.open == nil {
			e.ends.open = map[int]int{}
		}
		e.ends.open[src]++
	}
	e.pokeLocked()
}

// streamEnd is called when a stream from src ended (ok as for
// streamFrom): every frame of it has been delivered.
func (e *engine) streamEnd(src int, ok bool) {
	if !ok {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ends.open[src]--
	e.pokeLocked()
}

// agreeLost reports which ranks of group an agreement counts as gone:
// the dead and those that left. drained says every frame they sent this
// rank has been read: a goodbye is the last frame of its stream, and a
// dead rank's frames are all in once its streams ended and no
// handshake is under way, or streamEndWait after its death (a host that
// hangs); recheck, if not zero, is when that wait ends.
func (e *engine) agreeLost(group []int) (lost map[int]bool, drained bool, recheck time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	lost, drained = map[int]bool{}, true
	if len(e.dead) == 0 && len(e.gone) == 0 {
		return lost, true, time.Time{}
	}
	wait := e.ends.wait
	if wait == 0 {
		wait = streamEndWait
	}
	now := time.Now()
	for _, r := range group {
		if e.gone[r] != nil {
			lost[r] = true
		}
		if e.dead[r] == nil {
			continue
		}
		lost[r] = true
		if e.ends.open[r] == 0 && e.ends.handshakes == 0 {
			continue
		}
		if giveUp := e.ends.diedAt[r].Add(wait); now.Before(giveUp) {
			drained = false
			if recheck.IsZero() || giveUp.Before(recheck) {
				recheck = giveUp
			}
		}
	}
	return lost, drained, recheck
}

// markDead records that re.Rank died; it reports whether that is news.
// Receives on a communicator with re.Rank in it, or from it, wake with
// the error.
func (e *engine) markDead(re *RankError) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.dead[re.Rank] != nil {
		return false
	}
	cp := *re
	cp.recovering = true
	e.dead[re.Rank] = &cp
	e.broken.Store(true)
	if e.ends.diedAt == nil {
		e.ends.diedAt = map[int]time.Time{}
	}
	e.ends.diedAt[re.Rank] = time.Now()
	e.pokeLocked()
	e.wakeLocked(func(w *waiter) bool { return w.src == re.Rank || slices.Contains(w.group, re.Rank) }, &cp)
	return true
}

// pokeLocked wakes the watchers of deathWait: a rank died or left, or a
// stream opened or ended.
func (e *engine) pokeLocked() {
	close(e.deaths)
	e.deaths = make(chan struct{})
}

// deathWait is closed at the next death, leaving or stream event (a
// stream from a rank opened or ended) the engine learns of.
func (e *engine) deathWait() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.deaths
}

// surelyDead is rank r's death if its streams to this rank have ended
// too (a rank declared dead with a stream still open may be a live rank
// on a host that was cut off for a while), else nil.
func (e *engine) surelyDead(r int) *RankError {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ends.open[r] > 0 {
		return nil
	}
	return e.dead[r]
}

// deadErr is rank r's death, or nil.
func (e *engine) deadErr(r int) *RankError {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.dead[r]
}

// brokenIn is broken for a communicator of group: also a dead member
// breaks it.
func (e *engine) brokenIn(cctx uint64, group []int) error {
	if e.noneBroken() {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.brokenInLocked(cctx, group)
}

func (e *engine) brokenInLocked(cctx uint64, group []int) error {
	if err := e.brokenLocked(cctx); err != nil {
		return err
	}
	if len(e.dead) == 0 {
		return nil
	}
	first := -1
	for _, r := range group {
		if e.dead[r] != nil && (first < 0 || r < first) {
			first = r
		}
	}
	if first >= 0 {
		return e.dead[first]
	}
	return nil
}

// rankDied is rankFailed in a world that recovers: the peers this rank
// sends to hear of it first (as rankFailed tells them), then its
// communicators with the dead rank break.
func (w *world) rankDied(re *RankError) {
	if w.closed.Load() || re.Rank == w.rank || w.eng.deadErr(re.Rank) != nil {
		return
	}
	w.tellFailed(re)
	w.eng.markDead(re)
}
