package comm

import (
	"testing"
	"time"
)

// A hot pacer polls hotBatch times between looks at the clock, a cold one
// looks (and yields) after every poll; both give up once spin is over.
func TestPacer(t *testing.T) {
	for _, tc := range []struct {
		name      string
		spin, hot time.Duration
		calls     int // next's calls up to and including the first false
	}{
		// The first look starts the clock; the next one, spin (negative:
		// already over) later, ends it.
		{"hot", -1, time.Hour, 2 * hotBatch},
		{"cold from the start (ranks outnumber cores)", -1, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPacer(tc.spin, tc.hot)
			calls := 0
			for calls < 10*hotBatch {
				calls++
				if !p.next() {
					break
				}
			}
			if calls != tc.calls {
				t.Errorf("next returned false at call %d, want %d", calls, tc.calls)
			}
		})
	}
}

// A hot pacer turns cold (yields to other processes at every poll) once
// hot is over, and keeps polling until spin is.
func TestPacerCools(t *testing.T) {
	p := newPacer(time.Hour, time.Nanosecond)
	for range 3 * hotBatch {
		if !p.next() {
			t.Fatal("gave up long before spin")
		}
	}
	if !p.cold {
		t.Fatal("still hot after hot was over")
	}
	n := p.n
	p.next()
	if p.n != n+1 || p.start.IsZero() {
		t.Fatal("cold pacer did not look at the clock")
	}
}
