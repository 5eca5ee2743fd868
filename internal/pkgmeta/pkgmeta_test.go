package pkgmeta

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

// TestVersionLine checks the line of the version on inputs that trip line-based scanners.
func TestVersionLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, data string
		want             string // the version
		wantLine         int
	}{
		{name: "toml dotted key at root", path: "pyproject.toml",
			data: "project.name = \"x\"\nproject.version = \"1.0\"\n", want: "1.0", wantLine: 2},
		{name: "toml sub-table before the table", path: "pyproject.toml",
			data: "[project.urls]\nversion = \"no\"\n[project]\nversion = \"2.0\"\n", want: "2.0", wantLine: 4},
		{name: "toml version in a multi-line string above", path: "pyproject.toml",
			data: "[project]\nreadme = '''\nversion = \"0\"\n'''\nversion = \"3.0\"\n", want: "3.0", wantLine: 5},
		{name: "toml multi-line string version", path: "pyproject.toml",
			data: "[project]\nversion = \"\"\"\n4.0\"\"\"\n", want: "4.0", wantLine: 3},
		{name: "toml escaped version", path: "pyproject.toml",
			data: "[project]\nversion = \"\\u0035.0\"\n", want: "5.0", wantLine: 2},
		{name: "toml quoted key and comment", path: "pyproject.toml",
			data: "[ project ] # version = \"0\"\n'version' = \"6.0\" # version = \"0\"\n", want: "6.0", wantLine: 2},
		{name: "toml CRLF", path: "pyproject.toml",
			data: "[project]\r\n\r\nversion = \"7.0\"\r\n", want: "7.0", wantLine: 3},
		{name: "toml BOM", path: "pyproject.toml",
			data: "\ufeff[project]\nversion = \"8.0\"\n", want: "8.0", wantLine: 2},
		{name: "toml poetry after a project table without version", path: "pyproject.toml",
			data: "[project]\nname = \"p\"\n[tool.poetry]\nversion = \"9.0\"\n", want: "9.0", wantLine: 4},
		{name: "cargo table form of workspace inheritance is resolved", path: "Cargo.toml",
			data: "[workspace]\n[workspace.package]\nversion = \"1.1.0\"\n[package]\nname = \"self\"\n[package.version]\nworkspace = true\n", want: "1.1.0", wantLine: 3},
		{name: "cargo inline package table", path: "Cargo.toml",
			data: "package = { name = \"c\", version = \"1.2.0\" }\n", want: "1.2.0", wantLine: 1},
		{name: "json minified", path: "package.json",
			data: `{"name":"a","version":"1.3.0"}`, want: "1.3.0", wantLine: 1},
		{name: "json repeated key takes the last", path: "package.json",
			data: "{\"version\": \"0.0.1\",\n\"version\": \"1.4.0\"}", want: "1.4.0", wantLine: 2},
		{name: "json escaped", path: "package.json",
			data: "{\n\"version\": \"\\u0031.5.0\"}", want: "1.5.0", wantLine: 2},
		{name: "yaml block scalar", path: "Chart.yaml",
			data: "name: c\nversion: |\n\n  1.6.0\n", want: "\n1.6.0\n", wantLine: 4},
		{name: "yaml flow mapping", path: "Chart.yaml",
			data: "{name: c, appVersion: 1.7.0,\n version: 1.7.0}\n", want: "1.7.0", wantLine: 2},
		{name: "yaml anchor", path: "Chart.yaml",
			data: "x: &v 1.8.0\nname: c\nversion: *v\n", want: "1.8.0", wantLine: 1},
		{name: "yaml quoted over two lines", path: "Chart.yaml",
			data: "name: c\nversion: \"\n  1.9.0\"\n", want: " 1.9.0", wantLine: 3},
		{name: "yaml after a nested version", path: "Chart.yaml",
			data: "dependencies:\n- name: d\n  version: 0.0.1\nversion: 2.0.0 # v\n", want: "2.0.0", wantLine: 4},
		{name: "ini continuation line", path: "setup.cfg",
			data: "[metadata]\nversion =\n  2.1.0\n", want: "2.1.0", wantLine: 3},
		{name: "ini colon and upper case key", path: "setup.cfg",
			data: "[metadata]\r\nVERSION : 2.2.0\r\n", want: "2.2.0", wantLine: 2},
		{name: "ini version in another section", path: "setup.cfg",
			data: "[tool]\nversion = 0\n[metadata]\nversion = 2.3.0\n", want: "2.3.0", wantLine: 4},
		{name: "version file", path: "VERSION",
			data: "\ufeff\r\n\r\n2.4.0\r\n", want: "2.4.0", wantLine: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse(tt.path, []byte(tt.data), nil)
			if err != nil {
				t.Fatalf("Parse(%q, %q) error: %v", tt.path, tt.data, err)
			}
			if m.Version != tt.want || m.Line != tt.wantLine {
				t.Errorf("Parse(%q, %q) = version %q at line %d, want %q at line %d", tt.path, tt.data, m.Version, m.Line, tt.want, tt.wantLine)
			}
		})
	}
}

// TestParseErrors checks errors that the golden cases do not show: their type and line.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, data string
		want             string // the whole error message
	}{
		{name: "unsupported", path: "go.mod", want: `parsing "go.mod": not a supported manifest; supported names are pyproject.toml, package.json, Cargo.toml, Chart.yaml, setup.cfg, VERSION`},
		{name: "json not an object", path: "a/package.json", data: "\n[1]", want: "a/package.json:2:1: package.json is not a JSON object; it must start with {"},
		{name: "json empty", path: "a/package.json", data: "", want: "a/package.json:1:1: parsing JSON: unexpected end of JSON input"},
		{name: "json trailing data", path: "a/package.json", data: "{\"version\": \"1\"}\n{}", want: "a/package.json:2:1: parsing JSON: unexpected data after the top-level object"},
		{name: "json name not a string", path: "a/package.json", data: "{\"name\": {},\n\"version\": \"1\"}", want: `a/package.json:1: "name" is an object, want a string`},
		{name: "toml dynamic not an array", path: "a/pyproject.toml", data: "[project]\ndynamic = \"version\"\n", want: `a/pyproject.toml:2: [project].dynamic is a string, want an array of field names such as ["version"]`},
		{name: "toml poetry version not a string", path: "a/pyproject.toml", data: "[tool.poetry]\nversion = [1]\n", want: `a/pyproject.toml:2: [tool.poetry].version is an array, want a string: quote it`},
		{name: "cargo no package", path: "a/Cargo.toml", data: "[dependencies]\n", want: "a/Cargo.toml: Cargo.toml has neither [package] nor [workspace.package]; add [package] with name and version"},
		{name: "cargo no version", path: "a/Cargo.toml", data: "[package]\nname = \"a\"\n", want: "a/Cargo.toml:1: Cargo.toml has no [package].version; add one, or version.workspace = true to inherit [workspace.package].version"},
		{name: "cargo version table without workspace", path: "a/Cargo.toml", data: "[package]\nversion = { path = \"x\" }\n", want: "a/Cargo.toml: [package].version is a table without workspace = true; write the version as a string or inherit it with version.workspace = true"},
		{name: "cargo workspace without ReadFunc", path: "a/Cargo.toml", data: "[package]\nversion.workspace = true\n", want: `resolving version.workspace of "a/Cargo.toml": no ReadFunc was given to read the workspace root`},
		{name: "yaml not a mapping", path: "c/Chart.yaml", data: "- a\n", want: "c/Chart.yaml:1:1: Chart.yaml is not a mapping; a chart needs apiVersion, name and version"},
		{name: "yaml version is a mapping", path: "c/Chart.yaml", data: "version:\n  a: b\n", want: "c/Chart.yaml:2: version is a mapping, want a SemVer version such as 1.2.3"},
		{name: "yaml version is null", path: "c/Chart.yaml", data: "name: c\nversion: ~\n", want: "c/Chart.yaml:2: version is empty, want a SemVer version such as 1.2.3"},
		{name: "yaml version twice", path: "c/Chart.yaml", data: "version: 1\nversion: 2\n", want: "c/Chart.yaml:2:1: version is defined twice, here and on line 1; keep one"},
		{name: "yaml empty", path: "c/Chart.yaml", data: "# nothing\n", want: "c/Chart.yaml: Chart.yaml is empty; a chart needs apiVersion, name and version"},
		{name: "yaml bad utf-8", path: "c/Chart.yaml", data: "name: c\nversion: \xff\n", want: "c/Chart.yaml:2: parsing YAML: invalid leading UTF-8 octet"},
		{name: "ini key before section", path: "s/setup.cfg", data: "version = 1\n", want: "s/setup.cfg:1:1: parsing INI: key = value before the first [section]; put it under [metadata] or another section"},
		{name: "ini duplicate key", path: "s/setup.cfg", data: "[metadata]\nversion = 1\nVersion = 2\n", want: "s/setup.cfg:3:1: parsing INI: version is defined twice in [metadata], here and on line 2; keep one"},
		{name: "ini duplicate section", path: "s/setup.cfg", data: "[metadata]\n[metadata]\n", want: "s/setup.cfg:2:1: parsing INI: section [metadata] is defined twice, here and on line 1; merge them"},
		{name: "ini unclosed section", path: "s/setup.cfg", data: "\n  [metadata\n", want: `s/setup.cfg:2:3: parsing INI: section header "[metadata" has no closing ]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse(tt.path, []byte(tt.data), nil)
			if err == nil {
				t.Fatalf("Parse(%q, %q) = %+v, want error %q", tt.path, tt.data, m, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Parse(%q, %q) error = %q, want %q", tt.path, tt.data, err, tt.want)
			}
		})
	}
}

// TestCargoReadErrors checks how the workspace search treats the ReadFunc's answers.
func TestCargoReadErrors(t *testing.T) {
	t.Parallel()
	member := []byte("[package]\nname = \"m\"\nversion.workspace = true\n")
	tests := []struct {
		name    string
		files   map[string]string
		readErr error // returned for any path not in files
		want    string
		wantVer string
	}{
		{name: "a read failure is not a missing file", readErr: errors.New("object store offline"),
			want: `resolving version.workspace of "a/b/Cargo.toml": reading "a/Cargo.toml": object store offline`},
		{name: "a malformed root is reported at the root",
			files: map[string]string{"Cargo.toml": "[workspace\n"}, readErr: fs.ErrNotExist,
			want: "Cargo.toml:1:11: parsing TOML: expected ']' to close table name"},
		{name: "explicit workspace path",
			files: map[string]string{
				"a/b/Cargo.toml": "[package]\nname = \"m\"\nworkspace = \"../../x\"\nversion.workspace = true\n",
				"x/Cargo.toml":   "[workspace.package]\nversion = \"3.1.0\"\n[workspace]\n",
			}, readErr: fs.ErrNotExist, wantVer: "3.1.0"},
		{name: "explicit workspace path without a workspace",
			files: map[string]string{
				"a/b/Cargo.toml": "[package]\nname = \"m\"\nworkspace = \"..\"\nversion.workspace = true\n",
			}, readErr: fs.ErrNotExist,
			want: `a/b/Cargo.toml:3: [package].workspace points to "a/Cargo.toml", which has no [workspace]; fix the path`},
		{name: "BOM in the root",
			files: map[string]string{"Cargo.toml": "\ufeff[workspace.package]\nversion = \"3.2.0\"\n"}, readErr: fs.ErrNotExist, wantVer: "3.2.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var reads []string
			read := func(p string) ([]byte, error) {
				reads = append(reads, p)
				if s, ok := tt.files[p]; ok {
					return []byte(s), nil
				}
				return nil, fmt.Errorf("reading %q: %w", p, tt.readErr)
			}
			data := member
			if s, ok := tt.files["a/b/Cargo.toml"]; ok {
				data = []byte(s)
			}
			m, err := Parse("a/b/Cargo.toml", data, read)
			if tt.want != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
					t.Errorf("Parse() = %+v, %v, want error %q (reads %q)", m, err, tt.want, reads)
				}
				return
			}
			if err != nil || m.Version != tt.wantVer {
				t.Errorf("Parse() = %+v, %v, want version %q (reads %q)", m, err, tt.wantVer, reads)
			}
		})
	}
}

// TestKindOf checks recognition by base name.
func TestKindOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path string
		want       Kind
		wantOK     bool
	}{
		{name: "pyproject", path: "packages/a/pyproject.toml", want: KindPyproject, wantOK: true},
		{name: "package.json", path: "package.json", want: KindPackageJSON, wantOK: true},
		{name: "cargo", path: "crates/x/Cargo.toml", want: KindCargo, wantOK: true},
		{name: "helm", path: "charts/web/Chart.yaml", want: KindHelm, wantOK: true},
		{name: "setup.cfg", path: "setup.cfg", want: KindSetupCfg, wantOK: true},
		{name: "VERSION", path: "tools/VERSION", want: KindVersionFile, wantOK: true},
		{name: "case matters", path: "cargo.toml"},
		{name: "Chart.yml is not Helm's name", path: "Chart.yml"},
		{name: "glob of a supported name", path: "packages/*/pyproject.toml", want: KindPyproject, wantOK: true},
		{name: "folder named like a manifest", path: "VERSION/notes.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got, ok := KindOf(tt.path); got != tt.want || ok != tt.wantOK {
				t.Errorf("KindOf(%q) = %q, %v, want %q, %v", tt.path, got, ok, tt.want, tt.wantOK)
			}
		})
	}
	for _, n := range SupportedNames() {
		if _, ok := KindOf(n); !ok {
			t.Errorf("KindOf(%q) = false for a name SupportedNames lists", n)
		}
	}
}
