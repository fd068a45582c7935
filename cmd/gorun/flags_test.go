package main

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	t.Setenv("GORUN_TEST_VAR", "from-env")
	tests := []struct {
		name    string
		args    string
		want    options
		wantErr string
	}{
		{name: "n", args: "-n 4 ./prog a b", want: options{n: 4, program: "./prog", args: []string{"a", "b"}}},
		{name: "np", args: "-np 3 prog", want: options{n: 3, program: "prog"}},
		{name: "double dash", args: "--np 2 --tag-output prog", want: options{n: 2, tag: true, program: "prog"}},
		{name: "l", args: "-l prog", want: options{n: 1, tag: true, program: "prog"}},
		{name: "program flags stay", args: "-n 2 prog -n 5 -v", want: options{n: 2, program: "prog", args: []string{"-n", "5", "-v"}}},
		{name: "x", args: "-x GORUN_TEST_VAR -x A=b=c -x UNSET_GORUN_TEST prog",
			want: options{n: 1, env: envFlags{"GORUN_TEST_VAR=from-env", "A=b=c"}, program: "prog"}},
		{name: "timeout seconds", args: "--timeout 90 prog", want: options{n: 1, timeout: 90 * time.Second, program: "prog"}},
		{name: "timeout duration", args: "--timeout 1m30s --grace 500ms prog",
			want: options{n: 1, timeout: 90 * time.Second, grace: 500 * time.Millisecond, program: "prog"}},
		{name: "bind", args: "--bind 10.1.2.3 -v prog", want: options{n: 1, bind: "10.1.2.3", verbose: true, program: "prog"}},
		{name: "recovery", args: "--enable-recovery prog", want: options{n: 1, ft: true, program: "prog"}},
		{name: "keep going", args: "-n 2 --keep-going prog", want: options{n: 2, ft: true, program: "prog"}},
		{name: "separator", args: "-n 2 -- -prog", want: options{n: 2, program: "-prog"}},
		{name: "no program", args: "-n 2", wantErr: "no program"},
		{name: "zero ranks", args: "-n 0 prog", wantErr: "at least 1"},
		{name: "bad timeout", args: "--timeout soon prog", wantErr: "duration"},
		{name: "bad x", args: "-x =v prog", wantErr: "VAR"},
		{name: "unknown flag", args: "--frobnicate prog", wantErr: "frobnicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseFlags(strings.Fields(tt.args), io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseFlags(%q) error %v, want one containing %q", tt.args, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseFlags(%q): %v", tt.args, err)
			}
			if got.n != tt.want.n || got.tag != tt.want.tag || got.timeout != tt.want.timeout ||
				got.grace != tt.want.grace || got.bind != tt.want.bind || got.verbose != tt.want.verbose ||
				got.program != tt.want.program || strings.Join(got.args, " ") != strings.Join(tt.want.args, " ") ||
				strings.Join(got.env, " ") != strings.Join(tt.want.env, " ") {
				t.Errorf("parseFlags(%q) = %+v, want %+v", tt.args, *got, tt.want)
			}
		})
	}
}

func TestParseFlagsHelp(t *testing.T) {
	var out strings.Builder
	if _, err := parseFlags([]string{"-h"}, &out); !errors.Is(err, errHelp) {
		t.Fatalf("-h: %v, want errHelp", err)
	}
	if !strings.Contains(out.String(), "usage: gorun") {
		t.Errorf("-h printed %q", out.String())
	}
}
