package multihost_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/internal/netns"
)

// sshfsModes are the client caching setups of the shared-file-system test,
// from none to the most a FUSE network file system does (README's "Shared
// file systems" section says which real mounts each stands for).
// coherent says whether a reader through such a mount must see every
// flushed byte: only with close-to-open consistency, which the cached
// modes do not give.
var sshfsModes = []struct {
	name     string
	opts     string
	coherent bool
}{
	// No client cache at all: every read and write goes to the server.
	{"no cache", "dir_cache=no,direct_io,attr_timeout=0,entry_timeout=0", true},
	// Close-to-open, as NFS's default: pages are cached, but dropped and
	// attributes fetched again at every open.
	{"close-to-open", "dir_cache=no,attr_timeout=0,entry_timeout=0", true},
	// sshfs's default: attributes cached by sshfs for 20 s, so a reader
	// may see the file's old size (libhdf5: "truncated file").
	{"sshfs default", "", false},
	// Pages kept across opens and attributes for a minute (NFS with
	// nocto and a long actimeo is alike): a reader's cache outlives the
	// writer's flush.
	{"kernel cache", "kernel_cache,attr_timeout=60,entry_timeout=60,dcache_timeout=60", false},
}

// TestSharedFSFlush: ranks on 3 hosts write one HDF5 file through sshfs
// mounts of one directory (served by h1), with each caching mode of
// sshfsModes, and h5py on a fourth host reads every byte of every row
// right after each Flush and right after Close returns on rank 0: through
// an uncached mount always (what the writers guarantee), and through the
// mode's own mount when the mode is coherent (what a reader's mount
// must give; README's "Shared file systems").
func TestSharedFSFlush(t *testing.T) {
	skipUnlessPossible(t)
	if _, err := exec.LookPath("sshfs"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("sshfs is needed under CI (apt-get install sshfs)")
		}
		t.Skip("sshfs not installed")
	}
	bin := binaries(t)
	for _, mode := range sshfsModes {
		t.Run(mode.name, func(t *testing.T) {
			c := netns.New(t, 4)
			dir := t.TempDir()
			export := filepath.Join(dir, "export")
			if err := os.Mkdir(export, 0o755); err != nil {
				t.Fatal(err)
			}
			for i := range c.Hosts {
				c.MountSSHFS(t, i, 0, export, filepath.Join(dir, "mnt-"+c.Hosts[i].Name), mode.opts)
			}
			c.MountSSHFS(t, 3, 0, export, filepath.Join(dir, "direct-h4"), sshfsModes[0].opts)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			const steps, block = 4, 4096
			cmd := gorun(ctx, bin, c, "-H", "h1:1,h2:1,h3:1", filepath.Join(bin, "flushprog"),
				"-path", filepath.Join(dir, "mnt-{host}", "f.h5"), "-steps", fmt.Sprint(steps), "-block", fmt.Sprint(block))
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var errBuf netns.SyncBuffer
			cmd.Stderr = &errBuf
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(stdout)
			seen, stale := 0, 0
			for sc.Scan() {
				line := sc.Text()
				var s int
				if _, err := fmt.Sscanf(line, "flushed %d", &s); err != nil {
					if line != "closed" {
						continue
					}
					s = steps - 1
				}
				seen++
				if got := readRows(ctx, c, 3, filepath.Join(dir, "direct-h4", "f.h5"), s+1, 3*block); got != "ok" {
					t.Errorf("after %q, h5py on h4 through an uncached mount reads: %s", line, got)
				}
				got := readRows(ctx, c, 3, filepath.Join(dir, "mnt-h4", "f.h5"), s+1, 3*block)
				switch {
				case got != "ok" && mode.coherent:
					t.Errorf("after %q, h5py on h4 through the %s mount reads: %s", line, mode.name, got)
				case got != "ok":
					stale++
					t.Logf("after %q, h5py on h4 through the %s mount reads (a cache, as expected of this mode): %s", line, mode.name, got)
				}
				if _, err := io.WriteString(stdin, "next\n"); err != nil {
					t.Fatalf("tell rank 0 to go on: %v", err)
				}
			}
			stdin.Close()
			if err := cmd.Wait(); err != nil {
				t.Fatalf("gorun: %v\n%s", err, errBuf.String())
			}
			if seen != steps {
				t.Fatalf("saw %d flushes and closes, want %d:\n%s", seen, steps, errBuf.String())
			}
			t.Logf("%s: the reader's own mount was stale after %d of %d flushes", mode.name, stale, steps)
		})
	}
}

// readRows runs h5py on host i: rows 0..rows-1 of "data" must be row*1e6
// + column. It returns "ok" or what differs.
func readRows(ctx context.Context, c *netns.Cluster, i int, path string, rows, cols int) string {
	script := `
import sys, h5py, numpy as np
path, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
try:
    with h5py.File(path, 'r') as f:
        d = f['data'][:rows]
        steps = [f['step%d' % r][:] for r in range(rows)]
except Exception as e:
    print('error:', type(e).__name__, str(e).splitlines()[0]); sys.exit()
want = np.arange(rows)[:, None] * 1000000 + np.arange(cols)[None, :]
bad = [(r, int((d[r] != want[r]).sum())) for r in range(rows) if (d[r] != want[r]).any()]
bad += [('step%d' % r, int((steps[r] != want[r]).sum())) for r in range(rows) if (steps[r] != want[r]).any()]
print('ok' if not bad else 'wrong values (row, count): %s' % bad)
`
	cmd := c.Session(ctx, i, "/usr/bin/python3", "-c", script, path, fmt.Sprint(rows), fmt.Sprint(cols))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Sprintf("python3: %v: %s", err, out)
	}
	return strings.TrimSpace(string(out))
}
