// Command gorun runs a program as one parallel job of N ranks on this host,
// in the spirit of mpiexec:
//
//	gorun -n 4 ./examples/hello      # build the package once, run it 4 times
//	gorun -n 8 -l ./bin/sim -steps 100
//
// The program is an executable, a command in $PATH, a Go package directory
// or a .go file; a Go package is built once with `go build` (GOFLAGS
// applies, e.g. GOFLAGS=-race) into gorun's build cache
// ($XDG_CACHE_HOME/gorun), and reused by the next run while none of the
// files it was built from changed. Each rank is told its rank, the size,
// the address of gorun's rendezvous service, a random job id and a random
// 32-byte job secret in GORUN_* variables (package rendezvous); comm.Init
// reads them.
//
// Flags (mpiexec's shape; -flag and --flag are the same):
//
//	-n, -np N          number of ranks
//	-x VAR[=value]     pass VAR to every rank (repeatable); ranks on this host
//	                   inherit gorun's environment anyway, so -x VAR matters for
//	                   multi-host launches and -x VAR=value sets a value
//	-l, --tag-output   prefix every line with its rank, "[3] text" (MPICH's -l
//	                   form); a rank's stderr stays on gorun's stderr
//	--timeout D        after D (90s, 5m, or plain seconds) send SIGQUIT to every
//	                   rank, so a Go rank prints every goroutine's stack, wait up
//	                   to 3s, kill the rest, exit 124 (as timeout(1) does)
//	--grace D          after a failure, time the other ranks get to print their
//	                   errors and exit before SIGKILL (default 2s)
//	--bind ADDR        host/IP the ranks listen on for peer traffic (GORUN_BIND)
//	                   and the rendezvous listens on; default loopback
//	--cpus-per-rank N  GOMAXPROCS of every rank (default: this host's CPUs
//	                   shared among its ranks; -1: Go's default)
//	--compress         zstd-compress large messages between ranks on different hosts
//	--enable-recovery  (or --keep-going) when a rank dies, the others keep running
//	                   and are told, to go on with comm's Shrink (Open MPI 5's
//	                   --with-ft ulfm); the exit status is still the dead rank's
//	-H, --host LIST    run on other hosts over ssh: h1:4,h2:4 (host:slots), ranks
//	                   filling each host's slots in order; -n defaults to the slots
//	--hostfile FILE    the hosts from a file in Open MPI's syntax ("h1 slots=4")
//	--ssh CMD          the ssh command and options for -H (default $GORUN_SSH, else
//	                   ssh); each remote rank runs under `gorun --agent` on its host,
//	                   which must have gorun at the same path ($GORUN_AGENT) and the
//	                   program at the same path
//	-v                 log the build, and each rank's start and exit, to stderr
//
// Placement, binding and output, in Open MPI's spelling:
//
//	--map-by slot|node fill each host's slots in turn (slot, the default) or
//	                   deal the ranks out one host at a time (node)
//	--npernode N       N ranks on every host; -n defaults to N x hosts
//	--oversubscribe    allow more ranks than slots (placement wraps around)
//	--bind-to core|hwthread|none
//	                   pin each rank of a host to cores (hardware threads) of its
//	                   own, --cpus-per-rank of them (default 1), with
//	                   sched_setaffinity before exec (Linux); default none
//	--report-bindings  a line per rank on stderr, Open MPI's form plus the CPU
//	                   list as /proc/PID/status Cpus_allowed_list spells it:
//	                   "[host:pid] MCW rank 1 bound to socket 0[core 1[hwt 0]]: [./B] (cpus 1)"
//	--output-filename DIR[:nocopy]
//	                   also write each rank's stdout and stderr to
//	                   DIR/1/rank.N/stdout and DIR/1/rank.N/stderr (N padded to
//	                   the digits of the size, as Open MPI 4); :nocopy only there
//	--wdir DIR         the ranks' working directory (also -wdir, --wd); a
//	                   relative program path stays relative to gorun's
//	--launcher srun|ssh
//	                   start every rank, this host's too, through srun job steps
//	                   or ssh (default: this host's ranks directly, the others
//	                   with srun inside a Slurm allocation, else ssh)
//	A : B              MPMD: `gorun -n 1 ./a : -n 3 ./b` runs both in one world,
//	                   a as rank 0 and b as ranks 1-3; each part may give its own
//	                   -n (default 1), -x and --wdir; GORUN_APPNUM is the part's
//	                   index (MPI_APPNUM), absent for the first
//
// Inside a batch allocation, without -H or --hostfile, the hosts are the
// allocation's. Slurm (salloc, sbatch): SLURM_JOB_NODELIST in Slurm's
// host list syntax ("node[01-03,07],gpu1"), SLURM_TASKS_PER_NODE
// ("2(x3),1") as each node's slots, and SLURM_NTASKS as the default -n;
// the ranks on other nodes each run in a job step of their own (srun
// --overlap -N1 -n1 -w NODE, with every CPU the job has there), which
// Slurm accounts and cleans up; gorun started by srun itself (SLURM_STEP_ID
// set) keeps its ranks where it is. PBS/Torque: $PBS_NODEFILE, a host a line
// per slot, ranks started over ssh. Malformed variables are an error
// (exit 2), not a silent one-host job.
//
// Output: each rank's stdout and stderr go through pipes and reach gorun's
// stdout and stderr a whole line at a time, so lines of different ranks
// never mix mid-line (lines over 64 KiB are passed on in pieces). Without
// -l the bytes are unchanged. stdin goes to rank 0, also when rank 0 runs on
// another host (gorun sends it down that rank's ssh session, as mpiexec
// does); the others read /dev/null.
//
// Ending: when every rank exited 0, gorun exits 0 (a rank that finishes
// early is fine once it closed its communicator: a receive from it then
// fails instead of waiting; a rank that exits 0 without Comm.Close while
// others still run is reported to them as failed, as mpiexec treats an exit
// without MPI_Finalize). A rank that fails because another left names that
// rank: "gorun: rank 0 exited with code 1 (it failed because rank 1 ended
// early, ...)". The first rank that exits nonzero, is killed by a signal
// or calls comm's Abort ends the job: gorun tells every other rank through
// the rendezvous at once (their blocked comm calls fail with an error
// naming that rank), waits the grace period for them to exit, kills what is
// left (each rank leads a process group; the whole group is killed), prints
// "gorun: rank 2 exited with code 3" / "gorun: rank 1 killed by signal 9
// (SIGKILL)" / "gorun: rank 3 called Abort(7)", and exits with that code
// (128+signal for a signal). SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to
// gorun are forwarded to every rank (SIGQUIT, Ctrl-backslash, makes each Go
// rank print its goroutine stacks); gorun then exits 128+signal. A second
// signal kills the ranks at once. If gorun itself is killed, the ranks die
// too: on Linux the kernel kills them (Pdeathsig); on macOS a rank that
// called comm.Init sees its lifeline pipe from gorun end and kills itself
// and its process group; on Windows each rank runs in a job object that
// the system ends with gorun. On Windows, Ctrl-C reaches gorun, which
// passes it to each rank as Ctrl-Break (a Go rank sees os.Interrupt), and
// a killed rank exits 137, as 128+SIGKILL reads elsewhere.
//
// The engine is package launch (github.com/gorun-hpc/gorun/launch), which
// other tools and tests use to start jobs without this command.
package main
