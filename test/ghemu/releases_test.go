package ghemu

import (
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
)

func TestReleases(t *testing.T) {
	t.Parallel()
	s, gh, f := setup(t)
	ctx := t.Context()
	head := f.git("rev-parse", "HEAD")

	// A published release for a missing tag creates the tag at the target.
	rel, resp, err := gh.Repositories.CreateRelease(ctx, testOwner, testRepo, &github.RepositoryRelease{
		TagName: github.String("mono-v1.1.0"), Name: github.String("mono 1.1.0"), TargetCommitish: github.String("main"),
	})
	if code(resp) != 201 {
		t.Fatalf("CreateRelease(mono-v1.1.0) = %d %v, want 201", code(resp), err)
	}
	if rel.GetDraft() || rel.PublishedAt == nil {
		t.Errorf("CreateRelease() draft %v published %v, want a published release", rel.GetDraft(), rel.PublishedAt)
	}
	tags, err := s.Tags(testOwner, testRepo)
	if err != nil || tags["mono-v1.1.0"] != head {
		t.Errorf("Tags()[mono-v1.1.0] = %q, %v, want %s", tags["mono-v1.1.0"], err, head)
	}
	_, resp, err = gh.Repositories.CreateRelease(ctx, testOwner, testRepo, &github.RepositoryRelease{TagName: github.String("mono-v1.1.0")})
	if e, ok := err.(*github.ErrorResponse); code(resp) != 422 || !ok || len(e.Errors) != 1 || e.Errors[0].Code != "already_exists" {
		t.Errorf("CreateRelease(duplicate) = %d %v, want 422 already_exists", code(resp), err)
	}
	if _, resp, _ := gh.Repositories.CreateRelease(ctx, testOwner, testRepo, &github.RepositoryRelease{TagName: github.String("x"), TargetCommitish: github.String("nope")}); code(resp) != 422 {
		t.Errorf("CreateRelease(unknown target) = %d, want 422", code(resp))
	}

	// A draft has no tag and is not found by tag; publishing creates it.
	draft, _, err := gh.Repositories.CreateRelease(ctx, testOwner, testRepo, &github.RepositoryRelease{
		TagName: github.String("mono-v1.2.0-rc.1"), Draft: github.Bool(true), Prerelease: github.Bool(true), TargetCommitish: github.String(head),
	})
	if err != nil {
		t.Fatalf("CreateRelease(draft) = %v", err)
	}
	if tags, _ := s.Tags(testOwner, testRepo); tags["mono-v1.2.0-rc.1"] != "" {
		t.Errorf("a draft release created tag mono-v1.2.0-rc.1, want no tag")
	}
	if _, resp, _ := gh.Repositories.GetReleaseByTag(ctx, testOwner, testRepo, "mono-v1.2.0-rc.1"); code(resp) != 404 {
		t.Errorf("GetReleaseByTag(draft) = %d, want 404", code(resp))
	}
	if got, _, err := gh.Repositories.GetRelease(ctx, testOwner, testRepo, draft.GetID()); err != nil || !got.GetDraft() {
		t.Errorf("GetRelease(draft id) = %v, %v, want the draft", got, err)
	}
	pub, _, err := gh.Repositories.EditRelease(ctx, testOwner, testRepo, draft.GetID(), &github.RepositoryRelease{Draft: github.Bool(false)})
	if err != nil || pub.GetDraft() || pub.PublishedAt == nil {
		t.Fatalf("EditRelease(draft=false) = %v, %v, want published", pub, err)
	}
	if tags, _ := s.Tags(testOwner, testRepo); tags["mono-v1.2.0-rc.1"] != head {
		t.Errorf("publishing created tag mono-v1.2.0-rc.1 at %q, want %s", tags["mono-v1.2.0-rc.1"], head)
	}
	if got, _, err := gh.Repositories.GetReleaseByTag(ctx, testOwner, testRepo, "mono-v1.2.0-rc.1"); err != nil || got.GetID() != draft.GetID() {
		t.Errorf("GetReleaseByTag(published) = %v, %v, want release %d", got, err, draft.GetID())
	}
	if _, resp, _ := gh.Repositories.GetRelease(ctx, testOwner, testRepo, 999999); code(resp) != 404 {
		t.Errorf("GetRelease(unknown) = %d, want 404", code(resp))
	}

	// Latest skips pre-releases.
	latest, _, err := gh.Repositories.GetLatestRelease(ctx, testOwner, testRepo)
	if err != nil || latest.GetTagName() != "mono-v1.1.0" {
		t.Errorf("GetLatestRelease() = %q, %v, want mono-v1.1.0", latest.GetTagName(), err)
	}
	list, _, err := gh.Repositories.ListReleases(ctx, testOwner, testRepo, nil)
	if err != nil || len(list) != 2 || list[0].GetTagName() != "mono-v1.2.0-rc.1" {
		t.Errorf("ListReleases() = %d releases, %v, want 2, newest first", len(list), err)
	}
	if got := s.Releases(testOwner, testRepo); len(got) != 2 || got[0].TagName != "mono-v1.1.0" {
		t.Errorf("Releases() = %+v, want mono-v1.1.0 then mono-v1.2.0-rc.1", got)
	}

	tagList, _, err := gh.Repositories.ListTags(ctx, testOwner, testRepo, nil)
	var names []string
	for _, tg := range tagList {
		names = append(names, tg.GetName())
	}
	if got, want := strings.Join(names, " "), "v1.0.0 mono-v1.2.0-rc.1 mono-v1.1.0"; err != nil || got != want {
		t.Errorf("ListTags() = %q, %v, want %q", got, err, want)
	}
}

func TestGenerateReleaseNotes(t *testing.T) {
	t.Parallel()
	_, gh, f := setup(t)
	ctx := t.Context()
	f.commit("fix: handle empty input", map[string]string{"src/app/main.py": "print(3)\n"})
	f.push("main")

	notes, _, err := gh.Repositories.GenerateReleaseNotes(ctx, testOwner, testRepo, &github.GenerateNotesOptions{
		TagName: "v1.1.0", PreviousTagName: github.String("v1.0.0"), TargetCommitish: github.String("main"),
	})
	if err != nil {
		t.Fatalf("GenerateReleaseNotes() = %v", err)
	}
	if notes.Name != "v1.1.0" {
		t.Errorf("GenerateReleaseNotes().Name = %q, want v1.1.0", notes.Name)
	}
	for _, want := range []string{"## What's Changed", "* fix: handle empty input by @ada", "* feat: bump to 1.1.0 by @ada", "/compare/v1.0.0...v1.1.0"} {
		if !strings.Contains(notes.Body, want) {
			t.Errorf("GenerateReleaseNotes().Body = %q, want it to contain %q", notes.Body, want)
		}
	}
	if strings.Contains(notes.Body, "feat: first") {
		t.Errorf("GenerateReleaseNotes().Body = %q, want no commit of v1.0.0", notes.Body)
	}
	if _, resp, _ := gh.Repositories.GenerateReleaseNotes(ctx, testOwner, testRepo, &github.GenerateNotesOptions{TagName: "v9", PreviousTagName: github.String("nope")}); code(resp) != 404 {
		t.Errorf("GenerateReleaseNotes(unknown previous tag) = %d, want 404", code(resp))
	}

	// With generate_release_notes, the release gets the notes since the
	// latest release.
	if _, _, err := gh.Repositories.CreateRelease(ctx, testOwner, testRepo, &github.RepositoryRelease{TagName: github.String("v1.0.0")}); err != nil {
		t.Fatal(err)
	}
	rel, _, err := gh.Repositories.CreateRelease(ctx, testOwner, testRepo, &github.RepositoryRelease{TagName: github.String("v1.1.0"), GenerateReleaseNotes: github.Bool(true)})
	if err != nil {
		t.Fatalf("CreateRelease(generate_release_notes) = %v", err)
	}
	if rel.GetName() != "v1.1.0" || !strings.Contains(rel.GetBody(), "fix: handle empty input") || strings.Contains(rel.GetBody(), "feat: first") {
		t.Errorf("CreateRelease(generate_release_notes) = name %q body %q, want notes since v1.0.0", rel.GetName(), rel.GetBody())
	}
}
