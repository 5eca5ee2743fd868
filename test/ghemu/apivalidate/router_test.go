package apivalidate

import (
	"maps"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/shipkit-dev/shipkit/test/ghemu/openapi"
)

func embedded(t testing.TB) *spec {
	t.Helper()
	s, err := loadEmbedded()
	if err != nil {
		t.Fatalf("loading the embedded subset: %v", err)
	}
	return s
}

func TestFindParams(t *testing.T) {
	t.Parallel()
	rt := embedded(t).router
	tests := []struct {
		name         string
		method, path string
		wantTemplate string
		wantParams   map[string]string
	}{
		{
			name:   "contents path keeps its slashes",
			method: "GET", path: "/repos/o/r/contents/infra/argocd/overlays/dev/kustomization.yaml",
			wantTemplate: "/repos/{owner}/{repo}/contents/{path}",
			wantParams:   map[string]string{"owner": "o", "repo": "r", "path": "infra/argocd/overlays/dev/kustomization.yaml"},
		},
		{
			name:   "escaped characters are unescaped",
			method: "GET", path: "/repos/o/r/contents/docs/read%20me%23.md",
			wantTemplate: "/repos/{owner}/{repo}/contents/{path}",
			wantParams:   map[string]string{"owner": "o", "repo": "r", "path": "docs/read me#.md"},
		},
		{
			name:   "git ref",
			method: "GET", path: "/repos/o/r/git/ref/heads/feature/x",
			wantTemplate: "/repos/{owner}/{repo}/git/ref/{ref}",
			wantParams:   map[string]string{"owner": "o", "repo": "r", "ref": "heads/feature/x"},
		},
		{
			name:   "ref before a literal",
			method: "GET", path: "/repos/o/r/commits/heads/release/1.x/status",
			wantTemplate: "/repos/{owner}/{repo}/commits/{ref}/status",
			wantParams:   map[string]string{"owner": "o", "repo": "r", "ref": "heads/release/1.x"},
		},
		{
			name:   "basehead",
			method: "GET", path: "/repos/o/r/compare/pkg-v1.0.0...main",
			wantTemplate: "/repos/{owner}/{repo}/compare/{basehead}",
			wantParams:   map[string]string{"owner": "o", "repo": "r", "basehead": "pkg-v1.0.0...main"},
		},
		{
			name:   "literal beats parameter",
			method: "GET", path: "/repos/o/r/releases/latest",
			wantTemplate: "/repos/{owner}/{repo}/releases/latest",
			wantParams:   map[string]string{"owner": "o", "repo": "r"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, _, params, ok := rt.find(tt.method, tt.path)
			if !ok {
				t.Fatalf("find(%s %s) found nothing, want %s", tt.method, tt.path, tt.wantTemplate)
			}
			if r.template != tt.wantTemplate || !maps.Equal(params, tt.wantParams) {
				t.Errorf("find(%s %s) = %s %v, want %s %v", tt.method, tt.path, r.template, params, tt.wantTemplate, tt.wantParams)
			}
		})
	}
}

func TestParseTemplateErrors(t *testing.T) {
	t.Parallel()
	item := &openapi3.PathItem{}
	for _, tt := range []struct{ name, template string }{
		{"relative", "repos/{owner}"},
		{"part-segment parameter", "/repos/{owner}.git"},
		{"empty name", "/repos/{}"},
		{"stray brace", "/repos/o}"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := parseTemplate(tt.template, item); err == nil {
				t.Errorf("parseTemplate(%q) error = nil, want one", tt.template)
			}
		})
	}
}

// FuzzFind checks that a routed path is its template filled with the
// parameters: literals match, one-segment parameters hold no slash, and
// nothing is empty.
func FuzzFind(f *testing.F) {
	for _, s := range []string{
		"/repos/o/r", "/repos/o/r/contents/a/b/c.yaml", "/repos/o/r/git/ref/heads/feature/x",
		"/repos/o/r/git/matching-refs/tags/pkg-v", "/repos/o/r/commits/a/b/status",
		"/repos/o/r/compare/a...b/c", "/repos/o/r/releases/latest", "/repos/o/r/contents/",
		"/repos/o/r/contents//a", "/repos/%2F/r", "/rate_limit", "/", "", "//", "/repos/o/r/contents/%zz",
	} {
		f.Add("GET", s)
	}
	f.Add("PATCH", "/repos/o/r/git/refs/heads/a/b")
	rt := embedded(f).router
	f.Fuzz(func(t *testing.T, method, path string) {
		r, op, params, ok := rt.find(method, path)
		if !ok {
			return
		}
		if op == nil || r.item.GetOperation(strings.ToUpper(method)) != op {
			t.Fatalf("find(%q, %q) returned an operation of another method", method, path)
		}
		parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
		for i, p := range parts {
			u, err := url.PathUnescape(p)
			if err != nil {
				t.Fatalf("find(%q, %q) routed a path that does not unescape: %v", method, path, err)
			}
			parts[i] = u
		}
		var filled []string
		for _, s := range r.segments {
			if s.param == "" {
				filled = append(filled, s.literal)
				continue
			}
			v, ok := params[s.param]
			if !ok || v == "" {
				t.Fatalf("find(%q, %q) = %s with %q empty", method, path, r.template, s.param)
			}
			filled = append(filled, v)
		}
		if got, want := strings.Join(filled, "/"), strings.Join(parts, "/"); got != want {
			t.Fatalf("find(%q, %q) = %s %v, which fills to %q, want %q", method, path, r.template, params, got, want)
		}
	})
}

// BenchmarkNew measures loading the subset without the process-wide cache:
// what the first New in a test binary pays.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(openapi.Subset)))
	for b.Loop() {
		if _, err := load(openapi.Subset); err != nil {
			b.Fatal(err)
		}
	}
}
