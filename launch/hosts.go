package launch

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Host is one machine of a multi-host job and how many ranks it takes.
type Host struct {
	Name  string // what ssh is given: a host name, alias or address
	Slots int    // ranks it runs at most, at least 1
}

// ErrHosts is wrapped by every error about a host list or hostfile.
var ErrHosts = errors.New("launch: bad host list")

// ParseHosts reads Open MPI's -H syntax: "h1:4,h2:4" or "h1,h2" (one slot
// each); a host named twice adds up its slots.
func ParseHosts(s string) ([]Host, error) {
	var hosts []Host
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, slots := item, 1
		if i := strings.LastIndexByte(item, ':'); i >= 0 && !strings.HasSuffix(item, "]") {
			n, err := strconv.Atoi(item[i+1:])
			if err != nil || n < 1 {
				return nil, fmt.Errorf("-H %q: %q: give host or host:slots with slots >= 1: %w", s, item, ErrHosts)
			}
			name, slots = item[:i], n
		}
		hosts = addHost(hosts, strings.Trim(name, "[]"), slots)
	}
	if len(hosts) == 0 {
		return nil, fmt.Errorf("-H %q: no hosts: %w", s, ErrHosts)
	}
	return hosts, nil
}

func addHost(hosts []Host, name string, slots int) []Host {
	for i := range hosts {
		if hosts[i].Name == name {
			hosts[i].Slots += slots
			return hosts
		}
	}
	return append(hosts, Host{Name: name, Slots: slots})
}

// TotalSlots is the number of ranks hosts take when filled.
func TotalSlots(hosts []Host) int {
	n := 0
	for _, h := range hosts {
		n += h.Slots
	}
	return n
}

// isLocalName reports whether name means this machine.
func isLocalName(name string) bool {
	switch name {
	case "localhost", "127.0.0.1", "::1", "":
		return true
	}
	return false
}
