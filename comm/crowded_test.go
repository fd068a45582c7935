package comm

import (
	"fmt"
	"testing"
)

// TestCrowded: streams stay on TCP on a host with more than crowdedPerCore
// ranks per core, counted from the address table, other hosts' ranks not
// counted.
func TestCrowded(t *testing.T) {
	table := func(here, there int) []string {
		var a []string
		for i := range here {
			a = append(a, fmt.Sprintf("10.0.0.1:%d", 4000+i))
		}
		for i := range there {
			a = append(a, fmt.Sprintf("10.0.0.2:%d", 4000+i))
		}
		return a
	}
	for _, tc := range []struct {
		here, there, online int
		want                bool
	}{
		{8, 0, 2, false},   // 4 a core: rings
		{9, 0, 2, true},    // more: TCP
		{1024, 0, 2, true}, // the scale test
		{8, 100, 2, false}, // the other host's ranks do not count
		{64, 0, 16, false},
		{65, 0, 16, true},
		{5, 0, 0, true}, // no count of cores: one
	} {
		if got := crowded(table(tc.here, tc.there), 0, tc.online); got != tc.want {
			t.Errorf("%d ranks here, %d there, %d cores: crowded %v, want %v", tc.here, tc.there, tc.online, got, tc.want)
		}
	}
}
