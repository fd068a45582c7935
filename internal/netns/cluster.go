package netns

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Prefix starts the name of every namespace and link this package makes,
// so a run can delete what a killed earlier run left behind.
const Prefix = "gorunmh"

// Host is one namespace "host".
type Host struct {
	Name string // ssh alias and host name, e.g. "h1" (resolved by the cluster's ssh config and hosts file)
	NS   string // network namespace name
	Addr string // its IPv4 address on the bridge
	veth string // the root-side end of its link
	sshd *exec.Cmd
}

// Cluster is the set of hosts of one test.
type Cluster struct {
	Hosts []*Host
	Dir   string // keys, sshd and ssh configs, the hosts file
	// SSH is the ssh command line (program and options) that reaches every
	// host by its Name without prompts: pass it to gorun's --ssh.
	SSH []string
	// Gateway is the root namespace's address on the cluster's bridge:
	// where a launcher running in the test process is reached from.
	Gateway string
	// HostsFile maps every host's Name to its Addr; commands started with
	// Command see it as /etc/hosts.
	HostsFile string
	// resolvConf names no reachable DNS server (127.0.0.1 in the host's
	// namespace refuses at once), so a name missing from HostsFile fails
	// fast instead of waiting for a server behind the bridge.
	resolvConf string

	id     int
	bridge string
	lease  *lease
}

// Available says why New cannot work here ("" when it can).
func Available() string {
	if os.Geteuid() != 0 {
		return "needs root (network namespaces)"
	}
	for _, p := range []string{"ip", "ssh", "ssh-keygen", "nsenter", "unshare"} {
		if _, err := exec.LookPath(p); err != nil {
			return p + " not installed"
		}
	}
	if _, err := os.Stat("/usr/sbin/sshd"); err != nil {
		return "/usr/sbin/sshd missing: apt-get install -y openssh-server"
	}
	return ""
}

func run(args ...string) error {
	cmd := exec.Command(args[0], args[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}

// killIn kills every process still running in namespace ns.
func killIn(ns string) {
	out, _ := exec.Command("ip", "netns", "pids", ns).Output()
	for _, f := range strings.Fields(string(out)) {
		var pid int
		if _, err := fmt.Sscan(f, &pid); err == nil && pid > 1 {
			_ = killPID(pid)
		}
	}
}

// New builds n hosts named h1..hn on a subnet 10.77.<id>.0/24 of their
// own (addresses .11, .12, ...) with an sshd in each, and removes them when
// the test ends. Several clusters may exist at once (test packages run in
// parallel): each takes a free id (lease.go). It fails the test (not
// skips) when something is missing: callers decide about skipping with
// Available.
func New(t testing.TB, n int) *Cluster {
	t.Helper()
	if why := Available(); why != "" {
		t.Fatalf("netns: %s", why)
	}
	l, err := takeLease()
	if err != nil {
		t.Fatalf("netns: %v", err)
	}
	c := &Cluster{Dir: t.TempDir(), id: l.id, lease: l}
	c.bridge = fmt.Sprintf("%s%dbr", Prefix, c.id)
	subnet := fmt.Sprintf("10.77.%d.", c.id)
	c.Gateway = subnet + "1"
	t.Cleanup(func() { c.close() })
	must := func(err error) {
		if err != nil {
			t.Helper()
			t.Fatalf("netns: %v", err)
		}
	}
	must(run("ip", "link", "add", c.bridge, "type", "bridge"))
	must(run("ip", "addr", "add", c.Gateway+"/24", "dev", c.bridge))
	must(run("ip", "link", "set", c.bridge, "up"))
	must(os.MkdirAll("/run/sshd", 0o755))
	key := filepath.Join(c.Dir, "id_ed25519")
	must(run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key))
	hostKey := filepath.Join(c.Dir, "host_ed25519")
	must(run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey))
	var sshCfg strings.Builder
	hosts := "127.0.0.1 localhost\n"
	for i := range n {
		h := &Host{Name: fmt.Sprintf("h%d", i+1), NS: fmt.Sprintf("%s%d-h%d", Prefix, c.id, i+1),
			Addr: fmt.Sprintf("%s%d", subnet, 11+i), veth: fmt.Sprintf("%s%dv%d", Prefix, c.id, i+1)}
		c.Hosts = append(c.Hosts, h)
		hosts += h.Addr + " " + h.Name + "\n"
		must(run("ip", "netns", "add", h.NS))
		must(run("ip", "link", "add", h.veth, "type", "veth", "peer", "name", "eth0", "netns", h.NS))
		must(run("ip", "link", "set", h.veth, "master", c.bridge))
		must(run("ip", "link", "set", h.veth, "up"))
		must(run("ip", "netns", "exec", h.NS, "ip", "link", "set", "lo", "up"))
		must(run("ip", "netns", "exec", h.NS, "ip", "addr", "add", h.Addr+"/24", "dev", "eth0"))
		must(run("ip", "netns", "exec", h.NS, "ip", "link", "set", "eth0", "up"))
		must(run("ip", "netns", "exec", h.NS, "ip", "route", "add", "default", "via", c.Gateway))
		fmt.Fprintf(&sshCfg, "Host %s\n  HostName %s\n", h.Name, h.Addr)
	}
	c.HostsFile = filepath.Join(c.Dir, "hosts")
	must(os.WriteFile(c.HostsFile, []byte(hosts), 0o644))
	c.resolvConf = filepath.Join(c.Dir, "resolv.conf")
	must(os.WriteFile(c.resolvConf, []byte("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n"), 0o644))
	for _, h := range c.Hosts {
		must(c.startSSHD(h, hostKey, key+".pub"))
	}
	known := filepath.Join(c.Dir, "known_hosts")
	pub, err := os.ReadFile(hostKey + ".pub")
	must(err)
	var kh strings.Builder
	for _, h := range c.Hosts {
		fmt.Fprintf(&kh, "%s %s", h.Addr, pub)
	}
	must(os.WriteFile(known, []byte(kh.String()), 0o600))
	fmt.Fprintf(&sshCfg, "Host *\n  User root\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  BatchMode yes\n  StrictHostKeyChecking yes\n  ConnectTimeout 5\n  KexAlgorithms curve25519-sha256\n  Ciphers aes128-gcm@openssh.com\n  LogLevel ERROR\n", key, known)
	cfg := filepath.Join(c.Dir, "ssh_config")
	must(os.WriteFile(cfg, []byte(sshCfg.String()), 0o600))
	c.SSH = []string{"ssh", "-F", cfg}
	t0 := time.Now()
	for _, h := range c.Hosts {
		must(c.waitSSH(h))
	}
	t.Logf("netns: %d hosts up on 10.77.%d.0/24; sshd answered after %v", n, c.id, time.Since(t0).Round(time.Millisecond))
	return c
}

// Command prepares a command that runs "on" host i: in its network
// namespace, with its Name as host name (a UTS namespace of its own) and
// the cluster's hosts file as /etc/hosts and no DNS (a mount namespace of its own that
// still receives the machine's later mounts, e.g. sshfs). Unlike ip netns
// exec it keeps the machine's /sys, so cgroup-aware daemons (slurmd) run.
func (c *Cluster) Command(ctx context.Context, i int, name string, args ...string) *exec.Cmd {
	h := c.Hosts[i]
	script := `hostname "$0" && mount --bind "$1" /etc/hosts && { [ ! -e /etc/resolv.conf ] || mount --bind "$2" /etc/resolv.conf; } && shift 2 && exec "$@"`
	all := append([]string{"--net=/run/netns/" + h.NS, "--", "unshare", "--uts", "--mount", "--propagation", "slave", "--",
		"sh", "-c", script, h.Name, c.HostsFile, c.resolvConf, name}, args...)
	return exec.CommandContext(ctx, "nsenter", all...)
}

// Session prepares a command that runs on host i as an ssh session there
// does: in its network namespace and its sshd's mount namespace, where
// MountSSHFS mounts (the machine's root mount is private here, so a mount
// made elsewhere reaches no namespace made before it).
func (c *Cluster) Session(ctx context.Context, i int, name string, args ...string) *exec.Cmd {
	pid := strconv.Itoa(c.Hosts[i].sshd.Process.Pid)
	return exec.CommandContext(ctx, "nsenter", append([]string{"--target", pid, "--net", "--mount", "--", name}, args...)...)
}

func (c *Cluster) startSSHD(h *Host, hostKey, authorized string) error {
	conf := filepath.Join(c.Dir, "sshd_"+h.Name)
	text := fmt.Sprintf(`ListenAddress %s
Port 22
HostKey %s
AuthorizedKeysFile %s
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile none
LogLevel ERROR
Subsystem sftp internal-sftp
`, h.Addr, hostKey, authorized)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		return err
	}
	cmd := exec.Command("ip", "netns", "exec", h.NS, "/usr/sbin/sshd", "-D", "-e", "-f", conf)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start sshd in %s: %w", h.NS, err)
	}
	h.sshd = cmd
	return nil
}

// waitSSH waits until h's sshd listens.
func (c *Cluster) waitSSH(h *Host) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var last error
	for ctx.Err() == nil {
		d := net.Dialer{Timeout: time.Second}
		conn, err := d.DialContext(ctx, "tcp", h.Addr+":22")
		if err == nil {
			conn.Close()
			return nil
		}
		last = err
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("sshd on %s (%s) does not answer: %v", h.Name, h.Addr, last)
}

// LinkDown cuts host i off the network (its end of the link goes down),
// as if its cable were pulled; its processes keep running.
func (c *Cluster) LinkDown(i int) error {
	h := c.Hosts[i]
	return run("ip", "netns", "exec", h.NS, "ip", "link", "set", "eth0", "down")
}

// KillHost kills every process running on host i (its sshd and daemons
// included), as a host that crashes; its kernel (the namespace) stays, so
// peers' connections to it are reset rather than left silent.
func (c *Cluster) KillHost(i int) { killIn(c.Hosts[i].NS) }

// KillProcs kills the processes on host i whose command name (as in
// /proc/PID/comm, at most 15 bytes) is name, and says how many it killed:
// ranks dying while their node's daemons live on.
func (c *Cluster) KillProcs(i int, name string) int {
	n := 0
	for _, pid := range c.Procs(i, name) {
		if killPID(pid) == nil {
			n++
		}
	}
	return n
}

// Procs lists the processes on host i whose command name is name.
func (c *Cluster) Procs(i int, name string) []int {
	out, _ := exec.Command("ip", "netns", "pids", c.Hosts[i].NS).Output()
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		comm, err := os.ReadFile("/proc/" + f + "/comm")
		var pid int
		if _, serr := fmt.Sscan(f, &pid); err == nil && serr == nil && strings.TrimSpace(string(comm)) == name {
			pids = append(pids, pid)
		}
	}
	return pids
}

// Exec runs a command inside host i's namespace and returns its output.
func (c *Cluster) Exec(i int, args ...string) ([]byte, error) {
	return exec.Command("ip", append([]string{"netns", "exec", c.Hosts[i].NS}, args...)...).CombinedOutput()
}

func (c *Cluster) close() {
	for _, h := range c.Hosts {
		killIn(h.NS) // sessions' processes first: they hold sshd's pipes
	}
	for _, h := range c.Hosts {
		if h.sshd != nil && h.sshd.Process != nil {
			_ = h.sshd.Process.Kill()
			_ = h.sshd.Wait()
		}
	}
	removeCluster(c.id)
	c.lease.release()
}
