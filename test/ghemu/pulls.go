package ghemu

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// headSHA returns the current head commit of a pull request: its branch
// while it exists and the pull request is not merged, else the recorded one.
func (r *repo) headSHA(p *PullRequest) string {
	if !p.Merged {
		if sha, err := r.git.readRef("refs/heads/" + p.Head); err == nil && sha != "" {
			return sha
		}
	}
	return p.HeadSHA
}

// prJSON renders a pull request; full adds the fields of a single pull
// request (mergeability, counts). r.mu must not be held.
func (c *call) prJSON(p PullRequest, full bool) obj {
	s, r := c.s, c.repo
	headSHA := r.headSHA(&p)
	baseSHA, _ := r.git.readRef("refs/heads/" + p.Base)
	u := s.repoURL(r) + "/pulls/" + strconv.Itoa(p.Number)
	html := s.htmlURL(r) + "/pull/" + strconv.Itoa(p.Number)
	issue := s.repoURL(r) + "/issues/" + strconv.Itoa(p.Number)
	repoJSON := s.repoJSON(r, 0)
	owner := s.user(r.owner)
	state := p.State
	r.mu.Lock()
	labels := s.labelsJSON(r, p.Labels)
	r.mu.Unlock()
	var assignee any
	if len(p.Assignees) > 0 {
		assignee = s.user(p.Assignees[0])
	}
	var mergeSHA any
	if p.MergeCommitSHA != "" {
		mergeSHA = p.MergeCommitSHA
	}
	link := func(h string) obj { return obj{"href": h} }
	o := obj{
		"url": u, "id": p.id, "node_id": nodeID("PullRequest", p.id), "html_url": html,
		"diff_url": html + ".diff", "patch_url": html + ".patch", "issue_url": issue,
		"commits_url": u + "/commits", "review_comments_url": u + "/comments",
		"review_comment_url": s.repoURL(r) + "/pulls/comments{/number}",
		"comments_url":       issue + "/comments", "statuses_url": s.repoURL(r) + "/statuses/" + headSHA,
		"number": p.Number, "state": state, "locked": false, "title": p.Title,
		"user": s.user(actorLogin), "body": nilIfEmpty(p.Body), "labels": labels, "milestone": nil,
		"active_lock_reason": nil, "created_at": ts(p.CreatedAt), "updated_at": ts(p.UpdatedAt),
		"closed_at": tsOrNil(p.ClosedAt), "merged_at": tsOrNil(p.MergedAt), "merge_commit_sha": mergeSHA,
		"assignee": assignee, "assignees": s.usersJSON(p.Assignees),
		"requested_reviewers": s.usersJSON(p.Reviewers), "requested_teams": []obj{},
		"head": obj{"label": r.owner + ":" + p.Head, "ref": p.Head, "sha": headSHA, "user": owner, "repo": repoJSON},
		"base": obj{"label": r.owner + ":" + p.Base, "ref": p.Base, "sha": baseSHA, "user": owner, "repo": repoJSON},
		"_links": obj{
			"self": link(u), "html": link(html), "issue": link(issue), "comments": link(issue + "/comments"),
			"review_comments": link(u + "/comments"), "review_comment": link(s.repoURL(r) + "/pulls/comments{/number}"),
			"commits": link(u + "/commits"), "statuses": link(s.repoURL(r) + "/statuses/" + headSHA),
		},
		"author_association": "CONTRIBUTOR", "auto_merge": nil, "draft": p.Draft,
	}
	if full {
		var mergeable any
		mstate := "unknown"
		commits, files, add, del := 0, 0, 0, 0
		if p.State == "open" && baseSHA != "" {
			_, clean, err := r.mergeTree(baseSHA, headSHA)
			if err == nil {
				mergeable = clean
				mstate = "clean"
				if !clean {
					mstate = "dirty"
				} else if _, v := c.checkProtection(p.Base, baseSHA, headSHA, true); len(v) > 0 {
					mstate = "blocked"
				}
			}
		}
		if mb, err := r.git.mergeBase(cmp.Or(baseSHA, headSHA), headSHA); err == nil && mb != "" {
			if shas, err := r.git.revList(headSHA, "^"+mb); err == nil {
				commits = len(shas)
			}
			if fc, err := r.git.diffFiles(mb, headSHA); err == nil {
				files = len(fc)
				for _, f := range fc {
					add += f.Additions
					del += f.Deletions
				}
			}
		}
		var mergedBy any
		if p.Merged {
			mergedBy = s.user(actorLogin)
		}
		o["merged"], o["mergeable"], o["rebaseable"], o["mergeable_state"] = p.Merged, mergeable, mergeable, mstate
		o["merged_by"], o["comments"], o["review_comments"] = mergedBy, len(p.Comments), 0
		o["maintainer_can_modify"], o["commits"], o["additions"], o["deletions"], o["changed_files"] = false, commits, add, del, files
	}
	return o
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// mergeTree merges head into base in memory and returns the resulting tree
// and whether the merge was clean.
func (r *repo) mergeTree(base, head string) (string, bool, error) {
	out, err := r.git.run(nil, "merge-tree", "--write-tree", "--no-messages", base, head)
	if err != nil {
		if exitCode(err) == 1 {
			return "", false, nil
		}
		return "", false, err
	}
	tree, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
	return tree, true, nil
}

// pull finds the pull request with the number of the path, or answers 404.
func (c *call) pull() *PullRequest {
	n, err := strconv.Atoi(c.p["number"])
	if err == nil {
		r := c.repo
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, p := range r.pulls {
			if p.Number == n {
				return p
			}
		}
	}
	c.notFound()
	return nil
}

func (c *call) snapshot(p *PullRequest) PullRequest { return c.repo.snapshot(p) }

// branchName strips "owner:" from a head or base given as owner:branch.
func (r *repo) branchName(s string) string {
	if o, b, ok := strings.Cut(s, ":"); ok && strings.EqualFold(o, r.owner) {
		return b
	}
	return s
}

func (c *call) createPull() {
	r := c.repo
	var req struct {
		Title *string `json:"title"`
		Head  string  `json:"head"`
		Base  string  `json:"base"`
		Body  string  `json:"body"`
		Draft bool    `json:"draft"`
		Issue int     `json:"issue"`
	}
	if !c.decode(&req) {
		return
	}
	r.mu.Lock()
	deny := r.denyPulls
	r.mu.Unlock()
	if deny {
		c.fail(403, "GitHub Actions is not permitted to create or approve pull requests.")
		return
	}
	if req.Title == nil && req.Issue == 0 {
		validationFailed(c.w, "PullRequest", "title", "missing_field", "")
		return
	}
	head, base := r.branchName(req.Head), r.branchName(req.Base)
	baseSHA, err := r.git.readRef("refs/heads/" + base)
	if err != nil {
		c.internal(err)
		return
	}
	if base == "" || baseSHA == "" {
		validationFailed(c.w, "PullRequest", "base", "invalid", "")
		return
	}
	headSHA, err := r.git.readRef("refs/heads/" + head)
	if err != nil {
		c.internal(err)
		return
	}
	if head == "" || headSHA == "" || strings.Contains(head, ":") {
		validationFailed(c.w, "PullRequest", "head", "invalid", "")
		return
	}
	if ahead, err := r.git.revList("-n1", headSHA, "^"+baseSHA); err != nil {
		c.internal(err)
		return
	} else if len(ahead) == 0 {
		validationFailed(c.w, "PullRequest", "", "custom", "No commits between "+base+" and "+head)
		return
	}
	id := c.s.id()
	now := time.Now().UTC().Truncate(time.Second)
	r.mu.Lock()
	for _, p := range r.pulls {
		if p.State == "open" && p.Head == head && p.Base == base {
			r.mu.Unlock()
			validationFailed(c.w, "PullRequest", "", "custom", "A pull request already exists for "+r.owner+":"+head+".")
			return
		}
	}
	r.lastNumber++
	p := &PullRequest{
		Number: r.lastNumber, Head: head, Base: base, HeadSHA: headSHA, Body: req.Body,
		State: "open", Draft: req.Draft, CreatedAt: now, UpdatedAt: now, id: id,
	}
	if req.Title != nil {
		p.Title = *req.Title
	}
	r.pulls = append(r.pulls, p)
	r.mu.Unlock()
	o := c.prJSON(c.snapshot(p), true)
	c.created(o["url"].(string), o)
}

func (c *call) getPull() {
	p := c.pull()
	if p == nil {
		return
	}
	c.json(200, c.prJSON(c.snapshot(p), true))
}

func (c *call) listPulls() {
	r := c.repo
	q := c.r.URL.Query()
	state := cmp.Or(q.Get("state"), "open")
	head, base := q.Get("head"), q.Get("base")
	if head != "" {
		o, b, ok := strings.Cut(head, ":")
		if !ok || !strings.EqualFold(o, r.owner) {
			head = "\x00" // another owner's fork: nothing matches
		} else {
			head = b
		}
	}
	r.mu.Lock()
	var list []*PullRequest
	for _, p := range r.pulls {
		if (state == "all" || p.State == state) && (head == "" || p.Head == head) && (base == "" || p.Base == base) {
			list = append(list, p)
		}
	}
	r.mu.Unlock()
	desc := q.Get("direction") != "asc"
	slices.SortStableFunc(list, func(a, b *PullRequest) int {
		if desc {
			return cmp.Compare(b.Number, a.Number)
		}
		return cmp.Compare(a.Number, b.Number)
	})
	lo, hi, ok := c.paginate(len(list))
	if !ok {
		return
	}
	out := []obj{}
	for _, p := range list[lo:hi] {
		out = append(out, c.prJSON(c.snapshot(p), false))
	}
	c.json(200, out)
}

func (c *call) updatePull() {
	r := c.repo
	p := c.pull()
	if p == nil {
		return
	}
	var req struct {
		Title *string `json:"title"`
		Body  *string `json:"body"`
		State *string `json:"state"`
		Base  *string `json:"base"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Base != nil {
		if sha, err := r.git.readRef("refs/heads/" + *req.Base); err != nil || sha == "" {
			validationFailed(c.w, "PullRequest", "base", "invalid", "")
			return
		}
	}
	if req.State != nil && *req.State != "open" && *req.State != "closed" {
		validationFailed(c.w, "PullRequest", "state", "invalid", "")
		return
	}
	now := time.Now().UTC().Truncate(time.Second)
	r.mu.Lock()
	if req.Title != nil {
		p.Title = *req.Title
	}
	if req.Body != nil {
		p.Body = *req.Body
	}
	if req.Base != nil {
		p.Base = *req.Base
	}
	if req.State != nil && !p.Merged && *req.State != p.State {
		p.State = *req.State
		p.ClosedAt = time.Time{}
		if p.State == "closed" {
			p.ClosedAt = now
		}
	}
	p.UpdatedAt = now
	r.mu.Unlock()
	c.json(200, c.prJSON(c.snapshot(p), true))
}

func (c *call) mergePull() {
	r := c.repo
	p := c.pull()
	if p == nil {
		return
	}
	var req struct {
		CommitTitle   string `json:"commit_title"`
		CommitMessage string `json:"commit_message"`
		SHA           string `json:"sha"`
		MergeMethod   string `json:"merge_method"`
	}
	if !c.decode(&req) {
		return
	}
	method := cmp.Or(req.MergeMethod, "merge")
	if method != "merge" && method != "squash" && method != "rebase" {
		validationFailed(c.w, "PullRequest", "merge_method", "invalid", "")
		return
	}
	newSHA, status, msg, err := r.merge(p, method, req.SHA, req.CommitTitle, req.CommitMessage)
	if err != nil {
		c.internal(err)
		return
	}
	if status != 200 {
		c.fail(status, msg)
		return
	}
	c.json(200, obj{"sha": newSHA, "merged": true, "message": "Pull Request successfully merged"})
}

func (c *call) requestReviewers() {
	r := c.repo
	p := c.pull()
	if p == nil {
		return
	}
	var req struct {
		Reviewers     []string `json:"reviewers"`
		TeamReviewers []string `json:"team_reviewers"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Reviewers == nil && req.TeamReviewers == nil {
		validationFailed(c.w, "PullRequest", "reviewers", "missing_field", "")
		return
	}
	for _, u := range req.Reviewers {
		if strings.EqualFold(u, actorLogin) {
			c.fail(422, "Review cannot be requested from pull request author.")
			return
		}
	}
	r.mu.Lock()
	for _, u := range req.Reviewers {
		if !slices.Contains(p.Reviewers, u) {
			p.Reviewers = append(p.Reviewers, u)
		}
	}
	p.UpdatedAt = time.Now().UTC().Truncate(time.Second)
	r.mu.Unlock()
	o := c.prJSON(c.snapshot(p), false)
	c.created(o["url"].(string), o)
}

func (c *call) pullsForCommit() {
	r := c.repo
	sha, err := r.git.resolveCommit(c.p["ref"])
	if err != nil {
		c.internal(err)
		return
	}
	r.mu.Lock()
	pulls := slices.Clone(r.pulls)
	r.mu.Unlock()
	out := []obj{}
	for _, p := range pulls {
		snap := c.snapshot(p)
		if sha != "" && (r.headSHA(&snap) == sha || snap.MergeCommitSHA == sha) {
			out = append(out, c.prJSON(snap, false))
		}
	}
	c.json(200, out)
}

// merge merges pull request p into its base with method (merge, squash or rebase), as the merge
// endpoint and an armed auto-merge do: sha, when given, must be the head; title and body default
// as GitHub's do. A refusal is an HTTP status other than 200 with GitHub's message.
func (r *repo) merge(p *PullRequest, method, sha, title, body string) (newSHA string, status int, msg string, err error) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	snap := r.snapshot(p)
	if snap.State != "open" || snap.Merged {
		return "", 405, "Pull Request is not mergeable", nil
	}
	headSHA := r.headSHA(&snap)
	if sha != "" && sha != headSHA {
		return "", 409, "Head branch was modified. Review and try the merge again.", nil
	}
	baseRef := "refs/heads/" + snap.Base
	baseSHA, err := r.git.readRef(baseRef)
	if err != nil || baseSHA == "" {
		return "", 405, "Pull Request is not mergeable", nil
	}
	tree, clean, err := r.mergeTree(baseSHA, headSHA)
	if err != nil {
		return "", 0, "", err
	}
	if !clean {
		return "", 405, "Pull Request is not mergeable", nil
	}
	if _, v := r.checkProtection(snap.Base, baseSHA, headSHA, true); len(v) > 0 {
		return "", 405, strings.Join(v, " "), nil
	}
	switch method {
	case "merge":
		title = cmp.Or(title, fmt.Sprintf("Merge pull request #%d from %s/%s", snap.Number, r.owner, snap.Head))
		body = cmp.Or(body, snap.Title)
		newSHA, err = r.git.commitTree(tree, []string{baseSHA, headSHA}, title+"\n\n"+body+"\n", apiAuthor(), apiCommitter())
	case "squash":
		title = cmp.Or(title, fmt.Sprintf("%s (#%d)", snap.Title, snap.Number))
		message := title + "\n"
		if body != "" {
			message += "\n" + body + "\n"
		}
		newSHA, err = r.git.commitTree(tree, []string{baseSHA}, message, apiAuthor(), apiCommitter())
	case "rebase":
		ff, ferr := r.git.isAncestor(baseSHA, headSHA)
		if ferr != nil {
			return "", 0, "", ferr
		}
		if !ff {
			return "", 405, "This branch can't be rebased", nil
		}
		newSHA = headSHA
	}
	if err != nil {
		return "", 0, "", err
	}
	if newSHA != headSHA {
		r.markVerified(newSHA)
	}
	ok, err := r.git.updateRef(baseRef, newSHA, baseSHA)
	if err != nil {
		return "", 0, "", err
	}
	if !ok {
		return "", 409, "Base branch was modified. Review and try the merge again.", nil
	}
	now := time.Now().UTC().Truncate(time.Second)
	r.mu.Lock()
	p.State, p.Merged, p.MergeCommitSHA, p.HeadSHA = "closed", true, newSHA, headSHA
	p.MergedAt, p.ClosedAt, p.UpdatedAt = now, now, now
	r.mu.Unlock()
	return newSHA, 200, "", nil
}

// snapshot copies p under r.mu.
func (r *repo) snapshot(p *PullRequest) PullRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	cp := *p
	cp.Labels, cp.Reviewers = slices.Clone(p.Labels), slices.Clone(p.Reviewers)
	cp.Assignees, cp.Comments = slices.Clone(p.Assignees), slices.Clone(p.Comments)
	return cp
}

// runAutoMerges merges each open pull request of r whose auto-merge is armed and whose merge
// is now allowed (required checks passed, no conflict), as GitHub does when a check completes.
// A pull request that still cannot merge keeps its auto-merge armed.
func (s *Server) runAutoMerges(r *repo) {
	g := &s.gql
	g.mu.Lock()
	armed := map[string]AutoMergeRequest{}
	for id, a := range g.autoMerge {
		armed[id] = *a
	}
	g.mu.Unlock()
	if len(armed) == 0 {
		return
	}
	r.mu.Lock()
	var pulls []*PullRequest
	for _, p := range r.pulls {
		if _, ok := armed[nodeID("PullRequest", p.id)]; ok && p.State == "open" {
			pulls = append(pulls, p)
		}
	}
	r.mu.Unlock()
	for _, p := range pulls {
		id := nodeID("PullRequest", p.id)
		_, status, _, err := r.merge(p, strings.ToLower(armed[id].MergeMethod), "", "", "")
		if err != nil {
			s.problem("auto-merge of pull request #%d: %v", p.Number, err)
			continue
		}
		if status == 200 {
			g.mu.Lock()
			delete(g.autoMerge, id)
			g.mu.Unlock()
		}
	}
}
