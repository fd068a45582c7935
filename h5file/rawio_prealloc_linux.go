package h5file

import (
	"os"

	"golang.org/x/sys/unix"
)

// ext4Magic is ext2/3/4's statfs(2) type; the ext4 driver serves all
// three (ext2 and ext3 without extents refuse fallocate, which turns
// preallocation off for the file).
const ext4Magic = 0xef53

// preallocFS reports whether f lies on a file system where preallocating
// long runs was measured to pay (rawio_prealloc.go): ext4. Others (XFS,
// btrfs, tmpfs, network file systems) write as before: not measured, or
// their allocation differs.
func preallocFS(f *os.File) bool {
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &st); err != nil {
		return false
	}
	return int64(st.Type) == ext4Magic
}
