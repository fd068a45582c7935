package h5file

import (
	"os"

	"golang.org/x/sys/unix"
)

// sharedFSMagic are the statfs(2) types of file systems whose clients on
// different hosts cache on their own (netfs.go).
var sharedFSMagic = map[int64]string{
	0x6969:     "nfs",
	0x65735546: "fuse", // sshfs, BeeGFS-on-FUSE, s3fs, ...
	0x0bd00bd0: "lustre",
	0x47504653: "gpfs",
	0xff534d42: "cifs",
	0xfe534d42: "smb2",
	0x00c36400: "ceph",
	0x19830326: "beegfs",
	0x01021997: "9p",
	0x5346414f: "afs",
	0x7461636f: "ocfs2",
	0x01161970: "gfs2",
}

// sharedFS reports whether f is on a file system that hosts share.
func sharedFS(f *os.File) bool {
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &st); err != nil {
		return true // unknown: syncing is the safe side
	}
	_, ok := sharedFSMagic[int64(st.Type)]
	return ok
}
