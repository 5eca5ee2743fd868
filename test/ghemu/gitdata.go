package ghemu

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

func (c *call) getRef() {
	r := c.repo
	name := "refs/" + c.p["ref"]
	sha, err := r.git.readRef(name)
	if err != nil {
		c.internal(err)
		return
	}
	if sha == "" || c.p["ref"] == "" {
		c.notFound()
		return
	}
	typ, err := r.git.objectType(sha)
	if err != nil {
		c.internal(err)
		return
	}
	c.json(200, c.s.refJSON(r, name, sha, typ))
}

func (c *call) listMatchingRefs() {
	r := c.repo
	refs, err := r.git.listRefs("refs/" + c.p["ref"])
	if err != nil {
		c.internal(err)
		return
	}
	lo, hi, ok := c.paginate(len(refs))
	if !ok {
		return
	}
	out := []obj{}
	for _, e := range refs[lo:hi] {
		out = append(out, c.s.refJSON(r, e.name, e.sha, e.typ))
	}
	c.json(200, out)
}

// validRefName reports whether name is a full ref name GitHub accepts.
func (c *call) validRefName(name string) bool {
	if !strings.HasPrefix(name, "refs/") || strings.Count(name, "/") < 2 {
		return false
	}
	_, err := c.repo.git.run(nil, "check-ref-format", name)
	return err == nil
}

func (c *call) createRef() {
	r := c.repo
	var req struct {
		Ref string `json:"ref"`
		SHA string `json:"sha"`
	}
	if !c.decode(&req) {
		return
	}
	if !c.validRefName(req.Ref) {
		c.fail(422, "Reference name is invalid")
		return
	}
	typ, err := r.git.objectType(req.SHA)
	if err != nil {
		c.internal(err)
		return
	}
	if typ == "" {
		c.fail(422, "Object does not exist")
		return
	}
	ok, err := r.git.updateRef(req.Ref, req.SHA, "")
	if err != nil {
		c.internal(err)
		return
	}
	if !ok {
		c.fail(422, "Reference already exists")
		return
	}
	c.created(c.s.repoURL(r)+"/git/"+req.Ref, c.s.refJSON(r, req.Ref, req.SHA, typ))
}

func (c *call) updateRef() {
	r := c.repo
	name := "refs/" + c.p["ref"]
	var req struct {
		SHA   string `json:"sha"`
		Force bool   `json:"force"`
	}
	if !c.decode(&req) {
		return
	}
	cur, err := r.git.readRef(name)
	if err != nil {
		c.internal(err)
		return
	}
	if cur == "" {
		c.fail(422, "Reference does not exist")
		return
	}
	typ, err := r.git.objectType(req.SHA)
	if err != nil {
		c.internal(err)
		return
	}
	if typ == "" {
		c.fail(422, "Object does not exist")
		return
	}
	ff := true
	if typ == "commit" {
		if ff, err = r.git.isAncestor(cur, req.SHA); err != nil {
			c.internal(err)
			return
		}
	}
	if !ff && !req.Force {
		c.fail(422, "Update is not a fast forward")
		return
	}
	if branch, ok := strings.CutPrefix(name, "refs/heads/"); ok {
		prot, v := c.checkProtection(branch, cur, req.SHA, false)
		if !ff && len(v) == 0 {
			if _, protected := r.protection(branch); protected {
				v = append(v, "Cannot force-push to this branch")
			}
		}
		if len(v) > 0 {
			c.fail(422, protectionMessage(prot, name, v))
			return
		}
	}
	ok, err := r.git.updateRef(name, req.SHA, cur)
	if err != nil {
		c.internal(err)
		return
	}
	if !ok {
		// Another update won the race between our read and write.
		if req.Force {
			c.fail(422, "Reference cannot be updated")
		} else {
			c.fail(422, "Update is not a fast forward")
		}
		return
	}
	c.json(200, c.s.refJSON(r, name, req.SHA, typ))
}

func (c *call) deleteRef() {
	r := c.repo
	name := "refs/" + c.p["ref"]
	cur, err := r.git.readRef(name)
	if err != nil {
		c.internal(err)
		return
	}
	if cur == "" {
		c.fail(422, "Reference does not exist")
		return
	}
	if branch, ok := strings.CutPrefix(name, "refs/heads/"); ok {
		if p, protected := r.protection(branch); protected {
			c.fail(422, protectionMessage(p, name, []string{"Cannot delete this protected branch"}))
			return
		}
	}
	ok, err := r.git.updateRef(name, "", cur)
	if err != nil {
		c.internal(err)
		return
	}
	if !ok {
		c.fail(422, "Reference cannot be updated")
		return
	}
	c.w.WriteHeader(204)
}

func (c *call) getGitCommit() {
	r := c.repo
	cm, err := r.git.readCommit(c.p["sha"])
	if err != nil {
		c.internal(err)
		return
	}
	if cm == nil {
		c.notFound()
		return
	}
	c.json(200, c.s.gitCommitJSON(r, cm))
}

func (c *call) createCommit() {
	r := c.repo
	var req struct {
		Message   *string   `json:"message"`
		Tree      string    `json:"tree"`
		Parents   []string  `json:"parents"`
		Author    *identity `json:"author"`
		Committer *identity `json:"committer"`
		Signature string    `json:"signature"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Message == nil {
		c.invalid("message", `"message" wasn't supplied.`)
		return
	}
	if t, err := r.git.objectType(req.Tree); err != nil || t != "tree" {
		c.fail(422, "Tree SHA does not exist")
		return
	}
	for _, p := range req.Parents {
		if t, err := r.git.objectType(p); err != nil || t != "commit" {
			c.fail(422, "Parent SHA does not exist or is not a commit object")
			return
		}
	}
	author, err := req.Author.person(apiAuthor())
	if err != nil {
		c.invalid("author", err.Error())
		return
	}
	def := author
	if req.Author == nil {
		def = apiCommitter()
	}
	committer, err := req.Committer.person(def)
	if err != nil {
		c.invalid("committer", err.Error())
		return
	}
	sha, err := r.git.commitTree(req.Tree, req.Parents, *req.Message, author, committer, req.Signature)
	if err != nil {
		c.internal(err)
		return
	}
	if req.Signature == "" {
		r.markVerified(sha)
	}
	cm, err := r.git.readCommit(sha)
	if err != nil || cm == nil {
		c.internal(fmt.Errorf("reading commit %s: %v", sha, err))
		return
	}
	c.created(c.s.repoURL(r)+"/git/commits/"+sha, c.s.gitCommitJSON(r, cm))
}

func (c *call) treeJSON(sha string, recursive bool) (obj, bool) {
	r := c.repo
	entries, err := r.git.readTree(sha, recursive)
	if err != nil {
		c.internal(err)
		return nil, false
	}
	out := []obj{}
	for _, e := range entries {
		kind := "trees"
		switch e.Type {
		case "blob":
			kind = "blobs"
		case "commit":
			kind = "commits"
		}
		o := obj{"path": e.Path, "mode": e.Mode, "type": e.Type, "sha": e.SHA}
		if e.Type != "commit" {
			o["url"] = c.s.repoURL(r) + "/git/" + kind + "/" + e.SHA
		}
		if e.Type == "blob" {
			o["size"] = e.Size
		}
		out = append(out, o)
	}
	return obj{"sha": sha, "url": c.s.repoURL(r) + "/git/trees/" + sha, "tree": out, "truncated": false}, true
}

func (c *call) getTree() {
	r := c.repo
	sha, err := r.git.resolve(c.p["sha"], "tree")
	if err != nil {
		c.internal(err)
		return
	}
	if sha == "" {
		c.notFound()
		return
	}
	rec := c.query("recursive")
	o, ok := c.treeJSON(sha, rec != "" && rec != "0" && rec != "false")
	if ok {
		c.json(200, o)
	}
}

func (c *call) createTree() {
	r := c.repo
	var req struct {
		BaseTree string `json:"base_tree"`
		Tree     []struct {
			Path    string          `json:"path"`
			Mode    string          `json:"mode"`
			Type    string          `json:"type"`
			SHA     json.RawMessage `json:"sha"`
			Content *string         `json:"content"`
		} `json:"tree"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Tree == nil {
		c.invalid("tree", `"tree" wasn't supplied.`)
		return
	}
	base := ""
	if req.BaseTree != "" {
		sha, err := r.git.resolve(req.BaseTree, "tree")
		if err != nil {
			c.internal(err)
			return
		}
		if sha == "" || !isSHA(req.BaseTree) {
			c.fail(422, "base_tree is not a valid tree oid")
			return
		}
		base = sha
	}
	var ops []indexOp
	for _, e := range req.Tree {
		p := strings.Trim(e.Path, "/")
		if p == "" {
			c.fail(422, "Invalid tree info: path is empty")
			return
		}
		switch e.Mode {
		case "100644", "100755", "040000", "160000", "120000":
		default:
			c.fail(422, fmt.Sprintf("Invalid tree info: mode %q is not one of 100644, 100755, 040000, 160000, 120000", e.Mode))
			return
		}
		op := indexOp{path: p, mode: e.Mode, isTree: e.Mode == "040000"}
		switch {
		case e.Content != nil:
			sha, err := r.git.hashObject("blob", []byte(*e.Content))
			if err != nil {
				c.internal(err)
				return
			}
			op.sha = sha
		case len(e.SHA) == 0:
			c.fail(422, "Invalid tree info: give sha or content for "+p)
			return
		case string(e.SHA) == "null":
			op.mode = "" // delete
		default:
			var sha string
			if err := json.Unmarshal(e.SHA, &sha); err != nil {
				c.badJSON()
				return
			}
			want := map[string]string{"040000": "tree", "160000": "commit"}[e.Mode]
			if want == "" {
				want = "blob"
			}
			if t, err := r.git.objectType(sha); (err != nil || t != want) && e.Mode != "160000" {
				c.fail(422, "Invalid tree info: "+sha+" is not a "+want)
				return
			}
			op.sha = sha
		}
		ops = append(ops, op)
	}
	sha, err := r.git.editTree(base, ops)
	if err != nil {
		c.internal(err)
		return
	}
	o, ok := c.treeJSON(sha, false)
	if ok {
		c.created(c.s.repoURL(r)+"/git/trees/"+sha, o)
	}
}

func (c *call) getBlob() {
	r := c.repo
	sha := c.p["sha"]
	if t, err := r.git.objectType(sha); err != nil || t != "blob" {
		c.notFound()
		return
	}
	data, err := r.git.catBlob(sha)
	if err != nil {
		c.internal(err)
		return
	}
	c.json(200, obj{
		"sha": sha, "node_id": nodeID("Blob", sha), "size": len(data),
		"url": c.s.repoURL(r) + "/git/blobs/" + sha, "content": wrapBase64(data), "encoding": "base64",
	})
}

func (c *call) createBlob() {
	r := c.repo
	var req struct {
		Content  *string `json:"content"`
		Encoding string  `json:"encoding"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Content == nil {
		c.invalid("content", `"content" wasn't supplied.`)
		return
	}
	data := []byte(*req.Content)
	switch req.Encoding {
	case "", "utf-8", "utf8":
	case "base64":
		d, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(*req.Content, "\n", ""))
		if err != nil {
			c.invalid("content", "content is not valid Base64")
			return
		}
		data = d
	default:
		c.invalid("encoding", fmt.Sprintf("encoding %q is not supported: use utf-8 or base64", req.Encoding))
		return
	}
	sha, err := r.git.hashObject("blob", data)
	if err != nil {
		c.internal(err)
		return
	}
	u := c.s.repoURL(r) + "/git/blobs/" + sha
	c.created(u, obj{"sha": sha, "url": u})
}

// tagObj is a parsed annotated tag.
type tagObj struct {
	sha, object, typ, tag, message string
	tagger                         person
}

func (g *gitCLI) readTag(sha string) (*tagObj, error) {
	if t, err := g.objectType(sha); err != nil || t != "tag" {
		return nil, err
	}
	raw, err := g.run(nil, "cat-file", "tag", sha)
	if err != nil {
		return nil, err
	}
	t := &tagObj{sha: sha}
	head, msg, _ := strings.Cut(raw, "\n\n")
	if i := strings.Index(msg, "-----BEGIN "); i >= 0 {
		msg = msg[:i]
	}
	t.message = msg
	for _, line := range strings.Split(head, "\n") {
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "object":
			t.object = v
		case "type":
			t.typ = v
		case "tag":
			t.tag = v
		case "tagger":
			t.tagger = parsePerson(v)
		}
	}
	return t, nil
}

func (c *call) tagJSON(t *tagObj) obj {
	r := c.repo
	kind := map[string]string{"commit": "commits", "tree": "trees", "blob": "blobs", "tag": "tags"}[t.typ]
	return obj{
		"sha": t.sha, "node_id": nodeID("Tag", t.sha), "url": c.s.repoURL(r) + "/git/tags/" + t.sha,
		"tag": t.tag, "message": t.message, "tagger": gitUser(t.tagger),
		"object":       obj{"sha": t.object, "type": t.typ, "url": c.s.repoURL(r) + "/git/" + kind + "/" + t.object},
		"verification": obj{"verified": false, "reason": "unsigned", "signature": nil, "payload": nil, "verified_at": nil},
	}
}

func (c *call) getTag() {
	t, err := c.repo.git.readTag(c.p["sha"])
	if err != nil {
		c.internal(err)
		return
	}
	if t == nil {
		c.notFound()
		return
	}
	c.json(200, c.tagJSON(t))
}

func (c *call) createTag() {
	r := c.repo
	var req struct {
		Tag     string    `json:"tag"`
		Message string    `json:"message"`
		Object  string    `json:"object"`
		Type    string    `json:"type"`
		Tagger  *identity `json:"tagger"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Tag == "" {
		c.invalid("tag", `"tag" wasn't supplied.`)
		return
	}
	typ, err := r.git.objectType(req.Object)
	if err != nil {
		c.internal(err)
		return
	}
	if typ == "" || (req.Type != "" && req.Type != typ) {
		c.fail(422, "Object does not exist")
		return
	}
	if _, err := r.git.run(nil, "check-ref-format", "refs/tags/"+req.Tag); err != nil {
		c.invalid("tag", fmt.Sprintf("%q is not a valid tag name", req.Tag))
		return
	}
	tagger, err := req.Tagger.person(person{Name: actorLogin, Email: actorEmail, When: time.Now().UTC()})
	if err != nil {
		c.invalid("tagger", err.Error())
		return
	}
	msg := req.Message
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	raw := fmt.Sprintf("object %s\ntype %s\ntag %s\ntagger %s <%s> %s\n\n%s", req.Object, typ, req.Tag, tagger.Name, tagger.Email, gitDate(tagger.When), msg)
	sha, err := r.git.hashObject("tag", []byte(raw))
	if err != nil {
		c.internal(err)
		return
	}
	t, err := r.git.readTag(sha)
	if err != nil || t == nil {
		c.internal(fmt.Errorf("reading tag %s: %v", sha, err))
		return
	}
	c.created(c.s.repoURL(r)+"/git/tags/"+sha, c.tagJSON(t))
}
