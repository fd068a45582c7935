package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-list" {
		if err := json.NewEncoder(os.Stdout).Encode(list()); err != nil {
			fmt.Fprintln(os.Stderr, "ptest:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gorun -n N ptest <scenario>[,<scenario>...] <file.h5 | dir>\n       ptest -list")
		os.Exit(2)
	}
	names := strings.Split(os.Args[1], ",")
	for _, name := range names {
		if _, ok := registry[name]; !ok {
			fmt.Fprintf(os.Stderr, "ptest: no scenario %q (ptest -list shows them)\n", name)
			os.Exit(2)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ptest:", err)
		os.Exit(1)
	}
	failed := false
	for _, name := range names {
		path := os.Args[2]
		if len(names) > 1 {
			path = filepath.Join(os.Args[2], name+".h5")
		}
		start := time.Now()
		err := registry[name].Run(ctx, c, path)
		if os.Getenv("PTEST_TIME") != "" && c.Rank() == 0 {
			fmt.Fprintf(os.Stderr, "ptest: %s on %d ranks: %v\n", name, c.Size(), time.Since(start).Round(time.Microsecond))
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "ptest: rank %d: %s: %v\n", c.Rank(), name, err)
			failed = true
			break
		}
	}
	if failed {
		// Exit together: a rank that exits non-zero counts as failed for
		// the others, and one still finishing the collective that reported
		// the error (the ranks' log exchange of a mismatch) would get that
		// failure instead. Ranks that failed alone do not come: bounded wait.
		bctx, bcancel := context.WithTimeout(ctx, 10*time.Second)
		_ = collectives.Barrier(bctx, c)
		bcancel()
	}
	c.Close()
	if failed {
		os.Exit(1)
	}
}
