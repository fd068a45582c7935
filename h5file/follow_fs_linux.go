//go:build linux

package h5file

import (
	"os"
	"syscall"
)

// localFS lists file systems whose writes every reader sees in the order
// they were made, through one page cache (an NFS server exporting them
// reads the same cache): there a snapshot's writes need no fsync to be
// seen in order. Anything else (NFS and other network clients, FUSE) is
// synced.
var localFS = map[int64]bool{
	0xEF53:     true, // ext2, ext3, ext4
	0x58465342: true, // xfs
	0x9123683E: true, // btrfs
	0x01021994: true, // tmpfs
	0x2FC12FC1: true, // zfs
	0x794C7630: true, // overlayfs
	0xF2F52010: true, // f2fs
}

// writesOrdered reports whether f is on a local file system.
func writesOrdered(f *os.File) bool {
	var st syscall.Statfs_t
	if err := syscall.Fstatfs(int(f.Fd()), &st); err != nil {
		return false
	}
	return localFS[int64(st.Type)]
}
