package history_test

import (
	"testing"

	"github.com/shipkit-dev/shipkit/internal/ghapi"
	"github.com/shipkit-dev/shipkit/internal/gitrepo"
	"github.com/shipkit-dev/shipkit/internal/history"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
	"github.com/shipkit-dev/shipkit/test/localgh/localghtest"
)

// TestTreeHashThroughTheAPI compares the API's answers with git's own on a served repository,
// from a shallow clone whose remote is gone, and counts the calls: one per folder level.
func TestTreeHashThroughTheAPI(t *testing.T) {
	t.Parallel()
	gh := localghtest.New(t, "acme", "mono")
	url := gh.CloneURL("acme", "mono")
	dev := gitfixture.Init(t)
	c1 := dev.Commit("one", map[string]string{"packages/a/pyproject.toml": "v1", "packages/b/x": "b", "README.md": "x"})
	c2 := dev.Commit("two", map[string]string{"packages/b/x": "b2"})
	dev.Git("tag", "-a", "-m", "release", "a-v1", c1)
	dev.Git("remote", "add", "origin", url)
	dev.Git("push", "-q", "origin", "main", "--tags")
	clone := gitfixture.Clone(t, url, "--depth", "1", "--no-tags")
	clone.Git("remote", "set-url", "origin", "http://127.0.0.1:1/gone.git")
	client, err := ghapi.New(ghapi.Options{Token: localghtest.Token, BaseURL: gh.API.URL(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	repo, err := gitrepo.Open(clone.Dir, gitrepo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	api := &history.API{Client: client.Client, Owner: "acme", Repo: "mono"}
	src := &history.Layered{Primary: &history.Git{Repo: repo}, Fallback: api}

	tests := []struct {
		name, rev, path string
		want            string // git rev-parse spec; "" for absent
		calls           int
	}{
		{name: "package folder", rev: c1, path: "packages/a", want: c1 + ":packages/a", calls: 2},
		{name: "annotated tag name", rev: "a-v1", path: "packages/a", want: c1 + ":packages/a", calls: 2},
		{name: "root", rev: c1, path: "", want: c1 + "^{tree}", calls: 1},
		{name: "file", rev: c2, path: "packages/b/x", want: c2 + ":packages/b/x", calls: 3},
		{name: "absent", rev: c1, path: "packages/zzz", calls: 2},
		{name: "under a file", rev: c1, path: "README.md/x", calls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: each case counts the emulator's requests.
			gh.API.ResetCounts()
			got, err := api.TreeHash(t.Context(), tt.rev, tt.path)
			if err != nil {
				t.Fatalf("API.TreeHash(%q, %q) error = %v", tt.rev, tt.path, err)
			}
			want := ""
			if tt.want != "" {
				want = dev.Git("rev-parse", tt.want)
			}
			if got != want {
				t.Errorf("API.TreeHash(%q, %q) = %q, want %q", tt.rev, tt.path, got, want)
			}
			if n := gh.API.Total(); n != tt.calls {
				t.Errorf("API.TreeHash(%q, %q) made %d calls, want %d", tt.rev, tt.path, n, tt.calls)
			}
		})
	}

	// The layered source answers the local head from the clone and the old commit from the API.
	gh.API.ResetCounts()
	if got, err := src.TreeHash(t.Context(), c2, "packages/a"); err != nil || got != dev.Git("rev-parse", c2+":packages/a") {
		t.Errorf("Layered.TreeHash(head) = %q, %v", got, err)
	}
	if n := gh.API.Total(); n != 0 {
		t.Errorf("Layered.TreeHash(head) made %d API calls, want 0", n)
	}
	if got, err := src.TreeHash(t.Context(), c1, "packages/a"); err != nil || got != dev.Git("rev-parse", c1+":packages/a") {
		t.Errorf("Layered.TreeHash(old) = %q, %v", got, err)
	}
	if n := gh.API.Total(); n != 2 {
		t.Errorf("Layered.TreeHash(old) made %d API calls, want 2", n)
	}
}
