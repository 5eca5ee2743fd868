package promote

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/shipkit-dev/shipkit/internal/actionio"
	"github.com/shipkit-dev/shipkit/internal/manifest"
)

// Registry resolves an image tag to its digest; a missing tag is an error.
type Registry interface {
	Digest(ctx context.Context, image, tag string) (string, error)
}

// Deps are Run's collaborators.
type Deps struct {
	GitHub   GitHub
	Registry Registry // image mode with VerifyImage
	Logf     func(format string, args ...any)
}

func (d Deps) logf(format string, args ...any) {
	if d.Logf != nil {
		d.Logf(format, args...)
	}
}

// Warnings Run can give.
const (
	warnSquash   = "merge-method squash in branch mode makes %s and %s diverge: every promotion adds a squashed commit to %s that %s never gets, so the next promotion shows old commits again and may conflict. Use merge-method: merge (or rebase), or merge %s back into %s after each promotion."
	warnDiverged = "%s is not an ancestor of %s: %s has %d commit(s) that %s lacks (typically squash merges of earlier promotions). The pull request will show commits already promoted and may conflict. Fix: merge %s into %s (git switch %s && git merge %s && git push), then promote with merge-method: merge."
	warnToken    = "the token is the job's GITHUB_TOKEN: pull requests it opens or updates start no workflows, so required checks never run on them and auto-merge waits forever. Pass a GitHub App installation token (actions/create-github-app-token) or a fine-grained PAT with contents and pull-requests write as `token`."
)

// Run promotes as cfg says. Bad input and failures before anything is written return an error
// and write nothing; a failure after the pull request exists returns the Result with the error.
func Run(ctx context.Context, cfg Config, deps Deps) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	res := &Result{Mode: cfg.Mode, Base: cfg.Base, AutoMerge: AutoMergeOff}
	if cfg.DefaultToken {
		res.Warnings = append(res.Warnings, warnToken)
	}
	var err error
	if cfg.Mode == ModeImage {
		err = runImage(ctx, cfg, deps, res)
	} else {
		err = runBranch(ctx, cfg, deps, res)
	}
	if err != nil {
		if res.Operation == "" {
			return nil, err
		}
		return res, err
	}
	return res, nil
}

func runBranch(ctx context.Context, cfg Config, deps Deps, res *Result) error {
	gh := deps.GitHub
	res.Head = cfg.Head
	if cfg.MergeMethod == MergeSquash {
		res.Warnings = append(res.Warnings, fmt.Sprintf(warnSquash, cfg.Head, cfg.Base, cfg.Base, cfg.Head, cfg.Base, cfg.Head))
	}
	cmp, err := gh.Compare(ctx, cfg.Base, cfg.Head)
	if err != nil {
		return err
	}
	res.Commits, res.Total, res.CompareURL, res.HeadSHA = cmp.Commits, cmp.Total, cmp.URL, cmp.HeadSHA
	if cmp.BehindBy > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf(warnDiverged, cfg.Base, cfg.Head, cfg.Base, cmp.BehindBy, cfg.Head, cfg.Base, cfg.Head, cfg.Head, cfg.Base))
	}
	if cmp.Total == 0 {
		res.Result = ResultNothingToPromote
		return nil
	}
	open, err := gh.OpenPullRequests(ctx, cfg.Base, cfg.Head)
	if err != nil {
		return err
	}
	var existing *PullRequest
	for i := range open {
		if open[i].Head == cfg.Head && open[i].Base == cfg.Base {
			existing = &open[i]
			break
		}
	}
	return propose(ctx, cfg, deps, res, existing)
}

func runImage(ctx context.Context, cfg Config, deps Deps, res *Result) error {
	gh := deps.GitHub
	res.Environment, res.Image, res.Tag, res.Files = cfg.Environment, cfg.Image, cfg.Tag, cfg.Paths()
	res.Head = cfg.Branch()
	if cfg.VerifyImage {
		if deps.Registry == nil {
			return errors.New("verify-image is true but no registry client is set")
		}
		d, err := deps.Registry.Digest(ctx, cfg.Image, cfg.Tag)
		if err != nil {
			return fmt.Errorf("verifying %s:%s in its registry: %w: push the image first, or set verify-image: false", cfg.Image, cfg.Tag, err)
		}
		res.Digest = d
	}
	baseSHA, err := gh.BranchSHA(ctx, cfg.Base)
	if err != nil {
		return err
	}
	target := manifest.Target{Image: cfg.Image, Tag: cfg.Tag}
	var edits []edit
	for _, p := range res.Files {
		data, blob, err := gh.ReadFile(ctx, p, baseSHA)
		if err != nil {
			return err
		}
		out, changes, err := manifest.Edit(p, data, target)
		if err != nil {
			return fileError(err)
		}
		if res.PreviousTag == "" {
			if tag, _, err := manifest.Current(p, data, target); err == nil {
				res.PreviousTag = tag
			}
		}
		if len(changes) > 0 {
			edits = append(edits, edit{path: p, blob: blob, data: out})
		}
	}
	if len(edits) == 0 {
		res.Result = ResultNothingToPromote
		return nil
	}
	repoURL := strings.TrimSuffix(cfg.ServerURL, "/") + "/" + cfg.Owner + "/" + cfg.Repo
	res.CompareURL = repoURL + "/compare/" + cfg.Base + "..." + res.Head
	open, err := gh.OpenPullRequests(ctx, cfg.Base, "")
	if err != nil {
		return err
	}
	var existing *PullRequest
	var older []PullRequest
	for i := range open {
		switch {
		case open[i].Head == res.Head:
			existing = &open[i]
		case strings.HasPrefix(open[i].Head, BranchPrefix(cfg.Environment)):
			older = append(older, open[i])
		}
	}
	if cfg.DryRun {
		if existing != nil {
			res.PullRequest = *existing
		}
		res.Result = ResultDryRun
		return nil
	}
	if err := writeBranch(ctx, cfg, gh, res, existing != nil, baseSHA, edits, target); err != nil {
		return err
	}
	if err := propose(ctx, cfg, deps, res, existing); err != nil {
		return err
	}
	if cfg.Supersede && res.PullRequest.Number > 0 {
		for _, old := range older {
			comment := fmt.Sprintf("Superseded by #%d (%s), which promotes `%s` to %s. Closed by shipkit promote-pr.", res.PullRequest.Number, res.PullRequest.URL, cfg.Tag, cfg.Environment)
			if err := gh.Supersede(ctx, old.Number, comment); err != nil {
				return err
			}
			res.Superseded = append(res.Superseded, old.Number)
		}
	}
	return nil
}

// edit is a file of image mode with the tag written in.
type edit struct {
	path string
	blob string // the blob on the base branch
	data []byte
}

// writeBranch makes the promotion branch hold the edits: a new branch cut from base with one
// commit per file; an existing one (a rerun, or a run that stopped before its pull request) is
// kept when it already holds the tag, and cut again from base otherwise.
func writeBranch(ctx context.Context, cfg Config, gh GitHub, res *Result, known bool, baseSHA string, edits []edit, target manifest.Target) error {
	exists := known
	if !known {
		switch err := gh.CreateBranch(ctx, res.Head, baseSHA); {
		case errors.Is(err, ErrBranchExists):
			exists = true
		case err != nil:
			return err
		}
	}
	if exists {
		holds := true
		for _, e := range edits {
			data, _, err := gh.ReadFile(ctx, e.path, res.Head)
			if err != nil {
				holds = false
				break
			}
			if _, changes, err := manifest.Edit(e.path, data, target); err != nil || len(changes) > 0 {
				holds = false
				break
			}
		}
		if holds {
			return nil
		}
		if err := gh.ResetBranch(ctx, res.Head, baseSHA); err != nil {
			return err
		}
	}
	msg := fmt.Sprintf("chore: promote %s to %s", cfg.Tag, cfg.Environment)
	for _, e := range edits {
		sha, err := gh.WriteFile(ctx, res.Head, e.path, e.data, e.blob, msg)
		if err != nil {
			return err
		}
		res.Commit = sha
	}
	return nil
}

// fileError makes an editor's error point at the file for the annotation.
func fileError(err error) error {
	var fe *manifest.FileError
	if errors.As(err, &fe) {
		return &actionio.FileError{File: fe.Path, Line: fe.Line, Err: fmt.Errorf("%w: check image and files", fe.Err)}
	}
	return err
}

// propose creates or updates the pull request, then requests reviews and arms auto-merge.
func propose(ctx context.Context, cfg Config, deps Deps, res *Result, existing *PullRequest) error {
	gh := deps.GitHub
	vals := res.values()
	title, body := res.DefaultTitle(), res.DefaultBody()
	if !cfg.Title.Empty() {
		title = strings.TrimSpace(cfg.Title.Render(vals))
	}
	if !cfg.Body.Empty() {
		body = cfg.Body.Render(vals)
	}
	if cfg.DryRun {
		if existing != nil {
			res.PullRequest = *existing
		}
		res.Result = ResultDryRun
		return nil
	}
	if existing != nil {
		res.PullRequest = *existing
		res.HeadSHA = existing.HeadSHA
		labels := mergeLabels(existing.Labels, cfg.Labels)
		if existing.Title == title && strings.TrimSpace(existing.Body) == strings.TrimSpace(body) && len(labels) == len(existing.Labels) {
			res.Operation = OpUnchanged
		} else {
			var set []string
			if len(labels) != len(existing.Labels) {
				set = labels
			}
			if err := gh.EditPullRequest(ctx, existing.Number, title, body, set); err != nil {
				return err
			}
			res.Operation = OpUpdated
		}
		res.Result = ResultUpdated
	} else {
		pr, err := gh.CreatePullRequest(ctx, NewPullRequest{Head: res.Head, Base: cfg.Base, Title: title, Body: body, Draft: cfg.Draft})
		if errors.Is(err, ErrNotPermitted) {
			return openIssue(ctx, cfg, deps, res, title, body)
		}
		if err != nil {
			return err
		}
		res.PullRequest, res.HeadSHA, res.Operation, res.Result = pr, pr.HeadSHA, OpCreated, ResultOpened
		if len(cfg.Labels) > 0 {
			if err := gh.EditPullRequest(ctx, pr.Number, title, body, cfg.Labels); err != nil {
				return err
			}
		}
	}
	if res.Operation == OpCreated && (len(cfg.Reviewers) > 0 || len(cfg.TeamReviewers) > 0) {
		if err := gh.RequestReviewers(ctx, res.PullRequest.Number, cfg.Reviewers, cfg.TeamReviewers); err != nil {
			return err
		}
	}
	if cfg.AutoMerge {
		return autoMerge(ctx, cfg, deps, res)
	}
	return nil
}

// mergeLabels adds want to have, keeping have's order; labels people added stay.
func mergeLabels(have, want []string) []string {
	out := slices.Clone(have)
	for _, l := range want {
		if !slices.ContainsFunc(out, func(h string) bool { return strings.EqualFold(h, l) }) {
			out = append(out, l)
		}
	}
	return out
}

// openIssue is the fallback when the token may not open pull requests: an issue with a
// prefilled compare link, reported as pending approval.
func openIssue(ctx context.Context, cfg Config, deps Deps, res *Result, title, body string) error {
	repoURL := strings.TrimSuffix(cfg.ServerURL, "/") + "/" + cfg.Owner + "/" + cfg.Repo
	link := repoURL + "/compare/" + cfg.Base + "..." + res.Head + "?expand=1&title=" + url.QueryEscape(title)
	issueBody := "GitHub Actions may not open pull requests in this repository, so promote-pr opened this issue instead.\n\n" +
		"**Open the pull request:** " + link + "\n\n" +
		"To let the workflow open it next time, turn on Settings > Actions > General > \"Allow GitHub Actions to create and approve pull requests\", or pass a GitHub App token or PAT as `token`.\n\n---\n\n" + body
	u, err := deps.GitHub.OpenIssue(ctx, title, issueBody, cfg.Labels)
	if err != nil {
		return err
	}
	res.IssueURL, res.Operation, res.Result = u, OpCreated, ResultPendingApproval
	res.Pending = "GitHub Actions is not permitted to create pull requests here: open it from the issue's compare link"
	return nil
}

// autoMerge arms auto-merge, merges a pull request that is already clean (or reports it), and
// says honestly which happened.
func autoMerge(ctx context.Context, cfg Config, deps Deps, res *Result) error {
	pr := res.PullRequest
	err := deps.GitHub.EnableAutoMerge(ctx, pr.NodeID, cfg.MergeMethod)
	if err == nil {
		res.AutoMerge = AutoMergeArmed
		return nil
	}
	var ae *AutoMergeError
	if !errors.As(err, &ae) {
		return err
	}
	pending := func(why string) error {
		res.AutoMerge, res.Result, res.Pending = AutoMergeUnavailable, ResultPendingApproval, why
		return nil
	}
	switch ae.Reason {
	case AutoMergeNotAllowed:
		return pending("the repository does not allow auto-merge (GitHub: " + ae.Message + "): turn on Settings > General > Allow auto-merge, or merge the pull request by hand")
	case AutoMergeClean:
		if cfg.OnClean == OnCleanReport {
			return pending("the pull request is already clean, so GitHub will not arm auto-merge: merge it, or set on-clean: merge")
		}
		sha, err := deps.GitHub.Merge(ctx, pr.Number, res.HeadSHA, cfg.MergeMethod)
		if err != nil {
			return pending("the pull request was clean but merging it failed: " + err.Error())
		}
		res.AutoMerge, res.Result, res.MergeSHA = AutoMergeMerged, ResultMerged, sha
		return nil
	case AutoMergeUnstable:
		return pending("checks that are not required fail or are pending, so GitHub will not arm auto-merge: fix them, or merge by hand")
	}
	return pending("GitHub refused to arm auto-merge: " + ae.Message)
}
