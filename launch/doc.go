// Package launch starts a parallel job: N copies of one program on this
// host, each told its rank, the job size, the address of a rendezvous
// service, a job id and a per-job secret through GORUN_* variables (see
// package comm). It is the engine of cmd/gorun, kept importable so tests of
// other packages and the multi-host launcher can start real jobs without
// going through the command line.
//
// A job ends when every rank has exited. The first rank that exits nonzero,
// dies from a signal or calls comm's Abort decides the outcome: launch tells
// every other rank at once (through the rendezvous, so their blocked
// operations fail naming that rank), gives them a grace period to print
// their errors, then kills whatever is left, process group and all.
package launch
