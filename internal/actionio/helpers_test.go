package actionio

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// exampleYML is testdata/action.yml: an input of every kind, and three outputs.
var exampleYML = func() []byte {
	data, err := os.ReadFile(filepath.Join("testdata", "action.yml"))
	if err != nil {
		panic(err)
	}
	return data
}()

// syncBuffer is a bytes.Buffer safe for the concurrent test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness is an Action with captured stdout and stderr and a fake environment.
type harness struct {
	a              *Action
	stdout, stderr *syncBuffer
}

// newHarness makes an Action from testdata/action.yml with env as its environment and args as
// its command line.
func newHarness(t *testing.T, env map[string]string, args ...string) *harness {
	t.Helper()
	h := &harness{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	a, err := New(exampleYML, WithGetenv(mapEnv(env)), WithArgs(args), WithStdout(h.stdout), WithStderr(h.stderr))
	if err != nil {
		t.Fatalf("New(%q) = %v", args, err)
	}
	h.a = a
	return h
}

func mapEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// githubEnv is the environment of a run on GitHub, with the command files in a temp dir.
func githubEnv(t *testing.T) map[string]string {
	dir := t.TempDir()
	return map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"),
		"RUNNER_TEMP":         dir,
	}
}

// outputEntry is one name and value from a command file.
type outputEntry struct{ Name, Value string }

// parseCommandFile reads a GITHUB_OUTPUT file as the runner does (actions/runner,
// FileCommandManager.cs, on Linux): lines split on LF; "name=value", or "name<<DELIM" followed by
// the value's lines up to a line equal to DELIM, the LF before which is not part of the value.
func parseCommandFile(text string) ([]outputEntry, error) {
	var entries []outputEntry
	i := 0
	readLine := func() (line string, ok, hasLF bool) {
		if i >= len(text) {
			return "", false, false
		}
		j := strings.IndexByte(text[i:], '\n')
		if j < 0 {
			line, i = text[i:], len(text)
			return line, true, false
		}
		line, i = text[i:i+j], i+j+1
		return line, true, true
	}
	for {
		line, ok, _ := readLine()
		if !ok {
			return entries, nil
		}
		if line == "" {
			continue
		}
		eq, hd := strings.Index(line, "="), strings.Index(line, "<<")
		switch {
		case eq >= 0 && (hd < 0 || eq < hd):
			entries = append(entries, outputEntry{line[:eq], line[eq+1:]})
		case hd >= 0:
			name, delim := line[:hd], line[hd+2:]
			if name == "" || delim == "" {
				return nil, fmt.Errorf("invalid heredoc line %q", line)
			}
			start, end := i, i
			for {
				l, ok, hasLF := readLine()
				if !ok {
					return nil, fmt.Errorf("delimiter %q not found", delim)
				}
				if l == delim {
					break
				}
				if !hasLF {
					return nil, errors.New("EOF marker missing new line")
				}
				end = i - 1
			}
			value := ""
			if end > start {
				value = text[start:end]
			}
			entries = append(entries, outputEntry{name, value})
		default:
			return nil, fmt.Errorf("invalid format %q", line)
		}
	}
}

// golden compares got with the golden file, or rewrites it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (create it with -update): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (check, then run with -update):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
