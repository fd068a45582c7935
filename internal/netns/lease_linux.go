package netns

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Several clusters may exist at once: go test runs test packages in
// parallel, and multihost/, slurmtest/ and bench/runtime each build one.
// A cluster's id picks its names (gorunmh<id>-h<i>, gorunmh<id>br) and its
// subnet (10.77.<id>.0/24). Ids are leased in leaseDir: one file per id
// holding the owner's pid, taken under a lock; an id whose owner is dead is
// stale, and its namespaces and links are removed before reuse, so a
// killed run cleans up after itself next time.
const (
	leaseDir = "/run/gorun-netns"
	maxID    = 200
)

type lease struct {
	id   int
	path string
}

// takeLease leases the lowest free id, removing what dead owners left.
func takeLease() (*lease, error) {
	if err := os.MkdirAll(leaseDir, 0o700); err != nil {
		return nil, fmt.Errorf("lease dir: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(leaseDir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lease lock: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return nil, fmt.Errorf("lease lock: %w", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	live := map[int]bool{}
	for id := 1; id <= maxID; id++ {
		if ownerAlive(filepath.Join(leaseDir, strconv.Itoa(id))) {
			live[id] = true
		}
	}
	removeStale(live)
	for id := 1; id <= maxID; id++ {
		if live[id] {
			continue
		}
		path := filepath.Join(leaseDir, strconv.Itoa(id))
		if err := os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
			return nil, fmt.Errorf("lease %d: %w", id, err)
		}
		return &lease{id: id, path: path}, nil
	}
	return nil, fmt.Errorf("all %d cluster ids are leased by live processes (see %s)", maxID, leaseDir)
}

func (l *lease) release() {
	if l != nil {
		_ = os.Remove(l.path)
	}
}

// ownerAlive reports whether the lease file at path names a live process.
func ownerAlive(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return false
	}
	return syscall.Kill(pid, 0) == nil
}

// clusterID is the id in a namespace or link name made by this package
// (gorunmh12-h3, gorunmh12br, gorunmh12v3), -1 for a name of the older
// unnumbered scheme (gorunmh-h1, gorunmhbr0), and ok=false for others.
func clusterID(name string) (id int, ok bool) {
	rest, found := strings.CutPrefix(name, Prefix)
	if !found {
		return 0, false
	}
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	if i == 0 {
		return -1, true
	}
	id, err := strconv.Atoi(rest[:i])
	return id, err == nil
}

// removeStale removes the namespaces and links of every cluster not in live.
func removeStale(live map[int]bool) {
	forEachName(func(name string, isNS bool) {
		if id, ok := clusterID(name); ok && !live[id] {
			removeName(name, isNS)
		}
	})
}

// removeCluster removes cluster id's namespaces and links.
func removeCluster(id int) {
	forEachName(func(name string, isNS bool) {
		if got, ok := clusterID(name); ok && got == id {
			removeName(name, isNS)
		}
	})
}

func removeName(name string, isNS bool) {
	if isNS {
		killIn(name)
		_ = run("ip", "netns", "del", name)
	} else {
		_ = run("ip", "link", "del", name)
	}
}

// forEachName calls f for every network namespace (isNS) and then every
// link of the root namespace.
func forEachName(f func(name string, isNS bool)) {
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if name != "" {
			f(name, true)
		}
	}
	links, _ := exec.Command("ip", "-o", "link", "show").Output()
	for _, line := range strings.Split(string(links), "\n") {
		fs := strings.Fields(line)
		if len(fs) < 2 {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSuffix(fs[1], ":"), "@")
		f(name, false)
	}
}
