// Package pkgmeta reads the name and version of a package from its manifest file, with the
// line the version is written on, so that a version change can become a tag and a release and
// an error can point at the line to fix.
//
// Supported manifests, recognised by file name: pyproject.toml (PEP 621 or Poetry),
// package.json, Cargo.toml (with workspace inheritance), Helm's Chart.yaml, setup.cfg and a
// plain VERSION file. Versions are returned as written; parsing them (PEP 440, SemVer) is the
// caller's job.
//
// When a manifest names no package (an empty name, a VERSION file, a workspace-only
// Cargo.toml), Name is the name of the folder holding the manifest; it stays empty for a
// manifest at the repository root, whose folder has no name the package could know.
package pkgmeta

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strings"
)

// Kind names a manifest format.
type Kind string

// The supported manifest kinds.
const (
	KindPyproject   Kind = "pyproject"
	KindPackageJSON Kind = "package.json"
	KindCargo       Kind = "cargo"
	KindHelm        Kind = "helm"
	KindSetupCfg    Kind = "setup.cfg"
	KindVersionFile Kind = "version-file"
)

// The ecosystems a Manifest belongs to; they choose the version scheme (PEP 440 for python).
const (
	EcosystemPython  = "python"
	EcosystemNPM     = "npm"
	EcosystemCargo   = "cargo"
	EcosystemHelm    = "helm"
	EcosystemGeneric = "generic"
)

// Manifest is what one manifest file says about its package.
type Manifest struct {
	Path      string // slash path as given, relative to the repository root
	Kind      Kind
	Ecosystem string // "python", "npm", "cargo", "helm", "generic"
	Name      string // as written; the folder name when the manifest names no package
	Version   string // raw as written (the caller parses it); empty when Dynamic
	// Line is the 1-based line of the version value in VersionPath, 0 if unknown. For a
	// value written over several lines it is the line where the version text starts. For a
	// Dynamic version it is the line of the declaration that makes it dynamic.
	Line int
	// VersionPath is the file holding the version: Path, unless the version is inherited from
	// a Cargo workspace root.
	VersionPath string
	// Dynamic is true when the manifest declares that the build computes the version
	// (PEP 621 dynamic, setup.cfg attr: or file:); DynamicReason then says so in a sentence.
	Dynamic       bool
	DynamicReason string
}

// ReadFunc reads a repository file by slash path; it returns an error wrapping fs.ErrNotExist
// when absent.
type ReadFunc func(path string) ([]byte, error)

// SyntaxError reports a manifest that its format's parser rejects.
type SyntaxError struct {
	Path   string
	Line   int // 1-based, always set
	Column int // 1-based, 0 when the parser does not say
	Msg    string
}

// Error returns "path:line:col: msg" ("path:line: msg" without a column).
func (e *SyntaxError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
}

// Position returns the file and line of the error, for annotations.
func (e *SyntaxError) Position() (file string, line int) { return e.Path, e.Line }

// FieldError reports a manifest that parses but lacks a field the package needs, or has one of
// the wrong type.
type FieldError struct {
	Path string
	Line int    // 1-based line of the field, or of the table it belongs in; 0 if unknown
	Key  string // the field, as the format spells it: "[project].version", "version"
	Msg  string // a sentence that says what to change
}

// Error returns "path:line: msg", or "path: msg" when the line is unknown.
func (e *FieldError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

// Position returns the file and line of the error, for annotations.
func (e *FieldError) Position() (file string, line int) { return e.Path, e.Line }

// manifestNames maps each supported base name to its kind, in the order SupportedNames lists.
var manifestNames = []struct {
	name string
	kind Kind
}{
	{"pyproject.toml", KindPyproject},
	{"package.json", KindPackageJSON},
	{"Cargo.toml", KindCargo},
	{"Chart.yaml", KindHelm},
	{"setup.cfg", KindSetupCfg},
	{"VERSION", KindVersionFile},
}

// KindOf returns the kind of the manifest at path, judged by its base name; false when the name
// is not a supported manifest.
func KindOf(p string) (Kind, bool) {
	base := path.Base(p)
	for _, m := range manifestNames {
		if m.name == base {
			return m.kind, true
		}
	}
	return "", false
}

// SupportedNames returns the file names of the supported manifests, for messages.
func SupportedNames() []string {
	names := make([]string, len(manifestNames))
	for i, m := range manifestNames {
		names[i] = m.name
	}
	return names
}

// Parse reads the manifest at path (a slash path relative to the repository root) from data.
// read fetches other files of the same revision; only a Cargo.toml that inherits its version
// from a workspace needs it, and it may be nil otherwise.
//
// Malformed files give a *SyntaxError; a missing or mistyped name or version gives a
// *FieldError. A version the build computes is not an error: Dynamic is set instead.
func Parse(p string, data []byte, read ReadFunc) (Manifest, error) {
	kind, ok := KindOf(p)
	if !ok {
		return Manifest{}, fmt.Errorf("parsing %q: not a supported manifest; supported names are %s", p, strings.Join(SupportedNames(), ", "))
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	var (
		m   Manifest
		err error
	)
	switch kind {
	case KindPyproject:
		m, err = parsePyproject(p, data)
	case KindPackageJSON:
		m, err = parsePackageJSON(p, data)
	case KindCargo:
		m, err = parseCargo(p, data, read)
	case KindHelm:
		m, err = parseChart(p, data)
	case KindSetupCfg:
		m, err = parseSetupCfg(p, data)
	case KindVersionFile:
		m, err = parseVersionFile(p, data)
	}
	if err != nil {
		return Manifest{}, err
	}
	m.Path, m.Kind = p, kind
	if m.VersionPath == "" {
		m.VersionPath = p
	}
	if m.Name == "" {
		m.Name = folderName(p)
	}
	return m, nil
}

// utf8BOM is the byte order mark some Windows editors put first; no format here wants it.
var utf8BOM = []byte("\ufeff")

// folderName is the name of the folder holding the file at p, or "" at the repository root.
func folderName(p string) string {
	dir := path.Dir(p)
	if dir == "." || dir == "/" || dir == ".." {
		return ""
	}
	return path.Base(dir)
}

// lineAt returns the 1-based line and column (in bytes) of offset in data.
func lineAt(data []byte, offset int) (line, col int) {
	offset = min(max(offset, 0), len(data))
	head := data[:offset]
	line = bytes.Count(head, []byte{'\n'}) + 1
	col = offset - (bytes.LastIndexByte(head, '\n') + 1) + 1
	return line, col
}

// versionLine returns the line where the text of value starts inside its token
// data[start:end]. The value's first word is looked for verbatim in the token; when escapes
// hide it, the first line of the token holding an escape (a backslash, or YAML's ”) is used,
// else the token's first line.
func versionLine(data []byte, start, end int, value string) int {
	start = min(max(start, 0), len(data))
	end = min(max(end, start), len(data))
	tok := data[start:end]
	if f := strings.Fields(value); len(f) > 0 {
		if i := bytes.Index(tok, []byte(f[0])); i >= 0 {
			l, _ := lineAt(data, start+i)
			return l
		}
	}
	i := bytes.IndexByte(tok, '\\')
	if j := bytes.Index(tok, []byte("''")); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i >= 0 {
		l, _ := lineAt(data, start+i)
		return l
	}
	l, _ := lineAt(data, start)
	return l
}

// typeName names the Go type a decoder produced, in the words of the manifest's format.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64, int, float64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	default:
		return "a date or time"
	}
}

// errNoRead is returned when a workspace version needs other files but Parse got no ReadFunc.
var errNoRead = errors.New("no ReadFunc was given to read the workspace root")
