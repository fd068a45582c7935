// Package launch starts a parallel job: N copies of one program on this
// host, each told its rank, the job size, the address of a rendezvous
// service, a job id and a per-job secret through GORUN_* variables (see
// package rendezvous, which also serves the job). It is the engine of
// cmd/gorun, kept importable so tests of other packages and the
// multi-host launcher can start real jobs without going through the
// command line.
//
// With Job.Hosts (gorun's -H, --hostfile, --ssh, or a batch system's
// allocation read by DetectAllocation: Slurm's node list and tasks per
// node, PBS's node file; alloc*.go) the ranks are placed on hosts by
// Job.Mapping (mapping.go, layout.go). Ranks on a host that names this
// machine are the launcher's children; each other rank is started by
// `gorun --agent` on its host, over ssh or in a Slurm job step of its own
// (ssh.go, srun.go, remote.go), which forwards the launcher's signals and,
// for rank 0, its stdin (remote_stdin.go). Job.BindTo pins ranks to cores
// (bind*.go), Job.Output copies their output to files (outfiles.go), and
// Job.Apps runs several programs in one world (app.go).
//
// A job ends when every rank has exited. The first rank that exits nonzero,
// dies from a signal or calls comm's Abort decides the outcome: launch tells
// every other rank at once (through the rendezvous, so their blocked
// operations fail naming that rank), gives them a grace period to print
// their errors, then kills whatever is left, process group and all. A rank
// that fails because of a peer reports that peer to the rendezvous first,
// so the rank named at the end is the first cause, not a follower reaped
// before it (wait.go).
package launch
