package apivalidate_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/shipkit-dev/shipkit/test/ghemu/apivalidate"
)

// answer is one canned response.
type answer struct {
	status      int
	contentType string
	body        []byte
}

func (a answer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	if a.contentType != "" {
		w.Header().Set("Content-Type", a.contentType)
	}
	w.Header().Set("X-Stub", "yes")
	w.WriteHeader(a.status)
	w.Write(a.body)
}

// stub is a stand-in for the emulator: it answers every request the same
// and counts its calls.
type stub struct {
	answer
	calls atomic.Int32
}

func (s *stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.calls.Add(1)
	s.answer.ServeHTTP(w, r)
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newValidator(t testing.TB) *apivalidate.Validator {
	t.Helper()
	v, err := apivalidate.New()
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	return v
}

// serve runs next behind v on 127.0.0.1 and returns the server and a
// go-github client for it.
func serve(t *testing.T, v *apivalidate.Validator, next http.Handler) (*httptest.Server, *github.Client) {
	t.Helper()
	srv := httptest.NewServer(v.Wrap(next))
	t.Cleanup(srv.Close)
	client := github.NewClient(srv.Client()).WithAuthToken("test-token")
	base, err := url.Parse(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	client.BaseURL = base
	return srv, client
}

const jsonType = "application/json; charset=utf-8"

func TestWrap(t *testing.T) {
	t.Parallel()
	release := fixture(t, "release.json")
	gitRef := fixture(t, "git-ref.json")
	notFound := []byte(`{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`)
	forbidden := []byte(`{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest"}`)

	tests := []struct {
		name           string
		method, path   string
		body           string
		handler        answer
		wantStatus     int
		wantCalled     bool
		wantProblem    string // substring of the only problem; "" for none
		wantRejection  string // substring of the only rejection; "" for none
		wantMessageHas string // substring of a 404/422 message written by the validator
	}{
		{
			name:   "valid release passes through",
			method: "POST", path: "/repos/o/r/releases",
			body:       `{"tag_name":"pkg-v1.2.3","name":"pkg v1.2.3","draft":false}`,
			handler:    answer{status: 201, contentType: jsonType, body: release},
			wantStatus: 201, wantCalled: true,
		},
		{
			name:   "release without tag_name is rejected",
			method: "POST", path: "/repos/o/r/releases",
			body:           `{"name":"pkg v1.2.3"}`,
			handler:        answer{status: 201, contentType: jsonType, body: release},
			wantStatus:     422,
			wantRejection:  `POST /repos/o/r/releases (repos/create-release): request body has an error: doesn't match schema: Error at "/tag_name": property "tag_name" is missing`,
			wantMessageHas: "Invalid request.\n\n",
		},
		{
			name:   "release with a number for tag_name is rejected",
			method: "POST", path: "/repos/o/r/releases",
			body:          `{"tag_name":5}`,
			handler:       answer{status: 201, contentType: jsonType, body: release},
			wantStatus:    422,
			wantRejection: "tag_name",
		},
		{
			name:   "release with a value outside an enum is rejected",
			method: "POST", path: "/repos/o/r/releases",
			body:          `{"tag_name":"v1","make_latest":"yes"}`,
			handler:       answer{status: 201, contentType: jsonType, body: release},
			wantStatus:    422,
			wantRejection: "make_latest",
		},
		{
			name:   "query parameter outside its enum is rejected",
			method: "GET", path: "/repos/o/r/pulls?state=merged",
			handler:       answer{status: 200, contentType: jsonType, body: []byte(`[]`)},
			wantStatus:    422,
			wantRejection: `parameter "state" in query has an error`,
		},
		{
			name:   "path parameter of the wrong type is rejected",
			method: "GET", path: "/repos/o/r/releases/abc",
			handler:       answer{status: 200, contentType: jsonType, body: release},
			wantStatus:    422,
			wantRejection: `parameter "release_id" in path has an error`,
		},
		{
			name:   "response missing required fields is a problem",
			method: "GET", path: "/repos/o/r/releases/1",
			handler:     answer{status: 200, contentType: jsonType, body: []byte(`{"id":1,"tag_name":"v1"}`)},
			wantStatus:  200,
			wantCalled:  true,
			wantProblem: `GET /repos/o/r/releases/1 (repos/get-release) answered 200: response body doesn't match schema #/components/schemas/release: Error at "/assets_url": property "assets_url" is missing`,
		},
		{
			name:   "response with a wrong content type is a problem",
			method: "GET", path: "/repos/o/r/git/ref/heads/main",
			handler:     answer{status: 200, contentType: "text/plain", body: gitRef},
			wantStatus:  200,
			wantCalled:  true,
			wantProblem: "Content-Type",
		},
		{
			name:   "response without a content type is checked as sniffed",
			method: "GET", path: "/repos/o/r/git/ref/heads/main",
			handler:     answer{status: 200, body: gitRef},
			wantStatus:  200,
			wantCalled:  true,
			wantProblem: `"text/plain; charset=utf-8"`,
		},
		{
			name:   "undeclared status is a problem",
			method: "PATCH", path: "/repos/o/r/pulls/1",
			body:        `{"title":"t"}`,
			handler:     answer{status: 409, contentType: jsonType, body: notFound},
			wantStatus:  409,
			wantCalled:  true,
			wantProblem: "status is not supported",
		},
		{
			name:   "undeclared generic 403 with basic-error passes",
			method: "POST", path: "/repos/o/r/git/refs",
			body:       `{"ref":"refs/heads/x","sha":"aa218f56b14c9653891f9e74264a383fa43fefbd"}`,
			handler:    answer{status: 403, contentType: jsonType, body: forbidden},
			wantStatus: 403, wantCalled: true,
		},
		{
			name:   "undeclared generic 404 with a text body is a problem",
			method: "GET", path: "/repos/o/r/releases/1",
			handler:     answer{status: 404, contentType: "text/plain", body: []byte("404 page not found\n")},
			wantStatus:  404,
			wantCalled:  true,
			wantProblem: "basic-error",
		},
		{
			name:   "undeclared generic 404 whose message is a number is a problem",
			method: "GET", path: "/repos/o/r/releases/1",
			handler:     answer{status: 404, contentType: jsonType, body: []byte(`{"message":404}`)},
			wantStatus:  404,
			wantCalled:  true,
			wantProblem: "does not match basic-error",
		},
		{
			name:   "declared 204 without body passes",
			method: "DELETE", path: "/repos/o/r/git/refs/heads/feature/x",
			handler:    answer{status: 204},
			wantStatus: 204, wantCalled: true,
		},
		{
			name:   "unknown path is a problem",
			method: "GET", path: "/repos/o/r/hooks",
			handler:        answer{status: 200, contentType: jsonType, body: []byte(`[]`)},
			wantStatus:     404,
			wantProblem:    "GET /repos/o/r/hooks matches no operation in the OpenAPI subset: add its operationId to test/ghemu/openapi/operations.txt",
			wantMessageHas: "Not Found",
		},
		{
			name:   "unknown method on a known path is a problem",
			method: "DELETE", path: "/repos/o/r/releases",
			handler:     answer{status: 204},
			wantStatus:  404,
			wantProblem: "DELETE /repos/o/r/releases matches no operation",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := newValidator(t)
			h := &stub{answer: tt.handler}
			srv, _ := serve(t, v, h)

			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}

			if resp.StatusCode != tt.wantStatus {
				t.Errorf("%s %s: status = %d, want %d (body %s)", tt.method, tt.path, resp.StatusCode, tt.wantStatus, got)
			}
			if called := h.calls.Load() > 0; called != tt.wantCalled {
				t.Errorf("%s %s: handler called = %v, want %v", tt.method, tt.path, called, tt.wantCalled)
			}
			if tt.wantCalled {
				// Passed through unchanged.
				if !bytes.Equal(got, h.body) {
					t.Errorf("%s %s: body = %s, want the handler's %s", tt.method, tt.path, got, h.body)
				}
				if resp.Header.Get("X-Stub") != "yes" {
					t.Errorf("%s %s: header X-Stub = %q, want %q", tt.method, tt.path, resp.Header.Get("X-Stub"), "yes")
				}
			}
			if tt.wantMessageHas != "" {
				var e struct {
					Message          string `json:"message"`
					DocumentationURL string `json:"documentation_url"`
				}
				if err := json.Unmarshal(got, &e); err != nil {
					t.Fatalf("decoding %s: %v", got, err)
				}
				if !strings.Contains(e.Message, tt.wantMessageHas) || e.DocumentationURL == "" {
					t.Errorf("%s %s: error = %+v, want a message with %q and a documentation_url", tt.method, tt.path, e, tt.wantMessageHas)
				}
			}
			checkOne(t, "Problems()", v.Problems(), tt.wantProblem)
			checkOne(t, "Rejections()", v.Rejections(), tt.wantRejection)
		})
	}
}

// checkOne checks that list is empty when want is "", else that it holds one
// entry containing want.
func checkOne(t *testing.T, what string, list []string, want string) {
	t.Helper()
	switch {
	case want == "" && len(list) > 0:
		t.Errorf("%s = %q, want none", what, list)
	case want != "" && (len(list) != 1 || !strings.Contains(list[0], want)):
		t.Errorf("%s = %q, want one containing %q", what, list, want)
	}
}

func TestGoGitHubReleases(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	h := &stub{answer: answer{status: 201, contentType: jsonType, body: fixture(t, "release.json")}}
	_, client := serve(t, v, h)

	rel, resp, err := client.Repositories.CreateRelease(t.Context(), "o", "r", &github.RepositoryRelease{
		TagName: github.String("pkg-v1.2.3"),
		Name:    github.String("pkg v1.2.3"),
	})
	if err != nil {
		t.Fatalf("CreateRelease(pkg-v1.2.3) error = %v", err)
	}
	if resp.StatusCode != 201 || rel.GetTagName() != "pkg-v1.2.3" || rel.GetAuthor().GetLogin() != "shipkit-bot" {
		t.Errorf("CreateRelease(pkg-v1.2.3) = %d %q %q, want 201 pkg-v1.2.3 shipkit-bot", resp.StatusCode, rel.GetTagName(), rel.GetAuthor().GetLogin())
	}

	// GitHub's description requires tag_name: the emulator rejects what
	// GitHub rejects, before its handler runs.
	_, _, err = client.Repositories.CreateRelease(t.Context(), "o", "r", &github.RepositoryRelease{
		Name: github.String("no tag"),
	})
	var ghErr *github.ErrorResponse
	if !errors.As(err, &ghErr) || ghErr.Response.StatusCode != 422 || !strings.HasPrefix(ghErr.Message, "Invalid request.") {
		t.Fatalf("CreateRelease(no tag_name) error = %v, want a 422 *github.ErrorResponse with \"Invalid request.\"", err)
	}
	if ghErr.DocumentationURL != "https://docs.github.com/rest/releases/releases#create-a-release" {
		t.Errorf("CreateRelease(no tag_name) documentation_url = %q, want the operation's docs", ghErr.DocumentationURL)
	}
	if got := h.calls.Load(); got != 1 {
		t.Errorf("handler calls = %d, want 1 (the rejected request must not reach it)", got)
	}
	if p := v.Problems(); len(p) > 0 {
		t.Errorf("Problems() = %q, want none", p)
	}
	if r := v.Rejections(); len(r) != 1 || !strings.Contains(r[0], `"tag_name" is missing`) {
		t.Errorf("Rejections() = %q, want one about tag_name", r)
	}

	v.Reset()
	if p, r := v.Problems(), v.Rejections(); len(p)+len(r) > 0 {
		t.Errorf("after Reset(): Problems() = %q, Rejections() = %q, want none", p, r)
	}
}

// pathRecorder answers with a fixed response and records what it was asked
// and which operation the validator routed it to.
type pathRecorder struct {
	v    *apivalidate.Validator
	resp answer

	mu                sync.Mutex
	path, query, opID string
}

func (p *pathRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.path, p.query, p.opID = r.URL.Path, r.URL.RawQuery, p.v.OperationID(r)
	p.mu.Unlock()
	p.resp.ServeHTTP(w, r)
}

func (p *pathRecorder) seen() (path, query, opID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.path, p.query, p.opID
}

func TestGoGitHubPathsWithSlashes(t *testing.T) {
	t.Parallel()
	notFound := []byte(`{"message":"Not Found","documentation_url":"https://docs.github.com/rest/repos/contents#get-repository-content","status":"404"}`)
	tests := []struct {
		name      string
		resp      answer
		call      func(t *testing.T, c *github.Client) error
		wantPath  string
		wantQuery string
		wantOp    string
		wantErr   int // status of the *github.ErrorResponse; 0 for none
	}{
		{
			name: "contents path with slashes",
			resp: answer{status: 404, contentType: jsonType, body: notFound},
			call: func(t *testing.T, c *github.Client) error {
				_, _, _, err := c.Repositories.GetContents(t.Context(), "o", "r", "infra/argocd/overlays/dev/kustomization.yaml", &github.RepositoryContentGetOptions{Ref: "main"})
				return err
			},
			wantPath:  "/repos/o/r/contents/infra/argocd/overlays/dev/kustomization.yaml",
			wantQuery: "ref=main",
			wantOp:    "repos/get-content",
			wantErr:   404,
		},
		{
			name: "git ref with slashes",
			resp: answer{status: 200, contentType: jsonType, body: fixture(t, "git-ref.json")},
			call: func(t *testing.T, c *github.Client) error {
				ref, _, err := c.Git.GetRef(t.Context(), "o", "r", "heads/feature/x")
				if err == nil && ref.GetObject().GetSHA() != "aa218f56b14c9653891f9e74264a383fa43fefbd" {
					t.Errorf("GetRef(heads/feature/x) sha = %q, want the fixture's", ref.GetObject().GetSHA())
				}
				return err
			},
			wantPath: "/repos/o/r/git/ref/heads/feature/x",
			wantOp:   "git/get-ref",
		},
		{
			name: "matching refs with slashes",
			resp: answer{status: 200, contentType: jsonType, body: []byte(`[]`)},
			call: func(t *testing.T, c *github.Client) error {
				_, _, err := c.Git.ListMatchingRefs(t.Context(), "o", "r", &github.ReferenceListOptions{Ref: "tags/pkg-v"})
				return err
			},
			wantPath: "/repos/o/r/git/matching-refs/tags/pkg-v",
			wantOp:   "git/list-matching-refs",
		},
		{
			name: "update ref with slashes",
			resp: answer{status: 200, contentType: jsonType, body: fixture(t, "git-ref.json")},
			call: func(t *testing.T, c *github.Client) error {
				_, _, err := c.Git.UpdateRef(t.Context(), "o", "r", &github.Reference{
					Ref:    github.String("refs/heads/feature/x"),
					Object: &github.GitObject{SHA: github.String("aa218f56b14c9653891f9e74264a383fa43fefbd")},
				}, false)
				return err
			},
			wantPath: "/repos/o/r/git/refs/heads/feature/x",
			wantOp:   "git/update-ref",
		},
		{
			name: "release by tag",
			resp: answer{status: 200, contentType: jsonType, body: fixture(t, "release.json")},
			call: func(t *testing.T, c *github.Client) error {
				_, _, err := c.Repositories.GetReleaseByTag(t.Context(), "o", "r", "pkg-v1.2.3")
				return err
			},
			wantPath: "/repos/o/r/releases/tags/pkg-v1.2.3",
			wantOp:   "repos/get-release-by-tag",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := newValidator(t)
			h := &pathRecorder{v: v, resp: tt.resp}
			_, client := serve(t, v, h)

			err := tt.call(t, client)
			var ghErr *github.ErrorResponse
			switch {
			case tt.wantErr == 0 && err != nil:
				t.Errorf("call error = %v, want none", err)
			case tt.wantErr != 0 && (!errors.As(err, &ghErr) || ghErr.Response.StatusCode != tt.wantErr):
				t.Errorf("call error = %v, want a %d *github.ErrorResponse", err, tt.wantErr)
			}
			path, query, op := h.seen()
			if path != tt.wantPath || query != tt.wantQuery || op != tt.wantOp {
				t.Errorf("handler saw %q ? %q as %q, want %q ? %q as %q", path, query, op, tt.wantPath, tt.wantQuery, tt.wantOp)
			}
			if p := v.Problems(); len(p) > 0 {
				t.Errorf("Problems() = %q, want none", p)
			}
			if r := v.Rejections(); len(r) > 0 {
				t.Errorf("Rejections() = %q, want none", r)
			}
		})
	}
}

func TestOperationID(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	tests := []struct {
		name         string
		method, path string
		want         string
	}{
		{"repository", "GET", "/repos/o/r", "repos/get"},
		{"rate limit", "GET", "/rate_limit", "rate-limit/get"},
		{"contents with slashes and query", "GET", "/repos/o/r/contents/infra/argocd/overlays/dev/kustomization.yaml?ref=main", "repos/get-content"},
		{"contents put", "PUT", "/repos/o/r/contents/infra/argocd/overlays/prod/kustomization.yaml", "repos/create-or-update-file-contents"},
		{"contents with an escaped space", "GET", "/repos/o/r/contents/docs/read%20me.md", "repos/get-content"},
		{"contents root", "GET", "/repos/o/r/contents/", ""},
		{"git ref with slashes", "GET", "/repos/o/r/git/ref/heads/feature/x", "git/get-ref"},
		{"matching refs", "GET", "/repos/o/r/git/matching-refs/tags/pkg-v", "git/list-matching-refs"},
		{"create ref", "POST", "/repos/o/r/git/refs", "git/create-ref"},
		{"update ref", "PATCH", "/repos/o/r/git/refs/heads/dev", "git/update-ref"},
		{"delete ref", "DELETE", "/repos/o/r/git/refs/tags/pkg-v1.2.3", "git/delete-ref"},
		{"branch with a slash", "GET", "/repos/o/r/branches/release/1.x", "repos/get-branch"},
		{"branch protection", "GET", "/repos/o/r/branches/main/protection", "repos/get-branch-protection"},
		{"branch rules", "GET", "/repos/o/r/rules/branches/main", "repos/get-branch-rules"},
		{"latest release before release id", "GET", "/repos/o/r/releases/latest", "repos/get-latest-release"},
		{"release id", "GET", "/repos/o/r/releases/42", "repos/get-release"},
		{"release by tag", "GET", "/repos/o/r/releases/tags/pkg-v1.2.3", "repos/get-release-by-tag"},
		{"generate notes", "POST", "/repos/o/r/releases/generate-notes", "repos/generate-release-notes"},
		{"commit", "GET", "/repos/o/r/commits/abc123", "repos/get-commit"},
		{"combined status before commit", "GET", "/repos/o/r/commits/abc123/status", "repos/get-combined-status-for-ref"},
		{"check runs", "GET", "/repos/o/r/commits/heads/main/check-runs", "checks/list-for-ref"},
		{"pulls of a commit", "GET", "/repos/o/r/commits/abc123/pulls", "repos/list-pull-requests-associated-with-commit"},
		{"compare with slashes", "GET", "/repos/o/r/compare/main...feature/x", "repos/compare-commits-with-basehead"},
		{"merge", "PUT", "/repos/o/r/pulls/7/merge", "pulls/merge"},
		{"request reviewers", "POST", "/repos/o/r/pulls/7/requested_reviewers", "pulls/request-reviewers"},
		{"labels", "POST", "/repos/o/r/issues/7/labels", "issues/add-labels"},
		{"workflow runs", "GET", "/repos/o/r/actions/runs?head_sha=abc", "actions/list-workflow-runs-for-repo"},
		{"unknown path", "GET", "/repos/o/r/hooks", ""},
		{"unknown method", "POST", "/repos/o/r", ""},
		{"empty segment", "GET", "/repos//r", ""},
		{"trailing slash", "GET", "/repos/o/r/", ""},
		{"enterprise prefix", "GET", "/api/v3/repos/o/r", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequestWithContext(t.Context(), tt.method, tt.path, nil)
			if got := v.OperationID(req); got != tt.want {
				t.Errorf("OperationID(%s %s) = %q, want %q", tt.method, tt.path, got, tt.want)
			}
		})
	}
}

// TestConcurrent shares one Validator between many requests at once, as an
// emulator serving parallel clients does; run with -race.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	h := &stub{answer: answer{status: 201, contentType: jsonType, body: fixture(t, "release.json")}}
	_, client := serve(t, v, h)

	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			rel := &github.RepositoryRelease{Name: github.String("r")}
			if i%2 == 0 {
				rel.TagName = github.String("v1")
			}
			client.Repositories.CreateRelease(t.Context(), "o", "r", rel)
		})
	}
	wg.Wait()
	if got := h.calls.Load(); got != n/2 {
		t.Errorf("handler calls = %d, want %d", got, n/2)
	}
	if got := len(v.Rejections()); got != n/2 {
		t.Errorf("len(Rejections()) = %d, want %d", got, n/2)
	}
	if p := v.Problems(); len(p) > 0 {
		t.Errorf("Problems() = %q, want none", p)
	}
}

// TestNewShares checks that Validators share the loaded description but not
// their records.
func TestNewShares(t *testing.T) {
	t.Parallel()
	a, b := newValidator(t), newValidator(t)
	srv := httptest.NewServer(a.Wrap(http.NotFoundHandler()))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/nowhere")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := len(a.Problems()); got != 1 {
		t.Errorf("len(a.Problems()) = %d, want 1", got)
	}
	if got := b.Problems(); len(got) > 0 {
		t.Errorf("b.Problems() = %q, want none", got)
	}
	if !slices.Equal(a.Rejections(), b.Rejections()) {
		t.Errorf("Rejections() differ: %q and %q", a.Rejections(), b.Rejections())
	}
}
