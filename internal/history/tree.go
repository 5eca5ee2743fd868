package history

import (
	"context"
	"fmt"
	"path"
	"strings"
)

// TreeHasher gives the object hash of a folder at a revision, so two revisions can be compared
// under one folder by equality, at a cost independent of the history between them. *Git, *API
// and *Layered implement it.
type TreeHasher interface {
	// TreeHash returns the hash of the folder (or file) p at rev, or "" when nothing is there.
	TreeHash(ctx context.Context, rev, p string) (string, error)
}

// TreeHash implements TreeHasher from the clone, fetching a missing commit by SHA.
func (g *Git) TreeHash(ctx context.Context, rev, p string) (string, error) {
	return g.Repo.TreeHash(ctx, rev, p)
}

// TreeHash implements TreeHasher with the git trees API: one request per folder level of p
// (two for packages/<pkg>), each listing one tree without recursion. rev may be a commit SHA or
// a tag or branch name; GitHub resolves it to the commit's tree.
func (a *API) TreeHash(ctx context.Context, rev, p string) (string, error) {
	clean := strings.TrimPrefix(path.Clean("/"+strings.TrimSpace(p)), "/")
	tree, _, err := a.Client.Git.GetTree(ctx, a.Owner, a.Repo, rev, false)
	if err != nil {
		return "", fmt.Errorf("reading the tree of %s through the API: %w", rev, err)
	}
	if clean == "" {
		return tree.GetSHA(), nil
	}
	parts := strings.Split(clean, "/")
	for i, name := range parts {
		sha, typ := "", ""
		for _, e := range tree.Entries {
			if e.GetPath() == name {
				sha, typ = e.GetSHA(), e.GetType()
				break
			}
		}
		switch {
		case sha == "":
			return "", nil
		case i == len(parts)-1:
			return sha, nil
		case typ != "tree":
			return "", nil // a file where a folder was expected: nothing is under it
		}
		if tree, _, err = a.Client.Git.GetTree(ctx, a.Owner, a.Repo, sha, false); err != nil {
			return "", fmt.Errorf("reading tree %s (%s at %s) through the API: %w", sha, strings.Join(parts[:i+1], "/"), rev, err)
		}
		if tree.GetTruncated() {
			return "", fmt.Errorf("reading tree %s (%s at %s) through the API: the listing was truncated", sha, strings.Join(parts[:i+1], "/"), rev)
		}
	}
	return "", nil
}

// TreeHash implements TreeHasher: the clone first, the API when the clone cannot answer. Both
// layers must implement TreeHasher.
func (l *Layered) TreeHash(ctx context.Context, rev, p string) (string, error) {
	f := func(s Source) (string, error) {
		th, ok := s.(TreeHasher)
		if !ok {
			return "", fmt.Errorf("reading %s at %s: %T cannot compare trees", p, rev, s)
		}
		return th.TreeHash(ctx, rev, p)
	}
	return layered(l, "reading the tree of "+p+" at "+rev, f, f)
}
