package h5file_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gorun-hpc/gorun/h5file"
)

// exampleJob is a writer with snapshots: a dataset that grows by one
// element and an attribute "step", flushed at every step (in a real job
// each rank calls this, with WithComm).
type exampleJob struct {
	f *h5file.File
	d *h5file.Dataset
	k int64
}

func newExampleJob(path string) (*exampleJob, error) {
	f, err := h5file.Create(path, "w", h5file.WithSnapshots())
	if err != nil {
		return nil, err
	}
	d, err := h5file.CreateDatasetOf[float64](f, "t", []uint64{0}, h5file.MaxShape(h5file.Unlimited), h5file.Chunks(64))
	if err != nil {
		return nil, err
	}
	return &exampleJob{f: f, d: d}, f.Flush()
}

func (j *exampleJob) step() error {
	if err := j.d.Resize(uint64(j.k + 1)); err != nil {
		return err
	}
	if err := j.d.WriteSel(h5file.S(h5file.Index(j.k)), []float64{float64(j.k) / 2}); err != nil {
		return err
	}
	if err := j.f.Attrs().Set("step", j.k); err != nil {
		return err
	}
	j.k++
	return j.f.Flush()
}

// ExampleWithSnapshots makes every Flush a snapshot another process can
// follow (Follow) or open with h5py while the job runs.
func ExampleWithSnapshots() {
	path := filepath.Join(os.TempDir(), "example_snapshots.h5")
	defer os.Remove(path)
	job, err := newExampleJob(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer job.f.Close()
	for range 3 {
		if err := job.step(); err != nil {
			fmt.Println(err)
			return
		}
	}
	st := job.f.SnapshotStats()
	fmt.Println("published", st.Published, "flushes,", st.WithoutLock, "without the lock")
	// Output: published 5 flushes, 0 without the lock
}

// ExampleFollow follows a file a job writes: each view is one flush whole.
func ExampleFollow() {
	path := filepath.Join(os.TempDir(), "example_follow.h5")
	defer os.Remove(path)
	job, err := newExampleJob(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer job.f.Close()
	job.step()

	f, err := h5file.Open(path, "r", h5file.Follow())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	var step int64
	f.Attrs().Read("step", &step)
	d, _ := f.Dataset("t")
	fmt.Println("flush", f.Generation(), "step", step, "shape", d.Shape())
	// Output: flush 3 step 0 shape [1]
}

// ExampleFile_Next waits for the job's next flush and moves the view to it.
func ExampleFile_Next() {
	path := filepath.Join(os.TempDir(), "example_next.h5")
	defer os.Remove(path)
	job, err := newExampleJob(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer job.f.Close()
	f, err := h5file.Open(path, "r", h5file.Follow(), h5file.FollowInterval(time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	done := make(chan error, 1)
	go func() { done <- job.step() }() // the job, elsewhere
	defer func() { <-done }()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := f.Next(ctx); err != nil {
		fmt.Println(err)
		return
	}
	d, _ := f.Dataset("t") // look handles up again in the new view
	var v []float64
	if err := d.Read(&v); err != nil && !errors.Is(err, h5file.ErrSnapshotGone) {
		fmt.Println(err)
		return
	}
	fmt.Println("flush", f.Generation(), "shape", d.Shape())
	// Output: flush 3 shape [1]
}

// ExampleFile_Poll moves the view to the latest flush if there is a newer
// one, without waiting.
func ExampleFile_Poll() {
	path := filepath.Join(os.TempDir(), "example_poll.h5")
	defer os.Remove(path)
	job, err := newExampleJob(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer job.f.Close()
	f, err := h5file.Open(path, "r", h5file.Follow())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	moved, _ := f.Poll()
	fmt.Println(moved, f.Generation())
	job.step()
	job.step()
	moved, _ = f.Poll()
	fmt.Println(moved, f.Generation())
	// Output:
	// false 2
	// true 4
}

// ExampleSnapshotLockWait bounds how long a flush waits for h5py readers
// to close the file.
func ExampleSnapshotLockWait() {
	path := filepath.Join(os.TempDir(), "example_lockwait.h5")
	defer os.Remove(path)
	f, err := h5file.Create(path, "w", h5file.WithSnapshots(), h5file.SnapshotLockWait(time.Second))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	fmt.Println(f.SnapshotStats().Published)
	// Output: 1
}
