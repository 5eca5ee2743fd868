package pkgmeta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// parsePackageJSON reads "name" and "version" of an npm package.json. It streams the top-level
// object so that it knows where each value is; like JSON.parse, a repeated key takes the last
// value.
func parsePackageJSON(p string, data []byte) (Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return Manifest{}, jsonSyntaxError(p, data, dec, err)
	}
	if tok != json.Delim('{') {
		line, col := lineAt(data, int(dec.InputOffset())-1)
		return Manifest{}, &SyntaxError{Path: p, Line: line, Column: col, Msg: "package.json is not a JSON object; it must start with {"}
	}
	type field struct {
		raw        json.RawMessage
		start, end int
	}
	var name, version *field
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return Manifest{}, jsonSyntaxError(p, data, dec, err)
		}
		key, _ := kt.(string) // inside an object the decoder returns only strings here
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return Manifest{}, jsonSyntaxError(p, data, dec, err)
		}
		end := int(dec.InputOffset())
		f := &field{raw: raw, start: end - len(raw), end: end}
		switch key {
		case "name":
			name = f
		case "version":
			version = f
		}
	}
	if _, err := dec.Token(); err != nil { // the closing }
		return Manifest{}, jsonSyntaxError(p, data, dec, err)
	}
	after := int(dec.InputOffset())
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			rest := bytes.TrimLeft(data[after:], " \t\r\n")
			line, col := lineAt(data, len(data)-len(rest))
			return Manifest{}, &SyntaxError{Path: p, Line: line, Column: col, Msg: "parsing JSON: unexpected data after the top-level object"}
		}
		return Manifest{}, jsonSyntaxError(p, data, dec, err)
	}

	m := Manifest{Ecosystem: EcosystemNPM}
	str := func(key string, f *field) (string, int, error) {
		var s string
		line := versionLine(data, f.start, f.end, "")
		if err := json.Unmarshal(f.raw, &s); err != nil {
			var v any
			_ = json.Unmarshal(f.raw, &v)
			want := "a string"
			if key == "version" {
				want = `a string such as "1.2.3"`
			}
			return "", line, &FieldError{Path: p, Line: line, Key: key,
				Msg: fmt.Sprintf("%q is %s, want %s", key, jsonTypeName(v), want)}
		}
		return s, versionLine(data, f.start, f.end, s), nil
	}
	if name != nil {
		if m.Name, _, err = str("name", name); err != nil {
			return Manifest{}, err
		}
	}
	if version == nil {
		return Manifest{}, &FieldError{Path: p, Key: "version", Msg: `package.json has no "version"; add one`}
	}
	if m.Version, m.Line, err = str("version", version); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// jsonSyntaxError turns a decoder error into a *SyntaxError at the byte it stopped on.
func jsonSyntaxError(p string, data []byte, dec *json.Decoder, err error) error {
	off := int(dec.InputOffset())
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		off = int(se.Offset) - 1 // Offset counts the bytes read, the bad one included
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		off, err = len(data)-1, errors.New("unexpected end of JSON input")
	}
	line, col := lineAt(data, off)
	return &SyntaxError{Path: p, Line: line, Column: col, Msg: "parsing JSON: " + err.Error()}
}

// jsonTypeName names the JSON type of a decoded value.
func jsonTypeName(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	}
	return typeName(v)
}
