// Package followload is the workload that proves a followed file's
// snapshots whole (ARCHITECTURE.md decision 28): a job that grows two
// datasets and sets an attribute at every flush, each value a function of
// its step, and the check a reader makes of what it sees. The job's ranks
// (followjob), the Go follower tests and bench/follow share it; the h5py
// check in the tests spells the same rule in Python.
package followload

import (
	"errors"
	"fmt"

	"github.com/gorun-hpc/gorun/h5file"
)

// Cols is the width of /steps per rank.
const Cols = 4

// Value is /steps[i, j]; Z is /z[i].
func Value(i, j int64) int64 { return i*1000 + j }
func Z(i int64) int64        { return i * i }

// Create makes the job's datasets in f (collective): /steps, int64 of
// shape (0, Cols*size), unlimited rows, chunks of 4 rows (unfiltered,
// written independently); /z, int64 of shape (0,), gzip, chunks of 16
// (each step rewrites its last chunk elsewhere).
func Create(f *h5file.File, size int) error {
	w := uint64(Cols * size)
	if _, err := h5file.CreateDatasetOf[int64](f, "steps", []uint64{0, w}, h5file.MaxShape(h5file.Unlimited, w), h5file.Chunks(4, w)); err != nil {
		return err
	}
	_, err := h5file.CreateDatasetOf[int64](f, "z", []uint64{0}, h5file.MaxShape(h5file.Unlimited), h5file.Chunks(16), h5file.Gzip(4))
	return err
}

// Step appends step k (every rank, collectively) and sets the root's
// attribute "step" to k. The caller flushes.
func Step(f *h5file.File, k int64, rank, size int) error {
	steps, err := f.Dataset("steps")
	if err != nil {
		return err
	}
	z, err := f.Dataset("z")
	if err != nil {
		return err
	}
	w := int64(Cols * size)
	if err := steps.Resize(uint64(k+1), uint64(w)); err != nil {
		return err
	}
	row := make([]int64, Cols)
	for j := range row {
		row[j] = Value(k, int64(rank*Cols+j))
	}
	c0 := int64(rank * Cols)
	if err := steps.WriteSel(h5file.S(h5file.Index(k), h5file.Range(c0, c0+Cols)), row); err != nil {
		return err
	}
	if err := z.Resize(uint64(k + 1)); err != nil {
		return err
	}
	sel, data := h5file.S(h5file.Range(0, 0)), []int64{}
	if rank == 0 {
		sel, data = h5file.S(h5file.Index(k)), []int64{Z(k)}
	}
	if err := z.Collective().WriteSel(sel, data); err != nil {
		return err
	}
	return f.Attrs().Set("step", k)
}

// ErrTorn is matched by Check's error for a view that no single flush
// wrote.
var ErrTorn = errors.New("followload: torn view")

// Check reads the whole view and returns its step, or an error matching
// ErrTorn if the attribute, shapes and values are not those of one flush
// of a job of size ranks. A view of the file's creation (before the first
// step) is step -1. Read errors are returned as they are (a follower's
// h5file.ErrSnapshotGone is not a torn view).
func Check(f *h5file.File, size int) (int64, error) {
	var k int64 = -1
	if f.Attrs().Contains("step") {
		if err := f.Attrs().Read("step", &k); err != nil {
			return 0, err
		}
	}
	steps, err := f.Dataset("steps")
	if err != nil {
		if k == -1 && errors.Is(err, h5file.ErrNotFound) {
			return k, nil // created, not yet populated
		}
		return 0, err
	}
	z, err := f.Dataset("z")
	if err != nil {
		return 0, err
	}
	w := uint64(Cols * size)
	if s := steps.Shape(); len(s) != 2 || s[0] != uint64(k+1) || s[1] != w {
		return k, fmt.Errorf("step %d: /steps has shape %v, want [%d %d]: %w", k, s, k+1, w, ErrTorn)
	}
	if s := z.Shape(); len(s) != 1 || s[0] != uint64(k+1) {
		return k, fmt.Errorf("step %d: /z has shape %v, want [%d]: %w", k, s, k+1, ErrTorn)
	}
	if k < 0 {
		return k, nil
	}
	var v []int64
	if err := steps.Read(&v); err != nil {
		return k, err
	}
	for i := range k + 1 {
		for j := range int64(w) {
			if got := v[i*int64(w)+j]; got != Value(i, j) {
				return k, fmt.Errorf("step %d: /steps[%d, %d] = %d, want %d: %w", k, i, j, got, Value(i, j), ErrTorn)
			}
		}
	}
	var zs []int64
	if err := z.Read(&zs); err != nil {
		return k, err
	}
	for i, got := range zs {
		if got != Z(int64(i)) {
			return k, fmt.Errorf("step %d: /z[%d] = %d, want %d: %w", k, i, got, Z(int64(i)), ErrTorn)
		}
	}
	return k, nil
}
