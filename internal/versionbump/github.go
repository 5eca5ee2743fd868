package versionbump

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/shipkit-dev/shipkit/internal/ghapi"
)

// RESTGitHub implements GitHub with go-github.
type RESTGitHub struct {
	Client *github.Client
	Owner  string
	Repo   string
}

var _ GitHub = (*RESTGitHub)(nil)

// CreateTag implements GitHub (one request).
func (g *RESTGitHub) CreateTag(ctx context.Context, tag, sha string) error {
	_, resp, err := g.Client.Git.CreateRef(ctx, g.Owner, g.Repo, &github.Reference{
		Ref:    github.String("refs/tags/" + tag),
		Object: &github.GitObject{SHA: github.String(sha)},
	})
	if err != nil && resp != nil && resp.StatusCode == http.StatusUnprocessableEntity && strings.Contains(err.Error(), "already exists") {
		return ErrTagExists
	}
	return permissionHint(err)
}

// TagCommit implements GitHub, peeling an annotated tag.
func (g *RESTGitHub) TagCommit(ctx context.Context, tag string) (string, error) {
	ref, _, err := g.Client.Git.GetRef(ctx, g.Owner, g.Repo, "tags/"+tag)
	if err != nil {
		return "", err
	}
	sha := ref.GetObject().GetSHA()
	if ref.GetObject().GetType() == "tag" {
		t, _, err := g.Client.Git.GetTag(ctx, g.Owner, g.Repo, sha)
		if err != nil {
			return "", err
		}
		sha = t.GetObject().GetSHA()
	}
	return sha, nil
}

// GenerateNotes implements GitHub (one request).
func (g *RESTGitHub) GenerateNotes(ctx context.Context, tag, target, previousTag string) (string, error) {
	opts := &github.GenerateNotesOptions{TagName: tag, TargetCommitish: github.String(target)}
	if previousTag != "" {
		opts.PreviousTagName = github.String(previousTag)
	}
	notes, _, err := g.Client.Repositories.GenerateReleaseNotes(ctx, g.Owner, g.Repo, opts)
	if err != nil {
		return "", permissionHint(err)
	}
	return notes.Body, nil
}

// CreateDraftRelease implements GitHub (one request).
func (g *RESTGitHub) CreateDraftRelease(ctx context.Context, spec ReleaseSpec) (Release, error) {
	rel, _, err := g.Client.Repositories.CreateRelease(ctx, g.Owner, g.Repo, &github.RepositoryRelease{
		TagName:         github.String(spec.Tag),
		TargetCommitish: github.String(spec.Target),
		Name:            github.String(spec.Name),
		Body:            github.String(spec.Body),
		Draft:           github.Bool(true),
		Prerelease:      github.Bool(spec.Prerelease),
	})
	if err != nil {
		return Release{}, permissionHint(err)
	}
	return Release{ID: rel.GetID(), URL: rel.GetHTMLURL(), Draft: rel.GetDraft()}, nil
}

// PublishRelease implements GitHub (one request).
func (g *RESTGitHub) PublishRelease(ctx context.Context, id int64) (Release, error) {
	rel, _, err := g.Client.Repositories.EditRelease(ctx, g.Owner, g.Repo, id, &github.RepositoryRelease{Draft: github.Bool(false)})
	if err != nil {
		return Release{}, permissionHint(err)
	}
	return Release{ID: rel.GetID(), URL: rel.GetHTMLURL(), Draft: rel.GetDraft()}, nil
}

// ReleaseByTag implements GitHub (one request).
func (g *RESTGitHub) ReleaseByTag(ctx context.Context, tag string) (Release, bool, error) {
	rel, resp, err := g.Client.Repositories.GetReleaseByTag(ctx, g.Owner, g.Repo, tag)
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return Release{}, false, nil
	}
	if err != nil {
		return Release{}, false, err
	}
	return Release{ID: rel.GetID(), URL: rel.GetHTMLURL(), Draft: rel.GetDraft()}, true, nil
}

// permissionHint adds the remedy to a refused write: 401/403 name the permission to add; a 404
// on a write is either a missing commit or a token that cannot see the repository.
func permissionHint(err error) error {
	if ghapi.IsNotFound(err) {
		return fmt.Errorf("%w: the repository or commit is not visible to the token (GitHub answers 404 for both); check that the commit was pushed and that the token has `contents: write` on this repository", err)
	}
	return ghapi.PermissionHint(err, "contents: write")
}
