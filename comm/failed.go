package comm

import (
	"slices"
)

// Failed ranks in a world that recovers (Config.Recover, gorun
// --enable-recovery): a rank's death breaks the communicators it is a
// member of, on every rank as it learns of it, and nothing else. Their
// pending and later operations get the dead rank's *RankError, so no
// survivor waits for it in a collective; communicators without it (the
// one Shrink returns) go on. Without recovery a death ends the world, as
// before (engine.fail).
//
// A rank declared dead stays dead: frames that arrive from it after the
// verdict are dropped (fenced), so every survivor sees it stop at or
// before the point it learnt of the death, as if it had crashed then. On
// one host the verdict comes from the kernel (its connections end) or the
// launcher (it reaped the process) and is always right; across hosts
// memberlist may suspect a live but unreachable host, and the fence makes
// the verdict true for the survivors (ARCHITECTURE.md, decision 18).

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
	e.pokeLocked()
	e.wakeLocked(func(w *waiter) bool { return w.src == re.Rank || slices.Contains(w.group, re.Rank) }, &cp)
	return true
}

// pokeLocked wakes the watchers of deathWait: a rank died or left.
func (e *engine) pokeLocked() {
	close(e.deaths)
	e.deaths = make(chan struct{})
}

// deathWait is closed at the next death (or leaving) the engine learns of.
func (e *engine) deathWait() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.deaths
}

// deadErr is rank r's death, or nil.
func (e *engine) deadErr(r int) *RankError {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.dead[r]
}

// lostRanks reports which of group (world ranks) are dead or left
// (closed their world communicator): they answer no more.
func (e *engine) lostRanks(group []int) map[int]bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[int]bool{}
	if len(e.dead) == 0 && len(e.gone) == 0 {
		return out
	}
	for _, r := range group {
		if e.dead[r] != nil || e.gone[r] != nil {
			out[r] = true
		}
	}
	return out
}

// brokenIn is broken for a communicator of group: also a dead member
// breaks it.
func (e *engine) brokenIn(cctx uint64, group []int) error {
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
