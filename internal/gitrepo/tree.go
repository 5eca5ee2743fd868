package gitrepo

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// TreeHash returns the object hash of the folder (or file) at p in revision rev, or "" when
// nothing is there. Two revisions whose hashes for p are equal have identical content under p,
// whatever the history between them, so comparing them costs the same on any repository. On a
// shallow clone a missing commit is fetched by its SHA first, as ReadFile does.
func (g *Repo) TreeHash(ctx context.Context, rev, p string) (string, error) {
	c, err := g.commit(ctx, rev)
	if err != nil {
		return "", err
	}
	tree, err := c.Tree()
	if err != nil {
		return "", fmt.Errorf("reading the tree of %s: %w", short(c.Hash.String()), err)
	}
	clean := cleanTreePath(p)
	if clean == "" {
		return tree.Hash.String(), nil
	}
	parts := strings.Split(clean, "/")
	for i, name := range parts {
		var entry *object.TreeEntry
		for j := range tree.Entries {
			if tree.Entries[j].Name == name {
				entry = &tree.Entries[j]
				break
			}
		}
		if entry == nil {
			return "", nil
		}
		if i == len(parts)-1 {
			return entry.Hash.String(), nil
		}
		if entry.Mode != filemode.Dir {
			return "", nil // a file where a folder was expected: nothing is under it
		}
		if tree, err = g.repo.TreeObject(entry.Hash); err != nil {
			return "", fmt.Errorf("finding %s at %s: reading tree %s: %w", p, short(c.Hash.String()), entry.Hash, err)
		}
	}
	return "", nil
}

// cleanTreePath turns a slash path into the form tree lookups take ("" for the root).
func cleanTreePath(p string) string {
	p = path.Clean("/" + strings.TrimSpace(p))
	return strings.TrimPrefix(p, "/")
}
