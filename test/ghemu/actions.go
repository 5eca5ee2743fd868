package ghemu

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// workflowRunJSON renders a workflow run.
func (s *Server) workflowRunJSON(r *repo, run *workflowRun, repository obj) obj {
	u := s.repoURL(r) + "/actions/runs/" + strconv.FormatInt(run.id, 10)
	suite := strconv.FormatInt(run.checkSuiteID, 10)
	var branch, conclusion any
	if run.HeadBranch != "" {
		branch = run.HeadBranch
	}
	if run.Conclusion != "" {
		conclusion = run.Conclusion
	}
	c := run.commit
	return obj{
		"id": run.id, "node_id": nodeID("WorkflowRun", run.id), "name": run.Name, "path": run.Path,
		"display_title": run.DisplayTitle, "event": run.Event, "status": run.Status, "conclusion": conclusion,
		"head_branch": branch, "head_sha": run.sha, "run_number": run.number, "run_attempt": 1,
		"workflow_id": run.workflowID, "check_suite_id": run.checkSuiteID, "check_suite_node_id": nodeID("CheckSuite", run.checkSuiteID),
		"url": u, "html_url": s.htmlURL(r) + "/actions/runs/" + strconv.FormatInt(run.id, 10),
		"jobs_url": u + "/jobs", "logs_url": u + "/logs", "check_suite_url": s.repoURL(r) + "/check-suites/" + suite,
		"artifacts_url": u + "/artifacts", "cancel_url": u + "/cancel", "rerun_url": u + "/rerun",
		"previous_attempt_url": nil, "workflow_url": s.repoURL(r) + "/actions/workflows/" + strconv.FormatInt(run.workflowID, 10),
		"created_at": ts(run.created), "updated_at": ts(run.created), "run_started_at": ts(run.created),
		"actor": s.user(run.Actor), "triggering_actor": s.user(run.Actor),
		"pull_requests": []obj{}, "referenced_workflows": []obj{},
		"head_commit": obj{
			"id": c.SHA, "tree_id": c.Tree, "message": strings.TrimSuffix(c.Message, "\n"), "timestamp": ts(c.Committer.When),
			"author":    obj{"name": c.Author.Name, "email": c.Author.Email},
			"committer": obj{"name": c.Committer.Name, "email": c.Committer.Email},
		},
		"repository": repository, "head_repository": repository, "head_repository_id": r.id,
	}
}

// matchesStatus reports whether a run matches the status query parameter,
// which GitHub takes as a status or a conclusion.
func (run *workflowRun) matchesStatus(want string) bool {
	if slices.Contains(workflowRunStatuses, want) {
		return run.Status == want
	}
	return run.Conclusion == want
}

func (c *call) listWorkflowRuns() {
	r := c.repo
	q := c.r.URL.Query()
	keep := func(run *workflowRun) bool {
		for param, got := range map[string]string{
			"head_sha": run.sha, "branch": run.HeadBranch, "event": run.Event, "actor": run.Actor,
			"check_suite_id": strconv.FormatInt(run.checkSuiteID, 10),
		} {
			if want := q.Get(param); want != "" && want != got {
				return false
			}
		}
		return q.Get("status") == "" || run.matchesStatus(q.Get("status"))
	}
	r.mu.Lock()
	var list []workflowRun
	for _, run := range r.runs {
		if keep(run) {
			list = append(list, *run)
		}
	}
	r.mu.Unlock()
	// Newest first, as GitHub lists them.
	slices.SortFunc(list, func(a, b workflowRun) int { return cmp.Compare(b.id, a.id) })
	lo, hi, ok := c.paginate(len(list))
	if !ok {
		return
	}
	repository := c.s.repoJSON(r, 0)
	runs := []obj{}
	for i := range list[lo:hi] {
		runs = append(runs, c.s.workflowRunJSON(r, &list[lo+i], repository))
	}
	c.json(200, obj{"total_count": len(list), "workflow_runs": runs})
}
