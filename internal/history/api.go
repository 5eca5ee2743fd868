package history

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/shipkit-dev/shipkit/internal/gitrepo"
)

// API reads history through GitHub's REST API.
type API struct {
	Client *github.Client
	Owner  string
	Repo   string
}

// maxPages bounds every paginated listing so a huge repository costs a known number of calls.
const maxPages = 10

// Resolve implements Source (one request).
func (a *API) Resolve(ctx context.Context, rev string) (string, error) {
	// GetCommit, not the sha media type: one page of one file keeps the answer small.
	c, _, err := a.Client.Repositories.GetCommit(ctx, a.Owner, a.Repo, rev, &github.ListOptions{PerPage: 1})
	if err != nil {
		return "", fmt.Errorf("resolving %q through the API: %w", rev, err)
	}
	return c.GetSHA(), nil
}

// ReadFile implements Source with the contents API (one request).
func (a *API) ReadFile(ctx context.Context, rev, path string) ([]byte, error) {
	fc, _, resp, err := a.Client.Repositories.GetContents(ctx, a.Owner, a.Repo, path, &github.RepositoryContentGetOptions{Ref: rev})
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			if strings.Contains(err.Error(), "No commit found") {
				return nil, fmt.Errorf("reading %s at %s through the API: %w", path, rev, gitrepo.ErrUnknownRevision)
			}
			return nil, fmt.Errorf("reading %s at %s through the API: %w", path, rev, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("reading %s at %s through the API: %w", path, rev, err)
	}
	if fc == nil {
		return nil, fmt.Errorf("reading %s at %s through the API: it is a directory, not a file", path, rev)
	}
	s, err := fc.GetContent()
	if err != nil {
		return nil, fmt.Errorf("decoding %s at %s from the API: %w", path, rev, err)
	}
	return []byte(s), nil
}

// IsAncestor implements Source with the compare API (one request).
func (a *API) IsAncestor(ctx context.Context, ancestor, descendant string) (bool, error) {
	cmp, _, err := a.Client.Repositories.CompareCommits(ctx, a.Owner, a.Repo, ancestor, descendant, &github.ListOptions{PerPage: 1})
	if err != nil {
		return false, fmt.Errorf("comparing %s...%s through the API: %w", ancestor, descendant, err)
	}
	switch cmp.GetStatus() {
	case "ahead", "identical":
		return true, nil
	default:
		return false, nil
	}
}

// Tags implements Source with the matching-refs API, peeling annotated tags.
func (a *API) Tags(ctx context.Context, prefix string) ([]gitrepo.Tag, error) {
	var tags []gitrepo.Tag
	opts := &github.ReferenceListOptions{Ref: "tags/" + prefix, ListOptions: github.ListOptions{PerPage: 100}}
	for page := 0; page < maxPages; page++ {
		refs, resp, err := a.Client.Git.ListMatchingRefs(ctx, a.Owner, a.Repo, opts)
		if err != nil {
			return nil, fmt.Errorf("listing tags %q* through the API: %w", prefix, err)
		}
		for _, ref := range refs {
			sha := ref.GetObject().GetSHA()
			if ref.GetObject().GetType() == "tag" {
				t, _, err := a.Client.Git.GetTag(ctx, a.Owner, a.Repo, sha)
				if err != nil {
					return nil, fmt.Errorf("peeling tag %s through the API: %w", ref.GetRef(), err)
				}
				sha = t.GetObject().GetSHA()
			}
			tags = append(tags, gitrepo.Tag{Name: strings.TrimPrefix(ref.GetRef(), "refs/tags/"), Commit: sha})
		}
		if resp.NextPage == 0 {
			return tags, nil
		}
		opts.Page = resp.NextPage
	}
	return nil, fmt.Errorf("listing tags %q* through the API: more than %d pages; use a narrower tag template", prefix, maxPages)
}

// Log implements Source: the compare API bounds the range, the commits API filters by path.
func (a *API) Log(ctx context.Context, base, head string, paths ...string) ([]gitrepo.Commit, error) {
	inRange := map[string]gitrepo.Commit{}
	var ordered []gitrepo.Commit
	if base == "" {
		return nil, fmt.Errorf("listing commits up to %s through the API: a base revision is required", head)
	}
	opts := &github.ListOptions{PerPage: 100}
	for page := 0; ; page++ {
		if page == maxPages {
			return nil, fmt.Errorf("listing commits %s...%s through the API: more than %d pages", base, head, maxPages)
		}
		cmp, resp, err := a.Client.Repositories.CompareCommits(ctx, a.Owner, a.Repo, base, head, opts)
		if err != nil {
			return nil, fmt.Errorf("listing commits %s...%s through the API: %w", base, head, err)
		}
		for _, c := range cmp.Commits {
			gc := gitrepo.Commit{SHA: c.GetSHA(), Message: c.GetCommit().GetMessage(), Author: c.GetCommit().GetAuthor().GetName()}
			inRange[gc.SHA] = gc
			ordered = append(ordered, gc)
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if len(paths) == 0 {
		// compare lists oldest first; Source promises newest first.
		for i, j := 0, len(ordered)-1; i < j; i, j = i+1, j-1 {
			ordered[i], ordered[j] = ordered[j], ordered[i]
		}
		return ordered, nil
	}
	keep := map[string]bool{}
	for _, p := range paths {
		lopts := &github.CommitsListOptions{SHA: head, Path: strings.Trim(p, "/"), ListOptions: github.ListOptions{PerPage: 100}}
		for page := 0; page < maxPages; page++ {
			cs, resp, err := a.Client.Repositories.ListCommits(ctx, a.Owner, a.Repo, lopts)
			if err != nil {
				return nil, fmt.Errorf("listing commits touching %s through the API: %w", p, err)
			}
			outside := false
			for _, c := range cs {
				if _, ok := inRange[c.GetSHA()]; ok {
					keep[c.GetSHA()] = true
				} else {
					outside = true
				}
			}
			if outside || resp.NextPage == 0 {
				break
			}
			lopts.Page = resp.NextPage
		}
	}
	var out []gitrepo.Commit
	for i := len(ordered) - 1; i >= 0; i-- {
		if keep[ordered[i].SHA] {
			out = append(out, ordered[i])
		}
	}
	return out, nil
}
