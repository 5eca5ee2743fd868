package promote

import (
	"fmt"
	"strconv"
	"strings"
)

// Results.
const (
	ResultOpened           = "opened"
	ResultUpdated          = "updated"
	ResultMerged           = "merged"
	ResultPendingApproval  = "pending-approval"
	ResultNothingToPromote = "nothing-to-promote"
	ResultDryRun           = "dry-run"
)

// Operations on the pull request.
const (
	OpCreated   = "created"
	OpUpdated   = "updated"
	OpUnchanged = "unchanged"
)

// Auto-merge outcomes.
const (
	AutoMergeArmed       = "armed"
	AutoMergeMerged      = "merged"
	AutoMergeUnavailable = "unavailable"
	AutoMergeOff         = "off"
)

// Result is what a promotion did. It renders the outputs, the step summary and the pull
// request's default title and body.
type Result struct {
	Mode        string
	Head, Base  string // branches (image mode: head is promote/{environment}-{tag})
	Environment string
	Image, Tag  string
	Digest      string // the tag's digest in the registry, when verified
	PreviousTag string // the overlay's tag before (image mode)
	Files       []string
	Commits     []Commit // branch mode: the commits being promoted
	Total       int      // branch mode: how many (Commits may hold fewer)
	CompareURL  string

	Result      string
	Operation   string // created, updated or unchanged; empty when no pull request
	PullRequest PullRequest
	HeadSHA     string
	Commit      string // image mode: the commit written to the branch, when one was
	AutoMerge   string
	// Pending says why the promotion waits for a person, when Result is pending-approval.
	Pending    string
	IssueURL   string
	Superseded []int // older promotions closed
	MergeSHA   string
	Warnings   []string
}

// Outputs implements actionio.Report.
func (r *Result) Outputs() [][2]string {
	num := ""
	if r.PullRequest.Number > 0 {
		num = strconv.Itoa(r.PullRequest.Number)
	}
	sup := make([]string, len(r.Superseded))
	for i, n := range r.Superseded {
		sup[i] = strconv.Itoa(n)
	}
	return [][2]string{
		{"result", r.Result},
		{"pull-request-number", num},
		{"pull-request-url", r.PullRequest.URL},
		{"operation", r.Operation},
		{"auto-merge", r.AutoMerge},
		{"head-sha", r.HeadSHA},
		{"issue-url", r.IssueURL},
		{"digest", r.Digest},
		{"previous-tag", r.PreviousTag},
		{"superseded", strings.Join(sup, "\n")},
	}
}

// Headline is one line saying what happened.
func (r *Result) Headline() string {
	what := r.what()
	switch r.Result {
	case ResultNothingToPromote:
		if r.Mode == ModeImage {
			return fmt.Sprintf("nothing to promote: %s already runs %s:%s", r.Environment, r.Image, r.Tag)
		}
		return fmt.Sprintf("nothing to promote: %s has no commits that %s lacks", r.Head, r.Base)
	case ResultDryRun:
		return fmt.Sprintf("dry run: would promote %s and %s a pull request", what, map[bool]string{true: "update", false: "open"}[r.PullRequest.Number > 0])
	case ResultPendingApproval:
		if r.IssueURL != "" {
			return fmt.Sprintf("promotion of %s pending approval: GitHub Actions may not open pull requests here; opened issue %s", what, r.IssueURL)
		}
		return fmt.Sprintf("promotion of %s pending approval: pull request #%d %s (%s)", what, r.PullRequest.Number, r.PullRequest.URL, r.Pending)
	case ResultMerged:
		return fmt.Sprintf("promoted %s: pull request #%d merged as %s", what, r.PullRequest.Number, short(r.MergeSHA))
	}
	am := ""
	if r.AutoMerge == AutoMergeArmed {
		am = ", auto-merge armed"
	}
	return fmt.Sprintf("promotion of %s: pull request #%d %s %s%s", what, r.PullRequest.Number, r.Operation, r.PullRequest.URL, am)
}

func (r *Result) what() string {
	if r.Mode == ModeImage {
		return fmt.Sprintf("%s:%s to %s", r.Image, r.Tag, r.Environment)
	}
	return fmt.Sprintf("%s into %s", r.Head, r.Base)
}

// Summary implements actionio.Report: the step summary in Markdown.
func (r *Result) Summary() string {
	var b strings.Builder
	b.WriteString("### promote-pr\n\n")
	b.WriteString(mdEscape(r.Headline()) + "\n\n")
	if r.Result == ResultPendingApproval {
		b.WriteString("> **Pending manual approval**: " + mdEscape(r.Pending) + "\n\n")
	}
	if r.PullRequest.Number > 0 {
		fmt.Fprintf(&b, "| | |\n|---|---|\n| pull request | [#%d](%s) (%s) |\n| auto-merge | %s |\n| head | `%s` |\n",
			r.PullRequest.Number, r.PullRequest.URL, r.Operation, r.AutoMerge, short(r.HeadSHA))
		if len(r.Superseded) > 0 {
			fmt.Fprintf(&b, "| superseded | %s |\n", hashList(r.Superseded))
		}
		b.WriteString("\n")
	}
	if r.Mode == ModeImage {
		b.WriteString(r.changes() + "\n")
	} else if len(r.Commits) > 0 {
		b.WriteString(r.commitList() + "\n")
	}
	for _, w := range r.Warnings {
		b.WriteString("> [!WARNING]\n> " + mdEscape(w) + "\n\n")
	}
	return b.String()
}

func hashList(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = "#" + strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// values are the template placeholders.
func (r *Result) values() map[string]string {
	return map[string]string{
		"mode": r.Mode, "head": r.Head, "base": r.Base, "environment": r.Environment,
		"image": r.Image, "tag": r.Tag, "digest": r.Digest, "previous-tag": r.PreviousTag,
		"commits": r.commitList(), "changes": r.changes(), "compare": r.CompareURL,
	}
}

// DefaultTitle is the generated title.
func (r *Result) DefaultTitle() string {
	if r.Mode == ModeImage {
		return fmt.Sprintf("Promote %s to %s", r.Tag, r.Environment)
	}
	return fmt.Sprintf("Promote %s to %s", r.Head, r.Base)
}

// DefaultBody is the generated body: what changes, the commits, and the compare link.
func (r *Result) DefaultBody() string {
	var b strings.Builder
	if r.Mode == ModeImage {
		fmt.Fprintf(&b, "Promotes `%s:%s` to **%s**.\n\n", r.Image, r.Tag, r.Environment)
		b.WriteString(r.changes() + "\n")
		b.WriteString("A rollback is the promotion of an earlier tag.\n")
	} else {
		fmt.Fprintf(&b, "Promotes **%s** into **%s**: %d commit(s).\n\n", r.Head, r.Base, r.Total)
		b.WriteString(r.commitList() + "\n")
	}
	if r.CompareURL != "" {
		fmt.Fprintf(&b, "\nCompare: %s\n", r.CompareURL)
	}
	b.WriteString("\n<sub>Opened by shipkit promote-pr; a rerun updates this pull request.</sub>\n")
	return b.String()
}

// changes is the Markdown list of the images and tags that change.
func (r *Result) changes() string {
	var b strings.Builder
	prev := r.PreviousTag
	if prev == "" {
		prev = "(none)"
	}
	for _, f := range r.Files {
		fmt.Fprintf(&b, "- `%s`: `%s` %s → `%s`", f, r.Image, code(prev), r.Tag)
		if r.Digest != "" {
			fmt.Fprintf(&b, " (digest `%s`)", r.Digest)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// commitList is the Markdown list of the commits being promoted.
func (r *Result) commitList() string {
	var b strings.Builder
	for _, c := range r.Commits {
		fmt.Fprintf(&b, "- %s %s", short(c.SHA), mdEscape(c.Subject))
		if c.Author != "" {
			fmt.Fprintf(&b, " (@%s)", strings.ReplaceAll(c.Author, " ", ""))
		}
		b.WriteString("\n")
	}
	if more := r.Total - len(r.Commits); more > 0 {
		fmt.Fprintf(&b, "- and %d more: see the compare link\n", more)
	}
	return b.String()
}

func code(s string) string {
	if s == "(none)" {
		return s
	}
	return "`" + s + "`"
}

// mdEscape keeps user text from opening HTML in Markdown.
func mdEscape(s string) string { return strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(s) }
