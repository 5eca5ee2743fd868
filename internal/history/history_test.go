package history_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/internal/ghapi"
	"github.com/shipkit-dev/shipkit/internal/gitrepo"
	"github.com/shipkit-dev/shipkit/internal/history"
	"github.com/shipkit-dev/shipkit/test/ghemu"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
	"github.com/shipkit-dev/shipkit/test/localgh/localghtest"
)

const token = localghtest.Token

// setup pushes three commits to a served repository and returns a depth-1 clone whose remote
// is unreachable, so only the API can fill in history.
func setup(t *testing.T) (api *ghemu.Server, client *ghapi.Client, clone *gitfixture.Repo, shas []string) {
	t.Helper()
	gh := localghtest.New(t, "acme", "mono")
	api, url := gh.API, gh.CloneURL("acme", "mono")
	dev := gitfixture.Init(t)
	shas = append(shas,
		dev.Commit("feat(lib): one", map[string]string{"lib/VERSION": "1.0.0\n"}),
		dev.Commit("docs: two", map[string]string{"README.md": "x\n"}),
		dev.Commit("fix(lib): three", map[string]string{"lib/VERSION": "1.0.1\n"}),
	)
	dev.Git("tag", "-a", "-m", "release", "lib-v1.0.0", shas[0])
	dev.Git("remote", "add", "origin", url)
	dev.Git("push", "-q", "origin", "main", "--tags")
	clone = gitfixture.Clone(t, url, "--depth", "1", "--no-tags")
	clone.Git("remote", "set-url", "origin", "http://127.0.0.1:1/gone.git")
	client, err := ghapi.New(ghapi.Options{Token: token, BaseURL: api.URL(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return api, client, clone, shas
}

func TestLayeredFallsBackToTheAPI(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	api, client, clone, shas := setup(t)
	repo, err := gitrepo.Open(clone.Dir, gitrepo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	src := &history.Layered{
		Primary:  &history.Git{Repo: repo},
		Fallback: &history.API{Client: client.Client, Owner: "acme", Repo: "mono"},
		Logf:     func(f string, a ...any) { notes = append(notes, f) },
	}

	// Head is local: no API call.
	api.ResetCounts()
	if got, err := src.ReadFile(ctx, shas[2], "lib/VERSION"); err != nil || string(got) != "1.0.1\n" {
		t.Errorf("ReadFile(head) = %q, %v", got, err)
	}
	if n := api.Total(); n != 0 {
		t.Errorf("ReadFile of a local commit made %d API calls, want 0", n)
	}
	// The first commit is beyond the shallow boundary and the remote is gone: the API answers.
	if got, err := src.ReadFile(ctx, shas[0], "lib/VERSION"); err != nil || string(got) != "1.0.0\n" {
		t.Errorf("ReadFile(first) = %q, %v, want 1.0.0 from the API", got, err)
	}
	if _, err := src.ReadFile(ctx, shas[0], "nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(missing path) error = %v, want fs.ErrNotExist", err)
	}
	if ok, err := src.IsAncestor(ctx, shas[0], shas[2]); err != nil || !ok {
		t.Errorf("IsAncestor(first, head) = %v, %v, want true", ok, err)
	}
	if ok, err := src.IsAncestor(ctx, shas[2], shas[0]); err != nil || ok {
		t.Errorf("IsAncestor(head, first) = %v, %v, want false", ok, err)
	}
	log, err := src.Log(ctx, shas[0], shas[2], "lib")
	if err != nil || len(log) != 1 || log[0].SHA != shas[2] {
		t.Errorf("Log(first..head, lib) = %+v, %v, want only the third commit", log, err)
	}
	all, err := src.Log(ctx, shas[0], shas[2])
	if err != nil || len(all) != 2 || all[0].SHA != shas[2] {
		t.Errorf("Log(first..head) = %+v, %v, want newest first", all, err)
	}
	tags, err := src.Tags(ctx, "lib-v")
	if err != nil || len(tags) != 1 || tags[0].Commit != shas[0] {
		t.Errorf("Tags(lib-v) = %+v, %v, want lib-v1.0.0 peeled to the first commit", tags, err)
	}
	if sha, err := src.Resolve(ctx, shas[0]); err != nil || sha != shas[0] {
		t.Errorf("Resolve(first) = %q, %v", sha, err)
	}
	if len(notes) == 0 {
		t.Error("the fallback was not logged")
	}
}

func TestLayeredWithoutAPISaysHowToFix(t *testing.T) {
	t.Parallel()
	_, _, clone, shas := setup(t)
	repo, err := gitrepo.Open(clone.Dir, gitrepo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	src := &history.Layered{Primary: &history.Git{Repo: repo}}
	_, err = src.ReadFile(t.Context(), shas[0], "lib/VERSION")
	if !errors.Is(err, history.ErrNeedsHistory) || !strings.Contains(err.Error(), "fetch-depth: 0") {
		t.Errorf("ReadFile beyond the shallow boundary error = %v, want ErrNeedsHistory naming fetch-depth", err)
	}
	if _, err := src.Tags(t.Context(), "lib-v"); !errors.Is(err, history.ErrNeedsHistory) {
		t.Errorf("Tags on a shallow clone with its remote gone error = %v, want ErrNeedsHistory", err)
	}
}
