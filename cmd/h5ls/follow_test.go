package main

import (
	"bufio"
	"bytes"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/followload"
)

// TestFollow lists a file while this process writes it with snapshots:
// -count flushes, each with its summary line and tree, in order; then
// -idle ends the listing once the writer stops.
func TestFollow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.h5")
	w, err := h5file.Create(path, "w", h5file.WithSnapshots())
	if err != nil {
		t.Fatal(err)
	}
	if err := followload.Create(w, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		bw := bufio.NewWriter(&out)
		done <- follow(bw, path, options{data: true}, 3, time.Millisecond, 0)
	}()
	var lerr error
	for k, ended := int64(0), false; !ended; k++ {
		select {
		case lerr = <-done:
			ended = true
			continue
		default:
		}
		if k > 100000 {
			t.Fatal("h5ls --follow -count 3 did not end after 100000 flushes")
		}
		if err := followload.Step(w, k, 0, 1); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if lerr != nil {
		t.Fatal(lerr)
	}
	heads := regexp.MustCompile(`(?m)^flush (\d+): 0 groups, 2 datasets, (\d+) elements(; step=(\d+))?$`).FindAllStringSubmatch(out.String(), -1)
	if len(heads) != 3 {
		t.Fatalf("want 3 flushes listed:\n%s", out.String())
	}
	prev := 0
	for _, h := range heads {
		g, _ := strconv.Atoi(h[1])
		if g <= prev {
			t.Errorf("flush %d after %d:\n%s", g, prev, out.String())
		}
		prev = g
	}
	if !regexp.MustCompile(`/steps +Dataset \{\d+/Inf, 4\}\n    Data:\n`).MatchString(out.String()) {
		t.Errorf("no /steps with its data listed:\n%s", out.String())
	}
	w.Close()
	// The writer is gone: -idle ends the listing.
	out.Reset()
	start := time.Now()
	if err := follow(bufio.NewWriter(&out), path, options{}, 0, time.Millisecond, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 50*time.Millisecond || len(regexp.MustCompile(`(?m)^flush `).FindAllString(out.String(), -1)) != 1 {
		t.Errorf("-idle 50ms after the job: %v,\n%s", time.Since(start), out.String())
	}
}
