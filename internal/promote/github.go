package promote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/shipkit-dev/shipkit/internal/ghapi"
)

// ErrNotPermitted reports that the token may not create pull requests: the repository setting
// "Allow GitHub Actions to create and approve pull requests" is off.
var ErrNotPermitted = errors.New("GitHub Actions is not permitted to create pull requests in this repository")

// ErrBranchExists reports a branch that CreateBranch found already there.
var ErrBranchExists = errors.New("the branch already exists")

// Why GitHub refuses to arm auto-merge, as AutoMergeError.Reason says it.
const (
	AutoMergeNotAllowed = "not-allowed" // the repository does not allow auto-merge
	AutoMergeClean      = "clean"       // the pull request can be merged now
	AutoMergeUnstable   = "unstable"    // a check that is not required fails or is pending
	AutoMergeOther      = "other"
)

// AutoMergeError is GitHub's refusal to arm auto-merge.
type AutoMergeError struct {
	Reason  string // one of the AutoMerge* constants
	Message string // GitHub's words
}

func (e *AutoMergeError) Error() string { return "arming auto-merge: " + e.Message }

// Comparison is what head has that base lacks.
type Comparison struct {
	Commits  []Commit // oldest first
	Total    int      // commits in head that base lacks (Commits may hold fewer)
	BehindBy int      // commits in base that head lacks
	HeadSHA  string
	URL      string // the compare page
}

// Commit is one commit being promoted.
type Commit struct {
	SHA     string
	Subject string
	Author  string // login when GitHub knows it, else the git author's name
}

// PullRequest is an open pull request.
type PullRequest struct {
	Number  int
	NodeID  string
	URL     string
	Head    string // branch
	Base    string
	HeadSHA string
	Title   string
	Body    string
	Labels  []string
	Draft   bool
}

// NewPullRequest is what CreatePullRequest opens.
type NewPullRequest struct {
	Head, Base, Title, Body string
	Draft                   bool
}

// GitHub is what Run needs from GitHub. Each method is one request unless it says otherwise.
type GitHub interface {
	// Compare lists what head has that base lacks; a missing branch is an error naming it.
	Compare(ctx context.Context, base, head string) (Comparison, error)
	// OpenPullRequests lists the open pull requests into base (head empty), or from head into
	// base.
	OpenPullRequests(ctx context.Context, base, head string) ([]PullRequest, error)
	// CreatePullRequest opens a pull request; ErrNotPermitted when the token may not.
	CreatePullRequest(ctx context.Context, pr NewPullRequest) (PullRequest, error)
	// EditPullRequest sets the title, body and labels of a pull request (nil labels: unchanged).
	EditPullRequest(ctx context.Context, number int, title, body string, labels []string) error
	// RequestReviewers asks users and teams to review.
	RequestReviewers(ctx context.Context, number int, users, teams []string) error
	// Merge merges a pull request whose head is sha; it returns the merge commit.
	Merge(ctx context.Context, number int, sha, method string) (string, error)
	// Supersede closes a pull request after commenting on it (two requests).
	Supersede(ctx context.Context, number int, comment string) error
	// OpenIssue opens an issue; it returns its URL.
	OpenIssue(ctx context.Context, title, body string, labels []string) (string, error)
	// EnableAutoMerge arms auto-merge (one GraphQL request); an *AutoMergeError when GitHub
	// refuses.
	EnableAutoMerge(ctx context.Context, nodeID, method string) error
	// BranchSHA returns the commit a branch points to; a missing branch is an error naming it.
	BranchSHA(ctx context.Context, branch string) (string, error)
	// ReadFile returns a file's content and blob sha at ref.
	ReadFile(ctx context.Context, path, ref string) ([]byte, string, error)
	// CreateBranch creates a branch at sha; ErrBranchExists when it is there.
	CreateBranch(ctx context.Context, branch, sha string) error
	// ResetBranch moves a branch to sha, forced.
	ResetBranch(ctx context.Context, branch, sha string) error
	// WriteFile commits data to path on branch, where the file's blob is blobSHA, as a
	// verified commit; it returns the commit.
	WriteFile(ctx context.Context, branch, path string, data []byte, blobSHA, message string) (string, error)
}

// API implements GitHub with go-github for REST and a plain request through the same client
// (its retries, rate-limit waits and token) for GraphQL.
type API struct {
	Client      *github.Client
	Owner, Repo string
	// GraphQLURL is the GraphQL endpoint (GITHUB_GRAPHQL_URL); empty derives it from the
	// client's BaseURL with GraphQLURL.
	GraphQLURL string
}

var _ GitHub = (*API)(nil)

// GraphQLURL derives the GraphQL endpoint from the REST API root: https://api.github.com/graphql
// for api.github.com (and GHE.com's api.* hosts), https://HOST/api/graphql beside
// https://HOST/api/v3, and <root>/graphql elsewhere (an emulator).
func GraphQLURL(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" {
		return "https://api.github.com/graphql"
	}
	p := strings.TrimSuffix(u.Path, "/")
	if strings.HasSuffix(p, "/api/v3") {
		p = strings.TrimSuffix(p, "/v3")
	}
	u.Path = p + "/graphql"
	u.RawPath = ""
	return u.String()
}

func prHint(err error) error { return ghapi.PermissionHint(err, "pull-requests: write") }

// Compare implements GitHub.
func (a *API) Compare(ctx context.Context, base, head string) (Comparison, error) {
	cmp, _, err := a.Client.Repositories.CompareCommits(ctx, a.Owner, a.Repo, base, head, &github.ListOptions{PerPage: 100})
	if err != nil {
		if ghapi.IsNotFound(err) {
			return Comparison{}, fmt.Errorf("comparing %q with %q: a branch does not exist, or they share no history: check head and base: %w", base, head, err)
		}
		return Comparison{}, ghapi.PermissionHint(err, "contents: read")
	}
	out := Comparison{Total: cmp.GetAheadBy(), BehindBy: cmp.GetBehindBy(), URL: cmp.GetHTMLURL()}
	for _, c := range cmp.Commits {
		subject, _, _ := strings.Cut(c.GetCommit().GetMessage(), "\n")
		author := c.GetAuthor().GetLogin()
		if author == "" {
			author = c.GetCommit().GetAuthor().GetName()
		}
		out.Commits = append(out.Commits, Commit{SHA: c.GetSHA(), Subject: subject, Author: author})
	}
	if n := len(out.Commits); n > 0 && n == out.Total {
		out.HeadSHA = out.Commits[n-1].SHA
	}
	return out, nil
}

func fromREST(pr *github.PullRequest) PullRequest {
	out := PullRequest{
		Number: pr.GetNumber(), NodeID: pr.GetNodeID(), URL: pr.GetHTMLURL(),
		Head: pr.GetHead().GetRef(), Base: pr.GetBase().GetRef(), HeadSHA: pr.GetHead().GetSHA(),
		Title: pr.GetTitle(), Body: pr.GetBody(), Draft: pr.GetDraft(),
	}
	for _, l := range pr.Labels {
		out.Labels = append(out.Labels, l.GetName())
	}
	return out
}

// OpenPullRequests implements GitHub (one request per 100 pull requests).
func (a *API) OpenPullRequests(ctx context.Context, base, head string) ([]PullRequest, error) {
	opts := &github.PullRequestListOptions{State: "open", Base: base, ListOptions: github.ListOptions{PerPage: 100}}
	if head != "" {
		opts.Head = a.Owner + ":" + head
	}
	var out []PullRequest
	for {
		list, resp, err := a.Client.PullRequests.List(ctx, a.Owner, a.Repo, opts)
		if err != nil {
			return nil, ghapi.PermissionHint(err, "pull-requests: read")
		}
		for _, pr := range list {
			out = append(out, fromREST(pr))
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// CreatePullRequest implements GitHub.
func (a *API) CreatePullRequest(ctx context.Context, in NewPullRequest) (PullRequest, error) {
	pr, _, err := a.Client.PullRequests.Create(ctx, a.Owner, a.Repo, &github.NewPullRequest{
		Title: github.String(in.Title), Head: github.String(in.Head), Base: github.String(in.Base),
		Body: github.String(in.Body), Draft: github.Bool(in.Draft),
	})
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "not permitted to create or approve pull requests") {
			return PullRequest{}, fmt.Errorf("%w: %v", ErrNotPermitted, err)
		}
		return PullRequest{}, prHint(err)
	}
	return fromREST(pr), nil
}

// EditPullRequest implements GitHub, through the pull request's issue: the one request that
// sets title, body and labels together.
func (a *API) EditPullRequest(ctx context.Context, number int, title, body string, labels []string) error {
	req := &github.IssueRequest{Title: github.String(title), Body: github.String(body)}
	if labels != nil {
		req.Labels = &labels
	}
	if _, _, err := a.Client.Issues.Edit(ctx, a.Owner, a.Repo, number, req); err != nil {
		return fmt.Errorf("updating pull request #%d: %w", number, prHint(err))
	}
	return nil
}

// RequestReviewers implements GitHub.
func (a *API) RequestReviewers(ctx context.Context, number int, users, teams []string) error {
	if _, _, err := a.Client.PullRequests.RequestReviewers(ctx, a.Owner, a.Repo, number, github.ReviewersRequest{Reviewers: users, TeamReviewers: teams}); err != nil {
		return fmt.Errorf("requesting reviews of pull request #%d: %w", number, prHint(err))
	}
	return nil
}

// Merge implements GitHub.
func (a *API) Merge(ctx context.Context, number int, sha, method string) (string, error) {
	res, _, err := a.Client.PullRequests.Merge(ctx, a.Owner, a.Repo, number, "", &github.PullRequestOptions{SHA: sha, MergeMethod: method})
	if err != nil {
		return "", fmt.Errorf("merging pull request #%d: %w", number, ghapi.PermissionHint(err, "contents: write"))
	}
	if !res.GetMerged() {
		return "", fmt.Errorf("merging pull request #%d: GitHub answered %q and did not merge", number, res.GetMessage())
	}
	return res.GetSHA(), nil
}

// Supersede implements GitHub.
func (a *API) Supersede(ctx context.Context, number int, comment string) error {
	if _, _, err := a.Client.Issues.CreateComment(ctx, a.Owner, a.Repo, number, &github.IssueComment{Body: github.String(comment)}); err != nil {
		return fmt.Errorf("commenting on pull request #%d: %w", number, prHint(err))
	}
	if _, _, err := a.Client.PullRequests.Edit(ctx, a.Owner, a.Repo, number, &github.PullRequest{State: github.String("closed")}); err != nil {
		return fmt.Errorf("closing pull request #%d: %w", number, prHint(err))
	}
	return nil
}

// OpenIssue implements GitHub.
func (a *API) OpenIssue(ctx context.Context, title, body string, labels []string) (string, error) {
	req := &github.IssueRequest{Title: github.String(title), Body: github.String(body)}
	if len(labels) > 0 {
		req.Labels = &labels
	}
	is, _, err := a.Client.Issues.Create(ctx, a.Owner, a.Repo, req)
	if err != nil {
		return "", fmt.Errorf("opening an issue: %w", ghapi.PermissionHint(err, "issues: write"))
	}
	return is.GetHTMLURL(), nil
}

// BranchSHA implements GitHub.
func (a *API) BranchSHA(ctx context.Context, branch string) (string, error) {
	ref, _, err := a.Client.Git.GetRef(ctx, a.Owner, a.Repo, "heads/"+branch)
	if err != nil {
		if ghapi.IsNotFound(err) {
			return "", fmt.Errorf("reading branch %q of %s/%s: it does not exist: check base: %w", branch, a.Owner, a.Repo, err)
		}
		return "", ghapi.PermissionHint(err, "contents: read")
	}
	return ref.GetObject().GetSHA(), nil
}

// ReadFile implements GitHub.
func (a *API) ReadFile(ctx context.Context, p, ref string) ([]byte, string, error) {
	fc, _, _, err := a.Client.Repositories.GetContents(ctx, a.Owner, a.Repo, p, &github.RepositoryContentGetOptions{Ref: ref})
	if err != nil {
		if ghapi.IsNotFound(err) {
			return nil, "", fmt.Errorf("reading %q at %s: it does not exist: check files or path-template: %w", p, short(ref), err)
		}
		return nil, "", ghapi.PermissionHint(err, "contents: read")
	}
	if fc == nil || fc.GetType() != "file" {
		return nil, "", fmt.Errorf("reading %q at %s: not a file: check files or path-template", p, short(ref))
	}
	content, err := fc.GetContent()
	if err != nil {
		return nil, "", fmt.Errorf("decoding %q at %s: %w (files over 1 MB are not supported)", p, short(ref), err)
	}
	data := []byte(content)
	return data, fc.GetSHA(), nil
}

// CreateBranch implements GitHub.
func (a *API) CreateBranch(ctx context.Context, branch, sha string) error {
	_, _, err := a.Client.Git.CreateRef(ctx, a.Owner, a.Repo, &github.Reference{Ref: github.String("refs/heads/" + branch), Object: &github.GitObject{SHA: github.String(sha)}})
	if err != nil {
		if ghapi.IsAlreadyExists(err) {
			return ErrBranchExists
		}
		return fmt.Errorf("creating branch %q: %w", branch, ghapi.PermissionHint(err, "contents: write"))
	}
	return nil
}

// ResetBranch implements GitHub.
func (a *API) ResetBranch(ctx context.Context, branch, sha string) error {
	_, _, err := a.Client.Git.UpdateRef(ctx, a.Owner, a.Repo, &github.Reference{Ref: github.String("refs/heads/" + branch), Object: &github.GitObject{SHA: github.String(sha)}}, true)
	if err != nil {
		return fmt.Errorf("resetting branch %q: %w", branch, ghapi.PermissionHint(err, "contents: write"))
	}
	return nil
}

// WriteFile implements GitHub with the contents API: one request, a commit GitHub signs.
func (a *API) WriteFile(ctx context.Context, branch, p string, data []byte, blobSHA, message string) (string, error) {
	res, _, err := a.Client.Repositories.UpdateFile(ctx, a.Owner, a.Repo, p, &github.RepositoryContentFileOptions{
		Message: github.String(message), Content: data, SHA: github.String(blobSHA), Branch: github.String(branch),
	})
	if err != nil {
		return "", fmt.Errorf("committing %q to %q: %w", p, branch, ghapi.PermissionHint(err, "contents: write"))
	}
	return res.Commit.GetSHA(), nil
}

// enableAutoMerge is the mutation EnableAutoMerge sends.
const enableAutoMerge = `mutation EnableAutoMerge($id: ID!, $method: PullRequestMergeMethod!) {
  enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: $method}) {
    pullRequest { autoMergeRequest { enabledAt } }
  }
}`

// EnableAutoMerge implements GitHub.
func (a *API) EnableAutoMerge(ctx context.Context, nodeID, method string) error {
	var out struct {
		Data struct {
			Enable *struct {
				PullRequest struct {
					AutoMergeRequest *struct {
						EnabledAt string `json:"enabledAt"`
					} `json:"autoMergeRequest"`
				} `json:"pullRequest"`
			} `json:"enablePullRequestAutoMerge"`
		} `json:"data"`
		Errors []struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	vars := map[string]any{"id": nodeID, "method": strings.ToUpper(method)}
	if err := a.graphql(ctx, enableAutoMerge, vars, &out); err != nil {
		return err
	}
	if len(out.Errors) > 0 {
		msgs := make([]string, len(out.Errors))
		for i, e := range out.Errors {
			msgs[i] = e.Message
		}
		msg := strings.Join(msgs, "; ")
		lower := strings.ToLower(msg)
		reason := AutoMergeOther
		switch {
		case strings.Contains(lower, "auto merge is not allowed"), strings.Contains(lower, "auto-merge is not allowed"):
			reason = AutoMergeNotAllowed
		case strings.Contains(lower, "in clean status"):
			reason = AutoMergeClean
		case strings.Contains(lower, "in unstable status"):
			reason = AutoMergeUnstable
		}
		return &AutoMergeError{Reason: reason, Message: msg}
	}
	if out.Data.Enable == nil || out.Data.Enable.PullRequest.AutoMergeRequest == nil {
		return &AutoMergeError{Reason: AutoMergeOther, Message: "GitHub answered without an auto-merge request"}
	}
	return nil
}

// graphql posts one GraphQL request through the REST client's HTTP client: the same token,
// retries and Retry-After waits.
func (a *API) graphql(ctx context.Context, query string, vars map[string]any, out any) error {
	endpoint := a.GraphQLURL
	if endpoint == "" {
		endpoint = GraphQLURL(a.Client.BaseURL.String())
	}
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("building the GraphQL request to %q: %w", endpoint, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", a.Client.UserAgent)
	resp, err := a.Client.Client().Do(req)
	if err != nil {
		return fmt.Errorf("calling GitHub's GraphQL API: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("reading GitHub's GraphQL answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		// The REST error shape, so that ghapi's classification and hints apply.
		er := &github.ErrorResponse{Response: resp}
		_ = json.Unmarshal(data, er)
		return fmt.Errorf("calling GitHub's GraphQL API: %w", ghapi.PermissionHint(er, "pull-requests: write"))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decoding GitHub's GraphQL answer: %w", err)
	}
	return nil
}

func short(sha string) string {
	if len(sha) > 8 {
		return sha[:8]
	}
	return sha
}
