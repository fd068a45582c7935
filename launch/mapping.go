package launch

import (
	"fmt"
	"strings"
)

// MapBy is the order in which ranks fill the hosts (Open MPI's --map-by).
type MapBy int

const (
	// MapBySlot fills each host's slots before the next host's: ranks
	// 0-3 on h1:4, 4-7 on h2:4. Neighbouring ranks share a host, which
	// suits codes whose neighbours talk most.
	MapBySlot MapBy = iota
	// MapByNode deals the ranks out one host at a time, round robin:
	// on h1:4,h2:4 ranks 0,2,4,6 on h1 and 1,3,5,7 on h2.
	MapByNode
)

// ParseMapBy reads --map-by's value: "slot" or "node" (Open MPI's
// "core" and "hwthread" place as "slot" does, one rank per slot).
func ParseMapBy(s string) (MapBy, error) {
	policy, _, _ := strings.Cut(strings.ToLower(s), ":") // "node:PE=2" modifiers are not ours
	switch policy {
	case "slot", "core", "hwthread":
		return MapBySlot, nil
	case "node":
		return MapByNode, nil
	}
	return 0, fmt.Errorf("--map-by %q: give slot or node: %w", s, ErrHosts)
}

// String is the --map-by value that selects m.
func (m MapBy) String() string {
	if m == MapByNode {
		return "node"
	}
	return "slot"
}

// Mapping says how ranks are placed on a job's hosts.
type Mapping struct {
	By MapBy
	// PerNode, when > 0, gives every host exactly this many slots (Open
	// MPI's --npernode), whatever the host list or allocation says.
	PerNode int
	// Oversubscribe allows more ranks than slots: the placement wraps
	// around and hosts take more ranks than they have slots.
	Oversubscribe bool
}

// Slots is the number of ranks hosts take under m without
// oversubscribing.
func (m Mapping) Slots(hosts []Host) int {
	if m.PerNode > 0 {
		return m.PerNode * len(hosts)
	}
	return TotalSlots(hosts)
}

// place maps each of size ranks to the index of its host in hosts.
func (m Mapping) place(hosts []Host, size int) ([]int, error) {
	if len(hosts) == 0 {
		return nil, fmt.Errorf("no hosts to place %d ranks on: %w", size, ErrHosts)
	}
	slots := make([]int, len(hosts))
	for i, h := range hosts {
		slots[i] = h.Slots
		if m.PerNode > 0 {
			slots[i] = m.PerNode
		}
	}
	if total := m.Slots(hosts); size > total && !m.Oversubscribe {
		return nil, fmt.Errorf("%d ranks asked for, but the hosts give %d slots: ask for fewer ranks, add slots (h:N, slots=N, --npernode) or give --oversubscribe: %w", size, total, ErrHosts)
	}
	at := make([]int, 0, size)
	for len(at) < size { // one pass per round of every slot; more only when oversubscribing
		switch m.By {
		case MapByNode:
			left := append([]int(nil), slots...)
			for more := true; more && len(at) < size; {
				more = false
				for i := range hosts {
					if left[i] > 0 && len(at) < size {
						at = append(at, i)
						left[i]--
						more = true
					}
				}
			}
		default:
			for i := range hosts {
				for k := 0; k < slots[i] && len(at) < size; k++ {
					at = append(at, i)
				}
			}
		}
	}
	return at, nil
}
