package manifest

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Outcomes, the `result` output.
const (
	ResultPushed      = "pushed"
	ResultUnchanged   = "unchanged"
	ResultPullRequest = "pull-request"
	ResultIssue       = "issue"
	ResultFailed      = "failed"
)

// Result is the outcome of a run; it renders the outputs, the summary and the proposal's body.
type Result struct {
	Outcome     string
	Branch      string
	Image       string
	Tag, Digest string
	Environment string
	Method      string
	DryRun      bool
	Commit      string
	Changes     []Change
	Diff        string // unified diff of the changed files
	Attempts    int
	Races       int
	Elapsed     time.Duration
	// Denial is what branch protection said when it refused the write.
	Denial         string
	ProposalBranch string
	PR             PullRequest
	IssueURL       string
	CompareURL     string
	Updated        bool // an open pull request or issue was updated instead of opening another
	// RollbackFrom and RollbackTo are the values a rollback replaced and chose; RollbackCommit
	// is the commit whose version of the file held RollbackTo.
	RollbackFrom, RollbackTo, RollbackCommit string
}

// PendingApproval reports an outcome that waits for a person: a pull request or an issue.
func (r *Result) PendingApproval() bool {
	return r.Outcome == ResultPullRequest || r.Outcome == ResultIssue
}

// PreviousTag is the image's tag before the change (from the first changed place).
func (r *Result) PreviousTag() string {
	for _, c := range r.Changes {
		if c.OldTag != "" {
			return c.OldTag
		}
	}
	return ""
}

// ChangedFiles lists the changed files, each once, in order.
func (r *Result) ChangedFiles() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range r.Changes {
		if !seen[c.Path] {
			seen[c.Path] = true
			out = append(out, c.Path)
		}
	}
	return out
}

// Outputs are the action's outputs except diff (a file), in a stable order.
func (r *Result) Outputs() [][2]string {
	prNumber := ""
	if r.PR.Number > 0 {
		prNumber = fmt.Sprint(r.PR.Number)
	}
	commit := r.Commit
	if r.Outcome != ResultPushed && r.Outcome != ResultPullRequest && r.Outcome != ResultIssue {
		commit = ""
	}
	return [][2]string{
		{"result", r.Outcome},
		{"pending-approval", fmt.Sprint(r.PendingApproval())},
		{"commit", commit},
		{"pull-request-number", prNumber},
		{"pull-request-url", r.PR.URL},
		{"issue-url", r.IssueURL},
		{"previous-tag", r.PreviousTag()},
		{"changed-files", strings.Join(r.ChangedFiles(), "\n")},
	}
}

// Headline says the outcome in one sentence.
func (r *Result) Headline() string {
	what := r.Image + " " + r.newValue()
	switch r.Outcome {
	case ResultPushed:
		return fmt.Sprintf("Pushed %s to %s in commit %s.", what, r.Branch, short(r.Commit))
	case ResultPullRequest:
		verb := "Opened"
		if r.Updated {
			verb = "Updated"
		}
		return fmt.Sprintf("Pending manual approval: %s pull request #%d (%s) to set %s on %s; the branch is protected (%s).", verb, r.PR.Number, r.PR.URL, what, r.Branch, r.Denial)
	case ResultIssue:
		verb := "Opened"
		if r.Updated {
			verb = "Updated"
		}
		return fmt.Sprintf("Pending manual approval: %s issue %s to set %s on %s; the branch is protected (%s) and GitHub Actions may not open pull requests.", verb, r.IssueURL, what, r.Branch, r.Denial)
	}
	if r.DryRun && len(r.Changes) > 0 {
		return fmt.Sprintf("Dry run: %s would change on %s; nothing was written.", what, r.Branch)
	}
	return fmt.Sprintf("Unchanged: %s already has %s.", r.Branch, what)
}

func (r *Result) newValue() string {
	return strings.TrimPrefix(Ref{Tag: r.Tag, Digest: r.Digest}.String(), ":")
}

// Summary renders the Markdown step summary.
func (r *Result) Summary() string {
	var b strings.Builder
	b.WriteString("## update-manifest\n\n")
	if r.PendingApproval() {
		b.WriteString("> [!WARNING]\n> **Pending manual approval.** " + r.Headline() + "\n\n")
	} else {
		b.WriteString(r.Headline() + "\n\n")
	}
	if r.RollbackTo != "" {
		fmt.Fprintf(&b, "Rollback: chose `%s`, the value before the latest change (`%s`), from commit %s.\n\n", strings.TrimPrefix(r.RollbackTo, ":"), strings.TrimPrefix(r.RollbackFrom, ":"), short(r.RollbackCommit))
	}
	if len(r.Changes) > 0 {
		b.WriteString("| file | line | field | before | after |\n|---|---|---|---|---|\n")
		for _, c := range r.Changes {
			fmt.Fprintf(&b, "| `%s` | %d | `%s` | %s | %s |\n", c.Path, c.Line, c.Field, code(c.Old), code(c.New))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Write method `%s`: %d attempt(s), %d lost race(s), %s.\n", r.Method, r.Attempts, r.Races, r.Elapsed.Round(time.Millisecond))
	if r.Diff != "" {
		b.WriteString("\n<details><summary>diff</summary>\n\n```diff\n" + r.Diff + "```\n\n</details>\n")
	}
	return b.String()
}

// proposalBody is the pull request's or issue's text.
func (r *Result) proposalBody(compare string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "shipkit's update-manifest could not write `%s` to `%s` directly: the branch is protected (%s).\n\n", r.Image+" "+r.newValue(), r.Branch, r.Denial)
	if compare != "" {
		fmt.Fprintf(&b, "GitHub Actions may not open pull requests in this repository. The change is on branch `%s`: [open a pull request](%s).\n\n", r.ProposalBranch, compare)
	} else {
		b.WriteString("Merging this pull request deploys the change.\n\n")
	}
	if r.RollbackTo != "" {
		fmt.Fprintf(&b, "This is a rollback from `%s` to `%s`.\n\n", strings.TrimPrefix(r.RollbackFrom, ":"), strings.TrimPrefix(r.RollbackTo, ":"))
	}
	for _, c := range r.Changes {
		fmt.Fprintf(&b, "- `%s` line %d, `%s`: %s → %s\n", c.Path, c.Line, c.Field, code(c.Old), code(c.New))
	}
	if r.Diff != "" {
		b.WriteString("\n```diff\n" + r.Diff + "```\n")
	}
	return b.String()
}

func code(s string) string {
	if s == "" {
		return "-"
	}
	return "`" + strings.TrimPrefix(s, ":") + "`"
}

func short(sha string) string {
	if len(sha) > 8 {
		return sha[:8]
	}
	return sha
}

// diffAll renders a unified diff of each changed file against the snapshot.
func diffAll(snap Snapshot, files []File) string {
	old := map[string][]byte{}
	for _, f := range snap.Files {
		old[f.Path] = f.Data
	}
	var b strings.Builder
	for _, f := range files {
		b.WriteString(unifiedDiff(f.Path, old[f.Path], f.Data))
	}
	return b.String()
}

// unifiedDiff is a line diff with 2 lines of context. The edits are a few lines, so the simple
// quadratic longest-common-subsequence table is enough; big files fall back to one hunk.
func unifiedDiff(name string, a, b []byte) string {
	if bytes.Equal(a, b) {
		return ""
	}
	al, bl := splitLines(a), splitLines(b)
	// Trim the common head and tail, then diff the middle.
	pre := 0
	for pre < len(al) && pre < len(bl) && al[pre] == bl[pre] {
		pre++
	}
	suf := 0
	for suf < len(al)-pre && suf < len(bl)-pre && al[len(al)-1-suf] == bl[len(bl)-1-suf] {
		suf++
	}
	am, bm := al[pre:len(al)-suf], bl[pre:len(bl)-suf]
	type line struct {
		op   byte
		text string
	}
	var mid []line
	if len(am)*len(bm) > 4_000_000 {
		for _, l := range am {
			mid = append(mid, line{'-', l})
		}
		for _, l := range bm {
			mid = append(mid, line{'+', l})
		}
	} else {
		lcs := make([][]int, len(am)+1)
		for i := range lcs {
			lcs[i] = make([]int, len(bm)+1)
		}
		for i := len(am) - 1; i >= 0; i-- {
			for j := len(bm) - 1; j >= 0; j-- {
				if am[i] == bm[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(am) || j < len(bm) {
			switch {
			case i < len(am) && j < len(bm) && am[i] == bm[j]:
				mid = append(mid, line{' ', am[i]})
				i, j = i+1, j+1
			case i < len(am) && (j == len(bm) || lcs[i+1][j] >= lcs[i][j+1]):
				// On a tie the removal comes first, as diff(1) prints a changed line.
				mid = append(mid, line{'-', am[i]})
				i++
			default:
				mid = append(mid, line{'+', bm[j]})
				j++
			}
		}
	}
	const ctx = 2
	lo := max(0, pre-ctx)
	var lines []line
	for _, l := range al[lo:pre] {
		lines = append(lines, line{' ', l})
	}
	lines = append(lines, mid...)
	hi := min(len(al), len(al)-suf+ctx)
	for _, l := range al[len(al)-suf : hi] {
		lines = append(lines, line{' ', l})
	}
	na, nb := 0, 0
	for _, l := range lines {
		if l.op != '+' {
			na++
		}
		if l.op != '-' {
			nb++
		}
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- a/%s\n+++ b/%s\n@@ -%d,%d +%d,%d @@\n", name, name, lo+1, na, lo+1, nb)
	for _, l := range lines {
		out.WriteByte(l.op)
		out.WriteString(strings.TrimRight(l.text, "\r"))
		out.WriteByte('\n')
	}
	return out.String()
}

func splitLines(b []byte) []string {
	s := strings.TrimPrefix(string(b), "\ufeff")
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
