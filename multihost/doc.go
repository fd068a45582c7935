// Package multihost holds the tests of gorun across hosts: a cluster of
// network-namespace hosts with sshd in each (internal/netns), jobs started
// with gorun -H over ssh, a shared HDF5 file read back with h5py, one file
// written from 3 hosts through sshfs in four client-caching modes and read
// after every Flush from a fourth (sharedfs_test.go), and a host cut off
// the network reported by memberlist. The namespace tests need root, ip(8)
// and openssh-server; they skip without root unless CI=true.
// scale_test.go starts 1024 ranks on this host through gorun and reports
// what they cost (docs/SCALING.md).
package multihost
