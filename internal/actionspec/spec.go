// Package actionspec reads an action's metadata file (action.yml) and renders the inputs and
// outputs tables of its README from it, so the documentation cannot drift from the action.
//
// The syntax is GitHub's metadata syntax for actions:
// https://docs.github.com/en/actions/sharing-automations/creating-actions/metadata-syntax-for-github-actions
package actionspec

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// FileName is the name errors give the parsed file.
const FileName = "action.yml"

// Spec is an action's metadata: what the action is called, its inputs and outputs in declaration
// order, and how it runs.
type Spec struct {
	Name        string
	Description string
	Author      string
	Inputs      []Input
	Outputs     []Output
	Runs        Runs
}

// Input is one declared input of an action.
type Input struct {
	Name        string
	Description string
	// Default is the value the runner passes when the workflow does not set the input. It may be
	// an expression such as "${{ github.token }}".
	Default  string
	Required bool
	// Deprecation is the input's deprecationMessage: non-empty marks the input deprecated.
	Deprecation string
}

// Output is one declared output of an action.
type Output struct {
	Name        string
	Description string
}

// Runs says how an action runs: for a container action Using is "docker" and Image names the
// image ("docker://..." or "Dockerfile").
type Runs struct {
	Using      string
	Image      string
	Entrypoint string
}

// SyntaxError is an error at a line of action.yml.
type SyntaxError struct {
	Line int // 1-based; 0 when the error concerns the whole file
	Msg  string
}

// Error returns "action.yml:LINE: MSG".
func (e *SyntaxError) Error() string {
	if e.Line <= 0 {
		return FileName + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d: %s", FileName, e.Line, e.Msg)
}

// Position returns the file and line of the error, for annotations.
func (e *SyntaxError) Position() (file string, line int) {
	return FileName, e.Line
}

// errAt returns a SyntaxError at n's line.
func errAt(n *yaml.Node, format string, args ...any) error {
	return &SyntaxError{Line: n.Line, Msg: fmt.Sprintf(format, args...)}
}

// idPattern is GitHub's rule for input and output ids: a letter or _, then letters, digits, - or _.
var idPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// yamlLine matches the position prefix of yaml.v3's syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// Keys GitHub's metadata syntax allows; anything else is most likely a typo.
var (
	topKeys    = []string{"name", "description", "author", "branding", "inputs", "outputs", "runs"}
	inputKeys  = []string{"description", "required", "default", "deprecationMessage"}
	outputKeys = []string{"description", "value"}
	runsKeys   = []string{
		"using", "image", "entrypoint", "pre-entrypoint", "post-entrypoint", "env", "args",
		"main", "pre", "post", "pre-if", "post-if", "steps",
	}
)

// Parse parses an action.yml. Errors name the line: "action.yml:12: ...". Unknown keys are
// errors (a misspelt key would otherwise be ignored by the runner), as are inputs without a
// description and a container action without an image.
func Parse(data []byte) (*Spec, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, &SyntaxError{Line: line, Msg: "parsing YAML: " + msg[len(m[0]):]}
		}
		return nil, &SyntaxError{Msg: "parsing YAML: " + strings.TrimPrefix(msg, "yaml: ")}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &SyntaxError{Msg: "the file is empty: an action needs name, description and runs"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, errAt(root, "the document is not a mapping: an action needs name, description and runs")
	}
	s := &Spec{}
	seen := map[string]bool{}
	err := eachPair(root, topKeys, func(key string, k, v *yaml.Node) error {
		seen[key] = true
		var err error
		switch key {
		case "name":
			s.Name, err = scalar(k, v)
		case "description":
			s.Description, err = scalar(k, v)
		case "author":
			s.Author, err = scalar(k, v)
		case "branding":
			if v.Kind != yaml.MappingNode {
				err = errAt(v, "branding is not a mapping: give icon and color")
			}
		case "inputs":
			s.Inputs, err = parseInputs(v)
		case "outputs":
			s.Outputs, err = parseOutputs(v)
		case "runs":
			s.Runs, err = parseRuns(v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, key := range []string{"name", "description", "runs"} {
		if !seen[key] {
			return nil, errAt(root, "missing %q: GitHub requires it", key)
		}
	}
	return s, nil
}

// eachPair calls fn for every key of mapping m, rejecting keys not in allowed (when allowed is
// not nil), duplicates and non-scalar keys.
func eachPair(m *yaml.Node, allowed []string, fn func(key string, k, v *yaml.Node) error) error {
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return errAt(k, "a key is not a plain string")
		}
		if line, dup := seen[k.Value]; dup {
			return errAt(k, "%q is given twice (first at line %d): remove one", k.Value, line)
		}
		seen[k.Value] = k.Line
		if allowed != nil && !contains(allowed, k.Value) {
			return errAt(k, "unknown key %q: the keys here are %s", k.Value, strings.Join(allowed, ", "))
		}
		if err := fn(k.Value, k, v); err != nil {
			return err
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// scalar returns the value of v, which must be a scalar (null reads as "").
func scalar(k, v *yaml.Node) (string, error) {
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	if v.Kind != yaml.ScalarNode {
		return "", errAt(v, "%q is not a string", k.Value)
	}
	if v.Tag == "!!null" {
		return "", nil
	}
	return v.Value, nil
}

func parseInputs(m *yaml.Node) ([]Input, error) {
	if m.Tag == "!!null" {
		return nil, nil
	}
	if m.Kind != yaml.MappingNode {
		return nil, errAt(m, "inputs is not a mapping of input names")
	}
	var inputs []Input
	err := eachPair(m, nil, func(name string, k, v *yaml.Node) error {
		if !idPattern.MatchString(name) {
			return errAt(k, "input name %q is not valid: use letters, digits, - and _, starting with a letter or _", name)
		}
		if v.Kind != yaml.MappingNode {
			return errAt(v, "input %q is not a mapping: give it a description", name)
		}
		in := Input{Name: name}
		hasDesc := false
		err := eachPair(v, inputKeys, func(key string, k, v *yaml.Node) error {
			var err error
			switch key {
			case "description":
				hasDesc = true
				in.Description, err = scalar(k, v)
			case "default":
				in.Default, err = scalar(k, v)
			case "deprecationMessage":
				in.Deprecation, err = scalar(k, v)
			case "required":
				if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
					return errAt(v, "input %q: required is %q, not a boolean: use true or false", name, v.Value)
				}
				err = v.Decode(&in.Required)
			}
			return err
		})
		if err != nil {
			return err
		}
		if !hasDesc {
			return errAt(k, "input %q has no description: GitHub requires one", name)
		}
		inputs = append(inputs, in)
		return nil
	})
	return inputs, err
}

func parseOutputs(m *yaml.Node) ([]Output, error) {
	if m.Tag == "!!null" {
		return nil, nil
	}
	if m.Kind != yaml.MappingNode {
		return nil, errAt(m, "outputs is not a mapping of output names")
	}
	var outputs []Output
	err := eachPair(m, nil, func(name string, k, v *yaml.Node) error {
		if !idPattern.MatchString(name) {
			return errAt(k, "output name %q is not valid: use letters, digits, - and _, starting with a letter or _", name)
		}
		if v.Kind != yaml.MappingNode {
			return errAt(v, "output %q is not a mapping: give it a description", name)
		}
		out := Output{Name: name}
		hasDesc := false
		err := eachPair(v, outputKeys, func(key string, k, v *yaml.Node) error {
			if key != "description" {
				return nil
			}
			hasDesc = true
			var err error
			out.Description, err = scalar(k, v)
			return err
		})
		if err != nil {
			return err
		}
		if !hasDesc {
			return errAt(k, "output %q has no description: GitHub requires one", name)
		}
		outputs = append(outputs, out)
		return nil
	})
	return outputs, err
}

func parseRuns(m *yaml.Node) (Runs, error) {
	var r Runs
	if m.Kind != yaml.MappingNode {
		return r, errAt(m, "runs is not a mapping: give using and image")
	}
	err := eachPair(m, runsKeys, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "using":
			r.Using, err = scalar(k, v)
		case "image":
			r.Image, err = scalar(k, v)
		case "entrypoint":
			r.Entrypoint, err = scalar(k, v)
		}
		return err
	})
	if err != nil {
		return r, err
	}
	switch {
	case r.Using == "":
		return r, errAt(m, "runs has no using: set docker, composite or a node version")
	case r.Using == "docker" && r.Image == "":
		return r, errAt(m, "a docker action needs runs.image: docker://IMAGE@sha256:... or Dockerfile")
	}
	return r, nil
}

// Input returns the input called name.
func (s *Spec) Input(name string) (Input, bool) {
	for _, in := range s.Inputs {
		if in.Name == name {
			return in, true
		}
	}
	return Input{}, false
}

// Output returns the output called name.
func (s *Spec) Output(name string) (Output, bool) {
	for _, out := range s.Outputs {
		if out.Name == name {
			return out, true
		}
	}
	return Output{}, false
}

// MarkdownTables renders an "### Inputs" table (name, description, required, default) and an
// "### Outputs" table (name, description) in declaration order. Newlines in descriptions are
// folded into spaces and "|" is escaped, so every entry stays one table row.
func (s *Spec) MarkdownTables() string {
	var b strings.Builder
	b.WriteString("### Inputs\n\n")
	if len(s.Inputs) == 0 {
		b.WriteString("This action has no inputs.\n")
	} else {
		b.WriteString("| name | description | required | default |\n|---|---|---|---|\n")
		for _, in := range s.Inputs {
			desc := cell(in.Description)
			if in.Deprecation != "" {
				desc = strings.TrimSpace("**Deprecated:** " + cell(in.Deprecation) + " " + desc)
			}
			req := "no"
			if in.Required {
				req = "yes"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", code(in.Name), desc, req, code(in.Default))
		}
	}
	b.WriteString("\n### Outputs\n\n")
	if len(s.Outputs) == 0 {
		b.WriteString("This action has no outputs.\n")
	} else {
		b.WriteString("| name | description |\n|---|---|\n")
		for _, out := range s.Outputs {
			fmt.Fprintf(&b, "| %s | %s |\n", code(out.Name), cell(out.Description))
		}
	}
	return b.String()
}

// cell makes s one table cell: whitespace runs (newlines included) become one space and "|" is
// escaped (GitHub's tables split on an unescaped "|", even inside code spans).
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// code renders s as a code span in a table cell; "" stays empty.
func code(s string) string {
	s = cell(s)
	if s == "" {
		return ""
	}
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// The markers around the generated section of a README.
const (
	BeginMarker = "<!-- shipkit:docs:begin -->"
	EndMarker   = "<!-- shipkit:docs:end -->"
)

// ErrNoMarkers is returned by UpdateReadme when the README lacks the markers.
var ErrNoMarkers = errors.New("missing the generated-docs markers: add a line " + BeginMarker +
	" and a line " + EndMarker + " where the inputs and outputs tables belong")

// UpdateReadme returns readme with the text between BeginMarker and EndMarker replaced by
// tables, framed by blank lines. Everything outside the markers is kept byte for byte, and a
// README with CRLF line endings gets CRLF in the generated part too.
func UpdateReadme(readme []byte, tables string) ([]byte, error) {
	begin := bytes.Index(readme, []byte(BeginMarker))
	end := bytes.Index(readme, []byte(EndMarker))
	switch {
	case begin < 0 || end < 0:
		return nil, ErrNoMarkers
	case bytes.Count(readme, []byte(BeginMarker)) > 1 || bytes.Count(readme, []byte(EndMarker)) > 1:
		return nil, errors.New("the generated-docs markers appear more than once: keep one " + BeginMarker + " and one " + EndMarker)
	case end < begin:
		return nil, errors.New("the marker " + EndMarker + " comes before " + BeginMarker + ": swap them")
	}
	start := begin + len(BeginMarker)
	nl := "\n"
	if bytes.HasPrefix(readme[start:], []byte("\r\n")) {
		nl = "\r\n"
	}
	body := "\n\n" + strings.TrimSpace(tables) + "\n\n"
	if nl != "\n" {
		body = strings.ReplaceAll(body, "\n", nl)
	}
	out := make([]byte, 0, len(readme)+len(body))
	out = append(out, readme[:start]...)
	out = append(out, body...)
	out = append(out, readme[end:]...)
	return out, nil
}
