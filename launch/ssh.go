package launch

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
)

// Remote says how ranks on other hosts are started: one ssh session per
// remote rank runs `gorun --agent` there (see Agent), which starts the rank,
// forwards the launcher's signals to its process group and exits with its
// status. (Hydra and Open MPI start one proxy per host instead; a session
// per rank keeps each rank's output, exit status and signals on its own
// ssh channel, at the cost of one ssh login per remote rank at start.)
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

// remoteRank is the launcher's side of one remote rank: the stdin of its
// ssh session carries signals to the agent.
type remoteRank struct {
	host string
	// node, when set, is the session of the rank's host that started it
	// with the others there (node.go), and id the rank: the fields below
	// are unused then.
	node *nodeSession
	id   int
	mu   sync.Mutex
	in   io.WriteCloser
	cmd  *exec.Cmd
	// group holds the local ssh client (startRank sets it): a kill ends it.
	group *procGroup
}

// signal forwards sig to the remote rank's process group through its
// agent. SIGKILL also ends the local ssh session: a host that dropped off
// the network cannot be told anything, and the agent kills its rank when
// its session ends.
func (m *remoteRank) signal(sig syscall.Signal) error {
	if m.node != nil {
		return m.node.signal(m.id, sig)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.in != nil {
		_, _ = fmt.Fprintf(m.in, "signal %d\n", int(sig))
	}
	if sig == syscall.SIGKILL {
		if m.in != nil {
			_ = m.in.Close()
			m.in = nil
		}
		if m.group != nil {
			if err := m.group.signal(syscall.SIGKILL); err != nil {
				return fmt.Errorf("kill ssh session of rank on %s: %w", m.host, err)
			}
		}
	}
	return nil
}

// newCmd prepares rank id: here as usual, or on its host through its own
// ssh session or srun step (see nodeMode for the sessions per host).
func (r *Running) newCmd(id int, env []string) (*exec.Cmd, *remoteRank, error) {
	if !r.lay.remote[id] {
		return newRankCmd(&r.job, id, env), nil, nil
	}
	spec, err := r.remoteSpec(id)
	if err != nil {
		return nil, nil, err
	}
	line, err := json.Marshal(spec)
	if err != nil {
		return nil, nil, fmt.Errorf("launch: rank %d: %w", id, err)
	}
	cmd, err := r.agentCmd(spec.Host)
	if err != nil {
		return nil, nil, err
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, fmt.Errorf("launch: rank %d: %s stdin: %w", id, cmd.Args[0], err)
	}
	// The pipe holds 64 KiB: the spec is in it before ssh even starts.
	if _, err := in.Write(append(line, '\n')); err != nil {
		in.Close()
		return nil, nil, fmt.Errorf("launch: rank %d: %s stdin: %w", id, cmd.Args[0], err)
	}
	return cmd, &remoteRank{host: spec.Host, in: in, cmd: cmd}, nil
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
