// Package gitrepo reads a local git repository the way shipkit's actions need it: files at a
// revision, ancestry, tags and the commits between two revisions. It uses go-git, so it works in
// a scratch container image with no git CLI and does not care which uid owns the workspace (git's
// "dubious ownership" check is a CLI rule). On actions/checkout's default shallow clone it never
// answers from an incomplete history: a missing commit is fetched from the remote by its SHA, and
// an ancestry walk that reaches the shallow boundary says so with ErrIncompleteHistory.
package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// ErrIncompleteHistory reports that the answer depends on commits a shallow clone does not have.
var ErrIncompleteHistory = errors.New("the local history is incomplete (shallow clone)")

// ErrUnknownRevision reports a revision that is neither local nor fetchable from the remote.
var ErrUnknownRevision = errors.New("unknown revision")

// Options configures Open.
type Options struct {
	// Remote is the remote fetched from when a commit is missing; default "origin".
	Remote string
	// Token authenticates fetches over HTTPS (as actions/checkout's token does); may be empty.
	Token string
	// Logf receives one line per fetch; nil discards.
	Logf func(format string, args ...any)
}

// Repo is an opened local repository. It caches what it reads and is not safe for concurrent use.
type Repo struct {
	repo    *git.Repository
	dir     string
	opts    Options
	shallow map[plumbing.Hash]bool
	fetches int
	// remoteTags and localTags cache the tag lists: one listing serves every package.
	remoteTags []Tag
	localTags  []Tag // unpeeled: names and the objects the refs point at
	// peeled maps a tag ref's object to its commit, filled as tags are asked for: peeling reads
	// the object, so a listing of one package's tags does not read every tag of the repository.
	peeled map[plumbing.Hash]plumbing.Hash
	// commits caches resolved revisions: every package reads the same two commits.
	commits map[string]*object.Commit
}

// Tag is a tag name and the commit it points at (annotated tags are peeled).
type Tag struct {
	Name   string
	Commit string
}

// Commit is one commit's identity and message.
type Commit struct {
	SHA     string
	Message string
	Author  string
}

// Open opens the repository that contains dir (its .git may be in a parent folder).
func Open(dir string, opts Options) (*Repo, error) {
	if opts.Remote == "" {
		opts.Remote = "origin"
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("opening git repository at %q: %w (check out the repository first: actions/checkout)", dir, err)
	}
	// Reopen the same .git keeping pack files open: go-git otherwise reopens the packfile for
	// every object it reads, which dominated the cost of reading many manifests.
	if st, ok := r.Storer.(*filesystem.Storage); ok {
		wt, err := r.Worktree()
		if err == nil {
			keep := filesystem.NewStorageWithOptions(st.Filesystem(), cache.NewObjectLRUDefault(), filesystem.Options{KeepDescriptors: true})
			if reopened, err := git.Open(keep, wt.Filesystem); err == nil {
				r = reopened
			}
		}
	}
	g := &Repo{repo: r, dir: dir, opts: opts}
	if err := g.loadShallow(); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *Repo) loadShallow() error {
	hs, err := g.repo.Storer.Shallow()
	if err != nil {
		return fmt.Errorf("reading the shallow list of %q: %w", g.dir, err)
	}
	g.shallow = make(map[plumbing.Hash]bool, len(hs))
	for _, h := range hs {
		g.shallow[h] = true
	}
	return nil
}

// Close releases the pack files the repository keeps open.
func (g *Repo) Close() error {
	if st, ok := g.repo.Storer.(*filesystem.Storage); ok {
		return st.Close()
	}
	return nil
}

// Shallow reports whether the repository is a shallow clone.
func (g *Repo) Shallow() bool { return len(g.shallow) > 0 }

// Fetches is the number of fetches made from the remote (tests read it).
func (g *Repo) Fetches() int { return g.fetches }

// Resolve turns a revision (SHA, branch, tag, HEAD) into a commit SHA, fetching a full SHA that
// is not local.
func (g *Repo) Resolve(ctx context.Context, rev string) (string, error) {
	c, err := g.commit(ctx, rev)
	if err != nil {
		return "", err
	}
	return c.Hash.String(), nil
}

func (g *Repo) commit(ctx context.Context, rev string) (*object.Commit, error) {
	if c, ok := g.commits[rev]; ok {
		return c, nil
	}
	c, err := g.resolveCommit(ctx, rev)
	if err != nil {
		return nil, err
	}
	if g.commits == nil {
		g.commits = map[string]*object.Commit{}
	}
	if isFullSHA(rev) {
		g.commits[rev] = c // a SHA names one commit for ever; a branch name may move
	}
	return c, nil
}

func (g *Repo) resolveCommit(ctx context.Context, rev string) (*object.Commit, error) {
	if isFullSHA(rev) {
		h := plumbing.NewHash(rev)
		c, err := g.repo.CommitObject(h)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			if ferr := g.fetchSHA(ctx, rev); ferr != nil {
				return nil, fmt.Errorf("commit %s is not in the local clone and fetching it failed: %w: %w", rev, ferr, ErrUnknownRevision)
			}
			c, err = g.repo.CommitObject(h)
		}
		if err != nil {
			return nil, fmt.Errorf("reading commit %s: %w", rev, err)
		}
		return c, nil
	}
	h, err := g.repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("resolving revision %q: %w: %w", rev, err, ErrUnknownRevision)
	}
	c, err := g.repo.CommitObject(*h)
	if err != nil {
		return nil, fmt.Errorf("reading commit %q: %w", rev, err)
	}
	return c, nil
}

// fetchSHA fetches one commit by SHA with depth 1, as GitHub allows (uploadpack.allowReachableSHA1InWant).
func (g *Repo) fetchSHA(ctx context.Context, sha string) error {
	g.fetches++
	g.opts.Logf("fetching commit %s from %s", sha, g.opts.Remote)
	spec := config.RefSpec(fmt.Sprintf("%s:refs/shipkit/fetched/%s", sha, sha))
	err := g.repo.FetchContext(ctx, &git.FetchOptions{
		RemoteName: g.opts.Remote,
		RefSpecs:   []config.RefSpec{spec},
		Depth:      1,
		Tags:       git.NoTags,
		Auth:       g.auth(),
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return fmt.Errorf("fetching %s from remote %q: %w", sha, g.opts.Remote, err)
	}
	return g.loadShallow()
}

func (g *Repo) auth() transport.AuthMethod {
	if g.opts.Token == "" {
		return nil
	}
	return &githttp.BasicAuth{Username: "x-access-token", Password: g.opts.Token}
}

// ReadFile returns the file at path (slash separated, from the repository root) in revision rev.
// A path that does not exist there gives an error wrapping fs.ErrNotExist.
func (g *Repo) ReadFile(ctx context.Context, rev, path string) ([]byte, error) {
	c, err := g.commit(ctx, rev)
	if err != nil {
		return nil, err
	}
	f, err := c.File(path)
	if errors.Is(err, object.ErrFileNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return nil, fmt.Errorf("reading %s at %s: %w", path, short(c.Hash.String()), fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", path, short(c.Hash.String()), err)
	}
	rd, err := f.Reader()
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", path, short(c.Hash.String()), err)
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// IsAncestor reports whether ancestor is reachable from descendant (a commit is its own
// ancestor). When the walk reaches the shallow boundary without an answer it returns
// ErrIncompleteHistory rather than a guess.
func (g *Repo) IsAncestor(ctx context.Context, ancestor, descendant string) (bool, error) {
	a, err := g.commit(ctx, ancestor)
	if err != nil {
		return false, err
	}
	d, err := g.commit(ctx, descendant)
	if err != nil {
		return false, err
	}
	found := false
	incomplete := false
	err = g.walk(d.Hash, func(c *object.Commit) bool {
		if c.Hash == a.Hash {
			found = true
			return false
		}
		// Commit times are not reliable enough to prune on; the walk stays exact.
		return true
	}, &incomplete)
	if err != nil {
		return false, err
	}
	if found {
		return true, nil
	}
	if incomplete {
		return false, fmt.Errorf("deciding whether %s is an ancestor of %s: %w", short(ancestor), short(descendant), ErrIncompleteHistory)
	}
	return false, nil
}

// walk visits every commit reachable from start once, parents after children, until visit
// returns false. It sets *incomplete when a parent is missing or the shallow boundary is reached.
func (g *Repo) walk(start plumbing.Hash, visit func(*object.Commit) bool, incomplete *bool) error {
	seen := map[plumbing.Hash]bool{start: true}
	queue := []plumbing.Hash{start}
	for len(queue) > 0 {
		h := queue[0]
		queue = queue[1:]
		c, err := g.repo.CommitObject(h)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			*incomplete = true
			continue
		}
		if err != nil {
			return fmt.Errorf("reading commit %s: %w", h, err)
		}
		if !visit(c) {
			return nil
		}
		if g.shallow[h] {
			*incomplete = true
			continue
		}
		for _, p := range c.ParentHashes {
			if !seen[p] {
				seen[p] = true
				queue = append(queue, p)
			}
		}
	}
	return nil
}

// Log lists the commits reachable from head and not from base (base may be empty: all of
// head's history), newest first, keeping those that touch any of paths (folder prefixes; none
// keeps all). It returns ErrIncompleteHistory when the shallow boundary cuts the range.
func (g *Repo) Log(ctx context.Context, base, head string, paths ...string) ([]Commit, error) {
	h, err := g.commit(ctx, head)
	if err != nil {
		return nil, err
	}
	exclude := map[plumbing.Hash]bool{}
	incomplete := false
	if base != "" {
		b, err := g.commit(ctx, base)
		if err != nil {
			return nil, err
		}
		if err := g.walk(b.Hash, func(c *object.Commit) bool { exclude[c.Hash] = true; return true }, &incomplete); err != nil {
			return nil, err
		}
		incomplete = false // missing history below base only hides commits we exclude anyway
	}
	var out []*object.Commit
	err = g.walk(h.Hash, func(c *object.Commit) bool {
		if !exclude[c.Hash] {
			out = append(out, c)
		}
		return true
	}, &incomplete)
	if err != nil {
		return nil, err
	}
	if incomplete {
		return nil, fmt.Errorf("listing commits %s..%s: %w", short(base), short(head), ErrIncompleteHistory)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Committer.When.After(out[j].Committer.When) })
	var commits []Commit
	for _, c := range out {
		if len(paths) > 0 {
			touched, err := touches(c, paths)
			if err != nil {
				return nil, err
			}
			if !touched {
				continue
			}
		}
		commits = append(commits, Commit{SHA: c.Hash.String(), Message: c.Message, Author: c.Author.Name})
	}
	return commits, nil
}

// touches reports whether commit c changed a file under one of the folder prefixes.
func touches(c *object.Commit, prefixes []string) (bool, error) {
	tree, err := c.Tree()
	if err != nil {
		return false, err
	}
	var parentTree *object.Tree
	if c.NumParents() > 0 {
		p, err := c.Parent(0)
		if err != nil {
			return false, err
		}
		if parentTree, err = p.Tree(); err != nil {
			return false, err
		}
	}
	for _, prefix := range prefixes {
		prefix = strings.Trim(prefix, "/")
		a, aerr := subtreeHash(tree, prefix)
		b, berr := subtreeHash(parentTree, prefix)
		if aerr != nil || berr != nil {
			return false, errors.Join(aerr, berr)
		}
		if a != b {
			return true, nil
		}
	}
	return false, nil
}

// subtreeHash is the object hash at path in tree (zero when absent); comparing hashes tells
// whether anything under path changed without diffing files.
func subtreeHash(tree *object.Tree, path string) (plumbing.Hash, error) {
	if tree == nil {
		return plumbing.ZeroHash, nil
	}
	if path == "" || path == "." {
		return tree.Hash, nil
	}
	e, err := tree.FindEntry(path)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return e.Hash, nil
}

// LocalTags lists the tags in the local repository whose names start with prefix (one listing
// per Repo, cached).
func (g *Repo) LocalTags(prefix string) ([]Tag, error) {
	if g.localTags == nil {
		all, err := g.listLocalTags()
		if err != nil {
			return nil, err
		}
		g.localTags = all
	}
	var tags []Tag
	for _, t := range g.localTags {
		if strings.HasPrefix(t.Name, prefix) {
			tags = append(tags, Tag{Name: t.Name, Commit: g.peel(plumbing.NewHash(t.Commit)).String()})
		}
	}
	return tags, nil
}

// peel returns the commit an annotated tag object points at, or h itself.
func (g *Repo) peel(h plumbing.Hash) plumbing.Hash {
	if c, ok := g.peeled[h]; ok {
		return c
	}
	c := h
	if t, err := g.repo.TagObject(h); err == nil {
		c = t.Target
	}
	if g.peeled == nil {
		g.peeled = map[plumbing.Hash]plumbing.Hash{}
	}
	g.peeled[h] = c
	return c
}

func (g *Repo) listLocalTags() ([]Tag, error) {
	iter, err := g.repo.Tags()
	if err != nil {
		return nil, fmt.Errorf("listing tags: %w", err)
	}
	tags := []Tag{}
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		tags = append(tags, Tag{Name: ref.Name().Short(), Commit: ref.Hash().String()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing tags: %w", err)
	}
	return tags, nil
}

// RemoteTags lists the remote's tags whose names start with prefix without fetching any object
// (one ls-remote round trip per Repo, cached). Annotated tags are peeled.
func (g *Repo) RemoteTags(ctx context.Context, prefix string) ([]Tag, error) {
	if g.remoteTags == nil {
		all, err := g.listRemoteTags(ctx)
		if err != nil {
			return nil, err
		}
		g.remoteTags = all
	}
	var tags []Tag
	for _, t := range g.remoteTags {
		if strings.HasPrefix(t.Name, prefix) {
			tags = append(tags, t)
		}
	}
	return tags, nil
}

// RefreshRemoteTags drops the cached remote tag list, so the next RemoteTags asks again.
func (g *Repo) RefreshRemoteTags() { g.remoteTags = nil }

func (g *Repo) listRemoteTags(ctx context.Context) ([]Tag, error) {
	remote, err := g.repo.Remote(g.opts.Remote)
	if err != nil {
		return nil, fmt.Errorf("finding remote %q: %w", g.opts.Remote, err)
	}
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: g.auth(), PeelingOption: git.AppendPeeled})
	if err != nil {
		return nil, fmt.Errorf("listing tags of remote %q: %w", g.opts.Remote, err)
	}
	byName := map[string]string{}
	peeled := map[string]string{}
	for _, ref := range refs {
		tag, ok := strings.CutPrefix(ref.Name().String(), "refs/tags/")
		if !ok {
			continue
		}
		if base, ok := strings.CutSuffix(tag, "^{}"); ok {
			peeled[base] = ref.Hash().String()
			continue
		}
		byName[tag] = ref.Hash().String()
	}
	tags := make([]Tag, 0, len(byName)) // non-nil even when empty: the cache is filled
	for name, sha := range byName {
		if p, ok := peeled[name]; ok {
			sha = p
		}
		tags = append(tags, Tag{Name: name, Commit: sha})
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Name < tags[j].Name })
	return tags, nil
}

// Root is the working tree's top folder.
func (g *Repo) Root() (string, error) {
	wt, err := g.repo.Worktree()
	if err != nil {
		return "", fmt.Errorf("finding the working tree of %q: %w", g.dir, err)
	}
	return wt.Filesystem.Root(), nil
}

// HasRemote reports whether the configured remote exists.
func (g *Repo) HasRemote() bool {
	_, err := g.repo.Remote(g.opts.Remote)
	return err == nil
}

func isFullSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
