package promote

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shipkit-dev/shipkit/internal/ghapi"
	"github.com/shipkit-dev/shipkit/test/ghemu"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
	"github.com/shipkit-dev/shipkit/test/localgh"
	"github.com/shipkit-dev/shipkit/test/localgh/localghtest"
	"github.com/shipkit-dev/shipkit/test/registry"
)

const (
	prodOverlay = "infra/argocd/overlays/prod/kustomization.yaml"
	appImage    = "ghcr.io/acme/acme-app"
	currentTag  = "sha-3f2a9c1e" // the example's prod overlay
)

// Budgets from the issue, counted by the emulator.
const (
	budgetCreateREST = 5
	budgetGraphQL    = 1
	budgetUpdate     = 4
	budgetImage      = 8
)

// world is the example monorepo on a local GitHub, a developer's clone of it, and an API
// client whose waits are recorded instead of slept.
type world struct {
	gh  *localgh.GitHub
	dev *gitfixture.Repo
	api *API
	cl  *ghapi.Client

	mu     sync.Mutex
	sleeps []time.Duration
}

func newWorld(t *testing.T) *world {
	t.Helper()
	gh := localghtest.New(t, "acme", "mono")
	dev := gitfixture.Init(t)
	dev.Git("remote", "add", "origin", gh.CloneURL("acme", "mono"))
	dev.CopyTree(filepath.Join("..", "..", "examples", "monorepo"))
	dev.Commit("chore: import the example", nil)
	dev.Git("push", "-q", "origin", "main")
	w := &world{gh: gh, dev: dev}
	cl, err := ghapi.New(ghapi.Options{Token: localghtest.Token, BaseURL: gh.API.URL(), Sleep: func(ctx context.Context, d time.Duration) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.sleeps = append(w.sleeps, d)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	w.cl = cl
	w.api = &API{Client: cl.Client, Owner: "acme", Repo: "mono"}
	return w
}

// run runs cfg with counts reset; it returns the REST and GraphQL requests made.
func (w *world) run(t *testing.T, cfg Config, reg Registry) (*Result, int, int, error) {
	t.Helper()
	w.gh.API.ResetCounts()
	res, err := Run(t.Context(), cfg, Deps{GitHub: w.api, Registry: reg, Logf: t.Logf})
	gql := w.gh.API.Count(ghemu.GraphQLOperation)
	return res, w.gh.API.Total() - gql, gql, err
}

// serverFile reads a file of a branch on the git server.
func (w *world) serverFile(t *testing.T, branch, p string) string {
	t.Helper()
	w.dev.Git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*")
	return w.dev.Git("show", "origin/"+branch+":"+p)
}

func imageConfig(tag string) Config {
	return Config{
		Mode: ModeImage, Owner: "acme", Repo: "mono", Base: "main", Image: appImage, Tag: tag,
		Environment: "prod", PathTemplate: DefaultPathTemplate, Supersede: true,
		MergeMethod: MergeMerge, OnClean: OnCleanMerge, ServerURL: "https://github.example",
	}
}

func branchConfig() Config {
	return Config{
		Mode: ModeBranch, Owner: "acme", Repo: "mono", Head: "dev", Base: "main",
		MergeMethod: MergeMerge, OnClean: OnCleanMerge, ServerURL: "https://github.example",
	}
}

// TestImageCreateUpdateNothing promotes a tag to prod, reruns it, and promotes the tag prod
// already runs.
func TestImageCreateUpdateNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cfg := imageConfig("sha-0badcafe")
	cfg.Labels = []string{"promotion"}
	cfg.Reviewers = []string{"octo-reviewer"}

	res, rest, gql, err := w.run(t, cfg, nil)
	if err != nil {
		t.Fatalf("Run(create) = %v", err)
	}
	if res.Result != ResultOpened || res.Operation != OpCreated || res.PullRequest.Number != 1 || res.AutoMerge != AutoMergeOff {
		t.Errorf("Run(create) = %s/%s #%d auto-merge %s, want opened/created #1 off", res.Result, res.Operation, res.PullRequest.Number, res.AutoMerge)
	}
	if rest > budgetImage || gql != 0 {
		t.Errorf("Run(create) made %d REST and %d GraphQL requests, want at most %d and 0 (%v)", rest, gql, budgetImage, w.gh.API.Counts())
	}
	t.Logf("image mode, create with labels and reviewers: %d REST requests %v", rest, w.gh.API.Counts())
	prs := w.gh.API.PullRequests("acme", "mono")
	if len(prs) != 1 || prs[0].Head != "promote/prod-sha-0badcafe" || prs[0].Base != "main" || prs[0].Title != "Promote sha-0badcafe to prod" {
		t.Fatalf("PullRequests() = %+v, want one promote/prod-sha-0badcafe -> main", prs)
	}
	if !strings.Contains(prs[0].Body, "`sha-3f2a9c1e` → `sha-0badcafe`") || !strings.Contains(prs[0].Labels[0], "promotion") || prs[0].Reviewers[0] != "octo-reviewer" {
		t.Errorf("pull request body/labels/reviewers = %q %q %q", prs[0].Body, prs[0].Labels, prs[0].Reviewers)
	}
	if got := w.serverFile(t, "promote/prod-sha-0badcafe", prodOverlay); !strings.Contains(got, "newTag: sha-0badcafe # updated by shipkit") {
		t.Errorf("overlay on the branch:\n%s", got)
	}
	if got := w.serverFile(t, "main", prodOverlay); !strings.Contains(got, "newTag: "+currentTag) {
		t.Errorf("main changed before the merge:\n%s", got)
	}
	if res.HeadSHA == "" || res.Commit != res.HeadSHA || res.PreviousTag != currentTag {
		t.Errorf("head-sha %q, commit %q, previous tag %q; want the branch commit twice and %s", res.HeadSHA, res.Commit, res.PreviousTag, currentTag)
	}

	// A rerun finds the pull request and the branch as they should be: nothing is written.
	res, rest, _, err = w.run(t, cfg, nil)
	if err != nil {
		t.Fatalf("Run(rerun) = %v", err)
	}
	if res.Result != ResultUpdated || res.Operation != OpUnchanged || res.PullRequest.Number != 1 {
		t.Errorf("Run(rerun) = %s/%s #%d, want updated/unchanged #1", res.Result, res.Operation, res.PullRequest.Number)
	}
	if rest > budgetImage {
		t.Errorf("Run(rerun) made %d REST requests, want at most %d", rest, budgetImage)
	}
	t.Logf("image mode, rerun: %d REST requests %v", rest, w.gh.API.Counts())
	if n := len(w.gh.API.PullRequests("acme", "mono")); n != 1 {
		t.Errorf("a rerun left %d pull requests, want 1", n)
	}

	// A changed title template updates the open pull request.
	cfg.Title, _ = ParseTemplate("Deploy {tag} to {environment}")
	res, rest, _, err = w.run(t, cfg, nil)
	if err != nil || res.Operation != OpUpdated || w.gh.API.PullRequests("acme", "mono")[0].Title != "Deploy sha-0badcafe to prod" {
		t.Errorf("Run(new title) = %v, operation %q, title %q", err, res.Operation, w.gh.API.PullRequests("acme", "mono")[0].Title)
	}
	t.Logf("image mode, update: %d REST requests", rest)

	// The tag prod already runs: nothing to promote, no pull request.
	res, rest, _, err = w.run(t, imageConfig(currentTag), nil)
	if err != nil || res.Result != ResultNothingToPromote || res.PullRequest.Number != 0 {
		t.Errorf("Run(current tag) = %v, %+v; want nothing-to-promote", err, res)
	}
	if rest > 2 {
		t.Errorf("Run(current tag) made %d REST requests, want 2 (ref, file)", rest)
	}
}

// TestImageSupersede promotes two tags in turn: the second closes the first with a comment.
func TestImageSupersede(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if _, _, _, err := w.run(t, imageConfig("sha-11111111"), nil); err != nil {
		t.Fatal(err)
	}
	res, rest, _, err := w.run(t, imageConfig("sha-22222222"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("image mode, create superseding one: %d REST requests", rest)
	prs := w.gh.API.PullRequests("acme", "mono")
	if len(prs) != 2 || prs[0].State != "closed" || prs[1].State != "open" || len(res.Superseded) != 1 || res.Superseded[0] != 1 {
		t.Fatalf("pull requests %+v, superseded %v; want #1 closed by #2", prs, res.Superseded)
	}
	if len(prs[0].Comments) != 1 || !strings.Contains(prs[0].Comments[0], "Superseded by #2 ("+res.PullRequest.URL+")") {
		t.Errorf("comment on #1 = %q, want a link to #2", prs[0].Comments)
	}

	// Turned off, an older promotion stays open.
	cfg := imageConfig("sha-33333333")
	cfg.Supersede = false
	if res, _, _, err = w.run(t, cfg, nil); err != nil || len(res.Superseded) != 0 {
		t.Fatalf("Run(supersede off) = %v, superseded %v", err, res.Superseded)
	}
	if prs = w.gh.API.PullRequests("acme", "mono"); prs[1].State != "open" {
		t.Errorf("#2 is %s with supersede off, want open", prs[1].State)
	}
}

// TestImageBranchLeftOver reruns after a run that stopped between the branch and the pull
// request, and after a stale branch of the same name.
func TestImageBranchLeftOver(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.dev.Git("push", "-q", "origin", "main:promote/prod-sha-44444444")
	res, _, _, err := w.run(t, imageConfig("sha-44444444"), nil)
	if err != nil || res.Result != ResultOpened {
		t.Fatalf("Run() = %v, %v; want opened", err, res)
	}
	if got := w.serverFile(t, "promote/prod-sha-44444444", prodOverlay); !strings.Contains(got, "newTag: sha-44444444") {
		t.Errorf("overlay on the branch:\n%s", got)
	}
}

// TestVerifyImage checks the tag in a registry: its digest goes into the body; a missing tag
// fails before anything is written.
func TestVerifyImage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	reg := registry.InProcess(t)
	image := reg.Host + "/acme/acme-app"
	w.dev.Commit("chore: image from the local registry", map[string]string{
		prodOverlay: "images:\n  - name: " + image + "\n    newTag: sha-3f2a9c1e\n",
	})
	w.dev.Git("push", "-q", "origin", "main")
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewTag(image + ":sha-55555555")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	digest, _ := img.Digest()

	cfg := imageConfig("sha-66666666")
	cfg.Image, cfg.VerifyImage = image, true
	_, rest, _, err := w.run(t, cfg, &OCIRegistry{})
	if err == nil || !strings.Contains(err.Error(), `the tag "sha-66666666" does not exist`) || !strings.Contains(err.Error(), "push the image first") {
		t.Errorf("Run(missing tag) = %v, want the tag named and the remedy", err)
	}
	if rest != 0 || len(w.gh.API.PullRequests("acme", "mono")) != 0 {
		t.Errorf("Run(missing tag) made %d API requests, want none", rest)
	}

	cfg.Tag = "sha-55555555"
	res, _, _, err := w.run(t, cfg, &OCIRegistry{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Digest != digest.String() || !strings.Contains(w.gh.API.PullRequests("acme", "mono")[0].Body, digest.String()) {
		t.Errorf("digest %q, body %q; want %s in both", res.Digest, w.gh.API.PullRequests("acme", "mono")[0].Body, digest)
	}
}

// TestPullRequestsNotPermitted opens an issue with a compare link instead.
func TestPullRequestsNotPermitted(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.gh.API.DenyActionsPullRequests("acme", "mono", true)
	res, _, _, err := w.run(t, imageConfig("sha-77777777"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Result != ResultPendingApproval || res.IssueURL == "" || res.PullRequest.Number != 0 {
		t.Errorf("Run() = %s, issue %q, PR #%d; want pending-approval with an issue", res.Result, res.IssueURL, res.PullRequest.Number)
	}
	issues := w.gh.API.Issues("acme", "mono")
	if len(issues) != 1 || !strings.Contains(issues[0].Body, "https://github.example/acme/mono/compare/main...promote/prod-sha-77777777?expand=1&title=Promote+sha-77777777+to+prod") {
		t.Errorf("Issues() = %+v, want one with the compare link", issues)
	}
}

// TestBranchMode promotes dev into main: create, update, nothing to promote.
func TestBranchMode(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cfg := branchConfig()
	if res, _, _, err := w.run(t, cfg, nil); err == nil {
		t.Fatalf("Run(no dev branch) = %+v, want an error naming the branch", res)
	} else if !strings.Contains(err.Error(), `comparing "main" with "dev"`) {
		t.Errorf("Run(no dev branch) = %v", err)
	}
	w.dev.Git("switch", "-q", "-c", "dev")
	w.dev.Git("push", "-q", "origin", "dev")
	if res, rest, _, err := w.run(t, cfg, nil); err != nil || res.Result != ResultNothingToPromote || rest != 1 {
		t.Errorf("Run(dev = main) = %v, %v, %d requests; want nothing-to-promote in 1", err, res, rest)
	}
	w.dev.Commit("feat: discount", map[string]string{"src/acme_app/discount.py": "RATE = 5\n"})
	head := w.dev.Commit("fix: round the discount", map[string]string{"src/acme_app/discount.py": "RATE = 5.0\n"})
	w.dev.Git("push", "-q", "origin", "dev")

	cfg.Labels = []string{"promotion"}
	res, rest, gql, err := w.run(t, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Result != ResultOpened || res.HeadSHA != head || rest > budgetCreateREST || gql != 0 {
		t.Errorf("Run(create) = %s head %s, %d REST %d GraphQL; want opened at %s within %d", res.Result, res.HeadSHA, rest, gql, head, budgetCreateREST)
	}
	t.Logf("branch mode, create with labels: %d REST requests %v", rest, w.gh.API.Counts())
	pr := w.gh.API.PullRequests("acme", "mono")[0]
	for _, want := range []string{"feat: discount", "fix: round the discount", "2 commit(s)", "/compare/main...dev"} {
		if !strings.Contains(pr.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, pr.Body)
		}
	}

	w.dev.Commit("docs: discount", map[string]string{"src/acme_app/README.md": "discount\n"})
	w.dev.Git("push", "-q", "origin", "dev")
	res, rest, _, err = w.run(t, cfg, nil)
	if err != nil || res.Result != ResultUpdated || res.Operation != OpUpdated || rest > budgetUpdate {
		t.Errorf("Run(update) = %v, %s/%s in %d requests; want updated within %d", err, res.Result, res.Operation, rest, budgetUpdate)
	}
	t.Logf("branch mode, update: %d REST requests %v", rest, w.gh.API.Counts())
	if prs := w.gh.API.PullRequests("acme", "mono"); len(prs) != 1 || !strings.Contains(prs[0].Body, "docs: discount") {
		t.Errorf("PullRequests() = %+v, want one, updated", prs)
	}
}

// TestAutoMerge arms auto-merge, merges a clean pull request through REST, and reports a
// repository without auto-merge.
func TestAutoMerge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		allow       bool
		checks      []string
		onClean     string
		wantResult  string
		wantAuto    string
		wantMerged  bool
		wantPending string
	}{
		{name: "armed", allow: true, checks: []string{"ci"}, onClean: OnCleanMerge, wantResult: ResultOpened, wantAuto: AutoMergeArmed},
		{name: "clean merged", allow: true, onClean: OnCleanMerge, wantResult: ResultMerged, wantAuto: AutoMergeMerged, wantMerged: true},
		{name: "clean reported", allow: true, onClean: OnCleanReport, wantResult: ResultPendingApproval, wantAuto: AutoMergeUnavailable, wantPending: "already clean"},
		{name: "not allowed", allow: false, onClean: OnCleanMerge, wantResult: ResultPendingApproval, wantAuto: AutoMergeUnavailable, wantPending: "does not allow auto-merge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.gh.API.AllowAutoMerge("acme", "mono", tt.allow)
			if len(tt.checks) > 0 {
				w.gh.API.Protect("acme", "mono", "main", ghemu.Protection{RequiredChecks: tt.checks})
			}
			w.dev.Git("switch", "-q", "-c", "dev")
			w.dev.Commit("feat: more", map[string]string{"more.txt": "more\n"})
			w.dev.Git("push", "-q", "origin", "dev")
			cfg := branchConfig()
			cfg.AutoMerge, cfg.OnClean = true, tt.onClean
			res, rest, gql, err := w.run(t, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Result != tt.wantResult || res.AutoMerge != tt.wantAuto || !strings.Contains(res.Pending, tt.wantPending) {
				t.Errorf("Run() = %s, auto-merge %s, pending %q; want %s, %s, %q", res.Result, res.AutoMerge, res.Pending, tt.wantResult, tt.wantAuto, tt.wantPending)
			}
			if rest > budgetCreateREST || gql > budgetGraphQL {
				t.Errorf("Run() made %d REST and %d GraphQL requests, want at most %d and %d", rest, gql, budgetCreateREST, budgetGraphQL)
			}
			t.Logf("branch mode, create with auto-merge (%s): %d REST + %d GraphQL %v", tt.name, rest, gql, w.gh.API.Counts())
			pr := w.gh.API.PullRequests("acme", "mono")[0]
			if pr.Merged != tt.wantMerged {
				t.Errorf("merged = %v, want %v", pr.Merged, tt.wantMerged)
			}
			_, armed := w.gh.API.AutoMerge("acme", "mono", pr.Number)
			if armed != (tt.wantAuto == AutoMergeArmed) {
				t.Errorf("armed in the emulator = %v, want %v", armed, tt.wantAuto == AutoMergeArmed)
			}
		})
	}
}

// TestDivergence warns when main has commits dev lacks (squash merges of promotions), and when
// the merge method is squash.
func TestDivergence(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.dev.Git("switch", "-q", "-c", "dev")
	w.dev.Commit("feat: one", map[string]string{"one.txt": "1\n"})
	w.dev.Git("push", "-q", "origin", "dev")
	cfg := branchConfig()
	cfg.MergeMethod = MergeSquash
	res, _, _, err := w.run(t, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "diverge") {
		t.Errorf("warnings = %q, want the squash warning", res.Warnings)
	}
	if _, _, err := w.api.Client.PullRequests.Merge(t.Context(), "acme", "mono", res.PullRequest.Number, "", nil); err != nil {
		t.Fatal(err)
	}
	w.dev.Commit("feat: two", map[string]string{"two.txt": "2\n"})
	w.dev.Git("push", "-q", "origin", "dev")
	cfg.MergeMethod = MergeMerge
	res, _, _, err = w.run(t, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "main is not an ancestor of dev") || !strings.Contains(res.Warnings[0], "git merge main") {
		t.Errorf("warnings = %q, want the divergence warning with its fix", res.Warnings)
	}
}

// TestSecondaryRateLimit honours Retry-After on the pull request's creation, then succeeds.
func TestSecondaryRateLimit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	f := ghemu.SecondaryRateLimit(3 * time.Second)
	f.OperationID, f.Times = "pulls/create", 1
	w.gh.API.InjectFault(f)
	res, _, _, err := w.run(t, imageConfig("sha-88888888"), nil)
	if err != nil || res.Result != ResultOpened {
		t.Fatalf("Run() = %v, %v; want opened after the wait", err, res)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.sleeps) != 1 || w.sleeps[0] < 3*time.Second {
		t.Errorf("waits = %v, want one of at least 3s (Retry-After)", w.sleeps)
	}
	if n := len(w.gh.API.PullRequests("acme", "mono")); n != 1 {
		t.Errorf("%d pull requests, want 1", n)
	}
}

// TestBadInput fails before any request, naming the input.
func TestBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{name: "unknown mode", edit: func(c *Config) { c.Mode = "tag" }, want: `input "mode": "tag" is not one of branch, image`},
		{name: "head is base", edit: func(c *Config) { c.Mode, c.Head, c.Image, c.Tag = ModeBranch, "main", "", "" }, want: `input "head": "main" is also the base`},
		{name: "no tag", edit: func(c *Config) { c.Tag = "" }, want: `input "tag": empty`},
		{name: "glob", edit: func(c *Config) { c.Files = []string{"infra/**/kustomization.yaml"} }, want: "is a glob"},
		{name: "draft with auto-merge", edit: func(c *Config) { c.Draft, c.AutoMerge = true, true }, want: `input "auto-merge"`},
		{name: "merge method", edit: func(c *Config) { c.MergeMethod = "fast-forward" }, want: `"fast-forward" is not one of merge, squash, rebase`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := imageConfig("sha-99999999")
			tt.edit(&cfg)
			res, err := Run(t.Context(), cfg, Deps{GitHub: failingGitHub{t}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run() = %v, %v; want an error with %q", res, err, tt.want)
			}
		})
	}
}

// TestMissingBase names the branch, and opens nothing.
func TestMissingBase(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cfg := imageConfig("sha-99999999")
	cfg.Base = "production"
	_, _, _, err := w.run(t, cfg, nil)
	if err == nil || !strings.Contains(err.Error(), `reading branch "production" of acme/mono: it does not exist`) {
		t.Errorf("Run(missing base) = %v", err)
	}
	if n := len(w.gh.API.PullRequests("acme", "mono")); n != 0 {
		t.Errorf("%d pull requests, want none", n)
	}
}

// failingGitHub fails the test on any call: bad input must not reach GitHub.
type failingGitHub struct{ t *testing.T }

var errUnexpected = errors.New("unexpected call")

func (f failingGitHub) fail(what string) error {
	f.t.Errorf("unexpected call: %s", what)
	return errUnexpected
}
func (f failingGitHub) Compare(context.Context, string, string) (Comparison, error) {
	return Comparison{}, f.fail("Compare")
}
func (f failingGitHub) OpenPullRequests(context.Context, string, string) ([]PullRequest, error) {
	return nil, f.fail("OpenPullRequests")
}
func (f failingGitHub) CreatePullRequest(context.Context, NewPullRequest) (PullRequest, error) {
	return PullRequest{}, f.fail("CreatePullRequest")
}
func (f failingGitHub) EditPullRequest(context.Context, int, string, string, []string) error {
	return f.fail("EditPullRequest")
}
func (f failingGitHub) RequestReviewers(context.Context, int, []string, []string) error {
	return f.fail("RequestReviewers")
}
func (f failingGitHub) Merge(context.Context, int, string, string) (string, error) {
	return "", f.fail("Merge")
}
func (f failingGitHub) Supersede(context.Context, int, string) error { return f.fail("Supersede") }
func (f failingGitHub) OpenIssue(context.Context, string, string, []string) (string, error) {
	return "", f.fail("OpenIssue")
}
func (f failingGitHub) EnableAutoMerge(context.Context, string, string) error {
	return f.fail("EnableAutoMerge")
}
func (f failingGitHub) BranchSHA(context.Context, string) (string, error) {
	return "", f.fail("BranchSHA")
}
func (f failingGitHub) ReadFile(context.Context, string, string) ([]byte, string, error) {
	return nil, "", f.fail("ReadFile")
}
func (f failingGitHub) CreateBranch(context.Context, string, string) error {
	return f.fail("CreateBranch")
}
func (f failingGitHub) ResetBranch(context.Context, string, string) error {
	return f.fail("ResetBranch")
}
func (f failingGitHub) WriteFile(context.Context, string, string, []byte, string, string) (string, error) {
	return "", f.fail("WriteFile")
}
