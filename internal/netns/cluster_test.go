package netns

import (
	"os"
	"strings"
	"testing"
)

// skipUnlessPossible skips locally without root; under CI it must run.
func skipUnlessPossible(t *testing.T) {
	if why := Available(); why != "" && os.Getenv("CI") != "true" {
		t.Skip("netns: " + why)
	}
}

func TestClusterSSH(t *testing.T) {
	skipUnlessPossible(t)
	c := New(t, 2)
	for _, h := range c.Hosts {
		args := append(append([]string{}, c.SSH[1:]...), h.Name, "ip -4 -o addr show eth0")
		out, err := execOut(c.SSH[0], args...)
		if err != nil || !strings.Contains(out, h.Addr) {
			t.Fatalf("ssh %s: %v: %q", h.Name, err, out)
		}
	}
	if out, err := c.Exec(0, "ping", "-c1", "-W2", c.Hosts[1].Addr); err != nil {
		t.Logf("ping (optional): %v %s", err, out)
	}
}

// TestHostCommand: a command on a host runs in its namespace with its
// name as host name and resolves the other hosts by name.
func TestHostCommand(t *testing.T) {
	skipUnlessPossible(t)
	c := New(t, 2)
	out, err := c.Command(t.Context(), 1, "sh", "-c", "hostname; getent hosts h1; ip -4 -o addr show eth0").CombinedOutput()
	s := string(out)
	if err != nil || !strings.HasPrefix(s, "h2\n") || !strings.Contains(s, c.Hosts[0].Addr+" ") || !strings.Contains(s, c.Hosts[1].Addr+"/") {
		t.Fatalf("on h2: %v:\n%s", err, s)
	}
	if h, _ := os.Hostname(); h == "h2" {
		t.Fatal("the host name leaked into the test's namespace")
	}
}

// TestSlurm: srun places one task on each of 3 nodes, each in its host.
func TestSlurm(t *testing.T) {
	skipUnlessPossible(t)
	if why := SlurmAvailable(); why != "" && os.Getenv("CI") != "true" {
		t.Skip(why)
	}
	c := New(t, 3)
	s := c.StartSlurm(t)
	out, err := s.Command(t.Context(), "srun", "-N3", "-n3", "sh", "-c", `echo "$SLURM_PROCID $(hostname)"`).CombinedOutput()
	if err != nil {
		s.DumpLogs(t)
		t.Fatalf("srun -N3: %v\n%s", err, out)
	}
	for _, want := range []string{"0 h1\n", "1 h2\n", "2 h3\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("srun -N3 output lacks %q:\n%s", want, out)
		}
	}
}
