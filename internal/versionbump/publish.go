package versionbump

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrTagExists is returned by GitHub.CreateTag when the tag is already there.
var ErrTagExists = errors.New("tag already exists")

// Release is a GitHub release as far as version-bump-detect cares.
type Release struct {
	ID    int64
	URL   string
	Draft bool
}

// ReleaseSpec describes a release to create.
type ReleaseSpec struct {
	Tag, Target, Name, Body string
	Prerelease              bool
}

// GitHub is the part of GitHub's API that version-bump-detect writes to.
type GitHub interface {
	// CreateTag creates a lightweight tag at sha; ErrTagExists when the name is taken.
	CreateTag(ctx context.Context, tag, sha string) error
	// TagCommit returns the commit a tag points at.
	TagCommit(ctx context.Context, tag string) (string, error)
	// GenerateNotes asks GitHub for release notes from previousTag (may be empty) to target.
	GenerateNotes(ctx context.Context, tag, target, previousTag string) (string, error)
	// CreateDraftRelease creates a draft release.
	CreateDraftRelease(ctx context.Context, spec ReleaseSpec) (Release, error)
	// PublishRelease turns a draft into a published release; GitHub creates its tag if missing.
	PublishRelease(ctx context.Context, id int64) (Release, error)
	// ReleaseByTag finds the published release of a tag; false when there is none.
	ReleaseByTag(ctx context.Context, tag string) (Release, bool, error)
}

// checkTags fails when a bumped package's tag already points at another commit: that is a
// version reused for different code, and nothing may be created.
func (d *detector) checkTags(_ context.Context, res *Result) error {
	var errs []error
	for _, p := range res.Packages {
		if p.Changed && p.existingTagCommit != "" && p.existingTagCommit != res.Head {
			errs = append(errs, fmt.Errorf("tag %s already exists at commit %s, not at %s being released; bump the version in %s, or delete the tag if it was made by mistake", p.Tag, p.existingTagCommit, res.Head, p.Path))
		}
	}
	return errors.Join(errs...)
}

// publish creates the tag and release of one bumped package. A release is created as a draft
// and published last, so immutable releases work and a failure leaves no half-published release.
// The tag is made explicitly first whenever the checkout does not show it: a shallow clone has
// no tags, and GitHub would attach a new release to an existing tag at another commit without
// a word, or refuse a second release for it, where createTag checks the commit and a rerun
// finds the release it made.
func (d *detector) publish(ctx context.Context, pkg *Package) error {
	gh := d.deps.GitHub
	tagExists := pkg.existingTagCommit != ""
	if d.cfg.CreateTag || d.cfg.CreateRelease {
		if !tagExists {
			if err := d.createTag(ctx, pkg); err != nil {
				return err
			}
			tagExists = true
		}
	}
	if !d.cfg.CreateRelease {
		return nil
	}
	if tagExists && !pkg.TagCreated { // a tag made just now has no release yet
		rel, found, err := gh.ReleaseByTag(ctx, pkg.Tag)
		if err != nil {
			return fmt.Errorf("looking up the release of %s: %w", pkg.Tag, err)
		}
		if found {
			pkg.ReleaseURL = rel.URL
			d.logf("%s: release already exists: %s", pkg.Tag, rel.URL)
			return nil
		}
	}
	body, err := d.notes(ctx, pkg)
	if err != nil {
		return err
	}
	rel, err := gh.CreateDraftRelease(ctx, ReleaseSpec{Tag: pkg.Tag, Target: d.head, Name: pkg.Tag, Body: body, Prerelease: pkg.Prerelease})
	if err != nil {
		return fmt.Errorf("creating the draft release %s: %w", pkg.Tag, err)
	}
	if d.cfg.Draft {
		pkg.ReleaseURL = rel.URL
		return nil
	}
	rel, err = gh.PublishRelease(ctx, rel.ID)
	if err != nil {
		return fmt.Errorf("publishing the release %s (the draft is left for you to publish or delete): %w", pkg.Tag, err)
	}
	pkg.ReleaseURL = rel.URL
	if !tagExists {
		pkg.TagCreated = true
	}
	d.logf("%s: released %s", pkg.Tag, rel.URL)
	return nil
}

func (d *detector) createTag(ctx context.Context, pkg *Package) error {
	err := d.deps.GitHub.CreateTag(ctx, pkg.Tag, d.head)
	if errors.Is(err, ErrTagExists) {
		at, err := d.deps.GitHub.TagCommit(ctx, pkg.Tag)
		if err != nil {
			return fmt.Errorf("reading the existing tag %s: %w", pkg.Tag, err)
		}
		if at != d.head {
			return fmt.Errorf("tag %s already exists at commit %s, not at %s being released; bump the version in %s", pkg.Tag, at, d.head, pkg.Path)
		}
		pkg.existingTagCommit = at
		return nil
	}
	if err != nil {
		return fmt.Errorf("creating tag %s at %s: %w", pkg.Tag, short(d.head), err)
	}
	pkg.TagCreated = true
	d.logf("%s: tag created at %s", pkg.Tag, short(d.head))
	return nil
}

// notes renders the release body in the configured mode.
func (d *detector) notes(ctx context.Context, pkg *Package) (string, error) {
	switch d.cfg.ReleaseNotes {
	case NotesGitHub:
		body, err := d.deps.GitHub.GenerateNotes(ctx, pkg.Tag, d.head, pkg.PreviousTag)
		if err != nil {
			return "", fmt.Errorf("generating release notes for %s: %w", pkg.Tag, err)
		}
		return body, nil
	case NotesCommits:
		commits, err := d.deps.History.Log(ctx, pkg.previousTagCommit, d.head, packageFolder(pkg.Path))
		if err != nil {
			return "", fmt.Errorf("listing the commits of %s for its release notes: %w", pkg.Name, err)
		}
		return RenderCommitNotes(commits, pkg.PreviousTag), nil
	default:
		return "", nil
	}
}

// packageFolder is the folder whose changes belong to the package ("" for the root: all).
func packageFolder(manifest string) string {
	i := strings.LastIndexByte(manifest, '/')
	if i < 0 {
		return ""
	}
	return manifest[:i]
}
