package comm

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// crash ends rank c's world as its process dying would: every socket
// closes and nothing is said (no goodbye, no failure notice); the
// rendezvous of NewLocalRecover then reports it, as gorun's launcher
// reports a process it reaped.
func crash(c *Comm) {
	w := c.w
	if w.closed.Swap(true) {
		return
	}
	close(w.done)
	for _, oc := range w.outConns() {
		oc.mu.Lock()
		if oc.c != nil {
			oc.c.Close()
		}
		oc.err = ErrClosed
		oc.mu.Unlock()
	}
	w.ln.Close()
	w.mu.Lock()
	for _, a := range w.accepted {
		a.Close()
	}
	w.mu.Unlock()
	w.ctl.conn.Close()
	<-w.ctl.done
	w.eng.fail(ErrClosed)
	w.wg.Wait()
}

// recoverLocal is NewLocalRecover for a test; every rank is closed (or
// crashed) at the end.
func recoverLocal(t *testing.T, n int) []*Comm {
	t.Helper()
	cs, err := NewLocalRecover(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, c := range cs {
			c.Close()
		}
	})
	return cs
}

// agreeResult is one rank's answer.
type agreeResult struct {
	all    bool
	failed []int
	err    error
}

// agreeAll runs Agree on the ranks of cs not in skip, each with its flag,
// under a deadline that only a hang reaches.
func agreeAll(t *testing.T, cs []*Comm, flags []bool, skip ...int) []agreeResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := make([]agreeResult, len(cs))
	var wg sync.WaitGroup
	for i, c := range cs {
		if slices.Contains(skip, i) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			all, failed, err := c.Agree(ctx, flags[i])
			out[i] = agreeResult{all, failed, err}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatal("Agree hung")
	}
	return out
}

// sameAmong checks that the ranks in live returned one answer, and returns it.
func sameAmong(t *testing.T, res []agreeResult, live []int) agreeResult {
	t.Helper()
	first := res[live[0]]
	for _, r := range live {
		if res[r].err != nil {
			t.Fatalf("rank %d: %v", r, res[r].err)
		}
		if res[r].all != first.all || !slices.Equal(res[r].failed, first.failed) {
			t.Fatalf("rank %d agreed on (%v, %v), rank %d on (%v, %v)", r, res[r].all, res[r].failed, live[0], first.all, first.failed)
		}
	}
	return first
}

func TestAgreeNoFailure(t *testing.T) {
	for _, n := range []int{1, 2, 5} {
		for _, rec := range []bool{false, true} {
			t.Run(fmt.Sprintf("n%d/recover=%v", n, rec), func(t *testing.T) {
				var cs []*Comm
				if rec {
					cs = recoverLocal(t, n)
				} else {
					cs = local(t, n)
				}
				live := make([]int, n)
				for i := range live {
					live[i] = i
				}
				allTrue := slices.Repeat([]bool{true}, n)
				if got := sameAmong(t, agreeAll(t, cs, allTrue), live); !got.all || len(got.failed) != 0 {
					t.Fatalf("all true: got (%v, %v), want (true, [])", got.all, got.failed)
				}
				oneFalse := slices.Clone(allTrue)
				oneFalse[n-1] = false
				if got := sameAmong(t, agreeAll(t, cs, oneFalse), live); got.all || len(got.failed) != 0 {
					t.Fatalf("one false: got (%v, %v), want (false, [])", got.all, got.failed)
				}
			})
		}
	}
}

// TestAgreeAfterDeath: a rank died before the call; the others agree on it.
func TestAgreeAfterDeath(t *testing.T) {
	for _, victim := range []int{0, 2, 3} { // the first coordinator, a middle rank, the last
		t.Run(fmt.Sprint("victim", victim), func(t *testing.T) {
			cs := recoverLocal(t, 4)
			crash(cs[victim])
			var live []int
			for r := range 4 {
				if r != victim {
					live = append(live, r)
				}
			}
			flags := []bool{true, true, true, true}
			flags[victim] = false // a dead rank's flag does not count
			got := sameAmong(t, agreeAll(t, cs, flags, victim), live)
			if !got.all || !slices.Equal(got.failed, []int{victim}) {
				t.Fatalf("got (%v, %v), want (true, [%d])", got.all, got.failed, victim)
			}
		})
	}
}

// TestAgreeDeathDuring: ranks die inside the agreement, at each step of
// the protocol where it matters: the coordinator after it heard some
// proposals, the coordinator after it sent its decision to some ranks
// (the others must learn it from them), a second coordinator the same
// way, and a participant after it proposed. The survivors must all return
// the same answer, and return.
func TestAgreeDeathDuring(t *testing.T) {
	type kill struct {
		who  int    // the rank whose hook kills
		step string // "propose" or "decide"
		nth  int    // at its nth call of that step (1-based)
		dies int    // the rank that dies then
	}
	for _, tc := range []struct {
		name  string
		n     int
		kills []kill
	}{
		{"coordinator after first proposal", 4, []kill{{0, "propose", 1, 0}}},
		{"coordinator after all proposals", 4, []kill{{0, "propose", 3, 0}}},
		{"coordinator after one decision", 4, []kill{{0, "decide", 1, 0}}},
		{"coordinator after two decisions", 5, []kill{{0, "decide", 2, 0}}},
		{"two coordinators mid-decision", 5, []kill{{0, "decide", 1, 0}, {1, "decide", 1, 1}}},
		{"participant after proposing", 4, []kill{{0, "propose", 2, 3}}},
		{"coordinator and a participant", 6, []kill{{0, "propose", 2, 0}, {1, "propose", 1, 4}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := recoverLocal(t, tc.n)
			dead := map[int]bool{}
			var mu sync.Mutex
			for _, k := range tc.kills {
				count := 0
				prev := cs[k.who].agreeHook
				cs[k.who].agreeHook = func(step string, r int) {
					if prev != nil {
						prev(step, r)
					}
					if step != k.step {
						return
					}
					count++
					if count == k.nth {
						mu.Lock()
						dead[k.dies] = true
						mu.Unlock()
						crash(cs[k.dies])
					}
				}
			}
			flags := slices.Repeat([]bool{true}, tc.n)
			res := agreeAll(t, cs, flags)
			var live []int
			for r := range tc.n {
				if !dead[r] {
					live = append(live, r)
				}
			}
			got := sameAmong(t, res, live)
			if !got.all {
				t.Fatalf("flag false, want true")
			}
			for _, r := range got.failed {
				if !dead[r] {
					t.Fatalf("rank %d, alive, counted as failed: %v", r, got.failed)
				}
			}
			t.Logf("survivors %v agreed, failed %v", live, got.failed)
		})
	}
}

// TestAgreeLeft: a rank that closed its communicator is counted out.
func TestAgreeLeft(t *testing.T) {
	cs := recoverLocal(t, 3)
	cs[1].Close()
	got := sameAmong(t, agreeAll(t, cs, []bool{true, true, true}, 1), []int{0, 2})
	if !slices.Equal(got.failed, []int{1}) {
		t.Fatalf("failed %v, want [1]", got.failed)
	}
}

// TestAgreeOthersLeftAfterDeciding: rank 1 proposes, and before it looks
// at its messages the others decide, return and close. Rank 1 must return
// their decision (relayed to it before they left), not decide alone as
// the one rank left.
func TestAgreeOthersLeftAfterDeciding(t *testing.T) {
	cs := recoverLocal(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	others := make(chan agreeResult, 2)
	cs[1].agreeHook = func(step string, _ int) {
		if step != "proposed" {
			return
		}
		for range 2 {
			if r := <-others; r.err != nil {
				t.Error(r.err)
			}
		}
		cs[0].Close()
		cs[2].Close()
		// Rank 1 has read their goodbyes (and what came before them).
		for {
			ch := cs[1].w.eng.deathWait()
			if lost, _, _ := cs[1].w.eng.agreeLost(cs[1].members); len(lost) == 2 {
				break
			}
			<-ch
		}
	}
	for _, i := range []int{0, 2} {
		go func() {
			all, failed, err := cs[i].Agree(ctx, i != 0)
			others <- agreeResult{all, failed, err}
		}()
	}
	all, failed, err := cs[1].Agree(ctx, true)
	if err != nil || all || len(failed) != 0 {
		t.Fatalf("rank 1 agreed on (%v, %v, %v); the others on (false, [])", all, failed, err)
	}
}

// TestAgreeSuspectAlive: the launcher declares rank 2 dead while it runs
// and its streams stay open (a host cut off, as memberlist may say). The
// others give its streams up after the bounded wait and agree without
// it; rank 2 is told it was counted as failed, not given their answer.
func TestAgreeSuspectAlive(t *testing.T) {
	cs, rv, err := newLocalJob(context.Background(), 3, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, c := range cs {
		c.w.lostWait.Store(0)
		c.w.eng.mu.Lock()
		c.w.eng.ends.wait = 100 * time.Millisecond
		c.w.eng.mu.Unlock()
	}
	// Rank 2 has streams to both others.
	for _, dst := range []int{0, 1} {
		if err := cs[2].Send(ctx, dst, 0, []byte("x")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := cs[dst].RecvBytes(ctx, 2, 0); err != nil {
			t.Fatal(err)
		}
	}
	rv.NotifyFailed(2, "host cut off")
	for _, c := range cs[:2] { // both know before the call
		for c.w.eng.deadErr(2) == nil {
			<-c.w.eng.deathWait()
		}
	}
	res := agreeAll(t, cs, []bool{true, true, false})
	got := sameAmong(t, res, []int{0, 1})
	if !got.all || !slices.Equal(got.failed, []int{2}) {
		t.Fatalf("got (%v, %v), want (true, [2])", got.all, got.failed)
	}
	if !errors.Is(res[2].err, ErrRankFailed) {
		t.Fatalf("rank 2: %v, want ErrRankFailed", res[2].err)
	}
}

// TestAgreeNotRecovering: without recovery a death ends the world, and
// Agree says so instead of waiting.
func TestAgreeNotRecovering(t *testing.T) {
	cs := local(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Rank 2 dials rank 0, then vanishes: rank 0 sees its stream end.
	if err := cs[2].Send(ctx, 0, 0, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cs[0].RecvBytes(ctx, 2, 0); err != nil {
		t.Fatal(err)
	}
	crash(cs[2])
	_, _, err := cs[0].Agree(ctx, true)
	if !errors.Is(err, ErrRankFailed) {
		t.Fatalf("Agree in a world that does not recover: %v, want ErrRankFailed", err)
	}
}

func TestDecodeAgreed(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		ok   bool
		want agreed
	}{
		{[]byte{1}, true, agreed{flag: true}},
		{[]byte{0, 2, 0, 0, 0, 1, 0, 0, 0}, true, agreed{failed: []int{1, 2}}},
		{[]byte{0, 9, 0, 0, 0}, true, agreed{}}, // rank out of range: dropped
		{[]byte{}, false, agreed{}},
		{[]byte{2}, false, agreed{}},
		{[]byte{1, 0, 0}, false, agreed{}},
	} {
		got, ok := decodeAgreed(tc.in, 4)
		if ok != tc.ok || got.flag != tc.want.flag || !slices.Equal(got.failed, tc.want.failed) {
			t.Errorf("decodeAgreed(%v) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		if ok {
			if back, _ := decodeAgreed(got.encode(), 4); back.flag != got.flag || !slices.Equal(back.failed, got.failed) {
				t.Errorf("round trip of %v gave %v", got, back)
			}
		}
	}
}

func FuzzDecodeAgreed(f *testing.F) {
	f.Add([]byte{1, 2, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, ok := decodeAgreed(b, 16)
		if !ok {
			return
		}
		for _, r := range a.failed {
			if r < 0 || r >= 16 {
				t.Fatalf("rank %d out of range", r)
			}
		}
	})
}

// TestAgreeRandomDeaths: many agreements among 6 ranks, each with one to
// three ranks dying at a random step of a random rank's protocol (on
// hearing a flag, after sending one, after sending a decision to some
// rank), with random flags. Every time, the survivors must return, with
// one answer, whose failed ranks are all dead and whose flag is the AND
// of the survivors' flags at least (a dead rank's flag may count).
func TestAgreeRandomDeaths(t *testing.T) {
	rounds := 40
	if testing.Short() {
		rounds = 8
	}
	rng := rand.New(rand.NewPCG(1, 2))
	steps := []string{"propose", "proposed", "decide"}
	for round := range rounds {
		const n = 6
		cs := recoverLocal(t, n)
		flags := make([]bool, n)
		for i := range flags {
			flags[i] = rng.IntN(4) != 0
		}
		var mu sync.Mutex
		dead := map[int]bool{}
		nk := 1 + rng.IntN(3)
		type kill struct {
			who, nth, victim int
			step             string
		}
		var kills []kill
		for range nk {
			kills = append(kills, kill{who: rng.IntN(n), nth: 1 + rng.IntN(3), victim: rng.IntN(n), step: steps[rng.IntN(len(steps))]})
		}
		for who := range n {
			counts := map[string]int{}
			var mine []kill
			for _, k := range kills {
				if k.who == who {
					mine = append(mine, k)
				}
			}
			if len(mine) == 0 {
				continue
			}
			cs[who].agreeHook = func(step string, _ int) {
				counts[step]++
				for _, k := range mine {
					if k.step == step && k.nth == counts[step] {
						mu.Lock()
						dead[k.victim] = true
						mu.Unlock()
						crash(cs[k.victim])
					}
				}
			}
		}
		res := agreeAll(t, cs, flags)
		var live []int
		want := true
		for r := range n {
			if !dead[r] {
				live = append(live, r)
				want = want && flags[r]
			}
		}
		if len(live) == 0 {
			continue
		}
		got := sameAmong(t, res, live)
		if !want && got.all {
			t.Fatalf("round %d: all = true, but a survivor's flag was false (flags %v, dead %v)", round, flags, dead)
		}
		for _, r := range got.failed {
			if !dead[r] {
				t.Fatalf("round %d: live rank %d counted as failed (%v)", round, r, got.failed)
			}
		}
	}
}

// BenchmarkAgree: one agreement among n in-process ranks, nobody failing
// (the cost a loop pays for asking "did every rank finish?").
func BenchmarkAgree(b *testing.B) {
	for _, n := range []int{4, 16} {
		b.Run(fmt.Sprint("n", n), func(b *testing.B) {
			cs, err := NewLocalRecover(context.Background(), n)
			if err != nil {
				b.Fatal(err)
			}
			defer func() {
				for _, c := range cs {
					c.Close()
				}
			}()
			ctx := context.Background()
			b.ResetTimer()
			var wg sync.WaitGroup
			for _, c := range cs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range b.N {
						if _, _, err := c.Agree(ctx, true); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
		})
	}
}

// TestAgreeLostDrained: a dead rank counts as drained (every frame it
// sent is in) once its streams ended and no handshake is under way, or
// once the bounded wait after its death is over; a rank that left is
// drained at once (its goodbye was its last frame).
func TestAgreeLostDrained(t *testing.T) {
	e := newEngine()
	e.ends.wait = time.Hour
	group := []int{0, 1, 2, 3}
	check := func(what string, wantLost []int, wantDrained bool) {
		t.Helper()
		lost, drained, recheck := e.agreeLost(group)
		var got []int
		for _, r := range group {
			if lost[r] {
				got = append(got, r)
			}
		}
		if !slices.Equal(got, wantLost) || drained != wantDrained || drained != recheck.IsZero() {
			t.Fatalf("%s: lost %v drained %v recheck %v; want lost %v drained %v", what, got, drained, recheck, wantLost, wantDrained)
		}
	}
	check("nobody gone", nil, true)
	e.handshake(1)
	e.streamFrom(2, true) // rank 2 dialed this rank
	e.markDead(&RankError{Rank: 2, How: "killed"})
	check("dead, stream open", []int{2}, false)
	e.handshake(1) // a connection from someone, not yet authenticated
	e.streamEnd(2, true)
	check("dead, stream ended, a handshake under way", []int{2}, false)
	e.streamFrom(0, false) // that handshake failed
	check("dead, stream ended", []int{2}, true)
	e.leave(3, nil)
	check("and one left", []int{2, 3}, true)
	e.handshake(1)
	e.streamFrom(1, true)
	e.markDead(&RankError{Rank: 1, How: "host cut off"})
	e.mu.Lock()
	e.ends.diedAt[1] = time.Now().Add(-2 * time.Hour) // the wait is over
	e.mu.Unlock()
	check("dead long ago, stream open", []int{1, 2, 3}, true)
}
