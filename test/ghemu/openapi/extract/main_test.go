package main

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// doc is a small description in GitHub's shape: shared components, a
// component that references another, an examples component, example fields
// at several levels and a schema property named "example".
const doc = `{
 "openapi": "3.0.3",
 "info": {"title": "t", "version": "1"},
 "servers": [{"url": "https://api.example.invalid"}],
 "tags": [{"name": "repos"}],
 "paths": {
  "/repos/{owner}": {
   "parameters": [{"$ref": "#/components/parameters/owner"}],
   "get": {
    "operationId": "repos/get",
    "responses": {
     "200": {
      "description": "ok",
      "content": {"application/json": {
       "schema": {"$ref": "#/components/schemas/repo"},
       "examples": {"default": {"$ref": "#/components/examples/repo"}}
      }}
     },
     "404": {"$ref": "#/components/responses/not_found"}
    }
   },
   "delete": {"operationId": "repos/delete", "responses": {"204": {"description": "gone"}}}
  },
  "/other": {"get": {"operationId": "other/get", "responses": {"200": {"$ref": "#/components/responses/unused"}}}}
 },
 "components": {
  "parameters": {"owner": {"name": "owner", "in": "path", "required": true, "schema": {"type": "string"}, "example": "octo"}},
  "schemas": {
   "repo": {"type": "object", "example": {"id": 1}, "properties": {
     "id": {"type": "integer", "example": 1},
     "example": {"type": "string"},
     "owner": {"$ref": "#/components/schemas/user"}
   }},
   "user": {"type": "object", "properties": {"login": {"type": "string"}}},
   "basic-error": {"type": "object"},
   "unused": {"type": "object"}
  },
  "responses": {
   "not_found": {"description": "nf", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/basic-error"}}}},
   "unused": {"description": "u", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/unused"}}}}
  },
  "examples": {"repo": {"value": {"id": 1}}}
 }
}`

func decodeString(t *testing.T, s string) map[string]any {
	t.Helper()
	d, err := decode(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestExtract(t *testing.T) {
	t.Parallel()
	src := decodeString(t, doc)
	got, err := extract(src, []string{"repos/get"})
	if err != nil {
		t.Fatalf("extract(repos/get) error = %v", err)
	}
	want := decodeString(t, `{
 "openapi": "3.0.3",
 "info": {"title": "t", "version": "1"},
 "servers": [{"url": "https://api.example.invalid"}],
 "paths": {
  "/repos/{owner}": {
   "parameters": [{"$ref": "#/components/parameters/owner"}],
   "get": {
    "operationId": "repos/get",
    "responses": {
     "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/repo"}}}},
     "404": {"$ref": "#/components/responses/not_found"}
    }
   }
  }
 },
 "components": {
  "parameters": {"owner": {"name": "owner", "in": "path", "required": true, "schema": {"type": "string"}}},
  "schemas": {
   "repo": {"type": "object", "properties": {
     "id": {"type": "integer"},
     "example": {"type": "string"},
     "owner": {"$ref": "#/components/schemas/user"}
   }},
   "user": {"type": "object", "properties": {"login": {"type": "string"}}},
   "basic-error": {"type": "object"}
  },
  "responses": {
   "not_found": {"description": "nf", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/basic-error"}}}}
  }
 }
}`)
	if !reflect.DeepEqual(got, want) {
		a, _ := encode(got)
		b, _ := encode(want)
		t.Errorf("extract(repos/get) =\n%s\nwant\n%s", a, b)
	}
	// The source is left as it was.
	if _, ok := src["components"].(map[string]any)["examples"]; !ok {
		t.Errorf("extract changed its input: components.examples is gone")
	}
}

func TestExtractErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		doc     string
		ids     []string
		wantErr string
	}{
		{"missing operations are all named", doc, []string{"repos/get", "repos/nope", "pulls/nope"}, "repos/nope, pulls/nope"},
		{"dangling reference", `{"paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"$ref": "#/components/responses/gone"}}}}}}`, []string{"a"}, `"#/components/responses/gone": no such component`},
		{"external reference", `{"paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"$ref": "other.json#/x"}}}}}}`, []string{"a"}, "only references inside #/components/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := extract(decodeString(t, tt.doc), tt.ids)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("extract(%q) error = %v, want one containing %q", tt.ids, err, tt.wantErr)
			}
		})
	}
}

func TestParseOperations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr string
	}{
		{"comments and blanks", "# head\n\nrepos/get\n  git/get-ref  \r\n# tail\n", []string{"repos/get", "git/get-ref"}, ""},
		{"duplicate", "repos/get\nrepos/get\n", nil, "listed twice"},
		{"two on a line", "repos/get git/get-ref\n", nil, "one a line"},
		{"empty", "# nothing\n", nil, "names no operationId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseOperations(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("parseOperations(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("parseOperations(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestRun runs the command's whole path on files, twice, and checks that the
// output is the same both times (the subset is committed: no churn).
func TestRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "api.json")
	ops := filepath.Join(dir, "operations.txt")
	if err := os.WriteFile(in, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ops, []byte("repos/get\nother/get\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var outs [][]byte
	for i := range 2 {
		out := filepath.Join(dir, "subset"+string(rune('a'+i))+".json")
		if err := run(in, ops, out); err != nil {
			t.Fatalf("run() error = %v", err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, b)
	}
	if string(outs[0]) != string(outs[1]) {
		t.Errorf("run() wrote different subsets for the same input:\n%s\n%s", outs[0], outs[1])
	}
	if s := string(outs[0]); !strings.Contains(s, `"unused"`) || strings.Contains(s, `"examples"`) || strings.Contains(s, "repos/delete") {
		t.Errorf("run() = %s, want other/get's components, no examples and no repos/delete", s)
	}
}

func FuzzParseOperations(f *testing.F) {
	for _, s := range []string{"repos/get\n", "# c\n\nrepos/get\ngit/get-ref\n", "a\na\n", "a b\n", "", "\r\n\t#\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ids, err := parseOperations(strings.NewReader(in))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if id == "" || strings.HasPrefix(id, "#") || strings.ContainsAny(id, " \t\r\n") || seen[id] {
				t.Fatalf("parseOperations(%q) = %q: bad or repeated entry %q", in, ids, id)
			}
			seen[id] = true
		}
	})
}
