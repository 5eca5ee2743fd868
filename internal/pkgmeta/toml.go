package pkgmeta

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// tomlDoc is a parsed TOML manifest. go-toml/v2 decodes and validates it (duplicate keys,
// redefined tables); its decoder does not say where a value is, so the AST of its unstable
// parser, walked once, gives the position of every key-value outside arrays and of every table
// header.
type tomlDoc struct {
	path   string
	data   []byte
	root   map[string]any
	values map[string]tomlPos // by key path joined with keySep
	tables map[string]int     // line of each [table] header, by key path
}

// tomlPos is where a value token is in the document.
type tomlPos struct{ start, end int }

// keySep joins key parts; it cannot be confused with a "." inside a quoted key.
const keySep = "\x00"

// parseTOML decodes data, turning the decoder's errors into a *SyntaxError.
func parseTOML(p string, data []byte) (*tomlDoc, error) {
	d := &tomlDoc{path: p, data: data, values: map[string]tomlPos{}, tables: map[string]int{}}
	if err := toml.Unmarshal(data, &d.root); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return nil, &SyntaxError{Path: p, Line: max(line, 1), Column: col, Msg: "parsing TOML: " + strings.TrimPrefix(de.Error(), "toml: ")}
		}
		return nil, &SyntaxError{Path: p, Line: 1, Msg: "parsing TOML: " + err.Error()}
	}
	var ps unstable.Parser
	ps.Reset(data)
	var table []string
	inArray := false
	for ps.NextExpression() {
		e := ps.Expression()
		switch e.Kind {
		case unstable.Table:
			table, inArray = keyParts(nil, e.Key()), false
			if k := e.Child(); k != nil {
				d.tables[strings.Join(table, keySep)], _ = lineAt(data, int(k.Raw.Offset))
			}
		case unstable.ArrayTable:
			// Keys under [[x]] repeat; no manifest field of interest lives there.
			table, inArray = nil, true
		case unstable.KeyValue:
			if !inArray {
				d.addKeyValue(table, e)
			}
		}
	}
	if err := ps.Error(); err != nil {
		// The decoder accepted what the parser rejects: should not happen, but say where.
		line := 1
		var pe *unstable.ParserError
		if errors.As(err, &pe) && pe.Highlight != nil {
			line, _ = lineAt(data, int(ps.Range(pe.Highlight).Offset))
		}
		return nil, &SyntaxError{Path: p, Line: line, Msg: "parsing TOML: " + err.Error()}
	}
	return d, nil
}

// addKeyValue records the position of kv's value under prefix, descending into inline tables.
func (d *tomlDoc) addKeyValue(prefix []string, kv *unstable.Node) {
	full := keyParts(append([]string(nil), prefix...), kv.Key())
	v := kv.Value()
	if v.Kind == unstable.InlineTable {
		it := v.Children()
		for it.Next() {
			if c := it.Node(); c.Kind == unstable.KeyValue {
				d.addKeyValue(full, c)
			}
		}
		return
	}
	start := int(v.Raw.Offset)
	if v.Raw.Length == 0 { // arrays have no range of their own: use the key's
		start = int(kv.Raw.Offset)
	}
	d.values[strings.Join(full, keySep)] = tomlPos{start: start, end: start + int(v.Raw.Length)}
}

// keyParts appends the parts of a dotted key to dst.
func keyParts(dst []string, it unstable.Iterator) []string {
	for it.Next() {
		dst = append(dst, string(it.Node().Data))
	}
	return dst
}

// get returns the value at the key path, and whether it is there.
func (d *tomlDoc) get(keys ...string) (any, bool) {
	var cur any = d.root
	for _, k := range keys {
		t, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = t[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// table returns the table at the key path, or nil.
func (d *tomlDoc) table(keys ...string) map[string]any {
	v, _ := d.get(keys...)
	t, _ := v.(map[string]any)
	return t
}

// line returns the line where the value at the key path starts its text, 0 if unknown.
func (d *tomlDoc) line(keys ...string) int {
	pos, ok := d.values[strings.Join(keys, keySep)]
	if !ok {
		return 0
	}
	s, _ := d.get(keys...)
	str, _ := s.(string)
	return versionLine(d.data, pos.start, pos.end, str)
}

// headerLine returns the line of the [table] header at the key path, 0 if it has none.
func (d *tomlDoc) headerLine(keys ...string) int {
	return d.tables[strings.Join(keys, keySep)]
}

// stringAt returns the string at the key path; "" when absent, and a *FieldError naming the
// key when it is there but not a string.
func (d *tomlDoc) stringAt(display string, keys ...string) (string, bool, error) {
	v, ok := d.get(keys...)
	if !ok {
		return "", false, nil
	}
	s, isStr := v.(string)
	if !isStr {
		return "", true, &FieldError{Path: d.path, Line: d.line(keys...), Key: display,
			Msg: fmt.Sprintf("%s is %s, want a string: quote it", display, typeName(v))}
	}
	return s, true, nil
}

// parsePyproject reads PEP 621 [project], falling back to Poetry's [tool.poetry].
func parsePyproject(p string, data []byte) (Manifest, error) {
	d, err := parseTOML(p, data)
	if err != nil {
		return Manifest{}, err
	}
	m := Manifest{Ecosystem: EcosystemPython}
	if m.Name, _, err = d.stringAt("[project].name", "project", "name"); err != nil {
		return Manifest{}, err
	}
	if m.Name == "" {
		if m.Name, _, err = d.stringAt("[tool.poetry].name", "tool", "poetry", "name"); err != nil {
			return Manifest{}, err
		}
	}
	v, ok, err := d.stringAt("[project].version", "project", "version")
	if err != nil {
		return Manifest{}, err
	}
	if ok {
		m.Version, m.Line = v, d.line("project", "version")
		return m, nil
	}
	dynamic, err := listsVersion(d)
	if err != nil {
		return Manifest{}, err
	}
	backend, _, _ := d.stringAt("[build-system].build-backend", "build-system", "build-backend")
	if on, _ := d.get("tool", "poetry-dynamic-versioning", "enable"); on == true {
		m.Dynamic, m.Line = true, d.line("tool", "poetry-dynamic-versioning", "enable")
		m.DynamicReason = "[tool.poetry-dynamic-versioning] is enabled: the version comes from the repository's tags, and [tool.poetry].version is a placeholder"
		return m, nil
	}
	// Poetry 1 has no [project]; Poetry 2 reads the version from [tool.poetry] when [project]
	// lists it as dynamic. Other backends ignore [tool.poetry].
	if !dynamic || strings.Contains(backend, "poetry") {
		v, ok, err := d.stringAt("[tool.poetry].version", "tool", "poetry", "version")
		if err != nil {
			return Manifest{}, err
		}
		if ok {
			m.Version, m.Line = v, d.line("tool", "poetry", "version")
			return m, nil
		}
	}
	if dynamic {
		m.Dynamic, m.Line = true, d.line("project", "dynamic")
		m.DynamicReason = `[project].dynamic lists "version": the version comes from the build backend`
		if backend != "" {
			m.DynamicReason += fmt.Sprintf(" (%q)", backend)
		}
		return m, nil
	}
	line := d.headerLine("project")
	if line == 0 {
		line = d.headerLine("tool", "poetry")
	}
	return Manifest{}, &FieldError{Path: p, Line: line, Key: "[project].version",
		Msg: `pyproject.toml has no [project].version or [tool.poetry].version; add one or declare it in [project].dynamic`}
}

// listsVersion reports whether [project].dynamic contains "version".
func listsVersion(d *tomlDoc) (bool, error) {
	v, ok := d.get("project", "dynamic")
	if !ok {
		return false, nil
	}
	list, isList := v.([]any)
	if !isList {
		return false, &FieldError{Path: d.path, Line: d.line("project", "dynamic"), Key: "[project].dynamic",
			Msg: fmt.Sprintf(`[project].dynamic is %s, want an array of field names such as ["version"]`, typeName(v))}
	}
	for _, f := range list {
		if f == "version" {
			return true, nil
		}
	}
	return false, nil
}

// parseCargo reads [package], resolving version.workspace = true from the workspace root, or a
// root manifest's [workspace.package].version when it has no [package].
func parseCargo(p string, data []byte, read ReadFunc) (Manifest, error) {
	d, err := parseTOML(p, data)
	if err != nil {
		return Manifest{}, err
	}
	m := Manifest{Ecosystem: EcosystemCargo}
	if d.table("package") == nil {
		if d.table("workspace") == nil {
			return Manifest{}, &FieldError{Path: p, Key: "[package].version",
				Msg: "Cargo.toml has neither [package] nor [workspace.package]; add [package] with name and version"}
		}
		v, err := workspaceVersion(d)
		if err != nil {
			return Manifest{}, err
		}
		m.Version, m.Line = v, d.line("workspace", "package", "version")
		return m, nil
	}
	if m.Name, _, err = d.stringAt("[package].name", "package", "name"); err != nil {
		return Manifest{}, err
	}
	raw, ok := d.get("package", "version")
	if !ok {
		return Manifest{}, &FieldError{Path: p, Line: d.headerLine("package"), Key: "[package].version",
			Msg: "Cargo.toml has no [package].version; add one, or version.workspace = true to inherit [workspace.package].version"}
	}
	if inh, isTable := raw.(map[string]any); isTable {
		if inh["workspace"] != true {
			return Manifest{}, &FieldError{Path: p, Line: d.line("package", "version", "workspace"), Key: "[package].version",
				Msg: "[package].version is a table without workspace = true; write the version as a string or inherit it with version.workspace = true"}
		}
		root, err := findWorkspace(p, d, read)
		if err != nil {
			return Manifest{}, err
		}
		v, err := workspaceVersion(root)
		if err != nil {
			return Manifest{}, err
		}
		m.Version, m.Line, m.VersionPath = v, root.line("workspace", "package", "version"), root.path
		return m, nil
	}
	if m.Version, _, err = d.stringAt("[package].version", "package", "version"); err != nil {
		return Manifest{}, err
	}
	m.Line = d.line("package", "version")
	return m, nil
}

// workspaceVersion returns [workspace.package].version of a workspace root.
func workspaceVersion(d *tomlDoc) (string, error) {
	v, ok, err := d.stringAt("[workspace.package].version", "workspace", "package", "version")
	if err != nil {
		return "", err
	}
	if !ok {
		line := d.headerLine("workspace", "package")
		if line == 0 {
			line = d.headerLine("workspace")
		}
		return "", &FieldError{Path: d.path, Line: line, Key: "[workspace.package].version",
			Msg: "Cargo.toml has no [workspace.package].version; add one for members that inherit it with version.workspace = true"}
	}
	return v, nil
}

// findWorkspace finds the workspace root of the member d: the path in [package].workspace when
// set, else the nearest Cargo.toml with [workspace] from d's own folder upwards (as Cargo does).
func findWorkspace(p string, d *tomlDoc, read ReadFunc) (*tomlDoc, error) {
	if d.table("workspace") != nil {
		return d, nil
	}
	if read == nil {
		return nil, fmt.Errorf("resolving version.workspace of %q: %w", p, errNoRead)
	}
	dir := path.Dir(p)
	if ws, ok := d.get("package", "workspace"); ok {
		s, isStr := ws.(string)
		if !isStr {
			return nil, &FieldError{Path: p, Line: d.line("package", "workspace"), Key: "[package].workspace",
				Msg: fmt.Sprintf("[package].workspace is %s, want the path of the workspace root", typeName(ws))}
		}
		rootPath := path.Join(dir, s, "Cargo.toml")
		root, found, err := readCargo(p, rootPath, read)
		if err != nil {
			return nil, err
		}
		if !found || root.table("workspace") == nil {
			return nil, &FieldError{Path: p, Line: d.line("package", "workspace"), Key: "[package].workspace",
				Msg: fmt.Sprintf("[package].workspace points to %q, which has no [workspace]; fix the path", rootPath)}
		}
		return root, nil
	}
	for dir != "." && dir != "/" {
		dir = path.Dir(dir)
		root, found, err := readCargo(p, path.Join(dir, "Cargo.toml"), read)
		if err != nil {
			return nil, err
		}
		if found && root.table("workspace") != nil {
			return root, nil
		}
	}
	return nil, &FieldError{Path: p, Line: d.line("package", "version", "workspace"), Key: "[package].version",
		Msg: "version.workspace = true, but no Cargo.toml with [workspace] is in a parent folder; commit the workspace root or write the version here"}
}

// readCargo reads and parses the Cargo.toml at p, a workspace root candidate for member; found
// is false when it does not exist.
func readCargo(member, p string, read ReadFunc) (doc *tomlDoc, found bool, err error) {
	data, err := read(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("resolving version.workspace of %q: %w", member, err)
	}
	d, err := parseTOML(p, bytes.TrimPrefix(data, utf8BOM))
	if err != nil {
		return nil, true, err
	}
	return d, true, nil
}
