package actionspec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "example", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse(example) = %v", err)
	}
	want := &Spec{
		Name:        "shipkit example",
		Description: "An example action for the tests of internal/actionspec.",
		Author:      "shipkit",
		Inputs: []Input{
			{Name: "mode", Description: "`apply` writes the change, `compute` only reports it. Values: apply | compute.", Required: true},
			{Name: "token", Description: "Token for the GitHub API.", Default: "${{ github.token }}"},
			{Name: "dry-run", Description: "Report only.", Default: "false"},
			{Name: "old-flag", Description: "Ignored.\nKept for old workflows.\n", Deprecation: "Use `mode` instead."},
		},
		Outputs: []Output{
			{Name: "result", Description: "`changed` or `unchanged`."},
			{Name: "path", Description: "The file the action wrote."},
		},
		Runs: Runs{Using: "docker", Image: "docker://ghcr.io/shipkit-dev/shipkit/example:v1.0.0@sha256:0000000000000000000000000000000000000000000000000000000000000000"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(example) = %+v, want %+v", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	const head = "name: x\ndescription: d\n"
	const runs = "runs:\n  using: docker\n  image: Dockerfile\n"
	tests := []struct {
		name string
		yml  string
		want string // the error's text
	}{
		{name: "empty", yml: "", want: "action.yml: the file is empty"},
		{name: "not a mapping", yml: "- a\n", want: "action.yml:1: the document is not a mapping"},
		{name: "syntax", yml: head + "inputs:\n  a: [\n", want: "action.yml:4: parsing YAML"},
		{name: "missing name", yml: "description: d\n" + runs, want: `action.yml:1: missing "name"`},
		{name: "missing runs", yml: head, want: `action.yml:1: missing "runs"`},
		{name: "unknown top key", yml: head + "inptus: {}\n" + runs, want: `action.yml:3: unknown key "inptus": the keys here are name, description`},
		{name: "duplicate key", yml: head + "name: y\n" + runs, want: `action.yml:3: "name" is given twice (first at line 1)`},
		{name: "name not a string", yml: "name: [a]\ndescription: d\n" + runs, want: `action.yml:1: "name" is not a string`},
		{name: "inputs not a mapping", yml: head + "inputs: [a]\n" + runs, want: "action.yml:3: inputs is not a mapping"},
		{name: "input not a mapping", yml: head + "inputs:\n  a: b\n" + runs, want: `action.yml:4: input "a" is not a mapping`},
		{name: "input bad name", yml: head + "inputs:\n  a b:\n    description: d\n" + runs, want: `action.yml:4: input name "a b" is not valid`},
		{name: "input no description", yml: head + "inputs:\n  a:\n    required: true\n" + runs, want: `action.yml:4: input "a" has no description`},
		{name: "input unknown key", yml: head + "inputs:\n  a:\n    description: d\n    defualt: x\n" + runs, want: `action.yml:6: unknown key "defualt": the keys here are description, required, default, deprecationMessage`},
		{name: "required not bool", yml: head + "inputs:\n  a:\n    description: d\n    required: \"yes\"\n" + runs, want: `action.yml:6: input "a": required is "yes", not a boolean`},
		{name: "default not scalar", yml: head + "inputs:\n  a:\n    description: d\n    default: [1]\n" + runs, want: `action.yml:6: "default" is not a string`},
		{name: "duplicate input", yml: head + "inputs:\n  a:\n    description: d\n  a:\n    description: e\n" + runs, want: `action.yml:6: "a" is given twice (first at line 4)`},
		{name: "output no description", yml: head + "outputs:\n  r: {}\n" + runs, want: `action.yml:4: output "r" has no description`},
		{name: "output bad name", yml: head + "outputs:\n  1r:\n    description: d\n" + runs, want: `action.yml:4: output name "1r" is not valid`},
		{name: "runs not mapping", yml: head + "runs: docker\n", want: "action.yml:3: runs is not a mapping"},
		{name: "runs no using", yml: head + "runs:\n  image: x\n", want: "action.yml:4: runs has no using"},
		{name: "docker no image", yml: head + "runs:\n  using: docker\n", want: "action.yml:4: a docker action needs runs.image"},
		{name: "runs unknown key", yml: head + "runs:\n  using: docker\n  imgae: x\n", want: `action.yml:5: unknown key "imgae"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.yml))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("Parse(%q) = %v, want an error starting %q", tt.yml, err, tt.want)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %T, want a *SyntaxError", tt.yml, err)
			}
			if file, line := se.Position(); file != FileName || (line == 0) != (tt.name == "empty") {
				t.Errorf("Position() = %q, %d, want %q and the line", file, line, FileName)
			}
		})
	}
}

func TestParseKeepsOrderAndScalars(t *testing.T) {
	t.Parallel()
	yml := `name: x
description: d
inputs:
  zeta: {description: z, default: 3}
  alpha: {description: a, default: ~}
  mid: {description: m, required: false, default: "true"}
outputs:
  z: {description: z}
  a: {description: a}
runs:
  using: composite
  steps: []
`
	s, err := Parse([]byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, in := range s.Inputs {
		names = append(names, in.Name+"="+in.Default)
	}
	for _, out := range s.Outputs {
		names = append(names, out.Name)
	}
	if got, want := strings.Join(names, " "), "zeta=3 alpha= mid=true z a"; got != want {
		t.Errorf("Parse() order = %q, want %q", got, want)
	}
}

func TestSpecInput(t *testing.T) {
	t.Parallel()
	s := &Spec{Inputs: []Input{{Name: "a", Default: "1"}, {Name: "b"}}, Outputs: []Output{{Name: "r"}}}
	tests := []struct {
		name   string
		input  string
		wantOK bool
	}{
		{name: "first", input: "a", wantOK: true},
		{name: "second", input: "b", wantOK: true},
		{name: "missing", input: "c"},
		{name: "case matters", input: "A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, ok := s.Input(tt.input)
			if ok != tt.wantOK || (ok && in.Name != tt.input) {
				t.Errorf("Input(%q) = %+v, %v, want ok %v", tt.input, in, ok, tt.wantOK)
			}
		})
	}
	if _, ok := s.Output("r"); !ok {
		t.Errorf("Output(%q) = _, false, want true", "r")
	}
}

func TestMarkdownTables(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "example", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	got := s.MarkdownTables()
	golden(t, filepath.Join("testdata", "example", "tables.golden.md"), []byte(got))
	for _, line := range strings.Split(got, "\n") {
		// Rows of the inputs table have 5 unescaped |, of the outputs table 3.
		if n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|"); strings.HasPrefix(line, "|") && n != 3 && n != 5 {
			t.Errorf("row %q has %d unescaped |, want 3 or 5", line, n)
		}
	}
	if empty := (&Spec{}).MarkdownTables(); !strings.Contains(empty, "no inputs") || !strings.Contains(empty, "no outputs") {
		t.Errorf("MarkdownTables() of an empty spec = %q, want it to say there are no inputs and outputs", empty)
	}
}

func TestCell(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, wantCell, wantCode string
	}{
		{name: "plain", in: "abc", wantCell: "abc", wantCode: "`abc`"},
		{name: "empty", in: "", wantCell: "", wantCode: ""},
		{name: "newlines folded", in: "a\n  b\r\nc\n", wantCell: "a b c", wantCode: "`a b c`"},
		{name: "pipe", in: "a|b", wantCell: `a\|b`, wantCode: "`a\\|b`"},
		{name: "backtick", in: "a`b", wantCell: "a`b", wantCode: "``a`b``"},
		{name: "leading backtick", in: "`x`", wantCell: "`x`", wantCode: "`` `x` ``"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := cell(tt.in); got != tt.wantCell {
				t.Errorf("cell(%q) = %q, want %q", tt.in, got, tt.wantCell)
			}
			if got := code(tt.in); got != tt.wantCode {
				t.Errorf("code(%q) = %q, want %q", tt.in, got, tt.wantCode)
			}
		})
	}
}

func TestUpdateReadme(t *testing.T) {
	t.Parallel()
	const tables = "### Inputs\n\nT\n"
	tests := []struct {
		name    string
		readme  string
		want    string
		wantErr string
	}{
		{
			name:   "empty section",
			readme: "# x\n\n" + BeginMarker + "\n" + EndMarker + "\n\nafter\n",
			want:   "# x\n\n" + BeginMarker + "\n\n### Inputs\n\nT\n\n" + EndMarker + "\n\nafter\n",
		},
		{
			name:   "old section replaced",
			readme: BeginMarker + "\nold\nstuff\n" + EndMarker,
			want:   BeginMarker + "\n\n### Inputs\n\nT\n\n" + EndMarker,
		},
		{
			name:   "crlf kept",
			readme: "a\r\n" + BeginMarker + "\r\n" + EndMarker + "\r\nb\r\n",
			want:   "a\r\n" + BeginMarker + "\r\n\r\n### Inputs\r\n\r\nT\r\n\r\n" + EndMarker + "\r\nb\r\n",
		},
		{name: "no markers", readme: "# x\n", wantErr: "missing the generated-docs markers"},
		{name: "no end", readme: BeginMarker + "\n", wantErr: "missing the generated-docs markers"},
		{name: "swapped", readme: EndMarker + "\n" + BeginMarker + "\n", wantErr: "comes before"},
		{name: "twice", readme: BeginMarker + EndMarker + BeginMarker + EndMarker, wantErr: "more than once"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := UpdateReadme([]byte(tt.readme), tables)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("UpdateReadme(%q) = %q, %v, want error %q", tt.readme, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("UpdateReadme(%q) = %q, %v, want %q", tt.readme, got, err, tt.want)
			}
			again, err := UpdateReadme(got, tables)
			if err != nil || string(again) != string(got) {
				t.Errorf("UpdateReadme() is not idempotent: %q then %q, %v", got, again, err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "example", "action.yml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("name: x\ndescription: d\nruns: {using: docker, image: Dockerfile}\n"))
	f.Add([]byte("inputs:\n  a: &x {description: d}\n  b: *x\n"))
	f.Add([]byte("- [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), FileName) {
				t.Fatalf("Parse() = %v, want a *SyntaxError starting %q", err, FileName)
			}
			return
		}
		tables := s.MarkdownTables()
		readme := []byte("x\n" + BeginMarker + "\n" + EndMarker + "\n")
		out, err := UpdateReadme(readme, tables)
		if err != nil {
			t.Fatalf("UpdateReadme() = %v", err)
		}
		again, err := UpdateReadme(out, tables)
		if err != nil || string(again) != string(out) {
			t.Fatalf("UpdateReadme() not idempotent")
		}
		// Every table row must keep its column count: nothing in a cell may break the table.
		for _, line := range strings.Split(tables, "\n") {
			if !strings.HasPrefix(line, "|") {
				continue
			}
			if n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|"); n != 3 && n != 5 {
				t.Fatalf("row %q has %d unescaped |", line, n)
			}
		}
	})
}

func FuzzUpdateReadme(f *testing.F) {
	f.Add("# x\n"+BeginMarker+"\nold\n"+EndMarker+"\n", "### Inputs\n")
	f.Add(BeginMarker+"\r\n"+EndMarker, "a\nb")
	f.Add("nothing", "")
	f.Fuzz(func(t *testing.T, readme, tables string) {
		out, err := UpdateReadme([]byte(readme), tables)
		if err != nil {
			return
		}
		begin := strings.Index(readme, BeginMarker)
		end := strings.Index(readme, EndMarker)
		if !strings.HasPrefix(string(out), readme[:begin+len(BeginMarker)]) || !strings.HasSuffix(string(out), readme[end:]) {
			t.Fatalf("UpdateReadme(%q) = %q: the text outside the markers changed", readme, out)
		}
		again, err := UpdateReadme(out, tables)
		if strings.Contains(tables, BeginMarker) || strings.Contains(tables, EndMarker) {
			return // tables that contain a marker make the result ambiguous, as they should
		}
		if err != nil || string(again) != string(out) {
			t.Fatalf("UpdateReadme() not idempotent: %q then %q, %v", out, again, err)
		}
	})
}

func ExampleSpec_MarkdownTables() {
	s, err := Parse([]byte(`name: greet
description: Says hello.
inputs:
  who:
    description: Whom to greet | who else.
    default: world
outputs:
  greeting:
    description: >-
      The greeting
      it printed.
runs:
  using: docker
  image: Dockerfile
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(s.MarkdownTables())
	// Output:
	// ### Inputs
	//
	// | name | description | required | default |
	// |---|---|---|---|
	// | `who` | Whom to greet \| who else. | no | `world` |
	//
	// ### Outputs
	//
	// | name | description |
	// |---|---|
	// | `greeting` | The greeting it printed. |
}
