package main

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/launch"
)

func TestHostFlags(t *testing.T) {
	hf := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(hf, []byte("a slots=2\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args    string
		n       int
		hosts   []launch.Host
		wantErr string
	}{
		{args: "-H h1:4,h2:4 prog", n: 8, hosts: []launch.Host{{Name: "h1", Slots: 4}, {Name: "h2", Slots: 4}}},
		{args: "-n 3 --host h1:4,h2:4 prog", n: 3, hosts: []launch.Host{{Name: "h1", Slots: 4}, {Name: "h2", Slots: 4}}},
		{args: "--hostfile " + hf + " --ssh ssh_-p_2222 prog", n: 3, hosts: []launch.Host{{Name: "a", Slots: 2}, {Name: "b", Slots: 1}}},
		{args: "-H h1 --hostfile " + hf + " prog", wantErr: "one of them"},
		{args: "-H h1:zero prog", wantErr: "slots"},
	} {
		o, err := parseFlags(strings.Fields(tc.args), io.Discard)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: %v, want error with %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil || o.n != tc.n || !reflect.DeepEqual(o.hosts, tc.hosts) {
			t.Errorf("%s: n=%v hosts=%v err=%v; want n=%d hosts=%v", tc.args, o.n, o.hosts, err, tc.n, tc.hosts)
		}
	}
}
