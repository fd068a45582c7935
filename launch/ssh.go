package launch

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// Remote says how ranks on other hosts are started: one ssh session or
// srun job step per host runs `gorun --agent` there (see Agent and
// nodeAgent), which starts that host's ranks, forwards the launcher's
// signals to their process groups and sends their output and exits back
// as records (node.go). (Hydra and Open MPI start one proxy per host too;
// gorun started one session per remote rank until decision 40: 9,900
// logins for 10,000 ranks on 100 hosts, beyond what sshd's MaxStartups
// or slurmctld take at once.)
type Remote struct {
	// SSH is the ssh program and the options put before ours (BatchMode=yes,
	// StrictHostKeyChecking=accept-new, ServerAliveInterval=5, -T, -x);
	// options given here win. nil = $GORUN_SSH split on blanks, else "ssh".
	SSH []string
	// Agent is the path of gorun on the remote hosts; "" = $GORUN_AGENT.
	// cmd/gorun sets its own path, as with a shared filesystem or the same
	// install prefix on every host (Open MPI's assumption too).
	Agent string
	// Via is how the agents are started: RemoteSSH (the default) or
	// RemoteSrun, inside a Slurm allocation (srun.go).
	Via RemoteVia
	// All starts every rank through Via, this host's too (gorun's
	// --launcher srun|ssh); otherwise ranks on a host that names this
	// machine are the launcher's own children.
	All bool
	// StepCPUs is the CPUs each srun step may use on a host (from
	// Allocation.CPUs); a host not in it gets srun's default.
	StepCPUs map[string]int
}

// agentSpec is what the launcher tells a remote agent, as one JSON line on
// the ssh session's stdin: never on the command line, where other users of
// the remote host would see the job secret in ps.
type agentSpec struct {
	Rank  int      `json:"rank"`
	Host  string   `json:"host"`
	Path  string   `json:"path"`
	Args  []string `json:"args"`
	Argv0 string   `json:"argv0"`
	Dir   string   `json:"dir"`
	Env   []string `json:"env"` // GORUN_* (secret included), then the -x entries
	// Rendezvous is the launcher's address as given; "" = the ssh client's
	// address as the remote host sees it (SSH_CONNECTION) with Port, the
	// launcher's address on the interface that reaches that host.
	Rendezvous string `json:"rendezvous,omitempty"`
	Port       string `json:"port"`
	CPUs       int    `json:"cpus"`  // Job.CPUsPerRank
	Local      int    `json:"local"` // ranks of the job on that host
	// Slot is the rank's index among them, BindTo and Report what the
	// agent does with it (bind.go).
	Slot   int    `json:"slot"`
	BindTo BindTo `json:"bind,omitempty"`
	Report bool   `json:"report,omitempty"`
	// Stdin: stdin records follow on the session (remote_stdin.go); else
	// the rank reads /dev/null.
	Stdin bool `json:"stdin,omitempty"`
	// Srun: started by srun, not sshd. srun passes the launcher's
	// environment on, so an SSH_CONNECTION there is the launcher's own
	// login, not this session's, and must not give the rank its address.
	Srun bool `json:"srun,omitempty"`
	// Ranks, when not empty, makes the agent a node agent (node.go):
	// it starts every rank described there, and the fields above are
	// unused but Host.
	Ranks []agentSpec `json:"ranks,omitempty"`
}

// remoteRank is the launcher's side of one remote rank: its host's
// session (node.go), which carries the launcher's records for it.
type remoteRank struct {
	host string
	node *nodeSession
	id   int
}

// signal forwards sig to the remote rank's process group through its
// host's agent (see nodeSession.signal for SIGKILL).
func (m *remoteRank) signal(sig syscall.Signal) error { return m.node.signal(m.id, sig) }

// newCmd prepares rank id, a rank of this host (remote ranks start
// through their host's session: node.go).
func (r *Running) newCmd(id int, env []string) *exec.Cmd {
	return newRankCmd(&r.job, id, env)
}

// remoteSpec is what the agent on rank id's host needs to start it.
func (r *Running) remoteSpec(id int) (agentSpec, error) {
	host := r.job.Hosts[r.lay.at[id]].Name
	if isLocalName(host) && r.lay.multi && r.job.Remote.Via == RemoteSSH {
		return agentSpec{}, fmt.Errorf("launch: host %q in a multi-host job: name this host by a name or address the other hosts reach: %w", host, ErrHosts)
	}
	app, appNum := r.job.app(id)
	spec := agentSpec{Rank: id, Host: host, Path: app.Path, Args: app.Args, Argv0: app.Argv0,
		Dir: app.Dir, CPUs: r.job.CPUsPerRank, Local: r.lay.localRanks(id), Stdin: id == 0 && r.job.Stdin != nil,
		Slot: r.lay.slot[id], BindTo: r.job.BindTo, Report: r.job.ReportBindings, Srun: r.job.Remote.Via == RemoteSrun}
	if spec.Dir == "" {
		spec.Dir, _ = os.Getwd()
	}
	rvHost, port, _ := net.SplitHostPort(r.rv.addr)
	spec.Port = port
	if ip := net.ParseIP(rvHost); ip == nil || !ip.IsUnspecified() {
		spec.Rendezvous = r.rv.addr
	} else if r.job.Remote.Via == RemoteSrun {
		// No SSH_CONNECTION on the other side: tell the agent the
		// address of this host on the route to its host.
		ip, err := routeTo(host)
		if err != nil {
			return agentSpec{}, fmt.Errorf("launch: rank %d: no address of this host that %s reaches: %w (give --bind ADDR)", id, host, err)
		}
		spec.Rendezvous = net.JoinHostPort(ip, port)
	}
	je := r.rv.env(id)
	je.Addr = "" // the agent's: spec.Rendezvous, or as its host reaches us
	je.Memberlist, je.Host, je.Compress, je.AppNum, je.Recover = true, host, r.job.Compress, appNum, r.job.KeepGoing
	je.IOStats = r.job.iostatsEnv() // iostats.go
	spec.Env = append(je.Environ(), r.job.extra(id)...)
	return spec, nil
}

// agentCmd is the ssh session or srun step that runs the agent on host.
func (r *Running) agentCmd(host string) (*exec.Cmd, error) {
	agent := r.job.Remote.Agent
	if agent == "" {
		agent = os.Getenv("GORUN_AGENT")
	}
	if agent == "" {
		return nil, fmt.Errorf("launch: no gorun path for the remote hosts: set Job.Remote.Agent or GORUN_AGENT: %w", ErrHosts)
	}
	if r.job.Remote.Via == RemoteSrun {
		return srunCmd(host, r.job.Remote.StepCPUs[host], agent), nil // srun.go
	}
	return sshCmd(r.job.Remote.SSH, host, agent), nil
}

// sshCmd is the ssh session that runs the agent on host.
func sshCmd(ssh []string, host, agent string) *exec.Cmd {
	sshArgs := ssh
	if len(sshArgs) == 0 {
		sshArgs = strings.Fields(os.Getenv("GORUN_SSH"))
	}
	if len(sshArgs) == 0 {
		sshArgs = []string{"ssh"}
	}
	argv := append([]string{}, sshArgs[1:]...)
	argv = append(argv, "-T", "-x", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new",
		"-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3",
		host, "--", shellQuote(agent)+" --agent")
	return exec.Command(sshArgs[0], argv...)
}

// shellQuote quotes s for the remote user's shell.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(c rune) bool {
		return !(c == '/' || c == '.' || c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
