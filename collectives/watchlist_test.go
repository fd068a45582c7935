package collectives

import "testing"

// TestWatchlistLinks checks the intrusive list: calls leave from the head,
// the middle and the tail, and a call the scanner already took is not
// unlinked twice.
func TestWatchlistLinks(t *testing.T) {
	var w watchlist
	w.running = true // no scanner: the test drives the list alone
	a, b, c := &call{}, &call{}, &call{}
	for _, cl := range []*call{a, b, c} {
		w.add(cl)
	}
	order := func() []*call {
		var out []*call
		for cl := w.head; cl != nil; cl = cl.wnext {
			out = append(out, cl)
		}
		return out
	}
	if got := order(); len(got) != 3 || got[0] != a || got[2] != c {
		t.Fatalf("after adds: %v", got)
	}
	w.remove(b)
	if got := order(); len(got) != 2 || got[0] != a || got[1] != c || c.wprev != a {
		t.Fatalf("after removing the middle: %v", got)
	}
	w.mu.Lock()
	w.unlink(a) // as the scanner does for a call past probeAfter
	w.mu.Unlock()
	w.remove(a) // finish after the scanner took it: nothing to do
	if w.head != c || w.tail != c || c.wprev != nil {
		t.Fatalf("after the scanner took the head: head %p tail %p", w.head, w.tail)
	}
	w.remove(c)
	if w.head != nil || w.tail != nil {
		t.Fatal("list not empty after removing every call")
	}
}
