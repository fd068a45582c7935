package h5file

// Rule 5 of a parallel file (ARCHITECTURE.md) on a file system that ranks
// on several hosts share. On one host every rank's writes land in the
// same page cache, so they are visible to rank 0 and to any reader when
// the write returns. On NFS, Lustre, GPFS or a FUSE network file system
// each host has its own client: its writes may still be in its cache or
// in flight (sshfs sends writes without waiting) when the call returns.
// Flush syncs on every rank, so nothing changes for it. Close did not
// sync: rank 0 could write the metadata, and its Close return, while
// another host's data had not reached the server yet, so a reader opening
// the file "after Close" could find zeros where that data belongs. On a
// shared file system every rank now syncs its data before Close's check
// point too (as MPI_File_close makes data visible); on a local one Close
// stays free of syncs.

// syncOnClose reports whether Close must sync every rank's data before
// rank 0 writes the metadata: a parallel file on a shared file system.
func (f *File) syncOnClose() bool {
	return f.par != nil && f.os != nil && sharedFS(f.os)
}
