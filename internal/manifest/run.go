package manifest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"time"
)

// ErrRace reports a write that lost a race: the branch or the file moved since it was read.
// Run re-reads and tries again.
var ErrRace = errors.New("lost a race: the branch moved since it was read")

// ErrPullRequestsNotPermitted reports GitHub's refusal to let GitHub Actions open pull
// requests (a repository or organisation setting). Run falls back to an issue.
var ErrPullRequestsNotPermitted = errors.New("GitHub Actions is not permitted to create pull requests in this repository")

// DeniedError is a write that branch protection or a ruleset refused. Retrying cannot help:
// Run takes the fallback.
type DeniedError struct {
	Reason string // GitHub's words: "Changes must be made through a pull request."
	Err    error
}

// Error names the refusal.
func (e *DeniedError) Error() string { return "the branch is protected: " + e.Reason }

// Unwrap returns the cause.
func (e *DeniedError) Unwrap() error { return e.Err }

// denialMarks are what GitHub says when protection refuses a write, over git (GH006, GH013)
// and over the API.
var denialMarks = []string{
	"gh006", "gh013", "protected branch", "repository rule violations", "changes must be made through a pull request",
	"required status check", "status checks are expected", "verified signatures", "push declined", "cannot force-push to this branch",
}

var reasonRE = regexp.MustCompile(`(?m)^(?:remote:\s*)?-\s+(.+)$`)

// asDenial returns a *DeniedError when msg is a protection refusal.
func asDenial(msg string, err error) error {
	low := strings.ToLower(msg)
	for _, m := range denialMarks {
		if strings.Contains(low, m) {
			reason := strings.TrimSpace(strings.SplitN(msg, "\n", 2)[0])
			if ms := reasonRE.FindAllStringSubmatch(msg, -1); len(ms) > 0 {
				var rs []string
				for _, m := range ms {
					rs = append(rs, strings.TrimSpace(m[1]))
				}
				reason = strings.Join(rs, " ")
			} else if strings.Contains(low, "changes must be made through a pull request") {
				reason = "Changes must be made through a pull request."
			}
			return &DeniedError{Reason: reason, Err: err}
		}
	}
	return nil
}

// File is one file of a branch.
type File struct {
	Path string
	Data []byte
	SHA  string // the blob's id, when the store knows it (the API's optimistic lock)
	Mode string // git file mode; empty means 100644
}

// Snapshot is a branch as read: its head and the files the patterns matched.
type Snapshot struct {
	Branch string
	Head   string // the commit; empty when the store read a single file without it
	Tree   string // the head's tree, when known
	Files  []File
}

// Revision is one earlier version of a file, newest first in History.
type Revision struct {
	Commit string
	Data   []byte // nil when the file did not exist then
}

// Store reads and writes one repository's branches.
type Store interface {
	// Read returns the branch and the files the patterns name. A path that does not exist is an
	// error wrapping fs.ErrNotExist; a glob may match none. withHead asks for Head and Tree.
	Read(ctx context.Context, branch string, patterns []string, withHead bool) (Snapshot, error)
	// Write commits files on top of snap to snap.Branch and returns the commit. A lost race
	// returns an error wrapping ErrRace; a protection's refusal a *DeniedError.
	Write(ctx context.Context, snap Snapshot, files []File, msg string, author Person) (string, error)
	// Propose writes the same commit to the branch head, creating it or resetting it to the
	// new commit. snap has its Head.
	Propose(ctx context.Context, snap Snapshot, head string, files []File, msg string, author Person) (string, error)
	// History returns up to limit earlier versions of a file on the branch, newest first, each
	// the file as a commit that changed it left it.
	History(ctx context.Context, branch, path string, limit int) ([]Revision, error)
}

// PullRequest is an opened or updated pull request.
type PullRequest struct {
	Number int
	URL    string
}

// Forge opens pull requests and issues.
type Forge interface {
	// DefaultBranch returns the repository's default branch.
	DefaultBranch(ctx context.Context) (string, error)
	// OpenPullRequest opens a pull request from head to base, or updates the open one for the
	// same head and base (updated is then true). ErrPullRequestsNotPermitted when GitHub
	// Actions may not create pull requests.
	OpenPullRequest(ctx context.Context, head, base, title, body string, labels, reviewers []string) (pr PullRequest, updated bool, err error)
	// OpenIssue opens an issue, or updates the open one with the same title.
	OpenIssue(ctx context.Context, title, body string, labels []string) (url string, updated bool, err error)
}

// Deps are Run's collaborators.
type Deps struct {
	Store Store
	Forge Forge // nil: no fallback possible, and the branch must be given
	// Sleep waits between attempts; nil means a timer that ends early with ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	Logf  func(format string, args ...any)
}

// Run writes the target into the branch and commits it, retrying lost races and falling back
// to a pull request or an issue when the branch is protected.
func Run(ctx context.Context, cfg Config, deps Deps) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	logf := deps.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	sleep := deps.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	if cfg.Branch == "" {
		if deps.Forge == nil {
			return nil, errors.New(`input "branch": empty, and without the API the default branch is unknown: name the branch`)
		}
		b, err := deps.Forge.DefaultBranch(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the default branch: %w", err)
		}
		cfg.Branch = b
	}
	res := &Result{Branch: cfg.Branch, Image: cfg.Target.Image, Method: cfg.Method, DryRun: cfg.DryRun, Environment: cfg.Environment}
	start := time.Now()
	defer func() { res.Elapsed = time.Since(start) }()

	if cfg.Rollback {
		if err := rollbackTarget(ctx, &cfg, deps.Store, res); err != nil {
			return nil, err
		}
	}
	res.Tag, res.Digest = cfg.Target.Tag, cfg.Target.Digest
	msg := cfg.expand(cfg.CommitMessage)
	base, maxWait := cfg.Backoff, cfg.MaxBackoff
	if base <= 0 {
		base = 100 * time.Millisecond
	}
	if maxWait <= 0 {
		maxWait = 10 * time.Second
	}
	for attempt := 1; ; attempt++ {
		res.Attempts = attempt
		began := time.Now()
		snap, err := deps.Store.Read(ctx, cfg.Branch, cfg.Paths(), false)
		if err != nil {
			return nil, err
		}
		files, changes, err := plan(snap, cfg)
		if err != nil {
			return nil, err
		}
		res.Changes, res.Diff = changes, diffAll(snap, files)
		if len(files) == 0 {
			res.Outcome = ResultUnchanged
			return res, nil
		}
		if cfg.DryRun {
			res.Outcome = ResultUnchanged
			return res, nil
		}
		sha, err := deps.Store.Write(ctx, snap, files, msg, cfg.Author)
		var denied *DeniedError
		switch {
		case err == nil:
			res.Outcome, res.Commit = ResultPushed, sha
			return res, nil
		case errors.As(err, &denied):
			logf("the write to %s was refused: %s", cfg.Branch, denied.Reason)
			res.Denial = denied.Reason
			return res, fallback(ctx, cfg, deps, res, msg)
		case errors.Is(err, ErrRace):
			res.Races++
			if attempt >= cfg.MaxAttempts {
				return nil, fmt.Errorf("writing to %s: lost the race %d times in a row (max-attempts %d): other jobs write to the branch at the same time; raise max-attempts or serialise the jobs with a concurrency group: %w",
					cfg.Branch, res.Races, cfg.MaxAttempts, err)
			}
			// A wait in [window/2, window], the window doubling with every loss from the larger of
			// Backoff and how long this attempt took: a slow write (a push) holds the branch
			// longer, so contenders must spread wider; the fixed half keeps a loser from drawing
			// short waits again and again.
			window := min(max(base, time.Since(began))<<min(res.Races-1, 20), maxWait)
			d := window/2 + time.Duration(rand.Int64N(int64(window/2)+1))
			logf("attempt %d lost a race (%v); trying again on the fresh branch in %s", attempt, err, d.Round(time.Millisecond))
			if err := sleep(ctx, d); err != nil {
				return nil, err
			}
		default:
			return nil, err
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// plan edits every file of the snapshot and returns the changed ones.
func plan(snap Snapshot, cfg Config) ([]File, []Change, error) {
	var files []File
	var changes []Change
	found := false
	var notFound []error
	for _, f := range snap.Files {
		data, ch, err := Edit(f.Path, f.Data, cfg.Target)
		if errors.Is(err, ErrNotFound) && !explicit(cfg.Paths(), f.Path) {
			notFound = append(notFound, err)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		found = true
		changes = append(changes, ch...)
		if len(ch) > 0 {
			files = append(files, File{Path: f.Path, Data: data, SHA: f.SHA, Mode: f.Mode})
		}
	}
	if !found {
		if len(snap.Files) == 0 {
			return nil, nil, fmt.Errorf("no file on %s matches %s: check files or environment", snap.Branch, strings.Join(cfg.Paths(), ", "))
		}
		return nil, nil, fmt.Errorf("no file uses %s: %w", cfg.Target.Image, errors.Join(notFound...))
	}
	return files, changes, nil
}

func explicit(patterns []string, p string) bool {
	for _, pat := range patterns {
		if !isGlob(pat) && pat == p {
			return true
		}
	}
	return false
}

// fallback proposes the change by pull request or issue, in the configured order.
func fallback(ctx context.Context, cfg Config, deps Deps, res *Result, msg string) error {
	chain := cfg.Fallback
	if len(chain) == 0 || chain[0] == FallbackNone {
		return fmt.Errorf("writing to %s: %s; fallback is none: allow the write, or set fallback: pull-request,issue", cfg.Branch, res.Denial)
	}
	if deps.Forge == nil {
		return fmt.Errorf("writing to %s: %s; a pull request needs the API: pass a token", cfg.Branch, res.Denial)
	}
	snap, err := deps.Store.Read(ctx, cfg.Branch, cfg.Paths(), true)
	if err != nil {
		return err
	}
	files, changes, err := plan(snap, cfg)
	if err != nil {
		return err
	}
	res.Changes, res.Diff = changes, diffAll(snap, files)
	if len(files) == 0 { // someone else wrote it meanwhile
		res.Outcome = ResultUnchanged
		return nil
	}
	head := branchName(cfg.expand(cfg.PRBranch))
	prMsg := skipCIRE.ReplaceAllString(msg, "") // the pull request's checks must run
	sha, err := deps.Store.Propose(ctx, snap, head, files, prMsg, cfg.Author)
	if err != nil {
		return fmt.Errorf("pushing branch %s for the pull request: %w", head, err)
	}
	res.ProposalBranch, res.Commit = head, sha
	title := strings.TrimSpace(strings.SplitN(prMsg, "\n", 2)[0])
	var lastErr error
	for _, f := range cfg.Fallback {
		switch f {
		case FallbackPullRequest:
			pr, updated, err := deps.Forge.OpenPullRequest(ctx, head, cfg.Branch, title, res.proposalBody(""), cfg.PRLabels, cfg.PRReviewers)
			if errors.Is(err, ErrPullRequestsNotPermitted) {
				lastErr = err
				continue
			}
			if err != nil {
				return fmt.Errorf("opening the pull request: %w", err)
			}
			res.Outcome, res.PR, res.Updated = ResultPullRequest, pr, updated
			return nil
		case FallbackIssue:
			compare := fmt.Sprintf("%s/%s/%s/compare/%s...%s?expand=1", strings.TrimRight(cfg.ServerURL, "/"), cfg.Owner, cfg.Repo, cfg.Branch, head)
			res.CompareURL = compare
			u, updated, err := deps.Forge.OpenIssue(ctx, title, res.proposalBody(compare), cfg.PRLabels)
			if err != nil {
				return fmt.Errorf("opening the issue: %w", err)
			}
			res.Outcome, res.IssueURL, res.Updated = ResultIssue, u, updated
			return nil
		}
	}
	return fmt.Errorf("writing to %s: %s, and the fallback failed: %w: allow it in the repository's Settings > Actions > General, or add issue to fallback", cfg.Branch, res.Denial, lastErr)
}

var skipCIRE = regexp.MustCompile(`\s*\[(?:skip ci|ci skip|no ci|skip actions|actions skip)\]`)

var badBranchChars = regexp.MustCompile(`[^A-Za-z0-9._/-]+`)

// branchName makes a valid branch name of an expanded template (a digest's ':' becomes '-').
func branchName(s string) string {
	s = badBranchChars.ReplaceAllString(s, "-")
	s = strings.ReplaceAll(s, "..", ".")
	s = strings.Trim(s, "/.-")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// rollbackTarget sets cfg.Target's tag (and digest) to the image's value before its latest
// change on the branch.
func rollbackTarget(ctx context.Context, cfg *Config, store Store, res *Result) error {
	snap, err := store.Read(ctx, cfg.Branch, cfg.Paths(), false)
	if err != nil {
		return err
	}
	for _, f := range snap.Files {
		tag, digest, err := Current(f.Path, f.Data, cfg.Target)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		revs, err := store.History(ctx, cfg.Branch, f.Path, 50)
		if err != nil {
			return fmt.Errorf("reading the history of %s for rollback: %w", f.Path, err)
		}
		for _, r := range revs {
			if r.Data == nil {
				break
			}
			t, d, err := Current(f.Path, r.Data, cfg.Target)
			if err != nil {
				continue
			}
			if t != tag || d != digest {
				cfg.Target.Tag, cfg.Target.Digest = t, d
				res.RollbackFrom = Ref{Tag: tag, Digest: digest}.String()
				res.RollbackTo = Ref{Tag: t, Digest: d}.String()
				res.RollbackCommit = r.Commit
				if t == "" && d == "" {
					return fmt.Errorf("rolling back %s in %s: before its latest change the image had no tag or digest", cfg.Target.Image, f.Path)
				}
				return nil
			}
		}
		return fmt.Errorf("rolling back %s in %s: no earlier value in the branch's last %d changes of the file", cfg.Target.Image, f.Path, len(revs))
	}
	return fmt.Errorf("rolling back: no file uses %s", cfg.Target.Image)
}

// sortedPaths returns the files' paths in order.
func sortedPaths(files []File) []string {
	var ps []string
	for _, f := range files {
		ps = append(ps, f.Path)
	}
	sort.Strings(ps)
	return ps
}
