package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// helperEnv selects a helper mode: the test binary, started by gorun with
// -x GORUN_CLI_TEST_HELPER=mode, acts as the rank program, so the tests
// need no program of their own to build.
const helperEnv = "GORUN_CLI_TEST_HELPER"

// helperMain runs the modes that need no communicator.
func helperMain(mode string, args []string) int {
	rank, _ := strconv.Atoi(os.Getenv("GORUN_RANK"))
	arg := func(i int) int {
		if i >= len(args) {
			return -1
		}
		v, _ := strconv.Atoi(args[i])
		return v
	}
	switch mode {
	case "env": // print the named variables
		for _, name := range args {
			fmt.Printf("%s=%s\n", name, os.Getenv(name))
		}
		return 0
	case "stdin": // copy stdin to stdout; say how much was read
		n, err := io.Copy(os.Stdout, os.Stdin)
		fmt.Fprintf(os.Stderr, "read %d bytes (err %v)\n", n, err)
		return 0
	case "plain-exit": // plain-exit RANK CODE: that rank exits with CODE, the others sleep
		if rank == arg(0) {
			return arg(1)
		}
		time.Sleep(time.Hour)
	case "plain-kill": // plain-kill RANK: that rank kills itself with SIGKILL, the others sleep
		if rank == arg(0) {
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				_ = p.Kill() // SIGKILL on Unix, TerminateProcess on Windows
			}
		}
		time.Sleep(time.Hour)
	case "sleep":
		time.Sleep(time.Hour)
	case "ready": // say "ready PID", then sleep
		fmt.Printf("ready %d\n", os.Getpid())
		time.Sleep(time.Hour)
	default:
		return commHelperMain(mode, args)
	}
	return 0
}
