// Package faults proves the failure promises of gorun (ARCHITECTURE.md, "Errors"
// and rule 5 of a parallel file) by injecting each fault many times: ranks
// killed with SIGKILL in a flushing write loop and during random
// collectives, stopped ranks, damaged files, a full disk. It holds only
// tests and the program they run through gorun (internal/faultprog).
//
// The tests and what each proves (go test -v prints its table line):
//
//	TestCrashConsistency  50 SIGKILLs (one rank, all ranks; parallel and serial files):
//	                      the file is exactly the last completed flush (h5file, h5dump, h5py)
//	TestDeadRank          100 SIGKILLs during random collectives, point-to-point and h5file
//	                      calls: a *comm.RankError on every peer within 1 s, gorun exits nonzero
//	TestStoppedRank       SIGSTOP: gorun names the stopped rank, peers fail naming it
//	TestTimeoutDumpsStacks, TestDeadlineHungRank: a hung rank ends by --timeout (stacks of
//	                      every rank) or by the caller's deadline
//	TestRankLeavesEarly   a rank that closes and exits 0 while others wait for it
//	TestDamagedFiles      every byte flipped, every truncation: an error or the right data
//	TestDiskFull, TestPermissionDenied: an error on every rank, the file as of its last flush
//	TestTwoJobs           two jobs at once on one host do not mix
//
// Wire attacks and fuzz targets live beside the code they attack
// (comm/wire_fault_test.go, comm/fuzz_wire_test.go); the collective
// mismatch matrix in collectives/mismatch_matrix_fault_test.go; caller
// errors in h5file/caller_errors_test.go.
package faults
