//go:build linux

package netns

import "testing"

func TestClusterID(t *testing.T) {
	for _, tc := range []struct {
		name string
		id   int
		ok   bool
	}{
		{"gorunmh12-h3", 12, true},
		{"gorunmh7br", 7, true},
		{"gorunmh3v10", 3, true},
		{"gorunmh-h1", -1, true},
		{"gorunmhbr0", -1, true},
		{"eth0", 0, false},
		{"gorun", 0, false},
	} {
		id, ok := clusterID(tc.name)
		if id != tc.id || ok != tc.ok {
			t.Errorf("clusterID(%q) = %d, %v; want %d, %v", tc.name, id, ok, tc.id, tc.ok)
		}
	}
}
