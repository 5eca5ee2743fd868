package manifest

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*/expected and expected.err")

// readCase reads testdata/<case>/case.txt: key=value words for the Target.
func readCase(t *testing.T, dir string) Target {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "case.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var tg Target
	for _, kv := range strings.Fields(string(data)) {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "image":
			tg.Image = v
		case "tag":
			tg.Tag = v
		case "digest":
			tg.Digest = v
		case "value-path":
			tg.ValuePath = v
		default:
			t.Fatalf("case.txt: unknown key %q", k)
		}
	}
	return tg
}

// readTree reads every file under dir, by slash-separated relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestGolden edits every file of testdata/<case>/input with the case's target and compares the
// tree with testdata/<case>/expected, or the error with expected.err.
func TestGolden(t *testing.T) {
	t.Parallel()
	cases, err := filepath.Glob("testdata/*/case.txt")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, c := range cases {
		dir := filepath.Dir(c)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			tg := readCase(t, dir)
			in := readTree(t, filepath.Join(dir, "input"))
			out := map[string][]byte{}
			var errs []string
			for p, data := range in {
				got, _, err := Edit(p, data, tg)
				if err != nil {
					errs = append(errs, err.Error())
					continue
				}
				out[p] = got
			}
			if len(errs) > 0 {
				golden(t, filepath.Join(dir, "expected.err"), []byte(strings.Join(errs, "\n")+"\n"))
				return
			}
			for p, got := range out {
				golden(t, filepath.Join(dir, "expected", filepath.FromSlash(p)), got)
			}
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGolden -update)\ngot:\n%s", err, got)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
