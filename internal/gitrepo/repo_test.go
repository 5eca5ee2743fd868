package gitrepo_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipkit-dev/shipkit/internal/gitrepo"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
)

func TestReadFileAndAncestry(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	r := gitfixture.Init(t)
	c1 := r.Commit("feat: one", map[string]string{"packages/a/pyproject.toml": "v1", "README.md": "x"})
	c2 := r.Commit("fix(a): two", map[string]string{"packages/a/pyproject.toml": "v2"})
	c3 := r.Commit("docs: readme", map[string]string{"README.md": "y"})
	r.Git("tag", "a-v1", c1)
	r.Git("tag", "-a", "-m", "annotated", "a-v2", c2)
	r.Git("checkout", "-q", "-b", "side", c1)
	side := r.Commit("side", map[string]string{"other.txt": "z"})

	repo, err := gitrepo.Open(filepath.Join(r.Dir, "packages"), gitrepo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := repo.ReadFile(ctx, c1, "packages/a/pyproject.toml"); err != nil || string(got) != "v1" {
		t.Errorf("ReadFile(c1) = %q, %v, want v1", got, err)
	}
	if got, err := repo.ReadFile(ctx, "main", "packages/a/pyproject.toml"); err != nil || string(got) != "v2" {
		t.Errorf("ReadFile(main) = %q, %v, want v2", got, err)
	}
	if _, err := repo.ReadFile(ctx, c1, "nope.toml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(missing) error = %v, want fs.ErrNotExist", err)
	}
	if _, err := repo.Resolve(ctx, "no-such-branch"); !errors.Is(err, gitrepo.ErrUnknownRevision) {
		t.Errorf("Resolve(no-such-branch) error = %v, want ErrUnknownRevision", err)
	}
	for _, tt := range []struct {
		a, d string
		want bool
	}{{c1, c3, true}, {c3, c1, false}, {c2, c2, true}, {c2, side, false}, {c1, side, true}} {
		got, err := repo.IsAncestor(ctx, tt.a, tt.d)
		if err != nil || got != tt.want {
			t.Errorf("IsAncestor(%.8s, %.8s) = %v, %v, want %v", tt.a, tt.d, got, err, tt.want)
		}
	}
	tags, err := repo.LocalTags("a-v")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a-v1": c1, "a-v2": c2}
	if len(tags) != 2 {
		t.Fatalf("LocalTags = %v, want 2 tags", tags)
	}
	for _, tag := range tags {
		if want[tag.Name] != tag.Commit {
			t.Errorf("tag %s at %.8s, want %.8s (annotated tags peeled)", tag.Name, tag.Commit, want[tag.Name])
		}
	}
	log, err := repo.Log(ctx, c1, c3, "packages/a")
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].SHA != c2 {
		t.Errorf("Log(c1..c3, packages/a) = %v, want only %.8s", log, c2)
	}
	all, err := repo.Log(ctx, c1, c3)
	if err != nil || len(all) != 2 || all[0].SHA != c3 {
		t.Errorf("Log(c1..c3) = %v, %v, want c3 then c2", all, err)
	}
	if repo.Shallow() {
		t.Error("Shallow() = true for a full repository")
	}
}

func TestShallowCloneNeverGuesses(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	origin := gitfixture.Init(t)
	c1 := origin.Commit("one", map[string]string{"VERSION": "1.0.0"})
	origin.Commit("two", map[string]string{"VERSION": "1.1.0"})
	c3 := origin.Commit("three", map[string]string{"VERSION": "1.2.0"})
	clone := gitfixture.Clone(t, "file://"+origin.Dir, "--depth", "1")

	repo, err := gitrepo.Open(clone.Dir, gitrepo.Options{Remote: "no-such-remote"})
	if err != nil {
		t.Fatal(err)
	}
	if !repo.Shallow() {
		t.Fatal("Shallow() = false for a --depth 1 clone")
	}
	if _, err := repo.IsAncestor(ctx, c3, c3); err != nil {
		t.Errorf("IsAncestor(head, head) = %v, want true without history", err)
	}
	// c1 is not in the clone and the remote is unknown: an error, not "false".
	if _, err := repo.IsAncestor(ctx, c1, c3); !errors.Is(err, gitrepo.ErrUnknownRevision) {
		t.Errorf("IsAncestor(missing, head) error = %v, want ErrUnknownRevision", err)
	}
	if _, err := repo.Log(ctx, "", c3); !errors.Is(err, gitrepo.ErrIncompleteHistory) {
		t.Errorf("Log(..head) error = %v, want ErrIncompleteHistory", err)
	}
}

func TestOpenOutsideRepository(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := gitrepo.Open(dir, gitrepo.Options{}); err == nil {
		t.Error("Open(no repository) = nil error")
	}
}
