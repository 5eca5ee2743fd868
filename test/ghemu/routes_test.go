package ghemu

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/test/ghemu/apivalidate"
)

// TestRouteOperationIDs checks that every route of the emulator names the
// same octokit operationId as GitHub's OpenAPI description does for it, and
// that the emulator routes the same sample request back to itself.
func TestRouteOperationIDs(t *testing.T) {
	t.Parallel()
	v, err := apivalidate.New()
	if err != nil {
		t.Fatal(err)
	}
	fill := map[string]string{
		"{owner}": "acme", "{repo}": "mono", "{branch...}": "main", "{ref...}": "heads/main", "{ref}": "main",
		"{sha}": strings.Repeat("a", 40), "{basehead...}": "v1...main", "{path...}": "a/b.txt",
		"{tag...}": "v1.0.0", "{id}": "7", "{number}": "3",
	}
	for _, rt := range routes {
		if rt.op == GraphQLOperation {
			continue // not a REST operation: validated against GitHub's GraphQL schema (graphql.go)
		}
		segs := make([]string, len(rt.pattern))
		for i, s := range rt.pattern {
			if v, ok := fill[s]; ok {
				s = v
			}
			segs[i] = s
		}
		u, err := url.Parse("http://127.0.0.1/" + strings.Join(segs, "/"))
		if err != nil {
			t.Fatal(err)
		}
		req := &http.Request{Method: rt.method, URL: u, Header: http.Header{}}
		if got := v.OperationID(req); got != rt.op {
			t.Errorf("apivalidate OperationID(%s %s) = %q, want %q", rt.method, u.Path, got, rt.op)
		}
		if got, _ := matchRoute(req); got != rt {
			t.Errorf("matchRoute(%s %s) = %v, want the route of %s", rt.method, u.Path, got, rt.op)
		}
	}
}
