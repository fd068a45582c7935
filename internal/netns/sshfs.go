package netns

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// MountSSHFS mounts directory export of host server (served over SFTP by
// its sshd) at mnt on host i: the sshfs client runs in host i's network
// namespace, so every access crosses the cluster's network, and the mount
// lives in host i's sshd mount namespace, so ranks started over ssh on
// host i and commands started with Session see it. opts are sshfs -o
// options ("" for sshfs's defaults). mnt is created; the mount is undone
// when the test ends.
func (c *Cluster) MountSSHFS(t testing.TB, i, server int, export, mnt, opts string) {
	t.Helper()
	if _, err := exec.LookPath("sshfs"); err != nil {
		t.Fatal("netns: sshfs not installed (apt-get install sshfs)")
	}
	if err := os.MkdirAll(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"-f", "-F", c.SSH[2]}
	if opts != "" {
		args = append(args, "-o", opts)
	}
	args = append(args, c.Hosts[server].Name+":"+export, mnt)
	cmd := c.Session(context.Background(), i, "sshfs", args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("netns: start sshfs on %s: %v", c.Hosts[i].Name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = c.Session(context.Background(), i, "fusermount3", "-u", "-z", mnt).Run()
		_ = cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(20 * time.Second)
	for !c.mounted(i, mnt) {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("netns: sshfs on %s exited: %v\n%s", c.Hosts[i].Name, err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("netns: sshfs on %s did not mount %s in 20 s:\n%s", c.Hosts[i].Name, mnt, out.String())
		}
		time.Sleep(50 * time.Millisecond) // a mount has no event to wait on
	}
}

// mounted reports whether a FUSE file system is mounted at mnt in host
// i's sshd mount namespace.
func (c *Cluster) mounted(i int, mnt string) bool {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/mounts", c.Hosts[i].sshd.Process.Pid))
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[1] == mnt && strings.Contains(f[2], "fuse") {
			return true
		}
	}
	return false
}
