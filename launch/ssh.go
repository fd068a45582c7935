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
	// Stdin: stdin records follow on the session (remote_stdin.go); else
	// the rank reads /dev/null.
	Stdin bool `json:"stdin,omitempty"`
}

// remoteRank is the launcher's side of one remote rank: the stdin of its
// ssh session carries signals to the agent.
type remoteRank struct {
	host string
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

// rendezvousBind is where the rendezvous listens: every interface in a
// multi-host job unless --bind says which (each remote rank is told the
// address its host reached the launcher from).
func (j *Job) rendezvousBind() string {
	if j.Bind == "" && j.multiHost() {
		return "0.0.0.0"
	}
	return j.Bind
}

// newCmd prepares rank id: here as usual, or on its host through ssh.
func (r *Running) newCmd(id int, env []string) (*exec.Cmd, *remoteRank, error) {
	if !r.job.multiHost() {
		return newRankCmd(&r.job, id, env), nil, nil
	}
	at, err := placement(r.job.Hosts, r.job.Size)
	if err != nil {
		return nil, nil, fmt.Errorf("launch: %w", err)
	}
	host := r.job.Hosts[at[id]].Name
	if isLocalName(host) {
		return nil, nil, fmt.Errorf("launch: host %q in a multi-host job: name this host by a name or address the other hosts reach: %w", host, ErrHosts)
	}
	local := 0
	for _, h := range at {
		if h == at[id] {
			local++
		}
	}
	spec := agentSpec{Rank: id, Host: host, Path: r.job.Path, Args: r.job.Args, Argv0: r.job.Argv0,
		Dir: r.job.Dir, CPUs: r.job.CPUsPerRank, Local: local, Stdin: id == 0 && r.job.Stdin != nil}
	if spec.Dir == "" {
		spec.Dir, _ = os.Getwd()
	}
	rvHost, port, _ := net.SplitHostPort(r.rv.addr)
	spec.Port = port
	if ip := net.ParseIP(rvHost); ip == nil || !ip.IsUnspecified() {
		spec.Rendezvous = r.rv.addr
	}
	je := r.rv.env(id)
	je.Addr = "" // the agent's: spec.Rendezvous, or as its host reaches us
	je.Memberlist, je.Host, je.Compress = true, host, r.job.Compress
	spec.Env = append(je.Environ(), r.job.Extra...)
	line, err := json.Marshal(spec)
	if err != nil {
		return nil, nil, fmt.Errorf("launch: rank %d: %w", id, err)
	}
	agent := r.job.Remote.Agent
	if agent == "" {
		agent = os.Getenv("GORUN_AGENT")
	}
	if agent == "" {
		return nil, nil, fmt.Errorf("launch: no gorun path for the remote hosts: set Job.Remote.Agent or GORUN_AGENT: %w", ErrHosts)
	}
	sshArgs := r.job.Remote.SSH
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
	cmd := exec.Command(sshArgs[0], argv...)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, fmt.Errorf("launch: rank %d: ssh stdin: %w", id, err)
	}
	// The pipe holds 64 KiB: the spec is in it before ssh even starts.
	if _, err := in.Write(append(line, '\n')); err != nil {
		in.Close()
		return nil, nil, fmt.Errorf("launch: rank %d: ssh stdin: %w", id, err)
	}
	return cmd, &remoteRank{host: host, in: in, cmd: cmd}, nil
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
