package pkgmeta

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/shipkit-dev/shipkit/internal/yamledit"
)

// yamlLine matches the position yaml.v3 puts at the start of its syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// parseChart reads name and version of a Helm Chart.yaml. It works on yaml.v3 nodes, which keep
// a scalar as written ("1.10" stays "1.10", not the float 1.1) and know its line.
func parseChart(p string, data []byte) (Manifest, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Manifest{}, yamlSyntaxError(p, data, err)
	}
	if len(doc.Content) == 0 {
		return Manifest{}, &FieldError{Path: p, Key: "version", Msg: "Chart.yaml is empty; a chart needs apiVersion, name and version"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return Manifest{}, &SyntaxError{Path: p, Line: root.Line, Column: root.Column, Msg: "Chart.yaml is not a mapping; a chart needs apiVersion, name and version"}
	}
	m := Manifest{Ecosystem: EcosystemHelm}
	var seen [2]*yaml.Node // name, version keys
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		n, ok := chartKeys[k.Value]
		if k.Kind != yaml.ScalarNode || !ok {
			continue
		}
		if prev := seen[n]; prev != nil {
			return Manifest{}, &SyntaxError{Path: p, Line: k.Line, Column: k.Column,
				Msg: fmt.Sprintf("%s is defined twice, here and on line %d; keep one", k.Value, prev.Line)}
		}
		seen[n] = k
		// The window in which v's text lies: from v to the key after it.
		end := len(data)
		if i+2 < len(root.Content) {
			next := root.Content[i+2]
			if next.Line > v.Line {
				end = yamlOffset(data, next.Line, 1)
			} else {
				end = yamlOffset(data, v.Line+1, 1)
			}
		}
		s, line, err := chartString(p, data, k.Value, v, end)
		if err != nil {
			return Manifest{}, err
		}
		if n == 0 {
			m.Name = s
		} else {
			m.Version, m.Line = s, line
		}
	}
	if seen[1] == nil {
		return Manifest{}, &FieldError{Path: p, Key: "version", Msg: "Chart.yaml has no version; add one (SemVer, such as 1.2.3)"}
	}
	return m, nil
}

// chartKeys are the keys parseChart reads, with their index in its seen array.
var chartKeys = map[string]int{"name": 0, "version": 1}

// chartString returns the scalar v of key as written, and the line its text starts on.
func chartString(p string, data []byte, key string, v *yaml.Node, end int) (string, int, error) {
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
		end = len(data)
	}
	if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
		what := map[yaml.Kind]string{yaml.MappingNode: "a mapping", yaml.SequenceNode: "a sequence"}[v.Kind]
		if what == "" {
			what = "empty"
		}
		return "", v.Line, &FieldError{Path: p, Line: v.Line, Key: key,
			Msg: fmt.Sprintf("%s is %s, want %s", key, what, map[string]string{"name": "the chart's name", "version": "a SemVer version such as 1.2.3"}[key])}
	}
	start := yamlOffset(data, v.Line, v.Column)
	return v.Value, versionLine(data, start, max(end, start), v.Value), nil
}

// yamlOffset returns the byte offset of a yaml.v3 line and column (1-based, the column in
// characters).
func yamlOffset(data []byte, line, col int) int {
	starts := yamledit.LineStarts(data)
	if line < 1 || line > len(starts) {
		return len(data)
	}
	off := starts[line-1]
	end := len(data)
	if line < len(starts) {
		end = starts[line]
	}
	for c := 1; c < col && off < end; c++ {
		_, size := utf8.DecodeRune(data[off:])
		off += size
	}
	return off
}

// yamlParserProblems are the problems yaml.v3's parser (not its scanner) reports. yaml.v3 puts
// their 0-based line in the message, and the scanner's 1-based one.
var yamlParserProblems = []string{
	"did not find expected ',' or ']'", "did not find expected ',' or '}'",
	"did not find expected '-' indicator", "did not find expected <document start>",
	"did not find expected <stream-start>", "did not find expected key",
	"did not find expected node content", "found duplicate %TAG directive",
	"found duplicate %YAML directive", "found incompatible YAML document",
	"found undefined tag handle",
}

// yamlAnchor matches yaml.v3's error for an alias without its anchor.
var yamlAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// yamlSyntaxError turns a yaml.v3 error into a *SyntaxError with a 1-based line. yaml.v3 leaves
// the line out when it is the first; for errors of the reader, which have none, the line is
// found here.
func yamlSyntaxError(p string, data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := yamlLine.FindStringSubmatch("yaml: " + msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0])-len("yaml: "):]
		if slices.Contains(yamlParserProblems, msg) {
			line++
		}
	} else {
		off := -1
		switch {
		case strings.Contains(msg, "control characters"):
			off = bytes.IndexFunc(data, func(r rune) bool { return r < ' ' && r != '\t' && r != '\n' && r != '\r' })
		case strings.Contains(msg, "UTF-8"), strings.Contains(msg, "Unicode"):
			off = invalidUTF8(data)
		default:
			if m := yamlAnchor.FindStringSubmatch(msg); m != nil {
				off = bytes.Index(data, []byte("*"+m[1]))
			}
		}
		if off >= 0 {
			line, _ = lineAt(data, off)
		}
	}
	return &SyntaxError{Path: p, Line: max(line, 1), Msg: "parsing YAML: " + msg}
}

// invalidUTF8 returns the offset of the first byte that is not valid UTF-8, or -1.
func invalidUTF8(data []byte) int {
	for off := 0; off < len(data); {
		r, size := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && size <= 1 {
			return off
		}
		off += size
	}
	return -1
}
