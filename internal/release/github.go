package release

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"
	"golang.org/x/mod/semver"

	"github.com/shipkit-dev/shipkit/internal/ghapi"
	"github.com/shipkit-dev/shipkit/internal/pkgmeta"
)

// Repo is a GitHub repository reached through a retrying client.
type Repo struct {
	Client      *ghapi.Client
	Owner, Name string
	// VersionFile is the file holding the version at a commit (default VERSION): it tells which
	// release a major tag points at.
	VersionFile string
}

// MajorResult says what MoveMajor did.
type MajorResult struct {
	Tag      string // the major tag, such as v1
	Action   string // created, moved, unchanged or kept
	Previous string // the version the tag pointed at before (empty when it did not exist)
	Commit   string // the commit the tag points at now
}

// MoveMajor points the major tag of version (v1 for v1.4.2) at commit, but only forward: it
// is created when missing, left alone when it already points at commit, and moved only when
// version is above the version at the commit it points at (read from VersionFile there). A
// pre-release never moves it. A backport (v1.3.5 after v1.4.0) keeps it ("kept").
func (r Repo) MoveMajor(ctx context.Context, version, commit string) (MajorResult, error) {
	if err := CheckVersion(version); err != nil {
		return MajorResult{}, err
	}
	if !commitSHA.MatchString(commit) {
		return MajorResult{}, fmt.Errorf("commit %q: want 40 hex digits", commit)
	}
	major := semver.Major(version)
	res := MajorResult{Tag: major, Commit: commit}
	if semver.Prerelease(version) != "" {
		res.Action = "kept"
		return res, nil
	}
	ref, _, err := r.Client.Git.GetRef(ctx, r.Owner, r.Name, "tags/"+major)
	if ghapi.IsNotFound(err) {
		_, _, err := r.Client.Git.CreateRef(ctx, r.Owner, r.Name, &github.Reference{
			Ref: github.String("refs/tags/" + major), Object: &github.GitObject{SHA: github.String(commit)},
		})
		if err != nil {
			return res, fmt.Errorf("creating the tag %s at %s: %w", major, commit, ghapi.PermissionHint(err, "contents: write"))
		}
		res.Action = "created"
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("reading the tag %s: %w", major, err)
	}
	current := ref.GetObject().GetSHA()
	if ref.GetObject().GetType() == "tag" {
		tag, _, err := r.Client.Git.GetTag(ctx, r.Owner, r.Name, current)
		if err != nil {
			return res, fmt.Errorf("reading the annotated tag %s: %w", major, err)
		}
		current = tag.GetObject().GetSHA()
	}
	if current == commit {
		res.Action, res.Previous = "unchanged", version
		return res, nil
	}
	prev, err := r.versionAt(ctx, current)
	if err != nil {
		return res, fmt.Errorf("the tag %s points at %s: %w", major, current, err)
	}
	res.Previous = prev
	if semver.Compare(version, prev) <= 0 {
		res.Action, res.Commit = "kept", current
		return res, nil
	}
	_, _, err = r.Client.Git.UpdateRef(ctx, r.Owner, r.Name, &github.Reference{
		Ref: github.String("tags/" + major), Object: &github.GitObject{SHA: github.String(commit)},
	}, true)
	if err != nil {
		return res, fmt.Errorf("moving the tag %s from %s (%s) to %s: %w", major, current, prev, commit, ghapi.PermissionHint(err, "contents: write"))
	}
	res.Action = "moved"
	return res, nil
}

// versionAt reads the version file at commit, as a tag name (v and the version).
func (r Repo) versionAt(ctx context.Context, commit string) (string, error) {
	file := r.versionFile()
	fc, _, _, err := r.Client.Repositories.GetContents(ctx, r.Owner, r.Name, file, &github.RepositoryContentGetOptions{Ref: commit})
	if err != nil {
		return "", fmt.Errorf("reading %s there: %w", file, err)
	}
	if fc == nil {
		return "", fmt.Errorf("%s there is a folder", file)
	}
	text, err := fc.GetContent()
	if err != nil {
		return "", fmt.Errorf("reading %s there: %w", file, err)
	}
	return VersionTag(file, []byte(text))
}

// versionFile is VersionFile, VERSION when unset.
func (r Repo) versionFile() string {
	if r.VersionFile == "" {
		return "VERSION"
	}
	return r.VersionFile
}

// VersionTag reads a version file (file names it in errors) as version-bump-detect does
// (package pkgmeta: the first non-blank line) and returns its release tag, v and the version.
func VersionTag(file string, data []byte) (string, error) {
	m, err := pkgmeta.Parse(file, data, nil)
	if err != nil {
		return "", err
	}
	tag := "v" + strings.TrimPrefix(m.Version, "v")
	if CheckVersion(tag) != nil {
		return "", fmt.Errorf("%s:%d: %q is not a SemVer version such as 1.2.3", file, m.Line, m.Version)
	}
	return tag, nil
}

// PublishResult says what Publish did.
type PublishResult struct {
	Action string // published or unchanged (already published)
	URL    string
}

// ErrNoRelease is returned by Publish when no release has the tag.
var ErrNoRelease = errors.New("no release has the tag")

// Publish turns the draft release of tag into a published one, made the latest unless it is a
// pre-release. A release already published is left as it is. Drafts are found through the
// release list, since GitHub's by-tag lookup does not see them.
func (r Repo) Publish(ctx context.Context, tag string) (PublishResult, error) {
	opts := &github.ListOptions{PerPage: 100}
	for {
		rels, resp, err := r.Client.Repositories.ListReleases(ctx, r.Owner, r.Name, opts)
		if err != nil {
			return PublishResult{}, fmt.Errorf("listing the releases: %w", err)
		}
		for _, rel := range rels {
			if rel.GetTagName() != tag {
				continue
			}
			if !rel.GetDraft() {
				return PublishResult{Action: "unchanged", URL: rel.GetHTMLURL()}, nil
			}
			latest := "true"
			if rel.GetPrerelease() {
				latest = "false"
			}
			out, _, err := r.Client.Repositories.EditRelease(ctx, r.Owner, r.Name, rel.GetID(), &github.RepositoryRelease{
				Draft: github.Bool(false), MakeLatest: github.String(latest),
			})
			if err != nil {
				return PublishResult{}, fmt.Errorf("publishing the release %s: %w", tag, ghapi.PermissionHint(err, "contents: write"))
			}
			return PublishResult{Action: "published", URL: out.GetHTMLURL()}, nil
		}
		if resp.NextPage == 0 {
			return PublishResult{}, fmt.Errorf("publishing %s: %w (the release step must run first)", tag, ErrNoRelease)
		}
		opts.Page = resp.NextPage
	}
}

// Plan is what a push to the default branch releases.
type Plan struct {
	Version string // VersionFile's version, such as 1.2.3
	Tag     string // its tag, v1.2.3
	Release bool   // the tag does not exist yet: the push releases Version
}

// Plan reads the version from data (VersionFile's content) and asks GitHub whether its tag
// exists: a version without a tag is to be released.
func (r Repo) Plan(ctx context.Context, data []byte) (Plan, error) {
	tag, err := VersionTag(r.versionFile(), data)
	if err != nil {
		return Plan{}, err
	}
	p := Plan{Version: strings.TrimPrefix(tag, "v"), Tag: tag}
	_, _, err = r.Client.Git.GetRef(ctx, r.Owner, r.Name, "tags/"+tag)
	switch {
	case ghapi.IsNotFound(err):
		p.Release = true
	case err != nil:
		return p, fmt.Errorf("looking for the tag %s: %w", tag, err)
	}
	return p, nil
}
