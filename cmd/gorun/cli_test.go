package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestTimeoutDumpsStacks(t *testing.T) {
	// 5 s: every rank must have started its Go runtime (which prints the
	// stacks on SIGQUIT) before the timeout, also on a loaded machine.
	res := gorun(t, "", "-n", "3", "-l", "--timeout", "5s", "-x", helperEnv+"=sleep", selfBin)
	if res.code != 124 || !strings.Contains(res.stderr, "gorun: timed out after 5s") {
		t.Errorf("exit %d, want 124 and a timeout message; stderr tail:\n%s", res.code, tail(res.stderr))
	}
	for r := range 3 {
		// SIGQUIT makes Go print at crash level: "goroutine 1 gp=0x... m=nil [select]:".
		re := regexp.MustCompile(fmt.Sprintf(`(?m)^\[%d\] goroutine 1 (gp=\S+ m=\S+ )?\[`, r))
		if !re.MatchString(res.stderr) {
			t.Errorf("no goroutine stack from rank %d; stderr tail:\n%s", r, tail(res.stderr))
		}
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return "..." + s[len(s)-2000:]
	}
	return s
}

func TestEnvPassing(t *testing.T) {
	t.Setenv("GORUN_TEST_FROM_ENV", "inherited value")
	res := gorun(t, "", "-n", "2", "-l", "-x", helperEnv+"=env", "-x", "GORUN_TEST_FROM_ENV", "-x", "GORUN_TEST_SET=a b=c",
		selfBin, "GORUN_TEST_FROM_ENV", "GORUN_TEST_SET", "GORUN_SIZE")
	if res.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
	}
	for r := range 2 {
		for _, kv := range []string{"GORUN_TEST_FROM_ENV=inherited value", "GORUN_TEST_SET=a b=c", "GORUN_SIZE=2"} {
			if want := fmt.Sprintf("[%d] %s\n", r, kv); !strings.Contains(res.stdout, want) {
				t.Errorf("stdout %q lacks %q", res.stdout, want)
			}
		}
	}
}

func TestStdinToRankZero(t *testing.T) {
	res := gorun(t, "line one\nline two\n", "-n", "3", "-l", "-x", helperEnv+"=stdin", selfBin)
	if res.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
	}
	want := "[0] line one\n[0] line two\n"
	if res.stdout != want {
		t.Errorf("stdout %q, want %q (rank 0 only)", res.stdout, want)
	}
	for r := 1; r < 3; r++ {
		if want := fmt.Sprintf("[%d] read 0 bytes", r); !strings.Contains(res.stderr, want) {
			t.Errorf("stderr %q lacks %q", res.stderr, want)
		}
	}
}

func TestBadProgram(t *testing.T) {
	res := gorun(t, "", "-n", "2", "/nonexistent/program")
	if res.code == 0 || !strings.Contains(res.stderr, "/nonexistent/program") {
		t.Errorf("exit %d, stderr %q: want a nonzero exit naming the program", res.code, res.stderr)
	}
	res = gorun(t, "", "-n", "0", selfBin)
	if res.code != 2 {
		t.Errorf("-n 0: exit %d, want 2 (usage)", res.code)
	}
}

// TestExitStatus: the first failing rank decides gorun's message and exit
// status; the sleeping others are killed after the grace period.
func TestExitStatus(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantMsg  string
	}{
		{"exit code 3", []string{"plain-exit", "2", "3"}, 3, "gorun: rank 2 exited with code 3\n"},
		{"sigkill", []string{"plain-kill", "1"}, 137, "gorun: rank 1 killed by signal 9 (SIGKILL)\n"},
		{"all succeed", []string{"env"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"-n", "4", "--grace", "100ms", "-x", helperEnv + "=" + tt.args[0], selfBin}, tt.args[1:]...)
			res := gorun(t, "", args...)
			if res.code != tt.wantCode || !strings.HasSuffix(res.stderr, tt.wantMsg) {
				t.Errorf("exit %d, want %d; stderr %q, want it to end with %q", res.code, tt.wantCode, res.stderr, tt.wantMsg)
			}
		})
	}
}

func TestTagOutput(t *testing.T) {
	for _, flag := range []string{"-l", "--tag-output"} {
		res := gorun(t, "", "-n", "4", flag, "-x", helperEnv+"=env", selfBin, "GORUN_RANK")
		got := lines(res.stdout)
		sort.Strings(got)
		want := []string{"[0] GORUN_RANK=0", "[1] GORUN_RANK=1", "[2] GORUN_RANK=2", "[3] GORUN_RANK=3"}
		if res.code != 0 || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: exit %d, stdout %q, want %q", flag, res.code, got, want)
		}
	}
}
