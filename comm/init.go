package comm

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/gorun-hpc/gorun/internal/lifeline"
	"github.com/gorun-hpc/gorun/rendezvous"
)

// Config holds the knobs of a rank's transport; DefaultConfig fills them.
type Config struct {
	// BindAddr is the host this rank listens on for peers; "" takes
	// GORUN_BIND, else the local address of the rendezvous connection, so
	// nothing assumes loopback.
	BindAddr string
	// DialTimeout bounds one connection attempt to a peer.
	DialTimeout time.Duration
	// BootstrapTimeout bounds Init, including waiting for every rank
	// (GORUN_BOOTSTRAP_TIMEOUT overrides it, e.g. "5m" for slow srun starts).
	BootstrapTimeout time.Duration
	// Logger receives warnings (refused connections, dropped peers).
	Logger *slog.Logger
	// Compress sends messages of 64 KiB and more to peers on other hosts
	// zstd-compressed when that saves a tenth (gorun --compress, or
	// GORUN_COMPRESS=1). It pays on links slower than the compressor,
	// about 1 Gbit/s and below; see comm/compress.go.
	Compress bool
	// TCPOnly keeps every stream on TCP, even to ranks on this host, which
	// otherwise go through shared memory (comm/shm.go); GORUN_TRANSPORT=tcp
	// sets it. For tests and benchmarks of the TCP path.
	TCPOnly bool
	// Recover keeps the world alive when ranks die: the communicators with
	// a dead rank break, and the survivors go on through Shrink (gorun
	// --enable-recovery sets GORUN_RECOVER=1, and its launcher then keeps
	// the survivors running). Without it a death ends every communicator.
	Recover bool

	// From a multi-host launcher (rendezvous.Env): run a memberlist node
	// (members.go), log it, and the launcher's name for this rank's host.
	memberlist, memberlistLog bool
	host                      string
	spin                      time.Duration // ring polling before blocking; 0: defaultSpin
	// crowdedTCP: streams stay on TCP when this host holds more than
	// crowdedPerCore ranks per core (see crowded); set for launched ranks.
	crowdedTCP bool
}

// DefaultConfig is what Init uses.
func DefaultConfig() Config {
	return Config{DialTimeout: 10 * time.Second, BootstrapTimeout: 60 * time.Second,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
}

// Init returns the world communicator described by the environment: the
// GORUN_* variables set by gorun, or a singleton of size 1 when there are
// none, so `go run` and `go test` work unchanged.
func Init(ctx context.Context) (*Comm, error) { return InitConfig(ctx, DefaultConfig()) }

// InitConfig is Init with explicit settings.
func InitConfig(ctx context.Context, cfg Config) (*Comm, error) {
	def := DefaultConfig()
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = def.DialTimeout
	}
	if cfg.BootstrapTimeout <= 0 {
		cfg.BootstrapTimeout = def.BootstrapTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = def.Logger
	}
	env, err := rendezvous.ParseEnv(os.Getenv)
	if err != nil {
		return nil, fmt.Errorf("comm: %v: %w", err, ErrBootstrap)
	}
	if env.Compress {
		cfg.Compress = true
	}
	if tcp, err := tcpOnlyEnv(os.Getenv("GORUN_TRANSPORT")); err != nil {
		return nil, err
	} else if tcp {
		cfg.TCPOnly = true
	}
	if env.Recover {
		cfg.Recover = true
	}
	if env.BootstrapTimeout > 0 {
		cfg.BootstrapTimeout = env.BootstrapTimeout
	}
	if cfg.BindAddr == "" {
		cfg.BindAddr = env.Bind
	}
	if !env.Launched() {
		rank, size, job, rv, ok, err := slurmJob(os.Getenv)
		if err != nil {
			return nil, err
		}
		if ok && size > 1 {
			return startStats(env.IOStats)(initSlurm(ctx, cfg, rank, job, rv))
		}
		return startStats(env.IOStats)(singleton(cfg))
	}
	// Under gorun: die with the launcher where the system will not see to it
	// (internal/lifeline; macOS has no Pdeathsig).
	if err := lifeline.Watch(); err != nil {
		return nil, fmt.Errorf("comm: %w: %w", err, ErrBootstrap)
	}
	if env.Addr == "" {
		return nil, fmt.Errorf("comm: rank %d of %d has no rendezvous address (GORUN_RENDEZVOUS); start the program with gorun: %w", env.Rank, env.Size, ErrBootstrap)
	}
	cfg.memberlist = env.Memberlist
	cfg.memberlistLog = env.MemberlistLog
	cfg.host = env.Host
	cfg.crowdedTCP = true
	return startStats(env.IOStats)(join(ctx, cfg, env.Job(), env.Rank, env.Addr))
}

func singleton(cfg Config) (*Comm, error) {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("comm: singleton listener: %w", err)
	}
	w := newWorld(cfg, rendezvous.Job{ID: "singleton", Secret: secret, Size: 1}, 0, ln)
	w.addrs = []string{ln.Addr().String()}
	w.wg.Add(1)
	go w.serve()
	return worldComm(w), nil
}

func newWorld(cfg Config, job rendezvous.Job, rank int, ln net.Listener) *world {
	w := &world{rank: rank, size: job.Size, jobID: job.ID, secret: job.Secret, ln: ln,
		eng: newEngine(), log: cfg.Logger, dialTO: cfg.DialTimeout,
		out: map[int]*outConn{}, bye: map[int]bool{}, from: map[int]bool{}, shmIn: map[int]*inStream{}, done: make(chan struct{}),
		refused: refusals{log: cfg.Logger, interval: refusalInterval}}
	w.lazyWait.Store(int64(defaultLazyWait))
	w.lostWait.Store(int64(defaultLostWait))
	w.compress = cfg.Compress
	w.tcpOnly = cfg.TCPOnly
	w.spin = cfg.spin
	if w.spin <= 0 {
		w.spin = defaultSpin
	}
	w.eng.poll = w.waitPoll
	w.eng.recovers = cfg.Recover
	return w
}

func worldComm(w *world) *Comm {
	members := make([]int, w.size)
	for i := range members {
		members[i] = i
	}
	c := &Comm{w: w, id: deriveID(0, 0, "world"), members: members, rank: w.rank, isWorld: true}
	c.hosts = c.hostsFunc()
	return c
}

// join registers with the rendezvous at rv and waits for the table.
func join(ctx context.Context, cfg Config, job rendezvous.Job, rank int, rv string) (*Comm, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.BootstrapTimeout)
	defer cancel()
	rc, err := rendezvous.Dial(ctx, rv, job, rank, cfg.DialTimeout)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("comm: rank %d cannot reach the rendezvous at %s within %v: %v: %w", rank, rv, cfg.BootstrapTimeout, err, ErrBootstrap)
		}
		return nil, fmt.Errorf("comm: rank %d: %w", rank, err)
	}
	host := cfg.BindAddr
	if host == "" {
		host, _, _ = net.SplitHostPort(rc.LocalAddr().String())
	} else if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		rc.Close()
		return nil, fmt.Errorf("comm: rank %d cannot listen on %s: %v (set --bind / GORUN_BIND): %w", rank, host, err, ErrBootstrap)
	}
	addrs, err := rc.Register(ctx, ln.Addr().String())
	if err == nil && len(addrs) != job.Size {
		err = fmt.Errorf("the rendezvous' address table has %d ranks, the job %d", len(addrs), job.Size)
	}
	if err != nil {
		rc.Close()
		ln.Close()
		if ctx.Err() != nil {
			err = fmt.Errorf("no address table from the rendezvous: not every rank registered within %v", cfg.BootstrapTimeout)
		}
		return nil, fmt.Errorf("comm: rank %d: %v: %w", rank, err, ErrBootstrap)
	}
	w := newWorld(cfg, job, rank, ln)
	w.addrs = addrs
	if cfg.crowdedTCP && !w.tcpOnly {
		online, _ := cpuLayout()
		w.tcpOnly = crowded(addrs, rank, online)
	}
	w.ctl = &ctlClient{conn: rc, done: make(chan struct{})}
	w.wg.Add(1)
	go w.serve()
	go w.ctl.watch(w)
	c := worldComm(w)
	if err := startMembers(ctx, c, cfg); err != nil { // members.go: multi-host jobs only
		c.Close()
		return nil, err
	}
	return c, nil
}

// crowdedPerCore is the number of a job's ranks per core on a host above
// which their streams stay on TCP: the shared-memory rings (shm.go) pay
// for their setup (a segment created, mapped twice and unlinked per
// stream, its pages faulted in) and their polling in latency saved, and
// with many more ranks than cores a rank waits for a core, not for its
// peer's bytes. Measured with 1024 ranks on 2 cores (docs/SCALING.md):
// the job cost 27-30 s of CPU and 1.4M context switches over rings, 14-15
// s and 0.35M over TCP. Up to 4 ranks a core (8 ranks on a laptop's 2)
// the rings win and are kept.
const crowdedPerCore = 4

// crowded reports whether rank's host, by the address table, holds more
// than crowdedPerCore ranks per online core.
func crowded(addrs []string, rank, online int) bool {
	local := 0
	for _, a := range addrs {
		if hostOf(a) == hostOf(addrs[rank]) {
			local++
		}
	}
	return local > crowdedPerCore*max(online, 1)
}

// NewLocal starts n ranks of one job inside this process, over loopback
// TCP with the same wire code as separate processes: for tests of the
// layers above. Close every returned communicator when done.
func NewLocal(ctx context.Context, n int) ([]*Comm, error) {
	cs, _, err := newLocal(ctx, n)
	if err != nil {
		return nil, err
	}
	// Nobody here reports failed ranks (no launcher reaps these ranks), so
	// a lost connection has no better verdict to wait for.
	for _, c := range cs {
		c.w.lostWait.Store(0)
	}
	return cs, nil
}

// newLocal is NewLocal that also returns the job's rendezvous, so tests can
// send the notices a launcher would.
func newLocal(ctx context.Context, n int) ([]*Comm, *rendezvous.Server, error) {
	return newLocalJob(ctx, n, false, nil)
}

// newLocalJob is newLocal, for a job that recovers from failed ranks
// when recovers is set (see NewLocalRecover), with rank i listening on
// bind(i) (nil: the rendezvous' loopback address).
func newLocalJob(ctx context.Context, n int, recovers bool, bind func(i int) string) ([]*Comm, *rendezvous.Server, error) {
	if n < 1 {
		return nil, nil, fmt.Errorf("comm: NewLocal(%d): need at least one rank: %w", n, ErrArgument)
	}
	secret := make([]byte, 32)
	id := make([]byte, 8)
	_, _ = rand.Read(secret)
	_, _ = rand.Read(id)
	job := rendezvous.Job{ID: "local-" + hex.EncodeToString(id), Secret: secret, Size: n}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	cfg := DefaultConfig()
	cfg.spin = localSpin // in-process ranks share this process' cores: poll briefly (ring.go)
	// GORUN_TRANSPORT=tcp runs in-process ranks over TCP too (tests).
	cfg.TCPOnly, _ = tcpOnlyEnv(os.Getenv("GORUN_TRANSPORT"))
	cfg.Recover = recovers
	rv := rendezvous.NewServer(ln, job, cfg.Logger)
	// A recovering job's ranks learn of a rank that vanished from the
	// rendezvous, as from gorun's launcher (nobody reaps these ranks).
	rv.ReportLoss = recovers
	go func() { _ = rv.Serve(context.Background()) }()
	cs := make([]*Comm, n)
	errs := make([]error, n)
	done := make(chan int, n)
	for i := range n {
		go func() {
			cfg := cfg
			if bind != nil {
				cfg.BindAddr = bind(i)
			}
			cs[i], errs[i] = join(ctx, cfg, job, i, ln.Addr().String())
			done <- i
		}()
	}
	for range n {
		<-done
	}
	for i, err := range errs {
		if err != nil {
			for _, c := range cs {
				if c != nil {
					c.Close()
				}
			}
			rv.Close()
			return nil, nil, fmt.Errorf("comm: NewLocal rank %d: %w", i, err)
		}
	}
	// The rendezvous lives as long as the job: it ends when the last rank's
	// control connection closes.
	go func() {
		for _, c := range cs {
			<-c.w.ctl.done
		}
		rv.Close()
	}()
	return cs, rv, nil
}

// tcpOnlyEnv reads GORUN_TRANSPORT: "tcp" forces TCP between ranks on one
// host, "" or "auto" lets them use shared memory.
func tcpOnlyEnv(v string) (bool, error) {
	switch v {
	case "", "auto":
		return false, nil
	case "tcp":
		return true, nil
	}
	return false, fmt.Errorf("comm: GORUN_TRANSPORT=%q: want tcp or auto: %w", v, ErrBootstrap)
}
