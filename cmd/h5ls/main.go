// Command h5ls lists an HDF5 file's tree as `h5ls -r` does (path, kind,
// shape), with no libhdf5: only gorun's h5file. -d prints each dataset's
// values as libhdf5's `h5ls -d` does; -t adds each dataset's type.
// Objects it cannot read are listed with the reason; with -d they make
// it exit 1, as data it cannot read does.
//
// --follow lists a file a running job writes (with h5file.WithSnapshots)
// again at every flush, each listing one flush whole, with a summary line
// per flush: until interrupted, -count flushes, or -idle without one.
//
//	h5ls [-d] [-t] file.h5...
//	h5ls --follow [-count N] [-idle D] [-interval D] [-d] [-t] file.h5
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gorun-hpc/gorun/h5file"
)

func main() {
	var o options
	flag.BoolVar(&o.types, "t", false, "append each dataset's HDF5 type")
	flag.BoolVar(&o.data, "d", false, "print each dataset's values (as libhdf5's h5ls -d)")
	follows := flag.Bool("follow", false, "list the file again at every flush of the job writing it (h5file.WithSnapshots)")
	count := flag.Int("count", 0, "with --follow: stop after this many flushes (0: no limit)")
	idle := flag.Duration("idle", 0, "with --follow: stop after this long without a new flush (0: never)")
	every := flag.Duration("interval", 10*time.Millisecond, "with --follow: how often to look for a new flush")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: h5ls [-d] [-t] file.h5...\n       h5ls --follow [-count N] [-idle D] [-interval D] [-d] [-t] file.h5")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 || *follows && flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	w := bufio.NewWriter(os.Stdout)
	if *follows {
		if err := follow(w, flag.Arg(0), o, *count, *every, *idle); err != nil {
			w.Flush()
			fmt.Fprintf(os.Stderr, "h5ls: %s: %v\n", flag.Arg(0), err)
			os.Exit(1)
		}
		w.Flush()
		return
	}
	status := 0
	for _, path := range flag.Args() {
		if err := list(w, path, o); err != nil {
			w.Flush()
			fmt.Fprintf(os.Stderr, "h5ls: %s: %v\n", path, err)
			status = 1
		}
	}
	w.Flush()
	os.Exit(status)
}

// options are the command's flags.
type options struct {
	types bool // -t
	data  bool // -d
}

// list writes the tree of the file at path to w. With o.data, what could
// not be read (data, or objects) is reported after the whole listing.
func list(w io.Writer, path string, o options) error {
	f, err := h5file.Open(path, "r")
	if err != nil {
		return err
	}
	defer f.Close()
	l := &lister{w: w, options: o, seen: map[uint64]string{}}
	l.line("/", "Group")
	l.seen[f.ObjectID()] = "/"
	if err := l.group(f.Root(), ""); err != nil {
		return err
	}
	return errors.Join(l.failed...)
}

type lister struct {
	w io.Writer
	options
	seen   map[uint64]string // object ID -> first path, for "same as"
	failed []error           // with -d: what could not be read
}

func (l *lister) line(name, what string) {
	fmt.Fprintf(l.w, "%-24s %s\n", name, what)
}

func (l *lister) group(g *h5file.Group, prefix string) error {
	keys, err := g.Keys()
	if err != nil {
		return err
	}
	slices.Sort(keys) // libhdf5's h5ls lists by name, whatever the group's iteration order
	for _, k := range keys {
		name := prefix + "/" + k
		if target, ok := g.LinkTarget(k); ok {
			l.line(name, "Soft Link {"+target+"}")
			continue
		}
		if file, target, ok := g.ExternalLink(k); ok {
			l.line(name, "External Link {"+file+"/"+target+"}") // h5ls does not follow them without --follow-symlinks
			continue
		}
		o, err := g.Get(k)
		if err != nil {
			l.line(name, "Unreadable ("+err.Error()+")")
			if l.data {
				l.failed = append(l.failed, err)
			}
			continue
		}
		kind := "Dataset"
		switch o.(type) {
		case *h5file.Group:
			kind = "Group"
		case *h5file.NamedType:
			kind = "Type"
		}
		if first, ok := l.seen[o.ObjectID()]; ok {
			l.line(name, kind+", same as "+first)
			continue
		}
		l.seen[o.ObjectID()] = name
		switch x := o.(type) {
		case *h5file.Group:
			l.line(name, "Group")
			if err := l.group(x, name); err != nil {
				return err
			}
		case *h5file.NamedType:
			s := "Type"
			if l.types {
				s += " " + x.Dtype().String()
			}
			l.line(name, s)
		case *h5file.Dataset:
			s := "Dataset " + shape(x.Shape(), x.MaxShape())
			if x.IsEmpty() {
				s = "Dataset {NULL}"
			}
			if l.types {
				s += " " + x.Dtype().String()
			}
			l.line(name, s)
			if l.data {
				if err := printData(l.w, x); err != nil {
					l.failed = append(l.failed, fmt.Errorf("%s: %w", name, err))
				}
			}
		}
	}
	return nil
}

// shape formats dims as h5ls does: {2, 3}, {2/4, 3}, {0/Inf}, {SCALAR}.
func shape(dims, max []uint64) string {
	if len(dims) == 0 {
		return "{SCALAR}"
	}
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = fmt.Sprint(d)
		switch {
		case i < len(max) && max[i] == h5file.Unlimited:
			parts[i] += "/Inf"
		case i < len(max) && max[i] != d:
			parts[i] += fmt.Sprintf("/%d", max[i])
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
