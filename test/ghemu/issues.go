package ghemu

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// issueJSON renders an issue, or a pull request seen as an issue; r.mu
// must be held.
func (c *call) issueJSON(is *Issue, pr *PullRequest) obj {
	s, r := c.s, c.repo
	if pr != nil {
		is = &Issue{
			Number: pr.Number, Title: pr.Title, Body: pr.Body, State: pr.State, Labels: pr.Labels,
			Assignees: pr.Assignees, Comments: pr.Comments, CreatedAt: pr.CreatedAt,
			UpdatedAt: pr.UpdatedAt, ClosedAt: pr.ClosedAt, id: pr.id,
		}
	}
	u := s.repoURL(r) + "/issues/" + strconv.Itoa(is.Number)
	html := s.htmlURL(r) + "/issues/" + strconv.Itoa(is.Number)
	var assignee any
	if len(is.Assignees) > 0 {
		assignee = s.user(is.Assignees[0])
	}
	o := obj{
		"id": is.id, "node_id": nodeID("Issue", is.id), "url": u, "repository_url": s.repoURL(r),
		"labels_url": u + "/labels{/name}", "comments_url": u + "/comments", "events_url": u + "/events",
		"html_url": html, "number": is.Number, "state": is.State, "state_reason": nilIfEmpty(is.StateReason),
		"title": is.Title, "body": nilIfEmpty(is.Body), "user": s.user(actorLogin),
		"labels": s.labelsJSON(r, is.Labels), "assignee": assignee, "assignees": s.usersJSON(is.Assignees),
		"milestone": nil, "locked": false, "active_lock_reason": nil, "comments": len(is.Comments),
		"created_at": ts(is.CreatedAt), "updated_at": ts(is.UpdatedAt), "closed_at": tsOrNil(is.ClosedAt),
		"author_association": "CONTRIBUTOR",
	}
	if pr != nil {
		pu := s.repoURL(r) + "/pulls/" + strconv.Itoa(pr.Number)
		ph := s.htmlURL(r) + "/pull/" + strconv.Itoa(pr.Number)
		o["html_url"] = ph
		o["pull_request"] = obj{"url": pu, "html_url": ph, "diff_url": ph + ".diff", "patch_url": ph + ".patch", "merged_at": tsOrNil(pr.MergedAt)}
	}
	return o
}

// item finds the issue or pull request with the given number; r.mu must be
// held. It returns false when there is none.
func (r *repo) item(number string) (*Issue, *PullRequest, bool) {
	n, err := strconv.Atoi(number)
	if err != nil {
		return nil, nil, false
	}
	for _, is := range r.issues {
		if is.Number == n {
			return is, nil, true
		}
	}
	for _, p := range r.pulls {
		if p.Number == n {
			return nil, p, true
		}
	}
	return nil, nil, false
}

// itemFields points at the fields that issues and pull requests share.
type itemFields struct {
	title, body, state *string
	labels, assignees  *[]string
	comments           *[]string
	closed, updated    *time.Time
}

func fieldsOf(is *Issue, pr *PullRequest) itemFields {
	if is != nil {
		return itemFields{&is.Title, &is.Body, &is.State, &is.Labels, &is.Assignees, &is.Comments, &is.ClosedAt, &is.UpdatedAt}
	}
	return itemFields{&pr.Title, &pr.Body, &pr.State, &pr.Labels, &pr.Assignees, &pr.Comments, &pr.ClosedAt, &pr.UpdatedAt}
}

// ensureLabels creates the labels that do not exist yet, as GitHub does
// when an issue is labelled, and returns the names as stored; r.mu must be
// held.
func (c *call) ensureLabels(names []string) []string {
	r := c.repo
	var out []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		l := r.labels[strings.ToLower(n)]
		if l == nil {
			l = &label{id: c.s.id(), name: n, color: "ededed"}
			r.labels[strings.ToLower(n)] = l
		}
		if !slices.Contains(out, l.name) {
			out = append(out, l.name)
		}
	}
	return out
}

// titleString accepts a title given as a string or a number.
func titleString(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, s != ""
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return "", false
}

func (c *call) createIssue() {
	r := c.repo
	var req struct {
		Title     json.RawMessage `json:"title"`
		Body      string          `json:"body"`
		Labels    []string        `json:"labels"`
		Assignees []string        `json:"assignees"`
		Assignee  string          `json:"assignee"`
	}
	if !c.decode(&req) {
		return
	}
	title, ok := titleString(req.Title)
	if !ok {
		validationFailed(c.w, "Issue", "title", "missing_field", "")
		return
	}
	if req.Assignee != "" {
		req.Assignees = append(req.Assignees, req.Assignee)
	}
	id := c.s.id()
	now := time.Now().UTC().Truncate(time.Second)
	r.mu.Lock()
	r.lastNumber++
	is := &Issue{
		Number: r.lastNumber, Title: title, Body: req.Body, State: "open",
		Labels: c.ensureLabels(req.Labels), Assignees: req.Assignees, CreatedAt: now, UpdatedAt: now, id: id,
	}
	r.issues = append(r.issues, is)
	o := c.issueJSON(is, nil)
	r.mu.Unlock()
	c.created(o["url"].(string), o)
}

func (c *call) updateIssue() {
	r := c.repo
	var req struct {
		Title       json.RawMessage `json:"title"`
		Body        *string         `json:"body"`
		State       *string         `json:"state"`
		StateReason *string         `json:"state_reason"`
		Labels      *[]string       `json:"labels"`
		Assignees   *[]string       `json:"assignees"`
	}
	if !c.decode(&req) {
		return
	}
	if req.State != nil && *req.State != "open" && *req.State != "closed" {
		validationFailed(c.w, "Issue", "state", "invalid", "")
		return
	}
	now := time.Now().UTC().Truncate(time.Second)
	r.mu.Lock()
	defer r.mu.Unlock()
	is, pr, ok := r.item(c.p["number"])
	if !ok {
		c.notFound()
		return
	}
	f := fieldsOf(is, pr)
	*f.updated = now
	if t, ok := titleString(req.Title); ok {
		*f.title = t
	}
	if req.Body != nil {
		*f.body = *req.Body
	}
	if req.State != nil && *req.State != *f.state && (pr == nil || !pr.Merged) {
		*f.state = *req.State
		*f.closed = time.Time{}
		if *f.state == "closed" {
			*f.closed = now
		}
		if is != nil {
			is.StateReason = ""
			if is.State == "closed" {
				is.StateReason = "completed"
			}
		}
	}
	if req.StateReason != nil && is != nil {
		is.StateReason = *req.StateReason
	}
	if req.Labels != nil {
		*f.labels = c.ensureLabels(*req.Labels)
	}
	if req.Assignees != nil {
		*f.assignees = slices.Clone(*req.Assignees)
	}
	c.json(200, c.issueJSON(is, pr))
}

func (c *call) listIssues() {
	r := c.repo
	q := c.r.URL.Query()
	state := cmp.Or(q.Get("state"), "open")
	var want []string
	if v := q.Get("labels"); v != "" {
		want = strings.Split(v, ",")
	}
	has := func(labels []string) bool {
		for _, w := range want {
			if !slices.ContainsFunc(labels, func(l string) bool { return strings.EqualFold(l, strings.TrimSpace(w)) }) {
				return false
			}
		}
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	type entry struct {
		n  int
		is *Issue
		pr *PullRequest
	}
	var list []entry
	for _, is := range r.issues {
		if (state == "all" || is.State == state) && has(is.Labels) {
			list = append(list, entry{is.Number, is, nil})
		}
	}
	for _, p := range r.pulls {
		if (state == "all" || p.State == state) && has(p.Labels) {
			list = append(list, entry{p.Number, nil, p})
		}
	}
	desc := q.Get("direction") != "asc"
	slices.SortFunc(list, func(a, b entry) int {
		if desc {
			return cmp.Compare(b.n, a.n)
		}
		return cmp.Compare(a.n, b.n)
	})
	lo, hi, ok := c.paginate(len(list))
	if !ok {
		return
	}
	out := []obj{}
	for _, e := range list[lo:hi] {
		out = append(out, c.issueJSON(e.is, e.pr))
	}
	c.json(200, out)
}

// labelNames reads the body of add-labels: {"labels": [...]} or, as
// go-github sends it, a bare array; each label a name or {"name": ...}.
func labelNames(raw json.RawMessage) ([]string, bool) {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		var req struct {
			Labels []json.RawMessage `json:"labels"`
		}
		if json.Unmarshal(raw, &req) != nil || req.Labels == nil {
			return nil, false
		}
		items = req.Labels
	}
	var names []string
	for _, it := range items {
		var name string
		if json.Unmarshal(it, &name) != nil {
			var o struct {
				Name string `json:"name"`
			}
			if json.Unmarshal(it, &o) != nil || o.Name == "" {
				return nil, false
			}
			name = o.Name
		}
		names = append(names, name)
	}
	return names, true
}

func (c *call) addLabels() {
	r := c.repo
	var raw json.RawMessage
	if !c.decode(&raw) {
		return
	}
	names, ok := labelNames(raw)
	if !ok {
		validationFailed(c.w, "Label", "labels", "invalid", "")
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	is, pr, ok := r.item(c.p["number"])
	if !ok {
		c.notFound()
		return
	}
	labels := fieldsOf(is, pr).labels
	for _, n := range c.ensureLabels(names) {
		if !slices.Contains(*labels, n) {
			*labels = append(*labels, n)
		}
	}
	out := []obj{}
	for _, n := range *labels {
		out = append(out, c.s.labelJSON(r, r.labels[strings.ToLower(n)]))
	}
	c.json(200, out)
}

func (c *call) createComment() {
	r := c.repo
	var req struct {
		Body *string `json:"body"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Body == nil || *req.Body == "" {
		validationFailed(c.w, "IssueComment", "body", "missing_field", "")
		return
	}
	id := c.s.id()
	now := time.Now().UTC().Truncate(time.Second)
	r.mu.Lock()
	is, pr, ok := r.item(c.p["number"])
	if ok {
		f := fieldsOf(is, pr)
		*f.comments = append(*f.comments, *req.Body)
		*f.updated = now
	}
	r.mu.Unlock()
	if !ok {
		c.notFound()
		return
	}
	issueURL := c.s.repoURL(r) + "/issues/" + c.p["number"]
	u := c.s.repoURL(r) + "/issues/comments/" + strconv.FormatInt(id, 10)
	c.created(u, obj{
		"id": id, "node_id": nodeID("IssueComment", id), "url": u,
		"html_url": c.s.htmlURL(r) + "/issues/" + c.p["number"] + "#issuecomment-" + strconv.FormatInt(id, 10),
		"body":     *req.Body, "user": c.s.user(actorLogin), "created_at": ts(now), "updated_at": ts(now),
		"issue_url": issueURL, "author_association": "CONTRIBUTOR",
	})
}

func (c *call) combinedStatus() {
	r := c.repo
	sha, err := r.git.resolveCommit(c.p["ref"])
	if err != nil {
		c.internal(err)
		return
	}
	if sha == "" {
		c.notFound()
		return
	}
	r.mu.Lock()
	all := slices.Clone(r.statuses[sha])
	r.mu.Unlock()
	// The latest status of each context, newest first.
	seen := map[string]bool{}
	statuses := []obj{}
	state := "success"
	for i := len(all) - 1; i >= 0; i-- {
		st := all[i]
		if seen[st.Context] {
			continue
		}
		seen[st.Context] = true
		switch {
		case st.State == "error" || st.State == "failure":
			state = "failure"
		case st.State == "pending" && state == "success":
			state = "pending"
		}
		statuses = append(statuses, obj{
			"id": st.id, "node_id": nodeID("StatusContext", st.id), "url": c.s.repoURL(r) + "/statuses/" + sha,
			"avatar_url": nil, "state": st.State, "description": nilIfEmpty(st.Description),
			"target_url": nilIfEmpty(st.TargetURL), "context": st.Context,
			"created_at": ts(st.created), "updated_at": ts(st.created),
		})
	}
	if len(statuses) == 0 {
		state = "pending"
	}
	c.json(200, obj{
		"state": state, "statuses": statuses, "sha": sha, "total_count": len(statuses),
		"repository": c.s.repoJSON(r, 0), "commit_url": c.s.repoURL(r) + "/commits/" + sha,
		"url": c.s.repoURL(r) + "/commits/" + sha + "/status",
	})
}

func (c *call) listCheckRuns() {
	r := c.repo
	sha, err := r.git.resolveCommit(c.p["ref"])
	if err != nil {
		c.internal(err)
		return
	}
	if sha == "" {
		c.fail(422, "No commit found for SHA: "+c.p["ref"])
		return
	}
	q := c.r.URL.Query()
	r.mu.Lock()
	var list []checkRun
	for _, cr := range r.checks[sha] {
		if (q.Get("check_name") == "" || q.Get("check_name") == cr.Name) && (q.Get("status") == "" || q.Get("status") == cr.Status) {
			list = append(list, *cr)
		}
	}
	r.mu.Unlock()
	lo, hi, ok := c.paginate(len(list))
	if !ok {
		return
	}
	runs := []obj{}
	for _, cr := range list[lo:hi] {
		u := c.s.repoURL(r) + "/check-runs/" + strconv.FormatInt(cr.id, 10)
		html := c.s.htmlURL(r) + "/runs/" + strconv.FormatInt(cr.id, 10)
		var completed, conclusion any
		if cr.Status == "completed" {
			completed, conclusion = ts(time.Now()), nilIfEmpty(cr.Conclusion)
		}
		runs = append(runs, obj{
			"id": cr.id, "node_id": nodeID("CheckRun", cr.id), "head_sha": sha, "external_id": "",
			"url": u, "html_url": html, "details_url": html, "status": cr.Status, "conclusion": conclusion,
			"started_at": ts(time.Now()), "completed_at": completed, "name": cr.Name,
			"output":      obj{"title": nil, "summary": nil, "text": nil, "annotations_count": 0, "annotations_url": u + "/annotations"},
			"check_suite": obj{"id": cr.id}, "app": nil, "pull_requests": []obj{},
		})
	}
	c.json(200, obj{"total_count": len(list), "check_runs": runs})
}
