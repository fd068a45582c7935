// Package faults proves the failure promises of gorun (DESIGN.md, "Errors"
// and rule 5 of a parallel file) by injecting each fault many times: ranks
// killed with SIGKILL in a flushing write loop and during random
// collectives, stopped ranks, damaged files, a full disk. It holds only
// tests and the program they run through gorun (internal/faultprog).
package faults
