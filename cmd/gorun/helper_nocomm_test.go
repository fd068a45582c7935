//go:build !gorun_comm

package main

import (
	"fmt"
	"os"
)

// withComm: the tests that need comm (helper_comm_test.go, comm_cli_test.go,
// and examples/hello) build with -tags gorun_comm until comm has landed.
const withComm = false

// commHelperMain: the modes that use comm live in helper_comm_test.go.
func commHelperMain(mode string, args []string) int {
	fmt.Fprintf(os.Stderr, "unknown helper mode %q\n", mode)
	return 99
}
