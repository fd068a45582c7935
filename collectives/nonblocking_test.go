package collectives

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/comm"
)

func seqData(r, n int) []int64 {
	s := make([]int64, n)
	for i := range s {
		s[i] = int64(r)*1_000_003 + int64(i)*7 + 1
	}
	return s
}

// TestNonblockingCollectives issues every nonblocking collective at once,
// then blocking ones before waiting for any: the blocking calls must not
// take the nonblocking calls' messages (or the other way round), and every
// result must equal a serial computation. The large count takes the ring
// and Rabenseifner algorithms, whose sends run in goroutines.
func TestNonblockingCollectives(t *testing.T) {
	for _, p := range []int{1, 2, 3, 5, 8} {
		for _, n := range []int{1, 40000} {
			if raceEnabled && p > 5 && n > 1 {
				n = 5000
			}
			t.Run(fmt.Sprintf("p=%d/n=%d", p, n), func(t *testing.T) {
				cs := local(t, p)
				mustAll(t, cs, func(ctx context.Context, c *comm.Comm) error { return nonblockingRound(ctx, c, n) })
			})
		}
	}
}

func nonblockingRound(ctx context.Context, c *comm.Comm, n int) error {
	p, r := c.Size(), c.Rank()
	root := p - 1
	bc := make([]int64, n)
	if r == root {
		bc = seqData(root, n)
	}
	sum := make([]int64, n)
	red := make([]int64, n)
	ag := make([]int64, p*n)
	ga := make([]int64, p*n)
	sc := make([]int64, n)
	var scSend []int64
	if r == 0 {
		scSend = slices.Concat(seqData(100, n*p))
	}
	a2aSend := seqData(r, p*n)
	a2a := make([]int64, p*n)
	reqs := []*comm.Request{
		Ibarrier(ctx, c),
		Ibcast(ctx, c, bc, root),
		Iallreduce(ctx, c, seqData(r, n), sum, Sum[int64]()),
		Ireduce(ctx, c, seqData(r, n), red, Max[int64](), 0),
		Iallgather(ctx, c, seqData(r, n), ag),
		Igather(ctx, c, seqData(r, n), ga, root),
		Iscatter(ctx, c, scSend, sc, 0),
		Ialltoall(ctx, c, a2aSend, a2a),
	}
	// Blocking calls issued while the nonblocking ones run.
	all := make([]int64, n)
	if err := Allreduce(ctx, c, seqData(r, n), all, Sum[int64]()); err != nil {
		return fmt.Errorf("Allreduce after the nonblocking calls: %w", err)
	}
	bb := make([]int64, 3)
	if r == 0 {
		bb = []int64{4, 5, 6}
	}
	if err := Bcast(ctx, c, bb, 0); err != nil {
		return err
	}
	// A second round of the same nonblocking call, in flight together.
	sum2 := make([]int64, n)
	reqs = append(reqs, Iallreduce(ctx, c, seqData(r+1, n), sum2, Sum[int64]()))
	if _, err := comm.WaitAll(ctx, reqs...); err != nil {
		return err
	}
	wantSum, wantSum2, wantMax := make([]int64, n), make([]int64, n), make([]int64, n)
	for i := range p {
		for j, v := range seqData(i, n) {
			wantSum[j] += v
			wantMax[j] = max(wantMax[j], v)
		}
		for j, v := range seqData(i+1, n) {
			wantSum2[j] += v
		}
	}
	var wantAG []int64
	for i := range p {
		wantAG = append(wantAG, seqData(i, n)...)
	}
	var wantA2A []int64
	for i := range p {
		wantA2A = append(wantA2A, seqData(i, p*n)[r*n:(r+1)*n]...)
	}
	checks := []struct {
		what      string
		got, want []int64
		on        bool
	}{
		{"Ibcast", bc, seqData(root, n), true},
		{"Iallreduce", sum, wantSum, true},
		{"second Iallreduce", sum2, wantSum2, true},
		{"Allreduce", all, wantSum, true},
		{"Bcast", bb, []int64{4, 5, 6}, true},
		{"Ireduce", red, wantMax, r == 0},
		{"Iallgather", ag, wantAG, true},
		{"Igather", ga, wantAG, r == root},
		{"Iscatter", sc, seqData(100, n*p)[r*n : (r+1)*n], true},
		{"Ialltoall", a2a, wantA2A, true},
	}
	for _, ch := range checks {
		if ch.on && !slices.Equal(ch.got, ch.want) {
			return fmt.Errorf("%s: wrong result on rank %d", ch.what, r)
		}
	}
	return nil
}

// TestIbarrierProgresses: a nonblocking call completes while its rank is
// blocked elsewhere, without Wait (no progress calls needed): rank 0 waits
// for a message that rank 1 sends only after its own Ibarrier completed,
// which needs rank 0's part.
func TestIbarrierProgresses(t *testing.T) {
	cs := local(t, 2)
	mustAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
		req := Ibarrier(ctx, c)
		if c.Rank() == 0 {
			if _, _, err := c.RecvBytes(ctx, 1, 0); err != nil {
				return err
			}
		} else {
			if _, err := req.Wait(ctx); err != nil {
				return err
			}
			if err := c.Send(ctx, 0, 0, nil); err != nil {
				return err
			}
		}
		_, err := req.Wait(ctx)
		return err
	})
}

func iwait(r *comm.Request, ctx context.Context) error {
	_, err := r.Wait(ctx)
	return err
}

// nbMismatchCases: most ranks call a, the odd rank b; as mismatchCases.
var nbMismatchCases = []struct {
	name string
	a, b collFunc
	text string
}{
	{"Ibcast/Iallreduce", func(ctx context.Context, c *comm.Comm) error {
		return iwait(Ibcast(ctx, c, make([]int64, 4), 0), ctx)
	}, func(ctx context.Context, c *comm.Comm) error {
		return iwait(Iallreduce(ctx, c, make([]int64, 4), make([]int64, 4), Sum[int64]()), ctx)
	}, "Iallreduce"},
	{"Ibcast/roots", func(ctx context.Context, c *comm.Comm) error {
		return iwait(Ibcast(ctx, c, make([]int64, 4), 0), ctx)
	}, func(ctx context.Context, c *comm.Comm) error {
		return iwait(Ibcast(ctx, c, make([]int64, 4), 1), ctx)
	}, ""},
	{"Iallreduce/counts", func(ctx context.Context, c *comm.Comm) error {
		return iwait(Iallreduce(ctx, c, make([]int64, 4), make([]int64, 4), Sum[int64]()), ctx)
	}, func(ctx context.Context, c *comm.Comm) error {
		return iwait(Iallreduce(ctx, c, make([]int64, 5), make([]int64, 5), Sum[int64]()), ctx)
	}, "5 x int64"},
	{"Ibarrier/Barrier", func(ctx context.Context, c *comm.Comm) error {
		return iwait(Ibarrier(ctx, c), ctx)
	}, barrier, "Barrier"},
	{"Iallgather/Allgather", func(ctx context.Context, c *comm.Comm) error {
		return iwait(Iallgather(ctx, c, make([]int32, 2), make([]int32, 2*c.Size())), ctx)
	}, func(ctx context.Context, c *comm.Comm) error {
		return Allgather(ctx, c, make([]int32, 2), make([]int32, 2*c.Size()))
	}, ""},
	{"ReduceScatterBlock/ops", func(ctx context.Context, c *comm.Comm) error {
		return ReduceScatterBlock(ctx, c, make([]int64, 2*c.Size()), make([]int64, 2), Sum[int64]())
	}, func(ctx context.Context, c *comm.Comm) error {
		return ReduceScatterBlock(ctx, c, make([]int64, 2*c.Size()), make([]int64, 2), BXor[int64]())
	}, "reduction ops differ"},
	{"ReduceScatter/counts", func(ctx context.Context, c *comm.Comm) error {
		counts := make([]int, c.Size())
		counts[0] = 2
		return ReduceScatter(ctx, c, make([]int64, 2), make([]int64, counts[c.Rank()]), counts, Sum[int64]())
	}, func(ctx context.Context, c *comm.Comm) error {
		counts := make([]int, c.Size())
		counts[c.Size()-1] = 2
		return ReduceScatter(ctx, c, make([]int64, 2), make([]int64, counts[c.Rank()]), counts, Sum[int64]())
	}, ""},
}

// TestNonblockingMismatch: as TestMismatch, for the nonblocking calls and
// Reduce_scatter: every rank gets an error, some rank a *MismatchError
// naming both calls, nobody hangs.
func TestNonblockingMismatch(t *testing.T) {
	for _, p := range []int{2, 3} {
		t.Run(fmt.Sprintf("p=%d", p), func(t *testing.T) {
			base := local(t, p)
			for _, tc := range nbMismatchCases {
				odd := p - 1
				t.Run(tc.name, func(t *testing.T) {
					cs := dupAll(t, base)
					errs := onAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
						if err := Barrier(ctx, c); err != nil {
							return fmt.Errorf("first barrier: %w", err)
						}
						f := tc.a
						if c.Rank() == odd {
							f = tc.b
						}
						if err := f(ctx, c); err != nil {
							return err
						}
						if err := Barrier(ctx, c); err != nil {
							return err
						}
						return Barrier(ctx, c)
					})
					seen := false
					for r, err := range errs {
						switch {
						case err == nil:
							t.Errorf("rank %d: no error", r)
						case errors.Is(err, ErrMismatch):
							seen = true
						case errors.Is(err, comm.ErrRevoked):
						default:
							t.Errorf("rank %d: unexpected error %v", r, err)
						}
					}
					if !seen {
						t.Fatalf("no rank reported a mismatch: %v", errs)
					}
					if tc.text != "" && !anyContains(errs, tc.text) {
						t.Errorf("no error contains %q: %v", tc.text, errs)
					}
				})
			}
		})
	}
}

// TestNonblockingSlowPeerNoFalseMismatch: rank 3 is slow to issue an
// Ibcast it roots, so rank 2's part waits on rank 1 (the tree's relay)
// for seconds while rank 1 is already in a later blocking Barrier, whose
// watchdog may receive rank 2's probes. Rank 1 must not answer that it has
// finished the Ibcast (it is still running), or rank 2 would report a
// false mismatch. Which of rank 1's watchdogs takes a probe is a race, so
// TestProbeClassify pins the decision itself.
func TestNonblockingSlowPeerNoFalseMismatch(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the watchdog's probes; skipped with -short")
	}
	cs := local(t, 4)
	mustAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
		buf := make([]int64, 2)
		if c.Rank() == 3 {
			// Not synchronisation: a rank busy computing, long enough
			// for the watchdogs to probe several times.
			time.Sleep(3*probeAfter + 4*time.Second)
			buf = []int64{7, 8}
		}
		req := Ibcast(ctx, c, buf, 3)
		if err := Barrier(ctx, c); err != nil {
			return err
		}
		if _, err := req.Wait(ctx); err != nil {
			return err
		}
		if !slices.Equal(buf, []int64{7, 8}) {
			return fmt.Errorf("Ibcast: %v", buf)
		}
		return nil
	})
}

// TestProbeClassify: what a watchdog does with each probe and reply when
// its rank runs a nonblocking call (#4, Ibcast) and a blocking one (#5,
// Barrier) on one communicator.
func TestProbeClassify(t *testing.T) {
	c := local(t, 1)[0]
	barrierD := desc{op: opBarrier, root: -1, count: -1}
	ibcastD := desc{op: opIbcast, kind: kindOf[int64](), root: 0, count: 2}
	cl := &call{user: c, st: stateOf(c), seq: 5, d: barrierD}
	nb := &call{user: c, st: stateOf(c), seq: 4, d: ibcastD}
	inflightOf(c).calls[4] = nb
	for _, tc := range []struct {
		name  string
		h     header
		want  probeAction
		other *call
	}{
		{"probe, same call", header{desc: barrierD, flags: flagProbe, seq: 5}, actIgnore, nil},
		{"probe, other call at #5", header{desc: ibcastD, flags: flagProbe, seq: 5}, actCheck, nil},
		{"probe for the running Ibcast", header{desc: ibcastD, flags: flagProbe, seq: 4}, actIgnore, nil},
		{"probe for #4 as Ibarrier", header{desc: desc{op: opIbarrier, root: -1, count: -1}, flags: flagProbe, seq: 4}, actCheckOther, nb},
		{"probe for a finished call", header{desc: barrierD, flags: flagProbe, seq: 3}, actReply, nil},
		{"probe from a peer ahead", header{desc: barrierD, flags: flagProbe, seq: 6}, actIgnore, nil},
		{"reply to this call", header{desc: barrierD, flags: flagReply, seq: 7, answer: 5}, actSuspect, nil},
		{"reply to the Ibcast's probe", header{desc: barrierD, flags: flagReply, seq: 7, answer: 4}, actIgnore, nil},
		{"reply from a peer in another call at #5", header{desc: ibcastD, flags: flagReply, seq: 5, answer: 3}, actCheck, nil},
	} {
		act, other := cl.classify(tc.h)
		if act != tc.want || other != tc.other {
			t.Errorf("%s: %d %p, want %d %p", tc.name, act, other, tc.want, tc.other)
		}
	}
}

// The matrix of TestMismatchMatrix also pairs every collective of issue 16
// with every other one and with the older ones.
func init() {
	matrixColls = append(matrixColls, []struct {
		name string
		f    collFunc
	}{
		{"Ibarrier", func(ctx context.Context, c *comm.Comm) error { return iwait(Ibarrier(ctx, c), ctx) }},
		{"Ibcast", func(ctx context.Context, c *comm.Comm) error { return iwait(Ibcast(ctx, c, make([]int32, 2), 0), ctx) }},
		{"Ireduce", func(ctx context.Context, c *comm.Comm) error {
			return iwait(Ireduce(ctx, c, make([]int32, 2), make([]int32, 2), Sum[int32](), 0), ctx)
		}},
		{"Iallreduce", func(ctx context.Context, c *comm.Comm) error {
			return iwait(Iallreduce(ctx, c, make([]int32, 2), make([]int32, 2), Sum[int32]()), ctx)
		}},
		{"Igather", func(ctx context.Context, c *comm.Comm) error {
			return iwait(Igather(ctx, c, make([]int32, 2), make([]int32, 2*c.Size()), 0), ctx)
		}},
		{"Iscatter", func(ctx context.Context, c *comm.Comm) error {
			return iwait(Iscatter(ctx, c, make([]int32, 2*c.Size()), make([]int32, 2), 0), ctx)
		}},
		{"Iallgather", func(ctx context.Context, c *comm.Comm) error {
			return iwait(Iallgather(ctx, c, make([]int32, 2), make([]int32, 2*c.Size())), ctx)
		}},
		{"Ialltoall", func(ctx context.Context, c *comm.Comm) error {
			return iwait(Ialltoall(ctx, c, make([]int32, 2*c.Size()), make([]int32, 2*c.Size())), ctx)
		}},
		{"ReduceScatterBlock", func(ctx context.Context, c *comm.Comm) error {
			return ReduceScatterBlock(ctx, c, make([]int32, 2*c.Size()), make([]int32, 2), Sum[int32]())
		}},
		{"ReduceScatter", func(ctx context.Context, c *comm.Comm) error {
			return ReduceScatter(ctx, c, make([]int32, 2*c.Size()), make([]int32, 2), fill(c.Size(), 2), Sum[int32]())
		}},
		{"NewCart", func(ctx context.Context, c *comm.Comm) error {
			_, err := NewCart(ctx, c, []int{c.Size()}, []bool{true})
			return err
		}},
	}...)
	rootCase := func(name string, f func(root int) collFunc) {
		nbMismatchCases = append(nbMismatchCases, struct {
			name string
			a, b collFunc
			text string
		}{name + "/roots", f(0), f(1), ""})
	}
	rootCase("Igather", func(r int) collFunc {
		return func(ctx context.Context, c *comm.Comm) error {
			return iwait(Igather(ctx, c, make([]int32, 2), make([]int32, 2*c.Size()), r), ctx)
		}
	})
	rootCase("Iscatter", func(r int) collFunc {
		return func(ctx context.Context, c *comm.Comm) error {
			return iwait(Iscatter(ctx, c, make([]int32, 2*c.Size()), make([]int32, 2), r), ctx)
		}
	})
	rootCase("Ireduce", func(r int) collFunc {
		return func(ctx context.Context, c *comm.Comm) error {
			return iwait(Ireduce(ctx, c, make([]int32, 2), make([]int32, 2), Sum[int32](), r), ctx)
		}
	})
	nbMismatchCases = append(nbMismatchCases, struct {
		name string
		a, b collFunc
		text string
	}{"Iallgather/types", func(ctx context.Context, c *comm.Comm) error {
		return iwait(Iallgather(ctx, c, make([]int32, 2), make([]int32, 2*c.Size())), ctx)
	}, func(ctx context.Context, c *comm.Comm) error {
		return iwait(Iallgather(ctx, c, make([]float32, 2), make([]float32, 2*c.Size())), ctx)
	}, "float32"})
}
