package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/gorun-hpc/gorun/launch"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run is gorun without the os.Exit, so the exit status has one source.
func run(args []string) int {
	if len(args) == 1 && args[0] == "--agent" {
		// Hidden: the remote half of -H, started by gorun over ssh.
		return launch.Agent(os.Stdin, os.Stdout, os.Stderr)
	}
	o, err := parseFlags(args, os.Stderr)
	if errors.Is(err, errHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gorun: %v\n", err)
		return 2
	}
	if err := o.allocation(os.Getenv); err != nil { // flags_place.go: salloc, sbatch, qsub
		fmt.Fprintf(os.Stderr, "gorun: %v\n", err)
		return 2
	}
	ctx := context.Background()
	logger := slog.New(slog.DiscardHandler)
	if o.verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	prog, err := launch.Resolve(ctx, o.program, os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gorun: %v\n", err)
		return 1
	}
	defer prog.Cleanup()
	if prog.Built {
		logger.Debug("built", "package", o.program, "binary", prog.Path, "reused", prog.Reused)
	}
	job := launch.Job{
		Size:        o.n,
		Path:        prog.Path,
		Args:        o.args,
		Argv0:       o.program,
		Extra:       o.env,
		Bind:        o.bind,
		CPUsPerRank: o.cpus,
		Compress:    o.zstd,
		KeepGoing:   o.ft,
		Hosts:       o.hosts,
		Remote:      launch.Remote{SSH: strings.Fields(o.ssh), Agent: os.Getenv("GORUN_AGENT")},
		Stdin:       os.Stdin,
		TagOutput:   o.tag,
		Timeout:     o.timeout,
		Grace:       o.grace,
		Logger:      logger,
		IOStats:     o.iostats.job(),
	}
	if o.place.allocFrom != "" {
		logger.Debug("hosts from the allocation", "from", o.place.allocFrom, "hosts", len(o.hosts), "ranks", o.n)
	}
	err = o.placeJob(ctx, &job) // flags_place.go
	for _, c := range o.cleanups {
		defer c()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gorun: %v\n", err)
		return 1
	}
	if job.Remote.Agent == "" && len(job.Hosts) > 0 {
		job.Remote.Agent, _ = os.Executable()
	}
	return runJob(ctx, job)
}

// runJob starts the job, forwards signals to it, and reports how it ended.
func runJob(ctx context.Context, job launch.Job) int {
	running, err := launch.Start(ctx, job)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gorun: %v\n", err)
		return 1
	}
	stop := running.ForwardSignals()
	err = running.Wait(ctx)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "gorun: %v\n", err)
	}
	return launch.ExitCode(err)
}
