package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/h5file"
)

// Data as libhdf5's `h5ls -d` prints it: under "    Data:", the elements
// in row-major order, rendered as h5dump renders them (floats %g, doubles
// %.15g, strings quoted with C escapes, compounds {a, b}, arrays [a,b],
// sequences (a,b), enums by name, opaque and bitfield data as hex bytes),
// separated by ", " and wrapped before column 80 with a 9-space indent.

const (
	dataIndent = "         "
	dataWidth  = 80
	dataBlock  = 1 << 16 // elements read at a time
)

// printData writes the data of d; an error means some of it could not be
// read (what was printed stays).
func printData(w io.Writer, d *h5file.Dataset) error {
	fmt.Fprintln(w, "    Data:")
	lw := &lineWriter{w: w}
	defer lw.end()
	if d.IsEmpty() || d.Size() == 0 {
		return nil
	}
	t := d.Dtype()
	shape := d.Shape()
	total := d.Size()
	// Read whole rows of the first dimension, about dataBlock elements at a time.
	row := uint64(1)
	for _, s := range shape[min(1, len(shape)):] {
		row *= s
	}
	step := max(1, dataBlock/max(row, 1))
	var done uint64
	for start := uint64(0); done < total; start += step {
		var vals []any
		var err error
		if len(shape) == 0 {
			err = d.Read(&vals)
		} else {
			sel := make(h5file.Slices, len(shape))
			sel[0] = h5file.Range(int64(start), int64(min(start+step, shape[0])))
			for i := 1; i < len(shape); i++ {
				sel[i] = h5file.Range(0, int64(shape[i]))
			}
			err = d.ReadSel(sel, &vals)
		}
		if err != nil {
			return err
		}
		for _, v := range vals {
			done++
			s, err := render(v, t)
			if err != nil {
				return err
			}
			if done < total {
				s += ","
			}
			lw.put(s)
		}
	}
	return nil
}

// lineWriter places rendered elements on lines as libhdf5's tools do: an
// element goes on the current line if it fits within dataWidth with its
// separating space, else it starts the next.
type lineWriter struct {
	w   io.Writer
	col int // 0: nothing on the line yet
}

func (l *lineWriter) put(s string) {
	switch {
	case l.col == 0:
		io.WriteString(l.w, dataIndent)
		l.col = len(dataIndent)
	case l.col+1+len(s) > dataWidth:
		io.WriteString(l.w, "\n"+dataIndent)
		l.col = len(dataIndent)
	default:
		io.WriteString(l.w, " ")
		l.col++
	}
	io.WriteString(l.w, s)
	l.col += len(s)
}

func (l *lineWriter) end() { io.WriteString(l.w, "\n") }

// render formats one element v (as h5file's natural Go type for t).
func render(v any, t *h5file.Datatype) (string, error) {
	rv := reflect.ValueOf(v)
	switch t.Class {
	case h5core.ClassInteger:
		return fmt.Sprint(v), nil
	case h5core.ClassFloat:
		f, ok := v.(float32)
		if ok {
			return formatFloat(float64(f), 6), nil
		}
		if t.Size <= 4 {
			return formatFloat(rv.Float(), 6), nil
		}
		return formatFloat(rv.Float(), 15), nil
	case h5core.ClassEnum:
		var u uint64
		switch rv.Kind() {
		case reflect.Bool:
			if rv.Bool() {
				u = 1
			}
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			u = uint64(rv.Int())
		default:
			u = rv.Uint()
		}
		for i, b := range t.EnumValues {
			if enumValue(t.Base, b) == u {
				return t.EnumNames[i], nil
			}
		}
		return fmt.Sprint(v), nil
	case h5core.ClassString:
		s := v.(string)
		if t.Pad != h5core.PadNullTerm && len(s) < int(t.Size) {
			// The stored padding, which h5ls shows (h5file strips it).
			p := "\x00"
			if t.Pad == h5core.PadSpace {
				p = " "
			}
			s += strings.Repeat(p, int(t.Size)-len(s))
		}
		return quote(s), nil
	case h5core.ClassVlen:
		if t.VlenString {
			return quote(v.(string)), nil
		}
		parts, err := renderEach(rv, t.Base)
		return "(" + strings.Join(parts, ",") + ")", err
	case h5core.ClassArray:
		parts, err := renderEach(rv, t.Base)
		return "[" + strings.Join(parts, ",") + "]", err
	case h5core.ClassCompound:
		if c, ok := v.(complex64); ok {
			return "{" + formatFloat(float64(real(c)), 6) + ", " + formatFloat(float64(imag(c)), 6) + "}", nil
		}
		if c, ok := v.(complex128); ok {
			return "{" + formatFloat(real(c), 15) + ", " + formatFloat(imag(c), 15) + "}", nil
		}
		parts := make([]string, len(t.Members))
		for i, m := range t.Members {
			s, err := render(rv.Field(i).Interface(), m.Type)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return "{" + strings.Join(parts, ", ") + "}", nil
	case h5core.ClassOpaque:
		return hexBytes(v.([]byte)), nil
	case h5core.ClassBitfield:
		b := binary.LittleEndian.AppendUint64(nil, rv.Uint())[:t.Size]
		if t.Size == 1 {
			return fmt.Sprintf("0x%02x", b[0]), nil
		}
		return hexBytes(b), nil
	}
	return "", fmt.Errorf("printing %s data is not supported", t)
}

// renderEach renders the leaves of a Go array or slice (nested arrays
// flattened, as libhdf5 prints a multi-dimensional array type).
func renderEach(rv reflect.Value, base *h5file.Datatype) ([]string, error) {
	var out []string
	for i := 0; i < rv.Len(); i++ {
		e := rv.Index(i)
		if e.Kind() == reflect.Array {
			sub, err := renderEach(e, base)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
			continue
		}
		s, err := render(e.Interface(), base)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// enumValue decodes a stored enum value of integer type base.
func enumValue(base *h5file.Datatype, b []byte) uint64 {
	var u uint64
	for i := range b {
		j := i
		if base.Order == h5core.BigEndian {
			j = len(b) - 1 - i
		}
		u |= uint64(b[j]) << (8 * i)
	}
	if n := len(b); base.Signed && n > 0 && n < 8 && u&(1<<(8*n-1)) != 0 {
		u |= ^uint64(0) << (8 * n) // sign-extended, as the Go value is
	}
	return u
}

// formatFloat is C's %.<prec>g as libhdf5's tools print (inf, nan).
func formatFloat(f float64, prec int) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', prec, 64)
}

// quote is a string as libhdf5's tools print it: in double quotes, with
// C escapes for quotes, backslashes, control characters (\ooo octal for
// those without a letter).
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(&b, `\%03o`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func hexBytes(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02x", x)
	}
	return strings.Join(parts, ":")
}
