package pkgmeta

import "strings"

// parseVersionFile reads a plain VERSION file: the version is its first non-blank line, without
// surrounding spaces. The package is named after the folder.
func parseVersionFile(p string, data []byte) (Manifest, error) {
	lineNo := 0
	for text := range strings.Lines(string(data)) {
		lineNo++
		if v := strings.TrimSpace(text); v != "" {
			return Manifest{Ecosystem: EcosystemGeneric, Version: v, Line: lineNo}, nil
		}
	}
	return Manifest{}, &FieldError{Path: p, Key: "version", Msg: "VERSION is empty; write the version (such as 1.2.3) on its first line"}
}
