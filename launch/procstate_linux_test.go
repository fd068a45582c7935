package launch

import "testing"

func TestStatState(t *testing.T) {
	for _, tc := range []struct {
		line string
		want byte
	}{
		{"123 (prog) T 1 123 123 0", 'T'},
		{"123 (a b) c) S 1", 'S'},
		{"123 (x) t 1", 't'},
		{"123 (x)", 0},
		{"garbage", 0},
		{"", 0},
	} {
		if got := statState([]byte(tc.line)); got != tc.want {
			t.Errorf("statState(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}
