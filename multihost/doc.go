// Package multihost holds the tests of gorun across hosts: a cluster of
// network-namespace hosts with sshd in each (internal/netns), jobs started
// with gorun -H over ssh, a shared HDF5 file read back with h5py, and a
// host cut off the network reported by memberlist. The tests need root,
// ip(8) and openssh-server; they skip without root unless CI=true.
package multihost
