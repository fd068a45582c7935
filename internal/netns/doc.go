// Package netns builds a small cluster on this machine for tests: N
// "hosts", each a network namespace with its own address on a bridge in
// the root namespace, its own sshd (reachable with a key the test
// generates), host name and hosts file; on them a real Slurm (slurmctld
// and one slurmd per host, sharing the machine's munged) and sshfs mounts
// between hosts. The filesystem is shared by all namespaces, so a
// directory under t.TempDir() is a cluster's shared filesystem; sshfs
// makes one whose clients cache as a network file system's do. Clusters
// lease an id, so test packages running at once each get their own
// subnet. It needs root, ip(8), nsenter and unshare, and Debian's
// openssh-server (/usr/sbin/sshd); Slurm needs slurmd, slurmctld,
// slurm-client and a running munged; MountSSHFS needs sshfs.
package netns
