// Package comm is gorun's replacement for MPI's communicator: ranks of one
// job talk over TCP, with point-to-point messages, sub-communicators and
// failure reporting.
//
// Every connection proves knowledge of the per-job secret before any frame
// is read, so two jobs on one host never talk. Every blocking call takes a
// context.Context, and a dead or revoked peer turns into an error that
// errors.Is can test, never a hang. NewLocal runs N ranks inside one process
// over the same wire code, for tests of the layers above.
//
// A world that recovers (Config.Recover, gorun --enable-recovery) outlives
// a rank's death: the communicators with the dead rank break, and the
// survivors agree on who is gone (Agree) and go on with a communicator of
// their own (Shrink), as ULFM's MPIX_Comm_agree and MPIX_Comm_shrink.
//
// Init learns the job from the environment a launcher sets and meets the
// other ranks through the launcher's rendezvous service; both are package
// rendezvous's (under srun, rank 0 serves it).
package comm
