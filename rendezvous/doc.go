// Package rendezvous is the contract between gorun's launcher and the
// ranks it starts, in one place: the GORUN_* environment that tells a rank
// its place in the job (Env), the control messages a rank and the
// launcher exchange (Msg), the service that hands out the ranks' addresses
// and passes failures, Aborts and goodbyes between them (Server), and a
// rank's connection to it (Conn).
//
// Package launch starts ranks with an Env and serves the job with a
// Server; package comm reads the Env in Init and talks to the Server
// through a Conn. Under srun, without a launcher, rank 0 serves it.
package rendezvous
