// Package history answers questions about a repository's history (a file at a revision,
// ancestry, tags, the commits between two revisions) from the local clone first and from
// GitHub's REST API only when the clone cannot answer. It never guesses: a shallow clone that
// cannot answer and no API to ask is an error that says how to fix the checkout.
package history

import (
	"context"
	"errors"
	"fmt"

	"github.com/shipkit-dev/shipkit/internal/gitrepo"
)

// Source is one way to read history. *Layered, *Git and *API implement it.
type Source interface {
	// Resolve turns a revision into a full commit SHA.
	Resolve(ctx context.Context, rev string) (string, error)
	// ReadFile returns path at rev; a missing path wraps fs.ErrNotExist.
	ReadFile(ctx context.Context, rev, path string) ([]byte, error)
	// IsAncestor reports whether ancestor is reachable from descendant.
	IsAncestor(ctx context.Context, ancestor, descendant string) (bool, error)
	// Tags lists tags starting with prefix, peeled to commits.
	Tags(ctx context.Context, prefix string) ([]gitrepo.Tag, error)
	// Log lists commits in base..head (newest first) that touch one of the folder prefixes.
	Log(ctx context.Context, base, head string, paths ...string) ([]gitrepo.Commit, error)
}

// ErrNeedsHistory is returned when neither the clone nor the API could answer.
var ErrNeedsHistory = errors.New("the clone lacks the history needed: set `fetch-depth: 0` on actions/checkout, or give the action a token so it can read history through the API")

// Git reads history from a local clone. Tags come from the remote's ref list when the clone is
// shallow (actions/checkout fetches no tags by default), from local refs otherwise.
type Git struct {
	Repo *gitrepo.Repo
}

// Resolve implements Source.
func (g *Git) Resolve(ctx context.Context, rev string) (string, error) {
	return g.Repo.Resolve(ctx, rev)
}

// ReadFile implements Source.
func (g *Git) ReadFile(ctx context.Context, rev, path string) ([]byte, error) {
	return g.Repo.ReadFile(ctx, rev, path)
}

// IsAncestor implements Source.
func (g *Git) IsAncestor(ctx context.Context, ancestor, descendant string) (bool, error) {
	return g.Repo.IsAncestor(ctx, ancestor, descendant)
}

// Tags implements Source.
func (g *Git) Tags(ctx context.Context, prefix string) ([]gitrepo.Tag, error) {
	if g.Repo.Shallow() {
		if !g.Repo.HasRemote() {
			return nil, fmt.Errorf("listing tags %q*: the clone is shallow and has no remote: %w", prefix, gitrepo.ErrIncompleteHistory)
		}
		tags, err := g.Repo.RemoteTags(ctx, prefix)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", err, gitrepo.ErrIncompleteHistory)
		}
		return tags, nil
	}
	return g.Repo.LocalTags(prefix)
}

// Log implements Source.
func (g *Git) Log(ctx context.Context, base, head string, paths ...string) ([]gitrepo.Commit, error) {
	return g.Repo.Log(ctx, base, head, paths...)
}

// Layered asks Primary first and Fallback (may be nil) when Primary's history is incomplete.
type Layered struct {
	Primary  Source
	Fallback Source
	// Logf notes each fallback; nil discards.
	Logf func(format string, args ...any)
}

func incomplete(err error) bool {
	return errors.Is(err, gitrepo.ErrIncompleteHistory) || errors.Is(err, gitrepo.ErrUnknownRevision)
}

func layered[T any](l *Layered, what string, primary, fallback func(Source) (T, error)) (T, error) {
	v, err := primary(l.Primary)
	if err == nil || !incomplete(err) {
		return v, err
	}
	if l.Fallback == nil {
		var zero T
		return zero, fmt.Errorf("%s: %w: %w", what, err, ErrNeedsHistory)
	}
	if l.Logf != nil {
		l.Logf("%s: the clone cannot answer (%v); asking the GitHub API", what, err)
	}
	v, ferr := fallback(l.Fallback)
	if ferr != nil {
		var zero T
		return zero, fmt.Errorf("%s: the clone cannot answer (%w) and the API failed too: %w", what, err, ferr)
	}
	return v, nil
}

// Resolve implements Source.
func (l *Layered) Resolve(ctx context.Context, rev string) (string, error) {
	f := func(s Source) (string, error) { return s.Resolve(ctx, rev) }
	return layered(l, "resolving "+rev, f, f)
}

// ReadFile implements Source.
func (l *Layered) ReadFile(ctx context.Context, rev, path string) ([]byte, error) {
	f := func(s Source) ([]byte, error) { return s.ReadFile(ctx, rev, path) }
	return layered(l, "reading "+path+" at "+rev, f, f)
}

// IsAncestor implements Source.
func (l *Layered) IsAncestor(ctx context.Context, ancestor, descendant string) (bool, error) {
	f := func(s Source) (bool, error) { return s.IsAncestor(ctx, ancestor, descendant) }
	return layered(l, "comparing "+ancestor+" with "+descendant, f, f)
}

// Tags implements Source.
func (l *Layered) Tags(ctx context.Context, prefix string) ([]gitrepo.Tag, error) {
	f := func(s Source) ([]gitrepo.Tag, error) { return s.Tags(ctx, prefix) }
	return layered(l, "listing tags "+prefix+"*", f, f)
}

// Log implements Source.
func (l *Layered) Log(ctx context.Context, base, head string, paths ...string) ([]gitrepo.Commit, error) {
	f := func(s Source) ([]gitrepo.Commit, error) { return s.Log(ctx, base, head, paths...) }
	return layered(l, "listing commits "+base+".."+head, f, f)
}
