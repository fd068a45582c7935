package rendezvous

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func getenvOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseEnv(t *testing.T) {
	job := map[string]string{"GORUN_RANK": "2", "GORUN_SIZE": "4", "GORUN_RENDEZVOUS": "10.0.0.1:4000",
		"GORUN_JOBID": "j", "GORUN_SECRET": "c0ffee"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range job {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want Env
		bad  bool
	}{
		{"no launcher", nil, Env{}, false},
		{"no launcher, user knobs", map[string]string{"GORUN_BOOTSTRAP_TIMEOUT": "5m", "GORUN_BIND": "10.0.0.9", "GORUN_SLURM_KEY_FILE": "/k"},
			Env{BootstrapTimeout: 5 * time.Minute, Bind: "10.0.0.9", SlurmKeyFile: "/k"}, false},
		{"launched", job, Env{Rank: 2, Size: 4, Addr: "10.0.0.1:4000", JobID: "j", Secret: []byte{0xc0, 0xff, 0xee}}, false},
		{"multi-host", with("GORUN_MEMBERLIST", "1", "GORUN_HOST", "n2", "GORUN_COMPRESS", "1", "GORUN_MEMBERLIST_LOG", "1"),
			Env{Rank: 2, Size: 4, Addr: "10.0.0.1:4000", JobID: "j", Secret: []byte{0xc0, 0xff, 0xee},
				Memberlist: true, Host: "n2", Compress: true, MemberlistLog: true}, false},
		{"flags other than 1 are off", with("GORUN_COMPRESS", "yes"), Env{Rank: 2, Size: 4, Addr: "10.0.0.1:4000", JobID: "j", Secret: []byte{0xc0, 0xff, 0xee}}, false},
		{"no address yet (an agent adds it)", with("GORUN_RENDEZVOUS", ""), Env{Rank: 2, Size: 4, JobID: "j", Secret: []byte{0xc0, 0xff, 0xee}}, false},
		{"I/O statistics", with("GORUN_IOSTATS", "/tmp/io.json"), Env{Rank: 2, Size: 4, Addr: "10.0.0.1:4000", JobID: "j", Secret: []byte{0xc0, 0xff, 0xee}, IOStats: "/tmp/io.json"}, false},
		{"I/O statistics under srun", map[string]string{"GORUN_IOSTATS": "1"}, Env{IOStats: "1"}, false},
		{"rank not a number", with("GORUN_RANK", "two"), Env{}, true},
		{"rank out of range", with("GORUN_RANK", "4"), Env{}, true},
		{"negative rank", with("GORUN_RANK", "-1"), Env{}, true},
		{"no size", with("GORUN_SIZE", ""), Env{}, true},
		{"secret not hex", with("GORUN_SECRET", "xyz"), Env{}, true},
		{"no secret", with("GORUN_SECRET", ""), Env{}, true},
		{"MPMD program index", with("GORUN_APPNUM", "2"), Env{Rank: 2, Size: 4, Addr: "10.0.0.1:4000", JobID: "j", Secret: []byte{0xc0, 0xff, 0xee}, AppNum: 2}, false},
		{"bad program index", with("GORUN_APPNUM", "-1"), Env{}, true},
		{"bad timeout", map[string]string{"GORUN_BOOTSTRAP_TIMEOUT": "90"}, Env{}, true},
		{"negative timeout", map[string]string{"GORUN_BOOTSTRAP_TIMEOUT": "-1s"}, Env{}, true},
	} {
		got, err := ParseEnv(getenvOf(tc.env))
		if tc.bad {
			if !errors.Is(err, ErrEnv) {
				t.Errorf("%s: %+v, %v; want ErrEnv", tc.name, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, %v\nwant %+v", tc.name, got, err, tc.want)
		}
	}
}

// TestEnvironRoundTrip: what Environ writes, ParseEnviron reads back.
func TestEnvironRoundTrip(t *testing.T) {
	for _, e := range []Env{
		{},
		{Bind: "10.1.1.1", BootstrapTimeout: 90 * time.Second},
		{Rank: 0, Size: 1, Addr: "127.0.0.1:1", JobID: "gorun-1", Secret: []byte{1, 2, 3}},
		{Rank: 63, Size: 64, Addr: "[::1]:5", JobID: "x", Secret: make([]byte, 32), Bind: "::1", Compress: true,
			Memberlist: true, Host: "node7", AppNum: 3, MemberlistLog: true, SlurmKeyFile: "/home/u/.gorun/slurm.key", IOStats: "1"},
	} {
		got, err := ParseEnviron(e.Environ())
		if err != nil || !reflect.DeepEqual(got, e) {
			t.Errorf("round trip of %+v: got %+v, %v", e, got, err)
		}
		for _, kv := range e.Environ() {
			if !strings.HasPrefix(kv, prefix) {
				t.Errorf("Environ entry %q is not a GORUN_ variable", kv)
			}
		}
	}
}

func TestParseEnvironLastWins(t *testing.T) {
	e, err := ParseEnviron([]string{"GORUN_BIND=a", "PATH=/bin", "GORUN_BIND=b", "NOEQUALS"})
	if err != nil || e.Bind != "b" {
		t.Errorf("got %+v, %v; want Bind b", e, err)
	}
}

func TestWithoutJob(t *testing.T) {
	got := WithoutJob([]string{"HOME=/root", "GORUN_RANK=1", "GORUNX=keep", "GORUN_SECRET=ab", "PATH=/bin", "GORUN_TRANSPORT=tcp"})
	if want := []string{"HOME=/root", "GORUNX=keep", "PATH=/bin", "GORUN_TRANSPORT=tcp"}; !reflect.DeepEqual(got, want) {
		t.Errorf("WithoutJob = %q, want %q", got, want)
	}
}
