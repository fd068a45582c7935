// Package netns builds a small cluster on this machine for tests: N
// "hosts", each a network namespace with its own address on a bridge in
// the root namespace and its own sshd, reachable with a key the test
// generates. The filesystem is shared by all namespaces, so a directory
// under t.TempDir() is a cluster's shared filesystem. It needs root, ip(8)
// and Debian's openssh-server (/usr/sbin/sshd).
package netns
