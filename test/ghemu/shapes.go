package ghemu

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"strings"
	"time"
)

// obj is a JSON object of a response.
type obj = map[string]any

// actor is who the token acts as: the GITHUB_TOKEN's bot.
const (
	actorLogin = "github-actions[bot]"
	actorID    = 41898282
	actorEmail = "41898282+github-actions[bot]@users.noreply.github.com"
)

// apiCommitter is the committer of commits the emulator makes, as GitHub's
// web-flow signs API commits.
func apiCommitter() person {
	return person{Name: "GitHub", Email: "noreply@github.com", When: time.Now().UTC()}
}

func apiAuthor() person {
	return person{Name: actorLogin, Email: actorEmail, When: time.Now().UTC()}
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func tsOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

func nodeID(kind string, id any) string {
	return base64.RawStdEncoding.EncodeToString([]byte(fmt.Sprintf("%s:%v", kind, id)))
}

// loginID gives a stable id to a user name.
func loginID(login string) int64 {
	if login == actorLogin {
		return actorID
	}
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(login)))
	return int64(h.Sum32()%1_000_000) + 1_000_000
}

func (s *Server) user(login string) obj {
	typ := "User"
	if strings.HasSuffix(login, "[bot]") {
		typ = "Bot"
	}
	u := s.url + "/users/" + login
	return obj{
		"login": login, "id": loginID(login), "node_id": nodeID("User", login),
		"avatar_url": s.url + "/avatars/" + login, "gravatar_id": "",
		"url": u, "html_url": s.url + "/" + login,
		"followers_url": u + "/followers", "following_url": u + "/following{/other_user}",
		"gists_url": u + "/gists{/gist_id}", "starred_url": u + "/starred{/owner}{/repo}",
		"subscriptions_url": u + "/subscriptions", "organizations_url": u + "/orgs",
		"repos_url": u + "/repos", "events_url": u + "/events{/privacy}",
		"received_events_url": u + "/received_events", "type": typ, "site_admin": false,
	}
}

func (s *Server) repoURL(r *repo) string { return s.url + "/repos/" + r.fullName() }
func (s *Server) htmlURL(r *repo) string { return s.url + "/" + r.fullName() }
func (s *Server) cloneURL(r *repo) string {
	base := s.opts.GitURL
	if base == "" {
		base = s.url
	}
	return strings.TrimSuffix(base, "/") + "/" + r.fullName() + ".git"
}

// repoURLFields are the hypermedia URL fields of a repository object.
var repoURLFields = []string{
	"archive", "assignees", "blobs", "branches", "collaborators", "comments", "commits",
	"compare", "contents", "contributors", "deployments", "downloads", "events", "forks",
	"git_commits", "git_refs", "git_tags", "hooks", "issue_comment", "issue_events", "issues",
	"keys", "labels", "languages", "merges", "milestones", "notifications", "pulls", "releases",
	"stargazers", "statuses", "subscribers", "subscription", "tags", "teams", "trees",
}

// repoJSON is a full repository; it also satisfies the smaller repository
// shapes.
func (s *Server) repoJSON(r *repo, openIssues int) obj {
	base := s.repoURL(r)
	o := obj{
		"id": r.id, "node_id": nodeID("Repository", r.id), "name": r.name, "full_name": r.fullName(),
		"owner": s.user(r.owner), "private": false, "visibility": "public",
		"html_url": s.htmlURL(r), "description": nil, "fork": false, "url": base,
		"clone_url": s.cloneURL(r), "git_url": s.cloneURL(r), "ssh_url": s.cloneURL(r), "svn_url": s.htmlURL(r),
		"mirror_url": nil, "homepage": nil, "language": nil,
		"created_at": ts(r.created), "updated_at": ts(r.created), "pushed_at": ts(r.created),
		"size": 0, "stargazers_count": 0, "watchers_count": 0, "watchers": 0,
		"forks_count": 0, "forks": 0, "open_issues_count": openIssues, "open_issues": openIssues,
		"network_count": 0, "subscribers_count": 0,
		"has_issues": true, "has_projects": true, "has_downloads": true, "has_wiki": true,
		"has_pages": false, "has_discussions": false, "archived": false, "disabled": false,
		"is_template": false, "topics": []string{}, "license": nil,
		"default_branch":     r.defaultBranch,
		"allow_merge_commit": true, "allow_squash_merge": true, "allow_rebase_merge": true,
		"permissions": obj{"admin": false, "maintain": false, "push": true, "triage": true, "pull": true},
	}
	for _, f := range repoURLFields {
		o[f+"_url"] = base + "/" + strings.ReplaceAll(f, "_", "/")
	}
	return o
}

// verification is the signature verification of a commit.
func verification(r *repo, c *commitObj) obj {
	r.mu.Lock()
	signedByGitHub := r.verified[c.SHA]
	r.mu.Unlock()
	switch {
	case signedByGitHub:
		return obj{"verified": true, "reason": "valid", "signature": nil, "payload": nil, "verified_at": ts(c.Committer.When)}
	case c.Signature != "":
		return obj{"verified": false, "reason": "unknown_key", "signature": c.Signature, "payload": c.Payload, "verified_at": nil}
	}
	return obj{"verified": false, "reason": "unsigned", "signature": nil, "payload": nil, "verified_at": nil}
}

func gitUser(p person) obj {
	return obj{"name": p.Name, "email": p.Email, "date": ts(p.When)}
}

// gitCommitJSON is a commit of the Git database API.
func (s *Server) gitCommitJSON(r *repo, c *commitObj) obj {
	base := s.repoURL(r)
	parents := make([]obj, len(c.Parents))
	for i, p := range c.Parents {
		parents[i] = obj{"sha": p, "url": base + "/git/commits/" + p, "html_url": s.htmlURL(r) + "/commit/" + p}
	}
	return obj{
		"sha": c.SHA, "node_id": nodeID("Commit", c.SHA), "url": base + "/git/commits/" + c.SHA,
		"html_url": s.htmlURL(r) + "/commit/" + c.SHA,
		"author":   gitUser(c.Author), "committer": gitUser(c.Committer), "message": strings.TrimSuffix(c.Message, "\n"),
		"tree":    obj{"sha": c.Tree, "url": base + "/git/trees/" + c.Tree},
		"parents": parents, "verification": verification(r, c),
	}
}

// commitJSON is a commit of the repository commits API, with files when
// given.
func (s *Server) commitJSON(r *repo, c *commitObj, files []fileChange) obj {
	base := s.repoURL(r)
	parents := make([]obj, len(c.Parents))
	for i, p := range c.Parents {
		parents[i] = obj{"sha": p, "url": base + "/commits/" + p, "html_url": s.htmlURL(r) + "/commit/" + p}
	}
	o := obj{
		"sha": c.SHA, "node_id": nodeID("Commit", c.SHA), "url": base + "/commits/" + c.SHA,
		"html_url": s.htmlURL(r) + "/commit/" + c.SHA, "comments_url": base + "/commits/" + c.SHA + "/comments",
		"commit": obj{
			"author": gitUser(c.Author), "committer": gitUser(c.Committer),
			"message": strings.TrimSuffix(c.Message, "\n"), "comment_count": 0,
			"tree":         obj{"sha": c.Tree, "url": base + "/git/trees/" + c.Tree},
			"url":          base + "/git/commits/" + c.SHA,
			"verification": verification(r, c),
		},
		"author": obj{}, "committer": obj{}, "parents": parents,
	}
	if files != nil {
		o["files"] = s.filesJSON(r, c.SHA, files)
		add, del := 0, 0
		for _, f := range files {
			add += f.Additions
			del += f.Deletions
		}
		o["stats"] = obj{"additions": add, "deletions": del, "total": add + del}
	}
	return o
}

func (s *Server) filesJSON(r *repo, ref string, files []fileChange) []obj {
	out := make([]obj, len(files))
	for i, f := range files {
		e := obj{
			"sha": f.SHA, "filename": f.Path, "status": f.Status,
			"additions": f.Additions, "deletions": f.Deletions, "changes": f.Additions + f.Deletions,
			"blob_url":     s.htmlURL(r) + "/blob/" + ref + "/" + f.Path,
			"raw_url":      s.htmlURL(r) + "/raw/" + ref + "/" + f.Path,
			"contents_url": s.repoURL(r) + "/contents/" + f.Path + "?ref=" + ref,
		}
		if f.PrevPath != "" {
			e["previous_filename"] = f.PrevPath
		}
		out[i] = e
	}
	return out
}

// refJSON is a git reference.
func (s *Server) refJSON(r *repo, name, sha, typ string) obj {
	base := s.repoURL(r)
	kind := "commits"
	switch typ {
	case "tag":
		kind = "tags"
	case "tree":
		kind = "trees"
	case "blob":
		kind = "blobs"
	}
	return obj{
		"ref": name, "node_id": nodeID("Ref", r.fullName()+":"+name),
		"url":    base + "/git/" + name,
		"object": obj{"sha": sha, "type": typ, "url": base + "/git/" + kind + "/" + sha},
	}
}

// releaseJSON is a release.
func (s *Server) releaseJSON(r *repo, rel *Release) obj {
	base := s.repoURL(r) + "/releases/" + fmt.Sprint(rel.ID)
	html := s.htmlURL(r) + "/releases/tag/" + rel.TagName
	if rel.Draft {
		html = s.htmlURL(r) + "/releases/tag/untagged-" + fmt.Sprint(rel.ID)
	}
	var name, body any = rel.Name, rel.Body
	if rel.Name == "" {
		name = nil
	}
	return obj{
		"id": rel.ID, "node_id": nodeID("Release", rel.ID), "url": base, "html_url": html,
		"assets_url": base + "/assets", "upload_url": s.url + "/uploads/repos/" + r.fullName() + "/releases/" + fmt.Sprint(rel.ID) + "/assets{?name,label}",
		"tarball_url": s.repoURL(r) + "/tarball/" + rel.TagName, "zipball_url": s.repoURL(r) + "/zipball/" + rel.TagName,
		"tag_name": rel.TagName, "target_commitish": rel.TargetCommitish, "name": name, "body": body,
		"draft": rel.Draft, "prerelease": rel.Prerelease, "immutable": false,
		"created_at": ts(rel.CreatedAt), "published_at": tsOrNil(rel.PublishedAt),
		"author": s.user(actorLogin), "assets": []obj{},
	}
}

func (s *Server) labelJSON(r *repo, l *label) obj {
	var descr any = l.descr
	if l.descr == "" {
		descr = nil
	}
	return obj{
		"id": l.id, "node_id": nodeID("Label", l.id), "url": s.repoURL(r) + "/labels/" + l.name,
		"name": l.name, "color": l.color, "default": false, "description": descr,
	}
}

// labelsJSON returns the label objects for names; r.mu must be held.
func (s *Server) labelsJSON(r *repo, names []string) []obj {
	out := []obj{}
	for _, n := range names {
		if l := r.labels[strings.ToLower(n)]; l != nil {
			o := s.labelJSON(r, l)
			if o["description"] == nil {
				o["description"] = "" // pull-request-simple wants a string
			}
			out = append(out, o)
		}
	}
	return out
}

func (s *Server) usersJSON(logins []string) []obj {
	out := []obj{}
	for _, l := range logins {
		out = append(out, s.user(l))
	}
	return out
}
