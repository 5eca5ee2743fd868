package manifest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shipkit-dev/shipkit/internal/ghapi"
	"github.com/shipkit-dev/shipkit/test/containers"
	"github.com/shipkit-dev/shipkit/test/ghemu"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
	"github.com/shipkit-dev/shipkit/test/gitserver"
	"github.com/shipkit-dev/shipkit/test/localgh"
	"github.com/shipkit-dev/shipkit/test/localgh/localghtest"
)

const (
	owner   = "acme"
	repo    = "mono"
	devPath = "infra/argocd/overlays/dev/kustomization.yaml"
	newTag  = "sha-0badcafe"
	appName = "ghcr.io/acme/acme-app"
)

// world is a local GitHub holding the example monorepo, and a developer's clone of it.
type world struct {
	gh  *localgh.GitHub
	dev *gitfixture.Repo
}

func newWorld(t *testing.T) *world {
	t.Helper()
	gh := localghtest.New(t, owner, repo)
	dev := gitfixture.Init(t)
	dev.Git("remote", "add", "origin", gh.CloneURL(owner, repo))
	dev.CopyTree(filepath.Join(containers.RepoRoot(t), "examples", "monorepo"))
	dev.Commit("chore: import the example", nil)
	dev.Git("push", "-q", "origin", "main")
	return &world{gh: gh, dev: dev}
}

// client returns a go-github client for the emulator; fast retries.
func (w *world) client(t *testing.T) *ghapi.Client {
	t.Helper()
	c, err := ghapi.New(ghapi.Options{Token: localghtest.Token, BaseURL: w.gh.API.URL(), Sleep: func(ctx context.Context, d time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *world) api(t *testing.T) *API {
	return &API{Client: w.client(t).Client, Owner: owner, Repo: repo}
}

// serverFile reads a file of the branch on the git server.
func (w *world) serverFile(t *testing.T, branch, p string) string {
	t.Helper()
	w.dev.Git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*")
	return w.dev.Git("show", "origin/"+branch+":"+p)
}

func baseConfig() Config {
	return Config{
		Environment: "dev", PathTemplate: DefaultPathTemplate, Target: Target{Image: appName, Tag: newTag},
		Owner: owner, Repo: repo, Branch: "main", Method: MethodAPI, CommitMessage: DefaultCommitMessage,
		Author: DefaultAuthor, Fallback: []string{FallbackPullRequest, FallbackIssue}, PRBranch: DefaultPRBranch,
		MaxAttempts: DefaultMaxAttempts, ServerURL: "http://github.invalid", Backoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond,
	}
}

func TestAPIHappyPath(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	api := w.api(t)
	cfg := baseConfig()
	cfg.Branch = "" // read from the API: one more call, still within the budget
	w.gh.API.ResetCounts()
	res, err := Run(t.Context(), cfg, Deps{Store: api, Forge: api})
	if err != nil {
		t.Fatal(err)
	}
	if calls := w.gh.API.Total(); calls > 4 {
		t.Errorf("one file, no race: %d API calls, want at most 4: %v", calls, w.gh.API.Counts())
	}
	t.Logf("one file: %d API calls %v", w.gh.API.Total(), w.gh.API.Counts())
	if res.Outcome != ResultPushed || res.Attempts != 1 || res.PreviousTag() != "sha-3f2a9c1e" {
		t.Errorf("Run() = %s after %d attempts, previous tag %q; want pushed, 1, sha-3f2a9c1e", res.Outcome, res.Attempts, res.PreviousTag())
	}
	got := w.serverFile(t, "main", devPath)
	if !strings.Contains(got, "newTag: "+newTag+" # updated by shipkit") {
		t.Errorf("dev overlay on the server:\n%s", got)
	}
	if msg := w.dev.Git("log", "-1", "--format=%s%n%an", "origin/main"); msg != "chore: update dev image to "+newTag+" [skip ci]\ngithub-actions[bot]" {
		t.Errorf("commit = %q", msg)
	}
	if sha := w.dev.Git("rev-parse", "origin/main"); sha != res.Commit {
		t.Errorf("main is at %s, result says %s", sha, res.Commit)
	}

	// A rerun changes nothing, and makes no commit.
	w.gh.API.ResetCounts()
	res, err = Run(t.Context(), cfg, Deps{Store: api, Forge: api})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != ResultUnchanged || res.Commit != "" {
		t.Errorf("rerun: Run() = %s, commit %q; want unchanged, none", res.Outcome, res.Commit)
	}
	t.Logf("rerun: %d API calls", w.gh.API.Total())
}

func TestAPISeveralFiles(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	api := w.api(t)
	cfg := baseConfig()
	cfg.Environment = ""
	cfg.Files = []string{devPath, "infra/argocd/overlays/prod/kustomization.yaml"}
	cfg.CommitMessage = "chore: update {image} to {tag}"
	w.gh.API.ResetCounts()
	res, err := Run(t.Context(), cfg, Deps{Store: api, Forge: api})
	if err != nil {
		t.Fatal(err)
	}
	if calls := w.gh.API.Total(); calls > 6 {
		t.Errorf("two files: %d API calls, want at most 6: %v", calls, w.gh.API.Counts())
	}
	t.Logf("two files: %d API calls %v", w.gh.API.Total(), w.gh.API.Counts())
	if res.Outcome != ResultPushed || len(res.ChangedFiles()) != 2 {
		t.Fatalf("Run() = %s, files %v; want pushed, 2 files", res.Outcome, res.ChangedFiles())
	}
	w.serverFile(t, "main", devPath)
	if n := w.dev.Git("rev-list", "--count", "origin/main"); n != "2" {
		t.Errorf("main has %s commits, want 2 (both files in one commit)", n)
	}
	if files := w.dev.Git("show", "--name-only", "--format=", "origin/main"); strings.Count(files, "kustomization.yaml") != 2 {
		t.Errorf("the commit changed %q, want both overlays", files)
	}

	// Globs find the same files: one call more, for the tree.
	cfg.Files = []string{"infra/**/kustomization.yaml"}
	cfg.Target.Tag = "sha-12345678"
	w.gh.API.ResetCounts()
	res, err = Run(t.Context(), cfg, Deps{Store: api, Forge: api})
	if err != nil {
		t.Fatal(err)
	}
	// The base kustomization has no images: it gets an entry too, as kustomize would add one.
	if res.Outcome != ResultPushed || len(res.ChangedFiles()) != 3 {
		t.Errorf("glob: Run() = %s, files %v; want pushed, 3 files", res.Outcome, res.ChangedFiles())
	}
	t.Logf("glob over 3 files: %d API calls %v", w.gh.API.Total(), w.gh.API.Counts())
}

// racingStore makes another writer win between the first read and the first write.
type racingStore struct {
	Store
	once  sync.Once
	other func()
}

func (s *racingStore) Write(ctx context.Context, snap Snapshot, files []File, msg string, author Person) (string, error) {
	s.once.Do(s.other)
	return s.Store.Write(ctx, snap, files, msg, author)
}

func TestAPIRaceRetried(t *testing.T) {
	t.Parallel()
	for _, files := range [][]string{{devPath}, {devPath, "infra/argocd/overlays/prod/kustomization.yaml"}} {
		t.Run(fmt.Sprintf("%d files", len(files)), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			api := w.api(t)
			cfg := baseConfig()
			cfg.Environment, cfg.Files = "", files
			store := &racingStore{Store: api, other: func() {
				// Another pipeline adds a sidecar image to the dev overlay and pushes first.
				data, err := os.ReadFile(filepath.Join(w.dev.Dir, devPath))
				if err != nil {
					t.Error(err)
					return
				}
				w.dev.Commit("chore: add redis", map[string]string{devPath: string(data) + "  - name: redis\n    newTag: \"7.4\"\n"})
				w.dev.Git("push", "-q", "origin", "main")
			}}
			res, err := Run(t.Context(), cfg, Deps{Store: store, Forge: api})
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != ResultPushed || res.Attempts != 2 || res.Races != 1 {
				t.Errorf("Run() = %s after %d attempts (%d races), want pushed after 2 (1 race)", res.Outcome, res.Attempts, res.Races)
			}
			got := w.serverFile(t, "main", devPath)
			if !strings.Contains(got, "newTag: "+newTag) || !strings.Contains(got, "name: redis") {
				t.Errorf("a write was lost; the dev overlay is:\n%s", got)
			}
		})
	}
}

func TestAPIFaultsRetried(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault ghemu.Fault
	}{
		{name: "5xx on the write", fault: func() ghemu.Fault {
			f := ghemu.ServerError()
			f.OperationID, f.Times = "repos/create-or-update-file-contents", 1
			return f
		}()},
		{name: "secondary rate limit on the read", fault: func() ghemu.Fault {
			f := ghemu.SecondaryRateLimit(time.Second)
			f.OperationID, f.Times = "repos/get-content", 1
			return f
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			api := w.api(t)
			w.gh.API.InjectFault(tt.fault)
			res, err := Run(t.Context(), baseConfig(), Deps{Store: api, Forge: api})
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != ResultPushed {
				t.Errorf("Run() = %s, want pushed", res.Outcome)
			}
			if got := w.serverFile(t, "main", devPath); !strings.Contains(got, newTag) {
				t.Errorf("the tag is not on the server:\n%s", got)
			}
		})
	}
}

func TestAPIProtectedBranch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		protection   ghemu.Protection
		denyPulls    bool
		severalFiles bool // the Git Data API's ref update is refused (422), not the contents API (409)
		want         string
	}{
		{name: "pull request required", protection: ghemu.Protection{RequirePullRequest: true}, want: ResultPullRequest},
		{name: "ruleset", protection: ghemu.Protection{RequirePullRequest: true, Ruleset: true}, want: ResultPullRequest},
		{name: "required checks", protection: ghemu.Protection{RequiredChecks: []string{"ci"}}, want: ResultPullRequest},
		{name: "ref update refused", protection: ghemu.Protection{RequirePullRequest: true}, severalFiles: true, want: ResultPullRequest},
		{name: "pull requests not permitted", protection: ghemu.Protection{RequirePullRequest: true}, denyPulls: true, want: ResultIssue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			api := w.api(t)
			w.gh.API.Protect(owner, repo, "main", tt.protection)
			w.gh.API.DenyActionsPullRequests(owner, repo, tt.denyPulls)
			before := w.dev.Git("rev-parse", "HEAD")
			cfg := baseConfig()
			cfg.PRLabels = []string{"deploy"}
			if tt.severalFiles {
				cfg.Environment, cfg.Files = "", []string{devPath, "infra/argocd/overlays/prod/kustomization.yaml"}
				cfg.PRBranch = "shipkit/update-dev-{tag}"
			}
			res, err := Run(t.Context(), cfg, Deps{Store: api, Forge: api})
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != tt.want || !res.PendingApproval() {
				t.Fatalf("Run() = %s (pending %v), want %s, pending", res.Outcome, res.PendingApproval(), tt.want)
			}
			if res.Attempts != 1 {
				t.Errorf("a denial was retried: %d attempts", res.Attempts)
			}
			if main := w.serverFile(t, "main", devPath); strings.Contains(main, newTag) {
				t.Error("the protected branch was written")
			}
			_ = before
			branch := "shipkit/update-dev-" + newTag
			if got := w.serverFile(t, branch, devPath); !strings.Contains(got, "newTag: "+newTag+" # updated by shipkit") {
				t.Errorf("branch %s lacks the change:\n%s", branch, got)
			}
			if msg := w.dev.Git("log", "-1", "--format=%s", "origin/"+branch); strings.Contains(msg, "skip ci") {
				t.Errorf("the proposal's commit %q would skip the checks it needs", msg)
			}
			if !strings.Contains(res.Summary(), "Pending manual approval") {
				t.Errorf("summary lacks pending manual approval:\n%s", res.Summary())
			}
			switch tt.want {
			case ResultPullRequest:
				prs := w.gh.API.PullRequests(owner, repo)
				if len(prs) != 1 || prs[0].Head != branch || prs[0].Base != "main" || res.PR.Number != prs[0].Number {
					t.Fatalf("pull requests = %+v, result #%d; want one from %s", prs, res.PR.Number, branch)
				}
				// A rerun, with a newer tag, updates the open pull request instead of opening another.
				cfg.Target.Tag = "sha-11111111"
				cfg.PRBranch = "shipkit/update-{environment}"
				res1, err := Run(t.Context(), cfg, Deps{Store: api, Forge: api})
				if err != nil {
					t.Fatal(err)
				}
				// The rerun asks for another label and a reviewer: the updated pull request gets them.
				cfg.PRLabels = []string{"deploy", "urgent"}
				cfg.PRReviewers = []string{"alice"}
				res2, err := Run(t.Context(), cfg, Deps{Store: api, Forge: api})
				if err != nil {
					t.Fatal(err)
				}
				if !res2.Updated || res2.PR.Number != res1.PR.Number || len(w.gh.API.PullRequests(owner, repo)) != 2 {
					t.Errorf("rerun: updated %v, #%d vs #%d, %d pull requests; want the same one updated", res2.Updated, res2.PR.Number, res1.PR.Number, len(w.gh.API.PullRequests(owner, repo)))
				}
				for _, pr := range w.gh.API.PullRequests(owner, repo) {
					if pr.Number != res2.PR.Number {
						continue
					}
					if !slices.Contains(pr.Labels, "deploy") || !slices.Contains(pr.Labels, "urgent") || !slices.Contains(pr.Reviewers, "alice") {
						t.Errorf("updated pull request labels %v reviewers %v, want deploy, urgent and alice", pr.Labels, pr.Reviewers)
					}
				}
			case ResultIssue:
				issues := w.gh.API.Issues(owner, repo)
				if len(issues) != 1 || !strings.Contains(issues[0].Body, "compare/main...shipkit/update-dev-"+newTag) || !strings.Contains(issues[0].Body, "+    newTag: "+newTag) {
					t.Fatalf("issues = %+v, want one with the compare link and the diff", issues)
				}
				res2, err := Run(t.Context(), cfg, Deps{Store: api, Forge: api})
				if err != nil {
					t.Fatal(err)
				}
				if !res2.Updated || len(w.gh.API.Issues(owner, repo)) != 1 {
					t.Errorf("rerun: updated %v, %d issues; want the one issue updated", res2.Updated, len(w.gh.API.Issues(owner, repo)))
				}
			}
		})
	}
}

func TestAPIFallbackNone(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	api := w.api(t)
	w.gh.API.Protect(owner, repo, "main", ghemu.Protection{RequirePullRequest: true})
	cfg := baseConfig()
	cfg.Fallback = []string{FallbackNone}
	_, err := Run(t.Context(), cfg, Deps{Store: api, Forge: api})
	if err == nil || !strings.Contains(err.Error(), "Changes must be made through a pull request") {
		t.Errorf("Run() = %v, want the denial", err)
	}
	if prs := w.gh.API.PullRequests(owner, repo); len(prs) != 0 {
		t.Errorf("fallback none opened %d pull requests", len(prs))
	}
}

func TestRollback(t *testing.T) {
	t.Parallel()
	for _, method := range Methods {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			api := w.api(t)
			cfg := baseConfig()
			for _, tag := range []string{"sha-11111111", "sha-22222222"} {
				cfg.Target.Tag = tag
				if _, err := Run(t.Context(), cfg, Deps{Store: api, Forge: api}); err != nil {
					t.Fatal(err)
				}
			}
			cfg.Target.Tag, cfg.Rollback = "", true
			var store Store = api
			if method == MethodGit {
				cfg.Method = MethodGit
				store = &Git{Dir: gitfixture.Clone(t, w.gh.CloneURL(owner, repo)).Dir}
			}
			res, err := Run(t.Context(), cfg, Deps{Store: store, Forge: api})
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != ResultPushed || res.RollbackTo != ":sha-11111111" || res.RollbackFrom != ":sha-22222222" {
				t.Errorf("rollback = %s from %q to %q, want pushed from sha-22222222 to sha-11111111", res.Outcome, res.RollbackFrom, res.RollbackTo)
			}
			if got := w.serverFile(t, "main", devPath); !strings.Contains(got, "newTag: sha-11111111 # updated by shipkit") {
				t.Errorf("after the rollback the overlay is:\n%s", got)
			}
			if !strings.Contains(res.Summary(), "Rollback: chose `sha-11111111`") {
				t.Errorf("the summary does not say which tag it chose:\n%s", res.Summary())
			}
		})
	}
}

func TestGitMethod(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	api := w.api(t)
	checkout := gitfixture.Clone(t, w.gh.CloneURL(owner, repo), "--depth", "1")
	path := filepath.Join(checkout.Dir, devPath)
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	cfg := baseConfig()
	cfg.Method = MethodGit
	store := &Git{Dir: checkout.Dir}
	res, err := Run(t.Context(), cfg, Deps{Store: store, Forge: api})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != ResultPushed {
		t.Fatalf("Run() = %s, want pushed", res.Outcome)
	}
	if got := w.serverFile(t, "main", devPath); !strings.Contains(got, "newTag: "+newTag+" # updated by shipkit") {
		t.Errorf("dev overlay on the server:\n%s", got)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("the file's mode is %v (%v), want 0640 kept", fi.Mode().Perm(), err)
	}
	if st := checkout.Git("status", "--porcelain"); st != "" {
		t.Errorf("the working tree is dirty after the push:\n%s", st)
	}

	// Someone pushes meanwhile: the next run's push is rejected, it fetches, resets, re-applies.
	data, _ := os.ReadFile(filepath.Join(w.dev.Dir, "infra/argocd/overlays/prod/kustomization.yaml"))
	w.dev.Git("pull", "-q", "origin", "main")
	w.dev.Commit("chore: touch prod", map[string]string{"infra/argocd/overlays/prod/kustomization.yaml": string(data) + "# touched\n"})
	w.dev.Git("push", "-q", "origin", "main")
	cfg.Target.Tag = "sha-22222222"
	res, err = Run(t.Context(), cfg, Deps{Store: store, Forge: api})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != ResultPushed || res.Races != 1 {
		t.Errorf("Run() = %s with %d races, want pushed after 1", res.Outcome, res.Races)
	}
	if got := w.serverFile(t, "main", "infra/argocd/overlays/prod/kustomization.yaml"); !strings.Contains(got, "# touched") {
		t.Error("the other push was lost")
	}

	// Protected on the git server: the push is refused with GH006, the change goes to a PR.
	for _, rule := range []gitserver.Rule{gitserver.RequirePullRequest, gitserver.Ruleset} {
		if err := w.gh.Git.Protect(owner, repo, "main", rule); err != nil {
			t.Fatal(err)
		}
		cfg.Target.Tag = "sha-3333333" + fmt.Sprint(int(rule))
		res, err = Run(t.Context(), cfg, Deps{Store: store, Forge: api})
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != ResultPullRequest || res.Attempts != 1 || !strings.Contains(res.Denial, "Changes must be made through a pull request") {
			t.Errorf("%v: Run() = %s after %d attempts, denial %q; want pull-request after 1", rule, res.Outcome, res.Attempts, res.Denial)
		}
		if got := w.serverFile(t, "shipkit/update-dev-"+cfg.Target.Tag, devPath); !strings.Contains(got, cfg.Target.Tag) {
			t.Errorf("%v: the proposal branch lacks the change:\n%s", rule, got)
		}
		if st := checkout.Git("status", "--porcelain"); st != "" {
			t.Errorf("%v: the working tree is dirty after the fallback:\n%s", rule, st)
		}
	}

	// Pull requests not permitted: an issue; a rerun updates it.
	w.gh.API.DenyActionsPullRequests(owner, repo, true)
	cfg.Target.Tag = "sha-44444444"
	for range 2 {
		res, err = Run(t.Context(), cfg, Deps{Store: store, Forge: api})
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != ResultIssue || res.IssueURL == "" {
			t.Errorf("Run() = %s, issue %q; want issue", res.Outcome, res.IssueURL)
		}
	}
	if issues := w.gh.API.Issues(owner, repo); len(issues) != 1 {
		t.Errorf("%d issues, want 1 (updated on the rerun)", len(issues))
	}
}
