package ghemu

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
)

func TestWorkflowRuns(t *testing.T) {
	t.Parallel()
	s, gh, f := setup(t)
	ctx := t.Context()
	first, second := f.git("rev-parse", "v1.0.0"), f.git("rev-parse", "main")

	list := func(opts github.ListWorkflowRunsOptions) (*github.WorkflowRuns, *github.Response) {
		t.Helper()
		runs, resp, err := gh.Actions.ListRepositoryWorkflowRuns(ctx, testOwner, testRepo, &opts)
		if err != nil {
			t.Fatalf("ListRepositoryWorkflowRuns(%+v) = %v", opts, err)
		}
		return runs, resp
	}
	if runs, _ := list(github.ListWorkflowRunsOptions{}); runs.GetTotalCount() != 0 || len(runs.WorkflowRuns) != 0 {
		t.Errorf("ListRepositoryWorkflowRuns(no runs) = %d, %d runs, want 0", runs.GetTotalCount(), len(runs.WorkflowRuns))
	}

	ci := WorkflowRun{Name: "CI", Path: ".github/workflows/ci.yml"}
	release := WorkflowRun{Name: "Release", Path: ".github/workflows/release.yml"}
	adds := []struct {
		ref string
		run WorkflowRun
	}{
		{first, with(ci, "completed", "success")},             // 0: by SHA: no head_branch
		{"v1.0.0", with(release, "completed", "failure")},     // 1: head_branch v1.0.0
		{"main", with(ci, "completed", "success")},            // 2
		{"refs/heads/main", with(release, "in_progress", "")}, // 3
		{second, WorkflowRun{Path: ".github/workflows/lint.yml", Event: "pull_request", HeadBranch: "feature/x", Status: "queued"}}, // 4
	}
	ids := make([]int64, len(adds))
	for i, a := range adds {
		id, err := s.AddWorkflowRun(testOwner, testRepo, a.ref, a.run)
		if err != nil {
			t.Fatalf("AddWorkflowRun(%q, %+v) = %v", a.ref, a.run, err)
		}
		ids[i] = id
	}
	// want returns the ids of the adds with the given indexes.
	want := func(idx ...int) []int64 {
		out := make([]int64, len(idx))
		for i, x := range idx {
			out[i] = ids[x]
		}
		return out
	}
	idsOf := func(runs []*github.WorkflowRun) []int64 {
		out := []int64{}
		for _, r := range runs {
			out = append(out, r.GetID())
		}
		return out
	}

	tests := []struct {
		name string
		opts github.ListWorkflowRunsOptions
		want []int64
	}{
		{name: "all, newest first", want: want(4, 3, 2, 1, 0)},
		{name: "head_sha second", opts: github.ListWorkflowRunsOptions{HeadSHA: second}, want: want(4, 3, 2)},
		{name: "head_sha first", opts: github.ListWorkflowRunsOptions{HeadSHA: first}, want: want(1, 0)},
		{name: "head_sha unknown", opts: github.ListWorkflowRunsOptions{HeadSHA: strings.Repeat("a", 40)}, want: want()},
		{name: "status completed", opts: github.ListWorkflowRunsOptions{Status: "completed"}, want: want(2, 1, 0)},
		{name: "status success (a conclusion)", opts: github.ListWorkflowRunsOptions{Status: "success"}, want: want(2, 0)},
		{name: "status failure (a conclusion)", opts: github.ListWorkflowRunsOptions{Status: "failure"}, want: want(1)},
		{name: "status in_progress", opts: github.ListWorkflowRunsOptions{Status: "in_progress"}, want: want(3)},
		{name: "branch main", opts: github.ListWorkflowRunsOptions{Branch: "main"}, want: want(3, 2)},
		{name: "branch of a tag", opts: github.ListWorkflowRunsOptions{Branch: "v1.0.0"}, want: want(1)},
		{name: "event pull_request", opts: github.ListWorkflowRunsOptions{Event: "pull_request"}, want: want(4)},
		{name: "event push", opts: github.ListWorkflowRunsOptions{Event: "push"}, want: want(3, 2, 1, 0)},
		{name: "head_sha and status", opts: github.ListWorkflowRunsOptions{HeadSHA: second, Status: "completed"}, want: want(2)},
		{name: "actor", opts: github.ListWorkflowRunsOptions{Actor: testOwner, Status: "queued"}, want: want(4)},
	}
	for _, tt := range tests {
		runs, resp := list(tt.opts)
		if got := idsOf(runs.WorkflowRuns); !slices.Equal(got, tt.want) || runs.GetTotalCount() != len(tt.want) {
			t.Errorf("%s: ListRepositoryWorkflowRuns() = %v (total_count %d), want %v", tt.name, got, runs.GetTotalCount(), tt.want)
		}
		if l := resp.Header.Get("Link"); l != "" {
			t.Errorf("%s: Link = %q, want none on a single page", tt.name, l)
		}
	}

	// per_page=1: one run a page, newest first, following the Link header.
	var got []int64
	opts := github.ListWorkflowRunsOptions{ListOptions: github.ListOptions{PerPage: 1}}
	for pages := 0; ; pages++ {
		if pages > len(adds) {
			t.Fatalf("per_page=1: more than %d pages", len(adds))
		}
		runs, resp := list(opts)
		if runs.GetTotalCount() != len(adds) || len(runs.WorkflowRuns) != 1 {
			t.Errorf("per_page=1 page %d: total_count %d, %d runs, want %d, 1", opts.Page, runs.GetTotalCount(), len(runs.WorkflowRuns), len(adds))
		}
		if resp.NextPage != 0 && resp.LastPage != len(adds) {
			t.Errorf("per_page=1 page %d: last page %d, want %d", opts.Page, resp.LastPage, len(adds))
		}
		got = append(got, idsOf(runs.WorkflowRuns)...)
		if resp.NextPage == 0 {
			if resp.PrevPage != len(adds)-1 {
				t.Errorf("per_page=1 last page: prev page %d, want %d", resp.PrevPage, len(adds)-1)
			}
			break
		}
		opts.Page = resp.NextPage
	}
	if want := want(4, 3, 2, 1, 0); !slices.Equal(got, want) {
		t.Errorf("per_page=1 pages = %v, want %v", got, want)
	}
	runs, resp := list(github.ListWorkflowRunsOptions{Status: "completed", ListOptions: github.ListOptions{PerPage: 2, Page: 2}})
	if got := idsOf(runs.WorkflowRuns); !slices.Equal(got, want(0)) || runs.GetTotalCount() != 3 || resp.NextPage != 0 || resp.PrevPage != 1 || resp.FirstPage != 1 {
		t.Errorf("status=completed per_page=2 page=2 = %v (total_count %d, next %d, prev %d, first %d), want %v (3, 0, 1, 1)",
			got, runs.GetTotalCount(), resp.NextPage, resp.PrevPage, resp.FirstPage, want(0))
	}

	// The fields of the runs.
	all, _ := list(github.ListWorkflowRunsOptions{})
	byID := map[int64]*github.WorkflowRun{}
	for _, r := range all.WorkflowRuns {
		byID[r.GetID()] = r
	}
	// go-github v60 has no WorkflowRun.Path: read it from the raw answer.
	req, err := gh.NewRequest("GET", "repos/"+testOwner+"/"+testRepo+"/actions/runs", nil)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		WorkflowRuns []struct {
			ID   int64  `json:"id"`
			Path string `json:"path"`
		} `json:"workflow_runs"`
	}
	if _, err := gh.Do(ctx, req, &raw); err != nil {
		t.Fatalf("GET actions/runs = %v", err)
	}
	paths := map[int64]string{}
	for _, r := range raw.WorkflowRuns {
		paths[r.ID] = r.Path
	}
	fields := []struct {
		add                    int
		name, path, branch     string
		sha, status, conclusio string
		number                 int
	}{
		{0, "CI", ".github/workflows/ci.yml", "", first, "completed", "success", 1},
		{1, "Release", ".github/workflows/release.yml", "v1.0.0", first, "completed", "failure", 1},
		{2, "CI", ".github/workflows/ci.yml", "main", second, "completed", "success", 2},
		{3, "Release", ".github/workflows/release.yml", "main", second, "in_progress", "", 2},
		{4, ".github/workflows/lint.yml", ".github/workflows/lint.yml", "feature/x", second, "queued", "", 1},
	}
	for _, w := range fields {
		r := byID[ids[w.add]]
		if r == nil {
			t.Errorf("run %d missing from %v", ids[w.add], idsOf(all.WorkflowRuns))
			continue
		}
		if r.GetName() != w.name || paths[r.GetID()] != w.path || r.GetHeadBranch() != w.branch || r.GetHeadSHA() != w.sha ||
			r.GetStatus() != w.status || r.GetConclusion() != w.conclusio || r.GetRunNumber() != w.number || r.GetRunAttempt() != 1 {
			t.Errorf("run %d = name %q path %q head_branch %q head_sha %s status %q conclusion %q run_number %d run_attempt %d, want %+v",
				w.add, r.GetName(), paths[r.GetID()], r.GetHeadBranch(), r.GetHeadSHA(), r.GetStatus(), r.GetConclusion(), r.GetRunNumber(), r.GetRunAttempt(), w)
		}
		if r.HeadBranch == nil != (w.branch == "") {
			t.Errorf("run %d: head_branch %v, want null only for a run on a SHA", w.add, r.HeadBranch)
		}
		if r.GetRepository().GetFullName() != testOwner+"/"+testRepo || r.GetActor().GetLogin() != testOwner {
			t.Errorf("run %d: repository %q actor %q, want %s/%s %s", w.add, r.GetRepository().GetFullName(), r.GetActor().GetLogin(), testOwner, testRepo, testOwner)
		}
	}
	if a, b := byID[ids[0]], byID[ids[2]]; a.GetWorkflowID() != b.GetWorkflowID() || a.GetWorkflowID() == byID[ids[1]].GetWorkflowID() {
		t.Errorf("workflow_id = ci %d and %d, release %d: want one id per workflow path", a.GetWorkflowID(), b.GetWorkflowID(), byID[ids[1]].GetWorkflowID())
	}
	hc := byID[ids[2]].GetHeadCommit()
	if hc.GetID() != second || hc.GetMessage() != "feat: bump to 1.1.0" || hc.GetAuthor().GetName() != "Ada Developer" ||
		hc.GetTreeID() != f.git("rev-parse", "main^{tree}") || byID[ids[2]].GetDisplayTitle() != "feat: bump to 1.1.0" {
		t.Errorf("head_commit = %+v, display_title %q, want commit %s feat: bump to 1.1.0 by Ada Developer", hc, byID[ids[2]].GetDisplayTitle(), second)
	}

	if p := s.Problems(); len(p) > 0 {
		t.Errorf("Problems() = %q, want none: the answers must validate against the OpenAPI description", p)
	}
}

// with returns run with the given status and conclusion.
func with(run WorkflowRun, status, conclusion string) WorkflowRun {
	run.Status, run.Conclusion = status, conclusion
	return run
}

func TestAddWorkflowRunErrors(t *testing.T) {
	t.Parallel()
	s, _, _ := setup(t)
	tests := []struct {
		name, ref string
		run       WorkflowRun
		want      string // in the error
	}{
		{name: "unknown ref", ref: "nope", run: WorkflowRun{Path: "ci.yml", Status: "queued"}, want: `"nope"`},
		{name: "unknown SHA", ref: strings.Repeat("a", 40), run: WorkflowRun{Path: "ci.yml", Status: "queued"}, want: strings.Repeat("a", 40)},
		{name: "no path", ref: "main", run: WorkflowRun{Status: "queued"}, want: "Path"},
		{name: "bad status", ref: "main", run: WorkflowRun{Path: "ci.yml", Status: "done"}, want: `status "done"`},
		{name: "completed without conclusion", ref: "main", run: WorkflowRun{Path: "ci.yml", Status: "completed"}, want: "conclusion"},
		{name: "conclusion before completion", ref: "main", run: WorkflowRun{Path: "ci.yml", Status: "queued", Conclusion: "success"}, want: "no conclusion"},
	}
	for _, tt := range tests {
		id, err := s.AddWorkflowRun(testOwner, testRepo, tt.ref, tt.run)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: AddWorkflowRun(%q, %+v) = %d, %v, want an error containing %q", tt.name, tt.ref, tt.run, id, err, tt.want)
		}
	}
}
