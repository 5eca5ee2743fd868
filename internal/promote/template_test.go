package promote

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseTemplate(t *testing.T) {
	t.Parallel()
	vals := map[string]string{"tag": "sha-1a2b3c4d", "environment": "prod"}
	tests := []struct {
		name, in, want, wantErr string
	}{
		{name: "placeholders", in: "Promote {tag} to {environment}", want: "Promote sha-1a2b3c4d to prod"},
		{name: "literal braces", in: "{{tag}} is {tag}", want: "{tag} is sha-1a2b3c4d"},
		{name: "missing value", in: "[{digest}]", want: "[]"},
		{name: "empty", in: "", want: ""},
		{name: "unknown", in: "Promote {sha}", wantErr: "unknown placeholder {sha}: use one of {mode}"},
		{name: "unclosed", in: "Promote {tag", wantErr: "the { at offset 8 is not closed"},
		{name: "stray close", in: "a } b", wantErr: "the } at offset 2 has no {"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmpl, err := ParseTemplate(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("ParseTemplate(%q) = %v, want an error with %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTemplate(%q) = %v", tt.in, err)
			}
			if got := tmpl.Render(vals); got != tt.want {
				t.Errorf("ParseTemplate(%q).Render() = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestGraphQLURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{name: "github.com", in: "https://api.github.com/", want: "https://api.github.com/graphql"},
		{name: "enterprise server", in: "https://ghe.example.com/api/v3/", want: "https://ghe.example.com/api/graphql"},
		{name: "ghe.com", in: "https://api.acme.ghe.com/", want: "https://api.acme.ghe.com/graphql"},
		{name: "emulator", in: "http://127.0.0.1:8080/", want: "http://127.0.0.1:8080/graphql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := GraphQLURL(tt.in); got != tt.want {
				t.Errorf("GraphQLURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func ExampleParseTemplate() {
	t, err := ParseTemplate("Deploy {tag} to {environment}")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.Render(map[string]string{"tag": "sha-1a2b3c4d", "environment": "prod"}))
	// Output: Deploy sha-1a2b3c4d to prod
}

func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{"Promote {tag} to {environment}", "{{literal}}", "{", "}", "{tag", "{}", "{{{tag}}}", "{commits}\n{compare}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tmpl, err := ParseTemplate(s)
		if err != nil {
			return
		}
		// With every placeholder empty, rendering drops placeholders and unescapes braces: the
		// output is never longer than the template.
		if got := tmpl.Render(nil); len(got) > len(s) {
			t.Errorf("ParseTemplate(%q).Render(nil) = %q, longer than the template", s, got)
		}
		if tmpl.String() != s {
			t.Errorf("ParseTemplate(%q).String() = %q", s, tmpl.String())
		}
	})
}
