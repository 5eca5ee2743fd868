package versionbump_test

import (
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/internal/runner"
	"github.com/shipkit-dev/shipkit/internal/tagname"
	"github.com/shipkit-dev/shipkit/internal/versionbump"
	"github.com/shipkit-dev/shipkit/test/ghemu"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
	"github.com/shipkit-dev/shipkit/test/localgh/localghtest"
)

const token = localghtest.Token

// fixture is a repository on the local GitHub with a developer's clone of it.
type fixture struct {
	t   *testing.T
	api *ghemu.Server
	dev *gitfixture.Repo // the developer's clone
	url string           // clone URL with credentials
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	gh := localghtest.New(t, "acme", "mono")
	url := gh.CloneURL("acme", "mono")
	dev := gitfixture.Init(t)
	dev.Git("remote", "add", "origin", url)
	return &fixture{t: t, api: gh.API, dev: dev, url: url}
}

// checkout clones the repository as actions/checkout does: depth 1 by default (0 = full history).
func (f *fixture) checkout(depth int, rev string) string {
	f.t.Helper()
	args := []string{}
	if depth > 0 {
		args = append(args, "--depth", "1", "--no-tags")
	}
	c := gitfixture.Clone(f.t, f.url, args...)
	if rev != "" {
		c.Git("fetch", "-q", "--depth", "1", "origin", rev)
		c.Git("checkout", "-q", rev)
	}
	return c.Dir
}

// run runs version-bump-detect in the checkout dir, connected the way main connects it.
func (f *fixture) run(dir string, cfg versionbump.Config) (*versionbump.Result, *runner.Env, error) {
	f.t.Helper()
	env, err := runner.Connect(f.t.Context(), runner.Options{Workspace: dir, Repository: "acme/mono", APIURL: f.api.URL(), Token: token})
	if err != nil {
		f.t.Fatal(err)
	}
	root, err := env.Repo.Root()
	if err != nil {
		f.t.Fatal(err)
	}
	deps := versionbump.Deps{History: env.History, Root: root, GitHub: &versionbump.RESTGitHub{Client: env.API.Client, Owner: "acme", Repo: "mono"}}
	res, err := versionbump.Run(f.t.Context(), cfg, deps)
	return res, env, err
}

func config(t *testing.T, ev runner.Event, mutate func(*versionbump.Config)) versionbump.Config {
	t.Helper()
	tmpl, err := tagname.Parse("{name}-v{version}")
	if err != nil {
		t.Fatal(err)
	}
	cfg := versionbump.Config{
		Files:        []string{"pyproject.toml", "packages/*/pyproject.toml"},
		TagTemplate:  tmpl,
		ReleaseNotes: versionbump.NotesGitHub,
		Event:        ev,
		RootDir:      "mono",
	}
	if mutate != nil {
		mutate(&cfg)
	}
	return cfg
}

func pyproject(name, version string) string {
	return "[project]\nname = \"" + name + "\"\nversion = \"" + version + "\"\n"
}

// seed pushes an initial monorepo with released tags and returns its commit.
func (f *fixture) seed() string {
	f.t.Helper()
	c := f.dev.Commit("chore: initial import", map[string]string{
		"pyproject.toml":               pyproject("acme-app", "1.4.0"),
		"packages/lib/pyproject.toml":  pyproject("acme-lib", "0.3.0"),
		"packages/lib/src/lib.py":      "x = 1\n",
		"packages/tool/pyproject.toml": pyproject("acme-tool", "2.0.0"),
	})
	f.dev.Git("tag", "acme-lib-v0.3.0")
	f.dev.Git("tag", "acme-app-v1.4.0")
	f.dev.Git("push", "-q", "origin", "main", "--tags")
	return c
}

func byName(res *versionbump.Result) map[string]versionbump.Package {
	m := map[string]versionbump.Package{}
	for _, p := range res.Packages {
		m[p.Name] = p
	}
	return m
}

func TestMultiCommitPushOnShallowClone(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	before := f.seed()
	f.dev.Commit("chore(lib): release 0.4.0", map[string]string{"packages/lib/pyproject.toml": pyproject("acme-lib", "0.4.0")})
	f.dev.Commit("feat(lib): more", map[string]string{"packages/lib/src/lib.py": "x = 2\n"})
	after := f.dev.Commit("docs: readme", map[string]string{"README.md": "hi\n"})
	f.dev.Git("push", "-q", "origin", "main")

	dir := f.checkout(1, "")
	ev := runner.Event{Name: "push", Before: before, After: after, SHA: after}
	f.api.ResetCounts()
	res, env, err := f.run(dir, config(t, ev, func(c *versionbump.Config) { c.CreateRelease = true }))
	if err != nil {
		t.Fatal(err)
	}
	if env.Repo.Fetches() == 0 {
		t.Error("the shallow clone answered without fetching the push's base commit")
	}
	got := byName(res)
	lib := got["acme-lib"]
	if !lib.Changed || lib.Version != "0.4.0" || lib.PreviousVersion != "0.3.0" || lib.Tag != "acme-lib-v0.4.0" || !lib.TagCreated || lib.ReleaseURL == "" {
		t.Errorf("acme-lib = %+v, want bumped 0.3.0 -> 0.4.0, tagged and released", lib)
	}
	for _, n := range []string{"acme-app", "acme-tool"} {
		if got[n].Changed {
			t.Errorf("%s changed = true, want false (%s)", n, got[n].Reason)
		}
	}
	if res.Outcome() != versionbump.ResultBumped {
		t.Errorf("Outcome() = %q, want bumped", res.Outcome())
	}
	// Tag + GitHub notes + draft + publish: the budget is 4 calls per created tag and release.
	// The tag comes first, on its own, because a shallow clone shows no tags: GitHub would
	// attach a release to an existing tag at another commit without a word.
	if n := f.api.Total(); n > 4 {
		t.Errorf("API calls = %d, want at most 4 for one tag and release", n)
	}
	if sha := f.dev.Git("ls-remote", "origin", "refs/tags/acme-lib-v0.4.0"); !strings.HasPrefix(sha, after) {
		t.Errorf("tag acme-lib-v0.4.0 on the server = %q, want it at %s", sha, after)
	}
	rels := f.api.Releases("acme", "mono")
	if len(rels) != 1 || rels[0].TagName != "acme-lib-v0.4.0" || rels[0].Draft || rels[0].Prerelease {
		t.Errorf("releases = %+v, want one published release acme-lib-v0.4.0", rels)
	}

	// A rerun of the same job creates nothing and still reports the release.
	f.api.ResetCounts()
	res, _, err = f.run(dir, config(t, ev, func(c *versionbump.Config) { c.CreateRelease = true }))
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	lib = byName(res)["acme-lib"]
	if lib.TagCreated || lib.ReleaseURL == "" {
		t.Errorf("rerun acme-lib = %+v, want tag-created=false with the existing release", lib)
	}
	if n := len(f.api.Releases("acme", "mono")); n != 1 {
		t.Errorf("releases after the rerun = %d, want 1", n)
	}

	// A rerun in a clone whose tags are stale (a reused workspace that never fetched the new
	// tag): the tag is found taken at this commit, and its release is reported, not created a
	// second time.
	stale := gitfixture.Clone(t, f.url)
	stale.Git("tag", "-d", "acme-lib-v0.4.0")
	res, _, err = f.run(stale.Dir, config(t, ev, func(c *versionbump.Config) { c.CreateRelease = true }))
	if err != nil {
		t.Fatalf("rerun in a clone with stale tags: %v", err)
	}
	lib = byName(res)["acme-lib"]
	if lib.TagCreated || lib.ReleaseURL == "" {
		t.Errorf("rerun in a clone with stale tags: acme-lib = %+v, want tag-created=false with the existing release", lib)
	}
	if n := len(f.api.Releases("acme", "mono")); n != 1 {
		t.Errorf("releases after the rerun in a clone with stale tags = %d, want 1", n)
	}
}

func TestNewBranchAndForcePushCompareWithTags(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	base := f.seed()
	f.dev.Commit("chore: lib 0.5.0", map[string]string{"packages/lib/pyproject.toml": pyproject("acme-lib", "0.5.0")})
	head := f.dev.Commit("chore: app 1.4.0 unchanged", map[string]string{"src/app.py": "pass\n"})
	f.dev.Git("push", "-q", "origin", "main")
	dir := f.checkout(0, "")

	for _, ev := range []runner.Event{
		{Name: "push", Before: runner.ZeroSHA, After: head},
		{Name: "workflow_dispatch", SHA: head},
	} {
		res, _, err := f.run(dir, config(t, ev, func(c *versionbump.Config) { c.DryRun = true }))
		if err != nil {
			t.Fatalf("%s: %v", ev.Name, err)
		}
		got := byName(res)
		if lib := got["acme-lib"]; !lib.Changed || lib.PreviousVersion != "0.3.0" || lib.BaseRef != "acme-lib-v0.3.0" {
			t.Errorf("%s: acme-lib = %+v, want bumped from tag acme-lib-v0.3.0", ev.Name, lib)
		}
		if app := got["acme-app"]; app.Changed {
			t.Errorf("%s: acme-app = %+v, want unchanged (1.4.0 is tagged)", ev.Name, app)
		}
		if tool := got["acme-tool"]; !tool.Changed || tool.PreviousVersion != "" {
			t.Errorf("%s: acme-tool = %+v, want a first version (no tag)", ev.Name, tool)
		}
	}

	// Force push: the old tip is not an ancestor any more, so tags are the base.
	f.dev.Git("reset", "-q", "--hard", base)
	rewritten := f.dev.Commit("chore: lib 0.6.0 (rewritten)", map[string]string{"packages/lib/pyproject.toml": pyproject("acme-lib", "0.6.0")})
	f.dev.Git("push", "-q", "--force", "origin", "main")
	dir = f.checkout(0, "")
	res, _, err := f.run(dir, config(t, runner.Event{Name: "push", Before: head, After: rewritten, Forced: true}, func(c *versionbump.Config) { c.DryRun = true }))
	if err != nil {
		t.Fatal(err)
	}
	if lib := byName(res)["acme-lib"]; !lib.Changed || lib.PreviousVersion != "0.3.0" {
		t.Errorf("force push: acme-lib = %+v, want 0.3.0 -> 0.6.0 from the tag", lib)
	}
}

func TestExistingTag(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	before := f.seed()
	after := f.dev.Commit("chore: lib 0.4.0", map[string]string{"packages/lib/pyproject.toml": pyproject("acme-lib", "0.4.0")})
	f.dev.Git("tag", "acme-lib-v0.4.0")
	f.dev.Git("push", "-q", "origin", "main", "--tags")
	ev := runner.Event{Name: "push", Before: before, After: after}

	res, _, err := f.run(f.checkout(0, ""), config(t, ev, func(c *versionbump.Config) { c.CreateTag = true }))
	if err != nil {
		t.Fatalf("tag at the same commit: %v", err)
	}
	if lib := byName(res)["acme-lib"]; !lib.Changed || lib.TagCreated {
		t.Errorf("acme-lib = %+v, want bumped with tag-created=false", lib)
	}

	// The same version tagged at another commit: fail, naming both, create nothing.
	f.dev.Git("tag", "-f", "acme-lib-v0.4.0", before)
	f.dev.Git("push", "-q", "-f", "origin", "refs/tags/acme-lib-v0.4.0")
	f.api.ResetCounts()
	_, _, err = f.run(f.checkout(1, ""), config(t, ev, func(c *versionbump.Config) { c.CreateRelease = true }))
	if err == nil || !strings.Contains(err.Error(), before) || !strings.Contains(err.Error(), after) {
		t.Fatalf("tag at another commit: error = %v, want one naming %s and %s", err, before, after)
	}
	if n := len(f.api.Releases("acme", "mono")); n != 0 {
		t.Errorf("releases = %d, want none created", n)
	}
}

func TestPrereleaseIsNormalisedAndMarked(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	before := f.seed()
	after := f.dev.Commit("chore: lib rc", map[string]string{"packages/lib/pyproject.toml": pyproject("acme-lib", "1.0.0-rc.1")})
	f.dev.Git("push", "-q", "origin", "main")
	res, _, err := f.run(f.checkout(1, ""), config(t, runner.Event{Name: "push", Before: before, After: after}, func(c *versionbump.Config) {
		c.CreateRelease = true
		c.ReleaseNotes = versionbump.NotesCommits
	}))
	if err != nil {
		t.Fatal(err)
	}
	lib := byName(res)["acme-lib"]
	if lib.Version != "1.0.0rc1" || lib.Tag != "acme-lib-v1.0.0rc1" || !lib.Prerelease {
		t.Errorf("acme-lib = %+v, want 1.0.0rc1, tag acme-lib-v1.0.0rc1, prerelease", lib)
	}
	rels := f.api.Releases("acme", "mono")
	if len(rels) != 1 || !rels[0].Prerelease || !strings.Contains(rels[0].Body, "lib rc") {
		t.Errorf("releases = %+v, want one pre-release with commit notes", rels)
	}
}

func TestDryRunWithLocalHistoryCallsNoAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	before := f.seed()
	after := f.dev.Commit("chore: lib 0.4.0", map[string]string{"packages/lib/pyproject.toml": pyproject("acme-lib", "0.4.0")})
	f.dev.Git("push", "-q", "origin", "main")
	dir := f.checkout(0, "")
	f.api.ResetCounts()
	res, _, err := f.run(dir, config(t, runner.Event{Name: "push", Before: before, After: after}, func(c *versionbump.Config) {
		c.CreateRelease, c.DryRun = true, true
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !byName(res)["acme-lib"].Changed {
		t.Error("acme-lib not bumped")
	}
	if n := f.api.Total(); n != 0 {
		t.Errorf("API calls in a dry run with full history = %d, want 0", n)
	}
}

func TestBadInputCreatesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	before := f.seed()
	tests := []struct {
		name    string
		files   map[string]string
		mutate  func(*versionbump.Config)
		wantErr string
	}{
		{name: "decreased", files: map[string]string{"packages/lib/pyproject.toml": pyproject("acme-lib", "0.2.0")},
			wantErr: "packages/lib/pyproject.toml:3: version decreased from 0.3.0 to 0.2.0"},
		{name: "invalid", files: map[string]string{"packages/lib/pyproject.toml": pyproject("acme-lib", "0.4.x")},
			wantErr: "packages/lib/pyproject.toml:3:"},
		{name: "malformed", files: map[string]string{"packages/lib/pyproject.toml": "[project\nname = 1\n"},
			wantErr: "packages/lib/pyproject.toml:1"},
		{name: "glob matches nothing", mutate: func(c *versionbump.Config) { c.Files = []string{"charts/*/Chart.yaml"} },
			wantErr: `"charts/*/Chart.yaml" matches no manifest`},
		{name: "unknown base", mutate: func(c *versionbump.Config) { c.Base = strings.Repeat("ab", 20) },
			wantErr: `input "base"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			branch := strings.ReplaceAll(tt.name, " ", "-")
			f.dev.Git("checkout", "-q", "-B", branch, before)
			after := f.dev.Commit("change", tt.files)
			f.dev.Git("push", "-q", "-f", "origin", branch)
			f.api.ResetCounts()
			cfg := config(t, runner.Event{Name: "push", Before: before, After: after}, func(c *versionbump.Config) { c.CreateRelease = true })
			if tt.mutate != nil {
				tt.mutate(&cfg)
			}
			c := gitfixture.Clone(t, f.url)
			c.Git("checkout", "-q", after)
			_, _, err := f.run(c.Dir, cfg)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
			if n := len(f.api.Releases("acme", "mono")); n != 0 {
				t.Errorf("releases = %d, want none", n)
			}
		})
	}
}
