package launch

import (
	"fmt"
	"net"
	"os"

	"github.com/gorun-hpc/gorun/rendezvous"
)

// layout is where every rank of a job runs, decided once at Start from
// Job.Hosts, Job.Mapping and Job.Remote.
type layout struct {
	// host of each rank: an index into Job.Hosts; nil when the job has no
	// hosts (every rank here).
	at []int
	// remote: the rank starts through Remote (ssh or srun) rather than
	// as a child of the launcher.
	remote []bool
	// slot: the rank's index among the ranks on its host, for CPU binding
	// (bind.go).
	slot []int
	// perHost: the number of ranks on each host (each rank's share of its
	// host's CPUs); [Size] when the job has no hosts.
	perHost []int
	// multi: ranks run on more than one host (or through Remote), so they
	// listen on a routable address and run memberlist.
	multi bool
	// routeIP: in a multi-host job, this host's address on the route to
	// the other hosts, which ranks started here listen on and reach the
	// rendezvous at; "" when Job.Bind says or when no rank runs here.
	routeIP string
}

// newLayout places job's ranks. A host that names this machine runs its
// ranks as children of the launcher (as mpirun does with the ranks on its
// own node) unless Remote.All says every rank starts through Remote.
func newLayout(job *Job) (*layout, error) {
	l := &layout{remote: make([]bool, job.Size), slot: make([]int, job.Size)}
	if len(job.Hosts) == 0 {
		l.perHost = []int{job.Size}
		for id := range l.slot {
			l.slot[id] = id
		}
		return l, nil
	}
	at, err := job.Mapping.place(job.Hosts, job.Size)
	if err != nil {
		return nil, fmt.Errorf("launch: %w", err)
	}
	l.at = at
	l.perHost = make([]int, len(job.Hosts))
	here := make([]bool, len(job.Hosts))
	for i, h := range job.Hosts {
		here[i] = !job.Remote.All && thisHost(h.Name)
	}
	used := map[int]bool{}
	anyHere, anyRemote := false, false
	for id, h := range at {
		l.slot[id] = l.perHost[h]
		l.perHost[h]++
		used[h] = true
		l.remote[id] = !here[h]
		anyHere = anyHere || here[h]
		anyRemote = anyRemote || !here[h]
	}
	l.multi = anyRemote || len(used) > 1
	if !anyRemote {
		// Every rank on this host, under several names ("localhost:2,
		// vm:2"): one host, loopback as without hosts.
		l.multi = false
		l.perHost = []int{job.Size}
		for id := range l.slot {
			l.slot[id] = id
		}
		l.remote = make([]bool, job.Size)
		return l, nil
	}
	if anyHere && job.Bind == "" {
		for id, h := range at {
			if l.remote[id] {
				l.routeIP, err = routeTo(job.Hosts[h].Name)
				if err != nil {
					return nil, fmt.Errorf("launch: no address of this host that %s reaches: %w (give --bind ADDR)", job.Hosts[h].Name, err)
				}
				break
			}
		}
	}
	return l, nil
}

// routeTo is this host's address on the route to host: the source address
// the kernel picks for a datagram socket "connected" there (no packet is
// sent).
func routeTo(host string) (string, error) {
	c, err := net.Dial("udp", net.JoinHostPort(host, "9"))
	if err != nil {
		return "", err
	}
	defer c.Close()
	ip := c.LocalAddr().(*net.UDPAddr).IP
	return ip.String(), nil
}

// hostName is the name of rank id's host, for GORUN_HOST and messages.
func (l *layout) hostName(job *Job, id int) string {
	if l.at == nil {
		h, _ := os.Hostname()
		return h
	}
	return job.Hosts[l.at[id]].Name
}

// localRanks is the number of ranks on rank id's host.
func (l *layout) localRanks(id int) int {
	if l.at == nil {
		return l.perHost[0]
	}
	return l.perHost[l.at[id]]
}

// localEnv is rank id's GORUN_* variables as the launcher gives them to a
// rank it starts itself (a remote rank's agent fills in the rest, ssh.go).
// In a multi-host job such a rank reaches the rendezvous at, and listens
// on, this host's address on the route to the other hosts, so they can
// reach it too, and joins memberlist as every rank of the job does.
func (r *Running) localEnv(id int) rendezvous.Env {
	je := r.rv.env(id)
	je.Bind, je.Compress, je.Recover = r.job.Bind, r.job.Compress, r.job.KeepGoing
	je.IOStats = r.job.iostatsEnv() // iostats.go
	_, je.AppNum = r.job.app(id)
	if r.lay.multi {
		_, port, _ := net.SplitHostPort(r.rv.addr)
		ip := r.job.Bind
		if ip == "" {
			ip = r.lay.routeIP
		}
		if ip != "" {
			je.Addr = net.JoinHostPort(ip, port)
			je.Bind = ip
		}
		je.Memberlist, je.Host = true, r.lay.hostName(&r.job, id)
	}
	return je
}

// rendezvousBind is where the rendezvous listens: every interface in a
// multi-host job unless --bind says which (each remote rank is told the
// address its host reached the launcher from).
func (j *Job) rendezvousBind(l *layout) string {
	if j.Bind == "" && l.multi {
		return "0.0.0.0"
	}
	return j.Bind
}
