package ghemu

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Protection is the branch protection that Protect applies to a branch.
type Protection struct {
	// RequirePullRequest refuses direct updates: changes must be made
	// through a pull request.
	RequirePullRequest bool
	// RequiredChecks are status check contexts that must have succeeded
	// on a commit before a branch may point to it.
	RequiredChecks []string
	// RequireSignatures refuses commits without a verified signature.
	// Commits the emulator creates (API commits, merges) count as
	// verified, as GitHub signs those; pushed commits do not.
	RequireSignatures bool
	// Ruleset plays the rules as a repository ruleset instead of classic
	// branch protection: other messages, and no classic protection to
	// read (repos/get-branch-protection answers 404).
	Ruleset bool
}

// Release is a snapshot of a release.
type Release struct {
	ID              int64
	TagName         string
	TargetCommitish string
	Name            string
	Body            string
	Draft           bool
	Prerelease      bool
	CreatedAt       time.Time
	PublishedAt     time.Time // zero for drafts
}

// PullRequest is a snapshot of a pull request.
type PullRequest struct {
	Number         int
	Title, Body    string
	Head, Base     string // branch names
	HeadSHA        string // head commit when the pull request was created or last merged
	State          string // open or closed
	Draft          bool
	Merged         bool
	MergeCommitSHA string
	Labels         []string
	Reviewers      []string
	Assignees      []string
	Comments       []string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ClosedAt       time.Time
	MergedAt       time.Time
	id             int64
}

// Issue is a snapshot of an issue.
type Issue struct {
	Number      int
	Title, Body string
	State       string // open or closed
	StateReason string
	Labels      []string
	Assignees   []string
	Comments    []string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ClosedAt    time.Time
	id          int64
}

// Status is a commit status, as set by an external CI system.
type Status struct {
	Context     string
	State       string // error, failure, pending or success
	Description string
	TargetURL   string
}

// CheckRun is a check run on a commit, as GitHub Actions jobs create.
type CheckRun struct {
	Name       string
	Status     string // queued, in_progress or completed
	Conclusion string // success, failure, ... when completed
}

// WorkflowRun is a GitHub Actions workflow run, as AddWorkflowRun records
// it.
type WorkflowRun struct {
	// Name is the workflow's name; empty means Path, as GitHub names a
	// workflow without a name: key.
	Name string
	// Path is the workflow file, like ".github/workflows/ci.yml"; required.
	// Runs of the same path are one workflow: one workflow_id, one
	// sequence of run numbers.
	Path string
	// Event is the triggering event (push, pull_request, workflow_dispatch,
	// ...); empty means push.
	Event string
	// HeadBranch is the run's head_branch; empty means the branch or tag
	// name the ref given to AddWorkflowRun names, or null for a SHA.
	HeadBranch string
	// Status is queued, in_progress, completed, requested, waiting or
	// pending.
	Status string
	// Conclusion is success, failure, cancelled, neutral, skipped,
	// timed_out, action_required, stale or startup_failure: required when
	// Status is completed, and only then.
	Conclusion string
	// Actor is the login of who triggered the run; empty means the
	// repository's owner.
	Actor string
	// DisplayTitle is the run's display_title; empty means the subject of
	// the head commit's message.
	DisplayTitle string
}

// workflowRunStatuses and workflowRunConclusions are the values GitHub
// gives a workflow run's status and conclusion.
var (
	workflowRunStatuses    = []string{"queued", "in_progress", "completed", "requested", "waiting", "pending"}
	workflowRunConclusions = []string{"success", "failure", "cancelled", "neutral", "skipped", "timed_out", "action_required", "stale", "startup_failure"}
)

type workflowRun struct {
	WorkflowRun
	id, workflowID, checkSuiteID int64
	number                       int
	sha                          string
	commit                       *commitObj
	created                      time.Time
}

// workflow is what runs of one workflow file share.
type workflow struct {
	id   int64
	runs int // the last run number
}

type status struct {
	Status
	id      int64
	created time.Time
}

type checkRun struct {
	CheckRun
	id int64
}

type label struct {
	id                 int64
	name, color, descr string
}

// repo is one emulated repository: its git directory and in-memory state.
// The in-memory fields are guarded by mu.
type repo struct {
	owner, name, defaultBranch string
	id                         int64
	git                        *gitCLI
	created                    time.Time

	mu          sync.Mutex
	protections map[string]Protection
	denyPulls   bool
	releases    []*Release
	pulls       []*PullRequest
	issues      []*Issue
	lastNumber  int
	labels      map[string]*label // by lower-case name
	statuses    map[string][]*status
	checks      map[string][]*checkRun
	runs        []*workflowRun
	workflows   map[string]*workflow // by path
	verified    map[string]bool      // commits the emulator created: signed by "GitHub"
	// writeMu serialises the read-modify-write sequences of the emulator's
	// own git writes that must not interleave (merges, contents PUT);
	// update-ref with the old value still guards against outside pushes.
	writeMu sync.Mutex
}

func newRepo(owner, name, defaultBranch string, g *gitCLI, id int64) *repo {
	return &repo{
		owner: owner, name: name, defaultBranch: defaultBranch, id: id, git: g,
		created:     time.Now().UTC().Truncate(time.Second),
		protections: map[string]Protection{},
		labels:      map[string]*label{},
		statuses:    map[string][]*status{},
		checks:      map[string][]*checkRun{},
		workflows:   map[string]*workflow{},
		verified:    map[string]bool{},
	}
}

func (r *repo) fullName() string { return r.owner + "/" + r.name }

// Protect sets the protection of a branch of owner/name; the zero
// Protection removes it.
func (s *Server) Protect(owner, name, branch string, p Protection) {
	r := s.mustRepo(owner, name)
	r.mu.Lock()
	defer r.mu.Unlock()
	if !p.RequirePullRequest && !p.RequireSignatures && len(p.RequiredChecks) == 0 {
		delete(r.protections, branch)
		return
	}
	p.RequiredChecks = slices.Clone(p.RequiredChecks)
	r.protections[branch] = p
}

// DenyActionsPullRequests plays the repository setting "Allow GitHub Actions
// to create and approve pull requests" turned off: creating a pull request
// answers 403.
func (s *Server) DenyActionsPullRequests(owner, name string, deny bool) {
	r := s.mustRepo(owner, name)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.denyPulls = deny
}

// SetStatus sets a commit status on the commit ref (a SHA or branch or
// tag name) resolves to, as an external CI system would.
func (s *Server) SetStatus(owner, name, ref string, st Status) error {
	r := s.mustRepo(owner, name)
	sha, err := r.git.resolveCommit(ref)
	if err != nil || sha == "" {
		return fmt.Errorf("setting status %q on %q: no such commit", st.Context, ref)
	}
	id := s.id()
	r.mu.Lock()
	r.statuses[sha] = append(r.statuses[sha], &status{Status: st, id: id, created: time.Now().UTC().Truncate(time.Second)})
	r.mu.Unlock()
	s.runAutoMerges(r)
	return nil
}

// SetCheckRun adds or replaces (by name) a check run on the commit ref
// resolves to.
func (s *Server) SetCheckRun(owner, name, ref string, cr CheckRun) error {
	r := s.mustRepo(owner, name)
	sha, err := r.git.resolveCommit(ref)
	if err != nil || sha == "" {
		return fmt.Errorf("setting check run %q on %q: no such commit", cr.Name, ref)
	}
	id := s.id()
	r.mu.Lock()
	replaced := false
	for _, c := range r.checks[sha] {
		if c.Name == cr.Name {
			c.CheckRun, replaced = cr, true
		}
	}
	if !replaced {
		r.checks[sha] = append(r.checks[sha], &checkRun{CheckRun: cr, id: id})
	}
	r.mu.Unlock()
	s.runAutoMerges(r)
	return nil
}

// AddWorkflowRun records a run of a GitHub Actions workflow on the commit
// ref (a SHA, or a branch or tag name) resolves to, and returns the run's
// id. The run gets the next run number of its workflow (by Path), starting
// at 1. It fails when ref names no commit or run is not a valid run.
func (s *Server) AddWorkflowRun(owner, name, ref string, run WorkflowRun) (int64, error) {
	r := s.mustRepo(owner, name)
	fail := func(format string, args ...any) (int64, error) {
		return 0, fmt.Errorf("adding a run of workflow %q on %q: %s", run.Path, ref, fmt.Sprintf(format, args...))
	}
	switch {
	case run.Path == "":
		return fail("give the workflow's Path")
	case !slices.Contains(workflowRunStatuses, run.Status):
		return fail("status %q is none of %s", run.Status, strings.Join(workflowRunStatuses, ", "))
	case run.Status == "completed" && !slices.Contains(workflowRunConclusions, run.Conclusion):
		return fail("conclusion %q of a completed run is none of %s", run.Conclusion, strings.Join(workflowRunConclusions, ", "))
	case run.Status != "completed" && run.Conclusion != "":
		return fail("a %s run has no conclusion (%q)", run.Status, run.Conclusion)
	}
	sha, err := r.git.resolveCommit(ref)
	if err != nil {
		return fail("%v", err)
	}
	if sha == "" {
		return fail("no such commit")
	}
	commit, err := r.git.readCommit(sha)
	if err != nil || commit == nil {
		return fail("reading commit %s: %v", sha, err)
	}
	if run.HeadBranch == "" {
		if run.HeadBranch, err = r.refName(ref, sha); err != nil {
			return fail("%v", err)
		}
	}
	run.Name = cmp.Or(run.Name, run.Path)
	run.Event = cmp.Or(run.Event, "push")
	run.Actor = cmp.Or(run.Actor, r.owner)
	if run.DisplayTitle == "" {
		run.DisplayTitle, _, _ = strings.Cut(strings.TrimSpace(commit.Message), "\n")
	}
	id, suite := s.id(), s.id()
	r.mu.Lock()
	defer r.mu.Unlock()
	wf := r.workflows[run.Path]
	if wf == nil {
		wf = &workflow{id: s.id()}
		r.workflows[run.Path] = wf
	}
	wf.runs++
	r.runs = append(r.runs, &workflowRun{
		WorkflowRun: run, id: id, workflowID: wf.id, checkSuiteID: suite, number: wf.runs,
		sha: sha, commit: commit, created: time.Now().UTC().Truncate(time.Second),
	})
	return id, nil
}

// refName returns the branch or tag name that ref, resolved to sha, names
// (as head_branch gives it), or "" when ref is a SHA.
func (r *repo) refName(ref, sha string) (string, error) {
	for _, prefix := range []string{"refs/heads/", "refs/tags/"} {
		if short, ok := strings.CutPrefix(ref, prefix); ok {
			return short, nil
		}
	}
	if strings.HasPrefix(ref, "refs/") {
		return "", nil
	}
	for _, prefix := range []string{"refs/heads/", "refs/tags/"} {
		got, err := r.git.resolve(prefix+ref, "commit")
		if err != nil {
			return "", err
		}
		if got == sha {
			return ref, nil
		}
	}
	return "", nil
}

// Releases returns a snapshot of the releases of owner/name, oldest first.
func (s *Server) Releases(owner, name string) []Release {
	r := s.mustRepo(owner, name)
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Release, len(r.releases))
	for i, rel := range r.releases {
		out[i] = *rel
	}
	return out
}

// PullRequests returns a snapshot of the pull requests of owner/name, by
// number.
func (s *Server) PullRequests(owner, name string) []PullRequest {
	r := s.mustRepo(owner, name)
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]PullRequest, len(r.pulls))
	for i, p := range r.pulls {
		out[i] = *p
		out[i].Labels = slices.Clone(p.Labels)
		out[i].Reviewers = slices.Clone(p.Reviewers)
		out[i].Assignees = slices.Clone(p.Assignees)
		out[i].Comments = slices.Clone(p.Comments)
	}
	return out
}

// Issues returns a snapshot of the issues of owner/name (pull requests not
// included), by number.
func (s *Server) Issues(owner, name string) []Issue {
	r := s.mustRepo(owner, name)
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Issue, len(r.issues))
	for i, is := range r.issues {
		out[i] = *is
		out[i].Labels = slices.Clone(is.Labels)
		out[i].Assignees = slices.Clone(is.Assignees)
		out[i].Comments = slices.Clone(is.Comments)
	}
	return out
}

// Tags returns the tags of owner/name, read from git: tag name to the
// commit it points to (annotated tags peeled).
func (s *Server) Tags(owner, name string) (map[string]string, error) {
	r := s.mustRepo(owner, name)
	refs, err := r.git.listRefs("refs/tags/")
	if err != nil {
		return nil, fmt.Errorf("listing tags of %s/%s: %w", owner, name, err)
	}
	out := make(map[string]string, len(refs))
	for _, e := range refs {
		sha := e.sha
		if e.peeled != "" {
			sha = e.peeled
		}
		out[strings.TrimPrefix(e.name, "refs/tags/")] = sha
	}
	return out, nil
}

// Ref returns the SHA that the full ref name (refs/heads/main) of
// owner/name points to, or "" when it does not exist.
func (s *Server) Ref(owner, name, ref string) (string, error) {
	return s.mustRepo(owner, name).git.readRef(ref)
}
