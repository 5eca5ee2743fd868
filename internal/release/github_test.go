package release

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/shipkit-dev/shipkit/internal/ghapi"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
	"github.com/shipkit-dev/shipkit/test/localgh/localghtest"
)

// releases pushes one commit per version (VERSION holding it) and returns their SHAs.
func releases(t *testing.T, versions ...string) (Repo, map[string]string, func(string) string) {
	t.Helper()
	gh := localghtest.New(t, "acme", "kit")
	dev := gitfixture.Init(t)
	dev.Git("remote", "add", "origin", gh.CloneURL("acme", "kit"))
	commits := map[string]string{}
	for _, v := range versions {
		commits[v] = dev.Commit("release "+v, map[string]string{"VERSION": strings.TrimPrefix(v, "v") + "\n"})
	}
	dev.Git("push", "-q", "origin", "main")
	c, err := ghapi.New(ghapi.Options{Token: localghtest.Token, BaseURL: gh.API.URL()})
	if err != nil {
		t.Fatal(err)
	}
	tagAt := func(tag string) string {
		sha, err := gh.API.Ref("acme", "kit", "refs/tags/"+tag)
		if err != nil {
			return ""
		}
		return sha
	}
	return Repo{Client: c, Owner: "acme", Name: "kit"}, commits, tagAt
}

func TestMoveMajorOnlyForward(t *testing.T) {
	repo, commits, tagAt := releases(t, "v1.3.0", "v1.4.0", "v1.3.5", "v1.5.0-rc.1", "v2.0.0")
	ctx := t.Context()
	steps := []struct {
		version, action, at string
	}{
		{"v1.3.0", "created", "v1.3.0"},
		{"v1.3.0", "unchanged", "v1.3.0"}, // a rerun
		{"v1.4.0", "moved", "v1.4.0"},
		{"v1.3.5", "kept", "v1.4.0"},      // a backport never moves it back
		{"v1.5.0-rc.1", "kept", "v1.4.0"}, // nor does a pre-release
	}
	for _, s := range steps {
		res, err := repo.MoveMajor(ctx, s.version, commits[s.version])
		if err != nil {
			t.Fatalf("MoveMajor(%s): %v", s.version, err)
		}
		if res.Action != s.action || tagAt("v1") != commits[s.at] {
			t.Fatalf("MoveMajor(%s) = %+v; v1 at %s, want %s and v1 at %s's commit", s.version, res, tagAt("v1"), s.action, s.at)
		}
	}
	res, err := repo.MoveMajor(ctx, "v2.0.0", commits["v2.0.0"])
	if err != nil || res.Tag != "v2" || res.Action != "created" || tagAt("v2") != commits["v2.0.0"] || tagAt("v1") != commits["v1.4.0"] {
		t.Fatalf("MoveMajor(v2.0.0) = %+v, %v", res, err)
	}
}

func TestMoveMajorBadInput(t *testing.T) {
	repo := Repo{}
	if _, err := repo.MoveMajor(t.Context(), "1.2.3", sha); err == nil {
		t.Error("a version without v was accepted")
	}
	if _, err := repo.MoveMajor(t.Context(), "v1.2.3", "HEAD"); err == nil {
		t.Error("a commit that is not a SHA was accepted")
	}
}

func TestPublishDraft(t *testing.T) {
	repo, commits, _ := releases(t, "v1.0.0")
	ctx := t.Context()
	if _, err := repo.Publish(ctx, "v1.0.0"); !errors.Is(err, ErrNoRelease) {
		t.Fatalf("Publish without a release: %v, want ErrNoRelease", err)
	}
	_, _, err := repo.Client.Repositories.CreateRelease(ctx, "acme", "kit", &github.RepositoryRelease{
		TagName: github.String("v1.0.0"), TargetCommitish: github.String(commits["v1.0.0"]), Draft: github.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := repo.Publish(ctx, "v1.0.0")
	if err != nil || res.Action != "published" || res.URL == "" {
		t.Fatalf("Publish = %+v, %v", res, err)
	}
	rel, _, err := repo.Client.Repositories.GetReleaseByTag(ctx, "acme", "kit", "v1.0.0")
	if err != nil || rel.GetDraft() {
		t.Fatalf("the release after Publish: draft %v, %v", rel.GetDraft(), err)
	}
	if res, err := repo.Publish(ctx, "v1.0.0"); err != nil || res.Action != "unchanged" {
		t.Fatalf("Publish again = %+v, %v", res, err)
	}
}

func TestPlan(t *testing.T) {
	repo, commits, _ := releases(t, "v1.0.0")
	ctx := t.Context()
	p, err := repo.Plan(ctx, []byte("1.0.0\n"))
	if err != nil || !p.Release || p.Tag != "v1.0.0" || p.Version != "1.0.0" {
		t.Fatalf("Plan before the tag = %+v, %v", p, err)
	}
	if _, _, err := repo.Client.Git.CreateRef(ctx, "acme", "kit", &github.Reference{
		Ref: github.String("refs/tags/v1.0.0"), Object: &github.GitObject{SHA: github.String(commits["v1.0.0"])},
	}); err != nil {
		t.Fatal(err)
	}
	if p, err := repo.Plan(ctx, []byte("v1.0.0")); err != nil || p.Release {
		t.Fatalf("Plan after the tag = %+v, %v", p, err)
	}
	if _, err := repo.Plan(ctx, []byte("one\n")); err == nil || !strings.Contains(err.Error(), "VERSION:1") {
		t.Fatalf("Plan of a bad VERSION: %v, want an error naming VERSION:1", err)
	}
}
