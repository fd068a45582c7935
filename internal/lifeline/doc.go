// Package lifeline ends a rank when its launcher dies, on systems without
// Linux's parent-death signal (Pdeathsig). The launcher gives each rank
// the read end of a pipe whose write end only the launcher holds, and
// names its descriptor in $GORUN_LIFELINE; the rank watches it, and the
// pipe's end of file, which the kernel delivers however the launcher
// died (SIGKILL included), makes the rank kill itself and its process
// group. Hydra's PMI_FD and the pipe of Open MPI's orted work the same way.
//
// Both halves of that contract live here: Give for the launcher (package
// launch) and Watch for the rank (comm.Init). On Windows a job object
// ends the ranks with the launcher instead, and both are no-ops.
package lifeline

// Env names the variable that carries the pipe's descriptor number in
// the rank.
const Env = "GORUN_LIFELINE"
