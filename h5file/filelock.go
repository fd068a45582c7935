package h5file

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/gorun-hpc/gorun/rendezvous"
)

// File locking, as libhdf5 1.10 and later do it, so that h5py and gorun
// programs keep out of each other's way and a gorun program whose ranks
// each open one file on their own (WithComm forgotten) gets an error
// instead of a file the ranks overwrite in turn.
//
//   - A file opened for writing holds an exclusive flock(2) lock, one
//     opened read-only a shared one, both non-blocking and held until
//     Close: libhdf5's sec2 driver does the same, so h5py writing a file
//     makes our open fail, and the other way round.
//   - HDF5_USE_FILE_LOCKING=FALSE (or 0) turns locking off and
//     BEST_EFFORT ignores file systems without locks, as in libhdf5.
//   - In a parallel file (WithComm) rank 0 alone locks, for the job: the
//     ranks' own opens must not conflict with each other.
//   - A File opened read-only beside one of this process that writes the
//     file shares it (libhdf5 shares its open file); a second writer in
//     one process is refused.
//   - Mode "w" locks before it truncates (libhdf5 too), so a locked file
//     keeps its data.
//   - A serial create in a gorun job of more than one rank marks the file
//     with the job and rank (an extended attribute, where the file system
//     has them); a serial "w" by another rank of the same job is refused
//     even after the first rank closed the file: locks alone only catch
//     ranks that overlap in time.

// ErrLocked is returned by Open and Create when another process (or
// another File of this process) holds the file: close it there, pass
// WithComm if it is another rank of the same gorun job, or set
// HDF5_USE_FILE_LOCKING=FALSE as with libhdf5.
var ErrLocked = errors.New("h5file: file is locked")

// lockPolicy is HDF5_USE_FILE_LOCKING, read at every open as libhdf5
// reads it at every H5Fopen.
type lockPolicy int

const (
	lockOn lockPolicy = iota
	lockOff
	lockBestEffort // lock where the file system can; ignore it where it cannot
)

func lockingPolicy() lockPolicy {
	switch strings.ToUpper(strings.TrimSpace(os.Getenv("HDF5_USE_FILE_LOCKING"))) {
	case "FALSE", "0":
		return lockOff
	case "BEST_EFFORT":
		return lockBestEffort
	}
	return lockOn
}

// openLocked opens path with flag and locks it, exclusive unless the flags
// are read-only, before it truncates it (O_TRUNC). serial is false for
// rank 0 of a parallel file. create says the flags create the file.
func openLocked(path, mode string, flag int, create, serial bool) (*os.File, error) {
	truncate := flag&os.O_TRUNC != 0
	osf, err := os.OpenFile(path, flag&^os.O_TRUNC, 0o644)
	if err != nil {
		return nil, openErr(path, mode, err)
	}
	op := "open"
	if create {
		op = "create"
	}
	write := flag&(os.O_RDWR|os.O_WRONLY) != 0
	if err := lockFile(osf, write); err != nil {
		osf.Close()
		return nil, opErr(op, path, err)
	}
	if serial && create {
		if err := claimCreate(osf, truncate); err != nil {
			osf.Close()
			return nil, opErr(op, path, err)
		}
	}
	if truncate {
		if err := truncateIfNonEmpty(osf); err != nil {
			osf.Close()
			return nil, opErr(op, path, err)
		}
	}
	return osf, nil
}

// lockFile takes the file's lock for the process, or says who holds it.
func lockFile(osf *os.File, write bool) error {
	pol := lockingPolicy()
	if pol == lockOff {
		return nil
	}
	held, err := flockFile(osf, write)
	switch {
	case err != nil && pol == lockBestEffort:
		return nil
	case err != nil:
		return fmt.Errorf("locking the file: %v (the file system may not support locks: set HDF5_USE_FILE_LOCKING=BEST_EFFORT or FALSE): %w", err, ErrLocked)
	case held:
		h := lockHolder(osf)
		if h.thisProcess && h.exclusive && !write {
			// A reader beside this process's own writer (ExampleFile_Flush):
			// libhdf5 shares its open file between the two; here the
			// reader goes without a lock of its own, the writer's keeps
			// other processes out while it is open.
			return nil
		}
		return lockedErr(h, write)
	}
	return nil
}

// holder is what can be learnt of the process that holds a file's lock.
type holder struct {
	pid         int    // 0: unknown
	name        string // its command name
	job, rank   string // its GORUN_JOBID and GORUN_RANK, if it is a gorun rank
	exclusive   bool
	thisProcess bool
}

// gorunJob is this process's place in a gorun job: GORUN_JOBID, GORUN_RANK
// and GORUN_SIZE, as the launcher sets them; id is "" outside a job.
func gorunJob() (id, rank string, size int) {
	return jobOf(rendezvous.ParseEnv(os.Getenv))
}

// jobOf is the job id, rank and size of a rank's environment; "" and 0
// outside a job (or when the environment is malformed).
func jobOf(e rendezvous.Env, err error) (id, rank string, size int) {
	if err != nil || !e.Launched() {
		return "", "", 0
	}
	return e.JobID, strconv.Itoa(e.Rank), e.Size
}

const withCommAdvice = "every rank opening the file on its own would overwrite the others' data: " +
	"pass h5file.WithComm(c) to Create/Open so the ranks share one file, or give each rank a file of its own"

func lockedErr(h holder, write bool) error {
	job, _, _ := gorunJob()
	switch {
	case h.thisProcess:
		return fmt.Errorf("this process has it open already through another File (close that one first): %w", ErrLocked)
	case job != "" && h.job == job:
		return fmt.Errorf("rank %s of this gorun job has it open: %s: %w", h.rank, withCommAdvice, ErrLocked)
	case h.pid != 0:
		how := "for writing"
		if !h.exclusive {
			how = "for reading"
		}
		return fmt.Errorf("process %d (%s) has it open %s: close it there first, or set HDF5_USE_FILE_LOCKING=FALSE to open it anyway, as with libhdf5: %w", h.pid, h.name, how, ErrLocked)
	}
	advice := ""
	if job != "" {
		advice = " (if it is another rank of this gorun job: " + withCommAdvice + ")"
	}
	return fmt.Errorf("another process has it open%s: close it there first, or set HDF5_USE_FILE_LOCKING=FALSE to open it anyway, as with libhdf5: %w", advice, ErrLocked)
}

// creatorAttr is the extended attribute a serial create in a gorun job
// leaves on the file: "<job id> <rank>".
const creatorAttr = "user.gorun.creator"

// claimCreate is a serial create in a gorun job of several ranks: it
// refuses to truncate a file another rank of this job created (the ranks
// forgot WithComm and would overwrite each other in turn), and marks the
// file as this rank's.
func claimCreate(osf *os.File, truncate bool) error {
	job, rank, size := gorunJob()
	if job == "" || size < 2 {
		return nil
	}
	if truncate {
		if v, ok := getFileAttr(osf, creatorAttr); ok {
			if j, r, _ := strings.Cut(v, " "); j == job && r != rank {
				return fmt.Errorf("rank %s of this gorun job created it already: %s: %w", r, withCommAdvice, ErrLocked)
			}
		}
	}
	setFileAttr(osf, creatorAttr, job+" "+rank) // best effort: not every file system has extended attributes
	return nil
}

// truncateIfNonEmpty empties the file, unless it is empty already. A
// truncate of an empty file changes nothing on disk, but ext4 (with its
// default auto_da_alloc) marks a file truncated to zero for a flush of all
// its delayed-allocation blocks when it is closed: closing a fresh 320 MiB
// file then took as long as writing it (100 ms against 1 ms). The kernel
// itself drops O_TRUNC when open creates the file, which is why libhdf5's
// create never pays this; checking the size first gives us the same.
func truncateIfNonEmpty(osf *os.File) error {
	fi, err := osf.Stat()
	if err != nil {
		return err
	}
	if fi.Size() == 0 {
		return nil
	}
	return osf.Truncate(0)
}
