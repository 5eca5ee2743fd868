package ghemu

import (
	"fmt"
	"testing"

	"github.com/google/go-github/v60/github"
)

func TestIssues(t *testing.T) {
	t.Parallel()
	s, gh, _ := setup(t)
	ctx := t.Context()

	is, resp, err := gh.Issues.Create(ctx, testOwner, testRepo, &github.IssueRequest{
		Title: github.String("Deploy sha-1234abcd to prod"), Body: github.String("needs approval"), Labels: &[]string{"deploy"},
	})
	if code(resp) != 201 {
		t.Fatalf("Issues.Create() = %d %v, want 201", code(resp), err)
	}
	if is.GetNumber() != 1 || len(is.Labels) != 1 || is.Labels[0].GetName() != "deploy" {
		t.Errorf("Issues.Create() = #%d labels %v, want #1 [deploy]", is.GetNumber(), is.Labels)
	}
	if _, resp, _ := gh.Issues.Create(ctx, testOwner, testRepo, &github.IssueRequest{Body: github.String("no title")}); code(resp) != 422 {
		t.Errorf("Issues.Create(no title) = %d, want 422", code(resp))
	}
	expectRejected(t, s, "issues/create")
	// go-github's AddLabelsToIssue sends a bare array, which GitHub accepts
	// but its OpenAPI description does not: send the documented object.
	addLabels := func(number int, body any) ([]*github.Label, *github.Response, error) {
		req, err := gh.NewRequest("POST", fmt.Sprintf("repos/%s/%s/issues/%d/labels", testOwner, testRepo, number), body)
		if err != nil {
			t.Fatal(err)
		}
		var labels []*github.Label
		resp, err := gh.Do(ctx, req, &labels)
		return labels, resp, err
	}
	labels, _, err := addLabels(1, map[string]any{"labels": []any{"prod", map[string]string{"name": "deploy"}}})
	if err != nil || len(labels) != 2 {
		t.Errorf("add-labels = %d labels, %v, want 2", len(labels), err)
	}
	if _, resp, _ := addLabels(99, map[string]any{"labels": []string{"x"}}); code(resp) != 404 {
		t.Errorf("add-labels(99) = %d, want 404", code(resp))
	}
	cm, resp, err := gh.Issues.CreateComment(ctx, testOwner, testRepo, 1, &github.IssueComment{Body: github.String("still pending")})
	if code(resp) != 201 || cm.GetBody() != "still pending" {
		t.Errorf("Issues.CreateComment() = %d %v, want 201", code(resp), err)
	}
	if _, resp, _ := gh.Issues.CreateComment(ctx, testOwner, testRepo, 99, &github.IssueComment{Body: github.String("x")}); code(resp) != 404 {
		t.Errorf("Issues.CreateComment(99) = %d, want 404", code(resp))
	}

	tests := []struct {
		name string
		opts github.IssueListByRepoOptions
		want int
	}{
		{name: "open", want: 1},
		{name: "by label", opts: github.IssueListByRepoOptions{Labels: []string{"prod"}}, want: 1},
		{name: "other label", opts: github.IssueListByRepoOptions{Labels: []string{"nope"}}, want: 0},
		{name: "closed", opts: github.IssueListByRepoOptions{State: "closed"}, want: 0},
	}
	for _, tt := range tests {
		list, _, err := gh.Issues.ListByRepo(ctx, testOwner, testRepo, &tt.opts)
		if err != nil || len(list) != tt.want {
			t.Errorf("%s: Issues.ListByRepo() = %d, %v, want %d", tt.name, len(list), err, tt.want)
		}
	}

	upd, _, err := gh.Issues.Edit(ctx, testOwner, testRepo, 1, &github.IssueRequest{State: github.String("closed")})
	if err != nil || upd.GetState() != "closed" || upd.ClosedAt == nil {
		t.Errorf("Issues.Edit(closed) = %q, %v, want closed", upd.GetState(), err)
	}
	if _, resp, _ := gh.Issues.Edit(ctx, testOwner, testRepo, 99, &github.IssueRequest{State: github.String("closed")}); code(resp) != 404 {
		t.Errorf("Issues.Edit(99) = %d, want 404", code(resp))
	}
	got := s.Issues(testOwner, testRepo)
	if len(got) != 1 || got[0].State != "closed" || len(got[0].Comments) != 1 || len(got[0].Labels) != 2 {
		t.Errorf("Issues() = %+v, want one closed issue with a comment and two labels", got)
	}
}

func TestStatusesAndChecks(t *testing.T) {
	t.Parallel()
	s, gh, f := setup(t)
	ctx := t.Context()
	head := f.git("rev-parse", "HEAD")

	cs, _, err := gh.Repositories.GetCombinedStatus(ctx, testOwner, testRepo, "main", nil)
	if err != nil || cs.GetState() != "pending" || cs.GetTotalCount() != 0 {
		t.Errorf("GetCombinedStatus(no statuses) = %q %d, %v, want pending 0", cs.GetState(), cs.GetTotalCount(), err)
	}
	tests := []struct {
		name string
		st   Status
		want string
	}{
		{name: "pending", st: Status{Context: "ci", State: "pending"}, want: "pending"},
		{name: "success", st: Status{Context: "ci", State: "success"}, want: "success"},
		{name: "another fails", st: Status{Context: "scan", State: "failure", Description: "CRITICAL"}, want: "failure"},
	}
	for _, tt := range tests {
		if err := s.SetStatus(testOwner, testRepo, head, tt.st); err != nil {
			t.Fatal(err)
		}
		cs, _, err := gh.Repositories.GetCombinedStatus(ctx, testOwner, testRepo, head, nil)
		if err != nil || cs.GetState() != tt.want {
			t.Errorf("%s: GetCombinedStatus() = %q, %v, want %q", tt.name, cs.GetState(), err, tt.want)
		}
	}
	if _, resp, _ := gh.Repositories.GetCombinedStatus(ctx, testOwner, testRepo, "nope", nil); code(resp) != 404 {
		t.Errorf("GetCombinedStatus(nope) = %d, want 404", code(resp))
	}

	if err := s.SetCheckRun(testOwner, testRepo, "main", CheckRun{Name: "build", Status: "in_progress"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCheckRun(testOwner, testRepo, "main", CheckRun{Name: "build", Status: "completed", Conclusion: "success"}); err != nil {
		t.Fatal(err)
	}
	runs, _, err := gh.Checks.ListCheckRunsForRef(ctx, testOwner, testRepo, "main", nil)
	if err != nil || runs.GetTotal() != 1 || runs.CheckRuns[0].GetConclusion() != "success" {
		t.Errorf("ListCheckRunsForRef() = %v, %v, want one successful run", runs, err)
	}
	if err := s.SetStatus(testOwner, testRepo, "nope", Status{Context: "x", State: "success"}); err == nil {
		t.Errorf("SetStatus(nope) = nil, want an error")
	}
}
