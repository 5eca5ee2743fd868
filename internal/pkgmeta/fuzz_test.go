package pkgmeta

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// addSeeds adds every testdata file named name, and the extra inputs, to the corpus.
func addSeeds(f *testing.F, name string, extra ...string) {
	f.Helper()
	files, err := filepath.Glob("testdata/*/*")
	if err != nil {
		f.Fatal(err)
	}
	more, _ := filepath.Glob("testdata/*/*/*")
	deeper, _ := filepath.Glob("testdata/*/*/*/*")
	for _, p := range append(append(files, more...), deeper...) {
		if filepath.Base(p) == name {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

// checkParse is the fuzz oracle: Parse never panics (the fuzzer reports that), errors carry
// the file and, for syntax errors, a line; a parsed version is on the line Parse reports. A
// version hidden by escapes may instead be reported on the line of the escape.
func checkParse(t *testing.T, p string, files map[string][]byte, read ReadFunc) {
	t.Helper()
	m, err := Parse(p, files[p], read)
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) && se.Line < 1 {
			t.Fatalf("Parse(%q) = %v, a *SyntaxError without a line", files[p], err)
		}
		if !strings.Contains(err.Error(), p) && !strings.Contains(err.Error(), "Cargo.toml") {
			t.Fatalf("Parse(%q) error %q does not name the file", files[p], err)
		}
		return
	}
	if m.Path != p || m.VersionPath == "" || m.Ecosystem == "" {
		t.Fatalf("Parse(%q) = %+v, want Path, VersionPath and Ecosystem set", files[p], m)
	}
	if m.Dynamic {
		if m.DynamicReason == "" || m.Version != "" {
			t.Fatalf("Parse(%q) = %+v, want a reason and no version when dynamic", files[p], m)
		}
		return
	}
	first := strings.Fields(m.Version)
	if len(first) == 0 || strings.ContainsRune(m.Version, utf8.RuneError) {
		// An empty version is the caller's to reject; encoding/json replaces invalid UTF-8,
		// so such a version is not in the file as such.
		return
	}
	data := bytes.TrimPrefix(files[m.VersionPath], utf8BOM)
	lines := bytes.Split(data, []byte("\n"))
	if m.Line < 1 || m.Line > len(lines) {
		t.Fatalf("Parse(%q) = %+v, line %d outside the file's %d lines", data, m, m.Line, len(lines))
	}
	line := lines[m.Line-1]
	if !bytes.Contains(line, []byte(first[0])) && !bytes.ContainsAny(line, `\`) && !bytes.Contains(line, []byte("''")) {
		t.Fatalf("Parse(%q) = version %q at line %d, but that line is %q", data, m.Version, m.Line, line)
	}
}

// single returns files and a ReadFunc for one manifest.
func single(p string, data []byte) (map[string][]byte, ReadFunc) {
	files := map[string][]byte{p: data}
	return files, func(name string) ([]byte, error) {
		if d, ok := files[name]; ok {
			return d, nil
		}
		return nil, fmt.Errorf("reading %q: %w", name, fs.ErrNotExist)
	}
}

func FuzzPyproject(f *testing.F) {
	addSeeds(f, "pyproject.toml",
		"[project]\nversion = \"\"\"\n1.0\"\"\"\n",
		"[project]\nversion = \"\\u0031.0\"\n",
		"project.version = '1'\n[tool.poetry]\nversion='2'\n",
		"[project]\ndynamic=[\"version\"]\n[tool.poetry]\nversion = \"1\"\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		files, read := single("pkg/pyproject.toml", data)
		checkParse(t, "pkg/pyproject.toml", files, read)
	})
}

func FuzzPackageJSON(f *testing.F) {
	addSeeds(f, "package.json", `{"version":"\u0031"}`, "{\"version\":\"1\"} x", "[]", `{"version": 1e9}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		files, read := single("web/package.json", data)
		checkParse(t, "web/package.json", files, read)
	})
}

func FuzzCargo(f *testing.F) {
	root := "[workspace]\n[workspace.package]\nversion = \"0.1.0\"\n"
	f.Add([]byte("[package]\nname = \"c\"\nversion.workspace = true\n"), []byte(root))
	f.Add([]byte("[package]\nversion = { workspace = true }\n"), []byte("[workspace]\n"))
	f.Add([]byte("[package]\nworkspace = \"..\"\nversion.workspace = true\n"), []byte(root))
	f.Add([]byte("[workspace]\n[package]\nversion.workspace = true\n[workspace.package]\nversion = '''\n2'''\n"), []byte(""))
	f.Add([]byte("[package]\nname = \"c\"\nversion = \"1.0.0\"\n"), []byte(""))
	f.Fuzz(func(t *testing.T, member, root []byte) {
		const p = "crates/c/Cargo.toml"
		files, read := single(p, member)
		files["Cargo.toml"] = root
		checkParse(t, p, files, read)
	})
}

func FuzzChart(f *testing.F) {
	addSeeds(f, "Chart.yaml",
		"name: c\nversion: |\n  1.0\n",
		"name: c\nversion: \"\n  1.0\"\n",
		"name: c\nversion: '\n  a''b'\n",
		"x: &a 1\nversion: *a\n",
		"{version: 1, name: x}",
		"version: !!str 1.0\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		files, read := single("charts/c/Chart.yaml", data)
		checkParse(t, "charts/c/Chart.yaml", files, read)
	})
}

func FuzzSetupCfg(f *testing.F) {
	addSeeds(f, "setup.cfg", "[metadata]\nversion =\n\n  1.0\n  x\n", "[metadata]\nversion = file: VERSION\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		files, read := single("setup.cfg", data)
		checkParse(t, "setup.cfg", files, read)
	})
}

func FuzzVersionFile(f *testing.F) {
	addSeeds(f, "VERSION", "", "\r\n1.0\r\n", "\ufeff \t2\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		files, read := single("tools/VERSION", data)
		checkParse(t, "tools/VERSION", files, read)
	})
}
