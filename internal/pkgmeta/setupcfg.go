package pkgmeta

import (
	"fmt"
	"strings"
)

// iniOption is one option of an INI file: its value lines and where they are.
type iniOption struct {
	line  int      // line of the key
	parts []string // the value on the key's line, then each continuation line, trimmed
	lines []int    // the line of each part
}

// value returns the option's value as configparser does: its lines joined, blank ends trimmed.
func (o *iniOption) value() (string, int) {
	v := strings.TrimSpace(strings.Join(o.parts, "\n"))
	for i, part := range o.parts {
		if part != "" {
			return v, o.lines[i]
		}
	}
	return v, o.line
}

// parseSetupCfg reads name and version from [metadata] of a setuptools setup.cfg. It follows
// Python's configparser as setuptools configures it: "=" or ":" between key and value, keys
// compared in lower case, "#" and ";" start a comment only at the start of a line, an indented
// line continues the value above, a key or section defined twice is an error.
func parseSetupCfg(p string, data []byte) (Manifest, error) {
	var (
		section     string
		sectionLine = map[string]int{}
		options     map[string]*iniOption // of the current section
		metadata    map[string]*iniOption
		cur         *iniOption
		curIndent   int
	)
	lineNo := 0
	for text := range strings.Lines(string(data)) {
		lineNo++
		text = strings.TrimRight(text, "\r\n")
		trimmed := strings.TrimSpace(text)
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';' {
			continue
		}
		indent := len(text) - len(strings.TrimLeft(text, " \t"))
		if cur != nil && indent > curIndent {
			cur.parts = append(cur.parts, trimmed)
			cur.lines = append(cur.lines, lineNo)
			continue
		}
		cur = nil
		if trimmed[0] == '[' {
			end := strings.LastIndexByte(trimmed, ']')
			if end < 2 {
				return Manifest{}, &SyntaxError{Path: p, Line: lineNo, Column: indent + 1, Msg: fmt.Sprintf("parsing INI: section header %q has no closing ]", trimmed)}
			}
			section = trimmed[1:end]
			if prev, dup := sectionLine[section]; dup {
				return Manifest{}, &SyntaxError{Path: p, Line: lineNo, Column: indent + 1, Msg: fmt.Sprintf("parsing INI: section [%s] is defined twice, here and on line %d; merge them", section, prev)}
			}
			sectionLine[section] = lineNo
			options = map[string]*iniOption{}
			if section == "metadata" {
				metadata = options
			}
			continue
		}
		sep := strings.IndexAny(trimmed, "=:")
		if sep <= 0 || strings.TrimSpace(trimmed[:sep]) == "" {
			return Manifest{}, &SyntaxError{Path: p, Line: lineNo, Column: indent + 1, Msg: fmt.Sprintf("parsing INI: %q is neither [section] nor key = value", trimmed)}
		}
		if options == nil {
			return Manifest{}, &SyntaxError{Path: p, Line: lineNo, Column: indent + 1, Msg: "parsing INI: key = value before the first [section]; put it under [metadata] or another section"}
		}
		key := strings.ToLower(strings.TrimSpace(trimmed[:sep]))
		if prev, dup := options[key]; dup {
			return Manifest{}, &SyntaxError{Path: p, Line: lineNo, Column: indent + 1, Msg: fmt.Sprintf("parsing INI: %s is defined twice in [%s], here and on line %d; keep one", key, section, prev.line)}
		}
		cur = &iniOption{line: lineNo, parts: []string{strings.TrimSpace(trimmed[sep+1:])}, lines: []int{lineNo}}
		curIndent = indent
		options[key] = cur
	}

	m := Manifest{Ecosystem: EcosystemPython}
	if o := metadata["name"]; o != nil {
		m.Name, _ = o.value()
	}
	o := metadata["version"]
	if o == nil {
		return Manifest{}, &FieldError{Path: p, Line: sectionLine["metadata"], Key: "[metadata] version",
			Msg: "setup.cfg has no version in [metadata]; add version = 1.2.3 there (a version set only in setup.py cannot be read)"}
	}
	m.Version, m.Line = o.value()
	for _, prefix := range []string{"attr:", "file:"} {
		if strings.HasPrefix(m.Version, prefix) {
			m.DynamicReason = fmt.Sprintf("[metadata] version in setup.cfg is %q: setuptools computes it when building", m.Version)
			m.Dynamic, m.Version = true, ""
			break
		}
	}
	return m, nil
}
