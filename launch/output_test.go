package launch

import (
	"bytes"
	"github.com/gorun-hpc/gorun/rendezvous"
	"runtime"
	"strings"
	"testing"
)

func TestCopyLines(t *testing.T) {
	long := strings.Repeat("x", maxLine+10)
	tests := []struct {
		name   string
		in     string
		prefix string
		want   string
	}{
		{"empty", "", "[0] ", ""},
		{"untagged passes bytes", "a\nb\npartial", "", "a\nb\npartial"},
		{"tagged lines", "a\nb\n", "[3] ", "[3] a\n[3] b\n"},
		{"tagged partial gets newline", "a\npartial", "[1] ", "[1] a\n[1] partial\n"},
		{"empty line tagged", "\n", "[0] ", "[0] \n"},
		{"over-long line split and tagged", long + "\n", "[2] ",
			"[2] " + long[:maxLine] + "\n[2] " + long[maxLine:] + "\n"},
		{"over-long line untagged unchanged", long + "\n", "", long + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			var prefix []byte
			if tt.prefix != "" {
				prefix = []byte(tt.prefix)
			}
			if err := copyLines(&sink{w: &out}, strings.NewReader(tt.in), prefix, nil); err != nil {
				t.Fatal(err)
			}
			if got := out.String(); got != tt.want {
				t.Errorf("got %q, want %q", trim(got), trim(tt.want))
			}
		})
	}
}

func trim(s string) string {
	if len(s) > 80 {
		return s[:40] + "..." + s[len(s)-40:]
	}
	return s
}

func TestRankEnv(t *testing.T) {
	base := []string{"HOME=/root", "GORUN_RANK=9", "GORUN_SECRET=old", "PATH=/bin"}
	job := rendezvous.Env{Rank: 1, Size: 2, Addr: "127.0.0.1:9", JobID: "j", Secret: []byte{0xab}, Bind: "10.0.0.5"}
	got := rankEnv(base, job, []string{"FOO=bar"})
	want := []string{"HOME=/root", "PATH=/bin", "GORUN_RANK=1", "GORUN_SIZE=2", "GORUN_RENDEZVOUS=127.0.0.1:9",
		"GORUN_JOBID=j", "GORUN_SECRET=ab", "GORUN_BIND=10.0.0.5", "FOO=bar"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("rankEnv = %q, want %q", got, want)
	}
}

func TestProcsEnv(t *testing.T) {
	for _, tc := range []struct {
		env   []string
		procs int
		want  string
	}{
		{[]string{"A=1"}, 3, "A=1 GOMAXPROCS=3"},
		{[]string{"GOMAXPROCS=8", "A=1"}, 3, "GOMAXPROCS=8 A=1"},
		{[]string{"A=1"}, -1, "A=1"},
	} {
		if got := strings.Join(procsEnv(tc.env, tc.procs), " "); got != tc.want {
			t.Errorf("procsEnv(%q, %d) = %q, want %q", tc.env, tc.procs, got, tc.want)
		}
	}
	if got := cpuShare(4, 100); got != 4 {
		t.Errorf("cpuShare(4, 100) = %d", got)
	}
	if got := cpuShare(0, 1<<20); got != 1 {
		t.Errorf("cpuShare(0, huge) = %d, want 1", got)
	}
	if got, want := cpuShare(0, 1), runtime.NumCPU(); got != want {
		t.Errorf("cpuShare(0, 1) = %d, want %d", got, want)
	}
}
