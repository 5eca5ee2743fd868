package ghemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func FuzzMatchRoute(f *testing.F) {
	for _, seed := range []string{
		"/repos/acme/mono", "/repos/acme/mono/git/ref/heads/feature%2Fx", "/repos/acme/mono/git/matching-refs/",
		"/repos/acme/mono/commits/heads/main/status", "/repos/acme/mono/contents/a/b%20c.txt",
		"/repos/acme/mono/compare/v1.0.0...main", "/repos/acme/mono/releases/tags/v1/x", "/rate_limit",
		"/repos//x", "/repos/a/b/commits//status", "/%zz",
	} {
		f.Add("GET", seed)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		u, err := url.Parse("http://127.0.0.1" + path)
		if err != nil || !strings.HasPrefix(u.Path, "/") {
			return
		}
		rt, p := matchRoute(&http.Request{Method: method, URL: u})
		if rt == nil {
			return
		}
		if rt.method != method {
			t.Errorf("matchRoute(%s %s) = %s route, want the request's method", method, path, rt.method)
		}
		if rt.repo && (p["owner"] == "" || p["repo"] == "") {
			t.Errorf("matchRoute(%s %s) params = %v, want owner and repo", method, path, p)
		}
	})
}

func FuzzParsePerson(f *testing.F) {
	for _, seed := range []string{
		"Ada Developer <ada@example.com> 1704164645 +0000", "x <> 0 -0130", "no email", "<a@b> 12 +0100", "a <b> -5 +0000",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := parsePerson(s)
		if personRE.MatchString(s) {
			back := fmt.Sprintf("%s <%s> %s", p.Name, p.Email, gitDate(p.When))
			if again := parsePerson(back); again != p {
				t.Errorf("parsePerson(%q) = %+v, and of its rendering %q = %+v", s, p, back, again)
			}
		}
	})
}

func FuzzLabelNames(f *testing.F) {
	for _, seed := range []string{`["a","b"]`, `{"labels":["a",{"name":"b"}]}`, `{"labels":[{"x":1}]}`, `{}`, `[1]`, `null`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) {
			return
		}
		names, ok := labelNames(json.RawMessage(s))
		if !ok && names != nil {
			t.Errorf("labelNames(%s) = %q, false, want no names when invalid", s, names)
		}
	})
}

func ExampleSecondaryRateLimit() {
	f := SecondaryRateLimit(90 * time.Second)
	f.OperationID, f.Times = "repos/create-release", 1
	fmt.Println(f.Status, f.Header.Get("Retry-After"))
	// Output: 403 90
}
