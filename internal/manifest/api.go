package manifest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"

	"github.com/shipkit-dev/shipkit/internal/ghapi"
)

// API is the api write method and the Forge, with go-github. One file is read and written with
// the contents API (the blob's sha is the optimistic lock: 2 requests); several files with the
// Git Data API (a tree with the new contents inline, a commit, and a ref update that is not
// forced: 2 + files + 1 requests, one more to expand globs).
type API struct {
	Client *github.Client
	Owner  string
	Repo   string
}

var (
	_ Store = (*API)(nil)
	_ Forge = (*API)(nil)
)

// DefaultBranch implements Forge (one request).
func (a *API) DefaultBranch(ctx context.Context) (string, error) {
	r, _, err := a.Client.Repositories.Get(ctx, a.Owner, a.Repo)
	if err != nil {
		return "", hint(err)
	}
	return r.GetDefaultBranch(), nil
}

// Read implements Store.
func (a *API) Read(ctx context.Context, branch string, patterns []string, withHead bool) (Snapshot, error) {
	snap := Snapshot{Branch: branch}
	if len(patterns) == 1 && !isGlob(patterns[0]) && !withHead {
		f, err := a.file(ctx, patterns[0], branch)
		if err != nil {
			return snap, err
		}
		snap.Files = []File{f}
		return snap, nil
	}
	c, _, err := a.Client.Repositories.GetCommit(ctx, a.Owner, a.Repo, branch, &github.ListOptions{PerPage: 1})
	if err != nil {
		if ghapi.IsNotFound(err) || isUnprocessable(err) {
			return snap, fmt.Errorf("reading branch %q of %s/%s: it does not exist: %w", branch, a.Owner, a.Repo, err)
		}
		return snap, hint(err)
	}
	snap.Head, snap.Tree = c.GetSHA(), c.GetCommit().GetTree().GetSHA()
	paths, err := a.expand(ctx, snap.Tree, patterns)
	if err != nil {
		return snap, err
	}
	for _, p := range paths {
		f, err := a.file(ctx, p, snap.Head)
		if err != nil {
			return snap, err
		}
		snap.Files = append(snap.Files, f)
	}
	return snap, nil
}

// expand lists the paths the patterns name; globs are matched against the tree (one request).
func (a *API) expand(ctx context.Context, tree string, patterns []string) ([]string, error) {
	var paths []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			paths = append(paths, p)
		}
	}
	var entries []*github.TreeEntry
	for _, pat := range patterns {
		if !isGlob(pat) {
			add(pat)
			continue
		}
		if entries == nil {
			t, _, err := a.Client.Git.GetTree(ctx, a.Owner, a.Repo, tree, true)
			if err != nil {
				return nil, hint(err)
			}
			if t.GetTruncated() {
				return nil, fmt.Errorf("listing the files for %q: the repository's tree is too big for one request: name the files without globs", pat)
			}
			entries = t.Entries
		}
		for _, e := range entries {
			if e.GetType() == "blob" && matchGlob(pat, e.GetPath()) {
				if e.GetMode() == "120000" {
					return nil, fmt.Errorf("file %q is a symbolic link: name the file it points to", e.GetPath())
				}
				add(e.GetPath())
			}
		}
	}
	return paths, nil
}

// file reads one file at ref with the contents API.
func (a *API) file(ctx context.Context, p, ref string) (File, error) {
	fc, dir, _, err := a.Client.Repositories.GetContents(ctx, a.Owner, a.Repo, p, &github.RepositoryContentGetOptions{Ref: ref})
	if ghapi.IsNotFound(err) {
		return File{}, fmt.Errorf("reading %s at %s: %w: check the path and the branch", p, ref, fs.ErrNotExist)
	}
	if err != nil {
		return File{}, hint(err)
	}
	if dir != nil || fc == nil {
		return File{}, fmt.Errorf("reading %s: it is a folder: name a file, or a glob such as %s/*.yaml", p, p)
	}
	if fc.GetType() != "file" || fc.GetPath() != p {
		return File{}, fmt.Errorf("reading %s: it is a symbolic link (to %s): name the file it points to", p, fc.GetPath())
	}
	data, err := fc.GetContent()
	if err != nil {
		return File{}, fmt.Errorf("decoding %s: %w", p, err)
	}
	return File{Path: p, Data: []byte(data), SHA: fc.GetSHA()}, nil
}

// Write implements Store.
func (a *API) Write(ctx context.Context, snap Snapshot, files []File, msg string, author Person) (string, error) {
	if snap.Head == "" && len(files) == 1 {
		f := files[0]
		res, _, err := a.Client.Repositories.UpdateFile(ctx, a.Owner, a.Repo, f.Path, &github.RepositoryContentFileOptions{
			Message: github.String(msg),
			Content: f.Data,
			SHA:     github.String(f.SHA),
			Branch:  github.String(snap.Branch),
			Author:  &github.CommitAuthor{Name: github.String(author.Name), Email: github.String(author.Email)},
		})
		if err != nil {
			return "", classify(err)
		}
		return res.Commit.GetSHA(), nil
	}
	sha, err := a.commit(ctx, snap, files, msg, author)
	if err != nil {
		return "", err
	}
	_, _, err = a.Client.Git.UpdateRef(ctx, a.Owner, a.Repo, &github.Reference{
		Ref: github.String("refs/heads/" + snap.Branch), Object: &github.GitObject{SHA: github.String(sha)},
	}, false)
	if err != nil {
		return "", classify(err)
	}
	return sha, nil
}

// commit creates the tree and the commit on top of snap.Head (two requests, plus one blob for
// each file that is not UTF-8 text).
func (a *API) commit(ctx context.Context, snap Snapshot, files []File, msg string, author Person) (string, error) {
	if snap.Head == "" {
		return "", errors.New("writing several files: the snapshot has no head commit")
	}
	var entries []*github.TreeEntry
	for _, f := range files {
		mode := f.Mode
		if mode == "" {
			mode = "100644"
		}
		e := &github.TreeEntry{Path: github.String(f.Path), Mode: github.String(mode), Type: github.String("blob")}
		if utf8.Valid(f.Data) {
			e.Content = github.String(string(f.Data))
		} else {
			b, _, err := a.Client.Git.CreateBlob(ctx, a.Owner, a.Repo, &github.Blob{Content: github.String(base64.StdEncoding.EncodeToString(f.Data)), Encoding: github.String("base64")})
			if err != nil {
				return "", hint(err)
			}
			e.SHA = b.SHA
		}
		entries = append(entries, e)
	}
	tree, _, err := a.Client.Git.CreateTree(ctx, a.Owner, a.Repo, snap.Tree, entries)
	if err != nil {
		return "", hint(err)
	}
	c, _, err := a.Client.Git.CreateCommit(ctx, a.Owner, a.Repo, &github.Commit{
		Message: github.String(msg),
		Tree:    &github.Tree{SHA: tree.SHA},
		Parents: []*github.Commit{{SHA: github.String(snap.Head)}},
		Author:  &github.CommitAuthor{Name: github.String(author.Name), Email: github.String(author.Email)},
	}, nil)
	if err != nil {
		return "", hint(err)
	}
	return c.GetSHA(), nil
}

// Propose implements Store: the commit, then the branch created or moved to it.
func (a *API) Propose(ctx context.Context, snap Snapshot, head string, files []File, msg string, author Person) (string, error) {
	sha, err := a.commit(ctx, snap, files, msg, author)
	if err != nil {
		return "", err
	}
	ref := &github.Reference{Ref: github.String("refs/heads/" + head), Object: &github.GitObject{SHA: github.String(sha)}}
	_, _, err = a.Client.Git.CreateRef(ctx, a.Owner, a.Repo, ref)
	if ghapi.IsAlreadyExists(err) {
		// The branch of an earlier run: it holds only shipkit's commit, so it is replaced.
		_, _, err = a.Client.Git.UpdateRef(ctx, a.Owner, a.Repo, ref, true)
	}
	if err != nil {
		return "", classify(err)
	}
	return sha, nil
}

// History implements Store: the commits that changed the file, and the file at each.
func (a *API) History(ctx context.Context, branch, p string, limit int) ([]Revision, error) {
	commits, _, err := a.Client.Repositories.ListCommits(ctx, a.Owner, a.Repo, &github.CommitsListOptions{SHA: branch, Path: p, ListOptions: github.ListOptions{PerPage: min(limit, 100)}})
	if err != nil {
		return nil, hint(err)
	}
	var revs []Revision
	for _, c := range commits {
		f, err := a.file(ctx, p, c.GetSHA())
		if errors.Is(err, fs.ErrNotExist) {
			revs = append(revs, Revision{Commit: c.GetSHA()})
			break
		}
		if err != nil {
			return nil, err
		}
		revs = append(revs, Revision{Commit: c.GetSHA(), Data: f.Data})
	}
	return revs, nil
}

// OpenPullRequest implements Forge.
func (a *API) OpenPullRequest(ctx context.Context, head, base, title, body string, labels, reviewers []string) (PullRequest, bool, error) {
	open, _, err := a.Client.PullRequests.List(ctx, a.Owner, a.Repo, &github.PullRequestListOptions{State: "open", Head: a.Owner + ":" + head, Base: base})
	if err != nil {
		return PullRequest{}, false, hint(err)
	}
	for _, pr := range open {
		if pr.GetHead().GetRef() == head && pr.GetBase().GetRef() == base {
			upd, _, err := a.Client.PullRequests.Edit(ctx, a.Owner, a.Repo, pr.GetNumber(), &github.PullRequest{Title: github.String(title), Body: github.String(body)})
			if err != nil {
				return PullRequest{}, false, hint(err)
			}
			out := PullRequest{Number: upd.GetNumber(), URL: upd.GetHTMLURL()}
			// The labels and reviewers asked for now, on top of what people changed since.
			var requested []string
			for _, u := range pr.RequestedReviewers {
				requested = append(requested, strings.ToLower(u.GetLogin()))
			}
			var missing []string
			for _, r := range reviewers {
				if !slices.Contains(requested, strings.ToLower(r)) {
					missing = append(missing, r)
				}
			}
			return out, true, a.labelAndRequest(ctx, out.Number, labels, missing)
		}
	}
	pr, _, err := a.Client.PullRequests.Create(ctx, a.Owner, a.Repo, &github.NewPullRequest{
		Title: github.String(title), Head: github.String(head), Base: github.String(base), Body: github.String(body),
	})
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "not permitted to create or approve pull requests") {
			return PullRequest{}, false, fmt.Errorf("%w: %v", ErrPullRequestsNotPermitted, err)
		}
		return PullRequest{}, false, ghapi.PermissionHint(err, "pull-requests: write")
	}
	out := PullRequest{Number: pr.GetNumber(), URL: pr.GetHTMLURL()}
	return out, false, a.labelAndRequest(ctx, out.Number, labels, reviewers)
}

// addLabels adds labels to the issue or pull request number, keeping the ones it has, in the
// body GitHub documents ({"labels": [...]}; go-github sends a bare array).
func (a *API) addLabels(ctx context.Context, number int, labels []string) error {
	if len(labels) == 0 {
		return nil
	}
	u := fmt.Sprintf("repos/%s/%s/issues/%d/labels", url.PathEscape(a.Owner), url.PathEscape(a.Repo), number)
	req, err := a.Client.NewRequest(http.MethodPost, u, map[string][]string{"labels": labels})
	if err != nil {
		return err
	}
	_, err = a.Client.Do(ctx, req, nil)
	return err
}

// labelAndRequest adds labels to the pull request number (keeping the ones it has) and requests
// reviews from reviewers.
func (a *API) labelAndRequest(ctx context.Context, number int, labels, reviewers []string) error {
	if err := a.addLabels(ctx, number, labels); err != nil {
		return fmt.Errorf("labelling pull request #%d: %w", number, ghapi.PermissionHint(err, "pull-requests: write"))
	}
	if len(reviewers) > 0 {
		if _, _, err := a.Client.PullRequests.RequestReviewers(ctx, a.Owner, a.Repo, number, github.ReviewersRequest{Reviewers: reviewers}); err != nil {
			return fmt.Errorf("requesting reviewers of pull request #%d: %w", number, ghapi.PermissionHint(err, "pull-requests: write"))
		}
	}
	return nil
}

// OpenIssue implements Forge.
func (a *API) OpenIssue(ctx context.Context, title, body string, labels []string) (string, bool, error) {
	open, _, err := a.Client.Issues.ListByRepo(ctx, a.Owner, a.Repo, &github.IssueListByRepoOptions{State: "open", ListOptions: github.ListOptions{PerPage: 100}})
	if err != nil {
		return "", false, hint(err)
	}
	for _, is := range open {
		if !is.IsPullRequest() && is.GetTitle() == title {
			upd, _, err := a.Client.Issues.Edit(ctx, a.Owner, a.Repo, is.GetNumber(), &github.IssueRequest{Body: github.String(body)})
			if err != nil {
				return "", false, ghapi.PermissionHint(err, "issues: write")
			}
			if err := a.addLabels(ctx, is.GetNumber(), labels); err != nil {
				return upd.GetHTMLURL(), true, fmt.Errorf("labelling issue #%d: %w", is.GetNumber(), ghapi.PermissionHint(err, "issues: write"))
			}
			return upd.GetHTMLURL(), true, nil
		}
	}
	req := &github.IssueRequest{Title: github.String(title), Body: github.String(body)}
	if len(labels) > 0 {
		req.Labels = &labels
	}
	is, _, err := a.Client.Issues.Create(ctx, a.Owner, a.Repo, req)
	if err != nil {
		return "", false, ghapi.PermissionHint(err, "issues: write")
	}
	return is.GetHTMLURL(), false, nil
}

// classify sorts a write's error: a protection refusal, a lost race, or a failure.
func classify(err error) error {
	var er *github.ErrorResponse
	if errors.As(err, &er) {
		msg := er.Message
		for _, e := range er.Errors {
			msg += "\n" + e.Message
		}
		if d := asDenial(msg, err); d != nil {
			return d
		}
	}
	if ghapi.IsConflict(err) {
		return fmt.Errorf("%w: %v", ErrRace, err)
	}
	return hint(err)
}

func isUnprocessable(err error) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusUnprocessableEntity
}

func hint(err error) error { return ghapi.PermissionHint(err, "contents: write") }
