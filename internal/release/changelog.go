package release

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"golang.org/x/mod/semver"

	"github.com/shipkit-dev/shipkit/internal/gitrepo"
	"github.com/shipkit-dev/shipkit/internal/versionbump"
)

// unreleasedHeading is the section of CHANGELOG.md that collects the notes of the next release.
var unreleasedHeading = regexp.MustCompile(`(?m)^## Unreleased[ \t]*\r?$`)

// nextHeading finds the heading that ends a section: the next `## ` line.
var nextHeading = regexp.MustCompile(`(?m)^## `)

// Changelog returns CHANGELOG.md (data, named file in errors) with a section for the release
// version made from its `## Unreleased` section: the notes written there by hand, then notes,
// the release's conventional commits grouped by type (their `###` headings become `####` under
// `### Commits`). The Unreleased section is left empty for the next release. A changelog that
// has a section for version already is returned unchanged with changed false, so a rerun does
// not add a second one.
func Changelog(file string, data []byte, version string, date time.Time, notes string) (out []byte, changed bool, err error) {
	if err := CheckVersion(version); err != nil {
		return nil, false, err
	}
	if regexp.MustCompile(`(?m)^## ` + regexp.QuoteMeta(version) + `\b`).Match(data) {
		return data, false, nil
	}
	loc := unreleasedHeading.FindIndex(data)
	if loc == nil {
		return nil, false, fmt.Errorf("%s has no `## Unreleased` heading: add one above the releases, where the next release's notes go", file)
	}
	bodyStart := loc[1]
	if bodyStart < len(data) && data[bodyStart] == '\n' {
		bodyStart++
	}
	bodyEnd := len(data)
	if next := nextHeading.FindIndex(data[bodyStart:]); next != nil {
		bodyEnd = bodyStart + next[0]
	}
	handWritten := strings.TrimSpace(string(data[bodyStart:bodyEnd]))

	var b bytes.Buffer
	b.Write(data[:bodyStart])
	b.WriteString("\n")
	fmt.Fprintf(&b, "## %s (%s)\n\n", version, date.UTC().Format("2006-01-02"))
	if handWritten != "" {
		b.WriteString(handWritten + "\n\n")
	}
	if notes = strings.TrimSpace(notes); notes != "" {
		b.WriteString("### Commits\n\n")
		for line := range strings.Lines(notes) {
			switch {
			case strings.HasPrefix(line, "### "):
				line = "#" + line
			case strings.HasPrefix(line, "#"):
				line = "\\" + line // any other heading would break the changelog's structure
			}
			b.WriteString(line)
		}
		b.WriteString("\n\n")
	}
	b.Write(data[bodyEnd:])
	return b.Bytes(), true, nil
}

// PreviousRelease is the highest release tag (vX.Y.Z, no pre-release) below version among tags.
func PreviousRelease(tags []gitrepo.Tag, version string) (gitrepo.Tag, bool) {
	var best gitrepo.Tag
	found := false
	for _, t := range tags {
		if CheckVersion(t.Name) != nil || semver.Prerelease(t.Name) != "" || semver.Compare(t.Name, version) >= 0 {
			continue
		}
		if !found || semver.Compare(t.Name, best.Name) > 0 {
			best, found = t, true
		}
	}
	return best, found
}

// ReleaseNotes renders the conventional commits of the checkout at dir from the previous
// release tag (the whole history for a first release) to head, grouped by type as
// version-bump-detect's `release-notes: commits` does.
func ReleaseNotes(ctx context.Context, dir, version, head string) (string, error) {
	repo, err := gitrepo.Open(dir, gitrepo.Options{})
	if err != nil {
		return "", err
	}
	defer repo.Close()
	tags, err := repo.LocalTags("v")
	if err != nil {
		return "", err
	}
	prev, ok := PreviousRelease(tags, version)
	base := ""
	if ok {
		base = prev.Commit
	}
	commits, err := repo.Log(ctx, base, head)
	if err != nil {
		return "", fmt.Errorf("listing the commits since %s: %w", orNone(prev.Name), err)
	}
	return versionbump.RenderCommitNotes(commits, prev.Name), nil
}

func orNone(s string) string {
	if s == "" {
		return "the first commit"
	}
	return s
}
