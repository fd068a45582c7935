package main

import (
	"flag"

	"github.com/gorun-hpc/gorun/launch"
)

// iostatsFlags are --iostats (the I/O report on stderr when the job
// ends), --iostats-json FILE and --iostats-svg FILE (the report for tools
// and its timeline picture; either implies --iostats).
type iostatsFlags struct {
	on        bool
	json, svg string
}

func (f *iostatsFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.on, "iostats", false, "")
	fs.StringVar(&f.json, "iostats-json", "", "")
	fs.StringVar(&f.svg, "iostats-svg", "", "")
}

// job is the launcher's setting: nil when no report was asked for.
func (f *iostatsFlags) job() *launch.IOStats {
	if !f.on && f.json == "" && f.svg == "" {
		return nil
	}
	return &launch.IOStats{JSON: f.json, SVG: f.svg}
}
