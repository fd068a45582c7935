package launch

import (
	"errors"
	"github.com/gorun-hpc/gorun/rendezvous"
	"reflect"
	"strings"
	"testing"
)

func TestParseHosts(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Host
		bad  bool
	}{
		{in: "h1:4,h2:4", want: []Host{{"h1", 4}, {"h2", 4}}},
		{in: "h1,h2", want: []Host{{"h1", 1}, {"h2", 1}}},
		{in: "h1:2,h1:3", want: []Host{{"h1", 5}}},
		{in: "10.0.0.1:2", want: []Host{{"10.0.0.1", 2}}},
		{in: "h1:0", bad: true},
		{in: "h1:x", bad: true},
		{in: " , ", bad: true},
	} {
		got, err := ParseHosts(tc.in)
		if tc.bad {
			if !errors.Is(err, ErrHosts) {
				t.Errorf("ParseHosts(%q) = %v, %v; want ErrHosts", tc.in, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseHosts(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestHostfile(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Host
		bad  bool
	}{
		{in: "# cluster\nn1 slots=4\n\nn2 slots=2 max_slots=8  # gpu\nn3\n", want: []Host{{"n1", 4}, {"n2", 2}, {"n3", 1}}},
		{in: "n1 slots=2\nn1 slots=2\n", want: []Host{{"n1", 4}}},
		{in: "n1 slots=0\n", bad: true},
		{in: "n1 colour=blue\n", bad: true},
		{in: "# nothing\n\n", bad: true},
	} {
		got, err := parseHostfile(strings.NewReader(tc.in), "hosts")
		if tc.bad {
			if !errors.Is(err, ErrHosts) {
				t.Errorf("hostfile %q = %v, %v; want ErrHosts", tc.in, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("hostfile %q = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestAgentEnv(t *testing.T) {
	job := rendezvous.Env{Rank: 3, Size: 4, JobID: "j", Secret: []byte{0xab}, Memberlist: true, Host: "h2"}
	base := []string{"PATH=/bin", "GORUN_RANK=9"}
	for _, tc := range []struct {
		name  string
		extra []string
		rv    string
		want  string
	}{
		{"from SSH_CONNECTION", []string{"FOO=x"}, "",
			"PATH=/bin GORUN_RANK=3 GORUN_SIZE=4 GORUN_RENDEZVOUS=10.77.0.1:4000 GORUN_JOBID=j GORUN_SECRET=ab GORUN_BIND=10.77.0.12 GORUN_MEMBERLIST=1 GORUN_HOST=h2 FOO=x"},
		{"-x of an unknown GORUN_ variable", []string{"GORUN_MY_KNOB=7"}, "",
			"PATH=/bin GORUN_RANK=3 GORUN_SIZE=4 GORUN_RENDEZVOUS=10.77.0.1:4000 GORUN_JOBID=j GORUN_SECRET=ab GORUN_BIND=10.77.0.12 GORUN_MEMBERLIST=1 GORUN_HOST=h2 GORUN_MY_KNOB=7"},
		{"given address, -x bind", []string{"GORUN_BIND=10.9.9.9"}, "192.0.2.1:5000",
			"PATH=/bin GORUN_RANK=3 GORUN_SIZE=4 GORUN_RENDEZVOUS=192.0.2.1:5000 GORUN_JOBID=j GORUN_SECRET=ab GORUN_BIND=10.9.9.9 GORUN_MEMBERLIST=1 GORUN_HOST=h2"},
	} {
		spec := agentSpec{Port: "4000", Rendezvous: tc.rv, Env: append(job.Environ(), tc.extra...), CPUs: -1}
		env, err := agentEnv(base, spec, "10.77.0.1 5555 10.77.0.12 22")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(env, " "); got != tc.want {
			t.Errorf("%s: agentEnv:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
	spec := agentSpec{Port: "4000", Env: job.Environ(), CPUs: -1}
	if _, err := agentEnv(nil, spec, ""); err == nil {
		t.Fatal("no SSH_CONNECTION and no rendezvous address: want an error saying --bind")
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"/usr/bin/gorun": "/usr/bin/gorun", "/a b/it's": `'/a b/it'\''s'`, "": "''"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
