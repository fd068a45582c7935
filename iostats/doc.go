// Package iostats is a job's I/O report, Darshan's questions answered by
// the layers that do the I/O: how many bytes each rank wrote and read in
// each file and dataset, in how many calls, directly or in two phases,
// how long it spent writing, reading, filtering, agreeing on metadata and
// waiting for its peers, which rank was slowest and why, and what each
// communicator's collectives cost.
//
// A rank records into a Recorder (comm makes one when the launcher's
// environment asks for it, GORUN_IOSTATS); h5file and collectives hold a
// nil pointer when it is off and check it before doing anything else. At
// the end each rank's Snapshot goes to whoever merges them (gorun's
// launcher, or rank 0 under srun), Merge makes the job's Report, and the
// Report writes itself as text, JSON and an SVG timeline.
package iostats
