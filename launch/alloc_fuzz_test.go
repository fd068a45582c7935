package launch

import (
	"bytes"
	"testing"
)

// FuzzExpandHostlist: any node list gives names or an error, never a
// panic or a list beyond the bound.
func FuzzExpandHostlist(f *testing.F) {
	for _, s := range []string{"node[01-03,07],gpu1", "r[1-2]-n[1-2]", "a", "n[1-", "x[0-9]y[0-9]", "[]", "a,,b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		names, err := ExpandHostlist(s)
		if err == nil && (len(names) == 0 || len(names) > maxHostlist) {
			t.Fatalf("%q: %d names and no error", s, len(names))
		}
	})
}

// FuzzExpandTasksPerNode: the same for SLURM_TASKS_PER_NODE.
func FuzzExpandTasksPerNode(f *testing.F) {
	for _, s := range []string{"2(x3),1", "4", "1(x", "0", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		counts, err := ExpandTasksPerNode(s)
		if err == nil && (len(counts) == 0 || len(counts) > maxHostlist) {
			t.Fatalf("%q: %d counts and no error", s, len(counts))
		}
	})
}

// FuzzPBSNodefile: any node file gives hosts or an error.
func FuzzPBSNodefile(f *testing.F) {
	f.Add([]byte("n1\nn1\nn2\n"))
	f.Add([]byte("# c\n\nn1 x\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		hosts, err := parsePBSNodefile(bytes.NewReader(b), "fuzz")
		if err == nil && len(hosts) == 0 {
			t.Fatal("no hosts and no error")
		}
	})
}
