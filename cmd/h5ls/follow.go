package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/gorun-hpc/gorun/h5file"
)

// follow lists the file a running job writes (with h5file.WithSnapshots)
// at every flush it publishes: a line "flush N: ..." with the count of
// groups and datasets, their elements and the root's scalar attributes,
// then the tree as list prints it. Each listing is of one flush whole
// (ARCHITECTURE.md decision 28). It stops after count flushes (0: until
// interrupted), or after idle without a new flush (0: never).
func follow(w *bufio.Writer, path string, o options, count int, every, idle time.Duration) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	f, err := h5file.Open(path, "r", h5file.Follow(), h5file.FollowInterval(every), h5file.WithContext(ctx))
	if err != nil {
		return err
	}
	defer f.Close()
	for n := 1; ; n++ {
		if err := snapshot(w, f, o); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if count > 0 && n >= count {
			return nil
		}
		wait, cancel := ctx, context.CancelFunc(func() {})
		if idle > 0 {
			wait, cancel = context.WithTimeout(ctx, idle)
		}
		err := f.Next(wait)
		quiet := wait.Err() != nil
		cancel()
		if err != nil {
			if quiet {
				return nil // interrupted, or the job went quiet
			}
			return err
		}
	}
}

// snapshot prints one flush: its summary line, then its tree. A read of
// data that a later flush has superseded (with -d) is retried with the
// latest flush.
func snapshot(w *bufio.Writer, f *h5file.File, o options) error {
	for {
		var buf strings.Builder
		bw := bufio.NewWriter(&buf)
		l := &lister{w: bw, options: o, seen: map[uint64]string{}}
		l.seen[f.ObjectID()] = "/"
		l.line("/", "Group")
		err := l.group(f.Root(), "")
		bw.Flush()
		if err == nil && len(l.failed) > 0 && o.data {
			if _, perr := f.Poll(); perr == nil && isGone(l.failed) {
				continue
			}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "flush %d: %s\n", f.Generation(), summary(f))
		w.WriteString(buf.String())
		return nil
	}
}

func isGone(errs []error) bool {
	for _, e := range errs {
		if !errors.Is(e, h5file.ErrSnapshotGone) {
			return false
		}
	}
	return true
}

// summary counts the view's groups, datasets and elements and shows the
// root's scalar attributes.
func summary(f *h5file.File) string {
	var groups, dsets int
	var elems uint64
	_ = f.Visit(func(_ string, o h5file.Object) error {
		switch x := o.(type) {
		case *h5file.Group:
			groups++
		case *h5file.Dataset:
			dsets++
			elems += x.Size()
		}
		return nil
	})
	s := fmt.Sprintf("%d groups, %d datasets, %d elements", groups, dsets, elems)
	for _, name := range f.Attrs().Names() {
		at, err := f.Attrs().Get(name)
		if err != nil || len(at.Shape) != 0 {
			continue
		}
		if v, err := at.Value(); err == nil {
			s += fmt.Sprintf("; %s=%v", name, v)
		}
	}
	return s
}
