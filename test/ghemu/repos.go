package ghemu

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

func (c *call) rateLimit() {
	s := c.s
	s.mu.Lock()
	used := s.used
	s.mu.Unlock()
	core := obj{"limit": rateLimit, "remaining": max(rateLimit-used, 0), "reset": s.start.Add(time.Hour).Unix(), "used": used, "resource": "core"}
	search := obj{"limit": 30, "remaining": 30, "reset": s.start.Add(time.Minute).Unix(), "used": 0, "resource": "search"}
	c.json(200, obj{"rate": core, "resources": obj{"core": core, "search": search}})
}

func (c *call) getRepo() {
	r := c.repo
	r.mu.Lock()
	open := 0
	for _, is := range r.issues {
		if is.State == "open" {
			open++
		}
	}
	for _, p := range r.pulls {
		if p.State == "open" {
			open++
		}
	}
	r.mu.Unlock()
	c.json(200, c.s.repoJSON(r, open))
}

func (r *repo) protection(branch string) (Protection, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.protections[branch]
	return p, ok
}

func (c *call) getBranch() {
	r, branch := c.repo, c.p["branch"]
	sha, err := r.git.readRef("refs/heads/" + branch)
	if err != nil {
		c.internal(err)
		return
	}
	if sha == "" {
		c.fail(404, "Branch not found")
		return
	}
	cm, err := r.git.readCommit(sha)
	if err != nil || cm == nil {
		c.internal(fmt.Errorf("reading commit %s: %v", sha, err))
		return
	}
	p, protected := r.protection(branch)
	burl := c.s.repoURL(r) + "/branches/" + url.PathEscape(branch)
	prot := obj{"enabled": protected, "required_status_checks": obj{"enforcement_level": "off", "contexts": []string{}, "checks": []obj{}}}
	if protected && len(p.RequiredChecks) > 0 {
		prot["required_status_checks"] = obj{"enforcement_level": "non_admins", "contexts": p.RequiredChecks, "checks": checksJSON(p.RequiredChecks)}
	}
	c.json(200, obj{
		"name": branch, "commit": c.s.commitJSON(r, cm, nil), "protected": protected,
		"protection": prot, "protection_url": burl + "/protection",
		"_links": obj{"self": burl, "html": c.s.htmlURL(r) + "/tree/" + branch},
	})
}

func checksJSON(contexts []string) []obj {
	out := []obj{}
	for _, ctx := range contexts {
		out = append(out, obj{"context": ctx, "app_id": nil})
	}
	return out
}

func (c *call) getBranchProtection() {
	r, branch := c.repo, c.p["branch"]
	p, ok := r.protection(branch)
	if !ok || p.Ruleset {
		c.fail(404, "Branch not protected")
		return
	}
	u := c.s.repoURL(r) + "/branches/" + url.PathEscape(branch) + "/protection"
	o := obj{
		"url":                              u,
		"required_signatures":              obj{"url": u + "/required_signatures", "enabled": p.RequireSignatures},
		"enforce_admins":                   obj{"url": u + "/enforce_admins", "enabled": false},
		"required_linear_history":          obj{"enabled": false},
		"allow_force_pushes":               obj{"enabled": false},
		"allow_deletions":                  obj{"enabled": false},
		"block_creations":                  obj{"enabled": false},
		"required_conversation_resolution": obj{"enabled": false},
		"lock_branch":                      obj{"enabled": false},
		"allow_fork_syncing":               obj{"enabled": false},
	}
	if len(p.RequiredChecks) > 0 {
		o["required_status_checks"] = obj{
			"url": u + "/required_status_checks", "strict": false,
			"contexts": p.RequiredChecks, "checks": checksJSON(p.RequiredChecks),
			"contexts_url": u + "/required_status_checks/contexts",
		}
	}
	if p.RequirePullRequest {
		o["required_pull_request_reviews"] = obj{
			"url":                   u + "/required_pull_request_reviews",
			"dismiss_stale_reviews": false, "require_code_owner_reviews": false,
			"required_approving_review_count": 0, "require_last_push_approval": false,
		}
	}
	c.json(200, o)
}

func (c *call) getBranchRules() {
	r, branch := c.repo, c.p["branch"]
	p, ok := r.protection(branch)
	rules := []obj{}
	if ok && p.Ruleset {
		info := obj{"ruleset_source_type": "Repository", "ruleset_source": r.fullName(), "ruleset_id": 1}
		add := func(typ string, params obj) {
			o := obj{"type": typ}
			for k, v := range info {
				o[k] = v
			}
			if params != nil {
				o["parameters"] = params
			}
			rules = append(rules, o)
		}
		if p.RequirePullRequest {
			add("pull_request", obj{
				"dismiss_stale_reviews_on_push": false, "require_code_owner_review": false,
				"require_last_push_approval": false, "required_approving_review_count": 0,
				"required_review_thread_resolution": false,
			})
		}
		if len(p.RequiredChecks) > 0 {
			checks := []obj{}
			for _, ctx := range p.RequiredChecks {
				checks = append(checks, obj{"context": ctx})
			}
			add("required_status_checks", obj{"required_status_checks": checks, "strict_required_status_checks_policy": false})
		}
		if p.RequireSignatures {
			add("required_signatures", nil)
		}
	}
	c.json(200, rules)
}

// checkProtection returns the rule violations that updating branch to
// newSHA (from oldSHA) would commit, or nil. viaPull is true for merges of
// pull requests.
func (c *call) checkProtection(branch, oldSHA, newSHA string, viaPull bool) (Protection, []string) {
	return c.repo.checkProtection(branch, oldSHA, newSHA, viaPull)
}

// checkProtection is call.checkProtection for callers without a request (auto-merge).
func (r *repo) checkProtection(branch, oldSHA, newSHA string, viaPull bool) (Protection, []string) {
	p, ok := r.protection(branch)
	if !ok {
		return p, nil
	}
	var v []string
	if p.RequirePullRequest && !viaPull {
		v = append(v, "Changes must be made through a pull request.")
	}
	if len(p.RequiredChecks) > 0 && newSHA != "" {
		state := r.contextStates(newSHA)
		for _, ctx := range p.RequiredChecks {
			if state[ctx] != "success" {
				v = append(v, fmt.Sprintf("Required status check %q is expected.", ctx))
			}
		}
	}
	if p.RequireSignatures && newSHA != "" {
		args := []string{newSHA}
		if oldSHA != "" {
			args = append(args, "^"+oldSHA)
		}
		shas, err := r.git.revList(args...)
		if err == nil {
			for _, sha := range shas {
				r.mu.Lock()
				ok := r.verified[sha]
				r.mu.Unlock()
				if !ok {
					v = append(v, "Commits must have verified signatures.")
					break
				}
			}
		}
	}
	return p, v
}

// protectionMessage is GitHub's message for refused updates of a protected
// branch.
func protectionMessage(p Protection, ref string, violations []string) string {
	if p.Ruleset {
		return "Repository rule violations found\n\n" + strings.Join(violations, "\n\n") + "\n\n"
	}
	return "Protected branch update failed for " + ref + ".\n\n" + strings.Join(violations, "\n\n")
}

// contextStates returns the state of each status context and check run of
// a commit: the latest status per context, success for successful checks.
func (r *repo) contextStates(sha string) map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]string{}
	for _, st := range r.statuses[sha] {
		out[st.Context] = st.State
	}
	for _, cr := range r.checks[sha] {
		if cr.Status == "completed" && (cr.Conclusion == "success" || cr.Conclusion == "neutral" || cr.Conclusion == "skipped") {
			out[cr.Name] = "success"
		} else if _, ok := out[cr.Name]; !ok {
			out[cr.Name] = "pending"
		}
	}
	return out
}

// paginate applies page and per_page to n items, sets the Link header and
// returns the slice bounds.
func (c *call) paginate(n int) (int, int, bool) {
	q := c.r.URL.Query()
	per, page := 30, 1
	if v := q.Get("per_page"); v != "" {
		x, err := strconv.Atoi(v)
		if err != nil || x < 1 {
			c.invalid("per_page", "per_page must be a positive integer")
			return 0, 0, false
		}
		per = min(x, 100)
	}
	if v := q.Get("page"); v != "" {
		x, err := strconv.Atoi(v)
		if err != nil || x < 1 {
			c.invalid("page", "page must be a positive integer")
			return 0, 0, false
		}
		page = x
	}
	last := max((n+per-1)/per, 1)
	link := func(p int, rel string) string {
		q2 := c.r.URL.Query()
		q2.Set("page", strconv.Itoa(p))
		q2.Set("per_page", strconv.Itoa(per))
		return fmt.Sprintf("<%s%s?%s>; rel=%q", c.s.url, c.r.URL.EscapedPath(), q2.Encode(), rel)
	}
	var links []string
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(min(page-1, last), "prev"))
	}
	if len(links) > 0 {
		c.w.Header().Set("Link", strings.Join(links, ", "))
	}
	lo := min((page-1)*per, n)
	return lo, min(lo+per, n), true
}

func (c *call) listCommits() {
	r := c.repo
	q := c.r.URL.Query()
	ref := q.Get("sha")
	if ref == "" {
		ref = r.defaultBranch
	}
	sha, err := r.git.resolveCommit(ref)
	if err != nil {
		c.internal(err)
		return
	}
	if sha == "" {
		c.fail(404, "No commit found for SHA: "+ref)
		return
	}
	args := []string{sha}
	if v := q.Get("since"); v != "" {
		args = append(args, "--since="+v)
	}
	if v := q.Get("until"); v != "" {
		args = append(args, "--until="+v)
	}
	if p := q.Get("path"); p != "" {
		args = append(args, "--", strings.Trim(p, "/"))
	}
	shas, err := r.git.revList(args...)
	if err != nil {
		c.internal(err)
		return
	}
	lo, hi, ok := c.paginate(len(shas))
	if !ok {
		return
	}
	out := []obj{}
	for _, s := range shas[lo:hi] {
		cm, err := r.git.readCommit(s)
		if err != nil || cm == nil {
			c.internal(fmt.Errorf("reading commit %s: %v", s, err))
			return
		}
		out = append(out, c.s.commitJSON(r, cm, nil))
	}
	c.json(200, out)
}

func (c *call) getCommit() {
	r, ref := c.repo, c.p["ref"]
	sha, err := r.git.resolveCommit(ref)
	if err != nil {
		c.internal(err)
		return
	}
	if sha == "" {
		c.fail(422, "No commit found for SHA: "+ref)
		return
	}
	cm, err := r.git.readCommit(sha)
	if err != nil || cm == nil {
		c.internal(fmt.Errorf("reading commit %s: %v", sha, err))
		return
	}
	parent := ""
	if len(cm.Parents) > 0 {
		parent = cm.Parents[0]
	}
	files, err := r.git.diffFiles(parent, sha)
	if err != nil {
		c.internal(err)
		return
	}
	if files == nil {
		files = []fileChange{}
	}
	c.json(200, c.s.commitJSON(r, cm, files))
}

func (c *call) compare() {
	r := c.repo
	base, head, ok := strings.Cut(c.p["basehead"], "...")
	if !ok || base == "" || head == "" {
		c.notFound()
		return
	}
	// owner:ref names a fork's ref; only this repository's own are known.
	if o, ref, ok := strings.Cut(base, ":"); ok && strings.EqualFold(o, r.owner) {
		base = ref
	}
	if o, ref, ok := strings.Cut(head, ":"); ok && strings.EqualFold(o, r.owner) {
		head = ref
	}
	baseSHA, err := r.git.resolveCommit(base)
	if err != nil {
		c.internal(err)
		return
	}
	headSHA, err := r.git.resolveCommit(head)
	if err != nil {
		c.internal(err)
		return
	}
	if baseSHA == "" || headSHA == "" {
		c.notFound()
		return
	}
	mb, err := r.git.mergeBase(baseSHA, headSHA)
	if err != nil {
		c.internal(err)
		return
	}
	if mb == "" {
		c.fail(404, "No common ancestor between "+base+" and "+head+".")
		return
	}
	ahead, err := r.git.revList("--reverse", "--topo-order", headSHA, "^"+baseSHA)
	if err != nil {
		c.internal(err)
		return
	}
	behind, err := r.git.revList(baseSHA, "^"+headSHA)
	if err != nil {
		c.internal(err)
		return
	}
	status := "identical"
	switch {
	case len(ahead) > 0 && len(behind) > 0:
		status = "diverged"
	case len(ahead) > 0:
		status = "ahead"
	case len(behind) > 0:
		status = "behind"
	}
	files, err := r.git.diffFiles(mb, headSHA)
	if err != nil {
		c.internal(err)
		return
	}
	read := func(sha string) obj {
		cm, err := r.git.readCommit(sha)
		if err != nil || cm == nil {
			panic(fmt.Sprintf("reading commit %s: %v", sha, err))
		}
		return c.s.commitJSON(r, cm, nil)
	}
	lo, hi, ok := c.paginate(len(ahead))
	if !ok {
		return
	}
	commits := []obj{}
	for _, sha := range ahead[lo:hi] {
		commits = append(commits, read(sha))
	}
	bh := url.PathEscape(base) + "..." + url.PathEscape(head)
	out := obj{
		"url": c.s.repoURL(r) + "/compare/" + bh, "html_url": c.s.htmlURL(r) + "/compare/" + bh,
		"permalink_url": c.s.htmlURL(r) + "/compare/" + baseSHA + "..." + headSHA,
		"diff_url":      c.s.htmlURL(r) + "/compare/" + bh + ".diff",
		"patch_url":     c.s.htmlURL(r) + "/compare/" + bh + ".patch",
		"base_commit":   read(baseSHA), "merge_base_commit": read(mb),
		"status": status, "ahead_by": len(ahead), "behind_by": len(behind), "total_commits": len(ahead),
		"commits": commits, "files": c.s.filesJSON(r, headSHA, files),
	}
	c.json(200, out)
}

// contentJSON describes one tree entry in the contents API.
func (c *call) contentJSON(e treeEntry, ref string) obj {
	r := c.repo
	typ := "file"
	switch {
	case e.Type == "tree":
		typ = "dir"
	case e.Type == "commit":
		typ = "submodule"
	case e.Mode == "120000":
		typ = "symlink"
	}
	self := c.s.repoURL(r) + "/contents/" + escapePath(e.Path) + "?ref=" + url.QueryEscape(ref)
	gitURL := c.s.repoURL(r) + "/git/blobs/" + e.SHA
	html := c.s.htmlURL(r) + "/blob/" + ref + "/" + e.Path
	if typ == "dir" {
		gitURL = c.s.repoURL(r) + "/git/trees/" + e.SHA
		html = c.s.htmlURL(r) + "/tree/" + ref + "/" + e.Path
	}
	var download any = c.s.htmlURL(r) + "/raw/" + ref + "/" + e.Path
	if typ != "file" {
		download = nil
	}
	return obj{
		"type": typ, "name": path.Base(e.Path), "path": e.Path, "sha": e.SHA, "size": max(e.Size, 0),
		"url": self, "git_url": gitURL, "html_url": html, "download_url": download,
		"_links": obj{"self": self, "git": gitURL, "html": html},
	}
}

// cleanPath reports whether p is a path inside the repository: no empty,
// "." or ".." segments.
func cleanPath(p string) bool {
	if p == "" {
		return true
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

func (c *call) getContent() {
	r := c.repo
	p := strings.Trim(c.p["path"], "/")
	if !cleanPath(p) {
		c.notFound()
		return
	}
	ref := c.query("ref")
	if ref == "" {
		ref = r.defaultBranch
	}
	sha, err := r.git.resolveCommit(ref)
	if err != nil {
		c.internal(err)
		return
	}
	if sha == "" {
		c.fail(404, "No commit found for the ref "+ref)
		return
	}
	var e *treeEntry
	if p == "" {
		cm, err := r.git.readCommit(sha)
		if err != nil || cm == nil {
			c.internal(fmt.Errorf("reading commit %s: %v", sha, err))
			return
		}
		e = &treeEntry{Type: "tree", SHA: cm.Tree, Mode: "040000"}
	} else if e, err = r.git.entryAt(sha, p); err != nil {
		c.internal(err)
		return
	}
	if e == nil {
		c.notFound()
		return
	}
	if e.Type == "tree" {
		entries, err := r.git.readTree(e.SHA, false)
		if err != nil {
			c.internal(err)
			return
		}
		out := []obj{}
		for _, x := range entries {
			if p != "" {
				x.Path = p + "/" + x.Path
			}
			out = append(out, c.contentJSON(x, ref))
		}
		c.json(200, out)
		return
	}
	o := c.contentJSON(*e, ref)
	switch o["type"] {
	case "file":
		data, err := r.git.catBlob(e.SHA)
		if err != nil {
			c.internal(err)
			return
		}
		o["encoding"], o["content"] = "base64", wrapBase64(data)
	case "symlink":
		data, err := r.git.catBlob(e.SHA)
		if err != nil {
			c.internal(err)
			return
		}
		o["target"] = string(data)
	case "submodule":
		o["submodule_git_url"] = ""
	}
	c.json(200, o)
}

// wrapBase64 encodes data as GitHub does in the contents API: base64 in
// lines of 60 characters, each ending with a newline.
func wrapBase64(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 60 {
		b.WriteString(enc[:60] + "\n")
		enc = enc[60:]
	}
	if enc != "" {
		b.WriteString(enc + "\n")
	}
	return b.String()
}

// identity is the author or committer object of write requests.
type identity struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Date  string `json:"date"`
}

func (id *identity) person(def person) (person, error) {
	if id == nil {
		return def, nil
	}
	p := person{Name: id.Name, Email: id.Email, When: def.When}
	if p.Name == "" {
		p.Name = def.Name
	}
	if p.Email == "" {
		p.Email = def.Email
	}
	if id.Date != "" {
		t, err := time.Parse(time.RFC3339, id.Date)
		if err != nil {
			return p, fmt.Errorf("date %q is not an ISO 8601 timestamp", id.Date)
		}
		p.When = t
	}
	return p, nil
}

func (c *call) putContent() {
	r := c.repo
	p := strings.Trim(c.p["path"], "/")
	if !cleanPath(p) {
		c.notFound()
		return
	}
	var req struct {
		Message   *string   `json:"message"`
		Content   *string   `json:"content"`
		SHA       string    `json:"sha"`
		Branch    string    `json:"branch"`
		Committer *identity `json:"committer"`
		Author    *identity `json:"author"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Message == nil {
		c.invalid("message", `"message" wasn't supplied.`)
		return
	}
	if req.Content == nil {
		c.invalid("content", `"content" wasn't supplied.`)
		return
	}
	data, err := base64.StdEncoding.DecodeString(*req.Content)
	if err != nil {
		c.invalid("content", "content is not valid Base64")
		return
	}
	if p == "" {
		c.invalid("path", "path cannot be blank")
		return
	}
	branch := req.Branch
	if branch == "" {
		branch = r.defaultBranch
	}
	committer, err := req.Committer.person(apiCommitter())
	if err != nil {
		c.invalid("committer", err.Error())
		return
	}
	author, err := req.Author.person(committer)
	if req.Author == nil && req.Committer == nil {
		author = apiAuthor()
	}
	if err != nil {
		c.invalid("author", err.Error())
		return
	}
	ref := "refs/heads/" + branch
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	head, err := r.git.readRef(ref)
	if err != nil {
		c.internal(err)
		return
	}
	var old *treeEntry
	if head == "" {
		// Only the first commit of an empty repository may create a branch.
		heads, err := r.git.listRefs("refs/heads/")
		if err != nil {
			c.internal(err)
			return
		}
		if len(heads) > 0 {
			c.fail(404, "Branch "+branch+" not found")
			return
		}
	} else if old, err = r.git.entryAt(head, p); err != nil {
		c.internal(err)
		return
	}
	status := 201
	if old != nil {
		status = 200
		if req.SHA == "" {
			c.fail(422, "Invalid request.\n\n\"sha\" wasn't supplied.")
			return
		}
		if req.SHA != old.SHA {
			c.fail(409, fmt.Sprintf("%s does not match %s", p, req.SHA))
			return
		}
	}
	blob, err := r.git.hashObject("blob", data)
	if err != nil {
		c.internal(err)
		return
	}
	baseTree, parents := "", []string(nil)
	if head != "" {
		cm, err := r.git.readCommit(head)
		if err != nil || cm == nil {
			c.internal(fmt.Errorf("reading commit %s: %v", head, err))
			return
		}
		baseTree, parents = cm.Tree, []string{head}
	}
	tree, err := r.git.editTree(baseTree, []indexOp{{path: p, mode: "100644", sha: blob}})
	if err != nil {
		c.internal(err)
		return
	}
	sha, err := r.git.commitTree(tree, parents, *req.Message, author, committer)
	if err != nil {
		c.internal(err)
		return
	}
	r.markVerified(sha)
	if prot, v := c.checkProtection(branch, head, sha, false); len(v) > 0 {
		c.fail(409, protectionMessage(prot, ref, v))
		return
	}
	ok, err := r.git.updateRef(ref, sha, head)
	if err != nil {
		c.internal(err)
		return
	}
	if !ok {
		c.fail(409, fmt.Sprintf("%s does not match %s", p, req.SHA))
		return
	}
	newCommit, err := r.git.readCommit(sha)
	if err != nil || newCommit == nil {
		c.internal(fmt.Errorf("reading commit %s: %v", sha, err))
		return
	}
	content := c.contentJSON(treeEntry{Path: p, SHA: blob, Type: "blob", Mode: "100644", Size: int64(len(data))}, branch)
	c.json(status, obj{"content": content, "commit": c.s.gitCommitJSON(r, newCommit)})
}

func (r *repo) markVerified(sha string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.verified[sha] = true
}
