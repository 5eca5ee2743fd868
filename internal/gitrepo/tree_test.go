package gitrepo_test

import (
	"errors"
	"testing"

	"github.com/shipkit-dev/shipkit/internal/gitrepo"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
)

func TestTreeHash(t *testing.T) {
	t.Parallel()
	r := gitfixture.Init(t)
	c1 := r.Commit("one", map[string]string{"packages/a/pyproject.toml": "v1", "packages/b/x.py": "b", "README.md": "x"})
	c2 := r.Commit("elsewhere", map[string]string{"packages/b/x.py": "b2", "README.md": "y"})
	c3 := r.Commit("change a", map[string]string{"packages/a/pyproject.toml": "v2"})
	repo, err := gitrepo.Open(r.Dir, gitrepo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, rev, path string
		want            string // a git rev-parse spec, or "" for absent
	}{
		{name: "folder", rev: c1, path: "packages/a", want: c1 + ":packages/a"},
		{name: "trailing slash", rev: c1, path: "packages/a/", want: c1 + ":packages/a"},
		{name: "dot prefix", rev: c1, path: "./packages/a", want: c1 + ":packages/a"},
		{name: "file", rev: c3, path: "packages/a/pyproject.toml", want: c3 + ":packages/a/pyproject.toml"},
		{name: "root", rev: c2, path: ".", want: c2 + "^{tree}"},
		{name: "branch name", rev: "main", path: "packages/b", want: c3 + ":packages/b"},
		{name: "absent", rev: c1, path: "packages/zzz"},
		{name: "under a file", rev: c1, path: "README.md/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { // sequential: a Repo is not safe for concurrent use
			got, err := repo.TreeHash(t.Context(), tt.rev, tt.path)
			if err != nil {
				t.Fatalf("TreeHash(%.8s, %q) error = %v", tt.rev, tt.path, err)
			}
			want := ""
			if tt.want != "" {
				want = r.Git("rev-parse", tt.want)
			}
			if got != want {
				t.Errorf("TreeHash(%.8s, %q) = %q, want %q", tt.rev, tt.path, got, want)
			}
		})
	}
	// Commits elsewhere leave the folder's hash alone; a change under it moves it.
	a1, _ := repo.TreeHash(t.Context(), c1, "packages/a")
	a2, _ := repo.TreeHash(t.Context(), c2, "packages/a")
	a3, _ := repo.TreeHash(t.Context(), c3, "packages/a")
	if a1 != a2 || a2 == a3 {
		t.Errorf("TreeHash(packages/a) at c1, c2, c3 = %.8s, %.8s, %.8s, want equal, equal, different", a1, a2, a3)
	}
	if _, err := repo.TreeHash(t.Context(), "no-such-tag", "packages/a"); !errors.Is(err, gitrepo.ErrUnknownRevision) {
		t.Errorf("TreeHash(no-such-tag) error = %v, want ErrUnknownRevision", err)
	}
}

func TestTreeHashFetchesOnShallowClone(t *testing.T) {
	t.Parallel()
	origin := gitfixture.Init(t)
	c1 := origin.Commit("one", map[string]string{"packages/a/pyproject.toml": "v1"})
	origin.Commit("two", map[string]string{"README.md": "x"})
	origin.Git("config", "uploadpack.allowAnySHA1InWant", "true")
	clone := gitfixture.Clone(t, "file://"+origin.Dir, "--depth", "1")
	repo, err := gitrepo.Open(clone.Dir, gitrepo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := repo.TreeHash(t.Context(), c1, "packages/a")
	if err != nil {
		t.Fatalf("TreeHash(missing commit) error = %v, want it fetched", err)
	}
	if want := origin.Git("rev-parse", c1+":packages/a"); got != want {
		t.Errorf("TreeHash(%.8s, packages/a) = %q, want %q", c1, got, want)
	}
	if repo.Fetches() != 1 {
		t.Errorf("Fetches() = %d, want 1", repo.Fetches())
	}
}
