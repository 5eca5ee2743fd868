package ghemu

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// releaseRequest is the body of create-release and update-release.
type releaseRequest struct {
	TagName              *string `json:"tag_name"`
	TargetCommitish      *string `json:"target_commitish"`
	Name                 *string `json:"name"`
	Body                 *string `json:"body"`
	Draft                *bool   `json:"draft"`
	Prerelease           *bool   `json:"prerelease"`
	GenerateReleaseNotes bool    `json:"generate_release_notes"`
	MakeLatest           string  `json:"make_latest"`
}

// ensureTag creates the lightweight tag refs/tags/<tag> at target (a
// branch, tag or SHA) when it does not exist yet, as GitHub does when a
// release is published. It reports whether target could be resolved.
func (c *call) ensureTag(tag, target string) (bool, error) {
	r := c.repo
	sha, err := r.git.readRef("refs/tags/" + tag)
	if err != nil || sha != "" {
		return err == nil, err
	}
	commit, err := r.git.resolveCommit(target)
	if err != nil || commit == "" {
		return false, err
	}
	if _, err := r.git.updateRef("refs/tags/"+tag, commit, ""); err != nil {
		return false, err
	}
	// Lost a race with another creator: the tag exists, which is all we need.
	return true, nil
}

func (c *call) createRelease() {
	r := c.repo
	var req releaseRequest
	if !c.decode(&req) {
		return
	}
	if req.TagName == nil || *req.TagName == "" {
		validationFailed(c.w, "Release", "tag_name", "missing_field", "")
		return
	}
	tag := *req.TagName
	if _, err := r.git.run(nil, "check-ref-format", "refs/tags/"+tag); err != nil {
		validationFailed(c.w, "Release", "tag_name", "invalid", "")
		return
	}
	rel := &Release{
		TagName: tag, TargetCommitish: r.defaultBranch,
		Draft: req.Draft != nil && *req.Draft, Prerelease: req.Prerelease != nil && *req.Prerelease,
		CreatedAt: time.Now().UTC().Truncate(time.Second),
	}
	if req.TargetCommitish != nil && *req.TargetCommitish != "" {
		rel.TargetCommitish = *req.TargetCommitish
	}
	if req.Name != nil {
		rel.Name = *req.Name
	}
	if req.Body != nil {
		rel.Body = *req.Body
	}
	if sha, err := r.git.readRef("refs/tags/" + tag); err != nil {
		c.internal(err)
		return
	} else if sha == "" {
		commit, err := r.git.resolveCommit(rel.TargetCommitish)
		if err != nil {
			c.internal(err)
			return
		}
		if commit == "" {
			validationFailed(c.w, "Release", "target_commitish", "invalid", "")
			return
		}
	}
	if req.GenerateReleaseNotes {
		name, body, status, msg := c.releaseNotes(tag, rel.TargetCommitish, "")
		if status != 0 {
			c.fail(status, msg)
			return
		}
		if rel.Name == "" {
			rel.Name = name
		}
		if rel.Body != "" {
			rel.Body += "\n\n" + body
		} else {
			rel.Body = body
		}
	}
	rel.ID = c.s.id()
	r.mu.Lock()
	for _, o := range r.releases {
		if o.TagName == tag {
			r.mu.Unlock()
			validationFailed(c.w, "Release", "tag_name", "already_exists", "")
			return
		}
	}
	r.releases = append(r.releases, rel)
	r.mu.Unlock()
	if !rel.Draft {
		ok, err := c.ensureTag(tag, rel.TargetCommitish)
		if err != nil || !ok {
			r.mu.Lock()
			r.releases = slices.DeleteFunc(r.releases, func(x *Release) bool { return x == rel })
			r.mu.Unlock()
			if err != nil {
				c.internal(err)
			} else {
				validationFailed(c.w, "Release", "target_commitish", "invalid", "")
			}
			return
		}
		r.mu.Lock()
		rel.PublishedAt = time.Now().UTC().Truncate(time.Second)
		r.mu.Unlock()
	}
	r.mu.Lock()
	o := c.s.releaseJSON(r, rel)
	r.mu.Unlock()
	c.created(o["url"].(string), o)
}

// release finds the release with the id of the path, or answers 404.
func (c *call) release() *Release {
	id, err := strconv.ParseInt(c.p["id"], 10, 64)
	if err == nil {
		r := c.repo
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, rel := range r.releases {
			if rel.ID == id {
				return rel
			}
		}
	}
	c.notFound()
	return nil
}

func (c *call) getRelease() {
	rel := c.release()
	if rel == nil {
		return
	}
	c.writeRelease(rel)
}

func (c *call) writeRelease(rel *Release) {
	c.repo.mu.Lock()
	o := c.s.releaseJSON(c.repo, rel)
	c.repo.mu.Unlock()
	c.json(200, o)
}

func (c *call) updateRelease() {
	r := c.repo
	rel := c.release()
	if rel == nil {
		return
	}
	var req releaseRequest
	if !c.decode(&req) {
		return
	}
	r.mu.Lock()
	cur := *rel
	r.mu.Unlock()
	next := cur
	if req.TagName != nil && *req.TagName != "" {
		next.TagName = *req.TagName
	}
	if req.TargetCommitish != nil && *req.TargetCommitish != "" {
		next.TargetCommitish = *req.TargetCommitish
	}
	if req.Name != nil {
		next.Name = *req.Name
	}
	if req.Body != nil {
		next.Body = *req.Body
	}
	if req.Draft != nil {
		next.Draft = *req.Draft
	}
	if req.Prerelease != nil {
		next.Prerelease = *req.Prerelease
	}
	if !next.Draft {
		ok, err := c.ensureTag(next.TagName, next.TargetCommitish)
		if err != nil {
			c.internal(err)
			return
		}
		if !ok {
			validationFailed(c.w, "Release", "target_commitish", "invalid", "")
			return
		}
		if next.PublishedAt.IsZero() {
			next.PublishedAt = time.Now().UTC().Truncate(time.Second)
		}
	}
	r.mu.Lock()
	for _, o := range r.releases {
		if o != rel && o.TagName == next.TagName {
			r.mu.Unlock()
			validationFailed(c.w, "Release", "tag_name", "already_exists", "")
			return
		}
	}
	*rel = next
	o := c.s.releaseJSON(r, rel)
	r.mu.Unlock()
	c.json(200, o)
}

func (c *call) getReleaseByTag() {
	r := c.repo
	r.mu.Lock()
	var found *Release
	for _, rel := range r.releases {
		if rel.TagName == c.p["tag"] && !rel.Draft {
			found = rel
		}
	}
	r.mu.Unlock()
	if found == nil {
		c.notFound()
		return
	}
	c.writeRelease(found)
}

// latestRelease returns the most recently published full release, or nil;
// r.mu must be held.
func (r *repo) latestRelease(except string) *Release {
	var best *Release
	for _, rel := range r.releases {
		if rel.Draft || rel.Prerelease || rel.TagName == except {
			continue
		}
		if best == nil || !rel.PublishedAt.Before(best.PublishedAt) {
			best = rel
		}
	}
	return best
}

func (c *call) getLatestRelease() {
	r := c.repo
	r.mu.Lock()
	rel := r.latestRelease("")
	r.mu.Unlock()
	if rel == nil {
		c.notFound()
		return
	}
	c.writeRelease(rel)
}

func (c *call) listReleases() {
	r := c.repo
	r.mu.Lock()
	rels := slices.Clone(r.releases)
	r.mu.Unlock()
	slices.SortStableFunc(rels, func(a, b *Release) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	lo, hi, ok := c.paginate(len(rels))
	if !ok {
		return
	}
	out := []obj{}
	r.mu.Lock()
	for _, rel := range rels[lo:hi] {
		out = append(out, c.s.releaseJSON(r, rel))
	}
	r.mu.Unlock()
	c.json(200, out)
}

func (c *call) listTags() {
	r := c.repo
	out, err := r.git.run(nil, "for-each-ref", "--sort=-v:refname", "--format=%(refname:strip=2) %(objectname) %(*objectname)", "refs/tags/")
	if err != nil {
		c.internal(err)
		return
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] == "" {
		lines = nil
	}
	lo, hi, ok := c.paginate(len(lines))
	if !ok {
		return
	}
	tags := []obj{}
	for _, line := range lines[lo:hi] {
		f := strings.Fields(line)
		sha := f[1]
		if len(f) > 2 {
			sha = f[2]
		}
		tags = append(tags, obj{
			"name": f[0], "node_id": nodeID("Tag", r.fullName()+":"+f[0]),
			"commit":      obj{"sha": sha, "url": c.s.repoURL(r) + "/commits/" + sha},
			"zipball_url": c.s.repoURL(r) + "/zipball/refs/tags/" + f[0],
			"tarball_url": c.s.repoURL(r) + "/tarball/refs/tags/" + f[0],
		})
	}
	c.json(200, tags)
}

func (c *call) generateNotes() {
	var req struct {
		TagName         string `json:"tag_name"`
		TargetCommitish string `json:"target_commitish"`
		PreviousTagName string `json:"previous_tag_name"`
	}
	if !c.decode(&req) {
		return
	}
	if req.TagName == "" {
		validationFailed(c.w, "Release", "tag_name", "missing_field", "")
		return
	}
	name, body, status, msg := c.releaseNotes(req.TagName, req.TargetCommitish, req.PreviousTagName)
	if status != 0 {
		c.fail(status, msg)
		return
	}
	c.json(200, obj{"name": name, "body": body})
}

// releaseNotes renders GitHub-style release notes for tag: the commits
// since previous (by default the latest full release other than tag),
// each shown as its pull request when it is a merge the emulator made.
// A non-zero status is an error to answer.
func (c *call) releaseNotes(tag, target, previous string) (name, body string, status int, msg string) {
	r := c.repo
	head, err := r.git.resolve("refs/tags/"+tag, "commit")
	if err != nil {
		return "", "", 500, err.Error()
	}
	if head == "" {
		if target == "" {
			target = r.defaultBranch
		}
		if head, err = r.git.resolveCommit(target); err != nil || head == "" {
			return "", "", 404, "Not Found"
		}
	}
	if previous == "" {
		r.mu.Lock()
		if rel := r.latestRelease(tag); rel != nil {
			previous = rel.TagName
		}
		r.mu.Unlock()
	}
	args := []string{"--topo-order", head}
	prevSHA := ""
	if previous != "" {
		if prevSHA, err = r.git.resolve("refs/tags/"+previous, "commit"); err != nil || prevSHA == "" {
			return "", "", 404, "Not Found"
		}
		args = append(args, "^"+prevSHA)
	}
	shas, err := r.git.revList(args...)
	if err != nil {
		return "", "", 500, err.Error()
	}
	r.mu.Lock()
	byMerge := map[string]*PullRequest{}
	for _, p := range r.pulls {
		if p.Merged {
			byMerge[p.MergeCommitSHA] = p
		}
	}
	r.mu.Unlock()
	var b strings.Builder
	if len(shas) > 0 {
		b.WriteString("## What's Changed\n")
		for _, sha := range shas {
			cm, err := r.git.readCommit(sha)
			if err != nil || cm == nil {
				return "", "", 500, fmt.Sprintf("reading commit %s: %v", sha, err)
			}
			if p := byMerge[sha]; p != nil {
				fmt.Fprintf(&b, "* %s by @%s in %s/pull/%d\n", p.Title, actorLogin, c.s.htmlURL(r), p.Number)
				continue
			}
			subject, _, _ := strings.Cut(cm.Message, "\n")
			fmt.Fprintf(&b, "* %s by @%s in %s\n", subject, login(cm.Author), sha)
		}
		b.WriteString("\n\n")
	}
	if previous != "" {
		fmt.Fprintf(&b, "**Full Changelog**: %s/compare/%s...%s", c.s.htmlURL(r), previous, tag)
	} else {
		fmt.Fprintf(&b, "**Full Changelog**: %s/commits/%s", c.s.htmlURL(r), tag)
	}
	return tag, b.String(), 0, ""
}

// login guesses the GitHub login of a commit author.
func login(p person) string {
	if local, ok := strings.CutSuffix(p.Email, "@users.noreply.github.com"); ok {
		if _, l, ok := strings.Cut(local, "+"); ok {
			return l
		}
		return local
	}
	if l, _, ok := strings.Cut(p.Email, "@"); ok && l != "" {
		return l
	}
	return strings.ReplaceAll(p.Name, " ", "")
}
