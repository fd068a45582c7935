package launch

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ReadHostfile reads an Open MPI hostfile: one host a line, optionally
// followed by slots=N (max_slots=N is accepted and ignored), # comments and
// blank lines allowed. A host without slots= takes one rank.
func ReadHostfile(path string) ([]Host, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--hostfile: %w", err)
	}
	defer f.Close()
	return parseHostfile(f, path)
}

func parseHostfile(r io.Reader, name string) ([]Host, error) {
	var hosts []Host
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		slots := 1
		for _, kv := range f[1:] {
			k, v, ok := strings.Cut(kv, "=")
			n, err := strconv.Atoi(v)
			switch {
			case !ok || err != nil || n < 0:
				return nil, fmt.Errorf("%s:%d: %q: give slots=N: %w", name, line, kv, ErrHosts)
			case k == "slots" || k == "cpu" || k == "count":
				if n < 1 {
					return nil, fmt.Errorf("%s:%d: slots=%d: give at least 1: %w", name, line, n, ErrHosts)
				}
				slots = n
			case k == "max_slots" || k == "max-slots":
			default:
				return nil, fmt.Errorf("%s:%d: unknown %q (known: slots=N, max_slots=N): %w", name, line, k, ErrHosts)
			}
		}
		hosts = addHost(hosts, f[0], slots)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(hosts) == 0 {
		return nil, fmt.Errorf("%s: no hosts in the hostfile: %w", name, ErrHosts)
	}
	return hosts, nil
}
