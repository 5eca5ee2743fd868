package versionbump

import (
	"fmt"
	"strings"

	"github.com/shipkit-dev/shipkit/internal/gitrepo"
)

// noteGroups orders the conventional-commit types in release notes; other types go to "Other changes".
var noteGroups = []struct{ typ, title string }{
	{"feat", "Features"},
	{"fix", "Bug fixes"},
	{"perf", "Performance"},
	{"revert", "Reverts"},
	{"docs", "Documentation"},
	{"refactor", "Refactoring"},
}

// maxNoteCommits bounds the notes of a first release, whose range is the whole history.
const maxNoteCommits = 200

// ConventionalCommit is a commit subject parsed by the Conventional Commits rules
// (https://www.conventionalcommits.org/en/v1.0.0/).
type ConventionalCommit struct {
	Type, Scope, Subject string
	Breaking             bool
}

// ParseConventional parses a commit message; ok is false when the subject does not follow the
// `type(scope)!: subject` form.
func ParseConventional(message string) (c ConventionalCommit, ok bool) {
	subject, body, _ := strings.Cut(message, "\n")
	head, rest, found := strings.Cut(subject, ": ")
	if !found || head == "" {
		return ConventionalCommit{Subject: strings.TrimSpace(subject)}, false
	}
	if strings.HasSuffix(head, "!") {
		c.Breaking = true
		head = strings.TrimSuffix(head, "!")
	}
	if open := strings.IndexByte(head, '('); open >= 0 {
		if !strings.HasSuffix(head, ")") {
			return ConventionalCommit{Subject: strings.TrimSpace(subject)}, false
		}
		c.Scope = head[open+1 : len(head)-1]
		head = head[:open]
	}
	for _, r := range head {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return ConventionalCommit{Subject: strings.TrimSpace(subject)}, false
		}
	}
	c.Type = strings.ToLower(head)
	c.Subject = strings.TrimSpace(rest)
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "BREAKING CHANGE:") || strings.HasPrefix(line, "BREAKING-CHANGE:") {
			c.Breaking = true
		}
	}
	return c, true
}

// RenderCommitNotes renders commits (newest first) as Markdown release notes grouped by type.
func RenderCommitNotes(commits []gitrepo.Commit, previousTag string) string {
	if len(commits) > maxNoteCommits {
		commits = commits[:maxNoteCommits]
	}
	known := map[string]bool{}
	for _, g := range noteGroups {
		known[g.typ] = true
	}
	groups := map[string][]string{}
	var breaking, other []string
	for _, c := range commits {
		cc, ok := ParseConventional(c.Message)
		if !ok || !known[cc.Type] {
			other = append(other, fmt.Sprintf("- %s (%s)", strings.TrimSpace(strings.SplitN(c.Message, "\n", 2)[0]), short(c.SHA)))
			if cc.Breaking {
				breaking = append(breaking, other[len(other)-1])
			}
			continue
		}
		line := fmt.Sprintf("- %s (%s)", cc.Subject, short(c.SHA))
		if cc.Scope != "" {
			line = fmt.Sprintf("- **%s:** %s (%s)", cc.Scope, cc.Subject, short(c.SHA))
		}
		if cc.Breaking {
			breaking = append(breaking, line)
		}
		groups[cc.Type] = append(groups[cc.Type], line)
	}
	var b strings.Builder
	if len(breaking) > 0 {
		b.WriteString("### ⚠ Breaking changes\n\n" + strings.Join(breaking, "\n") + "\n\n")
	}
	for _, g := range noteGroups {
		if lines := groups[g.typ]; len(lines) > 0 {
			b.WriteString("### " + g.title + "\n\n" + strings.Join(lines, "\n") + "\n\n")
		}
	}
	if len(other) > 0 {
		b.WriteString("### Other changes\n\n" + strings.Join(other, "\n") + "\n\n")
	}
	if len(commits) == 0 {
		b.WriteString("No commits touched this package")
		if previousTag != "" {
			b.WriteString(" since " + previousTag)
		}
		b.WriteString(".\n")
	} else if previousTag != "" {
		b.WriteString("Changes since " + previousTag + ".\n")
	}
	return b.String()
}
