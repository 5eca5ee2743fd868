package ghemu

import (
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
)

func TestPullRequests(t *testing.T) {
	t.Parallel()
	s, gh, f := setup(t)
	ctx := t.Context()
	f.git("checkout", "-q", "-b", "promote/prod")
	f.commit("chore: promote sha-1234abcd to prod", map[string]string{"infra/prod/kustomization.yaml": "newTag: sha-1234abcd\n"})
	f.push("promote/prod")
	f.git("checkout", "-q", "main")

	newPR := &github.NewPullRequest{Title: github.String("Promote to prod"), Head: github.String("acme:promote/prod"), Base: github.String("main"), Body: github.String("body")}
	pr, resp, err := gh.PullRequests.Create(ctx, testOwner, testRepo, newPR)
	if code(resp) != 201 {
		t.Fatalf("PullRequests.Create() = %d %v, want 201", code(resp), err)
	}
	if pr.GetNumber() != 1 || pr.GetHead().GetRef() != "promote/prod" || pr.GetState() != "open" {
		t.Errorf("PullRequests.Create() = #%d %s %s, want #1 promote/prod open", pr.GetNumber(), pr.GetHead().GetRef(), pr.GetState())
	}
	_, resp, err = gh.PullRequests.Create(ctx, testOwner, testRepo, newPR)
	if e, ok := err.(*github.ErrorResponse); code(resp) != 422 || !ok || len(e.Errors) != 1 || e.Errors[0].Message != "A pull request already exists for acme:promote/prod." {
		t.Errorf("PullRequests.Create(duplicate) = %d %v, want 422 \"A pull request already exists for acme:promote/prod.\"", code(resp), err)
	}
	if _, resp, _ := gh.PullRequests.Create(ctx, testOwner, testRepo, &github.NewPullRequest{Title: github.String("t"), Head: github.String("nope"), Base: github.String("main")}); code(resp) != 422 {
		t.Errorf("PullRequests.Create(unknown head) = %d, want 422", code(resp))
	}
	s.DenyActionsPullRequests(testOwner, testRepo, true)
	_, resp, err = gh.PullRequests.Create(ctx, testOwner, testRepo, newPR)
	if code(resp) != 403 || errMessage(err) != "GitHub Actions is not permitted to create or approve pull requests." {
		t.Errorf("PullRequests.Create(denied) = %d %q, want 403", code(resp), errMessage(err))
	}
	s.DenyActionsPullRequests(testOwner, testRepo, false)

	tests := []struct {
		name string
		opts github.PullRequestListOptions
		want int
	}{
		{name: "open", want: 1},
		{name: "by head", opts: github.PullRequestListOptions{Head: "acme:promote/prod"}, want: 1},
		{name: "other head", opts: github.PullRequestListOptions{Head: "acme:other"}, want: 0},
		{name: "by base", opts: github.PullRequestListOptions{Base: "dev"}, want: 0},
		{name: "closed", opts: github.PullRequestListOptions{State: "closed"}, want: 0},
	}
	for _, tt := range tests {
		list, _, err := gh.PullRequests.List(ctx, testOwner, testRepo, &tt.opts)
		if err != nil || len(list) != tt.want {
			t.Errorf("%s: PullRequests.List() = %d, %v, want %d", tt.name, len(list), err, tt.want)
		}
	}

	got, _, err := gh.PullRequests.Get(ctx, testOwner, testRepo, 1)
	if err != nil || !got.GetMergeable() || got.GetCommits() != 1 || got.GetChangedFiles() != 1 {
		t.Errorf("PullRequests.Get(1) = mergeable %v commits %d files %d, %v, want mergeable, 1, 1", got.GetMergeable(), got.GetCommits(), got.GetChangedFiles(), err)
	}
	if _, resp, _ := gh.PullRequests.Get(ctx, testOwner, testRepo, 99); code(resp) != 404 {
		t.Errorf("PullRequests.Get(99) = %d, want 404", code(resp))
	}
	if upd, _, err := gh.PullRequests.Edit(ctx, testOwner, testRepo, 1, &github.PullRequest{Title: github.String("Promote sha-1234abcd")}); err != nil || upd.GetTitle() != "Promote sha-1234abcd" {
		t.Errorf("PullRequests.Edit(title) = %q, %v", upd.GetTitle(), err)
	}
	if _, resp, _ := gh.PullRequests.Edit(ctx, testOwner, testRepo, 99, &github.PullRequest{Title: github.String("x")}); code(resp) != 404 {
		t.Errorf("PullRequests.Edit(99) = %d, want 404", code(resp))
	}
	if _, _, err := gh.PullRequests.RequestReviewers(ctx, testOwner, testRepo, 1, github.ReviewersRequest{Reviewers: []string{"octocat"}}); err != nil {
		t.Errorf("PullRequests.RequestReviewers() = %v", err)
	}
	if _, resp, _ := gh.PullRequests.RequestReviewers(ctx, testOwner, testRepo, 1, github.ReviewersRequest{Reviewers: []string{actorLogin}}); code(resp) != 422 {
		t.Errorf("PullRequests.RequestReviewers(author) = %d, want 422", code(resp))
	}

	// Required checks block the merge until they pass.
	s.Protect(testOwner, testRepo, "main", Protection{RequirePullRequest: true, RequiredChecks: []string{"ci"}})
	if _, resp, _ := gh.PullRequests.Merge(ctx, testOwner, testRepo, 1, "", nil); code(resp) != 405 {
		t.Errorf("PullRequests.Merge(checks missing) = %d, want 405", code(resp))
	}
	if err := s.SetCheckRun(testOwner, testRepo, "promote/prod", CheckRun{Name: "ci", Status: "completed", Conclusion: "success"}); err != nil {
		t.Fatal(err)
	}
	res, resp, err := gh.PullRequests.Merge(ctx, testOwner, testRepo, 1, "", &github.PullRequestOptions{MergeMethod: "merge"})
	if code(resp) != 200 || !res.GetMerged() {
		t.Fatalf("PullRequests.Merge() = %d %v, want 200 merged", code(resp), err)
	}
	if main := f.bareGit("rev-parse", "main"); main != res.GetSHA() {
		t.Errorf("main = %s after merge, want %s", main, res.GetSHA())
	}
	if parents := f.bareGit("rev-list", "--parents", "-n1", res.GetSHA()); len(strings.Fields(parents)) != 3 {
		t.Errorf("merge commit %q has %d parents, want 2", parents, len(strings.Fields(parents))-1)
	}
	if _, resp, _ := gh.PullRequests.Merge(ctx, testOwner, testRepo, 1, "", nil); code(resp) != 405 {
		t.Errorf("PullRequests.Merge(again) = %d, want 405", code(resp))
	}
	prs := s.PullRequests(testOwner, testRepo)
	if len(prs) != 1 || !prs[0].Merged || prs[0].State != "closed" || prs[0].Reviewers[0] != "octocat" {
		t.Errorf("PullRequests() = %+v, want one merged closed pull request with reviewer octocat", prs)
	}
	assoc, _, err := gh.PullRequests.ListPullRequestsWithCommit(ctx, testOwner, testRepo, res.GetSHA(), nil)
	if err != nil || len(assoc) != 1 {
		t.Errorf("ListPullRequestsWithCommit(merge commit) = %d, %v, want 1", len(assoc), err)
	}
}

func TestMergeConflict(t *testing.T) {
	t.Parallel()
	_, gh, f := setup(t)
	ctx := t.Context()
	f.git("checkout", "-q", "-b", "dev")
	f.commit("dev change", map[string]string{"README.md": "dev\n"})
	f.push("dev")
	f.git("checkout", "-q", "main")
	f.commit("main change", map[string]string{"README.md": "main\n"})
	f.push("main")
	if _, _, err := gh.PullRequests.Create(ctx, testOwner, testRepo, &github.NewPullRequest{Title: github.String("dev to main"), Head: github.String("dev"), Base: github.String("main")}); err != nil {
		t.Fatal(err)
	}
	pr, _, err := gh.PullRequests.Get(ctx, testOwner, testRepo, 1)
	if err != nil || pr.GetMergeable() || pr.GetMergeableState() != "dirty" {
		t.Errorf("PullRequests.Get(conflicting) = mergeable %v %q, %v, want false dirty", pr.GetMergeable(), pr.GetMergeableState(), err)
	}
	if _, resp, err := gh.PullRequests.Merge(ctx, testOwner, testRepo, 1, "", nil); code(resp) != 405 || errMessage(err) != "Pull Request is not mergeable" {
		t.Errorf("PullRequests.Merge(conflicting) = %d %q, want 405 \"Pull Request is not mergeable\"", code(resp), errMessage(err))
	}
}

func TestMergeMethods(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method  string
		parents int
		sameAs  bool // main ends at the head commit itself
	}{
		{method: "merge", parents: 2},
		{method: "squash", parents: 1},
		{method: "rebase", parents: 1, sameAs: true},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			t.Parallel()
			_, gh, f := setup(t)
			ctx := t.Context()
			f.git("checkout", "-q", "-b", "feature")
			head := f.commit("feat: x", map[string]string{"x.txt": "x\n"})
			f.push("feature")
			if _, _, err := gh.PullRequests.Create(ctx, testOwner, testRepo, &github.NewPullRequest{Title: github.String("X"), Head: github.String("feature"), Base: github.String("main")}); err != nil {
				t.Fatal(err)
			}
			res, _, err := gh.PullRequests.Merge(ctx, testOwner, testRepo, 1, "", &github.PullRequestOptions{MergeMethod: tt.method, SHA: head})
			if err != nil {
				t.Fatalf("PullRequests.Merge(%s) = %v", tt.method, err)
			}
			if got := len(strings.Fields(f.bareGit("rev-list", "--parents", "-n1", "main"))) - 1; got != tt.parents {
				t.Errorf("PullRequests.Merge(%s): main has %d parents, want %d", tt.method, got, tt.parents)
			}
			if (res.GetSHA() == head) != tt.sameAs {
				t.Errorf("PullRequests.Merge(%s).SHA = %s, head %s", tt.method, res.GetSHA(), head)
			}
			if got := f.bareGit("show", "main:x.txt"); got != "x" {
				t.Errorf("PullRequests.Merge(%s): x.txt on main = %q, want x", tt.method, got)
			}
		})
	}
}
