package ghapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
)

// TestClassification gets each error from go-github talking to a loopback server that answers
// the way GitHub does, and checks every helper on it.
func TestClassification(t *testing.T) {
	t.Parallel()
	ref := &github.Reference{Ref: github.String("refs/heads/x"), Object: &github.GitObject{SHA: github.String("aa")}}
	createRef := func(ctx context.Context, c *Client) error {
		_, _, err := c.Git.CreateRef(ctx, "o", "r", ref)
		return err
	}
	updateRef := func(ctx context.Context, c *Client) error {
		_, _, err := c.Git.UpdateRef(ctx, "o", "r", ref, false)
		return err
	}
	createRelease := func(ctx context.Context, c *Client) error {
		_, _, err := c.Repositories.CreateRelease(ctx, "o", "r", &github.RepositoryRelease{TagName: github.String("v1.0.0")})
		return err
	}
	putFile := func(ctx context.Context, c *Client) error {
		_, _, err := c.Repositories.UpdateFile(ctx, "o", "r", "a.txt", &github.RepositoryContentFileOptions{
			Message: github.String("m"), Content: []byte("x"), SHA: github.String("old"),
		})
		return err
	}
	getRepo := func(ctx context.Context, c *Client) error {
		_, _, err := c.Repositories.Get(ctx, "o", "r")
		return err
	}
	type want struct{ notFound, conflict, exists, permission, rateLimit bool }
	tests := []struct {
		name    string
		call    func(context.Context, *Client) error
		code    int
		body    string
		headers []string
		want    want
	}{
		{
			name: "404", call: getRepo, code: 404,
			body: `{"message":"Not Found","documentation_url":"https://docs.github.com/rest/repos/repos#get-a-repository"}`,
			want: want{notFound: true},
		},
		{
			name: "409 stale contents sha", call: putFile, code: 409,
			body: `{"message":"a.txt does not match 1234567890abcdef","documentation_url":"https://docs.github.com/rest/repos/contents#create-or-update-file-contents"}`,
			want: want{conflict: true},
		},
		{
			name: "422 not a fast forward", call: updateRef, code: 422,
			body: `{"message":"Update is not a fast forward","documentation_url":"https://docs.github.com/rest/git/refs#update-a-reference"}`,
			want: want{conflict: true},
		},
		{
			name: "422 sha not supplied", call: putFile, code: 422,
			body: `{"message":"Invalid request.\n\n\"sha\" wasn't supplied.","documentation_url":"https://docs.github.com/rest/repos/contents"}`,
			want: want{conflict: true},
		},
		{
			name: "422 reference already exists", call: createRef, code: 422,
			body: `{"message":"Reference already exists","documentation_url":"https://docs.github.com/rest/git/refs#create-a-reference"}`,
			want: want{exists: true},
		},
		{
			name: "422 release already_exists", call: createRelease, code: 422,
			body: `{"message":"Validation Failed","errors":[{"resource":"Release","code":"already_exists","field":"tag_name"}],"documentation_url":"https://docs.github.com/rest/releases/releases#create-a-release"}`,
			want: want{exists: true},
		},
		{
			name: "422 other validation", call: createRelease, code: 422,
			body: `{"message":"Validation Failed","errors":[{"resource":"Release","code":"invalid","field":"target_commitish"}]}`,
		},
		{
			name: "403 not accessible", call: createRef, code: 403,
			body:    `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/git/refs#create-a-reference"}`,
			headers: []string{"X-Accepted-GitHub-Permissions: contents=write"},
			want:    want{permission: true},
		},
		{
			name: "401 bad credentials", call: getRepo, code: 401,
			body: `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`,
			want: want{permission: true},
		},
		{
			name: "403 secondary limit", call: getRepo, code: 403,
			body:    `{"message":"You have exceeded a secondary rate limit."}`,
			headers: []string{"Retry-After: 3600"},
			want:    want{rateLimit: true},
		},
		{
			name: "403 primary limit", call: getRepo, code: 403,
			body:    `{"message":"API rate limit exceeded"}`,
			headers: []string{"X-RateLimit-Remaining: 0", "X-RateLimit-Reset: 99999999999"},
			want:    want{rateLimit: true},
		},
		{
			name: "500 exhausted", call: getRepo, code: 500,
			body: `{"message":"Server Error"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, Options{MaxRetries: 1}, func(_ int, w http.ResponseWriter, _ *http.Request) {
				reply(w, tt.code, tt.body, tt.headers...)
			})
			err := tt.call(t.Context(), f.c)
			if err == nil {
				t.Fatal("call = nil error, want one")
			}
			got := want{IsNotFound(err), IsConflict(err), IsAlreadyExists(err), IsPermission(err), IsRateLimit(err)}
			if got != tt.want {
				t.Errorf("helpers(%v) = %+v, want %+v", err, got, tt.want)
			}
			hinted := PermissionHint(err, "contents: write")
			if !errors.Is(hinted, err) {
				t.Errorf("PermissionHint(%v) = %v, want it to wrap the error", err, hinted)
			}
			if gotHint := hinted != err; gotHint != tt.want.permission {
				t.Errorf("PermissionHint(%v) changed = %v, want %v", err, gotHint, tt.want.permission)
			}
		})
	}
}

func TestPermissionHint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		code    int
		headers []string
		want    []string
	}{
		{
			name: "403 with accepted permissions", code: 403, headers: []string{"X-Accepted-GitHub-Permissions: contents=write"},
			want: []string{"403 Resource not accessible", "the token lacks permission: give the job `permissions: contents: write`", "GitHub accepts contents=write"},
		},
		{
			name: "403", code: 403,
			want: []string{"the token lacks permission: give the job `permissions: contents: write`"},
		},
		{
			name: "401", code: 401,
			want: []string{"401", "the token was rejected"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, Options{}, func(_ int, w http.ResponseWriter, _ *http.Request) {
				reply(w, tt.code, `{"message":"Resource not accessible by integration"}`, tt.headers...)
			})
			_, _, err := f.c.Repositories.Get(t.Context(), "o", "r")
			got := PermissionHint(err, "contents: write")
			for _, s := range tt.want {
				if got == nil || !strings.Contains(got.Error(), s) {
					t.Errorf("PermissionHint(%v) = %v, want it to contain %q", err, got, s)
				}
			}
			if strings.Contains(got.Error(), testToken) {
				t.Errorf("PermissionHint() = %q, contains the token", got)
			}
			var er *github.ErrorResponse
			if !errors.As(got, &er) {
				t.Errorf("errors.As(PermissionHint(), *github.ErrorResponse) = false, want true")
			}
		})
	}
	if PermissionHint(nil, "contents: write") != nil {
		t.Error("PermissionHint(nil) != nil")
	}
	plain := errors.New("plain")
	if PermissionHint(plain, "contents: write") != plain {
		t.Error("PermissionHint(plain) changed a non-API error")
	}
}

func ExamplePermissionHint() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"Resource not accessible by integration"}`)
	}))
	defer srv.Close()
	c, _ := New(Options{BaseURL: srv.URL, Token: "not printed"})
	_, err := c.Git.DeleteRef(context.Background(), "o", "r", "tags/v1")
	err = PermissionHint(err, "contents: write")
	fmt.Println(IsPermission(err))
	fmt.Println(err.Error()[strings.Index(err.Error(), "403"):])
	// Output:
	// true
	// 403 Resource not accessible by integration []: the token lacks permission: give the job `permissions: contents: write`, or pass a token that has it
}

func ExampleAPIURLs() {
	for _, base := range []string{"", "https://ghe.example.com", "http://127.0.0.1:8080"} {
		api, upload, _ := APIURLs(base, "")
		fmt.Println(api, upload)
	}
	// Output:
	// https://api.github.com/ https://uploads.github.com/
	// https://ghe.example.com/api/v3/ https://ghe.example.com/api/uploads/
	// http://127.0.0.1:8080/ http://127.0.0.1:8080/uploads/
}
