package rendezvous

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The environment variables of the contract. A launcher sets the first
// group in every rank's environment; the user may set the second. One more,
// GORUN_LIFELINE (the descriptor of the pipe that ends a rank with its
// launcher where the system will not), belongs to internal/lifeline, which
// holds both of its halves.
const (
	varRank       = "GORUN_RANK"
	varSize       = "GORUN_SIZE"
	varRendezvous = "GORUN_RENDEZVOUS"
	varJobID      = "GORUN_JOBID"
	varSecret     = "GORUN_SECRET"
	varBind       = "GORUN_BIND"
	varCompress   = "GORUN_COMPRESS"
	varMemberlist = "GORUN_MEMBERLIST"
	varHost       = "GORUN_HOST"
	varIOStats    = "GORUN_IOSTATS"
	varRecover    = "GORUN_RECOVER"
	varAppNum     = "GORUN_APPNUM"

	varBootstrapTimeout = "GORUN_BOOTSTRAP_TIMEOUT"
	varMemberlistLog    = "GORUN_MEMBERLIST_LOG"
	varSlurmKeyFile     = "GORUN_SLURM_KEY_FILE"

	// prefix starts every variable of the contract.
	prefix = "GORUN_"
)

// ErrEnv: the GORUN_* environment is malformed or incomplete.
var ErrEnv = errors.New("rendezvous: bad GORUN_* environment")

// Env is what a rank learns from its environment. A launcher fills it for
// each rank and passes Environ(); the rank reads it back with ParseEnv.
type Env struct {
	// Set by the launcher for every rank; Size 0 means no launcher.
	Rank   int
	Size   int
	Addr   string // the rendezvous service's host:port (GORUN_RENDEZVOUS)
	JobID  string // GORUN_JOBID
	Secret []byte // GORUN_SECRET, hex: every connection of the job proves it

	// Set by the launcher when asked for, or by the user.
	Bind       string // GORUN_BIND: the host the rank listens on for peers
	Compress   bool   // GORUN_COMPRESS=1: zstd for large messages to other hosts
	Memberlist bool   // GORUN_MEMBERLIST=1: a multi-host job's failure detector
	Host       string // GORUN_HOST: the name the launcher gave the rank's host
	// IOStats (GORUN_IOSTATS), when set, turns on I/O statistics (package
	// iostats): a rank with a launcher sends them to it over its control
	// connection; where no launcher merges them (rank 0 under srun serving
	// the rendezvous itself, or a program run alone), the value is the
	// path of the JSON report rank 0 writes, its SVG timeline beside it
	// (".svg"), and the text goes to its stderr; "1" asks for the text
	// alone. gorun --iostats sets it.
	IOStats string
	// GORUN_RECOVER=1: the job goes on when ranks die (gorun
	// --enable-recovery); the survivors shrink their communicators.
	Recover bool
	// AppNum is the index of the rank's program in an MPMD job (`gorun -n 1
	// ./a : -n 3 ./b`: 0 for a, 1 for b), MPI's MPI_APPNUM; GORUN_APPNUM,
	// absent for 0.
	AppNum int

	// Set by the user only.
	BootstrapTimeout time.Duration // GORUN_BOOTSTRAP_TIMEOUT, e.g. 5m for slow srun starts; 0 = comm's default
	MemberlistLog    bool          // GORUN_MEMBERLIST_LOG=1: memberlist's own log on stderr
	SlurmKeyFile     string        // GORUN_SLURM_KEY_FILE: the per-user key of srun jobs (see comm)
}

// Launched reports whether a launcher described a job (GORUN_RANK was set).
func (e Env) Launched() bool { return e.Size > 0 }

// Job is the job e describes.
func (e Env) Job() Job { return Job{ID: e.JobID, Secret: e.Secret, Size: e.Size} }

// Environ is e as "KEY=value" entries for exec.Cmd.Env: the variables of
// a launched rank when Size > 0, and every other field that is set.
func (e Env) Environ() []string {
	var env []string
	add := func(k, v string) { env = append(env, k+"="+v) }
	if e.Launched() {
		add(varRank, strconv.Itoa(e.Rank))
		add(varSize, strconv.Itoa(e.Size))
		if e.Addr != "" {
			add(varRendezvous, e.Addr)
		}
		add(varJobID, e.JobID)
		add(varSecret, hex.EncodeToString(e.Secret))
	}
	if e.Bind != "" {
		add(varBind, e.Bind)
	}
	if e.Compress {
		add(varCompress, "1")
	}
	if e.Memberlist {
		add(varMemberlist, "1")
	}
	if e.Host != "" {
		add(varHost, e.Host)
	}
	if e.IOStats != "" {
		add(varIOStats, e.IOStats)
	}
	if e.Recover {
		add(varRecover, "1")
	}
	if e.AppNum > 0 {
		add(varAppNum, strconv.Itoa(e.AppNum))
	}
	if e.BootstrapTimeout > 0 {
		add(varBootstrapTimeout, e.BootstrapTimeout.String())
	}
	if e.MemberlistLog {
		add(varMemberlistLog, "1")
	}
	if e.SlurmKeyFile != "" {
		add(varSlurmKeyFile, e.SlurmKeyFile)
	}
	return env
}

// ParseEnv reads an Env through getenv (os.Getenv, or a test's map).
// Without GORUN_RANK the result is not Launched (a program run without
// gorun), but the user's variables are still read. The rendezvous address
// is not required here: a launcher's agent on a remote host adds it.
func ParseEnv(getenv func(string) string) (Env, error) {
	e := Env{
		Bind:          getenv(varBind),
		Compress:      getenv(varCompress) == "1",
		Memberlist:    getenv(varMemberlist) == "1",
		Host:          getenv(varHost),
		IOStats:       getenv(varIOStats),
		Recover:       getenv(varRecover) == "1",
		MemberlistLog: getenv(varMemberlistLog) == "1",
		SlurmKeyFile:  getenv(varSlurmKeyFile),
	}
	if v := getenv(varBootstrapTimeout); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Env{}, fmt.Errorf("%s=%q: give a Go duration such as 90s: %w", varBootstrapTimeout, v, ErrEnv)
		}
		e.BootstrapTimeout = d
	}
	if getenv(varRank) == "" {
		return e, nil
	}
	rank, err1 := strconv.Atoi(getenv(varRank))
	size, err2 := strconv.Atoi(getenv(varSize))
	secret, err3 := hex.DecodeString(getenv(varSecret))
	if err1 != nil || err2 != nil || err3 != nil || size < 1 || rank < 0 || rank >= size || len(secret) == 0 {
		return Env{}, fmt.Errorf("%s=%q %s=%q and %s are malformed or missing; start the program with gorun: %w",
			varRank, getenv(varRank), varSize, getenv(varSize), varSecret, ErrEnv)
	}
	if v := getenv(varAppNum); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return Env{}, fmt.Errorf("%s=%q: not a program index: %w", varAppNum, v, ErrEnv)
		}
		e.AppNum = n
	}
	e.Rank, e.Size, e.Secret = rank, size, secret
	e.Addr, e.JobID = getenv(varRendezvous), getenv(varJobID)
	return e, nil
}

// ParseEnviron is ParseEnv over "KEY=value" entries; of duplicate keys the
// last wins, as with exec.Cmd.Env.
func ParseEnviron(environ []string) (Env, error) {
	m := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return ParseEnv(func(k string) string { return m[k] })
}

// WithoutJob is environ without any GORUN_* entry: a rank's environment
// must not inherit the identity of the job its launcher runs in. Settings
// of the ranks' own that no launcher sets (userSettings: GORUN_TRANSPORT)
// are kept, so `GORUN_TRANSPORT=tcp gorun ...` reaches the ranks.
func WithoutJob(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(kv, prefix) || userSettings[k] {
			out = append(out, kv)
		}
	}
	return out
}

// userSettings are GORUN_* variables outside the launch contract, read by
// the ranks only (comm: GORUN_TRANSPORT=tcp forces TCP between ranks of a
// host, and collectives' messages instead of host segments).
var userSettings = map[string]bool{"GORUN_TRANSPORT": true}
