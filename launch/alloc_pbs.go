package launch

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// ReadPBSNodefile reads a PBS/Torque $PBS_NODEFILE: one host a line, a
// host listed once per slot it gives the job ("n1 n1 n2" is n1:2,n2:1), in
// the order the hosts first appear.
func ReadPBSNodefile(path string) ([]Host, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("PBS_NODEFILE: %w", err)
	}
	defer f.Close()
	return parsePBSNodefile(f, path)
}

func parsePBSNodefile(r io.Reader, name string) ([]Host, error) {
	var hosts []Host
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 0 || strings.HasPrefix(f[0], "#"):
			continue
		case len(f) > 1:
			return nil, fmt.Errorf("%s:%d: %q: a PBS node file has one host name a line: %w", name, line, sc.Text(), ErrHosts)
		}
		if TotalSlots(hosts) >= maxHostlist {
			return nil, fmt.Errorf("%s: more than %d slots: %w", name, maxHostlist, ErrHosts)
		}
		hosts = addHost(hosts, f[0], 1)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(hosts) == 0 {
		return nil, fmt.Errorf("%s: no hosts in the PBS node file: %w", name, ErrHosts)
	}
	return hosts, nil
}
