package yamledit

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite the expected files of testdata/*")

// TestGolden applies each testdata/<case>/edits.txt to input.yaml and compares the result with
// expected.yaml (or the error with expected.err). Every case also checks that the bytes outside
// the edited values are unchanged: the result's lines that differ are exactly the edited ones.
//
// edits.txt holds one edit a line: "set PATH VALUE", "setkey PATH KEY VALUE", "delete PATH KEY"
// "append PATH k=v,k=v" or "addlist PATH KEY k=v,k=v". PATH is the document's index, then keys and item indexes, joined
// by "/".
func TestGolden(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob("testdata/*/input.yaml")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, in := range dirs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			input, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			script, err := os.ReadFile(filepath.Join(dir, "edits.txt"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := applyScript(input, string(script))
			if err != nil {
				compareGolden(t, filepath.Join(dir, "expected.err"), []byte(err.Error()+"\n"))
				return
			}
			compareGolden(t, filepath.Join(dir, "expected.yaml"), got)
			// Only lines holding an edited value may differ (insertions and deletions aside).
			if bytes.Count(input, []byte("\n")) == bytes.Count(got, []byte("\n")) {
				inLines, gotLines := bytes.Split(input, []byte("\n")), bytes.Split(got, []byte("\n"))
				changed := 0
				for i := range inLines {
					if !bytes.Equal(inLines[i], gotLines[i]) {
						changed++
					}
				}
				if edits := strings.Count(strings.TrimSpace(string(script)), "\n") + 1; changed > edits {
					t.Errorf("%d lines changed for %d edits", changed, edits)
				}
			}
		})
	}
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the expectation: %v (run go test -run TestGolden -update)\ngot:\n%s", err, got)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("result differs from %s:\ngot:\n%q\nwant:\n%q", path, got, want)
	}
}

// applyScript runs an edits.txt script on input.
func applyScript(input []byte, script string) ([]byte, error) {
	e, err := Parse(input)
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(strings.TrimSpace(script), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			return nil, fmt.Errorf("bad script line %q", line)
		}
		n, err := find(e.Documents(), f[1])
		if err != nil {
			return nil, err
		}
		switch f[0] {
		case "set":
			err = e.Set(n, strings.Join(f[2:], " "))
		case "setkey":
			err = e.SetKey(n, f[2], strings.Join(f[3:], " "))
		case "delete":
			err = e.Delete(n, f[2])
		case "addlist":
			var pairs [][2]string
			for _, kv := range strings.Split(f[3], ",") {
				k, v, _ := strings.Cut(kv, "=")
				pairs = append(pairs, [2]string{k, v})
			}
			err = e.AddList(n, f[2], pairs)
		case "append":
			var pairs [][2]string
			for _, kv := range strings.Split(f[2], ",") {
				k, v, _ := strings.Cut(kv, "=")
				pairs = append(pairs, [2]string{k, v})
			}
			err = e.Append(n, pairs)
		default:
			return nil, fmt.Errorf("bad script verb %q", f[0])
		}
		if err != nil {
			return nil, err
		}
	}
	return e.Bytes()
}

// find follows a path such as "0/images/1/newTag".
func find(docs []*yaml.Node, path string) (*yaml.Node, error) {
	parts := strings.Split(path, "/")
	i, err := strconv.Atoi(parts[0])
	if err != nil || i >= len(docs) {
		return nil, fmt.Errorf("path %q: no document %s", path, parts[0])
	}
	n := Root(docs[i])
	for _, p := range parts[1:] {
		if n != nil && n.Kind == yaml.SequenceNode {
			i, err := strconv.Atoi(p)
			if err != nil || i >= len(n.Content) {
				return nil, fmt.Errorf("path %q: no item %s", path, p)
			}
			n = n.Content[i]
			continue
		}
		n, _ = Lookup(n, p)
		if n == nil {
			return nil, fmt.Errorf("path %q: no key %s", path, p)
		}
	}
	return n, nil
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		wantLine int
	}{
		{name: "bad indentation", in: "a: 1\n b: 2\n", wantLine: 2},
		{name: "unclosed flow", in: "a: [1, 2\nb: 3\n", wantLine: 2},
		{name: "tab", in: "a:\n\t- b\n", wantLine: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, want a *SyntaxError", tt.in, err)
			}
			if se.Line != tt.wantLine {
				t.Errorf("Parse(%q) line = %d, want %d (%v)", tt.in, se.Line, tt.wantLine, err)
			}
		})
	}
}

func TestSetStyles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, value, want string
	}{
		{name: "plain stays plain", in: "k: v1\n", value: "sha-1234abcd", want: "k: sha-1234abcd\n"},
		{name: "plain number quoted", in: "k: v1\n", value: "1.10", want: "k: \"1.10\"\n"},
		{name: "plain float stays float", in: "k: 1.2\n", value: "1.3", want: "k: 1.3\n"},
		{name: "plain bool-like quoted", in: "k: v1\n", value: "yes", want: "k: yes\n"},
		{name: "plain true quoted", in: "k: v1\n", value: "true", want: "k: \"true\"\n"},
		{name: "single stays single", in: "k: 'v1'\n", value: "it's", want: "k: 'it''s'\n"},
		{name: "double stays double", in: "k: \"v1\" # c\n", value: `a"b\c`, want: "k: \"a\\\"b\\\\c\" # c\n"},
		{name: "colon space quoted", in: "k: v\n", value: "a: b", want: "k: \"a: b\"\n"},
		{name: "comment-like quoted", in: "k: v\n", value: "a #b", want: "k: \"a #b\"\n"},
		{name: "empty quoted", in: "k: v\n", value: "", want: "k: \"\"\n"},
		{name: "newline escaped", in: "k: v\n", value: "a\nb", want: "k: \"a\\x0Ab\"\n"},
		{name: "null replaced", in: "k: ~\n", value: "v", want: "k: v\n"},
		{name: "tagged", in: "k: !!str 12\n", value: "13", want: "k: !!str 13\n"},
		{name: "flow comma quoted", in: "k: [a, b]\n", value: "x,y", want: "k: [\"x,y\", b]\n"},
		{name: "no final newline", in: "k: v", value: "w", want: "k: w"},
		{name: "unicode before", in: "é: ü\nk: v\n", value: "w", want: "é: ü\nk: w\n"},
		{name: "unicode same line", in: "{é: ü, k: v}\n", value: "w", want: "{é: ü, k: w}\n"},
		{name: "lone CR", in: "a: 1\rk: v\r", value: "w", want: "a: 1\rk: w\r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			v, _ := Lookup(Root(e.Documents()[0]), "k")
			if v != nil && v.Kind == yaml.SequenceNode {
				v = v.Content[0]
			}
			if err := e.Set(v, tt.value); err != nil {
				t.Fatalf("Set(%q) = %v", tt.value, err)
			}
			got, err := e.Bytes()
			if err != nil {
				t.Fatalf("Bytes() = %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("Set(%q) on %q = %q, want %q", tt.value, tt.in, got, tt.want)
			}
		})
	}
}

func TestNoEdits(t *testing.T) {
	t.Parallel()
	in := []byte("\xef\xbb\xbfa: 1 # c\r\n")
	e, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Bytes()
	if err != nil || !bytes.Equal(got, in) || e.Changed() {
		t.Errorf("Bytes() = %q, %v (changed %v), want the input unchanged", got, err, e.Changed())
	}
	v, _ := Lookup(Root(e.Documents()[0]), "a")
	if err := e.Set(v, "1"); err != nil {
		t.Fatal(err)
	}
	if e.Changed() {
		t.Error("Changed() = true after setting the same value, want false")
	}
	if err := e.Set(v, "2"); err == nil {
		t.Error("Set twice on one node = nil, want an overlap error")
	}
}
