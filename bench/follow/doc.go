// Package follow measures what WithSnapshots (ARCHITECTURE.md decision
// 18) costs a Flush: cmd/flushcost runs h5file/internal/followjob through
// gorun with and without it, alternating, and reports medians (RESULTS.md).
package follow
