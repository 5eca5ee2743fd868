package runnersim

import (
	"strings"
	"testing"
)

func TestParseFileCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		text    string
		want    map[string]string
		wantErr string
	}{
		{name: "empty", text: "", want: map[string]string{}},
		{name: "simple", text: "a=1\nb=x=y\n", want: map[string]string{"a": "1", "b": "x=y"}},
		{name: "no final newline", text: "a=1", want: map[string]string{"a": "1"}},
		{name: "empty value", text: "a=\n", want: map[string]string{"a": ""}},
		{name: "heredoc", text: "a<<EOF\none\ntwo\nEOF\nb=2\n", want: map[string]string{"a": "one\ntwo", "b": "2"}},
		{name: "heredoc empty", text: "a<<EOF\nEOF\n", want: map[string]string{"a": ""}},
		{name: "heredoc blank line", text: "a<<EOF\n\nEOF\n", want: map[string]string{"a": ""}},
		{name: "heredoc keeps inner blank", text: "a<<EOF\nx\n\ny\nEOF\n", want: map[string]string{"a": "x\n\ny"}},
		{name: "crlf", text: "a=1\r\nb<<E\r\nx\r\ny\r\nE\r\n", want: map[string]string{"a": "1", "b": "x\r\ny"}},
		{name: "equals before heredoc", text: "a=b<<c\n", want: map[string]string{"a": "b<<c"}},
		{name: "heredoc before equals", text: "a<<D=\nv\nD=\n", want: map[string]string{"a": "v"}},
		{name: "later wins", text: "a=1\na=2\n", want: map[string]string{"a": "2"}},
		{name: "blank lines", text: "\n\na=1\n\n", want: map[string]string{"a": "1"}},
		{name: "no delimiter end", text: "a<<EOF\nx\n", wantErr: "no line"},
		{name: "empty name", text: "=1\n", wantErr: "name"},
		{name: "empty delimiter", text: "a<<\nx\n", wantErr: "delimiter"},
		{name: "bare word", text: "hello\n", wantErr: "want name=value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseFileCommand(tt.text)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseFileCommand(%q) error = %v, want one containing %q", tt.text, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFileCommand(%q) error = %v", tt.text, err)
			}
			if len(got) != len(tt.want) {
				t.Errorf("ParseFileCommand(%q) = %q, want %q", tt.text, got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("ParseFileCommand(%q)[%q] = %q, want %q", tt.text, k, got[k], v)
				}
			}
		})
	}
}

// FuzzParseFileCommand checks that a value written with a fresh heredoc delimiter reads back
// unchanged, whatever it holds, and that no input makes the parser panic.
func FuzzParseFileCommand(f *testing.F) {
	f.Add("name", "value")
	f.Add("multi", "one\ntwo\r\nthree")
	f.Add("x", "")
	f.Add("a=b", "EOF\n")
	f.Fuzz(func(t *testing.T, name, value string) {
		ParseFileCommand(name + "\n" + value) // must not panic
		// A writer cannot name an output with "=", "<" or a line break.
		if name == "" || strings.ContainsAny(name, "=<\r\n") {
			return
		}
		const delim = "ghadelimiter_5e4a0c1f"
		if strings.Contains(value, delim) || strings.HasSuffix(value, "\r") {
			return
		}
		text := name + "<<" + delim + "\n" + value + "\n" + delim + "\n"
		got, err := ParseFileCommand(text)
		if err != nil {
			t.Fatalf("ParseFileCommand(%q) error = %v", text, err)
		}
		if got[name] != value {
			t.Fatalf("ParseFileCommand(%q)[%q] = %q, want %q", text, name, got[name], value)
		}
	})
}

func TestInputVar(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, input, want string }{
		{name: "plain", input: "files", want: "INPUT_FILES"},
		{name: "dash kept", input: "tag-template", want: "INPUT_TAG-TEMPLATE"},
		{name: "space", input: "my input", want: "INPUT_MY_INPUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := InputVar(tt.input); got != tt.want {
				t.Errorf("InputVar(%q) = %q, want %q", tt.input, got, tt.want)
			}
		})
	}
}
