package pkgmeta

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*/expected.json and expected.err from the results")

// TestGolden parses the manifest each testdata/<case>/ names in its file "target" (a slash path
// relative to the case folder, which plays the repository root) and compares the Manifest with
// expected.json, or the error with expected.err.
func TestGolden(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() || filepath.Base(dir) == "fuzz" {
			continue // testdata/fuzz is the fuzzers' seed corpus, not a golden case
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			target, err := os.ReadFile(filepath.Join(dir, "target"))
			if err != nil {
				t.Fatalf("reading the case's target file: %v", err)
			}
			p := strings.TrimSpace(string(target))
			fsys := os.DirFS(dir)
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(p, data, func(name string) ([]byte, error) { return fs.ReadFile(fsys, name) })
			got, file, stale := []byte(nil), "expected.json", "expected.err"
			if err != nil {
				got, file, stale = []byte(err.Error()+"\n"), "expected.err", "expected.json"
				checkErrorType(t, dir, err)
			} else {
				got, _ = json.MarshalIndent(m, "", "  ")
				got = append(got, '\n')
			}
			if *update {
				if err := os.WriteFile(filepath.Join(dir, file), got, 0o644); err != nil {
					t.Fatal(err)
				}
				_ = os.Remove(filepath.Join(dir, stale))
				return
			}
			want, err := os.ReadFile(filepath.Join(dir, file))
			if errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("Parse(%q) = %s, but the case has no %s (run go test -update to write it)", p, got, file)
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Parse(%q) = %s, want %s", p, got, want)
			}
		})
	}
}

// checkErrorType checks that a malformed file gives a *SyntaxError and a missing or mistyped
// field a *FieldError, both with the file's path.
func checkErrorType(t *testing.T, dir string, err error) {
	t.Helper()
	var pos interface{ Position() (string, int) }
	if !errors.As(err, &pos) {
		t.Fatalf("error %v (%T) has no Position()", err, err)
	}
	var se *SyntaxError
	if strings.Contains(dir, "malformed") || strings.Contains(dir, "duplicate") {
		if !errors.As(err, &se) || se.Line < 1 {
			t.Errorf("error = %v (%T), want a *SyntaxError with a line", err, err)
		}
	} else if errors.As(err, &se) {
		t.Errorf("error = %v (%T), want a *FieldError", err, err)
	}
}
