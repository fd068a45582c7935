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
