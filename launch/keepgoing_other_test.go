//go:build !unix

package launch

// commShrink is TestKeepGoing's rank program (keepgoing_unix_test.go),
// which runs where processes can stop and kill themselves by signal.
func commShrink(rank, victim int, stop bool) int { return 99 }

func commTwoDie(rank int) int { return 99 }
